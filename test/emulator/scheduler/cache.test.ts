// The scheduler cache's indexes (cache.ts) read by the framework's search: the node table by slot
// (reused after a node is deleted), the topology index per key, pods per slot for hostname-like
// keys and per value otherwise. Driven on the Cache and Framework directly, without an apiserver.

import test from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { Cache, PodInfo } from '../../../src/emulator/scheduler/cache.ts';
import { Framework, type ScheduleResult } from '../../../src/emulator/scheduler/framework.ts';

function node(name: string, labels: Record<string, string> = {}, extra: Obj = {}): Obj {
  const allocatable = { cpu: '4', memory: '8Gi', pods: '110' };
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: extra, status: { allocatable, capacity: allocatable } };
}

function pod(name: string, spec: Obj = {}, labels: Record<string, string> = {}): PodInfo {
  return new PodInfo({ metadata: { name, namespace: 'default', uid: name, labels }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '1', memory: '1Gi' } } }], ...spec } });
}

function framework(cache: Cache): Framework {
  return new Framework({ cache, random: () => 0, defaultSelector: () => [], namespaceLabels: () => ({}), namespacesMatching: () => [], nominatedPods: () => [], anyNominated: () => false });
}

const anti = (app: string, topologyKey = 'kubernetes.io/hostname') => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey, labelSelector: { matchLabels: { app } } }] } } });

function statuses(r: ScheduleResult): Record<string, string> {
  assert.ok('fit' in r, `expected no fit, got ${JSON.stringify('node' in r ? r.node : r)}`);
  return Object.fromEntries([...r.fit.statuses].map(([n, s]) => [n, s.reasons.join(', ')]).sort());
}

test('node table: rows follow pods on and off a node; a deleted node’s slot is clean when a new node takes it', () => {
  const cache = new Cache();
  cache.setNode(node('n1'));
  cache.setNode(node('n2'));
  const n1 = cache.nodes.get('n1')!;
  const a = pod('a', anti('db'), { app: 'db' });
  cache.addPod(a, 'n1');
  const t = cache.table;
  assert.deepEqual([t.pods[n1.slot], t.reqCpu[n1.slot], t.reqMemory[n1.slot], t.allocCpu[n1.slot]], [1, 1000, 1024 ** 3, 4000]);
  // The pod's own anti-affinity and the existing pod's rule out n1 only.
  const fw = framework(cache);
  const r = fw.schedule(pod('b', anti('db'), { app: 'db' }));
  assert.ok('node' in r && r.node === 'n2');
  assert.ok(cache.removePod('default/a'));
  assert.deepEqual([t.pods[n1.slot], t.reqCpu[n1.slot], t.nonZeroMemory[n1.slot]], [0, 0, 0]);
  cache.addPod(a, 'n1');
  // n1 goes away with its pod still on it (the pod's delete comes later); n3 takes its slot.
  cache.deleteNode('n1');
  cache.setNode(node('n3'));
  const n3 = cache.nodes.get('n3')!;
  assert.equal(n3.slot, n1.slot);
  assert.deepEqual([t.pods[n3.slot], t.reqCpu[n3.slot]], [0, 0]);
  // Only a web pod on n2: both nodes take one db pod each.
  cache.addPod(pod('c', {}, { app: 'web' }), 'n2');
  const placed = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const p = pod(`db${i}`, anti('db'), { app: 'db' });
    const res = fw.schedule(p);
    assert.ok('node' in res, JSON.stringify(res));
    placed.add(res.node);
    cache.addPod(p, res.node);
  }
  assert.deepEqual([...placed].sort(), ['n2', 'n3']);
  assert.deepEqual(statuses(fw.schedule(pod('db2', anti('db'), { app: 'db' }))), { n2: "node(s) didn't match pod anti-affinity rules", n3: "node(s) didn't match pod anti-affinity rules" });
  // The orphan pod rejoins when its node comes back.
  cache.setNode(node('n1'));
  assert.equal(cache.table.pods[cache.nodes.get('n1')!.slot], 1);
});

test('anti-affinity on a key several nodes share: every node of a value with pods is ruled out, a node without the key is not', () => {
  const cache = new Cache();
  cache.setNode(node('a1', { rack: 'r1' }));
  cache.setNode(node('a2', { rack: 'r1' }));
  cache.setNode(node('b1', { rack: 'r2' }));
  cache.setNode(node('x'));
  // Two nodes share a hostname value too: that key is then per value, not per node.
  cache.setNode(node('twin', { 'kubernetes.io/hostname': 'b1' }));
  const fw = framework(cache);
  cache.addPod(pod('p', anti('db', 'rack'), { app: 'db' }), 'a1');
  assert.deepEqual(statuses(fw.schedule(pod('q', { ...anti('db', 'rack'), nodeSelector: { rack: 'r1' } }, { app: 'db' }))), {
    a1: "node(s) didn't match pod anti-affinity rules",
    a2: "node(s) didn't match pod anti-affinity rules",
    b1: "node(s) didn't match Pod's node affinity/selector",
    twin: "node(s) didn't match Pod's node affinity/selector",
    x: "node(s) didn't match Pod's node affinity/selector",
  });
  // Plain db pods: the existing pod's rule keeps them out of r1 only (LeastAllocated spreads them).
  const placed = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const p = pod(`plain${i}`, {}, { app: 'db' });
    const r = fw.schedule(p);
    assert.ok('node' in r);
    placed.add(r.node);
    cache.addPod(p, r.node);
  }
  assert.deepEqual([...placed].sort(), ['b1', 'twin', 'x']);
  // On the shared hostname value b1: a pod on 'twin' rules out node b1 too.
  cache.addPod(pod('h', anti('cache'), { app: 'cache' }), 'twin');
  const r = statuses(fw.schedule(pod('h2', { ...anti('cache'), nodeSelector: { rack: 'r2' } }, { app: 'cache' })));
  assert.equal(r.b1, "node(s) didn't match pod anti-affinity rules");
  assert.equal(r.twin, "node(s) didn't match Pod's node affinity/selector");
});

test('topology spread per value: the missing-label status for nodes without the key, skew per zone, answers follow the pods and the labels', () => {
  const cache = new Cache();
  cache.setNode(node('a', { zone: 'z1' }));
  cache.setNode(node('b', { zone: 'z2' }));
  cache.setNode(node('nolabel'));
  const fw = framework(cache);
  const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] };
  cache.addPod(pod('w0', {}, { app: 'w' }), 'a');
  cache.addPod(pod('w1', {}, { app: 'w' }), 'a');
  const r = fw.schedule(pod('w2', spread, { app: 'w' }));
  assert.ok('node' in r && r.node === 'b');
  cache.addPod(pod('w2', spread, { app: 'w' }), 'b');
  // z1 has 2, z2 has 1: z1 is one too many for maxSkew 1 when z2 counts (nodeAffinityPolicy Ignore).
  const ignore = { topologySpreadConstraints: [{ ...spread.topologySpreadConstraints[0], nodeAffinityPolicy: 'Ignore' }] };
  const full = pod('w3', { ...ignore, nodeSelector: { zone: 'z1' } }, { app: 'w' });
  assert.deepEqual(statuses(fw.schedule(full)), {
    a: "node(s) didn't match pod topology spread constraints",
    b: "node(s) didn't match Pod's node affinity/selector",
    nolabel: "node(s) didn't match Pod's node affinity/selector",
  });
  // Honoring the selector, only z1 counts: its own skew is 0, w3 fits.
  const honor = fw.schedule(pod('w3', { ...spread, nodeSelector: { zone: 'z1' } }, { app: 'w' }));
  assert.ok('node' in honor && honor.node === 'a');
  // A node without the key: the missing-label status.
  const s = statuses(fw.schedule(pod('w3', { ...ignore, nodeSelector: { 'kubernetes.io/hostname': 'nolabel' } }, { app: 'w' })));
  assert.equal(s.nolabel, "node(s) didn't match pod topology spread constraints (missing required label)");
  // Relabelling b into z1 leaves z1 the only domain: w3 fits there.
  cache.setNode(node('b', { zone: 'z1' }));
  const r2 = fw.schedule(full);
  assert.ok('node' in r2 && ['a', 'b'].includes(r2.node), JSON.stringify(r2));
  const r3 = fw.schedule(pod('w4', spread, { app: 'w' }));
  assert.ok('node' in r3 && r3.node !== 'nolabel');
});
