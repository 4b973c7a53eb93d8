// Kinds served from another version's storage (ResourceDef.conversion): events.k8s.io/v1 Events
// live in core/v1 Events' storage, autoscaling/v1 HPAs in autoscaling/v2's, as kube-apiserver keeps
// one storage version per resource and converts at the edge (k8s.io/apiserver/pkg/endpoints/handlers,
// runtime.Scheme conversion). ConvertedView has the APIServer methods the HTTP layer calls and
// converts bodies in and objects out; patches are applied to the served version's form.

import type { APIServer, DeleteOptions, DeleteResult, ListOptions, ListResult, PatchType, Watch, WatchEvent, WatchOptions, WriteOptions } from './apiserver.ts';
import { ApiError } from './errors.ts';
import { clone, type Obj } from './objects.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.ts';
import { apiVersionOf, type Conversion, type ResourceDef } from './registry.ts';

/** The APIServer surface the HTTP layer uses for a resource. */
export type ResourceAPI = Pick<APIServer, 'get' | 'list' | 'create' | 'update' | 'patch' | 'apply' | 'delete' | 'watch' | 'bookmark'>;

/**
 * `api` itself, or a converting view when `def` is served from another version's storage. The view
 * is typed as the APIServer so that callers keep one variable; methods it lacks are not served for
 * converted kinds.
 */
export function apiFor(api: APIServer, def: ResourceDef): APIServer {
  return def.conversion ? (new ConvertedView(api, def, def.conversion) as unknown as APIServer) : api;
}

const MAX_PATCH_RETRIES = 5;

export class ConvertedView implements ResourceAPI {
  private readonly storage: ResourceDef;

  constructor(
    private readonly api: APIServer,
    private readonly def: ResourceDef,
    private readonly conv: Conversion,
  ) {
    const s = api.registry.forKind(apiVersionOf(conv.storage), conv.storage.kind);
    if (!s) throw new Error(`no storage for ${def.resource}.${def.group}`);
    this.storage = s;
  }

  private out = (o: Obj): Obj => this.conv.fromStorage({ ...o, apiVersion: apiVersionOf(this.storage), kind: this.storage.kind });

  private in(body: unknown): unknown {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
    const o = body as Obj;
    const want = apiVersionOf(this.def);
    if (o.apiVersion && o.apiVersion !== want) {
      throw new ApiError(400, 'BadRequest', `the API version in the data (${o.apiVersion}) does not match the expected API version (${want})`);
    }
    return this.conv.toStorage({ ...o, apiVersion: want });
  }

  async get(_def: ResourceDef, ns: string | undefined, name: string): Promise<Obj> {
    return this.out(await this.api.get(this.storage, ns, name));
  }

  async list(_def: ResourceDef, ns: string | undefined, opts?: ListOptions): Promise<ListResult> {
    const r = await this.api.list(this.storage, ns, opts);
    return { ...r, items: r.items.map(this.out) };
  }

  async create(_def: ResourceDef, ns: string | undefined, body: unknown, opts?: WriteOptions): Promise<Obj> {
    return this.out(await this.api.create(this.storage, ns, this.in(body), opts));
  }

  async update(_def: ResourceDef, ns: string | undefined, name: string, body: unknown, opts?: WriteOptions): Promise<Obj> {
    return this.out(await this.api.update(this.storage, ns, name, this.in(body), opts));
  }

  /** The patch applied to the served form, then written as an update guarded by the read's resourceVersion. */
  async patch(_def: ResourceDef, ns: string | undefined, name: string, type: PatchType, patch: unknown, opts?: WriteOptions): Promise<Obj> {
    if (type === 'apply') return (await this.apply(this.def, ns, name, patch, opts)).object;
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(this.def, ns, name);
      let result: unknown;
      try {
        if (type === 'json') result = applyJsonPatch(current, patch);
        else if (type === 'merge') result = applyMergePatch(current, patch);
        else result = applyStrategicMergePatch(current, patch, this.def.kind);
      } catch (e) {
        if (e instanceof PatchError) throw new ApiError(e.code, e.code === 422 ? 'Invalid' : 'BadRequest', e.message);
        throw e;
      }
      const next = clone(result as Obj);
      const pinned = !!next.metadata?.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion;
      next.metadata = { ...next.metadata, resourceVersion: pinned ? next.metadata.resourceVersion : current.metadata.resourceVersion };
      try {
        return await this.update(this.def, ns, name, next, opts);
      } catch (e) {
        if (!pinned && e instanceof ApiError && e.reason === 'Conflict' && attempt < MAX_PATCH_RETRIES) continue;
        throw e;
      }
    }
  }

  async delete(_def: ResourceDef, ns: string | undefined, name: string, opts?: DeleteOptions): Promise<DeleteResult> {
    const r = await this.api.delete(this.storage, ns, name, opts);
    return { ...r, object: this.out(r.object) };
  }

  watch(_def: ResourceDef, ns: string | undefined, opts: WatchOptions, send: (ev: WatchEvent) => void): Promise<Watch> {
    return this.api.watch(this.storage, ns, opts, (ev) => {
      if (ev.type === 'ERROR') send(ev);
      else if (ev.type === 'BOOKMARK') send({ type: 'BOOKMARK', object: { ...ev.object, apiVersion: apiVersionOf(this.def), kind: this.def.kind } });
      else send({ type: ev.type, object: this.out(ev.object) });
    });
  }

  /**
   * Server-side apply in the served version's form: the live object is converted to it, the applied
   * configuration merged there (managedFields entries name the served apiVersion, as the
   * fieldmanager records the request's version), and the result converted back to storage.
   */
  async apply(_def: ResourceDef, ns: string | undefined, name: string, body: unknown, opts?: WriteOptions): Promise<{ object: Obj; created: boolean }> {
    const r = await this.api.apply(this.storage, ns, name, body, opts, { def: this.def, toServed: this.out, fromServed: (o) => this.in(o) as Obj });
    return { object: this.out(r.object), created: r.created };
  }

  bookmark(_def: ResourceDef, revision: number, initialEventsEnd?: boolean): Obj {
    return this.api.bookmark(this.def, revision, initialEventsEnd);
  }
}
