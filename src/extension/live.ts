// The live model of a cluster that the explorer trees, the topology panel and the details panel
// share (issue 8): one list+watch (client-node informer) per resource kind, kept in memory with the
// indexes the views need (by namespace, by owner uid, pods by node), and one change feed. Works the
// same against the emulator and against a real cluster from the user's kubeconfig: a kind the user
// may not list (RBAC 403) or that the server does not serve (404) is marked unavailable, and the
// rest keeps working.
//
// No `vscode` import: unit-tested under Node against the emulator.
import { KubeConfig, makeInformer, type Informer, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { ClusterClient } from './client.ts';
import { LIVE_KINDS, LIVE_RESOURCES, liveKindOf, resourcePath, type KindState, type KubeObject, type LiveChange, type LiveKind, type LiveView, type ResourceRef } from './resources.ts';

// The pure half (types, refs, kinds) lives in resources.ts so that code in the activation bundle
// can use it without pulling client-node in; re-exported here for the session's code.
export * from './resources.ts';

// client-node types objects as its models (Dates); ours are the JSON the API sent.
type Watched = Informer<any> & ObjectCache<any>;

function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

class KindStore {
  readonly byKey = new Map<string, KubeObject>();
  readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  state: KindState = { state: 'loading' };

  put(obj: KubeObject): KubeObject | undefined {
    const key = keyOf(obj);
    const old = this.byKey.get(key);
    this.byKey.set(key, obj);
    const ns = obj.metadata?.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(key, obj);
    return old;
  }

  remove(obj: KubeObject): KubeObject | undefined {
    const key = keyOf(obj);
    const old = this.byKey.get(key);
    if (!old) return undefined;
    this.byKey.delete(key);
    const ns = obj.metadata?.namespace ?? '';
    const m = this.byNamespace.get(ns);
    m?.delete(key);
    if (m?.size === 0) this.byNamespace.delete(ns);
    return old;
  }
}

export interface LiveOptions {
  log?(line: string): void;
  /** Which kinds to watch (default all of LIVE_RESOURCES). */
  kinds?: readonly LiveKind[];
}

/**
 * The live cluster model. `start()` lists every kind (kinds that fail are marked unavailable, with
 * the reason) and then follows the watches; `onDidChange` reports each change after the indexes
 * are updated. Consumers coalesce (a rollout is thousands of events).
 */
export class LiveCluster implements LiveView {
  private readonly stores = new Map<LiveKind, KindStore>();
  private readonly informers = new Map<LiveKind, Watched>();
  /** owner uid → the keys (`kind|ns/name`) of the objects it owns. */
  private readonly owned = new Map<string, Set<string>>();
  /** node name → pod keys. */
  private readonly podsOnNode = new Map<string, Set<string>>();
  private readonly listeners = new Set<(changes: readonly LiveChange[]) => void>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private disposed = false;
  /** Bumped on every change: cheap staleness checks for cached view models. */
  version = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly client: Pick<ClusterClient, 'send'>,
    private readonly opts: LiveOptions = {},
  ) {
    for (const k of opts.kinds ?? LIVE_KINDS) this.stores.set(k, new KindStore());
  }

  get kinds(): LiveKind[] {
    return [...this.stores.keys()];
  }

  /** Loading, ready, or unavailable (with the server's reason: RBAC, not served). */
  kindState(kind: LiveKind): KindState {
    return this.stores.get(kind)?.state ?? { state: 'unavailable', reason: 'not watched' };
  }

  /** Every object of a kind, or those of one namespace. */
  list(kind: LiveKind, namespace?: string): KubeObject[] {
    const s = this.stores.get(kind);
    if (!s) return [];
    if (namespace === undefined) return [...s.byKey.values()];
    return [...(s.byNamespace.get(namespace)?.values() ?? [])];
  }

  get(kind: LiveKind, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.stores.get(kind)?.byKey.get(namespace ? `${namespace}/${name}` : name);
  }

  /** The live object a ref names, if the views watch its kind. */
  resolve(ref: ResourceRef): KubeObject | undefined {
    const kind = liveKindOf(ref.apiVersion, ref.kind);
    return kind ? this.get(kind, ref.namespace, ref.name) : undefined;
  }

  /** The objects whose ownerReferences name `uid` (any kind), with their live kind. */
  ownedBy(uid: string): { kind: LiveKind; obj: KubeObject }[] {
    const out: { kind: LiveKind; obj: KubeObject }[] = [];
    for (const k of this.owned.get(uid) ?? []) {
      const bar = k.indexOf('|');
      const kind = k.slice(0, bar) as LiveKind;
      const obj = this.stores.get(kind)?.byKey.get(k.slice(bar + 1));
      if (obj) out.push({ kind, obj });
    }
    return out;
  }

  /** The pods bound to a node. */
  podsOn(node: string): KubeObject[] {
    const s = this.stores.get('pods');
    const out: KubeObject[] = [];
    for (const k of this.podsOnNode.get(node) ?? []) {
      const p = s?.byKey.get(k);
      if (p) out.push(p);
    }
    return out;
  }

  onDidChange(fn: (changes: readonly LiveChange[]) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  /** Lists every kind and starts the watches; resolves when every kind is ready or unavailable. */
  async start(): Promise<void> {
    await Promise.all(this.kinds.map((k) => this.startKind(k)));
    this.emit([]);
  }

  private async startKind(kind: LiveKind): Promise<void> {
    const r = LIVE_RESOURCES[kind];
    const path = resourcePath(r);
    const store = this.stores.get(kind)!;
    const informer = makeInformer<KubernetesObject>(this.kc, path, async () => {
      const list = await this.client.send('GET', path);
      store.state = { state: 'ready' };
      return list;
    }) as Watched;
    this.informers.set(kind, informer);
    let delay = 500;
    const onAdd = (obj: KubeObject) => {
      delay = 500;
      this.index(kind, obj, store.put(obj));
      this.emit([{ kind, type: 'add', obj }]);
    };
    const onUpdate = (obj: KubeObject) => {
      delay = 500;
      this.index(kind, obj, store.put(obj));
      this.emit([{ kind, type: 'update', obj }]);
    };
    const onDelete = (obj: KubeObject) => {
      const old = store.remove(obj);
      if (old) this.unindex(kind, old);
      this.emit([{ kind, type: 'delete', obj }]);
    };
    informer.on('add', onAdd);
    informer.on('update', onUpdate);
    informer.on('delete', onDelete);
    informer.on('error', (err: unknown) => {
      if (this.disposed) return;
      const code = (err as { code?: number; statusCode?: number })?.code ?? (err as { statusCode?: number })?.statusCode;
      this.opts.log?.(`Watch of ${path} failed (${err instanceof Error ? err.message : String(err)}); retrying in ${delay} ms`);
      if (code === 403 || code === 404) {
        const message = err instanceof Error ? err.message : String(err);
        store.state = { state: 'unavailable', reason: code === 403 ? `forbidden: ${message}` : 'not served by this cluster' };
        this.emit([]);
        return;
      }
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        if (!this.disposed) informer.start().catch(() => undefined);
      }, delay);
      this.retryTimers.add(t);
      delay = Math.min(delay * 2, 30_000);
    });
    try {
      // The informer reports a failed list to 'error' (above), not by rejecting.
      await informer.start();
    } catch (e) {
      const code = (e as { code?: number }).code;
      const message = e instanceof Error ? e.message : String(e);
      store.state = {
        state: 'unavailable',
        reason: code === 403 ? `forbidden: ${message}` : code === 404 ? `not served by this cluster` : message,
      };
      this.opts.log?.(`Listing ${r.plural} failed: ${message}`);
    }
  }

  private index(kind: LiveKind, obj: KubeObject, old: KubeObject | undefined): void {
    if (old) this.unindex(kind, old);
    const key = `${kind}|${keyOf(obj)}`;
    for (const o of obj.metadata?.ownerReferences ?? []) {
      let s = this.owned.get(o.uid);
      if (!s) this.owned.set(o.uid, (s = new Set()));
      s.add(key);
    }
    if (kind === 'pods') {
      const node = obj.spec?.nodeName as string | undefined;
      if (node) {
        let s = this.podsOnNode.get(node);
        if (!s) this.podsOnNode.set(node, (s = new Set()));
        s.add(keyOf(obj));
      }
    }
  }

  private unindex(kind: LiveKind, obj: KubeObject): void {
    const key = `${kind}|${keyOf(obj)}`;
    for (const o of obj.metadata?.ownerReferences ?? []) {
      const s = this.owned.get(o.uid);
      s?.delete(key);
      if (s?.size === 0) this.owned.delete(o.uid);
    }
    if (kind === 'pods') {
      const node = obj.spec?.nodeName as string | undefined;
      const s = node ? this.podsOnNode.get(node) : undefined;
      s?.delete(keyOf(obj));
      if (s?.size === 0) this.podsOnNode.delete(node!);
    }
  }

  private emit(changes: LiveChange[]): void {
    this.version++;
    for (const fn of this.listeners) {
      try {
        fn(changes);
      } catch (e) {
        this.opts.log?.(`A live view listener failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      }
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.listeners.clear();
    await Promise.allSettled([...this.informers.values()].map((i) => i.stop()));
  }
}
