// The live cluster model behind the explorer and panels (live.ts): lists every kind, follows the
// watches, keeps the owner and node indexes right through updates and deletes, and marks a kind the
// server does not serve as unavailable while the others keep working; against an emulated cluster.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { LiveCluster, liveKindOf, refOf, refTo, type LiveChange } from '../../src/extension/live.ts';
import { until } from './helpers.ts';

let cluster: Cluster;
let kc: KubeConfig;
let client: ClusterClient;
let live: LiveCluster;

before(async () => {
  cluster = await createCluster({ nodes: 2, port: 0, timeScale: 1 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  live = new LiveCluster(kc, client);
  await live.start();
});
after(async () => {
  await live?.dispose();
  await cluster?.stop();
});


test('lists every kind at start: nodes, namespaces, and the kube-system objects', async () => {
  const nodes = (await client.send('GET', '/api/v1/nodes')) as { items: { metadata: { name: string } }[] };
  assert.equal(nodes.items.length, 2);
  assert.deepEqual(
    live.list('nodes').map((n) => n.metadata?.name).sort(),
    nodes.items.map((n) => n.metadata.name).sort(),
  );
  assert.ok(live.get('namespaces', undefined, 'default'));
  assert.equal(live.kindState('deployments').state, 'ready');
  assert.equal(live.kindState('pods').state, 'ready');
});

test('a Deployment, its ReplicaSet and pods arrive through the watches with owner and node indexes', async () => {
  const changes: LiveChange[] = [];
  const sub = live.onDidChange((c) => changes.push(...c));
  await client.send('POST', '/apis/apps/v1/namespaces/default/deployments', {
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
      },
    },
  });
  const d = await until('the deployment', () => live.get('deployments', 'default', 'web'));
  const rs = await until('its replicaset', () => live.ownedBy(d.metadata!.uid!).find((o) => o.kind === 'replicasets'));
  const pods = await until('two scheduled pods', () => {
    const p = live.ownedBy(rs.obj.metadata!.uid!).filter((o) => o.kind === 'pods' && o.obj.spec?.nodeName);
    return p.length === 2 && p;
  });
  for (const p of pods) assert.ok(live.podsOn(p.obj.spec.nodeName).some((q) => q.metadata?.uid === p.obj.metadata?.uid));
  assert.equal(live.list('pods', 'default').filter((p) => p.metadata?.labels?.app === 'web').length, 2);
  assert.ok(changes.some((c) => c.kind === 'deployments' && c.type === 'add'));
  assert.ok(changes.some((c) => c.kind === 'pods' && c.type === 'update'));
  const ref = refTo('deployments', d);
  assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web', uid: d.metadata!.uid });
  assert.equal(live.resolve(ref), d);
  assert.deepEqual(refOf({ ref }), ref);
  assert.equal(refOf({ name: 'x' }), undefined);
  assert.equal(liveKindOf('apps/v1', 'ReplicaSet'), 'replicasets');
  assert.equal(liveKindOf('v1', 'ReplicaSet'), undefined);

  // A pod deleted leaves every index.
  const victim = pods[0].obj;
  await client.send('DELETE', `/api/v1/namespaces/default/pods/${victim.metadata!.name}`, { query: { gracePeriodSeconds: '0' } });
  await until('the pod gone', () => !live.get('pods', 'default', victim.metadata!.name!));
  assert.ok(!live.podsOn(victim.spec.nodeName).some((q) => q.metadata?.uid === victim.metadata?.uid));
  assert.ok(!live.ownedBy(rs.obj.metadata!.uid!).some((o) => o.obj.metadata?.uid === victim.metadata?.uid));
  sub.dispose();
});

test('a kind the server does not serve is unavailable; the others keep working', async () => {
  const other = new LiveCluster(kc, {
    send: (method, path, opts) =>
      path.startsWith('/apis/batch/') ? Promise.reject(Object.assign(new Error('HTTP-Code: 404 Message: not found'), { code: 404 })) : client.send(method, path, opts),
  }, { kinds: ['nodes', 'jobs'] });
  try {
    await other.start();
    assert.equal(other.kindState('jobs').state, 'unavailable');
    assert.match((other.kindState('jobs') as { reason: string }).reason, /not served/);
    assert.equal(other.kindState('nodes').state, 'ready');
    assert.equal(other.list('nodes').length, 2);
    assert.deepEqual(other.list('jobs'), []);
  } finally {
    await other.dispose();
  }
});
