import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, ApplyConflictError, compare, FieldSet, fieldSetOf, mergeApplied, pathString, updateManagedFields, type OperationContext } from '../../../src/emulator/api/ssa.ts';

const ctx = (manager: string, time = '2026-01-01T00:00:00Z'): OperationContext => ({ kind: 'Pod', apiVersion: 'v1', manager, time, scope: (s) => s.withoutPrefix(['f:status']) });

const pod = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'x', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }], ...extra },
});

test('fieldSetOf: keyed list items, ports keyed with the defaulted protocol, stripped metadata', () => {
  const fs = fieldSetOf({ ...pod('nginx'), metadata: { name: 'x', finalizers: ['a'], labels: { app: 'web' } } }, 'Pod');
  assert.deepEqual(fs.toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"a"': {} }, 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:containers': {
        'k:{"name":"web"}': {
          '.': {},
          'f:image': {},
          'f:name': {},
          'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
        },
      },
    },
  });
  // fieldsV1 round trip
  assert.ok(FieldSet.fromFieldsV1(fs.toFieldsV1()).equals(fs));
});

test('pathString prints fieldpath paths', () => {
  assert.equal(pathString(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]');
});

test('mergeApplied merges keyed lists by key and replaces atomic lists', () => {
  const live = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }], tolerations: [{ key: 'x' }] } };
  const out = mergeApplied(live, { spec: { containers: [{ name: 'b', image: '3' }, { name: 'c', image: '4' }], tolerations: [{ key: 'y' }] } }, 'Pod');
  assert.deepEqual(out, {
    spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '3' }, { name: 'c', image: '4' }], tolerations: [{ key: 'y' }] },
  });
});

test('compare reports added, modified and removed fields', () => {
  const c = compare(pod('a'), { ...pod('b'), metadata: { name: 'x' } }, 'Pod');
  assert.deepEqual(c.modified.paths().map(pathString), ['.spec.containers[name="web"].image']);
  assert.deepEqual(c.removed.paths().map(pathString), ['.metadata.labels', '.metadata.labels.app']);
  assert.ok(c.added.empty());
});

test('apply creates, re-applies unchanged, prunes what it stopped applying', () => {
  const r1 = apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, pod('nginx'), false, ctx('kubectl'));
  assert.equal(r1.managedFields.length, 1);
  assert.equal(r1.managedFields[0].operation, 'Apply');
  assert.equal(r1.managedFields[0].manager, 'kubectl');
  const live = { ...r1.object, metadata: { ...r1.object.metadata, managedFields: r1.managedFields } };
  const r2 = apply(live, pod('nginx'), false, ctx('kubectl', '2026-01-02T00:00:00Z'));
  assert.deepEqual(r2.managedFields, r1.managedFields, 'an unchanged re-apply keeps the entry and its time');
  const r3 = apply(live, { ...pod('nginx'), metadata: { name: 'x' } }, false, ctx('kubectl'));
  assert.equal(r3.object.metadata.labels, undefined, 'the label the manager stopped applying is removed');
});

test('removal keeps fields another manager owns', () => {
  const r1 = apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, pod('nginx'), false, ctx('a'));
  let live = { ...r1.object, metadata: { ...r1.object.metadata, managedFields: r1.managedFields } };
  const r2 = apply(live, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { app: 'web' } } }, false, ctx('b'));
  live = { ...r2.object, metadata: { ...r2.object.metadata, managedFields: r2.managedFields } };
  const r3 = apply(live, { ...pod('nginx'), metadata: { name: 'x' } }, false, ctx('a'));
  assert.deepEqual(r3.object.metadata.labels, { app: 'web' });
});

test('conflicts with an Update manager; force takes ownership', () => {
  const created = { ...pod('nginx'), metadata: { ...pod('nginx').metadata, uid: 'u' } };
  const mf = updateManagedFields(undefined, created, undefined, ctx('kubectl-client-side-apply'));
  assert.equal(mf[0].operation, 'Update');
  const live = { ...created, metadata: { ...created.metadata, managedFields: mf } };
  assert.throws(
    () => apply(live, pod('nginx:2'), false, ctx('kubectl')),
    (e: unknown) => {
      assert.ok(e instanceof ApplyConflictError);
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.containers[name="web"].image');
      assert.deepEqual(e.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.containers[name="web"].image' }]);
      return true;
    },
  );
  // The same value is no conflict: both own it.
  const same = apply(live, pod('nginx'), false, ctx('kubectl'));
  assert.equal(same.managedFields.length, 2);
  const forced = apply(live, pod('nginx:2'), true, ctx('kubectl'));
  assert.equal(forced.object.spec.containers[0].image, 'nginx:2');
  const csa = forced.managedFields.find((e) => e.manager === 'kubectl-client-side-apply')!;
  assert.equal(FieldSet.fromFieldsV1(csa.fieldsV1).has(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), false);
});

test('two conflicts are grouped by manager', () => {
  const r1 = apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, pod('nginx'), false, ctx('a'));
  const live = { ...r1.object, metadata: { ...r1.object.metadata, managedFields: r1.managedFields } };
  assert.throws(() => apply(live, { ...pod('nginx:2'), metadata: { name: 'x', labels: { app: 'db' } } }, false, ctx('b')), {
    message: 'Apply failed with 2 conflicts: conflicts with "a":\n- .metadata.labels.app\n- .spec.containers[name="web"].image',
  });
});

test('Update operations merge per manager and steal changed fields; [{}] resets', () => {
  const a = pod('nginx');
  const mf1 = updateManagedFields(undefined, a, undefined, ctx('m1'));
  const live = { ...a, metadata: { ...a.metadata, managedFields: mf1 } };
  const b = { ...a, metadata: { ...a.metadata, managedFields: mf1, annotations: { x: 'y' } } };
  const mf2 = updateManagedFields(live, b, undefined, ctx('m2'));
  assert.deepEqual(mf2.map((e) => e.manager), ['m1', 'm2']);
  assert.deepEqual(mf2[1].fieldsV1, { 'f:metadata': { 'f:annotations': { '.': {}, 'f:x': {} } } });
  assert.deepEqual(updateManagedFields(live, b, [{}], ctx('m2')).map((e) => e.manager), ['m2']);
});

test("a create's managed fields written straight from the object are the trie's, field for field", () => {
  const objects: [string, Record<string, unknown>][] = [
    ['Pod', { ...pod('nginx', { securityContext: {}, tolerations: [{ key: 'a', operator: 'Exists' }], volumes: [] }), metadata: { name: 'x', namespace: 'ns', uid: 'u', finalizers: ['b', 'a'], labels: { 'app.kubernetes.io/name': 'w"eb', z: '1' }, annotations: {} }, status: { phase: 'Pending' } }],
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'only-name', generateName: 'g-' }, spec: { containers: [{ name: 'b', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }], env: [{ name: 'X', value: '1' }] }, { name: 'a' }] } }],
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: { metadata: { name: 'kept', labels: { app: 'x' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }],
    ['Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, protocol: 'TCP' }], selector: { app: 'x' } } }],
    ['Event', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{c}' }, reason: 'Pulled', count: 1, source: { component: 'kubelet', host: 'n' }, firstTimestamp: 't', type: 'Normal' }],
    ['ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty', resourceVersion: '5', managedFields: [] } }],
  ];
  for (const [kind, obj] of objects) {
    for (const without of [undefined, 'f:status']) {
      const base: OperationContext = { kind, apiVersion: 'v1', manager: 'm', time: 't' };
      const fast = updateManagedFields(undefined, obj, undefined, without ? { ...base, scope: (s) => s.withoutPrefix([without]), scopeWithout: without } : base);
      // A scope the fast path cannot read makes updateManagedFields build the trie.
      const slow = updateManagedFields(undefined, obj, undefined, { ...base, scope: (s) => (without ? s.withoutPrefix([without]) : s) });
      assert.deepEqual(fast, slow, `${kind} ${String(obj.metadata && (obj.metadata as { name: string }).name)} without ${without}`);
      assert.ok(kind === 'ConfigMap' ? fast.length === 0 : fast.length === 1);
    }
  }
  // Creates of the same fields share one frozen fieldsV1 object.
  const a = updateManagedFields(undefined, pod('a'), undefined, { ...ctx('m'), scopeWithout: 'f:status' });
  const b = updateManagedFields(undefined, pod('b'), undefined, { ...ctx('m'), scopeWithout: 'f:status' });
  assert.equal(a[0].fieldsV1, b[0].fieldsV1);
  assert.ok(Object.isFrozen(a[0].fieldsV1));
});

test('an update that changes no one\'s fields keeps the stored managedFields; a new second moves the time', () => {
  const status = (phase: string) => ({ ...pod('nginx'), status: { phase, conditions: [{ type: 'Ready', status: 'False' }] } });
  const kubelet = (time: string): OperationContext => ({ kind: 'Pod', apiVersion: 'v1', manager: 'kubelet', time, subresource: 'status' });
  const created = { ...pod('nginx'), metadata: { ...pod('nginx').metadata, managedFields: updateManagedFields(undefined, pod('nginx'), undefined, ctx('kubectl')) } };
  const first = { ...created, metadata: { ...created.metadata, managedFields: updateManagedFields(created, status('Pending'), undefined, kubelet('t1')) } };
  assert.deepEqual(first.metadata.managedFields.map((e) => e.manager), ['kubectl', 'kubelet']);
  const next = { ...status('Running'), metadata: first.metadata };
  // The kubelet owns status.phase already: the same second keeps the very same entries.
  assert.equal(updateManagedFields(first, next, undefined, kubelet('t1')), first.metadata.managedFields);
  const later = updateManagedFields(first, next, undefined, kubelet('t2'));
  assert.notEqual(later, first.metadata.managedFields);
  assert.deepEqual(later.map((e) => [e.manager, e.time]), [['kubectl', '2026-01-01T00:00:00Z'], ['kubelet', 't2']]);
  assert.deepEqual(later[1].fieldsV1, first.metadata.managedFields[1].fieldsV1);
});

test('compare: an unchanged list whose keys repeat is no error; equal copies compare as no change', () => {
  const a = { spec: { containers: [{ name: 'c', env: [{ name: 'X', value: '1' }, { name: 'X', value: '2' }] }] }, metadata: { labels: { a: '1' } } };
  const b = JSON.parse(JSON.stringify({ ...a, metadata: { labels: { a: '2' } } }));
  const cmp = compare(a, b, 'Pod');
  assert.deepEqual(cmp.modified.paths(), [['f:metadata', 'f:labels', 'f:a']]);
  assert.ok(cmp.added.empty() && cmp.removed.empty());
  const same = compare(a, JSON.parse(JSON.stringify(a)), 'Pod');
  assert.ok(same.added.empty() && same.modified.empty() && same.removed.empty());
});

test("an update's fieldsV1 shares the unchanged parts of the one before and decodes back to the same set", () => {
  const kubelet: OperationContext = { kind: 'Pod', apiVersion: 'v1', manager: 'kubelet', time: 't', subresource: 'status' };
  const v0 = pod('nginx');
  const s1 = { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] };
  const v1 = { ...v0, status: s1, metadata: { ...v0.metadata, managedFields: updateManagedFields(v0, { ...v0, status: s1 }, undefined, kubelet) } };
  const s2 = { ...s1, podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }] };
  const mf2 = updateManagedFields(v1, { ...v1, status: s2 }, undefined, kubelet);
  const before = v1.metadata.managedFields[0].fieldsV1 as Record<string, Record<string, unknown>>;
  const after = mf2[0].fieldsV1 as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(after['f:status']), ['f:conditions', 'f:phase', 'f:podIP', 'f:podIPs']);
  assert.deepEqual(after['f:status']['f:podIPs'], { '.': {}, 'k:{"ip":"10.0.0.1"}': { '.': {}, 'f:ip': {} } });
  assert.equal(after['f:status']['f:conditions'], before['f:status']['f:conditions']);
  assert.ok(Object.isFrozen(after) && Object.isFrozen(after['f:status']));
  assert.ok(FieldSet.fromFieldsV1(after).equals(FieldSet.fromFieldsV1(JSON.parse(JSON.stringify(after)))));
});
