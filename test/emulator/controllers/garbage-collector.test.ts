// The garbage collector with an in-process cluster: background, foreground and orphan propagation
// (pkg/controller/garbagecollector), on objects with no other controller (ConfigMaps, Secrets).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

/** Until `check` holds, letting watches and the collector run (real time, bounded). */
async function until(c: Cluster, check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await c.garbageCollector.idle();
    await tick();
  }
  assert.fail(`never: ${what}`);
}

const ownerRef = (o: Obj, extra: Obj = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid, ...extra });

test('background: dependents of a deleted owner are deleted; one with another live owner only loses the reference', async () => {
  await withCluster(async (c) => {
    const cm = c.api.resource('configmaps');
    const owner = await c.api.create(cm, 'default', { metadata: { name: 'owner' } });
    const other = await c.api.create(cm, 'default', { metadata: { name: 'other' } });
    await c.api.create(cm, 'default', { metadata: { name: 'dep', ownerReferences: [ownerRef(owner)] } });
    await c.api.create(cm, 'default', { metadata: { name: 'shared', ownerReferences: [ownerRef(owner), ownerRef(other)] } });
    await c.api.delete(cm, 'default', 'owner');
    await until(c, async () => !(await c.api.tryGet(cm, 'default', 'dep')), 'dep deleted');
    await until(c, async () => (await c.api.get(cm, 'default', 'shared')).metadata.ownerReferences.length === 1, 'shared keeps its live owner');
    assert.equal((await c.api.get(cm, 'default', 'shared')).metadata.ownerReferences[0].name, 'other');
  });
});

test('foreground: the owner waits with foregroundDeletion until its blocking dependents are gone', async () => {
  await withCluster(async (c) => {
    const cm = c.api.resource('configmaps');
    const owner = await c.api.create(cm, 'default', { metadata: { name: 'owner' } });
    // A dependent with a finalizer of its own holds the owner up until that finalizer goes.
    await c.api.create(cm, 'default', { metadata: { name: 'dep', finalizers: ['example.com/hold'], ownerReferences: [ownerRef(owner, { blockOwnerDeletion: true })] } });
    const r = await c.api.delete(cm, 'default', 'owner', { propagationPolicy: 'Foreground' });
    assert.ok(r.object.metadata.deletionTimestamp);
    assert.deepEqual(r.object.metadata.finalizers, ['foregroundDeletion']);
    await until(c, async () => !!(await c.api.get(cm, 'default', 'dep')).metadata.deletionTimestamp, 'dep being deleted');
    await c.garbageCollector.idle();
    assert.ok(await c.api.tryGet(cm, 'default', 'owner'), 'the owner waits for its blocking dependent');
    const dep = await c.api.get(cm, 'default', 'dep');
    await c.api.update(cm, 'default', 'dep', { ...dep, metadata: { ...dep.metadata, finalizers: [] } });
    await until(c, async () => !(await c.api.tryGet(cm, 'default', 'owner')), 'owner deleted last');
  });
});

test('orphan: dependents stay, without the reference; the owner goes', async () => {
  await withCluster(async (c) => {
    const cm = c.api.resource('configmaps');
    const owner = await c.api.create(cm, 'default', { metadata: { name: 'owner' } });
    await c.api.create(cm, 'default', { metadata: { name: 'dep', ownerReferences: [ownerRef(owner)] } });
    const r = await c.api.delete(cm, 'default', 'owner', { propagationPolicy: 'Orphan' });
    assert.deepEqual(r.object.metadata.finalizers, ['orphan']);
    await until(c, async () => !(await c.api.tryGet(cm, 'default', 'owner')), 'owner deleted');
    const dep = await c.api.get(cm, 'default', 'dep');
    assert.equal(dep.metadata.ownerReferences, undefined);
    assert.equal(dep.metadata.deletionTimestamp, undefined);
  });
});

test('an object whose only owner never existed (wrong uid) is collected; an owner of an unserved kind is left alone', async () => {
  await withCluster(async (c) => {
    const cm = c.api.resource('configmaps');
    await c.api.create(cm, 'default', { metadata: { name: 'real' } });
    await c.api.create(cm, 'default', { metadata: { name: 'stray', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'real', uid: '00000000-0000-0000-0000-000000000000' }] } });
    await c.api.create(cm, 'default', { metadata: { name: 'foreign', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '11111111-1111-1111-1111-111111111111' }] } });
    await until(c, async () => !(await c.api.tryGet(cm, 'default', 'stray')), 'stray deleted');
    await c.garbageCollector.idle();
    assert.ok(await c.api.tryGet(cm, 'default', 'foreign'));
    assert.ok(await c.api.tryGet(cm, 'default', 'real'));
  });
});

test('custom resources defined after start join the graph', async () => {
  await withCluster(async (c) => {
    const crd = c.api.resource('customresourcedefinitions.apiextensions.k8s.io');
    await c.api.create(crd, undefined, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    await until(c, async () => !!c.api.registry.lookup('example.com', 'v1', 'widgets'), 'widgets served');
    const widgets = c.api.registry.lookup('example.com', 'v1', 'widgets')!;
    const cm = c.api.resource('configmaps');
    const owner = await c.api.create(cm, 'default', { metadata: { name: 'owner' } });
    await c.api.create(widgets, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', ownerReferences: [ownerRef(owner)] } });
    const w = await c.api.create(widgets, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' } });
    await c.api.create(cm, 'default', { metadata: { name: 'owned-by-widget', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w2', uid: w.metadata.uid }] } });
    await c.api.delete(cm, 'default', 'owner');
    await until(c, async () => !(await c.api.tryGet(widgets, 'default', 'w')), 'the owned widget deleted');
    await c.api.delete(widgets, 'default', 'w2');
    await until(c, async () => !(await c.api.tryGet(cm, 'default', 'owned-by-widget')), 'the widget-owned configmap deleted');
  });
});
