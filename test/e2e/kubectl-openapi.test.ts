// The real kubectl against /openapi/v3 with full schemas: explain, server-side field validation
// (--validate=strict|warn|false) and client-side apply's strategic merge patch built from the
// schemas' merge keys.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlServer, type Kubectl, type Served } from './helpers.ts';

let server: Served;
let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-openapi', 1, (s) => ({ server, dir, kubectl } = s));

function manifest(name: string, body: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, body);
  return f;
}

const typoPod = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: main
    image: nginx:1.27
    imagePullPolcy: Always
`;

test('kubectl explain pod.spec.containers prints the fields with their descriptions', async () => {
  const r = await kubectl('explain', 'pod.spec.containers');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^KIND:\s+Pod\nVERSION:\s+v1\n/);
  assert.match(r.stdout, /FIELD: containers <\[\]Container>/);
  assert.match(r.stdout, /DESCRIPTION:\n\s+List of containers belonging to the pod\./);
  assert.match(r.stdout, /\n {2}image\t<string>\n\s+Container image name\./);
  assert.match(r.stdout, /\n {2}name\t<string> -required-\n/);
  assert.match(r.stdout, /\n {2}ports\t<\[\]ContainerPort>\n/);
});

test('kubectl explain follows references and map values', async () => {
  const r = await kubectl('explain', 'pod.spec.containers.resources.limits');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /FIELD: limits <map\[string\]Quantity>/);
  const rec = await kubectl('explain', 'pods.spec', '--recursive');
  assert.equal(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /\n {4}imagePullPolicy\t<string>\n/);
  // A field whose schema is a reference shows the referenced type's description once.
  const spec = await kubectl('explain', 'pod.spec');
  assert.equal(spec.code, 0, spec.stderr);
  assert.equal(spec.stdout.split('PodSpec is a description of a pod.').length - 1, 1, spec.stdout.slice(0, 300));
});

test('kubectl explain deployment.spec.strategy (when apps/v1 is served)', async (t) => {
  const res = await kubectl('api-resources', '--api-group', 'apps', '-o', 'name');
  if (!res.stdout.split('\n').includes('deployments.apps')) return t.skip('deployments are not served yet');
  const r = await kubectl('explain', 'deployment.spec.strategy');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
  assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
  assert.match(r.stdout, /\n {2}rollingUpdate\t<RollingUpdateDeployment>\n/);
  assert.match(r.stdout, /\n {2}type\t<string>\n\s+Type of deployment\. Can be "Recreate" or "RollingUpdate"\./);
});

test('kubectl apply with an unknown field fails with the strict decoding error', async () => {
  const f = manifest('typo-strict', typoPod('typo-strict'));
  const r = await kubectl('apply', '-f', f);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `Error from server (BadRequest): error when creating "${f}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolcy"`,
  );
  const g = await kubectl('get', 'pod', 'typo-strict');
  assert.equal(g.code, 1, 'nothing was created');
});

test('kubectl apply --validate=warn creates the object and prints the warning; the field is dropped', async () => {
  const f = manifest('typo-warn', typoPod('typo-warn'));
  const r = await kubectl('apply', '--validate=warn', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod/typo-warn created');
  assert.equal(r.stderr.trim(), 'Warning: unknown field "spec.containers[0].imagePullPolcy"');
  const g = await kubectl('get', 'pod', 'typo-warn', '-o', 'jsonpath={.spec.containers[0]}');
  assert.equal(g.code, 0, g.stderr);
  assert.equal(JSON.parse(g.stdout).imagePullPolcy, undefined);
});

test('kubectl apply --validate=false creates the object silently and drops the field', async () => {
  const f = manifest('typo-off', typoPod('typo-off'));
  const r = await kubectl('apply', '--validate=false', '-f', f);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod/typo-off created');
  assert.equal(r.stderr.trim(), '');
  const g = await kubectl('get', 'pod', 'typo-off', '-o', 'jsonpath={.spec.containers[0]}');
  assert.equal(JSON.parse(g.stdout).imagePullPolcy, undefined);
  assert.equal(JSON.parse(g.stdout).image, 'nginx:1.27');
});

test('client-side apply of a changed image merges the containers by name (merge keys from /openapi/v3)', async () => {
  const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: csa
spec:
  containers:
  - name: main
    image: ${image}
  - name: side
    image: busybox:1.36
`;
  const f = manifest('csa', pod('nginx:1.27'));
  const c = await kubectl('apply', '-f', f);
  assert.equal(c.code, 0, c.stderr);
  writeFileSync(f, pod('nginx:1.28'));
  const r = await kubectl('apply', '-f', f, '-v=8');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod\/csa configured/);
  assert.match(r.stderr, /GET https:\/\/127\.0\.0\.1:\d+\/openapi\/v3\/api\/v1\?hash=|openapi\/v3\/api\/v1/);
  // The patch names only the changed container, keyed by name, with the list's order.
  assert.match(r.stderr, /\\"\$setElementOrder\/containers\\":\[\{\\"name\\":\\"main\\"\},\{\\"name\\":\\"side\\"\}\]/);
  assert.match(r.stderr, /\\"containers\\":\[\{\\"image\\":\\"nginx:1\.28\\",\\"name\\":\\"main\\"\}\]/);
  const g = await kubectl('get', 'pod', 'csa', '-o', 'jsonpath={range .spec.containers[*]}{.name}={.image} {end}');
  assert.equal(g.stdout.trim(), 'main=nginx:1.28 side=busybox:1.36');
});

/** A request over plain HTTP with the kubeconfig's token (as client-node and curl send them). */
async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const token = /token: (\S+)/.exec(readFileSync(server.kubeconfig, 'utf8'))![1];
  return fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('without fieldValidation the server warns (Warn is the default); Ignore is silent; both drop the field', async () => {
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'a', image: 'x', imagePullPolcy: 'Always' }] } });
  const w = await http('POST', '/api/v1/namespaces/default/pods', pod('http-warn'));
  assert.equal(w.status, 201);
  assert.equal(w.headers.get('warning'), '299 - "unknown field \\"spec.containers[0].imagePullPolcy\\""');
  assert.equal((await w.json()).spec.containers[0].imagePullPolcy, undefined);
  const i = await http('POST', '/api/v1/namespaces/default/pods?fieldValidation=Ignore', pod('http-ignore'));
  assert.equal(i.status, 201);
  assert.equal(i.headers.get('warning'), null);
  const s = await http('PUT', '/api/v1/namespaces/default/pods/http-ignore?fieldValidation=Strict', { ...pod('http-ignore'), spec: { containers: [{ name: 'a', image: 'x' }], fooo: 1 } });
  assert.equal(s.status, 400);
  const status = await s.json();
  assert.equal(status.reason, 'BadRequest');
  assert.equal(status.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.fooo"');
});

test('/openapi/v3 documents answer If-None-Match with 304', async () => {
  const root = await (await http('GET', '/openapi/v3')).json();
  const url = root.paths['api/v1'].serverRelativeURL as string;
  const r = await http('GET', url);
  assert.equal(r.status, 200);
  const etag = r.headers.get('etag')!;
  const doc = await r.json();
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.Pod']);
  const again = await http('GET', url, undefined, { 'If-None-Match': etag });
  assert.equal(again.status, 304);
});
