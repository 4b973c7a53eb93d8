import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

const START = Date.parse('2025-01-01T00:00:00Z');

async function cluster(nodes = 2): Promise<Cluster> {
  return createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual', start: START }), noHttp: true });
}

function job(name: string, command: string, spec: Obj = {}): Obj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: { ...spec, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', command] }] } } },
  };
}

async function podsOf(c: Cluster, j: Obj): Promise<Obj[]> {
  return (await c.api.list(c.api.resource('pods'), 'default', { labelSelector: `batch.kubernetes.io/controller-uid=${j.metadata.uid}` })).items;
}

test('ttlSecondsAfterFinished: the finished Job and its pods are deleted after the TTL', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    await c.api.create(jobs, 'default', job('short', 'echo bye', { ttlSecondsAfterFinished: 60 }));
    await c.advanceClock(10_000);
    const j = await c.api.get(jobs, 'default', 'short');
    const finishedAt = Date.parse(j.status.completionTime);
    assert.equal((await podsOf(c, j)).length, 1);
    await c.advanceClock(finishedAt + 59_000 - c.clock.now());
    assert.ok(await c.api.tryGet(jobs, 'default', 'short'), 'still there before the TTL');
    await c.advanceClock(5_000);
    assert.equal(await c.api.tryGet(jobs, 'default', 'short'), undefined);
    await c.advanceClock(5_000);
    assert.deepEqual(await podsOf(c, j), []);
  } finally {
    await c.stop();
  }
});

test('a failed Job expires too; a Job without a TTL stays, and raising the TTL in time keeps it longer', async () => {
  const c = await cluster();
  try {
    const jobs = c.api.resource('jobs.batch');
    await c.api.create(jobs, 'default', job('failed', 'exit 1', { backoffLimit: 0, ttlSecondsAfterFinished: 0 }));
    await c.api.create(jobs, 'default', job('kept', 'echo kept'));
    await c.api.create(jobs, 'default', job('longer', 'echo longer', { ttlSecondsAfterFinished: 30 }));
    await c.advanceClock(10_000);
    assert.equal(await c.api.tryGet(jobs, 'default', 'failed'), undefined, 'TTL 0: deleted once failed');
    await c.api.patch(jobs, 'default', 'longer', 'merge', { spec: { ttlSecondsAfterFinished: 3600 } });
    await c.advanceClock(5 * 60_000);
    assert.ok(await c.api.tryGet(jobs, 'default', 'longer'));
    assert.ok(await c.api.tryGet(jobs, 'default', 'kept'));
    await c.advanceClock(3600_000);
    assert.equal(await c.api.tryGet(jobs, 'default', 'longer'), undefined);
    assert.ok(await c.api.tryGet(jobs, 'default', 'kept'));
  } finally {
    await c.stop();
  }
});
