import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clone, deepFreeze, jsonEqual, rfc3339, shareEqual } from '../../../src/emulator/api/objects.ts';

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

test('shareEqual: a new revision shares the subtrees the write left alone, and only those', () => {
  const prev = deepFreeze({
    metadata: { name: 'p', labels: { app: 'web' }, resourceVersion: '5' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'n1' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
  });
  const next = clone(prev) as typeof prev & { status: { phase: string; conditions: unknown[] } };
  next.status.phase = 'Running';
  next.status.conditions.push({ type: 'Ready', status: 'True' });
  const out = shareEqual(next, prev) as typeof prev;
  assert.equal(out, next, 'a changed object is the new one');
  assert.equal(out.spec, prev.spec, 'the spec is the stored one');
  assert.equal(out.metadata, prev.metadata);
  assert.equal(out.status.conditions[0], prev.status.conditions[0]);
  assert.notEqual(out.status.conditions, prev.status.conditions);
  assert.deepEqual(out.status, { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] });
  // All equal: prev itself. Key order counts; so do extra and missing keys, and types.
  assert.equal(shareEqual(clone(prev), prev), prev);
  const reordered = { status: clone(prev.status), spec: clone(prev.spec), metadata: clone(prev.metadata) };
  const r = shareEqual(reordered, prev) as typeof prev;
  assert.notEqual(r, prev);
  assert.deepEqual(Object.keys(r), ['status', 'spec', 'metadata']);
  assert.equal(r.spec, prev.spec);
  const one = deepFreeze({ a: 1 });
  assert.notEqual(shareEqual({ a: 1, b: undefined }, one), one);
  assert.notEqual(shareEqual({ b: 1 }, one), one);
  const fewer = deepFreeze({ a: [1, 2, 3] });
  assert.deepEqual(shareEqual({ a: [1, 2] }, fewer), { a: [1, 2] });
  assert.deepEqual(shareEqual({ a: { x: 1 } }, deepFreeze({ a: [1] })), { a: { x: 1 } });
  assert.deepEqual(shareEqual({ a: '1' }, deepFreeze({ a: 1 })), { a: '1' });
  // A frozen next is left as it is.
  const frozen = deepFreeze({ spec: { x: 1 } });
  assert.equal(shareEqual(frozen, deepFreeze({ spec: { x: 1 } })), frozen);
});
