// npm run bench: the emulator's speed and memory targets, printed as tables.
//
//  1. start-up: `kube-emulator serve` (built) to `kubectl get nodes` showing 3 Ready nodes (median of 5)
//  2. in-process cluster start (createCluster, 3 nodes) (median of 20)
//  3. scheduling: pods created → Running on virtual time, and the cost per pod as the cluster grows
//     (it must not grow with the number of pods already there)
//  4. watch fan-out; durable, etcd and through-the-API write rates; start-up with 150,000 pods
//     stored (BENCH_PODS sets another count)
//  5. the apiserver under load (bench/api.ts): LIST of 10,000 pods as JSON and Table against
//     JSON.stringify of the same list, write latency p50/p99 with 10,000 objects stored, and
//     `kubectl apply -f` of a folder of 1,000 objects
//  6. kube-scheduler throughput at 5,000 nodes (bench/scheduler.ts), and the whole path at scale
//     (bench/cluster-scale.ts): nodes with kubelets, pods created → Running, wall time and peak RSS,
//     and the cost of each of a pod's ten API writes on that path (bench/write-path.ts)
//  7. a 1,000-replica Deployment rolled to a new image with 25%/25% (bench/rollout.ts): wall and
//     emulated time, kube-controller-manager's API writes against what Kubernetes issues
//  8. the editor's diagnostics (bench/validate.ts): a 2,000-line multi-document manifest and
//     keystrokes in a 500-line one, against yaml-language-server with the same Kubernetes schema
//  9. the topology panel (bench/topology.ts): 1,000 pods on 20 nodes in Chromium, first render,
//     an update replacing 50 pods, frame times while panning
// 10. the explorer's trees (bench/trees.ts): each view's rows with 1,000 pods, and how many elements
//     a refresh fires

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCluster } from '../src/emulator/cluster.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { median, table } from './lib/table.ts';
import { watchFanout } from './watch-fanout.ts';
import { apiWriteBench } from './api-writes.ts';
import { durableStartupBench, durableWriteBench } from './durable.ts';
import { etcdWriteBench } from './etcd-vs-memory.ts';
import { applyBench, latencyBench, listBench } from './api.ts';
import { schedulerBench } from './scheduler.ts';
import { clusterScaleBench } from './cluster-scale.ts';
import { writePathBench } from './write-path.ts';
import { rolloutBench } from './rollout.ts';
import { validateBench } from './validate.ts';
import { topologyBench } from './topology.ts';
import { treesBench } from './trees.ts';

const ROOT = resolve(import.meta.dirname, '..');

async function startupToReady(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--nodes', '3', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((r) => proc.stdout.on('data', (d) => ((out += d), out.includes('kubeconfig:') && r())));
  try {
    for (;;) {
      const g = spawnSync('kubectl', ['--cache-dir', join(dir, 'cache'), 'get', 'nodes', '--no-headers'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' });
      if ((g.stdout.match(/\sReady\s/g) ?? []).length === 3) return performance.now() - t0;
    }
  } finally {
    proc.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  if (existsSync(join(ROOT, 'dist/cli.js'))) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await startupToReady());
    table('Start-up: `kube-emulator serve` to `kubectl get nodes` with 3 Ready (includes kubectl\'s own start and cold discovery)', ['runs', 'median ms', 'min ms', 'max ms'], [
      [runs.length, median(runs).toFixed(0), Math.min(...runs).toFixed(0), Math.max(...runs).toFixed(0)],
    ]);
  } else {
    console.log('\n(dist/cli.js missing: run `npm run build` for the start-up benchmark)');
  }

  const starts: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const c = await createCluster({ nodes: 3 });
    starts.push(performance.now() - t0);
    await c.stop();
  }
  table('In-process: createCluster({ nodes: 3 }) listening with 3 Ready nodes', ['runs', 'median ms', 'max ms'], [[starts.length, median(starts).toFixed(1), Math.max(...starts).toFixed(1)]]);

  const rows: (string | number)[][] = [];
  for (const [nodes, pods] of [
    [3, 100],
    [3, 300],
    [10, 1000],
    [50, 3000],
  ]) {
    const clock = new EmulatorClock({ mode: 'manual' });
    const c = await createCluster({ nodes, clock, noHttp: true });
    const podsDef = c.api.resource('pods');
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 0; i < pods; i++) {
      await c.api.create(podsDef, 'default', {
        metadata: { name: `p-${i}` },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
      });
    }
    await c.advanceClock(30_000);
    const ms = performance.now() - t0;
    const { items } = await c.api.list(podsDef, 'default', { fieldSelector: 'status.phase=Running' });
    global.gc?.();
    const heap = process.memoryUsage().heapUsed - heap0;
    rows.push([nodes, pods, items.length, ms.toFixed(0), (ms / pods).toFixed(2), ((heap / pods) / 1024).toFixed(1)]);
    await c.stop();
  }
  table('Pods created → Running on virtual time (scheduler + kubelets + events)', ['nodes', 'pods', 'Running', 'total ms', 'ms per pod', 'heap KiB per pod'], rows);

  table('Watch fan-out through the apiserver (memory store)', ['watchers', 'events', 'deliveries', 'ms', 'deliveries/s', 'heap MiB'], [await watchFanout()]);

  // The store (issue 3): durable writes, etcd on loopback, the API end to end, and a big start-up.
  await durableWriteBench(3);
  await etcdWriteBench({ seconds: 3 });
  if (existsSync(join(ROOT, 'dist/cli.js'))) await apiWriteBench(3);
  await durableStartupBench(Number(process.env.BENCH_PODS ?? 150_000));

  // The apiserver under load (issue 4): LIST against its serialisation floor, write latency with
  // 10,000 objects stored, kubectl apply of a folder of 1,000 objects.
  await listBench();
  await latencyBench();
  if (existsSync(join(ROOT, 'dist/cli.js'))) await applyBench();

  // kube-scheduler (issue 5): 5,000 nodes, 30,000 pods; plain, zone spread, anti-affinity.
  await schedulerBench();

  // kube-controller-manager (issue 6): a 1,000-replica rolling update and the API writes it took.
  await rolloutBench();

  // The editor (issue 7): diagnostics against yaml-language-server, full files and keystrokes.
  await validateBench();

  // The topology panel (issue 8): 1,000 pods in Chromium, first render, an update, panning.
  await topologyBench();

  // The explorer's trees (issue 8): rows per refresh with 1,000 pods and the elements a refresh fires.
  treesBench();

  // The whole path at scale (issue 5): 150,000 pods on 5,000 nodes (BENCH_SCALE_NODES and
  // BENCH_SCALE_PODS set others), after a smaller run for the trend.
  await clusterScaleBench(1_000, 10_000);
  // What each of a pod's ten API writes costs, against the 400 µs per pod the scale goal allows.
  await writePathBench();
  await clusterScaleBench(Number(process.env.BENCH_SCALE_NODES ?? 5_000), Number(process.env.BENCH_SCALE_PODS ?? 150_000));
}

await main();
