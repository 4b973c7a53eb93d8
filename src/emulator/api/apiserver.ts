// kube-apiserver's generic registry semantics over the MVCC store: create, get, list, update,
// patch, delete and watch with Kubernetes' preconditions, errors and watch rules
// (k8s.io/apiserver/pkg/registry/generic/registry/store.go, pkg/endpoints/handlers/*).
//
// Every writer goes through here (kubectl over HTTP, and the scheduler, kubelets and controllers
// in-process), so validation and admission hold for all of them.

import type { Clock } from '../clock.ts';
import { MemoryStore } from '../store/memory.ts';
import { StoreError, type KeyValue, type Store, type StoreEvent, type WatchTrigger } from '../store/types.ts';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  FieldError,
} from './errors.ts';
import { clone, deepFreeze, jsonEqual, newUID, randomSuffix, rfc3339, shareEqual, stableStringify, type Obj } from './objects.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, Registry, type ResourceDef, type StrategyContext } from './registry.ts';
import { apply as ssaApply, ApplyConflictError, FieldSet, managerFromUserAgent, SSAError, updateManagedFields, type OperationContext } from './ssa.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, type Requirement } from './selectors.ts';
import { AdmissionChain, type AdmissionOptions, type Attributes } from './admission/chain.ts';
import { kindSchema, resolve as resolveSchema } from './schemas.ts';
import { omitEmptyCollections } from './structural.ts';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** The request's User-Agent: the manager's name when fieldManager is absent (handlers/rest.go). */
  userAgent?: string;
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
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
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

/**
 * How a kind served from another version's storage looks to server-side apply: the served
 * definition and the conversions between the stored and the served form (conversion.ts).
 */
export interface ServedView {
  def: ResourceDef;
  toServed(stored: Obj): Obj;
  fromServed(served: Obj): Obj;
}

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

/** How many times a write re-reads and retries after losing a race: GuaranteedUpdate loops until it wins; the cap only stops a runaway. */
const MAX_RETRIES = 1000;
/** Events live for an hour (kube-apiserver --event-ttl). */
export const EVENT_TTL_SECONDS = 3600;
/** Leases are shared by keys written within a minute (etcd3 lease_manager.go: leaseReuseDurationSeconds). */
const LEASE_REUSE_SECONDS = 60;

type NextObject = { obj: Obj; finalize: boolean } | 'noop';

/**
 * The manager recorded for in-process writers that name none, have no User-Agent and are not a
 * component view (`APIServer.as`): tests and embedders.
 */
export const IN_PROCESS_MANAGER = 'kube-emulator';

export class APIServer {
  readonly registry: Registry;
  readonly store: Store;
  private readonly ctx: StrategyContext;
  /** Shared by the component views of `as()`. */
  private readonly eventLease: { current?: { id: number; grantedAt: number } } = {};
  /** The manager recorded for writes that name none and send no User-Agent; see `as()`. */
  private defaultManager = IN_PROCESS_MANAGER;

  /** The admission chain (admission/chain.ts) every write goes through. */
  readonly admission: AdmissionChain;

  /**
   * `admission` defaults to every plug-in but ServiceAccount, which needs the serviceaccounts
   * controller (a bare apiserver, as in Kubernetes' integration tests); createCluster enables all.
   */
  constructor(
    readonly clock: Clock,
    registry = new Registry(),
    store: Store = new MemoryStore({ clock }),
    admission: AdmissionOptions = { disabled: ['ServiceAccount'] },
  ) {
    this.registry = registry;
    this.store = storageFailuresAsApiErrors(store);
    this.ctx = { now: new Date(0), uid: newUID };
    this.admission = new AdmissionChain(admission);
  }

  /** The attributes the admission plug-ins see of a request. */
  private attributes(
    operation: Attributes['operation'],
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    object: Obj | undefined,
    oldObject: Obj | undefined,
    subresource: string | undefined,
    dryRun: boolean | undefined,
  ): Attributes {
    return { operation, def, subresource: subresource ?? '', namespace: def.namespaced ? (namespace ?? '') : '', name, object, oldObject, dryRun: !!dryRun, api: this };
  }

  /**
   * The API as an in-process component uses it: writes that name no field manager are recorded
   * under the component's name (kube-scheduler, kubelet, kube-controller-manager), as Kubernetes
   * records each component's User-Agent prefix (fieldmanager's managerFromUserAgent). The view
   * shares everything else with this server.
   */
  as(component: string): APIServer {
    const view = Object.create(this) as APIServer;
    view.defaultManager = component;
    return view;
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
    const r = def.storagePrefix ?? def.resource;
    return def.namespaced ? `/registry/${r}/${namespace}/${name}` : `/registry/${r}/${name}`;
  }

  private prefix(def: ResourceDef, namespace?: string): string {
    const r = def.storagePrefix ?? def.resource;
    return def.namespaced && namespace ? `/registry/${r}/${namespace}/` : `/registry/${r}/`;
  }

  // ---- reads ----

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<Obj> {
    const kv = await this.store.get(this.key(def, namespace, name));
    if (!kv) throw notFound(def.group, def.resource, name);
    return kv.value;
  }

  /** The object or undefined, for in-process callers that expect absence. */
  async tryGet(def: ResourceDef, namespace: string | undefined, name: string): Promise<Obj | undefined> {
    return (await this.store.get(this.key(def, namespace, name)))?.value;
  }

  /**
   * A list, paged with limit/continue at the revision of the first page (a continue token carries
   * that revision and the next key), filtered by selectors page by page as the etcd3 store does
   * (k8s.io/apiserver/pkg/storage/etcd3/store.go GetList).
   */
  async list(def: ResourceDef, namespace: string | undefined, opts: ListOptions = {}): Promise<ListResult> {
    const sel = this.selectors(def, opts);
    const prefix = this.prefix(def, namespace);
    let revision: number | undefined;
    let startKey: string | undefined;
    let left: number | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      revision = token.rv;
      left = token.left;
      startKey = prefix + token.start;
      if (!startKey.startsWith(prefix)) throw badRequest('continue key is not valid: the key is outside the listed prefix');
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const rv = Number(opts.resourceVersion);
      if (!Number.isInteger(rv) || rv < 0) throw badRequest(`resourceVersion: Invalid value: "${opts.resourceVersion}": must be a non-negative integer`);
      const current = await this.store.currentRevision();
      if (rv > current) throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { retryAfterSeconds: 1 });
      if (opts.resourceVersionMatch === 'Exact') revision = rv;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const out: Obj[] = [];
    let lastKey: string | undefined;
    let more = false;
    let remaining: number | undefined;
    try {
      for (;;) {
        // Without selectors a page is exactly what is asked; with them, read ahead and filter.
        const want = limit === Infinity ? undefined : sel ? Math.max(limit - out.length, 100) : limit - out.length;
        // Without selectors, remainingItemCount: the store counts what follows the first page (etcd3
        // GetList); the continue token carries that count on, so later pages need no count.
        const count = !sel && want !== undefined && left === undefined;
        const page = await this.store.range(prefix, { revision, startKey, limit: want, count });
        if (count && page.remaining !== undefined) remaining = page.remaining;
        else if (!sel && left !== undefined) remaining = left - page.items.length;
        revision = page.revision;
        for (const kv of page.items) {
          if (out.length >= limit) {
            more = true; // an item beyond a full page
            break;
          }
          lastKey = kv.key;
          if (this.matches(def, kv.value, sel)) out.push(kv.value);
        }
        if (more || !page.more) break;
        if (out.length >= limit) {
          more = true;
          break;
        }
        startKey = page.items[page.items.length - 1].key + '\u0000';
      }
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Compacted') {
        throw new ApiError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      throw e;
    }
    const result: ListResult = { items: out, resourceVersion: String(revision) };
    if (more && lastKey !== undefined) result.continue = encodeContinue({ rv: revision!, start: lastKey.slice(prefix.length) + '\u0000', left: remaining });
    if (more && remaining !== undefined) result.remainingItemCount = remaining;
    return result;
  }

  // ---- writes ----

  async create(def: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
    return this.createObj(def, namespace, body, opts);
  }

  /** create, with the managed fields of a server-side apply that creates when given. */
  private async createObj(def: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions, applied?: Obj[]): Promise<Obj> {
    const obj = this.checkBody(def, body);
    const requestedManaged = obj.metadata?.managedFields;
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the server could not find the requested resource: namespace is required');
    } else {
      delete meta.namespace;
    }
    const requestName: string = meta.name ?? '';
    const now = this.clock.now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    meta.uid = newUID();
    meta.creationTimestamp = rfc3339(now);
    if (def.generation) meta.generation = 1;
    else delete meta.generation;
    // Defaulting, the mutating admission plug-ins, then the strategy (admission/chain.ts).
    def.default?.(obj);
    // The creator's managed fields are those of the decoded, defaulted object: the field manager
    // runs before the mutating admission plug-ins and the strategy, so what they add (a service
    // account's token volume, default tolerations, the priority) is no one's (handlers/create.go).
    if (applied) meta.managedFields = applied;
    else {
      delete meta.managedFields;
      const mf = updateManagedFields(undefined, obj, requestedManaged, this.managerCtx(def, opts));
      if (mf.length) meta.managedFields = mf;
    }
    const attrs = this.attributes('CREATE', def, meta.namespace, requestName, obj, undefined, undefined, opts.dryRun);
    await this.admission.admit(attrs);
    // Names are generated after the mutating plug-ins (rest.BeforeCreate), so their errors name the prefix.
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    def.prepareForCreate?.(obj, this.strategyCtx());
    this.validate(def, obj, def.validate?.(obj) ?? []);
    // Allocations that must not collide with other objects' (Services' cluster IPs and node ports).
    if (def.allocate) this.validate(def, obj, await def.allocate(obj, async () => (await this.list(def, undefined)).items));
    await this.admission.validate(attrs);
    const key = this.key(def, meta.namespace, meta.name);
    if (opts.dryRun) {
      if (await this.store.get(key)) throw alreadyExists(def.group, def.resource, meta.name);
      return deepFreeze(obj);
    }
    try {
      const lease = def.resource === 'events' ? await this.eventLeaseId() : undefined;
      const kv = await this.store.create(key, obj, lease !== undefined ? { lease } : {});
      return kv.value;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyExists') throw alreadyExists(def.group, def.resource, meta.name);
      throw e;
    }
  }

  /** Events are written with a TTL lease, shared by events written within a minute (lease_manager.go). */
  private async eventLeaseId(): Promise<number> {
    const now = this.clock.now();
    const held = this.eventLease.current;
    if (!held || now - held.grantedAt > LEASE_REUSE_SECONDS * 1000) {
      this.eventLease.current = { id: await this.store.grantLease(EVENT_TTL_SECONDS + LEASE_REUSE_SECONDS), grantedAt: now };
    }
    return this.eventLease.current!.id;
  }

  /** PUT: replace the object (or its status), guarded by resourceVersion when the body has one. */
  async update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): Promise<Obj> {
    // A status write keeps nothing of the body but its status and metadata checks: copy only those.
    const statusOnly = opts.subresource === 'status';
    const obj = this.checkBody(def, body, statusOnly);
    const meta = (obj.metadata ??= {});
    if (meta.name && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    // A uid in the body is a precondition (rest.DefaultUpdatedObjectInfo.Preconditions), checked by
    // the storage before anything else, a missing object included (etcd3 GuaranteedUpdate).
    const uid: string | undefined = typeof meta.uid === 'string' && meta.uid ? meta.uid : undefined;
    try {
      return await this.guaranteedUpdate(def, namespace, name, opts, (current) => {
        if (uid && uid !== current.metadata.uid) throw uidPreconditionFailed(def, namespace, name, uid, current.metadata.uid);
        if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
          throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
        }
        return this.prepareWrite(def, current, statusOnly ? { ...obj, metadata: { ...obj.metadata } } : clone(obj), opts);
      });
    } catch (e) {
      if (uid && e instanceof ApiError && e.reason === 'NotFound') throw uidPreconditionFailed(def, namespace, name, uid, '');
      throw e;
    }
  }

  async patch(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions = {},
  ): Promise<Obj> {
    if (type === 'apply') return (await this.apply(def, namespace, name, patch, opts)).object;
    return this.guaranteedUpdate(def, namespace, name, opts, (current) => {
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
      return this.prepareWrite(def, current, obj, opts);
    });
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): merge the applied configuration into the
   * live object with field ownership (ssa.ts), creating the object when it does not exist
   * (handlers/patch.go applyPatcher, forceAllowCreate). `created` tells 201 from 200.
   */
  async apply(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
    view?: ServedView,
  ): Promise<{ object: Obj; created: boolean }> {
    if (!opts.fieldManager) {
      // metav1 validation.ValidatePatchOptions.
      throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      });
    }
    // A kind served from another version's storage applies in its served form (conversion.ts).
    const served = view?.def ?? def;
    const toServed = view ? (o: Obj) => view.toServed(o) : (o: Obj) => o;
    const fromServed = view ? (o: Obj) => view.fromServed(o) : (o: Obj) => o;
    const config = this.checkBody(served, body);
    const cmeta: Obj = config.metadata ?? {};
    if (cmeta.name !== undefined && cmeta.name !== name) throw badRequest(`the name of the object (${cmeta.name}) does not match the name on the URL (${name})`);
    if (def.namespaced && cmeta.namespace && cmeta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ctx = this.managerCtx(served, opts);
    if (def.statusSubresource && opts.subresource !== 'status') ctx.scope = (s: FieldSet) => s.withoutPrefix(['f:status']);
    else if (opts.subresource === 'status') ctx.scope = (s: FieldSet) => s.onlyPrefix(['f:status']);
    const run = (live: Obj) => {
      try {
        const r = ssaApply(toServed(live), config, !!opts.force, ctx);
        return { ...r, object: fromServed(r.object) };
      } catch (e) {
        if (e instanceof ApplyConflictError) throw new ApiError(409, 'Conflict', e.message, { causes: e.causes });
        if (e instanceof SSAError) throw new ApiError(e.code, e.code === 422 ? 'Invalid' : 'BadRequest', e.message);
        throw e;
      }
    };
    for (let attempt = 0; ; attempt++) {
      if (!(await this.store.get(this.key(def, namespace, name)))) {
        if (opts.subresource) throw notFound(def.group, def.resource, name);
        const empty: Obj = { apiVersion: apiVersionOf(def), kind: def.kind, metadata: { name } };
        if (def.namespaced) empty.metadata.namespace = namespace;
        const r = run(empty);
        try {
          return { object: await this.createObj(def, namespace, r.object, opts, r.managedFields), created: true };
        } catch (e) {
          if (e instanceof ApiError && e.reason === 'AlreadyExists' && attempt < 3) continue;
          throw e;
        }
      }
      try {
        const object = await this.guaranteedUpdate(def, namespace, name, opts, (current) => {
          // A resourceVersion in the applied configuration is a precondition.
          if (cmeta.resourceVersion && cmeta.resourceVersion !== current.metadata.resourceVersion) {
            throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
          }
          const r = run(current);
          const obj = this.checkBody(def, r.object);
          obj.metadata.managedFields = r.managedFields;
          return this.prepareWrite(def, current, obj, opts, r.managedFields);
        });
        return { object, created: false };
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'NotFound' && !opts.subresource && attempt < 3) continue;
        throw e;
      }
    }
  }

  private managerCtx(def: ResourceDef, opts: WriteOptions): OperationContext {
    const ctx: OperationContext = {
      kind: def.kind,
      apiVersion: apiVersionOf(def),
      manager: opts.fieldManager || managerFromUserAgent(opts.userAgent) || this.defaultManager,
      time: rfc3339(this.clock.now()),
    };
    if (opts.subresource === 'status') ctx.subresource = 'status';
    else if (def.statusSubresource) {
      ctx.scope = (s: FieldSet) => s.withoutPrefix(['f:status']);
      ctx.scopeWithout = 'f:status';
    }
    return ctx;
  }

  /**
   * Read, compute, compare-and-swap, and on a lost race read again (GuaranteedUpdate in
   * k8s.io/apiserver/pkg/storage/etcd3/store.go). Preconditions inside tryUpdate are re-checked on
   * every attempt, so a PUT with a stale resourceVersion still gets its 409.
   */
  private async guaranteedUpdate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: WriteOptions,
    tryUpdate: (current: Obj) => NextObject | Promise<NextObject>,
  ): Promise<Obj> {
    const key = this.key(def, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(def.group, def.resource, name);
      const next = await tryUpdate(kv.value);
      if (next === 'noop') return kv.value; // A no-op write does not create a revision.
      if (opts.dryRun) {
        next.obj.metadata.resourceVersion = kv.value.metadata.resourceVersion;
        return deepFreeze(next.obj);
      }
      try {
        if (next.finalize) {
          // The last finalizer is gone from an object being deleted: it goes now.
          const upd = await this.store.update(key, next.obj, kv.modRevision);
          const del = await this.store.delete(key, upd.modRevision);
          return stamp(clone(del.value), del.modRevision);
        }
        return (await this.store.update(key, next.obj, kv.modRevision)).value;
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'KeyNotFound') && attempt < MAX_RETRIES) continue;
        if (e instanceof StoreError && e.code === 'Conflict') throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
        if (e instanceof StoreError && e.code === 'KeyNotFound') throw notFound(def.group, def.resource, name);
        throw e;
      }
    }
  }

  /** The shared middle of update and patch: strategy, validation, no-op detection, finalization. */
  private async prepareWrite(def: ResourceDef, current: Obj, obj: Obj, opts: WriteOptions, applied?: Obj[]): Promise<NextObject> {
    const cm = current.metadata;
    const meta = obj.metadata;
    const requestedManaged = meta.managedFields;
    // A patch (or apply) that changes the uid: ValidateObjectMetaAccessorUpdate's immutable uid.
    // (An update's uid was a precondition, checked before this.)
    const uidErrors = meta.uid && meta.uid !== cm.uid ? [new FieldError('Invalid', 'metadata.uid', meta.uid, 'field is immutable')] : [];
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

    const attrs = this.attributes('UPDATE', def, cm.namespace, cm.name, obj, current, opts.subresource, opts.dryRun);
    await this.admission.admit(attrs);
    if (opts.subresource === 'status') {
      // Status writes change only the status (ResetObjectMetaForStatus + the status strategies).
      // The stored object is frozen: the new one shares its unchanged parts (spec, metadata's maps).
      obj = { ...current, metadata: { ...cm }, status: obj.status };
      // Deployments' status strategy keeps the request's annotations (the controller writes the revision with the status).
      if (def.statusWritesAnnotations) {
        if (meta.annotations && Object.keys(meta.annotations).length) obj.metadata.annotations = { ...meta.annotations };
        else delete obj.metadata.annotations;
      }
    } else if (opts.subresource === 'finalize') {
      // namespaces/{name}/finalize writes only spec.finalizers (pkg/registry/core/namespace/storage).
      const next = clone(current);
      next.spec = { ...next.spec, finalizers: obj.spec?.finalizers ?? [] };
      if (!next.spec.finalizers.length) delete next.spec.finalizers;
      obj = next;
    } else {
      if (def.statusSubresource) obj.status = current.status;
      def.prepareForUpdate?.(obj, current, this.strategyCtx());
      if (cm.deletionTimestamp && (meta.finalizers?.length ?? 0) > (cm.finalizers?.length ?? 0)) {
        const added = (meta.finalizers as string[]).filter((f) => !(cm.finalizers ?? []).includes(f));
        throw new ApiError(422, 'Invalid', `${def.kind} "${cm.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
      if (def.generation && specChanged(current, obj)) obj.metadata.generation = (cm.generation ?? 0) + 1;
    }
    this.validate(def, obj, [...uidErrors, ...(def.validateUpdate?.(obj, current) ?? def.validate?.(obj) ?? [])]);
    attrs.object = obj;
    await this.admission.validate(attrs);

    // What this write left as it was becomes the stored object's own (frozen) parts: the
    // comparisons below (managed fields, no-op) stop at them, and the new revision shares them.
    for (const k of Object.keys(obj)) if (k !== 'metadata') obj[k] = shareEqual(obj[k], current[k]);
    for (const k of Object.keys(obj.metadata)) if (k !== 'managedFields' && k !== 'resourceVersion') obj.metadata[k] = shareEqual(obj.metadata[k], cm[k]);

    // managedFields: the apply's, or the Update operation's (a status write keeps the live ones as its base).
    const mf = applied ?? updateManagedFields(current, obj, opts.subresource ? undefined : requestedManaged, this.managerCtx(def, opts));
    if (mf.length) obj.metadata.managedFields = mf;
    else delete obj.metadata.managedFields;

    delete obj.metadata.resourceVersion;
    const { resourceVersion: _rv, ...curMeta } = cm;
    if (jsonEqual(obj, { ...current, metadata: curMeta })) return 'noop';
    const finalize = !!cm.deletionTimestamp && !obj.metadata.finalizers?.length && !this.waitsForGrace(def, obj);
    return { obj, finalize };
  }

  /** Namespaces wait for their spec.finalizers; pods for their kubelet (graceful deletion). */
  private waitsForGrace(def: ResourceDef, obj: Obj): boolean {
    if (def.resource === 'namespaces') return (obj.spec?.finalizers?.length ?? 0) > 0;
    if (def.resource === 'pods') return (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
    return false;
  }

  async delete(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: gracePeriodSeconds: Invalid value: ${opts.gracePeriodSeconds}: must be >= 0`);
    }
    const key = this.key(def, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(def.group, def.resource, name);
      if (attempt === 0) {
        const attrs = this.attributes('DELETE', def, namespace, name, undefined, kv.value, undefined, opts.dryRun);
        await this.admission.admit(attrs);
        await this.admission.validate(attrs);
      }
      try {
        return await this.deleteOnce(def, key, kv, opts);
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'KeyNotFound') && attempt < MAX_RETRIES) continue;
        if (e instanceof StoreError && e.code === 'Conflict') throw conflict(def.group, def.resource, name, OBJECT_MODIFIED);
        if (e instanceof StoreError && e.code === 'KeyNotFound') throw notFound(def.group, def.resource, name);
        throw e;
      }
    }
  }

  /** One attempt: graceful or finalizer-held deletion marks the object; otherwise it goes. */
  private async deleteOnce(def: ResourceDef, key: string, kv: KeyValue, opts: DeleteOptions): Promise<DeleteResult> {
    const cur = kv.value;
    const name = cur.metadata.name;
    const pre = opts.preconditions;
    // rest.BeforeDelete checks the preconditions first, naming the kind (GroupResource{group, Kind}).
    if (pre?.uid && pre.uid !== cur.metadata.uid) {
      throw conflict(def.group, def.kind, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${cur.metadata.uid}). The object might have been deleted and then recreated`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(
        def.group,
        def.kind,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${cur.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    const next = clone(cur);
    const meta = next.metadata;
    delete meta.resourceVersion;
    // rest.BeforeDelete (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go): an object
    // already being deleted keeps its period unless the request asks for a shorter one (0
    // included: the kubelet's final delete), which moves deletionTimestamp back by the difference.
    // Kept with finalizers (a Job's pod), it then goes when they are removed.
    const pending = cur.metadata.deletionTimestamp ? (cur.metadata.deletionGracePeriodSeconds ?? 0) : 0;
    const shorten = !!def.gracefulDelete && pending > 0 && opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < pending;
    // Otherwise the graceful deletion is pending: nothing changes, finalizers included.
    if (pending > 0 && !shorten) return { object: cur, deleted: false };
    const grace = cur.metadata.deletionTimestamp ? (shorten ? opts.gracePeriodSeconds : undefined) : def.gracefulDelete?.(cur, opts.gracePeriodSeconds);
    // A kind's own first-delete step (CRDs: the customresourcecleanup finalizer, customresourcedefinition/etcd.go).
    if (!cur.metadata.deletionTimestamp) def.prepareForDelete?.(next, this.strategyCtx());
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
        // Marked for deletion, a generation moves (store.go markAsDeleting, rest.BeforeDelete).
        if ((meta.generation ?? 0) > 0) meta.generation++;
      } else if (shorten) {
        meta.deletionTimestamp = rfc3339(Date.parse(meta.deletionTimestamp) + (grace! - pending) * 1000);
        meta.deletionGracePeriodSeconds = grace;
      }
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
      if (def.resource === 'namespaces') next.status = { ...next.status, phase: 'Terminating' };
      const { resourceVersion: _rv, ...curMeta } = cur.metadata;
      if (stableStringify(next) === stableStringify({ ...cur, metadata: curMeta })) return { object: cur, deleted: false };
      if (opts.dryRun) return { object: deepFreeze({ ...next, metadata: { ...meta, resourceVersion: cur.metadata.resourceVersion } }), deleted: false };
      const upd = await this.store.update(key, next, kv.modRevision);
      return { object: upd.value, deleted: false };
    }
    if (opts.dryRun) return { object: cur, deleted: true };
    const del = await this.store.delete(key, kv.modRevision);
    return { object: stamp(clone(del.value), del.modRevision), deleted: true };
  }

  /** pods/{name}/binding: the scheduler's write (pkg/registry/core/pod/storage/storage.go). */
  async bind(namespace: string, name: string, binding: Obj, opts: WriteOptions = {}): Promise<void> {
    const def = this.resource('pods');
    const target = binding?.target;
    if (!target?.name) throw new ApiError(422, 'Invalid', 'Binding.core "' + name + '" is invalid: target.name: Required value');
    if (target.kind && target.kind !== 'Node') throw new ApiError(422, 'Invalid', `Binding.core "${name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`);
    await this.guaranteedUpdate(def, namespace, name, opts, (pod) => {
      // The binding's uid is a storage precondition (setPodNodeAndMetadata), checked before the update function.
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw uidPreconditionFailed(def, namespace, name, binding.metadata.uid, pod.metadata.uid);
      if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      if (pod.spec?.schedulingGates?.length) throw conflict('', 'pods', name, `pod ${name} has non-empty .spec.schedulingGates`);
      // Copies only what changes; the rest is shared with the frozen stored pod.
      const { resourceVersion: _rv, ...metadata } = pod.metadata;
      const conds: Obj[] = (pod.status?.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.clock.now()) });
      const next: Obj = { ...pod, metadata, spec: { ...pod.spec, nodeName: target.name }, status: { ...pod.status, conditions: conds } };
      if (binding.metadata?.annotations) next.metadata.annotations = { ...next.metadata.annotations, ...binding.metadata.annotations };
      return { obj: next, finalize: false };
    });
  }

  // ---- watch ----

  async watch(def: ResourceDef, namespace: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => void): Promise<Watch> {
    const sel = this.selectors(def, opts);
    const prefix = this.prefix(def, namespace);
    const rv = opts.resourceVersion;
    let from: number;
    const initial = opts.sendInitialEvents ?? (!rv || rv === '0');
    if (initial) {
      // The current state as ADDED events, read at one revision, then everything after it.
      const page = await this.store.range(prefix);
      for (const kv of page.items) if (this.matches(def, kv.value, sel)) send({ type: 'ADDED', object: kv.value });
      from = page.revision;
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
        send({ type: 'BOOKMARK', object: this.bookmark(def, from, true) });
      }
    } else {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    }
    let handle;
    try {
      handle = await this.store.watch(
        prefix,
        from,
        {
          event: (ev) => {
            const out = this.translate(def, ev, sel);
            if (out) send(out);
          },
          error: (err) => send({ type: 'ERROR', object: new ApiError(500, 'InternalError', `Internal error occurred: ${err.message}`).toStatus() }),
        },
        { trigger: watchTrigger(def, sel) },
      );
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Compacted') {
        throw gone(`too old resource version: ${from} (${e.revision})`);
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
  private translate(def: ResourceDef, ev: StoreEvent, sel: Selectors | null): WatchEvent | undefined {
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

  /** Checks and copies a request body; `statusOnly` copies the status deeply and the rest shallowly (status writes). */
  private checkBody(def: ResourceDef, body: unknown, statusOnly = false): Obj {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the request body must be a JSON object`);
    }
    const b = body as Obj;
    const obj = statusOnly ? { ...b, metadata: isPlainObject(b.metadata) ? { ...b.metadata } : b.metadata, status: clone(b.status) } : clone(b);
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
    // As the typed object encodes: no empty maps or lists in optional fields (`labels: {}`).
    const schema = kindSchema(def.group, def.version, def.kind);
    if (schema && statusOnly) {
      // Only the status is kept: drop empty collections there alone.
      const statusSchema = resolveSchema(schema).properties?.status;
      if (statusSchema && isPlainObject(obj.status)) omitEmptyCollections(obj.status, statusSchema);
    } else if (schema) omitEmptyCollections(obj, schema);
    return obj;
  }

  private validate(def: ResourceDef, obj: Obj, errs: FieldError[]): void {
    if (errs.length) throw invalid(def.group, def.kind, obj.metadata?.name ?? '', errs);
  }
}

/**
 * A store whose failures (unreachable etcd, a closed or failed state folder) reach callers as
 * 500 InternalError, as storage errors do in kube-apiserver (storage.NewInternalError), so every
 * component handles them like any other API error. The codes the apiserver acts on (Conflict,
 * KeyExists, KeyNotFound, Compacted) pass through.
 */
function storageFailuresAsApiErrors(store: Store): Store {
  const map = (e: unknown): never => {
    if (e instanceof StoreError && (e.code === 'Unavailable' || e.code === 'Corrupt')) {
      throw new ApiError(500, 'InternalError', `Internal error occurred: ${e.message}`);
    }
    throw e;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      return (...args: unknown[]) => {
        try {
          const out = v.apply(target, args);
          return out instanceof Promise ? out.catch(map) : out;
        } catch (e) {
          return map(e);
        }
      };
    },
  });
}

const isPlainObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pod's node, the index kubelets' watches use (pkg/registry/core/pod/storage/storage.go NodeNameTriggerFunc). */
const podNodeName = (pod: Obj): string | undefined => pod.spec?.nodeName ?? '';

/**
 * The store-side index a watch can use: a watch of pods with `spec.nodeName=X` (every kubelet's)
 * only needs the events of pods on X, so the store does not offer it the rest of the cluster's
 * (the watch cache's indexed triggers: pods by spec.nodeName, as kube-apiserver registers them).
 */
function watchTrigger(def: ResourceDef, sel: Selectors | null): WatchTrigger | undefined {
  if (def.resource !== 'pods' || def.group !== '' || !sel) return undefined;
  const r = sel.fields.find((f) => f.key === 'spec.nodeName' && (f.operator === 'Equals' || f.operator === 'DoubleEquals'));
  return r ? { name: 'pods/spec.nodeName', fn: podNodeName, value: r.values[0] ?? '' } : undefined;
}

/** Sets metadata.resourceVersion to the write's revision and freezes the object. */
function stamp(obj: Obj, revision: number): Obj {
  obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
  return deepFreeze(obj);
}

/** etcd key prefixes that differ from the resource name (the registries' storage.go: "services/specs", "minions", ...). */
const ETCD_PREFIX: Record<string, string> = {
  services: 'services/specs',
  endpoints: 'services/endpoints',
  nodes: 'minions',
  replicationcontrollers: 'controllers',
  'ingresses.networking.k8s.io': 'ingress',
  'customresourcedefinitions.apiextensions.k8s.io': 'apiextensions.k8s.io/customresourcedefinitions',
};

/**
 * A failed uid precondition as the storage reports it (storage.Preconditions.Check: an invalid-object
 * StorageError, made a 409 by storeerr.InterpretUpdateError), with the etcd key it names.
 */
function uidPreconditionFailed(def: ResourceDef, namespace: string | undefined, name: string, want: string, have: string): ApiError {
  const prefix = def.storagePrefix ?? ETCD_PREFIX[def.group ? `${def.resource}.${def.group}` : def.resource] ?? def.resource;
  const key = def.namespaced ? `/registry/${prefix}/${namespace}/${name}` : `/registry/${prefix}/${name}`;
  return conflict(
    def.group,
    def.resource,
    name,
    `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${want}, UID in object meta: ${have}`,
  );
}

function specChanged(a: Obj, b: Obj): boolean {
  const strip = (o: Obj) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return stableStringify(rest);
  };
  return strip(a) !== strip(b);
}

/** A continue token: the revision, the next key, and (without selectors) how many objects are left. */
function encodeContinue(t: { rv: number; start: string; left?: number }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start, ...(t.left !== undefined ? { left: t.left } : {}) })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string; left?: number } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad');
    return { rv: t.rv, start: t.start, left: Number.isSafeInteger(t.left) && t.left >= 0 ? t.left : undefined };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
