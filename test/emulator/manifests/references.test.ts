// The cross-document facts, index, checks and quick-fix edits, with exact messages and ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRequiredField,
  appendDocument,
  crossCheck,
  definitionsAt,
  extractFacts,
  extractFactsShared,
  fixTemplateLabels,
  ManifestIndex,
  namespaceDocument,
  skeleton,
  type ClusterView,
  type TextEdit,
} from '../../../src/emulator/manifests/references.ts';

const r = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

/** Applies edits (non-overlapping) to text, last first. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const off = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: web-sa
      imagePullSecrets:
      - name: regcred
      containers:
      - name: web
        image: nginx
        envFrom:
        - configMapRef:
            name: app-config
        - secretRef:
            name: maybe
            optional: true
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: db
              key: password
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
      - name: conf
        configMap:
          name: files
      - name: tls
        secret:
          secretName: tls
`;

test('extractFacts: names, namespace, template labels and every reference with its range', () => {
  const [f] = extractFacts(deployment);
  assert.equal(f.kind, 'Deployment');
  assert.equal(f.name, 'web');
  assert.equal(f.namespace, 'shop');
  assert.equal(f.namespaced, true);
  assert.deepEqual(f.nameRange, r(3, 8, 3, 11));
  assert.deepEqual(f.namespaceRange, r(4, 13, 4, 17));
  assert.deepEqual(f.template, { labels: { app: 'web' }, range: r(12, 8, 12, 16) });
  assert.deepEqual(
    f.refs.map((x) => [x.kind, x.name, x.namespace, x.via, x.range.start.line, x.range.start.character, x.range.end.character]),
    [
      ['ConfigMap', 'app-config', 'shop', 'envFrom', 22, 18, 28],
      ['Secret', 'db', 'shop', 'env', 30, 20, 22],
      ['PersistentVolumeClaim', 'data', 'shop', 'volume', 35, 21, 25],
      ['ConfigMap', 'files', 'shop', 'volume', 38, 16, 21],
      ['Secret', 'tls', 'shop', 'volume', 41, 22, 25],
      ['Secret', 'regcred', 'shop', 'imagePullSecrets', 16, 14, 21],
      ['ServiceAccount', 'web-sa', 'shop', 'serviceAccountName', 14, 26, 32],
    ],
  );
});

test('extractFacts: cluster-scoped kinds, CronJob templates, Service selectors, broken documents skipped', () => {
  const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {job: nightly}
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
---
kind: [unclosed
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
`;
  const facts = extractFacts(text);
  assert.deepEqual(facts.map((f) => [f.index, f.kind, f.namespaced]), [
    [0, 'Namespace', false],
    [1, 'CronJob', true],
    [3, 'Service', true],
  ]);
  assert.deepEqual(facts[1].template, { labels: { job: 'nightly' }, range: r(15, 18, 15, 32) });
  assert.deepEqual(facts[2].selector, { labels: { app: 'web' }, range: r(29, 2, 29, 10) });
});

test('extractFactsShared: the same facts on the shared per-document parse; an edit re-reads only its document', () => {
  const other = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n';
  const text = `${other}---\n${deployment}`;
  const shared = extractFactsShared(text);
  assert.deepEqual(shared, extractFacts(text));
  assert.deepEqual(shared[1].refs[0].range, r(27, 18, 27, 28));
  // An edit in the first document: the second keeps its facts object (not re-read) when it did not move...
  const edited = extractFactsShared(text.replace('app-config\n', 'app-config2\n'));
  assert.equal(edited[0].name, 'app-config2');
  assert.equal(edited[1], shared[1]);
  // ...and is placed again when lines above it came or went.
  const movedText = text.replace('metadata:\n  name: app-config\n', 'metadata:\n  labels: {}\n  name: app-config\n');
  const moved = extractFactsShared(movedText);
  assert.deepEqual(moved[1].refs[0].range, r(28, 18, 28, 28));
  assert.deepEqual(moved, extractFacts(movedText));
});

const noCluster = undefined;
const unknown: ClusterView = { has: () => undefined, hasPods: () => undefined };

test('crossCheck: missing references in kubelet and admission words, at the name', () => {
  const index = new ManifestIndex();
  const facts = extractFacts(deployment);
  index.set('file:///a.yaml', facts);
  const problems = crossCheck(facts, index, noCluster);
  assert.deepEqual(
    problems.map((p) => [p.severity, p.code, p.message, p.range]),
    [
      ['error', 'namespace-not-found', 'namespaces "shop" not found', r(4, 13, 4, 17)],
      ['warning', 'configmap-not-found', 'configmap "app-config" not found', r(22, 18, 22, 28)],
      ['warning', 'secret-not-found', 'secret "db" not found', r(30, 20, 30, 22)],
      ['warning', 'pvc-not-found', 'persistentvolumeclaim "data" not found', r(35, 21, 35, 25)],
      ['warning', 'configmap-not-found', 'configmap "files" not found', r(38, 16, 38, 21)],
      ['warning', 'secret-not-found', 'secret "tls" not found', r(41, 22, 41, 25)],
      ['warning', 'secret-not-found', 'Unable to retrieve some image pull secrets (regcred); attempting to pull the image may not succeed.', r(16, 14, 16, 21)],
      ['warning', 'serviceaccount-not-found', 'error looking up service account shop/web-sa: serviceaccount "web-sa" not found', r(14, 26, 14, 32)],
    ],
  );
  assert.deepEqual(problems[1].missing, { kind: 'ConfigMap', namespace: 'shop', name: 'app-config' });
  // A cluster that cannot tell (not listed yet, a list refused): nothing is claimed missing.
  assert.deepEqual(crossCheck(facts, index, unknown), []);
});

test('crossCheck: what another file of the workspace or the cluster defines is found', () => {
  const index = new ManifestIndex();
  const facts = extractFacts(deployment);
  index.set('file:///a.yaml', facts);
  index.set(
    'file:///b.yaml',
    extractFacts(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: files}
`),
  );
  const cluster: ClusterView = {
    has: (kind, ns, name) => (kind === 'Secret' && ns === 'shop') || (kind === 'PersistentVolumeClaim' && name === 'data' && ns === 'shop') || (kind === 'ServiceAccount' && name === 'web-sa'),
    hasPods: () => false,
  };
  // `files` is in namespace default, not shop: still missing.
  assert.deepEqual(crossCheck(facts, index, cluster).map((p) => p.message), ['configmap "files" not found']);
  // The file that defined them changes: the index follows.
  index.delete('file:///b.yaml');
  assert.deepEqual(crossCheck(facts, index, cluster).map((p) => p.message), [
    'namespaces "shop" not found',
    'configmap "app-config" not found',
    'configmap "files" not found',
  ]);
});

test('crossCheck: a Pod with a missing ServiceAccount is refused by admission (error); defaults exist everywhere', () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  serviceAccountName: robot
  containers:
  - name: c
    image: nginx
    env:
    - name: CA
      valueFrom:
        configMapKeyRef: {name: kube-root-ca.crt, key: ca.crt}
---
apiVersion: v1
kind: Pod
metadata:
  name: q
  namespace: kube-system
spec:
  serviceAccountName: default
  containers:
  - name: c
    image: nginx
`;
  const facts = extractFacts(pod);
  const problems = crossCheck(facts, new ManifestIndex(), noCluster);
  assert.deepEqual(problems.map((p) => [p.severity, p.message, p.range]), [
    ['error', 'pods "p" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found', r(5, 22, 5, 27)],
  ]);
});

test('crossCheck: a Service whose selector matches no pod template nor pod', () => {
  const svc = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    tier: front
  ports:
  - port: 80
`;
  const index = new ManifestIndex();
  const facts = extractFacts(svc);
  index.set('file:///svc.yaml', facts);
  const msg = 'selector app=web,tier=front matches no pod template in the workspace and no pod in the cluster: the Service has no endpoints';
  assert.deepEqual(crossCheck(facts, index, noCluster).map((p) => [p.severity, p.code, p.message, p.range]), [
    ['warning', 'selector-matches-no-pods', msg, r(5, 2, 5, 10)],
  ]);
  // A template with only one of the labels does not match; with both it does.
  index.set('file:///dep.yaml', extractFacts(deployment.replace('namespace: shop', 'namespace: default')));
  assert.equal(crossCheck(facts, index, noCluster).length, 1);
  index.set('file:///dep.yaml', extractFacts(deployment.replace('namespace: shop', 'namespace: default').replace('        app: web\n    spec', '        app: web\n        tier: front\n    spec')));
  assert.deepEqual(crossCheck(facts, index, noCluster), []);
  // Pods in the cluster count too.
  index.delete('file:///dep.yaml');
  const cluster: ClusterView = { has: () => false, hasPods: (ns, sel) => ns === 'default' && sel.tier === 'front' };
  assert.deepEqual(crossCheck(facts, index, cluster), []);
});

test('definitionsAt: from a reference to the document naming it; from a selector to the templates', () => {
  const index = new ManifestIndex();
  const facts = extractFacts(deployment.replace('namespace: shop', 'namespace: default'));
  index.set('file:///dep.yaml', facts);
  index.set('file:///cm.yaml', extractFacts('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n'));
  assert.deepEqual(definitionsAt(facts, { line: 22, character: 20 }, index), [{ file: 'file:///cm.yaml', range: r(3, 8, 3, 18) }]);
  assert.deepEqual(definitionsAt(facts, { line: 30, character: 20 }, index), []);
  // metadata.namespace leads to the Namespace.
  index.set('file:///ns.yaml', extractFacts('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n'));
  const inShop = extractFacts(deployment);
  assert.deepEqual(definitionsAt(inShop, { line: 4, character: 14 }, index), [{ file: 'file:///ns.yaml', range: r(3, 8, 3, 12) }]);
  const svc = extractFacts('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n');
  assert.deepEqual(definitionsAt(svc, { line: 5, character: 4 }, index), [{ file: 'file:///dep.yaml', range: r(12, 8, 12, 16) }]);
});

test('fixTemplateLabels: changes, adds, creates labels to match the selector', () => {
  const bad = deployment.replace('        app: web\n    spec', '        app: api\n        tier: x\n    spec').replace('      app: web\n  template', '      app: web\n      tier: front\n  template');
  const edits = fixTemplateLabels(bad, 12)!;
  const fixed = applyEdits(bad, edits);
  assert.ok(fixed.includes("      labels:\n        app: web\n        tier: front\n    spec:"), fixed);
  assert.deepEqual(extractFacts(fixed)[0].template!.labels, { app: 'web', tier: 'front' });

  const noLabels = `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs
spec:
  selector:
    matchLabels:
      app: "true"
  template:
    metadata:
      annotations: {a: b}
    spec:
      containers:
      - name: c
        image: nginx
`;
  assert.equal(
    applyEdits(noLabels, fixTemplateLabels(noLabels, 0)!),
    noLabels.replace('      annotations: {a: b}\n', '      annotations: {a: b}\n      labels:\n        app: "true"\n'),
  );
  const noMeta = noLabels.replace('    metadata:\n      annotations: {a: b}\n', '');
  assert.equal(applyEdits(noMeta, fixTemplateLabels(noMeta, 0)!), noMeta.replace('      - name: c\n        image: nginx\n', '      - name: c\n        image: nginx\n    metadata:\n      labels:\n        app: "true"\n'));
  const flow = noLabels.replace('annotations: {a: b}', 'labels: {x: z}');
  assert.equal(applyEdits(flow, fixTemplateLabels(flow, 0)!), flow.replace('labels: {x: z}', 'labels: {x: z, app: "true"}'));
  // Nothing to fix when the labels already match.
  assert.equal(fixTemplateLabels(deployment, 0), undefined);
});

test('addRequiredField: inserts the field with an empty value of its type, creating parents', () => {
  const pod = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    ports:
    - containerPort: 80
`;
  assert.equal(applyEdits(pod, [addRequiredField(pod, 0, 'spec.containers[0].image')!]), pod + '    image: ""\n');
  const dep = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    metadata:
      labels: {app: d}`;
  // A workload's missing selector selects its template's labels.
  assert.equal(applyEdits(dep, [addRequiredField(dep, 0, 'spec.selector')!]), dep + '\n  selector:\n    matchLabels:\n      app: d');
  const noLabels = dep.replace('    metadata:\n      labels: {app: d}', '    spec: {}');
  assert.equal(applyEdits(noLabels, [addRequiredField(noLabels, 0, 'spec.selector')!]), noLabels + '\n  selector: {}');
  assert.equal(applyEdits(dep, [addRequiredField(dep, 0, 'spec.template.spec.containers')!]), dep + '\n    spec:\n      containers: []');
  assert.equal(addRequiredField(dep, 0, 'metadata.name'), undefined);
});

test('skeleton and appendDocument: a ConfigMap document after the last one', () => {
  assert.equal(skeleton('ConfigMap', 'app-config', 'shop'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: shop\ndata: {}\n');
  assert.equal(skeleton('ConfigMap', 'on', 'default'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "on"\ndata: {}\n');
  assert.deepEqual(namespaceDocument('shop'), { range: r(0, 0, 0, 0), newText: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n' });
  const e = appendDocument('a: 1\n', 'b: 2\n');
  assert.deepEqual(e, { range: r(1, 0, 1, 0), newText: '---\nb: 2\n' });
  assert.deepEqual(appendDocument('a: 1', 'b: 2\n'), { range: r(0, 4, 0, 4), newText: '\n---\nb: 2\n' });
});
