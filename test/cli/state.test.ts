// Durable clusters through the CLI: serve --state keeps every acknowledged object across a clean
// stop and across SIGKILL; state export/import move a cluster's objects; bad combinations fail clearly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, eventually, kubectlPath, run, serve, tempDir } from '../e2e/helpers.ts';

const POD = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: web
    image: nginx:1.27
`;

function kubectlFor(kubeconfig: string, cache: string) {
  const bin = kubectlPath();
  return (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: kubeconfig });
}

test('serve --state keeps the cluster across a clean stop and across SIGKILL', async () => {
  const dir = tempDir('state');
  const state = join(dir, 'state');
  const kubeconfig = join(dir, 'kubeconfig');
  const kubectl = kubectlFor(kubeconfig, join(dir, 'cache'));
  let s = await serve(['--state', state, '--kubeconfig', kubeconfig]);
  await eventually(async () => /store: state folder /.test(s.output()), 5_000, 'the store line');
  writeFileSync(join(dir, 'a.yaml'), POD('a'));
  let r = await kubectl('apply', '-f', join(dir, 'a.yaml'));
  assert.equal(r.stdout.trim(), 'pod/a created', r.stderr);
  await eventually(async () => (await kubectl('get', 'pod', 'a', '-o', 'jsonpath={.status.phase}')).stdout === 'Running', 15_000, 'pod a Running');
  const before = JSON.parse((await kubectl('get', 'pod', 'a', '-o', 'json')).stdout);
  assert.equal(await s.stop(), 0);

  s = await serve(['--state', state, '--kubeconfig', kubeconfig]);
  let after = JSON.parse((await kubectl('get', 'pod', 'a', '-o', 'json')).stdout);
  assert.equal(after.metadata.uid, before.metadata.uid);
  assert.equal(after.status.podIP, before.status.podIP);
  assert.equal((await kubectl('get', 'nodes', '--no-headers')).stdout.trim().split('\n').length, 3, 'the nodes are the same three');

  // An acknowledged write survives a crash: kubectl got its answer, then the server is killed.
  writeFileSync(join(dir, 'b.yaml'), POD('b'));
  r = await kubectl('apply', '-f', join(dir, 'b.yaml'));
  assert.equal(r.stdout.trim(), 'pod/b created', r.stderr);
  s.proc.kill('SIGKILL');
  await new Promise((res) => s.proc.once('exit', res));
  s = await serve(['--state', state, '--kubeconfig', kubeconfig]);
  try {
    after = JSON.parse((await kubectl('get', 'pod', 'b', '-o', 'json')).stdout);
    assert.equal(after.metadata.name, 'b');
    const rv = Number(after.metadata.resourceVersion);
    writeFileSync(join(dir, 'c.yaml'), POD('c'));
    await kubectl('apply', '-f', join(dir, 'c.yaml'));
    const c = JSON.parse((await kubectl('get', 'pod', 'c', '-o', 'json')).stdout);
    assert.ok(Number(c.metadata.resourceVersion) > rv, 'revisions go on from where they were');
    // The folder is locked while a server runs on it.
    const imp = await cli(['state', 'import', join(dir, 'none.json'), '--state', state]);
    assert.equal(imp.code, 1);
  } finally {
    await s.stop();
  }
});

test('state export and import move a cluster\'s objects; a bad file changes nothing', async () => {
  const dir = tempDir('export');
  const kubeconfig = join(dir, 'kubeconfig');
  const kubectl = kubectlFor(kubeconfig, join(dir, 'cache'));
  const s = await serve(['--kubeconfig', kubeconfig]);
  try {
    writeFileSync(join(dir, 'keep.yaml'), POD('keep'));
    await kubectl('apply', '-f', join(dir, 'keep.yaml'));
    const file = join(dir, 'state.json');
    let r = await cli(['state', 'export', file, '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^exported \d+ objects to /);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(doc.kind, 'ClusterState');
    assert.ok(doc.objects.some((o: { key: string }) => o.key === '/registry/pods/default/keep'));
    assert.ok(!doc.objects.some((o: { key: string }) => o.key.startsWith('/registry/events/')), 'Events are not state');

    writeFileSync(join(dir, 'extra.yaml'), POD('extra'));
    await kubectl('apply', '-f', join(dir, 'extra.yaml'));
    await kubectl('delete', 'pod', 'keep', '--wait=true');
    r = await cli(['state', 'import', file, '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported .*: 1 created, \d+ updated, 1 deleted, \d+ unchanged/);
    const names = (await kubectl('get', 'pods', '-o', 'name')).stdout.trim().split('\n');
    assert.deepEqual(names, ['pod/keep']);

    writeFileSync(join(dir, 'bad.json'), '{"apiVersion":"kube-emulator.io/v1","kind":"ClusterState","objects":[{"key":"/registry/pods/default/x"}]}');
    r = await cli(['state', 'import', join(dir, 'bad.json'), '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: .*bad\.json: /);
    assert.deepEqual((await kubectl('get', 'pods', '-o', 'name')).stdout.trim().split('\n'), ['pod/keep']);
  } finally {
    await s.stop();
  }
});

test('--state with --store is a usage error; an unreachable etcd is one sentence and exit 1', async () => {
  let r = await cli(['serve', '--state', tempDir('x'), '--store', 'etcd://127.0.0.1:2379']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--state and --store choose where the cluster lives/);
  r = await cli(['serve', '--store', 'mysql://x']);
  assert.equal(r.code, 2);
  const t0 = Date.now();
  r = await cli(['serve', '--store', 'etcd://127.0.0.1:9', '--kubeconfig', join(tempDir('y'), 'kc')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Error: cannot reach etcd at 127\.0\.0\.1:9/);
  assert.ok(Date.now() - t0 < 15_000, 'fails fast');
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});
