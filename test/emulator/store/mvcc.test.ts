import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, StoreError, type StoreEvent } from '../../../src/emulator/store/mvcc.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('every write makes a new revision; create of an existing key and stale updates fail', () => {
  const s = new MemoryStore<{ v: number }>();
  const r0 = s.revision;
  const a = s.create('/registry/pods/default/a', { v: 1 });
  assert.equal(a.modRevision, r0 + 1);
  assert.throws(() => s.create('/registry/pods/default/a', { v: 2 }), (e: StoreError) => e.code === 'KeyExists');
  const b = s.update('/registry/pods/default/a', { v: 2 }, a.modRevision);
  assert.equal(b.modRevision, r0 + 2);
  assert.equal(b.createRevision, a.modRevision);
  assert.throws(() => s.update('/registry/pods/default/a', { v: 3 }, a.modRevision), (e: StoreError) => e.code === 'Conflict');
  assert.throws(() => s.delete('/registry/pods/default/a', a.modRevision), (e: StoreError) => e.code === 'Conflict');
  s.delete('/registry/pods/default/a', b.modRevision);
  assert.equal(s.get('/registry/pods/default/a'), undefined);
});

test('a value factory sees the revision its write gets', () => {
  const s = new MemoryStore<{ rv: number }>();
  const kv = s.create('/registry/x/a', (rev) => ({ rv: rev }));
  assert.equal(kv.value.rv, kv.modRevision);
});

test('list ranges over a directory prefix in key order, without other namespaces', () => {
  const s = new MemoryStore<number>();
  s.create('/registry/pods/b/x', 1);
  s.create('/registry/pods/a/z', 2);
  s.create('/registry/pods/a/y', 3);
  s.create('/registry/nodes/n1', 4);
  assert.deepEqual(s.list('/registry/pods/a/').items.map((i) => i.key), ['/registry/pods/a/y', '/registry/pods/a/z']);
  assert.deepEqual(s.list('/registry/pods/').items.map((i) => i.value), [3, 2, 1]);
  assert.equal(s.count('/registry/pods/'), 3);
  s.delete('/registry/pods/a/y');
  assert.equal(s.count('/registry/pods/a/'), 1);
});

test('watch replays history after a revision, then follows live writes, in order, once each', async () => {
  const s = new MemoryStore<number>();
  s.create('/registry/pods/d/a', 1);
  const from = s.revision;
  s.update('/registry/pods/d/a', 2);
  s.create('/registry/pods/d/b', 3);
  const seen: StoreEvent<number>[] = [];
  const w = s.watch('/registry/pods/', from, (ev) => seen.push(ev));
  s.delete('/registry/pods/d/a');
  s.create('/registry/nodes/n', 9);
  await tick();
  assert.deepEqual(
    seen.map((e) => [e.type, e.key, e.value, e.prevValue]),
    [
      ['PUT', '/registry/pods/d/a', 2, 1],
      ['PUT', '/registry/pods/d/b', 3, undefined],
      ['DELETE', '/registry/pods/d/a', 2, 2],
    ],
  );
  const revs = seen.map((e) => e.revision);
  assert.deepEqual(revs, [...revs].sort((a, b) => a - b));
  w.cancel();
  s.create('/registry/pods/d/c', 4);
  await tick();
  assert.equal(seen.length, 3);
});

test('a watcher that writes from its callback never makes another see revisions out of order', async () => {
  const s = new MemoryStore<number>();
  const a: number[] = [];
  const b: number[] = [];
  s.watch('/k/', 0, (ev) => {
    a.push(ev.revision);
    if (ev.value === 1) s.create('/k/second', 2);
  });
  s.watch('/k/', 0, (ev) => b.push(ev.revision));
  s.create('/k/first', 1);
  await tick();
  await tick();
  assert.deepEqual(a, [2, 3]);
  assert.deepEqual(b, [2, 3]);
});

test('a watch from a compacted revision fails', () => {
  const s = new MemoryStore<number>({ historyLimit: 2 });
  for (let i = 0; i < 5; i++) s.create(`/k/${i}`, i);
  assert.throws(() => s.watch('/k/', 1, () => {}), (e: StoreError) => e.code === 'Compacted');
  s.watch('/k/', s.revision - 1, () => {}).cancel();
});
