// The Config and Storage view's rows (views/config-storage.ts): ConfigMaps and Secrets by key count
// (a Secret's values never appear), a PVC with its status, ResourceQuota usage per resource, a
// LimitRange per type and resource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configStorageRows } from '../../../src/extension/views/config-storage.ts';
import { allText, find, startFixture, until, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture(1);
});
after(() => f?.stop());

test('ConfigMaps, Secrets without values, PVCs, quota usage and limit ranges', async () => {
  await f.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  await f.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: '1', b: '2' } });
  await f.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'app' }, stringData: { password: 'hunter2-very-secret', user: 'admin-user-x' } });
  await f.apply({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'app' }, spec: { hard: { pods: '2', 'requests.cpu': '1' } } });
  await f.apply({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'lr', namespace: 'app' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' } }] },
  });
  await f.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'app' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  await f.apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'app' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await until('quota counts the pod', () => f.live.get('resourcequotas', 'app', 'q')?.status?.used?.pods === '1');
  await until('the secret', () => f.live.get('secrets', 'app', 'db'));
  const rows = configStorageRows(f.live, f.opts());
  assert.equal(find(rows, 'app', 'ConfigMaps', 'settings')!.description, '2 keys');
  const secret = find(rows, 'app', 'Secrets', 'db')!;
  assert.equal(secret.description, 'Opaque · 2 keys');
  assert.equal(secret.contextValue, 'k8s.Secret');
  assert.ok(!allText(rows).includes('hunter2'), 'no secret value');
  assert.ok(!allText(rows).includes(Buffer.from('hunter2-very-secret').toString('base64')), 'not even encoded');
  const q = find(rows, 'app', 'ResourceQuotas', 'q')!;
  assert.equal(q.description, 'pods 1/2, requests.cpu 100m/1');
  assert.deepEqual(q.children!.map((c) => [c.label, c.description, c.icon?.color]), [
    ['pods', '1/2', 'charts.green'],
    ['requests.cpu', '100m/1', 'charts.green'],
  ]);
  const lr = find(rows, 'app', 'LimitRanges', 'lr')!;
  assert.deepEqual(lr.children!.map((c) => [c.label, c.description]), [['Container cpu', 'max 1 · defaultRequest 100m · default 500m']]);
  const pvc = await until('the claim listed', () => find(configStorageRows(f.live, f.opts('app')), 'PersistentVolumeClaims', 'data'));
  assert.match(pvc.description!, /^(Pending|Bound) · 1Gi/);
  assert.equal(pvc.ref?.kind, 'PersistentVolumeClaim');
});
