import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../src/emulator/kubelet/runtime.ts';
import { condition, createPod, cstatus, eventLines, getPod, podEvents, podSpec, testCluster } from './helpers.ts';

test('exec liveness probe: initialDelaySeconds, periodSeconds, failureThreshold; Unhealthy events, the restart message, restartCount', async () => {
  const { c } = await testCluster();
  try {
    // The tutorial's liveness-exec pod: the file is there for 30 s (written by an exec below).
    await createPod(
      c,
      podSpec('liveness-exec', {
        containers: [
          {
            name: 'liveness',
            image: 'busybox',
            command: ['run', '-1', '0'],
            livenessProbe: { exec: { command: ['test-file', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
          },
        ],
      }),
    );
    await c.advanceClock(1_100);
    const k = [...c.kubelets.values()][0];
    const started = Date.parse(cstatus(await getPod(c, 'liveness-exec'), 'liveness').state.running.startedAt);
    await k.exec('default', 'liveness-exec', 'liveness', ['write', '/tmp/healthy', 'ok'], { stdout: () => {}, stderr: () => {} });
    await c.advanceClock(30_000);
    assert.deepEqual((await eventLines(c, 'liveness-exec')).filter((e) => e.includes('Unhealthy')), []);
    // The file goes; probes at 35, 40 and 45 s fail; the third kills the container.
    assert.equal(await k.exec('default', 'liveness-exec', 'liveness', ['rm', '/tmp/healthy'], { stdout: () => {}, stderr: () => {} }), 0);
    await c.advanceClock(started + 44_000 - c.clock.now());
    let ev = await podEvents(c, 'liveness-exec');
    const unhealthy = ev.find((e) => e.reason === 'Unhealthy')!;
    assert.equal(unhealthy.type, 'Warning');
    assert.equal(unhealthy.message, "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    assert.equal(unhealthy.count, 2);
    assert.equal(cstatus(await getPod(c, 'liveness-exec'), 'liveness').restartCount, 0);
    await c.advanceClock(2_000);
    ev = await podEvents(c, 'liveness-exec');
    assert.equal(ev.find((e) => e.reason === 'Unhealthy')!.count, 3);
    assert.ok(ev.some((e) => e.reason === 'Killing' && e.message === 'Container liveness failed liveness probe, will be restarted'));
    const p = await getPod(c, 'liveness-exec');
    const s = cstatus(p, 'liveness');
    assert.equal(s.restartCount, 1);
    assert.ok(s.state.running);
    assert.equal(s.lastState.terminated.exitCode, 0);
    assert.equal(s.lastState.terminated.reason, 'Completed');
  } finally {
    await c.stop();
  }
});

test('httpGet readiness drives Ready and ContainersReady; 200-399 succeeds, 500 fails with the status code; successThreshold', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('web', {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            command: ['serve', '8080'],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 2, successThreshold: 2 },
          },
        ],
      }),
    );
    await c.advanceClock(2_500);
    let p = await getPod(c, 'web');
    // One success so far: not ready until two in a row.
    assert.equal(cstatus(p, 'web').ready, false);
    assert.equal(condition(p, 'Ready')!.status, 'False');
    assert.equal(condition(p, 'Ready')!.message, 'containers with unready status: [web]');
    await c.advanceClock(5_000);
    p = await getPod(c, 'web');
    assert.equal(cstatus(p, 'web').ready, true);
    assert.equal(condition(p, 'Ready')!.status, 'True');
    assert.equal(condition(p, 'ContainersReady')!.status, 'True');
    const k = [...c.kubelets.values()][0];
    await k.exec('default', 'web', 'web', ['write', '/status', '500'], { stdout: () => {}, stderr: () => {} });
    await c.advanceClock(5_000);
    assert.equal(cstatus(await getPod(c, 'web'), 'web').ready, true, 'one failure is below the threshold');
    await c.advanceClock(5_000);
    p = await getPod(c, 'web');
    assert.equal(cstatus(p, 'web').ready, false);
    assert.equal(condition(p, 'Ready')!.status, 'False');
    assert.equal(p.status.phase, 'Running');
    const ev = await podEvents(c, 'web');
    const un = ev.find((e) => e.reason === 'Unhealthy')!;
    assert.equal(un.message, 'Readiness probe failed: HTTP probe failed with statuscode: 500');
    assert.equal(un.count, 2);
    assert.equal(cstatus(p, 'web').restartCount, 0, 'readiness never restarts');
  } finally {
    await c.stop();
  }
});

test('tcpSocket liveness with nothing listening: connection refused, restarted', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('tcp', {
        containers: [{ name: 'app', image: 'redis', command: ['run', '-1', '0'], livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 10, failureThreshold: 1 } }],
      }),
    );
    await c.advanceClock(15_000);
    const p = await getPod(c, 'tcp');
    const ev = await eventLines(c, 'tcp');
    assert.ok(ev.includes(`Warning Unhealthy: Liveness probe failed: dial tcp ${p.status.podIP}:6379: connect: connection refused`), ev.join('\n'));
    assert.ok(ev.includes('Normal Killing: Container app failed liveness probe, will be restarted'));
    assert.equal(cstatus(p, 'app').restartCount, 1);
  } finally {
    await c.stop();
  }
});

test('a startup probe holds back liveness and readiness (started false) until it succeeds; failing it restarts the container', async () => {
  const { c } = await testCluster();
  try {
    await createPod(
      c,
      podSpec('slow', {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['serve', '80'],
            startupProbe: { exec: { command: ['test-file', '/started'] }, periodSeconds: 5, failureThreshold: 10 },
            livenessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
          },
        ],
      }),
    );
    await createPod(
      c,
      podSpec('never', {
        containers: [{ name: 'app', image: 'busybox', command: ['run', '-1', '0'], startupProbe: { exec: { command: ['test-file', '/started'] }, periodSeconds: 2, failureThreshold: 3 } }],
      }),
    );
    await c.advanceClock(20_000);
    let p = await getPod(c, 'slow');
    assert.equal(cstatus(p, 'app').started, false);
    assert.equal(cstatus(p, 'app').ready, false);
    const k = [...c.kubelets.values()][0];
    await k.exec('default', 'slow', 'app', ['write', '/started', 'yes'], { stdout: () => {}, stderr: () => {} });
    await c.advanceClock(5_000);
    p = await getPod(c, 'slow');
    assert.equal(cstatus(p, 'app').started, true);
    assert.equal(cstatus(p, 'app').ready, true);
    assert.equal(cstatus(p, 'app').restartCount, 0);
    const n = await getPod(c, 'never');
    assert.ok(cstatus(n, 'app').restartCount >= 1);
    const ev = await eventLines(c, 'never');
    assert.ok(ev.includes('Normal Killing: Container app failed startup probe, will be restarted'), ev.join('\n'));
    assert.ok(ev.some((e) => e.startsWith("Warning Unhealthy: Startup probe failed: cat: can't open '/started'")));
  } finally {
    await c.stop();
  }
});

test('probe workers of pods added within a period of the kubelet start wait a random part of the period first (worker.go), seeded', async () => {
  const { c, net } = await testCluster();
  try {
    const k = [...c.kubelets.values()][0];
    const probes: { url: string; at: number }[] = [];
    const request = net.request.bind(net);
    net.request = (from, url, init) => {
      probes.push({ url, at: c.clock.now() });
      return request(from, url, init);
    };
    const web = (name: string) =>
      podSpec(name, { containers: [{ name: 'web', image: 'nginx', command: ['serve', '8080'], readinessProbe: { httpGet: { path: '/' + name, port: 8080 }, periodSeconds: 10 } }] });
    // The kubelet (re)starts with a seeded random source: the first draw is the worker's delay.
    k.runtime.random = seededRandom(42);
    const jitter = Math.floor(seededRandom(42)() * 10_000);
    k.stop();
    await k.start();
    const added = c.clock.now();
    await createPod(c, web('early'));
    await c.advanceClock(25_000);
    const early = probes.filter((p) => p.url.endsWith('/early')).map((p) => p.at - added);
    // Ticks at added + jitter + k * period; the first (6.011 s) comes after the container started.
    assert.equal(jitter, 6_011);
    assert.deepEqual(early, [jitter, jitter + 10_000]);
    assert.equal(condition(await getPod(c, 'early'), 'Ready')!.status, 'True');
    // A pod added more than a period after the start: no delay, readiness is probed as the container starts.
    const later = c.clock.now();
    await createPod(c, web('late'));
    await c.advanceClock(3_000);
    const late = probes.filter((p) => p.url.endsWith('/late')).map((p) => p.at - later);
    assert.equal(late.length, 1);
    assert.ok(late[0] < 2_000, String(late[0]));
    assert.equal(condition(await getPod(c, 'late'), 'Ready')!.status, 'True');
  } finally {
    await c.stop();
  }
});
