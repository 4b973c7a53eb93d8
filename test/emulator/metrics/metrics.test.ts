// metrics.k8s.io/v1beta1 as metrics-server serves it (kubernetes-sigs/metrics-server pkg/api), on
// virtual time: Running pods only, usage from the image and the requests served, capped by limits,
// stable within a 15 s scrape window; discovery through the server's aggregated APIs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { ApiHttpServer } from '../../../src/emulator/api/http/server.ts';
import { MetricsServer } from '../../../src/emulator/metrics/metrics.ts';
import { parseQuantity } from '../../../src/emulator/api/quantity.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

let clock: EmulatorClock;
let api: APIServer;
let metrics: MetricsServer;
let srv: ApiHttpServer;

const get = async (path: string, accept = 'application/json') => {
  const r = await fetch(`${srv.httpUrl}${path}`, { headers: { Authorization: 'Bearer t', Accept: accept } });
  return { status: r.status, body: await r.json(), type: r.headers.get('content-type') };
};

async function runningPod(ns: string, name: string, image: string, node: string, ip: string, extra: Obj = {}): Promise<void> {
  const pods = api.resource('pods');
  await api.create(pods, ns, { metadata: { name, labels: { app: name } }, spec: { nodeName: node, containers: [{ name: 'main', image, ...extra }] } });
  const p = await api.get(pods, ns, name);
  await api.update(pods, ns, name, {
    ...p,
    status: { phase: 'Running', podIP: ip, containerStatuses: [{ name: 'main', ready: true, restartCount: 0, image, imageID: '', state: { running: { startedAt: '2025-01-01T00:00:00Z' } } }] },
  }, { subresource: 'status' });
}

before(async () => {
  clock = new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:07Z') });
  api = new APIServer(clock);
  for (const ns of ['default', 'other']) await api.create(api.resource('namespaces'), undefined, { metadata: { name: ns } });
  const nodes = api.resource('nodes');
  for (const [name, cp] of [['kube-emulator', true], ['kube-emulator-m02', false]] as const) {
    await api.create(nodes, undefined, { metadata: { name, labels: cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} } });
    const n = await api.get(nodes, undefined, name);
    await api.update(nodes, undefined, name, { ...n, status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '2', memory: '4Gi' } } }, { subresource: 'status' });
  }
  await runningPod('default', 'web', 'nginx:1.27', 'kube-emulator-m02', '10.244.1.2');
  await runningPod('default', 'capped', 'registry.k8s.io/hpa-example', 'kube-emulator-m02', '10.244.1.3', { resources: { limits: { cpu: '200m', memory: '8Mi' } } });
  await runningPod('other', 'db', 'redis', 'kube-emulator', '10.244.0.2');
  await api.create(api.resource('pods'), 'default', { metadata: { name: 'pending' }, spec: { containers: [{ name: 'main', image: 'nginx' }] } });
  metrics = new MetricsServer(api, clock);
  srv = new ApiHttpServer(api, { token: 't', metrics: { defs: metrics.defs, serve: metrics.serve } });
  await srv.listen();
});

after(async () => {
  await srv.close();
  clock.dispose();
});

test('discovery: metrics.k8s.io/v1beta1 with nodes and pods (get, list), legacy and aggregated', async () => {
  const list = await get('/apis/metrics.k8s.io/v1beta1');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body, {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'metrics.k8s.io/v1beta1',
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  });
  const groups = await get('/apis');
  assert.ok(groups.body.groups.some((g: Obj) => g.name === 'metrics.k8s.io' && g.preferredVersion.groupVersion === 'metrics.k8s.io/v1beta1'));
  const agg = await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  const m = agg.body.items.find((i: Obj) => i.metadata.name === 'metrics.k8s.io');
  assert.deepEqual(m.versions[0].resources.map((r: Obj) => [r.resource, r.responseKind.kind, r.scope]), [
    ['nodes', 'NodeMetrics', 'Cluster'],
    ['pods', 'PodMetrics', 'Namespaced'],
  ]);
});

test('PodMetrics: Running pods only, sorted by namespace and name, nanocores and Ki, window 15s at the last scrape', async () => {
  const all = await get('/apis/metrics.k8s.io/v1beta1/pods');
  assert.equal(all.body.kind, 'PodMetricsList');
  assert.deepEqual(all.body.items.map((i: Obj) => `${i.metadata.namespace}/${i.metadata.name}`), ['default/capped', 'default/web', 'other/db']);
  const web = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web')).body;
  assert.equal(web.kind, 'PodMetrics');
  assert.equal(web.timestamp, '2025-01-01T00:00:00Z');
  assert.equal(web.window, '15s');
  assert.deepEqual(web.metadata.labels, { app: 'web' });
  assert.equal(web.containers[0].name, 'main');
  assert.match(web.containers[0].usage.cpu, /^\d+n$/);
  assert.match(web.containers[0].usage.memory, /^\d+Ki$/);
  const cpuM = parseQuantity(web.containers[0].usage.cpu) * 1000;
  const memMi = parseQuantity(web.containers[0].usage.memory) / 2 ** 20;
  assert.ok(cpuM >= 1 && cpuM <= 3, `idle nginx cpu ${cpuM}m`);
  assert.ok(memMi >= 3 && memMi <= 4.5, `idle nginx memory ${memMi}Mi`);
  // The same scrape reads the same; labelSelector filters.
  const again = (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web')).body;
  assert.deepEqual(again.containers, web.containers);
  const sel = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb');
  assert.deepEqual(sel.body.items.map((i: Obj) => i.metadata.name), ['web']);
});

test('PodMetrics: not found as metrics-server words it', async () => {
  const pending = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending');
  assert.equal(pending.status, 404);
  assert.equal(pending.body.message, 'podmetrics.metrics.k8s.io "default/pending" not found');
  const missing = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nothere');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'pods "nothere" not found');
});

test('requests served raise cpu at the next scrape; limits cap usage', async () => {
  const cpuOf = async (ns: string, name: string) => parseQuantity((await get(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/${name}`)).body.containers[0].usage.cpu) * 1000;
  const before = await cpuOf('default', 'web');
  // 50 requests per second for 30 s: the last full window is busy.
  for (let s = 0; s < 30; s++) {
    for (let i = 0; i < 50; i++) {
      metrics.recordRequest('10.244.1.2');
      metrics.recordRequest('10.244.1.3');
    }
    await clock.advance(1000);
  }
  const busy = await cpuOf('default', 'web');
  assert.ok(busy > before + 15, `busy nginx ${busy}m vs idle ${before}m`);
  const capped = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/capped');
  assert.equal(capped.body.containers[0].usage.cpu, '200000000n');
  assert.ok(parseQuantity(capped.body.containers[0].usage.memory) <= 8 * 2 ** 20);
  // A quiet window later the load is gone.
  await clock.advance(30_000);
  assert.ok((await cpuOf('default', 'web')) < 4);
});

test('NodeMetrics: Ready nodes, their pods plus the system share; not found', async () => {
  const list = await get('/apis/metrics.k8s.io/v1beta1/nodes');
  assert.equal(list.body.kind, 'NodeMetricsList');
  assert.deepEqual(list.body.items.map((i: Obj) => i.metadata.name), ['kube-emulator', 'kube-emulator-m02']);
  const cp = list.body.items[0];
  const cpuM = parseQuantity(cp.usage.cpu) * 1000;
  assert.ok(cpuM > 100 && cpuM < 300, `control plane ${cpuM}m`);
  const one = await get('/apis/metrics.k8s.io/v1beta1/nodes/kube-emulator-m02');
  assert.equal(one.body.kind, 'NodeMetrics');
  assert.equal(one.body.window, '15s');
  const nf = await get('/apis/metrics.k8s.io/v1beta1/nodes/nothere');
  assert.equal(nf.status, 404);
  assert.equal(nf.body.message, 'nodes "nothere" not found');
  // A node that stops answering (not Ready) has no metrics.
  const nodes = api.resource('nodes');
  const n = await api.get(nodes, undefined, 'kube-emulator-m02');
  await api.update(nodes, undefined, 'kube-emulator-m02', { ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'Unknown' }] } }, { subresource: 'status' });
  const gone = await get('/apis/metrics.k8s.io/v1beta1/nodes/kube-emulator-m02');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.message, 'nodemetrics.metrics.k8s.io "kube-emulator-m02" not found');
  // Nor its pods, though the API still says Running.
  const pods = await get('/apis/metrics.k8s.io/v1beta1/pods');
  assert.deepEqual(pods.body.items.map((i: Obj) => i.metadata.name), ['db']);
  const web = await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web');
  assert.equal(web.body.message, 'podmetrics.metrics.k8s.io "default/web" not found');
});
