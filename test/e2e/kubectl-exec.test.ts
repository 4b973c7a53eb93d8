// The real kubectl 1.32 against `kube-emulator serve` for the streaming subresources: exec (over
// WebSocket v5.channel.k8s.io), exit codes, stdin, a terminal (through script(1)), cp both ways
// (tar over exec), attach, and port-forward to a pod and to a Service (SPDY/3.1 tunneled in
// WebSocket), with the texts kubectl prints on a real cluster.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let bin: string;
let cache: string;
let dir: string;
let kubectl: (...args: string[]) => ReturnType<typeof run>;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<typeof run>;

before(async () => {
  bin = kubectlPath();
  dir = tempDir('kubectl-exec');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
  kubectlIn = (input: string, ...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig }, input);
  const r = await kubectlIn(
    `apiVersion: v1
kind: Pod
metadata: {name: bb}
spec:
  containers:
  - name: bb
    image: busybox
    command: [sh, -c, 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done']
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: nginx, image: nginx, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: pending}
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
  await eventually(async () => {
    const g = await kubectl('get', 'pods', 'bb', 'web', '-o', 'jsonpath={.items[*].status.phase}');
    return g.stdout === 'Running Running';
  }, 30_000, 'bb and web Running');
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

test('exec: output, a file written then read, and the exit code with kubectl\'s message', async () => {
  const r = await kubectl('exec', 'bb', '--', 'sh', '-c', 'echo hello $HOSTNAME; echo data > /tmp/x; cat /tmp/x; exit 3');
  assert.equal(r.stdout, 'hello bb\ndata\n');
  assert.equal(r.stderr, 'command terminated with exit code 3\n');
  assert.equal(r.code, 3);
  const cat = await kubectl('exec', 'bb', '--', 'cat', '/tmp/x');
  assert.deepEqual([cat.code, cat.stdout, cat.stderr], [0, 'data\n', '']);
});

test('exec -i: a script on stdin; its exit status is kubectl\'s', async () => {
  const r = await kubectlIn('echo line1\necho sum $((1+2))\nexit 5\n', 'exec', '-i', 'bb', '--', 'sh');
  assert.equal(r.stdout, 'line1\nsum 3\n');
  assert.equal(r.stderr, 'command terminated with exit code 5\n');
  assert.equal(r.code, 5);
});

test('exec -it with a terminal: the prompt, the echoed line, the exit code', async () => {
  const script = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(script, 'script(1) (util-linux / bsdutils) is needed for a pseudo-terminal');
  const cmd = `${bin} --cache-dir ${cache} exec -it bb -- sh`;
  const p = spawn(script, ['-qec', cmd, '/dev/null'], { env: { ...process.env, KUBECONFIG: server.kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await eventually(async () => out.includes('/ # '), 15_000, 'the prompt');
  p.stdin.write('echo hi there\n');
  await eventually(async () => out.includes('hi there\r\n/ # '), 15_000, 'the answer and the next prompt');
  p.stdin.write('exit 4\n');
  const code = await new Promise<number | null>((r) => p.on('close', r));
  assert.equal(code, 4);
  assert.match(out, /command terminated with exit code 4/);
});

test('exec: errors as kubectl prints them', async () => {
  const badContainer = await kubectl('exec', 'bb', '-c', 'nope', '--', 'ls');
  assert.deepEqual([badContainer.code, badContainer.stderr], [1, 'Error from server (BadRequest): container nope is not valid for pod bb\n']);
  const missing = await kubectl('exec', 'nothere', '--', 'ls');
  assert.deepEqual([missing.code, missing.stderr], [1, 'Error from server (NotFound): pods "nothere" not found\n']);
  const pending = await kubectl('exec', 'pending', '--', 'ls');
  assert.deepEqual([pending.code, pending.stderr], [1, 'Error from server (BadRequest): pod pending does not have a host assigned\n']);
});

test('exec into a container that is not running: the kubelet refuses the upgrade', async () => {
  const r = await kubectl('run', 'crash', '--image', 'busybox', '--', 'sh', '-c', 'exit 1');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}')).stdout === 'CrashLoopBackOff', 30_000, 'CrashLoopBackOff');
  const e = await kubectl('exec', 'crash', '--', 'ls');
  assert.deepEqual([e.code, e.stderr], [1, 'error: unable to upgrade connection: container not found ("crash")\n']);
});

test('cp: a file and a directory into the pod and back (tar over exec)', async () => {
  const up = join(dir, 'up');
  mkdirSync(join(up, 'sub'), { recursive: true });
  writeFileSync(join(up, 'one.txt'), 'one\n');
  writeFileSync(join(up, 'sub', 'two.txt'), 'two\n');
  writeFileSync(join(dir, 'file.txt'), 'hello from the host\n');
  const f = await kubectl('cp', join(dir, 'file.txt'), 'bb:/tmp/file.txt');
  assert.deepEqual([f.code, f.stderr], [0, '']);
  assert.equal((await kubectl('exec', 'bb', '--', 'cat', '/tmp/file.txt')).stdout, 'hello from the host\n');
  const d = await kubectl('cp', up, 'bb:/tmp/up');
  assert.deepEqual([d.code, d.stderr], [0, '']);
  assert.equal((await kubectl('exec', 'bb', '--', 'cat', '/tmp/up/sub/two.txt')).stdout, 'two\n');
  const back = await kubectl('cp', 'bb:/tmp/file.txt', join(dir, 'back.txt'));
  assert.equal(back.code, 0, back.stderr);
  // tar in the container warns about the leading slash; kubectl cp copies the remote stderr to
  // its own stdout (cp.go copyFromPod: ErrOut is o.Out).
  assert.deepEqual([back.stdout, back.stderr], ["tar: removing leading '/' from member names\n", '']);
  assert.equal(readFileSync(join(dir, 'back.txt'), 'utf8'), 'hello from the host\n');
  const backDir = await kubectl('cp', 'bb:/tmp/up', join(dir, 'backdir'));
  assert.equal(backDir.code, 0, backDir.stderr);
  assert.equal(readFileSync(join(dir, 'backdir', 'one.txt'), 'utf8'), 'one\n');
  assert.equal(readFileSync(join(dir, 'backdir', 'sub', 'two.txt'), 'utf8'), 'two\n');
  const nginx = await kubectl('cp', 'web:/usr/share/nginx/html/index.html', join(dir, 'index.html'));
  assert.equal(nginx.code, 0, nginx.stderr);
  assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /<title>Welcome to nginx!<\/title>/);
});

test('attach: the main process\'s output from now on', async () => {
  const p = spawn(bin, ['--cache-dir', cache, 'attach', 'bb'], { env: { ...process.env, KUBECONFIG: server.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  try {
    await eventually(async () => /tick \d+\ntick \d+\n/.test(out), 15_000, 'two ticks');
    const n = out.match(/tick (\d+)/g)!.map((s) => Number(s.slice(5)));
    assert.equal(n[1], n[0] + 1, out);
    // Only new lines: the first ticks (before attaching) are not replayed.
    assert.notEqual(n[0], 0);
  } finally {
    p.kill('SIGTERM');
  }
});

/** Starts kubectl port-forward on a free local port; resolves with the port once it forwards. */
async function portForward(target: string, remote: number): Promise<{ port: number; proc: ChildProcess; output: () => string }> {
  const proc = spawn(bin, ['--cache-dir', cache, 'port-forward', target, `:${remote}`], { env: { ...process.env, KUBECONFIG: server.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const port = await eventually(async () => Number(/Forwarding from 127\.0\.0\.1:(\d+) -> \d+/.exec(out)?.[1] ?? 0), 15_000, `port-forward ${target}`);
  return { port, proc, output: () => out };
}

test('port-forward pod/web: HTTP through the tunnel to nginx, several requests on one connection and on new ones', async () => {
  const pf = await portForward('pod/web', 80);
  try {
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${pf.port}/`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('server') ?? '', /^nginx\//);
      assert.match(await r.text(), /<title>Welcome to nginx!<\/title>/);
    }
    const nf = await fetch(`http://127.0.0.1:${pf.port}/missing`);
    assert.equal(nf.status, 404);
    await nf.text();
    assert.match(pf.output(), /Handling connection for \d+/);
  } finally {
    pf.proc.kill('SIGTERM');
  }
});

test('port-forward svc/web: kubectl picks a pod of the Service', async () => {
  const pf = await portForward('svc/web', 80);
  try {
    const r = await fetch(`http://127.0.0.1:${pf.port}/`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /Welcome to nginx!/);
    assert.match(pf.output(), new RegExp(`Forwarding from 127\\.0\\.0\\.1:${pf.port} -> 80`));
  } finally {
    pf.proc.kill('SIGTERM');
  }
});

test('port-forward to a port nothing listens on: the runtime\'s error, then kubectl loses the connection', async () => {
  const pf = await portForward('pod/web', 81);
  await fetch(`http://127.0.0.1:${pf.port}/`).then(
    (r) => r.text(),
    () => undefined,
  );
  const code = await new Promise<number | null>((r) => (pf.proc.exitCode !== null ? r(pf.proc.exitCode) : pf.proc.on('close', r)));
  assert.equal(code, 1);
  assert.match(pf.output(), /an error occurred forwarding \d+ -> 81: error forwarding port 81 to pod web_default, uid : failed to connect to localhost:81 inside namespace \\"[0-9a-f-]+\\", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused/);
  assert.match(pf.output(), /error: lost connection to pod\n$/);
});
