import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentCache } from '../../src/emulator/recent.ts';

test('RecentCache keeps between max/2 and max entries and keeps what is used', () => {
  const c = new RecentCache<string, number>(10);
  for (let i = 0; i < 100; i++) {
    c.set(`k${i}`, i);
    assert.ok(c.size <= 10, `size ${c.size} after ${i + 1} sets`);
  }
  assert.ok(c.size >= 5);
  assert.equal(c.get('k99'), 99);
  assert.equal(c.get('k0'), undefined);
  // An entry read in each generation survives any number of later writes.
  c.set('hot', -1);
  for (let i = 0; i < 1000; i++) {
    c.set(`x${i}`, i);
    assert.equal(c.get('hot'), -1, `lost after ${i} writes`);
  }
  // One not read is gone within max writes.
  c.set('cold', -2);
  for (let i = 0; i < 10; i++) c.set(`y${i}`, i);
  assert.equal(c.get('cold'), undefined);
});
