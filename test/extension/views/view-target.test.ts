// The views follow the target picker (views/view-target.ts): picking a kubeconfig context connects a
// session of its own to that cluster (here a second emulated cluster playing the real one, reached
// only through a kubeconfig file and its context) and the rows show that cluster; switching back
// disposes it. A kind the cluster forbids shows "Forbidden: <the API's message>".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { ClusterClient } from '../../../src/extension/client.ts';
import { LiveCluster } from '../../../src/extension/live.ts';
import { kubeConfigForContext, loadUserKubeConfig, Session } from '../../../src/extension/session.ts';
import { clusterRows } from '../../../src/extension/views/cluster.ts';
import { configStorageRows } from '../../../src/extension/views/config-storage.ts';
import { ViewTargetFollower } from '../../../src/extension/views/view-target.ts';

let real: Cluster;
let dir: string;
const savedKubeconfig = process.env.KUBECONFIG;

before(async () => {
  real = await createCluster({ nodes: 1, port: 0, timeScale: 1, name: 'kube-emulator' });
  dir = mkdtempSync(join(tmpdir(), 'views-target-'));
  // The user's kubeconfig: the "real" cluster under a context of its own, next to a dead one.
  const kc = new KubeConfig();
  kc.loadFromString(real.kubeconfigYaml());
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  kc.loadFromOptions({
    clusters: [cluster, { name: 'dead', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
    users: [user],
    contexts: [
      { name: 'staging', cluster: cluster.name, user: user.name, namespace: 'default' },
      { name: 'gone', cluster: 'dead', user: user.name },
    ],
    currentContext: 'gone',
  });
  writeFileSync(join(dir, 'config'), kc.exportConfig());
  process.env.KUBECONFIG = join(dir, 'config');
});
after(async () => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  await real?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const connect = async (t: { context: string }) => Session.connect(kubeConfigForContext(loadUserKubeConfig(), t.context), { log: () => undefined });

test('a kubeconfig context gets its own session (no owned cluster); the rows show that cluster', async () => {
  let changes = 0;
  const follower = new ViewTargetFollower<Session>(connect, () => changes++);
  try {
    assert.equal(follower.emulated, true);
    const following = follower.follow({ kind: 'context', context: 'staging', cluster: 'x' });
    assert.deepEqual(follower.status, { state: 'connecting', context: 'staging' });
    await following;
    assert.deepEqual(follower.status, { state: 'connected', context: 'staging' });
    assert.ok(changes >= 2);
    const session = follower.session!;
    assert.equal(session.cluster, undefined, 'not an emulated cluster of this window');
    assert.equal(session.server, real.url);
    const rows = clusterRows(session.live, { now: Date.now() });
    assert.deepEqual(rows.map((r) => r.label), ['kube-emulator']);
    assert.match(rows[0].description!, /^Ready · control-plane · /);
    // Back to the emulated target: the context's session is disposed.
    let disposed = false;
    const dispose = session.dispose.bind(session);
    session.dispose = async () => {
      disposed = true;
      await dispose();
    };
    await follower.follow({ kind: 'emulated' });
    assert.equal(disposed, true);
    assert.equal(follower.session, undefined);
    assert.deepEqual(follower.status, { state: 'emulated' });
  } finally {
    await follower.dispose();
  }
});

test('a context that does not exist fails with a message; a newer pick wins over a slow one', async () => {
  const follower = new ViewTargetFollower<Session>(connect, () => undefined);
  try {
    await follower.follow({ kind: 'context', context: 'nope', cluster: 'x' });
    assert.deepEqual(follower.status, { state: 'failed', context: 'nope', error: 'context "nope" does not exist' });
    const first = follower.follow({ kind: 'context', context: 'staging', cluster: 'x' });
    const second = follower.follow({ kind: 'emulated' });
    await Promise.all([first, second]);
    assert.equal(follower.session, undefined, 'the slower staging connection was dropped');
    assert.deepEqual(follower.status, { state: 'emulated' });
  } finally {
    await follower.dispose();
  }
});

test('a kind the cluster forbids shows "Forbidden: ..." in the API\'s words, the rest keeps working', async () => {
  const kc = kubeConfigForContext(loadUserKubeConfig(), 'staging');
  const client = ClusterClient.fromKubeConfig(kc);
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: 'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" at the cluster scope',
    reason: 'Forbidden',
    code: 403,
  };
  const live = new LiveCluster(kc, {
    send: (method, path, opts) =>
      path.endsWith('/secrets')
        ? Promise.reject(Object.assign(new Error(`HTTP-Code: 403\nMessage: Unknown API Status Code!\nBody: ${JSON.stringify(status)}\nHeaders: {}`), { code: 403 }))
        : client.send(method, path, opts),
  });
  try {
    await live.start();
    const rows = configStorageRows(live, { now: Date.now() });
    const forbidden = rows.find((r) => r.id === 'unavailable:secrets')!;
    assert.equal(forbidden.label, `Forbidden: ${status.message}`);
    assert.equal(forbidden.icon?.id, 'lock');
    assert.ok(rows.some((r) => r.label === 'default' && r.children?.some((g) => g.label === 'ConfigMaps')), 'ConfigMaps still listed');
  } finally {
    await live.dispose();
  }
});
