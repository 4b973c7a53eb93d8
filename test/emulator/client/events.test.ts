// The event recorder's correlation, as client-go's EventCorrelator (tools/record/events_cache.go).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { EventRecorder } from '../../../src/emulator/client/events.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

async function setup() {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const pod = await api.create(api.resource('pods'), 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const rec = new EventRecorder(api, clock, { component: 'kubelet', host: 'n1' });
  const events = async () => (await api.list(api.resource('events'), 'default')).items as Obj[];
  return { clock, api, pod, rec, events };
}

test('the same event again bumps count, lastTimestamp moves, one object', async () => {
  const { clock, pod, rec, events } = await setup();
  await rec.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c');
  await clock.advance(10_000);
  await rec.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container c');
  const evs = await events();
  assert.equal(evs.length, 1);
  assert.equal(evs[0].count, 2);
  assert.notEqual(evs[0].firstTimestamp, evs[0].lastTimestamp);
});

test('the 10th message of one reason about one object within 10 minutes is combined', async () => {
  const { pod, rec, events } = await setup();
  for (let i = 1; i <= 12; i++) await rec.record(pod, 'Normal', 'Pulled', `message ${i}`);
  const evs = await events();
  const plain = evs.filter((e) => !e.message.startsWith('(combined'));
  const combined = evs.filter((e) => e.message.startsWith('(combined'));
  assert.deepEqual(plain.map((e) => e.message).sort(), [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `message ${i}`).sort());
  assert.equal(combined.length, 1);
  assert.equal(combined[0].message, '(combined from similar events): message 12');
  assert.equal(combined[0].count, 3);
});

test('a source writes at most 25 events about one object, then one every 5 minutes', async () => {
  const { clock, pod, rec, events } = await setup();
  for (let i = 0; i < 30; i++) await rec.record(pod, 'Normal', `Reason${i}`, 'x');
  assert.equal((await events()).length, 25);
  await clock.advance(299_000);
  await rec.record(pod, 'Normal', 'Late1', 'x');
  assert.equal((await events()).length, 25, 'no token yet');
  await clock.advance(1_000);
  await rec.record(pod, 'Normal', 'Late2', 'x');
  const evs = await events();
  assert.equal(evs.length, 26);
  assert.ok(evs.some((e) => e.reason === 'Late2'));
  // Another object, or another source, has its own budget.
  const other = new EventRecorder((rec as unknown as { api: APIServer }).api, clock, { component: 'kubelet', host: 'n2' });
  await other.record(pod, 'Normal', 'FromN2', 'x');
  assert.equal((await events()).length, 27);
});
