// The Workloads view's rows (views/workloads.ts) against an emulated cluster: namespaces, then
// Deployments → ReplicaSets → Pods with "2/2 ready", a Pending pod with the scheduler's reason,
// CronJobs → Jobs, lone Pods; the namespace filter drops the namespace level.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { unschedulableReasons } from '../../../src/extension/views/pods.ts';
import { workloadRows } from '../../../src/extension/views/workloads.ts';
import { deployment, find, startFixture, until, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture(2);
});
after(() => f?.stop());

test('the scheduler reasons read as kubectl shows them in FailedScheduling', () => {
  assert.equal(unschedulableReasons('0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'), 'Insufficient cpu');
  assert.equal(
    unschedulableReasons('0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory.'),
    'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, Insufficient memory',
  );
  assert.equal(unschedulableReasons('something else'), 'something else');
});

test('Deployments → ReplicaSets → Pods, a pending Deployment, CronJob → Job, a lone Pod, by namespace', async () => {
  await f.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  await f.apply(deployment('web', 2, '100m', 'shop'));
  await f.apply(deployment('huge', 1, '64', 'shop'));
  await f.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lone', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  await f.apply({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'shop' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } } },
  });
  const d = await until('web ready', () => {
    const x = f.live.get('deployments', 'shop', 'web');
    return x?.status?.readyReplicas === 2 && x;
  });
  await until('huge unschedulable', () => f.live.list('pods', 'shop').some((p) => p.metadata?.labels?.app === 'huge' && p.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.status === 'False')));
  const rows = workloadRows(f.live, f.opts());
  const shop = find(rows, 'shop')!;
  assert.equal(shop.contextValue, 'k8s.Namespace');
  assert.ok(shop.expanded);
  assert.deepEqual(shop.children!.map((g) => g.label), ['Deployments', 'CronJobs', 'Pods']);
  const web = find(rows, 'shop', 'Deployments', 'web')!;
  assert.equal(web.description, '2/2 ready');
  assert.deepEqual(web.icon, { id: 'layers', color: 'charts.green' });
  assert.equal(web.contextValue, 'k8s.Deployment');
  assert.deepEqual(web.ref, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: d.metadata!.uid });
  const [rs] = web.children!;
  assert.match(rs.label, /^web-[a-z0-9]+$/);
  assert.equal(rs.description, 'revision 1 · 2/2 ready');
  assert.equal(rs.children!.length, 2);
  for (const p of rs.children!) assert.match(p.description!, /^Running · 1\/1 · kube-emulator(-m02)?$/);
  const huge = find(rows, 'shop', 'Deployments', 'huge')!;
  assert.equal(huge.description, '0/1 ready');
  assert.equal(huge.icon?.color, 'charts.yellow');
  const pending = huge.children![0].children![0];
  assert.match(pending.description!, /^Pending: Insufficient cpu · 0\/1$/);
  assert.equal(find(rows, 'shop', 'Pods')!.children!.map((p) => p.label).join(), 'lone', 'only the pod no controller owns');
  // Real time: a minute may turn during the test, and the CronJob then has a Job running.
  assert.match(find(rows, 'shop', 'CronJobs', 'tick')!.description!, /^\* \* \* \* \* · (\d+ active · )?(never scheduled|last .* ago)$/);

  // The filter: the kinds at the root, other namespaces gone.
  const filtered = workloadRows(f.live, f.opts('shop'));
  assert.deepEqual(filtered.map((r) => r.label), ['Deployments', 'CronJobs', 'Pods']);
  assert.equal(find(filtered, 'Deployments', 'web')!.description, '2/2 ready');
  const none = workloadRows(f.live, f.opts('nothing-here'));
  assert.deepEqual(none.map((r) => r.label), ['No workloads in namespace nothing-here']);
});

test('a Job a CronJob created sits under it; a paused Deployment is flagged', async () => {
  await f.client.send('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', { body: { spec: { paused: true } }, contentType: 'application/merge-patch+json' });
  await until('paused', () => f.live.get('deployments', 'shop', 'web')?.spec?.paused);
  await f.cluster.advanceClock(61_000);
  await until('a job of tick', () => f.live.list('jobs', 'shop').some((j) => j.metadata?.ownerReferences?.[0]?.name === 'tick'));
  const rows = workloadRows(f.live, f.opts('shop'));
  assert.equal(find(rows, 'Deployments', 'web')!.contextValue, 'k8s.Deployment paused');
  assert.match(find(rows, 'Deployments', 'web')!.description!, /· paused/);
  const tick = find(rows, 'CronJobs', 'tick')!;
  assert.match(tick.children![0].label, /^tick-\d+$/);
  assert.match(tick.children![0].description!, /^(Running|Complete) · [01]\/1/);
  assert.equal(find(rows, 'Jobs'), undefined, 'the CronJob\'s job is not listed again at the top');
});
