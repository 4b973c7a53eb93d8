// autoscaling, policy, networking, discovery and storage kinds; the scale subresource and the
// version conversions (events.k8s.io/v1 over core/v1 Events, autoscaling/v1 over autoscaling/v2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFor } from '../../../../src/emulator/api/conversion.ts';
import { ApiError } from '../../../../src/emulator/api/errors.ts';
import { serveScale } from '../../../../src/emulator/api/scale.ts';
import { rejects422, server, template } from './helpers.ts';

test('HPA v2 defaults; v1 and v2 are one object', async () => {
  const api = await server();
  const v2 = api.registry.lookup('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  const v1 = api.registry.lookup('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const hpa = await api.create(v2, 'default', { metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } });
  assert.equal(hpa.spec.minReplicas, 1);
  assert.deepEqual(hpa.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(hpa.metadata.generation, 1);
  const view = apiFor(api, v1);
  const asV1 = await view.get(v1, 'default', 'web');
  assert.equal(asV1.apiVersion, 'autoscaling/v1');
  assert.equal(asV1.spec.targetCPUUtilizationPercentage, 80);
  assert.equal(asV1.spec.metrics, undefined);
  const patched = await view.patch(v1, 'default', 'web', 'merge', { spec: { targetCPUUtilizationPercentage: 60 } });
  assert.equal(patched.spec.targetCPUUtilizationPercentage, 60);
  assert.equal((await api.get(v2, 'default', 'web')).spec.metrics[0].resource.target.averageUtilization, 60);
  const created = await view.create(v1, 'default', { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'old' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3, targetCPUUtilizationPercentage: 50 } });
  assert.equal(created.spec.targetCPUUtilizationPercentage, 50);
  const discoveryOrder = api.registry.defs.filter((d) => d.group === 'autoscaling').map((d) => d.version);
  assert.deepEqual(discoveryOrder, ['v2', 'v1'], 'v2 is the preferred version');
  await rejects422(
    api.create(v2, 'default', { metadata: { name: 'bad' }, spec: { scaleTargetRef: { name: 'x' }, minReplicas: 3, maxReplicas: 2 } }),
    'HorizontalPodAutoscaler.autoscaling "bad" is invalid: [spec.scaleTargetRef.kind: Required value, spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`]',
  );
});

test('events.k8s.io/v1 Events are core/v1 Events, renamed', async () => {
  const api = await server();
  const core = api.resource('events');
  await api.create(core, 'default', { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'hi', type: 'Normal', count: 2, source: { component: 'kubelet' } });
  const v1 = api.registry.lookup('events.k8s.io', 'v1', 'events')!;
  const view = apiFor(api, v1);
  const e = await view.get(v1, 'default', 'e1');
  assert.equal(e.apiVersion, 'events.k8s.io/v1');
  assert.deepEqual(e.regarding, { kind: 'Pod', name: 'p', namespace: 'default' });
  assert.equal(e.note, 'hi');
  assert.equal(e.deprecatedCount, 2);
  assert.deepEqual(e.deprecatedSource, { component: 'kubelet' });
  await view.create(v1, 'default', { metadata: { name: 'e2' }, regarding: { kind: 'Node', name: 'n' }, note: 'new', reason: 'X', type: 'Warning', reportingController: 'me', reportingInstance: 'me-1', action: 'Do' });
  const stored = await api.get(core, 'default', 'e2');
  assert.equal(stored.message, 'new');
  assert.equal(stored.reportingComponent, 'me');
  assert.deepEqual(stored.involvedObject, { kind: 'Node', name: 'n' });
  const list = await view.list(v1, 'default');
  assert.deepEqual(list.items.map((i) => i.apiVersion), ['events.k8s.io/v1', 'events.k8s.io/v1']);
});

test('the scale subresource reads and writes the parent\'s replicas', async () => {
  const api = await server();
  const def = api.resource('deployments.apps');
  await api.create(def, 'default', { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web', tier: 'fe' } }, template: template({ app: 'web', tier: 'fe' }) } });
  const s = await serveScale(api, def, 'default', 'web', 'GET', undefined, undefined, {});
  assert.equal(s.kind, 'Scale');
  assert.equal(s.apiVersion, 'autoscaling/v1');
  assert.deepEqual(s.spec, { replicas: 2 });
  assert.deepEqual(s.status, { replicas: 0, selector: 'app=web,tier=fe' });
  const after = await serveScale(api, def, 'default', 'web', 'PATCH', { spec: { replicas: 5 } }, 'merge', {});
  assert.equal(after.spec.replicas, 5);
  const d = await api.get(def, 'default', 'web');
  assert.equal(d.spec.replicas, 5);
  assert.equal(d.metadata.generation, 2);
  await assert.rejects(
    serveScale(api, def, 'default', 'web', 'PUT', { metadata: { name: 'web', resourceVersion: '1' }, spec: { replicas: 1 } }, undefined, {}),
    (e: ApiError) => e.code === 409 && e.message === 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  await rejects422(
    serveScale(api, def, 'default', 'web', 'PATCH', { spec: { replicas: -1 } }, 'merge', {}),
    'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
  const rc = api.resource('replicationcontrollers');
  await api.create(rc, 'default', { metadata: { name: 'rc' }, spec: { template: template({ app: 'rc' }) } });
  assert.equal((await serveScale(api, rc, 'default', 'rc', 'GET', undefined, undefined, {})).status.selector, 'app=rc');
});

test('PDB, Ingress, NetworkPolicy, EndpointSlice, StorageClass: defaults and messages', async () => {
  const api = await server();
  const pdb = await api.create(api.resource('poddisruptionbudgets.policy'), 'default', { metadata: { name: 'p' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
  assert.deepEqual(pdb.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  await rejects422(
    api.create(api.resource('poddisruptionbudgets.policy'), 'default', { metadata: { name: 'bad' }, spec: { minAvailable: '120%' } }),
    'PodDisruptionBudget.policy "bad" is invalid: spec.minAvailable: Invalid value: "120%": must not be greater than 100%',
  );
  await rejects422(
    api.create(api.resource('ingresses.networking.k8s.io'), 'default', {
      metadata: { name: 'bad' },
      spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    }),
    'Ingress.networking.k8s.io "bad" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
  );
  const np = await api.create(api.resource('networkpolicies.networking.k8s.io'), 'default', { metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } });
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].protocol, 'TCP');
  await rejects422(
    api.create(api.resource('endpointslices.discovery.k8s.io'), 'default', { metadata: { name: 'bad' }, addressType: 'IPv5', endpoints: [] }),
    'EndpointSlice.discovery.k8s.io "bad" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
  );
  const sc = await api.create(api.resource('storageclasses.storage.k8s.io'), undefined, { metadata: { name: 'fast' }, provisioner: 'example.com/fast', parameters: { a: 'b' } });
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  await rejects422(
    api.update(api.resource('storageclasses.storage.k8s.io'), undefined, 'fast', { ...sc, parameters: { a: 'c' } }),
    'StorageClass.storage.k8s.io "fast" is invalid: parameters: Forbidden: updates to parameters are forbidden.',
  );
  await rejects422(api.create(api.resource('storageclasses.storage.k8s.io'), undefined, { metadata: { name: 'x' } }), 'StorageClass.storage.k8s.io "x" is invalid: provisioner: Required value');
});

test('server-side apply through a converted version: applied in the served form, stored once', async () => {
  const api = await server();
  const v1 = api.registry.lookup('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  const v2 = api.registry.lookup('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  const view = apiFor(api, v1);
  const cfg = (pct: number) => ({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 4, targetCPUUtilizationPercentage: pct } });
  const first = await view.apply(v1, 'default', 'web', cfg(70), { fieldManager: 'alice' });
  assert.equal(first.created, true);
  assert.equal(first.object.apiVersion, 'autoscaling/v1');
  assert.equal(first.object.spec.targetCPUUtilizationPercentage, 70);
  const entry = first.object.metadata.managedFields.find((m: any) => m.manager === 'alice');
  assert.equal(entry.apiVersion, 'autoscaling/v1', 'the entry names the version applied');
  assert.equal(entry.operation, 'Apply');
  assert.ok(entry.fieldsV1['f:spec']['f:targetCPUUtilizationPercentage']);
  assert.equal((await api.get(v2, 'default', 'web')).spec.metrics[0].resource.target.averageUtilization, 70);
  // Another manager changing alice's field conflicts; forcing takes it over.
  await assert.rejects(view.apply(v1, 'default', 'web', cfg(50), { fieldManager: 'bob' }), (e: unknown) => e instanceof ApiError && e.code === 409 && /conflict with "alice"/.test(e.message));
  const forced = await view.patch(v1, 'default', 'web', 'apply', cfg(50), { fieldManager: 'bob', force: true });
  assert.equal(forced.spec.targetCPUUtilizationPercentage, 50);
  // The same configuration again is a no-op: no new revision.
  const again = await view.apply(v1, 'default', 'web', cfg(50), { fieldManager: 'bob' });
  assert.equal(again.created, false);
  assert.equal(again.object.metadata.resourceVersion, forced.metadata.resourceVersion);

  const events = api.registry.lookup('events.k8s.io', 'v1', 'events')!;
  const ev = await apiFor(api, events).apply(events, 'default', 'e1', { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'me', reportingInstance: 'me-1', action: 'Test', reason: 'Tested', note: 'applied', type: 'Normal', regarding: { kind: 'Pod', name: 'p', namespace: 'default' } }, { fieldManager: 'me' });
  assert.equal(ev.created, true);
  assert.equal(ev.object.note, 'applied');
  assert.equal((await api.get(api.resource('events'), 'default', 'e1')).message, 'applied', 'stored as a core/v1 Event');
});
