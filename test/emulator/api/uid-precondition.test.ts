// A metadata.uid that is not the stored object's, as kube-apiserver 1.32 answers it:
//  - update (PUT, the status subresource too): the body's uid is a storage precondition
//    (rest.DefaultUpdatedObjectInfo.Preconditions → storage.Preconditions.Check), 409 Conflict with
//    the StorageError text (storeerr.InterpretUpdateError), before the resourceVersion check, and for
//    a missing object too (etcd3 GuaranteedUpdate with ignoreNotFound);
//  - patch (merge, strategic, JSON) and apply: no precondition (handlers/patch.go passes no object
//    to DefaultUpdatedObjectInfo), so the patched uid meets rest.BeforeUpdate's
//    ValidateObjectMetaAccessorUpdate: 422 "metadata.uid: ... field is immutable", after the
//    resourceVersion check;
//  - delete with preconditions: rest.BeforeDelete's "the UID in the precondition (...) does not match";
//    and a delete that marks an object with a generation bumps it (store.go markAsDeleting).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';

const STALE = '0f1e2d3c-4b5a-4968-8776-655443322110';

async function setup() {
  const api = new APIServer(new EmulatorClock({ mode: 'manual' }));
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const def = api.resource('deployments.apps');
  const d = await api.create(def, 'default', {
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
  });
  return { api, def, d };
}

async function rejects(p: Promise<unknown>, code: number, reason: string, message: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    return e;
  }
  assert.fail(`expected ${code}: ${message}`);
}

const precondition = (key: string, want: string, have: string, resource = 'deployments.apps', name = 'web') =>
  `Operation cannot be fulfilled on ${resource} "${name}": StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${want}, UID in object meta: ${have}`;

test('update: a stale uid fails the storage precondition (409), before a stale resourceVersion', async () => {
  const { api, def, d } = await setup();
  const key = '/registry/deployments/default/web';
  const e = await rejects(api.update(def, 'default', 'web', { ...d, metadata: { ...d.metadata, uid: STALE } }), 409, 'Conflict', precondition(key, STALE, d.metadata.uid));
  assert.deepEqual(e.details, { name: 'web', group: 'apps', kind: 'deployments' });
  // Both stale: the uid is checked first.
  await rejects(api.update(def, 'default', 'web', { ...d, metadata: { ...d.metadata, uid: STALE, resourceVersion: '1' } }), 409, 'Conflict', precondition(key, STALE, d.metadata.uid));
  // The status subresource holds the same precondition.
  await rejects(api.update(def, 'default', 'web', { ...d, metadata: { ...d.metadata, uid: STALE }, status: { replicas: 1 } }, { subresource: 'status' }), 409, 'Conflict', precondition(key, STALE, d.metadata.uid));
  // The right uid, or none, updates.
  const ok = await api.update(def, 'default', 'web', { ...d, spec: { ...d.spec, replicas: 2 } });
  assert.equal(ok.spec.replicas, 2);
  const { uid: _u, resourceVersion: _rv, ...noUid } = ok.metadata;
  assert.equal((await api.update(def, 'default', 'web', { ...ok, metadata: noUid, spec: { ...ok.spec, replicas: 3 } })).metadata.uid, d.metadata.uid);
  // A missing object: the precondition meets an empty object.
  await rejects(api.update(def, 'default', 'gone', { ...d, metadata: { name: 'gone', uid: STALE } }), 409, 'Conflict', precondition('/registry/deployments/default/gone', STALE, '', 'deployments.apps', 'gone'));
  // Without a uid a missing object is NotFound.
  await rejects(api.update(def, 'default', 'gone', { ...d, metadata: { name: 'gone' } }), 404, 'NotFound', 'deployments.apps "gone" not found');
});

test('update: the etcd key in the message is the one Kubernetes stores under', async () => {
  const { api } = await setup();
  const svc = await api.create(api.resource('services'), 'default', { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
  await rejects(
    api.update(api.resource('services'), 'default', 'web', { ...svc, metadata: { ...svc.metadata, uid: STALE } }),
    409,
    'Conflict',
    precondition('/registry/services/specs/default/web', STALE, svc.metadata.uid, 'services'),
  );
  const ns = await api.get(api.resource('namespaces'), undefined, 'default');
  await rejects(
    api.update(api.resource('namespaces'), undefined, 'default', { ...ns, metadata: { ...ns.metadata, uid: STALE } }),
    409,
    'Conflict',
    precondition('/registry/namespaces/default', STALE, ns.metadata.uid, 'namespaces', 'default'),
  );
});

test('patch: a different uid is an immutable field (422); a stale resourceVersion is a conflict first', async () => {
  const { api, def, d } = await setup();
  const immutable = `Deployment.apps "web" is invalid: metadata.uid: Invalid value: "${STALE}": field is immutable`;
  for (const type of ['merge', 'strategic'] as const) {
    const e = await rejects(api.patch(def, 'default', 'web', type, { metadata: { uid: STALE }, spec: { replicas: 5 } }), 422, 'Invalid', immutable);
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldValueInvalid', message: `Invalid value: "${STALE}": field is immutable`, field: 'metadata.uid' }]);
  }
  await rejects(api.patch(def, 'default', 'web', 'json', [{ op: 'replace', path: '/metadata/uid', value: STALE }]), 422, 'Invalid', immutable);
  await rejects(
    api.patch(def, 'default', 'web', 'merge', { metadata: { uid: STALE, resourceVersion: '1' } }),
    409,
    'Conflict',
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  // Nothing was written; the right uid patches.
  assert.equal((await api.get(def, 'default', 'web')).spec.replicas, 1);
  assert.equal((await api.patch(def, 'default', 'web', 'merge', { metadata: { uid: d.metadata.uid }, spec: { replicas: 5 } })).spec.replicas, 5);
  // Server-side apply: the same immutable field.
  await rejects(
    api.patch(def, 'default', 'web', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', uid: STALE } }, { fieldManager: 'test' }),
    422,
    'Invalid',
    immutable,
  );
});

test('delete: preconditions fail with rest.BeforeDelete\'s messages', async () => {
  const { api, def, d } = await setup();
  await rejects(
    api.delete(def, 'default', 'web', { preconditions: { uid: STALE } }),
    409,
    'Conflict',
    `Operation cannot be fulfilled on Deployment.apps "web": the UID in the precondition (${STALE}) does not match the UID in record (${d.metadata.uid}). The object might have been deleted and then recreated`,
  );
  await rejects(
    api.delete(def, 'default', 'web', { preconditions: { resourceVersion: '1' } }),
    409,
    'Conflict',
    `Operation cannot be fulfilled on Deployment.apps "web": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${d.metadata.resourceVersion}). The object might have been modified`,
  );
  assert.equal((await api.delete(def, 'default', 'web', { preconditions: { uid: d.metadata.uid } })).deleted, true);
});

test('delete: marking an object with a generation for deletion (finalizers) bumps its generation once', async () => {
  const { api, def, d } = await setup();
  const marked = await api.delete(def, 'default', 'web', { propagationPolicy: 'Foreground' });
  assert.equal(marked.deleted, false);
  assert.equal(marked.object.metadata.generation, d.metadata.generation + 1);
  assert.deepEqual(marked.object.metadata.finalizers, ['foregroundDeletion']);
  // A second delete of the object being deleted changes nothing.
  const again = await api.delete(def, 'default', 'web', { propagationPolicy: 'Foreground' });
  assert.equal(again.object.metadata.generation, d.metadata.generation + 1);
  // Kinds without a generation get none.
  const cm = await api.create(api.resource('configmaps'), 'default', { metadata: { name: 'cm', finalizers: ['example.com/hold'] } });
  const cmMarked = await api.delete(api.resource('configmaps'), 'default', 'cm');
  assert.equal(cm.metadata.generation, undefined);
  assert.equal(cmMarked.object.metadata.generation, undefined);
});
