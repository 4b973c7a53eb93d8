// Where an adopted object's new controller reference goes among the ownerReferences it already has.
// Kubernetes adopts with a strategic merge patch that names only the new reference
// (pkg/controller/controller_ref_manager.go ownerRefControllerPatch; the Deployment controller's
// AdoptReplicaSet uses the same), and the patch's merge of a list keyed by uid puts the patch's
// items that the live list lacks before the live-only ones (apimachinery strategicpatch mergeSlice
// → normalizeElementOrder → mergeSortedSlice: an item not found in the server's order is taken
// from the patch first). So the controller reference comes first, the existing ones after it,
// in their order.

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

async function until<T>(c: Cluster, f: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 60; i++) {
    for (let j = 0; j < 5; j++) await tick();
    const v = await f();
    if (v !== undefined) return v;
    await c.advanceClock(1000);
  }
  assert.fail(`never: ${what}`);
}

const refsOf = (o: Obj) => (o.metadata.ownerReferences ?? []).map((r: Obj) => `${r.kind}/${r.name}${r.controller ? ' (controller)' : ''}`);
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };

/** Two ConfigMaps to own things without controlling them (they stay, so the garbage collector keeps the dependents). */
async function owners(c: Cluster): Promise<Obj[]> {
  const def = c.api.resource('configmaps');
  const out: Obj[] = [];
  for (const name of ['keeper-a', 'keeper-b']) out.push(await c.api.create(def, 'default', { metadata: { name } }));
  return out.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid }));
}

test('a ReplicaSet adopting an orphan pod puts its controller reference before the pod\'s other owners', async () => {
  await withCluster(async (c) => {
    const refs = await owners(c);
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', { metadata: { name: 'orphan', labels: { app: 'web' }, ownerReferences: refs }, spec: template.spec });
    const rs = await c.api.create(c.api.resource('replicasets.apps'), 'default', { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } });
    const pod = await until(c, async () => {
      const p = await c.api.get(pods, 'default', 'orphan');
      return p.metadata.ownerReferences?.length === 3 ? p : undefined;
    }, 'the pod adopted');
    assert.deepEqual(refsOf(pod), ['ReplicaSet/web (controller)', 'ConfigMap/keeper-a', 'ConfigMap/keeper-b']);
    assert.deepEqual(pod.metadata.ownerReferences[0], { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true });
    // The adopted pod counts: no second pod is made.
    const { items } = await c.api.list(pods, 'default', { labelSelector: 'app=web' });
    assert.equal(items.length, 1);
  });
});

test('a Deployment adopting an orphan ReplicaSet puts its controller reference before the other owners', async () => {
  await withCluster(async (c) => {
    const refs = await owners(c);
    const rsDef = c.api.resource('replicasets.apps');
    await c.api.create(rsDef, 'default', { metadata: { name: 'web-old', labels: { app: 'web' }, ownerReferences: refs }, spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template } });
    const d = await c.api.create(c.api.resource('deployments.apps'), 'default', { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } });
    const rs = await until(c, async () => {
      const r = await c.api.get(rsDef, 'default', 'web-old');
      return r.metadata.ownerReferences?.length === 3 ? r : undefined;
    }, 'the ReplicaSet adopted');
    assert.deepEqual(refsOf(rs), ['Deployment/web (controller)', 'ConfigMap/keeper-a', 'ConfigMap/keeper-b']);
    assert.equal(rs.metadata.ownerReferences[0].uid, d.metadata.uid);
  });
});

test('a Job adopting an orphan pod puts its reference first and adds its tracking finalizer', async () => {
  await withCluster(async (c) => {
    const refs = await owners(c);
    const pods = c.api.resource('pods');
    const labels = { app: 'batch' };
    await c.api.create(pods, 'default', {
      metadata: { name: 'orphan', labels, ownerReferences: refs },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
    });
    const job = await c.api.create(c.api.resource('jobs.batch'), 'default', {
      metadata: { name: 'batch' },
      spec: {
        manualSelector: true,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
      },
    });
    const pod = await until(c, async () => {
      const p = await c.api.get(pods, 'default', 'orphan');
      return p.metadata.ownerReferences?.length === 3 ? p : undefined;
    }, 'the pod adopted');
    assert.deepEqual(refsOf(pod), ['Job/batch (controller)', 'ConfigMap/keeper-a', 'ConfigMap/keeper-b']);
    assert.equal(pod.metadata.ownerReferences[0].uid, job.metadata.uid);
    assert.ok(pod.metadata.finalizers.includes('batch.kubernetes.io/job-tracking'), JSON.stringify(pod.metadata.finalizers));
  });
});
