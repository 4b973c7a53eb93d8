// What the kubelet needs from the rest of the emulated node (runtime/contracts.ts): programs for
// images, whether an image reference can be pulled, the pod's file systems, and the network.
// The cluster passes the real ones; the defaults here keep a kubelet usable on its own (an image
// runs idle until signalled, an in-memory root file system, a network where nothing listens).

import type { Obj } from '../api/objects.ts';
import { FsError, NetError, type FileStat, type FileSystem, type Network, type Program } from '../runtime/contracts.ts';
import { imageFor } from './images.ts';

/** A pod's storage as the kubelet holds it between container restarts. */
export interface PodStorage {
  /** The file system one container sees: its root and its volumeMounts. */
  containerFs(container: Obj): FileSystem;
  /** The pod changed (a ConfigMap or Secret volume's source, say); optional. */
  dispose?(): void;
}

export interface KubeletRuntime {
  programFor(image: string, command: string[], args: string[]): Program;
  /** False for a reference no registry has (ErrImagePull). */
  imageExists(ref: string): boolean;
  /** The pod's volumes, made when its sandbox comes up, kept until it goes. */
  podStorage(pod: Obj, node: { name: string }): PodStorage;
  network: Network;
}

/** A long-running process that prints its image's start-up lines and exits 0 when signalled. */
export function idleProgram(image: string): Program {
  return async (ctx) => {
    for (const line of imageFor(image).startupLogs({ podIP: ctx.pod.ip, podName: ctx.pod.name, now: ctx.clock.now() })) ctx.stdout(line + '\n');
    const sig = await ctx.signal;
    return sig === 'SIGKILL' ? 137 : 0;
  };
}

/** A flat in-memory file system, enough for a kubelet used without the volumes module. */
export class SimpleFs implements FileSystem {
  private readonly files = new Map<string, { data: Buffer; mtime: number; mode: number }>();
  private readonly dirs = new Set<string>(['/']);

  constructor(private readonly now: () => number = Date.now) {}

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
    if (this.dirs.has(p)) return { kind: 'dir', size: 0, mtime: 0, mode: 0o755 };
    const f = this.files.get(p);
    return f ? { kind: 'file', size: f.data.length, mtime: f.mtime, mode: f.mode } : undefined;
  }

  read(path: string): Buffer {
    const p = this.norm(path);
    if (this.dirs.has(p)) throw new FsError('EISDIR', `${path}: Is a directory`);
    const f = this.files.get(p);
    if (!f) throw new FsError('ENOENT', `${path}: No such file or directory`);
    return f.data;
  }

  write(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number } = {}): void {
    const p = this.norm(path);
    if (this.dirs.has(p)) throw new FsError('EISDIR', `${path}: Is a directory`);
    if (!this.dirs.has(this.parent(p))) throw new FsError('ENOENT', `${path}: No such file or directory`);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const old = this.files.get(p);
    this.files.set(p, { data: opts.append && old ? Buffer.concat([old.data, buf]) : buf, mtime: this.now(), mode: opts.mode ?? old?.mode ?? 0o644 });
  }

  mkdir(path: string, opts: { recursive?: boolean } = {}): void {
    const p = this.norm(path);
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
    if (!this.dirs.has(p)) throw new FsError(this.files.has(p) ? 'ENOTDIR' : 'ENOENT', `${path}: ${this.files.has(p) ? 'Not a directory' : 'No such file or directory'}`);
    const prefix = p === '/' ? '/' : p + '/';
    const out = new Set<string>();
    for (const k of [...this.dirs, ...this.files.keys()]) {
      if (k !== p && k.startsWith(prefix) && !k.slice(prefix.length).includes('/')) out.add(k.slice(prefix.length));
    }
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
    if (p !== '/') this.dirs.delete(p);
  }
}

/** A network where nobody listens: every request is refused. */
export const isolatedNetwork: Network = {
  listen: () => () => {},
  request: async (_from, url) => {
    throw new NetError('ECONNREFUSED', `connect to ${url} failed: Connection refused`);
  },
  resolve: () => undefined,
};

export function defaultRuntime(): KubeletRuntime {
  return {
    programFor: (image) => idleProgram(image),
    imageExists: () => true,
    podStorage: () => {
      const fsByContainer = new Map<string, FileSystem>();
      return {
        containerFs: (c) => {
          let fs = fsByContainer.get(c.name);
          if (!fs) fsByContainer.set(c.name, (fs = new SimpleFs()));
          return fs;
        },
      };
    },
    network: isolatedNetwork,
  };
}
