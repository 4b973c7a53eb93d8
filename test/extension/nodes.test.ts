// The explorer's node operations against an emulated cluster through client-node, as they would run
// against any cluster: cordon, uncordon, drain (evictions that a PodDisruptionBudget may refuse).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../src/extension/session.ts';
import { drainNode, setUnschedulable } from '../../src/extension/nodes.ts';

async function withSession(fn: (s: Session) => Promise<void>): Promise<void> {
  // A fast real-time clock: the kubelets finish graceful deletions within the test's patience.
  const s = await Session.startEmulator({ kind: 'emulator', nodes: 1, timeScale: 50 }, { log: () => undefined });
  try {
    await fn(s);
  } finally {
    await s.dispose();
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never: ${what}`);
}

test('cordon and uncordon set and clear spec.unschedulable', async () => {
  await withSession(async (s) => {
    const c = s.cluster!;
    const nodes = c.api.resource('nodes');
    await setUnschedulable(s, 'kube-emulator', true);
    assert.equal((await c.api.get(nodes, undefined, 'kube-emulator')).spec.unschedulable, true);
    await setUnschedulable(s, 'kube-emulator', false);
    assert.equal((await c.api.get(nodes, undefined, 'kube-emulator')).spec.unschedulable, undefined);
  });
});

test('drain cordons, evicts, ignores DaemonSet pods and reports what a PDB holds back', async () => {
  await withSession(async (s) => {
    const c = s.cluster!;
    const pods = c.api.resource('pods');
    const pod = (name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
      metadata: { name, labels, ...extra },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], terminationGracePeriodSeconds: 1 },
    });
    await c.api.create(pods, 'default', pod('loose'));
    await c.api.create(pods, 'default', pod('guarded', { app: 'guarded' }));
    const ds = await c.api.create(c.api.resource('daemonsets.apps'), 'default', {
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } },
    });
    // The DaemonSet controller makes the node's daemon pod.
    await until(async () => (await c.api.list(pods, 'default')).items.some((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid), 'daemon pod');
    await c.api.create(c.api.resource('poddisruptionbudgets.policy'), 'default', { metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    await until(async () => (await c.api.list(pods, 'default')).items.every((p) => p.status?.phase === 'Running'), 'pods running');
    await until(async () => (await c.api.get(c.api.resource('poddisruptionbudgets.policy'), 'default', 'guard')).status?.currentHealthy === 1, 'pdb status');
    const lines: string[] = [];
    const r = await drainNode(s, 'kube-emulator', { timeoutMs: 6_000, wait: async () => undefined, log: (l) => lines.push(l) });
    assert.deepEqual(r.evicted, ['default/loose']);
    assert.equal(r.ignored.length, 1, r.ignored.join());
    assert.match(r.ignored[0], /^default\/agent-[a-z0-9]{5}$/);
    assert.deepEqual(r.blocked.map((b) => b.pod), ['default/guarded']);
    assert.match(r.blocked[0].reason, /Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.equal(lines[0], 'node/kube-emulator cordoned');
    assert.ok(lines.includes('pod/loose evicted'), lines.join('\n'));
    assert.equal((await c.api.get(c.api.resource('nodes'), undefined, 'kube-emulator')).spec.unschedulable, true);
    await until(async () => !(await c.api.tryGet(pods, 'default', 'loose')), 'loose gone');
  });
});
