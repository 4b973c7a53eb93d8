// The StorageObjectInUseProtection admission plug-in and the pvc-protection / pv-protection
// controllers, in an in-process cluster on a manual clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true, name: 'minikube' });
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

const claim = (name: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });

test('claims and volumes are created with the protection finalizers (StorageObjectInUseProtection); the controllers put back a removed one', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    const pvc = await c.api.create(pvcDef, 'default', claim('data'));
    assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const pv = await c.api.create(pvDef, undefined, { metadata: { name: 'manual', finalizers: ['example.com/keep'] }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/x' } } });
    assert.deepEqual(pv.metadata.finalizers, ['example.com/keep', 'kubernetes.io/pv-protection']);

    await c.api.patch(pvcDef, 'default', 'data', 'merge', { metadata: { finalizers: null } });
    await until(c, async () => ((await c.api.get(pvcDef, 'default', 'data')).metadata.finalizers ?? []).includes('kubernetes.io/pvc-protection'), 'pvc finalizer back');
    await c.api.patch(pvDef, undefined, 'manual', 'merge', { metadata: { finalizers: ['example.com/keep'] } });
    await until(c, async () => ((await c.api.get(pvDef, undefined, 'manual')).metadata.finalizers ?? []).includes('kubernetes.io/pv-protection'), 'pv finalizer back');
  });
});

test('a claim in use stays Terminating until its pod is gone; then the claim, and its provisioned volume, go', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    const pods = c.api.resource('pods');
    await c.api.create(pvcDef, 'default', claim('data'));
    await until(c, async () => (await c.api.get(pvcDef, 'default', 'data')).status?.phase === 'Bound', 'claim bound');
    const pvName = (await c.api.get(pvcDef, 'default', 'data')).spec.volumeName;
    await c.api.create(pods, 'default', {
      metadata: { name: 'db' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27', volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    await until(c, async () => (await c.api.get(pods, 'default', 'db')).status?.phase === 'Running', 'pod running', 1000);

    await c.api.delete(pvcDef, 'default', 'data');
    for (let i = 0; i < 50; i++) await tick();
    await c.advanceClock(60_000);
    for (let i = 0; i < 50; i++) await tick();
    const terminating = await c.api.get(pvcDef, 'default', 'data');
    assert.ok(terminating.metadata.deletionTimestamp, 'the claim is being deleted');
    assert.deepEqual(terminating.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    assert.equal(terminating.status.phase, 'Bound');
    const vol = await c.api.get(pvDef, undefined, pvName);
    assert.equal(vol.status.phase, 'Bound');
    assert.equal(vol.metadata.deletionTimestamp, undefined);

    // A new pod using the Terminating claim is not scheduled (VolumeBinding).
    await c.api.create(pods, 'default', {
      metadata: { name: 'late' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    });
    await until(
      c,
      async () => (await c.api.list(c.api.resource('events'), 'default')).items.some((e: Obj) => e.involvedObject.name === 'late' && e.reason === 'FailedScheduling'),
      'FailedScheduling for late',
    );
    const ev = (await c.api.list(c.api.resource('events'), 'default')).items.find((e: Obj) => e.involvedObject.name === 'late' && e.reason === 'FailedScheduling');
    assert.equal(ev?.message, '0/1 nodes are available: persistentvolumeclaim "data" is being deleted. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    await c.api.delete(pods, 'default', 'late');

    await c.api.delete(pods, 'default', 'db');
    await until(c, async () => !(await c.api.tryGet(pods, 'default', 'db')), 'pod gone', 5_000);
    await until(c, async () => !(await c.api.tryGet(pvcDef, 'default', 'data')), 'claim gone');
    await until(c, async () => !(await c.api.tryGet(pvDef, undefined, pvName)), 'volume gone (Released, reclaimed, unprotected)');
  });
});

test('an unused claim is deleted at once; a Bound volume deleted by hand waits for its claim', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    await c.api.create(pvDef, undefined, { metadata: { name: 'keep' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/keep' }, storageClassName: '', persistentVolumeReclaimPolicy: 'Retain' } });
    await c.api.create(pvcDef, 'default', { ...claim('c1'), spec: { ...claim('c1').spec, storageClassName: '' } });
    await until(c, async () => (await c.api.get(pvcDef, 'default', 'c1')).status?.phase === 'Bound', 'claim bound');
    await c.api.delete(pvDef, undefined, 'keep');
    for (let i = 0; i < 50; i++) await tick();
    const pv = await c.api.get(pvDef, undefined, 'keep');
    assert.ok(pv.metadata.deletionTimestamp);
    assert.equal(pv.status.phase, 'Bound');
    await c.api.delete(pvcDef, 'default', 'c1');
    await until(c, async () => !(await c.api.tryGet(pvcDef, 'default', 'c1')), 'unused claim gone');
    await until(c, async () => !(await c.api.tryGet(pvDef, undefined, 'keep')), 'released volume gone');
  });
});
