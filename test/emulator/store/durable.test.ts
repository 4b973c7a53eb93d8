import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync, existsSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { crc32, crc32Fallback, encodeRecord, openDurable, openReadOnly, readState, type DurableFs } from '../../../src/emulator/store/durable.ts';
import { MemoryStore } from '../../../src/emulator/store/memory.ts';
import { exportState, importState, parseState } from '../../../src/emulator/store/state-file.ts';
import { StoreError, type JournalRecord, type Store } from '../../../src/emulator/store/types.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'kube-emulator-durable-'));
const clock = () => new EmulatorClock({ mode: 'manual', start: Date.parse('2026-01-01T00:00:00Z') });

function cm(name: string, data: Record<string, string> = {}, ns = 'default') {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data };
}
const key = (name: string, ns = 'default') => `/registry/configmaps/${ns}/${name}`;

/** Every key's value (with its mod revision) under /registry/. */
async function dump(store: Store): Promise<Record<string, { mod: number; value: unknown }>> {
  const out: Record<string, { mod: number; value: unknown }> = {};
  for (const kv of (await store.range('/registry/')).items) out[kv.key] = { mod: kv.modRevision, value: kv.value };
  return out;
}

/** The folder's files and their SHA-256: to check that a failed start-up changed nothing. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

/** The folder as a crash would leave it: every file as it is on disk now, without the lock. */
function crashCopy(dir: string): string {
  const copy = tmp();
  for (const f of readdirSync(dir)) if (f !== 'LOCK') cpSync(join(dir, f), join(copy, f));
  return copy;
}

const segments = (dir: string) => readdirSync(dir).filter((f) => /^wal-\d+\.log$/.test(f)).sort();
const snapshots = (dir: string) => readdirSync(dir).filter((f) => /^snapshot-\d+\.jsonl$/.test(f)).sort();

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

function put(rev: number, name: string, create = rev): JournalRecord {
  return { op: 'put', rev, key: key(name), value: cm(name, { rev: String(rev) }), create };
}

test('CRC-32: zlib and the JavaScript fallback agree', () => {
  assert.equal(crc32Fallback(Buffer.from('123456789')), 0xcbf43926);
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) & 0xff));
  const z = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
  if (z) assert.equal(crc32Fallback(data), z(data));
  assert.equal(crc32Fallback(data), crc32(data));
  // Continuing from a previous value: the CRC of a + b.
  assert.equal(crc32Fallback(data.subarray(5000), crc32Fallback(data.subarray(0, 5000))), crc32(data));
});

test('writes survive a clean close and reopen, with their revisions; the lock is released', async () => {
  const dir = join(tmp(), 'state'); // a folder that does not exist yet
  const d = await openDurable(dir, { clock: clock() });
  const a = await d.store.create(key('a'), cm('a', { x: '1' }));
  const b = await d.store.create(key('b'), cm('b'));
  await d.store.update(key('a'), cm('a', { x: '2' }), a.modRevision);
  await d.store.delete(key('b'), b.modRevision);
  const before = await dump(d.store);
  const rev = await d.store.currentRevision();
  await d.close();
  assert.ok(!existsSync(join(dir, 'LOCK')));
  assert.equal(snapshots(dir).length, 1, 'a clean close writes a snapshot');

  const d2 = await openDurable(dir, { clock: clock() });
  assert.deepEqual(await dump(d2.store), before);
  assert.equal(await d2.store.currentRevision(), rev);
  assert.equal((await d2.store.get(key('a')))!.value.metadata.resourceVersion, String(rev - 1));
  assert.equal(await d2.store.get(key('b')), undefined);
  const c = await d2.store.create(key('c'), cm('c'));
  assert.equal(c.modRevision, rev + 1, 'revisions go on from where they were');
  await d2.close();
});

test('a clean close rewrites a snapshot only when the log since the last one is an eighth of its size', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  for (let i = 0; i < 200; i++) await d.store.create(key(`k${i}`), cm(`k${i}`, { i: String(i) }));
  await d.close();
  const [first] = snapshots(dir);
  const d2 = await openDurable(dir, { clock: clock() });
  await d2.store.update(key('k1'), cm('k1', { i: 'changed' }));
  const few = await dump(d2.store);
  await d2.close();
  assert.deepEqual(snapshots(dir), [first], 'one update: the log is kept, no new snapshot');
  const d3 = await openDurable(dir, { clock: clock() });
  assert.deepEqual(await dump(d3.store), few);
  for (let i = 0; i < 30; i++) await d3.store.update(key(`k${i}`), cm(`k${i}`, { i: `v3-${i}` }));
  const many = await dump(d3.store);
  await d3.close();
  assert.equal(snapshots(dir).length, 2, '30 updates: a new snapshot (and the previous kept)');
  assert.notEqual(snapshots(dir).at(-1), first);
  const d4 = await openDurable(dir, { clock: clock() });
  assert.deepEqual(await dump(d4.store), many);
  assert.equal(d4.journal.stats.records, 0);
  await d4.close();
});

test('after a crash (no close) every acknowledged write is replayed from the log', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  for (let i = 0; i < 50; i++) await d.store.create(key(`k${i}`), cm(`k${i}`, { i: String(i) }));
  await d.store.delete(key('k7'));
  const before = await dump(d.store);
  const copy = crashCopy(dir);
  assert.equal(snapshots(copy).length, 0);
  const st = await readState(copy);
  assert.equal(st.records.length, 51);
  assert.equal(st.torn, undefined);

  const d2 = await openDurable(copy, { clock: clock() });
  assert.deepEqual(await dump(d2.store), before);
  assert.deepEqual(d2.warnings, []);
  await d2.close();
  await d.close();
});

test('a torn record at the end of the last segment is cut off; the writes before it stay', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  for (let i = 0; i < 10; i++) await d.store.create(key(`k${i}`), cm(`k${i}`));
  const before = await dump(d.store);
  const copy = crashCopy(dir);
  await d.close();
  const [seg] = segments(copy);
  const goodSize = statSync(join(copy, seg)).size;
  // Half of the next record: the crash came in the middle of its write.
  const next = encodeRecord(put(12, 'torn'));
  await fsp.appendFile(join(copy, seg), next.subarray(0, next.length - 7));

  const d2 = await openDurable(copy, { clock: clock() });
  assert.deepEqual(await dump(d2.store), before);
  assert.equal(statSync(join(copy, seg)).size, goodSize, 'the torn record was cut off');
  assert.match(d2.warnings.join('\n'), new RegExp(`${seg}: cut off an incomplete record at offset ${goodSize}`));
  // The log goes on after the cut, and what is written now is found again.
  await d2.store.create(key('after'), cm('after'));
  const after = await dump(d2.store);
  const copy2 = crashCopy(copy);
  await d2.close();
  const d3 = await openDurable(copy2, { clock: clock() });
  assert.deepEqual(await dump(d3.store), after);
  await d3.close();
});

test('a tail record that fails its checksum, or a few stray bytes, are torn tails too', async () => {
  for (const damage of ['checksum', 'header', 'zeros'] as const) {
    const dir = tmp();
    const d = await openDurable(dir, { clock: clock() });
    for (let i = 0; i < 5; i++) await d.store.create(key(`k${i}`), cm(`k${i}`));
    const before = await dump(d.store);
    const copy = crashCopy(dir);
    await d.close();
    const [seg] = segments(copy);
    const rec = encodeRecord(put(7, 'x'));
    if (damage === 'checksum') rec[rec.length - 3] ^= 0x20;
    await fsp.appendFile(join(copy, seg), damage === 'checksum' ? rec : damage === 'header' ? rec.subarray(0, 5) : Buffer.alloc(4096));
    const d2 = await openDurable(copy, { clock: clock() });
    assert.deepEqual(await dump(d2.store), before, damage);
    assert.equal(d2.warnings.length, 1, damage);
    await d2.close();
  }
});

test('a damaged record in the middle stops start-up, names file and offset, and changes no file', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  for (let i = 0; i < 10; i++) await d.store.create(key(`k${i}`), cm(`k${i}`));
  const copy = crashCopy(dir);
  await d.close();
  const [seg] = segments(copy);
  const buf = readFileSync(join(copy, seg));
  const second = 8 + buf.readUInt32LE(0); // offset of the second record
  buf[second + 8 + 20] ^= 0x01; // one bit of its payload
  writeFileSync(join(copy, seg), buf);
  const files = fingerprint(copy);
  await assert.rejects(openDurable(copy, { clock: clock() }), (e: StoreError) => {
    assert.equal(e.code, 'Corrupt');
    assert.equal(
      e.message,
      `state folder ${copy} is damaged: ${seg} at offset ${second}: a record fails its checksum, and whole records follow it (at offset ${second + 8 + buf.readUInt32LE(second)}); nothing was changed`,
    );
    return true;
  });
  assert.deepEqual(fingerprint(copy), files, 'no file changed, no lock left behind');
});

/** Writes a folder by hand: segments of records, no snapshot. */
function handMade(segs: Record<number, JournalRecord[]>): string {
  const dir = tmp();
  for (const [start, recs] of Object.entries(segs)) {
    writeFileSync(join(dir, `wal-${start.padStart(16, '0')}.log`), Buffer.concat(recs.map(encodeRecord)));
  }
  return dir;
}

test('damage in a segment that is not the last stops start-up, even at its end', async () => {
  const dir = handMade({ 1: [put(2, 'a'), put(3, 'b'), put(4, 'c')], 5: [put(5, 'd'), put(6, 'e')] });
  const first = 'wal-0000000000000001.log';
  const size = statSync(join(dir, first)).size;
  // A hand-made folder replays.
  const ok = await readState(dir);
  assert.deepEqual(ok.records.map((r) => (r as { rev: number }).rev), [2, 3, 4, 5, 6]);
  await fsp.truncate(join(dir, first), size - 3);
  const files = fingerprint(dir);
  const lastStart = size - encodeRecord(put(4, 'c')).length;
  await assert.rejects(openDurable(dir, { clock: clock() }), {
    code: 'Corrupt',
    message: `state folder ${dir} is damaged: ${first} at offset ${lastStart}: a record of ${encodeRecord(put(4, 'c')).length - 8} bytes runs past the end of the file (${encodeRecord(put(4, 'c')).length - 11} bytes left) in a segment that is not the last; nothing was changed`,
  });
  assert.deepEqual(fingerprint(dir), files);
});

test('a gap in the revisions, a missing segment, or a record that is not one stop start-up', async () => {
  const cases: [Record<number, JournalRecord[]>, RegExp][] = [
    [{ 1: [put(2, 'a'), put(4, 'b')] }, /wal-0000000000000001\.log at offset \d+: the log goes from revision 2 to 4; nothing was changed$/],
    [{ 1: [put(2, 'a'), put(3, 'b')], 9: [put(9, 'c')] }, /wal-0000000000000009\.log at offset 0: the log goes from revision 3 to a segment that starts at revision 9/],
    [{ 5: [put(5, 'a')] }, /wal-0000000000000005\.log at offset 0: the log starts at revision 5 and there is no snapshot before it/],
    [{ 1: [put(2, 'a'), { op: 'frobnicate' } as unknown as JournalRecord] }, /at offset \d+: unknown record op "frobnicate"/],
  ];
  for (const [segs, msg] of cases) {
    const dir = handMade(segs);
    const files = fingerprint(dir);
    await assert.rejects(openDurable(dir, { clock: clock() }), (e: StoreError) => e.code === 'Corrupt' && msg.test(e.message));
    assert.deepEqual(fingerprint(dir), files);
  }
});

test('snapshots: taken every N records, the log after them replayed, older files deleted', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock(), snapshotEvery: 20 });
  for (let i = 0; i < 95; i++) await d.store.create(key(`k${i}`), cm(`k${i}`, { i: String(i) }));
  await until(() => d.journal.stats.snapshots >= 4, 'four snapshots');
  await until(() => snapshots(dir).length <= 2, 'old snapshots deleted');
  const before = await dump(d.store);
  const copy = crashCopy(dir);
  const st = await readState(copy);
  assert.ok(st.snapshot, 'a snapshot was loaded');
  assert.ok(st.records.length < 40, `only the log after the snapshot is replayed (${st.records.length} records)`);
  assert.equal(st.snapshot.revision + st.records.length, st.revision);
  assert.ok(snapshots(copy).length <= 2, `at most two snapshots are kept: ${snapshots(copy)}`);
  assert.ok(segments(copy).length <= 3, `old segments are deleted: ${segments(copy)}`);
  const d2 = await openDurable(copy, { clock: clock(), snapshotEvery: 20 });
  assert.deepEqual(await dump(d2.store), before);
  await d2.close();
  await d.close();
});

test('a damaged newest snapshot falls back to the older one and the log; with none older it stops start-up', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock(), snapshotEvery: 10 });
  for (let i = 0; i < 45; i++) await d.store.create(key(`k${i}`), cm(`k${i}`));
  await until(() => d.journal.stats.snapshots >= 3 && snapshots(dir).length === 2, 'two snapshots kept');
  const before = await dump(d.store);
  const copy = crashCopy(dir);
  await d.close();
  const [older, newest] = snapshots(copy);
  const buf = readFileSync(join(copy, newest));
  buf[buf.indexOf('"k') + 2] ^= 0x04; // a key's letter
  writeFileSync(join(copy, newest), buf);

  const d2 = await openDurable(copy, { clock: clock() });
  assert.deepEqual(await dump(d2.store), before);
  assert.match(d2.warnings.join('\n'), new RegExp(`${newest} at offset 0: checksum mismatch .*started from an older snapshot and the log`));
  await d2.close();

  // The same damage when the damaged snapshot is the only one.
  const only = crashCopy(dir);
  for (const f of snapshots(only)) if (f !== snapshots(only).at(-1)) rmSync(join(only, f));
  const last = snapshots(only).at(-1)!;
  const b2 = readFileSync(join(only, last));
  b2[b2.length - 20] ^= 0x01; // in the end record
  writeFileSync(join(only, last), b2);
  const files = fingerprint(only);
  await assert.rejects(openDurable(only, { clock: clock() }), (e: StoreError) => {
    assert.equal(e.code, 'Corrupt');
    assert.match(e.message, new RegExp(`^state folder ${only} is damaged: ${last} at offset \\d+: .*\\(and no older valid snapshot\\); nothing was changed$`));
    return true;
  });
  assert.deepEqual(fingerprint(only), files);
  void older;
});

test('a snapshot being written when the process died is ignored and its temporary file removed', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  await d.store.create(key('a'), cm('a'));
  const copy = crashCopy(dir);
  await d.close();
  writeFileSync(join(copy, 'snapshot-0000000000000099.jsonl.tmp'), '{"kind":"KubeEmulatorSnapshot"');
  const d2 = await openDurable(copy, { clock: clock() });
  assert.ok((await d2.store.get(key('a')))!);
  assert.ok(!existsSync(join(copy, 'snapshot-0000000000000099.jsonl.tmp')));
  await d2.close();
});

test('one process at a time: a second open names the process; a lock left by a dead process is taken over', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  await assert.rejects(openDurable(dir, { clock: clock() }), {
    message: `state folder ${dir} is in use by process ${process.pid}`,
  });
  await d.store.create(key('a'), cm('a'));
  await d.close();
  // A lock file with the pid of a process that has exited.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(dir, 'LOCK'), `${gone.stdout}\n`);
  const d2 = await openDurable(dir, { clock: clock() });
  const mine = readFileSync(join(dir, 'LOCK'), 'utf8');
  assert.equal(mine.split('\n')[0], String(process.pid));
  assert.ok(await d2.store.get(key('a')));
  await d2.close();
  assert.ok(!existsSync(join(dir, 'LOCK')));
  if (process.platform === 'linux') {
    // A live pid that was reused (after a reboot, or by another process): not the owner.
    assert.match(mine, /^\d+\nboot \S+ start \d+\n$/);
    for (const stale of [mine.replace(/boot \S+/, 'boot 00000000-0000-0000-0000-000000000000'), mine.replace(/start \d+/, 'start 1')]) {
      writeFileSync(join(dir, 'LOCK'), stale);
      const d3 = await openDurable(dir, { clock: clock() });
      await d3.close();
    }
    writeFileSync(join(dir, 'LOCK'), mine);
    await assert.rejects(openDurable(dir, { clock: clock() }), { message: `state folder ${dir} is in use by process ${process.pid}` });
  }
});

test('a path that is not a usable folder gets a clear error', async () => {
  const file = join(tmp(), 'file');
  writeFileSync(file, 'x');
  await assert.rejects(openDurable(file, { clock: clock() }), { message: `state folder ${file} is not a folder` });
  await assert.rejects(openDurable(join(file, 'sub'), { clock: clock() }), { message: `state folder ${join(file, 'sub')} cannot be created, read or written` });
  if (process.getuid?.() !== 0) {
    // (root reads and writes anything, whatever the mode)
    const ro = tmp();
    await fsp.chmod(ro, 0o500);
    await assert.rejects(openDurable(ro, { clock: clock() }), { message: `state folder ${ro} cannot be created, read or written` });
  }
});

/** A file system that counts fsyncs of log segments and can hold them until released. */
function countingFs() {
  const stats = { walSyncs: 0, walWrites: 0 };
  let gate: Promise<void> | undefined;
  let fail: Error | undefined;
  const fs: DurableFs = {
    async open(path, flags, mode) {
      const fh = await fsp.open(path, flags, mode);
      if (!/wal-\d+\.log$/.test(String(path))) return fh;
      return new Proxy(fh, {
        get(target, prop) {
          if (prop === 'datasync' || prop === 'sync') {
            return async () => {
              stats.walSyncs++;
              if (gate) await gate;
              if (fail) throw fail;
              return target[prop]();
            };
          }
          if (prop === 'write') {
            return (...args: unknown[]) => {
              stats.walWrites++;
              return (target.write as (...a: unknown[]) => unknown)(...args);
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as FileHandle;
    },
  };
  return {
    fs,
    stats,
    hold() {
      let open!: () => void;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    failWith(e: Error | undefined) {
      fail = e;
    },
  };
}

test('group commit: 16 concurrent writers share fsyncs; every write is durable', async () => {
  const dir = tmp();
  const c = countingFs();
  const d = await openDurable(dir, { clock: clock(), fs: c.fs });
  const base = c.stats.walSyncs;
  const writers = 16;
  const each = 40;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < each; i++) {
        const k = key(`w${w}-${i % 5}`);
        if (i < 5) await d.store.create(k, cm(`w${w}-${i % 5}`, { i: String(i) }));
        else await d.store.update(k, cm(`w${w}-${i % 5}`, { i: String(i) }));
      }
    }),
  );
  const writes = writers * each;
  const fsyncs = c.stats.walSyncs - base;
  assert.equal(d.journal.stats.records, writes);
  assert.ok(fsyncs <= writes / 8, `${fsyncs} fsyncs for ${writes} writes`);
  assert.equal(d.journal.stats.batches, fsyncs, 'one fsync a batch');
  assert.equal(c.stats.walWrites, fsyncs, 'one write a batch');
  assert.ok(d.journal.stats.largestBatch >= writers / 2, `largest batch ${d.journal.stats.largestBatch}`);
  const before = await dump(d.store);
  const copy = crashCopy(dir);
  await d.close();
  const d2 = await openDurable(copy, { clock: clock() });
  assert.deepEqual(await dump(d2.store), before);
  await d2.close();
});

test('a write is acknowledged, and seen by watchers, only after its fsync', async () => {
  const dir = tmp();
  const c = countingFs();
  const d = await openDurable(dir, { clock: clock(), fs: c.fs });
  const seen: number[] = [];
  await d.store.watch('/registry/', await d.store.currentRevision(), { event: (ev) => seen.push(ev.revision) });
  const release = c.hold();
  let acked = false;
  const w = d.store.create(key('a'), cm('a')).then((kv) => ((acked = true), kv));
  await until(() => c.stats.walSyncs > 0, 'the fsync to start');
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(acked, false, 'not acknowledged while the fsync runs');
  assert.deepEqual(seen, [], 'not shown to watchers while the fsync runs');
  release();
  const kv = await w;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, [kv.modRevision]);
  await d.close();
});

test('a failed fsync fails the write and every write after it; the folder still opens afterwards', async () => {
  const dir = tmp();
  const c = countingFs();
  const failures: string[] = [];
  const d = await openDurable(dir, { clock: clock(), fs: c.fs, onFailure: (e) => failures.push(e.message) });
  await d.store.create(key('ok'), cm('ok'));
  c.failWith(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  await assert.rejects(d.store.create(key('bad'), cm('bad')), (e: StoreError) => e.code === 'Unavailable' && /could not write the log: EIO/.test(e.message));
  c.failWith(undefined);
  await assert.rejects(d.store.create(key('later'), cm('later')), { code: 'Unavailable' });
  assert.deepEqual(failures, [`state folder ${dir}: could not write the log: EIO: i/o error, fsync`], 'reported once');
  await d.close().catch(() => undefined);
  assert.ok(!existsSync(join(dir, 'LOCK')));
  const d2 = await openDurable(dir, { clock: clock() });
  assert.ok(await d2.store.get(key('ok')));
  await d2.close();
});

test('leases and compaction are journaled: a restored lease still expires and deletes its keys', async () => {
  const dir = tmp();
  const clk = clock();
  const d = await openDurable(dir, { clock: clk });
  const lease = await d.store.grantLease(3600);
  await d.store.create('/registry/events/default/e1', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' } }, { lease });
  await d.store.create(key('keep'), cm('keep'));
  await d.store.compact(await d.store.currentRevision());
  const copy = crashCopy(dir);
  await d.close();

  const clk2 = clock();
  const d2 = await openDurable(copy, { clock: clk2 });
  const ev = await d2.store.get('/registry/events/default/e1');
  assert.equal(ev?.lease, lease);
  await clk2.advance(3601_000);
  await until(() => d2.journal.stats.records >= 2, 'the expiry to be journaled');
  // Appended is not yet written: wait for the fsync the expiry's writes are in.
  await d2.journal.sync();
  assert.equal(await d2.store.get('/registry/events/default/e1'), undefined, 'the lease expired');
  const copy2 = crashCopy(copy);
  await d2.close();
  const d3 = await openDurable(copy2, { clock: clock() });
  assert.equal(await d3.store.get('/registry/events/default/e1'), undefined, 'the expiry is durable');
  assert.ok(await d3.store.get(key('keep')));
  await d3.close();
});

test('a folder can be read while a server has it open, without the lock and without changing it', async () => {
  const dir = tmp();
  const d = await openDurable(dir, { clock: clock(), snapshotEvery: 15 });
  for (let i = 0; i < 40; i++) await d.store.create(key(`k${i}`), cm(`k${i}`));
  await until(() => d.journal.stats.snapshots >= 2, 'snapshots');
  const files = fingerprint(dir);
  const ro = await openReadOnly(dir, { clock: clock() });
  assert.deepEqual(await dump(ro), await dump(d.store));
  assert.deepEqual(fingerprint(dir), files);
  await ro.close();
  await d.close();
  await assert.rejects(openReadOnly(join(dir, 'nope'), { clock: clock() }), { message: `state folder ${join(dir, 'nope')} does not exist` });
});

// ---- the portable state file ----

async function sample(store: Store): Promise<void> {
  await store.create('/registry/namespaces/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'u-ns' } });
  await store.create(key('b'), cm('b', { v: 'b' }));
  await store.create(key('a'), cm('a', { v: 'a' }));
  await store.create('/registry/nodes/n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { phase: 'Running' } });
  const lease = await store.grantLease(3600);
  await store.create('/registry/events/default/e1', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' } }, { lease });
  await store.create('/registry/leases/kube-node-lease/n1', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'n1', namespace: 'kube-node-lease' },
  });
}

test('export: sorted objects with their keys, no resourceVersion, no Events or node heartbeats', async () => {
  const s = new MemoryStore({ clock: clock() });
  await sample(s);
  const text = await exportState(s);
  const doc = JSON.parse(text);
  assert.equal(doc.apiVersion, 'kube-emulator.io/v1');
  assert.equal(doc.kind, 'ClusterState');
  assert.equal(doc.revision, await s.currentRevision());
  assert.deepEqual(
    doc.objects.map((o: { key: string }) => o.key),
    ['/registry/configmaps/default/a', '/registry/configmaps/default/b', '/registry/namespaces/default', '/registry/nodes/n1'],
  );
  for (const o of doc.objects) assert.equal(o.object.metadata.resourceVersion, undefined);
  assert.deepEqual(doc.objects[3].object.status, { phase: 'Running' });
  assert.deepEqual(parseState(text).objects, doc.objects);
});

test('import replaces the content: creates, updates, deletes, leaves equal objects and runtime keys alone', async () => {
  const src = new MemoryStore({ clock: clock() });
  await sample(src);
  const text = await exportState(src);

  const dir = tmp();
  const d = await openDurable(dir, { clock: clock() });
  const dst = d.store;
  await dst.create('/registry/namespaces/default', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'u-ns' } });
  await dst.create(key('a'), cm('a', { v: 'old' }));
  await dst.create(key('stale'), cm('stale'));
  await dst.create('/registry/leases/kube-node-lease/n9', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n9', namespace: 'kube-node-lease' } });
  const r = await importState(dst, text);
  assert.deepEqual(r, { created: 2, updated: 1, deleted: 1, unchanged: 1 });
  // The same state as the source, but the runtime keys of each side.
  const strip = (o: Record<string, { value: unknown }>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('/registry/leases/') && !k.startsWith('/registry/events/')).map(([k, v]) => [k, JSON.parse(JSON.stringify(v.value, (kk, vv) => (kk === 'resourceVersion' ? undefined : vv)))]));
  assert.deepEqual(strip(await dump(dst)), strip(await dump(src)));
  assert.ok(await dst.get('/registry/leases/kube-node-lease/n9'), 'node heartbeats are left alone');
  assert.deepEqual(await importState(dst, text), { created: 0, updated: 0, deleted: 0, unchanged: 4 });
  // Durable: the imported state survives a restart.
  const after = await dump(dst);
  await d.close();
  const d2 = await openDurable(dir, { clock: clock() });
  assert.deepEqual(await dump(d2.store), after);
  assert.equal(await exportState(d2.store), (await exportState(dst)).replace(/"revision": \d+/, `"revision": ${await d2.store.currentRevision()}`));
  await d2.close();
});

test('import checks the whole file first and says what is wrong; the store is not touched', async () => {
  const s = new MemoryStore({ clock: clock() });
  await s.create(key('x'), cm('x'));
  const rev = await s.currentRevision();
  const doc = (objects: unknown[]) => JSON.stringify({ apiVersion: 'kube-emulator.io/v1', kind: 'ClusterState', revision: 1, objects });
  const bad: [string, RegExp][] = [
    ['{"apiVersion": ', /^not a cluster state file: it is not JSON/],
    ['{"apiVersion":"v1","kind":"List","items":[]}', /^not a cluster state file: apiVersion "v1" and kind "List", expected kube-emulator.io\/v1 and ClusterState$/],
    [doc([{ key: key('a'), object: cm('a') }, { key: 'pods/x', object: cm('x') }]), /^cluster state: objects\[1\]: "key" must be a storage key/],
    [doc([{ key: key('a'), object: cm('b') }]), /objects\[0\] \(\/registry\/configmaps\/default\/a\): the key does not end with the object's name "b"/],
    [doc([{ key: key('a', 'other'), object: cm('a') }]), /the key does not hold the object's namespace "default"/],
    [doc([{ key: key('a'), object: cm('a') }, { key: key('a'), object: cm('a') }]), /objects\[1\]: \/registry\/configmaps\/default\/a appears twice/],
    [doc([{ key: key('a'), object: { metadata: { name: 'a' } } }]), /the object lacks apiVersion or kind/],
  ];
  for (const [text, msg] of bad) {
    await assert.rejects(importState(s, text), (e: Error) => msg.test(e.message), text);
  }
  assert.equal(await s.currentRevision(), rev, 'no write was made');
  assert.ok(await s.get(key('x')));
  // A resourceVersion in the file is ignored, not an error.
  const withRv = doc([{ key: key('x'), object: { ...cm('x', { v: '2' }), metadata: { name: 'x', namespace: 'default', resourceVersion: '999' } } }]);
  assert.deepEqual(await importState(s, withRv), { created: 0, updated: 1, deleted: 0, unchanged: 0 });
  assert.equal((await s.get(key('x')))!.value.metadata.resourceVersion, String(rev + 1));
});
