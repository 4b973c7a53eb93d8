// Acknowledged writes per second of the store backends on one harness: a real etcd on loopback
// (EtcdStore; etcd fsyncs its WAL before it answers), the durable store (journal fsynced before it
// answers) and the memory store, with 1 and 16 concurrent writers. Each write is a create of a new
// pod of about 2 KB (bench/durable.ts pod()), awaited before the writer's next one.
//
//   node --import tsx bench/etcd-vs-memory.ts [--seconds 3] [--etcd etcd://HOST:PORT]
//
// Without --etcd it starts a throwaway etcd (Debian's etcd-server, or $ETCD) with a data folder in
// the system's temp folder. bench/run.ts can call etcdWriteBench() instead.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { openDurable } from '../src/emulator/store/durable.ts';
import { EtcdStore } from '../src/emulator/store/etcd.ts';
import { MemoryStore } from '../src/emulator/store/memory.ts';
import type { Store } from '../src/emulator/store/types.ts';
import { startEtcd } from '../test/emulator/store/etcd-server.ts';
import { pod } from './durable.ts';
import { table } from './lib/table.ts';

interface Result {
  n: number;
  perSec: number;
  p50: number;
  p99: number;
}

/** `writers` loops for `seconds`, each creating a new pod and awaiting it before the next. */
async function creates(store: Store, writers: number, seconds: number, tag: string): Promise<Result> {
  const lat: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const p = pod(w * 1_000_000 + i);
        p.metadata.name = `${tag}-w${w}-${i}`;
        const t = performance.now();
        await store.create(`/registry/pods/${p.metadata.namespace}/${p.metadata.name}`, p);
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { n: lat.length, perSec: lat.length / secs, p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)] };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The table: writes/s and latencies per backend, and durable / etcd. */
export async function etcdWriteBench(opts: { seconds?: number; etcdUrl?: string } = {}): Promise<void> {
  const seconds = opts.seconds ?? 3;
  const server = opts.etcdUrl ? undefined : await startEtcd();
  const url = opts.etcdUrl ?? server!.url;
  const rows: (string | number)[][] = [];
  try {
    for (const writers of [1, 16]) {
      const clock = new EmulatorClock();
      const etcd = await EtcdStore.connect(url, { clock, prefix: `/bench-${process.pid}-${Date.now()}` });
      await creates(etcd, writers, Math.min(seconds, 0.5), 'warm'); // connection and etcd warm-up
      const e = await creates(etcd, writers, seconds, 'e');
      await etcd.close();

      const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-etcd-vs-'));
      const durable = await openDurable(dir, { clock });
      const d = await creates(durable.store, writers, seconds, 'd');
      await durable.close();
      rmSync(dir, { recursive: true, force: true });

      const mem = new MemoryStore({ clock });
      const m = await creates(mem, writers, Math.min(seconds, 1), 'm');
      await mem.close();
      clock.dispose();

      rows.push([writers, fmt(e.perSec), `${e.p50.toFixed(2)} / ${e.p99.toFixed(2)}`, fmt(d.perSec), `${d.p50.toFixed(2)} / ${d.p99.toFixed(2)}`, (d.perSec / e.perSec).toFixed(1), fmt(m.perSec)]);
    }
  } finally {
    await server?.stop();
  }
  table(
    `Acknowledged creates per second (pods of ~2 KB), real etcd on loopback${opts.etcdUrl ? ` (${opts.etcdUrl})` : ' (etcd-server, WAL fsynced)'} vs the durable and memory stores`,
    ['writers', 'etcd writes/s', 'etcd p50 / p99 ms', 'durable writes/s', 'durable p50 / p99 ms', 'durable / etcd', 'memory writes/s'],
    rows,
  );
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await etcdWriteBench({ seconds: Number(arg('seconds') ?? 3), etcdUrl: arg('etcd') });
}
