// Emulated traffic (src/emulator/network/traffic.ts) in an in-process cluster on a manual clock:
// requests/s through a Service to its ready endpoints, accounted in bulk per emulated second,
// counted by metrics-server; durations, schedules, failures, and the control API's errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { formatDuration, parseSchedule } from '../../../src/emulator/network/traffic.ts';

async function withCluster(fn: (c: Cluster) => Promise<void>, nodes = 2): Promise<void> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual', start: Date.parse('2025-03-01T00:00:00Z') }), noHttp: true });
  try {
    await fn(c);
  } finally {
    await c.stop();
  }
}

const deployment = (name: string, replicas: number, extra: Obj = {}): Obj => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m' } }, ...extra }] },
    },
  },
});

const service = (name: string, spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80 }], ...spec },
});

async function create(c: Cluster, resource: string, obj: Obj, ns = 'default'): Promise<Obj> {
  return c.api.create(c.api.resource(resource), ns, obj);
}

async function runningPods(c: Cluster, app: string): Promise<Obj[]> {
  const { items } = await c.api.list(c.api.resource('pods'), 'default', { labelSelector: `app=${app}` });
  return items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail('expected an API error');
}

test('requests/s go evenly to the ready endpoints only, metrics-server counts them, and a new replica takes its share', async () => {
  await withCluster(async (c) => {
    await create(c, 'deployments.apps', deployment('web', 2));
    await create(c, 'services', service('web'));
    // A pod the Service selects that never turns ready (nginx answers 404 on /healthz).
    await create(c, 'pods', {
      metadata: { name: 'unready', labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 } }] },
    });
    await c.advanceClock(20_000);
    const ready = (await runningPods(c, 'web')).filter((p) => p.metadata.name !== 'unready');
    assert.equal(ready.length, 2);
    const unready = await c.api.get(c.api.resource('pods'), 'default', 'unready');
    assert.equal(unready.status.phase, 'Running');
    assert.equal(unready.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'False');

    const started = await c.traffic.start({ service: 'web', rps: 301 });
    assert.equal(started.name, 'web');
    assert.equal(started.url, 'http://web.default.svc.cluster.local:80');
    assert.equal(started.phase, 'Running');
    assert.equal(started.rps, 301);
    await c.advanceClock(30_000);
    let s = c.traffic.get('web');
    assert.equal(s.sent, 301 * 30);
    assert.equal(s.failed, 0);
    assert.equal(s.endpoints, 2);
    // 301 over 2: 150 and 151, the odd request alternating.
    const shares = Object.entries(s.lastSecond).sort();
    assert.deepEqual(shares.map(([ip]) => ip), ready.map((p) => p.status.podIP).sort());
    assert.deepEqual(shares.map(([, n]) => n).sort(), [150, 151]);
    assert.equal(s.lastSecond[unready.status.podIP], undefined);

    // metrics-server: ~150 req/s on nginx is ~1.35m idle + 150 × 0.4m.
    const metrics = await c.metrics.listPodMetrics('default', { labelSelector: 'app=web' });
    const cpu = (name: string) => Number(String(metrics.find((m) => m.metadata.name === name)!.containers[0].usage.cpu).replace(/n$/, '')) / 1e6;
    for (const p of ready) assert.ok(cpu(p.metadata.name) > 60 && cpu(p.metadata.name) < 62.5, `${p.metadata.name}: ${cpu(p.metadata.name)}m`);
    assert.ok(cpu('unready') < 2, `unready: ${cpu('unready')}m`);

    // A third replica: once Ready and in the EndpointSlice, it takes a third.
    await c.api.patch(c.api.resource('deployments.apps'), 'default', 'web', 'merge', { spec: { replicas: 3 } });
    await c.advanceClock(15_000);
    s = c.traffic.get('web');
    assert.equal(s.endpoints, 3);
    assert.deepEqual(Object.values(s.lastSecond).sort(), [100, 100, 101]);
    assert.equal(s.failed, 0);
  });
});

test('a duration ends the traffic (Completed, exact count); a schedule changes the rate at its offsets', async () => {
  await withCluster(async (c) => {
    await create(c, 'deployments.apps', deployment('web', 1));
    await create(c, 'services', service('web'));
    await c.advanceClock(15_000);
    const t0 = c.clock.now();
    let s = await c.traffic.start({ service: 'web', name: 'burst', rps: 50, durationMs: 10_000 });
    assert.equal(s.endsAt, new Date(t0 + 10_000).toISOString().replace(/\.\d+Z$/, 'Z'));
    await c.advanceClock(25_000);
    s = c.traffic.get('burst');
    assert.equal(s.phase, 'Completed');
    assert.equal(s.sent, 500);
    assert.equal(s.rps, 0);

    // 0-10s: 10/s, 10s-20s: 100/s, from 20s: 0.
    s = await c.traffic.start({ service: 'web', name: 'steps', schedule: parseSchedule('0=10,10s=100,20s=0'), durationMs: 60_000 });
    assert.deepEqual(s.schedule, [{ at: '0s', rps: 10 }, { at: '10s', rps: 100 }, { at: '20s', rps: 0 }]);
    await c.advanceClock(10_000);
    assert.equal(c.traffic.get('steps').sent, 100);
    assert.equal(c.traffic.get('steps').rps, 100);
    await c.advanceClock(10_000);
    assert.equal(c.traffic.get('steps').sent, 1_100);
    await c.advanceClock(30_000);
    assert.equal(c.traffic.get('steps').sent, 1_100);
    assert.equal(c.traffic.get('steps').phase, 'Running');

    // Fractional rates carry over: 0.5/s is one request every other second.
    await c.traffic.start({ service: 'web', name: 'slow', rps: 0.5 });
    await c.advanceClock(9_000);
    assert.equal(c.traffic.get('slow').sent, 4);

    // A finished traffic can be started again under its name; a running one cannot.
    assert.equal((await apiError(c.traffic.start({ service: 'web', name: 'slow', rps: 1 }))).message, 'traffic "slow" already exists');
    // Two starts of one name at once: one wins, the other is AlreadyExists (no traffic left running unseen).
    const both = await Promise.allSettled([c.traffic.start({ service: 'web', name: 'twin', rps: 1 }), c.traffic.start({ service: 'web', name: 'twin', rps: 2 })]);
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    c.traffic.stopTraffic('twin');
    assert.equal((await c.traffic.start({ service: 'web', name: 'burst', rps: 1 })).sent, 0);
    assert.deepEqual(c.traffic.list().map((t) => `${t.name}:${t.phase}`), ['burst:Running', 'slow:Running', 'steps:Running']);
    const stopped = c.traffic.stopTraffic('slow');
    assert.equal(stopped.phase, 'Stopped');
    assert.deepEqual(c.traffic.list().map((t) => t.name), ['burst', 'steps']);
    assert.equal((await apiError(Promise.resolve().then(() => c.traffic.stopTraffic('slow')))).message, 'traffic "slow" not found');
  });
});

test('no ready endpoints: the traffic goes on and reports every request refused; a deleted Service stops resolving', async () => {
  await withCluster(async (c) => {
    await create(c, 'services', service('nobody'));
    await c.advanceClock(2_000);
    await c.traffic.start({ service: 'nobody', rps: 20 });
    await c.advanceClock(5_000);
    let s = c.traffic.get('nobody');
    assert.equal(s.phase, 'Running');
    assert.equal(s.sent, 100);
    assert.equal(s.failed, 100);
    assert.equal(s.endpoints, 0);
    assert.equal(s.lastError, 'Connection refused');

    // Pods arrive: the requests are served from then on.
    await create(c, 'deployments.apps', deployment('nobody', 1));
    await c.advanceClock(15_000);
    s = c.traffic.get('nobody');
    assert.equal(s.endpoints, 1);
    const failedBefore = s.failed;
    await c.advanceClock(5_000);
    s = c.traffic.get('nobody');
    assert.equal(s.failed, failedBefore);
    assert.equal(s.sent, 20 * 25);

    await c.api.delete(c.api.resource('services'), 'default', 'nobody');
    await c.advanceClock(3_000);
    s = c.traffic.get('nobody');
    assert.equal(s.failed, failedBefore + 60);
    assert.equal(s.lastError, 'Name does not resolve');
  });
});

test('a ready endpoint where nothing listens refuses its share; ClientIP affinity sends everything to one pod', async () => {
  await withCluster(async (c) => {
    // busybox sleeps: Ready (no probe) but nothing listens on 80.
    await create(c, 'deployments.apps', deployment('idle', 2, { image: 'busybox:1.36', command: ['sleep', '3600'] }));
    await create(c, 'services', service('idle'));
    await create(c, 'deployments.apps', deployment('sticky', 3));
    await create(c, 'services', service('sticky', { sessionAffinity: 'ClientIP' }));
    await c.advanceClock(20_000);
    await c.traffic.start({ service: 'idle', rps: 10 });
    await c.traffic.start({ service: 'sticky', rps: 90 });
    await c.advanceClock(4_000);
    const idle = c.traffic.get('idle');
    assert.equal(idle.endpoints, 2);
    assert.equal(idle.failed, 40);
    assert.equal(idle.lastError, 'Connection refused');
    const sticky = c.traffic.get('sticky');
    assert.equal(sticky.endpoints, 3);
    assert.equal(Object.keys(sticky.lastSecond).length, 1);
    assert.deepEqual(Object.values(sticky.lastSecond), [90]);
    assert.equal(sticky.failed, 0);
  });
});

test('unknown Services are NotFound as kubectl says it; bad rates, schedules, ports and names are 400s', async () => {
  await withCluster(async (c) => {
    await create(c, 'services', service('web'));
    await create(c, 'services', { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    let e = await apiError(c.traffic.start({ service: 'nope', rps: 10 }));
    assert.equal(e.code, 404);
    assert.equal(e.message, 'services "nope" not found');
    e = await apiError(c.traffic.start({ service: 'web', namespace: 'kube-system', rps: 10 }));
    assert.equal(e.message, 'services "web" not found');
    const bad: [Obj, string][] = [
      [{ service: 'web', rps: 'fast' }, 'invalid rps "fast": must be a number of requests per second from 0 to 1000000'],
      [{ service: 'web', rps: -1 }, 'invalid rps -1: must be a number of requests per second from 0 to 1000000'],
      [{ service: 'web' }, 'give the requests per second (rps) or a schedule'],
      [{ service: 'web', rps: 1, duration: 'soon' }, 'invalid duration "soon": use a number with a unit, such as 90s, 5m or 1h'],
      [{ service: 'web', rps: 1, duration: '0s' }, 'invalid duration "0s": use a duration above 0, such as 90s, 10m or 1h'],
      [{ service: 'web', schedule: '0=10,5m' }, 'invalid schedule step "5m": use OFFSET=RPS, such as 0=400,20m=7000,30m=400'],
      [{ service: 'web', schedule: '5m=10,1m=20' }, 'schedule offsets must increase: 1m comes after 5m'],
      [{ service: 'web', schedule: '0=lots' }, 'invalid rate in schedule step "0=lots" "lots": must be a number of requests per second from 0 to 1000000'],
      [{ service: 'web', rps: 1, port: 8080 }, 'Service web does not have a service port 8080'],
      [{ service: 'web', rps: 1, name: 'Web_1' }, "invalid traffic name \"Web_1\": use lowercase letters, digits and '-', starting and ending with a letter or digit"],
      [{ service: 'ext', rps: 1 }, 'service "ext" is of type ExternalName: it has no endpoints to send traffic to'],
    ];
    for (const [body, msg] of bad) {
      e = await apiError(c.traffic.control('POST', '', body));
      assert.equal(e.code, 400, JSON.stringify(body));
      assert.equal(e.message, msg);
    }
    // By port name or number.
    assert.equal((await c.traffic.control('POST', '', { service: 'web', rps: 1, port: 'http', name: 'a' })).code, 201);
    assert.equal(((await c.traffic.control('POST', '', { service: 'web', rps: 1, port: '80', name: 'b' })).body as Obj).url, 'http://web.default.svc.cluster.local:80');
    assert.deepEqual(((await c.traffic.control('GET', '', {})).body as Obj).items.map((t: Obj) => t.name), ['a', 'b']);
    assert.equal((await apiError(c.traffic.control('GET', '/zzz', {}))).message, 'traffic "zzz" not found');
    assert.equal((await apiError(c.traffic.control('PUT', '/a', {}))).code, 405);
    assert.equal(formatDuration(5_400_000), '1h30m');
  });
});

test('fast-forward stays cheap: an hour of 200,000 requests/s is 3,600 bulk ticks', async () => {
  await withCluster(async (c) => {
    await create(c, 'deployments.apps', deployment('web', 4));
    await create(c, 'services', service('web'));
    await c.advanceClock(20_000);
    await c.traffic.start({ service: 'web', rps: 200_000, durationMs: 3_600_000 });
    const t0 = performance.now();
    await c.advanceClock(3_600_000);
    const ms = performance.now() - t0;
    const s = c.traffic.get('web');
    assert.equal(s.phase, 'Completed');
    assert.equal(s.sent, 720_000_000);
    assert.equal(s.failed, 0);
    assert.deepEqual(Object.values(s.lastSecond), [50_000, 50_000, 50_000, 50_000]);
    // Generous for a shared CI machine; the clock's own per-timer settling dominates.
    assert.ok(ms < 60_000, `an hour took ${ms.toFixed(0)} ms`);
    console.log(`# an emulated hour of 200,000 req/s over 4 pods: ${ms.toFixed(0)} ms wall`);
  });
});
