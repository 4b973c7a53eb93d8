import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { mostRecentScheduleTime, parseSchedule, rfc3339In } from '../../../src/emulator/controllers/cronjob.ts';

const START = Date.parse('2025-01-01T00:00:00Z');
const MIN = 60_000;

async function cluster(nodes = 2): Promise<Cluster> {
  return createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual', start: START }), noHttp: true });
}

function cronJob(name: string, schedule: string, command: string, spec: Obj = {}): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: {
      schedule,
      ...spec,
      jobTemplate: { metadata: { labels: { app: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }] } } } },
    },
  };
}

async function events(c: Cluster, obj: Obj): Promise<string[]> {
  const ev = await c.api.list(c.api.resource('events'), obj.metadata.namespace, { fieldSelector: `involvedObject.uid=${obj.metadata.uid}` });
  return ev.items.map((e) => `${e.type} ${e.reason} ${e.message}`);
}

async function jobsOf(c: Cluster, cj: Obj): Promise<Obj[]> {
  const items = (await c.api.list(c.api.resource('jobs.batch'), 'default')).items;
  return items.filter((j) => j.metadata.ownerReferences?.[0]?.uid === cj.metadata.uid).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

const complete = (j: Obj) => (j.status?.conditions ?? []).some((c: Obj) => c.type === 'Complete' && c.status === 'True');
const minutes = (iso: string) => Math.floor(Date.parse(iso) / MIN);

test('schedules: five fields, macros, robfig day-of-month/day-of-week rule, time zones, @every', () => {
  const at = Date.parse('2025-01-01T10:00:00Z'); // a Wednesday
  const next = (spec: string, tz?: string, from = at) => new Date(parseSchedule(spec, tz).next(from)!).toISOString();
  assert.equal(next('* * * * *'), '2025-01-01T10:01:00.000Z');
  assert.equal(next('*/15 * * * *', undefined, at + 1), '2025-01-01T10:15:00.000Z');
  assert.equal(next('@hourly'), '2025-01-01T11:00:00.000Z');
  assert.equal(next('@daily'), '2025-01-02T00:00:00.000Z');
  assert.equal(next('@weekly'), '2025-01-05T00:00:00.000Z');
  assert.equal(next('@monthly'), '2025-02-01T00:00:00.000Z');
  assert.equal(next('@yearly'), '2026-01-01T00:00:00.000Z');
  // Both restricted: either matches (the 15th, or a Monday); one a star: both must.
  assert.equal(next('0 9 15 * MON'), '2025-01-06T09:00:00.000Z');
  assert.equal(next('0 9 */2 * MON'), '2025-01-13T09:00:00.000Z');
  assert.equal(next('0 9 * * *', 'Asia/Tokyo'), '2025-01-02T00:00:00.000Z');
  assert.equal(next('TZ=America/New_York 0 9 * * *'), '2025-01-01T14:00:00.000Z');
  assert.equal(next('@every 90s'), '2025-01-01T10:01:30.000Z');
  assert.equal(rfc3339In(Date.parse('2025-01-02T00:00:00Z'), 'Asia/Tokyo'), '2025-01-02T09:00:00+09:00');
  assert.equal(rfc3339In(Date.parse('2025-01-02T00:00:00Z'), undefined), '2025-01-02T00:00:00Z');
  // The missed-runs count of mostRecentScheduleTime.
  const cj = { metadata: { creationTimestamp: '2025-01-01T00:00:00Z' }, spec: {}, status: {} };
  const r = mostRecentScheduleTime(cj, START + 150 * MIN + 30_000, parseSchedule('* * * * *'), true);
  assert.equal(r.missed, 150);
  assert.equal(new Date(r.mostRecent!).toISOString(), '2025-01-01T02:30:00.000Z');
});

test('a CronJob every minute: 3 minutes fast-forwarded, 3 Jobs named <cronjob>-<minutes> ran and completed', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    const cj = await c.api.create(cjDef, 'default', cronJob('tick', '* * * * *', 'echo tick'));
    await c.advanceClock(3 * MIN + 30_000);
    const jobs = await jobsOf(c, cj);
    const expected = [1, 2, 3].map((m) => `tick-${START / MIN + m}`);
    assert.deepEqual(jobs.map((j) => j.metadata.name), expected);
    assert.ok(jobs.every(complete), 'every Job completed');
    assert.deepEqual(
      jobs.map((j) => j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']),
      ['2025-01-01T00:01:00Z', '2025-01-01T00:02:00Z', '2025-01-01T00:03:00Z'],
    );
    assert.equal(jobs[0]!.metadata.labels.app, 'tick');
    assert.deepEqual(jobs[0]!.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const cur = await c.api.get(cjDef, 'default', 'tick');
    assert.equal(cur.status.lastScheduleTime, '2025-01-01T00:03:00Z');
    assert.equal(minutes(cur.status.lastSuccessfulTime), START / MIN + 3);
    assert.equal(cur.status.active, undefined);
    const ev = await events(c, cj);
    assert.deepEqual(ev.slice(0, 2), [`Normal SuccessfulCreate Created job ${expected[0]}`, `Normal SawCompletedJob Saw completed job: ${expected[0]}, condition: Complete`]);
    assert.equal(ev.filter((e) => e.startsWith('Normal SuccessfulCreate')).length, 3);
  } finally {
    await c.stop();
  }
});

test('history limits prune the oldest finished Jobs (successful 2, failed 1)', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    const ok = await c.api.create(cjDef, 'default', cronJob('ok', '* * * * *', 'echo ok', { successfulJobsHistoryLimit: 2 }));
    const bad = await c.api.create(cjDef, 'default', cronJob('bad', '* * * * *', 'exit 1', { failedJobsHistoryLimit: 1 }));
    // backoffLimit 0: each run fails at its first pod.
    await c.api.patch(cjDef, 'default', 'bad', 'merge', { spec: { jobTemplate: { spec: { backoffLimit: 0 } } } });
    await c.advanceClock(5 * MIN + 30_000);
    const okJobs = await jobsOf(c, ok);
    assert.deepEqual(okJobs.map((j) => j.metadata.name), [`ok-${START / MIN + 4}`, `ok-${START / MIN + 5}`]);
    const badJobs = await jobsOf(c, bad);
    assert.deepEqual(badJobs.map((j) => j.metadata.name), [`bad-${START / MIN + 5}`]);
    assert.ok((badJobs[0]!.status.conditions ?? []).some((x: Obj) => x.type === 'Failed'));
    const ev = await events(c, ok);
    assert.ok(ev.includes(`Normal SuccessfulDelete Deleted job ok-${START / MIN + 1}`), ev.join('\n'));
    // The pruned Jobs' pods go with them (background propagation).
    await c.advanceClock(10_000);
    const pods = (await c.api.list(c.api.resource('pods'), 'default')).items.filter((p) => p.metadata.labels['job-name']?.startsWith('ok-'));
    assert.deepEqual(pods.map((p) => p.metadata.labels['job-name']).sort(), okJobs.map((j) => j.metadata.name));
  } finally {
    await c.stop();
  }
});

test('concurrencyPolicy Forbid skips while a Job runs; Replace deletes it and starts the next', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    const forbid = await c.api.create(cjDef, 'default', cronJob('forbid', '* * * * *', 'sleep 150', { concurrencyPolicy: 'Forbid' }));
    const replace = await c.api.create(cjDef, 'default', cronJob('replace', '* * * * *', 'sleep 150', { concurrencyPolicy: 'Replace' }));
    await c.advanceClock(2 * MIN + 30_000);
    const f = await c.api.get(cjDef, 'default', 'forbid');
    assert.equal(f.status.active.length, 1);
    assert.equal(f.status.active[0].name, `forbid-${START / MIN + 1}`);
    assert.ok((await events(c, forbid)).includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));
    const r = await c.api.get(cjDef, 'default', 'replace');
    assert.deepEqual(r.status.active.map((a: Obj) => a.name), [`replace-${START / MIN + 2}`]);
    assert.deepEqual(r.status.active[0].kind, 'Job');
    assert.ok((await events(c, replace)).includes(`Normal SuccessfulDelete Deleted job replace-${START / MIN + 1}`));
    assert.deepEqual((await jobsOf(c, replace)).map((j) => j.metadata.name), [`replace-${START / MIN + 2}`]);
  } finally {
    await c.stop();
  }
});

test('suspend stops runs; after more than 100 missed runs only the latest starts, with TooManyMissedTimes', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    const cj = await c.api.create(cjDef, 'default', cronJob('late', '* * * * *', 'echo late', { suspend: true }));
    await c.advanceClock(150 * MIN + 30_000);
    assert.deepEqual(await jobsOf(c, cj), []);
    await c.api.patch(cjDef, 'default', 'late', 'merge', { spec: { suspend: false } });
    await c.advanceClock(10_000);
    const jobs = await jobsOf(c, cj);
    assert.deepEqual(jobs.map((j) => j.metadata.name), [`late-${START / MIN + 150}`]);
    const ev = await events(c, cj);
    assert.ok(ev.includes('Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew'), ev.join('\n'));
  } finally {
    await c.stop();
  }
});

test('timeZone: runs at the time of the zone, annotated with the zone offset', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    // The clock starts at 2025-01-01T00:00:00Z, 09:00 in Tokyo: 09:05 Tokyo is 00:05 UTC.
    const cj = await c.api.create(cjDef, 'default', cronJob('tokyo', '5 9 * * *', 'echo ohayo', { timeZone: 'Asia/Tokyo' }));
    await c.advanceClock(4 * MIN);
    assert.deepEqual(await jobsOf(c, cj), [], 'nothing before 09:05 Tokyo');
    await c.advanceClock(2 * MIN);
    const jobs = await jobsOf(c, cj);
    assert.deepEqual(jobs.map((j) => j.metadata.name), [`tokyo-${START / MIN + 5}`]);
    assert.equal(jobs[0]!.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2025-01-01T09:05:00+09:00');
  } finally {
    await c.stop();
  }
});

test('a Job created from the CronJob by hand runs (kubectl create job --from=cronjob/x), reported as UnexpectedJob', async () => {
  const c = await cluster();
  try {
    const cjDef = c.api.resource('cronjobs.batch');
    const cj = await c.api.create(cjDef, 'default', cronJob('manual', '0 0 1 1 *', 'echo by hand'));
    // What kubectl sends for --from=cronjob/manual.
    await c.api.create(c.api.resource('jobs.batch'), 'default', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'manual-run',
        annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
        labels: { app: 'manual' },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'manual', uid: cj.metadata.uid, controller: true }],
      },
      spec: cj.spec.jobTemplate.spec,
    });
    await c.advanceClock(20_000);
    const j = await c.api.get(c.api.resource('jobs.batch'), 'default', 'manual-run');
    assert.ok(complete(j));
    assert.equal(j.status.succeeded, 1);
    assert.ok((await events(c, cj)).includes('Warning UnexpectedJob Saw a job that the controller did not create or forgot: manual-run'));
  } finally {
    await c.stop();
  }
});
