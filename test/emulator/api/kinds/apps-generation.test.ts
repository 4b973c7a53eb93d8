// metadata.generation of the apps kinds on update, as pkg/registry/apps/*/strategy.go set it in 1.32:
// a Deployment's bumps on a spec or an annotations change (annotations are copied to its
// ReplicaSets); ReplicaSets, StatefulSets and DaemonSets bump on spec changes only; status writes
// never bump.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server, template } from './helpers.ts';

const spec = (extra: Record<string, unknown> = {}) => ({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), ...extra });

test('a Deployment: an annotations change bumps generation, labels and status writes do not', async () => {
  const api = await server();
  const def = api.resource('deployments.apps');
  const d1 = await api.create(def, 'default', { metadata: { name: 'web' }, spec: spec() });
  assert.equal(d1.metadata.generation, 1);
  // kubectl annotate: a merge patch of metadata.annotations.
  const d2 = await api.patch(def, 'default', 'web', 'merge', { metadata: { annotations: { 'example.com/owner': 'team-a' } } });
  assert.equal(d2.metadata.generation, 2);
  const d3 = await api.patch(def, 'default', 'web', 'strategic', { metadata: { annotations: { 'example.com/owner': 'team-b' } } });
  assert.equal(d3.metadata.generation, 3);
  // The same annotations again change nothing.
  const same = await api.update(def, 'default', 'web', d3);
  assert.equal(same.metadata.generation, 3);
  assert.equal(same.metadata.resourceVersion, d3.metadata.resourceVersion);
  // Removing an annotation is a change too.
  const d4 = await api.patch(def, 'default', 'web', 'merge', { metadata: { annotations: { 'example.com/owner': null } } });
  assert.equal(d4.metadata.generation, 4);
  assert.equal(d4.metadata.annotations, undefined);
  // Labels are not copied to the ReplicaSets' identity: no bump.
  const d5 = await api.patch(def, 'default', 'web', 'merge', { metadata: { labels: { tier: 'front' } } });
  assert.equal(d5.metadata.generation, 4);
  // A spec and an annotations change in one write: one bump.
  const d6 = await api.patch(def, 'default', 'web', 'merge', { metadata: { annotations: { a: 'b' } }, spec: { replicas: 3 } });
  assert.equal(d6.metadata.generation, 5);
  // The status subresource may write annotations (the controller's revision) without a bump.
  const d7 = await api.update(def, 'default', 'web', { ...d6, metadata: { ...d6.metadata, annotations: { a: 'b', 'deployment.kubernetes.io/revision': '1' } }, status: { replicas: 3 } }, { subresource: 'status' });
  assert.equal(d7.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(d7.metadata.generation, 5);
});

test('ReplicaSets, StatefulSets and DaemonSets: annotations do not bump generation, spec changes do', async () => {
  const api = await server();
  for (const [resource, extra] of [
    ['replicasets.apps', { replicas: 1 }],
    ['statefulsets.apps', { replicas: 1, serviceName: 'web' }],
    ['daemonsets.apps', {}],
  ] as const) {
    const def = api.resource(resource);
    const o = await api.create(def, 'default', { metadata: { name: 'web' }, spec: spec(extra) });
    assert.equal(o.metadata.generation, 1, resource);
    const a = await api.patch(def, 'default', 'web', 'merge', { metadata: { annotations: { 'example.com/owner': 'team-a' } } });
    assert.equal(a.metadata.generation, 1, `${resource}: annotations`);
    const s = await api.patch(def, 'default', 'web', 'merge', { spec: { minReadySeconds: 5 } });
    assert.equal(s.metadata.generation, 2, `${resource}: spec`);
  }
});

test('a DaemonSet carries spec.templateGeneration as deprecated.daemonset.template.generation, raised by template changes only', async () => {
  const api = await server();
  const def = api.resource('daemonsets.apps');
  const key = 'deprecated.daemonset.template.generation';
  const ds = await api.create(def, 'default', { metadata: { name: 'agent' }, spec: spec() });
  assert.deepEqual(ds.metadata.annotations, { [key]: '1' });
  // Not the template: the generation moves, the template generation does not.
  const s = await api.patch(def, 'default', 'agent', 'merge', { spec: { minReadySeconds: 5 } });
  assert.equal(s.metadata.generation, 2);
  assert.equal(s.metadata.annotations[key], '1');
  // The template: both move.
  const t = await api.patch(def, 'default', 'agent', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } } });
  assert.equal(t.metadata.generation, 3);
  assert.equal(t.metadata.annotations[key], '2');
  // Users cannot set it, nor drop it: an update keeps the stored value.
  const u = await api.patch(def, 'default', 'agent', 'merge', { metadata: { annotations: { [key]: '7', other: 'x' } } });
  assert.deepEqual(u.metadata.annotations, { [key]: '2', other: 'x' });
  assert.equal(u.metadata.generation, 3);
  const { annotations: _a, ...meta } = u.metadata;
  const r = await api.update(def, 'default', 'agent', { ...u, metadata: meta });
  assert.deepEqual(r.metadata.annotations, { [key]: '2' });
  // On create a higher value is kept (PrepareForCreate raises only values below 1).
  const high = await api.create(def, 'default', { metadata: { name: 'agent-2', annotations: { [key]: '5' } }, spec: spec() });
  assert.equal(high.metadata.annotations[key], '5');
});
