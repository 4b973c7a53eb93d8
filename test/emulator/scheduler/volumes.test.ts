// The scheduler's volume plugins (VolumeRestrictions, VolumeBinding, VolumeZone) in an in-process
// cluster with the PV controller and minikube's provisioner, on a manual clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

async function withCluster(nodes: number, fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true, name: 'minikube' });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

async function until(c: Cluster, check: () => Promise<boolean>, what: string, stepMs = 0): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    if (stepMs && i % 20 === 19) await c.advanceClock(stepMs);
    await tick();
  }
  assert.fail(`never: ${what}`);
}

const claim = (name: string, spec: Obj = {}, meta: Obj = {}) => ({
  metadata: { name, ...meta },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});
const volume = (name: string, spec: Obj = {}, meta: Obj = {}) => ({
  metadata: { name, ...meta },
  spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/mnt/${name}` }, ...spec },
});
const podWith = (name: string, claimName: string, extra: Obj = {}) => ({
  metadata: { name },
  spec: {
    containers: [{ name: 'c', image: 'nginx:1.27', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    ...extra,
  },
});
const onNode = (node: string) => ({
  required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] },
});

async function failedScheduling(c: Cluster, pod: string): Promise<string | undefined> {
  const { items } = await c.api.list(c.api.resource('events'), 'default');
  const ev = items.filter((e) => e.involvedObject.name === pod && e.reason === 'FailedScheduling');
  return ev.at(-1)?.message;
}

const getPod = (c: Cluster, name: string) => c.api.get(c.api.resource('pods'), 'default', name);
const getClaim = (c: Cluster, name: string) => c.api.get(c.api.resource('persistentvolumeclaims'), 'default', name);

test('VolumeBinding: a missing claim and an unbound Immediate claim keep the pod Pending with kube-scheduler\'s message; binding the claim lets it schedule', async () => {
  await withCluster(1, async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', podWith('lonely', 'nope'));
    await until(c, async () => (await failedScheduling(c, 'lonely')) !== undefined, 'FailedScheduling for a missing claim');
    assert.equal(await failedScheduling(c, 'lonely'), '0/1 nodes are available: persistentvolumeclaim "nope" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');

    // A claim of no class (storageClassName: "") waits for a volume: Immediate binding, unbound.
    await c.api.create(c.api.resource('persistentvolumeclaims'), 'default', claim('manual', { storageClassName: '' }));
    await c.api.create(pods, 'default', podWith('web', 'manual'));
    await until(c, async () => (await failedScheduling(c, 'web')) !== undefined, 'FailedScheduling for an unbound claim');
    const msg = '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    assert.equal(await failedScheduling(c, 'web'), msg);
    const cond = (await getPod(c, 'web')).status.conditions.find((x: Obj) => x.type === 'PodScheduled');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', msg]);

    // A volume appears, the PV controller binds the claim: the claim's update moves the pod back.
    await c.api.create(c.api.resource('persistentvolumes'), undefined, volume('pv1', { storageClassName: '' }));
    await until(c, async () => !!(await getPod(c, 'web')).spec.nodeName, 'pod scheduled after the claim is bound', 1000);
    assert.equal((await getClaim(c, 'manual')).spec.volumeName, 'pv1');
  });
});

test('WaitForFirstConsumer: the claim waits for a pod; the scheduler picks the node and sets selected-node; the provisioner provisions; then the pod is bound', async () => {
  await withCluster(2, async (c) => {
    await c.api.create(c.api.resource('storageclasses.storage.k8s.io'), undefined, {
      metadata: { name: 'late' },
      provisioner: 'k8s.io/minikube-hostpath',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await c.api.create(c.api.resource('persistentvolumeclaims'), 'default', claim('data', { storageClassName: 'late' }));
    await until(c, async () => (await getClaim(c, 'data')).status?.phase === 'Pending', 'claim Pending');
    await until(
      c,
      async () => (await c.api.list(c.api.resource('events'), 'default')).items.some((e) => e.involvedObject.name === 'data' && e.reason === 'WaitForFirstConsumer' && e.message === 'waiting for first consumer to be created before binding'),
      'WaitForFirstConsumer event',
    );
    for (let i = 0; i < 10; i++) await tick();
    assert.equal((await c.api.list(c.api.resource('persistentvolumes'), undefined)).items.length, 0, 'nothing provisioned before a pod uses the claim');

    await c.api.create(c.api.resource('pods'), 'default', podWith('db', 'data'));
    await until(c, async () => !!(await getClaim(c, 'data')).metadata.annotations?.['volume.kubernetes.io/selected-node'], 'selected-node set');
    const selected = (await getClaim(c, 'data')).metadata.annotations['volume.kubernetes.io/selected-node'];
    assert.ok(['minikube', 'minikube-m02'].includes(selected));
    // The pod is not bound before its claim is (PreBind waits, polling each second).
    assert.equal((await getPod(c, 'db')).spec.nodeName, undefined);
    await until(c, async () => !!(await getPod(c, 'db')).spec.nodeName, 'pod bound', 1000);
    assert.equal((await getPod(c, 'db')).spec.nodeName, selected);
    const pvc = await getClaim(c, 'data');
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.spec.volumeName, `pvc-${pvc.metadata.uid}`);

    // A pod that fits nowhere: its claim says which pod it waits for (WaitForPodScheduled).
    await c.api.create(c.api.resource('persistentvolumeclaims'), 'default', claim('other', { storageClassName: 'late' }));
    await c.api.create(c.api.resource('pods'), 'default', podWith('stuck', 'other', { nodeSelector: { disk: 'none-such' } }));
    await until(
      c,
      async () => (await c.api.list(c.api.resource('events'), 'default')).items.some((e) => e.involvedObject.name === 'other' && e.reason === 'WaitForPodScheduled' && e.message === 'waiting for pod stuck to be scheduled'),
      'WaitForPodScheduled event',
    );
    await until(c, async () => (await failedScheduling(c, 'stuck')) !== undefined, 'FailedScheduling stuck');
    assert.equal(
      await failedScheduling(c, 'stuck'),
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
    assert.equal((await getClaim(c, 'other')).metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined);
  });
});

test('WaitForFirstConsumer with static volumes: the node whose volume matches is chosen and the scheduler binds it; no volume anywhere: 2 node(s) didn\'t find available persistent volumes to bind', async () => {
  await withCluster(2, async (c) => {
    const scDef = c.api.resource('storageclasses.storage.k8s.io');
    await c.api.create(scDef, undefined, { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await c.api.create(c.api.resource('persistentvolumes'), undefined, volume('local-m02', { storageClassName: 'local', nodeAffinity: onNode('minikube-m02') }));
    await c.api.create(c.api.resource('persistentvolumeclaims'), 'default', claim('a', { storageClassName: 'local' }));
    await c.api.create(c.api.resource('persistentvolumeclaims'), 'default', claim('b', { storageClassName: 'local' }));
    await until(c, async () => (await getClaim(c, 'a')).status?.phase === 'Pending', 'claim Pending');
    // The PV controller leaves WaitForFirstConsumer claims to the scheduler.
    for (let i = 0; i < 20; i++) await tick();
    assert.equal((await getClaim(c, 'a')).spec.volumeName, undefined);

    await c.api.create(c.api.resource('pods'), 'default', podWith('first', 'a'));
    await until(c, async () => !!(await getPod(c, 'first')).spec.nodeName, 'pod bound', 1000);
    assert.equal((await getPod(c, 'first')).spec.nodeName, 'minikube-m02');
    const pv = await c.api.get(c.api.resource('persistentvolumes'), undefined, 'local-m02');
    assert.equal(pv.spec.claimRef.name, 'a');
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal((await getClaim(c, 'a')).spec.volumeName, 'local-m02');

    await c.api.create(c.api.resource('pods'), 'default', podWith('second', 'b'));
    await until(c, async () => (await failedScheduling(c, 'second')) !== undefined, 'FailedScheduling');
    assert.equal(
      await failedScheduling(c, 'second'),
      "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });
});

test('bound volumes: node affinity conflict, zone labels (VolumeZone), ReadWriteOncePod in use (VolumeRestrictions)', async () => {
  await withCluster(2, async (c) => {
    const pvDef = c.api.resource('persistentvolumes');
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pods = c.api.resource('pods');
    // A volume pinned to minikube-m02 through a node label the node lacks: no node fits.
    await c.api.create(pvDef, undefined, volume('pinned', { storageClassName: '', nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } } }));
    await c.api.create(pvcDef, 'default', claim('pinned', { storageClassName: '', volumeName: 'pinned' }));
    await until(c, async () => (await getClaim(c, 'pinned')).status?.phase === 'Bound', 'claim bound');
    await c.api.create(pods, 'default', podWith('p1', 'pinned'));
    await until(c, async () => (await failedScheduling(c, 'p1')) !== undefined, 'FailedScheduling p1');
    assert.equal(await failedScheduling(c, 'p1'), '0/2 nodes are available: 2 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    // The label arrives on minikube-m02: the node update moves the pod back and it lands there.
    const nodes = c.api.resource('nodes');
    await c.api.patch(nodes, undefined, 'minikube-m02', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    await until(c, async () => (await getPod(c, 'p1')).spec.nodeName === 'minikube-m02', 'p1 on minikube-m02', 1000);

    // VolumeZone: nodes in zones a and b, a volume labelled zone b.
    await c.api.patch(nodes, undefined, 'minikube', 'merge', { metadata: { labels: { 'topology.kubernetes.io/zone': 'a' } } });
    await c.api.patch(nodes, undefined, 'minikube-m02', 'merge', { metadata: { labels: { 'topology.kubernetes.io/zone': 'b' } } });
    await c.api.create(pvDef, undefined, volume('zoned', { storageClassName: '' }, { labels: { 'topology.kubernetes.io/zone': 'b' } }));
    await c.api.create(pvcDef, 'default', claim('zoned', { storageClassName: '', volumeName: 'zoned' }));
    await until(c, async () => (await getClaim(c, 'zoned')).status?.phase === 'Bound', 'zoned bound');
    await c.api.create(pods, 'default', podWith('z', 'zoned', { nodeSelector: { 'topology.kubernetes.io/zone': 'a' } }));
    await until(c, async () => (await failedScheduling(c, 'z')) !== undefined, 'FailedScheduling z');
    assert.equal(
      await failedScheduling(c, 'z'),
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had no available volume zone. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );

    // ReadWriteOncePod: a second pod using the claim is Unschedulable on every node.
    await c.api.create(pvDef, undefined, volume('solo', { storageClassName: '', accessModes: ['ReadWriteOncePod'] }));
    await c.api.create(pvcDef, 'default', claim('solo', { storageClassName: '', volumeName: 'solo', accessModes: ['ReadWriteOncePod'] }));
    await until(c, async () => (await getClaim(c, 'solo')).status?.phase === 'Bound', 'solo bound');
    await c.api.create(pods, 'default', podWith('owner', 'solo'));
    await until(c, async () => !!(await getPod(c, 'owner')).spec.nodeName, 'owner bound');
    await c.api.create(pods, 'default', podWith('intruder', 'solo'));
    await until(c, async () => (await failedScheduling(c, 'intruder')) !== undefined, 'FailedScheduling intruder');
    assert.equal(
      await failedScheduling(c, 'intruder'),
      '0/2 nodes are available: 2 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
  });
});
