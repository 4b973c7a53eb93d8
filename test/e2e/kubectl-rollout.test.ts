// The real kubectl against `kube-emulator serve` for Deployments: apply, rollout status, set image,
// rollout history (with --revision), undo (kubectl's client-side rollback: a JSON patch of the
// template and annotations), pause/resume, restart, scale, and a rolling update watched pod by pod
// that never drops below replicas − maxUnavailable ready pods. Texts are kubectl 1.32's
// (k8s.io/kubectl/pkg/cmd/rollout, polymorphichelpers/{rollback,history,rollout_status}.go) and the
// deployment controller's events. Each test has its own namespace.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let kubectl: (...args: string[]) => ReturnType<typeof run>;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<typeof run>;

before(async () => {
  const bin = kubectlPath();
  const dir = tempDir('kubectl-rollout');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  const cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
  kubectlIn = (input: string, ...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig }, input);
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

async function ok(...args: string[]): Promise<string> {
  const r = await kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function namespace(name: string): Promise<void> {
  const r = await kubectlIn(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}}\n`, 'apply', '-f', '-');
  assert.equal(r.stdout, `namespace/${name} created\n`, r.stderr);
}

const deployment = (ns: string, replicas: number, strategy = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: ${replicas}${strategy}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`;

async function replicaSets(ns: string, byRevision = false): Promise<string[][]> {
  const out = await ok(
    'get', 'rs', '-n', ns, '--sort-by=.metadata.creationTimestamp', '--no-headers',
    '-o', 'custom-columns=NAME:.metadata.name,REV:.metadata.annotations.deployment\\.kubernetes\\.io/revision,REPLICAS:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image',
  );
  const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
  // creationTimestamp has whole seconds: ReplicaSets made in one second tie; byRevision orders them by revision.
  return byRevision ? rows.sort((a, b) => Number(a[1]) - Number(b[1])) : rows;
}

const token = () => /token: (\S+)/.exec(readFileSync(server.kubeconfig, 'utf8'))![1];

/** A watch over HTTP: every event's object goes to `onEvent`; stop() ends it. */
async function watch(path: string, onEvent: (type: string, obj: Record<string, any>) => void): Promise<{ stop(): void; done: Promise<void> }> {
  const ac = new AbortController();
  const res = await fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token()}` }, signal: ac.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const done = (async () => {
    let buf = '';
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) return;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) {
            const ev = JSON.parse(line);
            onEvent(ev.type, ev.object);
          }
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  })();
  return { stop: () => ac.abort(), done };
}

test('apply, rollout status, set image, history with change-cause, undo (previous, --to-revision, dry run, unknown revision)', async () => {
  const ns = 'rollout-undo';
  await namespace(ns);
  assert.equal((await kubectlIn(deployment(ns, 3), 'apply', '-f', '-')).stdout, 'deployment.apps/web created\n');
  let r = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment "web" successfully rolled out\n$/);
  const [[rs1, rev1, n1, img1]] = await replicaSets(ns) as [string[]];
  assert.match(rs1!, /^web-[456789bcdf]{1,10}$/);
  assert.deepEqual([rev1, n1, img1], ['1', '3', 'nginx:1.27']);
  assert.equal(await ok('get', 'rs', rs1!, '-n', ns, '-o', 'jsonpath={.metadata.labels.pod-template-hash}'), rs1!.slice('web-'.length));

  assert.equal(await ok('set', 'image', 'deployment/web', 'web=nginx:1.28', '-n', ns), 'deployment.apps/web image updated\n');
  assert.equal(await ok('annotate', 'deployment/web', '-n', ns, 'kubernetes.io/change-cause=nginx 1.28'), 'deployment.apps/web annotated\n');
  r = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment "web" successfully rolled out\n$/);
  const rss = await replicaSets(ns);
  assert.equal(rss.length, 2);
  assert.deepEqual(rss[0], [rs1, '1', '0', 'nginx:1.27']);
  assert.deepEqual(rss[1]!.slice(1), ['2', '3', 'nginx:1.28']);
  const rs2 = rss[1]![0]!;
  await eventually(async () => (await ok('rollout', 'history', 'deployment/web', '-n', ns)).includes('nginx 1.28'), 10_000, 'change-cause copied to the new ReplicaSet');
  assert.equal(await ok('rollout', 'history', 'deployment/web', '-n', ns), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         nginx 1.28\n\n');
  const one = await ok('rollout', 'history', 'deployment/web', '-n', ns, '--revision=1');
  assert.ok(one.startsWith(`deployment.apps/web with revision #1\nPod Template:\n  Labels:\tapp=web\n\tpod-template-hash=${rs1!.slice(4)}\n  Containers:\n   web:\n    Image:\tnginx:1.27\n`), one);

  // Dry run: nothing changes.
  assert.equal(await ok('rollout', 'undo', 'deployment/web', '-n', ns, '--dry-run=server'), 'deployment.apps/web rolled back (server dry run)\n');
  assert.equal(await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'), 'nginx:1.28');

  assert.equal(await ok('rollout', 'undo', 'deployment/web', '-n', ns), 'deployment.apps/web rolled back\n');
  r = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
  assert.equal(r.code, 0, r.stderr);
  // The old ReplicaSet takes the pods back and becomes revision 3 (1 kept in revision-history).
  assert.deepEqual(await replicaSets(ns), [
    [rs1, '3', '3', 'nginx:1.27'],
    [rs2, '2', '0', 'nginx:1.28'],
  ]);
  assert.equal(await ok('get', 'rs', rs1!, '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision-history}'), '1');
  assert.equal(await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '3');
  assert.equal(await ok('rollout', 'history', 'deployment/web', '-n', ns), 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         nginx 1.28\n3         <none>\n\n');
  const pods = await ok('get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}');
  assert.equal(pods, 'nginx:1.27\nnginx:1.27\nnginx:1.27\n');

  r = await kubectl('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=3');
  assert.equal(r.stdout, 'deployment.apps/web skipped rollback (current template already matches revision 3)\n', r.stderr);
  r = await kubectl('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=9');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: unable to find specified revision 9 in history\n');

  const events = await ok('get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=Deployment', '-o', 'jsonpath={range .items[*]}{.reason} {.message}{"\\n"}{end}');
  assert.ok(events.includes(`ScalingReplicaSet Scaled up replica set ${rs1} to 3\n`), events);
  assert.ok(events.includes(`ScalingReplicaSet Scaled down replica set ${rs1} to 0 from 1\n`), events);
  assert.ok(events.includes(`ScalingReplicaSet Scaled up replica set ${rs2} to 3 from 2\n`), events);
});

test('a rolling update never has fewer than replicas − maxUnavailable ready pods (checked on every pod and Deployment change)', async () => {
  const ns = 'rollout-rolling';
  await namespace(ns);
  const strategy = '\n  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 2, maxUnavailable: 1}}';
  assert.equal((await kubectlIn(deployment(ns, 5, strategy), 'apply', '-f', '-')).code, 0);
  assert.equal((await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s')).code, 0);

  const pods = new Map<string, Record<string, any>>();
  const violations: string[] = [];
  let podEvents = 0;
  let deploymentEvents = 0;
  let maxLive = 0;
  const ready = (p: Record<string, any>) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const podWatch = await watch(`/api/v1/namespaces/${ns}/pods?watch=true`, (type, pod) => {
    if (type === 'DELETED') pods.delete(pod.metadata.name);
    else pods.set(pod.metadata.name, pod);
    podEvents++;
    // Until the initial ADDED events are in, the map is partial.
    if (podEvents <= 5) return;
    const n = [...pods.values()].filter(ready).length;
    if (n < 4) violations.push(`${n} ready pods after ${type} ${pod.metadata.name}`);
    maxLive = Math.max(maxLive, [...pods.values()].filter((p) => !p.metadata.deletionTimestamp).length);
  });
  const deployWatch = await watch(`/apis/apps/v1/namespaces/${ns}/deployments?watch=true`, (_type, d) => {
    deploymentEvents++;
    if ((d.status?.availableReplicas ?? 0) < 4) violations.push(`deployment status availableReplicas ${d.status?.availableReplicas}`);
  });
  try {
    assert.equal(await ok('set', 'image', 'deployment/web', 'web=nginx:1.28', '-n', ns), 'deployment.apps/web image updated\n');
    const r = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment "web" successfully rolled out\n$/);
    await eventually(async () => (await ok('get', 'pods', '-n', ns, '--no-headers')).trim().split('\n').length === 5, 30_000, 'old pods gone');
  } finally {
    podWatch.stop();
    deployWatch.stop();
  }
  assert.deepEqual(violations, []);
  assert.ok(podEvents > 20, `saw ${podEvents} pod events`);
  assert.ok(deploymentEvents > 3, `saw ${deploymentEvents} Deployment events`);
  assert.ok(maxLive <= 7 && maxLive >= 6, `at most 5 + 2 live pods, saw ${maxLive}`);
  const images = await ok('get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}');
  assert.equal(images, 'nginx:1.28\n'.repeat(5));
});

test('pause holds a template change, resume rolls it out; restart makes a new revision; scale resizes the current ReplicaSet', async () => {
  const ns = 'rollout-pause';
  await namespace(ns);
  assert.equal((await kubectlIn(deployment(ns, 2), 'apply', '-f', '-')).code, 0);
  assert.equal((await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s')).code, 0);

  assert.equal(await ok('rollout', 'pause', 'deployment/web', '-n', ns), 'deployment.apps/web paused\n');
  let r = await kubectl('rollout', 'pause', 'deployment/web', '-n', ns);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: deployments.apps "web" is already paused\n');
  assert.equal(await ok('set', 'image', 'deployment/web', 'web=nginx:1.28', '-n', ns), 'deployment.apps/web image updated\n');
  await eventually(
    async () => (await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}')) === 'DeploymentPaused',
    10_000,
    'DeploymentPaused',
  );
  assert.equal((await replicaSets(ns, true)).length, 1, 'no new ReplicaSet while paused');
  // One revision only: no previous one; an explicit one is refused while paused.
  r = await kubectl('rollout', 'undo', 'deployment/web', '-n', ns);
  assert.equal(r.stderr, 'error: no rollout history found for deployment "web"\n');
  r = await kubectl('rollout', 'undo', 'deployment/web', '-n', ns, '--to-revision=1');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: you cannot rollback a paused deployment; resume it first with \'kubectl rollout resume\' and try again\n');

  assert.equal(await ok('rollout', 'resume', 'deployment/web', '-n', ns), 'deployment.apps/web resumed\n');
  assert.equal((await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s')).code, 0);
  assert.deepEqual((await replicaSets(ns, true)).map((x) => x.slice(1)), [
    ['1', '0', 'nginx:1.27'],
    ['2', '2', 'nginx:1.28'],
  ]);

  assert.equal(await ok('rollout', 'restart', 'deployment/web', '-n', ns), 'deployment.apps/web restarted\n');
  assert.equal((await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s')).code, 0);
  const rss = await replicaSets(ns, true);
  assert.deepEqual(rss.map((x) => x.slice(1)), [
    ['1', '0', 'nginx:1.27'],
    ['2', '0', 'nginx:1.28'],
    ['3', '2', 'nginx:1.28'],
  ]);
  assert.match(await ok('get', 'rs', rss[2]![0]!, '-n', ns, '-o', 'jsonpath={.spec.template.metadata.annotations}'), /kubectl\.kubernetes\.io\/restartedAt/);

  assert.equal(await ok('scale', 'deployment/web', '--replicas=4', '-n', ns), 'deployment.apps/web scaled\n');
  await eventually(async () => (await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.status.availableReplicas}')) === '4', 30_000, '4 available');
  const cur = await replicaSets(ns, true);
  assert.deepEqual(cur.map((x) => x.slice(1)), [
    ['1', '0', 'nginx:1.27'],
    ['2', '0', 'nginx:1.28'],
    ['3', '4', 'nginx:1.28'],
  ]);
  assert.equal(await ok('get', 'rs', cur[2]![0]!, '-n', ns, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/desired-replicas}'), '4');
  assert.equal(
    await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} {.status.observedGeneration}'),
    '4 4 4 4 6',
  );
  const events = await ok('get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=Deployment', '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}');
  assert.ok(events.includes(`Scaled up replica set ${cur[2]![0]} to 4 from 2\n`), events);
});

test('rollout status reports a rollout stuck past progressDeadlineSeconds, as kubectl words it', async () => {
  const ns = 'rollout-deadline';
  await namespace(ns);
  assert.equal((await kubectlIn(deployment(ns, 1, '\n  progressDeadlineSeconds: 3'), 'apply', '-f', '-')).code, 0);
  assert.equal((await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s')).code, 0);
  // A template no node can run: its pod stays Pending.
  const r0 = await kubectl('patch', 'deployment', 'web', '-n', ns, '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"disk":"none"}}}}}');
  assert.equal(r0.stdout, 'deployment.apps/web patched\n', r0.stderr);
  const r = await kubectl('rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: deployment "web" exceeded its progress deadline\n');
  const cond = await ok('get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].status} {.status.conditions[?(@.type=="Progressing")].reason}');
  assert.equal(cond, 'False ProgressDeadlineExceeded');
});
