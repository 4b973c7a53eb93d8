// The course's cluster objects with the real kubectl against `kube-emulator serve --nodes 3`, as a
// learner checks them on minikube: a container restarted by `kubectl exec POD -- kill 1` keeps its
// emptyDir; a headless Service's name answers every ready pod in nslookup; `kubectl run --rm -i`
// with a script that fails prints its output once and exits with its code; a quota's refusal of a
// pod without requests and limits reads as Kubernetes words it; a node back from an outage shows
// the kubelet's NodeReady events in `kubectl describe node`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, eventually, kubectlServer, type KubectlServer } from './helpers.ts';

let s: KubectlServer;
kubectlServer('kubectl-qa-cluster', 3, (x) => (s = x));

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(...args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function apply(yaml: string): Promise<void> {
  const r = await s.kubectlIn(yaml, 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
}

async function emulator(...args: string[]): Promise<string> {
  const r = await cli([...args, '--kubeconfig', s.server.kubeconfig]);
  assert.equal(r.code, 0, `kube-emulator ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const running = (pod: string) =>
  eventually(async () => (await ok('get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].ready}')) === 'true', 30_000, `${pod} ready`);

test('kubectl exec POD -- kill 1: nginx shuts down, exec exits 0, the container restarts (Completed, RESTARTS 1) and its emptyDir keeps the file; ps shows PID 1', async () => {
  await apply(`apiVersion: v1
kind: Pod
metadata:
  name: cache
spec:
  containers:
  - name: nginx
    image: nginx
    volumeMounts:
    - {name: cache, mountPath: /cache}
  volumes:
  - name: cache
    emptyDir: {}
`);
  await running('cache');
  await ok('exec', 'cache', '--', 'sh', '-c', 'echo kept > /cache/f');
  const ps = await ok('exec', 'cache', '--', 'ps');
  assert.match(ps, /^\s+1 root\s+0:00 \/docker-entrypoint\.sh nginx -g daemon off;$/m, ps);
  const kill = await s.kubectl('exec', 'cache', '--', 'kill', '1');
  assert.deepEqual([kill.code, kill.stderr], [0, ''], 'kill returns before nginx acts on the signal');
  await eventually(async () => (await ok('get', 'pod', 'cache', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) === '1', 30_000, 'a restart');
  await running('cache');
  assert.equal(await ok('exec', 'cache', '--', 'cat', '/cache/f'), 'kept\n', 'the emptyDir outlives the container');
  const last = await ok('get', 'pod', 'cache', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}');
  assert.equal(last, 'Completed 0');
  assert.match(await ok('logs', 'cache', '--previous'), /\[notice\] 1#1: exit\n$/);
  // SIGKILL sent inside the container never reaches PID 1 (the kernel protects a namespace's init).
  await apply(`apiVersion: v1
kind: Pod
metadata:
  name: sleeper
spec:
  containers:
  - {name: bb, image: busybox, command: [sleep, "3600"]}
`);
  await running('sleeper');
  assert.equal((await s.kubectl('exec', 'sleeper', '--', 'kill', '-9', '1')).code, 0);
  const none = await s.kubectl('exec', 'sleeper', '--', 'kill', '99');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /kill: can't kill pid 99: No such process/);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await ok('get', 'pod', 'sleeper', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'), '0');
});

test('nslookup of a headless Service lists every ready pod (busybox and busybox:1.28 formats)', async () => {
  await ok('create', 'deployment', 'db', '--image=nginx', '--replicas=3');
  await ok('create', 'service', 'clusterip', 'db', '--clusterip=None', '--tcp=80:80');
  await apply(`apiVersion: v1
kind: Pod
metadata:
  name: dns
spec:
  containers:
  - {name: a, image: busybox, command: [sleep, "3600"]}
  - {name: b, image: "busybox:1.28", command: [sleep, "3600"]}
`);
  await eventually(async () => (await ok('get', 'endpoints', 'db', '-o', 'jsonpath={.subsets[0].addresses[*].ip}')).split(' ').length === 3, 30_000, 'three endpoints');
  await eventually(async () => (await ok('get', 'pod', 'dns', '-o', 'jsonpath={.status.containerStatuses[*].ready}')) === 'true true', 30_000, 'dns ready');
  const ips = (await ok('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].status.podIP}')).split(' ').sort();
  const out = await ok('exec', 'dns', '-c', 'a', '--', 'nslookup', 'db');
  const names = [...out.matchAll(/^Name:\t(.*)\nAddress: (.*)$/gm)];
  assert.deepEqual(
    names.map((m) => m[2]).sort(),
    ips,
    out,
  );
  assert.ok(names.every((m) => m[1] === 'db.default.svc.cluster.local'), out);
  const old = await ok('exec', 'dns', '-c', 'b', '--', 'nslookup', 'db');
  for (const [i, ip] of ips.entries()) assert.match(old, new RegExp(`^Address \\d: ${ip.replace(/\./g, '\\.')} ${ip.replace(/\./g, '-')}\\.db\\.default\\.svc\\.cluster\\.local$`, 'm'), `${i}: ${old}`);
});

test('kubectl run --rm -i ... -- sh, a script on stdin that exits 3: its output once, no fallback to logs, exit code 3 from the pod status', async () => {
  await ok('create', 'deployment', 'site', '--image=nginx');
  await ok('expose', 'deployment', 'site', '--port=80');
  await eventually(async () => (await ok('get', 'endpoints', 'site', '-o', 'jsonpath={.subsets[0].addresses[0].ip}')).length > 0, 30_000, 'an endpoint');
  const r = await s.kubectlIn('wget -qO- site | grep title; exit 3\n', 'run', 'tmp', '--rm', '-i', '--image=busybox', '--restart=Never', '--', 'sh');
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '<title>Welcome to nginx!</title>\npod "tmp" deleted\n');
  assert.doesNotMatch(r.stderr, /falling back to streaming logs/);
  assert.match(r.stderr, /pod default\/tmp terminated \(Error\)/);
});

test('a quota on cpu and memory refuses a pod without them: one "must specify" and the list', async () => {
  await ok('create', 'namespace', 'quota');
  await ok('create', 'quota', 'q', '-n', 'quota', '--hard=requests.cpu=1,limits.memory=1Gi');
  await eventually(async () => (await ok('get', 'quota', 'q', '-n', 'quota', '-o', 'jsonpath={.status.used}')).length > 0, 10_000, 'quota status');
  const r = await s.kubectl('run', 'bare', '-n', 'quota', '--image=nginx');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (Forbidden): pods "bare" is forbidden: failed quota: q: must specify limits.memory for: bare; requests.cpu for: bare\n');
});

test('a node back from an outage: describe node shows the kubelet\'s NodeHasSufficientMemory (x2) and NodeReady events', async () => {
  const node = 'kube-emulator-m03';
  await emulator('node', 'stop', node);
  await emulator('clock', 'advance', '60s');
  await eventually(async () => (await ok('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'Unknown', 10_000, 'Unknown');
  await emulator('node', 'start', node);
  await eventually(async () => (await ok('get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')) === 'True', 20_000, 'Ready again');
  const events = await eventually(async () => {
    const out = await ok('describe', 'node', node);
    return /NodeReady\s+\S+\s+kubelet\s+Node kube-emulator-m03 status is now: NodeReady/.test(out) && out;
  }, 10_000, 'NodeReady event');
  assert.match(events, /NodeHasSufficientMemory\s+.*\(x2 over .*\)\s+kubelet\s+Node kube-emulator-m03 status is now: NodeHasSufficientMemory/);
  assert.match(events, /NodeNotReady\s+\S+\s+node-controller\s+Node kube-emulator-m03 status is now: NodeNotReady/);
});
