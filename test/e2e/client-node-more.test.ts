// The real @kubernetes/client-node against the emulator, beyond client-node.test.ts: typed lists
// with selectors, a watch of a namespace, an informer that relists after a 410 (the store
// compacted under it), and server-side apply through KubernetesObjectApi.patch with
// PatchStrategy.ServerSideApply (application/apply-patch+yaml), conflicts included.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { eventually } from './helpers.ts';

let cluster: Cluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  cluster = await createCluster({ nodes: 1, timeScale: 20 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  core = kc.makeApiClient(k8s.CoreV1Api);
});

after(async () => {
  await cluster.stop();
});

async function namespace(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

test('typed list: label and field selectors, limit and continue', async () => {
  const ns = 'cn-list';
  await namespace(ns);
  for (const [name, app] of [['a', 'x'], ['b', 'y'], ['c', 'x']]) {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { app: app! } }, data: { k: name! } } });
  }
  const x = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=x' });
  assert.deepEqual(x.items.map((c) => c.metadata?.name), ['a', 'c']);
  assert.equal(x.kind, 'ConfigMapList');
  assert.match(x.metadata?.resourceVersion ?? '', /^\d+$/);
  const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=b' });
  assert.deepEqual(byName.items.map((c) => c.data?.k), ['b']);
  // (kube-root-ca.crt is there too: the selector keeps our three.)
  const page1 = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app', limit: 2 });
  assert.deepEqual(page1.items.map((c) => c.metadata?.name), ['a', 'b']);
  assert.ok(page1.metadata?._continue, 'a continue token');
  const page2 = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app', limit: 2, _continue: page1.metadata!._continue });
  assert.deepEqual(page2.items.map((c) => c.metadata?.name), ['c']);
  assert.equal(page2.metadata?._continue, undefined);
  await assert.rejects(core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app in (x' }), (e: { code: number; body: string }) => {
    assert.equal(e.code, 400);
    assert.equal(JSON.parse(e.body).reason, 'BadRequest');
    return true;
  });
});

test('watch: ADDED, MODIFIED and DELETED of a config map, from a list\'s resourceVersion', async () => {
  const ns = 'cn-watch';
  await namespace(ns);
  const list = await core.listNamespacedConfigMap({ namespace: ns });
  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const ctl = await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: list.metadata!.resourceVersion }, (type, obj: k8s.V1ConfigMap) => {
    events.push(`${type} ${obj.metadata?.name} ${obj.data?.k ?? ''}`);
  }, () => {});
  try {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w' }, data: { k: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'w', body: { data: { k: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'w' });
    await eventually(async () => events.length >= 3, 10_000, `three events: ${events}`);
    assert.deepEqual(events, ['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
  } finally {
    ctl.abort();
  }
});

test('an informer relists after its watch answers 410 Expired: a deletion and a creation it missed reach its cache', async () => {
  const ns = 'cn-informer';
  await namespace(ns);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'old' } } });
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const informer = new k8s.ListWatch<k8s.V1ConfigMap>(path, new k8s.Watch(kc), () => core.listNamespacedConfigMap({ namespace: ns }), false);
  const seen: string[] = [];
  const errors: unknown[] = [];
  informer.on('add', (o: k8s.V1ConfigMap) => seen.push(`add ${o.metadata?.name}`));
  informer.on('delete', (o: k8s.V1ConfigMap) => seen.push(`delete ${o.metadata?.name}`));
  informer.on('error', (e: unknown) => errors.push(e));
  await informer.start();
  try {
    await eventually(async () => seen.includes('add old'), 10_000, 'the initial list');
    const staleRv = informer.latestResourceVersion();
    // Stopped, it keeps its resourceVersion; meanwhile the world moves on and the store compacts past it.
    await informer.stop();
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'old' });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'new' } } });
    const rev = await cluster.api.store.currentRevision();
    await cluster.api.store.compact(rev);

    // What the informer's watch will get: HTTP 200 and one ERROR event with a 410 Status.
    const direct: { type: string; obj: k8s.V1Status }[] = [];
    const done = new Promise<void>((resolve) => {
      void new k8s.Watch(kc).watch(path, { resourceVersion: staleRv }, (type, obj: k8s.V1Status) => direct.push({ type, obj }), () => resolve());
    });
    await done;
    assert.equal(direct.length, 1);
    assert.equal(direct[0]!.type, 'ERROR');
    assert.equal(direct[0]!.obj.code, 410);
    assert.equal(direct[0]!.obj.reason, 'Expired');
    assert.equal(direct[0]!.obj.message, `too old resource version: ${staleRv} (${rev})`);

    await informer.start();
    await eventually(async () => seen.includes('delete old') && seen.includes('add new'), 15_000, `a relist: ${seen}`);
    assert.deepEqual(informer.list().map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt'), ['new']);
    // (stop() aborts the watch, which client-node reports as an AbortError: ours, not the server's.)
    assert.deepEqual(errors.filter((e) => (e as Error).name !== 'AbortError'), []);
    assert.ok(Number(informer.latestResourceVersion()) >= rev, 'the relist\'s resourceVersion');
  } finally {
    await informer.stop();
  }
});

test('KubernetesObjectApi.patch with PatchStrategy.ServerSideApply creates, updates, conflicts and forces', async () => {
  const ns = 'cn-ssa';
  await namespace(ns);
  const objs = k8s.KubernetesObjectApi.makeApiClient(kc);
  const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns }, data }) as k8s.KubernetesObject;

  const created = (await objs.patch(cm({ a: '1', b: '2' }), undefined, undefined, 'deployer', false, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
  assert.deepEqual(created.data, { a: '1', b: '2' });
  assert.deepEqual(
    created.metadata?.managedFields?.map((m) => [m.manager, m.operation, m.fieldsV1]),
    [['deployer', 'Apply', { 'f:data': { 'f:a': {}, 'f:b': {} } }]],
  );

  // The same manager drops b: server-side apply removes the field it no longer applies.
  const updated = (await objs.patch(cm({ a: '1' }), undefined, undefined, 'deployer', false, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
  assert.deepEqual(updated.data, { a: '1' });

  await assert.rejects(objs.patch(cm({ a: '9' }), undefined, undefined, 'intruder', false, k8s.PatchStrategy.ServerSideApply), (e: { code: number; body: string }) => {
    assert.equal(e.code, 409);
    const status = JSON.parse(e.body);
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Apply failed with 1 conflict: conflict with "deployer": .data.a');
    assert.deepEqual(status.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "deployer"', field: '.data.a' }]);
    return true;
  });
  const forced = (await objs.patch(cm({ a: '9' }), undefined, undefined, 'intruder', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
  assert.deepEqual(forced.data, { a: '9' });
  assert.deepEqual(
    forced.metadata?.managedFields?.map((m) => m.manager),
    ['intruder'],
    'the forced apply took data.a; deployer owned nothing else and is gone',
  );

  // A dry run stores nothing.
  const dry = (await objs.patch(cm({ a: '0' }), undefined, 'All', 'intruder', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
  assert.deepEqual(dry.data, { a: '0' });
  const read = (await objs.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: ns } })) as k8s.V1ConfigMap;
  assert.deepEqual(read.data, { a: '9' });

  // Without a field manager the apiserver refuses an apply patch (ValidatePatchOptions).
  await assert.rejects(objs.patch(cm({ a: '1' }), undefined, undefined, undefined, false, k8s.PatchStrategy.ServerSideApply), (e: { code: number; body: string }) => {
    assert.equal(e.code, 422);
    assert.equal(JSON.parse(e.body).message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    return true;
  });
});
