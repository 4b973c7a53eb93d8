import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionsAt, DocumentCache, escapeMarkdown, hoverAt, type CompletionEntry } from '../../../src/emulator/manifests/assist.ts';
import { HELM_MESSAGE, KUSTOMIZATION_MESSAGE } from '../../../src/emulator/manifests/validate.ts';

/** The text without its `|`, and the bar's offset. */
function cursor(src: string): { text: string; offset: number } {
  const offset = src.indexOf('|');
  assert.ok(offset >= 0);
  return { text: src.slice(0, offset) + src.slice(offset + 1), offset };
}
function complete(src: string): CompletionEntry[] {
  const { text, offset } = cursor(src);
  return completionsAt(text, offset);
}
const labels = (items: CompletionEntry[]) => items.map((i) => i.label);

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx
`;

test('keys of a container: those not present, by name, each with its shape', () => {
  const items = complete(DEPLOYMENT + '        |');
  assert.deepEqual(labels(items), [
    'args', 'command', 'env', 'envFrom', 'imagePullPolicy', 'lifecycle', 'livenessProbe', 'ports', 'readinessProbe',
    'resizePolicy', 'resources', 'restartPolicy', 'securityContext', 'startupProbe', 'stdin', 'stdinOnce',
    'terminationMessagePath', 'terminationMessagePolicy', 'tty', 'volumeDevices', 'volumeMounts', 'workingDir',
  ]);
  const by = Object.fromEntries(items.map((i) => [i.label, i]));
  // A scalar: `key: `, then its values are suggested.
  assert.equal(by.imagePullPolicy.insertText, 'imagePullPolicy: ');
  assert.equal(by.imagePullPolicy.detail, '<string>');
  assert.equal(by.imagePullPolicy.retrigger, true);
  assert.equal(by.workingDir.retrigger, false);
  // An object opens an indented line; a list of objects or strings opens an item at the key's column.
  assert.equal(by.resources.insertText, 'resources:\n          ');
  assert.equal(by.ports.insertText, 'ports:\n        - ');
  assert.equal(by.args.insertText, 'args:\n        - ');
  assert.equal(by.ports.detail, '<[]ContainerPort>');
  // The entry replaces nothing at a blank position.
  const { offset } = cursor(DEPLOYMENT + '        |');
  assert.deepEqual([by.args.start, by.args.end], [offset, offset]);
  assert.match(by.imagePullPolicy.documentation, /^```text\nFIELD: imagePullPolicy <string>\nENUM:\n {4}Always\n {4}IfNotPresent\n {4}Never\n```\n\nImage pull policy\./);
});

test('required keys first and marked; read-only and status fields left out', () => {
  const spec = complete('apiVersion: apps/v1\nkind: Deployment\nspec:\n  |');
  assert.deepEqual(labels(spec).slice(0, 3), ['selector', 'template', 'minReadySeconds']);
  assert.deepEqual(spec.slice(0, 2).map((i) => [i.required, i.detail, i.sortText]), [
    [true, '<LabelSelector> -required-', '0selector'],
    [true, '<PodTemplateSpec> -required-', '0template'],
  ]);
  assert.equal(spec[2].required, false);
  const root = complete('apiVersion: apps/v1\nkind: Deployment\n|');
  assert.deepEqual(labels(root), ['metadata', 'spec']);
  const meta = complete('apiVersion: v1\nkind: Pod\nmetadata:\n  |');
  assert.deepEqual(labels(meta), ['annotations', 'finalizers', 'generateName', 'labels', 'name', 'namespace', 'ownerReferences']);
  assert.equal(meta.find((i) => i.label === 'labels')!.insertText, 'labels:\n    ');
});

test('an empty document: apiVersion and kind (required) then metadata', () => {
  const items = complete('|');
  assert.deepEqual(items.map((i) => [i.label, i.insertText, i.required, i.retrigger]), [
    ['apiVersion', 'apiVersion: ', true, true],
    ['kind', 'kind: ', true, true],
    ['metadata', 'metadata:\n  ', false, false],
  ]);
});

test('a half-typed key is replaced; a key that has its colon gets the name only', () => {
  const { text, offset } = cursor(DEPLOYMENT + '        imagePu|');
  const item = completionsAt(text, offset).find((i) => i.label === 'imagePullPolicy')!;
  assert.deepEqual([item.start, item.end, item.insertText], [offset - 7, offset, 'imagePullPolicy: ']);
  const renamed = complete(DEPLOYMENT.replace('  replicas: 2', '  repl|: 2')).find((i) => i.label === 'replicas')!;
  assert.equal(renamed.insertText, 'replicas');
  assert.equal(renamed.retrigger, false);
});

test('a new line under a list of objects starts its first item: `- key`', () => {
  const items = complete('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    ports:\n      |\n');
  assert.deepEqual(items.map((i) => [i.label, i.insertText]).slice(0, 3), [
    ['containerPort', '- containerPort: '],
    ['hostIP', '- hostIP: '],
    ['hostPort', '- hostPort: '],
  ]);
  const env = complete('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    env:\n      |\n');
  assert.deepEqual(env.map((i) => [i.label, i.insertText]), [
    ['name', '- name: '],
    ['value', '- value: '],
    ['valueFrom', '- valueFrom:\n          '],
  ]);
  // A list of strings: nothing to start.
  assert.deepEqual(complete('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    args:\n      |\n'), []);
});

test('keys in a list item started with `- ` and in a flow mapping', () => {
  const item = complete(DEPLOYMENT + '      - |');
  assert.equal(item[0].label, 'name');
  assert.equal(item[0].required, true);
  assert.equal(item.find((i) => i.label === 'env')!.insertText, 'env:\n        - ');
  const flow = complete('apiVersion: v1\nkind: Service\nspec: {type: ClusterIP, |}');
  assert.equal(flow.find((i) => i.label === 'ports')!.insertText, 'ports: ');
  assert.ok(!labels(flow).includes('type'));
});

test('enum values: the schema field\'s known set, in order, with docs; after `key:` a blank first', () => {
  const base = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    imagePullPolicy:';
  const values = complete(base + ' |\n');
  assert.deepEqual(values.map((v) => [v.label, v.insertText, v.kind, v.sortText]), [
    ['Always', 'Always', 'value', '0000'],
    ['IfNotPresent', 'IfNotPresent', 'value', '0001'],
    ['Never', 'Never', 'value', '0002'],
  ]);
  assert.equal(values[0].documentation, '`"Always"` means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.');
  assert.deepEqual(complete(base + '|\n').map((v) => v.insertText), [' Always', ' IfNotPresent', ' Never']);
  const { text, offset } = cursor(base + ' If|\n');
  const partial = completionsAt(text, offset);
  assert.deepEqual([partial[1].start, partial[1].end], [offset - 2, offset]);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: Pod\nspec:\n  restartPolicy: |\n')), ['Always', 'Never', 'OnFailure']);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: Service\nspec:\n  type: |\n')), ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: Service\nspec:\n  ports:\n  - protocol: |\n')), ['SCTP', 'TCP', 'UDP']);
  assert.deepEqual(labels(complete('apiVersion: apps/v1\nkind: Deployment\nspec:\n  strategy:\n    type: |\n')), ['Recreate', 'RollingUpdate']);
  assert.deepEqual(labels(complete('apiVersion: batch/v1\nkind: CronJob\nspec:\n  concurrencyPolicy: |\n')), ['Allow', 'Forbid', 'Replace']);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: PersistentVolumeClaim\nspec:\n  accessModes:\n  - |\n')), ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod']);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: |\n')), ['true', 'false']);
  // A free-form string has no values to offer.
  assert.deepEqual(complete('apiVersion: v1\nkind: Pod\nspec:\n  hostname: |\n'), []);
});

test('keys Kubernetes names for maps: resource names in limits and requests, quota names, not those present', () => {
  const limits = complete('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    resources:\n      limits:\n        cpu: 100m\n        |\n');
  assert.deepEqual(limits.map((i) => [i.label, i.detail, i.insertText]), [
    ['memory', '<Quantity>', 'memory: '],
    ['ephemeral-storage', '<Quantity>', 'ephemeral-storage: '],
  ]);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: PersistentVolumeClaim\nspec:\n  resources:\n    requests:\n      |\n')), ['storage']);
  assert.deepEqual(labels(complete('apiVersion: v1\nkind: ResourceQuota\nspec:\n  hard:\n    |\n')).slice(0, 3), ['pods', 'requests.cpu', 'requests.memory']);
  // Labels are the user's own: nothing to offer.
  assert.deepEqual(complete('apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    |\n'), []);
});

test('apiVersion and kind: the kinds the emulator serves, matched to each other', () => {
  const kinds = complete('apiVersion: apps/v1\nkind: |\n');
  assert.deepEqual(kinds.map((k) => [k.label, k.detail]), [
    ['ControllerRevision', 'apps/v1'],
    ['DaemonSet', 'apps/v1'],
    ['Deployment', 'apps/v1'],
    ['ReplicaSet', 'apps/v1'],
    ['StatefulSet', 'apps/v1'],
  ]);
  const all = labels(complete('kind: |\n'));
  for (const k of ['Pod', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'Namespace', 'CronJob', 'Ingress', 'HorizontalPodAutoscaler']) assert.ok(all.includes(k), k);
  assert.ok(!all.includes('SelfSubjectReview'), 'create-only reviews are no manifests');
  assert.deepEqual(labels(complete('kind: HorizontalPodAutoscaler\napiVersion: |\n')), ['autoscaling/v2', 'autoscaling/v1']);
  assert.deepEqual(labels(complete('kind: Deployment\napiVersion: |\n')), ['apps/v1']);
  const versions = labels(complete('apiVersion: |\n'));
  assert.ok(versions.includes('v1') && versions.includes('batch/v1') && versions.includes('networking.k8s.io/v1'));
});

test('in a multi-document file, each document completes for its own kind, with file offsets', () => {
  const src = 'apiVersion: v1\nkind: Service\nspec:\n  type: ClusterIP\n---\napiVersion: v1\nkind: Pod\nspec:\n  |\n';
  const { text, offset } = cursor(src);
  const items = completionsAt(text, offset);
  assert.equal(items[0].label, 'containers');
  assert.deepEqual([items[0].start, items[0].end], [offset, offset]);
});

test('hover on a key: FIELD and type as kubectl explain prints them, then the description', () => {
  const { text } = cursor(DEPLOYMENT + '|');
  const at = text.indexOf('replicas') + 3;
  const h = hoverAt(text, at)!;
  assert.equal(
    h.markdown,
    '```text\nFIELD: replicas <integer>\n```\n\nNumber of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.\n\n`kubectl explain deployment.spec.replicas`',
  );
  assert.deepEqual([h.start, h.end], [text.indexOf('replicas'), text.indexOf('replicas') + 8]);
  const containers = hoverAt(text, text.indexOf('containers') + 1)!;
  assert.match(containers.markdown, /^```text\nFIELD: containers <\[\]Container> -required-\n```\n\nList of containers belonging to the pod\./);
  assert.match(containers.markdown, /\n\nA single application container that you want to run within a pod\.\n\n`kubectl explain deployment\.spec\.template\.spec\.containers`$/);
  // A JSON manifest: quoted keys.
  const json = '{"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 1}}';
  assert.match(hoverAt(json, json.indexOf('replicas'))!.markdown, /^```text\nFIELD: replicas <integer>\n```/);
  // Unknown keys have no hover (the diagnostics say what is wrong).
  assert.equal(hoverAt('apiVersion: v1\nkind: Pod\nspec:\n  nope: 1\n', 33), undefined);
});

test('hover on a value: the field, with the value\'s own doc where Kubernetes has one', () => {
  const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    imagePullPolicy: "IfNotPresent"\n';
  const h = hoverAt(text, text.indexOf('IfNot') + 2)!;
  assert.match(h.markdown, /^```text\nFIELD: imagePullPolicy <string>\nENUM:\n {4}Always\n {4}IfNotPresent\n {4}Never\n```\n\n`"IfNotPresent"` means that kubelet pulls if the image isn't present on disk\. Container will fail if the image isn't present and the pull fails\.\n\nImage pull policy\./);
  const kind = hoverAt(text, text.indexOf('Pod') + 1)!;
  assert.equal(kind.markdown, '```text\nKIND:       Pod\nVERSION:    v1\n```\n\nPod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.');
  const dep = hoverAt(DEPLOYMENT, DEPLOYMENT.indexOf('Deployment') + 1)!;
  assert.match(dep.markdown, /^```text\nGROUP: {6}apps\nKIND: {7}Deployment\nVERSION: {4}v1\n```/);
  const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nspec:\n  accessModes:\n  - ReadWriteOnce\n';
  assert.match(hoverAt(pvc, pvc.indexOf('ReadWrite') + 1)!.markdown, /^```text\nFIELD: accessModes <\[\]string>\nENUM:\n {4}ReadOnlyMany/);
});

test('hover on a Helm template or a kustomization file says it is recognised and not validated', () => {
  const helm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n';
  const h = hoverAt(helm, 20)!;
  assert.equal(h.markdown, HELM_MESSAGE);
  assert.match(h.markdown, /^Helm template: .* not validated as a Kubernetes manifest/);
  assert.deepEqual([h.start, h.end], [15, 30]);
  const k = hoverAt('resources:\n- deployment.yaml\n', 3, '/w/app/kustomization.yaml')!;
  assert.equal(k.markdown, KUSTOMIZATION_MESSAGE);
  assert.match(k.markdown, /^Kustomization: .* not validated as a manifest/);
  assert.equal(hoverAt('resources:\n\n', 11, 'kustomization.yml'), undefined);
  // A `{{ }}` in a value is no Helm template: the field's hover.
  assert.match(hoverAt('apiVersion: v1\nkind: ConfigMap\ndata:\n  rule: "{{ $value }}"\n', 32)!.markdown, /^```text\nFIELD: data <map\[string\]string>/);
});

test('escapeMarkdown keeps links links and text text', () => {
  assert.equal(escapeMarkdown('See https://kubernetes.io/docs/a-b#c_d. Use *x* or <quantity>.'), 'See https://kubernetes.io/docs/a-b#c_d. Use \\*x\\* or \\<quantity\\>.');
  assert.equal(escapeMarkdown('# not a heading\n- not a list\n1. nor this'), '\\# not a heading\n\\- not a list\n\\1. nor this');
});

test('DocumentCache parses a document once per version, and again for a new version', () => {
  const cache = new DocumentCache();
  const text = 'a: 1\n---\nb: 2\n';
  let reads = 0;
  const get = () => {
    reads++;
    return text;
  };
  const one = cache.locate('f', 1, get, 1).located!;
  assert.equal(cache.locate('f', 1, get, 2).located, one);
  const two = cache.locate('f', 1, get, 10).located!;
  assert.notEqual(two, one);
  assert.equal(two.base, 9);
  assert.equal(reads, 1);
  assert.notEqual(cache.locate('f', 2, get, 1).located, one);
  assert.equal(reads, 2);
  assert.equal(cache.locate('f', 2, get, 6).located, undefined);
});
