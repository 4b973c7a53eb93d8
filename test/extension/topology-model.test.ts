// The topology graph (topology-model.ts) against an emulated cluster through the live model: the
// edges of a Deployment with a Service and its configuration, grouping by namespace and by node, the
// namespace / label / kind filters, a rollout as a diff, and pod and node states as kubectl words them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { LiveCluster, refTo } from '../../src/extension/live.ts';
import { applyDiff, buildTopology, diffTopology, isEmptyDiff, nodeState, podReferences, podState, summary } from '../../src/extension/topology-model.ts';
import * as l10n from '../../src/extension/l10n.ts';
import type { TopoGraph, TopoView } from '../../src/webview/topology/protocol.ts';
import { until } from './helpers.ts';

let cluster: Cluster;
let client: ClusterClient;
let live: LiveCluster;

const byNs: TopoView = { groupBy: 'namespace', filter: {} };


const post = (path: string, body: unknown) => client.send('POST', path, { body });

function deployment(name: string, ns: string, replicas: number, image = 'nginx:1.27', extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, ...extra }] } },
    },
  };
}

const names = (g: TopoGraph, kind: string) =>
  g.nodes
    .filter((n) => n.kind === kind)
    .map((n) => n.name)
    .sort();
const edgeBetween = (g: TopoGraph, from: string, to: string) => {
  const ids = (name: string) => new Set(g.nodes.filter((n) => `${n.kind}/${n.name}` === name || n.name === name).map((n) => n.id));
  const a = ids(from);
  const b = ids(to);
  return g.edges.find((e) => a.has(e.source) && b.has(e.target));
};
const runningPods = (g: TopoGraph, prefix: string) => g.nodes.filter((n) => n.kind === 'Pod' && n.name.startsWith(prefix) && n.state === 'running');

before(async () => {
  cluster = await createCluster({ nodes: 2, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  live = new LiveCluster(kc, client);
  await live.start();

  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { a: '1' } });
  await post('/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-secret' }, stringData: { token: 'x' } });
  await post('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unused' }, data: {} });
  const web = deployment('web', 'default', 2, 'nginx:1.27', {
    env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'token' } } }],
    volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
  });
  (web.spec.template.spec as any).volumes = [{ name: 'cfg', configMap: { name: 'web-config' } }];
  await post('/apis/apps/v1/namespaces/default/deployments', web);
  await post('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });
  await post('/apis/apps/v1/namespaces/shop/deployments', deployment('cart', 'shop', 1));
  await until('web and cart running', () => {
    const g = buildTopology(live, byNs).graph;
    return runningPods(g, 'web-').length === 2 && runningPods(g, 'cart-').length === 1;
  });
});
after(async () => {
  await live?.dispose();
  await cluster?.stop();
});

test('a Deployment, its ReplicaSet, pods, nodes, Service and the configuration its pods use', () => {
  const { graph: g, namespaces } = buildTopology(live, byNs);
  assert.ok(namespaces.includes('shop') && namespaces.includes('default'));
  assert.deepEqual(names(g, 'Deployment'), ['cart', 'web']);
  assert.equal(names(g, 'Node').length, 2);
  const rs = g.nodes.find((n) => n.kind === 'ReplicaSet' && n.name.startsWith('web-'))!;
  assert.ok(rs, 'the ReplicaSet of web');
  assert.equal(edgeBetween(g, 'Deployment/web', rs.name)?.kind, 'owns');
  const pods = g.nodes.filter((n) => n.kind === 'Pod' && n.name.startsWith('web-'));
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.equal(edgeBetween(g, rs.name, p.name)?.kind, 'owns');
    assert.equal(edgeBetween(g, 'Service/web', p.name)?.kind, 'selects');
    assert.equal(edgeBetween(g, p.name, 'ConfigMap/web-config')?.kind, 'uses');
    assert.equal(edgeBetween(g, p.name, 'Secret/web-secret')?.kind, 'uses');
    const onNode = g.edges.find((e) => e.source === p.id && e.kind === 'runs-on');
    assert.ok(onNode, `${p.name} runs on a node`);
    assert.equal(g.nodes.find((n) => n.id === onNode.target)?.kind, 'Node');
    assert.deepEqual(p.ref, { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: p.name, uid: p.ref.uid });
    assert.equal(p.detail, 'Running');
    assert.equal(p.group, 'ns:default');
  }
  // Refs (what a click hands kubeEmulator.showDetails) are live.ts's refs of the same objects.
  assert.deepEqual(g.nodes.find((n) => n.kind === 'Deployment' && n.name === 'web')!.ref, refTo('deployments', live.get('deployments', 'default', 'web')!));
  const aNode = live.list('nodes')[0];
  assert.deepEqual(g.nodes.find((n) => n.kind === 'Node' && n.name === aNode.metadata!.name)!.ref, refTo('nodes', aNode));
  assert.deepEqual(g.nodes.find((n) => n.kind === 'Secret')!.ref, refTo('secrets', live.get('secrets', 'default', 'web-secret')!));
  // Unreferenced configuration is not drawn; the cart pods do not select web's Service.
  assert.ok(!names(g, 'ConfigMap').includes('unused'));
  const cart = g.nodes.find((n) => n.kind === 'Pod' && n.name.startsWith('cart-'))!;
  assert.equal(edgeBetween(g, 'Service/web', cart.name), undefined);
  assert.equal(cart.group, 'ns:shop');
  assert.ok(g.nodes.filter((n) => n.kind === 'Node').every((n) => n.group === 'cluster' && n.state === 'ready'));
  assert.deepEqual(
    g.groups.map((x) => x.id),
    [...new Set(g.nodes.map((n) => n.group))].sort((a, b) => (a === 'cluster' ? 1 : b === 'cluster' ? -1 : a < b ? -1 : 1)),
  );
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.ok(g.edges.every((e) => ids.has(e.source) && ids.has(e.target)), 'every edge joins two drawn vertices');
});

test('grouped by node: each node box holds the node and its pods; the rest stays by namespace', () => {
  const g = buildTopology(live, { groupBy: 'node', filter: {} }).graph;
  for (const p of g.nodes.filter((n) => n.kind === 'Pod')) {
    const node = g.nodes.find((n) => n.id === g.edges.find((e) => e.source === p.id && e.kind === 'runs-on')!.target)!;
    assert.equal(p.group, `node:${node.name}`);
    assert.equal(node.group, `node:${node.name}`);
  }
  assert.equal(g.nodes.find((n) => n.kind === 'Deployment' && n.name === 'web')!.group, 'ns:default');
  assert.ok(g.groups.some((x) => x.kind === 'node') && g.groups.some((x) => x.kind === 'namespace'));
});

test('filters: namespace (with the nodes its pods run on), label selector (and what it connects), kinds, a bad selector', () => {
  const shop = buildTopology(live, { groupBy: 'namespace', filter: { namespace: 'shop' } }).graph;
  assert.deepEqual(names(shop, 'Deployment'), ['cart']);
  assert.ok(shop.nodes.every((n) => n.namespace === 'shop' || n.kind === 'Node'));
  assert.equal(names(shop, 'Node').length, 1, 'only the node that runs cart');

  const web = buildTopology(live, { groupBy: 'namespace', filter: { selector: 'app=web' } }).graph;
  assert.deepEqual(names(web, 'Deployment'), ['web']);
  assert.deepEqual(names(web, 'Service'), ['web']);
  assert.deepEqual(names(web, 'ConfigMap'), ['web-config']);
  assert.deepEqual(names(web, 'Secret'), ['web-secret']);
  assert.equal(web.nodes.filter((n) => n.kind === 'Pod').length, 2);
  assert.equal(names(web, 'ReplicaSet').length, 1, 'the ReplicaSet between (its labels carry app=web too)');
  assert.ok(names(web, 'Node').length >= 1);
  assert.ok(!web.nodes.some((n) => n.name.startsWith('cart')));

  const notWeb = buildTopology(live, { groupBy: 'namespace', filter: { selector: 'app in (cart)' } }).graph;
  assert.deepEqual(names(notWeb, 'Deployment'), ['cart']);

  const podsOnly = buildTopology(live, { groupBy: 'namespace', filter: { kinds: ['Pod', 'Service'] } }).graph;
  assert.deepEqual([...new Set(podsOnly.nodes.map((n) => n.kind))].sort(), ['Pod', 'Service']);
  assert.ok(podsOnly.edges.every((e) => e.kind === 'selects'));

  const bad = buildTopology(live, { groupBy: 'namespace', filter: { selector: 'app in web' } });
  assert.match(bad.filterError ?? '', /unable to parse requirement|expected/);
  assert.equal(bad.graph.nodes.length, buildTopology(live, byNs).graph.nodes.length, 'a bad selector filters nothing');
});

test('a rollout is a diff: new pods and ReplicaSet added, old pods removed; applying the diff gives the new graph', async () => {
  const start = buildTopology(live, byNs).graph;
  const oldPods = start.nodes.filter((n) => n.kind === 'Pod' && n.name.startsWith('web-')).map((n) => n.id);
  await client.send('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
    body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } } },
    contentType: 'application/strategic-merge-patch+json',
  });
  const end = await until('the rollout to finish', () => {
    const g = buildTopology(live, byNs).graph;
    const web = g.nodes.filter((n) => n.kind === 'Pod' && n.name.startsWith('web-'));
    return web.length === 2 && web.every((p) => p.state === 'running' && !oldPods.includes(p.id)) && g;
  }, 30_000);
  const d = diffTopology(start, end);
  assert.ok(!isEmptyDiff(d));
  assert.deepEqual(d.removeNodes.filter((id) => oldPods.includes(id)).sort(), [...oldPods].sort());
  assert.equal(d.addNodes.filter((n) => n.kind === 'Pod').length, 2);
  assert.ok(d.addNodes.some((n) => n.kind === 'ReplicaSet'), 'the new ReplicaSet');
  assert.ok(!end.nodes.some((n) => n.kind === 'ReplicaSet' && start.nodes.some((s) => s.id === n.id) && n.name.startsWith('web-')), 'the old ReplicaSet (scaled to 0) is gone');
  assert.ok(d.addEdges.some((e) => e.kind === 'selects'));
  const applied = applyDiff(start, d);
  const norm = (g: TopoGraph) => ({
    nodes: g.nodes.map((n) => JSON.stringify(n)).sort(),
    edges: g.edges.map((e) => JSON.stringify(e)).sort(),
    groups: g.groups,
  });
  assert.deepEqual(norm(applied), norm(end));
  assert.ok(isEmptyDiff(diffTopology(end, end)));
});

test('a Service without a selector links the pods its Endpoints name', async () => {
  const cart = buildTopology(live, byNs).graph.nodes.find((n) => n.kind === 'Pod' && n.name.startsWith('cart-'))!;
  await post('/api/v1/namespaces/shop/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } });
  await post('/api/v1/namespaces/shop/endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'manual' },
    subsets: [{ addresses: [{ ip: '10.0.0.9', targetRef: { kind: 'Pod', namespace: 'shop', name: cart.name, uid: cart.ref.uid } }], ports: [{ port: 80 }] }],
  });
  const g = await until('the endpoints edge', () => {
    const g = buildTopology(live, byNs).graph;
    return edgeBetween(g, 'Service/manual', cart.name) && g;
  });
  assert.equal(edgeBetween(g, 'Service/manual', cart.name)?.kind, 'selects');
});

test('pod and node states in kubectl words; the configuration a pod spec names', () => {
  assert.deepEqual(podState({ status: { phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] } }), { state: 'running', detail: 'Running' });
  assert.deepEqual(podState({ status: { phase: 'Running', containerStatuses: [{ ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } }), {
    state: 'failed',
    detail: 'CrashLoopBackOff',
  });
  assert.equal(podState({ metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } }).detail, 'Terminating');
  assert.deepEqual(
    podState({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }] } }),
    { state: 'pending', detail: 'Pending: 0/3 nodes are available: 3 Insufficient cpu.' },
  );
  assert.deepEqual(podState({ status: { phase: 'Running', containerStatuses: [{ ready: false }, { ready: true }] } }), { state: 'starting', detail: 'Running, 1/2 ready' });
  assert.deepEqual(nodeState({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] }, spec: { unschedulable: true } }), {
    state: 'unknown',
    detail: 'NotReady,SchedulingDisabled',
  });
  assert.deepEqual(
    podReferences({
      spec: {
        volumes: [{ name: 'a', projected: { sources: [{ configMap: { name: 'p' } }, { secret: { name: 's' } }] } }, { name: 'b', persistentVolumeClaim: { claimName: 'data' } }],
        initContainers: [{ envFrom: [{ configMapRef: { name: 'env' } }] }],
        containers: [{ env: [{ valueFrom: { configMapKeyRef: { name: 'p' } } }] }],
      },
    }),
    [
      { kind: 'ConfigMap', name: 'p' },
      { kind: 'Secret', name: 's' },
      { kind: 'PersistentVolumeClaim', name: 'data' },
      { kind: 'ConfigMap', name: 'env' },
    ],
  );
});

test('in Korean: the topology\'s own words (ready, keys, group titles, the status line) are translated; kinds and status values are not', () => {
  const ko = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;
  const starting = { status: { phase: 'Running', containerStatuses: [{ ready: false }, { ready: true }] } };
  l10n.setBundle(ko);
  try {
    assert.equal(podState(starting).detail, `Running, ${ko['{0}/{1} ready'].replace('{0}', '1').replace('{1}', '2')}`);
    const g = buildTopology(live, byNs).graph;
    const config = g.nodes.find((n) => n.kind === 'ConfigMap' && n.name === 'web-config');
    assert.equal(config?.detail, ko['1 key']);
    assert.ok(g.groups.some((gr) => gr.label === ko['Namespace {0}'].replace('{0}', 'default')), JSON.stringify(g.groups));
    assert.ok(g.nodes.filter((n) => n.kind === 'Node').every((n) => n.detail === 'Ready'));
    assert.match(summary(g), /^파드 \d+개, 노드 \d+개, 오브젝트 \d+개, 연결 \d+개$/);
  } finally {
    l10n.setBundle(undefined);
  }
  assert.equal(buildTopology(live, byNs).graph.nodes.find((n) => n.kind === 'ConfigMap' && n.name === 'web-config')?.detail, '1 key');
});
