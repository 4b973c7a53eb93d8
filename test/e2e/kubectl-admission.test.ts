// The admission chain through the real kubectl: a ResourceQuota rejection as kubectl prints it,
// LimitRange defaults in `get -o yaml`, `describe quota`, and pods/eviction against a
// PodDisruptionBudget with `kubectl create --raw`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { eventually, kubectlServer, type Kubectl } from './helpers.ts';

let dir: string;
let kubectl: Kubectl;

kubectlServer('kubectl-admission', 1, (s) => ({ dir, kubectl } = s));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('quota rejection, LimitRange defaults, describe quota, eviction with a PDB', async () => {
  const policy = file(
    'policy.yaml',
    `apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 250m}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute-quota}
spec:
  hard: {requests.cpu: "1", limits.cpu: "2"}
`,
  );
  let r = await kubectl('apply', '-f', policy);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => {
    const q = await kubectl('get', 'quota', 'compute-quota', '-o', 'jsonpath={.status.used.requests\\.cpu}');
    return q.stdout === '0';
  }, 20_000, 'quota status');

  const small = file('small.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: small, labels: {app: small}}\nspec:\n  containers: [{name: nginx, image: nginx:1.27}]\n');
  r = await kubectl('create', '-f', small);
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('get', 'pod', 'small', '-o', 'yaml');
  const pod = parseYaml(r.stdout);
  assert.deepEqual(pod.spec.containers[0].resources, { limits: { cpu: '500m' }, requests: { cpu: '250m' } });
  assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container nginx; cpu limit for container nginx');
  assert.match(pod.spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);

  const big = file('big.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers: [{name: nginx, image: nginx:1.27, resources: {requests: {cpu: "1"}, limits: {cpu: "1"}}}]\n');
  r = await kubectl('create', '-f', big);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr.trim(),
    `Error from server (Forbidden): error when creating "${big}": pods "big" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=1, used: requests.cpu=250m, limited: requests.cpu=1`,
  );

  r = await kubectl('describe', 'quota', 'compute-quota');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n').map((l) => l.trimEnd().split(/\s+/).join(' '));
  assert.deepEqual(lines, ['Name: compute-quota', 'Namespace: default', 'Resource Used Hard', '-------- ---- ----', 'limits.cpu 500m 2', 'requests.cpu 250m 1']);

  // Eviction: blocked while the budget allows no disruption, then allowed.
  await eventually(async () => (await kubectl('get', 'pod', 'small', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 20_000, 'small Running');
  const pdb = file('pdb.yaml', 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: small-pdb}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: small}}\n');
  r = await kubectl('apply', '-f', pdb);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pdb', 'small-pdb', '-o', 'jsonpath={.status.currentHealthy}')).stdout === '1', 20_000, 'PDB status');
  const ev = file('eviction.json', JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'small', namespace: 'default' } }));
  r = await kubectl('create', '--raw', '/api/v1/namespaces/default/pods/small/eviction', '-f', ev);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim(), "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget.");
  r = await kubectl('patch', 'pdb', 'small-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":0}}');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pdb', 'small-pdb', '-o', 'jsonpath={.status.disruptionsAllowed}')).stdout === '1', 20_000, 'PDB allows');
  r = await kubectl('create', '--raw', '/api/v1/namespaces/default/pods/small/eviction', '-f', ev);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  await eventually(async () => (await kubectl('get', 'pod', 'small')).code !== 0, 60_000, 'small evicted');
});
