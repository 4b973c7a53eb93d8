// The real kubectl 1.32 `top` against `kube-emulator serve`: metrics.k8s.io found through
// discovery, NodeMetrics and PodMetrics printed as on a cluster with metrics-server (cpu in m,
// memory in Mi, percentages of allocatable), and its errors (k8s.io/kubectl/pkg/cmd/top).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let kubectl: (...args: string[]) => ReturnType<typeof run>;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<typeof run>;

before(async () => {
  const bin = kubectlPath();
  const dir = tempDir('kubectl-top');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  const cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
  kubectlIn = (input: string, ...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig }, input);
  const r = await kubectlIn(
    `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
  - {name: nginx, image: nginx}
  - {name: cache, image: redis}
---
apiVersion: v1
kind: Pod
metadata: {name: pending, namespace: shop}
spec:
  nodeSelector: {disk: none-such}
  containers:
  - {name: main, image: busybox}
`,
    'apply',
    '-f',
    '-',
  );
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'web', '-n', 'shop', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 30_000, 'web Running');
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

const row = /^(\S+)\s+(\d+)m\s+(\d+)%\s+(\d+)Mi\s+(\d+)%\s*$/;

test('top nodes: every Ready node with cpu in m and memory in Mi, percentages of allocatable', async () => {
  const r = await kubectl('top', 'nodes');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*$/);
  const rows = lines.slice(1).map((l) => row.exec(l));
  assert.deepEqual(rows.map((m) => m?.[1]), ['kube-emulator', 'kube-emulator-m02']);
  const [cp, worker] = rows.map((m) => ({ cpu: Number(m![2]), mem: Number(m![4]) }));
  // The control plane runs the control plane's components; a worker only the node's own.
  assert.ok(cp.cpu >= 100 && cp.cpu <= 300, `control plane ${cp.cpu}m`);
  assert.ok(worker.cpu < cp.cpu && worker.mem < cp.mem, JSON.stringify({ cp, worker }));
  const one = await kubectl('top', 'node', 'kube-emulator-m02');
  assert.equal(one.stdout.trimEnd().split('\n').length, 2);
  assert.match(one.stdout.split('\n')[1], /^kube-emulator-m02\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
});

test('top pods: Running pods only, -A with the namespace column, --containers, -l', async () => {
  const r = await kubectl('top', 'pods', '-n', 'shop');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['web']);
  const [, cpu, mem] = /^web\s+(\d+)m\s+(\d+)Mi\s*$/.exec(lines[1])!;
  // Idle nginx and redis: a few millicores and a few Mi.
  assert.ok(Number(cpu) >= 2 && Number(cpu) <= 8, `${cpu}m`);
  assert.ok(Number(mem) >= 5 && Number(mem) <= 9, `${mem}Mi`);
  const all = await kubectl('top', 'pods', '-A');
  assert.match(all.stdout.split('\n')[0], /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  assert.match(all.stdout, /\nshop\s+web\s+\d+m\s+\d+Mi\s*\n/);
  const containers = await kubectl('top', 'pods', '-n', 'shop', '--containers');
  assert.match(containers.stdout.split('\n')[0], /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  assert.deepEqual(
    containers.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).sort(),
    ['web cache', 'web nginx'],
  );
  assert.ok(/\nweb\s+nginx\s+\d+m\s+\d+Mi/.test(containers.stdout) && /\nweb\s+cache\s+\d+m\s+\d+Mi/.test(containers.stdout), containers.stdout);
  const byLabel = await kubectl('top', 'pods', '-n', 'shop', '-l', 'app=web');
  assert.match(byLabel.stdout, /\nweb\s+\d+m\s+\d+Mi/);
  const none = await kubectl('top', 'pods', '-n', 'kube-node-lease');
  assert.deepEqual([none.code, none.stderr], [0, 'No resources found in kube-node-lease namespace.\n']);
});

test('top pod: errors as kubectl prints them', async () => {
  const pending = await kubectl('top', 'pod', 'pending', '-n', 'shop');
  assert.deepEqual([pending.code, pending.stderr], [1, 'Error from server (NotFound): podmetrics.metrics.k8s.io "shop/pending" not found\n']);
  const missing = await kubectl('top', 'pod', 'nothere', '-n', 'shop');
  assert.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): pods "nothere" not found\n']);
  const node = await kubectl('top', 'node', 'nothere');
  assert.deepEqual([node.code, node.stderr], [1, 'Error from server (NotFound): nodes "nothere" not found\n']);
});

test('api-resources lists metrics.k8s.io as a cluster with metrics-server does', async () => {
  const r = await kubectl('api-resources', '--api-group=metrics.k8s.io');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nnodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics\n/);
  assert.match(r.stdout, /\npods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics\n/);
});
