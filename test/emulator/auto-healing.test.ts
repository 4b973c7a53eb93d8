// The course's auto-healing, on Kubernetes' timeline: a worker stops (no heartbeats, its kubelet
// frozen); after the 50 s grace period the node lifecycle controller marks it Unknown and taints it
// unreachable; after the pods' 300 s default tolerations the taint eviction controller deletes
// them; the ReplicaSet no longer counts the Terminating pods and creates replacements, which the
// scheduler puts on the remaining nodes. Six minutes after the stop the Deployment is whole again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster } from '../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../src/emulator/clock.ts';
import type { Obj } from '../../src/emulator/api/objects.ts';

const STOPPED = 'kube-emulator-m02';

test('a stopped worker: about 6 minutes later every replica of a Deployment runs again on the remaining nodes', async () => {
  const c = await createCluster({ nodes: 3, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    const pods = c.api.resource('pods');
    await c.api.create(c.api.resource('deployments.apps'), 'default', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      },
    });
    await c.advanceClock(30_000);
    const before = (await c.api.list(pods, 'default', { labelSelector: 'app=web' })).items;
    assert.equal(before.filter((p) => p.status?.phase === 'Running').length, 6);
    const onStopped = before.filter((p) => p.spec.nodeName === STOPPED).map((p) => p.metadata.name);
    assert.ok(onStopped.length > 0, 'the scheduler spread some replicas onto the worker that stops');

    c.stopNode(STOPPED);
    // Kubernetes' timeline: Unknown one pass (5 s) after the 50 s grace period, the NoExecute taint
    // at the next pass, the evictions 300 s later: about 6 minutes, a few seconds more here.
    await c.advanceClock(6 * 60_000 + 10_000);

    const after = (await c.api.list(pods, 'default', { labelSelector: 'app=web' })).items;
    const live = after.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(live.length, 6);
    for (const p of live) {
      assert.equal(p.status.phase, 'Running', `${p.metadata.name} on ${p.spec.nodeName}`);
      assert.notEqual(p.spec.nodeName, STOPPED);
      assert.equal(p.status.conditions.find((x: Obj) => x.type === 'Ready').status, 'True');
    }
    // The evicted pods stay Terminating on the dead node (its kubelet cannot confirm), marked by the taint manager.
    const evicted = after.filter((p) => p.metadata.deletionTimestamp);
    assert.deepEqual(evicted.map((p) => p.metadata.name).sort(), [...onStopped].sort());
    for (const p of evicted) assert.equal(p.status.conditions.find((x: Obj) => x.type === 'DisruptionTarget').reason, 'DeletionByTaintManager');
    const d = await c.api.get(c.api.resource('deployments.apps'), 'default', 'web');
    assert.equal(d.status.availableReplicas, 6);
    assert.equal(d.status.readyReplicas, 6);
  } finally {
    await c.stop();
  }
});
