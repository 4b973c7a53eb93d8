// The cluster's side of the editor's checks, against a real emulated cluster through client-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { ClusterCache, dryRun, TargetClusterView } from '../../src/extension/cluster-checks.ts';
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

/**
 * A cluster where the user "dev" may only discover: every list and write is RBAC's 403, in the
 * apiserver's words (responsewriters/errors.go forbiddenMessage wrapped by NewForbidden).
 */
async function forbiddingCluster(): Promise<{ client: ClusterClient; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    res.setHeader('Content-Type', 'application/json');
    if (url.pathname === '/api/v1') {
      res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'patch'] }] }));
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean); // api v1 [namespaces NS] RESOURCE [NAME]
    const ns = parts[2] === 'namespaces' && parts.length > 4 ? parts[3] : undefined;
    const rest = ns ? parts.slice(4) : parts.slice(2);
    const verb = req.method === 'PATCH' ? 'patch' : rest.length > 1 ? 'get' : 'list';
    const where = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
    const message = `${rest[0]}${rest[1] ? ` "${rest[1]}"` : ''} is forbidden: User "dev" cannot ${verb} resource "${rest[0]}" in API group "" ${where}`;
    res.statusCode = 403;
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { client: clientFor(`http://127.0.0.1:${port}`), requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function clientFor(server: string): ClusterClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'dev', token: 'x' }],
    contexts: [{ name: 'dev', cluster: 'c', user: 'dev', namespace: 'shop' }],
    currentContext: 'dev',
  });
  return ClusterClient.fromKubeConfig(kc);
}

/** A closed port: connection refused. */
async function unreachable(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

test('dryRun: RBAC refusing the write, or an unreachable cluster, flags nothing and says why once', async () => {
  const forbidding = await forbiddingCluster();
  try {
    const said: string[] = [];
    const docs = [pod('a', '4'), pod('b', '4')].map((t, i) => ({ object: parseManifests(t).manifests[0].object, range: i }));
    assert.deepEqual(await dryRun(forbidding.client, docs, undefined, (w, k) => said.push(`${k}: ${w}`)), []);
    assert.deepEqual(said, ['refused: pods "a" is forbidden: User "dev" cannot patch resource "pods" in API group "" in the namespace "shop"']);
    assert.deepEqual(forbidding.requests, ['GET /api/v1', 'PATCH /api/v1/namespaces/shop/pods/a']); // stops at the first refusal
    said.length = 0;
    const server = await unreachable();
    assert.deepEqual(await dryRun(clientFor(server), docs, undefined, (w, k) => said.push(`${k}: ${w}`)), []);
    assert.equal(said.length, 1);
    assert.match(said[0], /^unreachable: Failed to fetch resource metadata for v1\/Pod: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  } finally {
    await forbidding.close();
  }
});

test('TargetClusterView: the cache follows the target; a switch disposes the old cache and asks to check again', async () => {
  const forbidding = await forbiddingCluster();
  const down = clientFor(await unreachable());
  try {
    let key = 'emulated';
    let emulatedRunning = false;
    let lists = 0;
    const emulated = { send: (m: 'GET', p: string, o?: any) => (lists++, client.send(m, p, o)) };
    const clients: Record<string, Pick<ClusterClient, 'send'> | undefined> = { 'context dev': forbidding.client, 'context down': down };
    const listeners = new Set<() => void>();
    const source = {
      key: () => key,
      clientIfReady: () => (key === 'emulated' ? (emulatedRunning ? emulated : undefined) : clients[key]),
      emulated: () => key === 'emulated',
      onDidChange: (fn: () => void) => (listeners.add(fn), { dispose: () => listeners.delete(fn) }),
    };
    const switchTo = (k: string) => {
      key = k;
      for (const fn of listeners) fn();
    };
    const changes: string[] = [];
    const logs: string[] = [];
    let now = 0;
    const view = new TargetClusterView(source, (why) => changes.push(why), { now: () => now, ttlMs: 10_000, minIntervalMs: 1_000, retryMs: 60_000, log: (l) => logs.push(l) });

    // The emulated cluster is not running: nothing is started, nothing is known.
    assert.equal(view.client(), undefined);
    assert.equal(view.cache(), undefined);
    assert.equal(view.view(), undefined); // the workspace alone
    assert.equal(view.made, 0);

    emulatedRunning = true;
    const first = view.cache()!;
    assert.equal(view.cache(), first); // one cache per target and client
    await first.refresh();
    assert.equal(first.has('ConfigMap', 'shop', 'app-config'), true);
    assert.deepEqual(changes, ['lists']);

    switchTo('context dev');
    assert.deepEqual(changes, ['lists', 'target']);
    const second = view.cache()!;
    assert.notEqual(second, first);
    assert.equal(view.made, 2);
    // The old cache is disposed: invalidated and asked, it lists nothing more.
    const before = lists;
    now = 20_000;
    first.invalidate();
    first.has('Secret', 'shop', 'x');
    assert.equal(lists, before);

    // RBAC forbids every list: everything is unknown (nothing flagged), said in one line.
    await second.refresh();
    assert.equal(second.has('ConfigMap', 'shop', 'app-config'), undefined);
    assert.equal(second.has('Namespace', '', 'shop'), undefined);
    assert.equal(second.hasPods('shop', { app: 'web' }), undefined);
    assert.deepEqual(logs, [
      "Listing the cluster's objects for diagnostics failed (counted as unknown): " +
        ['namespaces', 'configmaps', 'secrets', 'persistentvolumeclaims', 'serviceaccounts', 'pods']
          .map((r) => `${r}: ${r} is forbidden: User "dev" cannot list resource "${r}" in API group "" at the cluster scope`)
          .join('; ') +
        ' (target context dev)',
    ]);
    // Every list failed: no new request before retryMs, however often it is asked; then one more round, no new line.
    const asked = forbidding.requests.length;
    now += 30_000;
    second.invalidate();
    second.has('ConfigMap', 'shop', 'app-config');
    assert.equal(forbidding.requests.length, asked);
    now += 40_000;
    second.has('ConfigMap', 'shop', 'app-config');
    await second.refresh();
    assert.equal(forbidding.requests.length, asked + 6);
    assert.equal(logs.length, 1);

    // Unreachable: unknown, one line.
    switchTo('context down');
    const third = view.cache()!;
    await third.refresh();
    assert.equal(third.has('ConfigMap', 'shop', 'app-config'), undefined);
    assert.equal(logs.length, 2);
    assert.match(logs[1], /^Listing the cluster's objects for diagnostics failed \(counted as unknown\): namespaces, configmaps, secrets, persistentvolumeclaims, serviceaccounts, pods: .*ECONNREFUSED.* \(target context down\)$/);

    // Back to the emulated cluster: a fresh cache, answering from its lists again.
    switchTo('emulated');
    const fourth = view.cache()!;
    assert.notEqual(fourth, first);
    await fourth.refresh();
    assert.equal(fourth.has('ConfigMap', 'shop', 'app-config'), true);
    assert.deepEqual(changes, ['lists', 'target', 'lists', 'lists', 'target', 'lists', 'target', 'lists']);
    // A dry-run's reasons: once per target and reason; quiet after no answer, for that target only.
    view.once('a line', 'reason');
    view.once('another line', 'reason');
    assert.deepEqual(logs.slice(2), ['a line (target emulated)']);
    view.quiet(60_000);
    assert.equal(view.isQuiet(), true);
    switchTo('context down');
    assert.equal(view.isQuiet(), false);
    switchTo('emulated');
    now += 60_000;
    assert.equal(view.isQuiet(), false);
    assert.equal(changes.length, 10);
    view.dispose();
    switchTo('context dev');
    assert.equal(changes.length, 10); // disposed: no longer follows
  } finally {
    await forbidding.close();
  }
});

test('TargetClusterView: a context picked without its client makes it once, then asks to check again', async () => {
  let ready: ClusterClient | undefined;
  let prepared = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const changes: string[] = [];
  const view = new TargetClusterView(
    {
      key: () => 'context dev',
      emulated: () => false,
      clientIfReady: () => ready,
      prepare: () => (prepared++, gate.then(() => void (ready = client))),
      onDidChange: () => ({ dispose() {} }),
    },
    (why) => changes.push(why),
  );
  assert.equal(view.cache(), undefined);
  // Until its client is made, the context's cluster is unknown: nothing is flagged.
  assert.equal(view.view()?.has('Namespace', '', 'nowhere'), undefined);
  assert.equal(view.view()?.hasPods('default', { app: 'x' }), undefined);
  assert.equal(view.client(), undefined);
  assert.equal(prepared, 1);
  release();
  await gate;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(changes, ['target']);
  assert.equal(view.client(), client);
  assert.ok(view.cache());
  view.dispose();
});
