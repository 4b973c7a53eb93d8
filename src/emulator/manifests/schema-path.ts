// Where the cursor is in a Kubernetes manifest: the path from the document's root (keys and list
// indexes), whether it is on a key or a value, and the OpenAPI schema there for the object's
// apiVersion and kind (schemas/definitions.json: $ref, single-element allOf, list items, maps'
// additionalProperties, x-kubernetes-preserve-unknown-fields). Completion and hover build on it.
//
// Plain logic (no `vscode`). It works on a parsed `yaml` Document and walks only the cursor's
// path: the parse is the caller's, once per document version. Blank positions (a new line where
// a key will go) have no node in the tree, so they are placed by their column: a key goes into the
// deepest block mapping whose keys start at that column, or under a preceding `key:` with an
// empty value when the cursor is indented past that key.

import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { DEFINITIONS, REF_PREFIX, resolve, schemaForObject, type Schema } from '../api/schemas.ts';
import { knownValues, type KnownValue } from './known-values.ts';

export type Segment = string | number;

export interface CursorContext {
  /**
   * 'key': the cursor is where a key of the mapping at `path` goes (on a key, half-typed or whole,
   * or at a blank position of the mapping); 'value': on the value of the field at `path`.
   */
  at: 'key' | 'value';
  path: Segment[];
  /** The key or scalar under the cursor as typed (possibly partial); '' at a blank position. */
  word: string;
  /** The word's offsets in the text (start === end at a blank position). */
  start: number;
  end: number;
  /** At 'key': the keys already in the mapping, the word's own excluded. */
  present: string[];
  /** At 'key': the column where the key starts (for indenting what is inserted after it). */
  column: number;
  /** Inside a flow collection (`{...}` or `[...]`), where keys and values go on one line. */
  flow: boolean;
  /** At 'key': the word is already followed by `:`. */
  hasColon: boolean;
  /** The document's own apiVersion and kind (strings at the root), when set. */
  apiVersion?: string;
  kind?: string;
}

/** The `yaml` options kubectl's reading of YAML needs (the same as src/extension/manifests.ts). */
const PARSE_OPTIONS = {
  prettyErrors: false,
  version: '1.1' as const,
  uniqueKeys: true,
  customTags: (tags: unknown[]) =>
    tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp') as never,
};

/** Parses one YAML document (text holding no `---` separator) with positions. */
export function parseYamlDocument(text: string): Document.Parsed {
  return parseDocument(text, PARSE_OPTIONS);
}

const MARKER = /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/;

/**
 * The bounds of the YAML document around `offset` in a multi-document file: from the line after
 * the `---` (or `...`) line before it to the start of the next marker line. A marker line itself
 * belongs to no document (`undefined`). Only the document at the cursor is then parsed.
 */
export function documentBounds(text: string, offset: number): { start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (MARKER.test(text.slice(lineStart, lineStart + 4))) return undefined;
  let start = 0;
  for (let ls = lineStart; ls > 0; ) {
    const prev = text.lastIndexOf('\n', ls - 2) + 1;
    if (MARKER.test(text.slice(prev, prev + 4))) {
      start = ls;
      break;
    }
    ls = prev;
  }
  let end = text.length;
  for (let i = text.indexOf('\n', offset); i >= 0 && i < text.length; i = text.indexOf('\n', i + 1)) {
    if (MARKER.test(text.slice(i + 1, i + 5))) {
      end = i + 1;
      break;
    }
  }
  return { start, end };
}

// --- where the cursor is --------------------------------------------------------------------

const lineStartOf = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;

function keyName(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return k.value === null || k.value === undefined ? undefined : String(k.value);
  return undefined;
}

function isEmptyScalar(n: unknown): boolean {
  return n === null || n === undefined || (isScalar(n) && (n.value === null || n.value === undefined) && (!n.range || n.range[0] === n.range[1]));
}

function rootStrings(doc: Document): { apiVersion?: string; kind?: string } {
  const out: { apiVersion?: string; kind?: string } = {};
  if (!isMap(doc.contents)) return out;
  for (const p of doc.contents.items) {
    const k = keyName(p);
    if ((k === 'apiVersion' || k === 'kind') && isScalar(p.value) && typeof p.value.value === 'string') out[k] = p.value.value;
  }
  return out;
}

/**
 * Where a part of a document (a window: one block of lines, see blockWindow) sits in the whole:
 * the path of the collection holding it, and the whole document's apiVersion and kind.
 */
export interface Scope {
  prefix: Segment[];
  /** When the window is one item of a list: its index there (the window parses as a list of one). */
  item?: number;
  apiVersion?: string;
  kind?: string;
}

/**
 * The cursor's context in `doc` (parsed from `text`; with `scope`, `text` is a window of a larger
 * document and paths are completed to the whole), or undefined where neither a key nor a value
 * goes (a comment, a `---` line, over-indented text). Positions are offsets into `text`.
 */
export function cursorContext(doc: Document.Parsed, text: string, offset: number, scope?: Scope): CursorContext | undefined {
  const ls = lineStartOf(text, offset);
  const { apiVersion, kind } = scope ?? rootStrings(doc);
  const base = { present: [] as string[], column: offset - ls, flow: false, hasColon: false };
  const inside = (n: Node | null | undefined) => !!n?.range && n.range[0] <= offset && offset <= n.range[1];
  const make = (c: Omit<CursorContext, 'apiVersion' | 'kind'>): CursorContext => {
    const path = !scope ? c.path : scope.item !== undefined ? [...scope.prefix, scope.item, ...c.path.slice(1)] : [...scope.prefix, ...c.path];
    return adjustForSchema({ ...c, path, ...(apiVersion !== undefined && { apiVersion }), ...(kind !== undefined && { kind }) });
  };
  const keyContext = (map: YAMLMap, path: Segment[], key: Node & { range?: [number, number, number] | null }, flow: boolean): CursorContext => {
    const [s, e] = key.range!;
    const kls = lineStartOf(text, s);
    return make({
      at: 'key',
      path,
      word: text.slice(s, e),
      start: s,
      end: e,
      present: map.items.filter((p) => p.key !== key).map(keyName).filter((k): k is string => k !== undefined),
      column: s - kls,
      flow,
      hasColon: /^[ \t]*:/.test(text.slice(e)),
    });
  };
  const valueContext = (path: Segment[], n: Node | null, flow: boolean): CursorContext => {
    if (n && isScalar(n) && n.range && n.range[0] < n.range[1]) {
      const [s, e] = n.range;
      return make({ ...base, at: 'value', path, word: text.slice(s, e), start: s, end: e, column: s - lineStartOf(text, s), flow });
    }
    return make({ ...base, at: 'value', path, word: '', start: offset, end: offset, flow });
  };
  const chain: { node: YAMLMap | YAMLSeq; path: Segment[] }[] = [];
  let node: unknown = doc.contents;
  let path: Segment[] = [];
  walk: while (node) {
    if (isMap(node)) {
      chain.push({ node, path });
      const flow = !!node.flow;
      let prev: Pair | undefined;
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        const v = pair.value as Node | null;
        const name = keyName(pair);
        if (isScalar(k) && inside(k)) return keyContext(node, path, k, flow);
        if (name !== undefined && v && inside(v) && !isEmptyScalar(v)) {
          if (isMap(v) || isSeq(v)) {
            node = v;
            path = [...path, name];
            continue walk;
          }
          return valueContext([...path, name], v, flow);
        }
        // `key:` then the cursor on the same line: the value's position.
        const kEnd = k?.range?.[1];
        if (name !== undefined && kEnd !== undefined && kEnd <= offset && kEnd >= ls && /^[ \t]*:[ \t]*$/.test(text.slice(kEnd, offset))) {
          if (isEmptyScalar(v) || (v?.range && v.range[0] > offset)) return valueContext([...path, name], null, flow);
        }
        if (k?.range && k.range[0] < offset) prev = pair;
      }
      if (flow) {
        if (!inside(node)) break;
        // Between the items of a flow mapping: after `:` a value goes, after `{` or `,` a key.
        const before = text.slice(node.range![0], offset).trimEnd();
        if (before.endsWith(':') && prev && keyName(prev) !== undefined) return valueContext([...path, keyName(prev)!], null, true);
        if (before.endsWith('{') || before.endsWith(',')) {
          return make({ ...base, at: 'key', path, word: '', start: offset, end: offset, flow: true, present: node.items.map(keyName).filter((x): x is string => x !== undefined) });
        }
        return undefined;
      }
      const pv = prev?.value as Node | null | undefined;
      if (prev && keyName(prev) !== undefined && (isMap(pv) || isSeq(pv)) && !pv.flow && pv.range && pv.range[0] < offset) {
        node = pv;
        path = [...path, keyName(prev)!];
        continue;
      }
      break;
    }
    if (isSeq(node)) {
      chain.push({ node, path });
      const flow = !!node.flow;
      let prevIndex = -1;
      for (let i = 0; i < node.items.length; i++) {
        const it = node.items[i] as Node | null;
        if (isEmptyScalar(it)) {
          // `- ` with nothing after it yet: the item is here when the cursor follows that dash.
          const at = (it as Node | null)?.range?.[0];
          if (at !== undefined && at <= offset && /(^|[ \t])-[ \t]*$/.test(text.slice(ls, offset)) && lineStartOf(text, at) === ls) {
            return valueContext([...path, i], null, flow);
          }
          if (at !== undefined && at < offset) prevIndex = i;
          continue;
        }
        if (inside(it)) {
          if (isMap(it) || isSeq(it)) {
            node = it;
            path = [...path, i];
            continue walk;
          }
          return valueContext([...path, i], it, flow);
        }
        if (it?.range && it.range[0] < offset) prevIndex = i;
      }
      if (flow) {
        if (!inside(node)) break;
        const before = text.slice(node.range![0], offset).trimEnd();
        if (before.endsWith('[') || before.endsWith(',')) return valueContext([...path, prevIndex + 1], null, true);
        return undefined;
      }
      const pi = prevIndex >= 0 ? (node.items[prevIndex] as Node | null) : null;
      if ((isMap(pi) || isSeq(pi)) && !pi.flow) {
        node = pi;
        path = [...path, prevIndex];
        continue;
      }
      break;
    }
    if (isScalar(node) && inside(node) && chain.length === 0) {
      // A document that is one scalar so far: a first key being typed.
      const [s, e] = node.range!;
      return make({ ...base, at: 'key', path: [], word: text.slice(s, e), start: s, end: e, column: s - lineStartOf(text, s) });
    }
    break;
  }

  // A blank position (only blanks before the cursor on its line): place it by its column.
  const before = text.slice(ls, offset);
  if (!/^[ \t]*$/.test(before)) return undefined;
  const col = before.length;
  if (chain.length === 0) return make({ ...base, at: 'key', path: [], word: '', start: offset, end: offset, column: col });
  for (let i = chain.length - 1; i >= 0; i--) {
    const { node: n, path: p } = chain[i];
    if (!isMap(n) || n.flow) continue;
    const first = n.items[0]?.key as Node | undefined;
    const kc = first?.range ? first.range[0] - lineStartOf(text, first.range[0]) : undefined;
    if (kc === col) {
      return make({ ...base, at: 'key', path: p, word: '', start: offset, end: offset, column: col, present: n.items.map(keyName).filter((x): x is string => x !== undefined) });
    }
    if (kc !== undefined && kc < col) {
      // Indented past this mapping's keys: under its last key before the cursor, if that key has no value yet.
      let last: Pair | undefined;
      for (const pair of n.items) if ((pair.key as Node | null)?.range && (pair.key as Node).range![0] < offset) last = pair;
      const name = last && keyName(last);
      const lastKey = last?.key as Node | undefined;
      if (name !== undefined && isEmptyScalar(last!.value) && lastKey?.range && lineStartOf(text, lastKey.range[0]) < ls) {
        return make({ ...base, at: 'key', path: [...p, name], word: '', start: offset, end: offset, column: col });
      }
      return undefined;
    }
  }
  return undefined;
}

/** Where the schema decides: an item of a list of objects takes keys (`- na` in `containers` is a key being typed). */
function adjustForSchema(c: CursorContext): CursorContext {
  if (c.at !== 'value' || typeof c.path[c.path.length - 1] !== 'number') return c;
  const s = schemaAt(rootSchema(c.apiVersion, c.kind), c.path);
  return s && isObjectSchema(s) ? { ...c, at: 'key', present: [], hasColon: false } : c;
}

// --- schemas along a path -------------------------------------------------------------------

const GENERIC_ROOT_FIELDS = ['apiVersion', 'kind', 'metadata'];
let genericRoot: Schema | undefined;
const rootCache = new Map<string, Schema | undefined>();

/**
 * The schema of a document's root: its kind's definition (apiVersion and kind marked required, as
 * kubectl requires them), or, before they are known, one with apiVersion, kind and metadata.
 */
export function rootSchema(apiVersion?: string, kind?: string): Schema {
  if (apiVersion && kind) {
    const key = `${apiVersion}/${kind}`;
    if (!rootCache.has(key)) {
      const s = schemaForObject(apiVersion, kind);
      rootCache.set(key, s && { ...s, required: [...new Set(['apiVersion', 'kind', ...(s.required ?? [])])] });
    }
    const hit = rootCache.get(key);
    if (hit) return hit;
  }
  if (!genericRoot) {
    const pod = DEFINITIONS['io.k8s.api.core.v1.Pod'];
    genericRoot = {
      type: 'object',
      properties: Object.fromEntries(GENERIC_ROOT_FIELDS.map((f) => [f, pod.properties![f]])),
      required: ['apiVersion', 'kind'],
    };
  }
  return genericRoot;
}

let definitionNames: Map<Schema, string> | undefined;
/** The definition name of a resolved schema, e.g. "io.k8s.api.core.v1.Container". */
export function definitionOf(s: Schema): string | undefined {
  if (!definitionNames) {
    definitionNames = new Map();
    for (const [name, d] of Object.entries(DEFINITIONS)) definitionNames.set(d, name);
  }
  return definitionNames.get(s);
}

/** A field as its parent declares it: the declared schema (with its own description) and the parent. */
export interface FieldSchema {
  name: Segment;
  /** As declared in the parent (before $ref is followed): its description is the field's own. */
  declared: Schema;
  /** The parent object's schema, resolved. */
  parent: Schema;
  required: boolean;
  /** The definition and property that own the values (for a list item: the list's property). */
  owner?: { definition: string; property: string };
}

function childOf(parent: Schema, seg: Segment): Schema | undefined {
  const r = resolve(parent);
  if (typeof seg === 'number') return r.items;
  if (r.properties && Object.hasOwn(r.properties, seg)) return r.properties[seg];
  for (const a of r.allOf ?? []) {
    const c = childOf(a, seg);
    if (c) return c;
  }
  if (r.additionalProperties && typeof r.additionalProperties === 'object') return r.additionalProperties;
  if (r['x-kubernetes-preserve-unknown-fields']) return {};
  return undefined;
}

/** The fields from the root to `path`, each as declared; stops (shorter) where no schema is known. */
export function fieldsAlong(root: Schema, path: Segment[]): FieldSchema[] {
  const out: FieldSchema[] = [];
  let cur = root;
  let owner: FieldSchema['owner'];
  for (const seg of path) {
    const parent = resolve(cur);
    const declared = childOf(cur, seg);
    if (!declared) break;
    if (typeof seg === 'string') {
      const def = definitionOf(parent);
      owner = def && parent.properties?.[seg] ? { definition: def, property: seg } : undefined;
    }
    out.push({ name: seg, declared, parent, required: typeof seg === 'string' && !!parent.required?.includes(seg), ...(owner && { owner }) });
    cur = declared;
  }
  return out;
}

/** The resolved schema at `path` from `root`, or undefined where the path leaves the schema. */
export function schemaAt(root: Schema, path: Segment[]): Schema | undefined {
  if (path.length === 0) return resolve(root);
  const f = fieldsAlong(root, path);
  return f.length === path.length ? resolve(f[f.length - 1].declared) : undefined;
}

/** The field at `path` (its last segment), or undefined. */
export function fieldAt(root: Schema, path: Segment[]): FieldSchema | undefined {
  if (path.length === 0) return undefined;
  const f = fieldsAlong(root, path);
  return f.length === path.length ? f[f.length - 1] : undefined;
}

/** Whether values of this schema are mappings with named fields (so a key goes there). */
export function isObjectSchema(s: Schema): boolean {
  const r = resolve(s);
  return !!r.properties || (r.type === 'object' && !r.additionalProperties && !r['x-kubernetes-preserve-unknown-fields'] && !r.allOf);
}

/** The values Kubernetes accepts for the field at the end of `fields` (its known enum). */
export function valuesFor(field: FieldSchema | undefined): KnownValue[] | undefined {
  if (!field?.owner) return undefined;
  return knownValues(field.owner.definition, field.owner.property);
}

// --- kubectl explain's words ----------------------------------------------------------------

/**
 * The type kubectl explain prints in `<...>` (typeGuess in
 * staging/src/k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl): `integer`, `Object`,
 * `[]Container`, `map[string]string`, `IntOrString`, `Quantity`, `ObjectMeta`.
 */
export function typeGuess(s: Schema): string {
  if (s.items) return `[]${typeGuess(s.items)}`;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${typeGuess(s.additionalProperties)}`;
  if (s.allOf?.length === 1 && !s.properties) return typeGuess(s.allOf[0]);
  if (s.$ref) {
    const name = s.$ref.slice(REF_PREFIX.length);
    const ref = DEFINITIONS[name];
    if (!ref || !ref.type || ref.type === 'object') return name.split('.').pop() || 'Object';
    return ref.type;
  }
  return s.type === 'object' || !s.type ? 'Object' : s.type;
}

/**
 * The DESCRIPTION kubectl explain prints for a field (the "description" template of plaintext.tmpl):
 * the schema's own description (the referenced type's when the schema is a bare $ref), then those
 * of its allOf, items and additionalProperties, in that order, one paragraph each.
 */
export function explainDescription(s: Schema): string {
  const out: string[] = [];
  const visit = (x: Schema, depth: number) => {
    if (depth > 8) return;
    const r = x.$ref ? (DEFINITIONS[x.$ref.slice(REF_PREFIX.length)] ?? x) : x;
    if (r.description) out.push(r.description);
    for (const a of r.allOf ?? []) visit(a, depth + 1);
    if (r.items) visit(r.items, depth + 1);
    if (r.additionalProperties && typeof r.additionalProperties === 'object') visit(r.additionalProperties, depth + 1);
  };
  visit(s, 0);
  return out.join('\n');
}

// --- a window of a large document -----------------------------------------------------------

/** A block of lines of a document that holds the cursor's whole neighbourhood, and its place. */
export interface Window extends Scope {
  start: number;
  end: number;
}

/** Lines read on demand: the scans below look at indentation first and parse a key only when needed. */
class Lines {
  constructor(private readonly text: string) {}
  /** The start of the line holding `offset`. */
  startOf(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }
  endOf(start: number): number {
    const nl = this.text.indexOf('\n', start);
    return nl < 0 ? this.text.length : nl;
  }
  /** The previous line's start, or -1 at the first line. */
  prev(start: number): number {
    return start === 0 ? -1 : this.text.lastIndexOf('\n', start - 2) + 1;
  }
  /** The next line's start, or -1 after the last line. */
  next(start: number): number {
    const nl = this.text.indexOf('\n', start);
    return nl < 0 ? -1 : nl + 1;
  }
  indent(start: number): number {
    let i = start;
    while (this.text[i] === ' ') i++;
    return i - start;
  }
  /** Blank or comment only: no structure. */
  blank(start: number): boolean {
    const c = this.text[start + this.indent(start)];
    return c === undefined || c === '\n' || c === '\r' || c === '#';
  }
  /** Starts with `- ` (or is `-`). */
  dash(start: number): boolean {
    const i = start + this.indent(start);
    const c = this.text[i + 1];
    return this.text[i] === '-' && (c === ' ' || c === '\n' || c === '\r' || c === undefined);
  }
  /** The line's plain key (after its dash) and whether its value is on the following lines. */
  key(start: number): { key?: string; opens: boolean; bareDash: boolean } {
    const body = this.text.slice(start + this.indent(start), this.endOf(start)).replace(/\r$/, '');
    const isDash = body === '-' || body.startsWith('- ');
    const rest = isDash ? body.slice(1).trimStart() : body;
    const m = KEY_LINE.exec(rest);
    const value = m?.[2]?.trim();
    return { ...(m && { key: m[1] }), opens: !!m && (!value || value.startsWith('#')), bareDash: isDash && rest === '' };
  }
}

const KEY_LINE = /^([A-Za-z0-9_][\w./-]*)[ \t]*:(?:[ \t]+(.*))?$/;

/**
 * For a large block-style document, a window of at most `maxLines` lines around `offset` that holds
 * everything the cursor's context depends on: the block of one of the cursor's ancestors (a `key:`
 * line and the lines indented under it, or one `- ` list item). Parsing it instead of the whole
 * document keeps a keystroke's cost independent of the document's size. Undefined where the lines
 * above the cursor are not plain block style (flow collections, multi-line scalars, anchors, tags,
 * quoted keys): the caller then parses the whole document.
 */
export function blockWindow(text: string, offset: number, maxLines = 200): Window | undefined {
  const L = new Lines(text);
  const cur = L.startOf(offset);
  const before = text.slice(cur, offset);
  const blankBefore = /^[ \t]*$/.test(before);
  // The node the cursor stands for: a blank position at its column, or the line's own start.
  let t = blankBefore ? before.length : L.indent(cur);
  let dash = !blankBefore && L.dash(cur);
  const ancestors: number[] = [];
  // For a `- ` ancestor: its index in its list, counted on the way up (the dashes at its column).
  const indexes = new Map<number, number>();
  let siblings = 0;
  for (let j = L.prev(cur); j >= 0 && t > 0; j = L.prev(j)) {
    const ind = L.indent(j);
    if (ind > t || L.blank(j)) continue;
    const lineDash = L.dash(j);
    if (ind === t) {
      if (!dash) continue;
      // A sibling item of the `- ` ancestor, or the `key:` its compact list hangs under.
      if (lineDash) {
        siblings++;
        continue;
      }
    }
    const k = L.key(j);
    if (ind === t && !(k.key !== undefined && k.opens)) continue;
    if (lineDash) {
      // `- ` or `- key:` (its value below) or `- key: value` (a sibling key of the item's map).
      if (!k.bareDash && k.key === undefined) return undefined;
      if (t > ind + 2 && !k.opens) return undefined;
    } else if (k.key === undefined || !k.opens) {
      return undefined;
    }
    if (dash && ancestors.length) indexes.set(ancestors[ancestors.length - 1], siblings);
    ancestors.push(j);
    t = ind;
    dash = lineDash;
    siblings = 0;
  }
  if (ancestors.length < 2 || t !== 0 || L.dash(ancestors[ancestors.length - 1])) return undefined;
  // The block of an ancestor: its line and the lines under it; trailing blank lines after the
  // cursor stay outside (they may be a shallower node's position). Its end offset, or undefined
  // past `maxLines` lines.
  const block = (j: number, limit: number): number | undefined => {
    const ind = L.indent(j);
    const isDash = L.dash(j);
    let end = L.endOf(j);
    let counted = 1;
    for (let k = L.next(j); k >= 0; k = L.next(k)) {
      if (++counted > limit) return undefined;
      if (L.blank(k)) {
        if (k <= offset) end = L.endOf(k);
        continue;
      }
      const i = L.indent(k);
      if (i < ind || (i === ind && (isDash || !L.dash(k)))) break;
      end = L.endOf(k);
    }
    return end;
  };
  // The shallowest ancestor (below the root key) whose block fits (blocks grow going up), else the nearest.
  let pick = 0;
  let endLine = -1;
  for (let i = 0; i < ancestors.length - 1; i++) {
    const e = block(ancestors[i], maxLines);
    if (e === undefined) break;
    pick = i;
    endLine = e;
  }
  if (endLine < 0) endLine = block(ancestors[0], Infinity)!;
  if (offset > endLine) return undefined;
  const a = ancestors[pick];
  // The path to the window's parent, from the root down.
  const prefix: Segment[] = [];
  const chain = ancestors.slice(pick + 1).reverse();
  for (let i = 0; i < chain.length; i++) {
    const j = chain[i];
    const nextIndent = L.indent(i + 1 < chain.length ? chain[i + 1] : a);
    const k = L.key(j);
    if (L.dash(j)) {
      prefix.push(indexes.get(j)!);
      if (k.key !== undefined && nextIndent > L.indent(j) + 2) prefix.push(k.key);
    } else {
      prefix.push(k.key!);
    }
  }
  // The window ends after its last line's newline, as a document's text would.
  const end = endLine < text.length && text[endLine] === '\n' ? endLine + 1 : endLine;
  const scope: Window = { start: a, end, prefix };
  if (L.dash(a)) scope.item = indexes.get(a)!;
  const strings = topLevelStrings(text);
  if (strings.apiVersion !== undefined) scope.apiVersion = strings.apiVersion;
  if (strings.kind !== undefined) scope.kind = strings.kind;
  return scope;
}

/** The document's top-level `apiVersion:` and `kind:` values, read from their lines. */
function topLevelStrings(text: string): { apiVersion?: string; kind?: string } {
  const out: { apiVersion?: string; kind?: string } = {};
  for (const m of text.matchAll(/^(apiVersion|kind):[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s#"'][^#\r\n]*?))[ \t]*(?:#.*)?$/gm)) {
    out[m[1] as 'apiVersion' | 'kind'] ??= m[2] ?? m[3] ?? m[4];
  }
  return out;
}
