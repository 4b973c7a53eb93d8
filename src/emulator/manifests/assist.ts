// Help while typing a manifest, as plain data: the completion entries and the hover text at a
// cursor, from schema-path.ts's context and the Kubernetes schemas. src/extension/completion.ts
// and hover.ts turn these into VS Code's items; tests call them under Node.
//
// Hover speaks kubectl explain's words (staging/src/k8s.io/kubectl/pkg/explain/v2/templates/
// plaintext.tmpl): `FIELD: replicas <integer>`, `ENUM:` and the field's DESCRIPTION.

import type { Document } from 'yaml';
import { apiVersionOf, RESOURCES, type ResourceDef } from '../api/registry.ts';
import { resolve, type Schema } from '../api/schemas.ts';
import { HELM_MESSAGE, isHelmTemplate, isKustomization, KUSTOMIZATION_MESSAGE } from './validate.ts';
import { knownKeys, type KnownValue } from './known-values.ts';
import {
  blockWindow,
  cursorContext,
  documentBounds,
  explainDescription,
  fieldAt,
  isObjectSchema,
  parseYamlDocument,
  rootSchema,
  schemaAt,
  typeGuess,
  valuesFor,
  type CursorContext,
  type FieldSchema,
  type Scope,
} from './schema-path.ts';

export interface CompletionEntry {
  label: string;
  kind: 'field' | 'value';
  /** `<integer>`, `<[]Container>`... for fields; the apiVersion for kinds. */
  detail: string;
  required: boolean;
  /** Markdown. */
  documentation: string;
  insertText: string;
  /** Required fields first, then by name; values in their listed order. */
  sortText: string;
  /** Offsets of the text the entry replaces (the word under the cursor). */
  start: number;
  end: number;
  /** Ask for suggestions again after inserting it (values follow, e.g. after `imagePullPolicy: `). */
  retrigger: boolean;
}

export interface HoverResult {
  markdown: string;
  start: number;
  end: number;
}

/**
 * One YAML document of a file, parsed: its text, and where it starts in the file; or, for a large
 * document, the window of it around the cursor (blockWindow) and where that sits in the document.
 */
export interface LocatedDocument {
  doc: Document.Parsed;
  text: string;
  base: number;
  scope?: Scope;
}

/** Documents longer than this many lines are parsed by windows around the cursor. */
export const WINDOW_THRESHOLD = 300;

function lineCountAbove(text: string, limit: number): boolean {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (++n > limit) return true;
  return false;
}

/** The part of a file to parse for `offset`: its document, or a window of a large one. */
function partAt(text: string, offset: number): { start: number; end: number; scope?: Scope } | undefined {
  const b = documentBounds(text, offset);
  if (!b) return undefined;
  const slice = text.slice(b.start, b.end);
  if (!lineCountAbove(slice, WINDOW_THRESHOLD)) return b;
  const w = blockWindow(slice, offset - b.start);
  if (!w) return b;
  const { start, end, ...scope } = w;
  return { start: b.start + start, end: b.start + end, scope };
}

/** Parses the YAML document at `offset` of a file's text (only that one: see documentBounds). */
export type DocumentLocator = (text: string, offset: number) => LocatedDocument | undefined;

export const locateDocument: DocumentLocator = (text, offset) => {
  const b = partAt(text, offset);
  if (!b) return undefined;
  const slice = text.slice(b.start, b.end);
  return { doc: parseYamlDocument(slice), text: slice, base: b.start, ...(b.scope && { scope: b.scope }) };
};

/**
 * Keeps the parsed documents of one file version: completion and hover at any cursor of the same
 * version reuse them; a new version drops them. Keyed by the caller (a document URI).
 */
export class DocumentCache {
  private readonly files = new Map<string, { version: number; text: string; docs: Map<string, LocatedDocument> }>();

  locate(key: string, version: number, getText: () => string, offset: number): { file: string; located?: LocatedDocument } {
    let f = this.files.get(key);
    if (!f || f.version !== version) {
      f = { version, text: getText(), docs: new Map() };
      this.files.set(key, f);
    }
    const b = partAt(f.text, offset);
    if (!b) return { file: f.text };
    const k = `${b.start}:${b.end}`;
    let located = f.docs.get(k);
    if (!located) {
      const slice = f.text.slice(b.start, b.end);
      located = { doc: parseYamlDocument(slice), text: slice, base: b.start, ...(b.scope && { scope: b.scope }) };
      f.docs.set(k, located);
    }
    return { file: f.text, located };
  }

  delete(key: string): void {
    this.files.delete(key);
  }
}

// --- kinds the emulator serves ----------------------------------------------------------------

let served: ResourceDef[] | undefined;
/** The kinds a manifest can create on the emulator: served, creatable, stored (not reviews). */
function servedKinds(): ResourceDef[] {
  served ??= RESOURCES.filter((d) => !d.review && d.verbs.includes('create'));
  return served;
}

function byVersion(a: ResourceDef, b: ResourceDef): number {
  // The preferred (newest) version of a group first: autoscaling/v2 before autoscaling/v1.
  return a.group === b.group ? b.version.localeCompare(a.version, 'en', { numeric: true }) : 0;
}

/** The kinds and the apiVersions of the served kinds, for the root's `kind` and `apiVersion`. */
function kindValues(apiVersion: string | undefined): CompletionValue[] {
  const defs = servedKinds();
  const inVersion = apiVersion ? defs.filter((d) => apiVersionOf(d) === apiVersion) : [];
  const list = inVersion.length ? inVersion : defs;
  const seen = new Set<string>();
  const out: CompletionValue[] = [];
  for (const d of [...list].sort(byVersion)) {
    if (seen.has(d.kind)) continue;
    seen.add(d.kind);
    out.push({ value: d.kind, detail: apiVersionOf(d) });
  }
  return out.sort((a, b) => a.value.localeCompare(b.value));
}

function apiVersionValues(kind: string | undefined): CompletionValue[] {
  const defs = servedKinds();
  const forKind = kind ? defs.filter((d) => d.kind === kind).sort(byVersion) : [];
  if (forKind.length) return forKind.map((d) => ({ value: apiVersionOf(d), detail: d.kind }));
  const seen = new Set<string>();
  const out: CompletionValue[] = [];
  for (const d of defs) {
    const v = apiVersionOf(d);
    if (!seen.has(v)) {
      seen.add(v);
      out.push({ value: v, detail: '' });
    }
  }
  return out.sort((a, b) => a.value.localeCompare(b.value));
}

interface CompletionValue {
  value: string;
  detail: string;
  doc?: string;
}

// --- completion ------------------------------------------------------------------------------

/**
 * Fields left out of key completion: what the system writes (`status` at the root, ObjectMeta's
 * "Populated by the system. Read-only." fields, managedFields, the deprecated selfLink).
 */
function systemOwned(name: string, declared: Schema, atRoot: boolean): boolean {
  if (atRoot && name === 'status') return true;
  if (name === 'managedFields' || name === 'selfLink') return true;
  return /\bRead-only\./.test(declared.description ?? '');
}

function hasKnownValues(field: FieldSchema, atRoot: boolean): boolean {
  if (atRoot && (field.name === 'apiVersion' || field.name === 'kind')) return true;
  if (valuesFor(field)) return true;
  return resolve(field.declared).type === 'boolean';
}

function keyInsertText(name: string, declared: Schema, ctx: CursorContext): string {
  if (ctx.hasColon) return name;
  if (ctx.flow) return `${name}: `;
  const r = resolve(declared);
  if (r.type === 'array' || r.items) return `${name}:\n${' '.repeat(ctx.column)}- `;
  const isMap = !!r.additionalProperties && typeof r.additionalProperties === 'object';
  if (isObjectSchema(r) || isMap) return `${name}:\n${' '.repeat(ctx.column + 2)}`;
  return `${name}: `;
}

/** The completion entries at `offset` of `text` (one parsed document, positions in `text`). */
export function completionsInDocument(doc: Document.Parsed, text: string, offset: number, scope?: Scope): CompletionEntry[] {
  const ctx = cursorContext(doc, text, offset, scope);
  if (!ctx) return [];
  const root = rootSchema(ctx.apiVersion, ctx.kind);
  if (ctx.at === 'key') {
    const parent = schemaAt(root, ctx.path);
    if (!parent) return [];
    const r = resolve(parent);
    if (!r.properties && r.items && isObjectSchema(r.items) && !ctx.flow && ctx.word === '') {
      // A new line under a list of objects (`ports:` then Enter): its first item's keys, as `- key`.
      const item: CursorContext = { ...ctx, path: [...ctx.path, 0], column: ctx.column + 2, present: [], hasColon: false };
      return keyEntries(root, item).map((e) => ({ ...e, insertText: `- ${e.insertText}` }));
    }
    if (!r.properties) return mapKeyEntries(root, ctx);
    return keyEntries(root, ctx);
  }
  const values = valuesAt(ctx, root);
  const space = ctx.start > 0 && text[ctx.start - 1] === ':' ? ' ' : '';
  return values.map((v, i) => {
    const literal = v.value === '' ? '""' : v.value;
    return {
      label: literal,
      kind: 'value' as const,
      detail: v.detail,
      required: false,
      documentation: v.doc ? valueDocMarkdown(literal, v.doc) : '',
      insertText: space + literal,
      sortText: String(i).padStart(4, '0'),
      start: ctx.start,
      end: ctx.end,
      retrigger: false,
    };
  });
}

/** The fields of the mapping at the cursor that are not there yet: required first, then by name. */
function keyEntries(root: Schema, ctx: CursorContext): CompletionEntry[] {
  const props = resolve(schemaAt(root, ctx.path) ?? {}).properties ?? {};
  const atRoot = ctx.path.length === 0;
  const present = new Set(ctx.present);
  const entries: CompletionEntry[] = [];
  for (const name of Object.keys(props).sort()) {
    if (present.has(name)) continue;
    const field = fieldAt(root, [...ctx.path, name]);
    if (!field || systemOwned(name, field.declared, atRoot)) continue;
    entries.push({
      label: name,
      kind: 'field',
      detail: `<${typeGuess(field.declared)}>${field.required ? ' -required-' : ''}`,
      required: field.required,
      documentation: fieldMarkdown(field, ctx.kind, [...ctx.path, name]),
      insertText: keyInsertText(name, field.declared, ctx),
      sortText: `${field.required ? 0 : 1}${name}`,
      start: ctx.start,
      end: ctx.end,
      retrigger: !ctx.hasColon && hasKnownValues(field, atRoot),
    });
  }
  return entries.sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : 0));
}

/** The keys Kubernetes names for a map (`limits`: cpu, memory...), not yet present. */
function mapKeyEntries(root: Schema, ctx: CursorContext): CompletionEntry[] {
  const field = fieldAt(root, ctx.path);
  const keys = field?.owner && knownKeys(field.owner.definition, field.owner.property);
  if (!field || !keys) return [];
  const r = resolve(field.declared);
  const value = r.additionalProperties && typeof r.additionalProperties === 'object' ? r.additionalProperties : {};
  const present = new Set(ctx.present);
  return keys
    .filter((k) => !present.has(k))
    .map((k, i) => ({
      label: k,
      kind: 'field' as const,
      detail: `<${typeGuess(value)}>`,
      required: false,
      documentation: fieldMarkdown(field, ctx.kind, ctx.path),
      insertText: ctx.hasColon ? k : `${k}: `,
      sortText: `1${String(i).padStart(4, '0')}`,
      start: ctx.start,
      end: ctx.end,
      retrigger: false,
    }));
}

function valuesAt(ctx: CursorContext, root: Schema): CompletionValue[] {
  if (ctx.path.length === 1 && ctx.path[0] === 'kind') return kindValues(ctx.apiVersion);
  if (ctx.path.length === 1 && ctx.path[0] === 'apiVersion') return apiVersionValues(ctx.kind);
  const field = fieldAt(root, ctx.path);
  if (!field) return [];
  const known: KnownValue[] | undefined = valuesFor(field);
  if (known && (resolve(field.declared).type !== 'array' || typeof ctx.path[ctx.path.length - 1] === 'number')) {
    return known.map((k) => ({ value: k.value, detail: '', ...(k.doc && { doc: k.doc }) }));
  }
  if (resolve(field.declared).type === 'boolean') return [{ value: 'true', detail: '' }, { value: 'false', detail: '' }];
  return [];
}

/** The completion entries at `offset` of a whole file (multi-document), positions in the file. */
export function completionsAt(text: string, offset: number, locate: DocumentLocator = locateDocument): CompletionEntry[] {
  const at = locate(text, offset);
  if (!at) return [];
  return completionsInDocument(at.doc, at.text, offset - at.base, at.scope).map((e) => ({ ...e, start: e.start + at.base, end: e.end + at.base }));
}

// --- hover -----------------------------------------------------------------------------------

/**
 * Text for Markdown, shown as written: the characters Markdown would interpret are escaped, and
 * only those (a URL keeps its dots and dashes, so it stays a link).
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\\`*<>[\]]|(?<!\w)_|_(?!\w)/g, (c) => `\\${c}`)
    .replace(/^([ \t]*)([#+-]|\d+\.)/gm, (_m, ws: string, c: string) => `${ws}\\${c}`);
}

function explainPath(kind: string | undefined, path: (string | number)[]): string | undefined {
  if (!kind) return undefined;
  const def = servedKinds().find((d) => d.kind === kind);
  const resource = def?.singular ?? kind.toLowerCase();
  const fields = path.filter((p): p is string => typeof p === 'string');
  return `kubectl explain ${[resource, ...fields].join('.')}`;
}

/** A field as kubectl explain shows it: FIELD and ENUM in a block, then its DESCRIPTION. */
export function fieldMarkdown(field: FieldSchema, kind: string | undefined, path: (string | number)[], valueDoc?: string): string {
  const name = typeof field.name === 'number' ? path.filter((p) => typeof p === 'string').pop() : field.name;
  const lines = [`FIELD: ${name} <${typeGuess(field.declared)}>${field.required ? ' -required-' : ''}`];
  const values = valuesFor(field);
  if (values) lines.push('ENUM:', ...values.map((v) => `    ${v.value === '' ? '""' : v.value}`));
  const parts = ['```text\n' + lines.join('\n') + '\n```'];
  if (valueDoc) parts.push(valueDoc);
  const description = explainDescription(field.declared);
  parts.push(escapeMarkdown(description || '<no description>').replace(/\n/g, '\n\n'));
  const explain = explainPath(kind, path);
  if (explain) parts.push('`' + explain + '`');
  return parts.join('\n\n');
}

function valueDocMarkdown(literal: string, doc: string): string {
  return `\`"${literal}"\` ${escapeMarkdown(doc)}`;
}

function kindMarkdown(apiVersion: string | undefined, kind: string): string | undefined {
  if (!apiVersion) return undefined;
  const s = rootSchema(apiVersion, kind);
  if (!s['x-kubernetes-group-version-kind']) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const head = [...(group ? [`GROUP:      ${group}`] : []), `KIND:       ${kind}`, `VERSION:    ${version}`];
  return '```text\n' + head.join('\n') + '\n```\n\n' + escapeMarkdown(s.description ?? '<empty>');
}

/** Why a file is recognised and not checked as a manifest (validate.ts's words), or undefined for a manifest file. */
export function notAManifest(text: string, fileName: string): string | undefined {
  if (isKustomization(fileName)) return KUSTOMIZATION_MESSAGE;
  if (text.includes('{{') && isHelmTemplate(text)) return HELM_MESSAGE;
  return undefined;
}

/** The hover at `offset` of one parsed document (positions in `text`). */
export function hoverInDocument(doc: Document.Parsed, text: string, offset: number, scope?: Scope): HoverResult | undefined {
  const ctx = cursorContext(doc, text, offset, scope);
  if (!ctx || ctx.word === '') return undefined;
  const root = rootSchema(ctx.apiVersion, ctx.kind);
  if (ctx.at === 'key') {
    const path = [...ctx.path, ctx.word.replace(/^(["'])(.*)\1$/, '$2')];
    const field = fieldAt(root, path);
    if (!field) return undefined;
    return { markdown: fieldMarkdown(field, ctx.kind, path), start: ctx.start, end: ctx.end };
  }
  if (ctx.path.length === 1 && ctx.path[0] === 'kind') {
    const md = kindMarkdown(ctx.apiVersion, ctx.word.replace(/^(["'])(.*)\1$/, '$2'));
    if (md) return { markdown: md, start: ctx.start, end: ctx.end };
  }
  const field = fieldAt(root, ctx.path);
  if (!field) return undefined;
  const word = ctx.word.replace(/^(["'])(.*)\1$/, '$2');
  const known = valuesFor(field)?.find((v) => v.value === word);
  const valueDoc = known?.doc ? valueDocMarkdown(known.value, known.doc) : undefined;
  // On an item of a list (`- ReadWriteOnce`): the list's field, with the item's value doc.
  const listPath = typeof field.name === 'number' ? ctx.path.slice(0, -1) : ctx.path;
  const shown = listPath === ctx.path ? field : (fieldAt(root, listPath) ?? field);
  return { markdown: fieldMarkdown(shown, ctx.kind, listPath, valueDoc), start: ctx.start, end: ctx.end };
}

/** The hover at `offset` of a whole file; `fileName` recognises kustomization files. */
export function hoverAt(text: string, offset: number, fileName = '', locate: DocumentLocator = locateDocument): HoverResult | undefined {
  const notice = notAManifest(text, fileName);
  if (notice) {
    // On any word: the notice (what it is, and that it is not checked as a manifest).
    const ls = text.lastIndexOf('\n', offset - 1) + 1;
    const le = text.indexOf('\n', offset);
    const line = text.slice(ls, le < 0 ? text.length : le);
    if (line.trim() === '') return undefined;
    return { markdown: notice, start: ls, end: ls + line.length };
  }
  const at = locate(text, offset);
  if (!at) return undefined;
  const h = hoverInDocument(at.doc, at.text, offset - at.base, at.scope);
  return h && { ...h, start: h.start + at.base, end: h.end + at.base };
}
