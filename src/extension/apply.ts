// Client-side apply, as `kubectl apply` does it (kubectl/pkg/cmd/apply/apply.go and patcher.go):
// GET the object; on 404 create it with the last-applied-configuration annotation; otherwise send a
// strategic merge patch computed three ways (last-applied, the file, the live object), and say
// `created`, `configured` or `unchanged` in kubectl's words.
//
// Requests go through an ApplyClient (client.ts: @kubernetes/client-node from a KubeConfig), so this
// works unchanged against a real cluster. No `vscode` import here: plain logic, unit-tested under Node.
import type { V1APIResource } from '@kubernetes/client-node';
import { mergeKeyFor } from '../emulator/api/merge-keys.ts';
import * as l10n from './l10n.ts';
import { formatProblem, type Manifest, type ParsedFile } from './manifests.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** kubectl's field manager for client-side apply; sharing it keeps our applies and kubectl's interchangeable. */
export const FIELD_MANAGER = 'kubectl-client-side-apply';

type Obj = Record<string, unknown>;

/** What apply needs from a Kubernetes client; `ClusterClient` (client.ts) provides it over client-node. */
export interface ApplyClient {
  /** The kubeconfig context's namespace, for namespaced objects that name none. */
  readonly namespace: string;
  /** Discovery: the resource serving `kind` in `apiVersion`, or undefined when the server has none. */
  mapping(apiVersion: string, kind: string): Promise<V1APIResource | undefined>;
  /** One request with a JSON body; resolves to the parsed reply, rejects with an error carrying `.code` and `.body`. */
  send(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    opts?: { query?: Record<string, string>; body?: unknown; contentType?: string },
  ): Promise<any>;
}

export type Outcome = 'created' | 'configured' | 'unchanged' | 'error';
export interface ApplyResult {
  manifest: Manifest;
  outcome: Outcome;
  /** `pod/nginx`, as kubectl names objects (kind lowercased, dot group). */
  ref?: string;
  /** The line kubectl would print: `pod/nginx created`, `Error from server (Invalid): ...`. */
  message: string;
}

export interface ApplyOptions {
  /** The file name used in messages, as kubectl uses the path it was given. */
  file: string;
}

/**
 * Applies every Kubernetes document of a parsed file, in order. A file with a syntax error applies
 * nothing and returns no results: check `parsed.errors` first (see `syntaxErrorLines`).
 */
export async function applyFile(client: ApplyClient, parsed: ParsedFile, opts: ApplyOptions): Promise<ApplyResult[]> {
  if (parsed.errors.length > 0) return [];
  const results: ApplyResult[] = [];
  for (const m of parsed.manifests) results.push(await applyManifest(client, m, opts));
  return results;
}

/** `FILE:LINE:COL: MESSAGE` for every syntax error; non-empty means nothing may be applied. */
export function syntaxErrorLines(parsed: ParsedFile, file: string): string[] {
  return parsed.errors.map((p) => formatProblem(file, p));
}

export async function applyManifest(client: ApplyClient, m: Manifest, opts: ApplyOptions): Promise<ApplyResult> {
  const fail = (message: string, ref?: string): ApplyResult => ({ manifest: m, outcome: 'error', ref, message });
  const loc = await locate(client, m, opts.file);
  if ('error' in loc) return fail(loc.error);
  const { ref, collection, item, manifest } = loc;

  const { modified } = withLastApplied(manifest);
  const query = { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' };

  let live: Obj | undefined;
  try {
    live = await client.send('GET', item);
  } catch (e) {
    if (errorCode(e) !== 404) return fail(serverError(e, `error when retrieving current configuration of ${ref} from "${opts.file}": `), ref);
  }
  if (!live) {
    try {
      await client.send('POST', collection, { query, body: modified });
      return { manifest: m, outcome: 'created', ref, message: `${ref} created` };
    } catch (e) {
      return fail(serverError(e, `error when creating "${opts.file}": `), ref);
    }
  }

  const liveMeta = isObj(live.metadata) ? live.metadata : {};
  const liveAnnotations = isObj(liveMeta.annotations) ? liveMeta.annotations : {};
  let original: Obj | undefined;
  if (typeof liveAnnotations[LAST_APPLIED] === 'string') {
    try {
      const parsed: unknown = JSON.parse(liveAnnotations[LAST_APPLIED] as string);
      if (isObj(parsed)) original = parsed;
    } catch {
      // A corrupt annotation: apply as if there were none (no deletions), as kubectl does not either.
    }
  }
  const patch = threeWayMergePatch(original, modified, live);
  if (Object.keys(patch).length === 0) return { manifest: m, outcome: 'unchanged', ref, message: `${ref} unchanged` };
  try {
    const after: Obj = await client.send('PATCH', item, {
      query,
      body: patch,
      contentType: 'application/strategic-merge-patch+json',
    });
    const before = liveMeta.resourceVersion;
    const now = isObj(after.metadata) ? after.metadata.resourceVersion : undefined;
    if (before !== undefined && before === now) return { manifest: m, outcome: 'unchanged', ref, message: `${ref} unchanged` };
    return { manifest: m, outcome: 'configured', ref, message: `${ref} configured` };
  } catch (e) {
    return fail(serverError(e, `error when patching "${opts.file}": `), ref);
  }
}

/**
 * kubectl's GetModifiedConfiguration: the annotation holds the object as applied (without the
 * annotation itself, `annotations: {}` kept), as JSON with sorted keys and a trailing newline
 * (Go's json.Encoder), so kubectl and this extension read each other's annotations.
 */
export function withLastApplied(manifest: Obj): { lastApplied: string; modified: Obj } {
  const obj = structuredClone(manifest);
  const meta = isObj(obj.metadata) ? obj.metadata : (obj.metadata = {});
  const annotations = isObj(meta.annotations) ? meta.annotations : {};
  delete annotations[LAST_APPLIED];
  meta.annotations = annotations;
  const lastApplied = sortedJson(obj) + '\n';
  const modified = structuredClone(obj);
  (modified.metadata as Obj).annotations = { ...annotations, [LAST_APPLIED]: lastApplied };
  return { lastApplied, modified };
}

export function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    isObj(value) ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])) : value,
  );
}

/**
 * The merge key of the list at `path` in an object of `kind`, from the `patchMergeKey` tags of
 * k8s.io/api (the table the emulator's own strategic merge patch uses), when every element has it.
 * Lists without one are replaced whole, as kubectl's patch would replace them.
 */
function mergeKey(kind: string, path: string[], ...lists: unknown[][]): string | undefined {
  const meta = mergeKeyFor(kind, path);
  const key = meta?.key;
  if (!key || !meta.strategy.includes('merge')) return undefined;
  return lists.every((l) => l.every((e) => isObj(e) && e[key] !== undefined && e[key] !== null)) ? key : undefined;
}

function retainsKeys(kind: string, path: string[]): boolean {
  return mergeKeyFor(kind, path)?.strategy.includes('retainKeys') ?? false;
}

/**
 * kubectl's CreateThreeWayMergePatch (apimachinery strategicpatch): changes and additions from the
 * live object to the file, plus deletions of what the last apply had and the file no longer has.
 * An empty result means there is nothing to send (`unchanged`).
 */
export function threeWayMergePatch(original: Obj | undefined, modified: Obj, current: Obj): Obj {
  const kind = typeof modified.kind === 'string' ? modified.kind : '';
  const delta = diffAdditions(kind, [], current, modified);
  const deletions = original ? diffDeletions(kind, [], original, modified) : {};
  return mergePatches(deletions, delta);
}

function diffAdditions(kind: string, path: string[], current: Obj, modified: Obj): Obj {
  const patch: Obj = {};
  for (const [k, mv] of Object.entries(modified)) {
    const cv = current[k];
    if (!(k in current) || cv === undefined) {
      if (mv !== null) patch[k] = mv;
      continue;
    }
    const at = [...path, k];
    if (isObj(mv) && isObj(cv)) {
      const sub = diffAdditions(kind, at, cv, mv);
      if (Object.keys(sub).length > 0) patch[k] = sub;
      continue;
    }
    if (Array.isArray(mv) && Array.isArray(cv)) {
      const key = mergeKey(kind, at, mv, cv);
      if (key) {
        const items: Obj[] = [];
        for (const me of mv as Obj[]) {
          const ce = (cv as Obj[]).find((c) => deepEqual(c[key], me[key]));
          if (!ce) items.push(me);
          else {
            const sub = diffAdditions(kind, at, ce, me);
            if (Object.keys(sub).length > 0) {
              // retainKeys lists (volumes: a volume's source is one-of) drop keys the file no longer names.
              if (retainsKeys(kind, at)) sub.$retainKeys = Object.keys(me).sort();
              items.push({ [key]: me[key], ...sub });
            }
          }
        }
        if (items.length > 0) {
          patch[k] = items;
          patch[`$setElementOrder/${k}`] = (mv as Obj[]).map((e) => ({ [key]: e[key] }));
        }
        continue;
      }
    }
    if (!deepEqual(mv, cv)) patch[k] = mv;
  }
  return patch;
}

function diffDeletions(kind: string, path: string[], original: Obj, modified: Obj): Obj {
  const patch: Obj = {};
  for (const [k, ov] of Object.entries(original)) {
    if (!(k in modified)) {
      patch[k] = null;
      continue;
    }
    const mv = modified[k];
    const at = [...path, k];
    if (isObj(ov) && isObj(mv)) {
      const sub = diffDeletions(kind, at, ov, mv);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (Array.isArray(ov) && Array.isArray(mv)) {
      const key = mergeKey(kind, at, ov, mv);
      if (!key) continue;
      const items: Obj[] = [];
      for (const oe of ov as Obj[]) {
        const me = (mv as Obj[]).find((e) => deepEqual(e[key], oe[key]));
        if (!me) items.push({ [key]: oe[key], $patch: 'delete' });
        else {
          const sub = diffDeletions(kind, at, oe, me);
          if (Object.keys(sub).length > 0) items.push({ [key]: oe[key], ...sub });
        }
      }
      if (items.length > 0) {
        patch[k] = items;
        patch[`$setElementOrder/${k}`] = (mv as Obj[]).map((e) => ({ [key]: e[key] }));
      }
    }
  }
  return patch;
}

/** Merges the deletions patch `a` into the changes patch `b`; merge-key lists merge element by element. */
function mergePatches(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (isObj(av) && isObj(bv)) out[k] = mergePatches(av, bv);
    else if (Array.isArray(av) && Array.isArray(bv) && !k.startsWith('$setElementOrder/')) {
      // Both sides only hold merge-key lists; the key is the one field of the element-order entries.
      const order = (b[`$setElementOrder/${k}`] ?? a[`$setElementOrder/${k}`]) as Obj[] | undefined;
      const key = order?.[0] ? Object.keys(order[0])[0] : undefined;
      const merged: Obj[] = [...(bv as Obj[])];
      for (const ae of av as Obj[]) {
        const i = key ? merged.findIndex((be) => deepEqual(be[key], ae[key])) : -1;
        if (i >= 0) merged[i] = mergePatches(ae, merged[i]);
        else merged.push(ae);
      }
      out[k] = merged;
    } else out[k] = bv;
  }
  return out;
}

/** kubectl's wording for an API error: `Error from server (Reason): message` from the Status body. */
export function serverError(e: unknown, context: string): string {
  const status = statusOf(e);
  if (status && typeof status.message === 'string') {
    const reason = typeof status.reason === 'string' && status.reason ? ` (${status.reason})` : '';
    return `Error from server${reason}: ${context}${status.message}`;
  }
  const code = errorCode(e);
  if (code !== undefined) return `Error from server: ${context}the server responded with HTTP ${code}`;
  const msg = e instanceof Error ? e.message : String(e);
  return `error: ${context}${msg}`;
}

/** The metav1.Status of a client-node ApiException (its `.body` is the JSON text, or already parsed). */
export function statusOf(e: unknown): Obj | undefined {
  const body = (e as { body?: unknown } | null)?.body;
  if (isObj(body)) return body;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return isObj(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function errorCode(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function collectionPath(apiVersion: string, plural: string, namespace?: string): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${root}/${plural}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** Counts by outcome, for the notification: `1 created, 2 unchanged, 1 failed`. */
export function summarize(results: ApplyResult[]): string {
  if (results.length === 1) return results[0].message.split('\n')[0];
  const counts = new Map<Outcome, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  // Our words, in the user's language (one result is kubectl's own line, above).
  const words: [Outcome, (n: number) => string][] = [
    ['created', (n) => l10n.t('{0} created', n)],
    ['configured', (n) => l10n.t('{0} configured', n)],
    ['unchanged', (n) => l10n.t('{0} unchanged', n)],
    ['error', (n) => l10n.t('{0} failed', n)],
  ];
  const parts = words.filter(([o]) => counts.has(o)).map(([o, word]) => word(counts.get(o)!));
  // kubectl's error for nothing to apply.
  return parts.length > 0 ? parts.join(', ') : 'no objects passed to apply';
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Server-side apply, the extension's apply: PATCH with `application/apply-patch+yaml` under a field
// manager of our own, so kubectl (client-side or --server-side) and the extension share objects and
// the apiserver tells who owns what (a conflict is its 409, answered with "Force apply").

/** The field manager of the extension's server-side applies. */
export const SSA_FIELD_MANAGER = 'kube-emulator-vscode';

export interface ServerSideApplyOptions extends ApplyOptions {
  /** `dryRun=All`: the apiserver runs admission and validation and stores nothing. */
  dryRun?: boolean;
  /** `force=true`: take the fields other managers own (after a conflict). */
  force?: boolean;
}

export interface SsaResult extends ApplyResult {
  /** True when the error is the apiserver's apply conflict (409): "Force apply" may resolve it. */
  conflict?: boolean;
  /** The object before the apply (undefined: it did not exist). */
  live?: Obj;
  /** What the apiserver returned: the object as stored (or as it would be stored, on a dry run). */
  applied?: Obj;
  /** The object's collection and name, for the existence index. */
  at?: { collection: string; name: string };
}

/** Where a document's object lives on the server, resolved through discovery. */
export interface ObjectLocation {
  ref: string;
  /** `deployment.apps "web"`, as kubectl delete names it (kind lowercased, dot group, quoted name). */
  deleteRef: string;
  collection: string;
  item: string;
  namespace?: string;
  name: string;
  manifest: Obj;
}

/** Resolves a document to its server location, or the error line kubectl would print. */
export async function locate(client: ApplyClient, m: Manifest, file: string): Promise<ObjectLocation | { error: string }> {
  const line = `${file}:${m.range.start.line + 1}:${m.range.start.character + 1}`;
  if (!isObj(m.object)) return { error: `error: ${line}: the document is not a Kubernetes object (a mapping with apiVersion and kind)` };
  const missing = ['apiVersion', 'kind'].filter((k) => typeof (m.object as Obj)[k] !== 'string' || !(m.object as Obj)[k]);
  if (missing.length > 0) {
    return { error: `error: error validating "${file}": error validating data: [${missing.map((k) => `${k} not set`).join(', ')}]` };
  }
  const manifest = structuredClone(m.object) as Obj;
  const apiVersion = manifest.apiVersion as string;
  const kind = manifest.kind as string;
  const meta = isObj(manifest.metadata) ? manifest.metadata : (manifest.metadata = {});
  const name = typeof meta.name === 'string' ? meta.name : '';
  const fileNamespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  let resource: V1APIResource | undefined;
  try {
    resource = await client.mapping(apiVersion, kind);
  } catch (e) {
    return { error: serverError(e, '') };
  }
  if (!resource) {
    return {
      error:
        `error: resource mapping not found for name: "${name}" namespace: "${fileNamespace}" from "${file}": ` +
        `no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`,
    };
  }
  if (!name) return { error: `error: error when retrieving current configuration of ${kind} from "${file}": resource name may not be empty` };
  if (resource.namespaced && !fileNamespace) meta.namespace = client.namespace;
  const namespace = resource.namespaced ? (meta.namespace as string) : undefined;
  const group = groupOf(apiVersion);
  const collection = collectionPath(apiVersion, resource.name, namespace);
  return {
    ref: `${kind.toLowerCase()}${group ? '.' + group : ''}/${name}`,
    deleteRef: `${kind.toLowerCase()}${group ? '.' + group : ''} "${name}"`,
    collection,
    item: `${collection}/${encodeURIComponent(name)}`,
    namespace,
    name,
    manifest,
  };
}

/** The query of an apply request: our field manager, force and dry-run as asked, strict field validation as kubectl sends. */
export function applyQuery(opts: { dryRun?: boolean; force?: boolean }): Record<string, string> {
  const q: Record<string, string> = { fieldManager: SSA_FIELD_MANAGER, fieldValidation: 'Strict', force: opts.force ? 'true' : 'false' };
  if (opts.dryRun) q.dryRun = 'All';
  return q;
}

export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';

/**
 * The outcome in kubectl's words: `created` when the object did not exist, `unchanged` when the
 * apply did not move it (the resourceVersion; on a dry run, which never moves it, the object
 * itself apart from managedFields timestamps), `configured` otherwise.
 */
export function outcomeOf(live: Obj | undefined, applied: Obj, dryRun: boolean): 'created' | 'configured' | 'unchanged' {
  if (!live) return 'created';
  if (!dryRun) {
    const before = isObj(live.metadata) ? live.metadata.resourceVersion : undefined;
    const after = isObj(applied.metadata) ? applied.metadata.resourceVersion : undefined;
    return before !== undefined && before === after ? 'unchanged' : 'configured';
  }
  return deepEqual(withoutVolatile(live), withoutVolatile(applied)) ? 'unchanged' : 'configured';
}

function withoutVolatile(o: Obj): Obj {
  const c = structuredClone(o);
  if (isObj(c.metadata)) {
    delete c.metadata.managedFields;
    delete c.metadata.resourceVersion;
  }
  return c;
}

/**
 * One document through server-side apply. The GET before tells `created` from the rest and gives the
 * live object to the diff; the apply itself is one PATCH (it creates the object when missing).
 * kubectl's dry-run printer adds ` (server dry run)` to the line.
 */
export async function serverSideApply(client: ApplyClient, m: Manifest, opts: ServerSideApplyOptions): Promise<SsaResult> {
  const loc = await locate(client, m, opts.file);
  if ('error' in loc) return { manifest: m, outcome: 'error', message: loc.error };
  const at = { collection: loc.collection, name: loc.name };
  const fail = (message: string, conflict = false, live?: Obj): SsaResult => ({ manifest: m, outcome: 'error', ref: loc.ref, message, conflict, live, at });
  let live: Obj | undefined;
  try {
    live = await client.send('GET', loc.item);
  } catch (e) {
    if (errorCode(e) !== 404) return fail(serverError(e, `error when retrieving current configuration of ${loc.ref} from "${opts.file}": `));
  }
  try {
    const applied: Obj = await client.send('PATCH', loc.item, {
      query: applyQuery(opts),
      body: loc.manifest,
      contentType: APPLY_PATCH_CONTENT_TYPE,
    });
    const outcome = outcomeOf(live, applied, !!opts.dryRun);
    return { manifest: m, outcome, ref: loc.ref, message: `${loc.ref} ${outcome}${opts.dryRun ? ' (server dry run)' : ''}`, live, applied, at };
  } catch (e) {
    const status = statusOf(e);
    const conflict = errorCode(e) === 409 && status?.reason === 'Conflict';
    // kubectl apply --server-side prints a conflict as a plain error (apply.go wraps the Status with
    // its advice about --force-conflicts, whose first line is the apiserver's message).
    if (conflict && typeof status?.message === 'string') return fail(`error: ${status.message}`, true, live);
    return fail(serverError(e, `error when applying patch to "${opts.file}": `), conflict, live);
  }
}

/** Server-side applies every document of a file in order; a file with a syntax error applies nothing. */
export async function serverSideApplyFile(client: ApplyClient, parsed: ParsedFile, opts: ServerSideApplyOptions): Promise<SsaResult[]> {
  if (parsed.errors.length > 0) return [];
  const results: SsaResult[] = [];
  for (const m of parsed.manifests) results.push(await serverSideApply(client, m, opts));
  return results;
}

export interface DeleteResult {
  manifest: Manifest;
  outcome: 'deleted' | 'error';
  ref?: string;
  /** kubectl delete's line: `pod "nginx" deleted`. */
  message: string;
  at?: { collection: string; name: string };
}

/** `kubectl delete -f` for one document: DELETE with background propagation (kubectl's default). */
export async function deleteObject(client: ApplyClient, m: Manifest, opts: ApplyOptions): Promise<DeleteResult> {
  const loc = await locate(client, m, opts.file);
  if ('error' in loc) return { manifest: m, outcome: 'error', message: loc.error };
  try {
    await client.send('DELETE', loc.item, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    return { manifest: m, outcome: 'deleted', ref: loc.ref, message: `${loc.deleteRef} deleted`, at: { collection: loc.collection, name: loc.name } };
  } catch (e) {
    const gone = errorCode(e) === 404;
    return { manifest: m, outcome: 'error', ref: loc.ref, message: serverError(e, `error when deleting "${opts.file}": `), at: gone ? { collection: loc.collection, name: loc.name } : undefined };
  }
}

/** The status of an apply/dry-run/delete for the lens: the outcome word, or the error's first line. */
export function lensText(r: { outcome: string; message: string }): string {
  return r.message.split('\n')[0];
}

/** File extensions `kubectl apply -f DIR` reads (resource.FileExtensions in cli-runtime's builder). */
export const MANIFEST_EXTENSIONS = ['.json', '.yaml', '.yml'];

/**
 * The order in which `kubectl apply -R -f DIR` visits files: filepath.Walk, which reads each
 * directory's names sorted (byte order) and descends into a directory where its name sorts, so
 * `a/x.yaml` comes before `a-b/x.yaml` (a plain string sort would put `a-b/` first). Only the
 * extensions above; kubectl does not reorder by kind (Namespaces and CRDs first is Helm's rule, not
 * kubectl's): documents apply in file order, file after file. Paths use `/`.
 */
export function walkOrder(paths: string[]): string[] {
  // UTF-16 order is UTF-8 byte order (Go's sort.Strings) outside the astral planes.
  const byteCmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return paths
    .filter((p) => MANIFEST_EXTENSIONS.some((e) => p.toLowerCase().endsWith(e)))
    .map((p) => ({ p, parts: p.split('/') }))
    .sort((a, b) => {
      const n = Math.min(a.parts.length, b.parts.length);
      for (let i = 0; i < n; i++) {
        const c = byteCmp(a.parts[i], b.parts[i]);
        if (c !== 0) return c;
      }
      return a.parts.length - b.parts.length;
    })
    .map((x) => x.p);
}

/** The documents a selection touches (zero-based lines, inclusive), in file order. */
export function documentsTouched(parsed: ParsedFile, startLine: number, endLine: number): Manifest[] {
  return parsed.manifests.filter((m) => m.range.start.line <= endLine && m.range.end.line >= startLine);
}

// ---------------------------------------------------------------------------------------------
// Which objects exist on the target, for the Delete lens: one list per collection, refreshed in the
// background when older than the TTL or after an apply/delete, never a request per lens or keystroke.

export interface ExistenceIndexOptions {
  ttlMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface Listing {
  names?: Set<string>;
  fetchedAt: number;
  pending?: Promise<void>;
}

export class ExistenceIndex {
  private readonly lists = new Map<string, Listing>();
  /** Collection of each document key, learned once through discovery. */
  private readonly collections = new Map<string, string | null>();
  private readonly listeners = new Set<() => void>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Counts the LIST requests sent (tests and the benchmark read it). */
  requests = 0;

  constructor(
    private readonly client: ApplyClient,
    private readonly opts: ExistenceIndexOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.now = opts.now ?? (() => performance.now());
  }

  onChange(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  /**
   * Whether the document's object exists: true/false from the last list of its collection, or
   * undefined when not known yet (a refresh is then started; `onChange` tells when it lands).
   */
  exists(m: Manifest): boolean | undefined {
    if (!m.apiVersion || !m.kind || !m.name) return undefined;
    const docKey = `${m.apiVersion}|${m.kind}|${m.namespace ?? ''}`;
    const collection = this.collections.get(docKey);
    if (collection === null) return undefined; // not served
    if (collection === undefined) {
      this.track(this.resolve(docKey, m));
      return undefined;
    }
    const listing = this.lists.get(collection);
    if (!listing || this.now() - listing.fetchedAt > this.ttlMs) this.refresh(collection);
    return listing?.names ? listing.names.has(m.name) : undefined;
  }

  /** What an apply or a delete just did, known without asking; the collection is listed again soon after. */
  note(collectionOrItem: { collection: string; name: string }, exists: boolean): void {
    const listing = this.lists.get(collectionOrItem.collection) ?? { fetchedAt: -Infinity };
    listing.names ??= new Set();
    if (exists) listing.names.add(collectionOrItem.name);
    else listing.names.delete(collectionOrItem.name);
    listing.fetchedAt = -Infinity;
    this.lists.set(collectionOrItem.collection, listing);
    this.fire();
  }

  /** Forgets everything (the target changed). */
  clear(): void {
    this.lists.clear();
    this.collections.clear();
    this.fire();
  }

  private async resolve(docKey: string, m: Manifest): Promise<void> {
    if (this.collections.has(docKey)) return;
    this.collections.set(docKey, null);
    try {
      const resource = await this.client.mapping(m.apiVersion!, m.kind!);
      if (!resource) return this.retryLater(docKey); // a CRD may come
      const ns = resource.namespaced ? (m.namespace ?? this.client.namespace) : undefined;
      const collection = collectionPath(m.apiVersion!, resource.name, ns);
      this.collections.set(docKey, collection);
      const listing = this.lists.get(collection);
      if (!listing || this.now() - listing.fetchedAt > this.ttlMs) this.refresh(collection);
      else this.fire();
    } catch (e) {
      this.retryLater(docKey);
      this.opts.log?.(`Could not look up ${m.kind} (${m.apiVersion}): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Unknown for a TTL, then asked again: an unreachable cluster or a missing kind costs one request per TTL, not one per keystroke. */
  private retryLater(docKey: string): void {
    this.collections.set(docKey, null);
    const retry = setTimeout(() => {
      if (this.collections.get(docKey) === null) this.collections.delete(docKey);
    }, this.ttlMs);
    (retry as { unref?: () => void }).unref?.();
  }

  private refresh(collection: string): void {
    const listing = this.lists.get(collection) ?? { fetchedAt: -Infinity };
    this.lists.set(collection, listing);
    if (listing.pending) return;
    listing.pending = this.track((async () => {
      try {
        this.requests++;
        const list: Obj = await this.client.send('GET', collection);
        const items = Array.isArray(list.items) ? (list.items as Obj[]) : [];
        listing.names = new Set(items.map((i) => (isObj(i.metadata) ? String(i.metadata.name) : '')));
      } catch (e) {
        this.opts.log?.(`Could not list ${collection}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        listing.fetchedAt = this.now();
        listing.pending = undefined;
        this.fire();
      }
    })());
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Resolves when the lookups and lists started so far (and those they started) have landed (tests). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private fire(): void {
    for (const fn of this.listeners) {
      try {
        fn();
      } catch {
        // a listener's error is its own
      }
    }
  }
}
