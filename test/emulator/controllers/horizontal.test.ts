// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go) against a
// ReplicaSet in an in-process cluster on a manual clock: cpu load comes from requests the emulated
// network would report to metrics-server (recordRequest per pod IP), spread over the Running pods.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { Quantity } from '../../../src/emulator/api/quantity.ts';
import { milliQuantity, resourceReplicas, type PodMetric } from '../../../src/emulator/controllers/horizontal-replicas.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await createCluster({ nodes: 3, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

const replicaSet = (replicas: number, resources: Obj = { requests: { cpu: '100m' } }): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources }] } },
  },
});

const hpa = (spec: Obj = {}): Obj => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    ...spec,
  },
});

/** Traffic: `rps` requests per second in total, spread evenly over the Running pods of app=web. */
function traffic(c: Cluster): { set(rps: number): void; stop(): void } {
  let rps = 0;
  const timer = c.clock.setInterval(() => {
    void c.api.list(c.api.resource('pods'), 'default', { labelSelector: 'app=web' }).then(({ items }) => {
      const running = items.filter((p) => p.status?.phase === 'Running' && p.status.podIP && !p.metadata.deletionTimestamp);
      if (!running.length) return;
      for (let i = 0; i < rps; i++) c.metrics.recordRequest(running[i % running.length].status.podIP);
    });
  }, 1_000);
  return { set: (n) => (rps = n), stop: () => timer.cancel() };
}

async function getHPA(c: Cluster): Promise<Obj> {
  return c.api.get(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', 'web');
}

async function events(c: Cluster, reason: string): Promise<string[]> {
  const { items } = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `reason=${reason}` });
  return items.map((e) => e.message);
}

const cond = (h: Obj, type: string): string => {
  const x = (h.status.conditions ?? []).find((c: Obj) => c.type === type);
  return x ? `${x.status} ${x.reason}: ${x.message}` : '<none>';
};

test('replica calculator: ceil(ready × usage/target), the tolerance, missing pods on a scale-down', () => {
  const pod = (name: string, ready = true): Obj => ({
    metadata: { name },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
    status: { phase: 'Running', startTime: '2000-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2000-01-01T00:00:10Z' }] },
  });
  const now = Date.parse('2000-01-01T01:00:00Z');
  const m = (v: Record<string, number>) => new Map<string, PodMetric>(Object.entries(v).map(([k, value]) => [k, { timestamp: now, windowMs: 15_000, value }]));
  // 2 pods at 90m and 70m of 100m: 80% against 50% → ceil(1.6 × 2) = 4.
  assert.deepEqual(resourceReplicas(2, 50, 'cpu', [pod('a'), pod('b')], m({ a: 90, b: 70 }), now), { replicas: 4, utilization: 80, rawAverage: 80 });
  // 54% against 50%: within the 0.1 tolerance, no change.
  assert.equal(resourceReplicas(2, 50, 'cpu', [pod('a'), pod('b')], m({ a: 54, b: 54 }), now).replicas, 2);
  // A scale-down with a pod missing metrics counts it at 100% of its request: 10+10+100 → 40% → ceil(0.8 × 3) = 3: no change.
  assert.equal(resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], m({ a: 10, b: 10 }), now).replicas, 3);
  assert.equal(milliQuantity(113), '113m');
  assert.equal(milliQuantity(3_670_016_000), '3670016');
  assert.equal(milliQuantity(2_000), '2');
});

test('cpu above target: scaled up with SuccessfulRescale and the status; stabilized for 5 minutes before scaling down', async () => {
  await withCluster(async (c) => {
    const load = traffic(c);
    try {
      // 280 rps on nginx: ~113m of 100m requested, 226% of the 50% target → ceil(2.26 × 1) = 3.
      load.set(280);
      await c.api.create(c.api.resource('replicasets.apps'), 'default', replicaSet(1));
      await c.advanceClock(30_000);
      await c.api.create(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', hpa());
      await c.advanceClock(16_000);
      let h = await getHPA(c);
      assert.equal(h.status.desiredReplicas, 3, JSON.stringify(h.status));
      assert.equal(h.status.currentReplicas, 1);
      assert.ok(h.status.lastScaleTime);
      const m = h.status.currentMetrics[0];
      assert.equal(m.type, 'Resource');
      assert.equal(m.resource.name, 'cpu');
      assert.ok(m.resource.current.averageUtilization > 110 && m.resource.current.averageUtilization < 118, JSON.stringify(m));
      assert.match(m.resource.current.averageValue, /^\d+m$/);
      assert.deepEqual(await events(c, 'SuccessfulRescale'), ['New size: 3; reason: cpu resource utilization (percentage of request) above target']);
      assert.equal(cond(h, 'AbleToScale'), 'True SucceededRescale: the HPA controller was able to update the target scale to 3');
      assert.equal(cond(h, 'ScalingActive'), 'True ValidMetricFound: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
      assert.equal(cond(h, 'ScalingLimited'), 'False DesiredWithinRange: the desired count is within the acceptable range');
      assert.equal((await c.api.get(c.api.resource('replicasets.apps'), 'default', 'web')).spec.replicas, 3);

      // The load spreads over 3 pods (~38%): ceil(0.76 × 3) = 3, no change.
      await c.advanceClock(60_000);
      h = await getHPA(c);
      assert.equal(h.status.currentReplicas, 3);
      assert.equal(h.status.desiredReplicas, 3);

      // The load stops: the recommendation drops to 1, but the 5-minute window holds 3.
      load.set(0);
      await c.advanceClock(60_000);
      h = await getHPA(c);
      assert.equal(h.status.desiredReplicas, 3);
      assert.equal(cond(h, 'AbleToScale'), 'True ScaleDownStabilized: recent recommendations were higher than current one, applying the highest recent recommendation');
      await c.advanceClock(300_000);
      h = await getHPA(c);
      assert.equal(h.status.desiredReplicas, 1);
      // The emulated usage decays over the metrics window, so the way down may pass through 2 as the
      // older, higher recommendations leave the window; it ends at 1.
      const rescales = await events(c, 'SuccessfulRescale');
      assert.ok(rescales.includes('New size: 3; reason: cpu resource utilization (percentage of request) above target'), rescales.join('\n'));
      assert.ok(rescales.includes('New size: 1; reason: All metrics below target'), rescales.join('\n'));
      for (const e of rescales) assert.match(e, /^New size: (3; reason: cpu resource utilization \(percentage of request\) above target|[12]; reason: All metrics below target)$/);
    } finally {
      load.stop();
    }
  });
});

test('behavior: a Pods policy limits the scale-up rate (ScaleUpLimit); maxReplicas caps it (TooManyReplicas)', async () => {
  await withCluster(async (c) => {
    const load = traffic(c);
    try {
      await c.api.create(c.api.resource('replicasets.apps'), 'default', replicaSet(1));
      await c.advanceClock(30_000);
      const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
      await c.api.create(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', hpa({ behavior, maxReplicas: 3 }));
      load.set(2_000);
      // The first sync that sees the load may be the one at 15 s or the next one, depending on
      // where the metrics window falls: step sync by sync until the first scale-up.
      let h = await getHPA(c);
      for (let i = 0; i < 4 && h.status?.desiredReplicas !== 2; i++) {
        await c.advanceClock(15_000);
        h = await getHPA(c);
      }
      assert.equal(h.status.desiredReplicas, 2);
      assert.equal(cond(h, 'ScalingLimited'), 'True ScaleUpLimit: the desired replica count is increasing faster than the maximum scale rate');
      // Within the 60 s period no more.
      await c.advanceClock(30_000);
      assert.equal((await getHPA(c)).status.desiredReplicas, 2);
      await c.advanceClock(45_000);
      h = await getHPA(c);
      assert.equal(h.status.desiredReplicas, 3);
      assert.equal(cond(h, 'ScalingLimited'), 'True TooManyReplicas: the desired replica count is more than the maximum replica count');
    } finally {
      load.stop();
    }
  });
});

test('memory averageValue target; replicas outside min/max are brought inside first', async () => {
  await withCluster(async (c) => {
    await c.api.create(c.api.resource('replicasets.apps'), 'default', replicaSet(7, { requests: { cpu: '100m', memory: '16Mi' } }));
    await c.advanceClock(30_000);
    const metrics = [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '2Mi' } } }];
    await c.api.create(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', hpa({ metrics, maxReplicas: 5 }));
    await c.advanceClock(16_000);
    assert.deepEqual(await events(c, 'SuccessfulRescale'), ['New size: 5; reason: Current number of replicas above Spec.MaxReplicas']);
    // nginx idles at ~3.5Mi per pod, against 2Mi: more pods wanted, capped at 5.
    await c.advanceClock(45_000);
    const h = await getHPA(c);
    assert.equal(h.status.currentReplicas, 5);
    assert.equal(h.status.desiredReplicas, 5);
    const cur = h.status.currentMetrics[0].resource.current;
    assert.equal(cur.averageUtilization, undefined);
    // An average of whole KiB need not be whole bytes: milli-bytes, as Kubernetes prints them.
    const bytes = Number(Quantity.parse(cur.averageValue).milli()) / 1000;
    assert.ok(bytes > 3 * 1024 * 1024 && bytes < 4 * 1024 * 1024, cur.averageValue);
    assert.equal(cond(h, 'ScalingLimited'), 'True TooManyReplicas: the desired replica count is more than the maximum replica count');
  });
});

test('failures: a missing target (FailedGetScale), pods without cpu requests (FailedGetResourceMetric)', async () => {
  await withCluster(async (c) => {
    const hpas = c.api.resource('horizontalpodautoscalers.autoscaling');
    await c.api.create(hpas, 'default', hpa({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nope' } }));
    await c.advanceClock(16_000);
    let h = await getHPA(c);
    assert.equal(cond(h, 'AbleToScale'), `False FailedGetScale: the HPA controller was unable to get the target's current scale: deployments.apps "nope" not found`);
    assert.deepEqual(await events(c, 'FailedGetScale'), ['deployments.apps "nope" not found']);
    await c.api.delete(hpas, 'default', 'web');

    await c.api.create(c.api.resource('replicasets.apps'), 'default', replicaSet(1, {}));
    await c.advanceClock(30_000);
    await c.api.create(hpas, 'default', hpa());
    await c.advanceClock(16_000);
    h = await getHPA(c);
    const [pod] = (await c.api.list(c.api.resource('pods'), 'default', { labelSelector: 'app=web' })).items;
    const why = `failed to get cpu utilization: missing request for cpu in container web of Pod ${pod.metadata.name}`;
    assert.equal(cond(h, 'ScalingActive'), `False FailedGetResourceMetric: the HPA was unable to compute the replica count: ${why}`);
    assert.deepEqual(await events(c, 'FailedGetResourceMetric'), [why]);
    assert.deepEqual(await events(c, 'FailedComputeMetricsReplicas'), [`invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${why}`]);
    assert.equal(h.status.currentReplicas, 1);
  });
});
