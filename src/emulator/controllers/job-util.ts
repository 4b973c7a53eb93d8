// Helpers shared by the Job, CronJob and TTL-after-finished controllers:
// - a delaying work queue on the emulator clock (client-go util/workqueue delaying_queue.go AddAfter);
// - the Job controller's UID-tracking finalizer expectations (pkg/controller/job/tracking_utils.go);
// - Job conditions (pkg/controller/job/util/utils.go IsJobFinished, FinishedCondition);
// - ordered index intervals (pkg/controller/job/indexed_job_utils.go orderedIntervals).

import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { controllerOf } from './controller-utils.ts';

// ControllerExpectations and the key helpers are controller-utils' (controller_utils.go), shared by every workload controller.
export { ControllerExpectations as Expectations, controllerOf, keyOf, splitKey } from './controller-utils.ts';

/**
 * A WorkQueue with AddAfter: a key added with a delay waits on the emulator clock; a key already
 * waiting keeps the earlier of its two times (client-go's waitingForQueue). Failed syncs of API
 * errors are retried with the rate limiter (conflicts at once); other errors are bugs and throw.
 */
export class DelayingQueue {
  private readonly queue: WorkQueue;
  private readonly timers = new Map<string, { at: number; handle: TimerHandle }>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    handle: (key: string) => Promise<void>,
    maxDelayMs = 60_000,
  ) {
    this.queue = new WorkQueue(handle, {
      clock,
      maxRetries: 1000,
      maxDelayMs,
      classify: (e) => {
        if (!(e instanceof ApiError)) return 'throw';
        if (e.code === 403 && /is being terminated/.test(e.message)) return 'drop';
        return e.code === 409 ? 'now' : 'later';
      },
    });
  }

  add(key: string): void {
    this.queue.add(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (!(ms > 0)) return this.add(key);
    const at = this.clock.now() + ms;
    const cur = this.timers.get(key);
    if (cur && cur.at <= at) return;
    cur?.handle.cancel();
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(key)?.handle === handle) this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, { at, handle });
  }

  start(): void {
    this.stopped = false;
    this.queue.start();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }
}

/** uidTrackingExpectations: pods whose tracking finalizer removal the controller waits to observe. */
export class UIDExpectations {
  private readonly m = new Map<string, Set<string>>();

  expected(key: string): Set<string> {
    return this.m.get(key) ?? new Set();
  }

  expectRemoved(key: string, uids: string[]): void {
    let s = this.m.get(key);
    if (!s) this.m.set(key, (s = new Set()));
    for (const u of uids) s.add(u);
  }

  observed(key: string, uid: string): void {
    const s = this.m.get(key);
    if (!s) return;
    s.delete(uid);
    if (s.size === 0) this.m.delete(key);
  }

  delete(key: string): void {
    this.m.delete(key);
  }
}

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** FinishedCondition: the Complete or Failed condition with status True, if any. */
export function finishedCondition(job: Obj): Obj | undefined {
  return (job.status?.conditions ?? []).find((c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function isJobFinished(job: Obj): boolean {
  return finishedCondition(job) !== undefined;
}

export function isJobSucceeded(job: Obj): boolean {
  return finishedCondition(job)?.type === 'Complete';
}

/** Indexes by the controller's UID (ownerReferences[controller=true].uid). */
export function byControllerUID(o: Obj): string[] {
  const ref = controllerOf(o);
  return ref?.uid ? [ref.uid] : [];
}

export function byNamespace(o: Obj): string[] {
  return [o.metadata.namespace ?? ''];
}


/** The completion index of a pod (its annotation), or -1 (unknownCompletionIndex). */
export function completionIndex(pod: Obj): number {
  const v = pod.metadata?.annotations?.[JOB_COMPLETION_INDEX];
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** orderedIntervals.String(): "1,3-5,7,8" (two consecutive indexes are written with a comma). */
export function formatIndexes(sorted: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    const first = sorted[i]!;
    const last = sorted[j]!;
    if (last === first) parts.push(String(first));
    else parts.push(`${first}${last === first + 1 ? ',' : '-'}${last}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** parseIndexesFromString: the indexes below `completions` in "1,3-5". */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}
