import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPod, cstatus, eventLines, getPod, podSpec, testCluster } from './helpers.ts';

test('a process that ignores SIGTERM is killed after terminationGracePeriodSeconds (exit 137); one that exits on SIGTERM goes at once', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('stubborn', { terminationGracePeriodSeconds: 20, containers: [{ name: 'app', image: 'busybox', command: ['stubborn'] }] }));
    await createPod(c, podSpec('polite', { containers: [{ name: 'app', image: 'busybox', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(3_000);
    let seen: { phase: string; code: number } | undefined;
    const k = [...c.kubelets.values()][0];
    const w = c.api.watch(pods, 'default', { fieldSelector: 'metadata.name=stubborn' }, (ev) => {
      const t = ev.object.status?.containerStatuses?.[0]?.state?.terminated;
      if (t) seen = { phase: ev.object.status.phase, code: t.exitCode };
    });
    await c.api.delete(pods, 'default', 'stubborn');
    await c.api.delete(pods, 'default', 'polite');
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'polite'), undefined);
    assert.ok(await c.api.tryGet(pods, 'default', 'stubborn'), 'still within its grace period');
    assert.ok(k.hasPod('default', 'stubborn'));
    await c.advanceClock(18_500);
    assert.ok(await c.api.tryGet(pods, 'default', 'stubborn'), 'still within its 20 s grace period');
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'stubborn'), undefined);
    (await w).stop();
    assert.deepEqual(seen, { phase: 'Failed', code: 137 });
    const ev = await eventLines(c, 'stubborn');
    assert.ok(ev.includes('Normal Killing: Stopping container app'));
  } finally {
    await c.stop();
  }
});

test("the delete's grace period overrides the pod's", async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('quick', { terminationGracePeriodSeconds: 60, containers: [{ name: 'app', image: 'busybox', command: ['stubborn'] }] }));
    await c.advanceClock(3_000);
    await c.api.delete(pods, 'default', 'quick', { gracePeriodSeconds: 5 });
    await c.advanceClock(4_000);
    assert.ok(await c.api.tryGet(pods, 'default', 'quick'));
    await c.advanceClock(1_500);
    assert.equal(await c.api.tryGet(pods, 'default', 'quick'), undefined);
  } finally {
    await c.stop();
  }
});

test('a preStop exec hook runs in the container before SIGTERM, within the grace period', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(
      c,
      podSpec('hooked', {
        volumes: [{ name: 'shared', emptyDir: {} }],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['run', '-1', '0'],
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            lifecycle: { preStop: { exec: { command: ['sleep-ms', '3000'] } } },
          },
        ],
      }),
    );
    await c.advanceClock(3_000);
    await c.api.delete(pods, 'default', 'hooked');
    await c.advanceClock(2_000);
    // The hook is still sleeping: the process has not been signalled.
    let p = await c.api.tryGet(pods, 'default', 'hooked');
    assert.ok(p);
    assert.ok(cstatus(p, 'app').state.running);
    await c.advanceClock(1_500);
    p = await c.api.tryGet(pods, 'default', 'hooked');
    assert.equal(p, undefined);
  } finally {
    await c.stop();
  }
});

test('a failing preStop hook is reported with FailedPreStopHook and the container still stops', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('badhook', { containers: [{ name: 'app', image: 'busybox', command: ['run', '-1', '0'], lifecycle: { preStop: { exec: { command: ['test-file', '/nope'] } } } }] }));
    await c.advanceClock(3_000);
    await c.api.delete(pods, 'default', 'badhook');
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'badhook'), undefined);
    const ev = await eventLines(c, 'badhook');
    assert.ok(ev.includes('Warning FailedPreStopHook: PreStopHook failed'), ev.join('\n'));
  } finally {
    await c.stop();
  }
});

test('emptyDir data survives a container restart; kubectl logs --previous reads the run before', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('keeper', {
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [{ name: 'app', image: 'busybox', command: ['run', '5000', '1', 'first run'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    await c.advanceClock(3_000);
    const k = [...c.kubelets.values()][0];
    const first = await getPod(c, 'keeper');
    const stdout: string[] = [];
    const code = await k.exec('default', 'keeper', 'app', ['write', '/data/note', 'kept'], { stdout: (d) => stdout.push(String(d)), stderr: () => {} });
    assert.equal(code, 0);
    await c.advanceClock(5_000);
    const p = await getPod(c, 'keeper');
    assert.equal(cstatus(p, 'app').restartCount, 1);
    assert.notEqual(cstatus(p, 'app').containerID, cstatus(first, 'app').containerID);
    const out: string[] = [];
    assert.equal(await k.exec('default', 'keeper', 'app', ['test-file', '/data/note'], { stdout: (d) => out.push(String(d)), stderr: (d) => out.push(String(d)) }), 0);
    assert.deepEqual(k.readLog('default', 'keeper', 'app', true)!.map((l) => l.text), ['first run']);
    assert.equal(k.readLog('default', 'keeper', 'app')!.length, 1);
  } finally {
    await c.stop();
  }
});
