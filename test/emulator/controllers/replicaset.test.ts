// The ReplicaSet controller and the replication manager (pkg/controller/replicaset,
// pkg/controller/replication) in an in-process cluster on virtual time: pods really scheduled and
// Running, status, scaling through /scale, self-healing, adoption and release, minReadySeconds,
// FailedCreate with the ReplicaFailure condition, and deletion with the ReplicaSet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { scaleOf } from '../../../src/emulator/api/scale.ts';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { SharedInformers } from '../../../src/emulator/client/informer-factory.ts';
import { REPLICA_SET, ReplicaSetController } from '../../../src/emulator/controllers/replicaset.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 2, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

/** Until `check` holds: lets watches run, then moves virtual time by `stepMs` (bounded). */
async function until(c: Cluster, check: () => Promise<boolean>, what: string, stepMs = 1000): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    for (let j = 0; j < 5; j++) await tick();
    if (await check()) return;
    await c.advanceClock(stepMs);
  }
  assert.fail(`never: ${what}`);
}

const template = (labels: Obj) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } });
const rsBody = (name: string, replicas: number, extra: Obj = {}): Obj => ({
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: template({ app: name }), ...extra },
});

async function podsOf(c: Cluster, owner: Obj): Promise<Obj[]> {
  const { items } = await c.api.list(c.api.resource('pods'), owner.metadata.namespace);
  return items.filter((p) => (p.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid && r.controller));
}
const live = (pods: Obj[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

async function events(c: Cluster, obj: Obj): Promise<Obj[]> {
  const { items } = await c.api.list(c.api.resource('events'), obj.metadata.namespace, { fieldSelector: `involvedObject.uid=${obj.metadata.uid}` });
  return items;
}

test('a ReplicaSet creates its pods, they run, and its status counts them', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 3));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.availableReplicas === 3, '3 available');
    const cur = await c.api.get(rsDef, 'default', 'web');
    assert.deepEqual(cur.status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    const pods = await podsOf(c, rs);
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.match(p.metadata.name, /^web-[a-z0-9]{5}$/);
      assert.equal(p.metadata.generateName, 'web-');
      assert.deepEqual(p.metadata.labels, { app: 'web' });
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.equal(p.status.phase, 'Running');
      assert.ok(p.spec.nodeName);
    }
    const ev = await events(c, rs);
    assert.deepEqual(ev.map((e) => [e.type, e.reason, e.source.component]).sort(), Array(3).fill(['Normal', 'SuccessfulCreate', 'replicaset-controller']));
    assert.deepEqual(ev.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });
});

test('self-healing: a deleted pod is replaced; scaling through /scale adds and deletes pods', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const pods = c.api.resource('pods');
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 3));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 3, '3 ready');
    const [victim] = await podsOf(c, rs);
    await c.api.delete(pods, 'default', victim.metadata.name);
    // The replacement comes while the old pod is still terminating (its deletionTimestamp counts as gone).
    await until(c, async () => live(await podsOf(c, rs)).length === 3 && !live(await podsOf(c, rs)).some((p) => p.metadata.name === victim.metadata.name), 'replacement');
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 3, 'ready again');
    await until(c, async () => !(await c.api.tryGet(pods, 'default', victim.metadata.name)), 'victim gone', 5000);

    await c.api.patch(rsDef, 'default', 'web', 'merge', { spec: { replicas: 1 } }, { subresource: 'scale' });
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.replicas === 1, 'scaled to 1');
    const down = await c.api.get(rsDef, 'default', 'web');
    assert.equal(down.status.observedGeneration, 2);
    const deleted = (await events(c, rs)).filter((e) => e.reason === 'SuccessfulDelete');
    assert.equal(deleted.length, 2);
    for (const e of deleted) assert.match(e.message, /^Deleted pod: web-[a-z0-9]{5}$/);

    await c.api.patch(rsDef, 'default', 'web', 'merge', { spec: { replicas: 4 } }, { subresource: 'scale' });
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 4, 'scaled to 4');
    assert.equal(live(await podsOf(c, rs)).length, 4);
    const scale = scaleOf(rsDef, await c.api.get(rsDef, 'default', 'web'));
    assert.deepEqual([scale.spec.replicas, scale.status.replicas, scale.status.selector], [4, 4, 'app=web']);
  });
});

test('adoption and release: a matching orphan is adopted, a pod whose labels change is released and replaced', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', { metadata: { name: 'stray', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } });
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 2));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.replicas === 2, '2 replicas');
    const stray = await c.api.get(pods, 'default', 'stray');
    assert.deepEqual(stray.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal((await events(c, rs)).filter((e) => e.reason === 'SuccessfulCreate').length, 1, 'only one pod created');

    await c.api.patch(pods, 'default', 'stray', 'merge', { metadata: { labels: { app: 'debug' } } });
    await until(c, async () => !(await c.api.get(pods, 'default', 'stray')).metadata.ownerReferences?.length, 'released');
    await until(c, async () => live(await podsOf(c, rs)).length === 2 && (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 2, 'replaced');
    assert.ok(!(await podsOf(c, rs)).some((p) => p.metadata.name === 'stray'));
    assert.ok(await c.api.tryGet(pods, 'default', 'stray'), 'a released pod is left running');
  });
});

test('minReadySeconds: ready pods become available only after it', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    await c.api.create(rsDef, 'default', rsBody('web', 2, { minReadySeconds: 30 }));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 2, '2 ready');
    const ready = await c.api.get(rsDef, 'default', 'web');
    assert.equal(ready.status.availableReplicas, undefined, 'not available yet (omitted as zero)');
    await c.advanceClock(15_000);
    assert.equal((await c.api.get(rsDef, 'default', 'web')).status.availableReplicas, undefined);
    await c.advanceClock(20_000);
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.availableReplicas === 2, '2 available', 100);
  });
});

test('FailedCreate: a quota refusal gives the event and the ReplicaFailure condition; it clears once pods can be made', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const quotaDef = c.api.resource('resourcequotas');
    await c.api.create(quotaDef, 'default', { metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } });
    await until(c, async () => !!(await c.api.get(quotaDef, 'default', 'pods')).status?.hard, 'quota status');
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 3));
    await until(c, async () => !!(await c.api.get(rsDef, 'default', 'web')).status?.conditions, 'ReplicaFailure');
    const cur = await c.api.get(rsDef, 'default', 'web');
    assert.equal(cur.status.replicas, 1);
    const [cond] = cur.status.conditions;
    assert.equal(cond.type, 'ReplicaFailure');
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message, /^pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1$/);
    const failed = (await events(c, rs)).filter((e) => e.reason === 'FailedCreate');
    assert.ok(failed.length >= 1);
    assert.equal(failed[0].type, 'Warning');
    assert.match(failed[0].message, /^Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1$/);
    await c.api.patch(quotaDef, 'default', 'pods', 'merge', { spec: { hard: { pods: '10' } } });
    await until(c, async () => {
      const s = (await c.api.get(rsDef, 'default', 'web')).status;
      return s?.replicas === 3 && s.conditions === undefined;
    }, 'recovered', 5000);
  });
});

test('a ReplicationController keeps its pods too, with replication-controller events', async () => {
  await withCluster(async (c) => {
    const rcDef = c.api.resource('replicationcontrollers');
    const pods = c.api.resource('pods');
    const rc = await c.api.create(rcDef, 'default', { metadata: { name: 'legacy' }, spec: { replicas: 2, template: template({ app: 'legacy' }) } });
    await until(c, async () => (await c.api.get(rcDef, 'default', 'legacy')).status?.readyReplicas === 2, '2 ready');
    const ps = await podsOf(c, rc);
    assert.equal(ps.length, 2);
    assert.deepEqual(ps[0].metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const ev = await events(c, rc);
    assert.deepEqual(ev.map((e) => `${e.reason}/${e.source.component}`), ['SuccessfulCreate/replication-controller', 'SuccessfulCreate/replication-controller']);
    await c.api.delete(pods, 'default', ps[0].metadata.name);
    await until(c, async () => live(await podsOf(c, rc)).length === 2 && !live(await podsOf(c, rc)).some((p) => p.metadata.name === ps[0].metadata.name), 'replaced');
    await c.api.patch(rcDef, 'default', 'legacy', 'merge', { spec: { replicas: 0 } }, { subresource: 'scale' });
    await until(c, async () => (await c.api.get(rcDef, 'default', 'legacy')).status?.replicas === 0, 'scaled to 0');
    assert.deepEqual((await c.api.get(rcDef, 'default', 'legacy')).status, { replicas: 0, observedGeneration: 2 });
  });
});

test('scale-down deletes the least useful pods first (not ready before ready)', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 2));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.readyReplicas === 2, '2 ready');
    // A third pod that cannot start (its image does not exist) is the one to go.
    await c.api.patch(rsDef, 'default', 'web', 'merge', { spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'example.invalid/nope:1' }] } } } });
    await until(c, async () => live(await podsOf(c, rs)).length === 3, '3 pods');
    const bad = live(await podsOf(c, rs)).find((p) => p.spec.containers[0].image === 'example.invalid/nope:1')!;
    await c.api.patch(rsDef, 'default', 'web', 'merge', { spec: { replicas: 2 } });
    await until(c, async () => live(await podsOf(c, rs)).length === 2, 'back to 2');
    assert.ok(!live(await podsOf(c, rs)).some((p) => p.metadata.name === bad.metadata.name), 'the not-ready pod was deleted');
  });
});

test('deleting a ReplicaSet deletes its pods (garbage collector, background)', async () => {
  await withCluster(async (c) => {
    const rsDef = c.api.resource('replicasets.apps');
    const rs = await c.api.create(rsDef, 'default', rsBody('web', 2));
    await until(c, async () => (await c.api.get(rsDef, 'default', 'web')).status?.replicas === 2, '2 pods');
    await c.api.delete(rsDef, 'default', 'web');
    await until(c, async () => (await podsOf(c, rs)).length === 0, 'pods gone', 5000);
    assert.equal((await c.api.list(c.api.resource('pods'), 'default')).items.length, 0);
  });
});

// ---- burst and slow start, on an apiserver alone (no kubelets), with the pod writes counted ----

async function standalone(burst: number, failAfter = Infinity) {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const log: string[] = [];
  let inFlight = 0;
  let made = 0;
  // The controller writes through this view: pod creations are logged with how many run at once.
  const spy = new Proxy(api, {
    get(target, prop) {
      if (prop === 'create') {
        return async (def: Obj, ns: string, body: Obj) => {
          if (def.resource !== 'pods') return target.create(def as never, ns, body);
          inFlight++;
          log.push(`create(${inFlight})`);
          await Promise.resolve();
          inFlight--;
          if (made >= failAfter) throw new ApiError(403, 'Forbidden', `pods "${body.metadata.generateName}x" is forbidden: refused`);
          made++;
          return target.create(def as never, ns, body);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const ctl = new ReplicaSetController(spy, clock, new SharedInformers(api), REPLICA_SET, burst);
  const sync = (ctl as unknown as { syncReplicaSet: (k: string) => Promise<void> }).syncReplicaSet.bind(ctl);
  (ctl as unknown as { syncReplicaSet: (k: string) => Promise<void> }).syncReplicaSet = (k: string) => {
    log.push('sync');
    return sync(k);
  };
  await ctl.start();
  return { api, clock, ctl, log };
}

test('burstReplicas caps the pods one sync creates; each sync creates in slow-start batches (1, 2, 4)', async () => {
  const { api, ctl, log } = await standalone(3);
  try {
    await api.create(api.resource('replicasets.apps'), 'default', rsBody('web', 7));
    for (let i = 0; i < 50 && (await api.list(api.resource('pods'), 'default')).items.length < 7; i++) {
      await ctl.idle();
      await tick();
    }
    await ctl.idle();
    // Syncs that create nothing (waiting on expectations, or status only) are left out.
    const creating = log.join(' ').split('sync').map((s) => s.trim()).filter(Boolean);
    assert.deepEqual(creating, ['create(1) create(1) create(2)', 'create(1) create(1) create(2)', 'create(1)']);
    assert.equal((await api.list(api.resource('pods'), 'default')).items.length, 7);
    assert.equal((await api.get(api.resource('replicasets.apps'), 'default', 'web')).status.replicas, 7);
  } finally {
    ctl.stop();
  }
});

test('a refused creation stops the slow start: 1 + 2 + 4 attempts, 3 pods, FailedCreate and ReplicaFailure', async () => {
  const { api, ctl, log } = await standalone(500, 3);
  try {
    const rs = await api.create(api.resource('replicasets.apps'), 'default', rsBody('web', 10));
    for (let i = 0; i < 20; i++) {
      await ctl.idle();
      await tick();
    }
    const firstSync = log.join(' ').split('sync')[1].trim();
    assert.equal(firstSync, 'create(1) create(1) create(2) create(1) create(2) create(3) create(4)');
    const status = (await api.get(api.resource('replicasets.apps'), 'default', 'web')).status;
    assert.equal(status.replicas, 3);
    assert.deepEqual(
      status.conditions.map((c: Obj) => [c.type, c.status, c.reason, c.message]),
      [['ReplicaFailure', 'True', 'FailedCreate', 'pods "web-x" is forbidden: refused']],
    );
    const ev = await events({ api } as Cluster, rs);
    assert.ok(ev.some((e) => e.type === 'Warning' && e.reason === 'FailedCreate' && e.message === 'Error creating: pods "web-x" is forbidden: refused'));
  } finally {
    ctl.stop();
  }
});
