// A manifest carrying the uid of an object that was deleted and created again, through the real
// kubectl: `kubectl replace` (PUT: the uid is a storage precondition, 409 with the StorageError
// text), `kubectl apply` (a strategic merge patch: the uid is an immutable field, 422; with the old
// resourceVersion too, the optimistic-lock 409 comes first), and `kubectl delete` of the current one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlServer, requireCli, type Kubectl } from './helpers.ts';

requireCli();

let kubectl: Kubectl;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<Kubectl>;
kubectlServer('kubectl-uid', 1, (s) => ({ kubectl, kubectlIn } = s));

const manifest = (data: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data });

test('replace and apply of a manifest with a stale uid are refused as kube-apiserver refuses them', async () => {
  let r = await kubectlIn(manifest({ a: '1' }), 'create', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('get', 'configmap', 'cfg', '-o', 'json');
  const old = JSON.parse(r.stdout);
  // Deleted and created again: a new uid.
  assert.equal((await kubectl('delete', 'configmap', 'cfg')).code, 0);
  assert.equal((await kubectlIn(manifest({ a: '2' }), 'create', '-f', '-')).code, 0);
  const cur = JSON.parse((await kubectl('get', 'configmap', 'cfg', '-o', 'json')).stdout);
  assert.notEqual(cur.metadata.uid, old.metadata.uid);

  // kubectl replace sends the old object (uid and resourceVersion): the uid precondition fails first.
  r = await kubectlIn(JSON.stringify({ ...old, data: { a: '3' } }), 'replace', '-f', '-');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cfg": StorageError: invalid object, Code: 4, Key: /registry/configmaps/default/cfg, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${old.metadata.uid}, UID in object meta: ${cur.metadata.uid}`,
  );

  // kubectl apply of the old uid alone: the patch sets metadata.uid, which is immutable.
  const { resourceVersion: _rv, creationTimestamp: _ct, managedFields: _mf, ...oldMeta } = old.metadata;
  r = await kubectlIn(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: oldMeta, data: { a: '4' } }), 'apply', '-f', '-');
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`The ConfigMap "cfg" is invalid: metadata\\.uid: Invalid value: "${old.metadata.uid}": field is immutable`));

  // With the old resourceVersion as well, the optimistic lock answers first.
  r = await kubectlIn(JSON.stringify({ ...old, data: { a: '5' } }), 'apply', '-f', '-');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again/);

  // Nothing was written.
  assert.deepEqual(JSON.parse((await kubectl('get', 'configmap', 'cfg', '-o', 'json')).stdout).data, { a: '2' });
  // The current uid applies.
  r = await kubectlIn(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', uid: cur.metadata.uid }, data: { a: '6' } }), 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse((await kubectl('get', 'configmap', 'cfg', '-o', 'json')).stdout).data, { a: '6' });
});
