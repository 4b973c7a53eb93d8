import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

const START = Date.parse('2025-01-01T00:00:00Z');

async function cluster(nodes = 2): Promise<Cluster> {
  return createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual', start: START }), noHttp: true });
}

function job(name: string, command: string, spec: Obj = {}, podSpec: Obj = {}): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }], ...podSpec } } },
  };
}

async function events(c: Cluster, obj: Obj): Promise<string[]> {
  const ev = await c.api.list(c.api.resource('events'), obj.metadata.namespace, { fieldSelector: `involvedObject.uid=${obj.metadata.uid}` });
  return ev.items.map((e) => `${e.type} ${e.reason} ${e.message}`);
}

async function podsOf(c: Cluster, j: Obj): Promise<Obj[]> {
  return (await c.api.list(c.api.resource('pods'), 'default', { labelSelector: `batch.kubernetes.io/controller-uid=${j.metadata.uid}` })).items;
}

function conditions(j: Obj): string[] {
  return (j.status?.conditions ?? []).map((c: Obj) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
}

test('a Job runs its pod to completion: labels, finalizer, counters, SuccessCriteriaMet then Complete, events', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(jobs, 'default', job('hello', 'echo hi'));
    await c.advanceClock(500);
    // The pod exists with the Job's labels, owner and tracking finalizer while it runs.
    let [pod] = await podsOf(c, created);
    assert.ok(pod, 'a pod was created');
    assert.match(pod.metadata.name, /^hello-[a-z0-9]{5}$/);
    assert.deepEqual(pod.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    const uid = created.metadata.uid;
    assert.deepEqual(pod.metadata.labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'hello', 'controller-uid': uid, 'job-name': 'hello' });
    assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'hello', uid, controller: true, blockOwnerDeletion: true }]);

    await c.advanceClock(30_000);
    const j = await c.api.get(jobs, 'default', 'hello');
    assert.deepEqual(conditions(j), ['SuccessCriteriaMet=True CompletionsReached: Reached expected number of succeeded pods', 'Complete=True CompletionsReached: Reached expected number of succeeded pods']);
    assert.equal(j.status.succeeded, 1);
    assert.equal(j.status.active, undefined);
    assert.equal(j.status.failed, undefined);
    assert.equal(j.status.ready, 0);
    assert.equal(j.status.terminating, 0);
    assert.deepEqual(j.status.uncountedTerminatedPods, {});
    assert.equal(j.status.startTime, '2025-01-01T00:00:00Z');
    assert.ok(Date.parse(j.status.completionTime) > START);
    [pod] = await podsOf(c, created);
    assert.equal(pod.status.phase, 'Succeeded');
    assert.equal(pod.metadata.finalizers, undefined);
    assert.deepEqual(await events(c, created), [`Normal SuccessfulCreate Created pod: ${pod.metadata.name}`, 'Normal Completed Job completed']);
  } finally {
    await c.stop();
  }
});

test('completions 4 with parallelism 2: never more than 2 pods at once, 4 succeed', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    await c.api.create(jobs, 'default', job('batch', 'sleep 5', { completions: 4, parallelism: 2 }));
    let maxActive = 0;
    for (let i = 0; i < 40; i++) {
      await c.advanceClock(1000);
      const j = await c.api.get(jobs, 'default', 'batch');
      maxActive = Math.max(maxActive, j.status.active ?? 0);
    }
    const j = await c.api.get(jobs, 'default', 'batch');
    assert.equal(maxActive, 2);
    assert.equal(j.status.succeeded, 4);
    assert.equal((await podsOf(c, j)).length, 4);
    assert.ok(conditions(j).includes('Complete=True CompletionsReached: Reached expected number of succeeded pods'));
  } finally {
    await c.stop();
  }
});

test('a failing Job is retried with the 10 s doubling back-off, then fails with BackoffLimitExceeded', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(jobs, 'default', job('fail', 'exit 1', { backoffLimit: 2 }));
    await c.advanceClock(120_000);
    const j = await c.api.get(jobs, 'default', 'fail');
    const pods = (await podsOf(c, j)).sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.status.phase === 'Failed' && !p.metadata.finalizers));
    // Each replacement waits for the back-off after the previous failure: 10 s, then 20 s.
    const gaps = [1, 2].map((i) => (Date.parse(pods[i]!.metadata.creationTimestamp) - Date.parse(pods[i - 1]!.metadata.creationTimestamp)) / 1000);
    assert.ok(gaps[0]! >= 10 && gaps[0]! < 15, `first gap ${gaps[0]}`);
    assert.ok(gaps[1]! >= 20 && gaps[1]! < 25, `second gap ${gaps[1]}`);
    assert.equal(j.status.failed, 3);
    assert.deepEqual(conditions(j), ['FailureTarget=True BackoffLimitExceeded: Job has reached the specified backoff limit', 'Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit']);
    assert.equal(j.status.completionTime, undefined);
    const ev = await events(c, created);
    assert.equal(ev.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: fail-')).length, 3);
    assert.equal(ev.at(-1), 'Warning BackoffLimitExceeded Job has reached the specified backoff limit');
  } finally {
    await c.stop();
  }
});

test('Indexed Job: one pod per index with the index annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    await c.api.create(jobs, 'default', job('idx', 'echo index=$JOB_COMPLETION_INDEX', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    await c.advanceClock(30_000);
    const j = await c.api.get(jobs, 'default', 'idx');
    assert.equal(j.status.completedIndexes, '0-2');
    assert.equal(j.status.succeeded, 3);
    const pods = (await podsOf(c, j)).sort((a, b) => a.metadata.annotations['batch.kubernetes.io/job-completion-index'].localeCompare(b.metadata.annotations['batch.kubernetes.io/job-completion-index']));
    assert.deepEqual(pods.map((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.metadata.labels['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.spec.hostname), ['idx-0', 'idx-1', 'idx-2']);
    pods.forEach((p, i) => assert.match(p.metadata.name, new RegExp(`^idx-${i}-[a-z0-9]{5}$`)));
    const env = pods[0]!.spec.containers[0].env;
    assert.deepEqual(env.map((e: Obj) => [e.name, e.valueFrom.fieldRef.fieldPath]), [['JOB_COMPLETION_INDEX', "metadata.labels['batch.kubernetes.io/job-completion-index']"]]);
    const logs = pods.map((p) => c.kubelets.get(p.spec.nodeName)!.readLog('default', p.metadata.name, 'main', false)!.map((l) => l.text).join('\n'));
    assert.deepEqual(logs, ['index=0', 'index=1', 'index=2']);
  } finally {
    await c.stop();
  }
});

test('activeDeadlineSeconds: the running pod is deleted and the Job fails with DeadlineExceeded', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(jobs, 'default', job('slow', 'sleep 600', { activeDeadlineSeconds: 20 }));
    await c.advanceClock(10_000);
    assert.equal((await c.api.get(jobs, 'default', 'slow')).status.active, 1);
    await c.advanceClock(60_000);
    const j = await c.api.get(jobs, 'default', 'slow');
    assert.deepEqual(conditions(j), ['FailureTarget=True DeadlineExceeded: Job was active longer than specified deadline', 'Failed=True DeadlineExceeded: Job was active longer than specified deadline']);
    assert.equal(Date.parse(j.status.conditions[0].lastTransitionTime) - START, 20_000);
    assert.equal(j.status.failed, 1);
    assert.equal(j.status.active, undefined);
    assert.deepEqual(await podsOf(c, j), []);
    const ev = await events(c, created);
    assert.ok(ev.some((e) => /^Normal SuccessfulDelete Deleted pod: slow-/.test(e)), ev.join('\n'));
    assert.equal(ev.at(-1), 'Warning DeadlineExceeded Job was active longer than specified deadline');
  } finally {
    await c.stop();
  }
});

test('suspend and resume: no pods while suspended, the Suspended condition and events, startTime set at resume', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(jobs, 'default', job('later', 'echo done', { suspend: true }));
    await c.advanceClock(10_000);
    let j = await c.api.get(jobs, 'default', 'later');
    assert.deepEqual(await podsOf(c, j), []);
    assert.deepEqual(conditions(j), ['Suspended=True JobSuspended: Job suspended']);
    assert.equal(j.status.startTime, undefined);
    await c.api.patch(jobs, 'default', 'later', 'merge', { spec: { suspend: false } });
    await c.advanceClock(30_000);
    j = await c.api.get(jobs, 'default', 'later');
    assert.equal(j.status.startTime, '2025-01-01T00:00:10Z');
    assert.deepEqual(conditions(j), [
      'Suspended=False JobResumed: Job resumed',
      'SuccessCriteriaMet=True CompletionsReached: Reached expected number of succeeded pods',
      'Complete=True CompletionsReached: Reached expected number of succeeded pods',
    ]);
    // manageJob creates the pod before the sync records the resume, as in Kubernetes.
    const ev = await events(c, created);
    assert.deepEqual(ev.map((e) => e.split(' ').slice(0, 2).join(' ')), ['Normal Suspended', 'Normal SuccessfulCreate', 'Normal Resumed', 'Normal Completed']);
    assert.equal(ev[2], 'Normal Resumed Job resumed');
  } finally {
    await c.stop();
  }
});

test('podFailurePolicy: Ignore does not count a failure; FailJob fails the Job with the rule message', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const policy = {
      rules: [
        { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
        { action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } },
      ],
    };
    // The first pod exits 3 (ignored, replaced at once without back-off), its replacement exits 42.
    const script = 'if [ -f /data/ran ]; then exit 42; fi; touch /data/ran; exit 3';
    const created = await c.api.create(
      jobs,
      'default',
      job('pfp', script, { backoffLimit: 0, podFailurePolicy: policy }, {
        nodeName: 'kube-emulator',
        volumes: [{ name: 'data', hostPath: { path: '/tmp/pfp', type: 'DirectoryOrCreate' } }],
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    await c.advanceClock(30_000);
    const j = await c.api.get(jobs, 'default', 'pfp');
    const pods = (await podsOf(c, j)).sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    assert.equal(pods.length, 2);
    const second = pods[1]!.metadata.name;
    const msg = `Container main for pod default/${second} failed with exit code 42 matching FailJob rule at index 0`;
    assert.deepEqual(conditions(j), [`FailureTarget=True PodFailurePolicy: ${msg}`, `Failed=True PodFailurePolicy: ${msg}`]);
    // The ignored failure is not counted; the FailJob one is.
    assert.equal(j.status.failed, 1);
    assert.equal((await events(c, created)).at(-1), `Warning PodFailurePolicy ${msg}`);
  } finally {
    await c.stop();
  }
});

test('backoffLimitPerIndex: a failing index backs off on its own, counts its failures, and the Job fails with FailedIndexes', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(
      jobs,
      'default',
      job('per-index', 'if [ "$JOB_COMPLETION_INDEX" = 1 ]; then exit 1; fi; echo ok', { completions: 3, parallelism: 3, completionMode: 'Indexed', backoffLimitPerIndex: 1 }),
    );
    await c.advanceClock(60_000);
    const j = await c.api.get(jobs, 'default', 'per-index');
    assert.equal(j.status.completedIndexes, '0,2');
    assert.equal(j.status.failedIndexes, '1');
    assert.equal(j.status.succeeded, 2);
    assert.equal(j.status.failed, 2);
    assert.deepEqual(conditions(j), ['FailureTarget=True FailedIndexes: Job has failed indexes', 'Failed=True FailedIndexes: Job has failed indexes']);
    const failed = (await podsOf(c, j))
      .filter((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '1')
      .sort((a, b) => Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp));
    assert.deepEqual(failed.map((p) => p.metadata.annotations['batch.kubernetes.io/job-index-failure-count']), ['0', '1']);
    const gap = Date.parse(failed[1]!.metadata.creationTimestamp) - Date.parse(failed[0]!.status.containerStatuses[0].state.terminated.finishedAt);
    assert.ok(gap >= 10_000 && gap < 12_000, `the index backed off ${gap} ms`);
    assert.equal((await events(c, created)).at(-1), 'Warning FailedIndexes Job has failed indexes');
  } finally {
    await c.stop();
  }
});

test('podFailurePolicy FailIndex fails only that index', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    await c.api.create(
      jobs,
      'default',
      job('fail-index', 'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then exit 7; fi; echo ok', {
        completions: 2,
        parallelism: 2,
        completionMode: 'Indexed',
        backoffLimitPerIndex: 3,
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } }] },
      }),
    );
    await c.advanceClock(30_000);
    const j = await c.api.get(jobs, 'default', 'fail-index');
    assert.equal(j.status.failedIndexes, '0');
    assert.equal(j.status.completedIndexes, '1');
    assert.equal((await podsOf(c, j)).length, 2, 'no retry of index 0');
    assert.deepEqual(conditions(j).map((x) => x.split(' ')[0]), ['FailureTarget=True', 'Failed=True']);
  } finally {
    await c.stop();
  }
});

test('successPolicy: index 0 succeeding meets the criteria; the other pods are deleted and the Job is Complete', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(
      jobs,
      'default',
      job('leader', 'if [ "$JOB_COMPLETION_INDEX" = 0 ]; then echo done; else sleep 600; fi', {
        completions: 3,
        parallelism: 3,
        completionMode: 'Indexed',
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      }),
    );
    await c.advanceClock(60_000);
    const j = await c.api.get(jobs, 'default', 'leader');
    assert.deepEqual(conditions(j), ['SuccessCriteriaMet=True SuccessPolicy: Matched rules at index 0', 'Complete=True SuccessPolicy: Matched rules at index 0']);
    assert.equal(j.status.completedIndexes, '0');
    assert.equal(j.status.succeeded, 1);
    assert.equal(j.status.active, undefined);
    const ev = await events(c, created);
    assert.equal(ev.filter((e) => e.startsWith('Normal SuccessfulDelete Deleted pod: leader-')).length, 2, ev.join('\n'));
    assert.equal(ev.at(-1), 'Normal Completed Job completed');
  } finally {
    await c.stop();
  }
});

test('restartPolicy OnFailure: the restarts count against backoffLimit; the failed Job deletes its pod and the pod goes (its kubelet deletes it before the finalizer is removed)', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    const created = await c.api.create(jobs, 'default', job('onf', 'echo fail; exit 3', { backoffLimit: 1 }, { restartPolicy: 'OnFailure' }));
    await c.advanceClock(5_000);
    const j = await c.api.get(jobs, 'default', 'onf');
    assert.deepEqual(conditions(j), ['FailureTarget=True BackoffLimitExceeded: Job has reached the specified backoff limit', 'Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit']);
    assert.equal(j.status.failed, 1);
    const ev = await events(c, created);
    assert.ok(ev.some((e) => /^Normal SuccessfulDelete Deleted pod: onf-/.test(e)), ev.join('\n'));
    // Was left behind for good (Failed, deletionGracePeriodSeconds 30, no finalizer): the kubelet's
    // grace-0 delete came while the finalizer was there and was not kept.
    await c.advanceClock(60_000);
    assert.deepEqual((await podsOf(c, j)).map((p) => `${p.metadata.name} ${p.status.phase}`), []);
  } finally {
    await c.stop();
  }
});
