// Acknowledged writes per second through the API (HTTPS POSTs, keep-alive, as kubectl and
// client-go send them) with 1 and 16 concurrent clients, on each store: memory, durable (fsync
// before the answer) and a real etcd on loopback. Issue 3's anchor: etcd's own guide reports 583
// writes/s for one client; the goal for the durable store is 5,000/s with group commit.
//
// The server is the built CLI (`dist/cli.js serve`) in a process of its own, as users run it, so
// the clients here do not share its event loop.

import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { serve } from '../test/e2e/helpers.ts';
import { startEtcd } from '../test/emulator/store/etcd-server.ts';
import { median, table } from './lib/table.ts';

function post(agent: https.Agent, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', agent, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function run(serveArgs: string[], clients: number, seconds: number): Promise<{ perSec: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-bench-api-'));
  const server = await serve(['--nodes', '1', '--kubeconfig', join(dir, 'kubeconfig'), ...serveArgs]);
  const kc = parseYaml(readFileSync(server.kubeconfig, 'utf8'));
  const cluster = { url: kc.clusters[0].cluster.server as string, token: kc.users[0].user.token as string };
  const url = `${cluster.url}/apis/coordination.k8s.io/v1/namespaces/default/leases`;
  const agent = new https.Agent({ keepAlive: true, maxSockets: clients });
  const lat: number[] = [];
  const runId = Date.now().toString(36);
  let n = 0;
  const end = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; performance.now() < end; i++) {
          const body = JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `r${runId}-c${c}-${i}`, labels: { bench: 'api' } }, spec: { holderIdentity: `client-${c}`, leaseDurationSeconds: 40 } });
          const t0 = performance.now();
          const code = await post(agent, url, cluster.token, body);
          if (code !== 201) throw new Error(`POST answered ${code}`);
          lat.push(performance.now() - t0);
          n++;
        }
      }),
    );
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  lat.sort((a, b) => a - b);
  return { perSec: n / seconds, p50: median(lat), p99: lat[Math.floor(lat.length * 0.99)] };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export async function apiWriteBench(seconds = 3): Promise<void> {
  const etcd = await startEtcd();
  const rows: (string | number)[][] = [];
  try {
    for (const clients of [1, 16]) {
      const row: (string | number)[] = [clients];
      for (const kind of ['memory', 'durable', 'etcd'] as const) {
        const args = kind === 'durable' ? ['--state', join(mkdtempSync(join(tmpdir(), 'kube-emulator-bench-state-')), 'state')] : kind === 'etcd' ? ['--store', etcd.url] : [];
        const r = await run(args, clients, seconds);
        row.push(fmt(r.perSec), `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`);
      }
      rows.push(row);
    }
  } finally {
    await etcd.stop();
  }
  table(
    'Acknowledged creates per second through the API (HTTPS POST, keep-alive), by store',
    ['clients', 'memory /s', 'memory p50/p99 ms', 'durable /s', 'durable p50/p99 ms', 'etcd /s', 'etcd p50/p99 ms'],
    rows,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await apiWriteBench(Number(process.argv[2] ?? 3));
}
