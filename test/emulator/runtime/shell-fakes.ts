// Test doubles for the shell and image programs: an in-memory FileSystem, a Network with named
// hosts and listeners, and a runner that gives a Program a ProcessContext on a manual clock.

import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { FsError, NetError, type FileStat, type FileSystem, type HttpHandler, type HttpResponse, type Network, type Program, type ProcessContext } from '../../../src/emulator/runtime/contracts.ts';

export class MemFs implements FileSystem {
  readonly files = new Map<string, { data: Buffer; mtime: number; mode: number }>();
  readonly dirs = new Set<string>(['/']);
  constructor(
    private readonly now: () => number = () => 0,
    readonly readOnly = false,
  ) {
    for (const d of ['/bin', '/etc', '/tmp', '/root', '/usr', '/usr/bin', '/var', '/dev', '/proc']) this.dirs.add(d);
  }
  private norm(p: string): string {
    const parts: string[] = [];
    for (const s of p.split('/')) {
      if (!s || s === '.') continue;
      if (s === '..') parts.pop();
      else parts.push(s);
    }
    return '/' + parts.join('/');
  }
  private parent(p: string): string {
    const i = p.lastIndexOf('/');
    return i <= 0 ? '/' : p.slice(0, i);
  }
  stat(path: string): FileStat | undefined {
    const p = this.norm(path);
    if (this.dirs.has(p)) return { kind: 'dir', size: 4096, mtime: 0, mode: 0o755 };
    const f = this.files.get(p);
    return f ? { kind: 'file', size: f.data.length, mtime: f.mtime, mode: f.mode } : undefined;
  }
  read(path: string): Buffer {
    const p = this.norm(path);
    if (this.dirs.has(p)) throw new FsError('EISDIR', `${path}: Is a directory`);
    const f = this.files.get(p);
    if (!f) throw new FsError(this.files.has(this.parent(p)) ? 'ENOTDIR' : 'ENOENT', `${path}: No such file or directory`);
    return f.data;
  }
  write(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number } = {}): void {
    const p = this.norm(path);
    if (this.readOnly) throw new FsError('EROFS', `${path}: Read-only file system`);
    if (this.dirs.has(p)) throw new FsError('EISDIR', `${path}: Is a directory`);
    if (!this.dirs.has(this.parent(p))) throw new FsError('ENOENT', `${path}: No such file or directory`);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const old = this.files.get(p);
    this.files.set(p, { data: opts.append && old ? Buffer.concat([old.data, buf]) : buf, mtime: this.now(), mode: opts.mode ?? old?.mode ?? 0o644 });
  }
  mkdir(path: string, opts: { recursive?: boolean } = {}): void {
    const p = this.norm(path);
    if (this.readOnly) throw new FsError('EROFS', `${path}: Read-only file system`);
    if (this.files.has(p)) throw new FsError('EEXIST', `${path}: File exists`);
    if (this.dirs.has(p)) {
      if (opts.recursive) return;
      throw new FsError('EEXIST', `${path}: File exists`);
    }
    if (!this.dirs.has(this.parent(p))) {
      if (!opts.recursive) throw new FsError('ENOENT', `${path}: No such file or directory`);
      this.mkdir(this.parent(p), opts);
    }
    this.dirs.add(p);
  }
  list(path: string): string[] {
    const p = this.norm(path);
    if (!this.dirs.has(p)) throw new FsError(this.files.has(p) ? 'ENOTDIR' : 'ENOENT', `${path}: No such file or directory`);
    const prefix = p === '/' ? '/' : p + '/';
    const out = new Set<string>();
    for (const k of [...this.dirs, ...this.files.keys()]) if (k !== p && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.add(k.slice(prefix.length));
    return [...out].sort();
  }
  remove(path: string, opts: { recursive?: boolean } = {}): void {
    const p = this.norm(path);
    if (this.files.delete(p)) return;
    if (!this.dirs.has(p)) throw new FsError('ENOENT', `${path}: No such file or directory`);
    const inside = [...this.dirs, ...this.files.keys()].filter((k) => k.startsWith(p + '/'));
    if (inside.length && !opts.recursive) throw new FsError('ENOTEMPTY', `${path}: Directory not empty`);
    for (const k of inside) {
      this.dirs.delete(k);
      this.files.delete(k);
    }
    this.dirs.delete(p);
  }
}

/** A cluster network: names → IPs, listeners by ip:port, Service IPs spreading round-robin. */
export class FakeNet implements Network {
  readonly listeners = new Map<string, HttpHandler>();
  readonly names = new Map<string, string>();
  readonly services = new Map<string, string[]>();
  /** IPs that exist (pods, nodes): a request to one with nothing listening is refused. */
  readonly hosts = new Set<string>();
  /** IPs that never answer (a request hangs until the client's timeout). */
  readonly blackholes = new Set<string>();
  readonly requests: { from: string; url: string; method: string; headers: Record<string, string> }[] = [];
  private rr = new Map<string, number>();

  listen(ip: string, port: number, handler: HttpHandler): () => void {
    const key = `${ip}:${port}`;
    this.listeners.set(key, handler);
    this.hosts.add(ip);
    return () => {
      if (this.listeners.get(key) === handler) this.listeners.delete(key);
    };
  }
  resolve(name: string, namespace: string): string | undefined {
    // The pod's resolv.conf search list: NAMESPACE.svc.cluster.local, svc.cluster.local.
    return this.names.get(name) ?? this.names.get(`${name}.${namespace}.svc.cluster.local`) ?? this.names.get(`${name}.svc.cluster.local`);
  }
  async request(from: { ip: string; namespace: string }, url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<HttpResponse> {
    const u = new URL(url);
    const port = Number(u.port || 80);
    let ip = u.hostname;
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
      const r = this.resolve(ip, from.namespace);
      if (!r) throw new NetError('ENOTFOUND', `${ip}: not found`);
      ip = r;
    }
    this.requests.push({ from: from.ip, url, method: init.method ?? 'GET', headers: init.headers ?? {} });
    if (this.blackholes.has(ip)) return new Promise(() => {});
    const backends = this.services.get(ip);
    if (backends) {
      const n = this.rr.get(ip) ?? 0;
      this.rr.set(ip, n + 1);
      if (!backends.length) throw new NetError('ECONNREFUSED', 'refused');
      ip = backends[n % backends.length];
    }
    const h = this.listeners.get(`${ip}:${port}`);
    if (!h) {
      if (this.hosts.has(ip) || backends) throw new NetError('ECONNREFUSED', `connect to ${ip}:${port}: Connection refused`);
      throw new NetError('EHOSTUNREACH', `${ip}: No route to host`);
    }
    return h({ method: init.method ?? 'GET', path: u.pathname + u.search, headers: init.headers ?? {}, body: init.body ?? Buffer.alloc(0), remoteIP: from.ip });
  }
}

export const START = Date.UTC(2026, 10, 26, 17, 0, 0);

export interface Running {
  ctx: ProcessContext;
  done: Promise<number>;
  stdout(): string;
  stderr(): string;
  /** Both streams in the order written. */
  output(): string;
  term(): void;
  kill(): void;
  /** Feeds stdin; `end()` closes it. */
  write(s: string): void;
  end(): void;
  clock: EmulatorClock;
}

export interface RunOptions {
  argv?: string[];
  env?: Record<string, string>;
  fs?: MemFs;
  net?: FakeNet;
  clock?: EmulatorClock;
  tty?: boolean;
  /** Give the process a stdin (fed with write/end); default none. */
  stdin?: boolean | string;
  /** Provide ctx.killed (PID-1 semantics possible). */
  killable?: boolean;
  pod?: Partial<ProcessContext['pod']>;
  /** The container's main process, for a process run as an exec beside it. */
  main?: ProcessContext['main'];
}

export function start(program: Program, o: RunOptions = {}): Running {
  const clock = o.clock ?? new EmulatorClock({ mode: 'manual', start: START });
  let out = '';
  let err = '';
  let all = '';
  let sendSignal!: (s: 'SIGTERM' | 'SIGKILL') => void;
  let sendKill!: () => void;
  const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (sendSignal = r));
  const killed = new Promise<void>((r) => (sendKill = r));
  const chunks: Buffer[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const stdin: AsyncIterable<Buffer> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (chunks.length) {
          yield chunks.shift()!;
          continue;
        }
        if (ended) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
  if (typeof o.stdin === 'string') {
    chunks.push(Buffer.from(o.stdin));
    ended = true;
  }
  const ctx: ProcessContext = {
    argv: o.argv ?? ['sh'],
    env: o.env ?? {},
    fs: o.fs ?? new MemFs(() => clock.now()),
    net: o.net ?? new FakeNet(),
    clock,
    pod: { name: 'web-7d4b9c-x2x9z', namespace: 'default', ip: '10.244.0.5', uid: 'uid-1', ...o.pod },
    container: 'main',
    stdin: o.stdin !== undefined && o.stdin !== false ? stdin : undefined,
    stdout: (d) => {
      out += d.toString();
      all += d.toString();
    },
    stderr: (d) => {
      err += d.toString();
      all += d.toString();
    },
    signal,
    killed: o.killable ? killed : undefined,
    tty: o.tty,
    main: o.main,
  };
  const done = program(ctx);
  return {
    ctx,
    done,
    clock,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    term: () => sendSignal('SIGTERM'),
    kill: () => {
      sendSignal('SIGKILL');
      sendKill();
    },
    write: (s) => {
      chunks.push(Buffer.from(s));
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  };
}

/** Runs a program to completion (advancing the clock while it sleeps) and returns what it printed. */
export async function run(program: Program, o: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string; output: string }> {
  const r = start(program, o);
  let code: number | undefined;
  let failed = false;
  r.done.then(
    (c) => (code = c),
    () => (failed = true),
  );
  for (let i = 0; i < 10_000 && code === undefined && !failed; i++) await r.clock.advance(1000);
  if (failed) await r.done;
  if (code === undefined) throw new Error(`program did not end; output so far: ${r.output()}`);
  return { code, stdout: r.stdout(), stderr: r.stderr(), output: r.output() };
}
