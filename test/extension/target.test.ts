// The target picker's items, labels and the once-per-context confirmation (target.ts), with a stub
// of the few `vscode` calls the controller makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmationQuestion, Confirmations, EMULATED, TargetController, targetItems, targetLabel, type KubeConfigLike, type Target } from '../../src/extension/target.ts';

const kc: KubeConfigLike = {
  contexts: [
    { name: 'prod', cluster: 'gke-prod', namespace: 'shop' },
    { name: 'kind-dev', cluster: 'kind-dev' },
  ],
  clusters: [
    { name: 'gke-prod', server: 'https://10.0.0.1' },
    { name: 'kind-dev', server: 'https://127.0.0.1:6443' },
  ],
  currentContext: 'kind-dev',
};
const prod: Target = { kind: 'context', context: 'prod', cluster: 'gke-prod' };

test('the picker lists the embedded cluster first, then the kubeconfig contexts in file order', () => {
  const items = targetItems(kc, prod);
  assert.deepEqual(
    items.map((i) => [i.label, i.description, i.detail]),
    [
      ['Emulated cluster', 'embedded in this window', undefined],
      ['prod', 'cluster gke-prod (selected)', 'https://10.0.0.1, namespace shop'],
      ['kind-dev', 'current-context, cluster kind-dev', 'https://127.0.0.1:6443'],
    ],
  );
  assert.deepEqual(items[1].target, prod);
  assert.equal(targetItems(undefined, EMULATED)[0].description, 'embedded in this window (selected)');
  // client-node's stand-in when there is no kubeconfig is not offered.
  const none = { contexts: [{ name: 'loaded-context', cluster: 'cluster' }], clusters: [{ name: 'cluster', server: 'http://localhost:8080' }], currentContext: 'loaded-context' };
  assert.deepEqual(targetItems(none, EMULATED).map((i) => i.label), ['Emulated cluster']);
});

test('labels and the confirmation question', () => {
  assert.equal(targetLabel(EMULATED), 'emulated');
  assert.equal(targetLabel(prod), 'prod');
  assert.equal(confirmationQuestion(prod as Target & { kind: 'context' }), 'Apply to context prod (cluster gke-prod)?');
});

test('confirmation is needed once per context, never for the emulated cluster', () => {
  const c = new Confirmations();
  assert.equal(c.needs(EMULATED), false);
  assert.equal(c.needs(prod), true);
  c.confirm(prod);
  assert.equal(c.needs(prod), false);
  assert.equal(c.needs({ kind: 'context', context: 'kind-dev', cluster: 'kind-dev' }), true);
  // The same context name pointing at another cluster is another target.
  assert.equal(c.needs({ kind: 'context', context: 'prod', cluster: 'other' }), true);
});

function fakeVscode(answers: (string | undefined)[]) {
  const asked: string[] = [];
  const vs = {
    EventEmitter: class {
      private fns: ((t: unknown) => void)[] = [];
      event = (fn: (t: unknown) => void) => {
        this.fns.push(fn);
        return { dispose() {} };
      };
      fire(t: unknown) {
        for (const f of this.fns) f(t);
      }
      dispose() {}
    },
    window: {
      showWarningMessage: async (q: string) => {
        asked.push(q);
        return answers.shift();
      },
    },
  };
  return { vs: vs as never, asked };
}

function fakeCtx() {
  const logs: string[] = [];
  return { ctx: { pushExtension() {}, log: (l: string) => logs.push(l), session: undefined } as never, logs };
}

test('the controller asks before the first write to a context, once, and again after a "no"', async () => {
  const { vs, asked } = fakeVscode([undefined, 'Apply']);
  const { ctx, logs } = fakeCtx();
  const made: string[] = [];
  const controller = new TargetController(ctx, vs, async () => ({
    loadUserKubeConfig: () => kc,
    clientForContext: (_kc, name) => {
      made.push(name);
      return { namespace: 'default', mapping: async () => undefined, send: async () => ({}) };
    },
  }));
  assert.equal(await controller.confirmWrite(), true, 'the emulated cluster needs no confirmation');
  assert.deepEqual(asked, []);
  const changes: Target[] = [];
  controller.onDidChange((t) => changes.push(t));
  controller.select(prod);
  assert.deepEqual(changes, [prod]);
  assert.equal(controller.label, 'prod');
  assert.deepEqual(logs, ['Target: context prod (cluster gke-prod)']);
  assert.equal(await controller.confirmWrite(), false, 'dismissed');
  assert.equal(await controller.confirmWrite(), true, 'confirmed');
  assert.equal(await controller.confirmWrite(), true, 'not asked again');
  assert.deepEqual(asked, ['Apply to context prod (cluster gke-prod)?', 'Apply to context prod (cluster gke-prod)?']);
  // The context's client is made once and kept.
  const a = await controller.client();
  const b = await controller.client();
  assert.equal(a, b);
  assert.deepEqual(made, ['prod']);
  assert.equal(controller.clientIfReady(), a);
});

test('a kubeconfig context as the target: the picker reads KUBECONFIG through the session bundle, applies go to that cluster', async () => {
  const { createCluster } = await import('../../src/emulator/cluster.ts');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { parseManifests } = await import('../../src/extension/manifests.ts');
  const { serverSideApply } = await import('../../src/extension/apply.ts');
  const cluster = await createCluster({ nodes: 1, port: 0, timeScale: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'target-test-'));
  const saved = process.env.KUBECONFIG;
  try {
    const file = join(dir, 'config');
    writeFileSync(file, cluster.kubeconfigYaml().replace(/kube-emulator/g, 'real-one'));
    process.env.KUBECONFIG = file;
    const picks: unknown[][] = [];
    const { vs, asked } = fakeVscode(['Apply']);
    (vs as any).window.showQuickPick = async (items: { label: string }[]) => {
      picks.push(items.map((i) => i.label));
      return items[1];
    };
    const { ctx } = fakeCtx();
    const controller = new TargetController(ctx, vs);
    const picked = await controller.pick();
    assert.deepEqual(picks, [['Emulated cluster', 'real-one']]);
    assert.deepEqual(picked, { kind: 'context', context: 'real-one', cluster: 'real-one' });
    assert.ok(controller.clientIfReady(), 'picking a context makes its client');
    assert.equal(await controller.confirmWrite(), true);
    assert.deepEqual(asked, ['Apply to context real-one (cluster real-one)?']);
    const [m] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-context\n').manifests;
    const r = await serverSideApply(await controller.client(), m, { file: 'cm.yaml' });
    assert.equal(r.message, 'configmap/via-context created');
    const stored = await cluster.api.get(cluster.api.resource('configmaps'), 'default', 'via-context');
    assert.equal(stored?.metadata.name, 'via-context');
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
});
