// TTL-after-finished controller (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
// a finished Job (Complete or Failed) with spec.ttlSecondsAfterFinished is deleted, with background
// propagation, that many seconds after it finished (the finished condition's lastTransitionTime),
// on the emulator clock. Before deleting, the Job is read again from the API server and checked
// once more, and the deletion carries its resourceVersion as a precondition, so a Job whose TTL was
// just changed is not deleted by mistake.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { DelayingQueue, finishedCondition, keyOf, splitKey } from './job-util.ts';

/** needsCleanup: a TTL is set and the Job is finished. */
function needsCleanup(job: Obj): boolean {
  return typeof job.spec?.ttlSecondsAfterFinished === 'number' && finishedCondition(job) !== undefined;
}

/** How long until the Job expires (≤ 0: it has), or undefined when it does not need cleanup. */
function timeLeft(job: Obj, now: number): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finishAt = Date.parse(finishedCondition(job)!.lastTransitionTime);
  if (Number.isNaN(finishAt)) return undefined;
  return finishAt + job.spec.ttlSecondsAfterFinished * 1000 - now;
}

export class TTLAfterFinishedController {
  private readonly jobs: Informer;
  private readonly queue: DelayingQueue;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new DelayingQueue(clock, (k) => this.processJob(k));
    const onJob = (job: Obj) => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) this.queue.add(keyOf(job));
    };
    this.jobs = informers.for('jobs.batch').on({ add: onJob, update: onJob });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.jobs);
  }

  stop(): void {
    this.queue.stop();
    this.informers.release(this.jobs);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async processJob(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const cached = this.jobs.get(ns, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    if (!this.expired(key, cached)) return;
    // The cache may be stale: check the Job as the API server has it now.
    const def = this.api.resource('jobs.batch');
    const fresh = await this.api.tryGet(def, ns, name);
    if (!fresh || fresh.metadata.deletionTimestamp || !this.expired(key, fresh)) return;
    try {
      await this.api.delete(def, ns, name, { propagationPolicy: 'Background', preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } });
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
  }

  /** processTTL: expired, or the key comes back when it will be. */
  private expired(key: string, job: Obj): boolean {
    const left = timeLeft(job, this.clock.now());
    if (left === undefined) return false;
    if (left <= 0) return true;
    this.queue.addAfter(key, left);
    return false;
  }
}
