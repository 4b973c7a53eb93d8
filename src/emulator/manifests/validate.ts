// Manifest validation shared by `kube-emulator validate` and the editor: the cluster's own rules
// (the apiserver's registry and strategies), located on the YAML source with exact positions.

import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { Registry } from '../api/registry.ts';
import { clone, type Obj } from '../api/objects.ts';
import { newUID } from '../api/objects.ts';

export interface Problem {
  /** 1-based line and column. */
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: 'error' | 'warning';
  message: string;
}

const registry = new Registry();

/** Splits a field path like `spec.containers[0].image` into keys and indexes. */
export function splitFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3]);
  }
  return out;
}

/** The node for the deepest part of path that exists in the document, and whether it was all found. */
function locate(doc: Document, path: (string | number)[]): { node: Node | null; key?: Node; exact: boolean } {
  let node: Node | null = doc.contents as Node | null;
  let key: Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(p));
      if (!pair) return { node, key, exact: false };
      key = pair.key as Node;
      node = (pair.value as Node) ?? key;
    } else if (isSeq(node) && typeof p === 'number' && node.items[p]) {
      node = node.items[p] as Node;
      key = undefined;
    } else {
      return { node, key, exact: false };
    }
  }
  return { node, key, exact: true };
}

/** The yaml package's message without the position and source excerpt it appends. */
function yamlMessage(m: string): string {
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function isHelmTemplate(text: string): boolean {
  return /\{\{[\s\S]*?\}\}/.test(text);
}

/** Validates the text of one file; returns problems sorted by position. */
export function validateText(text: string, fileName = ''): Problem[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  const problems: Problem[] = [];
  const at = (start: number, end: number, severity: Problem['severity'], message: string) => {
    const s = lc.linePos(start);
    const e = lc.linePos(Math.max(start, end));
    problems.push({ line: s.line, col: s.col, endLine: e.line, endCol: e.col, severity, message });
  };
  if (isHelmTemplate(text) || /(^|[\\/])kustomization\.ya?ml$/.test(fileName)) return [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    if (doc.errors.length) {
      for (const err of doc.errors) at(err.pos[0], err.pos[1], 'error', yamlMessage(err.message));
      continue;
    }
    for (const w of doc.warnings) at(w.pos[0], w.pos[1], 'warning', yamlMessage(w.message));
    const contents = doc.contents as Node | null;
    if (!contents) continue;
    const [start, , end] = contents.range ?? [0, 0, 0];
    if (!isMap(contents)) {
      at(start, end, 'error', 'expected a Kubernetes object: a mapping with apiVersion and kind');
      continue;
    }
    const obj = doc.toJS() as Obj;
    const missing = [!obj.apiVersion && 'apiVersion not set', !obj.kind && 'kind not set'].filter(Boolean) as string[];
    if (missing.length) {
      at(start, start, 'error', `error validating data: ${missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`}`);
      continue;
    }
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      const { node } = locate(doc, [typeof obj.apiVersion !== 'string' ? 'apiVersion' : 'kind']);
      at(node?.range?.[0] ?? start, node?.range?.[1] ?? start, 'error', 'apiVersion and kind must be strings');
      continue;
    }
    const def = registry.forKind(obj.apiVersion, obj.kind);
    if (!def) {
      const { node } = locate(doc, ['kind']);
      at(node?.range?.[0] ?? start, node?.range?.[1] ?? start, 'error', `no matches for kind "${obj.kind}" in version "${obj.apiVersion}"`);
      continue;
    }
    const o = clone(obj);
    o.metadata ??= {};
    if (def.namespaced) o.metadata.namespace ??= 'default';
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}xxxxx`;
    try {
      def.prepareForCreate?.(o, { now: new Date(), uid: newUID });
    } catch {
      // Defaulting a malformed object can throw; validation below reports why.
    }
    for (const fe of def.validate?.(o) ?? []) {
      const { node, key, exact } = locate(doc, splitFieldPath(fe.field));
      const target = exact ? (fe.type === 'Required' ? (key ?? node) : node) : node;
      const r = target?.range ?? contents.range!;
      at(r[0], r[1], 'error', fe.toString());
    }
  }
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}
