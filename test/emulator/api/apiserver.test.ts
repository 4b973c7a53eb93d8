// apiserver semantics over the store: paging, expiry, conflicts, retries, event TTL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';

async function server() {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  return { api, clock };
}

const pod = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

test('list pages stay consistent at the first page\'s revision, with label selectors', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  for (let i = 0; i < 7; i++) await api.create(pods, 'default', pod(`p${i}`, { tier: i % 2 ? 'odd' : 'even' }));
  const first = await api.list(pods, 'default', { limit: 2, labelSelector: 'tier=even' });
  assert.deepEqual(first.items.map((p) => p.metadata.name), ['p0', 'p2']);
  assert.ok(first.continue);
  // Written after the first page: not in the rest of this list.
  await api.create(pods, 'default', pod('p3a', { tier: 'even' }));
  await api.delete(pods, 'default', 'p4', { gracePeriodSeconds: 0 });
  const second = await api.list(pods, 'default', { limit: 2, labelSelector: 'tier=even', continue: first.continue });
  assert.deepEqual(second.items.map((p) => p.metadata.name), ['p4', 'p6']);
  assert.equal(second.resourceVersion, first.resourceVersion);
  assert.equal(second.continue, undefined, 'nothing is left at that revision');
  const fresh = await api.list(pods, 'default', { labelSelector: 'tier=even' });
  assert.deepEqual(fresh.items.map((p) => p.metadata.name), ['p0', 'p2', 'p3a', 'p6']);
  assert.equal(first.remainingItemCount, undefined, 'not counted under a selector');
});

test('pages without selectors count the objects left (remainingItemCount), at the first page\'s revision', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  for (let i = 0; i < 5; i++) await api.create(pods, 'default', pod(`p${i}`));
  const first = await api.list(pods, 'default', { limit: 2 });
  assert.equal(first.remainingItemCount, 3);
  await api.create(pods, 'default', pod('p9'));
  const second = await api.list(pods, 'default', { limit: 2, continue: first.continue });
  assert.equal(second.remainingItemCount, 1);
  const last = await api.list(pods, 'default', { limit: 2, continue: second.continue });
  assert.deepEqual(last.items.map((p) => p.metadata.name), ['p4']);
  assert.equal(last.remainingItemCount, undefined);
  assert.equal(last.continue, undefined);
});

test('a continue token from before a compaction is 410 Expired', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  for (let i = 0; i < 3; i++) await api.create(pods, 'default', pod(`p${i}`));
  const first = await api.list(pods, 'default', { limit: 1 });
  await api.create(pods, 'default', pod('later'));
  await api.store.compact(await api.store.currentRevision());
  await assert.rejects(api.list(pods, 'default', { limit: 1, continue: first.continue }), (e: ApiError) => {
    assert.equal(e.code, 410);
    assert.equal(e.reason, 'Expired');
    assert.match(e.message, /The provided continue parameter is too old to display a consistent list result/);
    return true;
  });
  await assert.rejects(api.list(pods, 'default', { continue: 'not-a-token' }), (e: ApiError) => e.code === 400);
});

test('a watch from a compacted resourceVersion is 410 "too old resource version"', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  const a = await api.create(pods, 'default', pod('a'));
  await api.create(pods, 'default', pod('b'));
  await api.store.compact(await api.store.currentRevision());
  await assert.rejects(api.watch(pods, 'default', { resourceVersion: String(Number(a.metadata.resourceVersion) - 1) }, () => {}), (e: ApiError) => {
    assert.equal(e.code, 410);
    assert.match(e.message, /^too old resource version: \d+ \(\d+\)$/);
    return true;
  });
});

test('a stale PUT gets Kubernetes\' 409; concurrent patches all land through retries', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  const p = await api.create(pods, 'default', pod('web'));
  await api.patch(pods, 'default', 'web', 'merge', { metadata: { labels: { x: '1' } } });
  await assert.rejects(api.update(pods, 'default', 'web', { ...p, metadata: { ...p.metadata, labels: { y: '2' } } }), (e: ApiError) => {
    assert.equal(e.code, 409);
    assert.equal(e.message, 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again');
    return true;
  });
  await Promise.all(Array.from({ length: 20 }, (_, i) => api.patch(pods, 'default', 'web', 'merge', { metadata: { labels: { [`l${i}`]: 'v' } } })));
  const now = await api.get(pods, 'default', 'web');
  for (let i = 0; i < 20; i++) assert.equal(now.metadata.labels[`l${i}`], 'v');
});

test('a write that changes nothing makes no new revision', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  const p = await api.create(pods, 'default', pod('web', { a: 'b' }));
  const same = await api.patch(pods, 'default', 'web', 'merge', { metadata: { labels: { a: 'b' } } });
  assert.equal(same.metadata.resourceVersion, p.metadata.resourceVersion);
});

test('Events expire after an hour of emulated time', async () => {
  const { api, clock } = await server();
  const events = api.resource('events');
  await api.create(events, 'default', { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'Test', message: 'm' });
  await clock.advance(59 * 60_000);
  assert.ok(await api.tryGet(events, 'default', 'e1'));
  await clock.advance(3 * 60_000);
  assert.equal(await api.tryGet(events, 'default', 'e1'), undefined);
});

test('empty maps and lists of optional fields are not stored, as the typed object encodes', async () => {
  const { api } = await server();
  const cms = api.resource('configmaps');
  await api.create(cms, 'default', { metadata: { name: 'c', labels: { a: '1' }, annotations: {}, finalizers: [] }, data: {} });
  const c = await api.get(cms, 'default', 'c');
  assert.equal(c.metadata.annotations, undefined);
  assert.equal(c.metadata.finalizers, undefined);
  assert.equal(c.data, undefined);
  // `kubectl label cm c a-` sends a merge patch with a null: the last label goes, and the map with it.
  const after = await api.patch(cms, 'default', 'c', 'merge', { metadata: { labels: { a: null } } });
  assert.equal(after.metadata.labels, undefined);
  const pods = api.resource('pods');
  const p = await api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [], env: [] }], nodeSelector: {} } });
  assert.equal(p.spec.containers[0].ports, undefined);
  assert.equal(p.spec.containers[0].env, undefined);
  assert.equal(p.spec.nodeSelector, undefined);
  assert.deepEqual(p.spec.containers[0].resources, {}, 'structs are kept, empty or not');
});

test('pod DELETE grace (CheckGracefulDelete): an unscheduled or finished pod goes at once whatever the request asks; a running one gets the asked period', async () => {
  const { api } = await server();
  const pods = api.resource('pods');
  await api.create(pods, 'default', pod('pending'));
  await api.delete(pods, 'default', 'pending', { gracePeriodSeconds: 30 });
  assert.equal(await api.tryGet(pods, 'default', 'pending'), undefined, 'an unscheduled pod is gone at once');

  for (const [name, phase] of [['done', 'Succeeded'], ['bound', 'Running']] as const) {
    await api.create(pods, 'default', { ...pod(name), spec: { ...pod(name).spec, nodeName: 'n1' } });
    const cur = await api.get(pods, 'default', name);
    await api.update(pods, 'default', name, { ...cur, status: { phase } }, { subresource: 'status' });
  }
  await api.delete(pods, 'default', 'done', { gracePeriodSeconds: 45 });
  assert.equal(await api.tryGet(pods, 'default', 'done'), undefined, 'a finished pod is gone at once');
  await api.delete(pods, 'default', 'bound', { gracePeriodSeconds: 45 });
  const bound = await api.get(pods, 'default', 'bound');
  assert.equal(bound.metadata.deletionGracePeriodSeconds, 45);
});

test('a second pod DELETE (rest.BeforeDelete): a shorter period, 0 included, is kept even under finalizers, which then let the pod go; a longer or absent one changes nothing', async () => {
  const { api, clock } = await server();
  const pods = api.resource('pods');
  const bound = (name: string, finalizers?: string[]) => ({ ...pod(name), metadata: { name, finalizers }, spec: { ...pod(name).spec, nodeName: 'n1' } });
  // A Job's pod: the job-tracking finalizer, deleted by the Job controller (30 s), then by its
  // kubelet (0 s) before the Job controller removes the finalizer.
  await api.create(pods, 'default', bound('job-pod', ['batch.kubernetes.io/job-tracking']));
  await api.delete(pods, 'default', 'job-pod', {});
  const first = await api.get(pods, 'default', 'job-pod');
  assert.equal(first.metadata.deletionGracePeriodSeconds, 30);
  clock.advance(10_000);
  await api.delete(pods, 'default', 'job-pod', { gracePeriodSeconds: 60 });
  assert.equal((await api.get(pods, 'default', 'job-pod')).metadata.resourceVersion, first.metadata.resourceVersion, 'a longer period changes nothing');
  await api.delete(pods, 'default', 'job-pod', { gracePeriodSeconds: 0, preconditions: { uid: first.metadata.uid } });
  const marked = await api.get(pods, 'default', 'job-pod');
  assert.equal(marked.metadata.deletionGracePeriodSeconds, 0);
  assert.equal(Date.parse(marked.metadata.deletionTimestamp), Date.parse(first.metadata.deletionTimestamp) - 30_000, 'the timestamp moves back by the difference');
  await api.patch(pods, 'default', 'job-pod', 'merge', { metadata: { finalizers: null } });
  assert.equal(await api.tryGet(pods, 'default', 'job-pod'), undefined, 'the finalizer removed, the pod is gone');

  // Without finalizers: a second DELETE with no period leaves a terminating pod alone (it waits
  // for its kubelet), a shorter one is kept, 0 removes it.
  await api.create(pods, 'default', bound('web'));
  await api.delete(pods, 'default', 'web', { gracePeriodSeconds: 30 });
  await api.delete(pods, 'default', 'web', {});
  assert.equal((await api.get(pods, 'default', 'web')).metadata.deletionGracePeriodSeconds, 30, 'kubectl delete again: still terminating');
  await api.delete(pods, 'default', 'web', { gracePeriodSeconds: 5 });
  assert.equal((await api.get(pods, 'default', 'web')).metadata.deletionGracePeriodSeconds, 5);
  await api.delete(pods, 'default', 'web', { gracePeriodSeconds: 0 });
  assert.equal(await api.tryGet(pods, 'default', 'web'), undefined);
});

test("a create's managed fields are the defaulted request's: what admission adds is no one's (handlers/create.go)", async () => {
  const { api } = await server();
  const created = await api.create(api.resource('pods'), 'default', pod('p'), { fieldManager: 'kubectl-run' });
  // DefaultTolerationSeconds and Priority admission added these; the strategy the status.
  assert.equal(created.spec.tolerations.length, 2);
  assert.equal(created.spec.priority, 0);
  assert.equal(created.status.phase, 'Pending');
  assert.equal(created.metadata.managedFields.length, 1);
  const mf = created.metadata.managedFields[0];
  assert.equal(mf.manager, 'kubectl-run');
  const spec = mf.fieldsV1['f:spec'];
  assert.ok(spec['f:containers']['k:{"name":"c"}']['f:imagePullPolicy'], 'defaulted fields are the creator\'s');
  assert.ok(spec['f:dnsPolicy'] && spec['f:restartPolicy'] && spec['f:terminationGracePeriodSeconds']);
  assert.equal(spec['f:tolerations'], undefined);
  assert.equal(spec['f:priority'], undefined);
  assert.equal(mf.fieldsV1['f:status'], undefined);
});
