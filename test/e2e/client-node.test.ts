// The real @kubernetes/client-node against the emulator: list, create, watch, errors.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';

let cluster: Cluster;
let kc: k8s.KubeConfig;

before(async () => {
  cluster = await createCluster({ nodes: 3, timeScale: 20 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
});

after(async () => {
  await cluster.stop();
});

test('client-node lists the three nodes and the default namespaces', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nodes = await core.listNode();
  assert.deepEqual(nodes.items.map((n) => n.metadata?.name), ['kube-emulator', 'kube-emulator-m02', 'kube-emulator-m03']);
  const ns = await core.listNamespace();
  assert.ok(ns.items.some((n) => n.metadata?.name === 'kube-system'));
});

test('client-node watch sees a created pod go from ADDED to Running', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const watch = new k8s.Watch(kc);
  const seen: { type: string; phase?: string }[] = [];
  let resolveRunning: () => void;
  const running = new Promise<void>((r) => (resolveRunning = r));
  const ctl = await watch.watch('/api/v1/namespaces/default/pods', { allowWatchBookmarks: true }, (type, obj: k8s.V1Pod) => {
    seen.push({ type, phase: obj.status?.phase });
    if (obj.status?.phase === 'Running') resolveRunning();
  }, () => {});
  try {
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'watched' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
    });
    assert.ok(created.metadata?.uid);
    assert.equal(created.status?.phase, 'Pending');
    await Promise.race([running, new Promise((_, rej) => setTimeout(() => rej(new Error(`not Running: ${JSON.stringify(seen)}`)), 15_000))]);
    assert.equal(seen[0].type, 'ADDED');
    assert.ok(seen.some((e) => e.type === 'MODIFIED' && e.phase === 'Running'));
  } finally {
    ctl.abort();
  }
});

test('client-node informer keeps a live cache through list and watch', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace());
  const added = new Promise<string>((resolve) => informer.on('add', (o: k8s.V1Namespace) => o.metadata?.name === 'team-a' && resolve(o.metadata.name)));
  await informer.start();
  try {
    await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    assert.equal(await added, 'team-a');
    assert.ok(informer.list().some((n) => n.metadata?.name === 'team-a'));
  } finally {
    await informer.stop();
  }
});

test('client-node errors carry the Status: 404 NotFound and 409 AlreadyExists', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await assert.rejects(core.readNamespacedPod({ namespace: 'default', name: 'nope' }), (e: any) => {
    assert.equal(e.code, 404);
    assert.equal(JSON.parse(e.body).message, 'pods "nope" not found');
    return true;
  });
  await assert.rejects(core.createNamespace({ body: { metadata: { name: 'default' } } }), (e: any) => {
    assert.equal(e.code, 409);
    assert.equal(JSON.parse(e.body).reason, 'AlreadyExists');
    return true;
  });
});

test('KubernetesObjectApi (generic apply path) reads discovery and creates, patches and reads back', async () => {
  const objs = k8s.KubernetesObjectApi.makeApiClient(kc);
  const created = await objs.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'generic', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } as k8s.KubernetesObject);
  assert.equal(created.metadata?.name, 'generic');
  const patched = await objs.patch({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'generic', namespace: 'default', labels: { tier: 'x' } } } as k8s.KubernetesObject);
  assert.equal(patched.metadata?.labels?.tier, 'x');
  const read = await objs.read({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'generic', namespace: 'default' } });
  assert.equal((read as k8s.V1Pod).spec?.containers[0].image, 'nginx:1.27');
});
