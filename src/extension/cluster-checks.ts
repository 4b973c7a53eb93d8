// The cluster's side of the editor's checks: which namespaces, ConfigMaps, Secrets, claims,
// ServiceAccounts and pod labels the target cluster has (short-lived lists, shared by every document,
// never a request per keystroke), and the server-side dry-run (`dryRun=All`, what `kubectl apply
// --dry-run=server` asks) that shows what admission would refuse: ResourceQuota, LimitRange.
// No `vscode` import here: plain logic, unit-tested under Node against an emulated cluster.
import type { ApplyClient } from './apply.ts';
import { collectionPath, errorCode, statusOf } from './apply.ts';
import { matches, type ClusterView, type RefKind } from '../emulator/manifests/references.ts';

type Listed = RefKind | 'Namespace' | 'Pod';
const LISTS: Record<Listed, string> = {
  Namespace: '/api/v1/namespaces',
  ConfigMap: '/api/v1/configmaps',
  Secret: '/api/v1/secrets',
  PersistentVolumeClaim: '/api/v1/persistentvolumeclaims',
  ServiceAccount: '/api/v1/serviceaccounts',
  Pod: '/api/v1/pods',
};

interface Snapshot {
  names: Set<string>;
  /** Pods only: labels by namespace. */
  pods?: Map<string, Record<string, string>[]>;
  /** True when the list was cut short: a miss then means "unknown". */
  partial: boolean;
}

export interface ClusterCacheOptions {
  /** How long a list answers without being refreshed. */
  ttlMs?: number;
  /** At least this long between two refreshes, however often the cache is invalidated. */
  minIntervalMs?: number;
  /** Items per list; a longer list counts as partial. */
  limit?: number;
  now?: () => number;
  log?: (line: string) => void;
}

/**
 * Lists of the cluster's objects, refreshed in the background when a check finds them older than the
 * TTL (or invalidated by a watch event) and at most once per `minIntervalMs`. A check never waits: it
 * answers from the last lists (undefined before the first), and `onRefresh` tells when newer lists
 * came so the editor checks again.
 */
export class ClusterCache implements ClusterView {
  private readonly snapshots = new Map<Listed, Snapshot>();
  private fetchedAt = -Infinity;
  private stale = true;
  private refreshing?: Promise<void>;
  private disposed = false;
  private readonly listeners = new Set<() => void>();
  private readonly reported = new Set<string>();
  private readonly ttlMs: number;
  private readonly minIntervalMs: number;
  private readonly limit: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<ApplyClient, 'send'>,
    private readonly opts: ClusterCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.minIntervalMs = opts.minIntervalMs ?? 2_000;
    this.limit = opts.limit ?? 5_000;
    this.now = opts.now ?? (() => Date.now());
  }

  onRefresh(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  /** Something changed in the cluster (a watch event, an apply): the next check refreshes. */
  invalidate(): void {
    this.stale = true;
  }

  has(kind: RefKind | 'Namespace', namespace: string, name: string): boolean | undefined {
    this.maybeRefresh();
    const s = this.snapshots.get(kind);
    if (!s) return undefined;
    if (s.names.has(`${namespace}/${name}`)) return true;
    return s.partial ? undefined : false;
  }

  hasPods(namespace: string, selector: Record<string, string>): boolean | undefined {
    this.maybeRefresh();
    const s = this.snapshots.get('Pod');
    if (!s) return undefined;
    if ((s.pods?.get(namespace) ?? []).some((labels) => matches(selector, labels))) return true;
    return s.partial ? undefined : false;
  }

  /** Lists everything now (the first time, or a test); concurrent calls share one refresh. */
  refresh(): Promise<void> {
    this.refreshing ??= this.fetch().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }

  /** Refreshes in the background if the lists are stale and the interval allows (a watch event's poke). */
  refreshIfStale(): void {
    this.maybeRefresh();
  }

  private maybeRefresh(): void {
    if (this.refreshing || this.disposed) return;
    const age = this.now() - this.fetchedAt;
    if ((this.stale || age > this.ttlMs) && age >= this.minIntervalMs) void this.refresh();
  }

  private async fetch(): Promise<void> {
    this.fetchedAt = this.now();
    this.stale = false;
    const results = await Promise.allSettled(
      (Object.keys(LISTS) as Listed[]).map(async (kind) => {
        const list = await this.client.send('GET', LISTS[kind], { query: { limit: String(this.limit) } });
        const snapshot: Snapshot = { names: new Set(), partial: !!list?.metadata?.continue };
        if (kind === 'Pod') snapshot.pods = new Map();
        for (const item of Array.isArray(list?.items) ? list.items : []) {
          const meta = item?.metadata ?? {};
          snapshot.names.add(`${kind === 'Namespace' ? '' : (meta.namespace ?? '')}/${meta.name}`);
          if (snapshot.pods) {
            const ns = meta.namespace ?? '';
            const l = snapshot.pods.get(ns) ?? [];
            l.push(meta.labels ?? {});
            snapshot.pods.set(ns, l);
          }
        }
        return [kind, snapshot] as const;
      }),
    );
    if (this.disposed) return;
    for (const r of results) {
      if (r.status === 'fulfilled') this.snapshots.set(r.value[0], r.value[1]);
      else {
        // Said once per cluster (a real cluster may forbid listing Secrets everywhere: then they count as unknown).
        const text = r.reason instanceof Error ? r.reason.message : String(r.reason);
        if (!this.reported.has(text)) this.opts.log?.(`Listing the cluster's objects for diagnostics failed: ${text}`);
        this.reported.add(text);
      }
    }
    for (const fn of this.listeners) fn();
  }
}

/** The field manager of the dry-run's server-side apply (never persisted: `dryRun=All`). */
export const DRY_RUN_FIELD_MANAGER = 'kube-emulator-check';

export interface DryRunInput {
  object: unknown;
  /** Anything the caller wants back with the problem (the document's range). */
  range: unknown;
}
export interface DryRunProblem {
  range: unknown;
  /** The apiserver's message (metav1.Status message), e.g. `pods "web" is forbidden: exceeded quota: ...`. */
  message: string;
  /** The Status reason: Forbidden, Invalid, AlreadyExists, ... */
  reason: string;
}

/**
 * Sends each document to the cluster as a server-side apply with `dryRun=All`: the apiserver runs
 * defaulting, validation and admission (quota, LimitRange, namespace lifecycle) and stores nothing.
 * Returns what it refused. Kinds the cluster does not serve and unreachable clusters say nothing
 * (the local checks report unknown kinds). `signal.aborted` stops between documents (a newer edit).
 */
export async function dryRun(client: ApplyClient, docs: DryRunInput[], signal?: { aborted: boolean }): Promise<DryRunProblem[]> {
  const out: DryRunProblem[] = [];
  for (const d of docs) {
    if (signal?.aborted) break;
    const obj = d.object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; generateName?: unknown } };
    if (typeof obj?.apiVersion !== 'string' || typeof obj.kind !== 'string') continue;
    let resource;
    try {
      resource = await client.mapping(obj.apiVersion, obj.kind);
    } catch {
      return out; // the cluster is not reachable: nothing to say
    }
    if (!resource) continue;
    const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
    const namespace = resource.namespaced ? (typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace) || client.namespace : undefined;
    const collection = collectionPath(obj.apiVersion, resource.name, namespace);
    try {
      if (name) {
        await client.send('PATCH', `${collection}/${encodeURIComponent(name)}`, {
          query: { dryRun: 'All', fieldManager: DRY_RUN_FIELD_MANAGER, force: 'true' },
          body: obj,
          contentType: 'application/apply-patch+yaml',
        });
      } else if (typeof obj.metadata?.generateName === 'string') {
        await client.send('POST', collection, { query: { dryRun: 'All', fieldManager: DRY_RUN_FIELD_MANAGER }, body: obj });
      }
    } catch (e) {
      const status = statusOf(e);
      const message = typeof status?.message === 'string' ? status.message : undefined;
      const reason = typeof status?.reason === 'string' ? status.reason : '';
      if (!message) {
        if (errorCode(e) === undefined) return out; // connection refused, timeout: not the document's fault
        continue;
      }
      // A missing namespace is the cross-document check's (it knows the workspace may create it).
      if (reason === 'NotFound' && /^namespaces "[^"]*" not found$/.test(message)) continue;
      out.push({ range: d.range, message, reason });
    }
  }
  return out;
}
