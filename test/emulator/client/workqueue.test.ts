import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/emulator/client/workqueue.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';

test('a key added at any moment around the end of a drain is handled (no key left waiting)', async () => {
  for (let hops = 0; hops < 8; hops++) {
    const handled: string[] = [];
    const q: WorkQueue = new WorkQueue(async (k) => {
      handled.push(k);
      if (k === 'a') {
        // Add `b` a few microtask hops after `a`'s handling ends: one of them lands between the drain
        // loop seeing an empty queue and its promise settling.
        let p = Promise.resolve();
        for (let i = 0; i < hops; i++) p = p.then(() => undefined);
        void p.then(() => q.add('b'));
      }
    });
    q.add('a');
    for (let i = 0; i < 20; i++) await q.idle().then(() => new Promise((r) => setImmediate(r)));
    assert.deepEqual(handled, ['a', 'b'], `hops ${hops}`);
  }
});

test('keys are deduplicated while waiting; failures are retried on the clock, conflicts at once, hopeless ones dropped', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const calls: string[] = [];
  let failA = 2;
  const q = new WorkQueue(
    async (k) => {
      calls.push(k);
      if (k === 'a' && failA-- > 0) throw new Error('later');
      if (k === 'c') throw new Error('drop');
    },
    { clock, maxRetries: 15, maxDelayMs: 1000, classify: (e) => ((e as Error).message === 'drop' ? 'drop' : 'later') },
  );
  q.add('a');
  q.add('a');
  q.add('c');
  await q.idle();
  assert.deepEqual(calls, ['a', 'c']);
  await clock.advance(10); // 5 ms doubling: 10 ms for the first retry
  await q.idle();
  assert.deepEqual(calls, ['a', 'c', 'a']);
  await clock.advance(20);
  await q.idle();
  assert.deepEqual(calls, ['a', 'c', 'a', 'a'], 'retried until it succeeds; c was dropped');
  clock.dispose();
});
