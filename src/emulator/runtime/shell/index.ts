// The small shell that emulated containers and `kubectl exec` run: busybox ash by default (what
// busybox and alpine images have), with dash's and bash's wording for Debian and Ubuntu images.
//
//   sh -c 'echo $HOSTNAME && sleep 5'      a script
//   sh /scripts/run.sh a b                 a script file from the container's file system
//   sh                                     commands from stdin; with a tty, an interactive prompt
//   cat /data/x                            any other argv runs that command directly (exec)
//
// Without a tty and without stdin, `sh` reads nothing and exits 0 at once, as busybox does: the
// reason a bare `busybox` pod goes into CrashLoopBackOff.

import type { Program, ProcessContext } from '../contracts.ts';
import { busyboxApplets } from './commands.ts';
import { ExitSignal, KilledSignal, Process, Shell, ShellError, type Applet, type Flavour, type Io, type ShellOptions } from './interp.ts';
import { BrokenPipe, Input, type Sink } from './io.ts';
import { parse, ShellSyntaxError } from './parser.ts';

export type { Applet, CmdCtx, Flavour, ShellOptions } from './interp.ts';
export { busyboxApplets, coreutils, SHELL_COMMANDS, curl, wget } from './commands.ts';

const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);

/** Default environment a container runtime gives (PATH from the image, HOME, HOSTNAME). */
function initialEnv(ctx: ProcessContext): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: ctx.pod.name,
    HOME: '/root',
    ...ctx.env,
  };
}

/** A program running the shell with this image's commands (see ShellOptions). */
export function createShell(opts: Partial<ShellOptions> = {}): Program {
  const full: ShellOptions = { flavour: opts.flavour ?? 'ash', applets: opts.applets ?? busyboxApplets(), pid1: opts.pid1 };
  return (ctx) => runProcess(ctx, full);
}

/** busybox sh, not PID 1 (for `kubectl exec` and tests). */
export const sh: Program = createShell();

async function runProcess(ctx: ProcessContext, opts: ShellOptions): Promise<number> {
  const proc = new Process(ctx, opts);
  const shell = new Shell(proc);
  for (const [k, v] of Object.entries(initialEnv(ctx))) {
    shell.vars.set(k, v);
    shell.exported.add(k);
  }
  shell.vars.set('PWD', shell.cwd);
  shell.exported.add('PWD');
  const tty = !!ctx.tty;
  // A terminal turns \n into \r\n on output (the tty's ONLCR).
  const crlf = (s: Sink): Sink => (tty ? (d) => s(typeof d === 'string' ? d.replace(/\r?\n/g, '\r\n') : Buffer.from(d.toString().replace(/\r?\n/g, '\r\n'))) : s);
  const io: Io = { stdin: Input.from(ctx.stdin), out: crlf(ctx.stdout), err: crlf(ctx.stderr) };
  const argv = ctx.argv.length ? ctx.argv : ['sh'];
  const base = argv[0].slice(argv[0].lastIndexOf('/') + 1);
  let code: number;
  try {
    if (!SHELLS.has(base)) {
      // `kubectl exec pod -- cat /x`, or a container whose command is `sleep 3600`.
      shell.arg0 = 'sh';
      code = await shell.runProgram(argv, io);
    } else {
      shell.arg0 = argv[0];
      code = await runShellArgs(shell, argv, io, tty);
    }
    code = await shell.finish(code, io);
  } catch (e) {
    if (e instanceof ExitSignal) code = await shell.finish(e.code, io).catch(() => e.code);
    else if (e instanceof KilledSignal) code = e.code;
    else if (e instanceof BrokenPipe) code = 141;
    else throw e;
  }
  if (proc.killedBy) code = proc.killedBy.code;
  // The container's processes end with it: background jobs stop too.
  proc.kill(code);
  return code;
}

async function runShellArgs(shell: Shell, argv: string[], io: Io, tty: boolean): Promise<number> {
  let i = 1;
  let script: string | undefined;
  let interactive = false;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c') {
      script = argv[++i];
      if (script === undefined) {
        shell.error('-c requires an argument', io);
        return 2;
      }
      i++;
      break;
    }
    if (a === '--') {
      i++;
      break;
    }
    if (/^[-+][a-z]+$/.test(a)) {
      const on = a[0] === '-';
      for (const f of a.slice(1)) {
        if (f === 'e') shell.opts.errexit = on;
        else if (f === 'x') shell.opts.xtrace = on;
        else if (f === 'u') shell.opts.nounset = on;
        else if (f === 'i') interactive = on;
        else if (f === 'c') {
          script = argv[i + 1];
          i++;
        } else if (f !== 's' && f !== 'l') {
          shell.error(`-${f}: invalid option`, io);
          return 2;
        }
      }
      if (script !== undefined) {
        i++;
        break;
      }
      continue;
    }
    break;
  }
  const rest = argv.slice(i);
  if (script !== undefined) {
    if (rest.length) {
      shell.arg0 = rest[0];
      shell.scriptName = rest[0];
      shell.positional = rest.slice(1);
    }
    return shell.runScript(script, io);
  }
  if (rest.length) {
    // sh FILE ARGS...
    const path = shell.resolve(rest[0]);
    return shell.runScriptFile(path, rest, io);
  }
  return readCommands(shell, io, tty || interactive, tty);
}

/** Reads commands from stdin (with a prompt on a terminal) until the end of input or `exit`. */
async function readCommands(shell: Shell, io: Io, interactive: boolean, tty: boolean): Promise<number> {
  if (!shell.ctx.stdin) return 0;
  shell.interactive = interactive;
  const reader = tty ? new LineEditor(io.stdin, io.out) : undefined;
  let pending = '';
  for (;;) {
    if (interactive) io.err(pending ? '> ' : prompt(shell));
    const line = reader ? await reader.readLine() : await io.stdin.readLine();
    if (line === null) {
      if (tty) io.out('\n');
      return shell.status;
    }
    if (line === '\x03') {
      pending = '';
      continue;
    }
    const text = pending + line + '\n';
    try {
      const list = parse(text);
      pending = '';
      try {
        await shell.runList(list, io);
      } catch (e) {
        if (e instanceof ExitSignal || e instanceof KilledSignal) throw e;
        if (e instanceof BrokenPipe) continue;
        if (!(e instanceof ShellError)) throw e;
        if (!interactive) return e.code;
      }
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        if (/end of file|unterminated/.test(e.message)) {
          pending = text;
          continue;
        }
        pending = '';
        shell.error(e.message, io);
        shell.status = 2;
        if (!interactive) return 2;
        continue;
      }
      throw e;
    }
  }
}

/** busybox's root prompt: the working directory and `#` (PS1='\w \$ '). */
function prompt(shell: Shell): string {
  const ps1 = shell.vars.get('PS1');
  if (ps1 !== undefined) return ps1.replace(/\\w/g, shell.cwd).replace(/\\\$/g, '#').replace(/\\h/g, shell.ctx.pod.name);
  if (shell.ctx.tty && shell.proc.flavour === 'bash') return `root@${shell.ctx.pod.name}:${shell.cwd}# `;
  if (shell.proc.flavour === 'dash') return '# ';
  return `${shell.cwd} # `;
}

/**
 * The terminal's line discipline for `kubectl exec -it`: echoes what is typed, Enter (\r) ends a
 * line, Backspace erases, Ctrl-C cancels the line, Ctrl-D on an empty line ends the input.
 */
class LineEditor {
  constructor(
    private readonly input: Input,
    private readonly echo: Sink,
  ) {}

  async readLine(): Promise<string | null> {
    let line = '';
    for (;;) {
      const chunk = await this.input.read();
      if (chunk === null) return line ? line : null;
      const s = chunk.toString();
      for (let i = 0; i < s.length; i++) {
        const ch = s[i];
        if (ch === '\r' || ch === '\n') {
          if (ch === '\r' && s[i + 1] === '\n') i++;
          this.echo('\n');
          const restBuf = Buffer.from(s.slice(i + 1));
          if (restBuf.length) this.input.unshift(restBuf);
          return line;
        }
        if (ch === '\x7f' || ch === '\b') {
          if (line.length) {
            line = line.slice(0, -1);
            this.echo('\b \b');
          }
        } else if (ch === '\x03') {
          this.echo('^C\n');
          const restBuf = Buffer.from(s.slice(i + 1));
          if (restBuf.length) this.input.unshift(restBuf);
          return '\x03';
        } else if (ch === '\x04') {
          if (!line) return null;
        } else if (ch === '\x1b') {
          // Arrow keys and other escape sequences: ignored.
          // eslint-disable-next-line no-control-regex
          const m = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(s.slice(i));
          if (m) i += m[0].length - 1;
        } else if (ch >= ' ' || ch === '\t') {
          line += ch;
          this.echo(ch);
        }
      }
    }
  }
}

export type { Flavour as ShellFlavour, Applet as ShellApplet };
