// The real kubectl against `kube-emulator serve` for the command list of issue 4, part 1: get in
// all its output forms (wide, yaml, json, name, labels, selectors, watch, all, sort, custom
// columns, jsonpath), describe, apply (client-side, server dry run, prune, server-side, conflicts,
// the client-side to server-side migration), diff, edit, patch, label and annotate. Each test has
// its own namespace. Expected texts are those of kubectl 1.32 against a 1.32 cluster
// (k8s.io/kubectl/pkg/cmd/{get,apply,diff,edit,patch,label,annotate}, pkg/describe/describe.go).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let dir: string;
let bin: string;
let cache: string;
let kubectl: (...args: string[]) => ReturnType<typeof run>;
/** kubectl with a manifest on stdin (`-f -`). */
let kubectlIn: (input: string, ...args: string[]) => ReturnType<typeof run>;

before(async () => {
  bin = kubectlPath();
  dir = tempDir('kubectl-commands');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
  kubectlIn = (input: string, ...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig }, input);
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

async function namespace(name: string): Promise<void> {
  const r = await kubectlIn(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`, 'apply', '-f', '-');
  assert.equal(r.stdout.trim(), `namespace/${name} created`, r.stderr);
}

// busybox's default command (sh, no terminal) exits at once, as on a cluster: it sleeps instead.
const pod = (ns: string, name: string, labels: string, image: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}
spec: {containers: [{name: main, image: "${image}"${image.startsWith('busybox') ? ', command: [sleep, "3600"]' : ''}}]}
`;

/** Three Running pods: a (app=x, env=a), b (app=z, env=b), c (app=x, env=c). */
async function threePods(ns: string): Promise<void> {
  await namespace(ns);
  const r = await kubectlIn(
    [pod(ns, 'a', 'app: x, env: a', 'nginx:1.27'), pod(ns, 'b', 'app: z, env: b', 'busybox:1.36'), pod(ns, 'c', 'app: x, env: c', 'redis:7')].join('---\n'),
    'apply',
    '-f',
    '-',
  );
  assert.equal(r.stdout, 'pod/a created\npod/b created\npod/c created\n', r.stderr);
  const w = await kubectl('wait', '-n', ns, '--for=condition=Ready', 'pod', '--all', '--timeout=30s');
  assert.equal(w.stdout, 'pod/a condition met\npod/b condition met\npod/c condition met\n', w.stderr);
}

/** The first column of each row below the header. */
const names = (out: string) =>
  out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0]);

test('get: -o wide, --show-labels, -o name, -A, -l with = and in, --field-selector on status.phase and metadata.name', async () => {
  const ns = 'get-basic';
  await threePods(ns);
  let r = await kubectl('get', 'pods', '-n', ns, '-o', 'wide');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^NAME {3}READY {3}STATUS {4}RESTARTS {3}AGE {3}IP {11}NODE +NOMINATED NODE {3}READINESS GATES$/);
  for (const [i, n] of ['a', 'b', 'c'].entries()) {
    assert.match(lines[i + 1]!, new RegExp(`^${n} {6}1/1 {5}Running {3}0 {10}\\d+s +10\\.244\\.[01]\\.\\d+ +kube-emulator(-m02)? +<none> {11}<none>$`));
  }

  r = await kubectl('get', 'pods', '-n', ns, '--show-labels');
  assert.match(r.stdout, /^NAME +READY +STATUS +RESTARTS +AGE +LABELS\na +1\/1 +Running +0 +\d+s +app=x,env=a\nb +1\/1 +Running +0 +\d+s +app=z,env=b\nc +1\/1 +Running +0 +\d+s +app=x,env=c\n$/);

  r = await kubectl('get', 'pods', '-n', ns, '-o', 'name');
  assert.equal(r.stdout, 'pod/a\npod/b\npod/c\n');

  r = await kubectl('get', 'pods', '-A');
  assert.match(r.stdout.split('\n')[0]!, /^NAMESPACE +NAME +READY +STATUS +RESTARTS +AGE$/);
  assert.deepEqual(
    r.stdout.split('\n').filter((l) => l.startsWith(`${ns} `)).map((l) => l.split(/\s+/).slice(0, 4).join(' ')),
    [`${ns} a 1/1 Running`, `${ns} b 1/1 Running`, `${ns} c 1/1 Running`],
  );

  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '-l', 'app=x')).stdout), ['a', 'c']);
  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '-l', 'app!=x')).stdout), ['b']);
  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '-l', 'env in (a,b)')).stdout), ['a', 'b']);
  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '-l', 'env notin (a,b),app')).stdout), ['c']);
  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '--field-selector', 'status.phase=Running')).stdout), ['a', 'b', 'c']);
  assert.deepEqual(names((await kubectl('get', 'pods', '-n', ns, '--field-selector', 'metadata.name=b')).stdout), ['b']);
  r = await kubectl('get', 'pods', '-n', ns, '--field-selector', 'status.phase=Pending');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `No resources found in ${ns} namespace.\n`);
  r = await kubectl('get', 'pods', '-n', ns, '-l', 'env in (a');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unable to parse requirement: .*found '', expected: ',' or '\)'/);
});

test('get -o yaml and -o json: the stored object with kind and apiVersion; a list becomes kind List', async () => {
  const ns = 'get-yaml';
  await threePods(ns);
  let r = await kubectl('get', 'pod', 'a', '-n', ns, '-o', 'yaml');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^apiVersion: v1\nkind: Pod\nmetadata:\n {2}annotations:\n {4}kubectl\.kubernetes\.io\/last-applied-configuration: \|\n/);
  assert.match(r.stdout, /\n {2}labels:\n {4}app: x\n {4}env: a\n {2}name: a\n {2}namespace: get-yaml\n {2}resourceVersion: "\d+"\n {2}uid: [0-9a-f-]{36}\nspec:\n/);
  assert.doesNotMatch(r.stdout, /managedFields/, 'kubectl hides managedFields unless --show-managed-fields');
  assert.match(r.stdout, /\n {2}phase: Running\n/);
  assert.match(r.stdout, /\n {2}qosClass: BestEffort\n/);

  r = await kubectl('get', 'pod', 'a', '-n', ns, '-o', 'json', '--show-managed-fields');
  const obj = JSON.parse(r.stdout);
  assert.equal(obj.kind, 'Pod');
  assert.equal(obj.spec.containers[0].image, 'nginx:1.27');
  assert.deepEqual(
    obj.metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`).slice(0, 1),
    ['kubectl-client-side-apply/Update'],
  );
  assert.match(r.stdout, /^\{\n {4}"apiVersion": "v1",\n {4}"kind": "Pod",\n/, 'kubectl indents JSON by four spaces');

  r = await kubectl('get', 'pods', '-n', ns, '-o', 'json');
  const list = JSON.parse(r.stdout);
  assert.equal(list.kind, 'List');
  assert.equal(list.apiVersion, 'v1');
  assert.deepEqual(list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`), ['Pod/a', 'Pod/b', 'Pod/c']);
  assert.deepEqual(list.metadata, { resourceVersion: '' });
});

test('get -w prints the current rows, then a row per change of a created pod; it stops when killed', async () => {
  const ns = 'get-watch';
  await namespace(ns);
  const first = await kubectlIn(pod(ns, 'first', 'app: w', 'nginx:1.27'), 'apply', '-f', '-');
  assert.equal(first.code, 0, first.stderr);
  const w = spawn(bin, ['--cache-dir', cache, 'get', 'pods', '-n', ns, '-w'], { env: { ...process.env, KUBECONFIG: server.kubeconfig } });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => w.once('exit', () => r()));
  try {
    await eventually(async () => /^first /m.test(out), 10_000, 'the listed row');
    const r = await kubectlIn(pod(ns, 'p', 'app: w', 'nginx:1.27'), 'apply', '-f', '-');
    assert.equal(r.stdout.trim(), 'pod/p created', r.stderr);
    await eventually(async () => /^p +1\/1 +Running +0 +\d+s$/m.test(out), 20_000, `the Running row in:\n${out}`);
    const rows = out.trim().split('\n');
    assert.match(rows[0]!, /^NAME +READY +STATUS +RESTARTS +AGE$/);
    assert.match(rows[1]!, /^first +[01]\/1 +\w+ +0 +\d+s$/);
    const mine = rows.filter((l) => l.startsWith('p '));
    assert.match(mine[0]!, /^p +0\/1 +Pending +0 +\d+s$/, out);
    assert.ok(mine.some((l) => /^p +0\/1 +ContainerCreating +0 +\d+s$/.test(l)), out);
    assert.equal(w.exitCode, null, 'kubectl get -w keeps watching');
  } finally {
    w.kill('SIGTERM');
  }
  await exited;
});

test('get all, get pods,svc, --sort-by, -o custom-columns and -o jsonpath', async () => {
  const ns = 'get-forms';
  await threePods(ns);
  const svc = await kubectlIn(
    `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  selector: {app: x}\n  ports: [{port: 80, targetPort: 8080}]\n`,
    'apply',
    '-f',
    '-',
  );
  assert.equal(svc.stdout.trim(), 'service/web created', svc.stderr);

  let r = await kubectl('get', 'all', '-n', ns);
  assert.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.trim().split('\n\n');
  assert.equal(blocks.length, 2, r.stdout);
  assert.match(blocks[0]!, /^NAME +READY +STATUS +RESTARTS +AGE\npod\/a +1\/1 +Running +0 +\d+s\npod\/b .*\npod\/c .*$/);
  assert.match(blocks[1]!, /^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE\nservice\/web +ClusterIP +10\.\d+\.\d+\.\d+ +<none> +80\/TCP +\d+s$/);

  r = await kubectl('get', 'pods,svc', '-n', ns, '-o', 'name');
  assert.equal(r.stdout, 'pod/a\npod/b\npod/c\nservice/web\n');

  r = await kubectl('get', 'pods', '-n', ns, '--sort-by', '.spec.containers[0].image');
  assert.deepEqual(names(r.stdout), ['b', 'a', 'c'], 'busybox < nginx < redis');
  r = await kubectl('get', 'pods', '-n', ns, '--sort-by', '{.metadata.labels.env}', '-o', 'name');
  assert.equal(r.stdout, 'pod/a\npod/b\npod/c\n');

  r = await kubectl('get', 'pods', '-n', ns, '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image,APP:.metadata.labels.app,NONE:.spec.nope');
  assert.equal(r.stdout, 'NAME   IMAGE          APP   NONE\na      nginx:1.27     x     <none>\nb      busybox:1.36   z     <none>\nc      redis:7        x     <none>\n');

  r = await kubectl('get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.phase}{"\\n"}{end}');
  assert.equal(r.stdout, 'a=Running\nb=Running\nc=Running\n');
  r = await kubectl('get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.ports[0].targetPort}');
  assert.equal(r.stdout, '8080');
  r = await kubectl('get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.nope}');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
});

test('describe pod, service and namespace print their sections', async () => {
  const ns = 'describe';
  await threePods(ns);
  let r = await kubectl('describe', 'pod', 'a', '-n', ns);
  assert.equal(r.code, 0, r.stderr);
  for (const line of [
    /^Name: {13}a$/m,
    /^Namespace: {8}describe$/m,
    /^Priority: {9}0$/m,
    /^Service Account: {2}default$/m,
    /^Node: {13}kube-emulator(-m02)?\/192\.168\.49\.[23]$/m,
    /^Labels: {11}app=x\n {18}env=a$/m,
    /^Status: {11}Running$/m,
    /^Containers:\n {2}main:\n {4}Container ID: {3}containerd:\/\/[0-9a-f]{64}\n {4}Image: {10}nginx:1\.27\n/m,
    /^ {4}State: {10}Running\n {6}Started: {6}\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\n {4}Ready: {10}True\n {4}Restart Count: {2}0$/m,
    /^Conditions:\n {2}Type {24}Status\n {2}PodReadyToStartContainers {3}True \n {2}Initialized {17}True \n {2}Ready {23}True \n {2}ContainersReady {13}True \n {2}PodScheduled {16}True \n/m,
    /^ {4}Mounts:\n {6}\/var\/run\/secrets\/kubernetes\.io\/serviceaccount from kube-api-access-[a-z0-9]{5} \(ro\)$/m,
    /^Volumes:\n {2}kube-api-access-[a-z0-9]{5}:\n {4}Type: {20}Projected \(a volume that contains injected data from multiple sources\)\n {4}TokenExpirationSeconds: {2}3607\n {4}ConfigMapName: {11}kube-root-ca\.crt\n {4}ConfigMapOptional: {7}<nil>\n {4}DownwardAPI: {13}true$/m,
    /^QoS Class: +BestEffort$/m,
    /^Tolerations: +node\.kubernetes\.io\/not-ready:NoExecute op=Exists for 300s\n +node\.kubernetes\.io\/unreachable:NoExecute op=Exists for 300s$/m,
    /^Events:\n {2}Type {4}Reason {5}Age +From {15}Message\n {2}---- {4}------ {5}---- +---- {15}-------\n {2}Normal {2}Scheduled {2}\d+s +default-scheduler {2}Successfully assigned describe\/a to kube-emulator/m,
    /^ {2}Normal {2}Started {4}\d+s +kubelet {12}Started container main$/m,
  ]) {
    assert.match(r.stdout, line);
  }

  const svc = await kubectlIn(
    `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}, labels: {app: x}}\nspec:\n  selector: {app: x}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n`,
    'apply',
    '-f',
    '-',
  );
  assert.equal(svc.code, 0, svc.stderr);
  r = await kubectl('describe', 'service', 'web', '-n', ns);
  assert.equal(r.code, 0, r.stderr);
  const ip = (await kubectl('get', 'svc', 'web', '-n', ns, '-o', 'jsonpath={.spec.clusterIP}')).stdout;
  assert.match(ip, /^10\.\d+\.\d+\.\d+$/);
  for (const line of [
    /^Name: +web$/m,
    /^Namespace: +describe$/m,
    /^Labels: +app=x$/m,
    /^Annotations: +<none>$/m,
    /^Selector: +app=x$/m,
    /^Type: +ClusterIP$/m,
    /^IP Family Policy: +SingleStack$/m,
    /^IP Families: +IPv4$/m,
    new RegExp(`^IP: +${ip.replace(/\./g, '\\.')}$`, 'm'),
    /^Port: +http {2}80\/TCP$/m,
    /^TargetPort: +8080\/TCP$/m,
    /^Session Affinity: +None$/m,
    /^Internal Traffic Policy: +Cluster$/m,
    /^Events: +<none>$/m,
  ]) {
    assert.match(r.stdout, line);
  }

  r = await kubectl('describe', 'namespace', ns);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Name:         ${ns}\nLabels:       kubernetes.io/metadata.name=${ns}\nAnnotations:  <none>\nStatus:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n`);
  const quota = await kubectlIn(`apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: ${ns}}\nspec: {hard: {pods: "10"}}\n`, 'apply', '-f', '-');
  assert.equal(quota.code, 0, quota.stderr);
  r = await kubectl('describe', 'namespace', ns);
  assert.match(r.stdout, /\nResource Quotas\n {2}Name: {5}q\n {2}Resource {2}Used {2}Hard\n {2}-------- {2}--- {3}---\n/);
});

test('describe node and deployment print their sections', async () => {
  let r = await kubectl('describe', 'node', 'kube-emulator-m02');
  assert.equal(r.code, 0, r.stderr);
  for (const line of [
    /^Name: {15}kube-emulator-m02$/m,
    /^Roles: {14}<none>$/m,
    /^Labels: {13}beta\.kubernetes\.io\/arch=amd64$/m,
    /^ {20}kubernetes\.io\/hostname=kube-emulator-m02$/m,
    /^Taints: {13}<none>$/m,
    /^Unschedulable: {6}false$/m,
    /^Lease:\n {2}HolderIdentity: {2}kube-emulator-m02\n/m,
    /^ {2}Ready {12}True {4}.* {3}KubeletReady {17}kubelet is posting ready status$/m,
    /^Addresses:\n {2}InternalIP: {2}192\.168\.49\.3\n {2}Hostname: {4}kube-emulator-m02$/m,
    /^ {2}Kubelet Version: {12}v1\.32\.0$/m,
    /^PodCIDR: {22}10\.244\.1\.0\/24$/m,
    /^Non-terminated Pods: {10}\(\d+ in total\)$/m,
    /^Allocated resources:\n {2}\(Total limits may be over 100 percent, i\.e\., overcommitted\.\)\n/m,
    /^ {2}Normal {2}Starting +\S+ +kubelet +Starting kubelet\.$/m,
    /^ {2}Normal {2}RegisteredNode +\S+ +node-controller {2}Node kube-emulator-m02 event: Registered Node kube-emulator-m02 in Controller$/m,
  ]) {
    assert.match(r.stdout, line);
  }

  const ns = 'describe-deploy';
  await namespace(ns);
  const d = await kubectlIn(
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}]}
`,
    'apply',
    '-f',
    '-',
  );
  assert.equal(d.stdout.trim(), 'deployment.apps/web created', d.stderr);
  r = await kubectl('describe', 'deployment', 'web', '-n', ns);
  assert.equal(r.code, 0, r.stderr);
  for (const line of [
    /^Name: {19}web$/m,
    /^Namespace: {14}describe-deploy$/m,
    /^CreationTimestamp: {6}\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m,
    /^Labels: {17}app=web$/m,
    /^Selector: {15}app=web$/m,
    /^StrategyType: {11}RollingUpdate$/m,
    /^MinReadySeconds: {8}0$/m,
    /^Pod Template:\n {2}Labels: {2}app=web\n {2}Containers:\n {3}nginx:\n {4}Image: {9}nginx:1\.27\n {4}Port: {10}80\/TCP\n {4}Host Port: {5}0\/TCP\n/m,
  ]) {
    assert.match(r.stdout, line);
  }
});

test('apply: created, unchanged, configured; --dry-run=server stores nothing; --prune -l removes what left the folder', async () => {
  const ns = 'apply-csa';
  await namespace(ns);
  const folder = join(dir, 'apply-csa');
  mkdirSync(folder, { recursive: true });
  const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}, labels: {app: p}}\ndata: {k: "${value}"}\n`;
  writeFileSync(join(folder, 'one.yaml'), cm('one', '1'));
  writeFileSync(join(folder, 'two.yaml'), cm('two', '2'));

  let r = await kubectl('apply', '-f', join(folder, 'one.yaml'), '--dry-run=server');
  assert.equal(r.stdout, 'configmap/one created (server dry run)\n', r.stderr);
  r = await kubectl('get', 'cm', 'one', '-n', ns);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): configmaps "one" not found\n');
  r = await kubectl('apply', '-f', join(folder, 'one.yaml'), '--dry-run=client');
  assert.equal(r.stdout, 'configmap/one created (dry run)\n', r.stderr);

  r = await kubectl('apply', '-f', folder);
  assert.equal(r.stdout, 'configmap/one created\nconfigmap/two created\n', r.stderr);
  r = await kubectl('apply', '-f', folder);
  assert.equal(r.stdout, 'configmap/one unchanged\nconfigmap/two unchanged\n', r.stderr);

  writeFileSync(join(folder, 'one.yaml'), cm('one', 'changed'));
  r = await kubectl('apply', '-f', folder, '--dry-run=server');
  assert.equal(r.stdout, 'configmap/one configured (server dry run)\nconfigmap/two unchanged (server dry run)\n', r.stderr);
  assert.equal((await kubectl('get', 'cm', 'one', '-n', ns, '-o', 'jsonpath={.data.k}')).stdout, '1', 'the dry run changed nothing');
  r = await kubectl('apply', '-f', folder);
  assert.equal(r.stdout, 'configmap/one configured\nconfigmap/two unchanged\n', r.stderr);
  assert.equal((await kubectl('get', 'cm', 'one', '-n', ns, '-o', 'jsonpath={.data.k}')).stdout, 'changed');

  rmSync(join(folder, 'two.yaml'));
  r = await kubectl('apply', '--prune', '-l', 'app=p', '-n', ns, '-f', folder, '--prune-allowlist=core/v1/ConfigMap');
  assert.equal(r.stdout, 'configmap/one unchanged\nconfigmap/two pruned\n', r.stderr);
  r = await kubectl('get', 'cm', '-n', ns, '-l', 'app=p', '-o', 'name');
  assert.equal(r.stdout, 'configmap/one\n');
});

test('apply --server-side: serverside-applied, a conflict between field managers, --force-conflicts', async () => {
  const ns = 'apply-ssa';
  await namespace(ns);
  const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: ${ns}}\ndata: {${data}}\n`;
  let r = await kubectlIn(cm('a: "1", b: "2"'), 'apply', '--server-side', '-f', '-');
  assert.equal(r.stdout, 'configmap/s serverside-applied\n', r.stderr);
  r = await kubectlIn(cm('a: "1", b: "2"'), 'apply', '--server-side', '-f', '-');
  assert.equal(r.stdout, 'configmap/s serverside-applied\n', r.stderr);
  r = await kubectlIn(cm('a: "1", b: "2"'), 'apply', '--server-side', '--dry-run=server', '-f', '-');
  assert.equal(r.stdout, 'configmap/s serverside-applied (server dry run)\n', r.stderr);

  r = await kubectlIn(cm('a: "9"'), 'apply', '--server-side', '--field-manager=other', '-f', '-');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `error: Apply failed with 1 conflict: conflict with "kubectl": .data.a
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
  );
  // Co-owning: the same value is no conflict.
  r = await kubectlIn(cm('a: "1"'), 'apply', '--server-side', '--field-manager=other', '-f', '-');
  assert.equal(r.stdout, 'configmap/s serverside-applied\n', r.stderr);

  r = await kubectlIn(cm('a: "9"'), 'apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-');
  assert.equal(r.stdout, 'configmap/s serverside-applied\n', r.stderr);
  r = await kubectl('get', 'cm', 's', '-n', ns, '-o', 'json', '--show-managed-fields');
  const obj = JSON.parse(r.stdout);
  assert.deepEqual(obj.data, { a: '9', b: '2' });
  assert.deepEqual(
    obj.metadata.managedFields.map((m: { manager: string; operation: string; fieldsV1: unknown }) => [m.manager, m.operation, m.fieldsV1]),
    [
      ['kubectl', 'Apply', { 'f:data': { 'f:b': {} } }],
      ['other', 'Apply', { 'f:data': { 'f:a': {} } }],
    ],
  );
});

test('apply: client-side then --server-side migrates ownership; a field dropped afterwards is removed', async () => {
  const ns = 'apply-migrate';
  await namespace(ns);
  const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: ${ns}}\ndata: {${data}}\n`;
  let r = await kubectlIn(cm('a: "1", b: "2"'), 'apply', '-f', '-');
  assert.equal(r.stdout, 'configmap/m created\n', r.stderr);
  r = await kubectlIn(cm('a: "1", b: "2"'), 'apply', '--server-side', '-f', '-');
  assert.equal(r.stdout, 'configmap/m serverside-applied\n', r.stderr);
  r = await kubectl('get', 'cm', 'm', '-n', ns, '-o', 'json', '--show-managed-fields');
  const managers = JSON.parse(r.stdout).metadata.managedFields.map((m: { manager: string; operation: string }) => `${m.manager}/${m.operation}`);
  assert.ok(!managers.includes('kubectl-client-side-apply/Update'), `the client-side manager's fields moved to kubectl: ${managers}`);
  assert.ok(managers.includes('kubectl/Apply'), String(managers));

  r = await kubectlIn(cm('a: "1"'), 'apply', '--server-side', '-f', '-');
  assert.equal(r.stdout, 'configmap/m serverside-applied\n', r.stderr);
  r = await kubectl('get', 'cm', 'm', '-n', ns, '-o', 'jsonpath={.data}');
  assert.equal(r.stdout, '{"a":"1"}');
});

test('diff: exit 1 with a unified diff of LIVE and MERGED when changed, 0 and no output when not', async () => {
  const ns = 'diff';
  await namespace(ns);
  const file = join(dir, 'diff.yaml');
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, namespace: ${ns}}\ndata: {k: "${v}", z: "same"}\n`;
  writeFileSync(file, cm('1'));
  let r = await kubectl('diff', '-f', file);
  assert.equal(r.code, 1, 'a new object is a difference');
  assert.match(r.stdout, /^\+apiVersion: v1$/m);
  assert.match(r.stdout, /^\+ {2}k: "1"$/m);
  assert.equal((await kubectl('get', 'cm', 'd', '-n', ns)).code, 1, 'diff created nothing');

  assert.equal((await kubectl('apply', '-f', file)).code, 0);
  r = await kubectl('diff', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');

  writeFileSync(file, cm('2'));
  r = await kubectl('diff', '-f', file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^diff -u -N /tmp/LIVE-\\d+/v1\\.ConfigMap\\.${ns}\\.d /tmp/MERGED-\\d+/v1\\.ConfigMap\\.${ns}\\.d\\n--- /tmp/LIVE-\\d+/v1\\.ConfigMap\\.${ns}\\.d\\t.*\\n\\+\\+\\+ /tmp/MERGED-\\d+/v1\\.ConfigMap\\.${ns}\\.d\\t.*\\n@@ -1,6 \\+1,6 @@\\n apiVersion: v1\\n data:\\n-  k: "1"\\n\\+  k: "2"\\n   z: same\\n kind: ConfigMap\\n metadata:\\n`),
  );
  assert.equal((await kubectl('get', 'cm', 'd', '-n', ns, '-o', 'jsonpath={.data.k}')).stdout, '1', 'the server dry run stored nothing');
  // The client-side apply manager owns data.k: without --force-conflicts the server-side dry run conflicts.
  r = await kubectl('diff', '--server-side', '-f', file);
  assert.equal(r.code, 2, 'kubectl diff exits with more than 1 on an error');
  assert.match(r.stderr, /Error from server \(Conflict\): Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: \.data\.k/);
  r = await kubectl('diff', '--server-side', '--force-conflicts', '-f', file);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^- {2}k: "1"\n\+ {2}k: "2"$/m);
});

test('edit through KUBE_EDITOR: edited, and "Edit cancelled" when the file is unchanged', async () => {
  const ns = 'edit';
  await namespace(ns);
  const c = await kubectlIn(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: e, namespace: ${ns}}\ndata: {k: before}\n`, 'apply', '-f', '-');
  assert.equal(c.code, 0, c.stderr);
  const edit = (editor: string) => run(bin, ['--cache-dir', cache, 'edit', 'cm', 'e', '-n', ns], { KUBECONFIG: server.kubeconfig, KUBE_EDITOR: editor });
  let r = await edit('sed -i s/before/after/');
  assert.equal(r.stdout, 'configmap/e edited\n', r.stderr);
  assert.equal((await kubectl('get', 'cm', 'e', '-n', ns, '-o', 'jsonpath={.data.k}')).stdout, 'after');
  r = await edit('true');
  assert.equal(r.code, 0);
  assert.equal(r.stderr, 'Edit cancelled, no changes made.\n');
  // An invalid edit is reported and the file kept for the user.
  r = await edit('sed -i s/^kind:.ConfigMap/kind:\\ Nope/');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /A copy of your changes has been stored to "\/tmp\/kubectl-edit-\d+\.yaml"/);
});

test('patch --type json|merge|strategic; patched, patched (no change), and the errors of a bad patch', async () => {
  const ns = 'patch';
  await threePods(ns);
  const c = await kubectlIn(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p, namespace: ${ns}}\ndata: {k: v}\n`, 'apply', '-f', '-');
  assert.equal(c.code, 0, c.stderr);
  let r = await kubectl('patch', 'cm', 'p', '-n', ns, '--type', 'json', '-p', '[{"op":"replace","path":"/data/k","value":"j"},{"op":"add","path":"/data/n","value":"1"}]');
  assert.equal(r.stdout, 'configmap/p patched\n', r.stderr);
  r = await kubectl('patch', 'cm', 'p', '-n', ns, '--type', 'merge', '-p', '{"data":{"n":null,"m":"2"}}');
  assert.equal(r.stdout, 'configmap/p patched\n', r.stderr);
  r = await kubectl('patch', 'cm', 'p', '-n', ns, '--type', 'merge', '-p', '{"data":{"m":"2"}}');
  assert.equal(r.stdout, 'configmap/p patched (no change)\n', r.stderr);
  assert.equal((await kubectl('get', 'cm', 'p', '-n', ns, '-o', 'jsonpath={.data}')).stdout, '{"k":"j","m":"2"}');

  // Strategic merge: containers merge by name, the other fields of the container stay.
  r = await kubectl('patch', 'pod', 'a', '-n', ns, '-p', '{"spec":{"containers":[{"name":"main","image":"nginx:1.28"}]}}');
  assert.equal(r.stdout, 'pod/a patched\n', r.stderr);
  r = await kubectl('get', 'pod', 'a', '-n', ns, '-o', 'jsonpath={.spec.containers[*].name} {.spec.containers[0].image} {.spec.containers[0].imagePullPolicy}');
  assert.equal(r.stdout, 'main nginx:1.28 IfNotPresent');
  r = await kubectl('patch', 'pod', 'a', '-n', ns, '--type', 'strategic', '-p', '{"metadata":{"labels":{"env":null}}}');
  assert.equal(r.stdout, 'pod/a patched\n', r.stderr);
  assert.equal((await kubectl('get', 'pod', 'a', '-n', ns, '-o', 'jsonpath={.metadata.labels}')).stdout, '{"app":"x"}');

  r = await kubectl('patch', 'cm', 'p', '-n', ns, '--type', 'json', '-p', '[{"op":"test","path":"/data/k","value":"zz"}]');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'The request is invalid: the server rejected our request due to an error in our request\n');
  r = await kubectl('patch', 'pod', 'a', '-n', ns, '-p', '{"spec":{"activeDeadlineSeconds":"x"}}');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'Error from server (BadRequest): Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64\n',
  );
  r = await kubectl('patch', 'pod', 'a', '-n', ns, '-p', '{"spec":{"containers":[{"name":"main","image":""}]}}');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^The Pod "a" is invalid: spec\.containers\[0\]\.image: Required value/);
  r = await kubectl('patch', 'cm', 'nope', '-n', ns, '--type', 'merge', '-p', '{}');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): configmaps "nope" not found\n');
});

test('label and annotate: add, --overwrite, removal with key-, and the refusals', async () => {
  const ns = 'label';
  await namespace(ns);
  const c = await kubectlIn(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l, namespace: ${ns}}\n`, 'apply', '-f', '-');
  assert.equal(c.code, 0, c.stderr);
  const get = async () => (await kubectl('get', 'cm', 'l', '-n', ns, '-o', 'jsonpath={.metadata.labels.tier} {.metadata.annotations.note}')).stdout;

  let r = await kubectl('label', 'cm', 'l', '-n', ns, 'tier=a');
  assert.equal(r.stdout, 'configmap/l labeled\n', r.stderr);
  r = await kubectl('label', 'cm', 'l', '-n', ns, 'tier=b');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: 'tier' already has a value (a), and --overwrite is false\n");
  r = await kubectl('label', 'cm', 'l', '-n', ns, 'tier=b', '--overwrite');
  assert.equal(r.stdout, 'configmap/l labeled\n', r.stderr);
  assert.equal(await get(), 'b ');
  r = await kubectl('label', 'cm', 'l', '-n', ns, 'tier-');
  assert.equal(r.stdout, 'configmap/l unlabeled\n', r.stderr);
  assert.equal(await get(), ' ');
  r = await kubectl('label', 'cm', 'l', '-n', ns, 'bad key=x');
  assert.equal(r.code, 1);
  r = await kubectl('patch', 'cm', 'l', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"-x"}}}');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `The ConfigMap "l" is invalid: metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n`,
  );

  r = await kubectl('annotate', 'cm', 'l', '-n', ns, 'note=hi');
  assert.equal(r.stdout, 'configmap/l annotated\n', r.stderr);
  r = await kubectl('annotate', 'cm', 'l', '-n', ns, 'note=ho');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hi)\n");
  r = await kubectl('annotate', 'cm', 'l', '-n', ns, 'note=ho', '--overwrite');
  assert.equal(r.stdout, 'configmap/l annotated\n', r.stderr);
  assert.equal(await get(), ' ho');
  r = await kubectl('annotate', 'cm', 'l', '-n', ns, 'note-');
  assert.equal(r.stdout, 'configmap/l annotated\n', r.stderr);
  assert.equal(await get(), ' ');
  // The new label drives selectors at once.
  assert.equal((await kubectl('label', 'cm', 'l', '-n', ns, 'sel=yes')).code, 0);
  assert.equal((await kubectl('get', 'cm', '-n', ns, '-l', 'sel=yes', '-o', 'name')).stdout, 'configmap/l\n');
});
