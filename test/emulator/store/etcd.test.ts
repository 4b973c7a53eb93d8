// EtcdStore against a real etcd (Debian's etcd-server, started on free loopback ports by
// etcd-server.ts). Without etcd these tests fail, naming the package to install: they never skip.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { EtcdStore, parseEtcdUrl } from '../../../src/emulator/store/etcd.ts';
import { StoreError, type StoreEvent } from '../../../src/emulator/store/types.ts';
import { ETCD_NOT_FOUND, findEtcd, freePort, startEtcd, type EtcdServer } from './etcd-server.ts';

let shared: Promise<EtcdServer> | undefined;
const opened: { close(): unknown }[] = [];
after(async () => {
  for (const c of opened) await Promise.resolve(c.close()).catch(() => {});
  if (shared) await (await shared).stop();
});

function etcd(): Promise<EtcdServer> {
  return (shared ??= startEtcd());
}

let n = 0;
/** A store on the shared etcd, under a prefix of its own so tests never see each other's keys. */
async function open(opts: { clock?: EmulatorClock; prefix?: string } = {}): Promise<{ store: EtcdStore; srv: EtcdServer; prefix: string }> {
  const srv = await etcd();
  const prefix = opts.prefix ?? `/t${process.pid}-${++n}`;
  const store = await EtcdStore.connect(srv.url.replace('http://', 'etcd://'), { clock: opts.clock ?? new EmulatorClock({ mode: 'manual' }), prefix });
  opened.push(store);
  return { store, srv, prefix };
}

/** A plain etcd3 client, to look at what the store wrote. */
function raw(srv: EtcdServer): Etcd3 {
  const c = new Etcd3({ hosts: srv.url });
  opened.push(c);
  return c;
}

const pod = (name: string, extra: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, ...extra });

async function rejects(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected a StoreError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('etcd is installed (Debian package etcd-server), or ETCD names it', () => {
  const saved = process.env.ETCD;
  try {
    process.env.ETCD = '/nonexistent/etcd';
    assert.throws(() => findEtcd(), { message: ETCD_NOT_FOUND });
  } finally {
    if (saved === undefined) delete process.env.ETCD;
    else process.env.ETCD = saved;
  }
  // The real one: this fails the suite (it does not skip it) on a machine without etcd.
  assert.match(findEtcd(), /etcd$/);
});

test('parseEtcdUrl: etcd://, http://, bare host:port, default port, several members', () => {
  assert.deepEqual(parseEtcdUrl('etcd://127.0.0.1:2379'), { hosts: ['http://127.0.0.1:2379'], display: '127.0.0.1:2379' });
  assert.deepEqual(parseEtcdUrl('http://localhost:12379/'), { hosts: ['http://localhost:12379'], display: 'localhost:12379' });
  assert.deepEqual(parseEtcdUrl('etcd://a:1,b:2'), { hosts: ['http://a:1', 'http://b:2'], display: 'a:1,b:2' });
  assert.deepEqual(parseEtcdUrl('10.0.0.1'), { hosts: ['http://10.0.0.1:2379'], display: '10.0.0.1:2379' });
  assert.throws(() => parseEtcdUrl('https://a:2379'), /TLS/);
  assert.throws(() => parseEtcdUrl('etcd://'), /no etcd address/);
});

test('connect: an unreachable etcd fails fast with Unavailable naming the address', async () => {
  const port = await freePort(); // nobody listens there
  const t0 = Date.now();
  const err = await rejects(EtcdStore.connect(`etcd://127.0.0.1:${port}`, { clock: new EmulatorClock({ mode: 'manual' }) }));
  assert.equal(err.code, 'Unavailable');
  assert.equal(err.message, `cannot reach etcd at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
});

test('connect: a peer that accepts but never answers fails with Unavailable within about 5 s', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const t0 = Date.now();
    const err = await rejects(EtcdStore.connect(`http://127.0.0.1:${port}`, { clock: new EmulatorClock({ mode: 'manual' }) }));
    const took = Date.now() - t0;
    assert.equal(err.code, 'Unavailable');
    assert.match(err.message, new RegExp(`^cannot reach etcd at 127\\.0\\.0\\.1:${port}: no answer in 5(\\.\\d+)? s$`));
    assert.ok(took >= 4000 && took < 7000, `took ${took} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

test('values are stored as JSON without resourceVersion, under the prefix; reads stamp it and freeze', async () => {
  const { store, srv, prefix } = await open();
  const c = raw(srv);
  // A resourceVersion given by the caller is not stored (the versioner's PrepareObjectForStorage).
  const a = await store.create('/registry/pods/default/a', pod('a', { metadata: { name: 'a', namespace: 'default', resourceVersion: '999' } }));
  const stored = JSON.parse((await c.get(`${prefix}/registry/pods/default/a`).string())!);
  assert.equal(stored.metadata.resourceVersion, undefined);
  assert.equal(stored.metadata.name, 'a');
  assert.equal(await c.get('/registry/pods/default/a').string(), null, 'nothing outside the prefix');
  assert.equal(a.key, '/registry/pods/default/a');
  assert.equal(a.value.metadata.resourceVersion, String(a.modRevision));
  assert.ok(Object.isFrozen(a.value) && Object.isFrozen(a.value.metadata));
  const got = (await store.get('/registry/pods/default/a'))!;
  assert.equal(got.key, '/registry/pods/default/a');
  assert.equal(got.value.metadata.resourceVersion, String(a.modRevision));
  assert.ok(Object.isFrozen(got.value.metadata));
  assert.throws(() => {
    (got.value.metadata as Obj).name = 'b';
  }, TypeError);
  // An object without metadata still gets a resourceVersion.
  const bare = await store.create('/registry/x/bare', { kind: 'Thing' });
  assert.equal((await store.get('/registry/x/bare'))!.value.metadata.resourceVersion, String(bare.modRevision));
  // Another prefix on the same etcd sees none of it.
  const other = await open();
  assert.equal(await other.store.count('/registry/'), 0);
  assert.equal(await store.count('/registry/'), 2);
});

test('a value that is not a JSON object is reported as Corrupt', async () => {
  const { store, srv, prefix } = await open();
  await raw(srv).put(`${prefix}/registry/pods/default/bad`).value('not json');
  assert.equal((await rejects(store.get('/registry/pods/default/bad'))).code, 'Corrupt');
  await raw(srv).put(`${prefix}/registry/pods/default/arr`).value('[1]');
  assert.equal((await rejects(store.get('/registry/pods/default/arr'))).code, 'Corrupt');
});

test('create, update and delete: revisions, KeyExists, Conflict with the current revision, KeyNotFound', async () => {
  const { store } = await open();
  const k = '/registry/pods/default/p';
  const a = await store.create(k, pod('p'));
  assert.equal(a.createRevision, a.modRevision);
  assert.equal(a.modRevision, await store.currentRevision());
  assert.equal((await rejects(store.create(k, pod('p')))).code, 'KeyExists');

  const b = await store.update(k, pod('p', { spec: { v: 2 } }), a.modRevision);
  assert.equal(b.modRevision, a.modRevision + 1);
  assert.equal(b.createRevision, a.createRevision);
  assert.equal(b.value.metadata.resourceVersion, String(b.modRevision));

  const stale = await rejects(store.update(k, pod('p', { spec: { v: 3 } }), a.modRevision));
  assert.equal(stale.code, 'Conflict');
  assert.equal(stale.revision, b.modRevision);
  assert.equal((await store.get(k))!.value.spec.v, 2, 'a failed update changes nothing');

  // Without a precondition: unconditional, but the key must exist.
  const c = await store.update(k, pod('p', { spec: { v: 4 } }));
  assert.equal(c.modRevision, b.modRevision + 1);
  assert.equal((await rejects(store.update('/registry/pods/default/none', pod('none')))).code, 'KeyNotFound');
  assert.equal((await rejects(store.update('/registry/pods/default/none', pod('none'), 5))).code, 'KeyNotFound');

  const staleDel = await rejects(store.delete(k, b.modRevision));
  assert.equal(staleDel.code, 'Conflict');
  assert.equal(staleDel.revision, c.modRevision);
  const d = await store.delete(k, c.modRevision);
  assert.equal(d.modRevision, c.modRevision + 1, "the result's modRevision is the delete's");
  assert.equal(d.value.metadata.resourceVersion, String(c.modRevision), 'the value is the last one written');
  assert.equal(d.value.spec.v, 4);
  assert.equal(d.createRevision, a.createRevision);
  assert.equal(await store.get(k), undefined);
  assert.equal((await rejects(store.delete(k))).code, 'KeyNotFound');
  assert.equal((await rejects(store.delete(k, c.modRevision))).code, 'KeyNotFound');

  // Created again: a new create revision.
  const e = await store.create(k, pod('p'));
  assert.equal(e.createRevision, e.modRevision);
  assert.ok(e.createRevision > d.modRevision);
});

test('concurrent creates of one key: exactly one wins', async () => {
  const { store } = await open();
  const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => store.create('/registry/pods/default/race', pod('race', { spec: { i } }))));
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StoreError).code, 'KeyExists');
});

test('get and range at a revision; range limit, more, startKey; count', async () => {
  const { store } = await open();
  for (const name of ['c', 'a', 'e', 'b', 'd']) await store.create(`/registry/pods/ns1/${name}`, pod(name));
  await store.create('/registry/pods/ns2/z', pod('z'));
  await store.create('/registry/pods/ns10/y', pod('y')); // /ns10/ is not under /ns1/
  const at = await store.currentRevision();
  await store.update('/registry/pods/ns1/a', pod('a', { spec: { v: 2 } }));
  await store.delete('/registry/pods/ns1/b');

  const all = await store.range('/registry/pods/ns1/');
  assert.deepEqual(all.items.map((i) => i.value.metadata.name), ['a', 'c', 'd', 'e']);
  assert.equal(all.revision, await store.currentRevision());
  assert.equal(all.more, false);

  const old = await store.range('/registry/pods/ns1/', { revision: at });
  assert.equal(old.revision, at);
  assert.deepEqual(old.items.map((i) => i.value.metadata.name), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(old.items[0].value.spec, undefined);
  assert.equal((await store.get('/registry/pods/ns1/b', { revision: at }))!.value.metadata.name, 'b');
  assert.equal(await store.get('/registry/pods/ns1/b'), undefined);

  const p1 = await store.range('/registry/pods/ns1/', { limit: 2, revision: at });
  assert.deepEqual(p1.items.map((i) => i.value.metadata.name), ['a', 'b']);
  assert.equal(p1.more, true);
  const p2 = await store.range('/registry/pods/ns1/', { limit: 2, revision: at, startKey: p1.items[1].key + '\x00' });
  assert.deepEqual(p2.items.map((i) => i.value.metadata.name), ['c', 'd']);
  assert.equal(p2.more, true);
  const p3 = await store.range('/registry/pods/ns1/', { limit: 2, revision: at, startKey: p2.items[1].key + '\x00' });
  assert.deepEqual(p3.items.map((i) => i.value.metadata.name), ['e']);
  assert.equal(p3.more, false);
  // Exactly `limit` items left: etcd says there is no more.
  const exact = await store.range('/registry/pods/ns1/', { limit: 4 });
  assert.equal(exact.items.length, 4);
  assert.equal(exact.more, false);
  // A startKey before the prefix does not escape it.
  assert.deepEqual((await store.range('/registry/pods/ns1/', { startKey: '/registry/' })).items.length, 4);

  assert.equal(await store.count('/registry/pods/ns1/'), 4);
  assert.equal(await store.count('/registry/pods/'), 6);
  assert.equal(await store.count('/registry/nothing/'), 0);
  assert.equal((await store.range('/registry/nothing/')).items.length, 0);
});

test('compaction: reads and watches from before it fail with Compacted and its revision', async () => {
  const { store } = await open();
  const k = '/registry/configmaps/default/c';
  const a = await store.create(k, pod('c', { data: { v: 1 } }));
  const b = await store.update(k, pod('c', { data: { v: 2 } }));
  const c = await store.update(k, pod('c', { data: { v: 3 } }));
  await store.compact(c.modRevision);
  assert.equal(await store.compactedRevision(), c.modRevision);

  const g = await rejects(store.get(k, { revision: a.modRevision }));
  assert.equal(g.code, 'Compacted');
  assert.equal(g.revision, c.modRevision);
  const r = await rejects(store.range('/registry/configmaps/', { revision: b.modRevision }));
  assert.equal(r.code, 'Compacted');
  assert.equal(r.revision, c.modRevision);
  const w = await rejects(store.watch('/registry/configmaps/', a.modRevision, { event: () => assert.fail('no event') }));
  assert.equal(w.code, 'Compacted');
  assert.equal(w.revision, c.modRevision);

  // The compacted revision itself is still readable, and watchable from.
  assert.equal((await store.get(k, { revision: c.modRevision }))!.value.data.v, 3);
  const evs: StoreEvent[] = [];
  const h = await store.watch('/registry/configmaps/', c.modRevision, { event: (e) => evs.push(e) });
  const d = await store.update(k, pod('c', { data: { v: 4 } }));
  await until(() => evs.length === 1);
  assert.equal(evs[0].revision, d.modRevision);
  assert.equal(evs[0].prevValue?.data.v, 3);
  h.cancel();

  // Compacting to an older revision is a no-op; past the head it stops at the head.
  await store.compact(a.modRevision);
  assert.equal(await store.compactedRevision(), c.modRevision);
  await store.compact(Number.MAX_SAFE_INTEGER);
  assert.equal(await store.compactedRevision(), await store.currentRevision());
});

test('compactedRevision() sees a compaction made by another etcd client', async () => {
  const { store, srv } = await open();
  const before = await store.compactedRevision();
  for (let i = 0; i < 40; i++) await store.create(`/registry/x/k${i}`, { metadata: { name: `k${i}` } });
  const target = (await store.currentRevision()) - 7;
  assert.ok(target > before);
  await raw(srv).kv.compact({ revision: target });
  assert.equal(await store.compactedRevision(), target);
  assert.equal((await rejects(store.get('/registry/x/k0', { revision: target - 1 }))).code, 'Compacted');
});

test('a read at a revision past the head fails (as in the memory backend)', async () => {
  const { store } = await open();
  const head = await store.currentRevision();
  const err = await rejects(store.get('/registry/x', { revision: head + 1000 }));
  assert.match(err.message, /future revision/);
});

test('watch: replay from a past revision, then live events, with prevValue, created, and DELETE values', async () => {
  const { store } = await open();
  const a = await store.create('/registry/pods/default/a', pod('a', { spec: { v: 1 } }));
  const b = await store.update('/registry/pods/default/a', pod('a', { spec: { v: 2 } }));
  const evs: StoreEvent[] = [];
  const h = await store.watch('/registry/pods/', a.modRevision, { event: (e) => evs.push(e) });
  await store.create('/registry/pods/default/b', pod('b'));
  await store.create('/registry/podsecuritypolicies/x', pod('x')); // same characters, other prefix
  const d = await store.delete('/registry/pods/default/a');
  await until(() => evs.length === 3);
  await new Promise((r) => setTimeout(r, 100));
  h.cancel();
  assert.equal(evs.length, 3, 'nothing outside the prefix');
  assert.deepEqual(
    evs.map((e) => [e.type, e.key, e.created, e.value.spec?.v, e.prevValue?.spec?.v]),
    [
      ['PUT', '/registry/pods/default/a', false, 2, 1],
      ['PUT', '/registry/pods/default/b', true, undefined, undefined],
      ['DELETE', '/registry/pods/default/a', false, 2, 2],
    ],
  );
  assert.equal(evs[0].revision, b.modRevision);
  assert.equal(evs[0].value.metadata.resourceVersion, String(b.modRevision));
  assert.equal(evs[0].prevValue!.metadata.resourceVersion, String(a.modRevision));
  assert.equal(evs[2].revision, d.modRevision);
  assert.equal(evs[2].value.metadata.resourceVersion, String(b.modRevision), 'a DELETE carries the value with its own last resourceVersion');
  for (const e of evs) assert.ok(Object.isFrozen(e.value.metadata));
});

test('watch: ordering, completeness and prevValue under 16 concurrent writers, for each of 3 watchers', async () => {
  const { store } = await open();
  const prefix = '/registry/configmaps/';
  const keys = Array.from({ length: 6 }, (_, i) => `${prefix}ns/k${i}`);
  const from = await store.currentRevision();
  const seen: StoreEvent[][] = [[], [], []];
  const errors: StoreError[] = [];
  const handles = await Promise.all(seen.map((s) => store.watch(prefix, from, { event: (e) => s.push(e), error: (e) => errors.push(e) })));
  let writes = 0;
  // Each writer reads a key and creates, updates or deletes it with the revision it read, retrying
  // on KeyExists, Conflict and KeyNotFound: the apiserver's GuaranteedUpdate loop, 16 at a time.
  await Promise.all(
    Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; i < 20; i++) {
        const key = keys[(w * 7 + i) % keys.length];
        for (;;) {
          const cur = await store.get(key);
          try {
            if (!cur) await store.create(key, { metadata: { name: key }, data: { w, i } });
            else if ((w + i) % 4 === 0) await store.delete(key, cur.modRevision);
            else await store.update(key, { metadata: { name: key }, data: { w, i } }, cur.modRevision);
            writes++;
            break;
          } catch (e) {
            if (!(e instanceof StoreError) || !['KeyExists', 'Conflict', 'KeyNotFound'].includes(e.code)) throw e;
          }
        }
      }
    }),
  );
  const head = await store.currentRevision();
  assert.equal(head - from, writes, 'this etcd prefix saw only our writes');
  const final = new Map((await store.range(prefix)).items.map((kv) => [kv.key, kv.value]));
  for (const evs of seen) {
    await until(() => evs.length >= writes);
    assert.equal(evs.length, writes);
    // Every revision after `from`, once each, in order.
    assert.deepEqual(
      evs.map((e) => e.revision),
      Array.from({ length: writes }, (_, i) => from + 1 + i),
    );
    // Replaying the events gives each event's prevValue and the final state.
    const state = new Map<string, Obj>();
    for (const e of evs) {
      const prev = state.get(e.key);
      if (e.type === 'PUT') {
        assert.equal(e.created, prev === undefined);
        assert.deepEqual(e.prevValue, prev);
        assert.equal(e.value.metadata.resourceVersion, String(e.revision));
        state.set(e.key, e.value);
      } else {
        assert.ok(prev, `DELETE of ${e.key} at ${e.revision} with nothing before it`);
        assert.deepEqual(e.value, prev);
        assert.deepEqual(e.prevValue, prev);
        state.delete(e.key);
      }
    }
    assert.deepEqual(state, final);
  }
  assert.deepEqual(errors, []);
  for (const h of handles) h.cancel();
});

test('watch: cancel stops events; close() ends watches with Unavailable and later calls fail', async () => {
  const { store } = await open();
  const evs: StoreEvent[] = [];
  const h = await store.watch('/registry/a/', await store.currentRevision(), { event: (e) => evs.push(e) });
  await store.create('/registry/a/1', pod('1'));
  await until(() => evs.length === 1);
  h.cancel();
  await store.create('/registry/a/2', pod('2'));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(evs.length, 1);

  const errors: StoreError[] = [];
  await store.watch('/registry/a/', await store.currentRevision(), { event: () => {}, error: (e) => errors.push(e) });
  await store.close();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'Unavailable');
  assert.equal((await rejects(store.get('/registry/a/1'))).code, 'Unavailable');
  assert.equal((await rejects(store.create('/registry/a/3', pod('3')))).code, 'Unavailable');
  assert.equal((await rejects(store.watch('/registry/a/', 0, { event: () => {} }))).code, 'Unavailable');
});

test('a watch from a future revision waits for it', async () => {
  const { store } = await open();
  const head = await store.currentRevision();
  const evs: StoreEvent[] = [];
  const h = await store.watch('/registry/f/', head + 1, { event: (e) => evs.push(e) });
  await store.create('/registry/f/1', pod('1')); // head + 1: not after fromRevision
  await store.create('/registry/f/2', pod('2')); // head + 2
  await until(() => evs.length === 1);
  await new Promise((r) => setTimeout(r, 100));
  h.cancel();
  assert.deepEqual(evs.map((e) => e.key), ['/registry/f/2']);
});

test('leases: keys go when revoked or expired (on etcd wall-clock time, not on a fast-forwarded emulator clock)', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const { store, srv, prefix } = await open({ clock });
  const long = await store.grantLease(3600);
  assert.ok(Number.isSafeInteger(long) && long > 0);
  const ev = await store.create('/registry/events/default/e1', pod('e1'), { lease: long });
  assert.equal(ev.lease, long);
  assert.equal((await store.get('/registry/events/default/e1'))!.lease, long);
  // An update without the lease detaches the key from it (etcd put semantics).
  await store.create('/registry/events/default/e2', pod('e2'), { lease: long });
  await store.update('/registry/events/default/e2', pod('e2'));
  assert.equal((await store.get('/registry/events/default/e2'))!.lease, undefined);

  const evs: StoreEvent[] = [];
  const h = await store.watch('/registry/events/', await store.currentRevision(), { event: (e) => evs.push(e) });
  await store.revokeLease(long);
  await until(() => evs.length === 1);
  assert.deepEqual([evs[0].type, evs[0].key], ['DELETE', '/registry/events/default/e1']);
  assert.ok(await store.get('/registry/events/default/e2'));
  await store.revokeLease(long); // already gone: a no-op
  h.cancel();

  // A key on a lease that does not exist: KeyNotFound.
  assert.equal((await rejects(store.create('/registry/events/default/e3', pod('e3'), { lease: long }))).code, 'KeyNotFound');

  // Expiry: etcd's own clock. Fast-forwarding the emulator clock does not expire it...
  const short = await store.grantLease(1);
  await store.create('/registry/events/default/short', pod('short'), { lease: short });
  await clock.advance(3600_000);
  assert.ok(await store.get('/registry/events/default/short'));
  // ...etcd does, about a second later.
  const t0 = Date.now();
  await until(async () => (await store.get('/registry/events/default/short')) === undefined, 8000);
  assert.ok(Date.now() - t0 < 8000);

  // A clock running 10x fast: 20 emulated seconds are 2 of etcd's.
  const fast = await open({ clock: new EmulatorClock({ timeScale: 10 }), prefix });
  const l = await fast.store.grantLease(20);
  const info = await raw(srv).leaseClient.leaseTimeToLive({ ID: l });
  assert.equal(Number(info.grantedTTL), 2);
  await fast.store.revokeLease(l);
});

test('connection loss: requests fail with Unavailable and watches end with an error', async () => {
  const srv = await startEtcd();
  try {
    const store = await EtcdStore.connect(srv.url, { clock: new EmulatorClock({ mode: 'manual' }) });
    opened.push(store);
    await store.create('/registry/pods/default/a', pod('a'));
    const errors: StoreError[] = [];
    await store.watch('/registry/pods/', await store.currentRevision(), { event: () => {}, error: (e) => errors.push(e) });
    await srv.kill();
    await until(() => errors.length === 1, 5000);
    assert.equal(errors[0].code, 'Unavailable');
    const t0 = Date.now();
    const err = await rejects(store.get('/registry/pods/default/a'));
    assert.equal(err.code, 'Unavailable');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal((await rejects(store.create('/registry/pods/default/b', pod('b')))).code, 'Unavailable');
  } finally {
    await srv.stop();
  }
});

test('etcd restarted on its data: the same store answers again, with the data and revisions kept', async () => {
  const first = await startEtcd();
  let second: EtcdServer | undefined;
  try {
    const store = await EtcdStore.connect(first.url, { clock: new EmulatorClock({ mode: 'manual' }) });
    opened.push(store);
    const a = await store.create('/registry/pods/default/a', pod('a'));
    await first.stop({ keepData: true });
    assert.equal((await rejects(store.get('/registry/pods/default/a'))).code, 'Unavailable');
    second = await startEtcd({ dataDir: first.dataDir, port: first.port, peerPort: first.peerPort });
    // gRPC reconnects on its own (with backoff): the next calls succeed.
    let got;
    await until(async () => {
      got = await store.get('/registry/pods/default/a').catch(() => undefined);
      return got !== undefined;
    }, 15_000);
    assert.equal(got!.modRevision, a.modRevision);
    assert.equal(await store.currentRevision(), a.modRevision);
    const b = await store.update('/registry/pods/default/a', pod('a', { spec: { v: 2 } }), a.modRevision);
    assert.equal(b.modRevision, a.modRevision + 1);
  } finally {
    await second?.stop();
    await first.stop();
  }
});
