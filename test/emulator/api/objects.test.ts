import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clone, deepFreeze, jsonEqual, rfc3339 } from '../../../src/emulator/api/objects.ts';

test('clone makes a mutable deep copy of frozen JSON data', () => {
  const o = deepFreeze({ a: 1, b: [{ c: 'x' }, null], d: { e: { f: true } }, g: undefined });
  const c = clone(o);
  assert.deepEqual(c, o);
  assert.notEqual(c.b, o.b);
  assert.notEqual(c.d.e, o.d.e);
  c.d.e.f = false;
  (c.b[0] as { c: string }).c = 'y';
  assert.equal(o.d.e.f, true);
  assert.equal(Object.isFrozen(c), false);
  const buf = clone({ data: Buffer.from('hi') });
  assert.equal(Buffer.from(buf.data).toString(), 'hi');
});

test('jsonEqual compares as JSON: key order ignored, undefined members absent', () => {
  assert.equal(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), true);
  assert.equal(jsonEqual({ a: 1, u: undefined }, { a: 1 }), true);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: null }), false);
  assert.equal(jsonEqual([1, undefined], [1, null]), true);
  assert.equal(jsonEqual({ a: [1, 2] }, { a: [2, 1] }), false);
  assert.equal(jsonEqual({ a: {} }, { a: [] }), false);
  assert.equal(jsonEqual('1', 1), false);
  assert.equal(jsonEqual({ a: { b: 1 } }, { a: { b: 1, c: 2 } }), false);
});

test('rfc3339: seconds without fractions, the same text within a second and a new one the next', () => {
  const t = Date.UTC(2026, 0, 2, 3, 4, 5);
  assert.equal(rfc3339(t), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339(t + 999), '2026-01-02T03:04:05Z');
  assert.equal(rfc3339(t + 1000), '2026-01-02T03:04:06Z');
  assert.equal(rfc3339(new Date(t - 1)), '2026-01-02T03:04:04Z');
  assert.equal(rfc3339(-500), '1969-12-31T23:59:59Z');
  assert.throws(() => rfc3339(NaN), RangeError);
});
