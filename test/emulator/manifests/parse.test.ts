// The shared parse: documents split at `---` lines, placed at their lines, cached by their text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChunks, positionIn } from '../../../src/emulator/manifests/parse.ts';

test('chunks start at `---` lines and keep their file lines; an unchanged document is not parsed again', () => {
  const a = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
  const b = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n';
  const first = parseChunks(a + b);
  assert.deepEqual(first.map((p) => [p.line, p.offset, p.chunk.docs.length]), [[0, 0, 1], [4, a.length, 1]]);
  const name = first[1].chunk.docs[0].getIn(['metadata', 'name'], true) as { range: [number, number, number] };
  assert.deepEqual(positionIn(first[1], name.range[0]), { line: 8, character: 8 });
  // Edit the first document: the second is the same parse, placed two lines lower.
  const second = parseChunks(a.replace('name: a\n', 'name: a\n  labels:\n    x: y\n') + b);
  assert.notEqual(second[0].chunk, first[0].chunk);
  assert.equal(second[1].chunk, first[1].chunk);
  assert.equal(second[1].line, 6);
  assert.deepEqual(positionIn(second[1], name.range[0]), { line: 10, character: 8 });
});

test('`---` only counts at a line start followed by a space or the line end; YAML 1.1 scalars as kubectl reads them', () => {
  const chunks = parseChunks('a: "x --- y"\nb: ---x\n---\nmode: 0644\nenabled: yes\nwhen: 2024-01-02\n');
  assert.equal(chunks.length, 2);
  assert.deepEqual(chunks[0].chunk.docs[0].toJS(), { a: 'x --- y', b: '---x' });
  assert.deepEqual(chunks[1].chunk.docs[0].toJS(), { mode: 420, enabled: true, when: '2024-01-02' });
});

test('the cache is bounded by text: old chunks are parsed again after a million characters of others', () => {
  const a = parseChunks('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bounded\n')[0].chunk;
  assert.equal(parseChunks('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bounded\n')[0].chunk, a);
  const filler = `data:\n  x: "${'y'.repeat(200_000)}"\n`;
  for (let i = 0; i < 6; i++) parseChunks(`# ${i}\n${filler}`);
  assert.notEqual(parseChunks('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bounded\n')[0].chunk, a);
});

test('a chunk in the light reader\'s subset: its tree first, yaml Documents only when asked, the same line starts either way', async () => {
  const { LineCounter, parseAllDocuments } = await import('yaml');
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lines\ndata:\n  a: |\n    x\n\n    y\n  b: "q"\n# end\n';
  const [p] = parseChunks(text);
  assert.ok(p.chunk.light, 'read light');
  assert.deepEqual((p.chunk.light[0].contents?.js as { data: unknown }).data, { a: 'x\n\ny\n', b: 'q' });
  const lc = new LineCounter();
  parseAllDocuments(text, { lineCounter: lc });
  assert.deepEqual(p.chunk.lineCounter.lineStarts, lc.lineStarts);
  assert.deepEqual(positionIn(p, text.indexOf('"q"')), { line: 9, character: 5 });
  assert.deepEqual(p.chunk.docs[0].toJS(), p.chunk.light[0].contents?.js);
  // Outside the subset (an anchor): no light tree, the yaml Documents.
  const [q] = parseChunks('a: &x 1\nb: *x\n');
  assert.equal(q.chunk.light, undefined);
  assert.deepEqual(q.chunk.docs[0].toJS(), { a: 1, b: 1 });
});
