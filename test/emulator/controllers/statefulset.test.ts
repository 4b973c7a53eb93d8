// The StatefulSet controller (pkg/controller/statefulset) in an in-process cluster on virtual time:
// ordered creation and reverse-ordered deletion, Parallel, stable identities, PVCs from
// volumeClaimTemplates bound by the provisioner, rolling updates with a partition, OnDelete, status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 3, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
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

const stsBody = (name: string, replicas: number, extra: Obj = {}, image = 'nginx:1.27'): Obj => ({
  metadata: { name },
  spec: {
    replicas,
    serviceName: 'nginx',
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image, volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    ...extra,
  },
});

async function livePods(c: Cluster, ns = 'default'): Promise<Obj[]> {
  return (await c.api.list(c.api.resource('pods'), ns)).items.filter((p) => !p.metadata.deletionTimestamp);
}

test('OrderedReady: web-0 is Running and Ready before web-1 is created; identities, labels and bound PVCs', async () => {
  await withCluster(async (c) => {
    const def = c.api.resource('statefulsets.apps');
    // Each pod's creation, with how many pods were Ready when it was created (in watch order).
    const created: string[] = [];
    const ready = new Set<string>();
    const w = await c.api.watch(c.api.resource('pods'), 'default', {}, (ev) => {
      if (ev.type === 'ADDED') created.push(`${ev.object.metadata.name}@${ready.size}`);
      if ((ev.object.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True')) ready.add(ev.object.metadata.name);
    });
    const set = await c.api.create(def, 'default', stsBody('web', 3));
    await until(c, async () => (await c.api.get(def, 'default', 'web')).status?.readyReplicas === 3, '3 ready');
    w.stop();
    assert.deepEqual(created, ['web-0@0', 'web-1@1', 'web-2@2']);
    const pods = (await livePods(c)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const st = (await c.api.get(def, 'default', 'web')).status;
    assert.equal(st.replicas, 3);
    assert.equal(st.availableReplicas, 3);
    assert.equal(st.currentReplicas, 3);
    assert.equal(st.updatedReplicas, 3);
    assert.equal(st.currentRevision, st.updateRevision);
    assert.match(st.currentRevision, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(st.collisionCount, 0);
    assert.equal(st.observedGeneration, 1);
    pods.forEach((p, i) => {
      assert.equal(p.metadata.name, `web-${i}`);
      assert.equal(p.spec.hostname, `web-${i}`);
      assert.equal(p.spec.subdomain, 'nginx');
      assert.deepEqual(p.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': st.currentRevision });
      assert.deepEqual(p.spec.volumes[0], { name: 'www', persistentVolumeClaim: { claimName: `www-web-${i}` } });
      assert.equal(p.status.phase, 'Running');
    });
    const claims = (await c.api.list(c.api.resource('persistentvolumeclaims'), 'default')).items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    assert.deepEqual(claims.map((x) => x.metadata.name), ['www-web-0', 'www-web-1', 'www-web-2']);
    await until(c, async () => (await c.api.list(c.api.resource('persistentvolumeclaims'), 'default')).items.every((x) => x.status?.phase === 'Bound'), 'claims bound');
    assert.deepEqual(claims[0].metadata.labels, { app: 'web' });
    const { items: ev } = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `involvedObject.uid=${set.metadata.uid}` });
    const msgs = ev.map((e) => e.message);
    assert.ok(msgs.includes('create Pod web-0 in StatefulSet web successful'), msgs.join('\n'));
    assert.ok(msgs.includes('create Claim www-web-0 Pod web-0 in StatefulSet web success'), msgs.join('\n'));
    assert.ok(ev.every((e) => e.source.component === 'statefulset-controller'));

    // Scale down: highest ordinal first; the claims stay (whenScaled Retain).
    const deleted: string[] = [];
    const w2 = await c.api.watch(c.api.resource('pods'), 'default', {}, (e) => {
      if (e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp && !deleted.includes(e.object.metadata.name)) deleted.push(e.object.metadata.name);
    });
    await c.api.patch(def, 'default', 'web', 'merge', { spec: { replicas: 1 } });
    await until(c, async () => (await c.api.list(c.api.resource('pods'), 'default')).items.length === 1, 'one pod left');
    w2.stop();
    assert.deepEqual(deleted, ['web-2', 'web-1']);
    assert.equal((await c.api.list(c.api.resource('persistentvolumeclaims'), 'default')).items.length, 3);
    await until(c, async () => (await c.api.get(def, 'default', 'web')).status?.replicas === 1, 'status 1');
  });
});

test('Parallel creates every pod at once; RollingUpdate with a partition updates only ordinals ≥ partition, highest first', async () => {
  await withCluster(async (c) => {
    const def = c.api.resource('statefulsets.apps');
    await c.api.create(def, 'default', stsBody('par', 3, { podManagementPolicy: 'Parallel', volumeClaimTemplates: [] }));
    await until(c, async () => (await livePods(c)).length === 3, '3 pods', 0);
    await until(c, async () => (await c.api.get(def, 'default', 'par')).status?.readyReplicas === 3, '3 ready');
    const rev1 = (await c.api.get(def, 'default', 'par')).status.currentRevision;
    await c.api.patch(def, 'default', 'par', 'merge', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } } });
    await c.api.patch(def, 'default', 'par', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await until(c, async () => {
      const st = (await c.api.get(def, 'default', 'par')).status;
      return st.updatedReplicas === 2 && st.readyReplicas === 3;
    }, '2 updated');
    const st = (await c.api.get(def, 'default', 'par')).status;
    assert.equal(st.currentRevision, rev1);
    assert.notEqual(st.updateRevision, rev1);
    const image = async (n: string) => (await c.api.get(c.api.resource('pods'), 'default', n)).spec.containers[0].image;
    assert.equal(await image('par-0'), 'nginx:1.27');
    assert.equal(await image('par-1'), 'nginx:1.26');
    assert.equal(await image('par-2'), 'nginx:1.26');
    const revs = (await c.api.list(c.api.resource('controllerrevisions.apps'), 'default')).items;
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    // Partition 0: the last one goes, and the update revision becomes current.
    await c.api.patch(def, 'default', 'par', 'merge', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    await until(c, async () => {
      const s = (await c.api.get(def, 'default', 'par')).status;
      return s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.readyReplicas === 3;
    }, 'rolled out');
    assert.equal(await image('par-0'), 'nginx:1.26');
  });
});

test('OnDelete: a new template reaches a pod only when it is deleted', async () => {
  await withCluster(async (c) => {
    const def = c.api.resource('statefulsets.apps');
    await c.api.create(def, 'default', stsBody('od', 2, { updateStrategy: { type: 'OnDelete' }, volumeClaimTemplates: [] }));
    await until(c, async () => (await c.api.get(def, 'default', 'od')).status?.readyReplicas === 2, '2 ready');
    await c.api.patch(def, 'default', 'od', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } } });
    await until(c, async () => (await c.api.get(def, 'default', 'od')).status?.observedGeneration === 2, 'observed');
    for (let i = 0; i < 5; i++) await c.advanceClock(1000);
    assert.equal((await c.api.get(c.api.resource('pods'), 'default', 'od-1')).spec.containers[0].image, 'nginx:1.27');
    await c.api.delete(c.api.resource('pods'), 'default', 'od-1');
    await until(c, async () => {
      const p = await c.api.tryGet(c.api.resource('pods'), 'default', 'od-1');
      return p?.spec.containers[0].image === 'nginx:1.26' && p.status?.phase === 'Running';
    }, 'od-1 recreated with the new template');
    assert.equal((await c.api.get(c.api.resource('pods'), 'default', 'od-0')).spec.containers[0].image, 'nginx:1.27');
  });
});

test('a failed pod is deleted and recreated under the same name (RecreatingFailedPod)', async () => {
  await withCluster(async (c) => {
    const def = c.api.resource('statefulsets.apps');
    const podsDef = c.api.resource('pods');
    const set = await c.api.create(def, 'default', stsBody('fl', 1, { volumeClaimTemplates: [] }));
    await until(c, async () => (await c.api.get(def, 'default', 'fl')).status?.readyReplicas === 1, '1 ready');
    const before = await c.api.get(podsDef, 'default', 'fl-0');
    // As the kubelet reports an evicted pod.
    await c.api.update(podsDef, 'default', 'fl-0', { ...before, status: { ...before.status, phase: 'Failed', reason: 'Evicted' } }, { subresource: 'status' });
    await until(c, async () => {
      const p = await c.api.tryGet(podsDef, 'default', 'fl-0');
      return !!p && p.metadata.uid !== before.metadata.uid && p.status?.phase === 'Running';
    }, 'fl-0 recreated');
    const { items: ev } = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `involvedObject.uid=${set.metadata.uid}` });
    const e = ev.find((x) => x.reason === 'RecreatingFailedPod');
    assert.ok(e, ev.map((x) => x.reason).join());
    assert.equal(e.type, 'Warning');
    assert.equal(e.message, 'StatefulSet default/fl is recreating failed Pod fl-0');
  });
});
