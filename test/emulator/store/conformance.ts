// The storage contract (src/emulator/store/types.ts), as one suite every backend must pass:
// the in-process MVCC store, the durable store, and a real etcd.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError, type Store, type StoreEvent } from '../../../src/emulator/store/types.ts';

export interface Backend {
  store: Store;
  cleanup(): Promise<void>;
}

const obj = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, ...extra });

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof StoreError) return e.code;
    throw e;
  }
}

/** Collects watch events until `n` arrived (or fails after a while). */
function collector(): { events: StoreEvent[]; until(n: number): Promise<StoreEvent[]> } {
  const events: StoreEvent[] = [];
  return {
    events,
    until: async (n: number) => {
      const end = Date.now() + 10_000;
      while (events.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      return events;
    },
  };
}

export function runConformance(name: string, make: () => Promise<Backend>): void {
  const withStore = (title: string, fn: (s: Store, prefix: string) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const b = await make();
      try {
        // A prefix of its own per test, so a shared backend (a real etcd) keeps tests apart.
        await fn(b.store, `/registry/t${Math.random().toString(36).slice(2, 8)}/`);
      } finally {
        await b.cleanup();
      }
    });

  withStore('every write makes a new revision; values carry it as resourceVersion and are frozen', async (s, p) => {
    const r0 = await s.currentRevision();
    const a = await s.create(`${p}ns/a`, obj('a'));
    assert.ok(a.modRevision > r0);
    assert.equal(a.createRevision, a.modRevision);
    assert.equal(a.value.metadata.resourceVersion, String(a.modRevision));
    assert.ok(Object.isFrozen(a.value) && Object.isFrozen(a.value.metadata));
    const b = await s.update(`${p}ns/a`, obj('a', { data: { x: '1' } }), a.modRevision);
    assert.ok(b.modRevision > a.modRevision);
    assert.equal(b.createRevision, a.modRevision);
    assert.equal(await s.currentRevision(), b.modRevision);
    const got = await s.get(`${p}ns/a`);
    assert.deepEqual(got?.value.data, { x: '1' });
    assert.equal(got?.value.metadata.resourceVersion, String(b.modRevision));
  });

  withStore('create of an existing key, stale updates and deletes, and missing keys fail with their codes', async (s, p) => {
    const a = await s.create(`${p}ns/a`, obj('a'));
    assert.equal(await code(s.create(`${p}ns/a`, obj('a'))), 'KeyExists');
    await s.update(`${p}ns/a`, obj('a', { data: { v: '2' } }), a.modRevision);
    assert.equal(await code(s.update(`${p}ns/a`, obj('a'), a.modRevision)), 'Conflict');
    assert.equal(await code(s.delete(`${p}ns/a`, a.modRevision)), 'Conflict');
    assert.equal(await code(s.update(`${p}ns/missing`, obj('missing'))), 'KeyNotFound');
    assert.equal(await code(s.delete(`${p}ns/missing`)), 'KeyNotFound');
    const del = await s.delete(`${p}ns/a`);
    assert.deepEqual(del.value.data, { v: '2' });
    assert.equal(await s.get(`${p}ns/a`), undefined);
    // A deleted key can be created again, with a new create revision.
    const again = await s.create(`${p}ns/a`, obj('a'));
    assert.equal(again.createRevision, again.modRevision);
  });

  withStore('get and range at an older revision see the state of that revision', async (s, p) => {
    const a = await s.create(`${p}ns/a`, obj('a', { data: { v: '1' } }));
    await s.create(`${p}ns/b`, obj('b'));
    const at = await s.currentRevision();
    await s.update(`${p}ns/a`, obj('a', { data: { v: '2' } }));
    await s.delete(`${p}ns/b`);
    await s.create(`${p}ns/c`, obj('c'));
    assert.deepEqual((await s.get(`${p}ns/a`, { revision: at }))?.value.data, { v: '1' });
    assert.equal((await s.get(`${p}ns/a`, { revision: at }))?.modRevision, a.modRevision);
    const old = await s.range(p, { revision: at });
    assert.equal(old.revision, at);
    assert.deepEqual(old.items.map((i) => i.value.metadata.name), ['a', 'b']);
    const now = await s.range(p);
    assert.deepEqual(now.items.map((i) => i.value.metadata.name), ['a', 'c']);
  });

  withStore('range pages with limit, more and startKey, in key order; count', async (s, p) => {
    for (const n of ['d', 'a', 'c', 'e', 'b']) await s.create(`${p}ns/${n}`, obj(n));
    await s.create(`${p}other/x`, obj('x'));
    const first = await s.range(`${p}ns/`, { limit: 2 });
    assert.deepEqual(first.items.map((i) => i.value.metadata.name), ['a', 'b']);
    assert.equal(first.more, true);
    // The next page, at the first page's revision, even after more writes.
    await s.create(`${p}ns/bb`, obj('bb'));
    const second = await s.range(`${p}ns/`, { limit: 2, startKey: first.items[1].key + '\u0000', revision: first.revision });
    assert.deepEqual(second.items.map((i) => i.value.metadata.name), ['c', 'd']);
    const last = await s.range(`${p}ns/`, { limit: 2, startKey: second.items[1].key + '\u0000', revision: first.revision });
    assert.deepEqual(last.items.map((i) => i.value.metadata.name), ['e']);
    assert.equal(last.more, false);
    assert.equal(await s.count(`${p}ns/`), 6);
    assert.equal(await s.count(p), 7);
    // With count, a page also tells how many keys follow it at its revision.
    const counted = await s.range(`${p}ns/`, { limit: 2, count: true, startKey: first.items[1].key + '\u0000', revision: first.revision });
    assert.deepEqual([counted.more, counted.remaining], [true, 1]);
    const whole = await s.range(`${p}ns/`, { limit: 10, count: true });
    assert.deepEqual([whole.items.length, whole.more, whole.remaining], [6, false, undefined]);
  });

  withStore('a read or watch from before the compacted revision fails with Compacted', async (s, p) => {
    const a = await s.create(`${p}ns/a`, obj('a'));
    await s.update(`${p}ns/a`, obj('a', { data: { v: '2' } }));
    const last = await s.update(`${p}ns/a`, obj('a', { data: { v: '3' } }));
    await s.compact(last.modRevision);
    assert.ok((await s.compactedRevision()) >= last.modRevision);
    assert.equal(await code(s.get(`${p}ns/a`, { revision: a.modRevision })), 'Compacted');
    assert.equal(await code(s.range(p, { revision: a.modRevision })), 'Compacted');
    assert.equal(await code(s.watch(p, a.modRevision, { event() {} })), 'Compacted');
    assert.deepEqual((await s.get(`${p}ns/a`))?.value.data, { v: '3' });
  });

  withStore('a watch replays history after its revision, then follows writes, with previous values', async (s, p) => {
    await s.create(`${p}ns/a`, obj('a', { data: { v: '1' } }));
    const from = await s.currentRevision();
    await s.update(`${p}ns/a`, obj('a', { data: { v: '2' } }));
    const c = collector();
    const w = await s.watch(p, from, { event: (ev) => c.events.push(ev) });
    try {
      await s.create(`${p}ns/b`, obj('b'));
      await s.delete(`${p}ns/a`);
      await s.create(`/registry/elsewhere${p}`, obj('z'));
      const evs = await c.until(3);
      assert.deepEqual(
        evs.map((e) => [e.type, e.key.slice(p.length), e.created, e.value.data?.v, e.prevValue?.data?.v]),
        [
          ['PUT', 'ns/a', false, '2', '1'],
          ['PUT', 'ns/b', true, undefined, undefined],
          ['DELETE', 'ns/a', false, '2', '2'],
        ],
      );
      for (const e of evs) if (e.type === 'PUT') assert.equal(e.value.metadata.resourceVersion, String(e.revision));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(c.events.length, 3, 'nothing outside the prefix, nothing twice');
    } finally {
      w.cancel();
    }
  });

  withStore('under concurrent writers every watcher sees every event once, in revision order', async (s, p) => {
    const watchers = [collector(), collector(), collector()];
    const from = await s.currentRevision();
    const handles = await Promise.all(watchers.map((c) => s.watch(p, from, { event: (ev) => c.events.push(ev) })));
    try {
      const writers = 8;
      const each = 25;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < each; i++) {
            const key = `${p}ns/w${w}-${i % 5}`;
            const cur = await s.get(key);
            if (cur) await s.update(key, obj(`w${w}-${i % 5}`, { data: { i: String(i) } }), cur.modRevision);
            else await s.create(key, obj(`w${w}-${i % 5}`));
          }
        }),
      );
      const total = writers * each;
      for (const c of watchers) {
        const evs = await c.until(total);
        assert.equal(evs.length, total);
        const revs = evs.map((e) => e.revision);
        assert.deepEqual(revs, [...revs].sort((a, b) => a - b));
        assert.equal(new Set(revs).size, total);
      }
    } finally {
      for (const h of handles) h.cancel();
    }
  });

  withStore('a cancelled watch gets nothing more', async (s, p) => {
    const c = collector();
    const w = await s.watch(p, await s.currentRevision(), { event: (ev) => c.events.push(ev) });
    await s.create(`${p}ns/a`, obj('a'));
    await c.until(1);
    w.cancel();
    await s.create(`${p}ns/b`, obj('b'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.events.length, 1);
  });

  withStore('keys attached to a lease go when it is revoked; others stay', async (s, p) => {
    const lease = await s.grantLease(3600);
    await s.create(`${p}ns/ev1`, obj('ev1'), { lease });
    await s.create(`${p}ns/ev2`, obj('ev2'), { lease });
    await s.create(`${p}ns/keep`, obj('keep'));
    assert.equal((await s.get(`${p}ns/ev1`))?.lease, lease);
    const c = collector();
    const w = await s.watch(p, await s.currentRevision(), { event: (ev) => c.events.push(ev) });
    try {
      await s.revokeLease(lease);
      const evs = await c.until(2);
      assert.deepEqual(evs.map((e) => [e.type, e.key.slice(p.length)]).sort(), [
        ['DELETE', 'ns/ev1'],
        ['DELETE', 'ns/ev2'],
      ]);
      assert.deepEqual((await s.range(p)).items.map((i) => i.value.metadata.name), ['keep']);
    } finally {
      w.cancel();
    }
  });
}
