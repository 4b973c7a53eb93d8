// batch/v1 Job and CronJob: defaults (pkg/apis/batch/v1/defaults.go), the generated selector
// (pkg/registry/batch/job/strategy.go) and validation messages, with robfig/cron's schedule errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronError } from '../../../../src/emulator/api/kinds/cron.ts';
import { rejects422, server } from './helpers.ts';

const jobSpec = (restartPolicy?: string) => ({ template: { spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'pi', image: 'perl' }] } } });

test('a Job is defaulted and gets its generated selector and labels', async () => {
  const api = await server();
  const job = await api.create(api.resource('jobs.batch'), 'default', { metadata: { name: 'pi' }, spec: jobSpec('Never') });
  const uid = job.metadata.uid;
  assert.equal(job.metadata.generation, 1);
  const s = job.spec;
  assert.deepEqual(
    { completions: s.completions, parallelism: s.parallelism, backoffLimit: s.backoffLimit, completionMode: s.completionMode, suspend: s.suspend, podReplacementPolicy: s.podReplacementPolicy, manualSelector: s.manualSelector },
    { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false },
  );
  assert.deepEqual(s.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  const labels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi' };
  assert.deepEqual(s.template.metadata.labels, labels);
  assert.deepEqual(job.metadata.labels, labels);
  const list = await api.list(api.resource('jobs.batch'), 'default', { fieldSelector: 'status.successful=0' });
  assert.equal(list.items.length, 1);
});

test('a Job needs restartPolicy OnFailure or Never', async () => {
  const api = await server();
  await rejects422(
    api.create(api.resource('jobs.batch'), 'default', { metadata: { name: 'pi' }, spec: jobSpec() }),
    'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  );
});

test('a CronJob is defaulted and its schedule checked with robfig/cron messages', async () => {
  const api = await server();
  const def = api.resource('cronjobs.batch');
  const cj = await api.create(def, 'default', { metadata: { name: 'tick' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: jobSpec('OnFailure') } } });
  assert.deepEqual(
    { c: cj.spec.concurrencyPolicy, s: cj.spec.suspend, ok: cj.spec.successfulJobsHistoryLimit, failed: cj.spec.failedJobsHistoryLimit },
    { c: 'Allow', s: false, ok: 3, failed: 1 },
  );
  assert.equal(cj.spec.jobTemplate.metadata.creationTimestamp, null);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined, 'SetDefaults_Job does not reach job templates');
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { schedule: '*/5 * * *', jobTemplate: { spec: jobSpec('OnFailure') } } }),
    'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "*/5 * * *": expected exactly 5 fields, found 4: [*/5 * * *]',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { schedule: '0 * * * *', concurrencyPolicy: 'Sometimes', jobTemplate: { spec: jobSpec('OnFailure') } } }),
    'CronJob.batch "bad" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { jobTemplate: { spec: jobSpec('OnFailure') } } }),
    'CronJob.batch "bad" is invalid: spec.schedule: Required value',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { schedule: 'TZ=UTC 0 * * * *', jobTemplate: { spec: jobSpec('OnFailure') } } }),
    'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  );
});

test('cron parser: what robfig/cron ParseStandard accepts and its errors', () => {
  for (const ok of ['* * * * *', '*/15 0-6 1,15 jan-jun mon-fri', '0 0 ? * SUN', '@hourly', '@daily', '@every 1h30m', '5/10 * * * *']) assert.equal(cronError(ok), undefined, ok);
  assert.equal(cronError(''), 'empty spec string');
  assert.equal(cronError('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  assert.equal(cronError('61 * * * *'), 'end of range (61) above maximum (59): 61');
  assert.equal(cronError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
  assert.equal(cronError('5-2 * * * *'), 'beginning of range (5) beyond end of range (2): 5-2');
  assert.equal(cronError('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  assert.equal(cronError('*/0 * * * *'), 'step of range should be a positive number: */0');
  assert.equal(cronError('1-2-3 * * * *'), 'too many hyphens: 1-2-3');
  assert.equal(cronError('* * * * * *'), 'expected exactly 5 fields, found 6: [* * * * * *]');
});
