// The real kubectl against `kube-emulator serve` for Jobs and CronJobs: create job, wait for the
// Complete condition, logs job/x, a failing Job's BackoffLimitExceeded, create cronjob with the clock
// fast-forwarded (`kube-emulator clock advance`), and create job --from=cronjob/x.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let kubectl: (...args: string[]) => ReturnType<typeof run>;

before(async () => {
  const bin = kubectlPath();
  const dir = tempDir('kubectl-job');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  const cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('kubectl create job, wait --for=condition=complete, logs job/x, describe events', async () => {
  assert.equal(await ok('create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello from the job'), 'job.batch/hello created\n');
  assert.equal(await ok('wait', '--for=condition=complete', 'job/hello', '--timeout=60s'), 'job.batch/hello condition met\n');
  assert.equal(await ok('logs', 'job/hello'), 'hello from the job\n');
  const status = JSON.parse(await ok('get', 'job', 'hello', '-o', 'json')).status;
  assert.equal(status.succeeded, 1);
  assert.deepEqual(
    status.conditions.map((c: { type: string; reason: string }) => `${c.type}/${c.reason}`),
    ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached'],
  );
  const pods = await ok('get', 'pods', '-l', 'job-name=hello', '-o', 'jsonpath={.items[*].status.phase}');
  assert.equal(pods, 'Succeeded');
  const events = await ok('get', 'events', '--field-selector', 'involvedObject.kind=Job,involvedObject.name=hello', '-o', 'jsonpath={range .items[*]}{.reason}:{.source.component}{"\\n"}{end}');
  assert.deepEqual(events.trim().split('\n'), ['SuccessfulCreate:job-controller', 'Completed:job-controller']);
});

test('a failing Job: wait --for=condition=failed after the back-off, reason BackoffLimitExceeded', async () => {
  await ok('create', 'job', 'broken', '--image=busybox', '--', 'sh', '-c', 'exit 1');
  await ok('patch', 'job', 'broken', '--type=merge', '-p', '{"spec":{"backoffLimit":1}}');
  // The retry waits 10 s of back-off: fast-forward instead.
  await eventually(async () => (await ok('get', 'job', 'broken', '-o', 'jsonpath={.status.failed}')) === '1', 30_000, 'the first failure');
  const adv = await cli(['clock', 'advance', '30s', '--kubeconfig', server.kubeconfig]);
  assert.equal(adv.code, 0, adv.stderr);
  assert.equal(await ok('wait', '--for=condition=failed', 'job/broken', '--timeout=60s'), 'job.batch/broken condition met\n');
  const cond = await ok('get', 'job', 'broken', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}');
  assert.equal(cond, 'BackoffLimitExceeded: Job has reached the specified backoff limit');
  assert.equal(await ok('get', 'job', 'broken', '-o', 'jsonpath={.status.failed}'), '2');
});

test('kubectl create cronjob, 3 minutes fast-forwarded: 3 Jobs ran; create job --from=cronjob runs', async () => {
  assert.equal(await ok('create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tick'), 'cronjob.batch/tick created\n');
  const adv = await cli(['clock', 'advance', '3m', '--kubeconfig', server.kubeconfig]);
  assert.equal(adv.code, 0, adv.stderr);
  const names = await eventually(async () => {
    const out = await ok('get', 'jobs', '-l', 'batch.kubernetes.io/job-name', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.succeeded}{"\\n"}{end}');
    const lines = out.trim().split('\n').filter((l) => l.startsWith('tick-'));
    return lines.length === 3 && lines.every((l) => l.endsWith(' 1')) && lines;
  }, 30_000, 'three completed tick Jobs');
  for (const l of names) assert.match(l, /^tick-\d{8} 1$/);
  const last = await ok('get', 'cronjob', 'tick', '-o', 'jsonpath={.status.lastScheduleTime}');
  assert.match(last, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);

  assert.equal(await ok('create', 'job', 'tick-by-hand', '--from=cronjob/tick'), 'job.batch/tick-by-hand created\n');
  assert.equal(await ok('wait', '--for=condition=complete', 'job/tick-by-hand', '--timeout=60s'), 'job.batch/tick-by-hand condition met\n');
  assert.equal(await ok('logs', 'job/tick-by-hand'), 'tick\n');
  assert.equal(await ok('get', 'job', 'tick-by-hand', '-o', 'jsonpath={.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}'), 'manual');
});
