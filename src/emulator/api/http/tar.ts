// `tar` for the emulated containers, as much as `kubectl cp` needs (k8s.io/kubectl/pkg/cmd/cp/cp.go
// runs `tar cf - /path` in the container to copy out and `tar -xmf - -C /dir` to copy in, over
// exec). A shell applet (runtime/shell CmdCtx): the shell registers it as `tar` in the images that
// have it (busybox, alpine, Debian-based ones). Archives are POSIX ustar, with PAX `path` records
// for long names, as Go's archive/tar reads and writes them; busybox's messages.

import type { FileSystem, Program } from '../../runtime/contracts.ts';
import { FsError } from '../../runtime/contracts.ts';

/** The slice of the shell's CmdCtx tar uses (runtime/shell/interp.ts). */
export interface TarCtx {
  argv: string[];
  sh: { resolve(p: string): string; ctx: { fs: FileSystem; clock: { now(): number } } };
  io: { stdin: { readAll(): Promise<Buffer> }; out(d: string | Buffer): void; err(d: string | Buffer): void };
}

const BLOCK = 512;

interface Entry {
  name: string;
  kind: 'file' | 'dir';
  mode: number;
  mtime: number;
  data?: Buffer;
}

/** busybox tar: c (create), x (extract), t (list); f FILE ('-' for stdin/stdout), -C DIR, v, m, o. */
export async function tar(c: TarCtx): Promise<number> {
  const args = c.argv.slice(1);
  const fail = (msg: string, code = 1) => {
    c.io.err(`tar: ${msg}\n`);
    return code;
  };
  let mode: 'c' | 'x' | 't' | undefined;
  let file: string | undefined;
  let dir: string | undefined;
  let verbose = false;
  const operands: string[] = [];
  let first = true;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    // The first word may be the bundled letters without a dash (`tar cf - x`).
    if (first && !a.startsWith('-')) a = `-${a}`;
    first = false;
    if (a === '-C' || a === '--directory') {
      dir = args[++i];
      if (dir === undefined) return fail('option requires an argument -- C');
      continue;
    }
    if (a.startsWith('--directory=')) {
      dir = a.slice('--directory='.length);
      continue;
    }
    if (a === '-' || !a.startsWith('-')) {
      operands.push(a);
      continue;
    }
    const letters = a.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const l = letters[j];
      if (l === 'c' || l === 'x' || l === 't') {
        if (mode && mode !== l) return fail("You may not specify more than one '-Acdtrux' option");
        mode = l;
      } else if (l === 'f') {
        file = args[++i];
        if (file === undefined) return fail('option requires an argument -- f');
      } else if (l === 'C') {
        dir = args[++i];
      } else if (l === 'v') verbose = true;
      else if (l === 'm' || l === 'o' || l === 'p' || l === 'h') {
        /* mtimes, owners and links are not kept apart */
      } else return fail(`invalid option -- '${l}'\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: tar c|x|t [-hvokO] [-f TARFILE] [-C DIR] [-T FILE] [-X FILE] [LONGOPT]... [FILE]...`);
    }
  }
  if (!mode) return fail('need to specify one of -c, -x, -t');
  const fs = c.sh.ctx.fs;
  const base = dir !== undefined ? c.sh.resolve(dir) : c.sh.resolve('.');
  if (dir !== undefined && fs.stat(base)?.kind !== 'dir') return fail(`can't change directory to '${dir}': No such file or directory`);
  const at = (p: string) => (p.startsWith('/') ? c.sh.resolve(p) : c.sh.resolve(`${base}/${p}`));

  if (mode === 'c') {
    if (operands.length === 0) return fail('empty archive', 1);
    const entries: Entry[] = [];
    let code = 0;
    let warned = false;
    for (const op of operands) {
      let name = op.replace(/\/+$/, '') || '/';
      if (name.startsWith('/')) {
        if (!warned) c.io.err("tar: removing leading '/' from member names\n");
        warned = true;
        name = name.replace(/^\/+/, '');
      }
      const path = at(op);
      if (!fs.stat(path)) {
        c.io.err(`tar: ${op}: No such file or directory\n`);
        code = 1;
        continue;
      }
      collect(fs, path, name, entries);
    }
    for (const e of entries) if (verbose) c.io.err(`${e.name}${e.kind === 'dir' ? '/' : ''}\n`);
    const archive = writeTar(entries);
    if (file === undefined || file === '-') c.io.out(archive);
    else fs.write(at(file), archive);
    return code;
  }

  let archive: Buffer;
  try {
    archive = file === undefined || file === '-' ? await c.io.stdin.readAll() : fs.read(at(file));
  } catch (e) {
    if (e instanceof FsError) return fail(`can't open '${file}': No such file or directory`);
    throw e;
  }
  let entries: Entry[];
  try {
    entries = readTar(archive);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (mode === 't') {
    for (const e of entries) c.io.out(`${e.name}${e.kind === 'dir' && !e.name.endsWith('/') ? '/' : ''}\n`);
    return 0;
  }
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, '');
    if (!name || name.split('/').includes('..')) continue;
    const path = at(name);
    if (verbose) c.io.out(`${e.name}\n`);
    try {
      if (e.kind === 'dir') {
        if (!fs.stat(path)) fs.mkdir(path, { recursive: true });
      } else {
        const parent = path.slice(0, path.lastIndexOf('/')) || '/';
        if (!fs.stat(parent)) fs.mkdir(parent, { recursive: true });
        fs.write(path, e.data ?? Buffer.alloc(0), { mode: e.mode });
      }
    } catch (err) {
      if (err instanceof FsError) {
        c.io.err(`tar: can't open '${name}': ${err.code === 'EROFS' ? 'Read-only file system' : err.code === 'EISDIR' ? 'Is a directory' : 'No such file or directory'}\n`);
        return 1;
      }
      throw err;
    }
  }
  return 0;
}

function collect(fs: FileSystem, path: string, name: string, out: Entry[]): void {
  const st = fs.stat(path);
  if (!st) return;
  if (st.kind === 'dir') {
    out.push({ name: name === '' ? './' : `${name}/`, kind: 'dir', mode: st.mode & 0o7777, mtime: st.mtime });
    for (const child of [...fs.list(path)].sort()) collect(fs, `${path === '/' ? '' : path}/${child}`, name === '' ? child : `${name}/${child}`, out);
  } else {
    out.push({ name, kind: 'file', mode: st.mode & 0o7777, mtime: st.mtime, data: fs.read(path) });
  }
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, e: { kind: 'file' | 'dir' | 'pax'; mode: number; size: number; mtime: number }): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let n = name;
  if (Buffer.byteLength(n) > 100) {
    // ustar splits long names at a slash: prefix (155) / name (100).
    const i = n.lastIndexOf('/', n.length - 2);
    if (i > 0 && Buffer.byteLength(n.slice(i + 1)) <= 100 && Buffer.byteLength(n.slice(0, i)) <= 155) {
      prefix = n.slice(0, i);
      n = n.slice(i + 1);
    } else n = n.slice(0, 100);
  }
  h.write(n, 0, 100, 'utf8');
  h.write(octal(e.mode, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(e.size, 12), 124, 'latin1');
  h.write(octal(Math.floor(e.mtime / 1000), 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(e.kind === 'dir' ? '5' : e.kind === 'pax' ? 'x' : '0', 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest ? Buffer.concat([data, Buffer.alloc(BLOCK - rest)]) : data;
}

/** A ustar archive of the entries (PAX `path` records for names ustar cannot hold). */
export function writeTar(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const fits = Buffer.byteLength(e.name) <= 100 || (() => {
      const i = e.name.lastIndexOf('/', e.name.length - 2);
      return i > 0 && Buffer.byteLength(e.name.slice(i + 1)) <= 100 && Buffer.byteLength(e.name.slice(0, i)) <= 155;
    })();
    if (!fits) {
      const rec = paxRecord('path', e.name);
      parts.push(header('PaxHeaders/' + e.name.slice(-80), { kind: 'pax', mode: 0o644, size: rec.length, mtime: e.mtime }), pad(rec));
    }
    const size = e.kind === 'file' ? (e.data?.length ?? 0) : 0;
    parts.push(header(e.name, { kind: e.kind, mode: e.mode, size, mtime: e.mtime }));
    if (size) parts.push(pad(e.data!));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}

/** Reads a ustar / PAX / GNU archive: regular files and directories (other types are skipped). */
export function readTar(b: Buffer): Entry[] {
  const out: Entry[] = [];
  let o = 0;
  let longName: string | undefined;
  while (o + BLOCK <= b.length) {
    const h = b.subarray(o, o + BLOCK);
    if (h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const stored = parseInt(cstr(h.subarray(148, 156)).trim(), 8);
    if (stored !== sum) throw new Error('invalid tar header checksum');
    const size = parseInt(cstr(h.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    const data = b.subarray(o + BLOCK, o + BLOCK + size);
    o += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      if (type === 'L') longName = cstr(data);
      else {
        const text = data.toString('utf8');
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (m) longName = m[1];
      }
      continue;
    }
    if (type === 'g') continue;
    const magic = h.subarray(257, 262).toString('latin1');
    const prefix = magic === 'ustar' ? cstr(h.subarray(345, 500)) : '';
    let name = longName ?? (prefix ? `${prefix}/${cstr(h.subarray(0, 100))}` : cstr(h.subarray(0, 100)));
    longName = undefined;
    const mode = parseInt(cstr(h.subarray(100, 108)).trim() || '644', 8);
    const mtime = parseInt(cstr(h.subarray(136, 148)).trim() || '0', 8) * 1000;
    if (type === '5' || (type === '0' && name.endsWith('/'))) {
      name = name.replace(/\/+$/, '');
      out.push({ name, kind: 'dir', mode, mtime });
    } else if (type === '0' || type === '7' || h[156] === 0) out.push({ name, kind: 'file', mode, mtime, data: Buffer.from(data) });
  }
  return out;
}

/** tar as a Program of the image catalogue (a binary of its own, working directory /). */
export const tarProgram: Program = (ctx) =>
  tar({
    argv: ctx.argv,
    sh: {
      resolve: (p) => {
        const parts: string[] = [];
        for (const s of (p.startsWith('/') ? p : `${ctx.env.PWD ?? '/'}/${p}`).split('/')) {
          if (!s || s === '.') continue;
          if (s === '..') parts.pop();
          else parts.push(s);
        }
        return '/' + parts.join('/');
      },
      ctx,
    },
    io: {
      stdin: {
        readAll: async () => {
          const chunks: Buffer[] = [];
          for await (const c of ctx.stdin ?? []) chunks.push(c);
          return Buffer.concat(chunks);
        },
      },
      out: ctx.stdout,
      err: ctx.stderr,
    },
  });
