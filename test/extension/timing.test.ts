import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer, Debouncer, type Timers } from '../../src/extension/timing.ts';

/** Manual timers: nothing fires until `advance`. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now && pending.delete(id)) t.fn();
    }
  };
  return { timers, advance, pending };
}

test('a burst of triggers makes one refresh, and a later burst another', () => {
  const t = fakeTimers();
  let runs = 0;
  const c = new Coalescer(50, () => runs++, t.timers);
  for (let i = 0; i < 30; i++) c.trigger();
  t.advance(49);
  assert.equal(runs, 0);
  t.advance(1);
  assert.equal(runs, 1);
  c.trigger();
  c.trigger();
  t.advance(50);
  assert.equal(runs, 2);
  c.trigger();
  c.dispose();
  t.advance(100);
  assert.equal(runs, 2);
});

test('the debouncer runs only the latest job per key, after the quiet period', () => {
  const t = fakeTimers();
  const ran: string[] = [];
  const d = new Debouncer<string>(300, t.timers);
  d.schedule('a.yaml', () => ran.push('a1'));
  t.advance(200);
  d.schedule('a.yaml', () => ran.push('a2'));
  d.schedule('b.yaml', () => ran.push('b1'));
  t.advance(299);
  assert.equal(ran.length, 0);
  t.advance(1);
  assert.deepEqual([...ran].sort(), ['a2', 'b1']);
  d.schedule('a.yaml', () => ran.push('a3'));
  d.cancel('a.yaml');
  t.advance(1000);
  assert.equal(ran.includes('a3'), false);
  assert.equal(d.size, 0);
});
