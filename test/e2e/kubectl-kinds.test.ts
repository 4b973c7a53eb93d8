// The real kubectl against `kube-emulator serve` for every kind of the course (issue 4): apply of
// one of each, `get` with the columns of Kubernetes' printers, `get all`, api-resources, scale
// through the /scale subresource, describe, and a 422 for an invalid Deployment.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlServer, type Kubectl } from './helpers.ts';

let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-kinds', 1, (s) => ({ dir, kubectl } = s));

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets: [{addresses: [{ip: 10.0.0.5}], ports: [{port: 80}]}]
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /data/pv1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec: {hard: {pods: "10", limits.cpu: "4"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec: {limits: [{type: Container, default: {cpu: 500m}}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: postgres}]}
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: db-1}
revision: 1
data: {}
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: perl}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, labels: {kubernetes.io/service-name: ext}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.5]}]
ports: [{port: 80}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/fast
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec:
  podSelector: {}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tmpl}
template:
  metadata: {labels: {app: t}}
  spec: {containers: [{name: c, image: nginx}]}
`;

/** The header line of `kubectl get <resource>`, columns split on runs of spaces. */
async function header(resource: string): Promise<string[]> {
  const r = await kubectl('get', resource);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n')[0]!.trim().split(/\s{2,}/);
}

test('kubectl apply -f creates one of each kind', async () => {
  const file = join(dir, 'all.yaml');
  writeFileSync(file, MANIFEST);
  const r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  for (const line of [
    'configmap/cfg created',
    'secret/sec created',
    'serviceaccount/robot created',
    'service/web created',
    'endpoints/ext created',
    'persistentvolume/pv1 created',
    'persistentvolumeclaim/data created',
    'resourcequota/quota created',
    'limitrange/limits created',
    'replicationcontroller/rc created',
    'deployment.apps/web created',
    'replicaset.apps/rs created',
    'daemonset.apps/ds created',
    'statefulset.apps/db created',
    'controllerrevision.apps/db-1 created',
    'job.batch/pi created',
    'cronjob.batch/tick created',
    'horizontalpodautoscaler.autoscaling/web created',
    'endpointslice.discovery.k8s.io/ext-1 created',
    'storageclass.storage.k8s.io/fast created',
    'poddisruptionbudget.policy/web created',
    'ingress.networking.k8s.io/web created',
    'networkpolicy.networking.k8s.io/deny created',
    'podtemplate/tmpl created',
  ]) {
    assert.ok(r.stdout.includes(line), `${line} in:\n${r.stdout}`);
  }
  const again = await kubectl('apply', '-f', file);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /deployment\.apps\/web unchanged/);
  assert.match(again.stdout, /service\/web unchanged/);
});

test('kubectl get shows the columns of Kubernetes\' printers for every kind', async () => {
  const want: Record<string, string[]> = {
    cm: ['NAME', 'DATA', 'AGE'],
    secrets: ['NAME', 'TYPE', 'DATA', 'AGE'],
    sa: ['NAME', 'SECRETS', 'AGE'],
    svc: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    ep: ['NAME', 'ENDPOINTS', 'AGE'],
    pv: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE'],
    pvc: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    quota: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
    limits: ['NAME', 'CREATED AT'],
    rc: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    podtemplates: ['NAME', 'CONTAINERS', 'IMAGES', 'POD LABELS'],
    deploy: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    rs: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    ds: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    sts: ['NAME', 'READY', 'AGE'],
    controllerrevisions: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    jobs: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
    cj: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    hpa: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
    endpointslices: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    sc: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    pdb: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    ing: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    netpol: ['NAME', 'POD-SELECTOR', 'AGE'],
  };
  for (const [resource, columns] of Object.entries(want)) assert.deepEqual(await header(resource), columns, resource);

  const svc = await kubectl('get', 'svc', 'web-np', '--no-headers');
  assert.match(svc.stdout, /^web-np\s+NodePort\s+10\.(9[6-9]|10\d|11[01])\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP\s+/);
  const k8s = await kubectl('get', 'svc', 'kubernetes', '--no-headers');
  assert.match(k8s.stdout, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+/);
  const ep = await kubectl('get', 'ep', 'kubernetes', '--no-headers');
  assert.match(ep.stdout, /^kubernetes\s+192\.168\.49\.2:8443\s+/);
  const hpa = await kubectl('get', 'hpa', 'web', '--no-headers');
  assert.match(hpa.stdout, /^web\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+5\s+0\s+/);
  // No class given: the DefaultStorageClass plug-in gives `standard`, whose provisioner makes and binds a volume.
  const pvcRow = /^data\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+standard\s+<unset>\s+/;
  await eventually(async () => pvcRow.test((await kubectl('get', 'pvc', 'data', '--no-headers')).stdout), 20_000, 'claim data bound');
  const job = await kubectl('get', 'job', 'pi', '-o', 'wide', '--no-headers');
  // The Job controller runs it: DURATION (since startTime) and AGE.
  assert.match(job.stdout, /^pi\s+Running\s+0\/1\s+\d+s\s+\S+\s+pi\s+perl\s+batch\.kubernetes\.io\/controller-uid=[0-9a-f-]+$/m);
  const sc = await kubectl('get', 'sc', 'fast', '--no-headers');
  assert.match(sc.stdout, /^fast\s+example\.com\/fast\s+Delete\s+Immediate\s+false\s+/);
});

test('kubectl get all lists the kinds in the "all" category', async () => {
  const r = await kubectl('get', 'all');
  assert.equal(r.code, 0, r.stderr);
  for (const name of ['service/kubernetes', 'service/web', 'replicationcontroller/rc', 'deployment.apps/web', 'replicaset.apps/rs', 'daemonset.apps/ds', 'statefulset.apps/db', 'job.batch/pi', 'cronjob.batch/tick', 'horizontalpodautoscaler.autoscaling/web']) {
    assert.match(r.stdout, new RegExp(`^${name.replace(/\./g, '\\.')}\\s`, 'm'), name);
  }
  assert.doesNotMatch(r.stdout, /configmap|secret|ingress/);
});

test('kubectl api-resources: names, short names, versions, scope and kinds', async () => {
  const r = await kubectl('api-resources', '--no-headers');
  assert.equal(r.code, 0, r.stderr);
  const rows = new Map(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map((cols) => [`${cols[0]} ${cols.at(-3)}`, cols]),
  );
  const want: [string, string, string, string, string][] = [
    ['services', 'svc', 'v1', 'true', 'Service'],
    ['endpoints', 'ep', 'v1', 'true', 'Endpoints'],
    ['configmaps', 'cm', 'v1', 'true', 'ConfigMap'],
    ['serviceaccounts', 'sa', 'v1', 'true', 'ServiceAccount'],
    ['persistentvolumes', 'pv', 'v1', 'false', 'PersistentVolume'],
    ['persistentvolumeclaims', 'pvc', 'v1', 'true', 'PersistentVolumeClaim'],
    ['resourcequotas', 'quota', 'v1', 'true', 'ResourceQuota'],
    ['limitranges', 'limits', 'v1', 'true', 'LimitRange'],
    ['replicationcontrollers', 'rc', 'v1', 'true', 'ReplicationController'],
    ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
    ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet'],
    ['daemonsets', 'ds', 'apps/v1', 'true', 'DaemonSet'],
    ['statefulsets', 'sts', 'apps/v1', 'true', 'StatefulSet'],
    ['cronjobs', 'cj', 'batch/v1', 'true', 'CronJob'],
    ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler'],
    ['events', 'ev', 'events.k8s.io/v1', 'true', 'Event'],
    ['storageclasses', 'sc', 'storage.k8s.io/v1', 'false', 'StorageClass'],
    ['poddisruptionbudgets', 'pdb', 'policy/v1', 'true', 'PodDisruptionBudget'],
    ['ingresses', 'ing', 'networking.k8s.io/v1', 'true', 'Ingress'],
    ['networkpolicies', 'netpol', 'networking.k8s.io/v1', 'true', 'NetworkPolicy'],
  ];
  for (const [name, short, version, namespaced, kind] of want) {
    assert.deepEqual(rows.get(`${name} ${version}`), [name, short, version, namespaced, kind], name);
  }
  for (const [name, version, namespaced, kind] of [
    ['secrets', 'v1', 'true', 'Secret'],
    ['podtemplates', 'v1', 'true', 'PodTemplate'],
    ['controllerrevisions', 'apps/v1', 'true', 'ControllerRevision'],
    ['jobs', 'batch/v1', 'true', 'Job'],
    ['endpointslices', 'discovery.k8s.io/v1', 'true', 'EndpointSlice'],
  ]) {
    assert.deepEqual(rows.get(`${name} ${version}`), [name, version, namespaced, kind], name);
  }
  const versions = await kubectl('api-versions');
  for (const gv of ['autoscaling/v1', 'autoscaling/v2', 'events.k8s.io/v1', 'policy/v1', 'storage.k8s.io/v1', 'networking.k8s.io/v1', 'discovery.k8s.io/v1']) {
    assert.match(versions.stdout, new RegExp(`^${gv.replace(/\./g, '\\.')}$`, 'm'));
  }
});

test('kubectl scale uses the scale subresource; generation follows the spec', async () => {
  const r = await kubectl('scale', 'deployment', 'web', '--replicas=3');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'deployment.apps/web scaled');
  const d = await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}');
  assert.equal(d.stdout, '3 2');
  const raw = await kubectl('get', '--raw', '/apis/apps/v1/namespaces/default/deployments/web/scale');
  const scale = JSON.parse(raw.stdout);
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.deepEqual(scale.spec, { replicas: 3 });
  // status.replicas is the Deployment controller's live count (its rollout to 3 is under way).
  assert.equal(scale.status.selector, 'app=web');
  assert.equal(typeof scale.status.replicas, 'number');
  const table = await kubectl('get', 'deployment', 'web', '--subresource=scale');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^NAME\s+DESIRED\s+AVAILABLE\nweb\s+3\s+\d+\n$/);
  for (const [kind, name] of [['statefulset', 'db'], ['replicaset', 'rs'], ['rc', 'rc']]) {
    const s = await kubectl('scale', kind!, name!, '--replicas=2');
    assert.equal(s.code, 0, s.stderr);
  }
  const stale = await kubectl('scale', 'deployment', 'web', '--replicas=4', '--current-replicas=1');
  assert.notEqual(stale.code, 0);
  assert.match(stale.stderr, /Expected replicas to be 1, was 3/);
});

test('kubectl describe deployment', async () => {
  const r = await kubectl('describe', 'deployment', 'web');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Name:\s+web$/m);
  assert.match(r.stdout, /^Selector:\s+app=web$/m);
  assert.match(r.stdout, /^Replicas:\s+3 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m);
  assert.match(r.stdout, /^StrategyType:\s+RollingUpdate$/m);
  assert.match(r.stdout, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
  assert.match(r.stdout, /^\s+Image:\s+nginx:1\.27$/m);
});

test('an invalid Deployment is rejected with Kubernetes\' 422 message', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad}
spec:
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: c, image: nginx}]}
`,
  );
  const r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
  );
  const sel = await kubectl('patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"web2"}},"template":{"metadata":{"labels":{"app":"web2"}}}}}');
  assert.equal(sel.code, 1);
  assert.match(sel.stderr, /The Deployment "web" is invalid: spec\.selector: Invalid value: v1\.LabelSelector\{MatchLabels:map\[string\]string\{"app":"web2"\}, MatchExpressions:\[\]v1\.LabelSelectorRequirement\(nil\)\}: field is immutable/);
});

test('field selectors: secrets by type, replicasets by status.replicas', async () => {
  const s = await kubectl('get', 'secrets', '--field-selector', 'type=Opaque', '-o', 'name');
  assert.equal(s.stdout.trim(), 'secret/sec');
  // The ReplicaSet controller keeps status.replicas: select by the count it reports.
  const count = (await kubectl('get', 'rs', 'rs', '-o', 'jsonpath={.status.replicas}')).stdout.trim() || '0';
  const rs = await kubectl('get', 'rs', '--field-selector', `status.replicas=${count}`, '-o', 'name');
  assert.match(rs.stdout, /^replicaset\.apps\/rs$/m);
  const other = await kubectl('get', 'rs', '--field-selector', `status.replicas!=${count}`, '-o', 'name');
  assert.doesNotMatch(other.stdout, /^replicaset\.apps\/rs$/m);
  const bad = await kubectl('get', 'deploy', '--field-selector', 'spec.paused=true');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /field label not supported: spec\.paused/);
});

test('events.k8s.io/v1 and autoscaling/v1 are served from the same objects', async () => {
  const ev = await kubectl('get', 'events.v1.events.k8s.io', '-o', 'json');
  assert.equal(ev.code, 0, ev.stderr);
  const list = JSON.parse(ev.stdout);
  assert.ok(list.items.length > 0);
  assert.equal(list.items[0].apiVersion, 'events.k8s.io/v1');
  assert.ok(list.items[0].regarding?.kind);
  const hpa = await kubectl('get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage}');
  assert.equal(hpa.stdout, 'autoscaling/v1 50');
});
