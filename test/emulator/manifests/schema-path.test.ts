import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockWindow,
  cursorContext,
  documentBounds,
  explainDescription,
  fieldAt,
  parseYamlDocument,
  rootSchema,
  schemaAt,
  typeGuess,
  valuesFor,
  type CursorContext,
} from '../../../src/emulator/manifests/schema-path.ts';
import { DEFINITIONS } from '../../../src/emulator/api/schemas.ts';

/** The context at the `|` of `src` (the bar removed). */
function at(src: string): CursorContext | undefined {
  const offset = src.indexOf('|');
  assert.ok(offset >= 0);
  const text = src.slice(0, offset) + src.slice(offset + 1);
  return cursorContext(parseYamlDocument(text), text, offset);
}
/** The parts of a context a test looks at. */
function brief(c: CursorContext | undefined) {
  return c && { at: c.at, path: c.path, word: c.word, present: c.present, column: c.column };
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
`;

test('a blank line in a mapping: the keys of the mapping whose keys start at that column', () => {
  assert.deepEqual(brief(at(DEPLOYMENT + '        |')), { at: 'key', path: ['spec', 'template', 'spec', 'containers', 0], word: '', present: ['name', 'image'], column: 8 });
  assert.deepEqual(brief(at(DEPLOYMENT + '      |')), { at: 'key', path: ['spec', 'template', 'spec'], word: '', present: ['containers'], column: 6 });
  assert.deepEqual(brief(at(DEPLOYMENT + '  |')), { at: 'key', path: ['spec'], word: '', present: ['replicas', 'selector', 'template'], column: 2 });
  assert.deepEqual(brief(at(DEPLOYMENT + '|')), { at: 'key', path: [], word: '', present: ['apiVersion', 'kind', 'metadata', 'spec'], column: 0 });
  // Between two keys, on an empty line.
  const mid = DEPLOYMENT.replace('  replicas: 2\n', '  replicas: 2\n  |\n');
  assert.deepEqual(brief(at(mid)), { at: 'key', path: ['spec'], word: '', present: ['replicas', 'selector', 'template'], column: 2 });
});

test('a half-typed key: the word, its mapping, and the other keys present', () => {
  const c = at(DEPLOYMENT + '        imagePu|');
  assert.deepEqual(brief(c), { at: 'key', path: ['spec', 'template', 'spec', 'containers', 0], word: 'imagePu', present: ['name', 'image'], column: 8 });
  assert.equal(c!.hasColon, false);
  assert.equal(c!.end - c!.start, 7);
  assert.equal(c!.apiVersion, 'apps/v1');
  assert.equal(c!.kind, 'Deployment');
  // Inside a whole key that has its colon.
  const k = at(DEPLOYMENT.replace('  replicas: 2', '  repl|icas: 2'));
  assert.deepEqual(brief(k), { at: 'key', path: ['spec'], word: 'replicas', present: ['selector', 'template'], column: 2 });
  assert.equal(k!.hasColon, true);
});

test('list items: a new item after `- `, a key typed as an item, and the keys of a later item', () => {
  assert.deepEqual(brief(at(DEPLOYMENT + '      - |')), { at: 'key', path: ['spec', 'template', 'spec', 'containers', 1], word: '', present: [], column: 8 });
  assert.deepEqual(brief(at(DEPLOYMENT + '      - na|')), { at: 'key', path: ['spec', 'template', 'spec', 'containers', 1], word: 'na', present: [], column: 8 });
  const two = DEPLOYMENT + '      - name: b\n        |';
  assert.deepEqual(brief(at(two)), { at: 'key', path: ['spec', 'template', 'spec', 'containers', 1], word: '', present: ['name'], column: 8 });
  // Indented lists (`  - `) and nested lists of objects.
  const pod = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      ports:\n        - containerPort: 80\n          |\n      image: x\n';
  assert.deepEqual(brief(at(pod)), { at: 'key', path: ['spec', 'containers', 0, 'ports', 0], word: '', present: ['containerPort'], column: 10 });
  // A list of strings takes values, not keys.
  assert.deepEqual(brief(at('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    args:\n    - |\n')), { at: 'value', path: ['spec', 'containers', 0, 'args', 0], word: '', present: [], column: 6 });
});

test('values: after `key: `, after `key:` with no blank, on a half-typed value, and on a whole one', () => {
  const base = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    imagePullPolicy:';
  assert.deepEqual(brief(at(base + ' |\n')), { at: 'value', path: ['spec', 'containers', 0, 'imagePullPolicy'], word: '', present: [], column: 21 });
  assert.deepEqual(brief(at(base + '|\n')), { at: 'value', path: ['spec', 'containers', 0, 'imagePullPolicy'], word: '', present: [], column: 20 });
  assert.deepEqual(brief(at(base + ' IfNot|\n')), { at: 'value', path: ['spec', 'containers', 0, 'imagePullPolicy'], word: 'IfNot', present: [], column: 21 });
  assert.deepEqual(brief(at(base + ' IfNot|Present\n')), { at: 'value', path: ['spec', 'containers', 0, 'imagePullPolicy'], word: 'IfNotPresent', present: [], column: 21 });
  assert.deepEqual(brief(at('kind: |\napiVersion: v1\n')), { at: 'value', path: ['kind'], word: '', present: [], column: 6 });
  const q = at('apiVersion: v1\nkind: Service\nspec:\n  type: "Node|Port"\n');
  assert.deepEqual(brief(q), { at: 'value', path: ['spec', 'type'], word: '"NodePort"', present: [], column: 8 });
});

test('flow style: keys after `{` or `,`, values after `:`, items of a flow list', () => {
  const head = 'apiVersion: apps/v1\nkind: Deployment\n';
  assert.deepEqual(brief(at(head + 'spec: {replicas: 1, |}\n')), { at: 'key', path: ['spec'], word: '', present: ['replicas'], column: 20 });
  assert.deepEqual(brief(at(head + 'spec: {|}\n')), { at: 'key', path: ['spec'], word: '', present: [], column: 7 });
  assert.deepEqual(brief(at(head + 'spec: {replicas: |}\n')), { at: 'value', path: ['spec', 'replicas'], word: '', present: [], column: 17 });
  assert.deepEqual(brief(at(head + 'spec: {replicas: 1, sel|}\n')), { at: 'key', path: ['spec'], word: 'sel', present: ['replicas'], column: 20 });
  const c = at('apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, args: [x, |]}]}\n');
  assert.deepEqual(brief(c), { at: 'value', path: ['spec', 'containers', 0, 'args', 1], word: '', present: [], column: 40 });
  assert.equal(c!.flow, true);
  // JSON is flow style too.
  const j = at('{"apiVersion": "v1", "kind": "Pod", "spec": {"restartPolicy": "Nev|"}}');
  assert.deepEqual(brief(j), { at: 'value', path: ['spec', 'restartPolicy'], word: '"Nev"', present: [], column: 62 });
});

test('empty values: a new line under `key:` takes the keys of that field', () => {
  const head = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n';
  assert.deepEqual(brief(at(head + '      |\n')), { at: 'key', path: ['spec', 'containers', 0, 'resources'], word: '', present: [], column: 6 });
  // At the column of `resources` itself: a sibling key.
  assert.deepEqual(brief(at(head + '    |\n')), { at: 'key', path: ['spec', 'containers', 0], word: '', present: ['name', 'resources'], column: 4 });
  // Under a key that already has a value, a deeper blank line is nowhere.
  assert.equal(at('apiVersion: v1\nkind: Pod\nspec:\n  hostname: a\n      |\n'), undefined);
});

test('nowhere: in a comment, on its own line or after a value', () => {
  assert.equal(at('apiVersion: v1\nkind: Pod\n# a com|ment\n'), undefined);
  assert.equal(at('apiVersion: v1\nkind: Pod\nspec:\n  hostname: a # why|\n'), undefined);
});

test('an empty document and a first word', () => {
  assert.deepEqual(brief(at('|')), { at: 'key', path: [], word: '', present: [], column: 0 });
  assert.deepEqual(brief(at('ki|')), { at: 'key', path: [], word: 'ki', present: [], column: 0 });
  assert.deepEqual(brief(at('# header\n|')), { at: 'key', path: [], word: '', present: [], column: 0 });
});

test('documentBounds: the document around the cursor in a multi-document file', () => {
  const text = 'a: 1\n---\nb: 2\nc: 3\n--- \nd: 4\n...\ne: 5\n';
  assert.deepEqual(documentBounds(text, 1), { start: 0, end: 5 });
  assert.deepEqual(documentBounds(text, text.indexOf('c: 3') + 1), { start: 9, end: 19 });
  assert.equal(documentBounds(text, text.indexOf('---') + 1), undefined);
  assert.deepEqual(documentBounds(text, text.indexOf('d: 4')), { start: 24, end: 29 });
  assert.deepEqual(documentBounds(text, text.length), { start: 33, end: text.length });
  // `---x` and an indented `---` are content, not markers.
  assert.deepEqual(documentBounds('a: |\n  ---\nb: ---x\n', 15), { start: 0, end: 19 });
});

test('schemas along a path: $ref, allOf, list items, maps, and where the schema ends', () => {
  const root = rootSchema('apps/v1', 'Deployment');
  assert.equal(schemaAt(root, ['spec', 'template', 'spec', 'containers', 0]), DEFINITIONS['io.k8s.api.core.v1.Container']);
  assert.equal(schemaAt(root, ['spec', 'template', 'metadata', 'labels', 'app'])?.type, 'string');
  assert.equal(schemaAt(root, ['spec', 'nope']), undefined);
  assert.deepEqual(root.required, ['apiVersion', 'kind']);
  assert.deepEqual(rootSchema('apps/v1', 'Deployment').required, ['apiVersion', 'kind']);
  const f = fieldAt(root, ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolicy'])!;
  assert.deepEqual(f.owner, { definition: 'io.k8s.api.core.v1.Container', property: 'imagePullPolicy' });
  assert.deepEqual(valuesFor(f)?.map((v) => v.value), ['Always', 'IfNotPresent', 'Never']);
  assert.equal(fieldAt(root, ['spec', 'selector'])!.required, true);
  assert.equal(fieldAt(root, ['spec', 'replicas'])!.required, false);
  // A list item keeps the list's owner (its values are the item values).
  const pvc = rootSchema('v1', 'PersistentVolumeClaim');
  assert.deepEqual(valuesFor(fieldAt(pvc, ['spec', 'accessModes', 0]))?.map((v) => v.value), ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']);
  // Unknown kinds: apiVersion, kind and metadata only.
  assert.deepEqual(Object.keys(rootSchema('example.com/v1', 'Widget').properties!), ['apiVersion', 'kind', 'metadata']);
  assert.deepEqual(Object.keys(rootSchema().properties!), ['apiVersion', 'kind', 'metadata']);
});

test("kubectl explain's type names and descriptions", () => {
  const root = rootSchema('apps/v1', 'Deployment');
  const type = (p: (string | number)[]) => typeGuess(fieldAt(root, p)!.declared);
  assert.equal(type(['spec', 'replicas']), 'integer');
  assert.equal(type(['spec', 'selector']), 'LabelSelector');
  assert.equal(type(['metadata']), 'ObjectMeta');
  assert.equal(type(['metadata', 'labels']), 'map[string]string');
  assert.equal(type(['spec', 'template', 'spec', 'containers']), '[]Container');
  assert.equal(type(['spec', 'strategy', 'rollingUpdate', 'maxSurge']), 'IntOrString');
  assert.equal(type(['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits']), 'map[string]Quantity');
  assert.equal(type(['spec', 'template', 'spec', 'containers', 0, 'args']), '[]string');
  // A field that is a bare reference: the referenced type's description.
  assert.equal(explainDescription(fieldAt(root, ['spec'])!.declared), 'DeploymentSpec is the specification of the desired behavior of the Deployment.');
  // The field's own description, then its type's.
  assert.equal(
    explainDescription(fieldAt(root, ['spec', 'template', 'spec', 'containers'])!.declared),
    'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.\nA single application container that you want to run within a pod.',
  );
});

// A block-style document with comments, a block scalar holding `key:` and `- ` lines, flow
// collections, compact and indented lists, nested lists of objects and blank lines.
const SAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    # a comment
    tier: "front"
  annotations:
    note: |
      multi-line
        text: here
      - not a list
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%

  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
        - name: init
          image: busybox
          command:
            - sh
            - -c
            - echo hi
      containers:
      - name: web
        image: nginx
        args: [a, b]
        env:
        - name: A
          value: "1"
        - name: B
          valueFrom:
            configMapKeyRef:
              name: cfg
              key: b

        ports:
        - containerPort: 80
          protocol: TCP
        resources:
          limits:
            cpu: 100m
        livenessProbe:
          exec:
            command:
            - cat
            - /tmp/x
      - name: side
        image: busybox
        command: ["sh", "-c", "sleep 1"]
        script: >
          folded
          text
      volumes:
      - name: data
        emptyDir: {}
      - name: cfg
        configMap:
          name: cfg
          items:
          - key: a
            path: a
`;

test('blockWindow: the window around the cursor gives the same context as the whole document, everywhere', () => {
  const parsed = new Map<string, ReturnType<typeof parseYamlDocument>>();
  const parse = (t: string) => parsed.get(t) ?? parsed.set(t, parseYamlDocument(t)).get(t)!;
  const cases: [string, number][] = [];
  for (let o = 0; o <= SAMPLE.length; o++) cases.push([SAMPLE, o]);
  // A new line after each line: blank at the columns of the sample's keys, or `- `, by turns.
  const lines = SAMPLE.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = lines.slice(0, i + 1).join('\n') + '\n';
    const tail = lines.slice(i + 1).join('\n');
    if (i % 2 === 1) for (let c = 2; c <= 8; c += 2) cases.push([head + ' '.repeat(c) + '\n' + tail, head.length + c]);
    else for (let c = 4; c <= 8; c += 2) cases.push([head + ' '.repeat(c) + '- \n' + tail, head.length + c + 2]);
  }
  let windows = 0;
  for (const [text, offset] of cases) {
    const w = blockWindow(text, offset, 3);
    if (!w) continue;
    windows++;
    const part = text.slice(w.start, w.end);
    const c = cursorContext(parse(part), part, offset - w.start, w);
    const whole = cursorContext(parse(text), text, offset);
    assert.deepEqual(c && { ...c, start: c.start + w.start, end: c.end + w.start }, whole, `at ${JSON.stringify(text.slice(offset - 30, offset))}`);
  }
  // Most positions get a window; the rest (root keys, inside the block scalar) parse whole.
  assert.ok(windows > cases.length / 2, `${windows} windows of ${cases.length}`);
});

test('blockWindow: one list item of a long list, its index and the path to the list', () => {
  let text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n';
  for (let i = 0; i < 100; i++) text += `  - name: c${i}\n    image: nginx\n    ports:\n    - containerPort: ${i}\n`;
  const offset = text.indexOf('containerPort: 57');
  const w = blockWindow(text, offset, 10)!;
  assert.deepEqual({ ...w, start: undefined, end: undefined }, { start: undefined, end: undefined, prefix: ['spec', 'containers'], item: 57, apiVersion: 'v1', kind: 'Pod' });
  assert.equal(text.slice(w.start, w.end), '  - name: c57\n    image: nginx\n    ports:\n    - containerPort: 57\n');
  const part = text.slice(w.start, w.end);
  assert.deepEqual(cursorContext(parseYamlDocument(part), part, offset - w.start, w)!.path, ['spec', 'containers', 57, 'ports', 0]);
  // At the root, or under a key whose value is a block scalar: no window.
  assert.equal(blockWindow(text, 3), undefined);
  assert.equal(blockWindow('a:\n  b: |\n    x:\n      y\n', 20, 1), undefined);
});
