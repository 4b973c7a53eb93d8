// The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go) in an
// in-process cluster on a manual clock: conditions go Unknown after the grace period, the node and
// its pods get NodeNotReady, the not-ready/unreachable taints follow the Ready condition (NoSchedule
// at once, NoExecute through the rate-limited tainting pass), zones' disruption states, node events;
// and one pass over 5,000 nodes without a kubelet each.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { rfc3339, rfc3339Micro, type Obj } from '../../../src/emulator/api/objects.ts';
import { SharedInformers } from '../../../src/emulator/client/informer-factory.ts';
import { NodeLifecycleController, zoneKey } from '../../../src/emulator/controllers/node-lifecycle.ts';

const WORKER = 'kube-emulator-m02';

async function withCluster(nodes: number, fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

const getNode = (c: Cluster, name = WORKER): Promise<Obj> => c.api.get(c.api.resource('nodes'), undefined, name);
const cond = (o: Obj, type: string): Obj => (o.status?.conditions ?? []).find((x: Obj) => x.type === type);
const taintsOf = (n: Obj): string[] => (n.spec?.taints ?? []).map((t: Obj) => `${t.key}:${t.effect}`);

async function events(c: Cluster, reason: string, name?: string): Promise<Obj[]> {
  const all = (await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `reason=${reason}` })).items;
  return all.filter((e) => !name || e.involvedObject.name === name);
}

/** Advances until the node's Ready condition is Unknown; returns that time. */
async function untilUnknown(c: Cluster, name = WORKER, limitMs = 120_000): Promise<number> {
  for (let t = 0; t < limitMs; t += 1_000) {
    if (cond(await getNode(c, name), 'Ready')?.status === 'Unknown') return c.clock.now();
    await c.advanceClock(1_000);
  }
  assert.fail(`${name} never went Unknown`);
}

test('a silent node: Unknown conditions as the controller writes them, NodeNotReady on the node and its pods, then the unreachable taints', async () => {
  await withCluster(2, async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: WORKER, containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    await c.advanceClock(20_000);
    let p = await c.api.get(pods, 'default', 'web');
    assert.equal(cond(p, 'Ready').status, 'True');
    const before = await getNode(c);
    // Registered when first seen, for every node.
    for (const n of ['kube-emulator', WORKER]) {
      const [ev] = await events(c, 'RegisteredNode', n);
      assert.equal(ev.message, `Node ${n} event: Registered Node ${n} in Controller`);
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.involvedObject.kind, 'Node');
      assert.deepEqual(ev.source, { component: 'node-controller' });
    }

    c.stopNode(WORKER);
    await c.advanceClock(40_000);
    assert.equal(cond(await getNode(c), 'Ready').status, 'True', 'within the 50 s grace period');
    const unknownAt = await untilUnknown(c);
    const n = await getNode(c);
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']) {
      const was = cond(before, type);
      assert.deepEqual(cond(n, type), {
        type,
        status: 'Unknown',
        lastHeartbeatTime: was.lastHeartbeatTime,
        lastTransitionTime: rfc3339(unknownAt),
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
    }
    // The NoSchedule taint follows the condition at once (doNoScheduleTaintingPass) ...
    assert.deepEqual(taintsOf(n), ['node.kubernetes.io/unreachable:NoSchedule']);
    assert.equal(n.spec.taints[0].timeAdded, rfc3339(unknownAt));
    const [notReady] = await events(c, 'NodeNotReady', WORKER);
    assert.equal(notReady.message, `Node ${WORKER} status is now: NodeNotReady`);
    assert.equal(notReady.source.component, 'node-controller');
    // ... and the pods are marked not ready (MarkPodsNotReady): Ready only.
    p = await c.api.get(pods, 'default', 'web');
    assert.equal(cond(p, 'Ready').status, 'False');
    assert.equal(cond(p, 'Ready').lastTransitionTime, rfc3339(unknownAt));
    assert.equal(cond(p, 'ContainersReady').status, 'True');
    const podEvents = (await events(c, 'NodeNotReady')).filter((e) => e.involvedObject.kind === 'Pod');
    assert.equal(podEvents.length, 1);
    assert.equal(podEvents[0].type, 'Warning');
    assert.equal(podEvents[0].message, 'Node is not ready');
    assert.equal(podEvents[0].involvedObject.name, 'web');
    // The NoExecute taint comes with the next pass, which sees the node Unknown.
    await c.advanceClock(5_200);
    const tainted = await getNode(c);
    assert.deepEqual(taintsOf(tainted), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    // The next pass (5 s) queues it, the tainting pass (100 ms later) adds it; timeAdded has whole seconds.
    const execAt = Date.parse(tainted.spec.taints[1].timeAdded);
    assert.ok(execAt > unknownAt + 4_000 && execAt <= unknownAt + 5_100, `${execAt - unknownAt} ms after Unknown`);
    // Nothing is written again while it stays silent.
    const rv = tainted.metadata.resourceVersion;
    await c.advanceClock(60_000);
    assert.equal((await getNode(c)).metadata.resourceVersion, rv);
    assert.equal((await events(c, 'NodeNotReady', WORKER)).length, 1);
  });
});

test('a node that comes back loses both unreachable taints; its kubelet reports the pods Ready again', async () => {
  await withCluster(2, async (c) => {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: WORKER, containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    await c.advanceClock(10_000);
    c.stopNode(WORKER);
    await untilUnknown(c);
    await c.advanceClock(6_000);
    assert.equal(taintsOf(await getNode(c)).length, 2);
    await c.startNode(WORKER);
    await c.advanceClock(5_000);
    const n = await getNode(c);
    assert.equal(cond(n, 'Ready').status, 'True');
    assert.equal(n.spec.taints, undefined);
    assert.equal(cond(await c.api.get(pods, 'default', 'web'), 'Ready').status, 'True');
    // And the pod was not evicted: the taint was gone well before its 300 s.
    await c.advanceClock(400_000);
    assert.equal((await c.api.get(pods, 'default', 'web')).metadata.deletionTimestamp, undefined);
  });
});

test('Ready=False from the kubelet: not-ready taints; going silent swaps them for unreachable ones at once', async () => {
  await withCluster(2, async (c) => {
    await c.advanceClock(10_000);
    const nodes = c.api.resource('nodes');
    const n0 = await getNode(c);
    const conditions = n0.status.conditions.map((x: Obj) =>
      x.type === 'Ready' ? { ...x, status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready', lastTransitionTime: rfc3339(c.clock.now()) } : x,
    );
    await c.api.update(nodes, undefined, WORKER, { ...n0, status: { ...n0.status, conditions } }, { subresource: 'status' });
    await c.advanceClock(100);
    assert.deepEqual(taintsOf(await getNode(c)), ['node.kubernetes.io/not-ready:NoSchedule']);
    await c.advanceClock(5_200);
    assert.deepEqual(taintsOf(await getNode(c)), ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
    // The kubelet posted that itself: no NodeNotReady from the controller.
    assert.equal((await events(c, 'NodeNotReady', WORKER)).length, 0);
    c.stopNode(WORKER);
    await untilUnknown(c);
    await c.advanceClock(5_000);
    const n = await getNode(c);
    assert.equal(cond(n, 'Ready').reason, 'NodeStatusUnknown');
    assert.deepEqual(taintsOf(n).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  });
});

test('a Node that never posted a status: Unknown after the 60 s startup grace period, "Kubelet never posted node status."', async () => {
  await withCluster(1, async (c) => {
    const nodes = c.api.resource('nodes');
    await c.api.create(nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'ghost', labels: { 'kubernetes.io/os': 'linux' } } });
    const created = (await getNode(c, 'ghost')).metadata.creationTimestamp;
    await c.advanceClock(55_000);
    assert.equal((await getNode(c, 'ghost')).status?.conditions, undefined);
    const at = await untilUnknown(c, 'ghost');
    const n = await getNode(c, 'ghost');
    assert.deepEqual(
      n.status.conditions,
      ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
        type,
        status: 'Unknown',
        lastHeartbeatTime: created,
        lastTransitionTime: rfc3339(at),
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
      })),
    );
    // reconcileNodeLabels: the beta label follows the stable one.
    assert.equal(n.metadata.labels['beta.kubernetes.io/os'], 'linux');
    assert.deepEqual(taintsOf(n), ['node.kubernetes.io/unreachable:NoSchedule']);
  });
});

test('cordon adds node.kubernetes.io/unschedulable:NoSchedule, uncordon removes it', async () => {
  await withCluster(2, async (c) => {
    const nodes = c.api.resource('nodes');
    await c.api.patch(nodes, undefined, WORKER, 'strategic', { spec: { unschedulable: true } });
    await c.advanceClock(10);
    const n = await getNode(c);
    assert.deepEqual(taintsOf(n), ['node.kubernetes.io/unschedulable:NoSchedule']);
    assert.ok(n.spec.taints[0].timeAdded);
    await c.api.patch(nodes, undefined, WORKER, 'strategic', { spec: { unschedulable: null } });
    await c.advanceClock(10);
    assert.equal((await getNode(c)).spec.taints, undefined);
    // Other taints are left alone.
    await c.api.patch(nodes, undefined, WORKER, 'merge', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } });
    await c.advanceClock(6_000);
    assert.deepEqual(taintsOf(await getNode(c)), ['dedicated:NoSchedule']);
  });
});

test('every node silent: full disruption, no NoExecute taint (no evictions) until a node answers again', async () => {
  await withCluster(1, async (c) => {
    const name = 'kube-emulator';
    await c.api.create(c.api.resource('pods'), 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    await c.advanceClock(10_000);
    c.stopNode(name);
    await untilUnknown(c, name);
    await c.advanceClock(30_000);
    const nlc = (c as unknown as { controllers: unknown[] }).controllers.find((x) => x instanceof NodeLifecycleController) as NodeLifecycleController;
    assert.equal(nlc.zoneState(''), 'FullDisruption');
    assert.deepEqual(taintsOf(await getNode(c, name)), ['node.kubernetes.io/unreachable:NoSchedule']);
    await c.advanceClock(400_000);
    assert.equal((await c.api.get(c.api.resource('pods'), 'default', 'web')).metadata.deletionTimestamp, undefined);
    await c.startNode(name);
    await c.advanceClock(10_000);
    assert.equal(nlc.zoneState(''), 'Normal');
    assert.equal((await getNode(c, name)).spec.taints, undefined);
  });
});

test('NoExecute taints are added at --node-eviction-rate (0.1/s): two silent nodes of five, 10 s apart', async () => {
  await withCluster(5, async (c) => {
    await c.advanceClock(10_000);
    const down = ['kube-emulator-m04', 'kube-emulator-m05'];
    for (const n of down) c.stopNode(n);
    await untilUnknown(c, down[0]);
    await c.advanceClock(20_000);
    const added = [];
    for (const n of down) {
      const node = await getNode(c, n);
      added.push(Date.parse(node.spec.taints.find((t: Obj) => t.effect === 'NoExecute').timeAdded));
    }
    added.sort((a, b) => a - b);
    assert.ok(added[1] - added[0] >= 10_000 && added[1] - added[0] < 11_000, `${added[1] - added[0]} ms apart`);
  });
});

test('a deleted Node: RemovingNode', async () => {
  await withCluster(2, async (c) => {
    await c.advanceClock(6_000);
    await c.deleteNode(WORKER);
    await c.advanceClock(5_000);
    const [ev] = await events(c, 'RemovingNode', WORKER);
    assert.equal(ev.message, `Node ${WORKER} event: Removing Node ${WORKER} from Controller`);
  });
});

test('zone keys: region and zone labels, stable ones first', () => {
  assert.equal(zoneKey({ metadata: { labels: {} } }), '');
  assert.equal(zoneKey({ metadata: { labels: { 'topology.kubernetes.io/zone': 'a', 'topology.kubernetes.io/region': 'r' } } }), 'r:\u0000:a');
  assert.equal(zoneKey({ metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'b' } } }), ':\u0000:b');
});

test('5,000 nodes: a pass reads the caches and writes nothing while the Leases are fresh; one silent node is one write', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  const informers = new SharedInformers(api);
  const nodes = api.resource('nodes');
  const leases = api.resource('leases.coordination.k8s.io');
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'kube-node-lease' } });
  const N = 5_000;
  const renew = async (i: number) => {
    const name = `n${i}`;
    const cur = await api.tryGet(leases, 'kube-node-lease', name);
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: rfc3339Micro(clock.now()) };
    if (cur) await api.update(leases, 'kube-node-lease', name, { ...cur, spec });
    else await api.create(leases, 'kube-node-lease', { metadata: { name, namespace: 'kube-node-lease' }, spec });
  };
  for (let i = 0; i < N; i++) {
    const ts = rfc3339(clock.now());
    await api.create(nodes, undefined, {
      metadata: { name: `n${i}`, labels: { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/os': 'linux' } },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ts, lastTransitionTime: ts }] },
    });
    await renew(i);
  }
  const nlc = new NodeLifecycleController(api.as('kube-controller-manager'), clock, informers);
  await nlc.start();
  try {
    await nlc.monitor();
    await nlc.idle();
    let writes = 0;
    const w = await api.watch(nodes, undefined, { resourceVersion: (await api.list(nodes, undefined)).resourceVersion }, () => writes++);
    await clock.advance(30_000);
    for (let i = 0; i < N; i++) await renew(i);
    const t0 = performance.now();
    await nlc.monitor();
    const ms = performance.now() - t0;
    assert.equal(writes, 0);
    assert.ok(ms < 1_000, `one pass over ${N} nodes took ${ms.toFixed(0)} ms`);
    if (process.env.NLC_BENCH) console.log(`one pass over ${N} nodes: ${ms.toFixed(1)} ms`);
    // One node stops renewing: after the grace period, its status is written once.
    await clock.advance(30_000);
    for (let i = 1; i < N; i++) await renew(i);
    await clock.advance(30_000);
    for (let i = 1; i < N; i++) await renew(i);
    await nlc.monitor();
    await nlc.idle();
    assert.equal(cond(await api.get(nodes, undefined, 'n0'), 'Ready').status, 'Unknown');
    assert.equal(cond(await api.get(nodes, undefined, 'n1'), 'Ready').status, 'True');
    // The status write and the NoSchedule taint.
    assert.equal(writes, 2);
    w.stop();
  } finally {
    nlc.stop();
  }
});

/** A 3-node cluster on a durable store in a temporary folder, on a real-time clock. */
async function withDurableCluster(fn: (c: Awaited<ReturnType<typeof createCluster>>) => Promise<void>): Promise<void> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { openDurable } = await import('../../../src/emulator/store/durable.ts');
  const dir = mkdtempSync(join(tmpdir(), 'node-lifecycle-durable-'));
  const clock = new EmulatorClock({ mode: 'real' });
  const durable = await openDurable(dir, { clock });
  const c = await createCluster({ nodes: 3, noHttp: true, clock, store: durable.store });
  try {
    await fn(c);
  } finally {
    await c.stop();
    await durable.close();
    clock.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a fast-forward past the grace period marks a stopped node Unknown even when a pass waits on a durable write meanwhile', async () => {
  await withDurableCluster(async (c) => {
    const nodes = c.api.resource('nodes');
    for (let run = 0; run < 3; run++) {
      // A node just added: the controller writes its RegisteredNode event (an fsync) at its next pass.
      const name = await c.addNode({ cpu: '1', memory: '2Gi' });
      const ready = async () => ((await c.api.get(nodes, undefined, name)).status?.conditions ?? []).find((x: Obj) => x.type === 'Ready')?.status;
      for (let i = 0; i < 100 && (await ready()) !== 'True'; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      c.stopNode(name);
      await c.advanceClock(120_000);
      let status = await ready();
      for (let i = 0; i < 20 && status !== 'Unknown'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = await ready();
      }
      assert.equal(status, 'Unknown', `${name} after a 2m fast-forward (run ${run})`);
    }
  });
});

test('a 6m fast-forward on a durable store: only the stopped node goes NotReady; the others stay Ready and their pods too', async () => {
  // The fast-forward waits at each instant for the durable writes in flight (clock.ts addBarrier):
  // without it, the healthy nodes' lease renewals were still being written when the controller
  // looked, and they were marked NotReady with their pods.
  await withDurableCluster(async (c) => {
    const nodes = c.api.resource('nodes');
    const names: string[] = (await c.api.list(nodes, undefined)).items.map((n: Obj) => n.metadata.name);
    const readyOf = async (name: string) => ((await c.api.get(nodes, undefined, name)).status?.conditions ?? []).find((x: Obj) => x.type === 'Ready')?.status;
    for (const n of names) for (let i = 0; i < 100 && (await readyOf(n)) !== 'True'; i++) await new Promise((r) => setTimeout(r, 50));
    const [stopped, ...healthy] = names;
    c.stopNode(stopped);
    await c.advanceClock(60_000);
    await c.advanceClock(300_000);
    assert.equal(await readyOf(stopped), 'Unknown');
    for (const n of healthy) assert.equal(await readyOf(n), 'True', `${n} stayed Ready`);
    const events = (await c.api.list(c.api.resource('events'), undefined)).items.filter((e: Obj) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node');
    assert.deepEqual(events.map((e: Obj) => e.involvedObject.name), [stopped]);
  });
});
