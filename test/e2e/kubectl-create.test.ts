// The real kubectl's typed creates against `kube-emulator serve`: client-go POSTs these bodies as
// application/vnd.kubernetes.protobuf (no JSON retry on 415), and `kubectl auth` posts
// authorization/authentication reviews. Each command's output is kubectl's own; the stored object
// is read back with `kubectl get -o json`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate as generateCertificate } from 'selfsigned';
import { kubectlServer, type Kubectl } from './helpers.ts';

let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-create', 1, (s) => ({ dir, kubectl } = s));

/** Runs kubectl, expecting success and exactly this stdout (and no warnings). */
async function ok(expected: string, ...args: string[]): Promise<void> {
  const r = await kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, expected);
  assert.equal(r.stderr, '', `kubectl ${args.join(' ')} warned: ${r.stderr}`);
}

async function getJson(...args: string[]): Promise<Record<string, any>> {
  const r = await kubectl('get', ...args, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('create namespace', async () => {
  await ok('namespace/team-a created\n', 'create', 'namespace', 'team-a');
  const ns = await getJson('namespace', 'team-a');
  assert.equal(ns.status.phase, 'Active');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
});

test('create configmap --from-literal --from-file', async () => {
  const file = join(dir, 'app.properties');
  writeFileSync(file, 'mode=fast\nlevel=3\n');
  await ok('configmap/cfg created\n', 'create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=greeting=hello world', `--from-file=${file}`);
  const cm = await getJson('configmap', 'cfg');
  assert.deepEqual(cm.data, { a: '1', greeting: 'hello world', 'app.properties': 'mode=fast\nlevel=3\n' });
});

test('create secret generic --from-literal, and tls and docker-registry', async () => {
  await ok('secret/pw created\n', 'create', 'secret', 'generic', 'pw', '--from-literal=password=s3cr3t!');
  const pw = await getJson('secret', 'pw');
  assert.equal(pw.type, 'Opaque');
  assert.equal(Buffer.from(pw.data.password, 'base64').toString(), 's3cr3t!');

  const pems = await generateCertificate([{ name: 'commonName', value: 'web.example' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  writeFileSync(join(dir, 'tls.crt'), pems.cert);
  writeFileSync(join(dir, 'tls.key'), pems.private);
  await ok('secret/web-tls created\n', 'create', 'secret', 'tls', 'web-tls', `--cert=${join(dir, 'tls.crt')}`, `--key=${join(dir, 'tls.key')}`);
  const tls = await getJson('secret', 'web-tls');
  assert.equal(tls.type, 'kubernetes.io/tls');
  assert.equal(Buffer.from(tls.data['tls.crt'], 'base64').toString(), pems.cert, 'the certificate round-trips byte for byte');
  assert.equal(Buffer.from(tls.data['tls.key'], 'base64').toString(), pems.private);

  await ok('secret/reg created\n', 'create', 'secret', 'docker-registry', 'reg', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p');
  const reg = await getJson('secret', 'reg');
  assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
  assert.deepEqual(JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString()), {
    auths: { 'registry.example': { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') } },
  });
});

test('create deployment --image --replicas=0 --port keeps the explicit zero', async () => {
  await ok('deployment.apps/web created\n', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=0', '--port=80');
  const d = await getJson('deployment', 'web');
  assert.equal(d.spec.replicas, 0);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
  const c = d.spec.template.spec.containers[0];
  assert.equal(c.image, 'nginx:1.27');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(d.spec.strategy.type, 'RollingUpdate');
});

test('create job, create cronjob --schedule, create job --from=cronjob/x', async () => {
  await ok('job.batch/once created\n', 'create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi');
  const job = await getJson('job', 'once');
  assert.deepEqual(job.spec.template.spec.containers[0].command, ['echo', 'hi']);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');

  await ok('cronjob.batch/tick created\n', 'create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date');
  const cj = await getJson('cronjob', 'tick');
  assert.equal(cj.spec.schedule, '*/5 * * * *');
  assert.equal(cj.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');

  await ok('job.batch/tick-manual created\n', 'create', 'job', 'tick-manual', '--from=cronjob/tick');
  const manual = await getJson('job', 'tick-manual');
  assert.equal(manual.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.deepEqual(
    manual.metadata.ownerReferences.map((o: any) => [o.kind, o.name, o.uid, o.controller]),
    [['CronJob', 'tick', cj.metadata.uid, true]],
  );
  assert.deepEqual(manual.spec.template.spec.containers[0].command, ['date']);
});

test('create job --from a CronJob with a full pod template', async () => {
  const file = join(dir, 'rich.yaml');
  writeFileSync(
    file,
    `apiVersion: batch/v1
kind: CronJob
metadata: {name: rich}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      backoffLimit: 0
      template:
        spec:
          restartPolicy: Never
          nodeSelector: {disk: ssd}
          tolerations: [{key: k, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]
          securityContext: {runAsUser: 1000, fsGroup: 2000}
          initContainers: [{name: init, image: busybox, command: ["true"]}]
          containers:
          - name: main
            image: busybox
            env:
            - {name: A, value: "1"}
            - name: B
              valueFrom: {configMapKeyRef: {name: cm, key: k, optional: true}}
            envFrom: [{secretRef: {name: s}}]
            resources: {requests: {cpu: 100m}, limits: {memory: 64Mi}}
            readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 5}
            volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg, readOnly: true}]
          volumes:
          - {name: data, emptyDir: {sizeLimit: 1Gi}}
          - {name: cfg, configMap: {name: cm, defaultMode: 0400}}
`,
  );
  assert.equal((await kubectl('apply', '-f', file)).code, 0);
  await ok('job.batch/rich-now created\n', 'create', 'job', 'rich-now', '--from=cronjob/rich');
  const job = await getJson('job', 'rich-now');
  assert.equal(job.spec.backoffLimit, 0);
  const pod = job.spec.template.spec;
  assert.deepEqual(pod.nodeSelector, { disk: 'ssd' });
  assert.deepEqual(pod.tolerations, [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]);
  assert.deepEqual(pod.securityContext, { runAsUser: 1000, fsGroup: 2000 });
  assert.equal(pod.initContainers[0].name, 'init');
  const c = pod.containers[0];
  assert.deepEqual(c.env[1], { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } });
  assert.deepEqual(c.envFrom, [{ secretRef: { name: 's' } }]);
  // Requests default to the limits (pkg/apis/core/v1/defaults.go SetDefaults_Pod).
  assert.deepEqual(c.resources, { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } });
  assert.equal(c.readinessProbe.tcpSocket.port, 8080);
  assert.deepEqual(pod.volumes.find((v: any) => v.name === 'cfg').configMap, { name: 'cm', defaultMode: 256 });
  assert.equal(pod.volumes.find((v: any) => v.name === 'data').emptyDir.sizeLimit, '1Gi');
});

test('create service clusterip, nodeport and externalname', async () => {
  await ok('service/api created\n', 'create', 'service', 'clusterip', 'api', '--tcp=80:8080');
  const api = await getJson('service', 'api');
  assert.equal(api.spec.type, 'ClusterIP');
  assert.match(api.spec.clusterIP, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/, 'in the service CIDR 10.96.0.0/12');
  assert.deepEqual(api.spec.ports, [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  assert.deepEqual(api.spec.selector, { app: 'api' });

  await ok('service/np created\n', 'create', 'service', 'nodeport', 'np', '--tcp=443:8443');
  const np = await getJson('service', 'np');
  assert.equal(np.spec.type, 'NodePort');
  assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767, String(np.spec.ports[0].nodePort));

  await ok('service/ext created\n', 'create', 'service', 'externalname', 'ext', '--external-name=db.example.com');
  const ext = await getJson('service', 'ext');
  assert.equal(ext.spec.type, 'ExternalName');
  assert.equal(ext.spec.externalName, 'db.example.com');
  assert.equal(ext.spec.clusterIP, undefined);
});

test('create quota', async () => {
  // In a namespace of its own: the quota is enforced (pods there must name cpu and memory requests).
  await ok('namespace/quota-test created\n', 'create', 'namespace', 'quota-test');
  await ok('resourcequota/q created\n', 'create', 'quota', 'q', '-n', 'quota-test', '--hard=pods=10,requests.cpu=2,requests.memory=1Gi');
  const q = await getJson('resourcequota', 'q', '-n', 'quota-test');
  assert.deepEqual(q.spec.hard, { pods: '10', 'requests.cpu': '2', 'requests.memory': '1Gi' });
});

test('create priorityclass', async () => {
  const r = await kubectl('create', 'priorityclass', 'high', '--value=1000', '--description=important');
  assert.equal(r.stdout, 'priorityclass.scheduling.k8s.io/high created\n', r.stderr);
  const pc = await getJson('priorityclass', 'high');
  assert.equal(pc.value, 1000);
  assert.equal(pc.description, 'important');
});

test('kubectl run and kubectl expose deployment (JSON bodies) still work', async () => {
  await ok('pod/runner created\n', 'run', 'runner', '--image=nginx', '--port=80', '--labels=app=runner');
  const pod = await getJson('pod', 'runner');
  assert.deepEqual(pod.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  await ok('service/web exposed\n', 'expose', 'deployment', 'web', '--port=8080', '--target-port=80');
  const svc = await getJson('service', 'web');
  assert.deepEqual(svc.spec.selector, { app: 'web' });
  assert.equal(svc.spec.ports[0].port, 8080);
  assert.equal(svc.spec.ports[0].targetPort, 80);
});

test('auth can-i, can-i --list and whoami', async () => {
  await ok('yes\n', 'auth', 'can-i', 'create', 'pods');
  await ok('yes\n', 'auth', 'can-i', 'delete', 'nodes', '--all-namespaces');
  const list = await kubectl('auth', 'can-i', '--list');
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
  assert.equal(lines[0], 'Resources Non-Resource URLs Resource Names Verbs');
  assert.equal(lines[1], '*.* [] [] [*]');
  assert.equal(lines[2], '[*] [] [*]');
  assert.ok(lines.includes('selfsubjectaccessreviews.authorization.k8s.io [] [] [create]'), list.stdout);
  await ok('ATTRIBUTE   VALUE\nUsername    kubernetes-admin\nGroups      [system:masters system:authenticated]\n', 'auth', 'whoami');
});

test('the reviews are listed in discovery and are create-only', async () => {
  const r = await kubectl('api-resources', '--api-group=authorization.k8s.io');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `NAME                        SHORTNAMES   APIVERSION                NAMESPACED   KIND
localsubjectaccessreviews                authorization.k8s.io/v1   true         LocalSubjectAccessReview
selfsubjectaccessreviews                 authorization.k8s.io/v1   false        SelfSubjectAccessReview
selfsubjectrulesreviews                  authorization.k8s.io/v1   false        SelfSubjectRulesReview
subjectaccessreviews                     authorization.k8s.io/v1   false        SubjectAccessReview
`,
  );
  const get = await kubectl('get', 'selfsubjectaccessreviews');
  assert.equal(get.code, 1);
  assert.match(get.stderr, /MethodNotAllowed|the server does not allow this method/);
});

test('create serviceaccount and create pdb (protobuf bodies)', async () => {
  await ok('serviceaccount/robot created\n', 'create', 'serviceaccount', 'robot');
  assert.equal((await getJson('serviceaccount', 'robot')).metadata.name, 'robot');
  await ok('poddisruptionbudget.policy/guard created\n', 'create', 'pdb', 'guard', '--selector=app=guarded', '--min-available=1');
  assert.deepEqual((await getJson('pdb', 'guard')).spec, { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } });
});

test('drain evicts through pods/eviction (protobuf Eviction bodies) and a PDB holds a pod back', async () => {
  await ok('pod/loose created\n', 'run', 'loose', '--image=nginx');
  await ok('pod/guarded created\n', 'run', 'guarded', '--image=nginx', '--labels=app=guarded');
  const node = async (pod: string) => {
    for (let i = 0; i < 100; i++) {
      const p = await getJson('pod', pod);
      if (p.spec.nodeName && p.status.phase === 'Running') return p.spec.nodeName as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${pod} never ran`);
  };
  assert.equal(await node('loose'), await node('guarded'), 'one node here');
  const n = await node('loose');
  // `guard` (minAvailable 1) allows no eviction of its only pod: drain retries until its timeout.
  const r = await kubectl('drain', n, '--force', '--ignore-daemonsets', '--timeout=3s');
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`node/${n} cordoned\\n`));
  assert.match(r.stdout, /pod\/loose evicted\n/);
  assert.match(r.stderr, /error when evicting pods\/"guarded" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  const nodes = await getJson('node', n);
  assert.equal(nodes.spec.unschedulable, true);
  const left = await kubectl('get', 'pods', '-o', 'name');
  assert.equal(left.stdout.includes('pod/loose'), false, left.stdout);
  assert.equal(left.stdout.includes('pod/guarded'), true);
  await ok(`node/${n} uncordoned\n`, 'uncordon', n);
});
