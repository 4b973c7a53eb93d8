import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblem, isKubernetesManifest, parseManifests } from '../../src/extension/manifests.ts';

const multi = `# a namespace first
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: nginx
  namespace: shop
spec:
  containers:
  - name: web
    image: nginx:1.27
---
# only a comment
---
just: data
`;

test('splits a multi-document file and gives each document its range and identity', () => {
  const parsed = parseManifests(multi);
  assert.deepEqual(parsed.errors, []);
  // The comment-only document is skipped, as kubectl skips empty documents.
  assert.equal(parsed.manifests.length, 3);
  const [ns, pod, data] = parsed.manifests;
  assert.deepEqual([ns.kind, ns.name, ns.namespace], ['Namespace', 'shop', undefined]);
  assert.deepEqual([pod.apiVersion, pod.kind, pod.name, pod.namespace], ['v1', 'Pod', 'nginx', 'shop']);
  // Ranges start at the first key, after comments and the `---` marker (zero-based lines).
  assert.deepEqual(ns.range.start, { line: 1, character: 0 });
  assert.deepEqual(pod.range.start, { line: 6, character: 0 });
  assert.deepEqual(pod.range.end, { line: 14, character: 21 });
  assert.deepEqual(data.range.start, { line: 18, character: 0 });
  assert.deepEqual([ns.index, pod.index, data.index], [0, 1, 3]);
  assert.equal(isKubernetesManifest(ns), true);
  assert.equal(isKubernetesManifest(pod), true);
  assert.equal(isKubernetesManifest(data), false);
  assert.deepEqual(pod.object, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nginx', namespace: 'shop' },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
  });
});

test('decodes scalars as kubectl does (YAML 1.1: octal modes, timestamps stay strings)', () => {
  const parsed = parseManifests('apiVersion: v1\nkind: ConfigMap\ndata:\n  when: 2024-01-02\nspec:\n  defaultMode: 0644\n  on: yes\n');
  const obj = parsed.manifests[0].object as any;
  assert.equal(obj.spec.defaultMode, 420);
  assert.equal(obj.data.when, '2024-01-02');
  assert.equal(obj.spec.true, true);
});

test('a syntax error has an exact one-based FILE:LINE:COL and no object', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n';
  const parsed = parseManifests(text);
  assert.equal(parsed.errors.length, 1);
  const [e] = parsed.errors;
  assert.equal(e.severity, 'error');
  assert.deepEqual(e.range.start, { line: 3, character: 8 });
  assert.equal(formatProblem('pod.yaml', e), 'pod.yaml:4:9: Nested mappings are not allowed in compact mappings');
  assert.equal(parsed.manifests[0].object, undefined);
});

test('errors in a later document are found and placed in that document', () => {
  const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: Pod\nspec: [a, b\nmetadata: {}\n';
  const parsed = parseManifests(text);
  assert.ok(parsed.errors.length >= 1);
  assert.ok(parsed.errors.every((e) => e.range.start.line >= 5), JSON.stringify(parsed.errors));
  assert.equal(parsed.manifests[0].object !== undefined, true);
});

test('duplicate keys are warnings with the range of the second key; the last value is the one applied, as kubectl does', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n';
  const parsed = parseManifests(text);
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.warnings.length, 1);
  assert.equal(parsed.warnings[0].code, 'DUPLICATE_KEY');
  assert.deepEqual(parsed.warnings[0].range, { start: { line: 4, character: 2 }, end: { line: 4, character: 3 } });
  assert.equal(formatProblem('x.yaml', parsed.warnings[0]), 'x.yaml:5:3: Map keys must be unique');
  assert.equal((parsed.manifests[0].object as { metadata: { name: string } }).metadata.name, 'b');
});

test('an empty file and a comment-only file hold no manifests and no errors', () => {
  for (const text of ['', '# nothing\n', '---\n---\n']) {
    const parsed = parseManifests(text);
    assert.deepEqual(parsed, { manifests: [], errors: [], warnings: [] }, JSON.stringify(text));
  }
});

test('ranges count UTF-16 columns, as VS Code does', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\ndata: {"😀": 1, x: 1, x: 2}\n';
  const parsed = parseManifests(text);
  assert.equal(parsed.warnings.length, 1);
  // The second x is at UTF-16 column 22 (the emoji counts two code units).
  assert.deepEqual(parsed.warnings[0].range.start, { line: 2, character: 22 });
});
