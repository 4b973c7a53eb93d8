// The Events view's rows (views/events.ts): newest first, "reason: message", the object and age,
// Warnings with a warning icon, clicks going to the involved object; the namespace filter.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventRows, lastSeen } from '../../../src/extension/views/events.ts';
import { deployment, startFixture, until, type Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture(1);
});
after(() => f?.stop());

test('events newest first, warnings flagged, clicks show the object', async () => {
  await f.apply(deployment('huge', 1, '64'));
  await until('a FailedScheduling warning', () => f.live.list('events', 'default').some((e) => e.reason === 'FailedScheduling'));
  const rows = eventRows(f.live, f.opts());
  const times = rows.map((r) => lastSeen(f.live.get('events', r.ref!.namespace, r.ref!.name)!));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  const warn = rows.find((r) => r.label.startsWith('FailedScheduling: '))!;
  assert.match(warn.label, /^FailedScheduling: 0\/1 nodes are available: 1 Insufficient cpu\./);
  assert.deepEqual(warn.icon, { id: 'warning', color: 'charts.yellow' });
  assert.equal(warn.contextValue, 'k8s.Event warning');
  assert.match(warn.description!, /^pod\/huge-[a-z0-9-]+ · \d+s ago( · x\d+)? · default$/);
  assert.equal(warn.show?.kind, 'Pod');
  assert.match(warn.show!.name, /^huge-/);
  assert.equal(warn.ref?.kind, 'Event');
  const normal = rows.find((r) => r.label.startsWith('ScalingReplicaSet: '))!;
  assert.deepEqual(normal.icon, { id: 'info' });
  assert.deepEqual(eventRows(f.live, f.opts('elsewhere')).map((r) => r.label), ['No events in namespace elsewhere']);
  assert.ok(eventRows(f.live, f.opts('default')).every((r) => !r.description!.endsWith(' · default')));
});
