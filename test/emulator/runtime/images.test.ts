// The image catalogue's programs: nginx and httpd serve their pages and log each request, shut
// down on SIGTERM; busybox's default `sh` exits at once; http-echo, echoserver, databases; the
// command/args rules; which references exist.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkImage, containerArgv, ContainerStartError, criPullError, execProgramFor, imageExists, programFor, pullError, referenceError } from '../../../src/emulator/runtime/images/index.ts';
import { NGINX_INDEX } from '../../../src/emulator/runtime/images/servers.ts';
import { FakeNet, MemFs, run, start } from './shell-fakes.ts';

const POD_IP = '10.244.0.5';

test('nginx serves the default page naming the pod, logs each request, and shuts down on SIGTERM', async () => {
  assert.equal(Buffer.byteLength(NGINX_INDEX), 615);
  const net = new FakeNet();
  const fs = new MemFs();
  const r = start(programFor('nginx:1.27'), { net, fs });
  await r.clock.advance(0);
  assert.match(r.stdout(), /^\/docker-entrypoint\.sh: \/docker-entrypoint\.d\/ is not empty, will attempt to perform configuration\n/);
  assert.match(r.stderr(), /2026\/11\/26 17:00:00 \[notice\] 1#1: nginx\/1\.27\.3\n/);
  assert.match(r.stderr(), /start worker process 29\n/);
  const res = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}/`, { headers: { 'User-Agent': 'Wget' } });
  assert.equal(res.status, 200);
  const body = res.body.toString();
  assert.ok(body.startsWith(NGINX_INDEX));
  assert.ok(body.endsWith(`<!-- served by pod web-7d4b9c-x2x9z (${POD_IP}) -->\n`));
  assert.equal(res.headers.Server, 'nginx/1.27.3');
  assert.equal(res.headers['Content-Length'], String(res.body.length));
  assert.ok(r.stdout().endsWith(`10.244.1.3 - - [26/Nov/2026:17:00:00 +0000] "GET / HTTP/1.1" 200 ${res.body.length} "-" "Wget" "-"\n`));
  // The image's files are there for `kubectl exec ... cat`.
  assert.equal(fs.read('/usr/share/nginx/html/index.html').toString(), NGINX_INDEX);

  const missing = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}/nope`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.toString(), /<center><h1>404 Not Found<\/h1><\/center>/);
  assert.match(r.stderr(), /\[error\] 29#29: \*2 open\(\) "\/usr\/share\/nginx\/html\/nope" failed \(2: No such file or directory\), client: 10\.244\.1\.3, server: localhost, request: "GET \/nope HTTP\/1\.1"/);

  // A page written into the web root (kubectl exec, an init container) is what it serves.
  fs.write('/usr/share/nginx/html/index.html', 'custom\n');
  const custom = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}/`);
  assert.equal(custom.body.toString(), 'custom\n');

  r.clock.advance(60_000);
  r.term();
  assert.equal(await r.done, 0);
  assert.match(r.stderr(), /\[notice\] 1#1: signal 3 \(SIGQUIT\) received, shutting down\n.*gracefully shutting down\n[\s\S]*\[notice\] 1#1: exit\n$/);
  // It stopped listening.
  await assert.rejects(net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}/`), /refused/);
});

test('nginx through a Service shows each pod in turn; a mounted web root without index is 403', async () => {
  const net = new FakeNet();
  const a = start(programFor('nginx'), { net, pod: { name: 'web-a', ip: '10.244.1.10' } });
  const b = start(programFor('nginx:alpine'), { net, pod: { name: 'web-b', ip: '10.244.2.10' } });
  await a.clock.advance(0);
  net.services.set('10.96.0.50', ['10.244.1.10', '10.244.2.10']);
  const seen = [];
  for (let i = 0; i < 2; i++) seen.push(/served by pod (\S+)/.exec((await net.request({ ip: '10.244.0.9', namespace: 'default' }, 'http://10.96.0.50/')).body.toString())?.[1]);
  assert.deepEqual(seen, ['web-a', 'web-b']);
  a.term();
  b.term();
  assert.equal(await a.done, 0);

  const fs = new MemFs();
  fs.mkdir('/usr/share/nginx/html', { recursive: true });
  const c = start(programFor('nginx'), { net, fs, pod: { ip: '10.244.3.3' } });
  await c.clock.advance(0);
  const res = await net.request({ ip: '10.244.0.9', namespace: 'default' }, 'http://10.244.3.3/');
  assert.equal(res.status, 403);
  c.term();
  await c.done;
});

test('nginx listens where a mounted default.conf says', async () => {
  const net = new FakeNet();
  const fs = new MemFs();
  fs.mkdir('/etc/nginx/conf.d', { recursive: true });
  fs.write('/etc/nginx/conf.d/default.conf', 'server {\n  listen 8080;\n  root /srv;\n}\n');
  fs.mkdir('/srv');
  fs.write('/srv/index.html', 'from srv\n');
  const r = start(programFor('nginx'), { net, fs });
  await r.clock.advance(0);
  assert.equal((await net.request({ ip: '10.244.0.9', namespace: 'default' }, `http://${POD_IP}:8080/`)).body.toString(), 'from srv\n');
  await assert.rejects(net.request({ ip: '10.244.0.9', namespace: 'default' }, `http://${POD_IP}/`), /refused/);
  r.term();
  await r.done;
});

test('httpd serves "It works!" with the common log format', async () => {
  const net = new FakeNet();
  const r = start(programFor('httpd:2.4'), { net });
  await r.clock.advance(0);
  assert.match(r.stderr(), /AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10\.244\.0\.5/);
  const res = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}/`);
  assert.ok(res.body.toString().startsWith('<html><body><h1>It works!</h1></body></html>\n'));
  assert.ok(r.stdout().endsWith(`10.244.1.3 - - [26/Nov/2026:17:00:00 +0000] "GET / HTTP/1.1" 200 ${res.body.length}\n`));
  r.term();
  assert.equal(await r.done, 0);
  assert.match(r.stderr(), /AH00491: caught SIGTERM, shutting down\n$/);
});

test('busybox: the default sh exits 0 at once (CrashLoopBackOff material); commands run in the shell', async () => {
  assert.deepEqual(containerArgv('busybox'), ['sh']);
  assert.deepEqual(await run(programFor('busybox')), { code: 0, stdout: '', stderr: '', output: '' });
  assert.equal((await run(programFor('busybox:1.36', ['sh', '-c', 'exit 1']))).code, 1);
  const r = await run(programFor('busybox', ['sh', '-c'], ['echo "hello from $HOSTNAME"']));
  assert.equal(r.stdout, 'hello from web-7d4b9c-x2x9z\n');
  assert.equal((await run(programFor('alpine', undefined, ['echo', 'args replace CMD']))).stdout, 'args replace CMD\n');
  // sleep as PID 1 ignores SIGTERM: the pod waits for the grace period and SIGKILL.
  const s = start(programFor('busybox', ['sleep', '3600']), { killable: true });
  let ended: number | undefined;
  void s.done.then((x) => (ended = x));
  s.term();
  await s.clock.advance(30_000);
  assert.equal(ended, undefined);
  s.kill();
  assert.equal(await s.done, 137);
});

test('command/args follow the Kubernetes rules over ENTRYPOINT/CMD', () => {
  assert.deepEqual(containerArgv('nginx'), ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']);
  assert.deepEqual(containerArgv('nginx', undefined, ['nginx-debug', '-g', 'daemon off;']), ['/docker-entrypoint.sh', 'nginx-debug', '-g', 'daemon off;']);
  assert.deepEqual(containerArgv('nginx', ['sh', '-c']), ['sh', '-c']);
  assert.deepEqual(containerArgv('nginx', ['sh', '-c'], ['echo hi']), ['sh', '-c', 'echo hi']);
  assert.deepEqual(containerArgv('hashicorp/http-echo', undefined, ['-text=hi']), ['/http-echo', '-text=hi']);
  assert.deepEqual(containerArgv('redis'), ['docker-entrypoint.sh', 'redis-server']);
});

test('a binary that is not in the image fails to start (StartError, 128)', async () => {
  // Thrown by programFor itself, so the kubelet reports StartError without running anything.
  assert.throws(() => programFor('busybox', ['nosuchbinary']), (e: unknown) => e instanceof ContainerStartError && e.exitCode === 128 && /exec: "nosuchbinary": executable file not found in \$PATH/.test(e.message));
  assert.throws(() => programFor('hashicorp/http-echo', ['sh', '-c', 'echo']), ContainerStartError);
  assert.throws(() => execProgramFor('registry.k8s.io/pause', ['ls']), ContainerStartError);
  // A path is looked up in the container's files when it runs.
  await assert.rejects(run(programFor('busybox', ['/app/start.sh'])), /stat \/app\/start\.sh: no such file or directory/);
  // Debian's nginx has curl, busybox has wget but no curl.
  const net = new FakeNet();
  assert.equal((await run(execProgramFor('busybox', ['sh', '-c', 'curl x']), { net })).stderr, 'sh: curl: not found\n');
  assert.equal((await run(execProgramFor('nginx', ['sh', '-c', 'curl -s x']), { net })).code, 6);
  assert.equal((await run(execProgramFor('ubuntu', ['bash', '-c', 'wget x']), { net })).stderr, 'bash: line 1: wget: command not found\n');
  assert.equal((await run(execProgramFor('nginx', ['sh', '-c', 'nope']), { net })).stderr, 'sh: 1: nope: not found\n');
});

test('kubectl exec into nginx: cat the page, curl localhost', async () => {
  const net = new FakeNet();
  const fs = new MemFs();
  const main = start(programFor('nginx'), { net, fs });
  await main.clock.advance(0);
  const cat = await run(execProgramFor('nginx', ['cat', '/usr/share/nginx/html/index.html']), { net, fs });
  assert.equal(cat.stdout, NGINX_INDEX);
  const curl = await run(execProgramFor('nginx', ['curl', '-s', 'localhost']), { net, fs });
  assert.match(curl.stdout, /<title>Welcome to nginx!<\/title>/);
  assert.match(main.stdout(), /10\.244\.0\.5 - - \[.*\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "curl\/8\.11\.1" "-"\n$/);
  main.term();
  await main.done;
});

test('hashicorp/http-echo answers its -text on -listen', async () => {
  const net = new FakeNet();
  const r = start(programFor('hashicorp/http-echo', undefined, ['-text=apple', '-listen=:8080']), { net });
  await r.clock.advance(0);
  assert.match(r.stderr(), /\[INFO\] server is listening on :8080\n/);
  const res = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}:8080/`, { headers: { 'User-Agent': 'curl/8.11.1' } });
  assert.equal(res.body.toString(), 'apple\n');
  assert.equal(res.headers['X-App-Name'], 'http-echo');
  r.term();
  assert.equal(await r.done, 0);
  const two = start(programFor('hashicorp/http-echo', undefined, ['-text', 'banana']), { net, pod: { ip: '10.244.1.7' } });
  await two.clock.advance(0);
  assert.equal((await net.request({ ip: '10.244.1.3', namespace: 'default' }, 'http://10.244.1.7:5678/')).body.toString(), 'banana\n');
  two.term();
  await two.done;
  const none = await run(programFor('hashicorp/http-echo'));
  assert.equal(none.stderr, 'Missing -text option!\n');
  assert.equal(none.code, 127);
});

test('echoservers echo the request and name the pod', async () => {
  const net = new FakeNet();
  const r = start(programFor('registry.k8s.io/echoserver:1.10'), { net });
  const k = start(programFor('kicbase/echo-server:1.0'), { net, pod: { name: 'hello-minikube-1', ip: '10.244.0.8' } });
  await r.clock.advance(0);
  const res = await net.request({ ip: '10.244.1.3', namespace: 'default' }, `http://${POD_IP}:8080/path?x=1`, { headers: { 'User-Agent': 'curl/8.11.1' } });
  assert.match(res.body.toString(), /^\n\nHostname: web-7d4b9c-x2x9z\n[\s\S]*\tclient_address=10\.244\.1\.3\n\tmethod=GET\n\treal path=\/path\n\tquery=x=1\n/);
  const kr = await net.request({ ip: '10.244.1.3', namespace: 'default' }, 'http://10.244.0.8:8080/', { headers: { 'User-Agent': 'curl/8.11.1' } });
  assert.equal(kr.body.toString(), 'Request served by hello-minikube-1\n\nHTTP/1.1 GET /\n\nUser-Agent: curl/8.11.1\n');
  assert.equal(k.stdout(), 'Echo server listening on port 8080.\n');
  r.term();
  k.term();
  assert.equal(await r.done, 0);
  assert.equal(await k.done, 0);
  // The old registry name is the same image.
  assert.deepEqual(containerArgv('k8s.gcr.io/echoserver:1.4'), ['nginx', '-g', 'daemon off;']);
});

test('databases: mysql and postgres refuse to start without a password; redis starts and stops', async () => {
  const my = await run(programFor('mysql:8'));
  assert.equal(my.code, 1);
  assert.match(my.stderr, /\[ERROR\] \[Entrypoint\]: Database is uninitialized and password option is not specified\n {4}You need to specify one of the following as an environment variable:\n {4}- MYSQL_ROOT_PASSWORD\n/);
  const pg = await run(programFor('postgres:16'));
  assert.equal(pg.code, 1);
  assert.match(pg.stderr, /^Error: Database is uninitialized and superuser password is not specified\.\n/);
  const net = new FakeNet();
  const ok = start(programFor('postgres:16'), { env: { POSTGRES_PASSWORD: 'x' }, net });
  await ok.clock.advance(0);
  assert.match(ok.stdout(), /database system is ready to accept connections\n$/);
  assert.ok(net.listeners.has(`${POD_IP}:5432`));
  ok.term();
  assert.equal(await ok.done, 0);
  const redis = start(programFor('redis:7'), { net: new FakeNet() });
  await redis.clock.advance(0);
  assert.match(redis.stdout(), /1:M 26 Nov 2026 17:00:00\.000 \* Ready to accept connections tcp\n$/);
  redis.term();
  assert.equal(await redis.done, 0);
  assert.match(redis.stdout(), /Redis is now ready to exit, bye bye\.\.\.\n$/);
  assert.equal((await run(execProgramFor('redis', ['redis-cli', 'ping']))).stdout, 'PONG\n');
});

test('python and node REPLs exit at once without a terminal; other images idle until stopped', async () => {
  assert.equal((await run(programFor('python:3.12'))).code, 0);
  assert.equal((await run(programFor('node:20'))).code, 0);
  const idle = start(programFor('myuser/myapp:v1'));
  let ended: number | undefined;
  void idle.done.then((x) => (ended = x));
  await idle.clock.advance(3_600_000);
  assert.equal(ended, undefined);
  idle.term();
  assert.equal(await idle.done, 0);
  const pause = start(programFor('registry.k8s.io/pause:3.10'));
  pause.term();
  assert.equal(await pause.done, 0);
});

test('which image references exist', () => {
  for (const ok of ['nginx', 'nginx:1.27', 'nginx:alpine', 'nginx:whatever-tag', 'busybox:1.28', 'docker.io/library/redis:7', 'myuser/app:v1', 'ghcr.io/org/app:1.0', 'localhost:5000/app', 'registry.k8s.io/pause:3.10', 'wordpress', `nginx@sha256:${'a'.repeat(64)}`]) {
    assert.equal(checkImage(ok), 'ok', ok);
    assert.equal(imageExists(ok), true, ok);
  }
  for (const nf of ['nginxx', 'ngnix:latest', 'library/doesnotexist', 'nginx:404', 'busybox:nonexistent', 'myuser/app:doesnotexist']) assert.equal(checkImage(nf), 'notfound', nf);
  for (const bad of ['', 'NGINX', 'nginx:', 'nginx:bad tag', ' nginx', 'nginx@sha256:xyz', 'a//b']) assert.equal(checkImage(bad), 'invalid', bad);
  assert.equal(imageExists('nginx:404'), false);
  assert.equal(
    pullError('nginxx'),
    'failed to pull and unpack image "docker.io/library/nginxx:latest": failed to resolve reference "docker.io/library/nginxx:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
  );
  assert.equal(pullError('nginx:404'), 'failed to pull and unpack image "docker.io/library/nginx:404": failed to resolve reference "docker.io/library/nginx:404": docker.io/library/nginx:404: not found');
  assert.equal(pullError('nginx'), undefined);
});

test('referenceError: distribution/reference wording (upper case in the repository, other malformed references); criPullError: NotFound for a missing tag, Unknown for a repository the registry refuses', () => {
  assert.equal(referenceError('nginx:1.27'), undefined);
  assert.equal(referenceError('NGINX'), 'couldn\'t parse image name "NGINX": invalid reference format: repository name (library/NGINX) must be lowercase');
  assert.equal(referenceError('me/Web:v1'), 'couldn\'t parse image name "me/Web:v1": invalid reference format: repository name (me/Web) must be lowercase');
  assert.equal(referenceError('ghcr.io/org/App'), 'couldn\'t parse image name "ghcr.io/org/App": invalid reference format: repository name (org/App) must be lowercase');
  assert.equal(referenceError('nginx:'), 'couldn\'t parse image name "nginx:": invalid reference format');
  assert.equal(criPullError('nginx'), undefined);
  assert.match(criPullError('nginx:404')!, /^rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/library\/nginx:404": .*: not found$/);
  assert.match(criPullError('nginxx')!, /^rpc error: code = Unknown desc = failed to pull and unpack image "docker\.io\/library\/nginxx:latest": .*: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed$/);
});

test('official images with no catalogue entry of their own can be pulled (fluentd for a DaemonSet) and run idle', () => {
  for (const ref of ['fluentd:v1.16-1', 'fluentd', 'mongo-express', 'almalinux:9', 'docker.io/library/gcc:14']) assert.equal(checkImage(ref), 'ok', ref);
  assert.equal(checkImage('fluentdd'), 'notfound');
});
