// Shared helpers for the end-to-end suites: the real CLI (dist/cli.js) and the real kubectl.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');

export function requireCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
}

/** The kubectl to test with: $KUBECTL, or kubectl on PATH; fails with the Debian package to install. */
export function kubectlPath(): string {
  const fromEnv = process.env.KUBECTL;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`KUBECTL=${fromEnv} does not exist: install the Debian package "kubernetes-client" or fix KUBECTL`);
    return fromEnv;
  }
  const r = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) throw new Error('kubectl not found on PATH (or set KUBECTL): install the Debian package "kubernetes-client"');
  return p;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kube-emulator-${prefix}-`));
}

export interface Served {
  proc: ChildProcess;
  url: string;
  kubeconfig: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts `kube-emulator serve` and resolves once it prints its API address and kubeconfig. */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  requireCli();
  const proc = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`kube-emulator serve did not start within 20 s:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /Kubernetes API at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const kubeconfig = /kubeconfig: (.+)/.exec(out)?.[1]?.trim();
      if (url && kubeconfig) {
        clearTimeout(timer);
        resolvePromise({
          proc,
          url,
          kubeconfig,
          output: () => out,
          stop: () =>
            new Promise((r) => {
              if (proc.exitCode !== null) return r(proc.exitCode);
              proc.once('exit', (code) => r(code));
              proc.kill('SIGTERM');
            }),
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kube-emulator serve exited with ${code}:\n${out}`));
    });
  });
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (async, so the server in this process keeps answering). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolvePromise) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    p.stdin.end(input ?? '');
  });
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  requireCli();
  return run(process.execPath, [CLI, ...args], env);
}

/** Polls fn until it returns a truthy value (real time: e2e tests talk to a real-time cluster). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

export type Kubectl = (...args: string[]) => Promise<Run>;

export interface KubectlServer {
  server: Served;
  /** The suite's temporary directory (the kubeconfig and kubectl's discovery cache live in it). */
  dir: string;
  kubectl: Kubectl;
  /** kubectl with `input` on stdin (`-f -`). */
  kubectlIn: (input: string, ...args: string[]) => Promise<Run>;
}

/**
 * The before/after block of the kubectl suites: before the tests, `kube-emulator serve --nodes N`
 * with its kubeconfig in a fresh temporary directory and the real kubectl bound to it (its own
 * discovery cache); after them, the server must stop cleanly on SIGTERM. `ready` receives the
 * session once the server is up.
 */
export function kubectlServer(name: string, nodes: number, ready: (s: KubectlServer) => void): void {
  let server: Served | undefined;
  before(async () => {
    const bin = kubectlPath();
    const dir = tempDir(name);
    const served = await serve(['--nodes', String(nodes), '--kubeconfig', join(dir, 'kubeconfig')]);
    server = served;
    const cache = join(dir, 'kube-cache');
    const env = { KUBECONFIG: served.kubeconfig };
    ready({
      server: served,
      dir,
      kubectl: (...args) => run(bin, ['--cache-dir', cache, ...args], env),
      kubectlIn: (input, ...args) => run(bin, ['--cache-dir', cache, ...args], env, input),
    });
  });
  after(async () => {
    assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
  });
}
