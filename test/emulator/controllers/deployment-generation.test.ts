// An annotations change on a Deployment (kubectl annotate) bumps its generation
// (pkg/registry/apps/deployment/strategy.go), and the Deployment controller answers it as Kubernetes'
// does: the annotation is copied to the current ReplicaSet (copyDeploymentAnnotationsToReplicaSet,
// without a new ReplicaSet or any pod change) and status.observedGeneration catches up, so
// `kubectl rollout status` sees the rollout complete again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createCluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

test('kubectl annotate on a Deployment: generation 2, the annotation on its ReplicaSet, observedGeneration 2, no new pods', async () => {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    const dDef = c.api.resource('deployments.apps');
    const rsDef = c.api.resource('replicasets.apps');
    const pods = c.api.resource('pods');
    await c.api.create(dDef, 'default', {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    });
    const settled = async (generation: number): Promise<Obj> => {
      for (let i = 0; i < 60; i++) {
        for (let j = 0; j < 5; j++) await tick();
        const d = await c.api.get(dDef, 'default', 'web');
        if (d.metadata.generation === generation && d.status?.observedGeneration === generation && d.status?.availableReplicas === 2) return d;
        await c.advanceClock(1000);
      }
      assert.fail(`never observed generation ${generation}`);
    };
    await settled(1);
    const podsBefore = (await c.api.list(pods, 'default')).items.map((p) => p.metadata.name).sort();

    const annotated = await c.api.patch(dDef, 'default', 'web', 'merge', { metadata: { annotations: { 'example.com/team': 'a' } } });
    assert.equal(annotated.metadata.generation, 2);
    const d = await settled(2);
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');

    const { items: rss } = await c.api.list(rsDef, 'default');
    assert.equal(rss.length, 1, 'no new ReplicaSet');
    assert.equal(rss[0]!.metadata.annotations['example.com/team'], 'a');
    assert.equal(rss[0]!.metadata.annotations['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual((await c.api.list(pods, 'default')).items.map((p) => p.metadata.name).sort(), podsBefore, 'the pods stay');
  } finally {
    await c.stop();
  }
});
