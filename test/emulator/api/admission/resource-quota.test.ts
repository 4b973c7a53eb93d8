// ResourceQuota: admission charges status.used, denies over hard with Kubernetes' messages; the
// quota controller fills status.hard/used and gives usage back when objects go.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster } from '../../../../src/emulator/cluster.ts';
import type { Obj } from '../../../../src/emulator/api/objects.ts';
import { cluster, eventually, pod, rejects } from './helpers.ts';

async function quota(c: Cluster, name: string, spec: Obj): Promise<Obj> {
  const def = c.api.resource('resourcequotas');
  await c.api.create(def, 'default', { metadata: { name }, spec });
  return eventually(async () => {
    const q = await c.api.get(def, 'default', name);
    return q.status?.used ? q : undefined;
  }, `quota ${name} status`);
}

const used = async (c: Cluster, name: string) => (await c.api.get(c.api.resource('resourcequotas'), 'default', name)).status.used;

test('compute quota: usage in status, exceeded quota, failed quota, dry run charges nothing', async () => {
  const c = await cluster();
  try {
    const q = await quota(c, 'compute-quota', { hard: { 'requests.cpu': '2', 'limits.cpu': '4', 'requests.memory': '1Gi', pods: '10' } });
    assert.deepEqual(q.status.hard, { 'requests.cpu': '2', 'limits.cpu': '4', 'requests.memory': '1Gi', pods: '10' });
    assert.deepEqual(q.status.used, { 'requests.cpu': '0', 'limits.cpu': '0', 'requests.memory': '0', pods: '0' });
    const pods = c.api.resource('pods');
    const res = (cpu: string, mem = '128Mi') => ({ resources: { requests: { cpu, memory: mem }, limits: { cpu, memory: mem } } });
    await c.api.create(pods, 'default', pod('a', res('1500m')));
    assert.deepEqual(await used(c, 'compute-quota'), { 'requests.cpu': '1500m', 'limits.cpu': '1500m', 'requests.memory': '128Mi', pods: '1' });
    await rejects(
      c.api.create(pods, 'default', pod('x', res('1'))),
      403,
      'pods "x" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=1, used: requests.cpu=1500m, limited: requests.cpu=2',
    );
    await rejects(
      c.api.create(pods, 'default', pod('nolimits', { resources: { requests: { cpu: '100m', memory: '64Mi' } } })),
      403,
      'pods "nolimits" is forbidden: failed quota: compute-quota: must specify limits.cpu for: nginx',
    );
    await rejects(
      c.api.create(pods, 'default', pod('bare')),
      403,
      'pods "bare" is forbidden: failed quota: compute-quota: must specify limits.cpu for: nginx; requests.cpu for: nginx; requests.memory for: nginx',
    );
    // A dry run is checked but not charged.
    await c.api.create(pods, 'default', pod('dry', res('250m')), { dryRun: true });
    assert.equal((await used(c, 'compute-quota'))['requests.cpu'], '1500m');
    await c.api.create(pods, 'default', pod('b', res('500m', '256Mi')));
    assert.deepEqual(await used(c, 'compute-quota'), { 'requests.cpu': '2', 'limits.cpu': '2', 'requests.memory': '384Mi', pods: '2' });
    // Deleting a pod gives its usage back (quota controller).
    await c.api.delete(pods, 'default', 'a', { gracePeriodSeconds: 0 });
    await eventually(async () => (await used(c, 'compute-quota'))['requests.cpu'] === '500m', 'usage after delete');
    assert.deepEqual(await used(c, 'compute-quota'), { 'requests.cpu': '500m', 'limits.cpu': '500m', 'requests.memory': '256Mi', pods: '1' });
  } finally {
    await c.stop();
  }
});

test('object counts: pods, configmaps, secrets, services, node ports, load balancers, count/<resource>.<group>', async () => {
  const c = await cluster();
  try {
    await quota(c, 'counts', {
      hard: { configmaps: '2', secrets: '0', services: '3', 'services.nodeports': '1', 'services.loadbalancers': '0', 'count/deployments.apps': '0', 'count/pods': '1' },
    });
    // kube-root-ca.crt is already a ConfigMap in the namespace.
    assert.equal((await used(c, 'counts')).configmaps, '1');
    await c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'one' } });
    await rejects(
      c.api.create(c.api.resource('configmaps'), 'default', { metadata: { name: 'two' } }),
      403,
      'configmaps "two" is forbidden: exceeded quota: counts, requested: configmaps=1, used: configmaps=2, limited: configmaps=2',
    );
    await rejects(
      c.api.create(c.api.resource('secrets'), 'default', { metadata: { name: 's' } }),
      403,
      'secrets "s" is forbidden: exceeded quota: counts, requested: secrets=1, used: secrets=0, limited: secrets=0',
    );
    const svcs = c.api.resource('services');
    await rejects(
      c.api.create(svcs, 'default', { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } }),
      403,
      'services "np" is forbidden: exceeded quota: counts, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
    );
    await rejects(
      c.api.create(svcs, 'default', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }),
      403,
      'services "lb" is forbidden: exceeded quota: counts, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
    await rejects(
      c.api.create(c.api.resource('deployments.apps'), 'default', {
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      }),
      403,
      'deployments.apps "d" is forbidden: exceeded quota: counts, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
    );
    await c.api.create(c.api.resource('pods'), 'default', pod('p1'));
    await rejects(
      c.api.create(c.api.resource('pods'), 'default', pod('p2')),
      403,
      'pods "p2" is forbidden: exceeded quota: counts, requested: count/pods=1, used: count/pods=1, limited: count/pods=1',
    );
    // The `kubernetes` Service counts.
    assert.equal((await used(c, 'counts')).services, '1');
  } finally {
    await c.stop();
  }
});

test('storage quota and scopes (BestEffort, NotTerminating)', async () => {
  const c = await cluster();
  try {
    await quota(c, 'storage', { hard: { 'requests.storage': '5Gi', persistentvolumeclaims: '2' } });
    await quota(c, 'besteffort', { hard: { pods: '1' }, scopes: ['BestEffort'] });
    await quota(c, 'terminating', { hard: { pods: '0' }, scopes: ['Terminating'] });
    const pvcs = c.api.resource('persistentvolumeclaims');
    const pvc = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    await c.api.create(pvcs, 'default', pvc('a', '3Gi'));
    assert.deepEqual(await used(c, 'storage'), { 'requests.storage': '3Gi', persistentvolumeclaims: '1' });
    await rejects(
      c.api.create(pvcs, 'default', pvc('b', '3Gi')),
      403,
      'persistentvolumeclaims "b" is forbidden: exceeded quota: storage, requested: requests.storage=3Gi, used: requests.storage=3Gi, limited: requests.storage=5Gi',
    );
    const pods = c.api.resource('pods');
    await c.api.create(pods, 'default', pod('be1'));
    await rejects(c.api.create(pods, 'default', pod('be2')), 403, 'pods "be2" is forbidden: exceeded quota: besteffort, requested: pods=1, used: pods=1, limited: pods=1');
    // Not BestEffort: the besteffort quota does not apply.
    await c.api.create(pods, 'default', pod('burst', { resources: { requests: { cpu: '10m' } } }));
    assert.equal((await used(c, 'besteffort')).pods, '1');
    await rejects(
      c.api.create(pods, 'default', pod('job', { resources: { requests: { cpu: '10m' } } }, { activeDeadlineSeconds: 60 })),
      403,
      'pods "job" is forbidden: exceeded quota: terminating, requested: pods=1, used: pods=0, limited: pods=0',
    );
  } finally {
    await c.stop();
  }
});

test('the quota controller follows spec.hard changes', async () => {
  const c = await cluster();
  try {
    const def = c.api.resource('resourcequotas');
    await quota(c, 'q', { hard: { pods: '5' } });
    await c.api.create(c.api.resource('pods'), 'default', pod('a'));
    await c.api.patch(def, 'default', 'q', 'merge', { spec: { hard: { pods: '5', configmaps: '3' } } });
    const q = await eventually(async () => {
      const o = await c.api.get(def, 'default', 'q');
      return o.status.hard.configmaps ? o : undefined;
    }, 'status.hard updated');
    assert.deepEqual(q.status, { hard: { pods: '5', configmaps: '3' }, used: { pods: '1', configmaps: '1' } });
  } finally {
    await c.stop();
  }
});
