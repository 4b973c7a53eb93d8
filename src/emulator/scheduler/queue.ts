// The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go): activeQ ordered by
// priority then the time the pod was queued (the PrioritySort plugin), backoffQ ordered by the end
// of each pod's backoff (1 s doubling per attempt up to 10 s), and unschedulablePods, which move back
// when a cluster event that may help the plugins that rejected them happens, or after 5 minutes
// (podMaxInUnschedulablePodsDuration). The backoff queue is flushed every second and the
// unschedulable pods every 30 s, as the scheduler's goroutines do, on the emulator's clock.

import type { Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Heap } from '../heap.ts';

export const POD_INITIAL_BACKOFF_MS = 1_000;
export const POD_MAX_BACKOFF_MS = 10_000;
export const POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPodInfo {
  key: string;
  pod: Obj;
  priority: number;
  /** When the pod was last added to the queue (activeQ order, backoff start). */
  timestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt; empty after an error. */
  unschedulablePlugins: Set<string>;
  where: 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inflight';
  /** Bumped when the entry moves, so stale heap entries are skipped. */
  version: number;
  /** While in flight: the sequence number of the first cluster event it has not seen yet. */
  inflightFrom?: number;
}

/** Past this many logged events, the ones every in-flight pod has seen are dropped. */
const EVENT_LOG_PRUNE = 4096;

interface Entry {
  info: QueuedPodInfo;
  version: number;
  a: number;
  b: number;
  c: number;
}

function less(x: Entry, y: Entry): boolean {
  return x.a < y.a || (x.a === y.a && (x.b < y.b || (x.b === y.b && x.c < y.c)));
}

function priorityOf(pod: Obj): number {
  return typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0;
}

export class SchedulingQueue {
  private readonly infos = new Map<string, QueuedPodInfo>();
  private readonly active = new Heap<Entry>(less);
  private readonly backoff = new Heap<Entry>(less);
  private readonly unschedulable = new Set<QueuedPodInfo>();
  private readonly inflight = new Set<QueuedPodInfo>();
  /**
   * inFlightEvents (scheduling_queue.go): the cluster events (the plugins they may help, undefined
   * for all) that arrived while pods were in flight, logged once for all of them; eventLog[i] has
   * sequence number logBase + i. A pod that fails looks at the events since it was popped.
   */
  private eventLog: (Set<string> | undefined)[] = [];
  private logBase = 0;
  private pruneAt = EVENT_LOG_PRUNE;
  private activeCount = 0;
  private seq = 0;
  private timers: TimerHandle[] = [];
  /** Called when activeQ gets a pod. */
  onActive: () => void = () => {};

  constructor(private readonly clock: Clock) {}

  run(): void {
    this.stop();
    this.timers.push(this.clock.setInterval(() => this.flushBackoffCompleted(), 1_000));
    this.timers.push(this.clock.setInterval(() => this.flushUnschedulableLeftover(), 30_000));
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  clear(): void {
    this.infos.clear();
    this.active.clear();
    this.backoff.clear();
    this.unschedulable.clear();
    this.inflight.clear();
    this.clearEventLog();
    this.activeCount = 0;
  }

  get pendingActive(): number {
    return this.activeCount;
  }

  has(key: string): boolean {
    return this.infos.has(key);
  }

  get(key: string): QueuedPodInfo | undefined {
    return this.infos.get(key);
  }

  /** Counts per queue, for tests and diagnostics. */
  stats(): { active: number; backoff: number; unschedulable: number; gated: number } {
    let backoff = 0;
    let gated = 0;
    for (const i of this.infos.values()) {
      if (i.where === 'backoff') backoff++;
      if (i.where === 'gated') gated++;
    }
    return { active: this.activeCount, backoff, unschedulable: this.unschedulable.size, gated };
  }

  /** A new unscheduled pod (or one seen again after a restart). */
  add(pod: Obj): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const existing = this.infos.get(key);
    if (existing) return this.update(pod);
    const info: QueuedPodInfo = { key, pod, priority: priorityOf(pod), timestamp: this.clock.now(), attempts: 0, unschedulablePlugins: new Set(), where: 'active', version: 0 };
    this.infos.set(key, info);
    if (gated(pod)) this.place(info, 'gated');
    else this.place(info, 'active');
  }

  /** The pod object changed (spec, labels, gates...). */
  update(pod: Obj): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const info = this.infos.get(key);
    if (!info) return this.add(pod);
    const old = info.pod;
    info.pod = pod;
    info.priority = priorityOf(pod);
    if (info.where === 'inflight') return;
    if (info.where === 'gated') {
      if (!gated(pod)) this.place(info, 'active');
      return;
    }
    if (info.where === 'unschedulable') {
      // isPodUpdated: anything but status and bookkeeping changed → try again.
      if (podUpdated(old, pod)) this.place(info, this.isBackingOff(info) ? 'backoff' : 'active');
      return;
    }
    // Re-sort with the new priority.
    this.place(info, info.where);
  }

  delete(key: string): void {
    const info = this.infos.get(key);
    if (!info) return;
    this.leave(info);
    this.infos.delete(key);
  }

  /** The next pod to schedule, or undefined. The pod stays known as in flight until done(). */
  pop(): QueuedPodInfo | undefined {
    for (;;) {
      const e = this.active.pop();
      if (!e) return undefined;
      if (e.version !== e.info.version || e.info.where !== 'active') continue;
      const info = e.info;
      this.activeCount--;
      info.where = 'inflight';
      this.inflight.add(info);
      info.version++;
      info.attempts++;
      info.inflightFrom = this.logBase + this.eventLog.length;
      return info;
    }
  }

  /** A pod that was scheduled (assumed) leaves the queue. */
  done(key: string): void {
    const info = this.infos.get(key);
    if (info && info.where === 'inflight') {
      this.leave(info);
      this.infos.delete(key);
    }
  }

  /**
   * AddUnschedulableIfNotPresent: the pod failed. With no rejecting plugin (an error), or when an
   * event that may help arrived meanwhile, it goes through backoff; otherwise to unschedulablePods.
   */
  addUnschedulable(key: string, plugins: Set<string>): void {
    const info = this.infos.get(key);
    if (!info || info.where !== 'inflight') return;
    info.timestamp = this.clock.now();
    info.unschedulablePlugins = plugins;
    let helped = false;
    for (let i = Math.max(0, (info.inflightFrom ?? 0) - this.logBase); i < this.eventLog.length && !helped; i++) {
      const ev = this.eventLog[i];
      if (ev === undefined) helped = true;
      else for (const p of ev) if (plugins.has(p)) helped = true;
    }
    if (plugins.size === 0 || helped) this.place(info, 'backoff');
    else this.place(info, 'unschedulable');
  }

  /**
   * MoveAllToActiveOrBackoffQueue for an event: pods rejected by one of `plugins` (all of them when
   * undefined) go to activeQ, or backoffQ while their backoff lasts.
   */
  moveOnEvent(plugins: Set<string> | undefined): void {
    for (const info of [...this.unschedulable]) {
      if (plugins && ![...info.unschedulablePlugins].some((p) => plugins.has(p))) continue;
      this.place(info, this.isBackingOff(info) ? 'backoff' : 'active');
    }
    // Logged once for every pod in flight (not once per pod: hundreds may be binding).
    if (this.inflight.size) {
      this.eventLog.push(plugins);
      if (this.eventLog.length > this.pruneAt) this.pruneEventLog();
    }
  }

  /** Drops the logged events every pod in flight has already seen. */
  private pruneEventLog(): void {
    let min = this.logBase + this.eventLog.length;
    for (const info of this.inflight) if (info.inflightFrom !== undefined && info.inflightFrom < min) min = info.inflightFrom;
    const drop = min - this.logBase;
    if (drop > 0) {
      this.eventLog = this.eventLog.slice(drop);
      this.logBase = min;
    }
    // A pod long in flight keeps its events: the next pruning waits for the log to double.
    this.pruneAt = Math.max(EVENT_LOG_PRUNE, this.eventLog.length * 2);
  }

  private clearEventLog(): void {
    this.logBase += this.eventLog.length;
    this.eventLog = [];
    this.pruneAt = EVENT_LOG_PRUNE;
  }

  /** calculateBackoffDuration: 1 s, doubled per attempt after the first, at most 10 s. */
  backoffDuration(info: QueuedPodInfo): number {
    if (info.attempts === 0) return 0;
    let d = POD_INITIAL_BACKOFF_MS;
    for (let i = 1; i < info.attempts; i++) {
      if (d > POD_MAX_BACKOFF_MS - d) return POD_MAX_BACKOFF_MS;
      d += d;
    }
    return d;
  }

  private backoffExpiry(info: QueuedPodInfo): number {
    return info.timestamp + this.backoffDuration(info);
  }

  private isBackingOff(info: QueuedPodInfo): boolean {
    return this.backoffExpiry(info) > this.clock.now();
  }

  private flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (;;) {
      const e = this.backoff.peek();
      if (!e) return;
      if (e.version !== e.info.version || e.info.where !== 'backoff') {
        this.backoff.pop();
        continue;
      }
      if (e.a > now) return;
      this.backoff.pop();
      this.place(e.info, 'active');
    }
  }

  private flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const info of [...this.unschedulable]) {
      if (now - info.timestamp > POD_MAX_IN_UNSCHEDULABLE_MS) this.place(info, this.isBackingOff(info) ? 'backoff' : 'active');
    }
  }

  private leave(info: QueuedPodInfo): void {
    if (info.where === 'active') this.activeCount--;
    if (info.where === 'unschedulable') this.unschedulable.delete(info);
    if (info.where === 'inflight') {
      this.inflight.delete(info);
      info.inflightFrom = undefined;
      if (!this.inflight.size) this.clearEventLog();
    }
    info.version++;
  }

  private place(info: QueuedPodInfo, where: QueuedPodInfo['where']): void {
    this.leave(info);
    info.where = where;
    if (where === 'active') {
      // PrioritySort: higher priority first, then the earlier queued.
      this.active.push({ info, version: info.version, a: -info.priority, b: info.timestamp, c: this.seq++ });
      this.activeCount++;
      this.onActive();
    } else if (where === 'backoff') {
      this.backoff.push({ info, version: info.version, a: this.backoffExpiry(info), b: this.seq++, c: 0 });
    } else if (where === 'unschedulable') {
      this.unschedulable.add(info);
    }
  }
}

function gated(pod: Obj): boolean {
  return (pod.spec?.schedulingGates ?? []).length > 0;
}

/** isPodUpdated: the pod differs in more than status, resourceVersion, generation and managedFields. */
function podUpdated(a: Obj, b: Obj): boolean {
  const strip = (p: Obj) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(a) !== strip(b);
}
