// The PV controller (pkg/controller/volume/persistentvolume), minikube's hostpath provisioner and
// the DefaultStorageClass admission plug-in, in an in-process cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { findMatchingVolume } from '../../../src/emulator/controllers/persistentvolume.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true, name: 'minikube' });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
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

async function eventsFor(c: Cluster, name: string): Promise<string[]> {
  const { items } = await c.api.list(c.api.resource('events'), 'default');
  return items.filter((e) => e.involvedObject.name === name).map((e) => `${e.type} ${e.reason} ${e.source.component.replace(/_[0-9a-f-]{36}$/, '_<id>')}: ${e.message}`);
}

test('the default StorageClass `standard` exists from the start, as minikube has it', async () => {
  await withCluster(async (c) => {
    const sc = await c.api.get(c.api.resource('storageclasses.storage.k8s.io'), undefined, 'standard');
    assert.equal(sc.provisioner, 'k8s.io/minikube-hostpath');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.equal(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
  });
});

test('a claim without a class gets `standard`, is provisioned as pvc-<uid> on hostPath and bound both ways', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    const created = await c.api.create(pvcDef, 'default', claim('data'));
    assert.equal(created.spec.storageClassName, 'standard');
    const pvName = `pvc-${created.metadata.uid}`;
    await until(async () => (await c.api.get(pvcDef, 'default', 'data')).status?.phase === 'Bound', 'claim bound');
    const pvc = await c.api.get(pvcDef, 'default', 'data');
    assert.equal(pvc.spec.volumeName, pvName);
    assert.deepEqual(pvc.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pvc.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'k8s.io/minikube-hostpath');
    assert.equal(pvc.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], 'k8s.io/minikube-hostpath');
    await until(async () => (await c.api.get(pvDef, undefined, pvName)).status?.phase === 'Bound', 'volume bound');
    const pv = await c.api.get(pvDef, undefined, pvName);
    assert.equal(pv.spec.hostPath.path, '/tmp/hostpath-provisioner/default/data');
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'standard');
    assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
    assert.equal(pv.spec.claimRef.uid, created.metadata.uid);
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'k8s.io/minikube-hostpath');
    assert.match(pv.metadata.annotations.hostPathProvisionerIdentity, /^[0-9a-f-]{36}$/);
    // Pre-bound by the provisioner, so the controller did not set bound-by-controller on the PV.
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], undefined);
    await until(async () => (await eventsFor(c, 'data')).length >= 3, 'events');
    assert.deepEqual((await eventsFor(c, 'data')).sort(), [
      `Normal ExternalProvisioning persistentvolume-controller: Waiting for a volume to be created either by the external provisioner 'k8s.io/minikube-hostpath' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`,
      'Normal Provisioning k8s.io/minikube-hostpath_minikube_<id>: External provisioner is provisioning volume for claim "default/data"',
      `Normal ProvisioningSucceeded k8s.io/minikube-hostpath_minikube_<id>: Successfully provisioned volume ${pvName}`,
    ]);
    // The data follows the claim; deleting the claim deletes the volume and its data (reclaimPolicy Delete).
    c.volumes.pvFs(pvName).write('/keep', 'x');
    await c.api.delete(pvcDef, 'default', 'data');
    await until(async () => !(await c.api.tryGet(pvDef, undefined, pvName)), 'provisioned volume deleted');
    assert.equal(c.volumes.hasPVData(pvName), false);
  });
});

test('static volumes: the smallest matching Available one binds; class, access modes, size and selector must match', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    await c.api.create(pvDef, undefined, volume('big', { capacity: { storage: '10Gi' }, storageClassName: 'manual' }));
    await c.api.create(pvDef, undefined, volume('small', { capacity: { storage: '2Gi' }, storageClassName: 'manual' }));
    await c.api.create(pvDef, undefined, volume('tiny', { capacity: { storage: '500Mi' }, storageClassName: 'manual' }));
    await c.api.create(pvDef, undefined, volume('rox', { capacity: { storage: '1Gi' }, storageClassName: 'manual', accessModes: ['ReadOnlyMany'] }));
    await c.api.create(pvDef, undefined, volume('fast', { storageClassName: 'manual' }, { labels: { tier: 'fast' } }));
    await until(async () => (await c.api.list(pvDef, undefined)).items.every((v) => v.status?.phase === 'Available'), 'volumes Available');
    const pv0 = await c.api.get(pvDef, undefined, 'small');
    assert.equal(pv0.spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.ok(pv0.status.lastPhaseTransitionTime);
    await c.api.create(pvcDef, 'default', claim('a', { storageClassName: 'manual' }));
    await until(async () => (await c.api.get(pvcDef, 'default', 'a')).status?.phase === 'Bound', 'a bound');
    assert.equal((await c.api.get(pvcDef, 'default', 'a')).spec.volumeName, 'small');
    assert.deepEqual((await c.api.get(pvcDef, 'default', 'a')).status.capacity, { storage: '2Gi' });
    const small = await c.api.get(pvDef, undefined, 'small');
    assert.equal(small.status.phase, 'Bound');
    assert.equal(small.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual({ ...small.spec.claimRef, resourceVersion: undefined, uid: undefined }, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'a', apiVersion: 'v1', resourceVersion: undefined, uid: undefined });
    await c.api.create(pvcDef, 'default', claim('sel', { storageClassName: 'manual', selector: { matchLabels: { tier: 'fast' } } }));
    await until(async () => (await c.api.get(pvcDef, 'default', 'sel')).status?.phase === 'Bound', 'sel bound');
    assert.equal((await c.api.get(pvcDef, 'default', 'sel')).spec.volumeName, 'fast');
    // Nothing has ReadWriteMany: Pending, and no class means no provisioning.
    await c.api.create(pvcDef, 'default', claim('rwx', { storageClassName: '', accessModes: ['ReadWriteMany'] }));
    await until(async () => (await eventsFor(c, 'rwx')).length > 0, 'rwx event');
    assert.equal((await c.api.get(pvcDef, 'default', 'rwx')).status.phase, 'Pending');
    assert.deepEqual(await eventsFor(c, 'rwx'), ['Normal FailedBinding persistentvolume-controller: no persistent volumes available for this claim and no storage class is set']);
    assert.equal(findMatchingVolume({ metadata: { name: 'x', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'manual' } }, (await c.api.list(pvDef, undefined)).items), undefined);
  });
});

test('Retain: a released volume keeps its data and claimRef; volumeName pre-binding; another claim cannot take it', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    await c.api.create(pvDef, undefined, volume('task-pv-volume', { storageClassName: 'manual' }));
    await c.api.create(pvDef, undefined, volume('other', { storageClassName: 'manual' }));
    await c.api.create(pvcDef, 'default', claim('mine', { storageClassName: 'manual', volumeName: 'task-pv-volume' }));
    await until(async () => (await c.api.get(pvcDef, 'default', 'mine')).status?.phase === 'Bound', 'pre-bound claim bound');
    const mine = await c.api.get(pvcDef, 'default', 'mine');
    assert.equal(mine.spec.volumeName, 'task-pv-volume');
    assert.equal(mine.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    // The user named the volume: the claim is not marked bound-by-controller.
    assert.equal(mine.metadata.annotations['pv.kubernetes.io/bound-by-controller'], undefined);
    await c.api.create(pvcDef, 'default', claim('thief', { storageClassName: 'manual', volumeName: 'task-pv-volume' }));
    await until(async () => (await eventsFor(c, 'thief')).length > 0, 'thief event');
    assert.deepEqual(await eventsFor(c, 'thief'), ['Warning FailedBinding persistentvolume-controller: volume "task-pv-volume" already bound to a different claim.']);
    assert.equal((await c.api.get(pvcDef, 'default', 'thief')).status.phase, 'Pending');
    c.volumes.nodeFs('minikube').mkdir('/mnt/task-pv-volume', { recursive: true });
    c.volumes.nodeFs('minikube').write('/mnt/task-pv-volume/data', 'kept');
    await c.api.delete(pvcDef, 'default', 'mine');
    await until(async () => (await c.api.get(pvDef, undefined, 'task-pv-volume')).status.phase === 'Released', 'Released');
    const released = await c.api.get(pvDef, undefined, 'task-pv-volume');
    assert.equal(released.spec.claimRef.name, 'mine');
    assert.equal(c.volumes.nodeFs('minikube').read('/mnt/task-pv-volume/data').toString(), 'kept');
    // A released volume is not bound again to a new claim.
    await c.api.create(pvcDef, 'default', claim('later', { storageClassName: 'manual' }));
    await until(async () => (await c.api.get(pvcDef, 'default', 'later')).status?.phase === 'Bound', 'later bound');
    assert.equal((await c.api.get(pvcDef, 'default', 'later')).spec.volumeName, 'other');
  });
});

test('Delete on a hand-made volume no plug-in can delete: Failed with VolumeFailedDelete; a bound claim whose volume goes is Lost', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    const pvDef = c.api.resource('persistentvolumes');
    await c.api.create(pvDef, undefined, volume('scratch', { storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Delete' }));
    await c.api.create(pvcDef, 'default', claim('s', { storageClassName: 'manual' }));
    await until(async () => (await c.api.get(pvcDef, 'default', 's')).status?.phase === 'Bound', 'bound');
    await c.api.delete(pvcDef, 'default', 's');
    await until(async () => (await c.api.get(pvDef, undefined, 'scratch')).status.phase === 'Failed', 'Failed');
    assert.equal((await c.api.get(pvDef, undefined, 'scratch')).status.message, 'error getting deleter volume plugin for volume "scratch": no deletable volume plugin matched');
    await c.api.create(pvDef, undefined, volume('gone', { storageClassName: 'manual' }));
    await c.api.create(pvcDef, 'default', claim('g', { storageClassName: 'manual' }));
    await until(async () => (await c.api.get(pvcDef, 'default', 'g')).status?.phase === 'Bound', 'g bound');
    // pv-protection keeps a Bound volume Terminating; only a forced removal of the finalizer makes it go.
    await c.api.delete(pvDef, undefined, 'gone');
    for (let i = 0; i < 30; i++) await tick();
    const terminating = await c.api.get(pvDef, undefined, 'gone');
    assert.ok(terminating.metadata.deletionTimestamp);
    assert.deepEqual(terminating.metadata.finalizers, ['kubernetes.io/pv-protection']);
    assert.equal((await c.api.get(pvcDef, 'default', 'g')).status.phase, 'Bound');
    await c.api.patch(pvDef, undefined, 'gone', 'merge', { metadata: { finalizers: null } });
    await until(async () => (await c.api.get(pvcDef, 'default', 'g')).status.phase === 'Lost', 'Lost');
    assert.ok((await eventsFor(c, 'g')).includes('Warning ClaimLost persistentvolume-controller: Bound claim has lost its PersistentVolume. Data on the volume is lost!'));
  });
});

test('DefaultStorageClass admission: an explicit class, even "", is kept; no default class, no change', async () => {
  await withCluster(async (c) => {
    const pvcDef = c.api.resource('persistentvolumeclaims');
    assert.equal((await c.api.create(pvcDef, 'default', claim('empty', { storageClassName: '' }))).spec.storageClassName, '');
    assert.equal((await c.api.create(pvcDef, 'default', claim('other', { storageClassName: 'fast' }))).spec.storageClassName, 'fast');
    await c.api.patch(c.api.resource('storageclasses.storage.k8s.io'), undefined, 'standard', 'merge', { metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } } });
    assert.equal((await c.api.create(pvcDef, 'default', claim('none'))).spec.storageClassName, undefined);
    // An unknown class: the controller says so.
    await until(async () => (await eventsFor(c, 'other')).length > 0, 'other event');
    assert.deepEqual(await eventsFor(c, 'other'), ['Warning ProvisioningFailed persistentvolume-controller: storageclass.storage.k8s.io "fast" not found']);
  });
});
