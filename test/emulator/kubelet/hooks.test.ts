// Container lifecycle hooks (pkg/kubelet/lifecycle/handlers.go, kuberuntime_container.go
// startContainer step 4 and executePreStopHook) and a live image change (computePodActions:
// "definition changed"), on virtual time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { createPod, cstatus, eventLines, getColumns, getPod, podEvents, podSpec, testCluster } from './helpers.ts';

const img = 'busybox:1.36';

test('postStart exec runs before the container counts as started: ContainerCreating meanwhile, the next container waits for it', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('poststart', {
        containers: [
          { name: 'first', image: img, command: ['run', '-1', '0'], lifecycle: { postStart: { exec: { command: ['sleep-ms', '5000'] } } } },
          { name: 'second', image: img, command: ['run', '-1', '0'] },
        ],
      }),
    );
    await c.advanceClock(2_000);
    let p = await getPod(c, 'poststart');
    // The kubelet's sync is inside startContainer: nothing newer than ContainerCreating is posted.
    assert.deepEqual(cstatus(p, 'first').state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(cstatus(p, 'second').state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(p.status.phase, 'Pending');
    let ev = await eventLines(c, 'poststart');
    assert.ok(ev.includes('Normal Started: Started container first'));
    assert.ok(!ev.some((e) => e.includes('container second')), ev.join('\n'));
    await c.advanceClock(5_000);
    p = await getPod(c, 'poststart');
    assert.ok(cstatus(p, 'first').state.running);
    assert.ok(cstatus(p, 'second').state.running);
    assert.equal(p.status.phase, 'Running');
    ev = await eventLines(c, 'poststart');
    assert.ok(ev.includes('Normal Started: Started container second'));
    assert.ok(!ev.some((e) => e.includes('FailedPostStartHook')));
  } finally {
    await c.stop();
  }
});

test('a failing postStart exec hook: FailedPostStartHook, Killing "FailedPostStartHook", PostStartHookError, then restarts with the crash-loop back-off', async () => {
  const { c } = await testCluster();
  try {
    const waiting: Obj[] = [];
    const w = await c.api.watch(c.api.resource('pods'), 'default', {}, (e) => {
      const s = e.object?.status?.containerStatuses?.[0]?.state?.waiting;
      if (s) waiting.push(s);
    });
    await createPod(
      c,
      podSpec('badstart', {
        containers: [{ name: 'app', image: img, command: ['run', '-1', '0'], lifecycle: { postStart: { exec: { command: ['test-file', '/nope'] } } } }],
      }),
    );
    await c.advanceClock(3_000);
    const ev = await eventLines(c, 'badstart');
    assert.ok(ev.includes('Warning FailedPostStartHook: PostStartHook failed'), ev.join('\n'));
    assert.ok(ev.includes('Normal Killing: FailedPostStartHook'), ev.join('\n'));
    const p = await getPod(c, 'badstart');
    const pod = p.metadata;
    const hookError = waiting.find((s) => s.reason === 'PostStartHookError');
    assert.ok(hookError, JSON.stringify(waiting));
    assert.equal(
      hookError.message,
      `Exec lifecycle hook ([test-file /nope]) for Container "app" in Pod "badstart_default(${pod.uid})" failed - error: command 'test-file /nope' exited with 1: cat: can't open '/nope': No such file or directory\n, message: "cat: can't open '/nope': No such file or directory\\n"`,
    );
    // Restarted at once the first time, then the back-off: CrashLoopBackOff.
    const s = cstatus(p, 'app');
    assert.ok(s.restartCount >= 1);
    assert.equal(s.state.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(s.lastState.terminated.exitCode, 0);
    assert.equal((await getColumns(c, 'badstart')).status, 'CrashLoopBackOff');
    w.stop();
  } finally {
    await c.stop();
  }
});

test('postStart httpGet fails only when the request fails (a 500 answer is fine); the message is the Go client error', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('http-ok', {
        restartPolicy: 'Never',
        containers: [{ name: 'web', image: 'nginx', command: ['serve', '8080'], lifecycle: { postStart: { httpGet: { path: '/hook', port: 8080 } } } }],
      }),
    );
    const waiting: Obj[] = [];
    const w = await c.api.watch(c.api.resource('pods'), 'default', {}, (e) => {
      const s = e.object?.status?.containerStatuses?.[0]?.state?.waiting;
      if (e.object?.metadata?.name === 'http-retry' && s) waiting.push(s);
    });
    await createPod(
      c,
      podSpec('http-retry', {
        containers: [{ name: 'web', image: 'nginx', command: ['serve', '8080'], lifecycle: { postStart: { httpGet: { path: 'hook', port: 9999 } } } }],
      }),
    );
    await createPod(
      c,
      podSpec('http-bad', {
        restartPolicy: 'Never',
        containers: [{ name: 'web', image: 'nginx', command: ['serve', '8080'], lifecycle: { postStart: { httpGet: { path: '/hook', port: 9999 } } } }],
      }),
    );
    const k = [...c.kubelets.values()][0];
    await c.advanceClock(1_500);
    // The server answers 500 from now on: the hook does not look at status codes.
    await k.exec('default', 'http-ok', 'web', ['write', '/status', '500'], { stdout: () => {}, stderr: () => {} }).catch(() => 0);
    await c.advanceClock(3_000);
    const ok = await getPod(c, 'http-ok');
    assert.ok(cstatus(ok, 'web').state.running);
    assert.ok(!(await eventLines(c, 'http-ok')).some((e) => e.includes('FailedPostStartHook')));
    const bad = await getPod(c, 'http-bad');
    const ev = await eventLines(c, 'http-bad');
    assert.ok(ev.includes('Warning FailedPostStartHook: PostStartHook failed'), ev.join('\n'));
    // restartPolicy Never: the killed container stays terminated and the pod is done.
    assert.equal(cstatus(bad, 'web').state.terminated.exitCode, 0);
    assert.equal(cstatus(bad, 'web').restartCount, 0);
    assert.equal(bad.status.phase, 'Succeeded');
    const retry = await getPod(c, 'http-retry');
    const ip = retry.status.podIP;
    const hookError = waiting.find((x) => x.reason === 'PostStartHookError');
    assert.equal(
      hookError?.message,
      `HTTP lifecycle hook (hook) for Container "web" in Pod "http-retry_default(${retry.metadata.uid})" failed - error: Get "http://${ip}:9999/hook": dial tcp ${ip}:9999: connect: connection refused`,
    );
    w.stop();
  } finally {
    await c.stop();
  }
});

test('preStop sleep action (PodLifecycleSleepAction) delays SIGTERM by its seconds', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('sleeper', { containers: [{ name: 'app', image: img, command: ['run', '-1', '0'], lifecycle: { preStop: { sleep: { seconds: 5 } } } }] }));
    await c.advanceClock(3_000);
    await c.api.delete(pods, 'default', 'sleeper');
    await c.advanceClock(4_500);
    const p = await c.api.tryGet(pods, 'default', 'sleeper');
    assert.ok(p);
    assert.ok(cstatus(p, 'app').state.running);
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'sleeper'), undefined);
    assert.ok((await eventLines(c, 'sleeper')).includes('Normal Killing: Stopping container app'));
  } finally {
    await c.stop();
  }
});

test('a preStop hook longer than the grace period is cut off; SIGTERM still gets the 2 s minimum before SIGKILL', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(
      c,
      podSpec('slowhook', {
        terminationGracePeriodSeconds: 10,
        containers: [{ name: 'app', image: img, command: ['stubborn'], lifecycle: { preStop: { exec: { command: ['sleep-ms', '60000'] } } } }],
      }),
    );
    await c.advanceClock(3_000);
    await c.api.delete(pods, 'default', 'slowhook');
    await c.advanceClock(11_500);
    assert.ok(await c.api.tryGet(pods, 'default', 'slowhook'));
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'slowhook'), undefined);
  } finally {
    await c.stop();
  }
});

test('changing a running container image: Killing "definition changed, will be restarted", the new image runs, restartCount 1 (even with restartPolicy Never)', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('live', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'nginx:1.27', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(3_000);
    const before = await getPod(c, 'live');
    assert.equal(cstatus(before, 'c').image, 'nginx:1.27');
    const next = structuredClone(before);
    next.spec.containers[0].image = 'nginx:1.28';
    await c.api.update(pods, 'default', 'live', next);
    await c.advanceClock(5_000);
    const p = await getPod(c, 'live');
    const s = cstatus(p, 'c');
    assert.equal(s.restartCount, 1);
    assert.ok(s.state.running);
    assert.equal(s.image, 'nginx:1.28');
    assert.notEqual(s.containerID, cstatus(before, 'c').containerID);
    assert.equal(s.lastState.terminated.exitCode, 0);
    assert.equal(p.status.phase, 'Running');
    const ev = await eventLines(c, 'live');
    assert.ok(ev.includes('Normal Killing: Container c definition changed, will be restarted'), ev.join('\n'));
    assert.ok(ev.includes('Normal Pulling: Pulling image "nginx:1.28"'), ev.join('\n'));
    // The recorder aggregates: one Started event, seen twice.
    assert.equal((await podEvents(c, 'live')).find((e) => e.reason === 'Started')!.count, 2);
  } finally {
    await c.stop();
  }
});
