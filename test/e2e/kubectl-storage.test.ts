// Storage through the real kubectl: the default StorageClass, a claim provisioned by minikube's
// hostpath provisioner and bound, a hand-made PV bound to a claim that names it, `kubectl get
// pvc,pv,sc` columns, the provisioning events in `describe pvc`, data that outlives the pod that
// wrote it, and reclaimPolicy Delete removing the volume with its claim.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlServer, type Kubectl } from './helpers.ts';

let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-storage', 1, (s) => ({ dir, kubectl } = s));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Table rows split on runs of 2+ spaces. */
function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

test('kubectl get sc shows `standard` as the default class of k8s.io/minikube-hostpath', async () => {
  const r = await kubectl('get', 'sc');
  assert.equal(r.code, 0, r.stderr);
  const [head, sc] = rows(r.stdout);
  assert.deepEqual(head, ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
  assert.deepEqual(sc.slice(0, 5), ['standard (default)', 'k8s.io/minikube-hostpath', 'Delete', 'Immediate', 'false']);
});

test('claims are provisioned and bound; get pvc,pv,sc; describe pvc events; data outlives its pod; Delete reclaims', async () => {
  const manifests = file(
    'storage.yaml',
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: task-pv-volume, labels: {type: local}}
spec:
  storageClassName: manual
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: task-pv-claim}
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 3Gi}}
`,
  );
  let r = await kubectl('apply', '-f', manifests);
  assert.equal(r.code, 0, r.stderr);
  const uid = (await kubectl('get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}')).stdout;
  await eventually(async () => (await kubectl('get', 'pvc', '-o', 'jsonpath={.items[*].status.phase}')).stdout === 'Bound Bound', 20_000, 'claims bound');

  r = await kubectl('get', 'pvc');
  assert.equal(r.code, 0, r.stderr);
  const pvc = rows(r.stdout);
  assert.deepEqual(pvc[0], ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
  assert.deepEqual(pvc[1].slice(0, 7), ['data', 'Bound', `pvc-${uid}`, '1Gi', 'RWO', 'standard', '<unset>']);
  assert.deepEqual(pvc[2].slice(0, 7), ['task-pv-claim', 'Bound', 'task-pv-volume', '10Gi', 'RWO', 'manual', '<unset>']);

  r = await kubectl('get', 'pvc,pv,sc');
  assert.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.trim().split('\n\n').map(rows);
  assert.equal(blocks.length, 3, r.stdout);
  assert.deepEqual(blocks[0][1].slice(0, 3), ['persistentvolumeclaim/data', 'Bound', `pvc-${uid}`]);
  assert.deepEqual(blocks[1][0], ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE']);
  const pvRows = blocks[1].slice(1).sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(pvRows[0].slice(0, 8), [`persistentvolume/pvc-${uid}`, '1Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'standard', '<unset>']);
  assert.deepEqual(pvRows[1].slice(0, 8), ['persistentvolume/task-pv-volume', '10Gi', 'RWO', 'Retain', 'Bound', 'default/task-pv-claim', 'manual', '<unset>']);
  assert.equal(blocks[2][1][0], 'storageclass.storage.k8s.io/standard (default)');

  r = await kubectl('describe', 'pvc', 'data');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /StorageClass:\s+standard/);
  assert.match(r.stdout, /Annotations:\s+pv\.kubernetes\.io\/bind-completed: yes/);
  assert.match(r.stdout, /Normal\s+ExternalProvisioning\s+.*persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'k8s\.io\/minikube-hostpath'/);
  assert.match(r.stdout, /Normal\s+Provisioning\s+.*k8s\.io\/minikube-hostpath_kube-emulator_[0-9a-f-]+\s+External provisioner is provisioning volume for claim "default\/data"/);
  assert.match(r.stdout, new RegExp(`Normal\\s+ProvisioningSucceeded\\s+.*Successfully provisioned volume pvc-${uid}`));

  r = await kubectl('describe', 'pv', `pvc-${uid}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pv\.kubernetes\.io\/provisioned-by: k8s\.io\/minikube-hostpath/);
  assert.match(r.stdout, /Path:\s+\/tmp\/hostpath-provisioner\/default\/data/);

  // A pod writes into the claim and goes; another reads what it wrote.
  const writer = file('writer.yaml', `apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  restartPolicy: Never
  containers:
  - {name: w, image: busybox, command: [sh, -c, 'echo "buy milk" > /data/notes.txt'], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`);
  r = await kubectl('apply', '-f', writer);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}')).stdout === 'Succeeded', 30_000, 'writer Succeeded');
  r = await kubectl('delete', 'pod', 'writer', '--wait=true');
  assert.equal(r.code, 0, r.stderr);
  const reader = file('reader.yaml', writer.replace('writer', 'reader'));
  writeFileSync(reader, `apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  restartPolicy: Never
  containers:
  - {name: r, image: busybox, command: [cat, /data/notes.txt], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`);
  r = await kubectl('apply', '-f', reader);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}')).stdout === 'Succeeded', 30_000, 'reader Succeeded');
  r = await kubectl('logs', 'reader');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'buy milk\n');
  r = await kubectl('delete', 'pod', 'reader', '--wait=true');
  assert.equal(r.code, 0, r.stderr);

  // reclaimPolicy Delete: the provisioned volume goes with its claim; Retain keeps the other Released.
  r = await kubectl('delete', 'pvc', 'data', 'task-pv-claim');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pv', '-o', 'name')).stdout.trim() === 'persistentvolume/task-pv-volume', 20_000, 'provisioned PV deleted');
  await eventually(async () => (await kubectl('get', 'pv', 'task-pv-volume', '-o', 'jsonpath={.status.phase}')).stdout === 'Released', 20_000, 'Released');
});

test('kubectl delete pvc of a claim in use: Terminating (kubernetes.io/pvc-protection) until its pod is deleted', async () => {
  const manifests = file(
    'held.yaml',
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: held}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: holder}
spec:
  containers:
  - {name: h, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: held}}]
`,
  );
  let r = await kubectl('apply', '-f', manifests);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'holder', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 30_000, 'holder Running');
  r = await kubectl('get', 'pvc', 'held', '-o', 'jsonpath={.metadata.finalizers}');
  assert.equal(r.stdout, '["kubernetes.io/pvc-protection"]');
  const pv = (await kubectl('get', 'pvc', 'held', '-o', 'jsonpath={.spec.volumeName}')).stdout;
  r = await kubectl('get', 'pv', pv, '-o', 'jsonpath={.metadata.finalizers}');
  assert.equal(r.stdout, '["kubernetes.io/pv-protection"]');

  r = await kubectl('delete', 'pvc', 'held', '--wait=false');
  assert.deepEqual([r.code, r.stdout], [0, 'persistentvolumeclaim "held" deleted\n']);
  await new Promise((res) => setTimeout(res, 1000));
  r = await kubectl('get', 'pvc', 'held');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(rows(r.stdout)[1].slice(0, 3), ['held', 'Terminating', pv]);

  r = await kubectl('delete', 'pod', 'holder', '--grace-period=1', '--wait=true');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pvc', 'held')).stderr === 'Error from server (NotFound): persistentvolumeclaims "held" not found\n', 20_000, 'claim gone');
  await eventually(async () => (await kubectl('get', 'pv', pv)).code === 1, 20_000, 'provisioned volume gone');
});

test('a WaitForFirstConsumer class: the claim waits; a gated pod shows SchedulingGated; without gates it is scheduled and its claim provisioned on its node', async () => {
  const manifests = file(
    'late.yaml',
    `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: late}
provisioner: k8s.io/minikube-hostpath
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: later}
spec:
  storageClassName: late
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: gated}
spec:
  schedulingGates: [{name: example.com/ready}]
  containers:
  - {name: g, image: busybox, command: [sleep, '3600'], volumeMounts: [{name: d, mountPath: /data}]}
  volumes: [{name: d, persistentVolumeClaim: {claimName: later}}]
`,
  );
  let r = await kubectl('apply', '-f', manifests);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => /WaitForFirstConsumer\s+.*waiting for first consumer to be created before binding/.test((await kubectl('describe', 'pvc', 'later')).stdout), 20_000, 'WaitForFirstConsumer event');
  r = await kubectl('get', 'pvc', 'later');
  assert.deepEqual(rows(r.stdout)[1].slice(0, 2), ['later', 'Pending']);
  r = await kubectl('get', 'pod', 'gated');
  assert.deepEqual(rows(r.stdout)[1].slice(0, 3), ['gated', '0/1', 'SchedulingGated']);

  r = await kubectl('patch', 'pod', 'gated', '--type=json', '-p', '[{"op":"remove","path":"/spec/schedulingGates"}]');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'gated', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 30_000, 'gated Running');
  const node = (await kubectl('get', 'pod', 'gated', '-o', 'jsonpath={.spec.nodeName}')).stdout;
  r = await kubectl('get', 'pvc', 'later', '-o', 'jsonpath={.status.phase} {.metadata.annotations.volume\\.kubernetes\\.io/selected-node}');
  assert.equal(r.stdout, `Bound ${node}`);
  r = await kubectl('delete', 'pod', 'gated', '--grace-period=1', '--wait=true');
  assert.equal(r.code, 0, r.stderr);
});
