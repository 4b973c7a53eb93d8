// A pod deleted before its containers run (Pending: right after binding, pulling, in an image or
// config error, initializing) or while its container is being started: the pod worker finishes the
// termination at once (nothing to kill, or the just-started process gets its SIGTERM) and the
// kubelet sends the final delete with grace period 0, as the status manager does; a final delete
// that fails is sent again at the status manager's next sync.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { createPod, eventLines, podSpec, testCluster } from './helpers.ts';

const app = (extra: Obj = {}): Obj => ({ name: 'app', image: 'busybox', command: ['run', '-1', '0'], ...extra });

const pendingCases: [string, Obj, number, string][] = [
  ['right after binding', { nodeName: 'kube-emulator', containers: [app()] }, 0, ''],
  ['while its image is pulled', { containers: [app({ image: 'registry.example/big:1' })] }, 600, 'ContainerCreating'],
  ['in ImagePullBackOff', { containers: [app({ image: 'missing:1' })] }, 20_000, 'ImagePullBackOff'],
  ['in CreateContainerConfigError', { containers: [app({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] })] }, 5_000, 'CreateContainerConfigError'],
  ['while an init container restarts', { initContainers: [{ name: 'init', image: 'busybox', command: ['run', '100', '1'] }], containers: [app()] }, 30_000, 'PodInitializing'],
];

for (const [label, spec, wait, waiting] of pendingCases) {
  test(`a Pending pod deleted ${label} goes at once`, async () => {
    const { c, missingImages } = await testCluster();
    missingImages.add('missing:1');
    try {
      const pods = c.api.resource('pods');
      await createPod(c, podSpec('p', spec));
      if (wait) await c.advanceClock(wait);
      const p = await c.api.get(pods, 'default', 'p');
      assert.equal(p.status.phase, 'Pending');
      if (waiting) {
        const st = p.status.containerStatuses?.[0]?.state?.waiting?.reason;
        assert.equal(st, waiting);
      }
      const r = await c.api.delete(pods, 'default', 'p');
      assert.equal(r.deleted, false, 'graceful: the kubelet finishes it');
      await c.advanceClock(1_000);
      assert.equal(await c.api.tryGet(pods, 'default', 'p'), undefined);
      // Nothing was started after the deletion.
      await c.advanceClock(30_000);
      assert.equal([...c.kubelets.values()][0].hasPod('default', 'p'), false);
      if (!wait) assert.deepEqual((await eventLines(c, 'p')).filter((l) => l.includes('Started')), []);
    } finally {
      await c.stop();
    }
  });
}

test('deleted while its container is being started: the new process gets SIGTERM, the pod goes at once', async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    const k = [...c.kubelets.values()][0];
    const record = k.events.record.bind(k.events);
    let deleted = false;
    // The deletion lands while the kubelet records Started.
    k.events.record = async (obj, type, reason, message, fieldPath) => {
      await record(obj, type, reason, message, fieldPath);
      if (reason === 'Started' && !deleted) {
        deleted = true;
        await c.api.delete(pods, 'default', 'p');
        await new Promise((r) => setImmediate(r));
      }
    };
    await createPod(c, podSpec('p', { containers: [app()] }));
    await c.advanceClock(3_000);
    assert.ok(deleted);
    assert.equal(await c.api.tryGet(pods, 'default', 'p'), undefined, 'not held for the 30 s grace period');
    const ev = await eventLines(c, 'p');
    assert.ok(ev.includes('Normal Killing: Stopping container app'), ev.join('\n'));
  } finally {
    await c.stop();
  }
});

test("a final delete that fails is sent again at the status manager's next sync", async () => {
  const { c } = await testCluster();
  try {
    const pods = c.api.resource('pods');
    await createPod(c, podSpec('p', { containers: [app()] }));
    await c.advanceClock(3_000);
    const del = c.api.delete.bind(c.api);
    let refused = 0;
    c.api.delete = async (def, ns, name, opts = {}) => {
      if (opts.gracePeriodSeconds === 0 && refused === 0) {
        refused++;
        throw new ApiError(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
      }
      return del(def, ns, name, opts);
    };
    await c.api.delete(pods, 'default', 'p');
    await c.advanceClock(1_000);
    assert.equal(refused, 1);
    assert.ok((await c.api.tryGet(pods, 'default', 'p'))?.metadata.deletionTimestamp, 'still there after the refused delete');
    await c.advanceClock(10_000);
    assert.equal(await c.api.tryGet(pods, 'default', 'p'), undefined);
  } finally {
    await c.stop();
  }
});
