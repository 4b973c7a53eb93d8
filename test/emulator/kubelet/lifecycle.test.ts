import { test } from 'node:test';
import assert from 'node:assert/strict';
import { condition, createPod, cstatus, eventLines, getColumns, getPod, podSpec, testCluster } from './helpers.ts';

const img = 'busybox:1.36';

test('init containers run in order, each to exit 0, before the containers; Init:i/n, Initialized and PodInitializing on the way', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('init', {
        initContainers: [
          { name: 'first', image: img, command: ['run', '3000', '0', 'first ran'] },
          { name: 'second', image: img, command: ['run', '2000', '0'] },
        ],
        containers: [{ name: 'main', image: img, command: ['run', '-1', '0'] }],
      }),
    );
    await c.advanceClock(2_000);
    let p = await getPod(c, 'init');
    assert.equal(p.status.phase, 'Pending');
    assert.deepEqual(cstatus(p, 'first').state.running !== undefined, true);
    assert.deepEqual(cstatus(p, 'second').state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(cstatus(p, 'main').state, { waiting: { reason: 'PodInitializing' } });
    assert.equal(condition(p, 'Initialized')!.status, 'False');
    assert.equal(condition(p, 'Initialized')!.reason, 'ContainersNotInitialized');
    assert.equal(condition(p, 'Initialized')!.message, 'containers with incomplete status: [first second]');
    assert.equal(condition(p, 'Ready')!.reason, 'ContainersNotInitialized');
    assert.equal(condition(p, 'PodReadyToStartContainers')!.status, 'True');
    assert.equal((await getColumns(c, 'init')).status, 'Init:0/2');
    await c.advanceClock(3_000);
    assert.equal((await getColumns(c, 'init')).status, 'Init:1/2');
    await c.advanceClock(5_000);
    p = await getPod(c, 'init');
    assert.equal(p.status.phase, 'Running');
    assert.equal(cstatus(p, 'first').state.terminated.reason, 'Completed');
    assert.equal(cstatus(p, 'second').state.terminated.exitCode, 0);
    assert.equal(condition(p, 'Initialized')!.status, 'True');
    assert.equal(condition(p, 'Ready')!.status, 'True');
    assert.deepEqual(await getColumns(c, 'init'), { ready: '1/1', status: 'Running', restarts: '0' });
    const ev = (await eventLines(c, 'init')).filter((e) => /Started|Created/.test(e));
    assert.deepEqual(ev, [
      'Normal Created: Created container: first',
      'Normal Started: Started container first',
      'Normal Created: Created container: second',
      'Normal Started: Started container second',
      'Normal Created: Created container: main',
      'Normal Started: Started container main',
    ]);
  } finally {
    await c.stop();
  }
});

test('a failing init container restarts with the crash-loop back-off (Init:Error, Init:CrashLoopBackOff); with restartPolicy Never the pod fails', async () => {
  const { c } = await testCluster();
  try {
    const spec = (policy: string) => ({
      restartPolicy: policy,
      initContainers: [{ name: 'setup', image: img, command: ['run', '1000', '2'] }],
      containers: [{ name: 'main', image: img, command: ['run', '-1', '0'] }],
    });
    await createPod(c, podSpec('retry', spec('Always')));
    await createPod(c, podSpec('never', spec('Never')));
    await c.advanceClock(3_000);
    // First failure: restarted at once (restartCount 1), running again.
    let p = await getPod(c, 'retry');
    assert.equal(cstatus(p, 'setup').restartCount, 1);
    await c.advanceClock(1_000);
    p = await getPod(c, 'retry');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(cstatus(p, 'setup').state.waiting.reason, 'CrashLoopBackOff');
    assert.equal(cstatus(p, 'setup').lastState.terminated.exitCode, 2);
    assert.equal(cstatus(p, 'setup').lastState.terminated.reason, 'Error');
    assert.equal((await getColumns(c, 'retry')).status, 'Init:CrashLoopBackOff');
    assert.equal(cstatus(p, 'main').state.waiting.reason, 'PodInitializing');

    const n = await getPod(c, 'never');
    assert.equal(n.status.phase, 'Failed');
    assert.equal(cstatus(n, 'setup').state.terminated.exitCode, 2);
    assert.equal(cstatus(n, 'setup').restartCount, 0);
    assert.equal((await getColumns(c, 'never')).status, 'Init:Error');
    assert.equal(cstatus(n, 'main').state.waiting.reason, 'PodInitializing');
  } finally {
    await c.stop();
  }
});

test('CrashLoopBackOff: restarts at once, then after 10 s, 20 s, 40 s, with the kubelet message, BackOff event, restartCount and lastState', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('crash', { containers: [{ name: 'app', image: img, command: ['run', '0', '1', 'boom'] }] }));
    await c.advanceClock(3_000);
    let p = await getPod(c, 'crash');
    const uid = p.metadata.uid;
    // Exit, immediate restart, exit again: now in back-off for 10 s.
    assert.equal(cstatus(p, 'app').restartCount, 1);
    assert.deepEqual(cstatus(p, 'app').state.waiting, {
      reason: 'CrashLoopBackOff',
      message: `back-off 10s restarting failed container=app pod=crash_default(${uid})`,
    });
    const last = cstatus(p, 'app').lastState.terminated;
    assert.equal(last.exitCode, 1);
    assert.equal(last.reason, 'Error');
    assert.ok(last.startedAt && last.finishedAt && last.containerID);
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(await getColumns(c, 'crash'), { ready: '0/1', status: 'CrashLoopBackOff', restarts: '1 (2s ago)' });
    assert.ok((await eventLines(c, 'crash')).includes(`Warning BackOff: Back-off restarting failed container app in pod crash_default(${uid})`));
    // 10 s later it restarts (count 2) and fails again: 20 s back-off.
    await c.advanceClock(10_000);
    p = await getPod(c, 'crash');
    assert.equal(cstatus(p, 'app').restartCount, 2);
    assert.match(cstatus(p, 'app').state.waiting.message, /^back-off 20s restarting/);
    // It exited at about 11 s: the next restart is at about 31 s.
    await c.advanceClock(17_000);
    assert.equal(cstatus(await getPod(c, 'crash'), 'app').restartCount, 2);
    await c.advanceClock(2_000);
    p = await getPod(c, 'crash');
    assert.equal(cstatus(p, 'app').restartCount, 3);
    assert.match(cstatus(p, 'app').state.waiting.message, /^back-off 40s restarting/);
    // The back-off caps at 5 minutes: 80 s, 160 s, then 5m0s.
    await c.advanceClock(40_000 + 80_000 + 160_000);
    p = await getPod(c, 'crash');
    assert.equal(cstatus(p, 'app').restartCount, 6);
    assert.match(cstatus(p, 'app').state.waiting.message, /^back-off 5m0s restarting/);
  } finally {
    await c.stop();
  }
});

test('the crash-loop back-off starts again after a container ran 10 minutes', async () => {
  const { c } = await testCluster();
  try {
    // Runs 11 minutes, then exits 1.
    await createPod(c, podSpec('slow', { containers: [{ name: 'app', image: img, command: ['run', String(11 * 60_000), '1'] }] }));
    await c.advanceClock(3_000 + 11 * 60_000);
    // First exit: restarted at once.
    let p = await getPod(c, 'slow');
    assert.equal(cstatus(p, 'app').restartCount, 1);
    assert.ok(cstatus(p, 'app').state.running);
    await c.advanceClock(11 * 60_000);
    // Second exit, more than 10 minutes after the last restart: the back-off expired, restart at once again.
    p = await getPod(c, 'slow');
    assert.equal(cstatus(p, 'app').restartCount, 2);
    assert.ok(cstatus(p, 'app').state.running, JSON.stringify(cstatus(p, 'app').state));
  } finally {
    await c.stop();
  }
});

test('restartPolicy: OnFailure restarts a failure but completes on exit 0 (Succeeded, PodCompleted); Never fails on exit 1', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('ok', { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: img, command: ['run', '2000', '0', 'done'] }] }));
    await createPod(c, podSpec('bad', { restartPolicy: 'Never', containers: [{ name: 'job', image: img, command: ['run', '2000', '1'] }] }));
    await c.advanceClock(10_000);
    const ok = await getPod(c, 'ok');
    assert.equal(ok.status.phase, 'Succeeded');
    assert.equal(cstatus(ok, 'job').state.terminated.reason, 'Completed');
    assert.equal(cstatus(ok, 'job').restartCount, 0);
    assert.deepEqual(
      ['Ready', 'ContainersReady', 'PodReadyToStartContainers'].map((t) => [t, condition(ok, t)!.status, condition(ok, t)!.reason]),
      [
        ['Ready', 'False', 'PodCompleted'],
        ['ContainersReady', 'False', 'PodCompleted'],
        ['PodReadyToStartContainers', 'False', undefined],
      ],
    );
    assert.deepEqual(await getColumns(c, 'ok'), { ready: '0/1', status: 'Completed', restarts: '0' });
    const bad = await getPod(c, 'bad');
    assert.equal(bad.status.phase, 'Failed');
    assert.equal(cstatus(bad, 'job').state.terminated.exitCode, 1);
    assert.equal((await getColumns(c, 'bad')).status, 'Error');
    assert.deepEqual(
      bad.status.conditions.map((x: { type: string }) => x.type),
      ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
    );
  } finally {
    await c.stop();
  }
});

test('an image that cannot be pulled: ErrImagePull, then ImagePullBackOff with the 1.32 message, retried after 10 s then 20 s', async () => {
  const { c, missingImages } = await testCluster();
  try {
    missingImages.add('nginxx:1.0');
    await createPod(c, podSpec('typo', { containers: [{ name: 'web', image: 'nginxx:1.0' }] }));
    await c.advanceClock(1_900);
    let p = await getPod(c, 'typo');
    // No such repository on Docker Hub: the registry refuses it (containerd's Unknown, not NotFound).
    const err =
      'rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/nginxx:1.0": failed to resolve reference "docker.io/library/nginxx:1.0": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';
    assert.deepEqual(cstatus(p, 'web').state.waiting, { reason: 'ErrImagePull', message: err });
    assert.equal((await getColumns(c, 'typo')).status, 'ErrImagePull');
    await c.advanceClock(1_000);
    p = await getPod(c, 'typo');
    assert.deepEqual(cstatus(p, 'web').state.waiting, { reason: 'ImagePullBackOff', message: `Back-off pulling image "nginxx:1.0": ErrImagePull: ${err}` });
    assert.equal(p.status.phase, 'Pending');
    const ev = await eventLines(c, 'typo');
    assert.deepEqual(ev.slice(1, 6), [
      'Normal Pulling: Pulling image "nginxx:1.0"',
      `Warning Failed: Failed to pull image "nginxx:1.0": ${err}`,
      'Warning Failed: Error: ErrImagePull',
      'Normal BackOff: Back-off pulling image "nginxx:1.0"',
      'Warning Failed: Error: ImagePullBackOff',
    ]);
    // The next pull comes 10 s after the failed one; it fails again (20 s back-off).
    await c.advanceClock(10_000);
    const events = await (await import('./helpers.ts')).podEvents(c, 'typo');
    assert.equal(events.find((e) => e.reason === 'Pulling')!.count, 2);
    // The image appears in the registry: the next attempt pulls it and the pod runs.
    missingImages.delete('nginxx:1.0');
    await c.advanceClock(25_000);
    p = await getPod(c, 'typo');
    assert.equal(p.status.phase, 'Running');
    assert.ok(cstatus(p, 'web').state.running);
  } finally {
    await c.stop();
  }
});

test('imagePullPolicy Never with an image not on the node: ErrImageNeverPull', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('never', { containers: [{ name: 'web', image: 'local/app:dev', imagePullPolicy: 'Never' }] }));
    await c.advanceClock(2_000);
    const p = await getPod(c, 'never');
    assert.deepEqual(cstatus(p, 'web').state.waiting, { reason: 'ErrImageNeverPull', message: 'Container image "local/app:dev" is not present with pull policy of Never' });
    assert.ok((await eventLines(c, 'never')).includes('Warning ErrImageNeverPull: Container image "local/app:dev" is not present with pull policy of Never'));
  } finally {
    await c.stop();
  }
});

test('an image reference that does not parse (upper case): InvalidImageName and InspectFailed, never pulled; a missing tag is NotFound', async () => {
  const { c, missingImages } = await testCluster();
  try {
    missingImages.add('nginx:doesnotexist');
    await createPod(c, podSpec('upper', { containers: [{ name: 'web', image: 'Nginx:1.27' }] }));
    await createPod(c, podSpec('tag', { containers: [{ name: 'web', image: 'nginx:doesnotexist' }] }));
    await c.advanceClock(2_000);
    const p = await getPod(c, 'upper');
    const msg = 'Failed to apply default image tag "Nginx:1.27": couldn\'t parse image name "Nginx:1.27": invalid reference format: repository name (library/Nginx) must be lowercase';
    assert.deepEqual(cstatus(p, 'web').state.waiting, { reason: 'InvalidImageName', message: msg });
    assert.equal((await getColumns(c, 'upper')).status, 'InvalidImageName');
    await c.advanceClock(10_000);
    const ev = await eventLines(c, 'upper');
    assert.ok(ev.includes(`Warning InspectFailed: ${msg}`), ev.join('\n'));
    assert.ok(ev.includes('Warning Failed: Error: InvalidImageName'), ev.join('\n'));
    assert.ok(!ev.some((e) => e.includes('Pulling')), 'never pulled');
    assert.equal((await getPod(c, 'upper')).status.phase, 'Pending');
    // nginx is a known repository: a tag it does not have is containerd's NotFound.
    assert.ok(
      (await eventLines(c, 'tag')).includes(
        'Warning Failed: Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found',
      ),
    );
  } finally {
    await c.stop();
  }
});

test('a second pod with the same image finds it present on the node', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('a', { containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    await c.advanceClock(5_000);
    await createPod(c, podSpec('b', { containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    await c.advanceClock(5_000);
    const ev = await eventLines(c, 'b');
    assert.ok(ev.includes('Normal Pulled: Container image "nginx:1.27" already present on machine'), ev.join('\n'));
    assert.ok((await eventLines(c, 'a')).includes('Normal Pulled: Successfully pulled image "nginx:1.27" in 2.1s (2.1s including waiting). Image size: 72188133 bytes.'));
  } finally {
    await c.stop();
  }
});
