// A shared-informer in the shape of client-go's (tools/cache/shared_informer.go): list, then watch
// from the list's resourceVersion into an in-memory cache with indexes; handlers get add, update and
// delete; a watch that expires (410) relists. Components read the cache, never the store.

import type { APIServer, Watch } from '../api/apiserver.ts';
import type { ResourceDef } from '../api/registry.ts';
import type { Obj } from '../api/objects.ts';
import { ApiError } from '../api/errors.ts';

export interface Handlers {
  add?(obj: Obj): void;
  update?(obj: Obj, old: Obj): void;
  delete?(obj: Obj): void;
}

export type IndexFn = (obj: Obj) => string[];

export function keyOf(obj: Obj): string {
  const m = obj.metadata;
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

export class Informer {
  private readonly cache = new Map<string, Obj>();
  private readonly handlers: Handlers[] = [];
  private readonly indexFns = new Map<string, IndexFn>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private watch: Watch | undefined;
  private stopped = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly api: APIServer,
    readonly def: ResourceDef,
    private readonly opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ) {}

  /**
   * Adds handlers. On a shared informer that has already listed, the new handlers get an add for
   * every cached object first, as client-go's AddEventHandler replays the store.
   */
  on(h: Handlers): this {
    this.handlers.push(h);
    if (h.add) for (const o of this.cache.values()) h.add(o);
    return this;
  }

  /** Adds an index; an index of the same name already there is kept (shared informers: one index serves all). */
  addIndex(name: string, fn: IndexFn): this {
    if (this.indexFns.has(name)) return this;
    this.indexFns.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indexes.set(name, idx);
    for (const [k, o] of this.cache) for (const v of fn(o)) addTo(idx, v, k);
    return this;
  }

  get(namespace: string | undefined, name: string): Obj | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): Obj[] {
    return [...this.cache.values()];
  }

  byIndex(name: string, value: string): Obj[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.cache.get(k)!).filter(Boolean);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.relist();
  }

  /** Stops watching and forgets the cache: a later start() lists afresh and reports every object as added. */
  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.watch = undefined;
    this.cache.clear();
    for (const idx of this.indexes.values()) idx.clear();
    this.synced = false;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    const list = await this.api.list(this.def, this.opts.namespace, this.opts);
    const seen = new Set<string>();
    for (const o of list.items) {
      const k = keyOf(o);
      seen.add(k);
      this.upsert(k, o);
    }
    for (const [k, o] of [...this.cache]) if (!seen.has(k)) this.remove(k, o);
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
    try {
      this.watch = await this.api.watch(this.def, this.opts.namespace, { ...this.opts, resourceVersion: list.resourceVersion }, (ev) => {
        if (this.stopped) return;
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(keyOf(ev.object), ev.object);
        else if (ev.type === 'DELETED') {
          const k = keyOf(ev.object);
          if (this.cache.has(k)) this.remove(k, ev.object);
        }
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 410) return this.relist();
      throw e;
    }
  }

  private upsert(k: string, o: Obj): void {
    const old = this.cache.get(k);
    if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) return;
    this.cache.set(k, o);
    for (const [name, fn] of this.indexFns) {
      const idx = this.indexes.get(name)!;
      const now = fn(o);
      if (old) {
        const was = fn(old);
        // Most updates (a status write) leave the indexed values as they were.
        if (sameValues(was, now)) continue;
        for (const v of was) {
          const s = idx.get(v);
          s?.delete(k);
          if (s && s.size === 0) idx.delete(v);
        }
      }
      for (const v of now) addTo(idx, v, k);
    }
    for (const h of this.handlers) {
      try {
        if (old) h.update?.(o, old);
        else h.add?.(o);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private remove(k: string, o: Obj): void {
    const old = this.cache.get(k) ?? o;
    this.cache.delete(k);
    for (const [name, fn] of this.indexFns) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(old)) {
        const s = idx.get(v);
        s?.delete(k);
        if (s && s.size === 0) idx.delete(v);
      }
    }
    for (const h of this.handlers) {
      try {
        h.delete?.(o);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(k);
}
