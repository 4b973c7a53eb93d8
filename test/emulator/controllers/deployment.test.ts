// The Deployment controller (pkg/controller/deployment) in an in-process cluster on virtual time,
// with the ReplicaSet controller, scheduler and kubelets really running the pods; and its pure
// helpers (util/deployment_util.go, controller.ComputeHash).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import * as u from '../../../src/emulator/controllers/deployment-util.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>, nodes = 2): Promise<void> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
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

const deployment = (name: string, replicas: number, spec: Obj = {}, image = 'nginx:1.27'): Obj => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image }] } },
    ...spec,
  },
});

const defs = (c: Cluster) => ({ d: c.api.resource('deployments.apps'), rs: c.api.resource('replicasets.apps'), pods: c.api.resource('pods') });

async function replicaSetsOf(c: Cluster, d: Obj): Promise<Obj[]> {
  const { items } = await c.api.list(defs(c).rs, d.metadata.namespace);
  return items.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === d.metadata.uid && r.controller)).sort(u.byRevision);
}

async function events(c: Cluster, obj: Obj): Promise<string[]> {
  const { items } = await c.api.list(c.api.resource('events'), obj.metadata.namespace, { fieldSelector: `involvedObject.uid=${obj.metadata.uid}` });
  return items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)).map((e) => `${e.type} ${e.reason} ${e.source.component}: ${e.message}`);
}

async function setImage(c: Cluster, name: string, image: string, extra: Obj = {}): Promise<Obj> {
  return c.api.patch(defs(c).d, 'default', name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image }], ...extra } } } });
}

const complete = (c: Cluster, name: string) => async () => {
  const d = await c.api.get(defs(c).d, 'default', name);
  const s = d.status ?? {};
  const r = d.spec.replicas;
  return s.observedGeneration >= d.metadata.generation && s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r && u.getCondition(s, 'Progressing')?.reason === 'NewReplicaSetAvailable';
};

// ---- pure helpers ----

test('ResolveFenceposts: surge rounds up, unavailable down, both 0 makes unavailable 1', () => {
  assert.deepEqual(u.resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(u.resolveFenceposts('25%', '25%', 3), [1, 0]);
  assert.deepEqual(u.resolveFenceposts('1%', '1%', 2), [1, 0]);
  assert.deepEqual(u.resolveFenceposts(0, '1%', 2), [0, 1]);
  assert.deepEqual(u.resolveFenceposts(0, 0, 5), [0, 1]);
  assert.deepEqual(u.resolveFenceposts(2, 1, 5), [2, 1]);
  const d = (replicas: number, type = 'RollingUpdate') => ({ spec: { replicas, strategy: { type, rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } });
  assert.equal(u.maxSurge(d(10)), 3);
  assert.equal(u.maxUnavailable(d(10)), 2);
  assert.equal(u.maxUnavailable(d(0)), 0);
  assert.equal(u.maxSurge(d(10, 'Recreate')), 0);
});

test('ComputeHash: SafeEncodeString of the fnv32a number, collisionCount changes it', () => {
  assert.equal(u.safeEncodeString('0123456789'), '456789bcdf');
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
  const h = u.computeHash(t);
  assert.match(h, /^[456789bcdf]{1,10}$/);
  assert.equal(u.computeHash(structuredClone(t)), h, 'stable for the same template');
  assert.notEqual(u.computeHash(t, 1), h);
  assert.notEqual(u.computeHash({ ...t, spec: { containers: [{ name: 'web', image: 'nginx:2' }] } }), h);
});

test('GetProportion: a scaling event during a rollout is spread by the max-replicas annotation', () => {
  // replicas 10 → 15 with maxSurge 3: old 8 and new 5 were sized for 13 (max-replicas), now 18.
  const d = { spec: { replicas: 15, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }, status: { replicas: 13 } };
  const rs = (replicas: number) => ({ metadata: { annotations: { [u.MAX_REPLICAS_ANNOTATION]: '13' } }, spec: { replicas } });
  assert.equal(u.getProportion(rs(8), d, 5, 0), 3);
  assert.equal(u.getProportion(rs(5), d, 5, 3), 2);
  assert.equal(u.getProportion(rs(5), d, 5, 5), 0);
});

// ---- the controller with pods running ----

test('a new Deployment: one ReplicaSet named by its pod-template-hash, revision 1, status and conditions', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 3));
    await until(c, complete(c, 'web'), 'rollout complete');
    const [rs, ...more] = await replicaSetsOf(c, d);
    assert.equal(more.length, 0);
    const hash = rs!.metadata.labels['pod-template-hash'];
    assert.match(hash, /^[456789bcdf]+$/);
    assert.equal(rs!.metadata.name, `web-${hash}`);
    assert.deepEqual(rs!.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs!.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.equal(rs!.spec.template.metadata.labels['pod-template-hash'], hash);
    assert.deepEqual(rs!.metadata.annotations, {
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    const cur = await c.api.get(defs(c).d, 'default', 'web');
    assert.equal(cur.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    const { conditions, ...counts } = cur.status;
    assert.deepEqual(counts, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    assert.deepEqual(
      conditions.map((x: Obj) => [x.type, x.status, x.reason, x.message]),
      [
        ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
        ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs!.metadata.name}" has successfully progressed.`],
      ],
    );
    const pods = (await c.api.list(defs(c).pods, 'default')).items;
    assert.equal(pods.length, 3);
    for (const p of pods) assert.equal(p.metadata.labels['pod-template-hash'], hash);
    assert.deepEqual(await events(c, d), [`Normal ScalingReplicaSet deployment-controller: Scaled up replica set ${rs!.metadata.name} to 3`]);
  });
});

test('RollingUpdate: never fewer than replicas − maxUnavailable ready pods nor more than replicas + maxSurge, on every pod change', async () => {
  await withCluster(async (c) => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 4, { strategy }));
    await until(c, complete(c, 'web'), 'first rollout');
    // Watch the pods and check each state the cluster goes through.
    const pods = new Map<string, Obj>();
    let minReady = Infinity;
    let maxLive = 0;
    let changes = 0;
    const ready = (p: Obj) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');
    const list = await c.api.list(defs(c).pods, 'default');
    for (const p of list.items) pods.set(p.metadata.name, p);
    const w = await c.api.watch(defs(c).pods, 'default', { resourceVersion: list.resourceVersion }, (ev) => {
      if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name);
      else pods.set(ev.object.metadata.name, ev.object);
      const all = [...pods.values()];
      minReady = Math.min(minReady, all.filter(ready).length);
      maxLive = Math.max(maxLive, all.filter((p) => !p.metadata.deletionTimestamp).length);
      changes++;
    });
    try {
      await setImage(c, 'web', 'nginx:1.28');
      await until(c, complete(c, 'web'), 'second rollout');
      await until(c, async () => (await c.api.list(defs(c).pods, 'default')).items.length === 4, 'old pods gone');
    } finally {
      w.stop();
    }
    assert.ok(changes > 10, `saw ${changes} pod changes`);
    assert.equal(minReady, 3, 'ready pods never below 4 − 1');
    assert.equal(maxLive, 5, 'pods never above 4 + 1');
    const [old, cur] = await replicaSetsOf(c, d);
    assert.equal(old!.spec.replicas, 0);
    assert.equal(cur!.spec.replicas, 4);
    assert.equal(old!.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.equal(cur!.metadata.annotations['deployment.kubernetes.io/revision'], '2');
    assert.equal((await c.api.get(defs(c).d, 'default', 'web')).metadata.annotations['deployment.kubernetes.io/revision'], '2');
    for (const p of (await c.api.list(defs(c).pods, 'default')).items) assert.equal(p.spec.containers[0].image, 'nginx:1.28');
    const ev = await events(c, d);
    assert.equal(ev[1], `Normal ScalingReplicaSet deployment-controller: Scaled up replica set ${cur!.metadata.name} to 1`);
    assert.ok(ev.includes(`Normal ScalingReplicaSet deployment-controller: Scaled down replica set ${old!.metadata.name} to 3 from 4`), ev.join('\n'));
    // The last scale-up's step depends on how many new pods became ready together.
    assert.ok(ev.some((e) => new RegExp(`^Normal ScalingReplicaSet deployment-controller: Scaled up replica set ${cur!.metadata.name} to 4 from [123]$`).test(e)), ev.join('\n'));
    assert.equal(ev.at(-1), `Normal ScalingReplicaSet deployment-controller: Scaled down replica set ${old!.metadata.name} to 0 from 1`);
  });
});

test('Recreate: every old pod is gone before the new ReplicaSet is scaled up', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 3, { strategy: { type: 'Recreate' } }));
    await until(c, complete(c, 'web'), 'first rollout');
    let overlap = false;
    const pods = new Map<string, Obj>();
    const list = await c.api.list(defs(c).pods, 'default');
    for (const p of list.items) pods.set(p.metadata.name, p);
    const w = await c.api.watch(defs(c).pods, 'default', { resourceVersion: list.resourceVersion }, (ev) => {
      if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name);
      else pods.set(ev.object.metadata.name, ev.object);
      const images = new Set([...pods.values()].map((p) => p.spec.containers[0].image));
      if (images.size > 1) overlap = true;
    });
    try {
      await setImage(c, 'web', 'nginx:1.28');
      await until(c, complete(c, 'web'), 'second rollout');
    } finally {
      w.stop();
    }
    assert.equal(overlap, false, 'old and new pods never existed together');
    const [old, cur] = await replicaSetsOf(c, d);
    const ev = await events(c, d);
    assert.deepEqual(ev.slice(1), [
      `Normal ScalingReplicaSet deployment-controller: Scaled down replica set ${old!.metadata.name} to 0 from 3`,
      `Normal ScalingReplicaSet deployment-controller: Scaled up replica set ${cur!.metadata.name} to 3`,
    ]);
  });
});

test('back to an old template: the old ReplicaSet is reused with the next revision and revision-history', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 2));
    await until(c, complete(c, 'web'), 'v1');
    await setImage(c, 'web', 'nginx:1.28');
    await until(c, complete(c, 'web'), 'v2');
    await setImage(c, 'web', 'nginx:1.27');
    await until(c, complete(c, 'web'), 'v1 again');
    const rss = await replicaSetsOf(c, d);
    assert.equal(rss.length, 2);
    const [v2, v1] = rss;
    assert.equal(v1!.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(v1!.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(v1!.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(v1!.spec.replicas, 2);
    assert.equal(v2!.spec.replicas, 0);
    assert.equal((await c.api.get(defs(c).d, 'default', 'web')).metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });
});

test('revisionHistoryLimit: old ReplicaSets beyond the limit are deleted once scaled down', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 1, { revisionHistoryLimit: 1 }));
    for (const image of ['nginx:1.25', 'nginx:1.26', 'nginx:1.28']) {
      await until(c, complete(c, 'web'), 'rollout');
      await setImage(c, 'web', image);
    }
    await until(c, complete(c, 'web'), 'last rollout');
    await until(c, async () => (await replicaSetsOf(c, d)).length === 2, 'two ReplicaSets left');
    const rss = await replicaSetsOf(c, d);
    assert.deepEqual(
      rss.map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.template.spec.containers[0].image, rs.spec.replicas]),
      [
        ['3', 'nginx:1.26', 0],
        ['4', 'nginx:1.28', 1],
      ],
    );
  });
});

test('paused: template changes wait, Progressing is Unknown (DeploymentPaused); resume rolls out', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 2));
    await until(c, complete(c, 'web'), 'v1');
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { spec: { paused: true } });
    await setImage(c, 'web', 'nginx:1.28');
    await until(c, async () => u.getCondition((await c.api.get(defs(c).d, 'default', 'web')).status, 'Progressing')?.reason === 'DeploymentPaused', 'paused condition');
    await c.advanceClock(10_000);
    const paused = await c.api.get(defs(c).d, 'default', 'web');
    const p = u.getCondition(paused.status, 'Progressing')!;
    assert.deepEqual([p.status, p.message], ['Unknown', 'Deployment is paused']);
    assert.equal((await replicaSetsOf(c, d)).length, 1, 'no new ReplicaSet while paused');
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { spec: { paused: null } });
    await until(c, complete(c, 'web'), 'resumed rollout');
    assert.equal((await replicaSetsOf(c, d)).length, 2);
  });
});

test('progressDeadlineSeconds: a rollout that cannot progress turns Progressing False with ProgressDeadlineExceeded', async () => {
  await withCluster(async (c) => {
    await c.api.create(defs(c).d, 'default', deployment('web', 2, { progressDeadlineSeconds: 30 }));
    await until(c, complete(c, 'web'), 'v1');
    // Pods no node can take stay Pending: no progress.
    await setImage(c, 'web', 'nginx:1.28', { nodeSelector: { disk: 'none' } });
    await until(c, async () => u.getCondition((await c.api.get(defs(c).d, 'default', 'web')).status, 'Progressing')?.reason === 'ReplicaSetUpdated', 'progressing');
    const started = c.clock.now();
    await until(c, async () => u.getCondition((await c.api.get(defs(c).d, 'default', 'web')).status, 'Progressing')?.reason === 'ProgressDeadlineExceeded', 'deadline exceeded', 5000);
    const elapsed = c.clock.now() - started;
    assert.ok(elapsed >= 25_000 && elapsed <= 40_000, `timed out after ${elapsed} ms`);
    const cur = await c.api.get(defs(c).d, 'default', 'web');
    const rss = await replicaSetsOf(c, cur);
    const p = u.getCondition(cur.status, 'Progressing')!;
    assert.deepEqual([p.status, p.message], ['False', `ReplicaSet "${rss[1]!.metadata.name}" has timed out progressing.`]);
    // 2 replicas, 25%: surge 1, unavailable 0 → one new pod, the old ones stay.
    assert.deepEqual([rss[0]!.spec.replicas, rss[1]!.spec.replicas], [2, 1]);
    assert.deepEqual(
      [cur.status.replicas, cur.status.updatedReplicas, cur.status.availableReplicas, cur.status.unavailableReplicas],
      [3, 1, 2, 1],
    );
    assert.equal(u.getCondition(cur.status, 'Available')!.reason, 'MinimumReplicasAvailable');
  });
});

test('proportional scaling: scaling up during a stuck rollout spreads the new replicas over both ReplicaSets', async () => {
  await withCluster(async (c) => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } };
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 10, { strategy }));
    await until(c, complete(c, 'web'), 'v1');
    await setImage(c, 'web', 'nginx:1.28', { nodeSelector: { disk: 'none' } });
    await until(c, async () => (await replicaSetsOf(c, d)).map((rs) => rs.spec.replicas).join() === '8,5', 'old 8, new 5');
    await c.advanceClock(5000);
    assert.deepEqual((await replicaSetsOf(c, d)).map((rs) => rs.spec.replicas), [8, 5], 'stuck');
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { spec: { replicas: 15 } });
    await until(c, async () => (await replicaSetsOf(c, d)).map((rs) => rs.spec.replicas).join() === '11,7', 'old 11, new 7');
    for (const rs of await replicaSetsOf(c, d)) {
      assert.equal(rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '15');
      assert.equal(rs.metadata.annotations['deployment.kubernetes.io/max-replicas'], '18');
    }
  }, 3);
});

test('an orphan ReplicaSet matching the selector is adopted; one whose labels stop matching is released', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 1));
    await until(c, complete(c, 'web'), 'v1');
    const [rs] = await replicaSetsOf(c, d);
    // Orphan it (as `kubectl delete deploy --cascade=orphan` would leave it), then let it be adopted back.
    await c.api.patch(defs(c).rs, 'default', rs!.metadata.name, 'merge', { metadata: { ownerReferences: null } });
    await until(c, async () => (await replicaSetsOf(c, d)).length === 1, 'adopted again');
    const cur = (await replicaSetsOf(c, d))[0]!;
    assert.equal(cur.metadata.uid, rs!.metadata.uid);
    // Labels that no longer match: released.
    await c.api.patch(defs(c).rs, 'default', rs!.metadata.name, 'merge', { metadata: { labels: { app: 'other' } } });
    await until(c, async () => !(await c.api.get(defs(c).rs, 'default', rs!.metadata.name)).metadata.ownerReferences?.length, 'released');
  });
});

test('the deprecated.deployment.rollback.to annotation rolls the template back and is cleared (rollback.go)', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 1));
    await until(c, complete(c, 'web'), 'v1');
    await setImage(c, 'web', 'nginx:1.28');
    await until(c, complete(c, 'web'), 'v2');
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { metadata: { annotations: { [u.DEPRECATED_ROLLBACK_TO]: '0', note: 'v2 only' } } });
    await until(c, async () => (await c.api.get(defs(c).d, 'default', 'web')).spec.template.spec.containers[0].image === 'nginx:1.27', 'rolled back');
    await until(c, complete(c, 'web'), 'v1 again');
    const cur = await c.api.get(defs(c).d, 'default', 'web');
    assert.deepEqual(cur.metadata.annotations, { 'deployment.kubernetes.io/revision': '3' }, 'the rollback annotation and the others are gone');
    const ev = await events(c, d);
    assert.ok(ev.includes('Normal DeploymentRollback deployment-controller: Rolled back deployment "web" to revision 1'), ev.join('\n'));
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { metadata: { annotations: { [u.DEPRECATED_ROLLBACK_TO]: '7' } } });
    await until(c, async () => !(await c.api.get(defs(c).d, 'default', 'web')).metadata.annotations[u.DEPRECATED_ROLLBACK_TO], 'cleared');
    assert.ok((await events(c, d)).includes('Warning RollbackRevisionNotFound deployment-controller: Unable to find the revision to rollback to.'));
  });
});

test('minReadySeconds: pods count as available only after it, Available is False until then; the ReplicaSet follows changes', async () => {
  await withCluster(async (c) => {
    const d = await c.api.create(defs(c).d, 'default', deployment('web', 2, { minReadySeconds: 30 }));
    await until(c, async () => (await c.api.get(defs(c).d, 'default', 'web')).status?.readyReplicas === 2, '2 ready', 500);
    let cur = await c.api.get(defs(c).d, 'default', 'web');
    assert.equal(cur.status.availableReplicas, undefined, 'none available yet');
    assert.equal(cur.status.unavailableReplicas, 2);
    const a = u.getCondition(cur.status, 'Available')!;
    assert.deepEqual([a.status, a.reason, a.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
    await until(c, complete(c, 'web'), 'available after minReadySeconds', 5000);
    cur = await c.api.get(defs(c).d, 'default', 'web');
    assert.equal(u.getCondition(cur.status, 'Available')!.status, 'True');
    const [rs] = await replicaSetsOf(c, d);
    assert.equal(rs!.spec.minReadySeconds, 30);
    await c.api.patch(defs(c).d, 'default', 'web', 'merge', { spec: { minReadySeconds: 5 } });
    await until(c, async () => (await replicaSetsOf(c, d))[0]!.spec.minReadySeconds === 5, 'minReadySeconds copied');
    assert.equal((await replicaSetsOf(c, d)).length, 1, 'not a new template');
  });
});
