import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { createPod, cstatus, getPod, podSpec, testCluster } from './helpers.ts';

const quiet = { stdout: () => {}, stderr: () => {} };

test('exec runs in the container with its environment and file system; refusals in kubectl wording', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('box', {
        restartPolicy: 'Never',
        containers: [
          { name: 'app', image: 'busybox', command: ['run', '-1', '0'], env: [{ name: 'COLOR', value: 'blue' }] },
          { name: 'done', image: 'busybox', command: ['run', '0', '0'] },
        ],
      }),
    );
    await c.advanceClock(3_000);
    const k = [...c.kubelets.values()][0];
    let out = '';
    const code = await k.exec('default', 'box', 'app', ['env'], { stdout: (d) => (out += d), stderr: (d) => (out += d) });
    assert.equal(code, 0);
    assert.match(out, /^COLOR=blue$/m);
    assert.match(out, /^HOSTNAME=box$/m);
    out = '';
    assert.equal(await k.exec('default', 'box', 'app', ['nosuch'], { stdout: (d) => (out += d), stderr: (d) => (out += d) }), 127);
    assert.equal(out, 'sh: nosuch: not found\n');
    await assert.rejects(k.exec('default', 'box', 'web', ['env'], quiet), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'container web is not valid for pod box');
    await assert.rejects(k.exec('default', 'box', 'done', ['env'], quiet), (e: unknown) => e instanceof ApiError && e.message === 'container not found ("done")');
    await assert.rejects(k.exec('default', 'nopod', 'app', ['env'], quiet), (e: unknown) => e instanceof ApiError && e.code === 404 && e.message === 'pods "nopod" not found');
    assert.deepEqual(await k.check('default', 'box', 'done'), { code: 500, message: 'container not found ("done")' });
    assert.deepEqual(await k.check('default', 'nopod', 'app'), { code: 404, message: 'pod does not exist' });
    assert.equal(await k.check('default', 'box', 'app'), undefined);
  } finally {
    await c.stop();
  }
});

test('an exec is killed with its container, and by the caller hanging up (137)', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('box', { containers: [{ name: 'app', image: 'busybox', command: ['run', '-1', '0'] }] }));
    await c.advanceClock(3_000);
    const k = [...c.kubelets.values()][0];
    let hangUp!: (s: 'SIGKILL') => void;
    const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (hangUp = r));
    const running = k.exec('default', 'box', 'app', ['stubborn'], { ...quiet, signal });
    await c.advanceClock(1_000);
    hangUp('SIGKILL');
    assert.equal(await running, 137);
    const second = k.exec('default', 'box', 'app', ['sleep-ms', '600000'], quiet);
    await c.api.delete(c.api.resource('pods'), 'default', 'box');
    await c.advanceClock(2_000);
    assert.equal(await second, 137);
  } finally {
    await c.stop();
  }
});

test('attach streams the main process output and feeds its stdin', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('ticker', { containers: [{ name: 'app', image: 'busybox', command: ['tick'] }] }));
    await c.advanceClock(2_000);
    const k = [...c.kubelets.values()][0];
    let out = '';
    let hangUp!: (s: 'SIGTERM') => void;
    const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (hangUp = r));
    const attached = k.attach('default', 'ticker', 'app', { stdout: (d) => (out += d), stderr: () => {}, signal });
    const before = k.readLog('default', 'ticker', 'app')!.length;
    await c.advanceClock(3_000);
    hangUp('SIGTERM');
    assert.equal(await attached, 0);
    assert.equal(out.trim().split('\n').length, 3);
    assert.equal(out.split('\n')[0], `tick ${before + 1}`);
  } finally {
    await c.stop();
  }
});

test('attach forwards the output as written: a TTY shell\'s prompt without a newline at once, stderr on stdout with a TTY', async () => {
  const { c } = await testCluster();
  try {
    const k = [...c.kubelets.values()][0];
    const orig = k.runtime.programFor;
    // A shell's prompt: on stderr, no newline; then a partial line on stdout, each second.
    k.runtime.programFor = (image, command, args) =>
      command[0] === 'prompt'
        ? async (ctx) => {
            const t = ctx.clock.setInterval(() => {
              ctx.stderr('/ # ');
              ctx.stdout('partial');
            }, 1000);
            await ctx.signal;
            t.cancel();
            return 0;
          }
        : orig(image, command, args);
    await createPod(c, podSpec('term', { containers: [{ name: 'app', image: 'busybox', command: ['prompt'], tty: true, stdin: true }] }));
    await createPod(c, podSpec('plain', { containers: [{ name: 'app', image: 'busybox', command: ['prompt'] }] }));
    await c.advanceClock(2_000);
    const got: Record<string, string> = { termOut: '', termErr: '', plainOut: '', plainErr: '' };
    const hang: (() => void)[] = [];
    for (const name of ['term', 'plain']) {
      const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => hang.push(() => r('SIGTERM')));
      void k.attach('default', name, 'app', { stdout: (d) => (got[`${name}Out`] += d), stderr: (d) => (got[`${name}Err`] += d), signal });
    }
    await c.advanceClock(1_000);
    assert.equal(got.termOut, '/ # partial', 'a TTY merges the streams, partial writes included');
    assert.equal(got.termErr, '');
    assert.equal(got.plainOut, 'partial');
    assert.equal(got.plainErr, '/ # ');
    for (const h of hang) h();
  } finally {
    await c.stop();
  }
});

test('a stopped node freezes its containers (their timers stop, no status is written) and carries on when started', async () => {
  const { c } = await testCluster(2);
  try {
    await createPod(c, podSpec('ticker', { nodeName: 'kube-emulator-m02', containers: [{ name: 'app', image: 'busybox', command: ['tick'] }] }));
    await createPod(c, podSpec('crash', { nodeName: 'kube-emulator-m02', containers: [{ name: 'app', image: 'busybox', command: ['run', '0', '1'] }] }));
    await c.advanceClock(5_000);
    const k = c.kubelets.get('kube-emulator-m02')!;
    const ticks = () => k.readLog('default', 'ticker', 'app')!.length;
    const n0 = ticks();
    assert.ok(n0 >= 3);
    const crash0 = cstatus(await getPod(c, 'crash'), 'app').restartCount;
    const rv0 = (await getPod(c, 'crash')).metadata.resourceVersion;
    c.stopNode('kube-emulator-m02');
    await c.advanceClock(60_000);
    assert.equal(ticks(), n0, 'no ticks while the node is down');
    assert.equal((await getPod(c, 'crash')).metadata.resourceVersion, rv0, 'no status written while the node is down');
    await assert.rejects(k.exec('default', 'ticker', 'app', ['env'], quiet), /error dialing backend: dial tcp 192\.168\.49\.3:10250: connect: no route to host/);
    await c.startNode('kube-emulator-m02');
    await c.advanceClock(3_000);
    assert.ok(ticks() >= n0 + 2, `ticks resume (${ticks()} after ${n0})`);
    const p = await getPod(c, 'ticker');
    assert.ok(cstatus(p, 'app').state.running);
    assert.equal(cstatus(p, 'app').restartCount, 0, 'the process was frozen, not restarted');
    assert.ok(cstatus(await getPod(c, 'crash'), 'app').restartCount >= crash0);
  } finally {
    await c.stop();
  }
});

test('pods force-deleted while their node was down are killed when it starts', async () => {
  const { c } = await testCluster(2);
  try {
    await createPod(c, podSpec('orphan', { nodeName: 'kube-emulator-m02', containers: [{ name: 'app', image: 'busybox', command: ['tick'] }] }));
    await c.advanceClock(5_000);
    const k = c.kubelets.get('kube-emulator-m02')!;
    assert.ok(k.hasPod('default', 'orphan'));
    c.stopNode('kube-emulator-m02');
    await c.api.delete(c.api.resource('pods'), 'default', 'orphan', { gracePeriodSeconds: 0 });
    await c.advanceClock(1_000);
    assert.equal(await c.api.tryGet(c.api.resource('pods'), 'default', 'orphan'), undefined);
    assert.ok(k.hasPod('default', 'orphan'), 'the frozen kubelet does not know yet');
    await c.startNode('kube-emulator-m02');
    await c.advanceClock(1_000);
    assert.equal(k.hasPod('default', 'orphan'), false);
  } finally {
    await c.stop();
  }
});

test('a configMap volume that cannot be mounted keeps the pod in ContainerCreating (FailedMount, no IP) until the ConfigMap exists; then its files are readable', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('cfgvol', {
        volumes: [{ name: 'conf', configMap: { name: 'app-config' } }],
        containers: [{ name: 'app', image: 'busybox', command: ['run', '-1', '0'], volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }] }],
      }),
    );
    await c.advanceClock(3_000);
    let p = await getPod(c, 'cfgvol');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.status.podIP, undefined);
    assert.deepEqual(cstatus(p, 'app').state, { waiting: { reason: 'ContainerCreating' } });
    const { eventLines } = await import('./helpers.ts');
    assert.ok((await eventLines(c, 'cfgvol')).includes('Warning FailedMount: MountVolume.SetUp failed for volume "conf" : configmap "app-config" not found'));
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'app-config' }, data: { 'mode.txt': 'fast' } });
    await c.advanceClock(12_000);
    p = await getPod(c, 'cfgvol');
    assert.equal(p.status.phase, 'Running');
    const k = [...c.kubelets.values()][0];
    assert.equal(await k.exec('default', 'cfgvol', 'app', ['test-file', '/etc/app/mode.txt'], quiet), 0);
  } finally {
    await c.stop();
  }
});
