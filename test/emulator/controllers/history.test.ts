// ControllerRevision helpers (pkg/controller/history/controller_history.go).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeHash,
  controllerRevisionName,
  equalRevision,
  fnv32,
  fnv32a,
  goJSON,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  safeEncodeString,
  sortControllerRevisions,
  templatePatch,
} from '../../../src/emulator/controllers/history.ts';

test('FNV-1 and FNV-1a 32 match Go hash/fnv', () => {
  // Go: fnv.New32().Write([]byte("a")).Sum32() = 0x050c5d7e; New32a: 0xe40c292c.
  assert.equal(fnv32(new TextEncoder().encode('a')), 0x050c5d7e);
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  assert.equal(fnv32(new Uint8Array()), 0x811c9dc5);
});

test('SafeEncodeString maps into the vowel-free alphabet; names are <parent>-<hash>', () => {
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  assert.match(hashControllerRevision({ data: '{"a":1}' }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
  assert.equal(controllerRevisionName('x'.repeat(300), 'h'), `${'x'.repeat(223)}-h`);
});

test('getPatch: sorted keys, creationTimestamp null, $patch replace, Go HTML escaping', () => {
  const ds = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i', args: ['a<b'] }] }, metadata: { labels: { app: 'd' } } } } };
  assert.equal(
    templatePatch(ds),
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"d"}},"spec":{"containers":[{"args":["a\\u003cb"],"image":"i","name":"c"}]}}}}',
  );
  assert.equal(goJSON({ b: 1, a: undefined }), '{"b":1}');
});

test('NewControllerRevision: labels, owner, name from the data hash; the collision count changes the hash', () => {
  const parent = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } };
  const data = templatePatch({ spec: { template: { metadata: { labels: { app: 'web' } } } } });
  const cr = newControllerRevision(parent, 'apps/v1', 'StatefulSet', { app: 'web' }, data, 3);
  const hash = hashControllerRevision({ data });
  assert.equal(cr.metadata.name, `web-${hash}`);
  assert.deepEqual(cr.metadata.labels, { app: 'web', 'controller-revision-hash': hash });
  assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  assert.equal(cr.revision, 3);
  assert.notEqual(hashControllerRevision({ data }, 1), hash);
  assert.ok(equalRevision(cr, newControllerRevision(parent, 'apps/v1', 'StatefulSet', { app: 'web' }, data, 9)));
  assert.notEqual(computeHash({ spec: {} }), computeHash({ spec: {} }, 1));
  const sorted = sortControllerRevisions([{ ...cr, revision: 2 }, { ...cr, revision: 1 }]);
  assert.deepEqual(sorted.map((r) => r.revision), [1, 2]);
  assert.equal(nextRevision(sorted), 3);
  assert.equal(nextRevision([]), 1);
});
