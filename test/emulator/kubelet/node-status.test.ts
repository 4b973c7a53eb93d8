// The kubelet's node status reports (kubelet.ts reportStatus, after kubelet_node_status.go
// tryUpdateNodeStatus): an unchanged status is written only every nodeStatusReportFrequency (5 min),
// a changed one at the next heartbeat (10 s): a live node that the lifecycle controller marked
// Unknown (it missed heartbeats) is Ready again 10 s later, and its pods with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { createPod, podSpec, testCluster } from './helpers.ts';

test('a live node marked Unknown by someone else is reported Ready at the next heartbeat; unchanged, the status is not rewritten', async () => {
  const { c } = await testCluster();
  try {
    const nodes = c.api.resource('nodes');
    const name = (await c.api.list(nodes, undefined)).items[0].metadata.name;
    await c.advanceClock(30_000);
    // Unchanged: no status write for a minute (heartbeats renew the Lease only).
    const rv0 = (await c.api.get(nodes, undefined, name)).metadata.resourceVersion;
    await c.advanceClock(60_000);
    assert.equal((await c.api.get(nodes, undefined, name)).metadata.resourceVersion, rv0, 'an unchanged status is not written every heartbeat');
    // The controller's write: Ready Unknown.
    const cur = structuredClone(await c.api.get(nodes, undefined, name));
    cur.status.conditions = cur.status.conditions.map((x: Obj) =>
      x.type === 'Ready' ? { ...x, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : x,
    );
    await c.api.update(nodes, undefined, name, cur, { subresource: 'status' });
    await c.advanceClock(10_000);
    const ready = (await c.api.get(nodes, undefined, name)).status.conditions.find((x: Obj) => x.type === 'Ready');
    assert.equal(ready.status, 'True');
    assert.equal(ready.reason, 'KubeletReady');
  } finally {
    await c.stop();
  }
});

test('a pod marked not Ready by the node lifecycle controller while its kubelet is alive is Ready again at once', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('p', { containers: [{ name: 'main', image: 'busybox:1.36', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(5_000);
    const pods = c.api.resource('pods');
    const readyOf = async () => (await c.api.get(pods, 'default', 'p')).status.conditions.find((x: Obj) => x.type === 'Ready')?.status;
    assert.equal(await readyOf(), 'True');
    // MarkPodsNotReady's write (pkg/controller/util/node/controller_utils.go).
    const cur = structuredClone(await c.api.get(pods, 'default', 'p'));
    cur.status.conditions = cur.status.conditions.map((x: Obj) => (x.type === 'Ready' ? { ...x, status: 'False', lastTransitionTime: new Date(c.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') } : x));
    await c.api.update(pods, 'default', 'p', cur, { subresource: 'status' });
    await c.advanceClock(10_000);
    assert.equal(await readyOf(), 'True');
  } finally {
    await c.stop();
  }
});

test('status writes that keep conflicting (409) are tried again from the latest object, then later: the pod still reaches Running', async () => {
  const { c } = await testCluster();
  const { ApiError } = await import('../../../src/emulator/api/errors.ts');
  const real = c.api.update.bind(c.api);
  let conflicts = 0;
  // The write that makes the pod Ready conflicts three times in a row (other writers changing the
  // pod meanwhile): the kubelet used to give up then, and nothing else would make it write again.
  c.api.update = (async (def, ns, name, body, opts) => {
    const ready = ((body as Obj)?.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');
    if (def.resource === 'pods' && opts?.subresource === 'status' && name === 'p' && ready && conflicts < 3) {
      conflicts++;
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again`);
    }
    return real(def, ns, name, body, opts);
  }) as typeof c.api.update;
  try {
    await createPod(c, podSpec('p', { containers: [{ name: 'main', image: 'busybox:1.36', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(5_000);
    const pod = await c.api.get(c.api.resource('pods'), 'default', 'p');
    assert.equal(conflicts, 3);
    assert.equal(pod.status.phase, 'Running');
    assert.equal(pod.status.conditions.find((x: Obj) => x.type === 'Ready')?.status, 'True');
  } finally {
    c.api.update = real;
    await c.stop();
  }
});

test('a status write refused for another reason (a 500, or an error thrown) is tried again at the next status sync, not dropped', async () => {
  const { c } = await testCluster();
  const { ApiError } = await import('../../../src/emulator/api/errors.ts');
  const real = c.api.update.bind(c.api);
  let failing = true;
  let failures = 0;
  // Every write that makes the pod Ready fails while `failing`: refused (500), then thrown, in turn.
  c.api.update = (async (def, ns, name, body, opts) => {
    const ready = ((body as Obj)?.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');
    if (failing && def.resource === 'pods' && opts?.subresource === 'status' && name === 'p' && ready) {
      if (failures++ % 2 === 0) throw new ApiError(500, 'InternalError', 'Internal error occurred: the store is busy');
      throw new TypeError('a bug in a writer');
    }
    return real(def, ns, name, body, opts);
  }) as typeof c.api.update;
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  const readyOf = async () => (await c.api.get(c.api.resource('pods'), 'default', 'p')).status.conditions.find((x: Obj) => x.type === 'Ready')?.status;
  try {
    await createPod(c, podSpec('p', { containers: [{ name: 'main', image: 'busybox:1.36', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(15_000);
    assert.ok(failures >= 2, `${failures} failed writes`);
    assert.equal(await readyOf(), 'False', 'no Ready write got through');
    // The store works again: nothing else changes on the node, and the next sync writes the status.
    failing = false;
    await c.advanceClock(10_000);
    assert.equal(await readyOf(), 'True');
    assert.equal((await c.api.get(c.api.resource('pods'), 'default', 'p')).status.phase, 'Running');
    assert.ok(warnings.some((w) => w.includes('failed to update status for pod default/p: Internal error occurred: the store is busy')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('failed to update status for pod default/p: a bug in a writer')), warnings.join('\n'));
  } finally {
    console.warn = warn;
    c.api.update = real;
    await c.stop();
  }
});

test('a node back from an outage records the setters\' transitions: NodeHasSufficientMemory, NodeHasNoDiskPressure, NodeHasSufficientPID, NodeReady', async () => {
  const { c } = await testCluster(2);
  try {
    const name = [...c.kubelets.keys()][1];
    const events = async () =>
      (await c.api.list(c.api.resource('events'), 'default')).items
        .filter((e: Obj) => e.involvedObject?.kind === 'Node' && e.involvedObject.name === name)
        .map((e: Obj) => `${e.reason} x${e.count ?? 1}: ${e.message}`)
        .sort();
    await c.advanceClock(10_000);
    const before = await events();
    assert.ok(!before.some((e) => e.startsWith('NodeReady')), 'a fresh node reports Ready without a NodeReady event');
    c.stopNode(name);
    // The node lifecycle controller: no heartbeat for 40 s, every condition Unknown.
    await c.advanceClock(60_000);
    const node = await c.api.get(c.api.resource('nodes'), undefined, name);
    assert.equal(node.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'Unknown');
    await c.startNode(name);
    await c.advanceClock(1_000);
    const after = await events();
    for (const r of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
      assert.ok(after.includes(`${r} x2: Node ${name} status is now: ${r}`), `${r} again, in ${after.join(' | ')}`);
    }
    assert.ok(after.includes(`NodeReady x1: Node ${name} status is now: NodeReady`), after.join(' | '));
  } finally {
    await c.stop();
  }
});
