// The Events view: the cluster's recent events, newest first (as `kubectl events` sorts them: by the
// last time seen), "reason: message" with the object and how long ago; Warnings with a warning icon.
// A click shows the object the event is about. No `vscode` import.
import * as l10n from '../l10n.ts';
import type { KubeObject } from '../live.ts';
import { contextValue, loading, objId, printed, refOfObj, unavailableRow, YELLOW, type ViewOptions, type ViewSource } from './format.ts';
import type { Row } from './rows.ts';

/** How many events the view lists (a busy cluster keeps an hour of them). */
export const MAX_EVENTS = 300;

/** When an event was last seen: its series, lastTimestamp, eventTime, then creation (kubectl events' sort). */
export function lastSeen(e: KubeObject): number {
  for (const ts of [e.series?.lastObservedTime, e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata?.creationTimestamp]) {
    if (typeof ts === 'string') {
      const t = Date.parse(ts);
      if (!Number.isNaN(t)) return t;
    }
  }
  return 0;
}

export function eventRow(e: KubeObject, opts: ViewOptions): Row {
  const c = printed('events', e, opts.now);
  const warning = e.type === 'Warning';
  const io = e.involvedObject ?? {};
  const count = Number(c.Count) > 1 ? `x${c.Count}` : '';
  const ns = e.metadata?.namespace;
  return {
    id: objId('events', e),
    label: `${c.Reason}: ${c.Message}`,
    name: e.metadata?.name,
    description: [c.Object, `${c['Last Seen']} ago`, count, opts.namespace === undefined && ns].filter(Boolean).join(' · '),
    tooltip: [
      `${c.Type} ${c.Reason}`,
      c.Message,
      '',
      `Object: ${c.Object}${c.Subobject ? ` (${c.Subobject})` : ''}${ns ? ` in ${ns}` : ''}`,
      `Source: ${c.Source}`,
      `Last seen: ${c['Last Seen']} ago, first seen: ${c['First Seen']} ago, count: ${c.Count}`,
    ].join('\n'),
    icon: warning ? { id: 'warning', color: YELLOW } : { id: 'info' },
    contextValue: contextValue('Event', warning && 'warning'),
    ref: refOfObj('events', e),
    show: io.kind && io.name ? { apiVersion: io.apiVersion ?? 'v1', kind: io.kind, namespace: io.namespace, name: io.name, uid: io.uid } : undefined,
  };
}

export function eventRows(src: ViewSource, opts: ViewOptions): Row[] {
  const unavailable = unavailableRow(src, 'events');
  if (unavailable) return [unavailable];
  if (loading(src, 'events')) return [{ id: 'loading', label: l10n.t('Loading…'), icon: { id: 'loading~spin' } }];
  const events = src
    .list('events', opts.namespace)
    .map((e) => ({ e, t: lastSeen(e) }))
    .sort((a, b) => b.t - a.t || (a.e.metadata?.name ?? '').localeCompare(b.e.metadata?.name ?? ''))
    .slice(0, MAX_EVENTS);
  if (!events.length) return [{ id: 'empty', label: opts.namespace === undefined ? 'No events' : `No events in namespace ${opts.namespace}`, icon: { id: 'info' } }];
  return events.map(({ e }) => eventRow(e, opts));
}
