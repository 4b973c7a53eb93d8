// Words and icons the explorer's rows share. Cells are `kubectl get`'s: the emulated apiserver's
// server-side printers (src/emulator/api/tables.ts, after kubernetes pkg/printers/internalversion/
// printers.go) run here on the live JSON objects, so a description reads "2/3" exactly where
// kubectl's READY column does, for the emulator and for a real cluster alike. No `vscode` import.
import { humanDuration, toTable } from '../../emulator/api/tables.ts';
import * as l10n from '../l10n.ts';
import { LIVE_RESOURCES, type KubeObject, type LiveKind, type ResourceRef } from '../resources.ts';
import type { Icon } from './rows.ts';

export const GREEN = 'charts.green';
export const YELLOW = 'charts.yellow';
export const RED = 'charts.red';
export const BLUE = 'charts.blue';
export const GREY = 'disabledForeground';

/** The source the views read: a LiveCluster (or a test's stand-in). */
export interface ViewSource {
  list(kind: LiveKind, namespace?: string): KubeObject[];
  get(kind: LiveKind, namespace: string | undefined, name: string): KubeObject | undefined;
  ownedBy(uid: string): { kind: LiveKind; obj: KubeObject }[];
  podsOn(node: string): KubeObject[];
  kindState(kind: LiveKind): { state: 'loading' } | { state: 'ready' } | { state: 'unavailable'; reason: string };
}

export interface ViewOptions {
  /** Only this namespace (undefined: all namespaces). */
  namespace?: string;
  /** The cluster's time in ms (the emulator's clock may run ahead of the wall clock). */
  now: number;
  /** Emulated nodes whose kubelet is stopped (an outage the API does not show until the grace period). */
  stoppedNodes?: ReadonlySet<string>;
}

/** kubectl get's cells of one object, by column name (`Ready`, `Status`, `Port(s)`, ...). */
export function printed(kind: LiveKind, obj: KubeObject, now: number): Record<string, string> {
  const r = LIVE_RESOURCES[kind];
  const table = toTable(r.plural, [obj], { includeObject: 'None', now, resourceVersion: '', apiVersion: r.apiVersion, kind: r.kind });
  const out: Record<string, string> = {};
  table.columnDefinitions.forEach((c, i) => (out[c.name] = String(table.rows[0].cells[i] ?? '')));
  return out;
}

/** kubectl's AGE (duration.HumanDuration) of a timestamp; '' when there is none. */
export function age(ts: string | undefined, now: number): string {
  if (!ts) return '';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '' : humanDuration(now - t);
}

export function refOfObj(kind: LiveKind, obj: KubeObject): ResourceRef {
  const r = LIVE_RESOURCES[kind];
  return { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespaced ? obj.metadata?.namespace : undefined, name: obj.metadata?.name ?? '', uid: obj.metadata?.uid };
}

export const nameOf = (o: KubeObject) => o.metadata?.name ?? '';
export const byName = (a: KubeObject, b: KubeObject) => cmp(nameOf(a), nameOf(b));
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The row id of an object among its siblings: kind and name (namespaced ids keep namespaces apart). */
export function objId(kind: LiveKind, obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${LIVE_RESOURCES[kind].kind}:${m.namespace}/${m.name}` : `${LIVE_RESOURCES[kind].kind}:${m.name}`;
}

/** `k8s.<Kind>` and flags, the contextValue convention of the issue 8 views. */
export function contextValue(kind: string, ...flags: (string | false | undefined)[]): string {
  return ['k8s.' + kind, ...flags.filter(Boolean)].join(' ');
}

/**
 * The message of a Kubernetes Status in an error text (client-node puts the body's JSON in its
 * message), else the text itself: `secrets is forbidden: User "u" cannot list resource ...`.
 */
export function statusMessage(text: string): string {
  const m = /"message"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (m) {
    try {
      return JSON.parse(m[1]) as string;
    } catch {
      // fall through
    }
  }
  return text.split('\n')[0];
}

/**
 * The row a group shows when its kind cannot be listed: `Forbidden: <the API's message>` for RBAC,
 * or why the server does not serve it; undefined when the kind is there.
 */
export function unavailableRow(src: ViewSource, kind: LiveKind, idPrefix = ''): { id: string; label: string; tooltip: string; icon: Icon; contextValue: string } | undefined {
  const s = src.kindState(kind);
  if (s.state !== 'unavailable') return undefined;
  const r = LIVE_RESOURCES[kind];
  const forbidden = /^forbidden: /i.test(s.reason);
  const detail = forbidden ? statusMessage(s.reason.replace(/^forbidden: /i, '')) : statusMessage(s.reason);
  const label = forbidden ? l10n.t('Forbidden: {0}', detail) : l10n.t('Unavailable: {0}', detail);
  return {
    id: `${idPrefix}unavailable:${kind}`,
    label,
    tooltip: forbidden
      ? `${l10n.t('This cluster does not let your user list {0} (RBAC):', r.plural)}\n${detail}`
      : l10n.t('{0} ({1}) cannot be listed: {2}', r.plural, r.apiVersion, detail),
    icon: { id: forbidden ? 'lock' : 'warning', color: YELLOW },
    contextValue: 'unavailable',
  };
}

/** "Loading…" while a kind's first list has not answered. */
export function loading(src: ViewSource, kind: LiveKind): boolean {
  return src.kindState(kind).state === 'loading';
}

/** The namespaces to group by: the filter's one, or every namespace that has any of `objects`. */
export function namespacesOf(objects: readonly KubeObject[], filter?: string): string[] {
  if (filter !== undefined) return [filter];
  return [...new Set(objects.map((o) => o.metadata?.namespace ?? ''))].filter(Boolean).sort(cmp);
}

/**
 * When an object was created, as stored (RFC 3339). Tooltips show this rather than an age, which
 * would change every refresh and redraw rows that did not change.
 */
export function created(ts: string | undefined): string {
  return ts ?? '<unknown>';
}
