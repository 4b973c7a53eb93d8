// The course's auto-healing end to end, with the real kubectl and the CLI against
// `kube-emulator serve --nodes 3` (real time, fast-forwarded with `kube-emulator clock advance`):
// two Deployments run on three nodes; `kube-emulator node stop` kills a worker; a minute later
// the node is NotReady with the unreachable taints and the node controller's events, its pods not
// ready; five minutes later (the pods' 300 s not-ready/unreachable tolerations) the taint eviction
// controller has evicted them and their ReplicaSets have replaced them on the other nodes, while
// the evicted pods stay Terminating on the dead node; `node start` brings the node back Ready, the
// taints go and its kubelet finishes the Terminating pods.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, eventually, kubectlServer, type KubectlServer } from './helpers.ts';

const STOPPED = 'kube-emulator-m02';
let s: KubectlServer;
kubectlServer('kubectl-auto-healing', 3, (x) => (s = x));

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function emulator(...args: string[]): Promise<string> {
  const r = await cli([...args, '--kubeconfig', s.server.kubeconfig]);
  assert.equal(r.code, 0, `kube-emulator ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const deployment = (name: string, image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}
        image: ${image}
`;

interface PodRow {
  name: string;
  app: string;
  node: string;
  deleting: boolean;
}

async function pods(): Promise<PodRow[]> {
  const out = await ok('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.labels.app} {.spec.nodeName} {.metadata.deletionTimestamp}{"\\n"}{end}');
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, app, node, ts] = l.split(' ');
      return { name, app, node, deleting: !!ts };
    });
}

/** `kubectl get deploy` rows as NAME → READY. */
async function readyColumn(): Promise<Record<string, string>> {
  const out = await ok('get', 'deploy', '--no-headers');
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2)));
}

test('a stopped worker: NotReady and tainted after a minute, every Deployment whole again on the other nodes five minutes later; back with node start', async () => {
  // ---- two Deployments across the three nodes ----
  const applied = await s.kubectlIn(deployment('web', 'nginx:1.27', 6) + '---\n' + deployment('cache', 'redis:7', 3), 'apply', '-f', '-');
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'deployment.apps/web created\ndeployment.apps/cache created\n');
  await eventually(async () => {
    const r = await readyColumn();
    return r.web === '6/6' && r.cache === '3/3';
  }, 60_000, 'both Deployments ready');
  const before = await pods();
  const onStopped = before.filter((p) => p.node === STOPPED);
  assert.ok(onStopped.length > 0, `the scheduler spread replicas onto ${STOPPED}: ${JSON.stringify(before)}`);

  // ---- the worker dies ----
  assert.equal(await emulator('node', 'stop', STOPPED), `node/${STOPPED} stopped\n`);
  const adv = await emulator('clock', 'advance', '1m');
  assert.match(adv, /^advanced 1m\n/);
  await eventually(async () => (await ok('get', 'node', STOPPED, '--no-headers')).split(/\s+/)[1] === 'NotReady', 15_000, `${STOPPED} NotReady`);
  const nodes = await ok('get', 'nodes', '--no-headers');
  for (const l of nodes.trim().split('\n')) {
    const [name, status] = l.split(/\s+/);
    assert.equal(status, name === STOPPED ? 'NotReady' : 'Ready', l);
  }
  // The NoExecute taint comes with the node controller's next pass, a few seconds after NotReady.
  const described = await eventually(
    async () => {
      const out = await ok('describe', 'node', STOPPED);
      return /^Taints: +node\.kubernetes\.io\/unreachable:NoExecute\n +node\.kubernetes\.io\/unreachable:NoSchedule\n/m.test(out) && out;
    },
    15_000,
    'the unreachable taints',
  );
  for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']) {
    assert.match(described, new RegExp(`^ {2}${type} +Unknown +.+ {3}NodeStatusUnknown +Kubelet stopped posting node status\\.$`, 'm'));
  }
  assert.match(described, new RegExp(`^ {2}Normal {2}RegisteredNode +\\S+ +node-controller +Node ${STOPPED} event: Registered Node ${STOPPED} in Controller$`, 'm'));
  assert.match(described, new RegExp(`^ {2}Normal {2}NodeNotReady +\\S+ +node-controller +Node ${STOPPED} status is now: NodeNotReady$`, 'm'));
  // Its pods are marked not ready (Ready=False: they leave the Services' endpoints); their containers'
  // statuses are the kubelet's last word, so `kubectl get pods` still shows 1/1 Running.
  for (const p of onStopped) {
    assert.equal(await ok('get', 'pod', p.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'False', p.name);
    assert.match(await ok('get', 'pod', p.name, '-o', 'wide', '--no-headers'), new RegExp(`^${p.name} +1/1 +Running +0 +.+ ${STOPPED} `));
  }
  const podEvents = await ok('get', 'events', '--field-selector', `involvedObject.name=${onStopped[0].name},reason=NodeNotReady`, '-o', 'jsonpath={.items[0].type} {.items[0].source.component}: {.items[0].message}');
  assert.equal(podEvents, 'Warning node-controller: Node is not ready');

  // ---- the pods' 300 s tolerations run out ----
  assert.match(await emulator('clock', 'advance', '5m'), /^advanced 5m\n/);
  await eventually(async () => {
    const r = await readyColumn();
    return r.web === '6/6' && r.cache === '3/3';
  }, 30_000, 'both Deployments whole again');
  const deploy = await ok('get', 'deploy', '--no-headers');
  assert.match(deploy, /^web +6\/6 +6 +6 +/m);
  assert.match(deploy, /^cache +3\/3 +3 +3 +/m);
  const after = await pods();
  const live = after.filter((p) => !p.deleting);
  assert.equal(live.filter((p) => p.app === 'web').length, 6);
  assert.equal(live.filter((p) => p.app === 'cache').length, 3);
  for (const p of live) assert.notEqual(p.node, STOPPED, `${p.name} runs on a live node`);
  // The evicted pods stay Terminating on the dead node: its kubelet cannot confirm their end.
  assert.deepEqual(
    after.filter((p) => p.deleting).map((p) => `${p.name}@${p.node}`).sort(),
    onStopped.map((p) => `${p.name}@${STOPPED}`).sort(),
  );
  const wide = await ok('get', 'pods', '-o', 'wide', '--no-headers');
  for (const p of onStopped) assert.match(wide, new RegExp(`^${p.name} +1/1 +Terminating +0 +.+ ${STOPPED} `, 'm'));
  const evicted = await ok('get', 'events', '--field-selector', `involvedObject.name=${onStopped[0].name},reason=TaintManagerEviction`, '-o', 'jsonpath={.items[0].message}');
  assert.equal(evicted, `Marking for deletion Pod default/${onStopped[0].name}`);

  // ---- the worker comes back ----
  assert.equal(await emulator('node', 'start', STOPPED), `node/${STOPPED} started\n`);
  await eventually(async () => (await ok('get', 'node', STOPPED, '--no-headers')).split(/\s+/)[1] === 'Ready', 20_000, `${STOPPED} Ready again`);
  await eventually(async () => /^Taints: +<none>$/m.test(await ok('describe', 'node', STOPPED)), 20_000, 'the taints gone');
  await eventually(async () => (await pods()).every((p) => !p.deleting), 30_000, 'the Terminating pods gone');
  const final = await pods();
  assert.equal(final.length, 9);
  assert.deepEqual(
    final.filter((p) => onStopped.some((o) => o.name === p.name)),
    [],
    'the evicted pods are gone for good',
  );
  const r = await readyColumn();
  assert.deepEqual([r.web, r.cache], ['6/6', '3/3']);
});
