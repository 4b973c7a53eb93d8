import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatorClock, parseDuration } from '../../src/emulator/clock.ts';

test('a manual clock stands still until advanced, and fires timers in due order', async () => {
  const c = new EmulatorClock({ mode: 'manual', start: 1_000_000 });
  const fired: [string, number][] = [];
  c.setTimeout(() => fired.push(['b', c.now()]), 2000);
  c.setTimeout(() => fired.push(['a', c.now()]), 1000);
  const iv = c.setInterval(() => fired.push(['i', c.now()]), 1500);
  assert.equal(c.now(), 1_000_000);
  await c.advance(3000);
  assert.deepEqual(fired, [
    ['a', 1_001_000],
    ['i', 1_001_500],
    ['b', 1_002_000],
    ['i', 1_003_000],
  ]);
  assert.equal(c.now(), 1_003_000);
  iv.cancel();
  await c.advance(10_000);
  assert.equal(fired.length, 4);
  assert.equal(c.skewMs, 13_000);
});

test('a cancelled timer never fires; a timer set by a timer fires within the same advance', async () => {
  const c = new EmulatorClock({ mode: 'manual' });
  let n = 0;
  c.setTimeout(() => n++, 100).cancel();
  c.setTimeout(() => c.setTimeout(() => (n += 10), 100), 100);
  await c.advance(250);
  assert.equal(n, 10);
});

test('a real clock runs timers on scaled wall time', async () => {
  const c = new EmulatorClock({ mode: 'real', timeScale: 100 });
  const t0 = Date.now();
  await new Promise<void>((resolve) => c.setTimeout(resolve, 1000));
  // 1000 emulated ms at 100x is 10 real ms: far less than a second.
  assert.ok(Date.now() - t0 < 900, 'scaled timer fired late');
  c.dispose();
});

test('durations parse as kubectl writes them and reject nonsense', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('soon'), /invalid duration "soon"/);
  assert.throws(() => parseDuration('5'), /invalid duration/);
});
