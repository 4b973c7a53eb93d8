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
  /** After a refresh where every list failed (an unreachable cluster), the next one waits this long. */
  retryMs?: number;
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
  /** The last failure line logged (one line per change, not one per refresh or per list). */
  private reported?: string;
  /** Every list failed last time (unreachable, no rights): wait `retryMs` before asking again. */
  private failedAll = false;
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
    this.retryMs = opts.retryMs ?? 60_000;
  }

  private readonly retryMs: number;

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
    if (this.failedAll && age < this.retryMs) return;
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
    const failed: [string, string][] = [];
    const kinds = Object.keys(LISTS) as Listed[];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') this.snapshots.set(r.value[0], r.value[1]);
      else {
        // A list the cluster refuses (a real cluster may forbid listing Secrets everywhere: 403) or
        // cannot answer: that kind is unknown from now on (nothing flagged), not its older list.
        this.snapshots.delete(kinds[i]);
        failed.push([LISTS[kinds[i]].slice(LISTS[kinds[i]].lastIndexOf('/') + 1), failureText(r.reason)]);
      }
    });
    this.failedAll = failed.length === kinds.length;
    // One line per change of what fails (not one per list, nor one per refresh).
    const line = failed.length ? `Listing the cluster's objects for diagnostics failed (counted as unknown): ${collapse(failed)}` : undefined;
    if (line && line !== this.reported) this.opts.log?.(line);
    this.reported = line;
    for (const fn of this.listeners) fn();
  }
}

/** `configmaps, secrets: TEXT; pods: OTHER`: lists that failed for the same reason, together. */
function collapse(failed: [string, string][]): string {
  const byText = new Map<string, string[]>();
  for (const [list, text] of failed) byText.set(text, [...(byText.get(text) ?? []), list]);
  return [...byText].map(([text, lists]) => `${lists.join(', ')}: ${text}`).join('; ');
}

/**
 * A request's failure in one short line: the apiserver's Status message when there is one
 * (`secrets is forbidden: User "dev" cannot list resource "secrets" in API group "" at the cluster
 * scope`), else the error's first line (`connect ECONNREFUSED 127.0.0.1:6443`).
 */
export function failureText(e: unknown): string {
  const message = statusOf(e)?.message;
  let text = typeof message === 'string' && message ? message : e instanceof Error ? e.message : String(e);
  // fetch's `fetch failed` says why in its cause (`connect ECONNREFUSED 127.0.0.1:6443`).
  for (let c = (e as { cause?: unknown } | null)?.cause, i = 0; c instanceof Error && i < 3; c = c.cause, i++) {
    if (!text.includes(c.message)) text += `: ${c.message}`;
  }
  const line = text.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
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
export async function dryRun(
  client: ApplyClient,
  docs: DryRunInput[],
  signal?: { aborted: boolean },
  /** Why the cluster could not judge (unreachable, or the user may not write there): not the document's fault. */
  unknown?: (why: string, kind: 'unreachable' | 'refused') => void,
): Promise<DryRunProblem[]> {
  const out: DryRunProblem[] = [];
  for (const d of docs) {
    if (signal?.aborted) break;
    const obj = d.object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; generateName?: unknown } };
    if (typeof obj?.apiVersion !== 'string' || typeof obj.kind !== 'string') continue;
    let resource;
    try {
      resource = await client.mapping(obj.apiVersion, obj.kind);
    } catch (e) {
      unknown?.(failureText(e), errorCode(e) === 401 || errorCode(e) === 403 ? 'refused' : 'unreachable');
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
        if (errorCode(e) === undefined) {
          unknown?.(failureText(e), 'unreachable'); // connection refused, timeout: not the document's fault
          return out;
        }
        unknown?.(failureText(e), 'refused'); // an answer without a Status: the cluster's, not the document's
        continue;
      }
      // The user's rights, not the document: 401, or RBAC's 403 (the authorizer's words, from
      // staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage:
      // `User "dev" cannot patch resource "pods" in API group "" in the namespace "shop"`). Admission's
      // 403s (quota, LimitRange) are the document's and stay.
      if (reason === 'Unauthorized' || errorCode(e) === 401 || (reason === 'Forbidden' && / is forbidden: User ".*" cannot /.test(message))) {
        unknown?.(message, 'refused');
        return out;
      }
      // A missing namespace is the cross-document check's (it knows the workspace may create it).
      if (reason === 'NotFound' && /^namespaces "[^"]*" not found$/.test(message)) continue;
      out.push({ range: d.range, message, reason });
    }
  }
  return out;
}

/** A cluster that cannot tell: every lookup is unknown. */
const UNKNOWN: ClusterView = { has: () => undefined, hasPods: () => undefined };

/** What the diagnostics need of the target picker (target.ts's TargetController, or a test's fake). */
export interface TargetSource<C> {
  /** Names the target (`emulated`, a kubeconfig context): one cache per target. */
  key(): string;
  /** The target's client if it is there without starting anything (the emulated cluster may not run). */
  clientIfReady(): C | undefined;
  /** Makes the client when that starts nothing (a kubeconfig context's); undefined for the emulated cluster. */
  prepare?(): Promise<unknown> | undefined;
  /** The embedded cluster: when it is not running the checks rely on the workspace alone. */
  emulated(): boolean;
  onDidChange(fn: () => void): { dispose(): void };
}

/**
 * The cluster side of the diagnostics for the target the user picked: a ClusterCache per target and
 * client (another target, or the emulated cluster restarted, makes a new one and disposes the old),
 * `changed` called when the target changes (check every document again) or newer lists came, and a
 * log line once per target for each reason the cluster could not judge (never one per keystroke).
 */
export class TargetClusterView<C extends Pick<ApplyClient, 'send'>> {
  private current?: { key: string; client: C; cache: ClusterCache; sub: { dispose(): void } };
  private readonly sub: { dispose(): void };
  private readonly said = new Map<string, Set<string>>();
  private preparing?: string;
  /** Caches made so far (tests, the log). */
  made = 0;

  constructor(
    private readonly source: TargetSource<C>,
    /** `target`: another target, or its client came (check and dry-run again); `lists`: newer lists. */
    private readonly changed: (why: 'target' | 'lists') => void,
    private readonly opts: ClusterCacheOptions = {},
  ) {
    this.sub = source.onDidChange(() => {
      this.drop();
      this.changed('target');
    });
  }

  /** The target's client, when there is one without starting the emulated cluster. */
  client(): C | undefined {
    const client = this.source.clientIfReady();
    if (client) return client;
    const key = this.source.key();
    if (this.preparing === key) return undefined;
    const made = this.source.prepare?.();
    if (!made) return undefined;
    // A kubeconfig context picked without the picker (a command's argument): make its client once.
    this.preparing = key;
    made.then(
      () => this.source.key() === key && this.changed('target'),
      (e: unknown) => this.once(`The target's client: ${failureText(e)}`),
    );
    return undefined;
  }

  /** The lists of the target's cluster, or undefined (no client yet: everything is unknown). */
  cache(): ClusterCache | undefined {
    const key = this.source.key();
    const client = this.client();
    if (this.current && (this.current.key !== key || this.current.client !== client)) this.drop();
    if (!this.current && client) {
      const cache = new ClusterCache(client, { ...this.opts, log: (l) => this.once(l) });
      this.current = { key, client, cache, sub: cache.onRefresh(() => this.changed('lists')) };
      this.made++;
    }
    return this.current?.cache;
  }

  /**
   * What the checks ask: the target's lists; for a kubeconfig context without a client (being made,
   * or it could not be) "unknown" for everything, so nothing is flagged on a cluster nobody asked;
   * undefined when the emulated cluster is not running (the workspace alone).
   */
  view(): ClusterView | undefined {
    return this.cache() ?? (this.source.emulated() ? undefined : UNKNOWN);
  }

  /** Logs `line` once for the current target (or once per `dedupe` when given). */
  once(line: string, dedupe = line): void {
    const key = this.source.key();
    const said = this.said.get(key) ?? new Set<string>();
    this.said.set(key, said);
    if (said.has(dedupe)) return;
    said.add(dedupe);
    this.opts.log?.(`${line} (target ${key})`);
  }

  /** The target did not answer a dry-run: no more dry-runs for `ms` (not one failed request per edit). */
  quiet(ms: number): void {
    this.quietUntil = { key: this.source.key(), until: (this.opts.now ?? Date.now)() + ms };
  }

  /** True while the current target is quiet. */
  isQuiet(): boolean {
    const q = this.quietUntil;
    return !!q && q.key === this.source.key() && (this.opts.now ?? Date.now)() < q.until;
  }

  private quietUntil?: { key: string; until: number };

  private drop(): void {
    this.current?.sub.dispose();
    this.current?.cache.dispose();
    this.current = undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.drop();
  }
}
