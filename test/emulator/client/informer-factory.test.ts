import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { SharedInformers } from '../../../src/emulator/client/informer-factory.ts';

async function setup() {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  return { api, clock, informers: new SharedInformers(api) };
}

const cm = (name: string) => ({ metadata: { name }, data: { k: name } });

test('one informer per resource and selector, started by the first user and stopped by the last', async () => {
  const { api, clock, informers } = await setup();
  const def = api.resource('configmaps');
  await api.create(def, 'default', cm('a'));
  const a = informers.for('configmaps');
  assert.equal(informers.for('configmaps'), a);
  assert.notEqual(informers.for('configmaps', { namespace: 'default' }), a);
  await informers.acquire(a);
  await informers.acquire(a);
  assert.ok(a.get('default', 'a'));
  informers.release(a);
  await api.create(def, 'default', cm('b'));
  await new Promise((r) => setImmediate(r));
  assert.ok(a.get('default', 'b'), 'still watching while one user holds it');
  informers.release(a);
  assert.equal(a.list().length, 0, 'the last release stops it and forgets the cache');
  clock.dispose();
});

test('handlers added after the list get an add for every cached object; an index name is shared', async () => {
  const { api, clock, informers } = await setup();
  const def = api.resource('configmaps');
  await api.create(def, 'default', cm('a'));
  await api.create(def, 'default', cm('b'));
  const inf = informers.for('configmaps').addIndex('data', (o) => [o.data.k]);
  await informers.acquire(inf);
  const seen: string[] = [];
  inf.on({ add: (o) => seen.push(o.metadata.name) });
  assert.deepEqual(seen.sort(), ['a', 'b']);
  inf.addIndex('data', () => ['other']);
  assert.deepEqual(inf.byIndex('data', 'a').map((o) => o.metadata.name), ['a']);
  informers.release(inf);
  clock.dispose();
});
