// The real kubectl against `kube-emulator serve`: the commands issue 2 promises work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, eventually, kubectlPath, kubectlServer, type Kubectl, type Served } from './helpers.ts';

let server: Served;
let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl', 3, (s) => ({ server, dir, kubectl } = s));

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
`;

test('kubectl version reports server 1.32', async () => {
  const r = await kubectl('version', '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  assert.equal(v.serverVersion.minor, '32');
});

test('kubectl get nodes shows three Ready nodes named as minikube names them', async () => {
  const r = await kubectl('get', 'nodes');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.match(rows[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  assert.match(rows[1], /^kube-emulator\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0$/);
  assert.match(rows[2], /^kube-emulator-m02\s+Ready\s+<none>/);
  assert.match(rows[3], /^kube-emulator-m03\s+Ready\s+<none>/);
});

test('kubectl get ns lists the four default namespaces', async () => {
  const r = await kubectl('get', 'ns', '-o', 'name');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
});

test('kubectl apply creates a pod that becomes Running; get -o wide, describe and events show it', async () => {
  const file = join(dir, 'pod.yaml');
  writeFileSync(file, POD);
  let r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod/nginx created');
  r = await kubectl('wait', '--for=condition=Ready', 'pod/nginx', '--timeout=30s');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod/nginx condition met');

  r = await kubectl('get', 'pods', '-o', 'wide');
  assert.equal(r.code, 0, r.stderr);
  const [head, row] = r.stdout.trim().split('\n');
  assert.match(head, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  assert.match(row, /^nginx\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+kube-emulator(-m0\d)?\s+<none>\s+<none>$/);

  r = await kubectl('describe', 'pod', 'nginx');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Status:\s+Running$/m);
  assert.match(r.stdout, /^IP:\s+10\.244\./m);
  assert.match(r.stdout, /QoS Class:\s+BestEffort/);
  for (const reason of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) {
    assert.match(r.stdout, new RegExp(`Normal\\s+${reason}\\s`), `describe lacks the ${reason} event`);
  }
  assert.match(r.stdout, /Successfully assigned default\/nginx to kube-emulator/);

  r = await kubectl('get', 'events');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Normal\s+Scheduled\s+pod\/nginx\s+Successfully assigned default\/nginx/);

  r = await kubectl('logs', 'nginx');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Configuration complete; ready for start up/);
});

test('kubectl apply again is unchanged; a changed image is configured through a strategic merge patch', async () => {
  const file = join(dir, 'pod.yaml');
  let r = await kubectl('apply', '-f', file);
  assert.equal(r.stdout.trim(), 'pod/nginx unchanged', r.stderr);
  writeFileSync(file, POD.replace('nginx:1.27', 'nginx:1.28'));
  r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod/nginx configured');
  r = await kubectl('get', 'pod', 'nginx', '-o', 'jsonpath={.spec.containers[0].image} {.spec.containers[0].ports[0].containerPort}');
  assert.equal(r.stdout, 'nginx:1.28 80');
});

test('kubectl get pods -w streams the change when a label is added', async () => {
  const bin = kubectlPath();
  const { spawn } = await import('node:child_process');
  const w = spawn(bin, ['--cache-dir', join(dir, 'kube-cache'), 'get', 'pods', '-w', '--show-labels'], { env: { ...process.env, KUBECONFIG: server.kubeconfig } });
  let out = '';
  w.stdout.on('data', (d) => (out += d));
  try {
    await eventually(async () => out.includes('nginx'), 10_000, 'the initial list');
    const r = await kubectl('label', 'pod', 'nginx', 'tier=frontend');
    assert.equal(r.stdout.trim(), 'pod/nginx labeled', r.stderr);
    await eventually(async () => out.includes('tier=frontend'), 10_000, 'the watch event');
  } finally {
    w.kill();
  }
});

test('an unknown kind gets kubectl\'s "no matches for kind" error and nothing is applied', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
  const r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no matches for kind "Widget" in version "example\.com\/v1"/);
});

test('invalid objects are rejected with the apiserver\'s 422 message', async () => {
  const file = join(dir, 'invalid.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers:\n  - name: c\n');
  const r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Pod "broken" is invalid: spec\.containers\[0\]\.image: Required value/);
});

test('kubectl delete pod removes it after graceful termination', async () => {
  const r = await kubectl('delete', 'pod', 'nginx', '--timeout=30s');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'pod "nginx" deleted');
  const g = await kubectl('get', 'pod', 'nginx');
  assert.equal(g.code, 1);
  assert.match(g.stderr, /Error from server \(NotFound\): pods "nginx" not found/);
});

test('node stop and clock advance: the node goes NotReady on Kubernetes\' timeline', async () => {
  let r = await cli(['node', 'stop', 'kube-emulator-m03', '--kubeconfig', server.kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'node/kube-emulator-m03 stopped');
  r = await cli(['clock', 'advance', '2m', '--kubeconfig', server.kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fast-forwarded: 120s/);
  const nodes = await eventually(async () => {
    const g = await kubectl('get', 'node', 'kube-emulator-m03');
    return /NotReady/.test(g.stdout) && g.stdout;
  }, 15_000, 'kube-emulator-m03 NotReady');
  assert.match(nodes, /kube-emulator-m03\s+NotReady/);
  r = await cli(['node', 'start', 'kube-emulator-m03', '--kubeconfig', server.kubeconfig]);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => {
    const g = await kubectl('get', 'node', 'kube-emulator-m03', '--no-headers');
    return /\sReady\s/.test(g.stdout);
  }, 15_000, 'kube-emulator-m03 Ready again');
});

test('requests without the bearer token are refused with 401', async () => {
  const res = await fetch(`${server.url}/api/v1/namespaces/default/pods`);
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.equal(body.reason, 'Unauthorized');
  const health = await fetch(`${server.url}/readyz`);
  assert.equal(health.status, 200);
});
