// The Cluster view's rows (views/cluster.ts) against an emulated cluster: nodes with Ready state,
// role, requests against allocatable and pods n/110; pods under their node; an unschedulable pod
// under "Unscheduled" with the scheduler's reason; cordoned and stopped nodes flagged; the filter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allocation, clusterRows, formatCpu, formatMemory } from '../../../src/extension/views/cluster.ts';
import { deployment, find, startFixture, until, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture(2);
});
after(() => f?.stop());

test('quantities print as kubectl describe node prints them', () => {
  assert.equal(formatCpu(2000), '2');
  assert.equal(formatCpu(750), '750m');
  assert.equal(formatMemory(64 * 2 ** 20), '64Mi');
  assert.equal(formatMemory(7.5 * 2 ** 30), '7.5Gi');
  assert.equal(formatMemory(0), '0');
});

test('nodes with state, role, allocation and their pods; an unschedulable pod with its reason', async () => {
  await f.apply(deployment('web', 2, '250m'));
  await f.apply(deployment('huge', 1, '64'));
  await until('two web pods Running', () => f.live.list('pods', 'default').filter((p) => p.metadata?.labels?.app === 'web' && p.status?.phase === 'Running').length === 2);
  await until('huge unschedulable', () => f.live.list('pods', 'default').some((p) => p.metadata?.labels?.app === 'huge' && p.status?.conditions?.some((c: any) => c.type === 'PodScheduled' && c.status === 'False')));
  const rows = clusterRows(f.live, f.opts());
  const names = f.live.list('nodes').map((n) => n.metadata!.name!).sort();
  assert.deepEqual(rows.filter((r) => r.contextValue?.startsWith('k8s.Node')).map((r) => r.label), names);
  const cp = rows.find((r) => r.label === names[0])!;
  assert.match(cp.description!, /^Ready · control-plane · cpu \d+m?\/\d+m? · mem [\d.]+(Mi|Gi|Ki)?\/[\d.]+Gi · pods \d+\/110$/);
  assert.deepEqual(cp.icon, { id: 'server', color: 'charts.green' });
  assert.equal(cp.contextValue, 'k8s.Node');
  assert.deepEqual(cp.ref, { apiVersion: 'v1', kind: 'Node', namespace: undefined, name: names[0], uid: f.live.get('nodes', undefined, names[0])!.metadata!.uid });

  // The allocation sums the requests of the node's running pods, as describe node does.
  for (const name of names) {
    const pods = f.live.podsOn(name);
    const a = allocation(f.live.get('nodes', undefined, name)!, pods);
    const webs = pods.filter((p) => p.metadata?.labels?.app === 'web').length;
    assert.ok(a.cpuRequests >= webs * 250, `${name}: ${a.cpuRequests}m for ${webs} web pods`);
    assert.equal(a.pods, pods.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase)).length);
    assert.equal(a.podCapacity, 110);
    const row = rows.find((r) => r.label === name)!;
    assert.ok(row.description!.includes(`pods ${a.pods}/110`));
    assert.ok(row.description!.includes(`cpu ${formatCpu(a.cpuRequests)}/${formatCpu(a.cpuAllocatable)}`));
    assert.match(row.tooltip!, /Allocated resources/);
    // Its pods are under it, with namespace (all namespaces shown) and a green icon when Running and ready.
    for (const p of pods) {
      const child = row.children!.find((c) => c.label === p.metadata!.name)!;
      assert.ok(child, `${p.metadata!.name} under ${name}`);
      if (p.metadata?.labels?.app === 'web') {
        assert.match(child.description!, /^Running · 1\/1 · default$/);
        assert.deepEqual(child.icon, { id: 'pass-filled', color: 'charts.green' });
        assert.equal(child.contextValue, 'k8s.Pod');
      }
    }
  }
  const unscheduled = find(rows, 'Unscheduled')!;
  assert.equal(unscheduled.description, '1 pending');
  const huge = unscheduled.children![0];
  assert.match(huge.label, /^huge-/);
  assert.match(huge.description!, /^Pending: Insufficient cpu · 0\/1 · default$/);
  assert.match(huge.tooltip!, /PodScheduled=False: 0\/2 nodes are available: .*Insufficient cpu/);
  assert.deepEqual(huge.icon, { id: 'clock', color: 'charts.yellow' });
});

test('a cordoned node and a stopped node are flagged; the namespace filter hides other pods', async () => {
  const [, worker] = f.live.list('nodes').map((n) => n.metadata!.name!).sort();
  await f.client.send('PATCH', `/api/v1/nodes/${worker}`, { body: { spec: { unschedulable: true } }, contentType: 'application/merge-patch+json' });
  await until('cordoned', () => f.live.get('nodes', undefined, worker)?.spec?.unschedulable);
  f.cluster.stopNode(worker);
  try {
    const row = clusterRows(f.live, f.opts()).find((r) => r.label === worker)!;
    assert.match(row.description!, /^Stopped · Ready,SchedulingDisabled · /);
    assert.equal(row.contextValue, 'k8s.Node unschedulable stopped');
    assert.equal(row.icon?.id, 'debug-stop');
  } finally {
    await f.cluster.startNode(worker);
  }
  const filtered = clusterRows(f.live, f.opts('default'));
  const pods = filtered.flatMap((r) => r.children ?? []);
  assert.equal(pods.length, 3, 'two web pods and the pending one');
  assert.ok(pods.every((p) => p.ref?.namespace === 'default'));
  assert.ok(pods.every((p) => !p.description!.endsWith(' · default')), 'no namespace in descriptions when filtered');
  const elsewhere = clusterRows(f.live, f.opts('elsewhere'));
  assert.deepEqual(elsewhere.flatMap((r) => r.children ?? []), []);
  assert.equal(find(elsewhere, 'Unscheduled'), undefined, 'the pending pod of default is filtered out');
  assert.equal(elsewhere.length, 2, 'the nodes stay');
});
