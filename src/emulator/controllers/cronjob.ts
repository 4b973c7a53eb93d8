// CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go, utils.go): at each scheduled
// time a Job named <cronjob>-<minutes since the epoch> from the jobTemplate, with the
// batch.kubernetes.io/cronjob-scheduled-timestamp annotation; concurrencyPolicy Allow / Forbid /
// Replace, suspend, startingDeadlineSeconds, the missed-start rule (more than 100 missed: a
// TooManyMissedTimes warning, only the latest starts), successful/failed history limits, and
// status active / lastScheduleTime / lastSuccessfulTime.
//
// Schedules are robfig/cron v3 standard specs (validated by the apiserver, api/kinds/cron.ts); the
// next times come from croner, in spec.timeZone (UTC without one, as kube-controller-manager runs).
// Each CronJob's key waits on the emulator clock for its next time (AddAfter), so fast-forwarding
// the clock runs the Jobs that fall due on the way.

import { Cron } from 'croner';
import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { clone, rfc3339, type Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { byControllerUID, controllerOf, CRONJOB_SCHEDULED_TIMESTAMP, DelayingQueue, finishedCondition, isJobFinished, keyOf, splitKey } from './job-util.ts';

/** nextScheduleDelta: the sync comes this long after the scheduled time. */
const NEXT_SCHEDULE_DELTA_MS = 100;

export interface Schedule {
  /** The first activation strictly after t (ms), or undefined when there is none. */
  next(t: number): number | undefined;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * cron.ParseStandard: five fields or a descriptor, an optional TZ=/CRON_TZ= prefix, `@every d`.
 * Day of month and day of week combine as robfig does: AND when either starts with `*` or `?`, else OR.
 */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let s = spec.trim();
  let tz = timeZone || 'UTC';
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(s);
  if (m) {
    tz = m[1]!;
    s = m[2]!.trim();
  }
  if (s.startsWith('@every ')) {
    const d = goDuration(s.slice('@every '.length).trim());
    // ConstantDelaySchedule: at least a second, whole seconds.
    const every = Math.max(1000, Math.floor(d / 1000) * 1000);
    return { next: (t) => Math.floor(t / 1000) * 1000 + every };
  }
  s = DESCRIPTORS[s] ?? s;
  const fields = s.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const star = (f: string) => f.startsWith('*') || f.startsWith('?');
  const domAndDow = star(fields[2]!) || star(fields[4]!);
  const pattern = fields.map((f) => f.replace(/\?/g, '*')).join(' ');
  const cron = new Cron(pattern, { paused: true, timezone: tz, domAndDow, sloppyRanges: true });
  return {
    next(t: number) {
      // robfig: the next second boundary strictly after t.
      const from = new Date(Math.floor(t / 1000) * 1000 + 999);
      const n = cron.nextRun(from);
      return n ? n.getTime() : undefined;
    },
  };
}

function goDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** mostRecentScheduleTime: (earliest, the latest missed time, how many were missed) since the last schedule. */
export function mostRecentScheduleTime(
  cj: Obj,
  now: number,
  sched: Schedule,
  includeStartingDeadline: boolean,
): { earliest: number; mostRecent?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp);
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && typeof sds === 'number') {
    const deadline = now - sds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 0 };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  const elapsed = Math.floor((now - t1) / 1000);
  const missed = Math.floor(elapsed / between) + 1;
  let mostRecent: number | undefined;
  const potentialEarliest = t1 + (missed - 2) * between * 1000;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: how long until the key should be synced again. */
export function nextScheduleDelay(cj: Obj, now: number, sched: Schedule): number | undefined {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, now, sched, false);
    from = r.mostRecent ?? (r.missed === 0 ? r.earliest : now);
  } catch {
    from = now;
  }
  const next = sched.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** time.RFC3339 in a time zone: "2024-01-01T10:00:00+01:00", or ...Z in UTC. */
export function rfc3339In(ms: number, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC') return rfc3339(ms);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offMin = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  if (offMin === 0) return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`;
  const sign = offMin < 0 ? '-' : '+';
  const abs = Math.abs(offMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export class CronJobController {
  private readonly cronJobs: Informer;
  private readonly jobs: Informer;
  private readonly queue: DelayingQueue;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new DelayingQueue(clock, (k) => this.sync(k));
    this.recorder = new EventRecorder(api, clock, { component: 'cronjob-controller' });
    this.jobs = informers
      .for('jobs.batch')
      .addIndex('controllerUID', byControllerUID)
      .on({ add: (j) => this.addJob(j), update: (j, old) => this.updateJob(j, old), delete: (j) => this.enqueueOwner(j) });
    this.cronJobs = informers
      .for('cronjobs.batch')
      .on({ add: (cj) => this.queue.add(keyOf(cj)), update: (cj, old) => this.updateCronJob(cj, old), delete: (cj) => this.queue.add(keyOf(cj)) });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.jobs);
    await this.informers.acquire(this.cronJobs);
  }

  stop(): void {
    this.queue.stop();
    this.informers.release(this.cronJobs);
    this.informers.release(this.jobs);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- events → keys ----

  private owner(job: Obj): Obj | undefined {
    const ref = controllerOf(job);
    if (!ref || ref.kind !== 'CronJob') return undefined;
    const cj = this.cronJobs.get(job.metadata.namespace, ref.name);
    return cj && cj.metadata.uid === ref.uid ? cj : undefined;
  }

  private enqueueOwner(job: Obj): void {
    const cj = this.owner(job);
    if (cj) this.queue.add(keyOf(cj));
  }

  private addJob(job: Obj): void {
    this.enqueueOwner(job);
  }

  private updateJob(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (JSON.stringify(controllerOf(cur)) !== JSON.stringify(controllerOf(old))) this.enqueueOwner(old);
    this.enqueueOwner(cur);
  }

  private updateCronJob(cur: Obj, old: Obj): void {
    const key = keyOf(cur);
    if (cur.spec?.schedule !== old.spec?.schedule || cur.spec?.timeZone !== old.spec?.timeZone) {
      let sched: Schedule;
      try {
        sched = parseSchedule(formatSchedule(cur), validTimeZone(cur.spec?.timeZone ?? 'UTC') ? cur.spec?.timeZone : undefined);
      } catch {
        return;
      }
      const d = nextScheduleDelay(cur, this.clock.now(), sched);
      if (d !== undefined) this.queue.addAfter(key, d);
      return;
    }
    this.queue.add(key);
  }

  // ---- reconcile ----

  private async sync(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const shared = this.cronJobs.get(ns, name);
    if (!shared) return;
    const jobs = this.jobs.byIndex('controllerUID', shared.metadata.uid);
    const cj = clone(shared);
    cj.status ??= {};
    const cleaned = await this.cleanupFinishedJobs(cj, jobs);
    const { requeueAfter, updateStatus, error } = await this.syncCronJob(cj, jobs);
    if (cleaned || updateStatus) {
      const status: Obj = {};
      if (cj.status.active?.length) status.active = cj.status.active;
      if (cj.status.lastScheduleTime) status.lastScheduleTime = cj.status.lastScheduleTime;
      if (cj.status.lastSuccessfulTime) status.lastSuccessfulTime = cj.status.lastSuccessfulTime;
      await this.api.update(this.api.resource('cronjobs.batch'), ns, name, { ...cj, status }, { subresource: 'status' });
    }
    if (requeueAfter !== undefined) {
      this.queue.addAfter(key, requeueAfter);
      return;
    }
    if (error) throw error;
  }

  private async syncCronJob(cj: Obj, jobs: Obj[]): Promise<{ requeueAfter?: number; updateStatus: boolean; error?: unknown }> {
    const now = this.clock.now();
    let updateStatus = false;
    const active = (): Obj[] => (cj.status.active ??= []);
    const inActive = (uid: string) => active().some((r) => r.uid === uid);
    const removeActive = (uid: string) => {
      cj.status.active = active().filter((r) => r.uid !== uid);
    };
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid);
      const found = inActive(j.metadata.uid);
      if (!found && !isJobFinished(j)) {
        const fresh = await this.api.tryGet(this.api.resource('cronjobs.batch'), cj.metadata.namespace, cj.metadata.name);
        if (fresh && (fresh.status?.active ?? []).some((r: Obj) => r.uid === j.metadata.uid)) continue;
        await this.recorder.record(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (found && isJobFinished(j)) {
        const cond = finishedCondition(j)!;
        removeActive(j.metadata.uid);
        await this.recorder.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${cond.type}`);
        updateStatus = true;
      }
      if (finishedCondition(j)?.type === 'Complete' && j.status?.completionTime) {
        const t = j.status.completionTime;
        if (!cj.status.lastSuccessfulTime || Date.parse(t) > Date.parse(cj.status.lastSuccessfulTime)) {
          cj.status.lastSuccessfulTime = t;
          updateStatus = true;
        }
      }
    }
    // Active references whose Job is gone (checked against the API, not the cache).
    for (const ref of [...active()]) {
      if (children.has(ref.uid)) continue;
      const j = await this.api.tryGet(this.api.resource('jobs.batch'), ref.namespace ?? cj.metadata.namespace, ref.name);
      if (!j) {
        await this.recorder.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        removeActive(ref.uid);
        updateStatus = true;
      }
    }
    if (cj.metadata.deletionTimestamp) return { updateStatus };

    const tz: string | undefined = cj.spec?.timeZone ?? undefined;
    if (tz !== undefined && !validTimeZone(tz)) {
      await this.recorder.record(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
      return { updateStatus };
    }
    if (cj.spec?.suspend) return { updateStatus };

    const spec = formatSchedule(cj);
    if (spec.includes('TZ')) {
      await this.recorder.record(
        cj,
        'Warning',
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      );
    }
    let sched: Schedule;
    try {
      sched = parseSchedule(spec, tz);
    } catch (e) {
      await this.recorder.record(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(e as Error).message}`);
      return { updateStatus };
    }
    let scheduled: number | undefined;
    try {
      const r = mostRecentScheduleTime(cj, now, sched, true);
      scheduled = r.mostRecent !== undefined && r.mostRecent <= now ? r.mostRecent : undefined;
      if (scheduled !== undefined && r.missed > 100) {
        await this.recorder.record(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
    } catch (e) {
      await this.recorder.record(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${(e as Error).message}`);
      return { updateStatus };
    }
    const next = () => nextScheduleDelay(cj, now, sched);
    if (scheduled === undefined) return { requeueAfter: next(), updateStatus };

    const sds = cj.spec?.startingDeadlineSeconds;
    if (typeof sds === 'number' && scheduled + sds * 1000 < now) {
      await this.recorder.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return { requeueAfter: next(), updateStatus };
    }
    const jobName = `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
    if (active().some((r) => r.name === jobName && (r.namespace ?? cj.metadata.namespace) === cj.metadata.namespace) || (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled)) {
      return { requeueAfter: next(), updateStatus };
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active().length > 0) {
      await this.recorder.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { requeueAfter: next(), updateStatus };
    }
    if (policy === 'Replace') {
      for (const ref of [...active()]) {
        const j = await this.api.tryGet(this.api.resource('jobs.batch'), ref.namespace ?? cj.metadata.namespace, ref.name);
        if (!j) {
          await this.recorder.record(cj, 'Warning', 'FailedGet', `Get job: jobs.batch "${ref.name}" not found`);
          return { updateStatus, error: new ApiError(404, 'NotFound', `jobs.batch "${ref.name}" not found`) };
        }
        if (!(await this.deleteJob(cj, j))) return { updateStatus, error: new Error(`could not replace job ${j.metadata.namespace}/${j.metadata.name}`) };
        updateStatus = true;
      }
    }

    const jobsDef = this.api.resource('jobs.batch');
    const template = cj.spec?.jobTemplate ?? {};
    const annotations = { ...(template.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, tz) };
    const req: Obj = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: jobName,
        namespace: cj.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(template.spec ?? {}),
    };
    let created: Obj;
    let alreadyExists = false;
    try {
      created = await this.api.create(jobsDef, cj.metadata.namespace, req);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 403 && /is being terminated/.test(e.message)) return { updateStatus, error: e };
      if (e.code !== 409 || e.reason !== 'AlreadyExists') {
        await this.recorder.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${e.message}`);
        return { updateStatus, error: e };
      }
      alreadyExists = true;
      const existing = await this.api.tryGet(jobsDef, cj.metadata.namespace, jobName);
      if (!existing) return { updateStatus, error: e };
      created = existing;
      if (controllerOf(existing)?.uid !== cj.metadata.uid) return { updateStatus };
      if (inActive(existing.metadata.uid)) return { updateStatus };
    }
    if (!alreadyExists) await this.recorder.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    active().push({
      kind: 'Job',
      namespace: created.metadata.namespace,
      name: created.metadata.name,
      uid: created.metadata.uid,
      apiVersion: 'batch/v1',
      resourceVersion: created.metadata.resourceVersion,
    });
    cj.status.lastScheduleTime = rfc3339(scheduled);
    return { requeueAfter: next(), updateStatus: true };
  }

  /** deleteJob: background deletion and the reference out of the active list. */
  private async deleteJob(cj: Obj, job: Obj): Promise<boolean> {
    try {
      await this.api.delete(this.api.resource('jobs.batch'), job.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background' });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      await this.recorder.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${e.message}`);
      return false;
    }
    cj.status.active = (cj.status.active ?? []).filter((r: Obj) => r.uid !== job.metadata.uid);
    await this.recorder.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  /** cleanupFinishedJobs: the oldest finished Jobs beyond the history limits go. */
  private async cleanupFinishedJobs(cj: Obj, jobs: Obj[]): Promise<boolean> {
    const sLimit = cj.spec?.successfulJobsHistoryLimit;
    const fLimit = cj.spec?.failedJobsHistoryLimit;
    if (typeof sLimit !== 'number' && typeof fLimit !== 'number') return false;
    const succeeded: Obj[] = [];
    const failed: Obj[] = [];
    for (const j of jobs) {
      const c = finishedCondition(j);
      if (c?.type === 'Complete') succeeded.push(j);
      else if (c?.type === 'Failed') failed.push(j);
    }
    let changed = false;
    if (typeof sLimit === 'number' && (await this.removeOldestJobs(cj, succeeded, sLimit))) changed = true;
    if (typeof fLimit === 'number' && (await this.removeOldestJobs(cj, failed, fLimit))) changed = true;
    return changed;
  }

  private async removeOldestJobs(cj: Obj, jobs: Obj[], max: number): Promise<boolean> {
    const n = jobs.length - max;
    if (n <= 0) return false;
    // byJobStartTime: by startTime (none last), then by name.
    const start = (j: Obj) => (j.status?.startTime ? Date.parse(j.status.startTime) : Infinity);
    jobs.sort((a, b) => start(a) - start(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    let changed = false;
    for (let i = 0; i < n; i++) if (await this.deleteJob(cj, jobs[i]!)) changed = true;
    return changed;
  }
}

/** The schedule; spec.timeZone is passed beside it (formatSchedule's TZ= prefix). */
function formatSchedule(cj: Obj): string {
  return String(cj.spec?.schedule ?? '');
}
