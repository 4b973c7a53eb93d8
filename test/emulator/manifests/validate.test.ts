// The validation engine: every diagnostic kind with its exact message, code and zero-based range.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText, HELM_MESSAGE, KUSTOMIZATION_MESSAGE, splitFieldPath } from '../../../src/emulator/manifests/validate.ts';
import { clearParseCache } from '../../../src/emulator/manifests/parse.ts';

/** `line:char-line:char severity code message`, zero-based. */
function problems(text: string, file = 'x.yaml'): string[] {
  const v = validateText(text, file);
  assert.equal(v.skipped, undefined, `unexpectedly skipped: ${v.skipped?.reason}`);
  return v.problems.map((p) => `${p.range.start.line}:${p.range.start.character}-${p.range.end.line}:${p.range.end.character} ${p.severity} ${p.code} ${p.message}`);
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
        image: nginx:1.27
`;

test('a valid manifest has no problems', () => {
  assert.deepEqual(problems(DEPLOYMENT), []);
  assert.deepEqual(problems(`${DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n`), []);
});

test('YAML syntax errors: the yaml package message at its position', () => {
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\ndata:\n  x: [1\n'), [
    '4:0-4:0 error yaml-syntax Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\n  bad: indent\n'), [
    '1:6-1:7 error yaml-syntax Nested mappings are not allowed in compact mappings',
    '1:6-2:5 error yaml-syntax Implicit keys need to be on a single line',
  ]);
});

test('duplicate keys: a warning (kubectl 1.32 keeps the last value) with go-yaml\'s strict message, on the second key', () => {
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n'), [
    '4:2-4:6 warning duplicate-key key "name" already set in map (kubectl apply keeps the last value)',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  "name": a\n  \'name\': b\n'), [
    '4:2-4:8 warning duplicate-key key "name" already set in map (kubectl apply keeps the last value)',
  ]);
});

test('a document that is no mapping, one without apiVersion or kind, one whose apiVersion is no string: kubectl\'s words', () => {
  assert.deepEqual(problems('hello\n'), ['0:0-0:5 error not-an-object error validating data: invalid object to validate']);
  assert.deepEqual(problems('apiVersion: 1\nkind: ConfigMap\nmetadata:\n  name: x\n'), ['0:12-0:13 error wrong-type error validating data: apiVersion isn\'t string type']);
  assert.deepEqual(problems('- a\n- b\n'), ['0:0-1:3 error not-an-object error validating data: invalid object to validate']);
  assert.deepEqual(problems('metadata:\n  name: x\n'), ['0:0-0:8 error type-not-set error validating data: [apiVersion not set, kind not set]']);
  assert.deepEqual(problems('kind: ConfigMap\nmetadata:\n  name: x\n'), ['0:0-0:4 error type-not-set error validating data: apiVersion not set']);
});

test('kinds the cluster does not serve: no matches for kind, with the removal text of old versions', () => {
  assert.deepEqual(problems('apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\n'), [
    '0:12-0:30 warning api-removed extensions/v1beta1 Deployment is deprecated in v1.8+, unavailable in v1.16+; use apps/v1 Deployment',
    '1:6-1:16 error kind-not-registered no matches for kind "Deployment" in version "extensions/v1beta1"',
  ]);
  assert.deepEqual(problems('apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n'), [
    '0:12-0:26 warning api-removed policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+',
    '1:6-1:23 error kind-not-registered no matches for kind "PodSecurityPolicy" in version "policy/v1beta1"',
  ]);
  assert.deepEqual(problems('apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n'), [
    '1:6-1:16 error kind-not-registered no matches for kind "Deploymnet" in version "apps/v1"',
  ]);
});

test('custom resources: a warning unless a CustomResourceDefinition in the file defines the kind', () => {
  const cr = 'apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: x\n';
  assert.deepEqual(problems(cr), ['1:6-1:13 warning kind-not-registered no matches for kind "CronTab" in version "stable.example.com/v1"']);
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  names: {kind: CronTab, plural: crontabs, singular: crontab, listKind: CronTabList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
  assert.deepEqual(problems(`${cr}---\n${crd}`), []);
});

test('unknown fields: strict field validation\'s message on the key', () => {
  const text = DEPLOYMENT.replace('        image: nginx:1.27\n', '        image: nginx:1.27\n        imagePullPolicyy: Always\n');
  assert.deepEqual(problems(text), [
    '17:8-17:24 error unknown-field strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nspec:\n  x: 1\n'), [
    '4:0-4:4 error unknown-field strict decoding error: unknown field "spec"',
  ]);
});

test('wrong types: encoding/json\'s message on the value', () => {
  assert.deepEqual(problems(DEPLOYMENT.replace('replicas: 2', 'replicas: "2"')), [
    '5:12-5:15 error wrong-type json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: 5\n'), [
    '4:13-4:14 error wrong-type json: cannot unmarshal number into Go struct field ObjectMeta.metadata.namespace of type string',
  ]);
  // YAML 1.1 as kubectl reads it: `yes` is a boolean.
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  enabled: yes\n'), [
    '5:11-5:14 error wrong-type json: cannot unmarshal bool into Go struct field ConfigMap.data of type string',
  ]);
  // Two wrong values in one map: each on its own value.
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: ok\n  b: 1\n  c: [x]\n'), [
    '6:5-6:6 error wrong-type json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
    '7:5-7:8 error wrong-type json: cannot unmarshal array into Go struct field ConfigMap.data of type string',
  ]);
});

test('required fields: on the parent\'s key, on the list item\'s first line, or on the kind', () => {
  assert.deepEqual(problems('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}\n'), [
    '4:0-4:4 error field-required spec.containers: Required value',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: nginx:1.27\n    ports:\n    - containerPort: 80\n'), [
    '6:4-6:21 error field-required spec.containers[0].name: Required value',
  ]);
  // With a type error the apiserver stops at decoding: the schema's required fields are still shown.
  assert.deepEqual(problems('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: nginx:1.27\n    ports:\n    - containerPort: eighty\n'), [
    '6:4-6:21 error required-field spec.containers[0].name: Required value',
    '8:21-8:27 error wrong-type json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\ndata: {}\n'), [
    '1:6-1:15 error field-required metadata.name: Required value: name or generateName is required',
  ]);
});

test('the apiserver\'s semantic validation: field.Error text on the field', () => {
  assert.deepEqual(problems(DEPLOYMENT.replace('replicas: 2', 'replicas: -1')), [
    '5:12-5:14 error field-invalid spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  ]);
  assert.deepEqual(problems(DEPLOYMENT.replace('        app: web\n    spec:', '        app: other\n    spec:')), [
    '11:6-11:12 error field-invalid spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  ]);
});

test('enums: the apiserver\'s Unsupported value with the supported values', () => {
  assert.deepEqual(problems(DEPLOYMENT.replace('image: nginx:1.27', 'image: nginx:1.27\n        imagePullPolicy: Sometimes')), [
    '17:25-17:34 error field-not-supported spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
  ]);
  assert.deepEqual(problems('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  type: Foo\n  ports:\n  - port: 80\n'), [
    '5:8-5:11 error field-not-supported spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
});

test('the apiserver\'s pod warnings (pkg/api/pod/warnings.go) on pod templates', () => {
  const text = DEPLOYMENT.replace('        image: nginx:1.27\n', `        image: nginx:1.27
        env:
        - name: A
          value: "1"
        - name: A
          value: "2"
        resources:
          limits:
            memory: 1.5
        ports:
        - containerPort: 80
        - containerPort: 80
      nodeSelector:
        beta.kubernetes.io/os: linux
      terminationGracePeriodSeconds: -5
      volumes:
      - name: src
        gitRepo: {repository: "https://example.com/x.git"}
`);
  assert.deepEqual(problems(text), [
    '20:10-20:17 warning apiserver-warning spec.template.spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply',
    '24:20-24:23 warning apiserver-warning spec.template.spec.containers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',
    '27:10-27:27 warning apiserver-warning spec.template.spec.containers[0].ports[1]: duplicate port definition with spec.template.spec.containers[0].ports[0]',
    '29:31-29:36 warning apiserver-warning spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
    '30:37-30:39 warning apiserver-warning spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1',
    '33:17-33:58 warning apiserver-warning spec.template.spec.volumes[0].gitRepo: deprecated in v1.11',
  ]);
});

test('images with no tag or :latest and no imagePullPolicy are pulled on every start (warning on the image)', () => {
  const latest = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox:latest\n';
  assert.deepEqual(problems(latest), [
    '7:11-7:25 warning image-pull-always spec.containers[0].image: "busybox:latest" has the :latest tag: imagePullPolicy defaults to Always ("Defaults to Always if :latest tag is specified, or IfNotPresent otherwise"), so each pod start pulls the image and may get a different version',
  ]);
  assert.deepEqual(problems(latest.replace('busybox:latest', 'registry:5000/busybox')), [
    '7:11-7:32 warning image-pull-always spec.containers[0].image: "registry:5000/busybox" has no tag: imagePullPolicy defaults to Always ("Defaults to Always if :latest tag is specified, or IfNotPresent otherwise"), so each pod start pulls the image and may get a different version',
  ]);
  // An explicit policy or a digest is a choice: no warning.
  assert.deepEqual(problems(`${latest}    imagePullPolicy: Always\n`), []);
  assert.deepEqual(problems(latest.replace('busybox:latest', 'busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')), []);
});

test('JSON manifests are validated with positions', () => {
  const text = '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "c", "labelz": {}},\n  "data": {"a": 1}\n}\n';
  assert.deepEqual(problems(text, 'c.json'), [
    '3:28-3:36 error unknown-field strict decoding error: unknown field "metadata.labelz"',
    '4:16-4:17 error wrong-type json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
  ]);
});

test('Helm templates and kustomization files are recognised and not flagged', () => {
  assert.deepEqual(validateText('apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n', 'templates/svc.yaml'), {
    problems: [],
    skipped: { reason: 'helm-template', message: HELM_MESSAGE },
  });
  assert.deepEqual(validateText('{{- if .Values.enabled }}\napiVersion: v1\n{{- end }}\n', 't.yaml').skipped?.reason, 'helm-template');
  assert.deepEqual(validateText('resources:\n- deployment.yaml\n', 'overlays/prod/kustomization.yaml'), {
    problems: [],
    skipped: { reason: 'kustomization', message: KUSTOMIZATION_MESSAGE },
  });
  // A kustomize Component in a file of another name is no Kubernetes object either.
  assert.deepEqual(problems('apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: []\n'), []);
  // Other template syntax that breaks the YAML where it stands is a template too.
  assert.equal(validateText('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n', 'cm.yaml').skipped?.reason, 'helm-template');
  // `{{ }}` inside a value (a Prometheus rule in a ConfigMap) is not Helm.
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  rule: "{{ $labels.instance }} down"\n'), []);
});

test('multi-document files: problems land in their own document, and an edit re-validates only its document the same way', () => {
  const other = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  name: d\n';
  const text = `${DEPLOYMENT}---\n# comment only\n---\n${other}`;
  const first = problems(text);
  assert.deepEqual(first, ['24:2-24:6 warning duplicate-key key "name" already set in map (kubectl apply keeps the last value)']);
  // Edit the first document: the second's cached result is placed at its new lines.
  const edited = text.replace('  replicas: 2\n', '  replicas: 2\n  paused: false\n');
  assert.deepEqual(problems(edited), ['25:2-25:6 warning duplicate-key key "name" already set in map (kubectl apply keeps the last value)']);
  clearParseCache();
  assert.deepEqual(problems(edited), ['25:2-25:6 warning duplicate-key key "name" already set in map (kubectl apply keeps the last value)']);
  // Unsaved text with CRLF line ends: the same positions.
  assert.deepEqual(problems(text.replace(/\n/g, '\r\n')), first);
});

test('empty files and `---` inside values', () => {
  assert.deepEqual(problems(''), []);
  assert.deepEqual(problems('---\n---\n# nothing\n'), []);
  // A `---` not at a line's start is text, not a document marker.
  assert.deepEqual(problems('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |\n    ---\n    x\n'), []);
});

test('splitFieldPath reads field.Path strings', () => {
  assert.deepEqual(splitFieldPath('spec.containers[0].resources.limits[memory]'), ['spec', 'containers', 0, 'resources', 'limits', 'memory']);
  assert.deepEqual(splitFieldPath('spec.nodeSelector[beta.kubernetes.io/os]'), ['spec', 'nodeSelector', 'beta.kubernetes.io/os']);
});

test('kind: List: each item is validated as its own object, at its own place', () => {
  const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
  dataa: {}
- apiVersion: apps/v1
  kind: Deploymnet
  metadata:
    name: b
- just text
`;
  assert.deepEqual(problems(text), [
    '7:2-7:7 error unknown-field strict decoding error: unknown field "dataa"',
    '9:8-9:18 error kind-not-registered no matches for kind "Deploymnet" in version "apps/v1"',
    '12:2-12:11 error not-an-object error validating data: invalid object to validate',
  ]);
});

test('enums the registry leaves to the schema: Kubernetes\' value sets, as field.NotSupported says it; open sets left alone', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  dnsPolicy: Sometimes\n  containers:\n  - name: c\n    image: nginx:1.27\n    terminationMessagePolicy: Fil\n';
  assert.deepEqual(problems(pod), [
    '5:13-5:22 error field-not-supported spec.dnsPolicy: Unsupported value: "Sometimes": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    '9:30-9:33 error field-not-supported spec.containers[0].terminationMessagePolicy: Unsupported value: "Fil": supported values: "File", "FallbackToLogsOnError"',
  ]);
  // A list of enum values: the registry's own check names the list, as Kubernetes' does (no second report).
  const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\nspec:\n  accessModes: [ReadWriteOnce, ReadWriteEverywhere]\n  resources:\n    requests:\n      storage: 1Gi\n';
  assert.deepEqual(problems(pvc), [
    '5:15-5:51 error field-not-supported spec.accessModes: Unsupported value: "ReadWriteEverywhere": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ]);
  // A list the registry leaves alone: the item.
  assert.deepEqual(problems('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egres]\n'), [
    '6:25-6:30 error field-not-supported spec.policyTypes[1]: Unsupported value: "Egres": supported values: "Egress", "Ingress"',
  ]);
  // A Secret's type may be any string.
  assert.deepEqual(problems('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: example.com/custom\nstringData:\n  a: b\n'), []);
});

test('enums from the apiserver\'s validate: tolerations accept "" operator and effect, report other values once; the rest from the schema walk', () => {
  const pod = (tol: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n  tolerations:\n  - ${tol}\n`;
  assert.deepEqual(problems(pod('{key: k, operator: "", value: v, effect: ""}')), []);
  assert.deepEqual(problems(pod('{key: k, operator: Equals, effect: NoSchedul}')), [
    '9:23-9:29 error field-not-supported spec.tolerations[0].operator: Unsupported value: "Equals": supported values: "Equal", "Exists"',
    '9:39-9:48 error field-not-supported spec.tolerations[0].effect: Unsupported value: "NoSchedul": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  // A field no kind validates (a StatefulSet's PVC retention policy): still reported, from the same walk.
  const sts = 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: s\nspec:\n  serviceName: s\n  selector:\n    matchLabels: {app: s}\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: Keep\n  template:\n    metadata:\n      labels: {app: s}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n';
  assert.deepEqual(problems(sts), [
    '9:17-9:21 error field-not-supported spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Delete", "Retain"',
  ]);
});

test('hostile input is an error on the document, never a crash', () => {
  const bomb = 'a: &a [1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  assert.deepEqual(problems(bomb), ['0:0-0:1 error yaml-syntax Excessive alias count indicates a resource exhaustion attack']);
  const deep = validateText(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 'x.yaml');
  assert.ok(deep.problems.length >= 1 && deep.problems.every((p) => p.severity === 'error'), JSON.stringify(deep.problems));
});

test('the light reader and the `yaml` package give the same diagnostics (a tab in a comment sends a document to `yaml`)', async () => {
  const { generateManifest } = await import('../../../bench/validate.ts');
  const text = generateManifest(2000);
  clearParseCache();
  const light = problems(text);
  // Same positions, same values; only the reader differs (light-yaml.ts leaves any tab to `yaml`).
  const viaYaml = problems(text.replace(/^(kind: \w+)$/gm, '$1 #\t'));
  assert.ok(light.length >= 5, light.join('\n'));
  assert.ok(new Set(light.map((p) => p.split(' ')[2])).size >= 4, light.join('\n'));
  assert.deepEqual(viaYaml, light);
  // CRLF line ends go to `yaml` too; positions are the same.
  assert.deepEqual(problems(text.replace(/\n/g, '\r\n')), light);
});
