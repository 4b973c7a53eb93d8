// kubectl logs -f as the kubelet serves it (pkg/kubelet/kuberuntime/logs/logs.go ReadLogs): the
// follow ends when the container it follows exits; a restart starts a new log it does not show.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPod, podSpec, testCluster } from './helpers.ts';

test('followLog: lines of the run as they come, the end when the run exits, nothing of the next run', async () => {
  const { c } = await testCluster();
  try {
    await createPod(c, podSpec('ticker', { containers: [{ name: 'app', image: 'busybox', command: ['run', '10000', '1', 'hello'] }] }));
    await c.advanceClock(2_000);
    const k = [...c.kubelets.values()][0];
    const lines: string[] = [];
    let ended = 0;
    k.followLog('default', 'ticker', 'app', (l) => lines.push(l.text), { onEnd: () => ended++ });
    await c.advanceClock(5_000);
    assert.equal(ended, 0);
    // The run exits (1) at 10 s; the restart prints "hello" again in a new log.
    await c.advanceClock(6_000);
    assert.equal(ended, 1);
    assert.equal(k.readLog('default', 'ticker', 'app')!.map((l) => l.text).join(), 'hello');
    assert.deepEqual(lines, []);
    // A run that has ended: the follow ends at once.
    let endedPrev = 0;
    k.followLog('default', 'ticker', 'app', () => {}, { previous: true, onEnd: () => endedPrev++ });
    await Promise.resolve();
    assert.equal(endedPrev, 1);
  } finally {
    await c.stop();
  }
});

test('GET .../log?follow=true streams the new lines and ends when the container exits', async () => {
  const { c } = await testCluster(1, { http: true });
  try {
    await createPod(c, podSpec('counter', { containers: [{ name: 'app', image: 'busybox', command: ['tick'] }] }));
    await c.advanceClock(3_500);
    const res = await fetch(`${c.httpUrl}/api/v1/namespaces/default/pods/counter/log?follow=true`, { headers: { Authorization: `Bearer ${c.token}` } });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        text += Buffer.from(value).toString();
      }
    })();
    await c.advanceClock(2_000);
    // The container goes (its pod is deleted): the stream ends after its last line.
    await c.api.delete(c.api.resource('pods'), 'default', 'counter');
    await c.advanceClock(3_000);
    const outcome = await Promise.race([read, new Promise((r) => setTimeout(() => r('still open'), 2_000))]);
    assert.equal(outcome, 'ended');
    // The ticks before the follow began, then those that came while it followed.
    assert.equal(text, 'tick 1\ntick 2\ntick 3\ntick 4\n');
  } finally {
    await c.stop();
  }
});

test('GET .../log of a pod on a stopped node: the dial error of the kubelet the apiserver cannot reach (an untyped 500)', async () => {
  const { c } = await testCluster(2, { http: true });
  try {
    await createPod(c, podSpec('far', { nodeName: 'kube-emulator-m02', containers: [{ name: 'app', image: 'busybox', command: ['tick'] }] }));
    await c.advanceClock(3_500);
    const get = (q: string) => fetch(`${c.httpUrl}/api/v1/namespaces/default/pods/far/log${q}`, { headers: { Authorization: `Bearer ${c.token}` } });
    assert.equal((await get('')).status, 200);
    c.stopNode('kube-emulator-m02');
    for (const [q, kubelet] of [
      ['', ''],
      ['?tailLines=5&timestamps=true', '?tailLines=5&timestamps=true'],
    ]) {
      const res = await get(q);
      assert.equal(res.status, 500);
      const s = await res.json();
      assert.equal(s.message, `Get "https://192.168.49.3:10250/containerLogs/default/far/app${kubelet}": dial tcp 192.168.49.3:10250: connect: no route to host`);
      assert.ok(!s.reason, 'no reason: kubectl prints "Error from server: ..."');
    }
    await c.startNode('kube-emulator-m02');
    assert.equal((await get('')).status, 200);
  } finally {
    await c.stop();
  }
});
