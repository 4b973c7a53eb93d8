// The DaemonSet controller (pkg/controller/daemon) in an in-process cluster on virtual time: one pod
// per node pinned by node affinity and run by the kubelets, nodes joining and leaving, node
// selectors and taints, the daemon tolerations, rolling updates with ControllerRevisions, status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { addDaemonPodTolerations, nodeShouldRunDaemonPod } from '../../../src/emulator/controllers/daemonset.ts';

async function withCluster(nodes: number, fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

async function until(c: Cluster, check: () => Promise<boolean>, what: string, stepMs = 1000): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    for (let j = 0; j < 5; j++) await tick();
    if (await check()) return;
    await c.advanceClock(stepMs);
  }
  assert.fail(`never: ${what}`);
}

const dsBody = (name: string, extra: Obj = {}, image = 'nginx:1.27'): Obj => ({
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } }, ...extra },
});

async function podsOf(c: Cluster, owner: Obj): Promise<Obj[]> {
  const { items } = await c.api.list(c.api.resource('pods'), owner.metadata.namespace);
  return items.filter((p) => !p.metadata.deletionTimestamp && (p.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid && r.controller));
}

test('a DaemonSet runs one pod per node; a node that joins gets one, a deleted node loses it', async () => {
  await withCluster(3, async (c) => {
    const def = c.api.resource('daemonsets.apps');
    const ds = await c.api.create(def, 'default', dsBody('agent'));
    await until(c, async () => (await c.api.get(def, 'default', 'agent')).status?.numberAvailable === 3, '3 available');
    const st = (await c.api.get(def, 'default', 'agent')).status;
    assert.equal(st.desiredNumberScheduled, 3);
    assert.equal(st.currentNumberScheduled, 3);
    assert.equal(st.numberReady, 3);
    assert.equal(st.updatedNumberScheduled, 3);
    assert.equal(st.numberMisscheduled, 0);
    assert.equal(st.observedGeneration, 1);
    const pods = await podsOf(c, ds);
    assert.equal(pods.length, 3);
    const nodes = (await c.api.list(c.api.resource('nodes'), undefined)).items.map((n) => n.metadata.name).sort();
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), nodes);
    const revs = (await c.api.list(c.api.resource('controllerrevisions.apps'), 'default')).items;
    assert.equal(revs.length, 1);
    const hash = revs[0].metadata.labels['controller-revision-hash'];
    assert.equal(revs[0].metadata.name, `agent-${hash}`);
    assert.equal(revs[0].revision, 1);
    assert.equal(revs[0].data.spec.template.$patch, 'replace');
    for (const p of pods) {
      assert.equal(p.status.phase, 'Running');
      assert.equal(p.metadata.labels['controller-revision-hash'], hash);
      assert.equal(p.metadata.labels['pod-template-generation'], '1');
      assert.deepEqual(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] },
      ]);
      assert.deepEqual(
        p.spec.tolerations.map((t: Obj) => `${t.key}:${t.operator}:${t.effect}`),
        [
          'node.kubernetes.io/not-ready:Exists:NoExecute',
          'node.kubernetes.io/unreachable:Exists:NoExecute',
          'node.kubernetes.io/disk-pressure:Exists:NoSchedule',
          'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
          'node.kubernetes.io/pid-pressure:Exists:NoSchedule',
          'node.kubernetes.io/unschedulable:Exists:NoSchedule',
        ],
      );
    }
    const { items: ev } = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `involvedObject.uid=${ds.metadata.uid}` });
    assert.deepEqual(ev.map((e) => `${e.reason} ${e.source.component}`).sort(), Array(3).fill('SuccessfulCreate daemonset-controller'));

    const added = await c.addNode();
    await until(c, async () => (await podsOf(c, ds)).some((p) => p.spec.nodeName === added && p.status?.phase === 'Running'), 'a pod on the new node');
    await until(c, async () => (await c.api.get(def, 'default', 'agent')).status?.numberAvailable === 4, '4 available');

    await c.deleteNode(added);
    await until(c, async () => (await c.api.get(def, 'default', 'agent')).status?.desiredNumberScheduled === 3, 'desired 3 again');
    await until(c, async () => (await podsOf(c, ds)).every((p) => p.spec.nodeName !== added), 'the removed node has no pod');
  });
});

test('nodeSelector and taints choose the nodes; a NoExecute taint evicts, NoSchedule does not', () => {
  const ds = dsBody('x', {});
  ds.spec.template.spec.nodeSelector = { disk: 'ssd' };
  const node = (labels: Obj, taints: Obj[] = []) => ({ metadata: { name: 'n', labels }, spec: { taints } });
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }), ds), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'hdd' }), ds), [false, false]);
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }, [{ key: 'k', effect: 'NoSchedule' }]), ds), [false, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }, [{ key: 'k', effect: 'NoExecute' }]), ds), [false, false]);
  // The daemon tolerations: an unschedulable or not-ready node still runs daemon pods.
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), ds), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), ds), [true, true]);
  assert.deepEqual(nodeShouldRunDaemonPod(node({ disk: 'ssd' }, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), ds), [false, true]);
  assert.ok(addDaemonPodTolerations({ hostNetwork: true }).tolerations.some((t: Obj) => t.key === 'node.kubernetes.io/network-unavailable'));
});

test('a node selector limits the pods; relabelling a node adds and removes its pod', async () => {
  await withCluster(2, async (c) => {
    const def = c.api.resource('daemonsets.apps');
    const nodes = (await c.api.list(c.api.resource('nodes'), undefined)).items.map((n) => n.metadata.name).sort();
    await c.api.patch(c.api.resource('nodes'), undefined, nodes[0], 'merge', { metadata: { labels: { role: 'log' } } });
    const body = dsBody('sel');
    body.spec.template.spec.nodeSelector = { role: 'log' };
    const ds = await c.api.create(def, 'default', body);
    await until(c, async () => (await c.api.get(def, 'default', 'sel')).status?.numberReady === 1, '1 ready');
    assert.deepEqual((await podsOf(c, ds)).map((p) => p.spec.nodeName), [nodes[0]]);
    assert.equal((await c.api.get(def, 'default', 'sel')).status.desiredNumberScheduled, 1);
    await c.api.patch(c.api.resource('nodes'), undefined, nodes[1], 'merge', { metadata: { labels: { role: 'log' } } });
    await until(c, async () => (await c.api.get(def, 'default', 'sel')).status?.numberReady === 2, '2 ready');
    await c.api.patch(c.api.resource('nodes'), undefined, nodes[0], 'merge', { metadata: { labels: { role: null } } });
    await until(c, async () => (await podsOf(c, ds)).map((p) => p.spec.nodeName).join() === nodes[1], 'only on the labelled node');
  });
});

test('RollingUpdate replaces pods node by node with a new ControllerRevision; OnDelete waits for deletions', async () => {
  await withCluster(3, async (c) => {
    const def = c.api.resource('daemonsets.apps');
    const ds = await c.api.create(def, 'default', dsBody('roll'));
    await until(c, async () => (await c.api.get(def, 'default', 'roll')).status?.numberAvailable === 3, '3 available');
    await c.api.patch(def, 'default', 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } });
    await until(c, async () => {
      const st = (await c.api.get(def, 'default', 'roll')).status;
      return st.updatedNumberScheduled === 3 && st.numberAvailable === 3 && st.observedGeneration === 2;
    }, 'rolled out');
    const pods = await podsOf(c, ds);
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'nginx:1.26'));
    const revs = (await c.api.list(c.api.resource('controllerrevisions.apps'), 'default')).items.sort((a, b) => a.revision - b.revision);
    assert.deepEqual(revs.map((r) => r.revision), [1, 2]);
    assert.ok(pods.every((p) => p.metadata.labels['controller-revision-hash'] === revs[1].metadata.labels['controller-revision-hash']));

    await c.api.patch(def, 'default', 'roll', 'merge', { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } });
    await c.api.patch(def, 'default', 'roll', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } });
    await until(c, async () => (await c.api.get(def, 'default', 'roll')).status?.observedGeneration === 4, 'observed');
    for (let i = 0; i < 5; i++) await c.advanceClock(1000);
    assert.ok((await podsOf(c, ds)).every((p) => p.spec.containers[0].image === 'nginx:1.26'));
    assert.equal((await c.api.get(def, 'default', 'roll')).status.updatedNumberScheduled ?? 0, 0);
    const victim = (await podsOf(c, ds))[0];
    await c.api.delete(c.api.resource('pods'), 'default', victim.metadata.name);
    await until(c, async () => (await podsOf(c, ds)).filter((p) => p.spec.containers[0].image === 'nginx:1.25' && p.status?.phase === 'Running').length === 1, 'one pod replaced with the new template');
  });
});
