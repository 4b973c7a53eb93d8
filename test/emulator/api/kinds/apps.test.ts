// apps/v1 and core workloads: defaulting (pkg/apis/apps/v1/defaults.go) and validation messages
// (pkg/apis/apps/validation/validation.go), as kube-apiserver 1.32 answers them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { container, rejects422, server, template } from './helpers.ts';

const deploy = (spec: Record<string, unknown>, name = 'web') => ({ metadata: { name }, spec });

test('a Deployment is defaulted as Kubernetes does, its template exactly like a Pod', async () => {
  const api = await server();
  const d = await api.create(api.resource('deployments.apps'), 'default', deploy({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.deepEqual(d.status, {});
  assert.equal(d.spec.template.metadata.creationTimestamp, null);
  const pod = await api.create(api.resource('pods'), 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container }] } });
  for (const k of ['restartPolicy', 'terminationGracePeriodSeconds', 'dnsPolicy', 'schedulerName', 'enableServiceLinks', 'securityContext']) {
    assert.deepEqual(d.spec.template.spec[k], pod.spec[k], k);
  }
  assert.deepEqual(d.spec.template.spec.containers, pod.spec.containers);
  // A ReplicaSet made from the template defaults to the same template.
  const rs = await api.create(api.resource('replicasets.apps'), 'default', { metadata: { name: 'web-1' }, spec: { selector: d.spec.selector, template: d.spec.template } });
  assert.deepEqual(rs.spec.template, d.spec.template);
});

test('a spec change bumps generation, a status write does not', async () => {
  const api = await server();
  const def = api.resource('deployments.apps');
  const d = await api.create(def, 'default', deploy({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  const d2 = await api.update(def, 'default', 'web', { ...d, spec: { ...d.spec, replicas: 3 } });
  assert.equal(d2.metadata.generation, 2);
  const d3 = await api.update(def, 'default', 'web', { ...d2, status: { replicas: 3 } }, { subresource: 'status' });
  assert.equal(d3.metadata.generation, 2);
  assert.deepEqual(d3.status, { replicas: 3 });
  const d4 = await api.update(def, 'default', 'web', { ...d3, status: { replicas: 9 } });
  assert.deepEqual(d4.status, { replicas: 3 }, 'a spec write ignores status');
});

test('apps/v1 requires a selector, and it must match the template labels', async () => {
  const api = await server();
  const def = api.resource('deployments.apps');
  await rejects422(
    api.create(def, 'default', deploy({ template: template({ app: 'x' }) }, 'bad')),
    'Deployment.apps "bad" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`]',
  );
  const e = await rejects422(
    api.create(def, 'default', deploy({ selector: { matchLabels: { app: 'other' } }, template: template({ app: 'x', tier: 'fe' }) }, 'bad')),
    'Deployment.apps "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x", "tier":"fe"}: `selector` does not match template `labels`',
  );
  assert.deepEqual(e.details?.causes, [
    { reason: 'FieldValueInvalid', message: 'Invalid value: map[string]string{"app":"x", "tier":"fe"}: `selector` does not match template `labels`', field: 'spec.template.metadata.labels' },
  ]);
  await rejects422(
    api.create(def, 'default', deploy({ replicas: -1, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }, 'bad')),
    'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
  await rejects422(
    api.create(def, 'default', deploy({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }, { restartPolicy: 'Never' }) }, 'bad')),
    'Deployment.apps "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  );
  await rejects422(
    api.create(def, 'default', deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }, 'bad')),
    'Deployment.apps "bad" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  );
  await rejects422(
    api.create(def, 'default', deploy({ strategy: { type: 'Recreate', rollingUpdate: {} }, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }, 'bad')),
    "Deployment.apps \"bad\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
  );
});

test('selectors are immutable in apps/v1', async () => {
  const api = await server();
  const def = api.resource('deployments.apps');
  const d = await api.create(def, 'default', deploy({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  await rejects422(
    api.update(def, 'default', 'web', { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'web', v: '2' } }, template: template({ app: 'web', v: '2' }) } }),
    'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  );
});

test('ReplicaSets, DaemonSets and StatefulSets: defaults and selector checks', async () => {
  const api = await server();
  const rs = await api.create(api.resource('replicasets.apps'), 'default', { metadata: { name: 'rs' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } });
  assert.equal(rs.spec.replicas, 1);
  assert.deepEqual(rs.status, { replicas: 0 });
  const ds = await api.create(api.resource('daemonsets.apps'), 'default', { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const sts = await api.create(api.resource('statefulsets.apps'), 'default', {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db',
      selector: { matchLabels: { a: 'b' } },
      template: template({ a: 'b' }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(sts.spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
  assert.equal(sts.spec.volumeClaimTemplates[0].kind, 'PersistentVolumeClaim');
  await rejects422(
    api.create(api.resource('daemonsets.apps'), 'default', { metadata: { name: 'bad' }, spec: { selector: {}, template: template({ a: 'b' }) } }),
    'DaemonSet.apps "bad" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
  );
  await rejects422(
    api.update(api.resource('statefulsets.apps'), 'default', 'db', { ...sts, spec: { ...sts.spec, serviceName: 'other' } }),
    "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  );
});

test('ReplicationControllers take their selector and labels from the template', async () => {
  const api = await server();
  const def = api.resource('replicationcontrollers');
  const rc = await api.create(def, 'default', { metadata: { name: 'rc' }, spec: { template: template({ app: 'rc' }) } });
  assert.deepEqual(rc.spec.selector, { app: 'rc' });
  assert.deepEqual(rc.metadata.labels, { app: 'rc' });
  assert.equal(rc.spec.replicas, 1);
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { selector: { app: 'x' }, template: template({ app: 'y' }) } }),
    'ReplicationController "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
  );
  const list = await api.list(def, 'default', { fieldSelector: 'status.replicas=0' });
  assert.deepEqual(list.items.map((o) => o.metadata.name), ['rc']);
});
