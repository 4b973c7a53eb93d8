// In-memory file systems for the emulated containers (issue 5, runtime/contracts.ts FileSystem).
//
// - MemoryFileSystem: a directory tree of Buffers, with POSIX path handling (".", "..", repeated
//   slashes), modes, and mtimes from the emulator's clock. Reads return the stored bytes without a
//   copy (a view of the file's buffer): callers must not modify what read() returns. Appends grow
//   the file's buffer geometrically, so a shell loop doing `echo x >> f` is linear, not quadratic.
// - MountedFileSystem: what a container sees: its root (the writable layer) with the pod's volumes
//   mounted at paths, each with a subPath and readOnly (as the kubelet's volumeMounts,
//   pkg/kubelet/kubelet_pods.go makeMounts); the longest mount prefix wins; writes to read-only
//   mounts fail with EROFS ("Read-only file system"), removing a mount point with EBUSY.
//
// Error messages are "<path as given>: <strerror>", so a shell prints `cat: /x: No such file or
// directory` by prefixing its command name.

import { FsError, type FileStat, type FileSystem } from './contracts.ts';

export const STRERROR: Record<FsError['code'], string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EEXIST: 'File exists',
  EROFS: 'Read-only file system',
  ENOTEMPTY: 'Directory not empty',
  EBUSY: 'Resource busy',
  EINVAL: 'Invalid argument',
};

export function fsError(code: FsError['code'], path: string): FsError {
  return new FsError(code, `${path}: ${STRERROR[code]}`);
}

/** Splits a path into its components, resolving ".", ".." (never above the root) and "//". */
export function pathParts(path: string): string[] {
  const parts: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return parts;
}

/** The absolute, normalized form of a path ("a//b/../c" → "/a/c"). Relative paths are taken from "/". */
export function normalizePath(path: string): string {
  return '/' + pathParts(path).join('/');
}

/** Joins path segments and normalizes the result. */
export function joinPath(...segments: string[]): string {
  return normalizePath(segments.join('/'));
}

export function dirname(path: string): string {
  const p = normalizePath(path);
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function basename(path: string): string {
  const parts = pathParts(path);
  return parts.length ? parts[parts.length - 1] : '/';
}

interface FileNode {
  kind: 'file';
  /** Backing storage; the file's bytes are buf[0, len). */
  buf: Buffer;
  len: number;
  mode: number;
  mtime: number;
}

interface DirNode {
  kind: 'dir';
  children: Map<string, Node>;
  mode: number;
  mtime: number;
}

type Node = FileNode | DirNode;

export interface MemoryFileSystemOptions {
  /** Emulated time in ms (the emulator's clock); Date.now when not given. */
  now?: () => number;
  /** Writes fail with EROFS (use writer() to fill it). */
  readOnly?: boolean;
  /** Default mode of new files (0o644) and directories (0o755). */
  fileMode?: number;
  dirMode?: number;
}

/** A directory tree held in memory. */
export class MemoryFileSystem implements FileSystem {
  private readonly root: DirNode;
  private readonly now: () => number;
  private readonly fileMode: number;
  private readonly dirMode: number;
  private bytes = 0;
  readOnly: boolean;

  constructor(opts: MemoryFileSystemOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.fileMode = opts.fileMode ?? 0o644;
    this.dirMode = opts.dirMode ?? 0o755;
    this.readOnly = opts.readOnly ?? false;
    this.root = { kind: 'dir', children: new Map(), mode: this.dirMode, mtime: this.now() };
  }

  /** Bytes held by the files (their sizes, not the spare capacity of growing buffers). */
  usedBytes(): number {
    return this.bytes;
  }

  /** The node at path, or an error: ENOENT for a missing component, ENOTDIR for a file on the way. */
  private lookup(path: string, parts = pathParts(path)): Node {
    let n: Node = this.root;
    for (const s of parts) {
      if (n.kind !== 'dir') throw fsError('ENOTDIR', path);
      const c = n.children.get(s);
      if (!c) throw fsError('ENOENT', path);
      n = c;
    }
    return n;
  }

  /** The directory that holds the last component, and that component's name. */
  private parentOf(path: string, parts: string[]): { dir: DirNode; name: string } {
    if (parts.length === 0) throw fsError('EISDIR', path);
    const dir = this.lookup(path, parts.slice(0, -1));
    if (dir.kind !== 'dir') throw fsError('ENOTDIR', path);
    return { dir, name: parts[parts.length - 1] };
  }

  private checkWritable(path: string): void {
    if (this.readOnly) throw fsError('EROFS', path);
  }

  stat(path: string): FileStat | undefined {
    // Not lookup(): a miss is common (an overlay asks its upper layer first) and an error costs
    // its stack trace.
    let n: Node = this.root;
    for (const s of pathParts(path)) {
      const c: Node | undefined = n.kind === 'dir' ? n.children.get(s) : undefined;
      if (!c) return undefined;
      n = c;
    }
    return n.kind === 'file'
      ? { kind: 'file', size: n.len, mtime: n.mtime, mode: n.mode }
      : { kind: 'dir', size: 4096, mtime: n.mtime, mode: n.mode };
  }

  read(path: string): Buffer {
    const n = this.lookup(path);
    if (n.kind === 'dir') throw fsError('EISDIR', path);
    return n.len === n.buf.length ? n.buf : n.buf.subarray(0, n.len);
  }

  write(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number } = {}): void {
    this.checkWritable(path);
    this.put(path, data, opts);
  }

  /** write() without the read-only check: how the kubelet fills configMap, secret and downwardAPI volumes. */
  put(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number; mkdirs?: boolean } = {}): void {
    const parts = pathParts(path);
    if (opts.mkdirs && parts.length > 1) this.makeDirs(path, parts.slice(0, -1));
    const { dir, name } = this.parentOf(path, parts);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const old = dir.children.get(name);
    const now = this.now();
    if (old?.kind === 'dir') throw fsError('EISDIR', path);
    if (old && opts.append) {
      const need = old.len + buf.length;
      if (need > old.buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, old.buf.length * 2, 64));
        old.buf.copy(grown, 0, 0, old.len);
        old.buf = grown;
      }
      buf.copy(old.buf, old.len);
      old.len = need;
      old.mtime = now;
      if (opts.mode !== undefined) old.mode = opts.mode;
      this.bytes += buf.length;
      return;
    }
    if (old) {
      this.bytes -= old.len;
      old.buf = buf;
      old.len = buf.length;
      old.mtime = now;
      if (opts.mode !== undefined) old.mode = opts.mode;
    } else {
      dir.children.set(name, { kind: 'file', buf, len: buf.length, mode: opts.mode ?? this.fileMode, mtime: now });
      dir.mtime = now;
    }
    this.bytes += buf.length;
  }

  private makeDirs(path: string, parts: string[]): DirNode {
    let n: DirNode = this.root;
    for (const s of parts) {
      const c = n.children.get(s);
      if (!c) {
        const d: DirNode = { kind: 'dir', children: new Map(), mode: this.dirMode, mtime: this.now() };
        n.children.set(s, d);
        n.mtime = d.mtime;
        n = d;
      } else if (c.kind === 'file') {
        throw fsError('ENOTDIR', path);
      } else {
        n = c;
      }
    }
    return n;
  }

  mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): void {
    this.checkWritable(path);
    this.makeDir(path, opts);
  }

  /** mkdir() without the read-only check. */
  makeDir(path: string, opts: { recursive?: boolean; mode?: number } = {}): void {
    const parts = pathParts(path);
    if (opts.recursive) {
      const d = this.makeDirs(path, parts);
      if (opts.mode !== undefined) d.mode = opts.mode;
      return;
    }
    if (parts.length === 0) throw fsError('EEXIST', path);
    const { dir, name } = this.parentOf(path, parts);
    if (dir.children.has(name)) throw fsError('EEXIST', path);
    const now = this.now();
    dir.children.set(name, { kind: 'dir', children: new Map(), mode: opts.mode ?? this.dirMode, mtime: now });
    dir.mtime = now;
  }

  list(path: string): string[] {
    const n = this.lookup(path);
    if (n.kind !== 'dir') throw fsError('ENOTDIR', path);
    return [...n.children.keys()].sort();
  }

  remove(path: string, opts: { recursive?: boolean } = {}): void {
    this.checkWritable(path);
    this.delete(path, opts);
  }

  /** remove() without the read-only check. Removing "/" recursively empties the tree. */
  delete(path: string, opts: { recursive?: boolean } = {}): void {
    const parts = pathParts(path);
    if (parts.length === 0) {
      if (!opts.recursive && this.root.children.size) throw fsError('ENOTEMPTY', path);
      this.root.children.clear();
      this.bytes = 0;
      this.root.mtime = this.now();
      return;
    }
    const { dir, name } = this.parentOf(path, parts);
    const n = dir.children.get(name);
    if (!n) throw fsError('ENOENT', path);
    if (n.kind === 'dir' && n.children.size && !opts.recursive) throw fsError('ENOTEMPTY', path);
    this.bytes -= sizeOf(n);
    dir.children.delete(name);
    dir.mtime = this.now();
  }

  /** Sets a file's or directory's mode (chmod). */
  chmod(path: string, mode: number): void {
    this.checkWritable(path);
    this.lookup(path).mode = mode;
  }

  /** Moves a file or directory within this file system (mv). */
  rename(from: string, to: string): void {
    this.checkWritable(to);
    const fp = pathParts(from);
    const tp = pathParts(to);
    const src = this.parentOf(from, fp);
    const n = src.dir.children.get(src.name);
    if (!n) throw fsError('ENOENT', from);
    if (n.kind === 'dir' && tp.length >= fp.length && fp.every((s, i) => tp[i] === s)) {
      if (tp.length === fp.length) return;
      throw fsError('EINVAL', to);
    }
    const dst = this.parentOf(to, tp);
    const old = dst.dir.children.get(dst.name);
    if (old?.kind === 'dir') {
      if (n.kind !== 'dir') throw fsError('EISDIR', to);
      if (old.children.size) throw fsError('ENOTEMPTY', to);
    } else if (old && n.kind === 'dir') {
      throw fsError('ENOTDIR', to);
    }
    if (old) this.bytes -= sizeOf(old);
    src.dir.children.delete(src.name);
    dst.dir.children.set(dst.name, n);
    const now = this.now();
    src.dir.mtime = now;
    dst.dir.mtime = now;
  }
}

function sizeOf(n: Node): number {
  if (n.kind === 'file') return n.len;
  let s = 0;
  for (const c of n.children.values()) s += sizeOf(c);
  return s;
}

/** A read-only view of a file system: reads pass through, writes fail with EROFS. */
export class ReadOnlyFileSystem implements FileSystem {
  readonly readOnly = true;
  constructor(readonly inner: FileSystem) {}
  stat(path: string): FileStat | undefined {
    return this.inner.stat(path);
  }
  read(path: string): Buffer {
    return this.inner.read(path);
  }
  list(path: string): string[] {
    return this.inner.list(path);
  }
  write(path: string): void {
    throw fsError('EROFS', path);
  }
  mkdir(path: string): void {
    throw fsError('EROFS', path);
  }
  remove(path: string): void {
    throw fsError('EROFS', path);
  }
}

/** A volume mounted into a container (a volumeMount). */
export interface Mount {
  /** Absolute path in the container. */
  path: string;
  fs: FileSystem;
  /** The part of the volume mounted ("" or undefined: all of it). */
  subPath?: string;
  readOnly?: boolean;
}

interface ResolvedMount {
  path: string;
  parts: string[];
  fs: FileSystem;
  base: string;
  readOnly: boolean;
}

/**
 * A root file system with volumes mounted on it. A path resolves to the mount with the longest
 * path that contains it (or the root); the rest of the path is looked up under the mount's subPath.
 * Directories on the way to a mount point exist even if the root has none (the runtime makes them).
 */
export class MountedFileSystem implements FileSystem {
  private readonly mounts: ResolvedMount[];
  readonly readOnly?: boolean;

  constructor(
    readonly root: FileSystem,
    mounts: Mount[] = [],
  ) {
    this.readOnly = root.readOnly;
    this.mounts = mounts
      .map((m) => {
        const parts = pathParts(m.path);
        return { path: '/' + parts.join('/'), parts, fs: m.fs, base: normalizePath(m.subPath ?? ''), readOnly: !!m.readOnly || !!m.fs.readOnly };
      })
      // Longest first, so the first match is the longest prefix.
      .sort((a, b) => b.parts.length - a.parts.length);
  }

  /** The mount points, as given (normalized). */
  mountPoints(): string[] {
    return this.mounts.map((m) => m.path);
  }

  /** The file system and the path in it that a container path names. */
  resolve(path: string): { fs: FileSystem; path: string; readOnly: boolean; mountPoint?: string; atMountPoint: boolean } {
    const parts = pathParts(path);
    for (const m of this.mounts) {
      if (m.parts.length > parts.length) continue;
      let ok = true;
      for (let i = 0; i < m.parts.length; i++) {
        if (m.parts[i] !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const rest = parts.slice(m.parts.length);
      const inner = m.base === '/' ? '/' + rest.join('/') : rest.length ? m.base + '/' + rest.join('/') : m.base;
      return { fs: m.fs, path: inner, readOnly: m.readOnly, mountPoint: m.path, atMountPoint: rest.length === 0 };
    }
    return { fs: this.root, path: '/' + parts.join('/'), readOnly: !!this.root.readOnly, atMountPoint: false };
  }

  /** Names of mount points directly below dir (and of directories leading to deeper ones). */
  private mountChildren(dir: string): string[] {
    const parts = pathParts(dir);
    const out: string[] = [];
    for (const m of this.mounts) {
      if (m.parts.length <= parts.length) continue;
      if (parts.every((s, i) => m.parts[i] === s)) out.push(m.parts[parts.length]);
    }
    return out;
  }

  /** Re-labels an error from a mount with the path the caller gave. */
  private relabel<T>(path: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FsError) throw fsError(e.code, path);
      throw e;
    }
  }

  stat(path: string): FileStat | undefined {
    const r = this.resolve(path);
    const st = r.fs.stat(r.path);
    if (st || r.mountPoint) return st;
    if (this.mountChildren(path).length) return { kind: 'dir', size: 4096, mtime: 0, mode: 0o755 };
    return undefined;
  }

  read(path: string): Buffer {
    const r = this.resolve(path);
    return this.relabel(path, () => {
      if (!r.mountPoint && !r.fs.stat(r.path) && this.mountChildren(path).length) throw fsError('EISDIR', path);
      return r.fs.read(r.path);
    });
  }

  write(path: string, data: Buffer | string, opts?: { append?: boolean; mode?: number }): void {
    const r = this.resolve(path);
    if (r.readOnly) throw fsError('EROFS', path);
    if (this.mountChildren(path).length) throw fsError('EISDIR', path);
    this.relabel(path, () => r.fs.write(r.path, data, opts));
  }

  mkdir(path: string, opts?: { recursive?: boolean }): void {
    const r = this.resolve(path);
    if (r.atMountPoint || (!r.mountPoint && this.mountChildren(path).length)) {
      if (opts?.recursive && this.stat(path)?.kind === 'dir') return;
      throw fsError('EEXIST', path);
    }
    if (r.readOnly) throw fsError('EROFS', path);
    this.relabel(path, () => r.fs.mkdir(r.path, opts));
  }

  list(path: string): string[] {
    const r = this.resolve(path);
    const extra = r.mountPoint && !r.atMountPoint ? [] : this.mountChildren(path);
    let names: string[] = [];
    try {
      names = r.fs.list(r.path);
    } catch (e) {
      if (!(e instanceof FsError) || !extra.length) return this.relabel(path, () => r.fs.list(r.path));
    }
    if (!extra.length) return names;
    return [...new Set([...names, ...extra])].sort();
  }

  remove(path: string, opts?: { recursive?: boolean }): void {
    const r = this.resolve(path);
    if (r.atMountPoint) throw fsError('EBUSY', path);
    const below = this.mountChildren(path);
    if (below.length) {
      // A directory holding mount points: empty what can be emptied, as `rm -rf` does, then fail.
      if (!opts?.recursive) throw fsError('ENOTEMPTY', path);
      for (const name of this.list(path)) {
        const child = joinPath(path, name);
        try {
          this.remove(child, opts);
        } catch (e) {
          if (!(e instanceof FsError) || (e.code !== 'EBUSY' && e.code !== 'EROFS')) throw e;
        }
      }
      throw fsError('EBUSY', path);
    }
    if (r.readOnly) throw fsError('EROFS', path);
    this.relabel(path, () => r.fs.remove(r.path, opts));
  }
}

/**
 * A container's root file system as overlayfs makes it (containerd's snapshotter): the image's
 * files in a lower layer shared by every container of that image and never written, under the
 * container's own upper layer, which holds only what the container (or the kubelet) wrote.
 * Writing a file of the image copies it up first; removing one leaves a whiteout that hides it;
 * a directory removed and made again is opaque (the image's entries no longer show in it).
 * Thousands of nginx pods then share one tree of the image's files.
 */
export class OverlayFileSystem implements FileSystem {
  readonly readOnly = false;
  /** Paths where the lower layer is hidden, with everything below them (whiteouts, opaque directories). */
  private readonly hidden = new Set<string>();

  constructor(
    readonly lower: FileSystem,
    readonly upper: MemoryFileSystem,
  ) {}

  /** Whether the lower layer shows at the path (no hidden path at it or above it). */
  private lowerShows(parts: string[]): boolean {
    if (this.hidden.size === 0) return true;
    if (this.hidden.has('/')) return false;
    let p = '';
    for (const s of parts) {
      p += '/' + s;
      if (this.hidden.has(p)) return false;
    }
    return true;
  }

  /** The error for a path that does not exist: ENOTDIR when a file is on the way, else ENOENT. */
  private missing(path: string, parts: string[]): FsError {
    for (let i = 1; i < parts.length; i++) {
      const st = this.stat('/' + parts.slice(0, i).join('/'));
      if (!st) break;
      if (st.kind === 'file') return fsError('ENOTDIR', path);
    }
    return fsError('ENOENT', path);
  }

  /** Makes the directories leading to parts[0..n) exist in the upper layer, with the lower layer's modes. */
  private copyUpDirs(path: string, parts: string[], n: number, create = false): void {
    let p = '';
    for (let i = 0; i < n; i++) {
      p += '/' + parts[i];
      const up = this.upper.stat(p);
      if (up?.kind === 'dir') continue;
      if (up) throw fsError('ENOTDIR', path);
      const st = this.lowerShows(parts.slice(0, i + 1)) ? this.lower.stat(p) : undefined;
      if (st?.kind === 'file') throw fsError('ENOTDIR', path);
      if (!st && !create) throw fsError('ENOENT', path);
      this.upper.makeDir(p, st ? { mode: st.mode } : {});
    }
  }

  stat(path: string): FileStat | undefined {
    const up = this.upper.stat(path);
    if (up) return up;
    return this.lowerShows(pathParts(path)) ? this.lower.stat(path) : undefined;
  }

  read(path: string): Buffer {
    if (this.upper.stat(path)) return this.upper.read(path);
    const parts = pathParts(path);
    if (this.lowerShows(parts) && this.lower.stat(path)) return this.lower.read(path);
    throw this.missing(path, parts);
  }

  write(path: string, data: Buffer | string, opts: { append?: boolean; mode?: number } = {}): void {
    const parts = pathParts(path);
    if (parts.length === 0) throw fsError('EISDIR', path);
    this.copyUpDirs(path, parts, parts.length - 1);
    if (!this.upper.stat(path)) {
      const st = this.lowerShows(parts) ? this.lower.stat(path) : undefined;
      if (st?.kind === 'dir') throw fsError('EISDIR', path);
      // Copy-up: an append starts from the image's bytes; the file keeps its mode.
      if (st) this.upper.put(path, opts.append ? Buffer.from(this.lower.read(path)) : Buffer.alloc(0), { mode: st.mode });
    }
    this.upper.write(path, data, opts);
  }

  mkdir(path: string, opts: { recursive?: boolean } = {}): void {
    const parts = pathParts(path);
    const st = this.stat(path);
    if (st) {
      if (opts.recursive && st.kind === 'dir') return;
      throw fsError(opts.recursive ? 'ENOTDIR' : 'EEXIST', path);
    }
    if (opts.recursive) this.copyUpDirs(path, parts, parts.length, true);
    else {
      this.copyUpDirs(path, parts, parts.length - 1);
      this.upper.makeDir(path);
    }
  }

  list(path: string): string[] {
    const parts = pathParts(path);
    const st = this.stat(path);
    if (!st) throw this.missing(path, parts);
    if (st.kind !== 'dir') throw fsError('ENOTDIR', path);
    const names = new Set(this.upper.stat(path)?.kind === 'dir' ? this.upper.list(path) : []);
    if (this.lowerShows(parts) && this.lower.stat(path)?.kind === 'dir') {
      const base = parts.length ? '/' + parts.join('/') + '/' : '/';
      for (const n of this.lower.list(path)) if (!this.hidden.has(base + n)) names.add(n);
    }
    return [...names].sort();
  }

  remove(path: string, opts: { recursive?: boolean } = {}): void {
    const parts = pathParts(path);
    const st = this.stat(path);
    if (!st) throw this.missing(path, parts);
    if (st.kind === 'dir' && !opts.recursive && this.list(path).length) throw fsError('ENOTEMPTY', path);
    if (this.upper.stat(path)) this.upper.delete(path, { recursive: true });
    if (this.lowerShows(parts) && this.lower.stat(path)) this.hidden.add('/' + parts.join('/'));
  }
}
