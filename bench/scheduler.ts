// kube-scheduler throughput (issue 5): 5,000 Node objects made in-process (no kubelets), 30,000
// pending pods, the scheduler started and timed until every pod is bound through pods/binding
// (Scheduled events included). Three workloads: plain pods with requests, pods with a zone
// topology spread constraint (DoNotSchedule, maxSkew 1), and pods with required anti-affinity on
// hostname against their own app (100 apps). Anchor: Kubernetes' scheduler_perf expects 680-810
// pods/s for its 5,000-node SchedulingBasic; the goal here is at least 20,000 pods/s in-process.
//
// `node --expose-gc --import tsx bench/scheduler.ts [nodes] [pods]` runs it alone.

import { pathToFileURL } from 'node:url';
import { setImmediate as tick } from 'node:timers/promises';
import { APIServer } from '../src/emulator/api/apiserver.ts';
import type { Obj } from '../src/emulator/api/objects.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { Scheduler } from '../src/emulator/scheduler/scheduler.ts';
import { Cache, PodInfo } from '../src/emulator/scheduler/cache.ts';
import { Framework } from '../src/emulator/scheduler/framework.ts';
import { table } from './lib/table.ts';

type Workload = 'plain' | 'spread' | 'anti-affinity';

function podSpec(kind: Workload, i: number): Obj {
  const app = kind === 'anti-affinity' ? `app-${i % 100}` : 'web';
  const spec: Obj = { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] };
  if (kind === 'spread') {
    spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app } } }];
  }
  if (kind === 'anti-affinity') {
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } }] } };
  }
  return { metadata: { name: `p-${i}`, labels: { app } }, spec };
}

export async function schedulerThroughput(kind: Workload, nodes: number, pods: number): Promise<(string | number)[]> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const nodesDef = api.resource('nodes');
  for (let i = 0; i < nodes; i++) {
    const name = `node-${i}`;
    const allocatable = { cpu: '32', memory: '128Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const n = await api.create(nodesDef, undefined, { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } } });
    await api.update(nodesDef, undefined, name, { ...n, status: { allocatable, capacity: allocatable } }, { subresource: 'status' });
  }
  const podsDef = api.resource('pods');
  for (let i = 0; i < pods; i++) await api.create(podsDef, 'default', podSpec(kind, i));
  global.gc?.();
  const sched = new Scheduler(api.as('kube-scheduler'), clock);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await sched.start();
  const tStarted = performance.now();
  while (sched.bound < pods) {
    await tick();
    if (performance.now() - t0 > 600_000) break;
  }
  const ms = performance.now() - tStarted;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const { items } = await api.list(podsDef, 'default', { fieldSelector: 'spec.nodeName=' });
  sched.stop();
  clock.dispose();
  const rate = (sched.bound / ms) * 1000;
  return [kind, nodes, pods, sched.bound, items.length, (tStarted - t0).toFixed(0), ms.toFixed(0), rate.toFixed(0), ((sched.bound / cpuMs) * 1000).toFixed(0), ((ms * 1000) / pods).toFixed(1)];
}

function nodeObject(i: number): Obj {
  const name = `node-${i}`;
  const allocatable = { cpu: '32', memory: '128Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } }, status: { allocatable, capacity: allocatable } };
}

/**
 * The scheduling algorithm alone: the cache and the framework fed directly (no API server, no
 * binding, no events), so the cost per pod of filtering, scoring and assuming can be seen apart
 * from the cost of the writes.
 */
export function decisionThroughput(kind: Workload, nodes: number, pods: number): (string | number)[] {
  const cache = new Cache();
  for (let i = 0; i < nodes; i++) cache.setNode(nodeObject(i));
  const fw = new Framework({ cache, random: Math.random, defaultSelector: () => [], namespaceLabels: () => ({}), namespacesMatching: () => [], nominatedPods: () => [], anyNominated: () => false });
  const objs = Array.from({ length: pods }, (_, i) => {
    const p = podSpec(kind, i);
    p.metadata.namespace = 'default';
    return p;
  });
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let tFirst = 0;
  for (let i = 0; i < pods; i++) {
    if (i === pods / 10) tFirst = performance.now();
    const pi = new PodInfo(objs[i]);
    const r = fw.schedule(pi);
    if ('node' in r) cache.addPod(pi, r.node);
    else failed++;
  }
  const ms = performance.now() - t0;
  const lastMs = performance.now() - tFirst;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // The cost of the last 90% against the first 10%: flat when the cost does not grow with the pods.
  return [kind, nodes, pods, pods - failed, ms.toFixed(0), ((pods / ms) * 1000).toFixed(0), ((pods / cpuMs) * 1000).toFixed(0), (((tFirst - t0) * 1000) / (pods / 10)).toFixed(1), ((lastMs * 1000) / (pods - pods / 10)).toFixed(1)];
}

export async function schedulerBench(nodes = 5_000, pods = 30_000): Promise<void> {
  const decisions: (string | number)[][] = [];
  for (const kind of ['plain', 'spread', 'anti-affinity'] as const) decisions.push(decisionThroughput(kind, nodes, pods));
  table(
    'kube-scheduler algorithm alone (cache + filters + scores + assume, no API writes); µs per pod over the first 10% and the last 90% of the pods',
    ['workload', 'nodes', 'pods', 'placed', 'wall ms', 'pods/s (wall)', 'pods per CPU-s', 'µs/pod first 10%', 'µs/pod last 90%'],
    decisions,
  );
  console.log(`(load average while measuring: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores)`);
  const rows: (string | number)[][] = [];
  for (const kind of ['plain', 'spread', 'anti-affinity'] as const) rows.push(await schedulerThroughput(kind, nodes, pods));
  table(
    'kube-scheduler throughput, in-process (Node objects only, no kubelets; bind + Scheduled event per pod). Anchor: scheduler_perf 680-810 pods/s at 5,000 nodes; goal ≥ 20,000 pods/s',
    ['workload', 'nodes', 'pods', 'bound', 'left pending', 'informer sync ms', 'scheduling ms', 'pods/s (wall)', 'pods per CPU-s', 'µs per pod'],
    rows,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await schedulerBench(Number(process.argv[2] ?? 5_000), Number(process.argv[3] ?? 30_000));
}
