// Manifest validation shared by the editor's diagnostics and `kube-emulator validate`: what
// `kubectl apply` against Kubernetes 1.32 would reject (severity error) and what it would accept but
// misbehave (severity warning), in Kubernetes' words, located on the source with the parser's offsets.
//
// One entry point: validateText(text, fileName) → { problems, skipped }.
// Ranges are ZERO-BASED lines and characters (VS Code's and LSP's); the CLI adds one to each.
// Each problem has a stable `code` (ProblemCode) per diagnostic kind.
//
// What runs, per document, in the apiserver's order:
//  1. YAML syntax errors and duplicate keys (the `yaml` package's, on the one parse in parse.ts:
//     light-yaml.ts's tree for the subset manifests use, which has none, else yaml's Documents);
//  2. the kind: `no matches for kind "X" in version "Y"` when the cluster does not serve it (with
//     the deprecation text when the version was removed);
//  3. decoding into the typed object: unknown fields (strict field validation, kubectl's default) and
//     wrong types, by src/emulator/api/structural.ts checkStructure (what the apiserver runs), and
//     the schema's required fields;
//  4. the registry's semantic validation (the apiserver's own strategies), after its defaulting, and
//     the enum fields it does not check itself (enums.ts, Kubernetes' value sets);
//  5. the apiserver's warnings for pod templates and a course pitfall (warnings.ts).
// Ranges: an unknown field's key, a wrong type's value, a missing field's parent key (or the first
// line of the list item that misses it), a semantic error's field (its key when the value is a block).
//
// Helm templates (`{{ }}`) and kustomization files are not Kubernetes objects: the result says so in
// `skipped` (for the editor's hover) and has no problems. Per-document results are cached by the
// document's text, so a keystroke re-validates only the document it changed.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type YAMLError } from 'yaml';
import { Registry } from '../api/registry.ts';
import { clone, newUID, type Obj } from '../api/objects.ts';
import { checkStructure } from '../api/structural.ts';
import { schemaForObject } from '../api/schemas.ts';
import { parseChunks, positionIn, type Chunk, type PlacedChunk, type Range } from './parse.ts';
import type { LightMap, LightNode, LightPair } from './light-yaml.ts';
import { objectWarnings, removedApiMessage } from './warnings.ts';
import { enumProblems } from './enums.ts';

export type { Position, Range } from './parse.ts';

export type ProblemCode =
  /** A YAML syntax error (the `yaml` package's message). */
  | 'yaml-syntax'
  /** A key twice in one mapping (warning: kubectl keeps the last value): go-yaml's `key "x" already set in map`. */
  | 'duplicate-key'
  /** A document that is not a mapping: `error validating data: invalid object to validate` (kubectl). */
  | 'not-an-object'
  /** `error validating data: [apiVersion not set, kind not set]` (kubectl). */
  | 'type-not-set'
  /** `no matches for kind "X" in version "Y"`: the cluster does not serve the kind. */
  | 'kind-not-registered'
  /** A removed API version: the apiserver's deprecation text (warning, next to kind-not-registered). */
  | 'api-removed'
  /** `strict decoding error: unknown field "spec.foo"`. */
  | 'unknown-field'
  /** `json: cannot unmarshal string into Go struct field ... of type int32`. */
  | 'wrong-type'
  /** A field the schema requires: `spec.containers[0].name: Required value`. */
  | 'required-field'
  /** The apiserver's semantic validation, one code per field.Error type. */
  | 'field-required'
  | 'field-invalid'
  | 'field-not-supported'
  | 'field-forbidden'
  | 'field-duplicate'
  | 'field-too-long'
  | 'field-too-many'
  /** A warning the apiserver sends back (pkg/api/pod/warnings.go). */
  | 'apiserver-warning'
  /** An image with no tag or :latest and no imagePullPolicy: pulled on every start. */
  | 'image-pull-always';

export interface Problem {
  severity: 'error' | 'warning';
  code: ProblemCode;
  message: string;
  /** Zero-based. */
  range: Range;
  /** The field path the problem is about (`spec.replicas`), when it is about a field. */
  field?: string;
}

export interface Skipped {
  reason: 'helm-template' | 'kustomization';
  /** For a hover: why the file is not validated. */
  message: string;
}

export interface Validation {
  /** Sorted by position. */
  problems: Problem[];
  /** Set when the file is not a set of Kubernetes objects (Helm template, kustomization). */
  skipped?: Skipped;
}

export const HELM_MESSAGE = 'Helm template: `{{ }}` is rendered by helm before Kubernetes sees it, so this file is not validated as a Kubernetes manifest (validate `helm template` output instead).';
export const KUSTOMIZATION_MESSAGE = 'Kustomization: a kustomize build file, not a Kubernetes object, so it is not validated as a manifest (validate `kubectl kustomize` output instead).';

const registry = new Registry();

/** Splits a field path like `spec.containers[0].image` or `metadata.labels[app]` into keys and indexes. */
export function splitFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3]);
  }
  return out;
}

/** Helm's template syntax, as opposed to a `{{ }}` inside a value (e.g. a Prometheus rule). */
const HELM = /\{\{-|-\}\}|\{\{\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|include\s|template\s|toYaml\s|if\s|range\s|with\s|define\s|end\s*\}\})/;

export function isHelmTemplate(text: string): boolean {
  return HELM.test(text);
}

export function isKustomization(fileName: string): boolean {
  return /(^|[\\/])(kustomization\.ya?ml|Kustomization)$/.test(fileName);
}

/** A problem placed in its chunk: lines counted from the chunk's first line. */
interface LocalProblem {
  severity: Problem['severity'];
  code: ProblemCode;
  message: string;
  start: number;
  end: number;
  field?: string;
}

interface ChunkResult {
  problems: LocalProblem[];
  /** Kinds the chunk's CustomResourceDefinitions define, `group/Kind`. */
  defines: string[];
  /** Documents of kinds the cluster does not serve (decided per file: a CRD may define them). */
  unserved: { group: string; apiVersion: string; kind: string; start: number; end: number; removed?: string; apiStart: number; apiEnd: number; builtin: boolean }[];
}

const results = new WeakMap<Chunk, ChunkResult>();

/** Validates the text of one file (saved or not); fileName only decides kustomization files. */
export function validateText(text: string, fileName = ''): Validation {
  if (isKustomization(fileName)) return { problems: [], skipped: { reason: 'kustomization', message: KUSTOMIZATION_MESSAGE } };
  if (text.includes('{{') && isHelmTemplate(text)) return { problems: [], skipped: { reason: 'helm-template', message: HELM_MESSAGE } };
  const placed = parseChunks(text);
  const perChunk = placed.map((p) => {
    let r = results.get(p.chunk);
    if (!r) {
      results.set(p.chunk, (r = validateChunk(p.chunk)));
      // The result is kept per chunk: its light tree (and the objects in it) can go now.
      p.chunk.dropLight();
    }
    return r;
  });
  const defined = new Set(perChunk.flatMap((r) => r.defines));
  const problems: Problem[] = [];
  const place = (p: PlacedChunk, x: LocalProblem): Problem => {
    const out: Problem = { severity: x.severity, code: x.code, message: x.message, range: { start: positionIn(p, x.start), end: positionIn(p, x.end) } };
    if (x.field !== undefined) out.field = x.field;
    return out;
  };
  perChunk.forEach((r, i) => {
    const p = placed[i];
    for (const x of r.problems) problems.push(place(p, x));
    for (const u of r.unserved) {
      if (defined.has(`${u.group}/${u.kind}`)) continue;
      // A built-in group's kind is certain to fail; a custom resource's may be served by a cluster with its CRD.
      problems.push(place(p, { severity: u.builtin ? 'error' : 'warning', code: 'kind-not-registered', message: `no matches for kind "${u.kind}" in version "${u.apiVersion}"`, start: u.start, end: u.end }));
      if (u.removed) problems.push(place(p, { severity: 'warning', code: 'api-removed', message: u.removed, start: u.apiStart, end: u.apiEnd }));
    }
  });
  if (text.includes('{{')) {
    // `{{ }}` that broke the YAML where it stands (`name: {{ x }}` is a flow mapping gone wrong): a template after all.
    const lines = text.split('\n');
    const broken = (p: Problem) => (p.code === 'yaml-syntax' || p.code === 'not-an-object' || p.code === 'wrong-type') && (lines[p.range.start.line] ?? '').includes('{{');
    if (problems.some(broken)) return { problems: [], skipped: { reason: 'helm-template', message: HELM_MESSAGE } };
  }
  problems.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { problems };
}

/** The groups of Kubernetes' own APIs: an unserved kind there is not a missing CRD. */
function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

function validateChunk(chunk: Chunk): ChunkResult {
  const out: ChunkResult = { problems: [], defines: [], unserved: [] };
  const internal = (e: unknown, at: number) => {
    // A bug here must not take the editor down: say so on the document.
    out.problems.push({ severity: 'error', code: 'yaml-syntax', message: `internal error validating this document: ${e instanceof Error ? e.message : String(e)}`, start: at, end: at });
  };
  if (chunk.light) {
    // The light reader's tree: no errors or warnings (it gives up on those), a block mapping.
    for (const doc of chunk.light) {
      const contents = doc.contents;
      if (contents?.type !== 'map') continue;
      try {
        validateObject(chunk, contents, contents.js as Obj, out, adder(chunk, out));
      } catch (e) {
        internal(e, contents.range[0]);
      }
    }
    return out;
  }
  for (const doc of chunk.docs) {
    try {
      validateDocument(chunk, doc, out);
    } catch (e) {
      internal(e, (doc.contents?.range ?? doc.range)[0]);
    }
  }
  return out;
}

/** The `yaml` package's node as the checks read it (the light reader's shape); values on demand. */
function fromYaml(n: unknown): LightNode | null {
  if (n === null || n === undefined) return null;
  const node = n as Node;
  const range: [number, number] = node.range ? [node.range[0], node.range[1]] : [0, 0];
  if (isMap(node)) {
    const items: LightPair[] = node.items.map((p) => ({ key: fromYaml(p.key) ?? other(range), value: fromYaml(p.value) }));
    return { type: 'map', flow: !!node.flow, items, range, get js() { return node.toJSON(); } };
  }
  if (isSeq(node)) {
    // A pair in a sequence (`[a: b]`) is a one-pair map to toJS; the checks never descend into it.
    const items = node.items.map((it) => (isPair(it) ? other(range, true) : fromYaml(it) ?? other(range, true)));
    return { type: 'seq', flow: !!node.flow, items, range, get js() { return node.toJSON(); } };
  }
  if (isScalar(node)) return { type: 'scalar', flow: false, range, get js() { return node.toJSON(); } };
  return { type: 'other', flow: false, range, get js() { return isAlias(node) ? undefined : (node as { toJSON?: () => unknown }).toJSON?.(); } };
}

function other(range: [number, number], placeless = false): LightNode {
  return { type: 'other', flow: false, range, js: undefined, placeless };
}

function adder(chunk: Chunk, out: ChunkResult): Add {
  return (severity, code, message, start, end, field) => {
    // No trailing line breaks or spaces: a range ends on the last character it is about.
    while (end > start + 1 && /\s/.test(chunk.text[end - 1])) end--;
    const x: LocalProblem = { severity, code, message, start, end: Math.max(start, end) };
    if (field !== undefined) x.field = field;
    out.problems.push(x);
  };
}

/** The yaml package's message without the position it may append. */
function yamlMessage(m: string): string {
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

type Found = { node: LightNode | null; key?: LightNode; parent?: LightNode | null; exact: boolean; depth: number };

/** The node at `path`, or the deepest part of it that exists. */
function locate(root: LightNode | null, path: (string | number)[]): Found {
  let node: LightNode | null = root;
  let key: LightNode | undefined;
  let parent: LightNode | null = null;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (node?.type === 'map') {
      const want = String(p);
      const pair = node.items.find((it) => it.key.type === 'scalar' && String(it.key.js) === want);
      if (!pair) return { node, key, parent, exact: false, depth: i };
      parent = node;
      key = pair.key;
      node = pair.value;
      if (!node) return { node: key, key, parent, exact: i === path.length - 1, depth: i + 1 };
    } else if (node?.type === 'seq' && typeof p === 'number' && node.items[p] !== undefined) {
      parent = node;
      node = node.items[p];
      key = undefined;
    } else {
      return { node, key, parent, exact: false, depth: i };
    }
  }
  return { node, key, parent, exact: true, depth: path.length };
}

function validateDocument(chunk: Chunk, doc: Document.Parsed, out: ChunkResult): void {
  const add = adder(chunk, out);
  let fatal = false;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') {
      const k = duplicateKey(chunk, e);
      // kubectl 1.32 decodes YAML leniently: the last value wins, silently (checked with kubectl apply).
      add('warning', 'duplicate-key', `key ${JSON.stringify(k.name)} already set in map (kubectl apply keeps the last value)`, e.pos[0], k.end);
    } else {
      fatal = true;
      add('error', 'yaml-syntax', yamlMessage(e.message), e.pos[0], e.pos[1] > e.pos[0] ? e.pos[1] : e.pos[0] + 1);
    }
  }
  for (const w of doc.warnings) add('warning', 'yaml-syntax', yamlMessage(w.message), w.pos[0], w.pos[1]);
  if (fatal) return;
  const contents = doc.contents as Node | null;
  if (!contents) return;
  if (isScalar(contents) && (contents.value === null || contents.value === undefined)) return;
  const [start, valueEnd] = contents.range ?? [0, 0, 0];
  if (!isMap(contents)) {
    // kubectl's client-side check (kubectl/pkg/validation/schema.go).
    add('error', 'not-an-object', 'error validating data: invalid object to validate', start, valueEnd);
    return;
  }
  let obj: Obj;
  try {
    obj = doc.toJS({ maxAliasCount: 1000 }) as Obj;
  } catch (e) {
    // The yaml package refuses alias bombs ("Excessive alias count indicates a resource exhaustion attack").
    add('error', 'yaml-syntax', e instanceof Error ? e.message : String(e), start, start + 1);
    return;
  }
  validateObject(chunk, fromYaml(contents) as LightMap, obj, out, add);
}

type Add = (severity: Problem['severity'], code: ProblemCode, message: string, start: number, end: number, field?: string) => void;

/** One object: a document, or an item of a `kind: List` document (kubectl applies each item on its own). */
function validateObject(chunk: Chunk, contents: LightMap, obj: Obj, out: ChunkResult, add: Add): void {
  const start = contents.range[0];
  const firstKey = contents.items[0]?.key;
  const rangeOf = (n: LightNode | null | undefined): [number, number] => (n ? [n.range[0], n.range[1]] : [start, start]);

  // apiVersion and kind: kubectl's client-side check (kubectl/pkg/validation/schema.go).
  const missing: string[] = [];
  if (obj.apiVersion === undefined || obj.apiVersion === null || obj.apiVersion === '') missing.push('apiVersion not set');
  if (obj.kind === undefined || obj.kind === null || obj.kind === '') missing.push('kind not set');
  if (missing.length) {
    const [s, e] = rangeOf(firstKey);
    add('error', 'type-not-set', `error validating data: ${missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`}`, s, e);
    return;
  }
  for (const f of ['apiVersion', 'kind'] as const) {
    if (typeof obj[f] !== 'string') {
      const [s, e] = rangeOf(locate(contents, [f]).node);
      add('error', 'wrong-type', `error validating data: ${f} isn't string type`, s, e, f);
      return;
    }
  }
  const apiVersion = obj.apiVersion as string;
  const kind = obj.kind as string;
  const [group] = apiVersion.includes('/') ? apiVersion.split('/', 2) : [''];
  if (apiVersion === 'v1' && kind === 'List') {
    // kubectl's resource builder applies a List's items one by one (k8s.io/cli-runtime resource.Builder flattens it).
    const items = locate(contents, ['items']).node;
    if (items?.type !== 'seq') return;
    items.items.forEach((n, i) => {
      if (n.type === 'map') validateObject(chunk, n, (obj.items as unknown[])[i] as Obj, out, add);
      else if (n.type !== 'other' || !n.placeless) add('error', 'not-an-object', 'error validating data: invalid object to validate', n.range[0], n.range[1]);
    });
    return;
  }
  if (group === 'kustomize.config.k8s.io') return;
  if (apiVersion === 'apiextensions.k8s.io/v1' && kind === 'CustomResourceDefinition') {
    const spec = obj.spec as Obj | undefined;
    const g = spec?.group;
    const k = (spec?.names as Obj | undefined)?.kind;
    if (typeof g === 'string' && typeof k === 'string') out.defines.push(`${g}/${k}`);
  }
  const kindNode = locate(contents, ['kind']).node;
  const def = registry.forKind(apiVersion, kind);
  const schema = schemaForObject(apiVersion, kind);
  if (!def) {
    const [s, e] = rangeOf(kindNode);
    const [as, ae] = rangeOf(locate(contents, ['apiVersion']).node);
    out.unserved.push({ group, apiVersion, kind, start: s, end: e, apiStart: as, apiEnd: ae, removed: removedApiMessage(apiVersion, kind), builtin: isBuiltinGroup(group) || !!schema });
    if (!schema) return;
  }

  const taken = new Set<LightNode>();
  const fieldProblem = (severity: Problem['severity'], code: ProblemCode, message: string, field: string, where: 'key' | 'value' | 'parent') => {
    const path = splitFieldPath(field);
    const f = locate(contents, path);
    let target: LightNode | null | undefined;
    if (where === 'parent' || !f.exact) {
      // Missing: the parent's key, or the first line of the list item; the kind for a top-level field.
      const parentPath = f.exact ? path.slice(0, -1) : path.slice(0, f.depth);
      const p = parentPath.length ? locate(contents, parentPath) : undefined;
      if (!p) target = kindNode;
      else if (p.key && p.parent?.type !== 'seq') target = p.key;
      else if (p.node) return firstLine(p.node);
      else target = kindNode;
    } else if (where === 'key') target = f.key ?? f.node;
    else if (code === 'wrong-type' && f.node?.type === 'map' && /cannot unmarshal (\w+) into Go struct field/.test(message)) {
      // A map's values are reported at the map's path (encoding/json names no key): the first value
      // of the reported JSON kind that no earlier problem took.
      const want = /cannot unmarshal (\w+)/.exec(message)![1];
      const pair = f.node.items.find((it) => it.value && !taken.has(it.value) && jsonKind(it.value.js) === want);
      if (pair?.value) taken.add(pair.value);
      target = pair?.value ?? f.key ?? f.node;
    }
    else if ((f.node?.type === 'map' || f.node?.type === 'seq') && !f.node.flow) {
      // A block value (a mapping or a list) would underline many lines: its key, or a list item's first line.
      if (f.key) target = f.key;
      else return firstLine(f.node);
    } else target = f.node;
    const [s, e] = rangeOf(target);
    add(severity, code, message, s, e, field);

    function firstLine(n: LightNode): void {
      const [s, e] = n.range;
      const lineEnd = chunk.text.indexOf('\n', s);
      add(severity, code, message, s, Math.min(e, lineEnd < 0 ? chunk.text.length : lineEnd), field);
    }
  };

  if (schema) {
    const structural = checkStructure(schema, obj, { required: true });
    let typeErrors = false;
    const required: { path: string; message: string }[] = [];
    for (const p of structural.problems) {
      if (p.kind === 'unknown') fieldProblem('error', 'unknown-field', `strict decoding error: ${p.message}`, p.path, 'key');
      else if (p.kind === 'type') {
        typeErrors = true;
        fieldProblem('error', 'wrong-type', p.message, p.path, 'value');
      } else required.push(p);
    }
    const semantic = def && !typeErrors ? semanticErrors(def, structural.pruned as Obj) : [];
    const said = new Set(semantic.map((fe) => fe.toString()));
    for (const r of required) if (!said.has(r.message)) fieldProblem('error', 'required-field', r.message, r.path, 'parent');
    // Enums the registry does not check itself (its own NotSupported errors come first).
    const notSupported = new Set(semantic.filter((fe) => fe.type === 'NotSupported').map((fe) => fe.field));
    if (!typeErrors) {
      for (const e of enumProblems(schema, structural.pruned)) if (!notSupported.has(e.field) && !notSupported.has(e.field.replace(/\[\d+\]$/, ''))) fieldProblem('error', 'field-not-supported', e.message, e.field, 'value');
    }
    for (const fe of semantic) {
      const code = FIELD_CODES[fe.type];
      fieldProblem('error', code, fe.toString(), fe.field, fe.type === 'Required' ? 'parent' : 'value');
    }
  }
  for (const w of objectWarnings(kind, obj)) fieldProblem('warning', w.code, `${w.path}: ${w.message}`, w.path, 'value');
}

const FIELD_CODES: Record<string, ProblemCode> = {
  Required: 'field-required',
  Invalid: 'field-invalid',
  NotSupported: 'field-not-supported',
  Forbidden: 'field-forbidden',
  Duplicate: 'field-duplicate',
  TooLong: 'field-too-long',
  TooMany: 'field-too-many',
};

type Def = NonNullable<ReturnType<Registry['forKind']>>;

/** The registry's validation after its create-time defaulting, as the apiserver runs it. */
function semanticErrors(def: Def, pruned: Obj) {
  if (!def.validate) return [];
  const o = clone(pruned);
  o.metadata ??= {};
  if (def.namespaced && (o.metadata as Obj).namespace === undefined) (o.metadata as Obj).namespace = 'default';
  const meta = o.metadata as Obj;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName) meta.name = `${meta.generateName}xxxxx`;
  try {
    def.default?.(o);
    def.prepareForCreate?.(o, { now: new Date(), uid: newUID });
  } catch {
    // Defaulting a malformed object can throw; validation reports why.
  }
  try {
    return def.validate(o);
  } catch {
    return [];
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v === 'string' ? 'string' : 'object';
}

/** The key a DUPLICATE_KEY error points at: its source (plain, or quoted and unquoted here) and end. */
function duplicateKey(chunk: Chunk, e: YAMLError): { name: string; end: number } {
  const from = e.pos[0];
  const m = /^(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\n]|'')*)'|([^\n]*?))(?=[ \t]*:(?:[ \t\n]|$)|[ \t]*[,}\n]|$)/.exec(chunk.text.slice(from, from + 1000));
  if (!m) return { name: chunk.text.slice(from, e.pos[1]), end: e.pos[1] };
  const end = from + m[0].length;
  if (m[1] !== undefined) {
    try {
      return { name: JSON.parse(`"${m[1]}"`) as string, end };
    } catch {
      return { name: m[1], end };
    }
  }
  if (m[2] !== undefined) return { name: m[2].replace(/''/g, "'"), end };
  return { name: m[3].trim(), end };
}
