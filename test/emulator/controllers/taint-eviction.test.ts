// The taint eviction controller in an in-process cluster on a manual clock
// (pkg/controller/tainteviction/taint_eviction.go): NoExecute taints evict pods that do not tolerate
// them at once, and pods that tolerate them for tolerationSeconds when that runs out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { matchingTolerations, minTolerationTime } from '../../../src/emulator/controllers/taint-eviction.ts';

const WORKER = 'kube-emulator-m02';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 2, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

const pod = (name: string, spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeName: WORKER, containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec },
});

async function events(c: Cluster, reason: string): Promise<Obj[]> {
  return (await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `reason=${reason}` })).items;
}

async function taint(c: Cluster, taints: Obj[] | null): Promise<void> {
  await c.api.patch(c.api.resource('nodes'), undefined, WORKER, 'merge', { spec: { taints } });
}

test('helpers: GetMatchingTolerations and getMinTolerationTime', () => {
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const t300 = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  assert.deepEqual(matchingTolerations([unreachable], [t300]), [true, [t300]]);
  assert.deepEqual(matchingTolerations([unreachable, { key: 'x', value: 'y', effect: 'NoExecute' }], [t300]), [false, []]);
  assert.equal(minTolerationTime([t300, { operator: 'Exists', tolerationSeconds: 60 }]), 60_000);
  assert.equal(minTolerationTime([{ operator: 'Exists' }]), -1);
  assert.equal(minTolerationTime([{ operator: 'Exists', tolerationSeconds: -5 }]), 0);
  assert.equal(minTolerationTime([]), 0);
});

test('a silent node: its pods are marked for deletion 300 s after the unreachable taint, then stay Terminating', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web'));
    await c.advanceClock(10_000);
    assert.equal((await c.api.get(pods, 'default', 'web')).status.phase, 'Running');
    c.stopNode(WORKER);
    await c.advanceClock(70_000);
    const node = await c.api.get(c.api.resource('nodes'), undefined, WORKER);
    const added = Date.parse(node.spec.taints.find((t: Obj) => t.effect === 'NoExecute').timeAdded);
    // Tolerated for 300 s (DefaultTolerationSeconds): nothing yet.
    await c.advanceClock(added + 290_000 - c.clock.now());
    assert.equal((await c.api.get(pods, 'default', 'web')).metadata.deletionTimestamp, undefined);
    assert.deepEqual(await events(c, 'TaintManagerEviction'), []);
    await c.advanceClock(15_000);
    const p = await c.api.get(pods, 'default', 'web');
    assert.ok(p.metadata.deletionTimestamp, 'marked for deletion');
    assert.equal(p.metadata.deletionGracePeriodSeconds, 30);
    const cond = p.status.conditions.find((x: Obj) => x.type === 'DisruptionTarget');
    assert.deepEqual(
      { status: cond.status, reason: cond.reason, message: cond.message },
      { status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' },
    );
    const [ev] = await events(c, 'TaintManagerEviction');
    assert.equal(ev.message, 'Marking for deletion Pod default/web');
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.source.component, 'taint-eviction-controller');
    assert.deepEqual([ev.involvedObject.kind, ev.involvedObject.name, ev.involvedObject.namespace], ['Pod', 'web', 'default']);
    // The frozen kubelet never confirms the deletion: the pod stays Terminating, deleted once only.
    await c.advanceClock(120_000);
    assert.ok(await c.api.tryGet(pods, 'default', 'web'), 'still Terminating on the dead node');
    assert.equal((await events(c, 'TaintManagerEviction')).length, 1);
    // The node comes back: its kubelet finishes the deletion.
    await c.startNode(WORKER);
    await c.advanceClock(40_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'web'), undefined);
  });
});

test('an untolerated NoExecute taint evicts at once; tolerationSeconds delays; a toleration without seconds keeps the pod', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    const tol = (seconds?: number) => [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute', ...(seconds === undefined ? {} : { tolerationSeconds: seconds }) }];
    await c.api.create(pods, 'default', pod('plain'));
    await c.api.create(pods, 'default', pod('for-60', { tolerations: tol(60) }));
    await c.api.create(pods, 'default', pod('forever', { tolerations: tol() }));
    await c.advanceClock(10_000);
    await taint(c, [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }]);
    await c.advanceClock(1_000);
    // nginx stops at once on SIGTERM: its running kubelet has finished the deletion already.
    assert.equal(await c.api.tryGet(pods, 'default', 'plain'), undefined, 'plain evicted at once');
    assert.equal((await c.api.get(pods, 'default', 'for-60')).metadata.deletionTimestamp, undefined);
    await c.advanceClock(55_000);
    assert.equal((await c.api.get(pods, 'default', 'for-60')).metadata.deletionTimestamp, undefined);
    await c.advanceClock(10_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'for-60'), undefined, 'for-60 evicted after 60 s');
    await c.advanceClock(600_000);
    const forever = await c.api.get(pods, 'default', 'forever');
    assert.equal(forever.metadata.deletionTimestamp, undefined);
    assert.equal(forever.status.phase, 'Running');
    const msgs = (await events(c, 'TaintManagerEviction')).map((e) => e.message).sort();
    assert.deepEqual(msgs, ['Marking for deletion Pod default/for-60', 'Marking for deletion Pod default/plain']);
  });
});

test('removing the taint before tolerationSeconds run out cancels the deletion, with the event', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web', { tolerations: [{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 }] }));
    await c.advanceClock(10_000);
    await taint(c, [{ key: 'maintenance', effect: 'NoExecute' }]);
    await c.advanceClock(30_000);
    await taint(c, null);
    await c.advanceClock(200_000);
    assert.equal((await c.api.get(pods, 'default', 'web')).metadata.deletionTimestamp, undefined);
    const msgs = (await events(c, 'TaintManagerEviction')).map((e) => e.message);
    assert.deepEqual(msgs, ['Cancelling deletion of Pod default/web']);
  });
});

test('a node that comes back within the 300 s keeps its pods', async () => {
  await withCluster(async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web'));
    await c.advanceClock(10_000);
    c.stopNode(WORKER);
    await c.advanceClock(120_000);
    const node = await c.api.get(c.api.resource('nodes'), undefined, WORKER);
    assert.ok((node.spec.taints ?? []).some((t: Obj) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    await c.startNode(WORKER);
    await c.advanceClock(400_000);
    const p = await c.api.get(pods, 'default', 'web');
    assert.equal(p.metadata.deletionTimestamp, undefined);
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual((await events(c, 'TaintManagerEviction')).map((e) => e.message), ['Cancelling deletion of Pod default/web']);
  });
});
