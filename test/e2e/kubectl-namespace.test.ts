// The real kubectl deleting a namespace with things in it (issue 6, namespace controller): the
// namespace goes Terminating with its conditions, the controller deletes what it holds (the
// Deployment's ReplicaSet and pods through the garbage collector), then the namespace goes; a
// create in a terminating namespace is refused with the apiserver's words.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kubectlServer, type Kubectl } from './helpers.ts';

let kubectl: Kubectl;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<Kubectl>;
kubectlServer('kubectl-namespace', 2, (s) => ({ kubectl, kubectlIn } = s));

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: web, image: nginx:1.27}]
`;

test('kubectl delete namespace: Terminating while its contents go, then NotFound', async () => {
  let r = await kubectlIn(MANIFESTS, 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'namespace/shop created\nconfigmap/settings created\ndeployment.apps/web created\n');
  r = await kubectl('wait', '--for=condition=available', 'deployment/web', '-n', 'shop', '--timeout=60s');
  assert.equal(r.code, 0, r.stderr);

  r = await kubectl('delete', 'namespace', 'shop', '--wait=false');
  assert.equal(r.stdout, 'namespace "shop" deleted\n');
  // Terminating for as long as its pods take to stop.
  r = await kubectl('get', 'namespace', 'shop', '-o', 'jsonpath={.status.phase}');
  assert.equal(r.stdout, 'Terminating');
  r = await kubectlIn('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late, namespace: shop}\n', 'create', '-f', '-');
  assert.notEqual(r.code, 0);
  assert.equal(
    r.stderr.trim(),
    'Error from server (Forbidden): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace shop because it is being terminated',
  );

  r = await kubectl('wait', '--for=delete', 'namespace/shop', '--timeout=90s');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('get', 'namespace', 'shop');
  assert.equal(r.stderr.trim(), 'Error from server (NotFound): namespaces "shop" not found');
  // Nothing of it is left behind.
  await eventually(async () => {
    const left = await kubectl('get', 'pods,replicasets,deployments,configmaps', '-n', 'shop', '-o', 'name');
    return left.code === 0 && left.stdout === '' ? true : undefined;
  }, 20_000, 'the namespace\'s objects are gone');
});
