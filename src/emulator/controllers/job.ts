// Job controller (pkg/controller/job/job_controller.go, indexed_job_utils.go, pod_failure_policy.go,
// backoff_utils.go), as in Kubernetes 1.32 with its default feature gates (JobPodReplacementPolicy,
// JobSuccessPolicy, PodIndexLabel on): pods from the template with the job-tracking finalizer,
// completions and parallelism, NonIndexed and Indexed completion, backoffLimit with the pod failure
// back-off (10 s doubling, at most 10 min), activeDeadlineSeconds, suspend and resume,
// podFailurePolicy, uncountedTerminatedPods, and the interim SuccessCriteriaMet / FailureTarget
// conditions that become Complete / Failed once no pod is terminating.
//
// Watches Jobs and pods (the shared informers). Pod events reach their Job through the controller
// reference (index by controller UID), orphans through the Jobs of their namespace; Job syncs are
// batched by 1 s after pod events, as syncJobBatchPeriod does.
//
// backoffLimitPerIndex (JobBackoffLimitPerIndex, on in 1.32): each index counts its failures in the
// batch.kubernetes.io/job-index-failure-count annotation of its replacement pods, backs off on its
// own, and fails alone (failedIndexes, the FailIndex action), the Job failing with FailedIndexes or
// MaxFailedIndexesExceeded. successPolicy (JobSuccessPolicy): an Indexed Job whose rule matches
// meets its success criteria at once, its other pods go. Jobs managed by another controller
// (managedBy) are skipped.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { clone, rfc3339, type Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.ts';
import type { Clock } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { orphanPodIndexKeyForNamespace, POD_CONTROLLER_UID_INDEX, podControllerUIDIndex } from './controller-utils.ts';
import {
  byNamespace,
  completionIndex,
  controllerOf,
  DelayingQueue,
  Expectations,
  formatIndexes,
  isJobFinished,
  JOB_COMPLETION_INDEX,
  JOB_INDEX_FAILURE_COUNT,
  JOB_INDEX_IGNORED_FAILURE_COUNT,
  JOB_TRACKING_FINALIZER,
  keyOf,
  parseIndexes,
  splitKey,
  UIDExpectations,
} from './job-util.ts';

/** syncJobBatchPeriod. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;
/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/** MaxUncountedPods and MaxPodCreateDeletePerSync. */
const MAX_UNCOUNTED_PODS = 500;
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** names.MaxGeneratedNameLength. */
const MAX_GENERATED_NAME_LENGTH = 58;

interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime: number | undefined;
}

interface SyncCtx {
  job: Obj;
  pods: Obj[];
  activePods: Obj[];
  finishedCondition: Obj | undefined;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: Set<number>;
  succeededIndexes: Set<number>;
  /** backoffLimitPerIndex: the failed indexes, and per index the failed pod whose removal waits for its replacement. */
  failedIndexes: Set<number> | undefined;
  delayedDeletion: Map<number, Obj>;
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: Set<string>;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  terminating: number;
  ready: number;
}

export class JobController {
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly queue: DelayingQueue;
  private readonly orphanQueue: DelayingQueue;
  private readonly expectations: Expectations;
  private readonly finalizerExpectations = new UIDExpectations();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly recorder: EventRecorder;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new DelayingQueue(clock, (k) => this.syncJob(k));
    this.orphanQueue = new DelayingQueue(clock, (k) => this.syncOrphanPod(k));
    this.expectations = new Expectations(clock);
    this.recorder = new EventRecorder(api, clock, { component: 'job-controller' });
    this.jobs = informers
      .for('jobs.batch')
      .addIndex('namespace', byNamespace)
      .on({ add: (j) => this.addJob(j), update: (j, old) => this.updateJob(j, old), delete: (j) => this.deleteJob(j) });
    this.pods = informers
      .for('pods')
      .addIndex(POD_CONTROLLER_UID_INDEX, podControllerUIDIndex)
      .on({ add: (p) => this.addPod(p), update: (p, old) => this.updatePod(p, old), delete: (p) => this.deletePod(p, true) });
  }

  async start(): Promise<void> {
    this.queue.start();
    this.orphanQueue.start();
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.jobs);
  }

  stop(): void {
    this.queue.stop();
    this.orphanQueue.stop();
    this.informers.release(this.jobs);
    this.informers.release(this.pods);
  }

  /** Settles when both queues are empty (tests). */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.orphanQueue.idle();
  }

  // ---- events → keys ----

  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  /** getPodJobs: the Jobs of the pod's namespace whose selector matches it. */
  private podJobs(pod: Obj): Obj[] {
    return this.jobs.byIndex('namespace', pod.metadata.namespace).filter((j) => {
      const reqs = labelSelectorFromObject(j.spec?.selector);
      return !!reqs && reqs.length > 0 && matchesLabels(reqs, pod.metadata.labels ?? {});
    });
  }

  private enqueueBatched(job: Obj): void {
    this.queue.addAfter(keyOf(job), SYNC_JOB_BATCH_PERIOD_MS);
  }

  private addPod(pod: Obj): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod, false);
    const ref = controllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!job) return;
      this.expectations.creationObserved(keyOf(job));
      return this.enqueueBatched(job);
    }
    if (hasTrackingFinalizer(pod)) this.orphanQueue.add(keyOf(pod));
    for (const job of this.podJobs(pod)) this.enqueueBatched(job);
  }

  private updatePod(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur, false);
    const finalizerRemoved = !hasTrackingFinalizer(cur);
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.observed(keyOf(job), cur.metadata.uid);
        this.enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.observed(keyOf(job), cur.metadata.uid);
      return this.enqueueBatched(job);
    }
    if (hasTrackingFinalizer(cur)) this.orphanQueue.add(keyOf(cur));
    if (refChanged || JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {})) {
      for (const job of this.podJobs(cur)) this.enqueueBatched(job);
    }
  }

  private deletePod(pod: Obj, final: boolean): void {
    const ref = controllerOf(pod);
    const hasFinalizer = hasTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer) this.orphanQueue.add(keyOf(pod));
      return;
    }
    const job = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      if (hasFinalizer) this.orphanQueue.add(keyOf(pod));
      return;
    }
    const key = keyOf(job);
    this.expectations.deletionObserved(key);
    if (final || !hasFinalizer) this.finalizerExpectations.observed(key, pod.metadata.uid);
    this.enqueueBatched(job);
  }

  private addJob(job: Obj): void {
    this.queue.add(keyOf(job));
  }

  private updateJob(cur: Obj, old: Obj): void {
    const key = keyOf(cur);
    if (cur.metadata.generation === old.metadata.generation) this.enqueueBatched(cur);
    else this.queue.add(key);
    // A backup for pods whose finalizer outlived their Job's finish.
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    if (cur.status?.startTime && typeof ads === 'number' && ads !== old.spec?.activeDeadlineSeconds) {
      this.queue.addAfter(key, ads * 1000 - (this.clock.now() - Date.parse(cur.status.startTime)));
    }
  }

  private deleteJob(job: Obj): void {
    this.queue.add(keyOf(job));
    this.cleanupPodFinalizers(job);
  }

  private cleanupPodFinalizers(job: Obj): void {
    for (const pod of this.pods.byIndex(POD_CONTROLLER_UID_INDEX, job.metadata.uid)) {
      if (hasTrackingFinalizer(pod)) this.orphanQueue.add(keyOf(pod));
    }
  }

  /** syncOrphanPod: removes the tracking finalizer of a pod no unfinished Job owns. */
  private async syncOrphanPod(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const pod = this.pods.get(ns, name);
    if (!pod) return;
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolveControllerRef(ns, ref);
      if (job && job.spec?.managedBy && job.spec.managedBy !== 'kubernetes.io/job-controller') return;
      if (job && !isJobFinished(job)) return;
    }
    await this.removeFinalizer(pod);
  }

  // ---- reconcile ----

  private async syncJob(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const shared = this.jobs.get(ns, name);
    if (!shared) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    if (shared.spec?.managedBy && shared.spec.managedBy !== 'kubernetes.io/job-controller') return;
    if (isJobFinished(shared)) {
      this.backoff.delete(key);
      return;
    }
    const job = clone(shared);
    const spec = job.spec;
    if (spec.completionMode && spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      await this.recorder.record(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    const status = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const satisfied = this.expectations.satisfiedExpectations(key);
    const pods = await this.podsForJob(job);
    const activePods = pods.filter(isActive);
    const uncounted = status.uncountedTerminatedPods;
    const ctx: SyncCtx = {
      job,
      pods,
      activePods,
      finishedCondition: undefined,
      succeeded: 0,
      failed: 0,
      prevSucceededIndexes: new Set(),
      succeededIndexes: new Set(),
      failedIndexes: undefined,
      delayedDeletion: new Map(),
      newBackoffRecord: { failuresAfterLastSuccess: 0, lastFailureTime: undefined },
      expectedRmFinalizers: new Set(this.finalizerExpectations.expected(key)),
      uncountedSucceeded: new Set(uncounted.succeeded ?? []),
      uncountedFailed: new Set(uncounted.failed ?? []),
      terminating: pods.filter(isTerminating).length,
      ready: activePods.filter(isPodReady).length,
    };
    let active = activePods.length;
    const newSucceeded = this.validPods(ctx, ctx.uncountedSucceeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = this.validPods(ctx, ctx.uncountedFailed, (p) => isPodFailed(p, job));
    ctx.succeeded = (status.succeeded ?? 0) + newSucceeded.length + ctx.uncountedSucceeded.size;
    ctx.failed = (status.failed ?? 0) + nonIgnoredFailedCount(job, newFailed) + ctx.uncountedFailed.size;

    const now = this.clock.now();
    if (!status.startTime && !spec.suspend) status.startTime = rfc3339(now);
    ctx.newBackoffRecord = this.newBackoffRecord(key, newSucceeded, newFailed);

    const exceedsBackoffLimit = ctx.failed > (spec.backoffLimit ?? 6);
    ctx.finishedCondition = findCondition(job, 'SuccessCriteriaMet', 'True');
    if (!ctx.finishedCondition) {
      const failureTarget = findCondition(job, 'FailureTarget', 'True');
      if (failureTarget) ctx.finishedCondition = this.condition('Failed', failureTarget.reason, failureTarget.message);
      else {
        const msg = failJobMessage(job, pods);
        if (msg !== undefined) ctx.finishedCondition = this.condition('FailureTarget', 'PodFailurePolicy', msg);
      }
    }
    if (!ctx.finishedCondition) {
      if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        ctx.finishedCondition = this.condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      } else if (this.pastActiveDeadline(job)) {
        ctx.finishedCondition = this.condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline');
      } else if (typeof spec.activeDeadlineSeconds === 'number' && !spec.suspend) {
        this.queue.addAfter(key, spec.activeDeadlineSeconds * 1000 - (now - Date.parse(status.startTime)));
      }
    }
    if (isIndexed(job)) {
      const completions = spec.completions as number;
      ctx.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
      ctx.succeededIndexes = new Set(ctx.prevSucceededIndexes);
      for (const p of pods) {
        const ix = completionIndex(p);
        if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions && hasTrackingFinalizer(p)) ctx.succeededIndexes.add(ix);
      }
      ctx.succeeded = ctx.succeededIndexes.size;
      if (hasBackoffLimitPerIndex(job)) {
        ctx.failedIndexes = parseIndexes(status.failedIndexes, completions);
        for (const p of pods) {
          const ix = completionIndex(p);
          if (ix >= 0 && ix < completions && hasTrackingFinalizer(p) && isIndexFailed(job, p)) ctx.failedIndexes.add(ix);
        }
        if (!ctx.finishedCondition) {
          if (typeof spec.maxFailedIndexes === 'number' && ctx.failedIndexes.size > spec.maxFailedIndexes) {
            ctx.finishedCondition = this.condition('FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes');
          } else if (ctx.failedIndexes.size > 0 && ctx.failedIndexes.size + ctx.succeededIndexes.size >= completions) {
            ctx.finishedCondition = this.condition('FailureTarget', 'FailedIndexes', 'Job has failed indexes');
          }
        }
        ctx.delayedDeletion = podsWithDelayedDeletionPerIndex(ctx, now);
      }
      if (!ctx.finishedCondition) {
        const msg = matchSuccessPolicy(spec.successPolicy, completions, ctx.succeededIndexes);
        if (msg !== undefined) ctx.finishedCondition = this.condition('SuccessCriteriaMet', 'SuccessPolicy', msg);
      }
    }

    let suspendCondChanged = false;
    let manageErr: unknown;
    if (ctx.finishedCondition) {
      // The Job failed: its active pods go (their finalizers are removed below).
      const [deletedReady, deleted, err] = await this.deleteActivePods(job, ctx.activePods);
      if (deleted !== active || !satisfied) ctx.finishedCondition = undefined;
      active -= deleted;
      ctx.terminating += deleted;
      ctx.ready -= deletedReady;
      manageErr = err;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        try {
          active = await this.manageJob(job, ctx, key);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          manageErr = e;
          active = ctx.activePods.length;
        }
        manageCalled = true;
      }
      const complete = spec.completions === undefined || spec.completions === null ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= spec.completions && active === 0;
      if (complete) {
        ctx.finishedCondition = this.condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
      } else if (manageCalled) {
        if (spec.suspend) {
          if (ensureCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', this.clock.now())) {
            suspendCondChanged = true;
            await this.recorder.record(job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', this.clock.now())) {
          suspendCondChanged = true;
          await this.recorder.record(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts from the resume.
          status.startTime = rfc3339(this.clock.now());
        }
      }
    }

    const needsStatusUpdate = suspendCondChanged || active !== (status.active ?? 0) || ctx.ready !== status.ready || ctx.terminating !== status.terminating;
    status.active = active;
    status.ready = ctx.ready;
    status.terminating = ctx.terminating;
    await this.trackJobStatusAndRemoveFinalizers(ctx, key, needsStatusUpdate);
    if (manageErr) throw manageErr;
  }

  private condition(type: string, reason: string, message: string): Obj {
    const t = rfc3339(this.clock.now());
    return { type, status: 'True', lastProbeTime: t, lastTransitionTime: t, reason, message };
  }

  private pastActiveDeadline(job: Obj): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    if (typeof ads !== 'number' || !job.status?.startTime || job.spec.suspend) return false;
    return this.clock.now() - Date.parse(job.status.startTime) >= ads * 1000;
  }

  /** getValidPodsWithFilter: pods with the finalizer, not yet uncounted, with a valid index. */
  private validPods(ctx: SyncCtx, uncounted: Set<string>, filter: (p: Obj) => boolean): Obj[] {
    const out: Obj[] = [];
    for (const p of ctx.pods) {
      const uid = p.metadata.uid;
      if (!hasTrackingFinalizer(p) || uncounted.has(uid) || ctx.expectedRmFinalizers.has(uid)) continue;
      if (isIndexed(ctx.job)) {
        const ix = completionIndex(p);
        if (ix < 0 || ix >= ctx.job.spec.completions) continue;
      }
      if (filter(p)) out.push(p);
    }
    return out;
  }

  /** getPodsForJob with ClaimPods: own pods, orphans matching the selector adopted (with the finalizer). */
  private async podsForJob(job: Obj): Promise<Obj[]> {
    const uid = job.metadata.uid;
    const reqs = labelSelectorFromObject(job.spec?.selector);
    const matches = (p: Obj) => !!reqs && reqs.length > 0 && matchesLabels(reqs, p.metadata.labels ?? {});
    const out: Obj[] = [];
    const def = this.api.resource('pods');
    for (const pod of this.pods.byIndex(POD_CONTROLLER_UID_INDEX, uid)) {
      if (matches(pod) || job.metadata.deletionTimestamp) {
        out.push(pod);
        continue;
      }
      // Release: the pod no longer matches.
      try {
        const refs = (pod.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid);
        await this.api.patch(def, pod.metadata.namespace, pod.metadata.name, 'merge', { metadata: { ownerReferences: refs.length ? refs : null, uid: pod.metadata.uid } });
      } catch (e) {
        if (!(e instanceof ApiError) || (e.code !== 404 && e.code !== 409 && e.code !== 422)) throw e;
      }
    }
    if (job.metadata.deletionTimestamp) return out;
    for (const pod of this.pods.byIndex(POD_CONTROLLER_UID_INDEX, orphanPodIndexKeyForNamespace(job.metadata.namespace))) {
      if (pod.metadata.deletionTimestamp || !matches(pod)) continue;
      const ref = { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid, controller: true, blockOwnerDeletion: true };
      try {
        // controller_ref_manager.go AdoptPod: a strategic merge patch naming the new reference (which
        // the merge puts before the existing ones) and the tracking finalizer, the pod's uid as guard.
        const adopted = await this.api.patch(def, pod.metadata.namespace, pod.metadata.name, 'strategic', {
          metadata: { ownerReferences: [ref], finalizers: [JOB_TRACKING_FINALIZER], uid: pod.metadata.uid },
        });
        out.push(adopted);
      } catch (e) {
        if (!(e instanceof ApiError) || (e.code !== 404 && e.code !== 409 && e.code !== 422)) throw e;
      }
    }
    return out;
  }

  /** backoffStore.newBackoffRecord: failures since the last success, and when the last one failed. */
  private newBackoffRecord(key: string, succeeded: Obj[], failed: Obj[]): BackoffRecord {
    const rec: BackoffRecord = { ...(this.backoff.get(key) ?? { failuresAfterLastSuccess: 0, lastFailureTime: undefined }) };
    const now = this.clock.now();
    const s = succeeded.map((p) => finishedTime(p, now)).sort((a, b) => a - b);
    const f = failed.map((p) => finishedTime(p, now)).sort((a, b) => a - b);
    if (s.length === 0) {
      if (f.length === 0) return rec;
      rec.failuresAfterLastSuccess += f.length;
      rec.lastFailureTime = f[f.length - 1];
      return rec;
    }
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
    const lastSuccess = s[s.length - 1]!;
    for (let i = f.length - 1; i >= 0; i--) {
      if (!(f[i]! > lastSuccess)) break;
      rec.lastFailureTime ??= f[i];
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  /** backoffRecord.getRemainingTime. */
  private remainingBackoff(rec: BackoffRecord): number {
    if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
    let d = POD_FAILURE_BACKOFF_MS;
    for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
      d *= 2;
      if (d >= MAX_POD_FAILURE_BACKOFF_MS) {
        d = MAX_POD_FAILURE_BACKOFF_MS;
        break;
      }
    }
    const elapsed = this.clock.now() - rec.lastFailureTime;
    return d < elapsed ? 0 : d - elapsed;
  }

  /** manageJob: creates or deletes pods toward min(parallelism, remaining completions); returns active. */
  private async manageJob(job: Obj, ctx: SyncCtx, key: string): Promise<number> {
    const spec = job.spec;
    let active = ctx.activePods.length;
    const parallelism = spec.parallelism ?? 1;
    if (spec.suspend) {
      const toDelete = activePodsForRemoval(job, ctx.activePods, active);
      this.expectations.expectDeletions(key, toDelete.length);
      const [removedReady, removed, err] = await this.deleteJobPods(job, key, toDelete);
      active -= removed;
      ctx.terminating += removed;
      ctx.ready -= removedReady;
      if (err) throw err;
      return active;
    }
    let wantActive: number;
    if (spec.completions === undefined || spec.completions === null) wantActive = ctx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(parallelism, spec.completions - ctx.succeeded));

    let toDelete = activePodsForRemoval(job, ctx.activePods, Math.max(0, active - wantActive));
    if (toDelete.length > MAX_POD_CREATE_DELETE_PER_SYNC) toDelete = toDelete.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) {
      this.expectations.expectDeletions(key, toDelete.length);
      const [removedReady, removed, err] = await this.deleteJobPods(job, key, toDelete);
      active -= removed;
      ctx.terminating += removed;
      ctx.ready -= removedReady;
      if (err) throw err;
      return active;
    }

    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return active;
    const perIndex = hasBackoffLimitPerIndex(job);
    const remaining = perIndex ? 0 : this.remainingBackoff(ctx.newBackoffRecord);
    if (remaining > 0) {
      this.queue.addAfter(key, Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS));
      return 0;
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (isIndexed(job)) {
      indexes = firstPendingIndexes(ctx, diff, spec.completions);
      if (perIndex) {
        // getPodCreationInfoForIndependentIndexes: indexes still backing off wait.
        const now: number[] = [];
        let minLeft: number | undefined;
        for (const ix of indexes) {
          const last = ctx.delayedDeletion.get(ix);
          const left = last ? this.remainingBackoff({ failuresAfterLastSuccess: absoluteFailureCount(last) + 1, lastFailureTime: finishedTime(last, this.clock.now()) }) : 0;
          if (left === 0) now.push(ix);
          else if (minLeft === undefined || left < minLeft) minLeft = left;
        }
        if (now.length === 0 && minLeft !== undefined) {
          this.queue.addAfter(key, Math.max(minLeft, SYNC_JOB_BATCH_PERIOD_MS));
          return 0;
        }
        indexes = now;
      }
      diff = indexes.length;
    }
    this.expectations.expectCreations(key, diff);
    active += diff;
    const template = clone(spec.template ?? {});
    if (isIndexed(job)) addCompletionIndexEnv(template);
    const meta = (template.metadata ??= {});
    meta.finalizers = [...(meta.finalizers ?? [])];
    if (!meta.finalizers.includes(JOB_TRACKING_FINALIZER)) meta.finalizers.push(JOB_TRACKING_FINALIZER);

    let firstErr: unknown;
    for (let batch = Math.min(diff, SLOW_START_INITIAL_BATCH_SIZE); diff > 0; batch = Math.min(2 * batch, diff)) {
      const errsBefore = firstErr ? 1 : 0;
      const creations = [];
      for (let i = 0; i < batch; i++) {
        const ix = indexes.length ? indexes.shift()! : -1;
        creations.push(this.createPod(job, template, ix, perIndex && ix >= 0 ? newIndexFailureCounts(job, ctx.delayedDeletion.get(ix)) : undefined));
      }
      const results = await Promise.all(creations);
      for (const err of results) {
        if (!err) continue;
        this.expectations.creationObserved(key);
        active--;
        firstErr ??= err;
      }
      const skipped = diff - batch;
      if (!errsBefore && firstErr && skipped > 0) {
        active -= skipped;
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
        break;
      }
      diff -= batch;
    }
    if (firstErr) throw firstErr;
    return active;
  }

  /** podControl.CreatePodsWithGenerateName; an error is returned (a terminating namespace is no error). */
  private async createPod(job: Obj, base: Obj, index: number, failureCounts?: [number, number]): Promise<ApiError | undefined> {
    const template = index >= 0 ? clone(base) : base;
    const name = job.metadata.name;
    let generateName = `${name}-`;
    if (index >= 0) {
      const meta = template.metadata;
      meta.annotations = { ...(meta.annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
      if (failureCounts) {
        meta.annotations[JOB_INDEX_FAILURE_COUNT] = String(failureCounts[0]);
        if (failureCounts[1] > 0) meta.annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(failureCounts[1]);
      }
      meta.labels = { ...(meta.labels ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
      template.spec = { ...template.spec, hostname: `${name}-${index}` };
      const suffix = `-${index}-`;
      generateName = name + suffix;
      if (generateName.length > MAX_GENERATED_NAME_LENGTH) generateName = generateName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix;
    }
    const meta = template.metadata ?? {};
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName,
        namespace: job.metadata.namespace,
        labels: meta.labels ? { ...meta.labels } : undefined,
        annotations: meta.annotations ? { ...meta.annotations } : undefined,
        finalizers: meta.finalizers,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(template.spec ?? {}),
    };
    if (!pod.metadata.labels) delete pod.metadata.labels;
    if (!pod.metadata.annotations) delete pod.metadata.annotations;
    try {
      const created = await this.api.create(this.api.resource('pods'), job.metadata.namespace, pod);
      await this.recorder.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return undefined;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 403 && /is being terminated/.test(e.message)) return undefined;
      await this.recorder.record(job, 'Warning', 'FailedCreate', `Error creating: ${e.message}`);
      return e;
    }
  }

  private async deletePodWithEvent(job: Obj, pod: Obj): Promise<ApiError | undefined> {
    try {
      await this.api.delete(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name);
      await this.recorder.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return undefined;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 404) return e;
      await this.recorder.record(job, 'Warning', 'FailedDelete', `Error deleting: ${e.message}`);
      return e;
    }
  }

  /** deleteActivePods: deletion keeps the finalizers (trackJobStatusAndRemoveFinalizers removes them). */
  private async deleteActivePods(job: Obj, pods: Obj[]): Promise<[number, number, ApiError | undefined]> {
    let deleted = 0;
    let ready = 0;
    let firstErr: ApiError | undefined;
    await Promise.all(
      pods.map(async (pod) => {
        const err = await this.deletePodWithEvent(job, pod);
        if (err && err.code !== 404) firstErr ??= err;
        else deleted++;
        if (isPodReady(pod)) ready++;
      }),
    );
    return [ready, deleted, firstErr];
  }

  /** deleteJobPods: the finalizer goes first, then the pod. */
  private async deleteJobPods(job: Obj, key: string, pods: Obj[]): Promise<[number, number, ApiError | undefined]> {
    let deleted = 0;
    let ready = 0;
    let firstErr: ApiError | undefined;
    await Promise.all(
      pods.map(async (pod) => {
        let err = await this.removeFinalizer(pod);
        if (!err) err = await this.deletePodWithEvent(job, pod);
        if (err) {
          this.expectations.deletionObserved(key);
          if (err.code !== 404) firstErr ??= err;
          else deleted++;
        } else deleted++;
        if (isPodReady(pod)) ready++;
      }),
    );
    return [ready, deleted, firstErr];
  }

  private async removeFinalizer(pod: Obj): Promise<ApiError | undefined> {
    if (!hasTrackingFinalizer(pod)) return undefined;
    try {
      await this.api.patch(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name, 'strategic', {
        metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] },
      });
      return undefined;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return e;
    }
  }

  /**
   * trackJobStatusAndRemoveFinalizers: finished pods go to uncountedTerminatedPods (flushed), their
   * finalizers are removed, then they move to the counters; the finished condition comes last.
   */
  private async trackJobStatusAndRemoveFinalizers(ctx: SyncCtx, key: string, needsFlushIn: boolean): Promise<void> {
    let needsFlush = needsFlushIn;
    const job = ctx.job;
    const indexed = isIndexed(job);
    const completions: number = job.spec.completions;
    const uncounted = job.status.uncountedTerminatedPods;
    uncounted.succeeded = [...(uncounted.succeeded ?? [])];
    uncounted.failed = [...(uncounted.failed ?? [])];
    const pods = indexed ? [...ctx.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : ctx.pods;
    const withFinalizer = new Set<string>();
    for (const p of pods) if (hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata.uid)) withFinalizer.add(p.metadata.uid);
    if (cleanUncounted(job.status, withFinalizer)) needsFlush = true;

    const toRemove: Obj[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    for (const pod of pods) {
      const uid = pod.metadata.uid;
      if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      let canRemove = !!job.metadata.deletionTimestamp || !!ctx.finishedCondition || pod.status?.phase === 'Succeeded' || failed;
      if (canRemove && !job.metadata.deletionTimestamp && !ctx.finishedCondition && pod.status?.phase !== 'Succeeded' && hasBackoffLimitPerIndex(job)) {
        // The failed pod stays until its replacement carries the index's failure count.
        if (ctx.delayedDeletion.get(completionIndex(pod))?.metadata.uid === uid) canRemove = false;
      }
      if (!canRemove) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !ctx.uncountedFailed.has(uid)) {
        if (indexed) {
          const ix = completionIndex(pod);
          if (ix >= 0 && ix < completions && !ctx.prevSucceededIndexes.has(ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!ctx.uncountedSucceeded.has(uid)) {
          needsFlush = true;
          uncounted.succeeded.push(uid);
        }
      } else if (failed || (ctx.finishedCondition && ctx.finishedCondition.type !== 'SuccessCriteriaMet')) {
        // When the Job is finished, every pod not terminated yet counts as failed.
        const ix = completionIndex(pod);
        if (!ctx.uncountedFailed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
          if (!job.spec.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed) {
            needsFlush = true;
            uncounted.failed.push(uid);
          }
        }
      }
      if (newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (indexed) {
      for (const ix of newSucceededIndexes) ctx.succeededIndexes.add(ix);
      const str = formatIndexes([...ctx.succeededIndexes].sort((a, b) => a - b));
      if (str !== (job.status.completedIndexes ?? '')) needsFlush = true;
      job.status.succeeded = ctx.succeededIndexes.size;
      job.status.completedIndexes = str;
      const failedStr = ctx.failedIndexes ? formatIndexes([...ctx.failedIndexes].sort((a, b) => a - b)) : undefined;
      if (failedStr !== job.status.failedIndexes) {
        job.status.failedIndexes = failedStr;
        needsFlush = true;
      }
    }
    if (ctx.finishedCondition?.type === 'FailureTarget') {
      // The interim FailureTarget is written before the finalizers go; Failed comes once pods are gone.
      job.status.conditions = [...(job.status.conditions ?? []), ctx.finishedCondition];
      needsFlush = true;
      ctx.finishedCondition = this.condition('Failed', ctx.finishedCondition.reason, ctx.finishedCondition.message);
    }
    if (ctx.finishedCondition?.type === 'SuccessCriteriaMet') {
      if (!findCondition(job, 'SuccessCriteriaMet', 'True')) {
        job.status.conditions = [...(job.status.conditions ?? []), ctx.finishedCondition];
        needsFlush = true;
      }
      ctx.finishedCondition = this.condition('Complete', ctx.finishedCondition.reason, ctx.finishedCondition.message);
    }

    // flushUncountedAndRemoveFinalizers
    if (needsFlush) {
      ctx.job = await this.updateStatus(ctx.job);
      this.backoff.set(key, ctx.newBackoffRecord);
      needsFlush = false;
    }
    let rmErr: ApiError | undefined;
    if (toRemove.length) {
      this.finalizerExpectations.expectRemoved(key, toRemove.map((p) => p.metadata.uid));
      const results = await Promise.all(toRemove.map((p) => this.removeFinalizer(p)));
      results.forEach((err, i) => {
        const uid = toRemove[i]!.metadata.uid;
        if (!err || err.code === 404) withFinalizer.delete(uid);
        if (err) this.finalizerExpectations.observed(key, uid);
        if (err && err.code !== 404) rmErr ??= err;
      });
    }
    if (cleanUncounted(ctx.job.status, withFinalizer)) needsFlush = true;
    if (rmErr) {
      if (needsFlush) await this.updateStatus(ctx.job);
      throw rmErr;
    }

    // enactJobFinished
    let finished = false;
    const fc = ctx.finishedCondition;
    const u = ctx.job.status.uncountedTerminatedPods ?? {};
    if (fc && !reachedMax && (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) === 0 && ctx.terminating === 0) {
      ensureCondition(ctx.job, fc.type, fc.status, fc.reason, fc.message, this.clock.now());
      if (fc.type === 'Complete') ctx.job.status.completionTime = findCondition(ctx.job, 'Complete', 'True')!.lastTransitionTime;
      finished = true;
      needsFlush = true;
    }
    if (needsFlush) {
      ctx.job = await this.updateStatus(ctx.job);
      if (finished) {
        if (fc!.type === 'Complete') {
          const c = ctx.job.spec.completions;
          if (typeof c === 'number' && (ctx.job.status.succeeded ?? 0) > c) {
            await this.recorder.record(ctx.job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
          }
          await this.recorder.record(ctx.job, 'Normal', 'Completed', 'Job completed');
        } else await this.recorder.record(ctx.job, 'Warning', fc!.reason, fc!.message);
      }
    }
  }

  /** UpdateStatus with the JSON Kubernetes writes (omitempty counters, `uncountedTerminatedPods: {}`). */
  private async updateStatus(job: Obj): Promise<Obj> {
    const s = job.status;
    const status: Obj = {};
    for (const k of ['conditions', 'startTime', 'completionTime']) if (s[k] !== undefined && s[k] !== null) status[k] = s[k];
    for (const k of ['active', 'succeeded', 'failed']) if (s[k]) status[k] = s[k];
    if (s.completedIndexes) status.completedIndexes = s.completedIndexes;
    if (typeof s.failedIndexes === 'string') status.failedIndexes = s.failedIndexes;
    status.terminating = s.terminating ?? 0;
    const u: Obj = {};
    if (s.uncountedTerminatedPods?.succeeded?.length) u.succeeded = s.uncountedTerminatedPods.succeeded;
    if (s.uncountedTerminatedPods?.failed?.length) u.failed = s.uncountedTerminatedPods.failed;
    status.uncountedTerminatedPods = u;
    status.ready = s.ready ?? 0;
    const updated = await this.api.update(this.api.resource('jobs.batch'), job.metadata.namespace, job.metadata.name, { ...job, status }, { subresource: 'status' });
    const copy = clone(updated);
    copy.status ??= {};
    copy.status.uncountedTerminatedPods ??= {};
    return copy;
  }
}

// ---- pods ----

function hasTrackingFinalizer(pod: Obj): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

function isTerminal(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** FilterActivePods: not terminal and not being deleted. */
function isActive(pod: Obj): boolean {
  return !isTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** CountTerminatingPods. */
function isTerminating(pod: Obj): boolean {
  return !!pod.metadata.deletionTimestamp && !isTerminal(pod);
}

function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

function isIndexed(job: Obj): boolean {
  return job.spec?.completionMode === 'Indexed';
}

function hasBackoffLimitPerIndex(job: Obj): boolean {
  return isIndexed(job) && typeof job.spec?.backoffLimitPerIndex === 'number';
}

function annotationCount(pod: Obj, key: string): number {
  const v = pod.metadata.annotations?.[key];
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return 0;
  const n = Number(v);
  return n > 2147483647 ? 0 : n;
}

function absoluteFailureCount(pod: Obj): number {
  return annotationCount(pod, JOB_INDEX_FAILURE_COUNT) + annotationCount(pod, JOB_INDEX_IGNORED_FAILURE_COUNT);
}

/** isIndexFailed: FailIndex matched, or a counted failure at the index's backoffLimitPerIndex. */
function isIndexFailed(job: Obj, pod: Obj): boolean {
  let counted = false;
  if (isPodFailed(pod, job)) {
    if (job.spec.podFailurePolicy) {
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
      if (m.action === 'FailIndex') return true;
      counted = m.countFailed;
    } else counted = true;
  }
  return counted && annotationCount(pod, JOB_INDEX_FAILURE_COUNT) >= job.spec.backoffLimitPerIndex;
}

/** getNewIndexFailureCounts: the replacement's (failure, ignored failure) counts. */
function newIndexFailureCounts(job: Obj, replaced: Obj | undefined): [number, number] {
  if (!replaced) return [0, 0];
  let failures = annotationCount(replaced, JOB_INDEX_FAILURE_COUNT);
  let ignored = annotationCount(replaced, JOB_INDEX_IGNORED_FAILURE_COUNT);
  if (job.spec.podFailurePolicy && !matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed) ignored++;
  else failures++;
  return [failures, ignored];
}

/** getPodsWithDelayedDeletionPerIndex: per pending index, its latest failed pod (kept until replaced). */
function podsWithDelayedDeletionPerIndex(ctx: SyncCtx, now: number): Map<number, Obj> {
  const active = new Set(ctx.activePods.map(completionIndex).filter((ix) => ix >= 0));
  const out = new Map<number, Obj>();
  for (const p of ctx.pods) {
    if (!hasTrackingFinalizer(p) || ctx.expectedRmFinalizers.has(p.metadata.uid) || !isPodFailed(p, ctx.job)) continue;
    const ix = completionIndex(p);
    if (ix < 0 || ix >= ctx.job.spec.completions) continue;
    if (ctx.succeededIndexes.has(ix) || ctx.failedIndexes?.has(ix) || active.has(ix)) continue;
    const last = out.get(ix);
    if (!last || (absoluteFailureCount(last) <= absoluteFailureCount(p) && finishedTime(p, now) >= finishedTime(last, now))) out.set(ix, p);
  }
  return out;
}

/** matchSuccessPolicy: "Matched rules at index N" for the first rule the succeeded indexes meet. */
function matchSuccessPolicy(policy: Obj | undefined, completions: number, succeeded: Set<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  const rules: Obj[] = policy.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (typeof rule.succeededIndexes === 'string') {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.size === 0) continue;
      let contains = 0;
      for (const ix of required) if (succeeded.has(ix)) contains++;
      if (typeof rule.succeededCount === 'number' ? contains >= rule.succeededCount : contains === required.size) return `Matched rules at index ${i}`;
    } else if (typeof rule.succeededCount === 'number' && succeeded.size >= rule.succeededCount) return `Matched rules at index ${i}`;
  }
  return undefined;
}

/** onlyReplaceFailedPods: podReplacementPolicy Failed, or a podFailurePolicy. */
function onlyReplaceFailedPods(job: Obj): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
function isPodFailed(pod: Obj, job: Obj): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** getFinishedTime: the last container finish, else the Ready=False transition, else the deletion. */
function finishedTime(pod: Obj, now: number): number {
  let latest: number | undefined;
  for (const cs of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]) {
    const t = cs.state?.terminated?.finishedAt;
    if (t) latest = Math.max(latest ?? 0, Date.parse(t));
  }
  if (latest !== undefined) return latest;
  const ready = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready' && c.status === 'False');
  if (ready?.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return now;
}

/** controller.ActivePods ordering: the pods to delete first come first. */
function rankForDeletion(a: Obj, b: Obj): number {
  const assigned = (p: Obj) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phaseRank = (p: Obj) => ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase as string] ?? 0;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  const ready = (p: Obj) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const restarts = (p: Obj) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c: Obj) => c.restartCount ?? 0));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Obj) => (p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : Infinity);
  return created(b) - created(a);
}

/** activePodsForRemoval: repeated or out-of-range indexes first (Indexed), then by rank. */
function activePodsForRemoval(job: Obj, pods: Obj[], rmAtLeast: number): Obj[] {
  let rm: Obj[] = [];
  let left: Obj[] = pods;
  if (isIndexed(job)) {
    left = [];
    const byIndex = new Map<number, Obj[]>();
    for (const p of pods) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= job.spec.completions) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
      const same = byIndex.get(ix)!.sort(rankForDeletion);
      rm = rm.concat(same.slice(0, -1));
      left.push(same[same.length - 1]!);
    }
  }
  if (rm.length < rmAtLeast) rm = rm.concat([...left].sort(rankForDeletion).slice(0, rmAtLeast - rm.length));
  return rm;
}

/** firstPendingIndexes: the lowest indexes neither succeeded nor held by an active pod. */
function firstPendingIndexes(ctx: SyncCtx, count: number, completions: number): number[] {
  const taken = new Set([...ctx.succeededIndexes, ...(ctx.failedIndexes ?? [])]);
  const holders = onlyReplaceFailedPods(ctx.job) ? [...ctx.activePods, ...ctx.pods.filter(isTerminating)] : ctx.activePods;
  for (const p of holders) {
    const ix = completionIndex(p);
    if (ix >= 0) taken.add(ix);
  }
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the pod's completion index label. */
function addCompletionIndexEnv(template: Obj): void {
  const spec = (template.spec ??= {});
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of list ?? []) {
      c.env ??= [];
      if (c.env.some((e: Obj) => e.name === 'JOB_COMPLETION_INDEX')) continue;
      // PodIndexLabel (on since 1.28): the value comes from the label.
      c.env.push({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } } });
    }
  }
}

// ---- backoff limit and pod failure policy ----

/** pastBackoffLimitOnFailure: restartPolicy OnFailure counts container restarts of running pods. */
function pastBackoffLimitOnFailure(job: Obj, pods: Obj[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function nonIgnoredFailedCount(job: Obj, failed: Obj[]): number {
  if (!job.spec?.podFailurePolicy) return failed.length;
  return failed.filter((p) => matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed).length;
}

function failJobMessage(job: Obj, pods: Obj[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.message !== undefined) return m.message;
  }
  return undefined;
}

/** matchPodFailurePolicy (pod_failure_policy.go): the first rule that matches decides. */
export function matchPodFailurePolicy(policy: Obj, pod: Obj): { message?: string; countFailed: boolean; action?: string } {
  const rules: Obj[] = policy?.rules ?? [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    if (rule.onExitCodes) {
      const cs = matchOnExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      switch (rule.action) {
        case 'Ignore':
          return { countFailed: false, action: 'Ignore' };
        case 'Count':
          return { countFailed: true, action: 'Count' };
        case 'FailIndex':
          return { countFailed: true, action: 'FailIndex' };
        case 'FailJob':
          return {
            message: `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${cs.state.terminated.exitCode} matching FailJob rule at index ${index}`,
            countFailed: true,
            action: 'FailJob',
          };
      }
    } else if (rule.onPodConditions) {
      const cond = matchOnPodConditions(pod, rule.onPodConditions);
      if (!cond) continue;
      switch (rule.action) {
        case 'Ignore':
          return { countFailed: false, action: 'Ignore' };
        case 'Count':
          return { countFailed: true, action: 'Count' };
        case 'FailIndex':
          return { countFailed: true, action: 'FailIndex' };
        case 'FailJob':
          return { message: `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${cond.type} matching FailJob rule at index ${index}`, countFailed: true, action: 'FailJob' };
      }
    }
  }
  return { countFailed: true };
}

function matchOnExitCodes(pod: Obj, req: Obj): Obj | undefined {
  const match = (list: Obj[] | undefined) =>
    (list ?? []).find((cs) => {
      const t = cs.state?.terminated;
      if (!t || t.exitCode === 0) return false;
      if (req.containerName && req.containerName !== cs.name) return false;
      const inValues = (req.values ?? []).includes(t.exitCode);
      return req.operator === 'In' ? inValues : req.operator === 'NotIn' ? !inValues : false;
    });
  return match(pod.status?.containerStatuses) ?? match(pod.status?.initContainerStatuses);
}

function matchOnPodConditions(pod: Obj, patterns: Obj[]): Obj | undefined {
  for (const c of pod.status?.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? 'True')) return c;
  }
  return undefined;
}

// ---- conditions and counters ----

function findCondition(job: Obj, type: string, status?: string): Obj | undefined {
  return (job.status?.conditions ?? []).find((c: Obj) => c.type === type && (status === undefined || c.status === status));
}

/** ensureJobConditionStatus: updates the condition of that type or appends it (never a new False). */
function ensureCondition(job: Obj, type: string, status: string, reason: string, message: string, now: number): boolean {
  const list: Obj[] = (job.status.conditions ??= []);
  const t = rfc3339(now);
  const fresh = { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = fresh;
    return true;
  }
  if (status === 'False') return false;
  list.push(fresh);
  return true;
}

/** cleanUncountedPodsWithoutFinalizers: uncounted pods whose finalizer is gone move to the counters. */
function cleanUncounted(status: Obj, withFinalizer: Set<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const succ: string[] = u.succeeded ?? [];
  const keepS = succ.filter((x) => withFinalizer.has(x));
  if (keepS.length !== succ.length) {
    changed = true;
    status.succeeded = (status.succeeded ?? 0) + succ.length - keepS.length;
    u.succeeded = keepS;
  }
  const fail: string[] = u.failed ?? [];
  const keepF = fail.filter((x) => withFinalizer.has(x));
  if (keepF.length !== fail.length) {
    changed = true;
    status.failed = (status.failed ?? 0) + fail.length - keepF.length;
    u.failed = keepF;
  }
  return changed;
}
