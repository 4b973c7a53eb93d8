// The light reader against the `yaml` package, node by node: wherever it reads a chunk, its tree,
// offsets and values are `yaml`'s (with parse.ts's options), and `yaml` has no error or warning
// there; elsewhere it gives up. On the samples, the benchmark's manifest, hand-picked corner cases,
// and thousands of one-character mutations of them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { readLight, type LightNode } from '../../../src/emulator/manifests/light-yaml.ts';
import { generateManifest } from '../../../bench/validate.ts';

const customTags = (tags: unknown[]) => tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:timestamp');
const options = { prettyErrors: false, version: '1.1' as const, uniqueKeys: true, customTags: customTags as never };

/** Compares a chunk both ways; whether the light reader read it. Throws on any difference. */
function compare(text: string): boolean {
  const light = readLight(text, customTags);
  if (!light) return false;
  const docs = parseAllDocuments(text, options);
  const list = Array.isArray(docs) ? docs : [];
  const where = `in ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}...` : text)}`;
  assert.equal(light.length, list.length, `document count ${where}`);
  list.forEach((doc, i) => {
    assert.deepEqual(doc.errors.map((e) => e.message), [], `yaml errors the light reader missed ${where}`);
    assert.deepEqual(doc.warnings.map((e) => e.message), [], `yaml warnings the light reader missed ${where}`);
    const mine = light[i].contents;
    if (mine === null) {
      assert.ok(isScalar(doc.contents) && doc.contents.value === null, `an empty document ${where}`);
      return;
    }
    same(mine, doc.contents as Node, where);
    assert.deepEqual(mine.js, doc.toJS(), `value ${where}`);
  });
  return true;
}

function same(a: LightNode, b: Node, where: string): void {
  const at = `${JSON.stringify(where.slice(3, 60))} node ${JSON.stringify(text(b, where))}`;
  if (a.type === 'map') {
    assert.ok(isMap(b), `map ${at}`);
    assert.equal(a.flow, !!b.flow, `flow ${at}`);
    assert.equal(a.items.length, b.items.length, `pairs ${at}`);
    a.items.forEach((p, i) => {
      same(p.key, b.items[i].key as Node, where);
      assert.ok(p.value !== null && b.items[i].value !== null, `value ${at}`);
      same(p.value!, b.items[i].value as Node, where);
    });
  } else if (a.type === 'seq') {
    assert.ok(isSeq(b), `seq ${at}`);
    assert.equal(a.flow, !!b.flow, `flow ${at}`);
    assert.equal(a.items.length, b.items.length, `items ${at}`);
    a.items.forEach((n, i) => same(n, b.items[i] as Node, where));
  } else {
    assert.ok(isScalar(b), `scalar ${at}`);
    assert.deepEqual(a.js, b.toJSON(), `scalar value ${at}`);
  }
  // The checks read range[0] of every node, range[1] of scalars and flow collections.
  assert.equal(a.range[0], b.range![0], `start ${at}`);
  if (a.type === 'scalar' || a.flow) assert.equal(a.range[1], b.range![1], `end ${at}`);
}

function text(b: Node, where: string): string {
  return b.range ? where.slice(b.range[0], b.range[1]) : '';
}

/** Chunks as parse.ts cuts them. */
function chunks(text: string): string[] {
  const starts = [0];
  for (const m of text.matchAll(/^---(?=[ \t\r\n]|$)/gm)) if (m.index > 0) starts.push(m.index);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

const samplesDir = join(import.meta.dirname, '../../../samples/resource-efficiency');
const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(samplesDir, f), 'utf8'));

const CORNERS = [
  'a: 1\nb: yes\nc: on\nd: 0644\ne: 1_000\nf: 0x1F\ng: 1.5e3\nh: .inf\ni: ~\nj: null\nk: Null\nl: "x"\nm: \'y\'\nn: NO\no: y\np: 2024-01-02\nq: 190:20:30\nr: -0\ns: +12\nt: 0b101\nu: .NaN\nv: 1.\n',
  'y: 1\nn: 2\non: 3\n1: a\n~: b\n"q": c\n\'r\': d\n',
  'a:\nb: 1\nc: # x\n  # y\nd:\n- \n- x\ne: ""\n',
  'spec:\n  containers:\n  - name: a\n    args: ["sh", "-c", \'echo "hi"\', x y, 1, true]\n    env: []\n    x: {}\n    y: {a: 1, "b": [c, d], e: {f: g}}\n',
  'data:\n  a: |\n    x\n      y\n\n    z\n  b: >\n    p\n    q\n\n    r\n  c: |-\n    s\n  d: >-\n    t\n    u\n',
  'data:\n  a: |\n    x\n\n\n  b: 1\n',
  'data:\n  a: |\n    x\n  # c\n  b: 1\n',
  'a: "x\\ty\\n\\"z\\u00e9"\nb: \'it\'\'s\'\nc: "\\x41"\n',
  'a: b # c\nd: e#f\ng: h:i\nj: http://x:80/y\nk: -1\nl: - x\n',
  'a: b: c\n',
  'a:\n  - x\n  -  y\n  - - p\n    - q\n  - k: v\n    l: w\n',
  'a:\n  foo\nb: 1\n',
  'a:\n  foo\n  bar\n',
  '---\na: 1\n',
  '--- # c\na: 1\n',
  '---\n',
  '# only\n',
  'a: 1\n...\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  '? a\n: b\n',
  'a: 1\na: 2\n',
  '<<: {a: 1}\n',
  'a:\n\t- x\n',
  'a: "unterminated\n',
  'a: [1, 2\n  , 3]\n',
  '- a\n- b\n',
  'plain\n',
  '{"a": 1}\n',
  'a: 1\n  b: 2\n',
  'a:\n    b: 1\n  c: 2\n',
  'a: |\n  x\nb: >+\n  y\n',
  'a: |2\n   x\n',
  'a: "x" y\n',
  'a: [a, b]x\n',
  'a: [a, b, ]\n',
  'a: {b: }\n',
  'a: [a: b]\n',
  'a: b\r\nc: d\r\n',
  'a: |\n  x',
  'a: x',
  'a: "x"   # c',
  'x-y.z/w: 1\n"a b": 2\nc d: 3\n',
  'a: [-1, -x, "-"]\n',
  'a: @x\n',
  'a: `x\n',
  'a: %x\n',
  '%YAML 1.1\n---\na: 1\n',
  'a: 12345678901234567890\n',
  'a: 0o17\nb: 0777\nc: 08\nd: 1e3\ne: 1E3\nf: +.5\n',
  'a: e3\nb: E5\nc: e\nd: Yes\ne: off\nf: OFFICE\ng: tRUE\nh: Off\ni: nULL\n',
  `data:\n${Array.from({ length: 20 }, (_, i) => `  k${i}: v\n`).join('')}  k3: again\n`,
  `data: {${Array.from({ length: 20 }, (_, i) => `k${i}: v`).join(', ')}, k3: w}\n`,
  'a: "x\u0001"\nb: \'\u0085\'\nc: x\u2028y\n',
  '\ufeffa: 1\n',
  'a: "caf\u00e9 \u{1F600}"\nb: \u00e9t\u00e9\n',
  'a: TRUE\nb: False\nc: OFF\nd: Y\ne: n\n',
];

test('corner cases: read exactly as the `yaml` package reads them, or left to it', () => {
  let read = 0;
  for (const c of CORNERS) for (const ch of chunks(c)) if (compare(ch)) read++;
  // Most of the corner cases are inside the subset (the point of the reader).
  assert.ok(read >= 20, `read ${read}`);
});

test('the samples and the benchmark manifest are read light, node by node as `yaml` reads them', () => {
  for (const text of [...samples, generateManifest(600)]) {
    for (const ch of chunks(text)) {
      if (ch.trim() === '') continue;
      assert.ok(compare(ch), `not read: ${ch.slice(0, 200)}`);
    }
  }
});

test('one-character mutations: never a different reading from `yaml`', () => {
  // A deterministic pseudo-random generator (mulberry32).
  let seed = 7;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = [' ', '  ', ':', ': ', '-', '- ', '#', ' #', '"', "'", '\n', '|', '>', '[', ']', '{', '}', ',', 'a', '0', '\t', '&', '*', '!', '?', '\\', 'y', '.', '\n  ', '\n- '];
  const bases = [...CORNERS, ...samples.flatMap(chunks), ...chunks(generateManifest(100))].filter((c) => c.length > 0);
  let read = 0;
  let total = 0;
  for (let n = 0; n < 4000; n++) {
    const base = bases[Math.floor(rand() * bases.length)];
    const at = Math.floor(rand() * (base.length + 1));
    const r = rand();
    const piece = alphabet[Math.floor(rand() * alphabet.length)];
    const mutated = r < 0.4 ? base.slice(0, at) + piece + base.slice(at) : r < 0.7 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + piece + base.slice(at + 1);
    for (const ch of chunks(mutated)) {
      total++;
      if (compare(ch)) read++;
    }
  }
  // Most mutations stay inside the subset: the comparison means something.
  assert.ok(read > total / 5, `read ${read} of ${total}`);
});
