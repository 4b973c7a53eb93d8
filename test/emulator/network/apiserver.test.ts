// kube-apiserver behind the `kubernetes` Service, as pods reach it (network/apiserver.ts): request
// attributes as requestinfo.go parses them, the 403 texts responsewriters.Forbidden writes, and
// wget/curl from a pod's shell to https://kubernetes.default.svc; and requests pods serve counted
// in metrics.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { authenticate, forbiddenStatus, requestInfo } from '../../../src/emulator/network/apiserver.ts';
import type { HttpRequest } from '../../../src/emulator/runtime/contracts.ts';

const anonymous = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

test('requestInfo: verbs, namespaces, names and subresources as kube-apiserver reads them', () => {
  const pick = (m: string, p: string) => {
    const i = requestInfo(m, p);
    return [i.isResourceRequest, i.verb, i.apiGroup, i.namespace, i.resource, i.subresource, i.name].join('|');
  };
  assert.equal(pick('GET', '/api'), 'false|get|||||');
  assert.equal(pick('GET', '/api/v1/namespaces/default/pods'), 'true|list||default|pods||');
  assert.equal(pick('GET', '/api/v1/namespaces/default/pods?watch=true'), 'true|watch||default|pods||');
  assert.equal(pick('GET', '/api/v1/namespaces/default/pods/web/log'), 'true|get||default|pods|log|web');
  assert.equal(pick('DELETE', '/apis/apps/v1/namespaces/x/deployments'), 'true|deletecollection|apps|x|deployments||');
  assert.equal(pick('POST', '/api/v1/namespaces'), 'true|create|||namespaces||');
  assert.equal(pick('GET', '/api/v1/namespaces/kube-system'), 'true|get||kube-system|namespaces||kube-system');
  assert.equal(pick('PUT', '/api/v1/namespaces/x/finalize'), 'true|update||x|namespaces|finalize|x');
  assert.equal(pick('GET', '/api/v1/nodes'), 'true|list|||nodes||');
});

test('forbidden texts: a path, a namespaced list, a named object at the cluster scope', () => {
  assert.deepEqual(forbiddenStatus(anonymous, requestInfo('GET', '/api')), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'forbidden: User "system:anonymous" cannot get path "/api"',
    reason: 'Forbidden',
    details: {},
    code: 403,
  });
  const sa = { name: 'system:serviceaccount:default:default', groups: ['system:authenticated'] };
  assert.equal(
    (forbiddenStatus(sa, requestInfo('GET', '/api/v1/namespaces/default/pods')) as Obj).message,
    'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"',
  );
  const named = forbiddenStatus(sa, requestInfo('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale')) as Obj;
  assert.equal(named.message, 'deployments.apps "web" is forbidden: User "system:serviceaccount:default:default" cannot get resource "deployments/scale" in API group "apps" in the namespace "default"');
  assert.deepEqual(named.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal((forbiddenStatus(sa, requestInfo('GET', '/api/v1/nodes')) as Obj).message, 'nodes is forbidden: User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope');
});

test('authenticate: anonymous, the admin token, a service-account token of the issuer, anything else 401', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  const jwt = (claims: Obj) => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const iss = 'https://kubernetes.default.svc.cluster.local';
  const req = (auth?: string): HttpRequest => ({ method: 'GET', path: '/api', headers: auth ? { Authorization: auth } : {}, body: Buffer.alloc(0), remoteIP: '10.244.0.2' });
  assert.deepEqual(authenticate(req(), 'admin-token', now), anonymous);
  assert.equal(authenticate(req('Bearer admin-token'), 'admin-token', now), 'admin');
  assert.deepEqual(authenticate(req(`Bearer ${jwt({ iss, aud: [iss], sub: 'system:serviceaccount:ns1:robot', exp: now / 1000 + 60 })}`), 'admin-token', now), {
    name: 'system:serviceaccount:ns1:robot',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'],
  });
  assert.equal(authenticate(req(`Bearer ${jwt({ iss, aud: [iss], sub: 'system:serviceaccount:ns1:robot', exp: now / 1000 - 1 })}`), 'admin-token', now), undefined);
  assert.equal(authenticate(req('Bearer nonsense'), 'admin-token', now), undefined);
});

/** A pod running `sleep 3600`, or with command null its image's own program. */
async function shellPod(c: Cluster, name: string, image: string, command: string[] | null = ['sleep', '3600']): Promise<void> {
  const labels = { app: name };
  await c.api.create(c.api.resource('pods'), 'default', { metadata: { name, labels }, spec: { containers: [{ name: 'sh', image, ...(command ? { command } : {}) }] } });
  for (let i = 0; i < 30; i++) {
    await c.advanceClock(1_000);
    const p = await c.api.get(c.api.resource('pods'), 'default', name);
    if (p.status?.containerStatuses?.[0]?.state?.running) return;
  }
  assert.fail(`${name} never ran`);
}

async function run(c: Cluster, pod: string, script: string): Promise<{ code: number; out: string; err: string }> {
  const node = (await c.api.get(c.api.resource('pods'), 'default', pod)).spec.nodeName;
  let out = '';
  let err = '';
  const code = await c.kubelets.get(node)!.exec('default', pod, 'sh', ['sh', '-c', script], { stdout: (d) => (out += d), stderr: (d) => (err += d) });
  return { code, out, err };
}

test('from a pod: https://kubernetes.default.svc answers /version; /api needs a token (403 for anonymous, discovery with the pod token); resources are RBAC-forbidden', async () => {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:00Z') }) });
  try {
    await shellPod(c, 'client', 'curlimages/curl');
    let r = await run(c, 'client', 'curl -sk https://kubernetes.default.svc/version');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).gitVersion, 'v1.32.0');
    r = await run(c, 'client', 'wget -qO- https://kubernetes.default.svc/version');
    assert.equal(JSON.parse(r.out).gitVersion, 'v1.32.0', r.err);
    r = await run(c, 'client', 'curl -sk https://10.96.0.1/api');
    assert.equal(JSON.parse(r.out).message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    const token = 'Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)';
    r = await run(c, 'client', `curl -sk -H "${token}" https://kubernetes.default.svc.cluster.local/api`);
    assert.equal(JSON.parse(r.out).kind, 'APIVersions', r.out);
    r = await run(c, 'client', `curl -sk -H "${token}" https://kubernetes/api/v1/namespaces/default/pods`);
    const denied = JSON.parse(r.out);
    assert.equal(denied.code, 403);
    assert.equal(denied.message, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
    r = await run(c, 'client', 'curl -sk -H "Authorization: Bearer wrong" https://kubernetes/version');
    assert.equal(JSON.parse(r.out).reason, 'Unauthorized');
  } finally {
    await c.stop();
  }
});

test('requests pods serve through a Service or by pod IP count in metrics; the pod they come from does not', async () => {
  const c = await createCluster({ nodes: 1, noHttp: true, clock: new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:00Z') }) });
  try {
    await shellPod(c, 'web', 'nginx', null);
    await shellPod(c, 'client', 'busybox');
    await c.api.create(c.api.resource('services'), 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    await c.advanceClock(2_000);
    const webIP: string = (await c.api.get(c.api.resource('pods'), 'default', 'web')).status.podIP;
    const clientIP: string = (await c.api.get(c.api.resource('pods'), 'default', 'client')).status.podIP;
    const served: string[] = [];
    const record = c.metrics.recordRequest.bind(c.metrics);
    c.metrics.recordRequest = (ip: string) => {
      served.push(ip);
      record(ip);
    };
    const r = await run(c, 'client', `wget -qO- http://${webIP}/ >/dev/null && wget -qO- http://web/ >/dev/null && wget -qO- http://web.default.svc.cluster.local/ >/dev/null && echo ok`);
    assert.equal(r.out.trim(), 'ok', r.err);
    assert.deepEqual(served, [webIP, webIP, webIP]);
    assert.ok(!served.includes(clientIP));
    // The host's requests (port-forward) are counted where they enter, not by the network.
    await c.network.requestFromHost(`http://${webIP}/`);
    assert.equal(served.length, 3);
  } finally {
    await c.stop();
  }
});
