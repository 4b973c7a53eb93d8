// The commands an image has besides its shell's builtins, as busybox words them (coreutils/*.c,
// networking/wget.c, networking/nslookup.c) and curl 8 for images that ship curl. Files go through
// the container's FileSystem, HTTP through the cluster Network, time through the emulator's clock.

import { createHash } from 'node:crypto';
import { tar } from '../../api/http/tar.ts';
import { FsError, NetError, type HttpResponse } from '../contracts.ts';
import type { Applet, CmdCtx } from './interp.ts';
import { strerror } from './interp.ts';
import { Input } from './io.ts';

const out = (c: CmdCtx, s: string | Buffer) => c.io.out(s);
const err = (c: CmdCtx, s: string) => c.io.err(s);

/** busybox's "applet: message" to stderr. */
function fail(c: CmdCtx, msg: string): void {
  err(c, `${c.argv[0].slice(c.argv[0].lastIndexOf('/') + 1)}: ${msg}\n`);
}

/** Splits clustered short options (`-la`) and `--`; returns flags and operands. */
function opts(argv: string[], withValue = ''): { flags: Map<string, string | true>; rest: string[] } {
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (/^-\d+$/.test(a)) {
      // head -5, tail -2: the historical count.
      flags.set('n', a.slice(1));
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (withValue.includes(f)) {
          const v = a.slice(j + 1) || argv[++i];
          flags.set(f, v ?? '');
          break;
        }
        flags.set(f, true);
      }
    } else rest.push(a);
  }
  return { flags, rest };
}

function readFile(c: CmdCtx, name: string): Buffer | undefined {
  const path = c.sh.resolve(name);
  if (path === '/dev/null') return Buffer.alloc(0);
  try {
    return c.sh.ctx.fs.read(path);
  } catch (e) {
    if (e instanceof FsError) {
      if (e.code === 'EISDIR') fail(c, `read error: Is a directory`);
      else fail(c, `can't open '${name}': ${strerror(e)}`);
      return undefined;
    }
    throw e;
  }
}

/** The input of a filter: its files, or stdin when there are none (or for `-`). */
async function inputs(c: CmdCtx, files: string[]): Promise<{ name: string; data: Buffer | undefined }[]> {
  if (files.length === 0) return [{ name: '-', data: await c.io.stdin.readAll() }];
  const res: { name: string; data: Buffer | undefined }[] = [];
  for (const f of files) res.push({ name: f, data: f === '-' ? await c.io.stdin.readAll() : readFile(c, f) });
  return res;
}

function lines(data: Buffer): string[] {
  const s = data.toString();
  if (s === '') return [];
  const ls = s.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

// ---- shell builtins that are commands in ash (echo, printf, test) ----

function unescape(s: string): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch !== '\\' || i + 1 >= s.length) {
      text += ch;
      continue;
    }
    const n = s[++i];
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', e: '\x1b' };
    if (n in map) text += map[n];
    else if (n === 'c') return { text, stop: true };
    else if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
      text += String.fromCharCode(parseInt(m || '0', 8));
      i += m.length;
    } else if (n === 'x') {
      const m = /^[0-9a-fA-F]{0,2}/.exec(s.slice(i + 1))![0];
      if (m) {
        text += String.fromCharCode(parseInt(m, 16));
        i += m.length;
      } else text += '\\x';
    } else text += '\\' + n;
  }
  return { text, stop: false };
}

const echo: Applet = async (c) => {
  let args = c.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    for (const f of args[0].slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const u = unescape(text);
    text = u.text;
    if (u.stop) newline = false;
  }
  out(c, text + (newline ? '\n' : ''));
  return 0;
};

const printf: Applet = async (c) => {
  const fmt = c.argv[1];
  if (fmt === undefined) {
    err(c, 'printf: usage: printf FORMAT [ARGUMENT...]\n');
    return 1;
  }
  let args = c.argv.slice(2);
  let code = 0;
  let text = '';
  do {
    let used = 0;
    const piece = fmt.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdiouxXfgcb%])/g, (_m, fl: string, w: string, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const a = args[used++] ?? '';
      let s: string;
      if (conv === 's' || conv === 'b') s = conv === 'b' ? unescape(a).text : a;
      else if (conv === 'c') s = a.slice(0, 1);
      else if (conv === 'f' || conv === 'g') s = Number(a || 0).toFixed(prec ? Number(prec) : 6);
      else {
        const n = a === '' ? 0 : Number(a.startsWith("'") ? a.charCodeAt(1) : a);
        if (!Number.isFinite(n)) {
          err(c, `printf: invalid number '${a}'\n`);
          code = 1;
        }
        const v = Math.trunc(Number.isFinite(n) ? n : 0);
        s = conv === 'x' ? v.toString(16) : conv === 'X' ? v.toString(16).toUpperCase() : conv === 'o' ? v.toString(8) : String(v);
      }
      if (prec && conv === 's') s = s.slice(0, Number(prec));
      const width = Number(w || 0);
      if (s.length < width) s = fl.includes('-') ? s.padEnd(width) : s.padStart(width, fl.includes('0') && conv !== 's' ? '0' : ' ');
      return s;
    });
    const u = unescape(piece);
    text += u.text;
    args = args.slice(used);
    if (used === 0 || u.stop) break;
  } while (args.length);
  out(c, text);
  return code;
};

/** test / [ (coreutils/test.c); errors as ash prints them. */
const test: Applet = async (c) => {
  let args = c.argv.slice(1);
  const name = c.argv[0];
  if (name === '[') {
    if (args[args.length - 1] !== ']') {
      err(c, `${c.sh.arg0}: missing ]\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  const fs = c.sh.ctx.fs;
  const int = (s: string): number => {
    if (!/^\s*-?\d+\s*$/.test(s)) throw new Error(`${s}: bad number`);
    return Number(s);
  };
  const unary = (op: string, a: string): boolean | undefined => {
    const st = () => (a === '' ? undefined : fs.stat(c.sh.resolve(a)));
    switch (op) {
      case '-z':
        return a === '';
      case '-n':
        return a !== '';
      case '-e':
      case '-r':
      case '-w':
        return !!st();
      case '-f':
        return st()?.kind === 'file';
      case '-d':
        return st()?.kind === 'dir';
      case '-s':
        return (st()?.size ?? 0) > 0;
      case '-x':
        return !!st() && (st()!.kind === 'dir' || (st()!.mode & 0o111) !== 0);
      case '-L':
      case '-h':
        return false;
    }
    return undefined;
  };
  const binary = (a: string, op: string, b: string): boolean | undefined => {
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '-eq':
        return int(a) === int(b);
      case '-ne':
        return int(a) !== int(b);
      case '-lt':
        return int(a) < int(b);
      case '-le':
        return int(a) <= int(b);
      case '-gt':
        return int(a) > int(b);
      case '-ge':
        return int(a) >= int(b);
    }
    return undefined;
  };
  let i = 0;
  const primary = (): boolean => {
    const a = args[i];
    if (a === '!') {
      i++;
      return !primary();
    }
    if (a === '(') {
      i++;
      const v = orExpr();
      if (args[i] !== ')') throw new Error(`closing paren expected`);
      i++;
      return v;
    }
    if (i + 2 < args.length + 0 && args[i + 1] !== undefined) {
      const b = binary(a, args[i + 1], args[i + 2] ?? '');
      if (b !== undefined && args[i + 2] !== undefined) {
        i += 3;
        return b;
      }
    }
    if (args[i + 1] !== undefined && a.startsWith('-')) {
      const u = unary(a, args[i + 1]);
      if (u !== undefined) {
        i += 2;
        return u;
      }
    }
    if (a === undefined) throw new Error('argument expected');
    i++;
    return a !== '';
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (args[i] === '-a') {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (args[i] === '-o') {
      i++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return 1;
  try {
    const v = orExpr();
    if (i < args.length) throw new Error(`${args[i]}: unknown operand`);
    return v ? 0 : 1;
  } catch (e) {
    err(c, `${c.sh.arg0}: ${name === '[' ? '[' : 'test'}: ${(e as Error).message}\n`);
    return 2;
  }
};

// ---- files ----

const cat: Applet = async (c) => {
  const { rest } = opts(c.argv);
  let code = 0;
  for (const f of await inputs(c, rest)) {
    if (f.data === undefined) code = 1;
    else out(c, f.data);
  }
  return code;
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const FULL_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function modeString(kind: 'file' | 'dir', mode: number): string {
  let s = kind === 'dir' ? 'd' : '-';
  for (const shift of [6, 3, 0]) {
    const m = (mode >> shift) & 7;
    s += (m & 4 ? 'r' : '-') + (m & 2 ? 'w' : '-') + (m & 1 ? 'x' : '-');
  }
  return s;
}

const ls: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const fs = c.sh.ctx.fs;
  const long = flags.has('l');
  const all = flags.has('a');
  const almost = flags.has('A');
  const targets = rest.length ? rest : ['.'];
  let code = 0;
  const fmt = (name: string, path: string): string => {
    if (!long) return name;
    const st = fs.stat(path) ?? { kind: 'file' as const, size: 0, mtime: 0, mode: 0o644 };
    const d = new Date(st.mtime || c.sh.ctx.clock.now());
    const size = st.kind === 'dir' ? 4096 : st.size;
    const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    return `${modeString(st.kind, st.mode || (st.kind === 'dir' ? 0o755 : 0o644))} ${String(st.kind === 'dir' ? 2 : 1).padStart(4)} root     root     ${String(size).padStart(9)} ${when} ${name}`;
  };
  const emit = (names: string[]) => {
    if (long || !c.sh.ctx.tty) for (const n of names) out(c, n + '\n');
    else if (names.length) out(c, names.join('  ') + '\n');
  };
  const files: string[] = [];
  const dirs: string[] = [];
  for (const t of targets) {
    const st = fs.stat(c.sh.resolve(t));
    if (!st) {
      fail(c, `${t}: No such file or directory`);
      code = 1;
    } else if (st.kind === 'dir' && !flags.has('d')) dirs.push(t);
    else files.push(t);
  }
  emit(files.map((f) => fmt(f, c.sh.resolve(f))));
  dirs.forEach((d, i) => {
    const path = c.sh.resolve(d);
    if (targets.length > 1) out(c, `${i > 0 || files.length ? '\n' : ''}${d}:\n`);
    let names = fs.list(path).sort();
    if (!all && !almost) names = names.filter((n) => !n.startsWith('.'));
    if (long) out(c, `total ${names.length * 4}\n`);
    const shown = all ? ['.', '..', ...names] : names;
    emit(shown.map((n) => fmt(n, n === '.' ? path : n === '..' ? c.sh.resolve(d + '/..') : `${path === '/' ? '' : path}/${n}`)));
  });
  return code;
};

const mkdir: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'm');
  if (!rest.length) {
    fail(c, 'missing operand');
    return 1;
  }
  let code = 0;
  for (const d of rest) {
    try {
      c.sh.ctx.fs.mkdir(c.sh.resolve(d), { recursive: flags.has('p') });
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      fail(c, `can't create directory '${d}': ${strerror(e)}`);
      code = 1;
    }
  }
  return code;
};

const rm: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const force = flags.has('f');
  const recursive = flags.has('r') || flags.has('R');
  let code = 0;
  for (const f of rest) {
    const path = c.sh.resolve(f);
    const st = c.sh.ctx.fs.stat(path);
    if (!st) {
      if (!force) {
        fail(c, `can't remove '${f}': No such file or directory`);
        code = 1;
      }
      continue;
    }
    if (st.kind === 'dir' && !recursive) {
      fail(c, `'${f}' is a directory`);
      code = 1;
      continue;
    }
    try {
      c.sh.ctx.fs.remove(path, { recursive });
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      fail(c, `can't remove '${f}': ${strerror(e)}`);
      code = 1;
    }
  }
  return code;
};

const rmdir: Applet = async (c) => {
  let code = 0;
  for (const f of c.argv.slice(1)) {
    try {
      if (c.sh.ctx.fs.stat(c.sh.resolve(f))?.kind !== 'dir') throw new FsError(c.sh.ctx.fs.stat(c.sh.resolve(f)) ? 'ENOTDIR' : 'ENOENT', f);
      c.sh.ctx.fs.remove(c.sh.resolve(f));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      fail(c, `'${f}': ${strerror(e)}`);
      code = 1;
    }
  }
  return code;
};

const touch: Applet = async (c) => {
  const { rest } = opts(c.argv);
  let code = 0;
  for (const f of rest) {
    const path = c.sh.resolve(f);
    try {
      c.sh.ctx.fs.write(path, '', { append: true });
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      fail(c, `${f}: ${strerror(e)}`);
      code = 1;
    }
  }
  return code;
};

const cp: Applet = async (c) => {
  const { rest } = opts(c.argv);
  if (rest.length < 2) {
    fail(c, 'missing file operand');
    return 1;
  }
  const dest = rest.pop()!;
  const fs = c.sh.ctx.fs;
  const destIsDir = fs.stat(c.sh.resolve(dest))?.kind === 'dir';
  let code = 0;
  for (const s of rest) {
    const data = readFile(c, s);
    if (!data) {
      code = 1;
      continue;
    }
    const target = destIsDir ? `${c.sh.resolve(dest)}/${s.slice(s.lastIndexOf('/') + 1)}` : c.sh.resolve(dest);
    try {
      fs.write(target, data);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      fail(c, `can't create '${dest}': ${strerror(e)}`);
      code = 1;
    }
  }
  return code;
};

const mv: Applet = async (c) => {
  const code = await cp(c);
  if (code === 0) for (const s of opts(c.argv).rest.slice(0, -1)) c.sh.ctx.fs.remove(c.sh.resolve(s), { recursive: true });
  return code;
};

const chmod: Applet = async (c) => {
  const { rest } = opts(c.argv);
  const [mode, ...files] = rest;
  let code = 0;
  for (const f of files) {
    const path = c.sh.resolve(f);
    const st = c.sh.ctx.fs.stat(path);
    if (!st) {
      fail(c, `${f}: No such file or directory`);
      code = 1;
      continue;
    }
    if (st.kind === 'file') {
      let m = st.mode;
      if (/^[0-7]+$/.test(mode)) m = parseInt(mode, 8);
      else if (/\+x/.test(mode)) m |= 0o111;
      else if (/-x/.test(mode)) m &= ~0o111;
      c.sh.ctx.fs.write(path, c.sh.ctx.fs.read(path), { mode: m });
    }
  }
  return code;
};

// ---- text filters ----

/** A busybox BRE/ERE as a JavaScript RegExp (GNU-style \| \+ \? in BRE). */
function toRegExp(pat: string, ere: boolean, fixed: boolean, icase: boolean, word: boolean): RegExp {
  let src: string;
  if (fixed) src = pat.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  else if (ere) src = pat;
  else {
    src = '';
    for (let i = 0; i < pat.length; i++) {
      const ch = pat[i];
      if (ch === '\\' && i + 1 < pat.length) {
        const n = pat[++i];
        src += '|+?(){}'.includes(n) ? n : '\\' + n;
      } else if ('|+?(){}'.includes(ch)) src += '\\' + ch;
      else src += ch;
    }
  }
  if (word) src = `\\b(?:${src})\\b`;
  try {
    return new RegExp(src, icase ? 'i' : '');
  } catch {
    return new RegExp(pat.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), icase ? 'i' : '');
  }
}

const grep: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'em');
  const pattern = typeof flags.get('e') === 'string' ? (flags.get('e') as string) : rest.shift();
  if (pattern === undefined) {
    err(c, 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n');
    return 2;
  }
  const re = toRegExp(pattern, flags.has('E') || c.argv[0] === 'egrep', flags.has('F'), flags.has('i'), flags.has('w'));
  const invert = flags.has('v');
  const files = await inputs(c, rest);
  const prefix = files.length > 1 && !flags.has('h');
  let matched = false;
  let code = 0;
  const max = flags.has('m') ? Number(flags.get('m')) : Infinity;
  for (const f of files) {
    if (f.data === undefined) {
      code = 2;
      continue;
    }
    let count = 0;
    const ls = lines(f.data);
    for (let n = 0; n < ls.length && count < max; n++) {
      const line = ls[n];
      if (re.test(line) === invert) continue;
      count++;
      matched = true;
      if (flags.has('q')) return 0;
      if (flags.has('c') || flags.has('l')) continue;
      const pre = `${prefix ? f.name + ':' : ''}${flags.has('n') ? n + 1 + ':' : ''}`;
      if (flags.has('o') && !invert) {
        for (const m of line.matchAll(new RegExp(re.source, re.flags + 'g'))) if (m[0]) out(c, `${pre}${m[0]}\n`);
      } else out(c, `${pre}${line}\n`);
    }
    if (flags.has('c')) out(c, `${prefix ? f.name + ':' : ''}${count}\n`);
    if (flags.has('l') && count) out(c, `${f.name === '-' ? '(standard input)' : f.name}\n`);
  }
  if (code) return flags.has('s') && matched ? 0 : code;
  return matched ? 0 : 1;
};

function countArg(flags: Map<string, string | true>, argv: string[], dflt: number): { n: number; fromStart: boolean } {
  void argv;
  const v = flags.get('n');
  const text = typeof v === 'string' ? v : String(dflt);
  return { n: Math.abs(parseInt(text, 10) || 0), fromStart: text.startsWith('+') };
}

const head: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'nc');
  const { n } = countArg(flags, c.argv, 10);
  const files = rest.length ? await inputs(c, rest) : undefined;
  if (!files) {
    // Reads only what it needs from a pipe, then leaves it (the writer gets SIGPIPE).
    if (flags.has('c')) {
      const data = await c.io.stdin.readAll();
      out(c, data.subarray(0, Number(flags.get('c'))));
      return 0;
    }
    for (let i = 0; i < n; i++) {
      const line = await c.io.stdin.readLine();
      if (line === null) break;
      out(c, line + '\n');
    }
    return 0;
  }
  let code = 0;
  files.forEach((f, i) => {
    if (f.data === undefined) return void (code = 1);
    if (files.length > 1) out(c, `${i ? '\n' : ''}==> ${f.name} <==\n`);
    if (flags.has('c')) out(c, f.data.subarray(0, Number(flags.get('c'))));
    else for (const l of lines(f.data).slice(0, n)) out(c, l + '\n');
  });
  return code;
};

const tail: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'nc');
  const { n, fromStart } = countArg(flags, c.argv, 10);
  const follow = flags.has('f') || flags.has('F');
  const pick = (ls: string[]) => (fromStart ? ls.slice(Math.max(0, n - 1)) : n === 0 ? [] : ls.slice(-n));
  const files = await inputs(c, rest);
  let code = 0;
  files.forEach((f, i) => {
    if (f.data === undefined) return void (code = 1);
    if (files.length > 1) out(c, `${i ? '\n' : ''}==> ${f.name} <==\n`);
    for (const l of pick(lines(f.data))) out(c, l + '\n');
  });
  if (!follow || rest.length === 0) return code;
  // tail -f polls its files once a second (busybox tail.c sleeps 1 s between reads).
  const sizes = new Map(files.map((f) => [f.name, f.data?.length ?? 0]));
  for (;;) {
    await c.sh.proc.sleep(1000);
    for (const name of rest) {
      let data: Buffer;
      try {
        data = c.sh.ctx.fs.read(c.sh.resolve(name));
      } catch {
        continue;
      }
      const seen = sizes.get(name) ?? 0;
      if (data.length > seen) out(c, data.subarray(seen));
      sizes.set(name, data.length);
    }
  }
};

const wc: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const which = ['l', 'w', 'c'].filter((f) => flags.has(f) || (f === 'c' && flags.has('m')));
  const cols = which.length ? which : ['l', 'w', 'c'];
  let code = 0;
  const files = await inputs(c, rest);
  const totals = { l: 0, w: 0, c: 0 };
  const row = (v: Record<string, number>, name: string) => {
    const nums = cols.map((k) => String(v[k]));
    const text = cols.length === 1 && name === '-' ? nums[0] : nums.map((x) => x.padStart(cols.length === 1 ? 0 : 9)).join(' ');
    out(c, `${text}${name === '-' ? '' : ' ' + name}\n`);
  };
  for (const f of files) {
    if (f.data === undefined) {
      code = 1;
      continue;
    }
    const s = f.data.toString();
    const v = { l: (s.match(/\n/g) ?? []).length, w: s.split(/\s+/).filter(Boolean).length, c: f.data.length };
    totals.l += v.l;
    totals.w += v.w;
    totals.c += v.c;
    row(v, f.name);
  }
  if (files.length > 1) row(totals, 'total');
  return code;
};

const sort: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'tk');
  const all: string[] = [];
  for (const f of await inputs(c, rest)) if (f.data) all.push(...lines(f.data));
  let res = flags.has('n') ? all.sort((a, b) => parseFloat(a) - parseFloat(b) || (a < b ? -1 : a > b ? 1 : 0)) : all.sort();
  if (flags.has('r')) res.reverse();
  if (flags.has('u')) res = res.filter((l, i) => i === 0 || l !== res[i - 1]);
  for (const l of res) out(c, l + '\n');
  return 0;
};

const uniq: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const [f] = await inputs(c, rest.slice(0, 1));
  if (!f.data) return 1;
  const ls = lines(f.data);
  const groups: { line: string; n: number }[] = [];
  for (const l of ls) {
    const last = groups[groups.length - 1];
    if (last && last.line === l) last.n++;
    else groups.push({ line: l, n: 1 });
  }
  for (const g of groups) {
    if (flags.has('d') && g.n < 2) continue;
    if (flags.has('u') && g.n > 1) continue;
    out(c, flags.has('c') ? `${String(g.n).padStart(7)} ${g.line}\n` : `${g.line}\n`);
  }
  return 0;
};

function ranges(spec: string): (i: number) => boolean {
  const parts = spec.split(',').map((p) => {
    const m = /^(\d*)(-?)(\d*)$/.exec(p);
    if (!m) return () => false;
    const a = m[1] ? Number(m[1]) : 1;
    const b = m[2] ? (m[3] ? Number(m[3]) : Infinity) : a;
    return (i: number) => i >= a && i <= b;
  });
  return (i) => parts.some((p) => p(i));
}

const cut: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'dfcb');
  const delim = typeof flags.get('d') === 'string' ? (flags.get('d') as string) : '\t';
  for (const f of await inputs(c, rest)) {
    if (!f.data) continue;
    for (const l of lines(f.data)) {
      if (flags.has('f')) {
        const sel = ranges(flags.get('f') as string);
        if (!l.includes(delim)) {
          if (!flags.has('s')) out(c, l + '\n');
          continue;
        }
        out(c, l.split(delim).filter((_, i) => sel(i + 1)).join(delim) + '\n');
      } else {
        const sel = ranges((flags.get('c') ?? flags.get('b')) as string);
        out(c, [...l].filter((_, i) => sel(i + 1)).join('') + '\n');
      }
    }
  }
  return 0;
};

function expandSet(s: string): string {
  let r = '';
  const u = unescape(s).text;
  for (let i = 0; i < u.length; i++) {
    if (u[i + 1] === '-' && i + 2 < u.length) {
      for (let ch = u.charCodeAt(i); ch <= u.charCodeAt(i + 2); ch++) r += String.fromCharCode(ch);
      i += 2;
    } else r += u[i];
  }
  return r.replace(/\[:upper:\]/g, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ').replace(/\[:lower:\]/g, 'abcdefghijklmnopqrstuvwxyz');
}

const tr: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const data = (await c.io.stdin.readAll()).toString();
  const a = expandSet(rest[0] ?? '');
  if (flags.has('d')) {
    out(c, [...data].filter((ch) => !a.includes(ch)).join(''));
    return 0;
  }
  const b = expandSet(rest[1] ?? '');
  let res = [...data].map((ch) => {
    const i = a.indexOf(ch);
    return i < 0 ? ch : (b[Math.min(i, b.length - 1)] ?? ch);
  });
  if (flags.has('s')) res = res.filter((ch, i) => i === 0 || ch !== res[i - 1] || !b.includes(ch));
  out(c, res.join(''));
  return 0;
};

/** sed: s///[gip], d, p with /re/ or line-number addresses, -n, -e, -i (enough for demos). */
const sed: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'e');
  const script = typeof flags.get('e') === 'string' ? (flags.get('e') as string) : rest.shift();
  if (script === undefined) {
    fail(c, 'no script specified');
    return 1;
  }
  type Cmd = { addr?: RegExp | number; op: string; re?: RegExp; rep?: string; global?: boolean; print?: boolean };
  const cmds: Cmd[] = [];
  for (const raw of script.split(/;|\n/).map((s) => s.trim()).filter(Boolean)) {
    let s = raw;
    let addr: RegExp | number | undefined;
    const ra = /^\/((?:\\.|[^/])*)\//.exec(s);
    if (ra) {
      addr = toRegExp(ra[1], flags.has('E') || flags.has('r'), false, false, false);
      s = s.slice(ra[0].length);
    } else if (/^\d+/.test(s)) {
      addr = Number(/^\d+/.exec(s)![0]);
      s = s.replace(/^\d+/, '');
    } else if (s.startsWith('$')) {
      addr = -1;
      s = s.slice(1);
    }
    if (s[0] === 's') {
      const d = s[1];
      const partsRe = new RegExp(`^s\\${d}((?:\\\\.|[^\\${d}])*)\\${d}((?:\\\\.|[^\\${d}])*)\\${d}([gip]*)$`);
      const m = partsRe.exec(s);
      if (!m) {
        fail(c, `bad option in substitution expression`);
        return 1;
      }
      const re = toRegExp(m[1], flags.has('E') || flags.has('r'), false, m[3].includes('i'), false);
      cmds.push({ addr, op: 's', re, rep: m[2].replace(/\\(\d)/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&').replace(/\\&/g, '&'), global: m[3].includes('g'), print: m[3].includes('p') });
    } else cmds.push({ addr, op: s[0] });
  }
  const quiet = flags.has('n');
  const run = (data: Buffer): string => {
    const ls = lines(data);
    let res = '';
    ls.forEach((line, idx) => {
      let l = line;
      let deleted = false;
      for (const cmd of cmds) {
        const hit = cmd.addr === undefined || (typeof cmd.addr === 'number' ? (cmd.addr === -1 ? idx === ls.length - 1 : cmd.addr === idx + 1) : cmd.addr.test(l));
        if (!hit) continue;
        if (cmd.op === 's') {
          const re = new RegExp(cmd.re!.source, cmd.re!.flags + (cmd.global ? 'g' : ''));
          const nl = l.replace(re, cmd.rep!);
          if (nl !== l && cmd.print) res += nl + '\n';
          l = nl;
        } else if (cmd.op === 'd') {
          deleted = true;
          break;
        } else if (cmd.op === 'p') res += l + '\n';
      }
      if (!deleted && !quiet) res += l + '\n';
    });
    return res;
  };
  if (flags.has('i')) {
    for (const f of rest) {
      const data = readFile(c, f);
      if (data) c.sh.ctx.fs.write(c.sh.resolve(f), run(data));
    }
    return 0;
  }
  for (const f of await inputs(c, rest)) if (f.data) out(c, run(f.data));
  return 0;
};

/** awk: `{ print $1, $NF }` programs with -F, optional /re/ patterns (a small subset). */
const awk: Applet = async (c) => {
  const { flags, rest } = opts(c.argv, 'F');
  const prog = rest.shift() ?? '';
  const fsep = typeof flags.get('F') === 'string' ? (flags.get('F') as string) : undefined;
  const m = /^\s*(?:\/((?:\\.|[^/])*)\/)?\s*(?:\{\s*print\s*([^}]*)\}\s*)?$/.exec(prog);
  if (!m) {
    fail(c, `cmd. line:1: ${prog}: unsupported program (the emulated awk knows /re/ { print ... })`);
    return 2;
  }
  const re = m[1] !== undefined ? new RegExp(m[1]) : undefined;
  const items = (m[2] ?? '').trim();
  for (const f of await inputs(c, rest)) {
    if (!f.data) continue;
    lines(f.data).forEach((line, idx) => {
      if (re && !re.test(line)) return;
      const fields = fsep === undefined ? line.trim().split(/\s+/).filter(Boolean) : line.split(fsep);
      if (!items) return void out(c, line + '\n');
      const vals = items.split(/\s*,\s*/).map((it) =>
        it
          .split(/\s+/)
          .map((tok) => {
            if (tok === '$0') return line;
            if (tok === '$NF') return fields[fields.length - 1] ?? '';
            if (tok === 'NR') return String(idx + 1);
            if (tok === 'NF') return String(fields.length);
            const fm = /^\$(\d+)$/.exec(tok);
            if (fm) return fields[Number(fm[1]) - 1] ?? '';
            const sm = /^"(.*)"$/.exec(tok);
            return sm ? sm[1] : tok;
          })
          .join(''),
      );
      out(c, vals.join(' ') + '\n');
    });
  }
  return 0;
};

const tee: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const sinks = rest.map((f) => c.sh.openWrite(f, flags.has('a'), c.io));
  for (;;) {
    const b = await c.io.stdin.read();
    if (b === null) break;
    out(c, b);
    for (const s of sinks) s(b);
  }
  return 0;
};

const seq: Applet = async (c) => {
  const nums = c.argv.slice(1).map(Number);
  if (!nums.length || nums.some((n) => !Number.isFinite(n))) {
    fail(c, `invalid number '${c.argv.slice(1).find((a) => !Number.isFinite(Number(a))) ?? ''}'`);
    return 1;
  }
  const [first, inc, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : nums;
  let s = '';
  for (let i = first; inc > 0 ? i <= last : i >= last; i += inc) s += i + '\n';
  out(c, s);
  return 0;
};

const yes: Applet = async (c) => {
  const word = c.argv.slice(1).join(' ') || 'y';
  for (;;) {
    out(c, (word + '\n').repeat(64));
    await c.sh.proc.tick();
  }
};

const basename: Applet = async (c) => {
  const p = (c.argv[1] ?? '').replace(/\/+$/, '');
  let b = p.slice(p.lastIndexOf('/') + 1) || '/';
  if (c.argv[2] && b.endsWith(c.argv[2]) && b !== c.argv[2]) b = b.slice(0, -c.argv[2].length);
  out(c, b + '\n');
  return 0;
};

const dirname: Applet = async (c) => {
  const p = (c.argv[1] ?? '').replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  out(c, (i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i)) + '\n');
  return 0;
};

function hashApplet(algo: string): Applet {
  return async (c) => {
    for (const f of await inputs(c, c.argv.slice(1))) {
      if (f.data) out(c, `${createHash(algo).update(f.data).digest('hex')}  ${f.name}\n`);
    }
    return 0;
  };
}

const base64: Applet = async (c) => {
  const { flags, rest } = opts(c.argv);
  const [f] = await inputs(c, rest);
  if (!f.data) return 1;
  if (flags.has('d')) out(c, Buffer.from(f.data.toString().replace(/\s+/g, ''), 'base64'));
  else out(c, (f.data.toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n');
  return 0;
};

// ---- system ----

function strftime(d: Date, fmt: string): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  return fmt.replace(/%([a-zA-Z%])/g, (m, f: string) => {
    switch (f) {
      case 'a':
        return DAYS[d.getUTCDay()];
      case 'A':
        return FULL_DAYS[d.getUTCDay()];
      case 'b':
      case 'h':
        return MONTHS[d.getUTCMonth()];
      case 'B':
        return FULL_MONTHS[d.getUTCMonth()];
      case 'd':
        return p2(d.getUTCDate());
      case 'e':
        return String(d.getUTCDate()).padStart(2);
      case 'H':
        return p2(d.getUTCHours());
      case 'I':
        return p2(d.getUTCHours() % 12 || 12);
      case 'M':
        return p2(d.getUTCMinutes());
      case 'S':
        return p2(d.getUTCSeconds());
      case 'N':
        return String(d.getUTCMilliseconds() * 1_000_000).padStart(9, '0');
      case 'p':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return p2(d.getUTCFullYear() % 100);
      case 'm':
        return p2(d.getUTCMonth() + 1);
      case 'j':
        return String(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0');
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'Z':
        return 'UTC';
      case 'z':
        return '+0000';
      case 'T':
        return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      case 'R':
        return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
      case 'D':
        return `${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCFullYear() % 100)}`;
      case 'F':
        return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
      case 'c':
        return strftime(d, '%a %b %e %H:%M:%S %Y');
      case 'u':
        return String(d.getUTCDay() || 7);
      case 'w':
        return String(d.getUTCDay());
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case '%':
        return '%';
    }
    return m;
  });
}

/** busybox date: `Thu Nov 26 17:00:00 UTC 2026` (the container's TZ is UTC). */
const date: Applet = async (c) => {
  const args = c.argv.slice(1);
  const d = c.sh.ctx.clock.date();
  let fmt = '%a %b %e %H:%M:%S %Z %Y';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('+')) fmt = a.slice(1);
    else if (a === '-u' || a === '--utc') continue;
    else if (a === '-I' || a === '--iso-8601') fmt = '%Y-%m-%d';
    else if (a.startsWith('-I')) fmt = a === '-Iseconds' ? '%Y-%m-%dT%H:%M:%S+00:00' : '%Y-%m-%d';
    else if (a === '-R') fmt = '%a, %d %b %Y %H:%M:%S +0000';
    else {
      fail(c, `invalid date '${a}'`);
      return 1;
    }
  }
  out(c, strftime(d, fmt) + '\n');
  return 0;
};

/** sleep N[smhd], fractions and `infinity`, on the emulator's clock. */
const sleep: Applet = async (c) => {
  const args = c.argv.slice(1);
  if (!args.length) {
    err(c, 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: sleep [N]...\n\nPause for a time equal to the total of the args given, where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays\n');
    return 1;
  }
  let ms = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+|inf|infinity)([smhd]?)$/i.exec(a);
    if (!m) {
      fail(c, `invalid number '${a}'`);
      return 1;
    }
    const n = /^inf/i.test(m[1]) ? Infinity : Number(m[1]);
    ms += n * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  }
  await c.sh.proc.sleep(ms);
  return 0;
};

const hostname: Applet = async (c) => {
  const a = c.argv[1];
  if (a === '-i' || a === '-I') out(c, `${c.sh.ctx.pod.ip}${a === '-I' ? ' ' : ''}\n`);
  else out(c, `${c.env.HOSTNAME ?? c.sh.ctx.pod.name}\n`);
  return 0;
};

const printenv: Applet = async (c) => {
  const names = c.argv.slice(1);
  if (!names.length) {
    for (const [k, v] of Object.entries(c.env)) out(c, `${k}=${v}\n`);
    return 0;
  }
  let code = 0;
  for (const n of names) {
    if (n in c.env) out(c, c.env[n] + '\n');
    else code = 1;
  }
  return code;
};

const env: Applet = async (c) => {
  let args = c.argv.slice(1);
  let vars: Record<string, string> = { ...c.env };
  if (args[0] === '-i' || args[0] === '-') {
    vars = {};
    args = args.slice(1);
  }
  while (args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0])) {
    const eq = args[0].indexOf('=');
    vars[args[0].slice(0, eq)] = args[0].slice(eq + 1);
    args = args.slice(1);
  }
  if (!args.length) {
    for (const [k, v] of Object.entries(vars)) out(c, `${k}=${v}\n`);
    return 0;
  }
  const applet = c.sh.proc.applets[args[0]];
  if (!applet) {
    fail(c, `can't execute '${args[0]}': No such file or directory`);
    return 127;
  }
  return applet({ ...c, argv: args, env: vars });
};

const id: Applet = async (c) => {
  out(c, 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
  return 0;
};

const whoami: Applet = async (c) => {
  out(c, 'root\n');
  return 0;
};

const uname: Applet = async (c) => {
  const { flags } = opts(c.argv);
  const host = c.env.HOSTNAME ?? c.sh.ctx.pod.name;
  if (flags.has('a')) out(c, `Linux ${host} 6.6.16-linuxkit #1 SMP PREEMPT_DYNAMIC Fri Feb 16 11:54:02 UTC 2024 x86_64 GNU/Linux\n`);
  else if (flags.has('r')) out(c, '6.6.16-linuxkit\n');
  else if (flags.has('m')) out(c, 'x86_64\n');
  else if (flags.has('n')) out(c, host + '\n');
  else out(c, 'Linux\n');
  return 0;
};

/**
 * busybox ps. Beside the container's main process (an exec), PID 1 is that process and this
 * shell has a pid of its own; in the main process, the shell is PID 1.
 */
const ps: Applet = async (c) => {
  const own = c.sh.proc.ctx.argv.join(' ');
  const self = `ps${c.argv.length > 1 ? ' ' + c.argv.slice(1).join(' ') : ''}`;
  const row = (pid: number, cmd: string) => `${String(pid).padStart(5)} root      0:00 ${cmd}\n`;
  const main = c.sh.ctx.main;
  let text = 'PID   USER     TIME  COMMAND\n' + row(1, main ? main.argv.join(' ') : own);
  // The shell that runs ps, when ps is not the exec'd command itself.
  if (main && c.sh.pid !== 1 && own !== self) text += row(c.sh.pid, own);
  out(c, text + row(c.sh.proc.newPid(), self));
  return 0;
};

/** Linux's signal numbers, as `kill -l` lists them (busybox procps/kill.c print_signames). */
const SIGNALS = ['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'POLL', 'PWR', 'SYS'];

/** A signal by number or name (`9`, `KILL`, `SIGKILL`), or undefined. */
function signalName(s: string): string | undefined {
  if (/^\d+$/.test(s)) return SIGNALS[Number(s) - 1];
  const n = s.toUpperCase().replace(/^SIG/, '');
  return SIGNALS.includes(n) ? n : undefined;
}

/**
 * busybox kill (procps/kill.c): `kill [-SIG | -s SIG | -n NUM] PID...`, `kill -l`. The processes
 * a container has: PID 1, its main process (from an exec: TERM, INT and QUIT reach it, and
 * whatever it does with them happens: nginx shuts down and the container restarts; a shell
 * without a trap ignores them, as the kernel does for an init without a handler; KILL and STOP
 * sent inside the container are dropped for PID 1), and this shell itself (`kill $$`).
 */
const kill: Applet = async (c) => {
  let sig = 'TERM';
  const args = c.argv.slice(1);
  if (args[0] === '-l') {
    if (args.length > 1) {
      const n = signalName(args[1]);
      if (!n) {
        fail(c, `bad signal name '${args[1]}'`);
        return 1;
      }
      out(c, /^\d+$/.test(args[1]) ? `${n}\n` : `${SIGNALS.indexOf(n) + 1}\n`);
      return 0;
    }
    out(c, SIGNALS.map((n, i) => `${String(i + 1).padStart(2)}) ${n}\n`).join(''));
    return 0;
  }
  if (args[0] === '-s' || args[0] === '-n') {
    args.shift();
    const v = args.shift();
    if (v === undefined) {
      fail(c, 'you need to specify whom to kill');
      return 1;
    }
    args.unshift(`-${v}`);
  }
  if (args[0]?.startsWith('-') && args[0] !== '--') {
    const n = signalName(args[0].slice(1));
    if (!n) {
      fail(c, `bad signal name '${args[0].slice(1)}'`);
      return 1;
    }
    sig = n;
    args.shift();
  }
  if (args[0] === '--') args.shift();
  if (!args.length) {
    fail(c, 'you need to specify whom to kill');
    return 1;
  }
  const main = c.sh.ctx.main;
  const stops = sig === 'TERM' || sig === 'INT' || sig === 'QUIT';
  let code = 0;
  for (const a of args) {
    if (!/^-?\d+$/.test(a)) {
      fail(c, `bad pid '${a}'`);
      code = 1;
      continue;
    }
    const pid = Number(a);
    if (pid === c.sh.pid) {
      if (sig === 'KILL') c.sh.proc.signalSelf('SIGKILL');
      else if (stops) c.sh.proc.signalSelf('SIGTERM');
    } else if (pid === 1 && main) {
      if (stops) main.signal('SIGTERM');
    } else {
      fail(c, `can't kill pid ${pid}: No such process`);
      code = 1;
    }
  }
  return code;
};

// ---- network ----

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function reason(status: number): string {
  return REASONS[status] ?? '';
}

interface Target {
  url: string;
  host: string;
  port: number;
  ip: string | undefined;
  path: string;
}

/** Parses a URL as wget/curl do (scheme optional, http only) and resolves its host. */
function target(c: CmdCtx, raw: string): Target | { bad: string } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return { bad: raw };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { bad: raw };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  let ip: string | undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) ip = host;
  else if (host === 'localhost') ip = '127.0.0.1';
  else ip = c.sh.ctx.net.resolve(host, c.sh.ctx.pod.namespace);
  // The pod's own loopback is its own IP on the cluster network.
  const netIP = ip === '127.0.0.1' ? c.sh.ctx.pod.ip : ip;
  const url = `http://${netIP}:${port}${u.pathname}${u.search}`;
  return { url, host, port, ip, path: `${u.pathname}${u.search}` };
}

type Fetched = { res: HttpResponse } | { error: NetError | Error } | { timeout: true };

async function fetchWithTimeout(c: CmdCtx, t: Target, init: { method?: string; headers?: Record<string, string>; body?: Buffer }, timeoutMs: number): Promise<Fetched> {
  const ctx = c.sh.ctx;
  const req = ctx.net
    .request({ ip: ctx.pod.ip, namespace: ctx.pod.namespace }, t.url, { ...init, headers: { Host: t.port === 80 ? t.host : `${t.host}:${t.port}`, ...init.headers } })
    .then((res) => ({ res }) as Fetched, (error: Error) => ({ error }) as Fetched);
  let handle: { cancel(): void } | undefined;
  const timer = new Promise<Fetched>((resolve) => {
    if (Number.isFinite(timeoutMs)) handle = ctx.clock.setTimeout(() => resolve({ timeout: true }), timeoutMs);
  });
  try {
    return await Promise.race([req, timer, c.sh.proc.dead]);
  } finally {
    handle?.cancel();
  }
}

function connectReason(e: Error): string {
  if (e instanceof NetError) {
    if (e.code === 'ECONNREFUSED') return 'Connection refused';
    if (e.code === 'EHOSTUNREACH') return 'Host is unreachable';
    if (e.code === 'ETIMEDOUT') return 'Connection timed out';
    if (e.code === 'ENOTFOUND') return 'bad address';
  }
  return 'Connection reset by peer';
}

/** busybox wget (networking/wget.c). */
const wget: Applet = async (c) => {
  const args = c.argv.slice(1);
  let quiet = false;
  let outName: string | undefined;
  let timeoutMs = 900_000;
  let spider = false;
  let showHeaders = false;
  let method = 'GET';
  let body: Buffer | undefined;
  const headers: Record<string, string> = { 'User-Agent': 'Wget' };
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-O') outName = args[++i];
    else if (a.startsWith('-O') && a.length > 2) outName = a.slice(2);
    else if (a === '--output-document' || a.startsWith('--output-document=')) outName = val();
    else if (a === '-T') timeoutMs = Number(args[++i]) * 1000;
    else if (a.startsWith('-T')) timeoutMs = Number(a.slice(2)) * 1000;
    else if (a.startsWith('--timeout')) timeoutMs = Number(val()) * 1000;
    else if (a === '--spider') spider = true;
    else if (a === '-S' || a === '--server-response') showHeaders = true;
    else if (a === '-U' || a.startsWith('--user-agent')) headers['User-Agent'] = a === '-U' ? args[++i] : val();
    else if (a === '--header' || a.startsWith('--header=')) {
      const h = val();
      const colon = h.indexOf(':');
      if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
    } else if (a === '--post-data' || a.startsWith('--post-data=')) {
      method = 'POST';
      body = Buffer.from(val());
    } else if (a === '-qO-' || a === '-qO') {
      quiet = true;
      outName = a === '-qO-' ? '-' : args[++i];
    } else if (a.startsWith('-') && a !== '-') {
      // Combined short flags such as -qS.
      if (/^-[qS]+$/.test(a)) {
        if (a.includes('q')) quiet = true;
        if (a.includes('S')) showHeaders = true;
      }
    } else urls.push(a);
  }
  if (!urls.length) {
    err(c, 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n');
    return 1;
  }
  let code = 0;
  for (const raw of urls) {
    const t = target(c, raw);
    if ('bad' in t) {
      err(c, `wget: bad address '${raw}'\n`);
      code = 1;
      continue;
    }
    if (!t.ip) {
      err(c, `wget: bad address '${t.host}'\n`);
      code = 1;
      continue;
    }
    if (!quiet) err(c, `Connecting to ${t.host}${t.port !== 80 || t.host !== t.ip ? ` (${t.ip}:${t.port})` : ''}\n`);
    const r = await fetchWithTimeout(c, t, { method: spider ? 'HEAD' : method, headers, body }, timeoutMs);
    if ('timeout' in r) {
      err(c, 'wget: download timed out\n');
      code = 1;
      continue;
    }
    if ('error' in r) {
      const why = connectReason(r.error);
      err(c, why === 'bad address' ? `wget: bad address '${t.host}'\n` : `wget: can't connect to remote host (${t.ip}): ${why}\n`);
      code = 1;
      continue;
    }
    const res = r.res;
    if (showHeaders) {
      err(c, `  HTTP/1.1 ${res.status} ${reason(res.status)}\n`);
      for (const [k, v] of Object.entries(res.headers)) err(c, `  ${k}: ${v}\n`);
    }
    if (res.status >= 400) {
      err(c, `wget: server returned error: HTTP/1.1 ${res.status} ${reason(res.status)}\n`);
      code = 1;
      continue;
    }
    if (spider) {
      if (!quiet) err(c, 'remote file exists\n');
      continue;
    }
    const base = t.path.split('?')[0];
    const name = outName ?? (base.slice(base.lastIndexOf('/') + 1) || 'index.html');
    if (name === '-') {
      if (!quiet) err(c, 'writing to stdout\n');
      out(c, res.body);
      if (!quiet) err(c, `${'-'.padEnd(20)} 100% |********************************| ${String(res.body.length).padStart(5)}  0:00:00 ETA\nwritten to stdout\n`);
      continue;
    }
    const path = c.sh.resolve(name);
    if (!outName && c.sh.ctx.fs.stat(path)) {
      err(c, `wget: can't open '${name}': File exists\n`);
      code = 1;
      continue;
    }
    if (!quiet) err(c, `saving to '${name}'\n`);
    try {
      c.sh.ctx.fs.write(path, res.body);
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      err(c, `wget: can't open '${name}': ${strerror(e)}\n`);
      code = 1;
      continue;
    }
    if (!quiet) err(c, `${name.slice(0, 20).padEnd(20)} 100% |********************************| ${String(res.body.length).padStart(5)}  0:00:00 ETA\n'${name}' saved\n`);
  }
  return code;
};

/** curl 8 (for images that ship it): -s -S -o -I -i -m -f -X -d -H -w -L -v. */
const curl: Applet = async (c) => {
  const args = c.argv.slice(1);
  let silent = false;
  let showErrors = false;
  let outFile: string | undefined;
  let head = false;
  let include = false;
  let timeoutMs = Infinity;
  let connectTimeoutMs = Infinity;
  let failOnError = false;
  let method: string | undefined;
  let data: string | undefined;
  let writeOut: string | undefined;
  let verbose = false;
  const headers: Record<string, string> = { 'User-Agent': 'curl/8.11.1', Accept: '*/*' };
  const urls: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const val = () => inline ?? args[++i];
      switch (name) {
        case '--silent':
          silent = true;
          break;
        case '--show-error':
          showErrors = true;
          break;
        case '--output':
          outFile = val();
          break;
        case '--head':
          head = true;
          break;
        case '--include':
          include = true;
          break;
        case '--max-time':
          timeoutMs = Number(val()) * 1000;
          break;
        case '--connect-timeout':
          connectTimeoutMs = Number(val()) * 1000;
          break;
        case '--fail':
          failOnError = true;
          break;
        case '--request':
          method = val();
          break;
        case '--data':
        case '--data-raw':
          data = val();
          break;
        case '--header': {
          const h = val();
          const colon = h.indexOf(':');
          if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
          break;
        }
        case '--write-out':
          writeOut = val();
          break;
        case '--user-agent':
          headers['User-Agent'] = val();
          break;
        case '--verbose':
          verbose = true;
          break;
        case '--location':
        case '--insecure':
        case '--no-progress-meter':
          if (name === '--no-progress-meter') silent = true;
          break;
        default:
          err(c, `curl: option ${name}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
          return 2;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        const val = () => {
          const rest = a.slice(j + 1);
          j = a.length;
          return rest || args[++i];
        };
        if (f === 's') silent = true;
        else if (f === 'S') showErrors = true;
        else if (f === 'o') outFile = val();
        else if (f === 'I') head = true;
        else if (f === 'i') include = true;
        else if (f === 'm') timeoutMs = Number(val()) * 1000;
        else if (f === 'f') failOnError = true;
        else if (f === 'X') method = val();
        else if (f === 'd') data = val();
        else if (f === 'H') {
          const h = val();
          const colon = h.indexOf(':');
          if (colon > 0) headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
        } else if (f === 'w') writeOut = val();
        else if (f === 'A') headers['User-Agent'] = val();
        else if (f === 'v') verbose = true;
        else if (f === 'L' || f === 'k') continue;
        else {
          err(c, `curl: option -${f}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`);
          return 2;
        }
      }
      continue;
    }
    urls.push(a);
  }
  if (!urls.length) {
    err(c, "curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  // The progress meter goes to stderr when the output is not a terminal (kubectl exec without -t).
  const meter = !silent && !c.sh.ctx.tty && !verbose;
  const meterHead = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n';
  const zeroLine = '  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0';
  const showErr = (msg: string) => {
    if (!silent || showErrors) err(c, `curl: ${msg}\n`);
  };
  let code = 0;
  for (const raw of urls) {
    if (meter) err(c, meterHead + zeroLine);
    const t = target(c, raw);
    if ('bad' in t) {
      if (meter) err(c, '\n');
      showErr(`(3) URL rejected: Malformed input to a URL function`);
      code = 3;
      continue;
    }
    if (!t.ip) {
      if (meter) err(c, '\n');
      showErr(`(6) Could not resolve host: ${t.host}`);
      code = 6;
      continue;
    }
    if (verbose) err(c, `*   Trying ${t.ip}:${t.port}...\n`);
    const m = method ?? (head ? 'HEAD' : data !== undefined ? 'POST' : 'GET');
    const h = { ...headers };
    if (data !== undefined) h['Content-Type'] ??= 'application/x-www-form-urlencoded';
    const start = c.sh.ctx.clock.now();
    const r = await fetchWithTimeout(c, t, { method: m, headers: h, body: data !== undefined ? Buffer.from(data) : undefined }, Math.min(timeoutMs, connectTimeoutMs));
    const elapsed = Math.round(c.sh.ctx.clock.now() - start);
    if ('timeout' in r) {
      if (meter) err(c, '\n');
      if (timeoutMs <= connectTimeoutMs) showErr(`(28) Operation timed out after ${elapsed} milliseconds with 0 bytes received`);
      else showErr(`(28) Failed to connect to ${t.host} port ${t.port} after ${elapsed} ms: Timeout was reached`);
      code = 28;
      continue;
    }
    if ('error' in r) {
      if (meter) err(c, '\n');
      const e = r.error;
      if (e instanceof NetError && e.code === 'ENOTFOUND') {
        showErr(`(6) Could not resolve host: ${t.host}`);
        code = 6;
      } else if (e instanceof NetError && e.code === 'ETIMEDOUT') {
        showErr(`(28) Failed to connect to ${t.host} port ${t.port} after ${elapsed} ms: Timeout was reached`);
        code = 28;
      } else if (e instanceof NetError) {
        showErr(`(7) Failed to connect to ${t.host} port ${t.port} after ${elapsed} ms: ${e.code === 'EHOSTUNREACH' ? 'Could not connect to server' : "Couldn't connect to server"}`);
        code = 7;
      } else {
        showErr(`(56) Recv failure: Connection reset by peer`);
        code = 56;
      }
      continue;
    }
    const res = r.res;
    const len = res.body.length;
    if (meter) err(c, `\r100   ${String(len).padStart(4)}  100   ${String(len).padStart(4)}    0     0   ${len ? ' 600k' : '    0'}      0 --:--:-- --:--:-- --:--:--  ${len ? '600k' : '   0'}\n`);
    if (verbose) {
      err(c, `* Connected to ${t.host} (${t.ip}) port ${t.port}\n> ${m} ${t.path} HTTP/1.1\n> Host: ${t.host}${t.port === 80 ? '' : ':' + t.port}\n> User-Agent: ${h['User-Agent']}\n> Accept: */*\n>\n`);
      err(c, `< HTTP/1.1 ${res.status} ${reason(res.status)}\n`);
      for (const [k, v] of Object.entries(res.headers)) err(c, `< ${k}: ${v}\n`);
      err(c, '<\n');
    }
    if (failOnError && res.status >= 400) {
      showErr(`(22) The requested URL returned error: ${res.status}`);
      code = 22;
      continue;
    }
    let payload = Buffer.alloc(0);
    if (head || include) {
      let hs = `HTTP/1.1 ${res.status} ${reason(res.status)}\r\n`;
      for (const [k, v] of Object.entries(res.headers)) hs += `${k}: ${v}\r\n`;
      payload = Buffer.from(hs + '\r\n');
    }
    if (!head) payload = Buffer.concat([payload, res.body]);
    if (outFile !== undefined && outFile !== '-') {
      try {
        c.sh.ctx.fs.write(c.sh.resolve(outFile), payload);
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        showErr(`(23) Failure writing output to destination, passed ${payload.length} returned 0`);
        code = 23;
        continue;
      }
    } else out(c, payload);
    if (writeOut !== undefined) {
      out(
        c,
        unescape(writeOut).text.replace(/%\{(\w+)\}/g, (mm, k: string) =>
          k === 'http_code' || k === 'response_code' ? String(res.status).padStart(3, '0') : k === 'size_download' ? String(res.body.length) : k === 'time_total' ? (elapsed / 1000).toFixed(6) : k === 'remote_ip' ? (t.ip ?? '') : mm,
        ),
      );
    }
  }
  return code;
};

/**
 * busybox nslookup: the 1.28 format (course DNS examples) for busybox:1.28, else the newer one.
 * Every A record of the answer is printed (a headless Service has one per ready endpoint), each
 * under the name it answers for; an ExternalName's CNAME first (networking/nslookup.c parse_reply:
 * `%s\tcanonical name = %s`, then `Name:\t%s` / `Address: %s` per A record).
 */
function nslookupApplet(oldFormat: boolean): Applet {
  return async (c) => {
    const name = c.argv.slice(1).find((a) => !a.startsWith('-'));
    if (!name) {
      err(c, 'BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n');
      return 1;
    }
    const ns = c.sh.ctx.pod.namespace;
    const net = c.sh.ctx.net;
    const dnsIP = '10.96.0.10';
    let answer: { name: string; cname?: string; addresses: string[]; ptrs?: string[] } | undefined;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) answer = { name, addresses: [name] };
    else if (net.lookup) answer = net.lookup(name, ns);
    else {
      // A network without whole answers: one A record, named after the search list's first hit.
      const ip = net.resolve(name, ns);
      const candidates = name.endsWith('.') ? [name.slice(0, -1)] : [`${name}.${ns}.svc.cluster.local`, `${name}.svc.cluster.local`, `${name}.cluster.local`, name];
      if (ip) answer = { name: candidates.find((n) => net.resolve(n, ns) === ip) ?? name, addresses: [ip] };
    }
    const found = answer && (answer.addresses.length > 0 || answer.cname) ? answer : undefined;
    if (oldFormat) {
      out(c, `Server:    ${dnsIP}\nAddress 1: ${dnsIP} kube-dns.kube-system.svc.cluster.local\n\n`);
      if (!found?.addresses.length) {
        err(c, `nslookup: can't resolve '${name}'\n`);
        return 1;
      }
      // 1.28 resolves with getaddrinfo and names each address by its PTR record: a Service's
      // ClusterIP by the Service's name, a headless Service's endpoint by its own record.
      const ptr = (i: number) => found.ptrs?.[i] ?? (!found.cname && found.name.includes('.') ? found.name : '');
      let text = `Name:      ${name}\n`;
      found.addresses.forEach((ip, i) => (text += `Address ${i + 1}: ${ip}${ptr(i) ? ' ' + ptr(i) : ''}\n`));
      out(c, text);
      return 0;
    }
    out(c, `Server:\t\t${dnsIP}\nAddress:\t${dnsIP}:53\n\n`);
    if (!found) {
      out(c, `** server can't find ${name}: NXDOMAIN\n\n`);
      return 1;
    }
    let text = found.cname ? `${found.name}\tcanonical name = ${found.cname}\n` : '';
    const owner = found.cname ?? found.name;
    for (const ip of found.addresses) text += `Name:\t${owner}\nAddress: ${ip}\n`;
    out(c, text + '\n');
    return 0;
  };
}

/** Commands every shell has as builtins (ash, dash and bash alike). */
export const SHELL_COMMANDS: Record<string, Applet> = { echo, printf, test, '[': test, kill };

/** The busybox applets course examples use (busybox, alpine, curlimages/curl ...). */
export function busyboxApplets(opts: { nslookupOld?: boolean } = {}): Record<string, Applet> {
  return {
    ...SHELL_COMMANDS,
    cat, ls, mkdir, rm, rmdir, touch, cp, mv, chmod, grep, egrep: grep, head, tail, wc, sort, uniq, cut, tr, sed, awk, tee, seq, yes,
    basename, dirname, md5sum: hashApplet('md5'), sha256sum: hashApplet('sha256'), base64, date, sleep, hostname, printenv, env, id,
    whoami, uname, ps, wget, nslookup: nslookupApplet(!!opts.nslookupOld), true: async () => 0, false: async () => 1,
    // kubectl cp runs `tar cf -` / `tar xmf -` over exec (api/http/tar.ts).
    tar,
  };
}

/** Debian/Ubuntu coreutils (no wget, curl or nslookup unless the image adds them). */
export function coreutils(): Record<string, Applet> {
  const { wget: _w, nslookup: _n, ...rest } = busyboxApplets();
  return rest;
}

export { curl, wget, Input };
