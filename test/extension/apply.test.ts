// Client-side apply against a real emulated cluster, through @kubernetes/client-node.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { applyFile, FIELD_MANAGER, LAST_APPLIED, syntaxErrorLines } from '../../src/extension/apply.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { parseManifests } from '../../src/extension/manifests.ts';

let cluster: Cluster;
let client: ClusterClient;
let core: CoreV1Api;

before(async () => {
  cluster = await createCluster({ nodes: 3, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  core = kc.makeApiClient(CoreV1Api);
});
after(async () => {
  await cluster?.stop();
});

const apply = async (text: string, file = 'pod.yaml') => {
  const parsed = parseManifests(text);
  assert.deepEqual(syntaxErrorLines(parsed, file), []);
  return (await applyFile(client, parsed, { file })).map((r) => r.message);
};

const podYaml = (image: string, labels = 'app: web\n    tier: front') => `apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    ${labels}
spec:
  containers:
  - name: web
    image: ${image}
`;

test('created, then unchanged, then configured after a change, as kubectl says it', async () => {
  assert.deepEqual(await apply(podYaml('nginx:1.27')), ['pod/nginx created']);
  const created = await core.readNamespacedPod({ name: 'nginx', namespace: 'default' });
  const annotation = created.metadata?.annotations?.[LAST_APPLIED] ?? '';
  assert.equal(JSON.parse(annotation).spec.containers[0].image, 'nginx:1.27');
  assert.equal(JSON.parse(annotation).metadata.namespace, 'default');

  assert.deepEqual(await apply(podYaml('nginx:1.27')), ['pod/nginx unchanged']);
  const same = await core.readNamespacedPod({ name: 'nginx', namespace: 'default' });
  // Nothing written by the apply (the kubelet may have written the pod's status meanwhile, so
  // not the resourceVersion): our manager's entry and the annotation are as the create left them.
  const ours = (p: typeof same) => JSON.stringify(p.metadata?.managedFields?.find((f) => f.manager === FIELD_MANAGER));
  assert.ok(ours(created)?.includes('"operation":"Update"'), ours(created));
  assert.equal(ours(same), ours(created));
  assert.equal(same.metadata?.annotations?.[LAST_APPLIED], annotation);

  // A label dropped from the file is removed from the object; a changed one is updated.
  assert.deepEqual(await apply(podYaml('nginx:1.27', 'app: shop')), ['pod/nginx configured']);
  const changed = await core.readNamespacedPod({ name: 'nginx', namespace: 'default' });
  assert.deepEqual(changed.metadata?.labels, { app: 'shop' });
  assert.notEqual(changed.metadata?.resourceVersion, created.metadata?.resourceVersion);
  assert.equal(JSON.parse(changed.metadata?.annotations?.[LAST_APPLIED] ?? '{}').metadata.labels.app, 'shop');
  assert.deepEqual(await apply(podYaml('nginx:1.27', 'app: shop')), ['pod/nginx unchanged']);
});

test('every document applies in order; namespaced objects without a namespace go to the context namespace', async () => {
  const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: cart
  namespace: shop
spec:
  containers:
  - name: main
    image: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: front
spec:
  containers:
  - name: main
    image: busybox
`;
  assert.deepEqual(await apply(text, 'shop.yaml'), ['namespace/shop created', 'pod/cart created', 'pod/front created']);
  assert.equal((await core.readNamespacedPod({ name: 'cart', namespace: 'shop' })).metadata?.namespace, 'shop');
  assert.equal((await core.readNamespacedPod({ name: 'front', namespace: 'default' })).metadata?.namespace, 'default');
});

test('a kind the server does not serve gets kubectl\'s "no matches for kind" message', async () => {
  const lines = await apply('apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: x\n', 'foo.yaml');
  assert.deepEqual(lines, [
    'error: resource mapping not found for name: "x" namespace: "" from "foo.yaml": no matches for kind "Foo" in version "example.com/v1"\nensure CRDs are installed first',
  ]);
  const inCore = await apply('apiVersion: v1\nkind: Foo\nmetadata:\n  name: y\n', 'foo.yaml');
  assert.match(inCore[0], /no matches for kind "Foo" in version "v1"/);
});

test('documents that are not Kubernetes objects are reported, and the others still apply', async () => {
  const text = 'just: data\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: mixed\n';
  assert.deepEqual(await apply(text, 'mixed.yaml'), [
    'error: error validating "mixed.yaml": error validating data: [apiVersion not set, kind not set]',
    'namespace/mixed created',
  ]);
});

test('a file with a syntax error applies nothing, not even its good documents', async () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: never
spec:
  containers:
  - name: main
    image: busybox
---
apiVersion: v1
kind: Pod
metadata:
  name: broken: here
`;
  const parsed = parseManifests(text);
  assert.deepEqual(syntaxErrorLines(parsed, 'two.yaml'), ['two.yaml:13:9: Nested mappings are not allowed in compact mappings']);
  assert.deepEqual(await applyFile(client, parsed, { file: 'two.yaml' }), []);
  await assert.rejects(core.readNamespacedPod({ name: 'never', namespace: 'default' }), (e: any) => e.code === 404);
});

test('server errors are reported as kubectl reports them, from the Status', async () => {
  const lines = await apply('apiVersion: v1\nkind: Pod\nmetadata:\n  name: empty\nspec:\n  containers: []\n', 'bad.yaml');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^Error from server \(Invalid\): error when creating "bad\.yaml": Pod "empty" is invalid: /);
});
