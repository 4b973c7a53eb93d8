// A light YAML reader for the subset manifests use, for the validation engine's hot path: a tree of
// plain nodes with the same source offsets as the `yaml` package's AST (range[0] and range[1]) and
// the document's JavaScript value built on the way, about ten times cheaper than `yaml`'s
// parseAllDocuments + toJS (which compose a full Document: CST, tokens, nodes, then JS).
//
// It reads block mappings and sequences, single-line flow collections, plain and quoted scalars on
// one line, literal and folded block scalars (clip and strip), comments and document markers. Plain
// scalars are typed by the `yaml` package's own YAML 1.1 schema (the tags parse.ts configures), so
// `on`, `yes`, `0644` and `1_000` mean what they mean there. Anything else (anchors, aliases, tags,
// directives, explicit keys, multi-line plain or quoted scalars, multi-line flow collections, keep
// chomping, a tab in indentation, a repeated key, anything the `yaml` package would warn about or
// refuse) makes it give up (`undefined`), and parse.ts parses the chunk with the `yaml` package as
// before: errors, warnings and their messages always come from `yaml`, never from here.
//
// test/emulator/manifests/light-yaml.test.ts compares both, node by node, on every fixture.

import { Document, isScalar, type Schema } from 'yaml';

export type LightNode = LightMap | LightSeq | LightScalar | LightOther;

interface Base {
  /** [start, end of the value] offsets in the chunk, as the `yaml` package's node.range[0..1]. */
  range: [number, number];
  /** The node's JavaScript value (as `yaml`'s toJS gives it). */
  js: unknown;
}
export interface LightMap extends Base {
  type: 'map';
  flow: boolean;
  items: LightPair[];
}
export interface LightPair {
  /** A scalar here; any node from `yaml` (complex keys). */
  key: LightNode;
  /** Never null here (an empty value is a null scalar placed after the `:`, as in `yaml`); null from `yaml` for `{ a }`. */
  value: LightNode | null;
}
export interface LightSeq extends Base {
  type: 'seq';
  flow: boolean;
  items: LightNode[];
}
export interface LightScalar extends Base {
  type: 'scalar';
  flow: false;
}

/** A node `yaml` has and the reader never makes (an alias). */
export interface LightOther extends Base {
  type: 'other';
  flow: false;
  /** A pair inside a sequence: no range of its own. */
  placeless?: boolean;
}

export interface LightDoc {
  /** Null for a document with nothing in it (`---` alone). */
  contents: LightNode | null;
}

/** Thrown inside the reader: the text is outside the subset, the `yaml` package decides. */
class GiveUp {}
const GIVE_UP = new GiveUp();
function giveUp(): never {
  throw GIVE_UP;
}

type Tag = Schema['tags'][number];
/** Plain scalars typed before (`3`, `TCP`, `true`, `0644`): their values. */
const typed = new Map<string, unknown>();
const SLOW_LETTERS = 'yYnNtTfFoOeE';
const KEY_SLOTS = 1024;
const keyNames: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);
let scalarTags: Tag[] | undefined;

/** The YAML 1.1 schema's implicit scalar tags, as configured by parse.ts's options. */
function tagsOf(customTags: (tags: unknown[]) => unknown[]): Tag[] {
  if (!scalarTags) {
    const schema = new Document(null, { version: '1.1', customTags: customTags as never }).schema;
    // compose-scalar.js findScalarTagByTest: the first default tag whose test matches, else a string.
    scalarTags = schema.tags.filter((t) => t.default === true && t.test && !t.collection);
  }
  return scalarTags;
}

const MAX_DEPTH = 100;
const CH_SPACE = 32;
const CH_NL = 10;
const CH_CR = 13;
const CH_TAB = 9;
const CH_HASH = 35;
const CH_COLON = 58;
const CH_DASH = 45;

/**
 * The documents of one chunk (parse.ts's `---`-delimited piece), or undefined when the chunk is
 * outside the subset. customTags: parse.ts's, so that plain scalars are typed as there.
 */
export function readLight(text: string, customTags: (tags: unknown[]) => unknown[]): LightDoc[] | undefined {
  try {
    return new Reader(text, tagsOf(customTags)).documents();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

class Reader {
  private readonly text: string;
  private readonly n: number;
  private readonly tags: Tag[];
  /** Offset of the start of the current line (the next one to read). */
  private pos = 0;
  /** Nesting: deeper than manifests go is `yaml`'s (and its errors') business. */
  private depth = 0;

  constructor(text: string, tags: Tag[]) {
    this.text = text;
    this.n = text.length;
    this.tags = tags;
  }

  documents(): LightDoc[] {
    const t = this.text;
    // Tabs (indentation or separation: yaml's rules are subtle), CRLF, a byte order mark and
    // characters YAML does not print (C0 and C1 controls, line and paragraph separators): `yaml`.
    if (unusual(t)) giveUp();
    let marker = false;
    if (t.startsWith('---')) {
      // `---` then nothing but spaces and a comment (content on the marker line: the `yaml` package).
      marker = true;
      const after = this.restIsBlank(3);
      if (after < 0) giveUp();
      this.pos = after;
    }
    const indent = this.nextContentLine();
    if (indent < 0) return marker ? [{ contents: null }] : [];
    if (indent !== 0) giveUp();
    const root = this.blockNode(this.pos, 0, -1);
    // A document that is not a block mapping (a list, a scalar, JSON's flow style): `yaml`.
    if (root.type !== 'map' || root.flow || this.nextContentLine() >= 0) giveUp();
    return [{ contents: root }];
  }

  /** From `from` on its line: spaces then a comment or the line's end; the next line's offset, or -1. */
  private restIsBlank(from: number): number {
    const t = this.text;
    let i = from;
    while (i < this.n && t.charCodeAt(i) === CH_SPACE) i++;
    if (i < this.n && t.charCodeAt(i) === CH_HASH) {
      if (i === from && from > 0) return -1; // `#` right after a token is not a comment
      while (i < this.n && t.charCodeAt(i) !== CH_NL) i++;
    }
    if (i >= this.n) return this.n;
    const c = t.charCodeAt(i);
    if (c === CH_NL) return i + 1;
    if (c === CH_CR && t.charCodeAt(i + 1) === CH_NL) return i + 2;
    return -1;
  }

  /**
   * Moves pos past blank and comment lines to the next line with content; its indentation, or -1 at
   * the end. pos is then the line's start.
   */
  private nextContentLine(): number {
    const t = this.text;
    while (this.pos < this.n) {
      let i = this.pos;
      while (i < this.n && t.charCodeAt(i) === CH_SPACE) i++;
      if (i >= this.n) {
        this.pos = this.n;
        return -1;
      }
      const c = t.charCodeAt(i);
      if (c === CH_NL) {
        this.pos = i + 1;
        continue;
      }
      if (c === CH_HASH) {
        const nl = t.indexOf('\n', i);
        this.pos = nl < 0 ? this.n : nl + 1;
        continue;
      }
      if (c === CH_TAB || c === CH_CR) giveUp();
      if (i === this.pos && (c === CH_DASH || c === 46 /* . */) && this.isMarker(i)) giveUp();
      return i - this.pos;
    }
    return -1;
  }

  private isMarker(i: number): boolean {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (t.charCodeAt(i + 1) !== c || t.charCodeAt(i + 2) !== c) return false;
    const d = t.charCodeAt(i + 3);
    return Number.isNaN(d) || d === CH_SPACE || d === CH_NL || d === CH_TAB || d === CH_CR;
  }

  /** The end of the line `from` is on (memo of the last line asked about). */
  private lineEnd(from: number): number {
    if (from >= this.lastFrom && from <= this.lastEnd) return this.lastEnd;
    const nl = this.text.indexOf('\n', from);
    this.lastFrom = from;
    this.lastEnd = nl < 0 ? this.n : nl;
    return this.lastEnd;
  }
  private lastFrom = -1;
  private lastEnd = -1;

  /**
   * A block node starting at `at` (pos is the start of its line, or `at` is inline after `- `),
   * inside a parent of indentation `parent`: a mapping, a sequence, or an inline value.
   */
  private blockNode(at: number, col: number, parent: number): LightNode {
    if (++this.depth > MAX_DEPTH) giveUp();
    try {
      return this.blockNodeIn(at, col, parent);
    } finally {
      this.depth--;
    }
  }

  private blockNodeIn(at: number, col: number, parent: number): LightNode {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === CH_DASH && this.isBlankOrEnd(at + 1)) return this.blockSeq(at, col);
    const colon = this.keyAt(at);
    if (colon >= 0) return this.blockMap(at, col, colon);
    // A value alone on its line(s).
    const v = this.inlineValue(at, parent);
    return v;
  }

  private isBlankOrEnd(i: number): boolean {
    if (i >= this.n) return true;
    const c = this.text.charCodeAt(i);
    return c === CH_SPACE || c === CH_NL || (c === CH_CR && this.text.charCodeAt(i + 1) === CH_NL);
  }

  /** A block sequence whose first `-` is at `at`, column `col`. */
  private blockSeq(at: number, col: number): LightSeq {
    const t = this.text;
    const items: LightNode[] = [];
    const js: unknown[] = [];
    let i = at;
    let end = at;
    for (;;) {
      // i is at a `-` followed by a space or the line's end.
      let j = i + 1;
      while (j < this.n && t.charCodeAt(j) === CH_SPACE) j++;
      let item: LightNode;
      const c = t.charCodeAt(j);
      if (j >= this.n || c === CH_NL || c === CH_HASH || c === CH_CR) {
        const next = this.restIsBlank(i + 1);
        if (next < 0) giveUp();
        this.pos = next;
        const ind = this.nextContentLine();
        if (ind > col) item = this.blockNode(this.pos + ind, ind, col);
        else item = this.nullAt(j);
      } else {
        // Compact content on the `-` line: a nested sequence, a mapping at its column, or a value.
        item = this.blockNode(j, col + (j - i), col);
      }
      items.push(item);
      js.push(item.js);
      end = item.range[1];
      const ind = this.nextContentLine();
      if (ind < 0 || ind < col) break;
      if (ind > col) giveUp();
      i = this.pos + ind;
      if (!(t.charCodeAt(i) === CH_DASH && this.isBlankOrEnd(i + 1))) break;
    }
    return { type: 'seq', flow: false, items, range: [at, end], js };
  }

  /** A block mapping whose first key is at `at`, column `col`. */
  private blockMap(at: number, col: number, firstColon: number): LightMap {
    const t = this.text;
    const items: LightPair[] = [];
    const js: Record<string, unknown> = {};
    let i = at;
    let end = at;
    for (let colon = firstColon; ; colon = this.keyAt(i)) {
      if (colon < 0) giveUp();
      const key = this.keyScalar(i, colon);
      const name = jsKey(key.js);
      if (name === '__proto__' || name === '<<' || repeated(items, js, name)) giveUp();
      let j = colon + 1;
      while (j < this.n && t.charCodeAt(j) === CH_SPACE) j++;
      let value: LightNode;
      const c = t.charCodeAt(j);
      if (j >= this.n || c === CH_NL || c === CH_HASH || c === CH_CR) {
        const next = this.restIsBlank(colon + 1);
        if (next < 0) giveUp();
        this.pos = next;
        const ind = this.nextContentLine();
        const s = this.pos + ind;
        if (ind > col) value = this.blockNode(s, ind, col);
        else if (ind === col && t.charCodeAt(s) === CH_DASH && this.isBlankOrEnd(s + 1)) value = this.blockSeq(s, col);
        else value = this.nullAt(j);
      } else {
        if (c === CH_DASH && this.isBlankOrEnd(j + 1)) giveUp(); // `a: - x` is an error
        value = this.inlineValue(j, col);
        if (value.type === 'map' && !value.flow) giveUp(); // `a: b: c`
      }
      items.push({ key, value });
      js[name] = value.js;
      end = value.range[1];
      const ind = this.nextContentLine();
      if (ind < 0 || ind < col) break;
      if (ind > col) giveUp();
      i = this.pos + ind;
    }
    return { type: 'map', flow: false, items, range: [at, end], js };
  }

  private nullAt(at: number): LightScalar {
    return { type: 'scalar', flow: false, range: [at, at], js: null };
  }

  /**
   * If a block mapping's implicit key starts at `at` (plain or quoted, on this line, followed by `:`
   * and a space or the line's end): the offset of its `:`; else -1.
   */
  private keyAt(at: number): number {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const close = this.quotedEnd(at);
      if (close < 0) return -1;
      let j = close;
      while (j < this.n && t.charCodeAt(j) === CH_SPACE) j++;
      return t.charCodeAt(j) === CH_COLON && this.isBlankOrEnd(j + 1) ? j : -1;
    }
    if (!plainStart(t, at, this.n)) return -1;
    const le = this.lineEnd(at);
    for (let j = at + 1; j < le; j++) {
      const d = t.charCodeAt(j);
      if (d === CH_COLON && (j + 1 >= le || this.isBlankOrEnd(j + 1) || t.charCodeAt(j + 1) === CH_CR)) return j;
      if (d === CH_HASH && (t.charCodeAt(j - 1) === CH_SPACE || t.charCodeAt(j - 1) === CH_TAB)) return -1;
    }
    return -1;
  }

  private keyScalar(at: number, colon: number): LightScalar {
    const t = this.text;
    const c = t.charCodeAt(at);
    if (c === 34 || c === 39) {
      const close = this.quotedEnd(at);
      return { type: 'scalar', flow: false, range: [at, close], js: this.quotedValue(at, close) };
    }
    let e = colon;
    while (e > at && (t.charCodeAt(e - 1) === CH_SPACE || t.charCodeAt(e - 1) === CH_TAB)) e--;
    if (e - at > 1024) giveUp();
    // The same string object for the same key (a direct-mapped cache compared in place): V8
    // internalizes a property name once, not on every object it is stored in.
    const len = e - at;
    const slot = (len * 977 + t.charCodeAt(at) * 31 + t.charCodeAt(e - 1)) & (KEY_SLOTS - 1);
    let s = keyNames[slot];
    if (s === undefined || s.length !== len || !t.startsWith(s, at)) keyNames[slot] = s = t.slice(at, e);
    return { type: 'scalar', flow: false, range: [at, e], js: this.plainValue(s) };
  }

  /**
   * A value starting at `at` on its line (after `key: ` or `- `, or alone): a block scalar, a flow
   * collection, a quoted or plain scalar, or (alone on its line, `parent` < its column) a mapping.
   * Leaves pos at the start of the next line.
   */
  private inlineValue(at: number, parent: number): LightNode {
    const t = this.text;
    const c = t.charCodeAt(at);
    let node: LightNode;
    let after: number;
    switch (c) {
      case 124: // |
      case 62: // >
        return this.blockScalar(at, parent);
      case 91: // [
      case 123: // {
        node = this.flowCollection(at);
        after = node.range[1];
        break;
      case 34:
      case 39: {
        const close = this.quotedEnd(at);
        if (close < 0) giveUp();
        node = { type: 'scalar', flow: false, range: [at, close], js: this.quotedValue(at, close) };
        after = close;
        break;
      }
      default: {
        if (!plainStart(t, at, this.n)) giveUp();
        const le = this.lineEnd(at);
        let e = le;
        for (let j = at + 1; j < le; j++) {
          const d = t.charCodeAt(j);
          if (d === CH_COLON && (j + 1 >= le || this.isBlankOrEnd(j + 1) || t.charCodeAt(j + 1) === CH_CR)) giveUp();
          if (d === CH_HASH && (t.charCodeAt(j - 1) === CH_SPACE || t.charCodeAt(j - 1) === CH_TAB)) {
            e = j;
            break;
          }
        }
        while (e > at) {
          const d = t.charCodeAt(e - 1);
          if (d === CH_SPACE || d === CH_TAB || d === CH_CR) e--;
          else break;
        }
        node = { type: 'scalar', flow: false, range: [at, e], js: this.plainValue(t.slice(at, e)) };
        after = e;
      }
    }
    const next = this.restIsBlank(after);
    if (next < 0) giveUp();
    this.pos = next;
    return node;
  }

  /** Where a quoted scalar starting at `at` ends (after its closing quote), on its line; -1 if not. */
  private quotedEnd(at: number): number {
    const t = this.text;
    const q = t.charCodeAt(at);
    for (let j = at + 1; j < this.n; j++) {
      const d = t.charCodeAt(j);
      if (d === CH_NL || d === CH_CR) return -1;
      if (q === 34 && d === 92 /* \ */) {
        j++;
        continue;
      }
      if (d === q) {
        if (q === 39 && t.charCodeAt(j + 1) === 39) {
          j++;
          continue;
        }
        return j + 1;
      }
    }
    return -1;
  }

  private quotedValue(at: number, close: number): string {
    const t = this.text;
    const inner = t.slice(at + 1, close - 1);
    if (t.charCodeAt(at) === 39) return inner.includes("''") ? inner.replace(/''/g, "'") : inner;
    if (!inner.includes('\\')) return inner;
    // Escapes JSON shares with YAML's double-quoted style; the others (\x, \0, \e, \N, ...): `yaml`.
    if (/\\[^"\\/bfnrtu]/.test(inner)) giveUp();
    try {
      return JSON.parse(`"${inner}"`) as string;
    } catch {
      giveUp();
    }
  }

  private plainValue(s: string): unknown {
    const c = s.charCodeAt(0);
    // Fast path: a string no YAML 1.1 tag could match. Only null, bool (y n t f o), `e3` (a float
    // there) and numbers (digits, signs, dots) start otherwise, and no word of theirs is longer than 5.
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      if (s.length > 5 || !SLOW_LETTERS.includes(s[0])) return s;
    }
    const hit = typed.get(s);
    if (hit !== undefined || typed.has(s)) return hit;
    let value: unknown = s;
    for (const tag of this.tags) {
      if (tag.test!.test(s)) {
        let failed = false;
        const resolve = tag.resolve as unknown as (s: string, onError: () => void, options: object) => unknown;
        const res = resolve(s, () => (failed = true), {});
        if (failed) giveUp();
        value = isScalar(res) ? res.value : res;
        break;
      }
    }
    // Primitive values only (the 1.1 schema's implicit tags make nothing else): safe to share.
    if (value === null || typeof value !== 'object') {
      if (typed.size >= 10_000) typed.clear();
      typed.set(s, value);
    }
    return value;
  }

  /** A literal or folded block scalar whose header is at `at`; clip or strip chomping, auto indentation. */
  private blockScalar(at: number, parent: number): LightScalar {
    const t = this.text;
    const folded = t.charCodeAt(at) === 62;
    let j = at + 1;
    let strip = false;
    if (t.charCodeAt(j) === CH_DASH) {
      strip = true;
      j++;
    }
    const first = this.restIsBlank(j);
    if (first < 0 || (j < this.n && t.charCodeAt(j) !== CH_SPACE && t.charCodeAt(j) !== CH_NL)) giveUp();
    // Content lines: the first non-empty one sets the indentation (leading empty lines: `yaml`).
    let i = first;
    let indent = -1;
    const lines: string[] = [];
    let end = first;
    while (i < this.n) {
      const le = this.lineEnd(i);
      let k = i;
      while (k < le && t.charCodeAt(k) === CH_SPACE) k++;
      if (k === le) {
        // An empty line (spaces beyond the indentation would be content: `yaml`).
        if (indent < 0 || k - i > indent) giveUp();
        lines.push('');
        i = le + 1;
        continue;
      }
      const ind = k - i;
      if (indent < 0) {
        if (ind <= parent) giveUp();
        indent = ind;
      }
      if (ind < indent) break;
      if (t.charCodeAt(i + indent) === CH_TAB || (folded && ind > indent)) giveUp();
      const line = t.slice(i + indent, le);
      if (line.includes('\r')) giveUp();
      lines.push(line);
      i = le + 1;
      end = Math.min(i, this.n);
    }
    if (indent < 0) giveUp();
    // Trailing empty lines are not content (clip and strip both drop them).
    let last = lines.length;
    while (last > 0 && lines[last - 1] === '') last--;
    if (last === 0) giveUp();
    const body = lines.slice(0, last);
    let value: string;
    if (!folded) value = body.join('\n');
    else {
      value = '';
      let empties = 0;
      body.forEach((l, x) => {
        if (l === '') {
          empties++;
          return;
        }
        if (x > 0) value += empties > 0 ? '\n'.repeat(empties) : ' ';
        empties = 0;
        value += l;
      });
    }
    if (!strip) value += '\n';
    // The block ends after its last non-empty line, whose line break is part of it (as in `yaml`).
    if (t.charCodeAt(end - 1) !== CH_NL) giveUp();
    this.pos = end;
    return { type: 'scalar', flow: false, range: [at, end], js: value };
  }

  /** A flow sequence or mapping on one line starting at `at`. */
  private flowCollection(at: number): LightMap | LightSeq {
    const t = this.text;
    const le = this.lineEnd(at);
    let i = at;
    const ws = () => {
      while (i < le && t.charCodeAt(i) === CH_SPACE) i++;
      if (i >= le || t.charCodeAt(i) === CH_HASH || t.charCodeAt(i) === CH_TAB || t.charCodeAt(i) === CH_CR) giveUp();
    };
    const scalar = (inMapKey: boolean): LightScalar => {
      const c = t.charCodeAt(i);
      if (c === 34 || c === 39) {
        const s = i;
        const close = this.quotedEnd(i);
        if (close < 0) giveUp();
        i = close;
        return { type: 'scalar', flow: false, range: [s, close], js: this.quotedValue(s, close) };
      }
      if (!plainStart(t, i, le)) giveUp();
      if (c === CH_DASH && !/[\w.]/.test(t[i + 1])) giveUp(); // `-,` `-}`: `yaml`
      const s = i;
      for (; i < le; i++) {
        const d = t.charCodeAt(i);
        if (d === 44 || d === 93 || d === 125 || d === 91 || d === 123) break; // , ] } [ {
        if (d === CH_COLON) {
          const e = t.charCodeAt(i + 1);
          if (e === CH_SPACE || e === 44 || e === 93 || e === 125 || i + 1 >= le) {
            if (inMapKey) break;
            giveUp();
          }
        }
        if (d === CH_HASH && t.charCodeAt(i - 1) === CH_SPACE) giveUp();
      }
      let e = i;
      while (e > s && t.charCodeAt(e - 1) === CH_SPACE) e--;
      if (e === s) giveUp();
      return { type: 'scalar', flow: false, range: [s, e], js: this.plainValue(t.slice(s, e)) };
    };
    const node = (): LightNode => {
      const c = t.charCodeAt(i);
      if (c === 91 || c === 123) return collection();
      if (c === 38 || c === 42 || c === 33 || c === 63) giveUp(); // & * ! ?
      return scalar(false);
    };
    let depth = 0;
    const collection = (): LightMap | LightSeq => {
      if (++depth > MAX_DEPTH) giveUp();
      const start = i;
      const isMap = t.charCodeAt(i) === 123;
      const close = isMap ? 125 : 93;
      i++;
      const items: LightNode[] = [];
      const pairs: LightPair[] = [];
      const js: unknown[] = [];
      const obj: Record<string, unknown> = {};
      for (;;) {
        ws();
        if (t.charCodeAt(i) === close) {
          i++;
          break;
        }
        if (isMap) {
          const c = t.charCodeAt(i);
          if (c === 91 || c === 123 || c === 38 || c === 42 || c === 33 || c === 63) giveUp();
          const key = scalar(true);
          ws();
          if (t.charCodeAt(i) !== CH_COLON) giveUp();
          i++;
          ws();
          const c2 = t.charCodeAt(i);
          if (c2 === 44 || c2 === close) giveUp(); // an empty value
          const value = node();
          const name = jsKey(key.js);
          if (name === '__proto__' || name === '<<' || repeated(pairs, obj, name)) giveUp();
          pairs.push({ key, value });
          obj[name] = value.js;
        } else {
          const v = node();
          items.push(v);
          js.push(v.js);
        }
        ws();
        const d = t.charCodeAt(i);
        if (d === 44) i++;
        else if (d !== close) giveUp();
      }
      depth--;
      return isMap
        ? { type: 'map', flow: true, items: pairs, range: [start, i], js: obj }
        : { type: 'seq', flow: true, items, range: [start, i], js };
    };
    return collection();
  }
}

/** Whether a plain scalar may start at `i` (YAML 1.2 ns-plain-first, in block context). */
function plainStart(t: string, i: number, end: number): boolean {
  if (i >= end) return false;
  const c = t.charCodeAt(i);
  switch (c) {
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
    case 63: // ?  (explicit keys: `yaml`)
    case 58: // :
    case CH_SPACE:
    case CH_TAB:
    case CH_NL:
    case CH_CR:
      return false;
    case CH_DASH: {
      const d = t.charCodeAt(i + 1);
      return !(i + 1 >= end || d === CH_SPACE || d === CH_NL || d === CH_TAB || d === CH_CR);
    }
    default:
      return true;
  }
}

// eslint-disable-next-line no-control-regex -- the characters this reader leaves to `yaml`
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

function unusual(s: string): boolean {
  return UNUSUAL.test(s);
}

/** Whether a mapping already has the key (its JavaScript name; the pairs and object so far). */
function repeated(pairs: LightPair[], obj: Record<string, unknown>, name: string): boolean {
  if (pairs.length > 16) return Object.hasOwn(obj, name);
  for (let i = 0; i < pairs.length; i++) if (jsKey(pairs[i].key.js) === name) return true;
  return false;
}

/** The property name `yaml`'s toJS gives a scalar key (nodes/addPairToJSMap.js stringifyKey). */
function jsKey(v: unknown): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  giveUp();
}
