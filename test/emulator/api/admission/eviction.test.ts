// pods/eviction with PodDisruptionBudgets, and the disruption controller's PDB status.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evict } from '../../../../src/emulator/api/admission/eviction.ts';
import type { Obj } from '../../../../src/emulator/api/objects.ts';
import { cluster, eventually, pod, rejects } from './helpers.ts';

const eviction = (name: string, extra: Obj = {}) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'default' }, ...extra });

test('PDB status from the disruption controller; eviction allowed, then 429 with the budget cause', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    const pdbs = c.api.resource('poddisruptionbudgets.policy');
    for (const n of ['w1', 'w2', 'w3']) await c.api.create(pods, 'default', pod(n, {}, {}, { labels: { app: 'web' } }));
    await c.advanceClock(10_000);
    await c.api.create(pdbs, 'default', { metadata: { name: 'web-pdb' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    const pdb = await eventually(async () => {
      const o = await c.api.get(pdbs, 'default', 'web-pdb');
      return o.status.currentHealthy === 3 ? o : undefined;
    }, 'PDB status');
    assert.equal(pdb.status.desiredHealthy, 2);
    assert.equal(pdb.status.expectedPods, 3);
    assert.equal(pdb.status.disruptionsAllowed, 1);
    assert.equal(pdb.status.observedGeneration, 1);
    assert.deepEqual(
      pdb.status.conditions.map((x: Obj) => [x.type, x.status, x.reason, x.message, x.observedGeneration]),
      [['DisruptionAllowed', 'True', 'SufficientPods', '', 1]],
    );

    // A dry run changes nothing.
    await evict(c.api, 'default', 'w1', eviction('w1'), { dryRun: true });
    assert.equal((await c.api.get(pdbs, 'default', 'web-pdb')).status.disruptionsAllowed, 1);

    const ok = await evict(c.api, 'default', 'w1', eviction('w1', { deleteOptions: { gracePeriodSeconds: 0 } }));
    assert.deepEqual(ok, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    assert.equal(await c.api.tryGet(pods, 'default', 'w1'), undefined);
    const after = await c.api.get(pdbs, 'default', 'web-pdb');
    assert.equal(after.status.disruptionsAllowed, 0);

    const err = await rejects(evict(c.api, 'default', 'w2', eviction('w2')), 429, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.equal(err.reason, 'TooManyRequests');
    assert.deepEqual(err.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently' }]);
    assert.ok(await c.api.get(pods, 'default', 'w2'), 'w2 is still there');
    const st = await eventually(async () => {
      const o = await c.api.get(pdbs, 'default', 'web-pdb');
      return o.status.currentHealthy === 2 && !o.status.disruptedPods ? o : undefined;
    }, 'PDB after eviction');
    assert.deepEqual(
      st.status.conditions.map((x: Obj) => [x.type, x.status, x.reason]),
      [['DisruptionAllowed', 'False', 'InsufficientPods']],
    );
  } finally {
    await c.stop();
  }
});

test('eviction: name mismatch is 400, unknown pod 404, pending pods go without a budget check; maxUnavailable percent', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    const pdbs = c.api.resource('poddisruptionbudgets.policy');
    await rejects(evict(c.api, 'default', 'a', eviction('b')), 400, 'name in URL does not match name in Eviction object');
    await rejects(evict(c.api, 'default', 'nope', eviction('nope')), 404, 'pods "nope" not found');
    await c.api.create(pdbs, 'default', { metadata: { name: 'strict' }, spec: { maxUnavailable: '0%', selector: { matchLabels: { app: 'db' } } } });
    // Unscheduled, still Pending: deleted without looking at the budget.
    await c.api.create(pods, 'default', pod('pending', {}, { nodeSelector: { none: 'x' } }, { labels: { app: 'db' } }));
    await evict(c.api, 'default', 'pending', eviction('pending'));
    assert.equal(await c.api.tryGet(pods, 'default', 'pending'), undefined);
    await c.api.create(pods, 'default', pod('db', {}, {}, { labels: { app: 'db' } }));
    await c.advanceClock(10_000);
    const pdb = await eventually(async () => {
      const o = await c.api.get(pdbs, 'default', 'strict');
      return o.status.currentHealthy === 1 ? o : undefined;
    }, 'strict PDB');
    assert.deepEqual([pdb.status.expectedPods, pdb.status.desiredHealthy, pdb.status.disruptionsAllowed], [1, 1, 0]);
    await rejects(evict(c.api, 'default', 'db', eviction('db')), 429, "Cannot evict pod as it would violate the pod's disruption budget.");
  } finally {
    await c.stop();
  }
});
