// The shared controller helpers (pkg/controller/controller_utils.go, controller_ref_manager.go):
// expectations and their TTL, slow-start batches, pod ranking for scale-down, pods from templates,
// and adoption / release through the apiserver.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { EventRecorder } from '../../../src/emulator/client/events.ts';
import { labelSelectorFromObject } from '../../../src/emulator/api/selectors.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import {
  ControllerExpectations,
  UIDTrackingControllerExpectations,
  EXPECTATIONS_TIMEOUT_MS,
  slowStartBatch,
  getPodsToDelete,
  getPodFromTemplate,
  newControllerRef,
  filterActivePods,
  isPodAvailable,
  PodControl,
  PodControllerRefManager,
  recheckDeletionTimestamp,
} from '../../../src/emulator/controllers/controller-utils.ts';

test('expectations: satisfied when none, unmet until observed, and expire after 5 minutes', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const e = new ControllerExpectations(clock);
  assert.equal(e.satisfiedExpectations('ns/a'), true);
  e.expectCreations('ns/a', 2);
  assert.equal(e.satisfiedExpectations('ns/a'), false);
  e.creationObserved('ns/a');
  assert.equal(e.satisfiedExpectations('ns/a'), false);
  e.creationObserved('ns/a');
  assert.equal(e.satisfiedExpectations('ns/a'), true);
  e.expectDeletions('ns/a', 1);
  assert.deepEqual(e.getExpectations('ns/a'), [0, 1]);
  await clock.advance(EXPECTATIONS_TIMEOUT_MS);
  assert.equal(e.satisfiedExpectations('ns/a'), false, 'exactly the TTL is not yet expired');
  await clock.advance(1);
  assert.equal(e.satisfiedExpectations('ns/a'), true);
  e.deleteExpectations('ns/a');
  assert.equal(e.getExpectations('ns/a'), undefined);
});

test('UID-tracking expectations: a deletion observed twice counts once; unknown pods do not count', () => {
  const e = new UIDTrackingControllerExpectations(new EmulatorClock({ mode: 'manual' }));
  e.expectPodDeletions('ns/rs', ['ns/p1', 'ns/p2']);
  e.podDeletionObserved('ns/rs', 'ns/p1');
  e.podDeletionObserved('ns/rs', 'ns/p1');
  e.podDeletionObserved('ns/rs', 'ns/other');
  assert.deepEqual(e.getExpectations('ns/rs'), [0, 1]);
  assert.equal(e.satisfiedExpectations('ns/rs'), false);
  e.podDeletionObserved('ns/rs', 'ns/p2');
  assert.equal(e.satisfiedExpectations('ns/rs'), true);
});

test('slowStartBatch: batches of 1, 2, 4, ... and stops after the first batch with a failure', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let calls = 0;
  const [ok, err] = await slowStartBatch(10, 1, async () => {
    calls++;
    inFlight++;
    await Promise.resolve();
    if (inFlight > 0) batches.push(inFlight);
    inFlight = 0;
  });
  assert.equal(ok, 10);
  assert.equal(err, undefined);
  assert.equal(calls, 10);
  assert.deepEqual(batches, [1, 2, 4, 3]);

  let n = 0;
  const [ok2, err2] = await slowStartBatch(100, 1, async () => {
    n++;
    if (n === 3) throw new Error('quota');
  });
  // Batches 1 (ok) and 2 (one fails): 3 calls, 2 successes, and no third batch.
  assert.equal(n, 3);
  assert.equal(ok2, 2);
  assert.equal((err2 as Error).message, 'quota');
});

const T0 = Date.parse('2026-01-01T00:00:00Z');
function pod(name: string, o: { node?: string; phase?: string; ready?: number; created?: number; cost?: string; restarts?: number; deleting?: boolean } = {}): Obj {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: new Date(o.created ?? T0).toISOString(),
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : undefined,
      deletionTimestamp: o.deleting ? new Date(T0).toISOString() : undefined,
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(o.ready).toISOString() }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

test('getPodsToDelete: unassigned, pending, not ready, cheaper, doubled-up, recently ready, restarting, newer go first', () => {
  const now = T0 + 24 * 3600_000;
  const names = (ps: Obj[]) => ps.map((p) => p.metadata.name);
  const ready = T0 + 3600_000;
  assert.deepEqual(names(getPodsToDelete([pod('assigned', { node: 'n1', phase: 'Pending' }), pod('unassigned', { phase: 'Pending' })], [], 1, now)), ['unassigned']);
  assert.deepEqual(names(getPodsToDelete([pod('running', { node: 'n1', ready }), pod('unknown', { node: 'n1', phase: 'Unknown' }), pod('pending', { node: 'n1', phase: 'Pending' })], [], 2, now)), ['pending', 'unknown']);
  assert.deepEqual(names(getPodsToDelete([pod('ready', { node: 'n1', ready }), pod('notready', { node: 'n1' })], [], 1, now)), ['notready']);
  assert.deepEqual(names(getPodsToDelete([pod('costly', { node: 'n1', ready, cost: '100' }), pod('cheap', { node: 'n1', ready, cost: '-5' })], [], 1, now)), ['cheap']);
  const a = pod('alone', { node: 'n1', ready });
  const d1 = pod('double1', { node: 'n2', ready });
  const d2 = pod('double2', { node: 'n2', ready });
  assert.equal(getPodsToDelete([a, d1, d2], [a, d1, d2], 1, now)[0].metadata.name.startsWith('double'), true);
  // Ready 1 minute vs 10 hours: different log2 buckets.
  assert.deepEqual(names(getPodsToDelete([pod('old', { node: 'n1', ready: now - 10 * 3600_000 }), pod('recent', { node: 'n1', ready: now - 60_000 })], [], 1, now)), ['recent']);
  assert.deepEqual(names(getPodsToDelete([pod('steady', { node: 'n1', ready }), pod('crashy', { node: 'n1', ready, restarts: 4 })], [], 1, now)), ['crashy']);
  assert.deepEqual(names(getPodsToDelete([pod('older', { node: 'n1', created: T0 }), pod('newer', { node: 'n1', created: T0 + 12 * 3600_000 })], [], 1, now)), ['newer']);
  assert.equal(getPodsToDelete([pod('x'), pod('y')], [], 5, now).length, 2);
});

test('active and available pods', () => {
  const now = T0 + 60_000;
  assert.deepEqual(
    filterActivePods([pod('a'), pod('done', { phase: 'Succeeded' }), pod('failed', { phase: 'Failed' }), pod('going', { deleting: true })]).map((p) => p.metadata.name),
    ['a'],
  );
  assert.equal(isPodAvailable(pod('r', { ready: T0 + 50_000 }), 0, now), true);
  assert.equal(isPodAvailable(pod('r', { ready: T0 + 50_000 }), 10, now), false);
  assert.equal(isPodAvailable(pod('r', { ready: T0 + 49_999 }), 10, now), true);
  assert.equal(isPodAvailable(pod('n'), 0, now), false);
});

test('getPodFromTemplate: generateName, template metadata, spec copy and the controller reference', () => {
  const rs = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
  const template = { metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['x/y'] }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const p = getPodFromTemplate(template, rs, newControllerRef(rs, 'apps/v1', 'ReplicaSet'));
  assert.equal(p.metadata.generateName, 'web-');
  assert.deepEqual(p.metadata.labels, { app: 'web' });
  assert.deepEqual(p.metadata.annotations, { a: 'b' });
  assert.deepEqual(p.metadata.finalizers, ['x/y']);
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  assert.notEqual(p.spec.containers, template.spec.containers);
  assert.deepEqual(p.spec, template.spec);
});

test('claimPods: adopts matching orphans, releases owned pods that stopped matching, leaves others alone', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'ns' } });
  const pods = api.resource('pods');
  const rs = await api.create(api.resource('replicasets.apps'), 'ns', {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  const mk = (name: string, labels: Obj, owner?: Obj) =>
    api.create(pods, 'ns', { metadata: { name, labels, ownerReferences: owner ? [owner] : undefined }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const mine = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
  const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'other-uid', controller: true };
  const list = [
    await mk('orphan', { app: 'web' }),
    await mk('stray', { app: 'db' }),
    await mk('owned', { app: 'web' }, mine),
    await mk('moved', { app: 'db' }, mine),
    await mk('theirs', { app: 'web' }, other),
  ];
  const recorder = new EventRecorder(api, clock, { component: 'replicaset-controller' });
  const m = new PodControllerRefManager({
    podControl: new PodControl(api, recorder),
    controller: rs,
    selector: labelSelectorFromObject(rs.spec.selector),
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    canAdopt: recheckDeletionTimestamp(api, 'replicasets.apps', rs, 'ReplicaSet'),
  });
  const claimed = await m.claimPods(list);
  assert.deepEqual(claimed.map((p) => p.metadata.name).sort(), ['orphan', 'owned']);
  const refs = async (name: string) => (await api.get(pods, 'ns', name)).metadata.ownerReferences ?? [];
  assert.deepEqual(await refs('orphan'), [mine]);
  assert.deepEqual(await refs('moved'), []);
  assert.deepEqual(await refs('stray'), []);
  assert.deepEqual(await refs('theirs'), [other]);

  // A controller being deleted adopts nothing (checked on a fresh read).
  const fresh = await api.create(pods, 'ns', { metadata: { name: 'late', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const deleting = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: new Date(clock.now()).toISOString() } };
  const m2 = new PodControllerRefManager({ podControl: new PodControl(api, recorder), controller: deleting, selector: labelSelectorFromObject(rs.spec.selector), apiVersion: 'apps/v1', kind: 'ReplicaSet' });
  assert.deepEqual(await m2.claimPods([fresh]), []);
  assert.deepEqual(await refs('late'), []);
});
