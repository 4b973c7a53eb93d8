// A throwaway etcd for tests and benchmarks: Debian's etcd-server (/usr/bin/etcd, 3.4) or $ETCD,
// on free 127.0.0.1 ports with a temporary data directory, removed on stop().

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const ETCD_NOT_FOUND = 'etcd not found on PATH (or set ETCD): install the Debian package "etcd-server"';

export interface EtcdServer {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  port: number;
  peerPort: number;
  dataDir: string;
  /** Stops etcd (SIGTERM, then SIGKILL) and, unless keepData, removes its data directory. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** Kills etcd with SIGKILL and waits for it to exit (to test a lost connection). */
  kill(): Promise<void>;
}

/** The etcd binary: $ETCD, else `etcd` on PATH; throws ETCD_NOT_FOUND otherwise. */
export function findEtcd(): string {
  const candidates = process.env.ETCD ? [process.env.ETCD] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'etcd'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error(ETCD_NOT_FOUND);
}

/** A port nobody listens on right now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/**
 * Starts etcd and resolves once /health answers true. Fast raft timings (10 ms heartbeat, 100 ms
 * election) make a single member elect itself at once and lower etcd's minimum lease TTL to 1 s
 * (3 x election ticks x heartbeat).
 */
export async function startEtcd(opts: { dataDir?: string; port?: number; peerPort?: number; timeoutMs?: number } = {}): Promise<EtcdServer> {
  const bin = findEtcd();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kube-emulator-etcd-'));
  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const peer = opts.peerPort ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const args = [
      '--name', 'default',
      '--data-dir', dataDir,
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `default=${peerUrl}`,
      '--heartbeat-interval', '10',
      '--election-timeout', '100',
    ];
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Neither etcd nor its log keeps this process alive (a test that fails before stop() must not
    // hang the run), and a watchdog stops etcd when this process ends however it ends: its stdin
    // reaches end-of-file then, even on SIGKILL.
    proc.unref();
    (proc.stderr as unknown as { unref(): void }).unref();
    const pid = proc.pid!;
    const script = [
      'read _',
      `kill -TERM ${pid} 2>/dev/null`,
      'n=0',
      `while kill -0 ${pid} 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done`,
      `kill -KILL ${pid} 2>/dev/null`,
      ...(opts.dataDir ? [] : ['sleep 0.2', 'rm -rf "$0"']),
    ].join('\n');
    const watchdog = spawn('/bin/sh', ['-c', script, dataDir], { stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref(): void }).unref();
    const disarm = () => {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    };
    let log = '';
    proc.stderr!.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-8000);
    });
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let ready = false;
    while (!ready && Date.now() < deadline && proc.exitCode === null && proc.signalCode === null) {
      const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 50))]);
      if (failed) throw new Error(`cannot start ${bin}: ${failed.message}`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        ready = body.health === 'true';
      } catch {
        // not yet
      }
    }
    if (!ready) {
      disarm();
      proc.kill('SIGKILL');
      await exited(proc);
      // A port taken between freePort() and etcd's bind: try other ports.
      if (attempt < 3 && opts.port === undefined && /address already in use/.test(log)) continue;
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`etcd (${bin}) did not become ready on ${url}:\n${log}`);
    }
    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      peerPort: peer,
      dataDir,
      kill: async () => {
        disarm();
        proc.kill('SIGKILL');
        const t = setTimeout(() => {}, 5000); // keeps the event loop alive until etcd is gone
        await exited(proc);
        clearTimeout(t);
      },
      stop: async (o = {}) => {
        await (stopped ??= (async () => {
          disarm();
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
            await exited(proc);
            clearTimeout(t);
          }
        })());
        if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
}
