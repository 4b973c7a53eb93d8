// Server-side apply as the extension does it (apply.ts): request building, kubectl's words, conflicts
// and "Force apply", dry runs, delete, the existence index behind the Delete lens, and the order of
// a folder's files; against an emulated cluster through @kubernetes/client-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import {
  applyFile,
  applyQuery,
  deleteObject,
  documentsTouched,
  ExistenceIndex,
  outcomeOf,
  serverSideApply,
  serverSideApplyFile,
  SSA_FIELD_MANAGER,
  walkOrder,
  type ApplyClient,
} from '../../src/extension/apply.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { parseManifests } from '../../src/extension/manifests.ts';

let cluster: Cluster;
let client: ClusterClient;
let apps: AppsV1Api;

before(async () => {
  cluster = await createCluster({ nodes: 1, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  apps = kc.makeApiClient(AppsV1Api);
});
after(async () => {
  await cluster?.stop();
});

const deployment = (replicas: number, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${image}
`;

const ssa = async (text: string, opts: { dryRun?: boolean; force?: boolean } = {}, file = 'web.yaml') =>
  serverSideApplyFile(client, parseManifests(text), { file, ...opts });

test('the apply request: our field manager, force=false, strict validation; dryRun=All only for a dry run', () => {
  assert.deepEqual(applyQuery({}), { fieldManager: 'kube-emulator-vscode', fieldValidation: 'Strict', force: 'false' });
  assert.deepEqual(applyQuery({ dryRun: true, force: true }), { fieldManager: 'kube-emulator-vscode', fieldValidation: 'Strict', force: 'true', dryRun: 'All' });
});

test('the request goes out as PATCH application/apply-patch+yaml with the document, namespace defaulted', async () => {
  const sent: unknown[] = [];
  const fake: ApplyClient = {
    namespace: 'team',
    mapping: async () => ({ name: 'configmaps', namespaced: true, kind: 'ConfigMap', singularName: '', verbs: [] }),
    send: async (method, path, opts) => {
      sent.push({ method, path, ...opts });
      if (method === 'GET') throw Object.assign(new Error('not found'), { code: 404 });
      return { metadata: { resourceVersion: '5' } };
    },
  };
  const [m] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n').manifests;
  const r = await serverSideApply(fake, m, { file: 'cfg.yaml' });
  assert.equal(r.message, 'configmap/cfg created');
  assert.deepEqual(sent, [
    { method: 'GET', path: '/api/v1/namespaces/team/configmaps/cfg' },
    {
      method: 'PATCH',
      path: '/api/v1/namespaces/team/configmaps/cfg',
      query: { fieldManager: 'kube-emulator-vscode', fieldValidation: 'Strict', force: 'false' },
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'team' }, data: { a: '1' } },
      contentType: 'application/apply-patch+yaml',
    },
  ]);
});

test('outcome words: created without a live object, unchanged when the resourceVersion did not move, configured when it did', () => {
  const live = { metadata: { resourceVersion: '7', managedFields: [{ time: 'a' }] }, spec: { x: 1 } };
  assert.equal(outcomeOf(undefined, live, false), 'created');
  assert.equal(outcomeOf(live, { metadata: { resourceVersion: '7' } }, false), 'unchanged');
  assert.equal(outcomeOf(live, { metadata: { resourceVersion: '8' } }, false), 'configured');
  // A dry run never moves the resourceVersion: the object itself tells, managedFields times aside.
  assert.equal(outcomeOf(live, { metadata: { resourceVersion: '7', managedFields: [{ time: 'b' }] }, spec: { x: 1 } }, true), 'unchanged');
  assert.equal(outcomeOf(live, { metadata: { resourceVersion: '7' }, spec: { x: 2 } }, true), 'configured');
});

test('created, unchanged, configured in kubectl\'s words; the object is managed by kube-emulator-vscode', async () => {
  assert.deepEqual((await ssa(deployment(2))).map((r) => r.message), ['deployment.apps/web created']);
  const created = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.ok(created.metadata?.managedFields?.some((f) => f.manager === SSA_FIELD_MANAGER && f.operation === 'Apply'));
  assert.deepEqual((await ssa(deployment(2))).map((r) => r.message), ['deployment.apps/web unchanged']);
  const same = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
  assert.deepEqual((await ssa(deployment(3))).map((r) => r.message), ['deployment.apps/web configured']);
  assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).spec?.replicas, 3);
});

test('a dry run says what would happen with " (server dry run)" and stores nothing', async () => {
  const before = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  const [r] = await ssa(deployment(5), { dryRun: true });
  assert.equal(r.message, 'deployment.apps/web configured (server dry run)');
  assert.equal((r.applied as any)?.spec.replicas, 5);
  assert.equal((r.live as any)?.spec.replicas, 3);
  const [same] = await ssa(deployment(3), { dryRun: true });
  assert.equal(same.message, 'deployment.apps/web unchanged (server dry run)');
  const [fresh] = await ssa(deployment(1).replace('name: web', 'name: never'), { dryRun: true });
  assert.equal(fresh.message, 'deployment.apps/never created (server dry run)');
  assert.equal(fresh.live, undefined);
  const after = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion);
  await assert.rejects(apps.readNamespacedDeployment({ name: 'never', namespace: 'default' }), (e: any) => e.code === 404);
});

test('kubectl and the extension share the object: a field kubectl owns is the apiserver\'s conflict, force takes it', async () => {
  // kubectl apply (client-side) changes replicas: its manager now owns spec.replicas.
  const csa = await applyFile(client, parseManifests(deployment(4)), { file: 'web.yaml' });
  assert.deepEqual(csa.map((r) => r.message), ['deployment.apps/web configured']);
  const [conflict] = await ssa(deployment(6));
  assert.equal(conflict.outcome, 'error');
  assert.equal(conflict.conflict, true);
  assert.equal(
    conflict.message,
    // kubectl apply --server-side's first line for the same conflict, word for word.
    'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).spec?.replicas, 4);
  const [forced] = await ssa(deployment(6), { force: true });
  assert.equal(forced.message, 'deployment.apps/web configured');
  assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' })).spec?.replicas, 6);
});

test('errors in kubectl\'s words: invalid object, unknown kind, missing name', async () => {
  const [bad] = await ssa('apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n', {}, 'bad.yaml');
  assert.match(bad.message, /^Error from server \(Invalid\): error when applying patch to "bad\.yaml": Pod "empty" is invalid: spec\.containers: Required value/);
  assert.equal(bad.conflict, false);
  const [unknown] = await ssa('apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: x\n', {}, 'foo.yaml');
  assert.equal(
    unknown.message,
    'error: resource mapping not found for name: "x" namespace: "" from "foo.yaml": no matches for kind "Foo" in version "example.com/v1"\nensure CRDs are installed first',
  );
  const [nameless] = await ssa('apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', {}, 'cm.yaml');
  assert.equal(nameless.message, 'error: error when retrieving current configuration of ConfigMap from "cm.yaml": resource name may not be empty');
});

test('delete says what kubectl delete says, and NotFound the second time', async () => {
  const [m] = parseManifests(deployment(1)).manifests;
  const r = await deleteObject(client, m, { file: 'web.yaml' });
  assert.equal(r.message, 'deployment.apps "web" deleted');
  assert.deepEqual(r.at, { collection: '/apis/apps/v1/namespaces/default/deployments', name: 'web' });
  const again = await deleteObject(client, m, { file: 'web.yaml' });
  assert.equal(again.message, 'Error from server (NotFound): error when deleting "web.yaml": deployments.apps "web" not found');
});

test('the existence index lists a collection once for any number of lookups and keystrokes', async () => {
  await ssa('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: present\n');
  let now = 0;
  const index = new ExistenceIndex(client, { ttlMs: 1000, now: () => now });
  const docs = parseManifests(
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: present\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: absent\n',
  ).manifests;
  assert.deepEqual(docs.map((m) => index.exists(m)), [undefined, undefined]);
  await index.settled();
  assert.equal(index.requests, 1);
  for (let i = 0; i < 50; i++) assert.deepEqual(docs.map((m) => index.exists(m)), [true, false]);
  // A name typed letter by letter is looked up in the same list.
  for (const name of ['p', 'pr', 'pre', 'present']) index.exists({ ...docs[1], name });
  await index.settled();
  assert.equal(index.requests, 1);
  // An apply or a delete is known at once; the list is taken again at the next look.
  index.note({ collection: '/api/v1/namespaces/default/configmaps', name: 'absent' }, true);
  assert.equal(index.exists(docs[1]), true);
  await index.settled();
  assert.equal(index.requests, 2);
  assert.equal(index.exists(docs[1]), false, 'the fresh list has no "absent"');
  // Older than the TTL: one refresh, whatever the number of lookups meanwhile.
  now = 5000;
  for (let i = 0; i < 20; i++) index.exists(docs[0]);
  await index.settled();
  assert.equal(index.requests, 3);
});

test('folder order is filepath.Walk\'s: names sorted per directory, a folder where its name sorts, only .yaml/.yml/.json', () => {
  assert.deepEqual(
    walkOrder(['b.yaml', 'a-b/x.yaml', 'a/z.yml', 'a/y/1.json', 'README.md', 'A.yaml', 'a.txt', 'c/ns.yaml', '00-namespace.yaml']),
    ['00-namespace.yaml', 'A.yaml', 'a/y/1.json', 'a/z.yml', 'a-b/x.yaml', 'b.yaml', 'c/ns.yaml'],
  );
});

test('a selection applies the documents it touches', () => {
  const parsed = parseManifests('a: 1\n---\nkind: A\n---\nkind: B\nx: 2\n---\nkind: C\n');
  assert.deepEqual(documentsTouched(parsed, 2, 2).map((m) => m.index), [1]);
  assert.deepEqual(documentsTouched(parsed, 2, 4).map((m) => m.index), [1, 2]);
  assert.deepEqual(documentsTouched(parsed, 3, 3).map((m) => m.index), []);
  assert.deepEqual(documentsTouched(parsed, 5, 7).map((m) => m.index), [2, 3]);
});

test('an unreachable cluster is asked once per TTL, not on every look', async () => {
  let calls = 0;
  const down: ApplyClient = {
    namespace: 'default',
    mapping: async () => {
      calls++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    },
    send: async () => ({}),
  };
  const logs: string[] = [];
  const index = new ExistenceIndex(down, { ttlMs: 60_000, log: (l) => logs.push(l) });
  const [m] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n').manifests;
  for (let i = 0; i < 30; i++) {
    assert.equal(index.exists(m), undefined);
    await index.settled();
  }
  assert.equal(calls, 1);
  assert.deepEqual(logs, ['Could not look up ConfigMap (v1): connect ECONNREFUSED 127.0.0.1:1']);
});
