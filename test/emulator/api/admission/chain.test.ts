// The admission chain: order, NamespaceLifecycle, ServiceAccount, Priority, DefaultTolerationSeconds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ORDERED_PLUGINS } from '../../../../src/emulator/api/admission/chain.ts';
import type { Obj } from '../../../../src/emulator/api/objects.ts';
import { cluster, eventually, pod, rejects } from './helpers.ts';

test('plug-ins run in kube-apiserver AllOrderedPlugins order', () => {
  assert.deepEqual(
    ORDERED_PLUGINS.map((p) => p.name),
    ['NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'Priority', 'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'ResourceQuota'],
  );
});

test('NamespaceLifecycle: missing namespace 404, terminating namespace 403 with its cause, immortal namespaces', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    const nsDef = c.api.resource('namespaces');
    await rejects(c.api.create(pods, 'nope', pod('x')), 404, 'namespaces "nope" not found');
    await c.api.create(nsDef, undefined, { metadata: { name: 'going' } });
    await c.api.create(c.api.resource('configmaps'), 'going', { metadata: { name: 'keep', finalizers: ['example.com/hold'] } });
    await c.api.delete(nsDef, undefined, 'going');
    const err = await rejects(c.api.create(pods, 'going', pod('x')), 403, 'pods "x" is forbidden: unable to create new content in namespace going because it is being terminated');
    assert.deepEqual(err.details?.causes, [{ reason: 'NamespaceTerminating', message: 'namespace going is being terminated', field: 'metadata.namespace' }]);
    // generateName: the prefix names the object in the message, as names are generated later.
    await rejects(
      c.api.create(pods, 'going', { metadata: { generateName: 'web-' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }),
      403,
      'pods "web-" is forbidden: unable to create new content in namespace going because it is being terminated',
    );
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      await rejects(c.api.delete(nsDef, undefined, ns), 403, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    }
    // kube-node-lease is not immortal; a dry run shows it.
    const r = await c.api.delete(nsDef, undefined, 'kube-node-lease', { dryRun: true });
    assert.equal(r.object.status.phase, 'Terminating');
  } finally {
    await c.stop();
  }
});

test('ServiceAccount: default account and kube-root-ca.crt in every namespace; the projected token volume and mounts', async () => {
  const c = await cluster();
  try {
    const nsDef = c.api.resource('namespaces');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.ok(await c.api.tryGet(c.api.resource('serviceaccounts'), ns, 'default'), `default SA in ${ns}`);
      const cm = await c.api.get(c.api.resource('configmaps'), ns, 'kube-root-ca.crt');
      assert.deepEqual(Object.keys(cm.data), ['ca.crt']);
      assert.match(cm.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle that can be used to verify the kube-apiserver/);
    }
    // A pod created right after its namespace is admitted: the plug-in waits for the controller.
    await c.api.create(nsDef, undefined, { metadata: { name: 'fresh' } });
    const p = await c.api.create(c.api.resource('pods'), 'fresh', pod('web', {}, { initContainers: [{ name: 'init', image: 'busybox' }] }));
    assert.equal(p.spec.serviceAccountName, 'default');
    assert.equal(p.spec.serviceAccount, 'default');
    const vol = p.spec.volumes.find((v: Obj) => v.name.startsWith('kube-api-access-'));
    assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
    assert.deepEqual(vol.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const ctr of [...p.spec.containers, ...p.spec.initContainers]) {
      assert.deepEqual(ctr.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
    // The kubelet runs a pod with the projected volume.
    await c.advanceClock(10_000);
    assert.equal((await c.api.get(c.api.resource('pods'), 'fresh', 'web')).status.phase, 'Running');
  } finally {
    await c.stop();
  }
});

test('ServiceAccount: automount off on the pod or the account; a missing account is 403', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    const p1 = await c.api.create(pods, 'default', pod('a', {}, { automountServiceAccountToken: false }));
    assert.equal(p1.spec.volumes, undefined);
    assert.equal(p1.spec.containers[0].volumeMounts, undefined);
    await c.api.create(c.api.resource('serviceaccounts'), 'default', { metadata: { name: 'quiet' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'reg' }] });
    const p2 = await c.api.create(pods, 'default', pod('b', {}, { serviceAccountName: 'quiet' }));
    assert.equal(p2.spec.volumes, undefined);
    assert.deepEqual(p2.spec.imagePullSecrets, [{ name: 'reg' }]);
    await rejects(
      c.api.create(pods, 'default', pod('c', {}, { serviceAccountName: 'ghost' })),
      403,
      'pods "c" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
    );
    // The default account, deleted, is made again by the controller.
    await c.api.delete(c.api.resource('serviceaccounts'), 'default', 'default');
    await eventually(() => c.api.tryGet(c.api.resource('serviceaccounts'), 'default', 'default'), 'default SA again');
  } finally {
    await c.stop();
  }
});

test('Priority: system classes, class resolution, globalDefault, 403s and PriorityClass validation', async () => {
  const c = await cluster();
  try {
    const pcs = c.api.resource('priorityclasses.scheduling.k8s.io');
    const pods = c.api.resource('pods');
    const sys = (await c.api.list(pcs, undefined)).items.map((p) => `${p.metadata.name}=${p.value}`);
    assert.deepEqual(sys.sort(), ['system-cluster-critical=2000000000', 'system-node-critical=2000001000']);
    let p = await c.api.create(pods, 'default', pod('plain'));
    assert.equal(p.spec.priority, 0);
    assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(p.spec.priorityClassName, undefined);
    await c.api.create(pcs, undefined, { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' });
    p = await c.api.create(pods, 'default', pod('hi', {}, { priorityClassName: 'high' }));
    assert.equal(p.spec.priority, 1000);
    assert.equal(p.spec.preemptionPolicy, 'Never');
    await rejects(c.api.create(pods, 'default', pod('x', {}, { priorityClassName: 'foo' })), 403, 'pods "x" is forbidden: no PriorityClass with name foo was found');
    await rejects(
      c.api.create(pods, 'default', pod('y', {}, { priorityClassName: 'high', priority: 5 })),
      403,
      'pods "y" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    );
    await rejects(
      c.api.create(pods, 'default', pod('z', {}, { preemptionPolicy: 'Never' })),
      403,
      'pods "z" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name',
    );
    // A globalDefault class names and prioritises pods that name none; only one may exist.
    await c.api.create(pcs, undefined, { metadata: { name: 'base' }, value: 10, globalDefault: true });
    p = await c.api.create(pods, 'default', pod('d'));
    assert.equal(p.spec.priorityClassName, 'base');
    assert.equal(p.spec.priority, 10);
    await rejects(
      c.api.create(pcs, undefined, { metadata: { name: 'other' }, value: 1, globalDefault: true }),
      403,
      'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass base is already marked as default. Only one default can exist',
    );
    await rejects(
      c.api.create(pcs, undefined, { metadata: { name: 'huge' }, value: 1000000001 }),
      422,
      'PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
    );
    await rejects(
      c.api.create(pcs, undefined, { metadata: { name: 'system-mine' }, value: 1 }),
      422,
      "PriorityClass.scheduling.k8s.io \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    );
    await rejects(
      c.api.patch(pcs, undefined, 'high', 'merge', { value: 7 }),
      422,
      'PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: may not be changed in an update.',
    );
    // Priority survives updates that do not carry it.
    const live = await c.api.get(pods, 'default', 'hi');
    const { priority: _p, ...spec } = live.spec;
    const upd = await c.api.update(pods, 'default', 'hi', { ...live, spec });
    assert.equal(upd.spec.priority, 1000);
  } finally {
    await c.stop();
  }
});

test('DefaultTolerationSeconds: 300 s not-ready and unreachable tolerations unless the pod has its own', async () => {
  const c = await cluster();
  try {
    const pods = c.api.resource('pods');
    const p = await c.api.create(pods, 'default', pod('t'));
    assert.deepEqual(p.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
    const q = await c.api.create(pods, 'default', pod('u', {}, { tolerations: [own] }));
    assert.deepEqual(q.spec.tolerations, [own, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
    const all = await c.api.create(pods, 'default', pod('v', {}, { tolerations: [{ operator: 'Exists' }] }));
    assert.deepEqual(all.spec.tolerations, [{ operator: 'Exists' }]);
  } finally {
    await c.stop();
  }
});
