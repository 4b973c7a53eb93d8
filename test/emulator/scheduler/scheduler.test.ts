// kube-scheduler on a manual clock: each filter and score of the 1.32 default profile, the exact
// FailedScheduling messages (framework/types.go FitError.Error), preemption, schedulerName, and
// the retry of unschedulable pods when the cluster changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { PodInfo } from '../../../src/emulator/scheduler/cache.ts';
import { cpu, harness, type Harness } from './harness.ts';

async function run(fn: (h: Harness) => Promise<void>, opts: { random?: () => number } = {}): Promise<void> {
  const h = await harness(opts);
  try {
    await fn(h);
  } finally {
    h.stop();
  }
}

const cond = (p: Obj) => (p.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');

async function failedMessage(h: Harness, name: string): Promise<string> {
  const p = await h.get(name);
  assert.equal(p.spec.nodeName, undefined, `${name} should not be bound`);
  const c = cond(p);
  assert.equal(c?.reason, 'Unschedulable');
  const ev = await h.events(name, 'FailedScheduling');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].type, 'Warning');
  assert.equal(ev[0].message, c.message);
  return c.message;
}

test('the example message: an untolerated control-plane taint and too little cpu, with preemption not helping', async () => {
  await run(async (h) => {
    await h.node('cp', { cpu: '2', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
    await h.node('w1', { cpu: '1' });
    await h.node('w2', { cpu: '1' });
    await h.pod('big', cpu('2'));
    await h.settle();
    assert.equal(
      await failedMessage(h, 'big'),
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });
});

test('a scheduled pod is bound through pods/binding with the Scheduled event and PodScheduled=True', async () => {
  await run(async (h) => {
    await h.node('n1');
    await h.pod('web');
    await h.settle();
    const p = await h.get('web');
    assert.equal(p.spec.nodeName, 'n1');
    assert.equal(cond(p).status, 'True');
    const ev = await h.events('web', 'Scheduled');
    assert.equal(ev[0].message, 'Successfully assigned default/web to n1');
    assert.equal(ev[0].source.component, 'default-scheduler');
  });
});

test('NodeResourcesFit: init containers take the max, overhead and sidecars add; ephemeral-storage, extended resources and the pod count', async () => {
  const pi = new PodInfo({
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { name: 'b', resources: { requests: { cpu: '250m' } } },
      ],
      initContainers: [
        { name: 'i1', resources: { requests: { cpu: '2', memory: '512Mi' } } },
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
        { name: 'i2', resources: { requests: { cpu: '1', memory: '2Gi' } } },
      ],
      overhead: { cpu: '10m', memory: '1Mi' },
    },
  });
  // containers 750m + sidecar 100m = 850m; init max(2000, 100, 1000+100) = 2000 → 2000 + 10 overhead.
  assert.equal(pi.req.cpu, 2010);
  // memory: containers 1Gi + sidecar 64Mi; init max(512Mi, 64Mi, 2Gi+64Mi) → 2Gi+64Mi, + 1Mi.
  assert.equal(pi.req.memory, 2 * 2 ** 30 + 65 * 2 ** 20);
  // Non-zero requests (scoring): container b has no memory → 200Mi.
  assert.equal(pi.nonZeroMemory, 2 * 2 ** 30 + 65 * 2 ** 20);

  await run(async (h) => {
    await h.node('n1', { cpu: '4', pods: '1', extra: { 'example.com/gpu': '1' } });
    await h.pod('first', cpu('100m'));
    await h.settle();
    assert.equal((await h.get('first')).spec.nodeName, 'n1');
    await h.pod('second', {
      containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', 'ephemeral-storage': '200Gi', 'example.com/gpu': '2' } } }],
    });
    await h.settle();
    assert.equal(
      await failedMessage(h, 'second'),
      '0/1 nodes are available: 1 Insufficient ephemeral-storage, 1 Insufficient example.com/gpu, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });
});

test('NodeUnschedulable: a cordoned node is skipped unless the pod tolerates node.kubernetes.io/unschedulable', async () => {
  await run(async (h) => {
    await h.node('n1', { unschedulable: true });
    await h.pod('a');
    await h.pod('b', { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    await h.settle();
    assert.equal(await failedMessage(h, 'a'), '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    assert.equal((await h.get('b')).spec.nodeName, 'n1');
  });
});

test('NodeAffinity: nodeSelector, In/NotIn/Exists/DoesNotExist/Gt/Lt and matchFields metadata.name', async () => {
  await run(async (h) => {
    await h.node('n1', { labels: { disk: 'ssd', gen: '3' } });
    await h.node('n2', { labels: { disk: 'hdd', gen: '5' } });
    await h.node('n3', { labels: { gen: '7' } });
    const aff = (terms: Obj[]) => ({ containers: [{ name: 'c', image: 'x' }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
    await h.pod('sel', { containers: [{ name: 'c', image: 'x' }], nodeSelector: { disk: 'hdd' } });
    await h.pod('gt', aff([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['5'] }] }]));
    await h.pod('lt-in', aff([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['6'] }, { key: 'disk', operator: 'In', values: ['ssd'] }] }]));
    await h.pod('dne', aff([{ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }]));
    await h.pod('notin-exists', aff([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }, { key: 'disk', operator: 'NotIn', values: ['ssd'] }] }]));
    await h.pod('field', aff([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] }]));
    await h.pod('none', aff([{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['nvme'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1', 'n2', 'n3'] }] }]));
    await h.settle();
    const on = async (n: string) => (await h.get(n)).spec.nodeName;
    assert.equal(await on('sel'), 'n2');
    assert.equal(await on('gt'), 'n3');
    assert.equal(await on('lt-in'), 'n1');
    assert.equal(await on('dne'), 'n3');
    assert.equal(await on('notin-exists'), 'n2');
    assert.equal(await on('field'), 'n3');
    assert.equal(await failedMessage(h, 'none'), "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });
});

test('TaintToleration: NoExecute must be tolerated; PreferNoSchedule only lowers the score', async () => {
  await run(async (h) => {
    await h.node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] });
    await h.node('n2', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] });
    await h.node('n3', {});
    await h.pod('a');
    await h.pod('db', { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }], nodeSelector: { 'kubernetes.io/hostname': 'n1' } });
    await h.settle();
    assert.equal((await h.get('a')).spec.nodeName, 'n3');
    assert.equal((await h.get('db')).spec.nodeName, 'n1');
    await h.pod('only', { containers: [{ name: 'c', image: 'x' }], nodeSelector: { 'kubernetes.io/hostname': 'n1' } });
    await h.settle();
    assert.equal(await failedMessage(h, 'only'), "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });
});

test('scores: LeastAllocated and BalancedAllocation prefer the emptier node; NodeAffinity preferred and ImageLocality pull', async () => {
  await run(async (h) => {
    await h.node('busy', { cpu: '4' });
    await h.node('idle', { cpu: '4' });
    await h.pod('filler', cpu('3', { nodeSelector: { 'kubernetes.io/hostname': 'busy' } }));
    await h.settle();
    await h.pod('next', cpu('500m'));
    await h.settle();
    assert.equal((await h.get('next')).spec.nodeName, 'idle');
  });
  await run(async (h) => {
    await h.node('n1', { labels: { disk: 'hdd' } });
    await h.node('n2', { labels: { disk: 'ssd' } });
    await h.pod('pref', { containers: [{ name: 'c', image: 'x' }], affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } });
    await h.settle();
    assert.equal((await h.get('pref')).spec.nodeName, 'n2');
  });
  await run(async (h) => {
    await h.node('n1');
    await h.node('n2', { images: [{ names: ['registry.example/big:1'], sizeBytes: 900 * 2 ** 20 }] });
    await h.pod('img', { containers: [{ name: 'c', image: 'registry.example/big:1' }] });
    await h.settle();
    assert.equal((await h.get('img')).spec.nodeName, 'n2');
  });
});

test('ties between equal nodes are broken at random (reservoir sampling over the best)', async () => {
  for (const [r, want] of [
    [() => 0, 'n3'],
    [() => 0.99, 'n1'],
  ] as const) {
    await run(
      async (h) => {
        for (const n of ['n1', 'n2', 'n3']) await h.node(n);
        await h.pod('p');
        await h.settle();
        assert.equal((await h.get('p')).spec.nodeName, want);
      },
      { random: r },
    );
  }
});

test('PodTopologySpread: maxSkew over zones, the missing-label and skew messages, minDomains, ScheduleAnyway', async () => {
  const spread = (extra: Obj = {}) => ({
    containers: [{ name: 'c', image: 'x' }],
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
  });
  await run(async (h) => {
    await h.node('a1', { labels: { zone: 'a' } });
    await h.node('a2', { labels: { zone: 'a' } });
    await h.node('b1', { labels: { zone: 'b' } });
    for (let i = 0; i < 4; i++) {
      await h.pod(`w${i}`, spread(), { labels: { app: 'web' } });
      await h.settle();
    }
    const zones = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 4; i++) zones[(await h.get(`w${i}`)).spec.nodeName.startsWith('a') ? 'a' : 'b']++;
    assert.deepEqual(zones, { a: 2, b: 2 });
  });
  await run(async (h) => {
    await h.node('a1', { labels: { zone: 'a' }, unschedulable: true });
    await h.node('b1', { labels: { zone: 'b' } });
    await h.node('x', {});
    await h.pod('old', { containers: [{ name: 'c', image: 'x' }], nodeName: 'b1' }, { labels: { app: 'web' } });
    await h.settle();
    await h.pod('new', spread(), { labels: { app: 'web' } });
    await h.settle();
    assert.equal(
      await failedMessage(h, 'new'),
      "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label), 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
  });
  await run(async (h) => {
    // minDomains 2 with one zone: the global minimum counts as 0, so a second pod in zone a is too much.
    await h.node('a1', { labels: { zone: 'a' } });
    await h.node('a2', { labels: { zone: 'a' } });
    await h.pod('m0', spread({ minDomains: 2 }), { labels: { app: 'web' } });
    await h.settle();
    assert.ok((await h.get('m0')).spec.nodeName);
    await h.pod('m1', spread({ minDomains: 2 }), { labels: { app: 'web' } });
    await h.settle();
    assert.match(await failedMessage(h, 'm1'), /^0\/2 nodes are available: 2 node\(s\) didn't match pod topology spread constraints\./);
  });
  await run(async (h) => {
    // ScheduleAnyway on hostname outweighs a slightly emptier node.
    await h.node('n1', { cpu: '8' });
    await h.node('n2', { cpu: '4' });
    const soft = { containers: [{ name: 'c', image: 'x' }], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 's' } } }] };
    await h.pod('s0', soft, { labels: { app: 's' } });
    await h.settle();
    await h.pod('s1', soft, { labels: { app: 's' } });
    await h.settle();
    assert.notEqual((await h.get('s0')).spec.nodeName, (await h.get('s1')).spec.nodeName);
  });
});

test('PodTopologySpread system defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway, from the selecting Service or ReplicaSet', async () => {
  await run(async (h) => {
    await h.api.create(h.api.resource('services'), 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    await h.settle();
    const withSvc = new PodInfo({ metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, spec: {} });
    const without = new PodInfo({ metadata: { name: 'q', namespace: 'default', labels: { app: 'db' } }, spec: {} });
    const c = h.sched.framework.spreadConstraints(withSvc, 'ScheduleAnyway').constraints;
    assert.deepEqual(
      c.map((x) => [x.topologyKey, x.maxSkew, x.selector]),
      [
        ['kubernetes.io/hostname', 3, [{ key: 'app', operator: 'Equals', values: ['web'] }]],
        ['topology.kubernetes.io/zone', 5, [{ key: 'app', operator: 'Equals', values: ['web'] }]],
      ],
    );
    assert.equal(h.sched.framework.spreadConstraints(without, 'ScheduleAnyway').constraints.length, 0);
    assert.equal(h.sched.framework.spreadConstraints(withSvc, 'DoNotSchedule').constraints.length, 0);
  });
});

test('InterPodAffinity: required anti-affinity, existing pods\u2019 anti-affinity, required affinity (and the first pod of a self-affine group), preferred affinity', async () => {
  const anti = (app: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } }] } });
  await run(async (h) => {
    await h.node('n1');
    await h.node('n2');
    for (const n of ['d0', 'd1', 'd2']) {
      await h.pod(n, { containers: [{ name: 'c', image: 'x' }], affinity: anti('db') }, { labels: { app: 'db' } });
      await h.settle();
    }
    assert.notEqual((await h.get('d0')).spec.nodeName, (await h.get('d1')).spec.nodeName);
    assert.equal(await failedMessage(h, 'd2'), "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    // A plain pod labelled app=db is kept off both nodes by the existing pods' anti-affinity.
    await h.pod('plain', {}, { labels: { app: 'db' } });
    await h.settle();
    assert.equal(await failedMessage(h, 'plain'), "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    // Deleting d0 frees its node: d2 (rejected by InterPodAffinity) is retried and placed there.
    const freed = (await h.get('d0')).spec.nodeName;
    await h.api.delete(h.api.resource('pods'), 'default', 'd0', { gracePeriodSeconds: 0 });
    await h.clock.advance(11_000);
    await h.settle();
    const placed = [(await h.get('d2')).spec.nodeName, (await h.get('plain')).spec.nodeName].filter(Boolean);
    assert.deepEqual(placed, [freed]);
  });
  await run(async (h) => {
    await h.node('a1', { labels: { zone: 'a' } });
    await h.node('b1', { labels: { zone: 'b' } });
    await h.node('b2', { labels: { zone: 'b' } });
    const near = (app: string) => ({ containers: [{ name: 'c', image: 'x' }], affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchLabels: { app } } }] } } });
    // The first pod of a group with affinity to itself goes anywhere.
    await h.pod('self0', near('grp'), { labels: { app: 'grp' } });
    await h.settle();
    const zoneOf = async (n: string) => ((await h.get(n)).spec.nodeName as string).slice(0, 1);
    const z = await zoneOf('self0');
    for (let i = 1; i < 4; i++) {
      await h.pod(`self${i}`, near('grp'), { labels: { app: 'grp' } });
      await h.settle();
      assert.equal(await zoneOf(`self${i}`), z);
    }
    await h.pod('lonely', near('missing'));
    await h.settle();
    assert.equal(await failedMessage(h, 'lonely'), "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });
  await run(async (h) => {
    await h.node('n1');
    await h.node('n2');
    await h.pod('cache', { containers: [{ name: 'c', image: 'x' }], nodeName: 'n2' }, { labels: { app: 'cache' } });
    await h.settle();
    await h.pod('web', { containers: [{ name: 'c', image: 'x' }], affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'cache' } } } }] } } });
    await h.settle();
    assert.equal((await h.get('web')).spec.nodeName, 'n2');
  });
});

test('a pod waiting on required affinity is retried when the pod it needs is scheduled (AssignedPodAdd)', async () => {
  await run(async (h) => {
    await h.node('n1');
    await h.node('n2');
    const follow = { containers: [{ name: 'c', image: 'x' }], affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'leader' } } }] } } };
    await h.pod('follower', follow);
    await h.settle();
    assert.match(await failedMessage(h, 'follower'), /2 node\(s\) didn't match pod affinity rules\./);
    await h.pod('leader', {}, { labels: { app: 'leader' } });
    await h.settle();
    await h.clock.advance(2_000);
    await h.settle();
    const leader = (await h.get('leader')).spec.nodeName;
    assert.ok(leader);
    assert.equal((await h.get('follower')).spec.nodeName, leader);
  });
});

test('unschedulable → schedulable when a node joins: moved on the event, after the 1 s backoff of its first attempt', async () => {
  await run(async (h) => {
    await h.node('small', { cpu: '1' });
    await h.pod('big', cpu('2'));
    await h.settle();
    assert.equal(h.sched.queue.stats().unschedulable, 1);
    await h.node('large', { cpu: '4' });
    // Still backing off (first attempt at t=0, 1 s): in backoffQ until the flush after 1 s.
    assert.equal((await h.get('big')).spec.nodeName, undefined);
    assert.equal(h.sched.queue.stats().backoff, 1);
    await h.clock.advance(999);
    await h.settle();
    assert.equal((await h.get('big')).spec.nodeName, undefined);
    await h.clock.advance(1);
    await h.settle();
    assert.equal((await h.get('big')).spec.nodeName, 'large');
  });
});

test('an unschedulable pod is retried after 5 minutes even without an event (podMaxInUnschedulablePodsDuration)', async () => {
  await run(async (h) => {
    await h.node('small', { cpu: '1' });
    await h.pod('big', cpu('2'));
    await h.settle();
    let ev = await h.events('big', 'FailedScheduling');
    assert.equal(ev[0].count, 1);
    await h.clock.advance(300_000);
    await h.settle();
    ev = await h.events('big', 'FailedScheduling');
    assert.equal(ev[0].count, 1);
    await h.clock.advance(30_000);
    await h.settle();
    ev = await h.events('big', 'FailedScheduling');
    assert.equal(ev[0].count, 2);
  });
});

test('only pods for default-scheduler are scheduled', async () => {
  await run(async (h) => {
    await h.node('n1');
    await h.pod('mine', { containers: [{ name: 'c', image: 'x' }], schedulerName: 'default-scheduler' });
    await h.pod('theirs', { containers: [{ name: 'c', image: 'x' }], schedulerName: 'my-scheduler' });
    await h.settle();
    await h.clock.advance(60_000);
    assert.equal((await h.get('mine')).spec.nodeName, 'n1');
    const t = await h.get('theirs');
    assert.equal(t.spec.nodeName, undefined);
    assert.equal(cond(t), undefined);
    assert.equal((await h.events('theirs')).length, 0);
  });
});

async function priorityClass(h: Harness, name: string, value: number, preemptionPolicy?: string): Promise<void> {
  await h.api.create(h.api.resource('priorityclasses.scheduling.k8s.io'), undefined, { metadata: { name }, value, ...(preemptionPolicy ? { preemptionPolicy } : {}) });
}

test('preemption: the minimal set of lower-priority victims is deleted with Preempted events; the preemptor is nominated, then bound', async () => {
  await run(async (h) => {
    await priorityClass(h, 'low', 100);
    await priorityClass(h, 'mid', 200);
    await priorityClass(h, 'high', 1000);
    await h.node('n1', { cpu: '2' });
    await h.pod('low', cpu('1', { priorityClassName: 'low' }));
    await h.pod('mid', cpu('1', { priorityClassName: 'mid' }));
    await h.settle();
    const hi = await h.pod('high', cpu('1', { priorityClassName: 'high' }));
    await h.settle();
    // The lowest-priority pod goes; the mid one is reprieved.
    const low = await h.get('low');
    assert.ok(low.metadata.deletionTimestamp, 'low is being deleted');
    const dt = low.status.conditions.find((c: Obj) => c.type === 'DisruptionTarget');
    assert.equal(dt.reason, 'PreemptionByScheduler');
    assert.equal(dt.message, 'default-scheduler: preempting to accommodate a higher priority pod');
    assert.equal((await h.get('mid')).metadata.deletionTimestamp, undefined);
    const ev = await h.events('low', 'Preempted');
    assert.equal(ev[0].message, `Preempted by pod ${hi.metadata.uid} on node n1`);
    let p = await h.get('high');
    assert.equal(p.status.nominatedNodeName, 'n1');
    assert.equal(cond(p).message, '0/1 nodes are available: 1 Insufficient cpu.');
    // The kubelet would finish the termination; without one, delete it outright.
    await h.api.delete(h.api.resource('pods'), 'default', 'low', { gracePeriodSeconds: 0 });
    await h.clock.advance(2_000);
    await h.settle();
    p = await h.get('high');
    assert.equal(p.spec.nodeName, 'n1');
  });
});

test('preemption respects PodDisruptionBudgets (violating victims are reprieved first) and preemptionPolicy Never', async () => {
  await run(async (h) => {
    await priorityClass(h, 'low', 100);
    await priorityClass(h, 'high', 1000);
    await priorityClass(h, 'polite', 1000, 'Never');
    await h.node('n1', { cpu: '2' });
    await h.pod('guarded', cpu('1', { priorityClassName: 'low' }), { labels: { app: 'guarded' } });
    await h.pod('free', cpu('1', { priorityClassName: 'low' }), { labels: { app: 'free' } });
    const pdbs = h.api.resource('poddisruptionbudgets.policy');
    const pdb = await h.api.create(pdbs, 'default', { metadata: { name: 'g' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    await h.api.update(pdbs, 'default', 'g', { ...pdb, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, observedGeneration: 1 } }, { subresource: 'status' });
    await h.settle();
    await h.pod('polite', cpu('1', { priorityClassName: 'polite' }));
    await h.settle();
    assert.equal(await failedMessage(h, 'polite'), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    await h.pod('high', cpu('1', { priorityClassName: 'high' }));
    await h.settle();
    assert.ok((await h.get('free')).metadata.deletionTimestamp);
    assert.equal((await h.get('guarded')).metadata.deletionTimestamp, undefined);
  });
});

test('activeQ pops by priority, then by the time pods were queued', async () => {
  await run(async (h) => {
    await priorityClass(h, 'high', 1000);
    h.sched.stop();
    h.sched.queue.clear();
    const a = await h.pod('a');
    await h.clock.advance(10);
    const b = await h.pod('b', { containers: [{ name: 'c', image: 'x' }], priorityClassName: 'high' });
    const c = await h.pod('c');
    for (const p of [c, b, a]) h.sched.queue.add(p);
    const popped = [1, 2, 3].map(() => h.sched.queue.pop()!.key);
    assert.deepEqual(popped, ['default/b', 'default/c', 'default/a']);
  });
});

test('backoff: 1 s after the first failed attempt, doubling per attempt up to 10 s, on the emulator clock', async () => {
  await run(async (h) => {
    h.sched.stop();
    h.sched.queue.clear();
    h.sched.queue.run();
    const q = h.sched.queue;
    q.add(await h.pod('p'));
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const info = q.pop()!;
      assert.equal(info.attempts, attempt);
      // An error (no rejecting plugin) goes through backoff.
      q.addUnschedulable(info.key, new Set());
      const t0 = h.clock.now();
      while (q.get(info.key)!.where !== 'active') await h.clock.advance(1_000);
      waits.push((h.clock.now() - t0) / 1000);
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 10, 10]);
    // An unschedulable pod moves only on an event for a plugin that rejected it.
    const info = q.pop()!;
    q.addUnschedulable(info.key, new Set(['NodeAffinity']));
    q.moveOnEvent(new Set(['NodeResourcesFit']));
    assert.equal(q.get(info.key)!.where, 'unschedulable');
    await h.clock.advance(20_000);
    q.moveOnEvent(new Set(['NodeAffinity']));
    assert.equal(q.get(info.key)!.where, 'active');
    q.stop();
  });
});

const withPorts = (...ports: Obj[]) => ({ containers: [{ name: 'c', image: 'nginx:1.27', ports: ports.map((p) => ({ containerPort: 80, ...p })) }] });

test('NodePorts: a host port taken on a node rules it out (any IP vs 0.0.0.0, per protocol); freed when the pod goes', async () => {
  await run(async (h) => {
    await h.node('n1');
    await h.node('n2');
    await h.pod('a', withPorts({ hostPort: 8080 }));
    await h.settle();
    await h.pod('b', withPorts({ hostPort: 8080, hostIP: '10.0.0.1' }));
    await h.settle();
    const [a, b] = [await h.get('a'), await h.get('b')];
    assert.ok(a.spec.nodeName && b.spec.nodeName);
    assert.notEqual(a.spec.nodeName, b.spec.nodeName, '0.0.0.0:8080 and 10.0.0.1:8080 conflict');
    // UDP 8080 and restartable init containers: a UDP port fits anywhere; a sidecar's host port counts.
    await h.pod('udp', withPorts({ hostPort: 8080, protocol: 'UDP' }));
    await h.settle();
    assert.ok((await h.get('udp')).spec.nodeName);
    await h.pod('c', {
      initContainers: [{ name: 's', image: 'busybox:1.36', restartPolicy: 'Always', ports: [{ containerPort: 1, hostPort: 8080 }] }],
      containers: [{ name: 'c', image: 'nginx:1.27' }],
    });
    await h.settle();
    assert.equal(
      await failedMessage(h, 'c'),
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
    // A different host IP than b's still conflicts with a's 0.0.0.0 on the other node.
    await h.api.delete(h.api.resource('pods'), 'default', 'b', { gracePeriodSeconds: 0 });
    await h.settle();
    await h.clock.advance(1_000);
    await h.settle();
    assert.equal((await h.get('c')).spec.nodeName, b.spec.nodeName);
  });
});

test('SchedulingGates: a gated pod stays Pending with SchedulingGated; gates can only be removed; without them it is scheduled', async () => {
  await run(async (h) => {
    await h.node('n1');
    const pods = h.api.resource('pods');
    await h.pod('gated', { schedulingGates: [{ name: 'example.com/a' }, { name: 'example.com/b' }] });
    await h.settle();
    await h.clock.advance(60_000);
    await h.settle();
    let p = await h.get('gated');
    assert.equal(p.spec.nodeName, undefined);
    assert.deepEqual(cond(p), {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: null,
      reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    });
    assert.equal((await h.events('gated')).length, 0, 'no FailedScheduling for a gated pod');
    assert.equal(h.sched.queue.stats().gated, 1);
    // Adding a gate is forbidden; a pod cannot be created with a node and gates.
    await assert.rejects(
      h.api.patch(pods, 'default', 'gated', 'merge', { spec: { schedulingGates: [{ name: 'example.com/a' }, { name: 'example.com/b' }, { name: 'example.com/c' }] } }),
      (e: Error) => e.message === `Pod "gated" is invalid: spec.schedulingGates[2].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/c'`,
    );
    await assert.rejects(
      h.pod('pinned', { nodeName: 'n1', schedulingGates: [{ name: 'example.com/a' }] }),
      (e: Error) => e.message === 'Pod "pinned" is invalid: spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared',
    );
    // pods/binding refuses a gated pod.
    await assert.rejects(
      h.api.bind('default', 'gated', { metadata: { name: 'gated' }, target: { kind: 'Node', name: 'n1' } }),
      (e: Error & { code?: number }) => e.code === 409 && e.message.endsWith('pod gated has non-empty .spec.schedulingGates'),
    );
    await h.api.patch(pods, 'default', 'gated', 'merge', { spec: { schedulingGates: [{ name: 'example.com/b' }] } });
    await h.settle();
    assert.equal((await h.get('gated')).spec.nodeName, undefined, 'one gate left');
    await h.api.patch(pods, 'default', 'gated', 'json', [{ op: 'remove', path: '/spec/schedulingGates' }]);
    await h.settle();
    p = await h.get('gated');
    assert.equal(p.spec.nodeName, 'n1');
    assert.equal(cond(p).status, 'True');
  });
});
