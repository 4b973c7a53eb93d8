// The small shell (busybox ash flavour): parsing, expansions, redirections, pipes, control flow,
// builtins and commands, errors worded as busybox words them, signals and the interactive prompt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sh, createShell } from '../../../src/emulator/runtime/shell/index.ts';
import { parse } from '../../../src/emulator/runtime/shell/parser.ts';
import { evalArith } from '../../../src/emulator/runtime/shell/arith.ts';
import { FakeNet, MemFs, run, start, START } from './shell-fakes.ts';

const c = (script: string, o: Parameters<typeof run>[1] = {}) => run(sh, { ...o, argv: ['sh', '-c', script] });

test('echo with variables, quotes and escapes', async () => {
  const r = await c(`X=world; echo hello $X "\${X}!" 'lit $X' "a\\"b" a\\ b`, { env: { HOSTNAME: 'pod-a' } });
  assert.equal(r.stdout, 'hello world world! lit $X a"b a b\n');
  assert.equal((await c('echo $HOSTNAME', { env: { HOSTNAME: 'pod-a' } })).stdout, 'pod-a\n');
  // Without an env HOSTNAME the runtime's default is the pod name.
  assert.equal((await c('echo $HOSTNAME')).stdout, 'web-7d4b9c-x2x9z\n');
  assert.equal((await c('echo -n a; echo -e "b\\tc\\nd"; echo -e "x\\cy"; echo')).stdout, 'ab\tc\nd\nx\n');
  assert.equal((await c('echo "$UNSET" | wc -c')).stdout, '1\n');
});

test('field splitting, "$@" and empty strings', async () => {
  assert.equal((await c('A="1  2   3"; for x in $A; do echo "[$x]"; done')).stdout, '[1]\n[2]\n[3]\n');
  assert.equal((await c('A="1  2"; for x in "$A"; do echo "[$x]"; done')).stdout, '[1  2]\n');
  const r = await run(sh, { argv: ['sh', '-c', 'for a in "$@"; do echo "<$a>"; done; echo $# $0', 'prog', 'x y', 'z'] });
  assert.equal(r.stdout, '<x y>\n<z>\n2 prog\n');
  assert.equal((await c('set -- "" b; echo $#')).stdout, '2\n');
});

test('parameter expansion operators', async () => {
  const r = await c('X=hello.tar.gz; echo ${Y:-dflt} ${Y-d2} ${X:+set} ${#X} ${X%.*} ${X%%.*} ${X#*.} ${X##*.}; echo ${Z:=zz} $Z');
  assert.equal(r.stdout, 'dflt d2 set 12 hello.tar hello tar.gz gz\nzz zz\n');
  const e = await c('echo ${NOPE:?is required}; echo after');
  assert.equal(e.stderr, 'sh: NOPE: is required\n');
  assert.equal(e.code, 2);
  assert.equal(e.stdout, '');
});

test('$?, $$, $! and exit codes', async () => {
  assert.equal((await c('false; echo $?; true; echo $?; foo; echo $?')).output, '1\n0\nsh: foo: not found\n127\n');
  assert.equal((await c('echo $$')).stdout, `${7}\n`);
  assert.equal((await c('exit 3')).code, 3);
  assert.equal((await c('exit 300')).code, 44);
  assert.equal((await c('(exit 4); echo $?')).stdout, '4\n');
  assert.equal((await c('false')).code, 1);
  const bad = await c('exit abc');
  assert.equal(bad.stderr, 'sh: exit: Illegal number: abc\n');
  assert.equal(bad.code, 2);
});

test('unknown commands: not found, exit 127; syntax errors exit 2', async () => {
  const r = await c('nosuchcmd arg');
  assert.equal(r.stderr, 'sh: nosuchcmd: not found\n');
  assert.equal(r.code, 127);
  const p = await c('/usr/bin/nothere');
  assert.equal(p.stderr, 'sh: /usr/bin/nothere: not found\n');
  const s = await c('if true; then echo x');
  assert.equal(s.stderr, 'sh: syntax error: unexpected end of file (expecting "fi")\n');
  assert.equal(s.code, 2);
  assert.equal((await c('echo a; fi')).stderr, 'sh: syntax error: unexpected "fi"\n');
  assert.equal((await c('echo a &&')).stderr, 'sh: syntax error: unexpected end of file\n');
  assert.equal((await c('echo "abc')).stderr, 'sh: syntax error: unterminated quoted string\n');
  // Nothing ran: the script is parsed before it runs.
  assert.equal((await c('echo first; if')).stdout, '');
});

test('&&, || and ; and !', async () => {
  assert.equal((await c('true && echo a || echo b; false && echo c || echo d; ! false && echo e')).stdout, 'a\nd\ne\n');
  assert.equal((await c('false || false || echo last')).stdout, 'last\n');
});

test('if/elif/else, while, until, for, case, break and continue', async () => {
  assert.equal((await c('if [ 1 -eq 2 ]; then echo a; elif [ "x" = "x" ]; then echo b; else echo c; fi')).stdout, 'b\n');
  assert.equal((await c('i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done')).stdout, '1\n2\n3\n');
  assert.equal((await c('i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i')).stdout, '2\n');
  assert.equal((await c('for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done')).stdout, '1\n3\n');
  assert.equal((await c('for f in a.log b.txt; do case $f in *.log) echo "log $f";; *) echo "other $f";; esac; done')).stdout, 'log a.log\nother b.txt\n');
  const multi = await c(`for i in 1 2
do
  echo "line $i"
done`);
  assert.equal(multi.stdout, 'line 1\nline 2\n');
  assert.equal((await c('f() { echo "in f $1"; return 3; }; f arg; echo $?')).stdout, 'in f arg\n3\n');
});

test('arithmetic', async () => {
  assert.equal((await c('a=7; echo $((a * 2 + 1)) $((a / 2)) $((a % 3)) $((2 ** 10)) $((a > 3 && a < 10)) $(( (1+2)*3 )) $((-a)) $((a++)) $a $((x += 5))')).stdout, '15 3 1 1024 1 9 -7 7 8 5\n');
  const vars = new Map<string, string>();
  assert.equal(evalArith('b = 3, b * 2', { get: (n) => vars.get(n), set: (n, v) => vars.set(n, v) }), 6n);
  assert.equal(evalArith('1 ? 2 : 3', { get: () => undefined, set: () => {} }), 2n);
  const r = await c('echo $((1/0))');
  assert.equal(r.stderr, 'sh: divide by zero\n');
  assert.equal(r.code, 2);
  assert.equal((await c('echo $((1 +))')).stderr, 'sh: arithmetic syntax error\n');
});

test('command substitution', async () => {
  assert.equal((await c('X=$(echo hi; echo there); echo "$X"; echo `echo back` $(echo $(echo nested))')).stdout, 'hi\nthere\nback nested\n');
  assert.equal((await c('X=$(false); echo $?')).stdout, '1\n');
});

test('redirections into the file system: >, >>, 2>&1, <, here-documents', async () => {
  const fs = new MemFs();
  const r = await c('mkdir -p /data/logs; echo one > /data/logs/a; echo two >> /data/logs/a; cat < /data/logs/a; ls /nope 2>&1 | grep -c such; ls /nope 2>/dev/null; echo "exit $?"', { fs });
  assert.equal(r.stdout, 'one\ntwo\n1\nexit 1\n');
  assert.equal(fs.read('/data/logs/a').toString(), 'one\ntwo\n');
  await c('cat > /tmp/h <<EOF\nname: $HOSTNAME\nliteral: \\$x\nEOF\ncat <<\'Q\' >> /tmp/h\nno $expansion\nQ', { fs });
  assert.equal(fs.read('/tmp/h').toString(), 'name: web-7d4b9c-x2x9z\nliteral: $x\nno $expansion\n');
  const e = await c('echo x > /missing/dir/file; echo $?', { fs });
  assert.equal(e.stderr, "sh: can't create /missing/dir/file: nonexistent directory\n");
  assert.equal(e.stdout, '1\n');
  const i = await c('cat < /nofile', { fs });
  assert.equal(i.stderr, "sh: can't open /nofile: no such file\n");
  const ro = await c('echo x > /etc/conf', { fs: new MemFs(() => 0, true) });
  assert.equal(ro.stderr, "sh: can't create /etc/conf: Read-only file system\n");
  assert.equal((await c('echo err >&2; echo out', {})).output, 'err\nout\n');
  assert.equal((await c('echo err >&2')).stderr, 'err\n');
});

test('pipes: grep, head, tail, wc, sort, uniq, cut, tr, sed, awk', async () => {
  assert.equal((await c('printf "a\\nb\\nab\\n" | grep a')).stdout, 'a\nab\n');
  assert.equal((await c('printf "a\\nb\\nab\\n" | grep -v a | wc -l')).stdout, '1\n');
  assert.equal((await c('seq 1 20 | head -n 3; seq 1 20 | tail -2; seq 5 | head -2')).stdout, '1\n2\n3\n19\n20\n1\n2\n');
  assert.equal((await c('printf "b\\na\\nb\\n" | sort | uniq -c')).stdout, '      1 a\n      2 b\n');
  assert.equal((await c('echo "a:b:c" | cut -d: -f2; echo hello | tr a-z A-Z; echo "x y z" | awk \'{print $2}\'; echo foo | sed s/o/0/g')).stdout, 'b\nHELLO\ny\nf00\n');
  assert.equal((await c('echo nope | grep -q yes; echo $?; echo Yes | grep -i yes')).stdout, '1\nYes\n');
  // An endless writer stops when its reader is done (SIGPIPE).
  assert.equal((await c('yes | head -n 2')).stdout, 'y\ny\n');
  assert.equal((await c('while true; do echo tick; done | head -n 3')).stdout, 'tick\ntick\ntick\n');
});

test('cat, ls, mkdir, rm, touch and their busybox errors', async () => {
  const fs = new MemFs(() => START);
  const r = await c('mkdir /work; touch /work/b /work/a; echo hi > /work/.hidden; ls /work; ls -a /work; cat /work/nothere; echo $?', { fs });
  assert.equal(r.stdout, 'a\nb\n.\n..\n.hidden\na\nb\n1\n');
  assert.equal(r.stderr, "cat: can't open '/work/nothere': No such file or directory\n");
  const l = await c('echo 12345 > /work/f; ls -l /work/f', { fs });
  assert.equal(l.stdout, '-rw-r--r--    1 root     root             6 Nov 26 17:00 /work/f\n');
  const m = await c('mkdir /work; mkdir /x/y; rm /nothere; rm /work; rm -rf /work; ls /work', { fs });
  assert.equal(
    m.stderr,
    "mkdir: can't create directory '/work': File exists\nmkdir: can't create directory '/x/y': No such file or directory\nrm: can't remove '/nothere': No such file or directory\nrm: '/work' is a directory\nls: /work: No such file or directory\n",
  );
  assert.equal(m.code, 1);
  assert.equal((await c('cd /tmp && touch x && ls && pwd && cd /nope', { fs })).output, "x\n/tmp\nsh: cd: can't cd to /nope: No such file or directory\n");
  assert.equal((await c('cat /tmp', { fs })).stderr, 'cat: read error: Is a directory\n');
  assert.equal((await c('echo a > /tmp/1.log; echo b > /tmp/2.log; cat /tmp/*.log; echo /tmp/*.none', { fs })).stdout, 'a\nb\n/tmp/*.none\n');
});

test('printenv, env, export, hostname, id, test', async () => {
  const r = await c('export GREETING=hi; printenv GREETING; env | grep -c GREETING; LOCAL=1; printenv LOCAL; echo $?; hostname; hostname -i', { env: { APP: 'x' } });
  assert.equal(r.stdout, 'hi\n1\n1\nweb-7d4b9c-x2x9z\n10.244.0.5\n');
  const env = (await c('env', { env: { APP_MODE: 'prod' } })).stdout;
  assert.match(env, /^APP_MODE=prod$/m);
  assert.match(env, /^PATH=\/usr\/local\/sbin:\/usr\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
  assert.match(env, /^HOME=\/root$/m);
  assert.equal((await c('X=1 printenv X; printenv X || echo unset')).stdout, '1\nunset\n');
  assert.equal((await c('[ -z "" ] && [ -n a ] && [ 3 -gt 2 ] && test a != b && [ ! -f /nope ] && [ -d /tmp ] && echo ok')).stdout, 'ok\n');
  assert.equal((await c('[ 1 = 1')).stderr, 'sh: missing ]\n');
});

test('date prints emulated time in busybox format; sleep runs on the clock', async () => {
  const r = start(sh, { argv: ['sh', '-c', 'date; sleep 90; date; date +%s; date -u +"%Y-%m-%dT%H:%M:%SZ"'] });
  await r.clock.advance(89_000);
  assert.equal(r.stdout(), 'Thu Nov 26 17:00:00 UTC 2026\n');
  await r.clock.advance(1_000);
  assert.equal(await r.done, 0);
  assert.equal(r.stdout(), `Thu Nov 26 17:00:00 UTC 2026\nThu Nov 26 17:01:30 UTC 2026\n${START / 1000 + 90}\n2026-11-26T17:01:30Z\n`);
  assert.equal((await c('sleep abc')).stderr, "sleep: invalid number 'abc'\n");
  const d = await c('date; sleep 0.5; sleep 1m; date');
  assert.equal(d.stdout, 'Thu Nov 26 17:00:00 UTC 2026\nThu Nov 26 17:01:00 UTC 2026\n');
});

test('a logging loop writes one line per period', async () => {
  const fs = new MemFs();
  const r = start(sh, { fs, argv: ['sh', '-c', 'i=0; while true; do echo "$(date +%T) tick $i" >> /tmp/log; i=$((i+1)); sleep 5; done'] });
  await r.clock.advance(12_000);
  assert.equal(fs.read('/tmp/log').toString(), '17:00:00 tick 0\n17:00:05 tick 1\n17:00:10 tick 2\n');
  r.term();
  assert.equal(await r.done, 143);
});

test('SIGTERM: exec-style shells die (143); PID 1 ignores it without a trap; trap runs', async () => {
  const a = start(sh, { argv: ['sh', '-c', 'sleep 3600'] });
  await a.clock.advance(1000);
  a.term();
  assert.equal(await a.done, 143);

  // As the container's PID 1 with no handler, SIGTERM is ignored until the SIGKILL.
  const pid1 = createShell({ pid1: true });
  const b = start(pid1, { argv: ['sh', '-c', 'sleep 3600'], killable: true });
  let ended: number | undefined;
  void b.done.then((x) => (ended = x));
  b.term();
  await b.clock.advance(30_000);
  assert.equal(ended, undefined);
  b.kill();
  assert.equal(await b.done, 137);

  // With a trap the loop ends at the next command boundary.
  const t = start(pid1, { argv: ['sh', '-c', 'trap "echo bye; exit 0" TERM; while true; do sleep 1; done'], killable: true });
  await t.clock.advance(2500);
  t.term();
  await t.clock.advance(1000);
  assert.equal(await t.done, 0);
  assert.equal(t.stdout(), 'bye\n');

  // `sleep & wait` makes the trap run at once.
  const w = start(pid1, { argv: ['sh', '-c', 'trap "echo stopping; exit 0" TERM; sleep 3600 & wait'], killable: true });
  await w.clock.advance(10);
  w.term();
  assert.equal(await w.done, 0);
  assert.equal(w.stdout(), 'stopping\n');
});

test('wget through the network: page, busybox messages and errors', async () => {
  const net = new FakeNet();
  net.names.set('web', '10.96.0.12');
  net.services.set('10.96.0.12', ['10.244.1.3']);
  net.listen('10.244.1.3', 80, async (req) => ({ status: req.path === '/' ? 200 : 404, headers: {}, body: Buffer.from(`hello from ${req.remoteIP} ${req.headers['User-Agent']}\n`) }));
  net.names.set('empty', '10.96.0.1');
  net.services.set('10.96.0.1', []);
  const r = await c('wget -q -O- http://web', { net });
  assert.equal(r.stdout, 'hello from 10.244.0.5 Wget\n');
  assert.equal(r.stderr, '');
  const v = await c('wget -O- web', { net });
  assert.equal(v.stderr, "Connecting to web (10.96.0.12:80)\nwriting to stdout\n-                    100% |********************************|    27  0:00:00 ETA\nwritten to stdout\n");
  const f = await c('cd /tmp && wget web && cat index.html && wget web', { net });
  assert.equal(f.stdout, 'hello from 10.244.0.5 Wget\n');
  assert.match(f.stderr, /saving to 'index.html'\n/);
  assert.match(f.stderr, /wget: can't open 'index.html': File exists\n$/);
  assert.equal((await c('wget -qO- http://nosuch', { net })).stderr, "wget: bad address 'nosuch'\n");
  const refused = await c('wget -q -O- http://10.96.0.1', { net });
  assert.equal(refused.stderr, "wget: can't connect to remote host (10.96.0.1): Connection refused\n");
  assert.equal(refused.code, 1);
  assert.equal((await c('wget -q -O- http://empty', { net })).stderr, "wget: can't connect to remote host (10.96.0.1): Connection refused\n");
  assert.equal((await c('wget -q -O- http://web/missing', { net })).stderr, 'wget: server returned error: HTTP/1.1 404 Not Found\n');
  net.blackholes.add('10.0.0.9');
  const slow = start(sh, { net, argv: ['sh', '-c', 'wget -q -T 5 -O- http://10.0.0.9; echo $?'] });
  await slow.clock.advance(5000);
  assert.equal(await slow.done, 0);
  assert.equal(slow.output(), 'wget: download timed out\n1\n');
});

test('curl (in images that ship it): body, -s, -I, -o, -m and its error messages', async () => {
  const { busyboxApplets, curl } = await import('../../../src/emulator/runtime/shell/index.ts');
  const withCurl = createShell({ applets: { ...busyboxApplets(), curl } });
  const net = new FakeNet();
  net.names.set('web', '10.96.0.12');
  net.services.set('10.96.0.12', ['10.244.1.3']);
  net.listen('10.244.1.3', 80, async () => ({ status: 200, headers: { Server: 'nginx/1.27.3', 'Content-Length': '3' }, body: Buffer.from('ok\n') }));
  net.hosts.add('10.244.9.9');
  const cc = (s: string) => run(withCurl, { net, argv: ['sh', '-c', s] });
  assert.equal((await cc('curl -s web')).output, 'ok\n');
  const meter = await cc('curl http://web');
  assert.equal(meter.stdout, 'ok\n');
  assert.match(meter.stderr, /^ {2}% Total {4}% Received % Xferd/);
  assert.equal((await cc('curl -sI web')).stdout, 'HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\nContent-Length: 3\r\n\r\n');
  assert.equal((await cc('curl -s -o /tmp/x web && cat /tmp/x')).stdout, 'ok\n');
  assert.equal((await cc('curl -s -w "%{http_code}\\n" -o /dev/null web')).stdout, '200\n');
  const nores = await cc('curl -sS http://nosuch; echo $?');
  assert.equal(nores.output, 'curl: (6) Could not resolve host: nosuch\n6\n');
  assert.equal((await cc('curl -s nosuch; echo $?')).output, '6\n');
  assert.equal((await cc('curl -sS 10.244.9.9')).stderr, "curl: (7) Failed to connect to 10.244.9.9 port 80 after 0 ms: Couldn't connect to server\n");
  net.blackholes.add('10.0.0.9');
  const slow = start(withCurl, { net, argv: ['sh', '-c', 'curl -sS -m 3 10.0.0.9; echo $?'] });
  await slow.clock.advance(3000);
  await slow.done;
  assert.equal(slow.output(), 'curl: (28) Operation timed out after 3000 milliseconds with 0 bytes received\n28\n');
  // busybox has no curl.
  assert.equal((await c('curl web', { net })).stderr, 'sh: curl: not found\n');
});

test('nslookup in both busybox formats', async () => {
  const { busyboxApplets } = await import('../../../src/emulator/runtime/shell/index.ts');
  const net = new FakeNet();
  net.names.set('kubernetes.default.svc.cluster.local', '10.96.0.1');
  const old = createShell({ applets: busyboxApplets({ nslookupOld: true }) });
  const r = await run(old, { net, argv: ['nslookup', 'kubernetes.default'] });
  assert.equal(r.stdout, 'Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n');
  const n = await run(sh, { net, argv: ['nslookup', 'nope'] });
  assert.equal(n.stdout, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nope: NXDOMAIN\n\n");
  assert.equal(n.code, 1);
});

test('nslookup prints every A record of a headless Service, under its full name, and a CNAME first', async () => {
  const { busyboxApplets } = await import('../../../src/emulator/runtime/shell/index.ts');
  const answers: Record<string, { name: string; cname?: string; addresses: string[]; ptrs?: string[] }> = {
    db: { name: 'db.default.svc.cluster.local', addresses: ['10.244.1.2', '10.244.2.3'], ptrs: ['10-244-1-2.db.default.svc.cluster.local', 'web-0.db.default.svc.cluster.local'] },
    ext: { name: 'ext.default.svc.cluster.local', cname: 'example.com', addresses: [] },
  };
  const net = Object.assign(new FakeNet(), { lookup: (n: string) => answers[n] });
  const r = await run(sh, { net, argv: ['nslookup', 'db'] });
  assert.equal(
    r.stdout,
    'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tdb.default.svc.cluster.local\nAddress: 10.244.1.2\nName:\tdb.default.svc.cluster.local\nAddress: 10.244.2.3\n\n',
  );
  assert.equal(r.code, 0);
  const e = await run(sh, { net, argv: ['nslookup', 'ext'] });
  assert.equal(e.stdout, 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\next.default.svc.cluster.local\tcanonical name = example.com\n\n');
  const old = createShell({ applets: busyboxApplets({ nslookupOld: true }) });
  const o = await run(old, { net, argv: ['nslookup', 'db'] });
  assert.equal(
    o.stdout,
    'Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      db\nAddress 1: 10.244.1.2 10-244-1-2.db.default.svc.cluster.local\nAddress 2: 10.244.2.3 web-0.db.default.svc.cluster.local\n',
  );
});

test('beside the main process (an exec): ps shows it as PID 1; kill 1 sends it SIGTERM, never SIGKILL; kill $$ ends the shell', async () => {
  const sent: string[] = [];
  const main = { argv: ['sh', '-c', 'sleep 3600'], signal: (s: 'SIGTERM') => void sent.push(s) };
  const p = await run(sh, { argv: ['ps'], main, killable: true });
  assert.match(p.stdout, /^PID {3}USER {5}TIME {2}COMMAND\n {4}1 root {6}0:00 sh -c sleep 3600\n +\d+ root {6}0:00 ps\n$/);
  const viaShell = await run(sh, { argv: ['sh', '-c', 'ps; echo $$'], main, killable: true });
  const [, , shRow, , pid] = viaShell.stdout.split('\n');
  assert.match(shRow, / 0:00 sh -c ps; echo \$\$$/, 'the exec\'d shell has its own row');
  assert.notEqual(pid, '1', 'and a pid other than 1');
  assert.deepEqual(await run(sh, { argv: ['kill', '-9', '1'], main, killable: true }), { code: 0, stdout: '', stderr: '', output: '' });
  assert.deepEqual(sent, [], 'SIGKILL from inside the container does not reach PID 1');
  assert.equal((await run(sh, { argv: ['kill', '1'], main, killable: true })).code, 0);
  assert.equal((await run(sh, { argv: ['sh', '-c', 'kill -s TERM 1'], main, killable: true })).code, 0);
  assert.deepEqual(sent, ['SIGTERM', 'SIGTERM']);
  const none = await run(sh, { argv: ['kill', '42'], main, killable: true });
  assert.deepEqual([none.code, none.stderr], [1, "kill: can't kill pid 42: No such process\n"]);
  const bad = await run(sh, { argv: ['kill', '-FOO', '1'], main, killable: true });
  assert.deepEqual([bad.code, bad.stderr], [1, "kill: bad signal name 'FOO'\n"]);
  assert.deepEqual(sent, ['SIGTERM', 'SIGTERM']);
  const self = await run(sh, { argv: ['sh', '-c', 'echo before; kill $$; echo after'], main, killable: true });
  assert.deepEqual([self.code, self.stdout], [143, 'before\n']);
  const trapped = await run(sh, { argv: ['sh', '-c', 'trap "echo caught; exit 3" TERM; kill $$; sleep 5; echo not here'], main, killable: true });
  assert.deepEqual([trapped.code, trapped.stdout], [3, 'caught\n']);
  assert.equal((await run(sh, { argv: ['kill', '-l', '9'] })).stdout, 'KILL\n');
  assert.match((await run(sh, { argv: ['kill', '-l'] })).stdout, /^ 1\) HUP\n 2\) INT\n[^]* 9\) KILL\n[^]*15\) TERM\n/);
  assert.equal((await run(sh, { argv: ['kill'] })).stderr, 'kill: you need to specify whom to kill\n');
});

test('argv without a shell runs the command directly; sh FILE runs a script', async () => {
  assert.equal((await run(sh, { argv: ['echo', 'direct', '$HOME'] })).stdout, 'direct $HOME\n');
  const fs = new MemFs();
  fs.mkdir('/scripts');
  fs.write('/scripts/run.sh', '#!/bin/sh\necho "args: $@"\nbogus\nexit 4\n', { mode: 0o755 });
  const r = await run(sh, { fs, argv: ['sh', '/scripts/run.sh', 'a', 'b'] });
  assert.equal(r.output, 'args: a b\n/scripts/run.sh: line 3: bogus: not found\n');
  assert.equal(r.code, 4);
  assert.equal((await run(sh, { fs, argv: ['sh', '-c', '/scripts/run.sh x 2>/dev/null'] })).stdout, 'args: x\n');
  assert.equal((await run(sh, { argv: ['sh', '/nope.sh'] })).stderr, "sh: can't open '/nope.sh': No such file or directory\n");
});

test('sh with no tty and no stdin exits 0 at once; with stdin it runs the lines', async () => {
  assert.deepEqual(await run(sh, { argv: ['sh'] }), { code: 0, stdout: '', stderr: '', output: '' });
  const r = await run(sh, { argv: ['sh'], stdin: 'echo one\nfor i in 1 2\ndo echo $i\ndone\nexit 5\necho never\n' });
  assert.equal(r.stdout, 'one\n1\n2\n');
  assert.equal(r.code, 5);
});

test('interactive: a `/ # ` prompt, echo of what is typed, CRLF output, exit', async () => {
  const r = start(sh, { argv: ['sh'], tty: true, stdin: true });
  await r.clock.advance(0);
  assert.equal(r.output(), '/ # ');
  r.write('echo hi\r');
  await r.clock.advance(0);
  assert.equal(r.output(), '/ # echo hi\r\nhi\r\n/ # ');
  r.write('cd /tmp\rls /nope\r');
  await r.clock.advance(0);
  assert.match(r.output(), /\/tmp # ls \/nope\r\nls: \/nope: No such file or directory\r\n\/tmp # $/);
  r.write('ech\x7fho x\rexit 3\r');
  assert.equal(await r.done, 3);
  assert.match(r.output(), /ech[\b] [\b]ho x\r\nx\r\n\/tmp # exit 3\r\n$/);
});

test('the parser gives a tree for the common shapes', () => {
  const l = parse('a=1 b | c && d; e &');
  assert.equal(l.items.length, 2);
  assert.equal(l.items[1].bg, true);
  assert.equal(l.items[0].ao.first.cmds.length, 2);
  assert.equal(l.items[0].ao.rest[0].op, '&&');
  const cmd = l.items[0].ao.first.cmds[0];
  assert.equal(cmd.t, 'simple');
  if (cmd.t === 'simple') assert.deepEqual(cmd.assigns.map((a) => a.name), ['a']);
});

test('a busy loop does not freeze the event loop', async () => {
  const r = start(sh, { argv: ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; echo $i'] });
  let immediate = false;
  setImmediate(() => (immediate = true));
  assert.equal(await r.done, 0);
  assert.equal(r.stdout(), '3000\n');
  assert.equal(immediate, true);
});

test('tar is an applet of the busybox and Debian images (kubectl cp)', async () => {
  const fs = new MemFs();
  fs.mkdir('/data');
  fs.write('/data/a.txt', 'A\n');
  const r = await run(sh, { fs, argv: ['sh', '-c', 'tar cf /tmp/x.tar /data && mkdir /out && tar xf /tmp/x.tar -C /out && cat /out/data/a.txt'] });
  assert.equal(r.stdout, 'A\n');
  assert.equal(r.code, 0);
});
