// An event recorder like client-go's (tools/record/event.go + events_cache.go): core/v1 Events
// named <object>.<hex nanos>, and a repeat of the same event bumps count and lastTimestamp
// instead of creating a new one.

import { RecentCache } from '../recent.ts';
import type { APIServer } from '../api/apiserver.ts';
import type { Clock } from '../clock.ts';
import { rfc3339, type Obj } from '../api/objects.ts';

let lastNanos = 0n;

/** Event names carry the time in nanoseconds (client-go: "%v.%x" of UnixNano); strictly
 * increasing, so two events in the same emulated millisecond still sort in the order they happened. */
function nextEventNanos(nowMs: number): bigint {
  const n = BigInt(nowMs) * 1_000_000n;
  lastNanos = n > lastNanos ? n : lastNanos + 1n;
  return lastNanos;
}

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  private readonly recent = new RecentCache<string, { namespace: string; name: string }>(4096);

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly source: EventSource,
  ) {}

  /** Records an event about obj (fieldPath for a container: `spec.containers{name}`). */
  async record(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void> {
    const m = obj.metadata;
    const namespace = m.namespace || 'default';
    const involvedObject: Obj = {
      kind: obj.kind,
      namespace: m.namespace || undefined,
      name: m.name,
      uid: obj.kind === 'Node' ? m.name : m.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: m.resourceVersion,
    };
    if (!involvedObject.namespace) delete involvedObject.namespace;
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const now = this.clock.now();
    const def = this.api.resource('events');
    const aggKey = [namespace, obj.kind, m.name, m.uid, fieldPath ?? '', type, reason, message, this.source.component, this.source.host ?? ''].join('\u0000');
    const seen = this.recent.get(aggKey);
    try {
      if (seen) {
        const cur = await this.api.tryGet(def, seen.namespace, seen.name);
        if (cur) {
          await this.api.patch(def, seen.namespace, seen.name, 'merge', { count: (cur.count ?? 1) + 1, lastTimestamp: rfc3339(now) });
          return;
        }
      }
      const name = `${m.name}.${nextEventNanos(now).toString(16)}`;
      await this.api.create(def, namespace, {
        metadata: { name, namespace },
        involvedObject,
        reason,
        message,
        source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.source.component,
        reportingInstance: this.source.host ?? '',
      });
      this.recent.set(aggKey, { namespace, name });
    } catch {
      // Events are best effort, as in client-go: a failed event (a stopped or failing store
      // included) never fails the caller.
    }
  }
}
