// Pod garbage collection (pkg/controller/podgc/gc_controller.go) in an in-process cluster on a
// manual clock: orphaned pods, terminating pods on out-of-service nodes, unscheduled terminating
// pods and the terminated-pod threshold.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import type { WatchEvent } from '../../../src/emulator/api/apiserver.ts';
import { PodGCController } from '../../../src/emulator/controllers/podgc.ts';

const WORKER = 'kube-emulator-m02';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 2, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

const pod = (name: string, spec: Obj = {}, meta: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...meta },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec },
});

/** The pod's last state before it went (what the collector wrote), from a watch. */
async function watchPods(c: Cluster): Promise<{ events: WatchEvent[]; stop(): void }> {
  const events: WatchEvent[] = [];
  const w = await c.api.watch(c.api.resource('pods'), 'default', {}, (ev) => events.push(ev));
  return { events, stop: () => w.stop() };
}

test('pods of a deleted node are force-deleted after the 40 s quarantine, marked Failed with DeletionByPodGC', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web', { nodeName: WORKER }));
    await c.advanceClock(10_000);
    const w = await watchPods(c);
    await c.deleteNode(WORKER);
    await c.advanceClock(30_000);
    assert.ok(await c.api.tryGet(pods, 'default', 'web'), 'still within the quarantine');
    await c.advanceClock(40_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'web'), undefined);
    w.stop();
    const last = w.events.filter((e) => e.type === 'MODIFIED').at(-1)!.object;
    assert.equal(last.status.phase, 'Failed');
    const cond = last.status.conditions.find((x: Obj) => x.type === 'DisruptionTarget');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    assert.equal(w.events.at(-1)!.type, 'DELETED');
  });
});

test('a Terminating pod on a dead node goes when the node gets the out-of-service taint', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web', { nodeName: WORKER }));
    await c.advanceClock(10_000);
    c.stopNode(WORKER);
    await c.advanceClock(70_000);
    await c.api.delete(pods, 'default', 'web');
    await c.advanceClock(60_000);
    const stuck = await c.api.get(pods, 'default', 'web');
    assert.ok(stuck.metadata.deletionTimestamp);
    assert.equal(stuck.status.phase, 'Running', 'the API still shows what the frozen kubelet last said');
    const node = await c.api.get(c.api.resource('nodes'), undefined, WORKER);
    const taints = [...node.spec.taints, { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoSchedule' }];
    await c.api.patch(c.api.resource('nodes'), undefined, WORKER, 'merge', { spec: { taints } });
    await c.advanceClock(21_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'web'), undefined);
  });
});

test('an unscheduled terminating pod is marked Failed and deleted with grace 0', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    // Never scheduled (no such scheduler); a finalizer keeps it visible after the delete.
    await c.api.create(pods, 'default', pod('held', { schedulerName: 'nobody' }, { finalizers: ['example.com/hold'] }));
    await c.api.delete(pods, 'default', 'held');
    await c.advanceClock(21_000);
    const p = await c.api.get(pods, 'default', 'held');
    assert.equal(p.status.phase, 'Failed');
    assert.equal(p.metadata.deletionGracePeriodSeconds, 0);
  });
});

test('terminated pods above the threshold: the oldest go, evicted ones first', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    const gc = new PodGCController(c.api.as('kube-controller-manager'), c.clock, c.informers, { terminatedPodThreshold: 2 });
    for (const [name, reason] of [['a', ''], ['b', ''], ['c', 'Evicted'], ['d', ''], ['running', '']]) {
      await c.api.create(pods, 'default', pod(name, { schedulerName: 'nobody' }));
      if (name !== 'running') {
        const cur = await c.api.get(pods, 'default', name);
        await c.api.update(pods, 'default', name, { ...cur, status: { ...cur.status, phase: 'Failed', ...(reason ? { reason } : {}) } }, { subresource: 'status' });
      }
      await c.advanceClock(1_000);
    }
    await gc.start();
    try {
      await gc.gc();
      const left = (await c.api.list(pods, 'default')).items.map((p) => p.metadata.name).sort();
      // Four terminated, threshold 2: the evicted one and the oldest other go.
      assert.deepEqual(left, ['b', 'd', 'running']);
    } finally {
      gc.stop();
    }
  });
});
