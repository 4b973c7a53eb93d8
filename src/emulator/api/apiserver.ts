// kube-apiserver's generic registry semantics over the MVCC store: create, get, list, update,
// patch, delete and watch with Kubernetes' preconditions, errors and watch rules
// (k8s.io/apiserver/pkg/registry/generic/registry/store.go, pkg/endpoints/handlers/*).
//
// Every writer goes through here (kubectl over HTTP, and the scheduler, kubelets and controllers
// in-process), so validation and admission hold for all of them.

import type { Clock } from '../clock.ts';
import { MemoryStore, StoreError, type StoreEvent } from '../store/mvcc.ts';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  type FieldError,
} from './errors.ts';
import { clone, deepFreeze, newUID, randomSuffix, rfc3339, stableStringify, type Obj } from './objects.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, Registry, type ResourceDef, type StrategyContext } from './registry.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, type Requirement } from './selectors.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** "status" writes only the status; others only the rest. */
  subresource?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Send events after this revision; "" or "0" starts with the current objects as ADDED. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Watch {
  stop(): void;
}

export interface DeleteResult {
  /** The object as it is now: deleted, or marked for deletion. */
  object: Obj;
  /** True when the object is gone from the store (not waiting on finalizers or grace). */
  deleted: boolean;
}

interface Selectors {
  labels: Requirement[];
  fields: Requirement[];
}

export class APIServer {
  readonly registry: Registry;
  readonly store: MemoryStore<Obj>;
  private readonly ctx: StrategyContext;

  constructor(
    readonly clock: Clock,
    registry = new Registry(),
    store = new MemoryStore<Obj>(),
  ) {
    this.registry = registry;
    this.store = store;
    this.ctx = { now: new Date(0), uid: newUID };
  }

  private strategyCtx(): StrategyContext {
    this.ctx.now = this.clock.date();
    return this.ctx;
  }

  /** A resource by plural name and optional group: "pods", "leases.coordination.k8s.io". */
  resource(name: string): ResourceDef {
    const dot = name.indexOf('.');
    const resource = dot < 0 ? name : name.slice(0, dot);
    const group = dot < 0 ? '' : name.slice(dot + 1);
    const def = this.registry.defs.find((d) => d.resource === resource && d.group === group);
    if (!def) throw new Error(`unknown resource ${name}`);
    return def;
  }

  key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return def.namespaced ? `/registry/${def.resource}/${namespace}/${name}` : `/registry/${def.resource}/${name}`;
  }

  private prefix(def: ResourceDef, namespace?: string): string {
    return def.namespaced && namespace ? `/registry/${def.resource}/${namespace}/` : `/registry/${def.resource}/`;
  }

  // ---- reads ----

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<Obj> {
    const kv = this.store.get(this.key(def, namespace, name));
    if (!kv) throw notFound(def.group, def.resource, name);
    return kv.value;
  }

  /** The object or undefined, for in-process callers that expect absence. */
  tryGet(def: ResourceDef, namespace: string | undefined, name: string): Obj | undefined {
    return this.store.get(this.key(def, namespace, name))?.value;
  }

  async list(def: ResourceDef, namespace: string | undefined, opts: ListOptions = {}): Promise<ListResult> {
    const sel = this.selectors(def, opts);
    const { items, revision } = this.store.list(this.prefix(def, namespace));
    let start = 0;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      // The key of the last item of the previous page: resume after it.
      start = lowerBound(items, token.start);
    }
    const out: Obj[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    let i = start;
    for (; i < items.length && out.length < limit; i++) {
      if (this.matches(def, items[i].value, sel)) out.push(items[i].value);
    }
    const result: ListResult = { items: out, resourceVersion: String(revision) };
    if (i < items.length && out.length >= limit) {
      // Only hand out a token when something matching is left.
      let more = false;
      for (let j = i; j < items.length; j++) {
        if (this.matches(def, items[j].value, sel)) {
          more = true;
          break;
        }
      }
      if (more) result.continue = encodeContinue({ rv: revision, start: items[i - 1].key + '\u0000' });
    }
    return result;
  }

  // ---- writes ----

  async create(def: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
    const obj = this.checkBody(def, body);
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      this.checkNamespace(meta.namespace);
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    const now = this.clock.now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    meta.uid = newUID();
    meta.creationTimestamp = rfc3339(now);
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    def.prepareForCreate?.(obj, this.strategyCtx());
    this.validate(def, obj, def.validate?.(obj) ?? []);
    if (opts.dryRun) {
      if (this.store.get(this.key(def, meta.namespace, meta.name))) throw alreadyExists(def.group, def.resource, meta.name);
      return deepFreeze(obj);
    }
    try {
      const kv = this.store.create(this.key(def, meta.namespace, meta.name), (rev) => stamp(obj, rev));
      return kv.value;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyExists') throw alreadyExists(def.group, def.resource, meta.name);
      throw e;
    }
  }

  /** PUT: replace the object (or its status), guarded by resourceVersion when the body has one. */
  async update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
    const obj = this.checkBody(def, body);
    const meta = (obj.metadata ??= {});
    if (meta.name && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const kv = this.store.get(this.key(def, namespace, name));
    if (!kv) throw notFound(def.group, def.resource, name);
    if (meta.resourceVersion && meta.resourceVersion !== kv.value.metadata.resourceVersion) {
      throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
    }
    return this.write(def, kv.value, obj, opts);
  }

  async patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions = {},
  ): Promise<Obj> {
    if (type === 'apply') {
      throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply (application/apply-patch+yaml) is not implemented by this emulator yet; use client-side apply');
    }
    const kv = this.store.get(this.key(def, namespace, name));
    if (!kv) throw notFound(def.group, def.resource, name);
    const current = kv.value;
    let result: unknown;
    try {
      if (type === 'json') result = applyJsonPatch(current, patch);
      else if (type === 'merge') result = applyMergePatch(current, patch);
      else result = applyStrategicMergePatch(current, patch, def.kind);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(e.code, e.code === 422 ? 'Invalid' : 'BadRequest', e.message);
      throw e;
    }
    const obj = this.checkBody(def, result);
    const meta = (obj.metadata ??= {});
    // A resourceVersion in the patch is a precondition (kubectl's SSA migration relies on it).
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
    }
    if (meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    return this.write(def, current, obj, opts);
  }

  /** The shared tail of update and patch: strategy, validation, no-op detection, finalization. */
  private async write(def: ResourceDef, current: Obj, obj: Obj, opts: WriteOptions): Promise<Obj> {
    const cm = current.metadata;
    const meta = obj.metadata;
    // Fields the server owns are carried over from the stored object.
    meta.name = cm.name;
    if (def.namespaced) meta.namespace = cm.namespace;
    meta.uid = cm.uid;
    meta.creationTimestamp = cm.creationTimestamp;
    if (cm.deletionTimestamp) {
      meta.deletionTimestamp = cm.deletionTimestamp;
      meta.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (cm.generation !== undefined) meta.generation = cm.generation;
    else delete meta.generation;

    if (opts.subresource === 'status') {
      // Status writes change only the status (ResetObjectMetaForStatus + the status strategies).
      const next = clone(current);
      next.status = obj.status;
      obj = next;
    } else if (opts.subresource === 'finalize') {
      // namespaces/{name}/finalize writes only spec.finalizers (pkg/registry/core/namespace/storage).
      const next = clone(current);
      next.spec = { ...next.spec, finalizers: obj.spec?.finalizers ?? [] };
      if (!next.spec.finalizers.length) next.spec.finalizers = undefined;
      if (next.spec.finalizers === undefined) delete next.spec.finalizers;
      obj = next;
    } else {
      if (def.statusSubresource) obj.status = current.status;
      def.prepareForUpdate?.(obj, current, this.strategyCtx());
      if (cm.deletionTimestamp && (meta.finalizers?.length ?? 0) > (cm.finalizers?.length ?? 0)) {
        const added = (meta.finalizers as string[]).filter((f) => !(cm.finalizers ?? []).includes(f));
        throw new ApiError(422, 'Invalid', `${def.kind} "${cm.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
      if (def.generation && specChanged(current, obj)) meta.generation = (cm.generation ?? 0) + 1;
    }
    this.validate(def, obj, def.validateUpdate?.(obj, current) ?? def.validate?.(obj) ?? []);

    delete meta.resourceVersion;
    const { resourceVersion: _rv, ...curMeta } = cm;
    if (stableStringify({ ...obj, metadata: meta }) === stableStringify({ ...current, metadata: curMeta })) {
      return current; // A no-op write does not create a revision (GuaranteedUpdate skips it).
    }
    if (opts.dryRun) {
      meta.resourceVersion = cm.resourceVersion;
      return deepFreeze(obj);
    }
    const key = this.key(def, cm.namespace, cm.name);
    const rev = Number(cm.resourceVersion);
    if (cm.deletionTimestamp && !(meta.finalizers?.length) && !this.waitsForGrace(def, obj)) {
      // The last finalizer is gone from an object being deleted: it goes now.
      this.store.update(key, (r) => stamp(obj, r), rev);
      const del = this.store.delete(key);
      return stamp(clone(del.value), del.modRevision);
    }
    try {
      return this.store.update(key, (r) => stamp(obj, r), rev).value;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Conflict') throw conflict(def.group, def.resource, cm.name, OBJECT_MODIFIED);
      throw e;
    }
  }

  /** Namespaces wait for their spec.finalizers; pods for their kubelet (graceful deletion). */
  private waitsForGrace(def: ResourceDef, obj: Obj): boolean {
    if (def.resource === 'namespaces') return (obj.spec?.finalizers?.length ?? 0) > 0;
    if (def.resource === 'pods') return (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
    return false;
  }

  async delete(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = this.key(def, namespace, name);
    const kv = this.store.get(key);
    if (!kv) throw notFound(def.group, def.resource, name);
    const cur = kv.value;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      throw conflict(def.group, def.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.resource,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`,
      );
    }
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: gracePeriodSeconds: Invalid value: ${opts.gracePeriodSeconds}: must be >= 0`);
    }
    const next = clone(cur);
    const meta = next.metadata;
    let grace = def.gracefulDelete?.(cur);
    if (grace !== undefined && opts.gracePeriodSeconds !== undefined) grace = opts.gracePeriodSeconds;
    const finalizers: string[] = [...(meta.finalizers ?? [])];
    if (opts.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    const nsFinalizing = def.resource === 'namespaces' && (cur.spec?.finalizers?.length ?? 0) > 0;
    const graceful = grace !== undefined && grace > 0;

    if (finalizers.length > 0 || graceful || nsFinalizing) {
      const now = this.clock.now();
      if (!meta.deletionTimestamp) {
        meta.deletionTimestamp = rfc3339(now + (graceful ? grace! * 1000 : 0));
        meta.deletionGracePeriodSeconds = graceful ? grace : 0;
      } else if (graceful && grace! < (meta.deletionGracePeriodSeconds ?? Infinity)) {
        meta.deletionTimestamp = rfc3339(now + grace! * 1000);
        meta.deletionGracePeriodSeconds = grace;
      }
      meta.finalizers = finalizers.length ? finalizers : undefined;
      if (!meta.finalizers) delete meta.finalizers;
      if (def.resource === 'namespaces') next.status = { ...next.status, phase: 'Terminating' };
      if (opts.dryRun) return { object: deepFreeze(next), deleted: false };
      if (stableStringify(next) === stableStringify(cur)) return { object: cur, deleted: false };
      const kv2 = this.store.update(key, (r) => stamp(next, r), kv.modRevision);
      return { object: kv2.value, deleted: false };
    }
    return this.remove(def, key, cur, opts);
  }

  private remove(def: ResourceDef, key: string, cur: Obj, opts: DeleteOptions): DeleteResult {
    if (opts.dryRun) return { object: cur, deleted: true };
    try {
      const del = this.store.delete(key, Number(cur.metadata.resourceVersion));
      return { object: stamp(clone(del.value), del.modRevision), deleted: true };
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Conflict') throw conflict(def.group, def.resource, cur.metadata.name, OBJECT_MODIFIED);
      if (e instanceof StoreError && e.code === 'KeyNotFound') throw notFound(def.group, def.resource, cur.metadata.name);
      throw e;
    }
  }

  /** pods/{name}/binding: the scheduler's write (pkg/registry/core/pod/storage/storage.go). */
  async bind(namespace: string, name: string, binding: Obj, opts: WriteOptions = {}): Promise<void> {
    const def = this.resource('pods');
    const target = binding?.target;
    if (!target?.name) throw new ApiError(422, 'Invalid', 'Binding.core "' + name + '" is invalid: target.name: Required value');
    if (target.kind && target.kind !== 'Node') throw new ApiError(422, 'Invalid', `Binding.core "${name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`);
    const key = this.key(def, namespace, name);
    const kv = this.store.get(key);
    if (!kv) throw notFound('', 'pods', name);
    const pod = kv.value;
    if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) {
      throw conflict('', 'pods', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
    }
    const next = clone(pod);
    next.spec.nodeName = target.name;
    const conds: Obj[] = (next.status.conditions ??= []).filter((c: Obj) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.clock.now()) });
    next.status.conditions = conds;
    if (binding.metadata?.annotations) next.metadata.annotations = { ...next.metadata.annotations, ...binding.metadata.annotations };
    if (opts.dryRun) return;
    this.store.update(key, (r) => stamp(next, r), kv.modRevision);
  }

  // ---- watch ----

  watch(def: ResourceDef, namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => void): Watch {
    const sel = this.selectors(def, opts);
    const prefix = this.prefix(def, namespace);
    const rv = opts.resourceVersion;
    let from: number;
    const initial = opts.sendInitialEvents ?? (!rv || rv === '0');
    if (initial) {
      const { items, revision } = this.store.list(prefix);
      for (const kv of items) if (this.matches(def, kv.value, sel)) send({ type: 'ADDED', object: kv.value });
      from = revision;
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
        send({ type: 'BOOKMARK', object: this.bookmark(def, revision, true) });
      }
    } else {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    }
    let handle;
    try {
      handle = this.store.watch(prefix, from, (ev) => {
        const out = this.translate(def, ev, sel);
        if (out) send(out);
      });
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Compacted') {
        throw gone(`too old resource version: ${from} (${e.currentRevision})`);
      }
      throw e;
    }
    return { stop: () => handle.cancel() };
  }

  /** The BOOKMARK object: only kind, apiVersion and resourceVersion (plus the initial-events-end annotation). */
  bookmark(def: ResourceDef, revision: number, initialEventsEnd = false): Obj {
    const metadata: Obj = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { kind: def.kind, apiVersion: apiVersionOf(def), metadata };
  }

  /** Store events to watch events, with selector transitions as the watch cache does them. */
  private translate(def: ResourceDef, ev: StoreEvent<Obj>, sel: Selectors | null): WatchEvent | undefined {
    if (ev.type === 'DELETE') {
      if (!this.matches(def, ev.value, sel)) return undefined;
      return { type: 'DELETED', object: stamp(clone(ev.value), ev.revision) };
    }
    const now = this.matches(def, ev.value, sel);
    const before = ev.prevValue !== undefined && this.matches(def, ev.prevValue, sel);
    if (ev.created || (!before && now)) return now ? { type: 'ADDED', object: ev.value } : undefined;
    if (before && !now) return { type: 'DELETED', object: ev.value };
    return now ? { type: 'MODIFIED', object: ev.value } : undefined;
  }

  // ---- helpers ----

  private selectors(def: ResourceDef, opts: { labelSelector?: string; fieldSelector?: string }): Selectors | null {
    if (!opts.labelSelector && !opts.fieldSelector) return null;
    try {
      const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
      const allowed = new Set(['metadata.name', 'metadata.namespace']);
      for (const k of Object.keys(def.fields?.({}) ?? {})) allowed.add(k);
      for (const r of fields) {
        if (!allowed.has(r.key)) throw badRequest(`field label not supported: ${r.key}`);
      }
      return { labels: opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [], fields };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  private matches(def: ResourceDef, obj: Obj, sel: Selectors | null): boolean {
    if (!sel) return true;
    if (sel.labels.length && !matchesLabels(sel.labels, obj.metadata?.labels)) return false;
    if (sel.fields.length) {
      const fields = { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '', ...def.fields?.(obj) };
      if (!matchesFields(sel.fields, fields)) return false;
    }
    return true;
  }

  private checkBody(def: ResourceDef, body: unknown): Obj {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the request body must be a JSON object`);
    }
    const obj = clone(body as Obj);
    const want = apiVersionOf(def);
    if (obj.apiVersion && obj.apiVersion !== want) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
    }
    if (obj.kind && obj.kind !== def.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${def.kind})`);
    }
    obj.apiVersion = want;
    obj.kind = def.kind;
    if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: metadata must be an object`);
    }
    return obj;
  }

  private checkNamespace(namespace: string | undefined): void {
    if (!namespace) throw badRequest('the server could not find the requested resource: namespace is required');
    const ns = this.store.get(`/registry/namespaces/${namespace}`)?.value;
    if (!ns) throw notFound('', 'namespaces', namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      throw forbidden(`unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private validate(def: ResourceDef, obj: Obj, errs: FieldError[]): void {
    if (errs.length) throw invalid(def.group, def.kind, obj.metadata?.name ?? '', errs);
  }
}

/** Sets metadata.resourceVersion to the write's revision and freezes the object. */
function stamp(obj: Obj, revision: number): Obj {
  obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
  return deepFreeze(obj);
}

function specChanged(a: Obj, b: Obj): boolean {
  const strip = (o: Obj) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return stableStringify(rest);
  };
  return strip(a) !== strip(b);
}

function encodeContinue(t: { rv: number; start: string }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad');
    return t;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

function lowerBound(items: { key: string }[], key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
