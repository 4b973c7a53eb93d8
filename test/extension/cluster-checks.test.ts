// The cluster's side of the editor's checks, against a real emulated cluster through client-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { ClusterCache, dryRun } from '../../src/extension/cluster-checks.ts';
import { parseManifests } from '../../src/extension/manifests.ts';

let cluster: Cluster;
let client: ClusterClient;

before(async () => {
  cluster = await createCluster({ nodes: 1, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  const create = (path: string, body: unknown) => client.send('POST', path, { body });
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await create('/api/v1/namespaces/shop/resourcequotas', {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'compute', namespace: 'shop' },
    spec: { hard: { 'limits.cpu': '2', 'limits.memory': '1Gi', 'requests.cpu': '1', 'requests.memory': '1Gi' } },
  });
  await create('/api/v1/namespaces/shop/limitranges', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'bounds', namespace: 'shop' },
    spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } }] },
  });
  await create('/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'shop' } });
  await create('/api/v1/namespaces/shop/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'running', namespace: 'shop', labels: { app: 'web', tier: 'front' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
});
after(async () => {
  await cluster?.stop();
});

const pod = (name: string, cpu: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
spec:
  containers:
  - name: c
    image: nginx
    resources:
      limits:
        cpu: "${cpu}"
`;

test('dryRun: admission refusals in the apiserver words, on the document; nothing is stored', async () => {
  const text = [pod('fits', '500m'), pod('too-big', '4'), pod('over-quota', '1'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n'].join('---\n');
  const parsed = parseManifests(text);
  const problems = await dryRun(client, parsed.manifests.map((m) => ({ object: m.object, range: m.index })));
  assert.deepEqual(problems, [
    { range: 1, reason: 'Forbidden', message: 'pods "too-big" is forbidden: maximum cpu usage per Container is 1, but limit is 4' },
    {
      range: 2,
      reason: 'Forbidden',
      // 100m used by the running pod (LimitRange's default request), 1 more (requests default to limits).
      message: 'pods "over-quota" is forbidden: exceeded quota: compute, requested: requests.cpu=1, used: requests.cpu=100m, limited: requests.cpu=1',
    },
  ]);
  await assert.rejects(client.send('GET', '/api/v1/namespaces/shop/pods/fits'), (e: { code?: number }) => e.code === 404);
});

test('dryRun: an existing object is not changed (update path), and an immutable field is refused', async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'shop' }, data: { mode: 'dry' } };
  assert.deepEqual(await dryRun(client, [{ object: cm, range: 0 }]), []);
  const live = await client.send('GET', '/api/v1/namespaces/shop/configmaps/app-config');
  assert.equal(live.data, undefined);
  assert.deepEqual((live.metadata.managedFields ?? []).map((f: { manager: string }) => f.manager).includes('kube-emulator-check'), false);
  const moved = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'running', namespace: 'shop', labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }], nodeName: 'elsewhere' } };
  const [p] = await dryRun(client, [{ object: moved, range: 7 }]);
  assert.equal(p?.range, 7);
  assert.equal(p?.reason, 'Invalid');
  assert.match(p!.message, /^Pod "running" is invalid: spec: Forbidden: pod updates may not change fields other than/);
});

test('dryRun: a missing namespace is left to the workspace check; an abort stops between documents', async () => {
  const obj = parseManifests(pod('x', '1').replace('namespace: shop', 'namespace: nowhere')).manifests[0].object;
  assert.deepEqual(await dryRun(client, [{ object: obj, range: 0 }]), []);
  const signal = { aborted: true };
  assert.deepEqual(await dryRun(client, [{ object: parseManifests(pod('y', '4')).manifests[0].object, range: 0 }], signal), []);
});

test('ClusterCache: answers from lists, refreshes when invalidated, at most once per interval', async () => {
  let now = 0;
  let lists = 0;
  const counting = { send: (m: 'GET', p: string, o?: any) => (lists++, client.send(m, p, o)) };
  const cache = new ClusterCache(counting, { now: () => now, ttlMs: 10_000, minIntervalMs: 1_000 });
  let refreshed = 0;
  cache.onRefresh(() => refreshed++);
  assert.equal(cache.has('ConfigMap', 'shop', 'app-config'), undefined); // not listed yet: unknown
  await cache.refresh();
  assert.equal(refreshed, 1); // the check started a refresh; refresh() joined it
  assert.equal(lists, 6);
  assert.equal(cache.has('ConfigMap', 'shop', 'app-config'), true);
  assert.equal(cache.has('ConfigMap', 'default', 'app-config'), false);
  assert.equal(cache.has('Namespace', '', 'shop'), true);
  assert.equal(cache.has('ServiceAccount', 'shop', 'default'), true);
  assert.equal(cache.hasPods('shop', { app: 'web' }), true);
  assert.equal(cache.hasPods('shop', { app: 'web', tier: 'back' }), false);
  const before = lists;
  cache.invalidate();
  cache.has('Secret', 'shop', 'x'); // within the interval: no new list
  assert.equal(lists, before);
  now = 1_500;
  await client.send('POST', '/api/v1/namespaces/shop/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' } } });
  assert.equal(cache.has('Secret', 'shop', 'db'), false); // answers at once from the old lists...
  await new Promise<void>((resolve) => cache.onRefresh(resolve)); // ...and refreshes in the background
  assert.equal(cache.has('Secret', 'shop', 'db'), true);
  assert.equal(lists, before + 6);
  cache.dispose();
});
