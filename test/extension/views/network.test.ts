// The Network view's rows (views/network.ts): a Service with kubectl's TYPE, CLUSTER-IP and
// PORT(S), its endpoints with the pods behind them; a Service that selects nothing says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { networkRows } from '../../../src/extension/views/network.ts';
import { deployment, find, startFixture, until, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture(1);
});
after(() => f?.stop());

test('Services → endpoints → pods; no endpoints shown as such', async () => {
  await f.apply(deployment('web', 2));
  await f.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] } });
  await f.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nobody' }, spec: { selector: { app: 'none' }, ports: [{ port: 8080, protocol: 'TCP' }], type: 'NodePort' } });
  await until('two ready endpoints', () => (f.live.get('endpoints', 'default', 'web')?.subsets?.[0]?.addresses ?? []).length === 2);
  const rows = networkRows(f.live, f.opts());
  const svc = find(rows, 'default', 'web')!;
  const ip = f.live.get('services', 'default', 'web')!.spec.clusterIP;
  assert.equal(svc.description, `ClusterIP · ${ip} · 80/TCP · 2/2 endpoints ready`);
  assert.equal(svc.contextValue, 'k8s.Service ClusterIP');
  assert.deepEqual(svc.icon, { id: 'globe', color: 'charts.green' });
  assert.equal(svc.children!.length, 2);
  for (const e of svc.children!) {
    assert.match(e.label, /^web-/);
    assert.match(e.description!, /^[\d.]+ → 80\/TCP · ready · Running · 1\/1 · kube-emulator$/);
    assert.equal(e.ref?.kind, 'Pod');
  }
  const nobody = find(rows, 'default', 'nobody')!;
  assert.match(nobody.description!, /^NodePort · [\d.]+ · 8080:\d+\/TCP · no endpoints$/);
  assert.equal(nobody.children![0].label, 'No endpoints');
  assert.equal(find(rows, 'default', 'kubernetes')?.contextValue, 'k8s.Service ClusterIP');
  // Filtered: the Services at the root.
  assert.deepEqual(networkRows(f.live, f.opts('default')).map((r) => r.label), ['kubernetes', 'nobody', 'web']);
});
