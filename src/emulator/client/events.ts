// An event recorder like client-go's (tools/record/event.go + events_cache.go): core/v1 Events
// named <object>.<hex nanos>; a repeat of the same event bumps count and lastTimestamp instead of
// creating a new one; similar events are combined and a source's events about one object are
// rate-limited, as client-go's EventCorrelator does.

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

/** A token bucket (client-go util/flowcontrol) on the emulator's clock: `burst` tokens, refilled at `qps`. */
interface Bucket {
  tokens: number;
  at: number;
}

// client-go tools/record/events_cache.go: the correlator every recorder runs before writing.
const SPAM_BURST = 25;
const SPAM_QPS = 1 / 300;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const CACHE_ENTRIES = 4096;

export class EventRecorder {
  /** eventLogger: the event last written under a key (the event's own key, or its aggregate's). */
  private readonly logged = new RecentCache<string, { namespace: string; name: string; count: number }>(CACHE_ENTRIES);
  /** EventAggregator: the messages seen per (source, object, type, reason) in the last 10 minutes. */
  // One message (almost every object and reason) is kept as the string, not a Set of one: a
  // kubelet holds four of these per pod.
  private readonly aggregates = new RecentCache<string, { messages: string | Set<string>; last: number }>(CACHE_ENTRIES);
  /** EventSourceObjectSpamFilter: a bucket per (source, object). */
  private readonly spam = new RecentCache<string, Bucket>(CACHE_ENTRIES);

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly source: EventSource,
  ) {}

  /**
   * Records an event about obj (fieldPath for a container: `spec.containers{name}`), through
   * client-go's EventCorrelator: an event seen before bumps its count; the 10th message of one
   * reason about one object within 10 minutes becomes "(combined from similar events): ..."; a
   * source writes at most 25 events about one object, then one every 5 minutes.
   */
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
    const { component, host = '' } = this.source;
    const spamKey = [component, host, obj.kind, m.namespace ?? '', m.name, involvedObject.uid, obj.apiVersion].join('\u0000');

    // EventAggregate: similar events (differing only by message) past the 10th are combined.
    const aggregateKey = [spamKey, type, reason, component, host].join('\u0000');
    let agg = this.aggregates.get(aggregateKey);
    if (!agg || now - agg.last > AGGREGATE_INTERVAL_MS) agg = { messages: message, last: now };
    else if (typeof agg.messages !== 'string') agg.messages.add(message);
    else if (agg.messages !== message) agg.messages = new Set([agg.messages, message]);
    agg.last = now;
    this.aggregates.set(aggregateKey, agg);
    let key = [spamKey, fieldPath ?? '', type, reason, message].join('\u0000');
    if (typeof agg.messages !== 'string' && agg.messages.size >= AGGREGATE_MAX_EVENTS) {
      agg.messages.delete(agg.messages.values().next().value!);
      message = `(combined from similar events): ${message}`;
      key = aggregateKey;
    }

    // eventObserve: the count goes up whether or not the spam filter then lets the write through.
    const seen = this.logged.get(key);
    const count = (seen?.count ?? 0) + 1;
    const name = seen?.name ?? `${m.name}.${nextEventNanos(now).toString(16)}`;
    this.logged.set(key, { namespace, name, count });

    // EventSourceObjectSpamFilter.Filter.
    let bucket = this.spam.get(spamKey);
    if (!bucket) bucket = { tokens: SPAM_BURST, at: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + ((now - bucket.at) / 1000) * SPAM_QPS);
    bucket.at = now;
    this.spam.set(spamKey, bucket);
    if (bucket.tokens < 1) return;
    bucket.tokens -= 1;

    try {
      if (seen) {
        try {
          await this.api.patch(def, namespace, name, 'merge', { count, lastTimestamp: rfc3339(now), message });
          return;
        } catch {
          // Gone (an hour's TTL) or never written (filtered): recordEvent creates it, with the count.
        }
      }
      await this.api.create(def, namespace, {
        metadata: { name, namespace },
        involvedObject,
        reason,
        message,
        source: host ? { component, host } : { component },
        firstTimestamp: rfc3339(now),
        lastTimestamp: rfc3339(now),
        count,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: host,
      });
    } catch {
      // Events are best effort, as in client-go: a failed event (a stopped or failing store
      // included) never fails the caller.
    }
  }
}
