// The durable store's speed and memory, printed as markdown tables:
//
//  1. acknowledged durable writes per second through the store (each write fsynced before its
//     promise resolves) with 1 and 16 concurrent writers, against the store without a journal
//  2. start-up (snapshot load, and log replay after a crash) time and heap with 150,000 pods stored
//
//   node --expose-gc --import tsx bench/durable.ts [--pods 150000] [--seconds 3]
//
// bench/run.ts can call durableWriteBench() and durableStartupBench() instead.
//
// Start-ups are measured in a fresh child process each (`--startup DIR`), so that the heap figure
// is the store's and nothing else's.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { openDurable } from '../src/emulator/store/durable.ts';
import { MemoryStore } from '../src/emulator/store/memory.ts';
import type { Store } from '../src/emulator/store/types.ts';
import { table } from './lib/table.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

/** A pod as the scheduler and a kubelet leave it: about 2 KB of JSON. */
export function pod(i: number) {
  const name = `web-${Math.floor(i / 10)}-${(i * 2654435761) % 1e6}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: `ns-${i % 50}`,
      uid: `6f1e${String(i).padStart(8, '0')}-8c1d-4a6e-9b1f-2d3c4b5a6978`,
      generateName: `web-${Math.floor(i / 10)}-`,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6d', tier: 'frontend' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${Math.floor(i / 10)}`, uid: 'a1b2c3d4-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: `node-${i % 100}`,
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
    },
    status: {
      phase: 'Running',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' })),
      hostIP: `10.0.${i % 100}.1`,
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      startTime: '2026-01-01T00:00:01Z',
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: '2026-01-01T00:00:02Z' } },
          ready: true,
          restartCount: 0,
          image: 'nginx:1.27',
          imageID: 'docker-pullable://nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000',
          containerID: `containerd://${String(i).padStart(64, '0')}`,
          started: true,
        },
      ],
      qosClass: 'Burstable',
    },
  };
}
const podKey = (p: ReturnType<typeof pod>) => `/registry/pods/${p.metadata.namespace}/${p.metadata.name}`;

/** Acknowledged writes per second: `writers` loops, each awaiting its write before the next. */
async function throughput(store: Store, writers: number, seconds: number, tag: string): Promise<{ n: number; perSec: number; p50: number; p99: number }> {
  const deadline = performance.now() + seconds * 1000;
  const lat: number[] = [];
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const p = pod(w * 1_000_000 + i);
        p.metadata.name = `${tag}-w${w}-${i % 100}`;
        const key = podKey(p);
        const t = performance.now();
        if (i < 100) await store.create(key, p);
        else await store.update(key, p);
        lat.push(performance.now() - t);
        n++;
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { n, perSec: n / secs, p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)] };
}

/** Table 1: durable writes per second with 1 and 16 writers. */
export async function durableWriteBench(seconds = 3): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const writers of [1, 16]) {
    const clock = new EmulatorClock();
    const mem = new MemoryStore({ clock });
    const m = await throughput(mem, writers, Math.min(seconds, 1), 'm');
    await mem.close();
    const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-durable-'));
    const d = await openDurable(dir, { clock });
    const r = await throughput(d.store, writers, seconds, 'd');
    const st = d.journal.stats;
    await d.close();
    clock.dispose();
    rmSync(dir, { recursive: true, force: true });
    rows.push([
      writers,
      Math.round(r.perSec).toLocaleString('en-US'),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      (st.records / st.batches).toFixed(1),
      Math.round(m.perSec).toLocaleString('en-US'),
    ]);
  }
  table(
    'Acknowledged durable writes per second through the store (pods of ~2 KB; each write is fsynced before it is acknowledged)',
    ['writers', 'durable writes/s', 'p50 ms', 'p99 ms', 'writes per fsync', 'in-memory writes/s (no journal)'],
    rows,
  );
}

interface StartupResult {
  ms: number;
  heapMB: number;
  rssMB: number;
  objects: number;
  records: number;
}

/** Child mode: opens DIR once and reports time and heap. */
async function startupChild(dir: string): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const clock = new EmulatorClock();
  const d = await openDurable(dir, { clock });
  const ms = performance.now() - t0;
  const objects = await d.store.count('/registry/');
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const result: StartupResult = { ms, heapMB: (mem.heapUsed - heap0) / 1024 / 1024, rssMB: mem.rss / 1024 / 1024, objects, records: d.journal.stats.records };
  process.stdout.write(JSON.stringify(result) + '\n');
  // Leave the folder as it was for the next run: no final snapshot.
  process.exit(0);
}

function startup(dir: string): StartupResult {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', import.meta.filename, '--startup', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`start-up child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as StartupResult;
}

const folderBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

/** Tables 2 and 3: start-up and heap with `pods` pods stored, from a snapshot and from the log. */
export async function durableStartupBench(pods = 150_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-startup-'));
  const crashed = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-replay-'));
  const clock = new EmulatorClock();
  // No periodic snapshot: after the writes the log holds every pod (the crash case).
  const d = await openDurable(dir, { clock, snapshotEvery: Number.MAX_SAFE_INTEGER });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < pods; i = next++) {
        const p = pod(i);
        await d.store.create(podKey(p), p);
      }
    }),
  );
  const fill = performance.now() - t0;
  for (const f of readdirSync(dir)) if (f !== 'LOCK') cpSync(join(dir, f), join(crashed, f));
  const logBytes = folderBytes(crashed);
  const t1 = performance.now();
  await d.close(); // writes the snapshot
  const snapMs = performance.now() - t1;
  clock.dispose();
  const snapBytes = readdirSync(dir)
    .filter((f) => f.startsWith('snapshot-'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

  const fromSnapshot = [startup(dir), startup(dir), startup(dir)].sort((a, b) => a.ms - b.ms)[1];
  const fromLog = [startup(crashed), startup(crashed), startup(crashed)].sort((a, b) => a.ms - b.ms)[1];
  for (const r of [fromSnapshot, fromLog]) if (r.objects !== pods) throw new Error(`start-up found ${r.objects} objects, not ${pods}`);
  table(
    `Start-up with ${pods.toLocaleString('en-US')} pods stored (median of 3, each in a fresh process)`,
    ['state folder', 'on disk MB', 'start-up ms', 'heap MB (store)', 'RSS MB'],
    [
      ['one snapshot (after a clean close)', mb(snapBytes), fromSnapshot.ms.toFixed(0), fromSnapshot.heapMB.toFixed(0), fromSnapshot.rssMB.toFixed(0)],
      [`log only, ${pods.toLocaleString('en-US')} records (after a crash)`, mb(logBytes), fromLog.ms.toFixed(0), fromLog.heapMB.toFixed(0), fromLog.rssMB.toFixed(0)],
    ],
  );
  table('Filling and snapshotting it', ['step', 'ms'], [
    [`${pods.toLocaleString('en-US')} creates, 64 writers (${Math.round(pods / (fill / 1000)).toLocaleString('en-US')}/s)`, fill.toFixed(0)],
    ['snapshot on close', snapMs.toFixed(0)],
  ]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(crashed, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--startup');
  if (i >= 0) return startupChild(process.argv[i + 1]);
  await durableWriteBench(arg('seconds', 3));
  await durableStartupBench(arg('pods', 150_000));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
