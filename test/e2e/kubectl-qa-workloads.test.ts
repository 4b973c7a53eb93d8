// The real kubectl against `kube-emulator serve` on workloads (Deployments, ReplicaSets, Jobs,
// CronJobs, DaemonSets), as a learner following the course uses them: what was found wrong by
// hand and fixed, each checked the way kubectl shows it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kubectlServer, type KubectlServer } from './helpers.ts';

let s: KubectlServer;
kubectlServer('kubectl-qa-workloads', 2, (ready) => (s = ready));

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test("kubectl delete pod of a Job's running pod returns once the pod is gone (it hung: the kubelet's final delete was lost under the job-tracking finalizer)", async () => {
  await ok('create', 'job', 'long', '--image=nginx:1.27');
  await eventually(async () => (await ok('get', 'pods', '-l', 'job-name=long', '-o', 'jsonpath={.items[*].status.phase}')) === 'Running', 20_000, 'the Job pod Running');
  const pod = (await ok('get', 'pods', '-l', 'job-name=long', '-o', 'name')).trim();
  const r = await s.kubectl('delete', pod, '--timeout=20s');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `pod "${pod.slice('pod/'.length)}" deleted\n`);
  const gone = await s.kubectl('get', pod);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /NotFound/);
});

test('an OnFailure Job past its backoffLimit: Failed, BackoffLimitExceeded, and its pod deleted for good (it stayed Error)', async () => {
  const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: onf
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: w
        image: busybox
        command: ["sh", "-c", "echo fail; exit 3"]
`;
  const r = await s.kubectlIn(job, 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await ok('wait', '--for=condition=failed', 'job/onf', '--timeout=30s'), 'job.batch/onf condition met\n');
  assert.equal(await ok('get', 'job', 'onf', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}'), 'BackoffLimitExceeded');
  await ok('wait', '--for=delete', 'pod', '-l', 'job-name=onf', '--timeout=20s');
  assert.equal(await ok('get', 'pods', '-l', 'job-name=onf', '-o', 'name'), '');
});
