import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { MemoryStore } from '../../../src/emulator/store/memory.ts';
import { startCompactor } from '../../../src/emulator/store/compactor.ts';
import { runConformance } from './conformance.ts';

runConformance('memory', async () => {
  const store = new MemoryStore({ clock: new EmulatorClock({ mode: 'manual' }) });
  return { store, cleanup: () => store.close() };
});

test('memory: a lease expires on the emulator clock and deletes its keys', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const s = new MemoryStore({ clock });
  const lease = await s.grantLease(3600);
  await s.create('/registry/events/default/e', { metadata: { name: 'e' } }, { lease });
  await clock.advance(3599_000);
  assert.ok(await s.get('/registry/events/default/e'));
  await clock.advance(2_000);
  assert.equal(await s.get('/registry/events/default/e'), undefined);
});

test('memory: the compactor keeps one interval of history and compacts the one before', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const s = new MemoryStore({ clock });
  startCompactor(s, clock, 300_000);
  const a = await s.create('/registry/x/a', { metadata: { name: 'a' } });
  await clock.advance(300_000); // first tick: remembers the revision, compacts nothing
  assert.equal(await s.compactedRevision(), 0);
  const b = await s.update('/registry/x/a', { metadata: { name: 'a' }, data: { v: '2' } });
  await clock.advance(300_000); // second tick: compacts to what the first saw
  assert.equal(await s.compactedRevision(), a.modRevision);
  await assert.rejects(s.watch('/registry/', a.modRevision - 1, { event() {} }), /compacted/);
  const h = await s.watch('/registry/', a.modRevision, { event() {} });
  h.cancel();
  assert.ok(b.modRevision > a.modRevision);
});

test('memory: the history window bounds memory by revisions', async () => {
  const s = new MemoryStore({ clock: new EmulatorClock({ mode: 'manual' }), historyLimit: 10 });
  for (let i = 0; i < 30; i++) await s.create(`/registry/x/${i}`, { metadata: { name: String(i) } });
  const rev = await s.currentRevision();
  assert.ok((await s.compactedRevision()) >= rev - 11);
  await assert.rejects(s.watch('/registry/', 2, { event() {} }), /compacted/);
  assert.equal(await s.count('/registry/x/'), 30);
});

test('memory: snapshot and restore keep every object, revision and lease', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const s = new MemoryStore({ clock });
  const lease = await s.grantLease(60);
  await s.create('/registry/a/1', { metadata: { name: '1' } });
  await s.create('/registry/a/2', { metadata: { name: '2' } }, { lease });
  await s.update('/registry/a/1', { metadata: { name: '1' }, data: { v: 'x' } });
  const snap = JSON.parse(JSON.stringify(s.snapshot()));
  const r = MemoryStore.restore(snap, [{ op: 'put', rev: snap.revision + 1, key: '/registry/a/3', value: { metadata: { name: '3' } }, create: snap.revision + 1 }], { clock });
  assert.equal(await r.currentRevision(), snap.revision + 1);
  assert.deepEqual((await r.range('/registry/a/')).items.map((i) => [i.key, i.value.metadata.resourceVersion]), [
    ['/registry/a/1', String(snap.revision)],
    ['/registry/a/2', String(snap.revision - 1)],
    ['/registry/a/3', String(snap.revision + 1)],
  ]);
  assert.equal((await r.get('/registry/a/2'))?.lease, lease);
  await clock.advance(61_000);
  assert.equal(await r.get('/registry/a/2'), undefined, 'the restored lease still expires');
});

test('a watcher with a trigger is offered only the events whose value (before or after) it wants', async () => {
  const s = new MemoryStore({ clock: new EmulatorClock({ mode: 'manual' }) });
  const node = (o: { spec?: { nodeName?: string } }) => o.spec?.nodeName ?? '';
  const seen: Record<string, string[]> = { a: [], b: [], all: [] };
  const watch = (who: string, value?: string) =>
    s.watch('/registry/pods/', 0, { event: (ev) => seen[who].push(`${ev.type} ${ev.key.split('/').pop()}`) }, value === undefined ? {} : { trigger: { name: 'node', fn: node, value } });
  const wa = await watch('a', 'a');
  await watch('b', 'b');
  await watch('all');
  const p1 = await s.create('/registry/pods/ns/p1', { metadata: { name: 'p1' }, spec: {} });
  const p1a = await s.update('/registry/pods/ns/p1', { metadata: { name: 'p1' }, spec: { nodeName: 'a' } }, p1.modRevision);
  await s.create('/registry/pods/ns/p2', { metadata: { name: 'p2' }, spec: { nodeName: 'b' } });
  // A change that moves the value away from 'a' still reaches a's watcher (its last sight of it).
  await s.update('/registry/pods/ns/p1', { metadata: { name: 'p1' }, spec: {} }, p1a.modRevision);
  await s.delete('/registry/pods/ns/p2');
  wa.cancel();
  await s.create('/registry/pods/ns/p3', { metadata: { name: 'p3' }, spec: { nodeName: 'a' } });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen.a, ['PUT p1', 'PUT p1']);
  assert.deepEqual(seen.b, ['PUT p2', 'DELETE p2']);
  assert.equal(seen.all.length, 6);
});

test('watchers are offered the events of their resource; a prefix shorter than a resource sees them all', async () => {
  const s = new MemoryStore({ clock: new EmulatorClock({ mode: 'manual' }) });
  const seen: Record<string, string[]> = {};
  const watch = async (prefix: string) => {
    seen[prefix] = [];
    return s.watch(prefix, 0, { event: (ev) => seen[prefix].push(ev.key) });
  };
  await watch('/registry/pods/');
  await watch('/registry/pods/ns/');
  await watch('/registry/po');
  await watch('/registry/');
  await watch('');
  const nodes = await watch('/registry/minions/');
  await s.create('/registry/pods/ns/a', { metadata: { name: 'a' } });
  await s.create('/registry/pods/other/b', { metadata: { name: 'b' } });
  await s.create('/registry/podtemplates/ns/t', { metadata: { name: 't' } });
  await s.create('/registry/minions/n', { metadata: { name: 'n' } });
  await s.create('/elsewhere/x', { metadata: { name: 'x' } });
  nodes.cancel();
  await s.create('/registry/minions/m', { metadata: { name: 'm' } });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen['/registry/pods/'], ['/registry/pods/ns/a', '/registry/pods/other/b']);
  assert.deepEqual(seen['/registry/pods/ns/'], ['/registry/pods/ns/a']);
  assert.deepEqual(seen['/registry/po'], ['/registry/pods/ns/a', '/registry/pods/other/b', '/registry/podtemplates/ns/t']);
  assert.deepEqual(seen['/registry/'], ['/registry/pods/ns/a', '/registry/pods/other/b', '/registry/podtemplates/ns/t', '/registry/minions/n', '/registry/minions/m']);
  assert.equal(seen[''].length, 6);
  assert.deepEqual(seen['/registry/minions/'], ['/registry/minions/n']);
});

test('memory: a full history window drops a sixteenth of itself at a time, keeping at least the window', async () => {
  const s = new MemoryStore({ clock: new EmulatorClock({ mode: 'manual' }), historyLimit: 160 });
  const compactions: number[] = [];
  for (let i = 0; i < 400; i++) {
    const before = await s.compactedRevision();
    await s.create(`/registry/x/${i}`, { metadata: { name: String(i) } });
    const after = await s.compactedRevision();
    if (after !== before) compactions.push(after);
    const rev = await s.currentRevision();
    // Every revision of the last 160 can still be watched from; never more than 170 are kept.
    assert.ok((after === 0 || after <= rev - 160) && after >= rev - 171, `compacted ${after} at ${rev}`);
  }
  // 400 writes past an empty store: the window filled at 171 and then dropped 10 every 10 writes.
  assert.ok(compactions.length >= 20 && compactions.length <= 25, String(compactions.length));
  await s.watch('/registry/', (await s.currentRevision()) - 160, { event() {} });
});
