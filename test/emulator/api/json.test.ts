// http/json.ts: the serialiser of lists and Tables gives JSON.stringify's bytes, and reuses the JSON
// of frozen (stored) objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { serialize } from '../../../src/emulator/api/http/json.ts';
import { deepFreeze } from '../../../src/emulator/api/objects.ts';
import { createCluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';

test('serialize gives JSON.stringify bytes for what it walks and what it hands over', () => {
  const frozen = deepFreeze({ metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'x"y' } }, n: -0, s: 'é\u2028\ud800' });
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const nullProto = Object.assign(Object.create(null), { b: 1, a: [frozen] });
  const values: object[] = [
    { kind: 'PodList', items: [frozen, frozen, { x: undefined, f: () => 1, s: Symbol('s'), y: null }] },
    [sparse, [undefined, () => 1, Symbol('t')], [{ a: NaN, b: Infinity }], []],
    { 2: 'two', 1: 'one', b: 'b', a: 'a' },
    { d: new Date(0), m: new Map([[1, 2]]), withToJSON: { toJSON: () => ({ replaced: true }) } },
    { deep: { a: { b: { c: { d: { e: { f: frozen } } } } } } },
    nullProto,
    { rows: [{ cells: ['a', 1, true, null], object: { kind: 'PartialObjectMetadata', metadata: frozen.metadata } }] },
    {},
    [],
  ];
  for (const v of values) assert.equal(serialize(v), JSON.stringify(v));
});

test('the JSON of a frozen API object is made once; an unfrozen one is read again', () => {
  let reads = 0;
  const stored = Object.freeze({
    kind: 'ConfigMap',
    get name() {
      reads++;
      return 'a';
    },
  });
  assert.equal(serialize({ items: [stored] }), '{"items":[{"kind":"ConfigMap","name":"a"}]}');
  assert.equal(serialize({ items: [stored, stored] }), '{"items":[{"kind":"ConfigMap","name":"a"},{"kind":"ConfigMap","name":"a"}]}');
  assert.equal(reads, 1);
  // Frozen parts of objects (the metadata of a Table row) are not kept a second time.
  let metaReads = 0;
  const metadata = Object.freeze({
    get name() {
      metaReads++;
      return 'm';
    },
  });
  for (let i = 0; i < 2; i++) assert.equal(serialize({ rows: [{ object: { kind: 'PartialObjectMetadata', metadata } }] }), '{"rows":[{"object":{"kind":"PartialObjectMetadata","metadata":{"name":"m"}}}]}');
  assert.equal(metaReads, 2);
  const mutable: { name: string } = { name: 'a' };
  assert.equal(serialize({ items: [mutable] }), '{"items":[{"name":"a"}]}');
  mutable.name = 'b';
  assert.equal(serialize({ items: [mutable] }), '{"items":[{"name":"b"}]}');
});

test('LIST bodies over HTTP: PodList and Table (Metadata, Object) are what JSON.stringify of their objects gives, before and after an update', async () => {
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }) });
  try {
    const cms = c.api.resource('configmaps');
    for (let i = 0; i < 3; i++) await c.api.create(cms, 'default', { metadata: { name: `cm-${i}`, labels: { i: String(i) } }, data: { k: `v${i}` } });
    const get = (path: string, accept = 'application/json') =>
      new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
        http
          .get(`${c.httpUrl}${path}`, { headers: { Authorization: `Bearer ${c.token}`, Accept: accept } }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
          })
          .on('error', reject);
      });
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io';
    for (let round = 0; round < 2; round++) {
      const list = await c.api.list(cms, 'default');
      const items = list.items;
      const json = await get('/api/v1/namespaces/default/configmaps');
      assert.equal(json.status, 200);
      assert.equal(json.text, JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: list.resourceVersion }, items }));
      const meta = await get('/api/v1/namespaces/default/configmaps', table);
      assert.equal(meta.type, table);
      const parsed = JSON.parse(meta.text);
      assert.equal(meta.text, JSON.stringify(parsed));
      assert.deepEqual(parsed.rows.map((r: { object: unknown }) => r.object), items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })));
      assert.deepEqual(parsed.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 2)), items.map((o) => [o.metadata.name, 1]));
      const obj = await get('/api/v1/namespaces/default/configmaps?includeObject=Object', table);
      assert.deepEqual(JSON.parse(obj.text).rows.map((r: { object: unknown }) => r.object), items);
      // A new version of cm-1 is served, not the JSON kept for the old one.
      if (round === 0) await c.api.update(cms, 'default', 'cm-1', { ...items[1], data: { k: 'changed' } });
      else assert.equal(JSON.parse(json.text).items[1].data.k, 'changed');
    }
  } finally {
    await c.stop();
  }
});
