import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../src/emulator/clock.ts';
import type { Obj } from '../../src/emulator/api/objects.ts';

async function cluster(nodes = 3): Promise<Cluster> {
  return createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
}

const pod = (name: string, extra: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...extra }] },
});

test('three minikube-named nodes register Ready; the control plane has the role label and no taint', async () => {
  const c = await cluster();
  try {
    const { items } = await c.api.list(c.api.resource('nodes'), undefined);
    assert.deepEqual(items.map((n) => n.metadata.name), ['kube-emulator', 'kube-emulator-m02', 'kube-emulator-m03']);
    for (const n of items) {
      const ready = n.status.conditions.find((x: Obj) => x.type === 'Ready');
      assert.equal(ready.status, 'True');
      assert.equal(n.status.allocatable.pods, '110');
      assert.equal(n.metadata.labels['kubernetes.io/hostname'], n.metadata.name);
    }
    assert.equal(items[0].metadata.labels['node-role.kubernetes.io/control-plane'], '');
    assert.equal(items[0].spec.taints, undefined);
    assert.equal(items[1].metadata.labels['node-role.kubernetes.io/control-plane'], undefined);
    const ns = await c.api.list(c.api.resource('namespaces'), undefined);
    assert.deepEqual(ns.items.map((n) => n.metadata.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const dns = await c.api.get(c.api.resource('services'), 'kube-system', 'kube-dns');
    assert.equal(dns.spec.clusterIP, '10.96.0.10');
    assert.deepEqual(dns.spec.ports.map((p: Obj) => `${p.name}/${p.protocol}/${p.port}`), ['dns/UDP/53', 'dns-tcp/TCP/53', 'metrics/TCP/9153']);
  } finally {
    await c.stop();
  }
});

test('a pod is scheduled, pulled, started and Running with an IP from its node, with the kubelet events', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web'));
    await c.advanceClock(10_000);
    const p = await c.api.get(pods, 'default', 'web');
    assert.equal(p.status.phase, 'Running');
    assert.ok(p.spec.nodeName.startsWith('kube-emulator'));
    const node = c.kubelets.get(p.spec.nodeName)!;
    assert.ok(p.status.podIP.startsWith(node.podCIDR.slice(0, -4)), `${p.status.podIP} not in ${node.podCIDR}`);
    assert.equal(p.status.hostIP, node.internalIP);
    assert.equal(p.status.containerStatuses[0].ready, true);
    assert.ok(p.status.containerStatuses[0].state.running.startedAt);
    assert.equal(p.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'True');
    assert.equal(p.status.qosClass, 'BestEffort');
    const ev = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `involvedObject.uid=${p.metadata.uid}` });
    assert.deepEqual(ev.items.map((e) => e.reason), ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    assert.equal(ev.items[0].message, `Successfully assigned default/web to ${p.spec.nodeName}`);
    assert.equal(ev.items[3].message, 'Created container: web');
    // Each component is its own field manager, as its User-Agent makes it on a cluster.
    const managers = p.metadata.managedFields.map((m: Obj) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`);
    assert.ok(managers.includes('kubelet/Update/status'), managers.join(', '));
    const nodeManagers = (await c.api.get(c.api.resource('nodes'), undefined, p.spec.nodeName)).metadata.managedFields.map((m: Obj) => m.manager);
    assert.ok(nodeManagers.includes('kubelet'), nodeManagers.join(', '));
  } finally {
    await c.stop();
  }
});

test('pods that do not fit stay Pending with the scheduler message, and schedule when a node joins', async () => {
  const c = await cluster(2);
  try {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('big', { resources: { requests: { cpu: '3' } } }));
    await c.advanceClock(1_000);
    let p = await c.api.get(pods, 'default', 'big');
    assert.equal(p.spec.nodeName, undefined);
    const cond = p.status.conditions.find((x: Obj) => x.type === 'PodScheduled');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    await c.addNode({ cpu: '4' });
    await c.advanceClock(10_000);
    p = await c.api.get(pods, 'default', 'big');
    assert.equal(p.spec.nodeName, 'kube-emulator-m03');
    assert.equal(p.status.phase, 'Running');
  } finally {
    await c.stop();
  }
});

test('deleting a running pod terminates it gracefully and removes it', async () => {
  const c = await cluster(1);
  try {
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('web'));
    await c.advanceClock(10_000);
    const r = await c.api.delete(pods, 'default', 'web');
    assert.equal(r.deleted, false);
    assert.ok(r.object.metadata.deletionTimestamp);
    assert.equal(r.object.metadata.deletionGracePeriodSeconds, 30);
    await c.advanceClock(2_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'web'), undefined);
    const ev = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: 'reason=Killing' });
    assert.equal(ev.items[0].message, 'Stopping container web');
  } finally {
    await c.stop();
  }
});

test('a stopped node goes Unknown after the 50 s grace period and is tainted unreachable; start brings it back', async () => {
  const c = await cluster(2);
  try {
    const nodes = c.api.resource('nodes');
    c.stopNode('kube-emulator-m02');
    await c.advanceClock(40_000);
    let n = await c.api.get(nodes, undefined, 'kube-emulator-m02');
    assert.equal(n.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'True');
    // Unknown at the pass after the grace period; the NoExecute taint at the pass after that.
    await c.advanceClock(26_000);
    n = await c.api.get(nodes, undefined, 'kube-emulator-m02');
    const ready = n.status.conditions.find((x: Obj) => x.type === 'Ready');
    assert.equal(ready.status, 'Unknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(n.spec.taints.map((t: Obj) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    const other = await c.api.get(nodes, undefined, 'kube-emulator');
    assert.equal(other.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'True');
    await c.startNode('kube-emulator-m02');
    await c.advanceClock(6_000);
    n = await c.api.get(nodes, undefined, 'kube-emulator-m02');
    assert.equal(n.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'True');
    assert.equal(n.spec.taints, undefined);
  } finally {
    await c.stop();
  }
});

test('deleting a namespace empties it, then it goes', async () => {
  const c = await cluster(1);
  try {
    const nsDef = c.api.resource('namespaces');
    const pods = c.api.resource('pods');
    await c.api.create(nsDef, undefined, { metadata: { name: 'team' } });
    await c.api.create(pods, 'team', pod('web'));
    await c.advanceClock(10_000);
    const r = await c.api.delete(nsDef, undefined, 'team');
    assert.equal(r.object.status.phase, 'Terminating');
    await assert.rejects(c.api.create(pods, 'team', pod('late')), /unable to create new content in namespace team because it is being terminated/);
    await c.advanceClock(5_000);
    assert.equal(await c.api.tryGet(pods, 'team', 'web'), undefined);
    assert.equal(await c.api.tryGet(nsDef, undefined, 'team'), undefined);
  } finally {
    await c.stop();
  }
});
