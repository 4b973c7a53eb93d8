// The Endpoints and EndpointSlice controllers (pkg/controller/endpoint, pkg/controller/endpointslice)
// against an in-process APIServer, with pods whose status is set directly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIServer } from '../../../src/emulator/api/apiserver.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import type { EmulatorClock } from '../../../src/emulator/clock.ts';
import { EndpointsController } from '../../../src/emulator/controllers/endpoints.ts';
import { EndpointSliceController } from '../../../src/emulator/controllers/endpointslice.ts';
import { apiServer, makePod, setPodStatus, settle, until } from './fixtures.ts';

async function withControllers(fn: (api: APIServer, clock: EmulatorClock) => Promise<void>, before?: (api: APIServer, clock: EmulatorClock) => Promise<void>): Promise<void> {
  const { api, clock } = await apiServer();
  await before?.(api, clock);
  const ep = new EndpointsController(api.as('kube-controller-manager'), clock);
  const es = new EndpointSliceController(api.as('kube-controller-manager'), clock);
  await ep.start();
  await es.start();
  try {
    await fn(api, clock);
  } finally {
    ep.stop();
    es.stop();
    clock.dispose();
  }
}

const svc = (name: string, spec: Obj, labels?: Obj) => ({ metadata: { name, ...(labels ? { labels } : {}) }, spec });
const endpoints = (api: APIServer, name: string, ns = 'default') => api.tryGet(api.resource('endpoints'), ns, name);
const slices = async (api: APIServer, name: string, ns = 'default') =>
  (await api.list(api.resource('endpointslices.discovery.k8s.io'), ns, { labelSelector: `kubernetes.io/service-name=${name}` })).items;
const ips = (subset: Obj | undefined, field: 'addresses' | 'notReadyAddresses') => (subset?.[field] ?? []).map((a: Obj) => a.ip);

test('Endpoints list ready pods in addresses and unready ones in notReadyAddresses, with nodeName, targetRef and the named port resolved', async () => {
  await withControllers(async (api, clock) => {
    const a = await makePod(api, clock, { name: 'web-a', ip: '10.244.1.2', node: 'minikube-m02', ports: [{ name: 'http', containerPort: 8080 }] });
    await makePod(api, clock, { name: 'web-b', ip: '10.244.2.3', node: 'minikube-m03', ready: false, ports: [{ name: 'http', containerPort: 8080 }] });
    await makePod(api, clock, { name: 'other', ip: '10.244.1.9', labels: { app: 'other' } });
    await api.create(api.resource('services'), 'default', svc('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }, { tier: 'front' }));
    await until(async () => !!(await endpoints(api, 'web')), 'Endpoints web');
    const ep = (await endpoints(api, 'web'))!;
    assert.equal(ep.subsets.length, 1);
    assert.deepEqual(ep.subsets[0].addresses, [{ ip: '10.244.1.2', nodeName: 'minikube-m02', targetRef: { kind: 'Pod', namespace: 'default', name: 'web-a', uid: a.metadata.uid } }]);
    assert.deepEqual(ips(ep.subsets[0], 'notReadyAddresses'), ['10.244.2.3']);
    assert.deepEqual(ep.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(ep.metadata.labels, { tier: 'front' });
    // The trigger time: the earliest change seen (the Service's creation, the pods' Ready transitions).
    assert.equal(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:00:00Z');

    // web-b becomes ready, web-a unready, then web-a goes.
    await clock.advance(5000);
    await setPodStatus(api, clock, 'default', 'web-b', { ready: true });
    await setPodStatus(api, clock, 'default', 'web-a', { ready: false });
    await until(async () => ips((await endpoints(api, 'web'))!.subsets[0], 'addresses').join() === '10.244.2.3', 'web-b ready');
    const after = (await endpoints(api, 'web'))!;
    assert.deepEqual(ips(after.subsets[0], 'notReadyAddresses'), ['10.244.1.2']);
    assert.equal(after.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:00:05Z');
    await api.delete(api.resource('pods'), 'default', 'web-a', { gracePeriodSeconds: 0 });
    await until(async () => !(await endpoints(api, 'web'))!.subsets[0].notReadyAddresses, 'web-a gone');

    // A Failed pod leaves; the Service selecting nothing has Endpoints without subsets.
    await setPodStatus(api, clock, 'default', 'web-b', { ready: false, phase: 'Failed' });
    await until(async () => !(await endpoints(api, 'web'))!.subsets, 'no subsets');
    // The Service deleted: its Endpoints go.
    await api.delete(api.resource('services'), 'default', 'web');
    await until(async () => !(await endpoints(api, 'web')), 'Endpoints deleted with the Service');
  });
});

test('publishNotReadyAddresses, pods whose ports do not match, and a label change move pods between Services', async () => {
  await withControllers(async (api, clock) => {
    await makePod(api, clock, { name: 'p1', ip: '10.244.0.5', ready: false });
    await makePod(api, clock, { name: 'p2', ip: '10.244.0.6', ports: [{ name: 'metrics', containerPort: 9090 }] });
    await api.create(api.resource('services'), 'default', svc('all', { selector: { app: 'web' }, publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 'http' }] }));
    await api.create(api.resource('services'), 'default', svc('blue', { selector: { color: 'blue' }, ports: [{ port: 80 }] }));
    await until(async () => !!(await endpoints(api, 'all'))?.subsets, 'all');
    // p2 has no port named http: not an endpoint of `all`; p1 is unready but published.
    assert.deepEqual(ips((await endpoints(api, 'all'))!.subsets[0], 'addresses'), ['10.244.0.5']);
    await until(async () => !!(await endpoints(api, 'blue')), 'blue');
    assert.equal((await endpoints(api, 'blue'))!.subsets, undefined);
    const p2 = await api.get(api.resource('pods'), 'default', 'p2');
    await api.update(api.resource('pods'), 'default', 'p2', { ...p2, metadata: { ...p2.metadata, labels: { color: 'blue' } } });
    await until(async () => ips((await endpoints(api, 'blue'))!.subsets?.[0], 'addresses').join() === '10.244.0.6', 'p2 joins blue');
  });
});

test('a Service without a selector keeps the Endpoints its user writes; a headless Service gets the headless label', async () => {
  await withControllers(async (api, clock) => {
    await api.create(api.resource('services'), 'default', svc('ext', { ports: [{ port: 80 }] }));
    await api.create(api.resource('endpoints'), 'default', { metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.168.49.100' }], ports: [{ port: 80 }] }] });
    await makePod(api, clock, { name: 'db-0', ip: '10.244.1.7', labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' });
    await api.create(api.resource('services'), 'default', svc('db', { clusterIP: 'None', selector: { app: 'db' } }));
    await until(async () => !!(await endpoints(api, 'db'))?.subsets, 'db');
    const db = (await endpoints(api, 'db'))!;
    assert.deepEqual(db.metadata.labels, { 'service.kubernetes.io/headless': '' });
    assert.equal(db.subsets[0].addresses[0].hostname, 'db-0');
    assert.equal(db.subsets[0].ports, undefined);
    await settle();
    assert.deepEqual(ips((await endpoints(api, 'ext'))!.subsets[0], 'addresses'), ['192.168.49.100']);
    assert.equal((await slices(api, 'ext')).length, 0, 'no slices for a Service without selector');
  });
});

test('EndpointSlices: labels, owner, conditions ready/serving/terminating, ports; a placeholder when nothing is selected', async () => {
  await withControllers(async (api, clock) => {
    const s = await api.create(api.resource('services'), 'default', svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] }, { tier: 'front' }));
    await until(async () => (await slices(api, 'web')).length === 1, 'placeholder');
    const [ph] = await slices(api, 'web');
    assert.match(ph.metadata.name, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(ph.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(ph.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: s.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(ph.addressType, 'IPv4');
    // Empty lists come back from protobuf storage as nil.
    assert.equal(ph.endpoints, null);
    assert.equal(ph.ports, null);

    const a = await makePod(api, clock, { name: 'web-a', ip: '10.244.1.2', node: 'minikube-m02' });
    await makePod(api, clock, { name: 'web-b', ip: '10.244.2.3', node: 'minikube-m03', ready: false });
    await until(async () => ((await slices(api, 'web'))[0]?.endpoints ?? []).length === 2, 'two endpoints');
    const all = await slices(api, 'web');
    assert.equal(all.length, 1);
    assert.equal(all[0].metadata.name, ph.metadata.name, 'the placeholder is reused');
    assert.deepEqual(all[0].ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
    const byIP = Object.fromEntries(all[0].endpoints.map((e: Obj) => [e.addresses[0], e]));
    assert.deepEqual(byIP['10.244.1.2'], {
      addresses: ['10.244.1.2'],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: 'Pod', namespace: 'default', name: 'web-a', uid: a.metadata.uid },
      nodeName: 'minikube-m02',
    });
    assert.deepEqual(byIP['10.244.2.3'].conditions, { ready: false, serving: false, terminating: false });
    assert.ok(all[0].metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']);

    // A terminating pod stays in the slice (serving, not ready, terminating) but leaves the Endpoints.
    const pods = api.resource('pods');
    const cur = await api.get(pods, 'default', 'web-a');
    await api.update(pods, 'default', 'web-a', { ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/hold'] } });
    await api.delete(pods, 'default', 'web-a');
    await until(async () => (await slices(api, 'web'))[0].endpoints.some((e: Obj) => e.conditions.terminating), 'terminating');
    const t = (await slices(api, 'web'))[0].endpoints.find((e: Obj) => e.addresses[0] === '10.244.1.2');
    assert.deepEqual(t.conditions, { ready: false, serving: true, terminating: true });
    await until(async () => ips((await endpoints(api, 'web'))!.subsets?.[0], 'addresses').length === 0, 'out of Endpoints');
  });
});

test('EndpointSlices hold at most 100 endpoints each: 250 pods make three slices, and shrink back', async () => {
  // The pods exist when the controllers start (one sync each), then go one by one.
  const before = async (api: APIServer, clock: EmulatorClock) => {
    await api.create(api.resource('services'), 'default', svc('big', { selector: { app: 'big' }, ports: [{ port: 80 }] }));
    for (let i = 0; i < 250; i++) await makePod(api, clock, { name: `big-${i}`, ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 2}`, labels: { app: 'big' } });
  };
  await withControllers(async (api) => {
    await until(async () => (await slices(api, 'big')).reduce((n: number, s: Obj) => n + (s.endpoints ?? []).length, 0) === 250, '250 endpoints');
    const sizes = (await slices(api, 'big')).map((s: Obj) => s.endpoints.length).sort((x: number, y: number) => y - x);
    assert.deepEqual(sizes, [100, 100, 50]);
    const seen = new Set((await slices(api, 'big')).flatMap((s: Obj) => s.endpoints.map((e: Obj) => e.addresses[0])));
    assert.equal(seen.size, 250, 'each pod once');
    for (let i = 0; i < 250; i++) await api.delete(api.resource('pods'), 'default', `big-${i}`, { gracePeriodSeconds: 0 });
    await until(async () => {
      const all = await slices(api, 'big');
      return all.length === 1 && (all[0].endpoints ?? []).length === 0;
    }, 'one empty placeholder left');
    // The Endpoints object agrees.
    assert.equal((await endpoints(api, 'big'))!.subsets, undefined);
  }, before);
});

test('EndpointSlices: pods whose named port differs get a slice per port list; a slice deleted by hand comes back', async () => {
  await withControllers(async (api, clock) => {
    await makePod(api, clock, { name: 'v1', ip: '10.244.1.2', ports: [{ name: 'http', containerPort: 8080 }] });
    await makePod(api, clock, { name: 'v2', ip: '10.244.1.3', ports: [{ name: 'http', containerPort: 9090 }] });
    await api.create(api.resource('services'), 'default', svc('web', { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] }));
    await until(async () => (await slices(api, 'web')).length === 2, 'two slices');
    const byPort = Object.fromEntries((await slices(api, 'web')).map((s: Obj) => [s.ports[0].port, s.endpoints.map((e: Obj) => e.addresses[0])]));
    assert.deepEqual(byPort, { 8080: ['10.244.1.2'], 9090: ['10.244.1.3'] });
    // Endpoints: one subset per port.
    const ep = (await endpoints(api, 'web'))!;
    assert.deepEqual(
      ep.subsets.map((s: Obj) => [ips(s, 'addresses'), s.ports]),
      [
        [['10.244.1.2'], [{ name: 'web', port: 8080, protocol: 'TCP' }]],
        [['10.244.1.3'], [{ name: 'web', port: 9090, protocol: 'TCP' }]],
      ],
    );
    const gone = (await slices(api, 'web')).find((s: Obj) => s.ports[0].port === 9090)!;
    await api.delete(api.resource('endpointslices.discovery.k8s.io'), 'default', gone.metadata.name);
    await until(async () => {
      const all = await slices(api, 'web');
      return all.length === 2 && all.some((s: Obj) => s.ports[0].port === 9090 && s.metadata.name !== gone.metadata.name);
    }, 'the slice made again');
    await settle();
    assert.equal((await slices(api, 'web')).length, 2, 'no duplicates');
  });
});

test('EndpointSlices grow one pod at a time: full slices stay, new ones are made (--max-endpoints-per-slice=2)', async () => {
  const { api, clock } = await apiServer();
  const es = new EndpointSliceController(api.as('kube-controller-manager'), clock, 2);
  await es.start();
  try {
    await api.create(api.resource('services'), 'default', svc('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
    for (let i = 0; i < 5; i++) {
      await makePod(api, clock, { name: `web-${i}`, ip: `10.244.1.${i + 2}` });
      await until(async () => (await slices(api, 'web')).reduce((n: number, s: Obj) => n + (s.endpoints ?? []).length, 0) === i + 1, `${i + 1} endpoints`);
    }
    const sizes = (await slices(api, 'web')).map((s: Obj) => s.endpoints.length).sort();
    assert.deepEqual(sizes, [1, 2, 2]);
    // One pod of a full slice goes: its slice keeps the other; nothing moves.
    await api.delete(api.resource('pods'), 'default', 'web-0', { gracePeriodSeconds: 0 });
    await until(async () => (await slices(api, 'web')).reduce((n: number, s: Obj) => n + (s.endpoints ?? []).length, 0) === 4, '4 endpoints');
    assert.deepEqual((await slices(api, 'web')).map((s: Obj) => s.endpoints.length).sort(), [1, 1, 2]);
  } finally {
    es.stop();
    clock.dispose();
  }
});
