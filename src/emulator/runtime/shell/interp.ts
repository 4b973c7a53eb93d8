// The small shell's interpreter: expansions, redirections, pipelines, control flow, builtins and
// signals, as busybox ash behaves (shell/ash.c). Commands that are programs in a real image
// (cat, ls, wget ...) live in commands.ts and are looked up through the image's applet table.

import { FsError, type ProcessContext } from '../contracts.ts';
import { ArithError, evalArith } from './arith.ts';
import { BrokenPipe, Input, Pipe, type Sink } from './io.ts';
import { literalOf, parse, ShellSyntaxError, type AndOr, type Command, type List, type Part, type Pipeline, type Redir, type Word } from './parser.ts';

export interface Io {
  stdin: Input;
  out: Sink;
  err: Sink;
}

/** What a command (an applet such as cat or wget) gets. */
export interface CmdCtx {
  sh: Shell;
  argv: string[];
  io: Io;
  env: Record<string, string>;
}

export type Applet = (c: CmdCtx) => Promise<number>;

/** How the shell words its errors: busybox ash, dash (Debian's sh) or bash. */
export type Flavour = 'ash' | 'dash' | 'bash';

export interface ShellOptions {
  flavour?: Flavour;
  /** The commands the image has besides the shell's builtins. */
  applets: Record<string, Applet>;
  /**
   * The process is the container's PID 1: with no trap, SIGTERM is ignored (the kernel drops
   * signals PID 1 has no handler for), so the pod waits for its grace period and SIGKILL, as
   * `kubectl delete pod` of a busybox `sleep 3600` does on a real cluster.
   */
  pid1?: boolean;
}

// Control flow.
export class ExitSignal {
  constructor(readonly code: number) {}
}
class BreakSignal {
  constructor(
    readonly n: number,
    readonly cont: boolean,
  ) {}
}
class ReturnSignal {
  constructor(readonly code: number) {}
}
/** The process was killed (SIGKILL, or SIGTERM it does not survive). */
export class KilledSignal {
  constructor(readonly code: number) {}
}
/** A shell error that ends a non-interactive shell (ash's exraise(EXERROR)). */
export class ShellError {
  constructor(readonly code: number) {}
}

/** The container process one shell (and its subshells) belongs to. */
export class Process {
  readonly ctx: ProcessContext;
  readonly flavour: Flavour;
  readonly applets: Record<string, Applet>;
  readonly pid1: boolean;
  /** Rejects when the process must stop now (SIGKILL, or SIGTERM without trap when it dies of it). */
  readonly dead: Promise<never>;
  private die!: (k: KilledSignal) => void;
  killedBy: KilledSignal | undefined;
  /** A trapped signal waiting for the current command to end. */
  pendingTraps: string[] = [];
  private trapWaiters: (() => void)[] = [];
  traps = new Map<string, string>();
  private ticks = 0;
  private nextPid = 7;

  constructor(ctx: ProcessContext, opts: ShellOptions) {
    this.ctx = ctx;
    this.flavour = opts.flavour ?? 'ash';
    this.applets = opts.applets;
    // Without a way to learn of the SIGKILL that follows an ignored SIGTERM, PID 1 semantics
    // would leave the process running forever: then SIGTERM ends it (143).
    this.pid1 = !!opts.pid1 && !!ctx.killed;
    this.dead = new Promise<never>((_, reject) => (this.die = reject));
    this.dead.catch(() => {});
    void ctx.signal.then((sig) => this.onSignal(sig)).catch(() => {});
    void ctx.killed?.then(() => this.onSignal('SIGKILL')).catch(() => {});
  }

  /** A signal this process sends itself (`kill $$`): as one from outside. */
  signalSelf(sig: 'SIGTERM' | 'SIGKILL'): void {
    this.onSignal(sig);
  }

  private onSignal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (this.killedBy) return;
    if (sig === 'SIGKILL') return this.kill(137);
    const trap = this.traps.get('TERM');
    if (trap !== undefined) {
      if (trap === '') return; // trap '' TERM: ignored
      this.pendingTraps.push('TERM');
      for (const w of this.trapWaiters.splice(0)) w();
      return;
    }
    if (this.pid1) return;
    this.kill(143);
  }

  kill(code: number): void {
    if (this.killedBy) return;
    this.killedBy = new KilledSignal(code);
    this.die(this.killedBy);
  }

  /** Resolves when a trapped signal arrives (the `wait` builtin returns early then). */
  trapArrived(): Promise<void> {
    if (this.pendingTraps.length) return Promise.resolve();
    return new Promise((resolve) => this.trapWaiters.push(resolve));
  }

  /** Lets timers and I/O run now and then, so a busy loop never freezes the emulator. */
  async tick(): Promise<void> {
    if (this.killedBy) throw this.killedBy;
    if (++this.ticks % 256 === 0) await new Promise((r) => setImmediate(r));
    if (this.killedBy) throw this.killedBy;
  }

  /** Waits ms on the emulator's clock; ends early (throwing) when the process dies. */
  sleep(ms: number): Promise<void> {
    if (this.killedBy) return Promise.reject(this.killedBy);
    let handle: { cancel(): void } | undefined;
    const timer = new Promise<void>((resolve) => {
      if (Number.isFinite(ms)) handle = this.ctx.clock.setTimeout(resolve, ms);
    });
    return Promise.race([timer, this.dead]).finally(() => handle?.cancel());
  }

  newPid(): number {
    return this.nextPid++;
  }
}

const IFS_WS = /[ \t\n]+/;

export class Shell {
  vars = new Map<string, string>();
  exported = new Set<string>();
  readonly readonlyVars = new Set<string>();
  positional: string[] = [];
  arg0 = 'sh';
  /** Set for scripts (`sh file`): errors then name the file and line (ash's commandname). */
  scriptName: string | undefined;
  status = 0;
  cwd = '/';
  funcs = new Map<string, Command>();
  opts = { errexit: false, xtrace: false, nounset: false };
  pid: number;
  lastBgPid = 0;
  private jobs: Promise<unknown>[] = [];
  private line = 0;
  interactive = false;
  private loopDepth = 0;
  /** The status of the last command substitution in the command being expanded. */
  private substStatus: number | undefined;

  constructor(readonly proc: Process, parent?: Shell) {
    if (parent) {
      this.vars = new Map(parent.vars);
      this.exported = new Set(parent.exported);
      this.positional = [...parent.positional];
      this.arg0 = parent.arg0;
      this.scriptName = parent.scriptName;
      this.status = parent.status;
      this.cwd = parent.cwd;
      this.funcs = new Map(parent.funcs);
      this.opts = { ...parent.opts };
      this.pid = parent.pid;
      this.lastBgPid = parent.lastBgPid;
    } else {
      // An exec'd shell runs beside the container's PID 1 (ctx.main): it gets a pid of its own.
      this.pid = proc.pid1 || (proc.ctx.killed && !proc.ctx.main) ? 1 : proc.newPid();
    }
  }

  get ctx(): ProcessContext {
    return this.proc.ctx;
  }

  /** Exported variables: the environment commands get. */
  env(extra?: Map<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.exported) {
      const v = this.vars.get(k);
      if (v !== undefined) out[k] = v;
    }
    if (extra) for (const [k, v] of extra) out[k] = v;
    return out;
  }

  setVar(name: string, value: string): void {
    if (this.readonlyVars.has(name)) {
      this.error(`${name}: is read only`);
      throw new ShellError(2);
    }
    this.vars.set(name, value);
  }

  /** Absolute path of `p` from the working directory, normalized. */
  resolve(p: string): string {
    const abs = p.startsWith('/') ? p : `${this.cwd === '/' ? '' : this.cwd}/${p}`;
    const parts: string[] = [];
    for (const s of abs.split('/')) {
      if (!s || s === '.') continue;
      if (s === '..') parts.pop();
      else parts.push(s);
    }
    return '/' + parts.join('/');
  }

  /** Prints a shell error as the flavour words it (`sh: foo: not found`). */
  error(msg: string, io?: Io): void {
    const err = io?.err ?? this.ctx.stderr;
    let prefix = `${this.arg0}: `;
    if (this.proc.flavour === 'dash') prefix += `${this.line || 1}: `;
    else if (this.proc.flavour === 'bash') prefix += `line ${this.line || 1}: `;
    else if (this.scriptName) prefix += `line ${this.line || 1}: `;
    err(`${prefix}${msg}\n`);
  }

  notFound(name: string, io: Io): number {
    if (this.proc.flavour === 'bash') this.error(`${name}: command not found`, io);
    else this.error(`${name}: not found`, io);
    return 127;
  }

  /** Parses and runs a script; syntax errors are reported as the shell does (exit 2). */
  async runScript(src: string, io: Io): Promise<number> {
    let list: List;
    try {
      list = parse(src);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        this.line = e.line;
        this.error(e.message, io);
        return (this.status = 2);
      }
      throw e;
    }
    try {
      await this.runList(list, io);
    } catch (e) {
      if (e instanceof ShellError) return (this.status = e.code);
      throw e;
    }
    return this.status;
  }

  /** Runs the EXIT trap and background jobs' end; call when the shell ends. */
  async finish(code: number, io: Io): Promise<number> {
    const trap = this.proc.traps.get('EXIT') ?? this.proc.traps.get('0');
    if (trap) {
      this.proc.traps.delete('EXIT');
      this.proc.traps.delete('0');
      this.status = code;
      try {
        await this.runScript(trap, io);
      } catch (e) {
        if (e instanceof ExitSignal) return e.code;
        throw e;
      }
    }
    return code;
  }

  async runList(list: List, io: Io): Promise<number> {
    for (const item of list.items) {
      if (item.bg) {
        const child = new Shell(this.proc, this);
        const pid = this.proc.newPid();
        this.lastBgPid = pid;
        const job = child.runAndOr(item.ao, { ...io, stdin: Input.empty() }).catch(() => {});
        this.jobs.push(job);
        this.status = 0;
        continue;
      }
      await this.runAndOr(item.ao, io);
      await this.runTraps(io);
    }
    return this.status;
  }

  private async runTraps(io: Io): Promise<void> {
    while (this.proc.pendingTraps.length) {
      const sig = this.proc.pendingTraps.shift()!;
      const action = this.proc.traps.get(sig);
      if (action) {
        const saved = this.status;
        await this.runScript(action, io);
        this.status = saved;
      }
    }
  }

  async runAndOr(ao: AndOr, io: Io): Promise<number> {
    await this.runPipeline(ao.first, io, ao.rest.length > 0);
    for (const r of ao.rest) {
      if ((r.op === '&&') === (this.status === 0)) await this.runPipeline(r.p, io, r !== ao.rest[ao.rest.length - 1]);
    }
    return this.status;
  }

  private async runPipeline(p: Pipeline, io: Io, inCondition: boolean): Promise<number> {
    let code: number;
    if (p.cmds.length === 1) {
      code = await this.runCommand(p.cmds[0], io, inCondition || p.bang);
    } else {
      // Each stage runs in a subshell, all at once, joined by pipes (ash forks them the same way).
      const pipes = p.cmds.slice(1).map(() => new Pipe());
      const stages = p.cmds.map(async (cmd, i) => {
        const stdin = i === 0 ? io.stdin : pipes[i - 1].input;
        const out = i === p.cmds.length - 1 ? io.out : pipes[i].write;
        const child = new Shell(this.proc, this);
        try {
          return await child.runCommand(cmd, { stdin, out, err: io.err }, true);
        } catch (e) {
          if (e instanceof BrokenPipe) return 141;
          if (e instanceof ExitSignal) return e.code;
          if (e instanceof ShellError) return e.code;
          throw e;
        } finally {
          if (i < pipes.length) pipes[i].close();
          if (i > 0) pipes[i - 1].readerDone();
        }
      });
      const codes = await Promise.all(stages);
      code = codes[codes.length - 1];
    }
    if (p.bang) code = code === 0 ? 1 : 0;
    this.status = code;
    if (this.opts.errexit && code !== 0 && !inCondition && !p.bang) throw new ExitSignal(code);
    return code;
  }

  async runCommand(cmd: Command, io: Io, inCondition = false): Promise<number> {
    await this.proc.tick();
    if (cmd.t === 'simple') return this.runSimple(cmd, io);
    if (cmd.t === 'func') {
      this.funcs.set(cmd.name, cmd.body);
      return (this.status = 0);
    }
    let rio: Io;
    try {
      rio = await this.redirect(cmd.redirs, io);
    } catch (e) {
      if (e instanceof ShellError) return (this.status = e.code);
      throw e;
    }
    switch (cmd.t) {
      case 'group':
        await this.runList(cmd.body, rio);
        return this.status;
      case 'subshell': {
        const child = new Shell(this.proc, this);
        try {
          await child.runList(cmd.body, rio);
          this.status = child.status;
        } catch (e) {
          if (e instanceof ExitSignal || e instanceof ShellError) this.status = e.code;
          else throw e;
        }
        return this.status;
      }
      case 'if': {
        for (const c of cmd.clauses) {
          await this.runList(c.cond, rio);
          if (this.status === 0) {
            await this.runList(c.body, rio);
            return this.status;
          }
        }
        this.status = 0;
        if (cmd.else) await this.runList(cmd.else, rio);
        return this.status;
      }
      case 'while':
      case 'until': {
        let last = 0;
        this.loopDepth++;
        try {
          for (;;) {
            await this.proc.tick();
            await this.withCondition(() => this.runList(cmd.cond, rio));
            if ((this.status === 0) !== (cmd.t === 'while')) break;
            const r = await this.loopBody(cmd.body, rio);
            last = r.status;
            if (r.stop) break;
          }
        } finally {
          this.loopDepth--;
        }
        return (this.status = last);
      }
      case 'for': {
        const items = cmd.items ? await this.expandWords(cmd.items) : [...this.positional];
        let last = 0;
        this.loopDepth++;
        try {
          for (const v of items) {
            this.setVar(cmd.name, v);
            const r = await this.loopBody(cmd.body, rio);
            last = r.status;
            if (r.stop) break;
          }
        } finally {
          this.loopDepth--;
        }
        return (this.status = last);
      }
      case 'case': {
        const w = await this.expandString(cmd.word);
        for (const arm of cmd.arms) {
          for (const pat of arm.patterns) {
            if (globToRegExp(await this.expandPattern(pat)).test(w)) {
              this.status = 0;
              await this.runList(arm.body, rio);
              return this.status;
            }
          }
        }
        return (this.status = 0);
      }
    }
    void inCondition;
    return this.status;
  }

  /** One pass of a loop's body: its status, and whether `break` (or an outer break/continue) ends the loop. */
  private async loopBody(body: List, io: Io): Promise<{ status: number; stop: boolean }> {
    try {
      await this.runList(body, io);
      return { status: this.status, stop: false };
    } catch (e) {
      if (!(e instanceof BreakSignal)) throw e;
      if (e.n > 1) throw new BreakSignal(e.n - 1, e.cont);
      return { status: 0, stop: !e.cont };
    }
  }

  private async withCondition(fn: () => Promise<unknown>): Promise<void> {
    const saved = this.opts.errexit;
    this.opts.errexit = false;
    try {
      await fn();
    } finally {
      this.opts.errexit = saved;
    }
  }

  private async runSimple(cmd: Extract<Command, { t: 'simple' }>, io: Io): Promise<number> {
    this.line = cmd.line;
    let argv: string[];
    const assigns = new Map<string, string>();
    this.substStatus = undefined;
    try {
      argv = await this.expandWords(cmd.words);
      for (const a of cmd.assigns) assigns.set(a.name, await this.expandString(a.value));
    } catch (e) {
      if (e instanceof ShellError) {
        this.status = e.code;
        if (!this.interactive) throw e;
        return this.status;
      }
      throw e;
    }
    if (this.opts.xtrace) {
      const shown = [...[...assigns].map(([k, v]) => `${k}=${quoteForTrace(v)}`), ...argv.map(quoteForTrace)];
      io.err(`+ ${shown.join(' ')}\n`);
    }
    let rio: Io;
    try {
      rio = await this.redirect(cmd.redirs, io);
    } catch (e) {
      if (e instanceof ShellError) return (this.status = 1);
      throw e;
    }
    if (argv.length === 0) {
      // Assignments alone set shell variables; the status is that of the last command substitution.
      for (const [k, v] of assigns) this.setVar(k, v);
      return (this.status = this.substStatus ?? 0);
    }
    const name = argv[0];
    const builtin = BUILTINS[name];
    if (builtin && SPECIAL.has(name)) {
      for (const [k, v] of assigns) this.setVar(k, v);
      return (this.status = await builtin(this, argv, rio));
    }
    const fn = this.funcs.get(name);
    if (fn) {
      const saved = this.positional;
      this.positional = argv.slice(1);
      try {
        await this.runCommand(fn, rio);
      } catch (e) {
        if (!(e instanceof ReturnSignal)) throw e;
        this.status = e.code;
      } finally {
        this.positional = saved;
      }
      return this.status;
    }
    if (builtin) return (this.status = await builtin(this, argv, rio));
    return (this.status = await this.runProgram(argv, rio, assigns));
  }

  /** Runs an applet or a script file by name or path. */
  async runProgram(argv: string[], io: Io, assigns?: Map<string, string>): Promise<number> {
    const name = argv[0];
    const env = this.env(assigns);
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
    const applet = this.proc.applets[name.includes('/') ? base : name];
    if (name.includes('/')) {
      const path = this.resolve(name);
      const st = this.ctx.fs.stat(path);
      if (st?.kind === 'file') {
        if (!(st.mode & 0o111) && !applet) {
          this.error(`${name}: Permission denied`, io);
          return 126;
        }
        if (!applet || !/^\/(usr\/)?(s?bin)\//.test(path)) return this.runScriptFile(path, argv, io, env);
      } else if (st?.kind === 'dir') {
        this.error(`${name}: Permission denied`, io);
        return 126;
      } else if (!applet || !/^\/(usr\/(local\/)?)?s?bin\/[^/]+$/.test(path)) {
        return this.notFound(name, io);
      }
    }
    if (!applet) return this.notFound(name, io);
    try {
      return await applet({ sh: this, argv, io, env });
    } catch (e) {
      if (e instanceof FsError) {
        io.err(`${base}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }

  /** A script file run as a program (`./run.sh`, or `sh run.sh`). */
  async runScriptFile(path: string, argv: string[], io: Io, env?: Record<string, string>): Promise<number> {
    let text: string;
    try {
      text = this.ctx.fs.read(path).toString();
    } catch {
      this.error(`can't open '${argv[0]}': No such file or directory`, io);
      return 2;
    }
    const child = new Shell(this.proc, this);
    if (env) {
      child.vars = new Map(Object.entries(env));
      child.exported = new Set(Object.keys(env));
    }
    child.funcs = new Map();
    child.arg0 = argv[0];
    child.scriptName = argv[0];
    child.positional = argv.slice(1);
    try {
      return await child.runScript(text, io);
    } catch (e) {
      if (e instanceof ExitSignal) return e.code;
      throw e;
    }
  }

  // ---- redirections ----

  private async redirect(redirs: Redir[], io: Io): Promise<Io> {
    if (redirs.length === 0) return io;
    const fds: Record<number, Sink | Input> = { 0: io.stdin, 1: io.out, 2: io.err };
    for (const r of redirs) {
      if (r.op === '<<' || r.op === '<<-') {
        fds[r.fd] = Input.of(r.body ? await this.expandString(r.body) : '');
        continue;
      }
      const target = await this.expandString(r.target);
      if (r.op === '>&' || r.op === '<&') {
        if (target === '-') {
          fds[r.fd] = r.fd === 0 ? Input.empty() : () => {};
          continue;
        }
        if (!/^\d+$/.test(target)) {
          if (r.op === '>&') {
            // `>&file` is `>file 2>&1` in ash's bash compatibility.
            const sink = this.openWrite(target, false, io);
            fds[1] = sink;
            fds[2] = sink;
            continue;
          }
          this.error(`${target}: bad number`, io);
          throw new ShellError(2);
        }
        const src = fds[Number(target)];
        if (src === undefined) {
          this.error(`${target}: Bad file descriptor`, io);
          throw new ShellError(1);
        }
        fds[r.fd] = src;
        continue;
      }
      if (r.op === '<' || r.op === '<>') {
        fds[r.fd] = this.openRead(target, io);
        continue;
      }
      const sink = this.openWrite(target, r.op === '>>', io);
      if (r.op === '&>') {
        fds[1] = sink;
        fds[2] = sink;
      } else fds[r.fd] = sink;
    }
    const asSink = (x: Sink | Input, d: Sink): Sink => (typeof x === 'function' ? x : d);
    return {
      stdin: fds[0] instanceof Input ? fds[0] : io.stdin,
      out: asSink(fds[1], io.out),
      err: asSink(fds[2], io.err),
    };
  }

  private openRead(target: string, io: Io): Input {
    const path = this.resolve(target);
    if (path === '/dev/null') return Input.empty();
    if (path === '/dev/stdin') return this.proc.ctx.stdin ? Input.from(this.proc.ctx.stdin) : Input.empty();
    try {
      return Input.of(this.ctx.fs.read(path));
    } catch (e) {
      if (e instanceof FsError) {
        // ash: errmsg(errno, "no such file")
        this.error(`can't open ${target}: ${e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'no such file' : strerror(e)}`, io);
        throw new ShellError(1);
      }
      throw e;
    }
  }

  openWrite(target: string, append: boolean, io: Io): Sink {
    const path = this.resolve(target);
    if (path === '/dev/null') return () => {};
    if (path === '/dev/stdout') return io.out;
    if (path === '/dev/stderr') return io.err;
    const fs = this.ctx.fs;
    try {
      if (!append || !fs.stat(path)) fs.write(path, '', { append: false });
    } catch (e) {
      if (e instanceof FsError) {
        // ash: errmsg(errno, "nonexistent directory")
        this.error(`can't create ${target}: ${e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'nonexistent directory' : strerror(e)}`, io);
        throw new ShellError(1);
      }
      throw e;
    }
    return (data) => fs.write(path, data, { append: true });
  }

  // ---- expansions ----

  /** Words to fields: parameter, command and arithmetic expansion, field splitting, globbing. */
  async expandWords(words: Word[]): Promise<string[]> {
    const out: string[] = [];
    for (const w of words) out.push(...(await this.expandWord(w)));
    return out;
  }

  async expandWord(w: Word): Promise<string[]> {
    type Field = { text: string; pat: string; glob: boolean };
    const fields: Field[] = [];
    let cur: Field | undefined;
    const ensure = () => (cur ??= { text: '', pat: '', glob: false });
    const addQuoted = (s: string) => {
      const f = ensure();
      f.text += s;
      f.pat += s.replace(/[*?[\]\\]/g, '\\$&');
    };
    const addUnquotedLit = (s: string) => {
      const f = ensure();
      f.text += s;
      f.pat += s;
      if (/[*?[]/.test(s)) f.glob = true;
    };
    const addSplit = (s: string) => {
      const pieces = s.split(IFS_WS);
      pieces.forEach((piece, i) => {
        if (i > 0 && cur) {
          fields.push(cur);
          cur = undefined;
        }
        if (piece) addUnquotedLit(piece);
      });
    };
    for (const p of w.parts) {
      if (p.k === 'lit') {
        if (p.q) addQuoted(p.v);
        else addUnquotedLit(this.tilde(p.v, p === w.parts[0]));
        continue;
      }
      if (p.k === 'param' && (p.name === '@' || p.name === '*') && !p.op && !p.len) {
        const vals = this.positional;
        if (p.q && p.name === '@') {
          vals.forEach((v, i) => {
            if (i > 0) {
              fields.push(ensure());
              cur = undefined;
            }
            addQuoted(v);
          });
          continue;
        }
        const joined = vals.join(' ');
        if (p.q) addQuoted(joined);
        else addSplit(joined);
        continue;
      }
      const v = await this.expandPart(p);
      if (p.q) addQuoted(v);
      else addSplit(v);
    }
    if (cur) fields.push(cur);
    const out: string[] = [];
    for (const f of fields) {
      if (f.glob) {
        const matches = this.glob(f.pat);
        if (matches.length) {
          out.push(...matches);
          continue;
        }
      }
      out.push(f.text);
    }
    return out;
  }

  /** A word to one string, without splitting or globbing (assignments, redirections, case). */
  async expandString(w: Word): Promise<string> {
    let s = '';
    for (const p of w.parts) {
      if (p.k === 'lit') s += p.q ? p.v : this.tilde(p.v, p === w.parts[0]);
      else if (p.k === 'param' && (p.name === '@' || p.name === '*') && !p.op && !p.len) s += this.positional.join(' ');
      else s += await this.expandPart(p);
    }
    return s;
  }

  /** A case pattern: quoted parts match literally. */
  private async expandPattern(w: Word): Promise<string> {
    let s = '';
    for (const p of w.parts) {
      const v = p.k === 'lit' ? p.v : await this.expandPart(p);
      s += p.q ? v.replace(/[*?[\]\\]/g, '\\$&') : v;
    }
    return s;
  }

  private tilde(s: string, first: boolean): string {
    if (!first || !s.startsWith('~')) return s;
    if (s === '~' || s.startsWith('~/')) return (this.vars.get('HOME') ?? '/root') + s.slice(1);
    return s;
  }

  private param(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return String(this.pid);
      case '#':
        return String(this.positional.length);
      case '!':
        return this.lastBgPid ? String(this.lastBgPid) : '';
      case '-':
        return this.interactive ? 'i' : '';
      case '0':
        return this.arg0;
      case '@':
      case '*':
        return this.positional.join(' ');
    }
    if (/^\d+$/.test(name)) return this.positional[Number(name) - 1];
    return this.vars.get(name);
  }

  private async expandPart(p: Part): Promise<string> {
    if (p.k === 'lit') return p.v;
    if (p.k === 'cmd') {
      let out = '';
      const child = new Shell(this.proc, this);
      try {
        await child.runList(p.body, { stdin: Input.empty(), out: (d) => (out += d.toString()), err: this.ctx.stderr });
        this.substStatus = child.status;
      } catch (e) {
        if (e instanceof ExitSignal || e instanceof ShellError) this.substStatus = e.code;
        else throw e;
      }
      return out.replace(/\n+$/, '');
    }
    if (p.k === 'arith') {
      const text = await this.expandString(p.expr);
      try {
        return String(evalArith(text, { get: (n) => this.vars.get(n), set: (n, v) => this.setVar(n, v) }));
      } catch (e) {
        if (e instanceof ArithError) {
          this.error(e.message);
          throw new ShellError(2);
        }
        throw e;
      }
    }
    const v = this.param(p.name);
    if (p.len) return String((v ?? '').length);
    if (!p.op) {
      if (v === undefined && this.opts.nounset && !['@', '*'].includes(p.name)) {
        this.error(`${p.name}: parameter not set`);
        throw new ShellError(2);
      }
      return v ?? '';
    }
    const colon = p.op.startsWith(':');
    const op = colon ? p.op.slice(1) : p.op;
    const unset = v === undefined || (colon && v === '');
    const arg = async () => (p.arg ? this.expandString(p.arg) : '');
    switch (op) {
      case '-':
        return unset ? arg() : v!;
      case '=':
        if (unset) {
          const a = await arg();
          this.setVar(p.name, a);
          return a;
        }
        return v!;
      case '+':
        return unset ? '' : arg();
      case '?':
        if (unset) {
          const a = await arg();
          this.error(`${p.name}: ${a || 'parameter not set'}`);
          throw new ShellError(2);
        }
        return v!;
      case '#':
      case '##':
      case '%':
      case '%%': {
        const s = v ?? '';
        const re = globToRegExp(p.arg ? await this.expandPattern(p.arg) : '', false);
        const greedy = op.length === 2;
        if (op[0] === '#') {
          const lens = [...Array(s.length + 1).keys()];
          for (const n of greedy ? lens.reverse() : lens) if (re.test(s.slice(0, n))) return s.slice(n);
        } else {
          const starts = [...Array(s.length + 1).keys()];
          for (const n of greedy ? starts : starts.reverse()) if (re.test(s.slice(n))) return s.slice(0, n);
        }
        return s;
      }
    }
    return v ?? '';
  }

  /** Pathname expansion over the container's file system. */
  private glob(pattern: string): string[] {
    const abs = pattern.startsWith('/');
    const comps = pattern.split('/').filter((c, i) => c !== '' || i === 0);
    let paths: string[] = [abs ? '/' : ''];
    for (const comp of comps.slice(abs ? 1 : 0)) {
      const next: string[] = [];
      const hasMeta = /(^|[^\\])[*?[]/.test(comp);
      for (const base of paths) {
        const dir = this.resolve(base || '.');
        if (!hasMeta) {
          const lit = comp.replace(/\\(.)/g, '$1');
          const p = base === '' ? lit : base === '/' ? `/${lit}` : `${base}/${lit}`;
          if (this.ctx.fs.stat(this.resolve(p))) next.push(p);
          continue;
        }
        let names: string[];
        try {
          if (this.ctx.fs.stat(dir)?.kind !== 'dir') continue;
          names = this.ctx.fs.list(dir);
        } catch {
          continue;
        }
        const re = globToRegExp(comp);
        for (const n of names.sort()) {
          if (n.startsWith('.') && !comp.startsWith('.')) continue;
          if (re.test(n)) next.push(base === '' ? n : base === '/' ? `/${n}` : `${base}/${n}`);
        }
      }
      paths = next;
      if (!paths.length) return [];
    }
    return paths.filter((p) => p !== '' && p !== '/' ? true : false);
  }

  /** Waits for background jobs (the `wait` builtin); a trapped signal ends the wait early. */
  async waitJobs(): Promise<number> {
    const all = Promise.all(this.jobs.splice(0));
    const trap = this.proc.trapArrived().then(() => 'trap' as const);
    const r = await Promise.race([all.then(() => 'done' as const), trap, this.proc.dead]);
    return r === 'trap' ? 128 + 15 : 0;
  }

  get inLoop(): boolean {
    return this.loopDepth > 0;
  }

  static breakSignal(n: number, cont: boolean): BreakSignal {
    return new BreakSignal(n, cont);
  }
  static returnSignal(code: number): ReturnSignal {
    return new ReturnSignal(code);
  }
  static shellError(code: number): ShellError {
    return new ShellError(code);
  }
}

export function isControlSignal(e: unknown): boolean {
  return e instanceof BreakSignal || e instanceof ReturnSignal || e instanceof ShellError;
}

function quoteForTrace(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function strerror(e: FsError): string {
  switch (e.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    case 'EEXIST':
      return 'File exists';
    case 'EROFS':
      return 'Read-only file system';
    case 'ENOTEMPTY':
      return 'Directory not empty';
  }
  return e.message;
}

/** A shell pattern (`*.log`, `a?[bc]`, with `\` escapes) as an anchored RegExp. */
export function globToRegExp(pat: string, anchored = true): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '\\' && i + 1 < pat.length) {
      re += pat[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pat.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${re}$` : `^${re}$`);
}

// ---- builtins ----

type Builtin = (sh: Shell, argv: string[], io: Io) => Promise<number>;

/** POSIX special builtins: assignments before them stay, errors end the shell. */
const SPECIAL = new Set(['exit', 'export', 'readonly', 'set', 'unset', 'shift', 'break', 'continue', 'return', 'eval', '.', 'source', 'exec', 'trap', ':', 'local']);

function numArg(sh: Shell, name: string, s: string | undefined, io: Io, dflt: number): number {
  if (s === undefined) return dflt;
  if (!/^-?\d+$/.test(s)) {
    sh.error(`${name}: Illegal number: ${s}`, io);
    throw Shell.shellError(2);
  }
  return Number(s);
}

export const BUILTINS: Record<string, Builtin> = {
  ':': async () => 0,
  true: async () => 0,
  false: async () => 1,
  exit: async (sh, argv, io) => {
    const code = numArg(sh, 'exit', argv[1], io, sh.status);
    throw new ExitSignal(code & 255);
  },
  return: async (sh, argv, io) => {
    throw Shell.returnSignal(numArg(sh, 'return', argv[1], io, sh.status) & 255);
  },
  break: async (sh, argv, io) => {
    const n = numArg(sh, 'break', argv[1], io, 1);
    if (!sh.inLoop) return 0;
    throw Shell.breakSignal(Math.max(1, n), false);
  },
  continue: async (sh, argv, io) => {
    const n = numArg(sh, 'continue', argv[1], io, 1);
    if (!sh.inLoop) return 0;
    throw Shell.breakSignal(Math.max(1, n), true);
  },
  export: async (sh, argv, io) => {
    const args = argv.slice(1).filter((a) => a !== '-p');
    if (args.length === 0) {
      for (const k of [...sh.exported].sort()) {
        const v = sh.vars.get(k);
        if (v !== undefined) io.out(`export ${k}='${v.replace(/'/g, `'"'"'`)}'\n`);
      }
      return 0;
    }
    for (const a of args) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        sh.error(`export: ${a}: bad variable name`, io);
        return 2;
      }
      if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
      sh.exported.add(name);
    }
    return 0;
  },
  readonly: async (sh, argv) => {
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
      sh.readonlyVars.add(name);
    }
    return 0;
  },
  local: async (sh, argv) => {
    for (const a of argv.slice(1)) {
      const eq = a.indexOf('=');
      if (eq >= 0) sh.setVar(a.slice(0, eq), a.slice(eq + 1));
    }
    return 0;
  },
  unset: async (sh, argv) => {
    for (const a of argv.slice(1)) {
      if (a === '-v' || a === '-f') continue;
      if (argv[1] === '-f') sh.funcs.delete(a);
      else {
        sh.vars.delete(a);
        sh.exported.delete(a);
      }
    }
    return 0;
  },
  set: async (sh, argv, io) => {
    if (argv.length === 1) {
      for (const [k, v] of [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1))) io.out(`${k}='${v.replace(/'/g, `'"'"'`)}'\n`);
      return 0;
    }
    let i = 1;
    for (; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--') {
        i++;
        sh.positional = argv.slice(i);
        return 0;
      }
      if (!/^[-+][a-z]+$/.test(a)) break;
      const on = a[0] === '-';
      for (const f of a.slice(1)) {
        if (f === 'e') sh.opts.errexit = on;
        else if (f === 'x') sh.opts.xtrace = on;
        else if (f === 'u') sh.opts.nounset = on;
        else if (f !== 'o' && f !== 'f' && f !== 'v' && f !== 'm') {
          sh.error(`set: illegal option -${f}`, io);
          return 2;
        }
      }
    }
    if (i < argv.length) sh.positional = argv.slice(i);
    return 0;
  },
  shift: async (sh, argv, io) => {
    const n = numArg(sh, 'shift', argv[1], io, 1);
    if (n > sh.positional.length) {
      sh.error(`shift: can't shift that many`, io);
      return 2;
    }
    sh.positional = sh.positional.slice(n);
    return 0;
  },
  eval: async (sh, argv, io) => {
    const st = await sh.runScript(argv.slice(1).join(' '), io);
    return st;
  },
  '.': async (sh, argv, io) => {
    if (!argv[1]) {
      sh.error('.: filename argument required', io);
      return 2;
    }
    const path = sh.resolve(argv[1]);
    let text: string;
    try {
      text = sh.ctx.fs.read(path).toString();
    } catch {
      sh.error(`.: can't open '${argv[1]}'`, io);
      throw Shell.shellError(2);
    }
    return sh.runScript(text, io);
  },
  exec: async (sh, argv, io) => {
    if (argv.length === 1) return 0;
    const code = await sh.runProgram(argv.slice(1), io);
    throw new ExitSignal(code);
  },
  trap: async (sh, argv, io) => {
    if (argv.length === 1) {
      for (const [sig, action] of sh.proc.traps) io.out(`trap -- '${action}' ${sig}\n`);
      return 0;
    }
    const reset = argv[1] === '-';
    const action = argv[1];
    for (const raw of argv.slice(2)) {
      let sig = raw.toUpperCase().replace(/^SIG/, '');
      if (sig === '15') sig = 'TERM';
      if (sig === '2') sig = 'INT';
      if (sig === '0') sig = 'EXIT';
      if (!['TERM', 'INT', 'EXIT', 'HUP', 'QUIT', 'USR1', 'USR2', 'CHLD', 'KILL'].includes(sig)) {
        sh.error(`trap: ${raw}: bad trap`, io);
        return 1;
      }
      if (reset) sh.proc.traps.delete(sig);
      else sh.proc.traps.set(sig, action);
    }
    return 0;
  },
  wait: async (sh) => sh.waitJobs(),
  cd: async (sh, argv, io) => {
    const target = argv[1] === undefined ? (sh.vars.get('HOME') ?? '/') : argv[1] === '-' ? (sh.vars.get('OLDPWD') ?? sh.cwd) : argv[1];
    const path = sh.resolve(target);
    const st = sh.ctx.fs.stat(path);
    if (!st) {
      sh.error(`cd: can't cd to ${target}: No such file or directory`, io);
      return 2;
    }
    if (st.kind !== 'dir') {
      sh.error(`cd: can't cd to ${target}: Not a directory`, io);
      return 2;
    }
    sh.vars.set('OLDPWD', sh.cwd);
    sh.cwd = path;
    sh.vars.set('PWD', path);
    if (argv[1] === '-') io.out(path + '\n');
    return 0;
  },
  pwd: async (sh, _argv, io) => {
    io.out(sh.cwd + '\n');
    return 0;
  },
  read: async (sh, argv, io) => {
    let args = argv.slice(1);
    let raw = false;
    let prompt: string | undefined;
    while (args[0]?.startsWith('-')) {
      if (args[0] === '-r') raw = true;
      else if (args[0] === '-p') {
        prompt = args[1];
        args = args.slice(1);
      }
      args = args.slice(1);
    }
    if (prompt !== undefined) io.err(prompt);
    let line = await io.stdin.readLine();
    if (line === null) return 1;
    if (!raw) line = line.replace(/\\(.)/g, '$1');
    const names = args.length ? args : ['REPLY'];
    const words = line.trim().split(IFS_WS);
    names.forEach((n, i) => sh.setVar(n, i === names.length - 1 ? words.slice(i).join(' ') : (words[i] ?? '')));
    return 0;
  },
  type: async (sh, argv, io) => {
    let code = 0;
    for (const n of argv.slice(1)) {
      if (BUILTINS[n]) io.out(`${n} is a ${SPECIAL.has(n) ? 'special ' : ''}shell builtin\n`);
      else if (sh.funcs.has(n)) io.out(`${n} is a function\n`);
      else if (sh.proc.applets[n]) io.out(`${n} is /bin/${n}\n`);
      else {
        io.out(`${n}: not found\n`);
        code = 127;
      }
    }
    return code;
  },
  command: async (sh, argv, io) => {
    if (argv[1] === '-v') {
      const n = argv[2];
      if (!n) return 1;
      if (BUILTINS[n] || sh.funcs.has(n)) io.out(`${n}\n`);
      else if (sh.proc.applets[n]) io.out(`/bin/${n}\n`);
      else return 127;
      return 0;
    }
    return sh.runProgram(argv.slice(1), io);
  },
};

// re-exported for the interactive loop
export { literalOf };
