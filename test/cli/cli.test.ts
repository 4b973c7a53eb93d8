// The CLI contract: names, outputs and exit codes other issues and users rely on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cli, serve, tempDir } from '../e2e/helpers.ts';

test('--help works on every command', async () => {
  for (const args of [['--help'], ['serve', '--help'], ['node', '--help'], ['clock', '--help'], ['state', '--help'], ['validate', '--help']]) {
    const r = await cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Usage:/);
  }
  const r = await cli(['serve', '--help']);
  assert.match(r.stdout, /--state DIR\s+Keep the cluster in this folder/);
  // node stop's timeline as the controllers run it, eviction included.
  const n = await cli(['node', '--help']);
  assert.match(n.stdout, /300 s later \(the pods' unreachable toleration\) its\s+pods are evicted/);
  assert.doesNotMatch(n.stdout, /comes with the controllers/);
});

test('unknown commands, unknown flags and bad values exit 2 with a clear error', async () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['serve', '--nodez', '3'], /Unknown option '--nodez'/],
    [['serve', '--nodes', 'three'], /invalid value "three" for --nodes/],
    [['serve', '--nodes', '0'], /invalid value "0" for --nodes/],
    [['serve', '--port', '70000'], /invalid value "70000" for --port/],
    [['serve', '--time-scale=-1'], /invalid value "-1" for --time-scale/],
    [['serve', '--time-scale', 'fast'], /invalid value "fast" for --time-scale/],
    [['node', 'explode', 'x'], /unknown action "explode"/],
    [['node', 'stop'], /node stop needs the node's NAME/],
    [['clock', 'advance', 'soon'], /invalid duration "soon"/],
    [['clock'], /missing action/],
    [['validate'], /give at least one FILE or DIR/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a missing kubeconfig, a port in use and an unusable state folder are one sentence and exit 1', async () => {
  const dir = tempDir('cli');
  let r = await cli(['clock', 'show', '--kubeconfig', join(dir, 'nope')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: kubeconfig .*nope does not exist or cannot be read\n$/);

  const blocker = net.createServer();
  await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    r = await cli(['serve', '--port', String(port), '--kubeconfig', join(dir, 'kc')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^Error: port ${port} on 127\\.0\\.0\\.1 is already in use; choose another with --port or stop what is using it\\n$`));
  } finally {
    blocker.close();
  }

  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  r = await cli(['serve', '--state', join(file, 'sub'), '--kubeconfig', join(dir, 'kc')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: state folder .* cannot be created, read or written\n$/);
});

test('serve writes a private kubeconfig in the cache folder by default and leaves ~/.kube/config alone', async () => {
  const home = tempDir('home');
  const env = { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), KUBECONFIG: '' };
  const s = await serve(['--nodes', '1'], env);
  try {
    assert.equal(s.kubeconfig, join(home, '.cache', 'kube-emulator', 'kubeconfig'));
    assert.equal(statSync(s.kubeconfig).mode & 0o777, 0o600);
    const kc = parseYaml(readFileSync(s.kubeconfig, 'utf8'));
    assert.equal(kc['current-context'], 'kube-emulator');
    assert.equal(kc.contexts[0].context.namespace, 'default');
    assert.equal(kc.clusters[0].cluster.server, s.url.replace('http://', 'https://'));
    assert.equal(kc.clusters[0].cluster['insecure-skip-tls-verify'], true);
    assert.match(kc.users[0].user.token, /^[0-9a-f]{64}$/);
    assert.equal(existsSync(join(home, '.kube', 'config')), false);
    // The control commands find the same kubeconfig without --kubeconfig.
    const r = await cli(['clock', 'show'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^now: \d{4}-\d\d-\d\dT/m);
  } finally {
    assert.equal(await s.stop(), 0);
  }
  assert.match(s.output(), /stopped/);
});

test('--merge-kubeconfig adds the context to the user kubeconfig and keeps what was there', async () => {
  const home = tempDir('home');
  mkdirSync(join(home, '.kube'));
  const userKc = join(home, '.kube', 'config');
  writeFileSync(userKc, 'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: "https://prod:6443"}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: prod}\nusers:\n- name: prod\n  user: {token: t}\ncurrent-context: prod\n');
  const s = await serve(['--nodes', '1', '--merge-kubeconfig', '--kubeconfig', join(home, 'kc')], { HOME: home, KUBECONFIG: '' });
  try {
    const kc = parseYaml(readFileSync(userKc, 'utf8'));
    assert.deepEqual(kc.contexts.map((c: any) => c.name), ['prod', 'kube-emulator']);
    assert.equal(kc['current-context'], 'kube-emulator');
    assert.equal(kc.clusters[0].cluster.server, 'https://prod:6443');
  } finally {
    await s.stop();
  }
});

test('validate prints FILE:LINE:COL problems and exits 1 on errors, 0 when clean', async () => {
  const dir = tempDir('validate');
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n');
  let r = await cli(['validate', good]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: Bad_Name',
      'spec:',
      '  containers:',
      '  - name: c',
      '---',
      'apiVersion: example.com/v1',
      'kind: Widget',
      '---',
      'a: [1, 2',
      '',
    ].join('\n'),
  );
  r = await cli(['validate', dir]);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.includes(`${bad}:4:9: error: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`), lines.join('\n'));
  assert.ok(lines.includes(`${bad}:7:5: error: spec.containers[0].image: Required value`), lines.join('\n'));
  assert.ok(lines.includes(`${bad}:10:7: warning: no matches for kind "Widget" in version "example.com/v1"`), lines.join('\n'));
  // The unclosed flow sequence opened on line 12 is reported where the parser gives up, at the end.
  assert.ok(lines.some((l) => /:1[23]:\d+: error: Flow sequence in block collection must be sufficiently indented and end with a \]$/.test(l)), lines.join('\n'));

  chmodSync(dir, 0o700);
});
