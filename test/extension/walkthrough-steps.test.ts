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
import { WALKTHROUGH_STEPS, WalkthroughTracker, type ClusterView } from '../../src/extension/walkthrough-steps.ts';
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
