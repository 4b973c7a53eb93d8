// The small shell's parser: POSIX shell grammar as busybox ash reads it (shell/ash.c), enough for
// what course examples run: simple commands with assignments and redirections, pipelines, && and
// ||, ; and &, if/while/until/for/case, { } groups, ( ) subshells, functions, here-documents,
// quoting, parameter, arithmetic and command substitution. Written by hand (a recursive descent
// over the characters) rather than with an npm parser: shell-quote only splits words, bash-parser
// is unmaintained since 2017, and mvdan-sh/sh-syntax are megabytes of GopherJS/WASM.

/** One piece of a word. `q` marks quoted text: it is neither field-split nor globbed. */
export type Part =
  | { k: 'lit'; v: string; q: boolean }
  | { k: 'param'; name: string; op?: string; arg?: Word; len?: boolean; q: boolean }
  | { k: 'arith'; expr: Word; q: boolean }
  | { k: 'cmd'; body: List; q: boolean };

export interface Word {
  parts: Part[];
}

export interface Redir {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&' | '<<' | '<<-' | '<>' | '&>';
  target: Word;
  /** Here-document body (expanded unless the delimiter was quoted). */
  body?: Word;
}

export type Command =
  | { t: 'simple'; assigns: { name: string; value: Word }[]; words: Word[]; redirs: Redir[]; line: number }
  | { t: 'if'; clauses: { cond: List; body: List }[]; else?: List; redirs: Redir[] }
  | { t: 'while' | 'until'; cond: List; body: List; redirs: Redir[] }
  | { t: 'for'; name: string; items?: Word[]; body: List; redirs: Redir[] }
  | { t: 'case'; word: Word; arms: { patterns: Word[]; body: List }[]; redirs: Redir[] }
  | { t: 'group' | 'subshell'; body: List; redirs: Redir[] }
  | { t: 'func'; name: string; body: Command; redirs: Redir[] };

export interface Pipeline {
  bang: boolean;
  cmds: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; p: Pipeline }[];
}

export interface List {
  items: { ao: AndOr; bg: boolean }[];
}

/** A syntax error, worded as ash words them (`sh: syntax error: unexpected "fi"`). */
export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'for', 'do', 'done', 'case', 'esac', 'in', '{', '}', '!']);
const META = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parse(src: string): List {
  const p = new Parser(src);
  const list = p.parseList(new Set());
  p.skipSpace();
  if (!p.eof()) p.unexpected();
  return list;
}

class Parser {
  private pos = 0;
  private line = 1;
  private pendingHeredocs: { redir: Redir; delim: string; quoted: boolean; strip: boolean }[] = [];

  constructor(private readonly src: string) {}

  eof(): boolean {
    return this.pos >= this.src.length;
  }

  private peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  /** Skips blanks, line continuations and comments (not newlines). */
  skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.pos++;
      else if (c === '\\' && this.peek(1) === '\n') {
        this.pos += 2;
        this.line++;
      } else if (c === '#') {
        while (!this.eof() && this.peek() !== '\n') this.pos++;
      } else break;
    }
  }

  private newline(): void {
    this.pos++;
    this.line++;
    if (this.pendingHeredocs.length) this.readHeredocs();
  }

  /** Skips blanks and newlines (a linebreak after &&, ||, |, then, do ...). */
  private skipLinebreaks(): void {
    for (;;) {
      this.skipSpace();
      if (this.peek() === '\n') this.newline();
      else break;
    }
  }

  /** The next token as text, for error messages. */
  private nextTokenText(): string {
    this.skipSpace();
    if (this.eof()) return 'end of file';
    for (const op of ['&&', '||', ';;', '<<', '>>', ';', '&', '|', '(', ')', '<', '>']) if (this.startsWith(op)) return op;
    if (this.peek() === '\n') return 'newline';
    const w = this.peekReserved();
    if (w) return w;
    let i = this.pos;
    while (i < this.src.length && !META.has(this.src[i])) i++;
    return this.src.slice(this.pos, i);
  }

  /** ash's raise_error_unexpected_syntax: `syntax error: unexpected "fi" (expecting "then")`. */
  unexpected(expecting?: string): never {
    const tok = this.nextTokenText();
    const text = tok === 'end of file' || tok === 'newline' ? tok : `"${tok}"`;
    throw new ShellSyntaxError(`syntax error: unexpected ${text}${expecting ? ` (expecting "${expecting}")` : ''}`, this.line);
  }

  /** The next word when it is a plain unquoted reserved word, without consuming it. */
  private peekReserved(): string | undefined {
    let i = this.pos;
    while (i < this.src.length && !META.has(this.src[i]) && !'\'"\\$`'.includes(this.src[i])) i++;
    const w = this.src.slice(this.pos, i);
    const next = this.src[i] ?? '';
    if (!RESERVED.has(w)) return undefined;
    if (next !== '' && !META.has(next)) return undefined;
    return w;
  }

  private takeReserved(w: string): boolean {
    this.skipSpace();
    if (this.peekReserved() === w) {
      this.pos += w.length;
      return true;
    }
    return false;
  }

  private expectReserved(w: string): void {
    this.skipLinebreaks();
    if (!this.takeReserved(w)) this.unexpected(w);
  }

  /** A list up to a terminator: a reserved word in `stops`, `)`, `;;`, or the end. */
  parseList(stops: Set<string>, closeParen = false): List {
    const items: List['items'] = [];
    for (;;) {
      this.skipLinebreaks();
      if (this.eof()) break;
      const c = this.peek();
      if (c === ')' || this.startsWith(';;')) {
        if (c === ')' && !closeParen && !stops.has(')')) this.unexpected();
        break;
      }
      const rw = this.peekReserved();
      if (rw && stops.has(rw)) break;
      if (rw && ['then', 'elif', 'else', 'fi', 'do', 'done', 'esac', '}', 'in'].includes(rw)) this.unexpected();
      if (c === ';' || c === '&' || c === '|') this.unexpected();
      const ao = this.parseAndOr();
      this.skipSpace();
      let bg = false;
      if (this.peek() === '&' && this.peek(1) !== '&') {
        this.pos++;
        bg = true;
      } else if (this.peek() === ';' && this.peek(1) !== ';') {
        this.pos++;
      } else if (this.peek() === '\n') {
        this.newline();
      } else if (!this.eof() && this.peek() !== ')' && !this.startsWith(';;')) {
        const rw2 = this.peekReserved();
        if (!(rw2 && stops.has(rw2))) this.unexpected();
      }
      items.push({ ao, bg });
    }
    return { items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      this.skipSpace();
      if (this.startsWith('&&') || this.startsWith('||')) {
        const op = this.src.slice(this.pos, this.pos + 2) as '&&' | '||';
        this.pos += 2;
        this.skipLinebreaks();
        rest.push({ op, p: this.parsePipeline() });
      } else break;
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    this.skipSpace();
    let bang = false;
    if (this.takeReserved('!')) bang = true;
    const cmds = [this.parseCommand()];
    for (;;) {
      this.skipSpace();
      if (this.peek() === '|' && this.peek(1) !== '|') {
        this.pos++;
        this.skipLinebreaks();
        cmds.push(this.parseCommand());
      } else break;
    }
    return { bang, cmds };
  }

  private parseCommand(): Command {
    this.skipSpace();
    const rw = this.peekReserved();
    let cmd: Command;
    if (rw === 'if') cmd = this.parseIf();
    else if (rw === 'while' || rw === 'until') {
      this.pos += rw.length;
      const cond = this.parseList(new Set(['do']));
      this.expectReserved('do');
      const body = this.parseList(new Set(['done']));
      this.expectReserved('done');
      cmd = { t: rw, cond, body, redirs: [] };
    } else if (rw === 'for') cmd = this.parseFor();
    else if (rw === 'case') cmd = this.parseCase();
    else if (rw === '{') {
      this.pos++;
      const body = this.parseList(new Set(['}']));
      this.expectReserved('}');
      cmd = { t: 'group', body, redirs: [] };
    } else if (this.peek() === '(') {
      this.pos++;
      const body = this.parseList(new Set(), true);
      this.skipLinebreaks();
      if (this.peek() !== ')') this.unexpected();
      this.pos++;
      cmd = { t: 'subshell', body, redirs: [] };
    } else if (rw && rw !== '!') {
      this.unexpected();
    } else {
      return this.parseSimple();
    }
    // Redirections after a compound command apply to all of it.
    for (;;) {
      this.skipSpace();
      const r = this.tryRedir();
      if (!r) break;
      cmd.redirs.push(r);
    }
    return cmd;
  }

  private parseIf(): Command {
    this.pos += 2;
    const clauses: { cond: List; body: List }[] = [];
    let elseBody: List | undefined;
    const cond = this.parseList(new Set(['then']));
    this.expectReserved('then');
    clauses.push({ cond, body: this.parseList(new Set(['elif', 'else', 'fi'])) });
    for (;;) {
      this.skipLinebreaks();
      if (this.takeReserved('elif')) {
        const c = this.parseList(new Set(['then']));
        this.expectReserved('then');
        clauses.push({ cond: c, body: this.parseList(new Set(['elif', 'else', 'fi'])) });
      } else if (this.takeReserved('else')) {
        elseBody = this.parseList(new Set(['fi']));
        this.expectReserved('fi');
        break;
      } else {
        this.expectReserved('fi');
        break;
      }
    }
    for (const c of clauses) if (c.cond.items.length === 0) throw new ShellSyntaxError('syntax error: unexpected "then"', this.line);
    return { t: 'if', clauses, else: elseBody, redirs: [] };
  }

  private parseFor(): Command {
    this.pos += 3;
    this.skipSpace();
    const nameWord = this.readWord();
    const name = nameWord ? literalOf(nameWord) : undefined;
    if (!name || !NAME.test(name)) throw new ShellSyntaxError(`syntax error: bad for loop variable`, this.line);
    this.skipLinebreaks();
    let items: Word[] | undefined;
    if (this.takeReserved('in')) {
      items = [];
      for (;;) {
        this.skipSpace();
        const c = this.peek();
        if (c === ';' || c === '\n' || this.eof()) break;
        const w = this.readWord();
        if (!w) this.unexpected();
        items.push(w);
      }
      if (this.peek() === ';') this.pos++;
    } else if (this.peek() === ';') this.pos++;
    this.expectReserved('do');
    const body = this.parseList(new Set(['done']));
    this.expectReserved('done');
    return { t: 'for', name, items, body, redirs: [] };
  }

  private parseCase(): Command {
    this.pos += 4;
    this.skipSpace();
    const word = this.readWord();
    if (!word) this.unexpected();
    this.skipLinebreaks();
    if (!this.takeReserved('in')) this.unexpected();
    const arms: { patterns: Word[]; body: List }[] = [];
    for (;;) {
      this.skipLinebreaks();
      if (this.takeReserved('esac')) break;
      if (this.peek() === '(') this.pos++;
      const patterns: Word[] = [];
      for (;;) {
        this.skipSpace();
        const w = this.readWord();
        if (!w) this.unexpected();
        patterns.push(w);
        this.skipSpace();
        if (this.peek() === '|') {
          this.pos++;
          continue;
        }
        if (this.peek() === ')') {
          this.pos++;
          break;
        }
        this.unexpected();
      }
      const body = this.parseList(new Set(['esac']), true);
      arms.push({ patterns, body });
      this.skipLinebreaks();
      if (this.startsWith(';;')) {
        this.pos += 2;
        continue;
      }
      this.expectReserved('esac');
      break;
    }
    return { t: 'case', word, arms, redirs: [] };
  }

  private parseSimple(): Command {
    const line = this.line;
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    for (;;) {
      this.skipSpace();
      const r = this.tryRedir();
      if (r) {
        redirs.push(r);
        continue;
      }
      const c = this.peek();
      if (this.eof() || META.has(c)) {
        // `name() { ... }`: a function definition.
        if (c === '(' && words.length === 1 && assigns.length === 0 && redirs.length === 0) {
          const name = literalOf(words[0]);
          if (name && NAME.test(name)) {
            this.pos++;
            this.skipSpace();
            if (this.peek() !== ')') this.unexpected();
            this.pos++;
            this.skipLinebreaks();
            const body = this.parseCommand();
            return { t: 'func', name, body, redirs: [] };
          }
        }
        break;
      }
      const start = this.pos;
      const w = this.readWord();
      if (!w) break;
      if (words.length === 0) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(this.src.slice(start, this.pos));
        if (m && w.parts[0]?.k === 'lit' && !w.parts[0].q && w.parts[0].v.startsWith(m[0])) {
          const first = w.parts[0];
          const rest = first.v.slice(m[0].length);
          assigns.push({ name: m[1], value: { parts: [...(rest ? [{ ...first, v: rest }] : []), ...w.parts.slice(1)] } });
          continue;
        }
      }
      words.push(w);
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) this.unexpected();
    return { t: 'simple', assigns, words, redirs, line };
  }

  private tryRedir(): Redir | undefined {
    const m = /^(\d*)(>>|>&|>\||<<-|<<|<&|<>|&>|>|<)/.exec(this.src.slice(this.pos, this.pos + 8));
    if (!m) return undefined;
    this.pos += m[0].length;
    let op = m[2] === '>|' ? '>' : (m[2] as Redir['op']);
    const fd = m[1] ? Number(m[1]) : op.startsWith('<') && op !== '<>' ? 0 : 1;
    this.skipSpace();
    if (op === '<<' || op === '<<-') {
      const start = this.pos;
      const w = this.readWord();
      if (!w) this.unexpected();
      const raw = this.src.slice(start, this.pos);
      const quoted = /['"\\]/.test(raw);
      const delim = raw.replace(/['"\\]/g, '');
      const redir: Redir = { fd, op, target: w };
      this.pendingHeredocs.push({ redir, delim, quoted, strip: op === '<<-' });
      return redir;
    }
    const target = this.readWord();
    if (!target) this.unexpected();
    if (op === '&>') op = '&>';
    return { fd, op, target };
  }

  private readHeredocs(): void {
    const docs = this.pendingHeredocs.splice(0);
    for (const d of docs) {
      const lines: string[] = [];
      for (;;) {
        if (this.eof()) break;
        let end = this.src.indexOf('\n', this.pos);
        if (end < 0) end = this.src.length;
        let text = this.src.slice(this.pos, end);
        this.pos = Math.min(end + 1, this.src.length);
        this.line++;
        if (d.strip) text = text.replace(/^\t+/, '');
        if (text === d.delim) break;
        lines.push(text + '\n');
      }
      const body = lines.join('');
      d.redir.body = d.quoted ? { parts: [{ k: 'lit', v: body, q: true }] } : parseHeredocBody(body);
    }
  }

  /** Reads one word (up to an unquoted metacharacter); undefined when there is none. */
  readWord(stop?: string): Word | undefined {
    const parts: Part[] = [];
    const start = this.pos;
    let lit = '';
    const flush = () => {
      if (lit) parts.push({ k: 'lit', v: lit, q: false });
      lit = '';
    };
    while (!this.eof()) {
      const c = this.peek();
      if (stop !== undefined ? stop.includes(c) : META.has(c)) break;
      if (c === '\\') {
        if (this.peek(1) === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        flush();
        if (this.pos + 1 < this.src.length) parts.push({ k: 'lit', v: this.peek(1), q: true });
        this.pos += 2;
      } else if (c === "'") {
        flush();
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string', this.line);
        const v = this.src.slice(this.pos + 1, end);
        this.line += v.split('\n').length - 1;
        parts.push({ k: 'lit', v, q: true });
        this.pos = end + 1;
      } else if (c === '"') {
        flush();
        this.pos++;
        this.readDouble(parts);
      } else if (c === '$') {
        flush();
        parts.push(this.readDollar(false));
      } else if (c === '`') {
        flush();
        parts.push(this.readBackquote(false));
      } else {
        if (c === '\n') this.line++;
        lit += c;
        this.pos++;
      }
    }
    flush();
    if (this.pos === start) return undefined;
    return { parts };
  }

  private readDouble(parts: Part[]): void {
    let lit = '';
    let any = false;
    const flush = (force = false) => {
      if (lit || force) parts.push({ k: 'lit', v: lit, q: true });
      lit = '';
    };
    for (;;) {
      if (this.eof()) throw new ShellSyntaxError('syntax error: unterminated quoted string', this.line);
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        const n = this.peek(1);
        if (n === '\n') {
          this.pos += 2;
          this.line++;
          continue;
        }
        if ('$`"\\'.includes(n)) {
          lit += n;
          this.pos += 2;
          continue;
        }
        lit += c;
        this.pos++;
      } else if (c === '$') {
        flush();
        any = true;
        parts.push(this.readDollar(true));
      } else if (c === '`') {
        flush();
        any = true;
        parts.push(this.readBackquote(true));
      } else {
        if (c === '\n') this.line++;
        lit += c;
        this.pos++;
      }
    }
    // "" is an empty field, not nothing.
    flush(!any && lit === '');
  }

  private readDollar(q: boolean): Part {
    this.pos++;
    const c = this.peek();
    if (this.startsWith('((')) {
      // $(( expr )): find the matching "))".
      this.pos += 2;
      let depth = 0;
      const start = this.pos;
      for (;;) {
        if (this.eof()) throw new ShellSyntaxError('syntax error: unterminated arithmetic', this.line);
        const ch = this.peek();
        if (ch === '(') depth++;
        else if (ch === ')') {
          if (depth === 0 && this.peek(1) === ')') break;
          depth--;
        }
        this.pos++;
      }
      const text = this.src.slice(start, this.pos);
      this.pos += 2;
      return { k: 'arith', expr: parseHeredocBody(text), q };
    }
    if (c === '(') {
      this.pos++;
      const body = this.parseList(new Set(), true);
      this.skipLinebreaks();
      if (this.peek() !== ')') this.unexpected();
      this.pos++;
      return { k: 'cmd', body, q };
    }
    if (c === '{') {
      this.pos++;
      let len = false;
      if (this.peek() === '#' && this.peek(1) !== '}') {
        len = true;
        this.pos++;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#!@*-])/.exec(this.src.slice(this.pos));
      if (!m) throw new ShellSyntaxError(`syntax error: bad substitution`, this.line);
      const name = m[1];
      this.pos += name.length;
      const opm = /^(:[-=+?]|[-=+?]|%%|%|##|#)/.exec(this.src.slice(this.pos));
      let op: string | undefined;
      let arg: Word | undefined;
      if (opm && !len) {
        op = opm[1];
        this.pos += op.length;
        arg = this.readBraceArg(q);
      }
      if (this.peek() !== '}') throw new ShellSyntaxError(`syntax error: bad substitution`, this.line);
      this.pos++;
      return { k: 'param', name, op, arg, len, q };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#!@*-])/.exec(this.src.slice(this.pos, this.pos + 256));
    if (m) {
      this.pos += m[1].length;
      return { k: 'param', name: m[1], q };
    }
    return { k: 'lit', v: '$', q: true };
  }

  /** The word after an operator in ${name op word}, up to the closing brace. */
  private readBraceArg(q: boolean): Word {
    const parts: Part[] = [];
    let lit = '';
    const flush = () => {
      if (lit) parts.push({ k: 'lit', v: lit, q });
      lit = '';
    };
    while (!this.eof() && this.peek() !== '}') {
      const c = this.peek();
      if (c === '\\') {
        flush();
        parts.push({ k: 'lit', v: this.peek(1), q: true });
        this.pos += 2;
      } else if (c === "'" && !q) {
        flush();
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string', this.line);
        parts.push({ k: 'lit', v: this.src.slice(this.pos + 1, end), q: true });
        this.pos = end + 1;
      } else if (c === '"') {
        flush();
        this.pos++;
        this.readDouble(parts);
      } else if (c === '$') {
        flush();
        parts.push(this.readDollar(q));
      } else if (c === '`') {
        flush();
        parts.push(this.readBackquote(q));
      } else {
        lit += c;
        this.pos++;
      }
    }
    flush();
    return { parts };
  }

  private readBackquote(q: boolean): Part {
    this.pos++;
    let text = '';
    for (;;) {
      if (this.eof()) throw new ShellSyntaxError('syntax error: unterminated quoted string', this.line);
      const c = this.peek();
      if (c === '`') {
        this.pos++;
        break;
      }
      if (c === '\\' && '$`\\'.includes(this.peek(1))) {
        text += this.peek(1);
        this.pos += 2;
        continue;
      }
      text += c;
      this.pos++;
    }
    return { k: 'cmd', body: parse(text), q };
  }
}

/** Text with $ and ` expansions but no quote removal: here-document bodies and $(( )). */
function parseHeredocBody(text: string): Word {
  const p = new Parser(text) as unknown as { readDollar(q: boolean): Part; readBackquote(q: boolean): Part; pos: number; eof(): boolean };
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ k: 'lit', v: lit, q: true });
    lit = '';
  };
  while (p.pos < text.length) {
    const c = text[p.pos];
    if (c === '\\' && '$`\\'.includes(text[p.pos + 1] ?? '')) {
      lit += text[p.pos + 1];
      p.pos += 2;
    } else if (c === '\\' && text[p.pos + 1] === '\n') {
      p.pos += 2;
    } else if (c === '$') {
      flush();
      parts.push(p.readDollar(true));
    } else if (c === '`') {
      flush();
      parts.push(p.readBackquote(true));
    } else {
      lit += c;
      p.pos++;
    }
  }
  flush();
  return { parts };
}

/** The text of a word made only of literal parts (reserved words, names), else undefined. */
export function literalOf(w: Word): string | undefined {
  let s = '';
  for (const p of w.parts) {
    if (p.k !== 'lit') return undefined;
    s += p.v;
  }
  return s;
}
