// Which cluster state completes which walkthrough step (walkthrough-steps.ts): the course's samples
// applied in order to an emulated cluster with the real kubectl (test/samples/course.ts), the live
// model (LiveCluster) following it as in the extension, and each step completing after its own
// actions and not before; plus the rules' edges on hand-made states.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterClient } from '../../src/extension/client.ts';
import { LiveCluster, type KubeObject, type LiveChange, type LiveKind } from '../../src/extension/live.ts';
import { MAX_REMEMBERED, WALKTHROUGH_STEPS, WalkthroughTracker, type ClusterView } from '../../src/extension/walkthrough-steps.ts';
import { COURSE, SAMPLES, startCourse, type Course } from '../samples/course.ts';

let k: Course;
let live: LiveCluster;
const tracker = new WalkthroughTracker();
/** Step ids in the order they completed. */
const completed: string[] = [];
let failuresSeen = 0;

before(async () => {
  k = await startCourse();
  const kc = new KubeConfig();
  kc.loadFromString(k.c.kubeconfigYaml());
  live = new LiveCluster(kc, ClusterClient.fromKubeConfig(kc));
  // As walkthrough.ts does, but evaluating at every change (the extension coalesces).
  live.onDidChange((changes) => {
    tracker.record(changes);
    completed.push(...tracker.evaluate(live));
  });
  await live.start();
});
after(async () => {
  await live?.dispose();
  await k?.stop();
});

async function settle(until: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!until() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return until();
}

test('the steps are the course in its order, one sample folder each (but the first), with the files it has', () => {
  assert.deepEqual(WALKTHROUGH_STEPS.map((s) => s.id), COURSE.map((s) => s.id));
  for (const s of WALKTHROUGH_STEPS.slice(1)) {
    const files = readdirSync(join(SAMPLES, s.id)).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual([...s.files].sort(), files, s.id);
  }
  assert.deepEqual(WALKTHROUGH_STEPS[0].files, []);
});

for (const step of COURSE) {
  test(`${step.id}: completes from the cluster once the learner has done it, not before`, async () => {
    await settle(() => false, 200); // let the watches deliver what the previous step left
    assert.ok(!tracker.completed.has(step.id) || step.id === 'start-cluster', `${step.id} completed before its step: ${completed.join(', ')}`);
    await step.run(k);
    // Apply failures reach the tracker as walkthrough.ts reports them.
    tracker.noteApplyFailure(k.failures.slice(failuresSeen));
    failuresSeen = k.failures.length;
    tracker.evaluate(live).forEach((id) => completed.push(id));
    assert.ok(await settle(() => tracker.completed.has(step.id)), `${step.id} not completed; completed: ${completed.join(', ')}`);
    // Only this step (and none of the later ones) completed on the way.
    const later = COURSE.slice(COURSE.indexOf(step) + 1).map((s) => s.id);
    assert.deepEqual(completed.filter((id) => later.includes(id)), []);
  });
}

test('the steps completed in the course order', () => {
  assert.deepEqual(completed, COURSE.map((s) => s.id));
});

// ---- the rules on hand-made states ----

function view(objs: Partial<Record<LiveKind, KubeObject[]>>): ClusterView {
  const all = Object.entries(objs).flatMap(([kind, list]) => list!.map((obj) => ({ kind: kind as LiveKind, obj })));
  return {
    list: (kind, ns) => (objs[kind] ?? []).filter((o) => ns === undefined || o.metadata?.namespace === ns),
    get: (kind, ns, name) => (objs[kind] ?? []).find((o) => o.metadata?.name === name && o.metadata?.namespace === ns),
    ownedBy: (uid) => all.filter(({ obj }) => obj.metadata?.ownerReferences?.some((r) => r.uid === uid)),
  };
}

const pod = (name: string, extra: KubeObject = {}): KubeObject => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra.metadata },
  spec: { nodeName: 'n1', containers: [{ name: 'c' }], ...extra.spec },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0 }], ...extra.status },
});

test('quota: a default injected is not enough; a FailedCreate event with the quota message (a controller\'s pod) completes it as an apply failure does', () => {
  const injected = pod('p', { metadata: { annotations: { 'kubernetes.io/limit-ranger': 'LimitRanger plugin set: cpu request for container c' } } });
  const t = new WalkthroughTracker();
  assert.deepEqual(t.evaluate(view({ pods: [injected] })), []);
  t.noteApplyFailure(['Error from server (Forbidden): error when creating "x.yaml": pods "x" is forbidden: unable to validate against any pod security policy']);
  assert.deepEqual(t.evaluate(view({ pods: [injected] })), []);
  const event: LiveChange = {
    kind: 'events',
    type: 'add',
    obj: { type: 'Warning', reason: 'FailedCreate', message: 'Error creating: pods "big-7d9f-abcde" is forbidden: exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=0, limited: requests.cpu=1' },
  };
  t.record([event]);
  assert.deepEqual(t.evaluate(view({})), []); // and the default injected is still required
  assert.deepEqual(t.evaluate(view({ pods: [injected] })), ['quota']);
  assert.deepEqual(t.evaluate(view({ pods: [injected] })), [], 'reported once');
});

test('auto-healing: a stopped node alone, or pods replaced while every node is Ready, do not complete it', () => {
  const rs = { metadata: { name: 'r', namespace: 'default', uid: 'rs1' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } };
  const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'rs1', controller: true }] };
  const ready = (name: string) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  const unknown = (name: string) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  const evicted = pod('old', { metadata: { ...owned, deletionTimestamp: '2026-03-02T09:06:00Z' }, spec: { nodeName: 'n2' } });
  const replacement = pod('new', { metadata: owned, spec: { nodeName: 'n1' } });
  const t = new WalkthroughTracker();
  assert.deepEqual(t.evaluate(view({ nodes: [ready('n1'), unknown('n2')], pods: [pod('old', { metadata: owned, spec: { nodeName: 'n2' } })], replicasets: [rs] })).includes('auto-healing'), false);
  assert.deepEqual(t.evaluate(view({ nodes: [ready('n1'), ready('n2')], pods: [evicted, replacement], replicasets: [rs] })).includes('auto-healing'), false);
  assert.deepEqual(t.evaluate(view({ nodes: [ready('n1'), unknown('n2')], pods: [evicted], replicasets: [rs] })).includes('auto-healing'), false);
  assert.ok(t.evaluate(view({ nodes: [ready('n1'), unknown('n2')], pods: [evicted, replacement], replicasets: [rs] })).includes('auto-healing'));
});

test('volumes: a restart with the emptyDir, or a claim\'s pod replaced, alone is half the step', () => {
  const scratch = pod('scratch', {
    spec: { volumes: [{ name: 'cache', emptyDir: {} }], containers: [{ name: 'c', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }] },
    status: { containerStatuses: [{ name: 'c', ready: true, restartCount: 1 }] },
  });
  const writer = (uid: string) => pod('w', { metadata: { uid }, spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'notes' } }] } });
  const t = new WalkthroughTracker();
  assert.deepEqual(t.evaluate(view({ pods: [writer('a')] })), []);
  t.record([{ kind: 'pods', type: 'delete', obj: writer('a') }]);
  assert.deepEqual(t.evaluate(view({ pods: [writer('a')] })), [], 'the same pod is no replacement');
  assert.deepEqual(t.evaluate(view({ pods: [writer('b')] })), [], 'the claim half only');
  // The halves may be seen at different times.
  assert.deepEqual(t.evaluate(view({ pods: [scratch] })), ['volumes']);
  assert.deepEqual(new WalkthroughTracker().evaluate(view({ pods: [scratch, writer('b')] })), [], 'no pod of the claim was ever deleted');
});

// ---- the partial progress kept across a window reload (serialize → JSON → restore) ----

/** `t`'s progress as walkthrough.ts keeps it (globalState holds JSON), restored into a new tracker. */
function reloaded(t: WalkthroughTracker): WalkthroughTracker {
  const next = new WalkthroughTracker();
  assert.equal(next.restore(JSON.parse(JSON.stringify(t.serialize()))), true);
  return next;
}

test('progress kept: the volumes step\'s emptyDir half and a deleted claim pod survive a reload and complete it there', () => {
  const scratch = pod('scratch', {
    spec: { volumes: [{ name: 'cache', emptyDir: {} }], containers: [{ name: 'c', volumeMounts: [{ name: 'cache', mountPath: '/cache' }] }] },
    status: { containerStatuses: [{ name: 'c', ready: true, restartCount: 1 }] },
  });
  const writer = (uid: string) => pod('w', { metadata: { uid }, spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'notes' } }] } });
  const before = new WalkthroughTracker();
  assert.deepEqual(before.evaluate(view({ pods: [scratch, writer('a')] })), [], 'the emptyDir half only');
  before.record([{ kind: 'pods', type: 'delete', obj: writer('a') }]);
  assert.deepEqual(before.serialize(), {
    v: 1,
    emptyDirKept: true,
    claimKept: false,
    quotaRejected: false,
    claimPodsGone: { 'default/notes': ['a'] },
    controllersLostPod: [],
  });
  // After the reload the emptyDir pod is gone (not needed again) and the claim's new pod runs.
  const after = reloaded(before);
  assert.deepEqual(after.evaluate(view({ pods: [writer('b')] })), ['volumes']);
  // Without the kept progress, the same state is half the step.
  assert.deepEqual(new WalkthroughTracker().evaluate(view({ pods: [writer('b')] })), []);
});

test('progress kept: the ReplicaSet\'s lost pod survives a reload; scaling after it completes the step', () => {
  const rs = (generation: number) => ({
    metadata: { name: 'hello-rs', namespace: 'default', uid: 'rs1', generation },
    spec: { replicas: generation === 1 ? 3 : 5 },
    status: { observedGeneration: generation, readyReplicas: generation === 1 ? 3 : 5 },
  });
  const owned = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'hello-rs', uid: 'rs1', controller: true }] };
  const before = new WalkthroughTracker();
  before.record([{ kind: 'pods', type: 'delete', obj: pod('hello-rs-x', { metadata: owned }) }]);
  assert.deepEqual(before.evaluate(view({ replicasets: [rs(1)] })), [], 'self-healing seen, not yet scaled');
  assert.deepEqual(before.serialize().controllersLostPod, ['rs1']);
  assert.deepEqual(reloaded(before).evaluate(view({ replicasets: [rs(2)] })), ['replicaset']);
  assert.deepEqual(new WalkthroughTracker().evaluate(view({ replicasets: [rs(2)] })), [], 'scaled without a pod lost first');
});

test('progress kept: a quota rejection survives a reload; the default injected after it completes the step', () => {
  const before = new WalkthroughTracker();
  before.noteApplyFailure(['Error from server (Forbidden): error when creating "04-pod-too-big.yaml": pods "too-big" is forbidden: exceeded quota: compute-quota, requested: limits.cpu=2, used: limits.cpu=500m, limited: limits.cpu=2']);
  assert.equal(before.serialize().quotaRejected, true);
  const injected = pod('p', { metadata: { annotations: { 'kubernetes.io/limit-ranger': 'LimitRanger plugin set: cpu request for container c' } } });
  assert.deepEqual(reloaded(before).evaluate(view({ pods: [injected] })), ['quota']);
});

test('progress kept: what restore is given that is not a saved progress is left out, never thrown', () => {
  for (const bad of [undefined, null, 'x', 42, [], {}, { v: 2, quotaRejected: true }]) {
    const t = new WalkthroughTracker();
    assert.equal(t.restore(bad), false, JSON.stringify(bad));
    assert.deepEqual(t.serialize(), new WalkthroughTracker().serialize(), JSON.stringify(bad));
  }
  // Fields of the wrong type are skipped; the rest is taken.
  const t = new WalkthroughTracker();
  assert.equal(t.restore({ v: 1, emptyDirKept: 'yes', claimKept: true, claimPodsGone: { 'default/a': [1, 2], 'default/b': ['u'] }, controllersLostPod: 'rs1' }), true);
  assert.deepEqual(t.serialize(), { v: 1, emptyDirKept: false, claimKept: true, quotaRejected: false, claimPodsGone: { 'default/b': ['u'] }, controllersLostPod: [] });
  const arr = new WalkthroughTracker();
  assert.equal(arr.restore({ v: 1, claimPodsGone: [['default/a', ['u']]] }), true);
  assert.deepEqual(arr.serialize().claimPodsGone, {}, 'an array is no claim map');
});

test('progress kept: bounded, the newest remembered; nothing more recorded for a step once it is done', () => {
  const t = new WalkthroughTracker();
  const owned = (i: number) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `r${i}`, uid: `rs${i}`, controller: true }] });
  const claim = (i: number, uid: string) => pod(`w${i}`, { metadata: { uid }, spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: `c${i}` } }] } });
  for (let i = 0; i < MAX_REMEMBERED + 50; i++) {
    t.record([
      { kind: 'pods', type: 'delete', obj: pod(`p${i}`, { metadata: owned(i) }) },
      { kind: 'pods', type: 'delete', obj: claim(i, `u${i}`) },
      { kind: 'pods', type: 'delete', obj: claim(0, `v${i}`) },
    ]);
  }
  const s = t.serialize();
  assert.equal(s.controllersLostPod.length, MAX_REMEMBERED);
  assert.equal(s.controllersLostPod.at(-1), `rs${MAX_REMEMBERED + 49}`);
  assert.ok(!s.controllersLostPod.includes('rs0'), 'the oldest forgotten');
  assert.equal(Object.keys(s.claimPodsGone).length, MAX_REMEMBERED);
  // c0 was seen last (each round ends with it): kept, with its newest uids.
  assert.equal(s.claimPodsGone['default/c0'].length, MAX_REMEMBERED);
  assert.equal(s.claimPodsGone['default/c0'].at(-1), `v${MAX_REMEMBERED + 49}`);
  assert.ok(!('default/c1' in s.claimPodsGone));
  // The ReplicaSet step done: later losses are not remembered for it.
  const rs = { metadata: { name: 'r', namespace: 'default', uid: 'rsX', generation: 2 }, spec: { replicas: 1 }, status: { observedGeneration: 2, readyReplicas: 1 } };
  const done = new WalkthroughTracker();
  done.record([{ kind: 'pods', type: 'delete', obj: pod('x', { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'rsX', controller: true }] } }) }]);
  assert.deepEqual(done.evaluate(view({ replicasets: [rs] })), ['replicaset']);
  done.record([{ kind: 'pods', type: 'delete', obj: pod('y', { metadata: owned(7) }) }]);
  assert.deepEqual(done.serialize().controllersLostPod, ['rsX']);
});
