// The session's informers keep the Nodes tree model live against a real emulated cluster: three
// Ready nodes, then an applied pod under the node the scheduler chose, then gone when deleted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { applyFile } from '../../src/extension/apply.ts';
import { parseManifests } from '../../src/extension/manifests.ts';
import { Session } from '../../src/extension/session.ts';
import type { TreeModel } from '../../src/extension/tree-model.ts';

let cluster: Cluster;
let session: Session;
const log: string[] = [];

before(async () => {
  cluster = await createCluster({ nodes: 3, port: 0 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  session = await Session.connect(kc, { log: (l) => log.push(l) });
});
after(async () => {
  await session?.dispose();
  await cluster?.stop();
});

/** Resolves when the model satisfies `pred`, re-checking on every informer event (no polling). */
function until(pred: (m: TreeModel) => boolean, what: string, ms = 15_000): Promise<TreeModel> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = session.model();
      if (pred(m)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(m);
      }
    };
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(session.model().nodes.map((n) => [n.name, n.status, n.pods.map((p) => p.id + ' ' + p.status)]))}`));
    }, ms);
    const sub = session.onDidChange(check);
    check();
  });
}

test('the model lists the three nodes, Ready, control plane first', async () => {
  const m = await until((m) => m.readyNodes === 3, '3 Ready nodes');
  assert.deepEqual(m.nodes.map((n) => n.name), ['kube-emulator', 'kube-emulator-m02', 'kube-emulator-m03']);
  assert.deepEqual(m.nodes[0].roles, ['control-plane']);
  assert.equal(m.nodes[0].description, 'Ready · control-plane');
  assert.equal(session.server, cluster.url);
});

test('an applied pod appears under its node through the watch, Running, and disappears when deleted', async () => {
  const parsed = parseManifests('apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: main\n    image: nginx\n');
  const [result] = await applyFile(session.client, parsed, { file: 'web.yaml' });
  assert.equal(result.message, 'pod/web created');
  const m = await until((m) => m.nodes.some((n) => n.pods.some((p) => p.id === 'pod/default/web' && p.status === 'Running')), 'pod web Running under a node');
  const node = m.nodes.find((n) => n.pods.some((p) => p.name === 'web'));
  assert.ok(node && node.name.startsWith('kube-emulator'));
  await session.client.send('DELETE', '/api/v1/namespaces/default/pods/web', { body: { gracePeriodSeconds: 0 } });
  await until((m) => !m.nodes.some((n) => n.pods.some((p) => p.name === 'web')) && !m.unscheduled.some((p) => p.name === 'web'), 'pod web gone');
});
