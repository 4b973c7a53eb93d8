// The resource-efficiency sample (samples/resource-efficiency/): its manifests applied to a 4-node
// cluster on a manual clock, the traffic schedules its README gives (parsed from the README, so
// the documented commands are the ones tested), and an emulated hour checked minute by minute:
// each peak's Deployment scales 2 → 4 → 8 → 12 with the HPA's SuccessfulRescale events, its pods
// are scheduled and Running on the four nodes (every node's CPU fully requested, nothing Pending),
// and it goes back to 2 once the 5-minute stabilization window has passed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { EmulatorClock, parseDuration } from '../../src/emulator/clock.ts';
import type { Obj } from '../../src/emulator/api/objects.ts';
import { parseQuantity } from '../../src/emulator/api/quantity.ts';
import { parseSchedule } from '../../src/emulator/network/traffic.ts';

const DIR = resolve(import.meta.dirname, '../../samples/resource-efficiency');
const APPS = ['shop', 'video', 'reports'];
const RESOURCES: Record<string, string> = { Deployment: 'deployments.apps', Service: 'services', HorizontalPodAutoscaler: 'horizontalpodautoscalers.autoscaling' };
const UP = 'reason: cpu resource utilization (percentage of request) above target';
const DOWN = 'reason: All metrics below target';

function manifests(app: string): Obj[] {
  return parseAllDocuments(readFileSync(join(DIR, `${app}.yaml`), 'utf8')).map((d) => d.toJSON() as Obj);
}

/** The README's `kube-emulator traffic SERVICE --schedule S --for D` lines. */
function readmeTraffic(): { service: string; schedule: string; duration: string }[] {
  const text = readFileSync(join(DIR, 'README.md'), 'utf8');
  return [...text.matchAll(/^kube-emulator traffic (\S+) --schedule (\S+) --for (\S+)$/gm)].map((m) => ({ service: m[1], schedule: m[2], duration: m[3] }));
}

async function apply(c: Cluster): Promise<void> {
  for (const app of APPS) for (const o of manifests(app)) await c.api.create(c.api.resource(RESOURCES[o.kind]), 'default', o);
}

async function pods(c: Cluster): Promise<Obj[]> {
  return (await c.api.list(c.api.resource('pods'), 'default')).items;
}

async function rescales(c: Cluster, app: string): Promise<string[]> {
  const { items } = await c.api.list(c.api.resource('events'), 'default', { fieldSelector: `involvedObject.name=${app},reason=SuccessfulRescale` });
  return items.sort((a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp)).map((e) => e.message);
}

const running = (p: Obj): boolean => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');

test("the sample's numbers: 12 × 500m at a peak is three 2-CPU nodes per application (nine apart), and 12 + 2 + 2 pods fill four", async () => {
  const c = await createCluster({ nodes: 4, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    const nodeCpu = parseQuantity((await c.api.list(c.api.resource('nodes'), undefined)).items[0].status.allocatable.cpu);
    assert.equal(nodeCpu, 2);
    let apart = 0;
    for (const app of APPS) {
      const [deploy, svc, hpa] = manifests(app);
      assert.deepEqual([deploy.kind, svc.kind, hpa.kind, hpa.apiVersion], ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'autoscaling/v2']);
      const request = parseQuantity(deploy.spec.template.spec.containers[0].resources.requests.cpu);
      assert.equal(request, 0.5);
      assert.deepEqual([deploy.spec.replicas, hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 2, 12]);
      apart += Math.ceil((hpa.spec.maxReplicas * request) / nodeCpu);
    }
    assert.equal(apart, 9);
    assert.equal(((12 + 2 + 2) * 0.5) / nodeCpu, 4);
    // The README's schedules: one peak each, ten minutes, not overlapping.
    assert.deepEqual(readmeTraffic(), [
      { service: 'shop', schedule: '0=400,5m=8000,15m=400', duration: '1h' },
      { service: 'video', schedule: '0=400,25m=8000,35m=400', duration: '1h' },
      { service: 'reports', schedule: '0=400,45m=8000,55m=400', duration: '1h' },
    ]);
  } finally {
    await c.stop();
  }
});

test('an emulated hour of the README traffic: each peak scales to 12 on the four full nodes and back to 2 after the stabilization window', async () => {
  const c = await createCluster({ nodes: 4, clock: new EmulatorClock({ mode: 'manual', start: Date.parse('2025-03-01T00:00:00Z') }), noHttp: true });
  try {
    const nodes = (await c.api.list(c.api.resource('nodes'), undefined)).items.map((n) => n.metadata.name);
    assert.equal(nodes.length, 4);
    await apply(c);
    // The README waits for the Deployments to be Available before it starts the traffic.
    await c.advanceClock(30_000);
    assert.equal((await pods(c)).filter(running).length, 6);
    const t0 = c.clock.now();
    for (const t of readmeTraffic()) await c.traffic.start({ service: t.service, schedule: parseSchedule(t.schedule), durationMs: parseDuration(t.duration) });

    const peaks = APPS.map((app, i) => ({ app, start: (5 + 20 * i) * 60_000, end: (15 + 20 * i) * 60_000 }));
    const seen: Record<string, { atPeak: boolean; back: boolean }> = Object.fromEntries(APPS.map((a) => [a, { atPeak: false, back: false }]));
    const wall = performance.now();
    for (let minute = 1; minute <= 62; minute++) {
      await c.advanceClock(60_000);
      const elapsed = c.clock.now() - t0;
      const all = await pods(c);
      // Never a pod waiting for room, in the whole hour.
      const pending = all.filter((p) => p.status?.phase === 'Pending' && !p.spec.nodeName);
      assert.deepEqual(pending.map((p) => p.metadata.name), [], `minute ${minute}: pending pods`);
      const count = (app: string) => all.filter((p) => p.metadata.labels.app === app && running(p)).length;

      const peak = peaks.find((p) => elapsed >= p.start + 2 * 60_000 && elapsed <= p.end);
      if (peak) {
        // Two minutes into a peak: 12 Ready pods for it, 2 for each of the others, on all four nodes,
        // each node's 2 CPUs fully requested.
        assert.deepEqual(APPS.map((a) => count(a)), APPS.map((a) => (a === peak.app ? 12 : 2)), `minute ${minute}`);
        const requested = new Map<string, number>(nodes.map((n) => [n, 0]));
        for (const p of all.filter(running)) requested.set(p.spec.nodeName, requested.get(p.spec.nodeName)! + parseQuantity(p.spec.containers[0].resources.requests.cpu));
        assert.deepEqual([...requested.values()], [2, 2, 2, 2], `minute ${minute}: ${JSON.stringify([...requested])}`);
        const peakNodes = new Set(all.filter((p) => p.metadata.labels.app === peak.app && running(p)).map((p) => p.spec.nodeName));
        assert.ok(peakNodes.size >= 3, `minute ${minute}: ${peak.app} on ${[...peakNodes].join(', ')}`);
        const hpa = await c.api.get(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', peak.app);
        const util = hpa.status.currentMetrics[0].resource.current.averageUtilization;
        assert.ok(util >= 45 && util <= 55, `minute ${minute}: ${peak.app} at ${util}%, outside the 10% tolerance of 50%`);
        assert.deepEqual(await rescales(c, peak.app), [`New size: 4; ${UP}`, `New size: 8; ${UP}`, `New size: 12; ${UP}`]);
        seen[peak.app].atPeak = true;
      }
      const after = peaks.find((p) => elapsed > p.end && elapsed <= p.end + 5 * 60_000);
      if (after) {
        // The peak is over, but the 5-minute downscale stabilization window holds the 12 pods.
        assert.equal(count(after.app), 12, `minute ${minute}`);
        const hpa = await c.api.get(c.api.resource('horizontalpodautoscalers.autoscaling'), 'default', after.app);
        assert.equal(hpa.status.conditions.find((x: Obj) => x.type === 'AbleToScale').reason, 'ScaleDownStabilized', `minute ${minute}`);
      }
      const back = peaks.find((p) => elapsed >= p.end + 6 * 60_000 && elapsed < p.end + 10 * 60_000);
      if (back) {
        assert.deepEqual(APPS.map((a) => count(a)), [2, 2, 2], `minute ${minute}`);
        assert.equal(all.length, 6, `minute ${minute}: ${all.length} pods`);
        assert.deepEqual(await rescales(c, back.app), [`New size: 4; ${UP}`, `New size: 8; ${UP}`, `New size: 12; ${UP}`, `New size: 2; ${DOWN}`]);
        seen[back.app].back = true;
      }
    }
    assert.deepEqual(seen, { shop: { atPeak: true, back: true }, video: { atPeak: true, back: true }, reports: { atPeak: true, back: true } });
    // Every request found a ready pod.
    for (const t of c.traffic.list()) {
      assert.equal(t.phase, 'Completed');
      assert.equal(t.failed, 0, `${t.name}: ${t.lastError}`);
      assert.equal(t.sent, 400 * 50 * 60 + 8000 * 10 * 60);
    }
    console.log(`# an emulated hour of the sample: ${(performance.now() - wall).toFixed(0)} ms wall`);
  } finally {
    await c.stop();
  }
});

test('overlapping peaks do not fit: the second application waits with the scheduler\'s Insufficient cpu', async () => {
  const c = await createCluster({ nodes: 4, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    await apply(c);
    await c.advanceClock(30_000);
    await c.traffic.start({ service: 'shop', rps: 8000 });
    await c.advanceClock(3 * 60_000);
    await c.traffic.start({ service: 'video', rps: 8000 });
    await c.advanceClock(2 * 60_000);
    const all = await pods(c);
    assert.equal(all.filter((p) => p.metadata.labels.app === 'shop' && running(p)).length, 12);
    // video's HPA asks for more, but the 16 slots are taken: only its 2 pods run, the rest wait.
    const replicas = (await c.api.get(c.api.resource('deployments.apps'), 'default', 'video')).spec.replicas;
    assert.ok(replicas > 2, `video at ${replicas}`);
    assert.equal(all.filter((p) => p.metadata.labels.app === 'video' && running(p)).length, 2);
    const pending = all.filter((p) => p.status?.phase === 'Pending' && !p.spec.nodeName);
    assert.equal(pending.length, replicas - 2);
    for (const p of pending) {
      assert.equal(p.metadata.labels.app, 'video');
      const cond = p.status.conditions.find((x: Obj) => x.type === 'PodScheduled');
      assert.equal(cond.reason, 'Unschedulable');
      assert.match(cond.message, /^0\/4 nodes are available: 4 Insufficient cpu\./);
    }
  } finally {
    await c.stop();
  }
});
