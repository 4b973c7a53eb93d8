// Server-side apply and managedFields, as a pure module: field sets (fieldsV1), the typed merge of an
// applied configuration into the live object, pruning of fields an applier stopped applying, ownership
// transfer on updates and apply conflicts. A port of the parts of sigs.k8s.io/structured-merge-diff/v4
// (fieldpath/*.go, typed/{merge,compare,tofieldset,remove}.go, merge/update.go) and
// k8s.io/apimachinery/pkg/util/managedfields/internal (managedfields.go, fieldmanager.go,
// managedfieldsupdater.go, stripmeta.go, conflict.go) that the built-in kinds need.
//
// The schema is the strategic-merge table of merge-keys.ts: a list with a merge key is a map list
// (`k:{...}` items), a merge list without a key is a set (`v:` items), any other list is atomic;
// objects are granular maps. The few lists whose SSA keys differ from their patchMergeKey
// (`+listMapKey` tags of k8s.io/api core/v1/types.go) are listed in SSA_KEYS.

import { RecentCache } from '../recent.ts';
import { mergeKeyFor } from './merge-keys.ts';
import { deepFreeze, jsonEqual, type Obj } from './objects.ts';

type JMap = Record<string, unknown>;
const isMap = (v: unknown): v is JMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (m: JMap, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);

// ---------------------------------------------------------------------------------------------
// Field sets

/** A path element as fieldsV1 spells it: `f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`. */
export type PathElement = string;
export type Path = PathElement[];

/**
 * A trie node. Invariant: every node is a member or has a member under it (set operations prune
 * what they empty), so a set is empty exactly when its root has neither.
 */
interface Node {
  member: boolean;
  children: Map<PathElement, Node> | undefined;
}
const newNode = (): Node => ({ member: false, children: undefined });
const isEmptyNode = (n: Node): boolean => !n.member && !n.children?.size;

/**
 * A set of field paths (fieldpath.Set). Parents of members are not members unless inserted.
 * Sets are immutable once built: the operations return new sets that share untouched subtrees
 * with their operands (and return an operand itself when nothing changes), so the managers whose
 * fields a write does not touch cost nothing to carry over.
 */
export class FieldSet {
  private constructor(private root: Node = newNode()) {}

  static empty(): FieldSet {
    return new FieldSet();
  }

  /** A set over a trie built elsewhere in this module (it must keep the trie's invariant). */
  static fromNode(n: Node): FieldSet {
    return new FieldSet(n);
  }

  static of(paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path; only for sets being built (fieldSetOf, compare, fromFieldsV1). */
  insert(path: Path): void {
    let n = this.root;
    for (const pe of path) {
      const children = (n.children ??= new Map());
      let c = children.get(pe);
      if (!c) children.set(pe, (c = newNode()));
      n = c;
    }
    n.member = true;
  }

  has(path: Path): boolean {
    const n = this.node(path);
    return !!n?.member;
  }

  /** True when the path or anything under it is a member. */
  hasPrefix(path: Path): boolean {
    const n = this.node(path);
    return !!n && !isEmptyNode(n);
  }

  private node(path: Path): Node | undefined {
    let n: Node | undefined = this.root;
    for (const pe of path) {
      n = n.children?.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  empty(): boolean {
    return isEmptyNode(this.root);
  }

  /** Members in fieldpath.Set.Iterate order: a node's members (sorted), then its children's. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (n: Node, prefix: Path) => {
      if (!n.children) return;
      const keys = sortedKeys(n.children);
      for (const k of keys) if (n.children.get(k)!.member) out.push([...prefix, k]);
      for (const k of keys) walk(n.children.get(k)!, [...prefix, k]);
    };
    walk(this.root, []);
    return out;
  }

  union(o: FieldSet): FieldSet {
    return this.wrap(unionNodes(this.root, o.root), o);
  }

  difference(o: FieldSet): FieldSet {
    return this.wrap(differenceNodes(this.root, o.root), o);
  }

  intersection(o: FieldSet): FieldSet {
    return this.wrap(intersectionNodes(this.root, o.root), o);
  }

  /** Drops every member at or under `prefix`. */
  withoutPrefix(prefix: Path): FieldSet {
    return this.wrap(withoutPath(this.root, prefix, 0));
  }

  /** Drops the root's children named in `top`, and the children of the root's `sub` child named in `subNames`. */
  withoutChildren(top: PathElement[], sub: PathElement, subNames: PathElement[]): FieldSet {
    const root = this.root;
    if (!root.children?.size) return this;
    const drop = (n: Node, names: PathElement[]): Node | undefined => {
      if (!n.children || !names.some((k) => n.children!.has(k))) return n;
      const children = new Map(n.children);
      for (const k of names) children.delete(k);
      if (!n.member && !children.size) return undefined;
      return { member: n.member, children };
    };
    let next = drop(root, top) ?? newNode();
    const subNode = next.children?.get(sub);
    if (subNode) {
      const r = drop(subNode, subNames);
      if (r !== subNode) {
        const children = new Map(next.children);
        if (r) children.set(sub, r);
        else children.delete(sub);
        next = { member: next.member, children };
      }
    }
    return this.wrap(next);
  }

  /** Keeps only members at or under `prefix`. */
  onlyPrefix(prefix: Path): FieldSet {
    let sub = this.node(prefix);
    if (!sub || isEmptyNode(sub)) return new FieldSet();
    for (let i = prefix.length - 1; i >= 0; i--) sub = { member: false, children: new Map([[prefix[i], sub]]) };
    return new FieldSet(sub);
  }

  equals(o: FieldSet): boolean {
    return equalNodes(this.root, o.root);
  }

  /** The fieldsV1 JSON (fieldpath/serialize.go): a leaf member is `{}`, a member with children has `".": {}`. */
  toFieldsV1(): JMap {
    let v = encoded.get(this.root);
    if (!v) {
      encoded.set(this.root, (v = nodeJMap(this.root)));
      // The next write to the object decodes it back to this trie without reading it.
      if (v !== LEAF) decoded.set(v, this.root);
    }
    return v;
  }

  static fromFieldsV1(v: unknown): FieldSet {
    // Stored objects are frozen: the same fieldsV1 object decodes to the same (immutable) set.
    const cached = isMap(v) && Object.isFrozen(v) ? decoded.get(v) : undefined;
    if (cached) return new FieldSet(cached);
    const s = new FieldSet();
    const dec = (m: unknown, prefix: Path) => {
      if (!isMap(m)) return;
      for (const k of Object.keys(m)) {
        if (k === '.') continue;
        const child = m[k];
        const path = [...prefix, k];
        if (!isMap(child) || Object.keys(child).length === 0 || has(child, '.')) s.insert(path);
        dec(child, path);
      }
    };
    dec(v, []);
    if (isMap(v) && Object.isFrozen(v)) {
      decoded.set(v, s.root);
      encoded.set(s.root, v);
    }
    return s;
  }

  private wrap(n: Node | undefined, o?: FieldSet): FieldSet {
    if (n === this.root) return this;
    if (o && n === o.root) return o;
    return new FieldSet(n ?? newNode());
  }
}

/**
 * fieldsV1 objects (frozen, from stored objects) to their decoded tries, the most recently used
 * DECODED_MAX of them (writes to one object come in bursts: a pod's status through its start);
 * and tries to their encodings, for as long as a trie lives.
 */
const DECODED_MAX = 20_000;
// Not a Map re-inserted on each hit: evicting a Map's oldest key walks the holes
// earlier deletions left at its front, tens of microseconds per write at this size.
const decoded = new RecentCache<JMap, Node>(DECODED_MAX);
const encoded = new WeakMap<Node, JMap>();

/**
 * One frozen fieldsV1 object per distinct content among the recent ones: pods from one template
 * and a component's events own the same fields, so thousands of stored objects share one copy
 * instead of each holding its own tree of small objects.
 */
const INTERN_MAX = 20_000;
const interned = new RecentCache<string, JMap>(INTERN_MAX);
function internFieldsV1(json: string): JMap {
  const hit = interned.get(json);
  if (hit) return hit;
  const v = deepFreeze(JSON.parse(json) as JMap);
  interned.set(json, v);
  return v;
}

/** The fieldsV1 of a leaf member: `{}`, one frozen object for all. */
const LEAF: JMap = Object.freeze({});

/**
 * The fieldsV1 object of a trie, frozen, built from its nodes' own (frozen, kept with the node):
 * tries share unchanged subtrees from write to write (a status update changes a few fields), so
 * a new set's object shares theirs and only the nodes on changed paths are new; nothing is
 * serialized or parsed.
 */
const jmaps = new WeakMap<Node, JMap>();
function nodeJMap(n: Node): JMap {
  if (!n.children?.size) return LEAF;
  let v = jmaps.get(n);
  if (v) return v;
  v = {};
  if (n.member) v['.'] = LEAF;
  for (const k of sortedKeys(n.children)) v[k] = nodeJMap(n.children.get(k)!);
  jmaps.set(n, Object.freeze(v));
  return v;
}

function sortedKeys(m: Map<PathElement, Node>): PathElement[] {
  const keys = [...m.keys()];
  return keys.length > 1 ? keys.sort(comparePE) : keys;
}

function unionNodes(a: Node, b: Node): Node {
  if (isEmptyNode(b)) return a;
  if (isEmptyNode(a)) return b;
  const member = a.member || b.member;
  if (!b.children?.size) return member === a.member ? a : { member, children: a.children };
  if (!a.children?.size) return member === b.member ? b : { member, children: b.children };
  let children: Map<PathElement, Node> | undefined;
  for (const [k, bc] of b.children) {
    const ac = a.children.get(k);
    const r = ac ? unionNodes(ac, bc) : bc;
    if (r !== ac) (children ??= new Map(a.children)).set(k, r);
  }
  if (!children && member === a.member) return a;
  return { member, children: children ?? a.children };
}

/** a without b's members; undefined when nothing is left. */
function differenceNodes(a: Node, b: Node): Node | undefined {
  if (isEmptyNode(b)) return a;
  const member = a.member && !b.member;
  let children = a.children;
  if (a.children?.size && b.children?.size) {
    let copied = false;
    for (const [k, ac] of a.children) {
      const bc = b.children.get(k);
      if (!bc) continue;
      const r = differenceNodes(ac, bc);
      if (r === ac) continue;
      if (!copied) {
        children = new Map(a.children);
        copied = true;
      }
      if (r) children!.set(k, r);
      else children!.delete(k);
    }
  }
  if (!member && !children?.size) return undefined;
  if (member === a.member && children === a.children) return a;
  return { member, children };
}

function intersectionNodes(a: Node, b: Node): Node | undefined {
  const member = a.member && b.member;
  let children: Map<PathElement, Node> | undefined;
  if (a.children?.size && b.children?.size) {
    const [small, big] = a.children.size <= b.children.size ? [a.children, b.children] : [b.children, a.children];
    for (const [k, sc] of small) {
      const bc = big.get(k);
      if (!bc) continue;
      const r = small === a.children ? intersectionNodes(sc, bc) : intersectionNodes(bc, sc);
      if (r) (children ??= new Map()).set(k, r);
    }
  }
  if (!member && !children) return undefined;
  return { member, children };
}

function withoutPath(n: Node, prefix: Path, i: number): Node | undefined {
  if (i === prefix.length) return undefined;
  const c = n.children?.get(prefix[i]);
  if (!c) return n;
  const r = withoutPath(c, prefix, i + 1);
  if (r === c) return n;
  const children = new Map(n.children);
  if (r) children.set(prefix[i], r);
  else children.delete(prefix[i]);
  if (!n.member && !children.size) return undefined;
  return { member: n.member, children };
}

function equalNodes(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (a.member !== b.member) return false;
  const ac = a.children?.size ?? 0;
  if (ac !== (b.children?.size ?? 0)) return false;
  if (ac === 0) return true;
  for (const [k, c] of a.children!) {
    const d = b.children!.get(k);
    if (!d || !equalNodes(c, d)) return false;
  }
  return true;
}

const startsWith = (p: Path, prefix: Path): boolean => prefix.every((pe, i) => p[i] === pe);

const PE_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** PathElement ordering (fieldpath/element.go Less): field names, then keys, then values, then indices. */
function comparePE(a: string, b: string): number {
  const d = (PE_RANK[a[0]] ?? -1) - (PE_RANK[b[0]] ?? -1);
  if (d) return d;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** fieldpath.Path.String(): `.spec.containers[name="web"].image`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const m = JSON.parse(body) as JMap;
          return `[${Object.keys(m)
            .map((k) => `${k}=${JSON.stringify(m[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Schema: which lists are maps, sets or atomic

type ListKind = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

/** `+listType=map` lists whose keys differ from the SMP patchMergeKey (k8s.io/api core/v1/types.go). */
const SSA_KEYS: { suffix: string[]; kind?: string; keys: string[] }[] = [
  { suffix: ['containers', 'ports'], keys: ['containerPort', 'protocol'] },
  { suffix: ['initContainers', 'ports'], keys: ['containerPort', 'protocol'] },
  { suffix: ['ephemeralContainers', 'ports'], keys: ['containerPort', 'protocol'] },
  { suffix: ['spec', 'ports'], kind: 'Service', keys: ['port', 'protocol'] },
  { suffix: ['topologySpreadConstraints'], keys: ['topologyKey', 'whenUnsatisfiable'] },
];

/** Defaults of list-map key fields, used when an item omits them (the schema's `default`). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function listKind(kind: string, names: string[]): ListKind {
  for (const o of SSA_KEYS) {
    if ((o.kind === undefined || o.kind === kind) && names.length >= o.suffix.length && startsWith(names.slice(-o.suffix.length), o.suffix)) {
      return { type: 'map', keys: o.keys };
    }
  }
  const m = mergeKeyFor(kind, names);
  if (m?.key) return { type: 'map', keys: [m.key] };
  if (m && m.strategy.includes('merge')) return { type: 'set' };
  return { type: 'atomic' };
}

/** The path element of a list item; undefined when it cannot be keyed (the list is then treated as atomic). */
function itemPE(lk: ListKind, item: unknown): PathElement | undefined {
  if (lk.type === 'set') return isMap(item) || Array.isArray(item) ? undefined : `v:${JSON.stringify(item)}`;
  if (lk.type !== 'map' || !isMap(item)) return undefined;
  const key: JMap = {};
  for (const k of [...lk.keys].sort()) {
    if (has(item, k)) key[k] = item[k];
    else if (has(KEY_DEFAULTS, k)) key[k] = KEY_DEFAULTS[k];
  }
  if (Object.keys(key).length === 0) return undefined;
  return `k:${JSON.stringify(key)}`;
}

/** A list as path elements and items; undefined when an item cannot be keyed or keys repeat. */
function indexList(lk: ListKind, list: unknown[]): Map<PathElement, unknown> | undefined {
  if (lk.type === 'atomic') return undefined;
  const out = new Map<PathElement, unknown>();
  for (const item of list) {
    const pe = itemPE(lk, item);
    if (pe === undefined) return undefined;
    if (out.has(pe)) {
      if (lk.type === 'set') continue;
      throw new SSAError(`duplicate entries for key ${pathString([pe])}`, 422);
    }
    out.set(pe, item);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors

export class SSAError extends Error {
  override name = 'SSAError';
  constructor(
    message: string,
    readonly code: number = 400,
  ) {
    super(message);
  }
}

export interface Conflict {
  manager: ManagerId;
  path: Path;
}

/** 409 from an apply whose values differ from fields other managers own (internal/conflict.go). */
export class ApplyConflictError extends Error {
  override name = 'ApplyConflictError';
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }

  get causes(): { reason: string; message: string; field: string }[] {
    return this.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  }
}

function printManager(m: ManagerId): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  // The manager identifier carries no time (BuildManagerIdentifier), so "at <time>" is never printed.
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const id = managerKey(c.manager);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const cs = byManager.get(id)!;
    lines.push(`conflicts with ${printManager(cs[0].manager)}:`);
    for (const c of cs) lines.push(`- ${pathString(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Walks over objects

/** Fields the managers never own (internal/stripmeta.go). */
const STRIPPED: Path[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];

const STRIPPED_TOP = STRIPPED.filter((p) => p.length === 1).map((p) => p[0]);
const STRIPPED_META = STRIPPED.filter((p) => p.length === 2).map((p) => p[1]);

/** Drops the STRIPPED paths (and what is under them) in one pass over the top two levels. */
function strip(s: FieldSet): FieldSet {
  return s.withoutChildren(STRIPPED_TOP, 'f:metadata', STRIPPED_META);
}

/** The fields an applied configuration sets (typed/tofieldset.go), without the stripped metadata. */
export function fieldSetOf(obj: unknown, kind: string): FieldSet {
  const set = FieldSet.empty();
  const walk = (v: unknown, path: Path, names: string[]) => {
    if (isMap(v)) {
      for (const k of Object.keys(v)) walk(v[k], [...path, `f:${k}`], [...names, k]);
      return;
    }
    if (Array.isArray(v)) {
      const lk = listKind(kind, names);
      const idx = indexList(lk, v);
      if (!idx) {
        set.insert(path);
        return;
      }
      for (const [pe, item] of idx) {
        set.insert([...path, pe]);
        if (lk.type === 'map' && isMap(item)) walk(item, [...path, pe], names);
      }
      return;
    }
    set.insert(path);
  };
  walk(obj, [], []);
  return strip(set);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * compare(undefined, b)'s `added` built straight into a trie (a create: every field of the new
 * object is added), without compare's per-level equality checks and path copies.
 */
function addedNodes(v: unknown, kind: string, names: string[], depth: number): Node {
  const n = newNode();
  if (isMap(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0 || depth > 1) n.member = true;
    for (const k of keys) {
      const child = v[k];
      if (child === undefined) continue;
      names.push(k);
      const c = addedNodes(child, kind, names, depth + 1);
      names.pop();
      if (c.member || c.children?.size) (n.children ??= new Map()).set(`f:${k}`, c);
    }
    return n;
  }
  n.member = true;
  if (Array.isArray(v)) {
    const lk = listKind(kind, names);
    const idx = indexList(lk, v);
    if (!idx) return n;
    for (const [pe, item] of idx) {
      const c = lk.type === 'map' && isMap(item) ? addedNodes(item, kind, names, depth + 1) : newNode();
      c.member = true;
      (n.children ??= new Map()).set(pe, c);
    }
  }
  return n;
}

/**
 * The fieldsV1 text of `strip(compare(undefined, obj).added)` without `dropTop` (a create's set),
 * written straight from the object: the JSON of the trie's fieldsV1 (`nodeJMap`), without building
 * the trie (a create's set is new every time; the text alone finds the interned fieldsV1, whose
 * trie is decoded, once per distinct text, only if a later write needs it). Undefined when the
 * set is empty.
 */
function createdText(obj: JMap, kind: string, dropTop: PathElement | undefined): string | undefined {
  return createdNode(obj, 0, { kind, names: [], dropTop });
}

interface TextWalk {
  kind: string;
  /** Field names from the root to the value being written (listKind's path). */
  names: string[];
  dropTop: PathElement | undefined;
}

/** The text of one node, undefined when it holds nothing (addedNodes prunes it). */
function createdNode(v: unknown, depth: number, w: TextWalk): string | undefined {
  if (isMap(v)) {
    const keys = Object.keys(v);
    const member = keys.length === 0 || depth > 1;
    let drop: readonly string[] | undefined;
    if (depth === 0) drop = STRIPPED_TOP_NAMES;
    else if (depth === 1 && w.names[0] === 'metadata') drop = STRIPPED_META_NAMES;
    return createdMap(v, keys.length > 1 ? keys.sort() : keys, member, depth, drop, w);
  }
  if (Array.isArray(v)) {
    const lk = listKind(w.kind, w.names);
    const idx = indexList(lk, v);
    if (!idx?.size) return '{}';
    const pes = idx.size > 1 ? [...idx.keys()].sort(comparePE) : [...idx.keys()];
    let out = '{".":{}';
    for (const pe of pes) {
      const item = idx.get(pe);
      const c = lk.type === 'map' && isMap(item) ? createdMap(item, Object.keys(item).sort(), true, depth + 1, undefined, w) : '{}';
      out += `,${quote(pe)}:${c}`;
    }
    return out + '}';
  }
  return '{}';
}

function createdMap(v: JMap, keys: string[], member: boolean, depth: number, drop: readonly string[] | undefined, w: TextWalk): string | undefined {
  let out = member ? '{".":{}' : '{';
  let any = false;
  for (const k of keys) {
    if (drop?.includes(k) || (depth === 0 && w.dropTop !== undefined && `f:${k}` === w.dropTop)) continue;
    const child = v[k];
    if (child === undefined) continue;
    w.names.push(k);
    const c = createdNode(child, depth + 1, w);
    w.names.pop();
    if (c === undefined) continue;
    out += `${member || any ? ',' : ''}${quoteField(k)}:${c}`;
    any = true;
  }
  if (!any) return member ? '{}' : undefined;
  return out + '}';
}

const STRIPPED_TOP_NAMES = STRIPPED.filter((p) => p.length === 1).map((p) => p[0].slice(2));
const STRIPPED_META_NAMES = STRIPPED.filter((p) => p.length === 2).map((p) => p[1].slice(2));

/**
 * JSON strings of path elements and of field names' `f:` elements: a few hundred distinct ones
 * (field names, list keys), looked up by strings V8 has already hashed (object keys, trie keys).
 * Plain Maps, emptied when something (many distinct list keys) fills them.
 */
const QUOTED_MAX = 50_000;
const quoted = new Map<string, string>();
const quotedFields = new Map<string, string>();
function quote(pe: string): string {
  let q = quoted.get(pe);
  if (q === undefined) {
    if (quoted.size >= QUOTED_MAX) quoted.clear();
    quoted.set(pe, (q = JSON.stringify(pe)));
  }
  return q;
}
function quoteField(name: string): string {
  let q = quotedFields.get(name);
  if (q === undefined) {
    if (quotedFields.size >= QUOTED_MAX) quotedFields.clear();
    quotedFields.set(name, (q = JSON.stringify(`f:${name}`)));
  }
  return q;
}

interface CompareWalk {
  kind: string;
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
  /** The path and field names down to the values compared: stacks, pushed and popped. */
  path: Path;
  names: string[];
}

function compareLeaf(l: unknown, r: unknown, w: CompareWalk): void {
  if (l === undefined && r !== undefined) w.added.insert(w.path);
  else if (l !== undefined && r === undefined) w.removed.insert(w.path);
  else if (!jsonEqual(l, r) && JSON.stringify(l) !== JSON.stringify(r)) w.modified.insert(w.path);
}

function compareWalk(l: unknown, r: unknown, w: CompareWalk): void {
  // The same value (stored objects share what a write leaves alone) has no differences; equal
  // maps and lists are walked and yield none, as the leaves under them compare equal.
  if (l === r) return;
  const lMap = isMap(l);
  const rMap = isMap(r);
  if ((lMap || l === undefined) && (rMap || r === undefined) && (lMap || rMap)) {
    const L = (l ?? {}) as JMap;
    const R = (r ?? {}) as JMap;
    const lKeys = Object.keys(L);
    const rKeys = Object.keys(R);
    // Empty maps on both sides are leaves, to keep `{}` apart from absent (typed/merge.go doMap).
    if (lKeys.length === 0 && rKeys.length === 0) return compareLeaf(l, r, w);
    // A map that appears or goes is itself a member (compare.go doMap), except the top-level
    // fields, which a zero-valued typed object already has.
    if (w.path.length > 1) {
      if (l === undefined) w.added.insert(w.path);
      if (r === undefined) w.removed.insert(w.path);
    }
    for (const k of lKeys) compareChild(L[k], has(R, k) ? R[k] : undefined, k, w);
    for (const k of rKeys) if (!has(L, k)) compareChild(undefined, R[k], k, w);
    return;
  }
  const lList = Array.isArray(l);
  const rList = Array.isArray(r);
  if ((lList || l === undefined) && (rList || r === undefined) && (lList || rList)) {
    // Equal lists are not indexed (a list whose keys repeat cannot be, and need not be when it does not change).
    if (lList && rList && jsonEqual(l, r)) return;
    const lk = listKind(w.kind, w.names);
    const li = l === undefined ? new Map<PathElement, unknown>() : indexList(lk, l as unknown[]);
    const ri = r === undefined ? new Map<PathElement, unknown>() : indexList(lk, r as unknown[]);
    if (!li || !ri) return compareLeaf(l, r, w);
    if (l === undefined) w.added.insert(w.path);
    if (r === undefined) w.removed.insert(w.path);
    const item = (pe: PathElement) => {
      w.path.push(pe);
      if (!li.has(pe)) w.added.insert(w.path);
      if (!ri.has(pe)) w.removed.insert(w.path);
      if (lk.type === 'map') compareWalk(li.get(pe), ri.get(pe), w);
      w.path.pop();
    };
    for (const pe of li.keys()) item(pe);
    for (const pe of ri.keys()) if (!li.has(pe)) item(pe);
    return;
  }
  compareLeaf(l, r, w);
}

function compareChild(l: unknown, r: unknown, k: string, w: CompareWalk): void {
  w.path.push(`f:${k}`);
  w.names.push(k);
  compareWalk(l, r, w);
  w.path.pop();
  w.names.pop();
}

/** typed.Compare: the fields added, changed and removed going from `a` to `b`. */
export function compare(a: unknown, b: unknown, kind: string): Comparison {
  if (a === undefined && isMap(b)) {
    return { added: strip(FieldSet.fromNode(addedNodes(b, kind, [], 0))), modified: FieldSet.empty(), removed: FieldSet.empty() };
  }
  const w: CompareWalk = { kind, added: FieldSet.empty(), modified: FieldSet.empty(), removed: FieldSet.empty(), path: [], names: [] };
  compareWalk(a, b, w);
  const { added, modified, removed } = w;
  return { added: strip(added), modified: strip(modified), removed: strip(removed) };
}

/** typed.Merge: `config` merged into `live`; maps merge, map and set lists merge by item, the rest is replaced. */
export function mergeApplied(live: unknown, config: unknown, kind: string): unknown {
  const walk = (l: unknown, r: unknown, names: string[]): unknown => {
    if (r === undefined) return l;
    if (isMap(l) && isMap(r)) {
      const out: JMap = { ...l };
      for (const k of Object.keys(r)) out[k] = walk(has(l, k) ? l[k] : undefined, r[k], [...names, k]);
      return out;
    }
    if (Array.isArray(l) && Array.isArray(r)) {
      const lk = listKind(kind, names);
      const li = indexList(lk, l);
      const ri = indexList(lk, r);
      if (!li || !ri) return r;
      return mergeListOrder([...li.keys()], [...ri.keys()]).map((pe) =>
        lk.type === 'map' ? walk(li.get(pe), ri.get(pe), names) : (ri.get(pe) ?? li.get(pe)),
      );
    }
    return r;
  };
  return walk(live, config, []);
}

/**
 * The order of a merged list (typed/merge.go visitListItems): the applied items keep their order,
 * items only in the live list stay where they were relative to the shared ones.
 */
function mergeListOrder(lhs: PathElement[], rhs: PathElement[]): PathElement[] {
  const inL = new Set(lhs);
  const inR = new Set(rhs);
  const shared = rhs.filter((pe) => inL.has(pe));
  const out: PathElement[] = [];
  const done = new Set<PathElement>();
  let nextShared = shared.shift();
  let lI = 0;
  let rI = 0;
  while (lI < lhs.length || rI < rhs.length) {
    if (lI < lhs.length && rI < rhs.length) {
      const pe = lhs[lI];
      if (pe === rhs[rI]) {
        done.add(pe);
        out.push(pe);
        lI++;
        rI++;
        nextShared = shared.shift();
        continue;
      }
      if (inR.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lhs.length) {
      const pe = lhs[lI];
      if (!inR.has(pe)) {
        out.push(pe);
        lI++;
        continue;
      } else if (done.has(pe)) {
        lI++;
        continue;
      }
    }
    if (rI < rhs.length) {
      const pe = rhs[rI];
      done.add(pe);
      out.push(pe);
      rI++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

/**
 * Removes the members of `toRemove` from `obj` (typed/remove.go): a field or list item goes with
 * everything under it, except what `keep` still owns. Maps left empty by the removal go too.
 */
export function removeFields(obj: unknown, toRemove: FieldSet, keep: FieldSet, kind: string): unknown {
  const walk = (v: unknown, path: Path, names: string[]): unknown => {
    if (isMap(v)) {
      const out: JMap = {};
      let changed = false;
      for (const k of Object.keys(v)) {
        const p = [...path, `f:${k}`];
        if (toRemove.has(p) && !keep.hasPrefix(p)) {
          changed = true;
          continue;
        }
        const next = toRemove.hasPrefix(p) ? walk(v[k], p, [...names, k]) : v[k];
        if (next === undefined) {
          changed = true;
          continue;
        }
        out[k] = next;
      }
      if (changed && Object.keys(out).length === 0 && path.length > 0) return undefined;
      return out;
    }
    if (Array.isArray(v)) {
      const lk = listKind(kind, names);
      const idx = indexList(lk, v);
      if (!idx) return v;
      const out: unknown[] = [];
      for (const [pe, item] of idx) {
        const p = [...path, pe];
        if (toRemove.has(p) && !keep.hasPrefix(p)) continue;
        out.push(lk.type === 'map' && toRemove.hasPrefix(p) ? (walk(item, p, names) ?? {}) : item);
      }
      return out;
    }
    return v;
  };
  return walk(obj, [], []);
}

// ---------------------------------------------------------------------------------------------
// Managers and managedFields

export type Operation = 'Apply' | 'Update';

export interface ManagerId {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
}

export interface ManagedEntry extends ManagerId {
  time?: string;
  fields: FieldSet;
}

/** BuildManagerIdentifier: appliers are one manager whatever the apiVersion; updaters per apiVersion. */
export function managerKey(m: ManagerId): string {
  const apiVersion = m.operation === 'Update' ? m.apiVersion : '';
  return `${m.manager}\u0000${m.operation}\u0000${apiVersion}\u0000${m.subresource ?? ''}`;
}

/** metadata.managedFields to entries; throws SSAError for malformed entries (DecodeManagedFields). */
export function decodeManagedFields(v: unknown): ManagedEntry[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SSAError('metadata.managedFields must be a list');
  return v.map((e: unknown) => {
    if (!isMap(e)) throw new SSAError('metadata.managedFields entries must be objects');
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') throw new SSAError(`invalid fieldsType "${String(e.fieldsType)}"`);
    const op = e.operation === 'Apply' ? 'Apply' : 'Update';
    const entry: ManagedEntry = {
      manager: String(e.manager ?? ''),
      operation: op,
      apiVersion: String(e.apiVersion ?? ''),
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    if (typeof e.time === 'string') entry.time = e.time;
    if (typeof e.subresource === 'string' && e.subresource) entry.subresource = e.subresource;
    return entry;
  });
}

/** isResetManagedFields: `[]` or `[{}]` in a request clears the managed fields. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && isMap(v[0]) && Object.keys(v[0]).length === 0;
}

/** Entries to metadata.managedFields, sorted as sortEncodedManagedFields does (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(entries: ManagedEntry[]): Obj[] {
  const sorted = entries
    .filter((e) => !e.fields.empty())
    .sort((p, q) => {
      if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
      const pt = p.time ? Date.parse(p.time) : 0;
      const qt = q.time ? Date.parse(q.time) : 0;
      if (pt !== qt) return pt - qt;
      if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
      if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
      return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
    });
  return sorted.map((e) => {
    const o: Obj = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = e.fields.toFieldsV1();
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

export interface OperationContext {
  kind: string;
  apiVersion: string;
  manager: string;
  subresource?: string;
  /** RFC 3339 time of the write. */
  time: string;
  /** Fields this endpoint does not write (status for the main resource, the rest for /status): no one gains them. */
  scope?: (s: FieldSet) => FieldSet;
  /** When `scope` only drops one top-level field (`f:status`): lets a create skip the trie. */
  scopeWithout?: PathElement;
}

/**
 * The managed fields after an Update operation (create, PUT, non-apply PATCH) turned `live` into
 * `next` (Updater.Update + managedFieldsUpdater): the manager gains what changed, other managers
 * lose it, and everyone loses what was removed. `requested` is the managedFields the request carried:
 * undefined keeps the live ones, `[]`/`[{}]` resets them, anything else replaces them.
 */
export function updateManagedFields(live: Obj | undefined, next: Obj, requested: unknown, ctx: OperationContext): Obj[] {
  if (live === undefined && (requested === undefined || isResetManagedFields(requested)) && (!ctx.scope || ctx.scopeWithout !== undefined)) {
    // A create that carries no managed fields: one entry, the creator's, of every field it set.
    const text = createdText(withoutManaged(next) as JMap, ctx.kind, ctx.scopeWithout);
    if (text === undefined) return [];
    const o: Obj = { manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, time: ctx.time, fieldsType: 'FieldsV1', fieldsV1: internFieldsV1(text) };
    if (ctx.subresource) o.subresource = ctx.subresource;
    return [o];
  }
  let entries: ManagedEntry[];
  // The live entries when they are the base: handed back as they are when this write changes none.
  let liveEntries: unknown;
  if (isResetManagedFields(requested)) entries = [];
  else {
    // Undecodable or empty managedFields in a request fall back to the live ones (decodeLiveOrNew).
    let fromRequest: ManagedEntry[] = [];
    try {
      fromRequest = requested === undefined ? [] : decodeManagedFields(requested);
    } catch (e) {
      if (!(e instanceof SSAError)) throw e;
    }
    if (fromRequest.length) entries = fromRequest;
    else {
      liveEntries = live?.metadata?.managedFields;
      entries = decodeManagedFields(liveEntries);
    }
  }
  const before = entries.map((e) => [e.fields, e.time] as const);
  const cmp = compare(withoutManaged(live), withoutManaged(next), ctx.kind);
  const scope = ctx.scope ?? ((s: FieldSet) => s);
  const changed = scope(cmp.modified.union(cmp.added));
  const removed = cmp.removed;
  const self: ManagerId = { manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const selfKey = managerKey(self);
  for (const e of entries) {
    if (managerKey(e) === selfKey) continue;
    e.fields = e.fields.difference(changed).difference(removed);
  }
  if (!changed.empty()) {
    const prev = entries.find((e) => managerKey(e) === selfKey);
    if (prev) {
      prev.fields = prev.fields.difference(removed).union(changed);
      prev.time = ctx.time;
    } else {
      entries.push({ ...self, time: ctx.time, fields: changed });
    }
  } else {
    const prev = entries.find((e) => managerKey(e) === selfKey);
    if (prev) prev.fields = prev.fields.difference(removed);
  }
  // Most writes change no one's fields (a manager writing fields it owns, in the same second):
  // the set operations then return their operands, and the stored entries stand as they are.
  if (Array.isArray(liveEntries) && entries.length === before.length && entries.every((e, i) => e.fields === before[i][0] && e.time === before[i][1])) {
    return liveEntries as Obj[];
  }
  return encodeManagedFields(entries);
}

export interface ApplyResult {
  object: Obj;
  managedFields: Obj[];
}

/**
 * Server-side apply (Updater.Apply + managedFieldsUpdater.Apply): merges `config` into `live`
 * (an empty object when creating), prunes what the manager applied before and no longer applies
 * unless someone else owns it, and fails with ApplyConflictError when the merge changes a field
 * another manager owns, unless `force` moves the ownership.
 */
export function apply(live: Obj, config: Obj, force: boolean, ctx: OperationContext): ApplyResult {
  if (config.metadata?.managedFields !== undefined) throw new SSAError('metadata.managedFields must be nil');
  const entries = decodeManagedFields(live.metadata?.managedFields);
  const scope = ctx.scope ?? ((s: FieldSet) => s);
  const self: ManagerId = { manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const selfKey = managerKey(self);
  const liveBare = withoutManaged(live);
  let merged = mergeApplied(liveBare, config, ctx.kind) as Obj;
  const prev = entries.find((e) => managerKey(e) === selfKey);
  const lastSet = prev?.fields ?? FieldSet.empty();
  const newSet = scope(fieldSetOf(config, ctx.kind));

  // Prune what this manager stopped applying, unless another manager (or the new set) owns it.
  let owned = newSet;
  for (const e of entries) if (managerKey(e) !== selfKey) owned = owned.union(e.fields);
  const stale = lastSet.difference(newSet);
  if (!stale.empty()) merged = removeFields(merged, stale, owned, ctx.kind) as Obj;

  const cmp = compare(liveBare, merged, ctx.kind);
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  for (const e of entries) {
    if (managerKey(e) === selfKey) continue;
    for (const p of e.fields.intersection(changed).paths()) conflicts.push({ manager: e, path: p });
  }
  if (conflicts.length && !force) throw new ApplyConflictError(conflicts);
  for (const e of entries) {
    if (managerKey(e) === selfKey) continue;
    e.fields = e.fields.difference(changed).difference(cmp.removed);
  }
  const noop = JSON.stringify(liveBare) === JSON.stringify(merged);
  if (prev) {
    const same = prev.fields.equals(newSet) && prev.apiVersion === ctx.apiVersion;
    prev.fields = newSet;
    prev.apiVersion = ctx.apiVersion;
    if (!noop || !same) prev.time = ctx.time;
  } else {
    entries.push({ ...self, time: ctx.time, fields: newSet });
  }
  return { object: merged, managedFields: encodeManagedFields(entries) };
}

function withoutManaged(o: Obj | undefined): Obj | undefined {
  if (!o?.metadata || o.metadata.managedFields === undefined) return o;
  const { managedFields: _mf, ...metadata } = o.metadata;
  return { ...o, metadata };
}

/** The manager Kubernetes records when a request names none: the User-Agent up to its first "/" (handlers/rest.go prefixFromUserAgent). */
export function managerFromUserAgent(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  return userAgent.split('/')[0] || undefined;
}
