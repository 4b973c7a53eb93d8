// The scheduling queue's in-flight events (queue.ts; scheduling_queue.go inFlightEvents): a cluster
// event that arrives while a pod is being scheduled sends that pod, if it fails on a plugin the
// event may help, to backoff instead of unschedulablePods; events a pod popped later never saw do not.

import test from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { SchedulingQueue } from '../../../src/emulator/scheduler/queue.ts';

const pod = (name: string): Obj => ({ metadata: { name, namespace: 'default', uid: name }, spec: {} });

test('in-flight events: only events seen while in flight, for a rejecting plugin (or any plugin when all), send a failed pod to backoff', () => {
  const clock = new EmulatorClock({ mode: 'manual', start: 0 });
  const q = new SchedulingQueue(clock);
  for (const n of ['a', 'b', 'c', 'd']) q.add(pod(n));
  const a = q.pop()!;
  q.moveOnEvent(new Set(['InterPodAffinity']));
  const b = q.pop()!;
  q.moveOnEvent(new Set(['NodeResourcesFit']));
  // a saw both events: its rejecting plugin InterPodAffinity was helped → backoff.
  q.addUnschedulable(a.key, new Set(['InterPodAffinity']));
  assert.equal(q.get(a.key)!.where, 'backoff');
  // b was popped after the InterPodAffinity event: it goes to unschedulablePods.
  q.addUnschedulable(b.key, new Set(['InterPodAffinity']));
  assert.equal(q.get(b.key)!.where, 'unschedulable');
  // With nothing in flight, events are not logged: c popped now sees none.
  q.moveOnEvent(undefined);
  const c = q.pop()!;
  assert.ok(['default/c', 'default/d', 'default/b'].includes(c.key));
  q.addUnschedulable(c.key, new Set(['TaintToleration']));
  assert.equal(q.get(c.key)!.where, 'unschedulable');
  // An event for every plugin (undefined) while in flight helps whatever rejected it.
  const d = q.pop()!;
  q.moveOnEvent(undefined);
  q.addUnschedulable(d.key, new Set(['TaintToleration']));
  assert.equal(q.get(d.key)!.where, 'backoff');
  clock.dispose();
});

test('in-flight events: a pod long in flight still sees the events of its whole flight while thousands arrive and others come and go', () => {
  const clock = new EmulatorClock({ mode: 'manual', start: 0 });
  const q = new SchedulingQueue(clock);
  q.add(pod('slow'));
  const slow = q.pop()!;
  q.moveOnEvent(new Set(['VolumeBinding']));
  for (let i = 0; i < 20_000; i++) {
    q.add(pod(`p${i}`));
    const p = q.pop()!;
    q.moveOnEvent(new Set(['PodTopologySpread']));
    if (i % 100) q.done(p.key);
    else q.addUnschedulable(p.key, new Set(['NodeAffinity']));
  }
  assert.equal(q.stats().unschedulable, 200);
  q.addUnschedulable(slow.key, new Set(['VolumeBinding']));
  assert.equal(q.get(slow.key)!.where, 'backoff');
  clock.dispose();
});
