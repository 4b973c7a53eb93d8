// ReplicaSets and ReplicationControllers through the real kubectl: apply, `kubectl get rs/rc`
// columns (DESIRED CURRENT READY), `kubectl scale rs/rc` through the scale subresource, a deleted pod
// replaced, the replicaset-controller events in `kubectl describe`, and `kubectl delete rs` taking
// the pods with it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, kubectlPath, run, serve, tempDir, type Served } from './helpers.ts';

let server: Served;
let dir: string;
let kubectl: (...args: string[]) => ReturnType<typeof run>;

before(async () => {
  const bin = kubectlPath();
  dir = tempDir('kubectl-replicaset');
  server = await serve(['--nodes', '2', '--kubeconfig', join(dir, 'kubeconfig')]);
  const cache = join(dir, 'kube-cache');
  kubectl = (...args: string[]) => run(bin, ['--cache-dir', cache, ...args], { KUBECONFIG: server.kubeconfig });
});

after(async () => {
  assert.equal(await server?.stop(), 0, 'serve should stop cleanly on SIGTERM');
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Table rows split on runs of 2+ spaces. */
function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

/** Waits until `kubectl get <what>` shows DESIRED CURRENT READY as given. */
async function counts(what: string, expected: [string, string, string]): Promise<string[][]> {
  return eventually(
    async () => {
      const r = await kubectl('get', what);
      if (r.code !== 0) return false;
      const t = rows(r.stdout);
      return JSON.stringify(t[1]?.slice(1, 4)) === JSON.stringify(expected) ? t : false;
    },
    30_000,
    `${what} at ${expected.join('/')}`,
  );
}

/** Names of the pods with the label that are not being deleted. */
async function livePods(label: string): Promise<string[]> {
  const r = await kubectl('get', 'pods', '-l', label, '-o', 'json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout).items as { metadata: { name: string; deletionTimestamp?: string } }[]).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
}

test('a ReplicaSet: apply, get rs columns, scale, a deleted pod replaced, describe events, delete', async () => {
  const manifest = file(
    'rs.yaml',
    `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`,
  );
  const applied = await kubectl('apply', '-f', manifest);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout.trim(), 'replicaset.apps/web created');
  const table = await counts('rs/web', ['2', '2', '2']);
  assert.deepEqual(table[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);

  const scaled = await kubectl('scale', 'rs/web', '--replicas=4');
  assert.equal(scaled.code, 0, scaled.stderr);
  assert.equal(scaled.stdout.trim(), 'replicaset.apps/web scaled');
  await counts('rs/web', ['4', '4', '4']);
  const before = await livePods('app=web');
  assert.equal(before.length, 4);
  for (const name of before) assert.match(name, /^web-[a-z0-9]{5}$/);

  // Self-healing: the pod is replaced while it terminates.
  const del = await kubectl('delete', 'pod', before[0], '--wait=false');
  assert.equal(del.code, 0, del.stderr);
  await eventually(async () => {
    const now = await livePods('app=web');
    return now.length === 4 && !now.includes(before[0]);
  }, 30_000, 'a replacement pod');
  await counts('rs/web', ['4', '4', '4']);

  const wide = await kubectl('get', 'rs', 'web', '-o', 'wide');
  assert.equal(wide.code, 0, wide.stderr);
  const [head, row] = rows(wide.stdout);
  assert.deepEqual(head, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  assert.deepEqual([row[1], row[2], row[3], row[5], row[6], row[7]], ['4', '4', '4', 'nginx', 'nginx:1.27', 'app=web']);

  const down = await kubectl('scale', 'rs/web', '--replicas=1');
  assert.equal(down.code, 0, down.stderr);
  await counts('rs/web', ['1', '1', '1']);

  const described = await kubectl('describe', 'rs', 'web');
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /Replicas:\s+1 current \/ 1 desired/);
  assert.match(described.stdout, /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-[a-z0-9]{5}/);
  assert.match(described.stdout, /Normal\s+SuccessfulDelete\s+\S+\s+replicaset-controller\s+Deleted pod: web-[a-z0-9]{5}/);
  // 2 created at first, 2 more on scaling up, 1 replacement; 3 deleted on the way down to 1.
  assert.equal((described.stdout.match(/Created pod: /g) ?? []).length, 5);
  assert.equal((described.stdout.match(/Deleted pod: /g) ?? []).length, 3);

  const gone = await kubectl('delete', 'rs', 'web');
  assert.equal(gone.code, 0, gone.stderr);
  await eventually(async () => (await livePods('app=web')).length === 0, 30_000, 'the pods deleted with the ReplicaSet');
});

test('a ReplicationController: apply, get rc, scale rc, a deleted pod replaced', async () => {
  const manifest = file(
    'rc.yaml',
    `apiVersion: v1
kind: ReplicationController
metadata:
  name: legacy
spec:
  replicas: 1
  template:
    metadata:
      labels:
        app: legacy
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`,
  );
  const applied = await kubectl('apply', '-f', manifest);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout.trim(), 'replicationcontroller/legacy created');
  const table = await counts('rc/legacy', ['1', '1', '1']);
  assert.deepEqual(table[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);

  const scaled = await kubectl('scale', 'rc/legacy', '--replicas=3');
  assert.equal(scaled.code, 0, scaled.stderr);
  assert.equal(scaled.stdout.trim(), 'replicationcontroller/legacy scaled');
  await counts('rc/legacy', ['3', '3', '3']);

  const [victim] = await livePods('app=legacy');
  assert.equal((await kubectl('delete', 'pod', victim, '--wait=false')).code, 0);
  await eventually(async () => {
    const now = await livePods('app=legacy');
    return now.length === 3 && !now.includes(victim);
  }, 30_000, 'a replacement pod');

  const described = await kubectl('describe', 'rc', 'legacy');
  assert.equal(described.code, 0, described.stderr);
  assert.match(described.stdout, /Normal\s+SuccessfulCreate\s+\S+\s+replication-controller\s+Created pod: legacy-[a-z0-9]{5}/);
  assert.equal((described.stdout.match(/Created pod: /g) ?? []).length, 4);
});
