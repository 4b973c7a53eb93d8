// The real kubectl 1.32 with HorizontalPodAutoscalers against `kube-emulator serve`: `kubectl
// autoscale`, `kubectl get hpa` (REFERENCE, TARGETS, MINPODS, MAXPODS, REPLICAS) before and after the
// controller's first sync (fast-forwarded with `kube-emulator clock advance`), and the conditions
// `kubectl describe hpa` prints.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cli, eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let kubectl: (...args: string[]) => ReturnType<typeof run>;

before(async () => {
  const bin = kubectlPath();
  const dir = tempDir('kubectl-hpa');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  const cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
  let r = await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=1');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('set', 'resources', 'deployment', 'web', '--requests=cpu=100m');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}')).stdout === '1', 30_000, 'web available');
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

test('kubectl autoscale, then get hpa: <unknown> until the first sync, then the cpu utilization', async () => {
  let r = await kubectl('autoscale', 'deploy', 'web', '--cpu-percent=50', '--min=1', '--max=5');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'horizontalpodautoscaler.autoscaling/web autoscaled');

  r = await kubectl('get', 'hpa');
  assert.equal(r.code, 0, r.stderr);
  const [header, row] = r.stdout.trim().split('\n');
  assert.match(header, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
  assert.match(row, /^web\s+Deployment\/web\s+cpu: <unknown>\/50%\s+1\s+5\s+0\s+\d+s$/);

  // One sync period and a full metrics window on the emulator clock.
  const adv = await cli(['clock', 'advance', '40s', '--kubeconfig', server.kubeconfig]);
  assert.equal(adv.code, 0, adv.stderr);
  const line = await eventually(async () => {
    const out = (await kubectl('get', 'hpa', 'web', '--no-headers')).stdout.trim();
    return /cpu: \d+%\/50%/.test(out) ? out : undefined;
  }, 20_000, 'a cpu utilization in TARGETS');
  // An idle nginx uses 1-2m of its 100m request.
  assert.match(line, /^web\s+Deployment\/web\s+cpu: [0-3]%\/50%\s+1\s+5\s+1\s+\S+$/);

  r = await kubectl('get', 'hpa', 'web', '-o', 'jsonpath={.apiVersion} {.spec.scaleTargetRef.kind} {.status.conditions[*].reason}');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'autoscaling/v2 Deployment ReadyForNewScale ValidMetricFound DesiredWithinRange');

  r = await kubectl('describe', 'hpa', 'web');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/);
  assert.match(r.stdout, /Deployment pods:\s+1 current \/ 1 desired/);
});

test('autoscale errors as kubectl prints them', async () => {
  const r = await kubectl('autoscale', 'deploy', 'none-such', '--max=3');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /deployments\.apps "none-such" not found/);
});
