// ClusterNetwork: kube-proxy's routing (ClusterIP, NodePort, round-robin, session affinity, no
// endpoints, traffic policies) and the cluster DNS, over the real Endpoint(Slice) controllers with
// fake pods (status set directly) and fake servers registered with listen().

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIServer } from '../../../src/emulator/api/apiserver.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import type { EmulatorClock } from '../../../src/emulator/clock.ts';
import { EndpointsController } from '../../../src/emulator/controllers/endpoints.ts';
import { EndpointSliceController } from '../../../src/emulator/controllers/endpointslice.ts';
import { ClusterNetwork } from '../../../src/emulator/network/index.ts';
import { NetError, type HttpHandler } from '../../../src/emulator/runtime/contracts.ts';
import { apiServer, makePod, setPodStatus, until } from './fixtures.ts';

interface Env {
  api: APIServer;
  clock: EmulatorClock;
  net: ClusterNetwork;
}

async function withNetwork(fn: (e: Env) => Promise<void>): Promise<void> {
  const { api, clock } = await apiServer();
  const kcm = api.as('kube-controller-manager');
  const ep = new EndpointsController(kcm, clock);
  const es = new EndpointSliceController(kcm, clock);
  const net = new ClusterNetwork(api.as('kube-proxy'), clock);
  for (const [i, name] of ['minikube', 'minikube-m02', 'minikube-m03'].entries()) {
    const nodes = api.resource('nodes');
    const n = await api.create(nodes, undefined, { metadata: { name } });
    await api.update(nodes, undefined, name, { ...n, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 2}` }, { type: 'Hostname', address: name }] } }, { subresource: 'status' });
  }
  await ep.start();
  await es.start();
  await net.start();
  try {
    await fn({ api, clock, net });
  } finally {
    net.stop();
    ep.stop();
    es.stop();
    clock.dispose();
  }
}

/** A server that answers with its pod name and the caller's address. */
const server = (name: string): HttpHandler => async (req) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${name} ${req.remoteIP} ${req.method} ${req.path}`) });

async function pods(e: Env, n: number, o: { app?: string; port?: number; node?: (i: number) => string } = {}): Promise<string[]> {
  const ips: string[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `10.244.${i + 1}.${10 + i}`;
    const name = `${o.app ?? 'web'}-${i}`;
    await makePod(e.api, e.clock, { name, ip, labels: { app: o.app ?? 'web' }, node: o.node?.(i) ?? ['minikube', 'minikube-m02', 'minikube-m03'][i % 3], ports: [{ name: 'http', containerPort: o.port ?? 8080 }] });
    e.net.listen(ip, o.port ?? 8080, server(name));
    ips.push(ip);
  }
  return ips;
}

async function service(e: Env, name: string, spec: Obj, ns = 'default'): Promise<Obj> {
  return e.api.create(e.api.resource('services'), ns, { metadata: { name }, spec });
}

/** Waits until kube-proxy's view of the Service has n endpoints. */
async function ready(e: Env, svc: Obj, n: number): Promise<void> {
  const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
  await until(() => e.net.endpointsOf(key, svc.spec.ports[0]).length === n, `${key} has ${n} endpoints`);
}

const text = async (p: Promise<{ body: Buffer }>) => (await p).body.toString();
const from = { ip: '10.244.0.99', namespace: 'default' };

async function refused(p: Promise<unknown>, code: NetError['code']): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof NetError && err.code === code);
}

test('a ClusterIP Service spreads requests round-robin over 3 ready pods, by IP and by DNS name', async () => {
  await withNetwork(async (e) => {
    await pods(e, 3);
    const s = await service(e, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    await ready(e, s, 3);
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push((await text(e.net.request(from, `http://${s.spec.clusterIP}/index.html`))).split(' ')[0]);
    assert.deepEqual(seen, ['web-0', 'web-1', 'web-2', 'web-0', 'web-1', 'web-2']);
    for (const name of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local', 'web.default.svc.cluster.local.']) {
      assert.equal(e.net.resolve(name, 'default'), s.spec.clusterIP, name);
      assert.match(await text(e.net.request(from, `http://${name}:80/x?y=1`)), /^web-\d 10\.244\.0\.99 GET \/x\?y=1$/);
    }
    // From another namespace, the short name is not found; the qualified one is.
    assert.equal(e.net.resolve('web', 'other'), undefined);
    assert.equal(e.net.resolve('web.default', 'other'), s.spec.clusterIP);
    await refused(e.net.request({ ip: '10.244.0.99', namespace: 'other' }, 'http://web/'), 'ENOTFOUND');
    // The port the Service does not have leads nowhere.
    await refused(e.net.request(from, `http://${s.spec.clusterIP}:81/`), 'ETIMEDOUT');
  });
});

test('only ready endpoints serve; a Service with none refuses the connection, and recovers', async () => {
  await withNetwork(async (e) => {
    const [ip0] = await pods(e, 2);
    const s = await service(e, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    await ready(e, s, 2);
    await setPodStatus(e.api, e.clock, 'default', 'web-1', { ready: false });
    await ready(e, s, 1);
    for (let i = 0; i < 3; i++) assert.match(await text(e.net.request(from, 'http://web/')), /^web-0 /);
    await setPodStatus(e.api, e.clock, 'default', 'web-0', { ready: false });
    await ready(e, s, 0);
    await refused(e.net.request(from, 'http://web/'), 'ECONNREFUSED');
    // The pod itself still answers on its own IP.
    assert.match(await text(e.net.request(from, `http://${ip0}:8080/`)), /^web-0 /);
    await setPodStatus(e.api, e.clock, 'default', 'web-1', { ready: true });
    await ready(e, s, 1);
    assert.match(await text(e.net.request(from, 'http://web/')), /^web-1 /);
    // A Service that selects nothing at all: refused too.
    await service(e, 'empty', { selector: { app: 'none' }, ports: [{ port: 80 }] });
    await until(() => !!e.net.resolve('empty', 'default'), 'empty in DNS');
    await refused(e.net.request(from, 'http://empty/'), 'ECONNREFUSED');
  });
});

test('pod IPs: a listener answers, a known pod without one refuses, an unknown IP is unreachable', async () => {
  await withNetwork(async (e) => {
    const [ip] = await pods(e, 1);
    assert.match(await text(e.net.request(from, `http://${ip}:8080/`)), /^web-0 /);
    await refused(e.net.request(from, `http://${ip}:9999/`), 'ECONNREFUSED');
    await refused(e.net.request(from, 'http://10.244.7.7:80/'), 'EHOSTUNREACH');
    // A server registered with listen() makes its IP known even before the pod's status says so.
    const stop = e.net.listen('10.244.9.9', 80, server('early'));
    await refused(e.net.request(from, 'http://10.244.9.9:81/'), 'ECONNREFUSED');
    stop();
    await refused(e.net.request(from, 'http://10.244.9.9:80/'), 'EHOSTUNREACH');
    // localhost inside a pod is the pod itself.
    assert.match(await text(e.net.request({ ip, namespace: 'default' }, 'http://localhost:8080/')), /^web-0 10\.244\.1\.10 /);
    // Pod A records: dashed IPs in any namespace (pods insecure).
    assert.equal(e.net.resolve('10-244-1-10.default.pod.cluster.local', 'default'), '10.244.1.10');
    assert.equal(e.net.resolve('10-244-1-10.default.pod', 'other'), '10.244.1.10');
    assert.equal(e.net.resolve('10-244-1.default.pod.cluster.local', 'default'), undefined);
    assert.equal(e.net.resolve('nothing-here', 'default'), undefined);
    assert.equal(e.net.resolve('example.com', 'default'), undefined);
    assert.equal(e.net.resolve('host.minikube.internal', 'default'), '192.168.49.1');
  });
});

test('a NodePort Service answers on every node IP; Local external policy keeps to the node and the client address', async () => {
  await withNetwork(async (e) => {
    await pods(e, 2, { node: (i) => ['minikube-m02', 'minikube-m03'][i] });
    const s = await service(e, 'web', { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] });
    await ready(e, s, 2);
    const host = { ip: '192.168.49.1', namespace: 'default' };
    const seen = new Set<string>();
    for (const node of ['192.168.49.2', '192.168.49.3', '192.168.49.4']) {
      const [pod, remote] = (await text(e.net.request(host, `http://${node}:30080/`))).split(' ');
      seen.add(pod);
      assert.equal(remote, node, 'masqueraded to the node address');
    }
    assert.deepEqual([...seen].sort(), ['web-0', 'web-1']);
    // The ClusterIP works as well; a node port that no Service has is refused by the node.
    assert.match(await text(e.net.request(from, `http://${s.spec.clusterIP}/`)), /^web-\d /);
    await refused(e.net.request(host, 'http://192.168.49.2:30081/'), 'ECONNREFUSED');

    const svcs = e.api.resource('services');
    const cur = await e.api.get(svcs, 'default', 'web');
    await e.api.update(svcs, 'default', 'web', { ...cur, spec: { ...cur.spec, externalTrafficPolicy: 'Local' } });
    await until(async () => {
      try {
        return (await text(e.net.request(host, 'http://192.168.49.3:30080/'))).startsWith('web-0 192.168.49.1');
      } catch {
        return false;
      }
    }, 'Local policy');
    for (let i = 0; i < 3; i++) assert.equal(await text(e.net.request(host, 'http://192.168.49.4:30080/')), 'web-1 192.168.49.1 GET /');
    // No endpoint on the control-plane node: dropped.
    await refused(e.net.request(host, 'http://192.168.49.2:30080/'), 'ETIMEDOUT');
  });
});

test('sessionAffinity ClientIP pins each client to one pod until the timeout passes on the clock', async () => {
  await withNetwork(async (e) => {
    await pods(e, 3);
    const s = await service(e, 'web', {
      selector: { app: 'web' },
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      ports: [{ port: 80, targetPort: 8080 }],
    });
    await ready(e, s, 3);
    const who = async (ip: string) => (await text(e.net.request({ ip, namespace: 'default' }, 'http://web/'))).split(' ')[0];
    const a = await who('10.244.0.50');
    const b = await who('10.244.0.51');
    assert.notEqual(a, b, 'two clients, two pods (round-robin for new clients)');
    for (let i = 0; i < 5; i++) assert.equal(await who('10.244.0.50'), a);
    // Each connection refreshes the pin: 50 s apart three times is still sticky.
    for (let i = 0; i < 3; i++) {
      await e.clock.advance(50_000);
      assert.equal(await who('10.244.0.50'), a);
    }
    // 61 s of silence: the pin expires and round-robin goes on.
    await e.clock.advance(61_000);
    const next = await who('10.244.0.50');
    assert.notEqual(next, a);
    // A pinned pod that stops being ready: the client moves.
    const pinned = await who('10.244.0.51');
    await setPodStatus(e.api, e.clock, 'default', pinned, { ready: false });
    await ready(e, s, 2);
    assert.notEqual(await who('10.244.0.51'), pinned);
  });
});

test('the default affinity timeout is 10800 s', async () => {
  await withNetwork(async (e) => {
    await pods(e, 2);
    const s = await service(e, 'web', { selector: { app: 'web' }, sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 8080 }] });
    assert.equal(s.spec.sessionAffinityConfig.clientIP.timeoutSeconds, 10800);
    await ready(e, s, 2);
    const who = async () => (await text(e.net.request(from, 'http://web/'))).split(' ')[0];
    const a = await who();
    await e.clock.advance(10_799_000);
    assert.equal(await who(), a);
    await e.clock.advance(10_801_000);
    assert.notEqual(await who(), a);
  });
});

test('a headless Service has no VIP: DNS answers the ready pod IPs, rotating; hostnames of its pods resolve', async () => {
  await withNetwork(async (e) => {
    for (let i = 0; i < 3; i++) {
      await makePod(e.api, e.clock, { name: `db-${i}`, ip: `10.244.${i}.20`, labels: { app: 'db' }, hostname: `db-${i}`, subdomain: 'db', ready: i < 2 });
      e.net.listen(`10.244.${i}.20`, 5432, server(`db-${i}`));
    }
    const s = await service(e, 'db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] });
    assert.equal(s.spec.clusterIP, 'None');
    await until(() => e.net.resolveAll('db', 'default').length === 2, 'two ready pods in DNS');
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(e.net.resolve('db.default.svc.cluster.local', 'default')!);
    assert.deepEqual([...answers].sort(), ['10.244.0.20', '10.244.1.20'], 'not the unready db-2');
    // nslookup's whole answer: both records, each with its PTR name (the pod's hostname record).
    const all = e.net.lookup('db', 'default')!;
    assert.equal(all.name, 'db.default.svc.cluster.local');
    assert.deepEqual(
      all.addresses.map((ip, i) => [ip, all.ptrs?.[i]]).sort(),
      [['10.244.0.20', 'db-0.db.default.svc.cluster.local'], ['10.244.1.20', 'db-1.db.default.svc.cluster.local']],
    );
    assert.equal(e.net.resolve('db-1.db', 'default'), '10.244.1.20');
    assert.equal(e.net.resolve('db-1.db.default.svc.cluster.local', 'other'), '10.244.1.20');
    assert.equal(e.net.resolve('db-2.db', 'default'), undefined, 'not ready: no record');
    // Requests by name go straight to a pod.
    assert.match(await text(e.net.request(from, 'http://db-0.db:5432/')), /^db-0 /);
    assert.match(await text(e.net.request(from, 'http://db:5432/')), /^db-[01] /);
  });
});

test('ExternalName: a CNAME; a cluster name behind it is reachable, an outside one is not found', async () => {
  await withNetwork(async (e) => {
    await pods(e, 1);
    const web = await service(e, 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });
    await ready(e, web, 1);
    await service(e, 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }, 'other');
    await service(e, 'outside', { type: 'ExternalName', externalName: 'www.example.com' });
    await until(() => !!e.net.lookup('alias.other', 'default'), 'alias');
    assert.deepEqual(e.net.lookup('alias', 'other'), { name: 'alias.other.svc.cluster.local', cname: 'web.default.svc.cluster.local', addresses: [web.spec.clusterIP] });
    assert.match(await text(e.net.request({ ip: '10.244.0.99', namespace: 'other' }, 'http://alias/')), /^web-0 /);
    assert.deepEqual(e.net.lookup('outside', 'default'), { name: 'outside.default.svc.cluster.local', cname: 'www.example.com', addresses: [] });
    assert.equal(e.net.resolve('outside', 'default'), undefined);
    await refused(e.net.request(from, 'http://outside/'), 'ENOTFOUND');
  });
});

test('the kubernetes Service name resolves from every namespace; requests from the host come from 127.0.0.1', async () => {
  await withNetwork(async (e) => {
    await e.api.create(e.api.resource('services'), 'default', { metadata: { name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 8443 }] } });
    await until(() => e.net.resolve('kubernetes.default', 'other') === '10.96.0.1', 'kubernetes.default');
    assert.equal(e.net.resolve('kubernetes', 'default'), '10.96.0.1');
    assert.equal(e.net.resolve('kubernetes.default.svc', 'kube-system'), '10.96.0.1');
    const [ip] = await pods(e, 1);
    assert.equal(await text(e.net.requestFromHost(`http://${ip}:8080/`)), 'web-0 127.0.0.1 GET /');
    const d = e.net.dial({ ip: '127.0.0.1', namespace: 'default' }, ip, 8080);
    assert.equal(d.ip, ip);
    assert.equal(d.remoteIP, '127.0.0.1');
  });
});

test('a Service without a selector routes to the Endpoints written by hand', async () => {
  await withNetwork(async (e) => {
    e.net.listen('192.168.49.100', 9000, server('outside'));
    const s = await service(e, 'legacy', { ports: [{ name: 'api', port: 80, targetPort: 9000 }] });
    await e.api.create(e.api.resource('endpoints'), 'default', {
      metadata: { name: 'legacy' },
      subsets: [{ addresses: [{ ip: '192.168.49.100' }], ports: [{ name: 'api', port: 9000 }] }],
    });
    await ready(e, s, 1);
    assert.equal(await text(e.net.request(from, 'http://legacy/')), 'outside 10.244.0.99 GET /');
  });
});
