import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindSchema, schemaForObject } from '../../../src/emulator/api/schemas.ts';
import { checkJsonPatch, checkStructure, decodeWithValidation, strictDecodingError, warningHeader } from '../../../src/emulator/api/structural.ts';

const POD = kindSchema('', 'v1', 'Pod')!;
const DEPLOYMENT = kindSchema('apps', 'v1', 'Deployment')!;

function pod(extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web' }, annotations: { 'a/b': 'c' } },
    spec: { containers: [{ name: 'main', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m', memory: '128Mi' } }, ...container }], ...extra },
  };
}

test('a well-formed pod has no problems and is kept as is', () => {
  const p = pod();
  const r = checkStructure(POD, p);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.pruned, p);
});

test('unknown fields are reported with their paths, in document order, and pruned', () => {
  const r = checkStructure(POD, pod({ foo: 1 }, { imagePullPolcy: 'Always' }));
  assert.deepEqual(r.unknown, ['spec.containers[0].imagePullPolcy', 'spec.foo']);
  assert.deepEqual(r.problems.map((p) => p.message), ['unknown field "spec.containers[0].imagePullPolcy"', 'unknown field "spec.foo"']);
  const pruned = r.pruned as any;
  assert.equal(pruned.spec.foo, undefined);
  assert.equal('imagePullPolcy' in pruned.spec.containers[0], false);
  assert.equal(pruned.spec.containers[0].image, 'nginx');
});

test('map keys (labels, annotations, resource names) are never unknown fields', () => {
  const r = checkStructure(POD, pod({ nodeSelector: { 'kubernetes.io/os': 'linux' } }));
  assert.deepEqual(r.unknown, []);
});

test('unknown fields deep in a deployment template and at the top level', () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', bogus: true },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'x' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'b', env: [{ name: 'A', value: '1', valu: 2 }] }] } },
    },
    extra: 1,
  };
  const r = checkStructure(DEPLOYMENT, d);
  assert.deepEqual(r.unknown, ['metadata.bogus', 'spec.template.spec.containers[0].env[0].valu', 'extra']);
  assert.deepEqual(r.problems.filter((p) => p.kind === 'type'), []);
});

test('type errors carry encoding/json messages: Go struct, field path without indices, Go type', () => {
  const msgs = (o: unknown) => checkStructure(POD, o).problems.filter((p) => p.kind === 'type').map((p) => p.message);
  assert.deepEqual(msgs(pod({}, { image: 5 })), ['json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string']);
  assert.deepEqual(msgs(pod({ containers: {} })), ['json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container']);
  assert.deepEqual(msgs(pod({ hostNetwork: 'yes' })), ['json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool']);
  assert.deepEqual(msgs(pod({ terminationGracePeriodSeconds: 1.5 })), ['json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64']);
  assert.deepEqual(msgs({ ...pod(), spec: 'x' }), ['json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec']);
  assert.deepEqual(msgs({ ...pod(), metadata: { name: 'p', labels: { a: 1 } } }), ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string']);
  const d = checkStructure(DEPLOYMENT, { spec: { replicas: '3' } }).problems.map((p) => p.message);
  assert.deepEqual(d, ['json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32']);
});

test('int-or-string and quantities accept both forms; bad quantities are refused', () => {
  const svc = kindSchema('', 'v1', 'Service')!;
  assert.deepEqual(checkStructure(svc, { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } }).problems, []);
  assert.equal(checkStructure(svc, { spec: { ports: [{ port: 80, targetPort: true }] } }).problems[0].message, 'json: cannot unmarshal bool into Go value of type int32');
  const bad = checkStructure(POD, pod({}, { resources: { requests: { cpu: 'lots' } } })).problems;
  assert.match(bad[0].message, /^quantities must match the regular expression/);
});

test('quantities are kept in canonical form, as decoding into resource.Quantity does', () => {
  const r = checkStructure(POD, pod({}, { resources: { requests: { cpu: 0.5, memory: '1024Mi' }, limits: { cpu: '1.5', memory: 1024 } } }));
  assert.deepEqual(r.problems, []);
  assert.deepEqual((r.pruned as any).spec.containers[0].resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1500m', memory: '1024' } });
});

test('nulls are accepted (they decode to the zero value)', () => {
  assert.deepEqual(checkStructure(POD, { metadata: { labels: null }, spec: { containers: null } }).problems, []);
});

test('patches: $-directives pass, unknown fields are still found', () => {
  const patch = { spec: { $setElementOrder$containers: 1, '$setElementOrder/containers': [{ name: 'main' }], containers: [{ name: 'main', image: 'x', $patch: 'delete' }], fooo: null } };
  const r = checkStructure(POD, patch, { patch: true });
  assert.deepEqual(r.unknown, ['spec.fooo']);
  assert.deepEqual((r.pruned as any).spec['$setElementOrder/containers'], [{ name: 'main' }]);
});

test('decodeWithValidation: Strict fails, Warn warns, Ignore drops, default is Warn', () => {
  const body = pod({ foo: 1 }, { imagePullPolcy: 'Always' });
  const strict = decodeWithValidation(POD, 'Pod', 'v1', body, 'Strict');
  assert.deepEqual(strict, {
    ok: false,
    message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolcy", unknown field "spec.foo"',
  });
  const warn = decodeWithValidation(POD, 'Pod', 'v1', body, 'Warn');
  assert.ok(warn.ok);
  assert.deepEqual(warn.warnings, ['unknown field "spec.containers[0].imagePullPolcy"', 'unknown field "spec.foo"']);
  assert.equal((warn.value as any).spec.foo, undefined);
  const ignore = decodeWithValidation(POD, 'Pod', 'v1', body, 'Ignore');
  assert.ok(ignore.ok);
  assert.deepEqual(ignore.warnings, []);
  assert.equal((ignore.value as any).spec.foo, undefined);
  const dflt = decodeWithValidation(POD, 'Pod', 'v1', body, undefined);
  assert.ok(dflt.ok && dflt.warnings.length === 2);
  const typed = decodeWithValidation(POD, 'Pod', 'v1', pod({}, { image: 5 }), 'Ignore');
  assert.deepEqual(typed, { ok: false, message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string' });
});

test('message helpers', () => {
  assert.equal(strictDecodingError(['spec.foo']), 'strict decoding error: unknown field "spec.foo"');
  assert.equal(warningHeader('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
});

test('JSON patches: the values added or replaced are checked at their paths and pruned', () => {
  const ops = [
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.28' },
    { op: 'add', path: '/spec/containers/1', value: { name: 'b', image: 'x', imagePullPolcy: 'Always' } },
    { op: 'add', path: '/spec/fooo', value: 1 },
    { op: 'add', path: '/metadata/labels/app', value: 'web' },
    { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
    { op: 'remove', path: '/spec/bogus' },
    { op: 'test', path: '/metadata/name', value: 'p' },
  ];
  const r = checkJsonPatch(POD, ops);
  assert.deepEqual(r.unknown, ['spec.containers[1].imagePullPolcy', 'spec.fooo']);
  const pruned = r.pruned as any[];
  assert.equal(pruned.length, 6, 'the op adding an unknown field is dropped');
  assert.deepEqual(pruned[1].value, { name: 'b', image: 'x' });
  const bad = checkJsonPatch(POD, [{ op: 'replace', path: '/spec/containers/0/image', value: 5 }]);
  assert.equal(bad.problems[0].message, 'json: cannot unmarshal number into Go struct field Container.spec.containers.image of type string');
  const strict = decodeWithValidation(POD, 'Pod', 'v1', ops, 'Strict', { jsonPatch: true });
  assert.ok(!strict.ok && strict.message.endsWith('strict decoding error: unknown field "spec.containers[1].imagePullPolcy", unknown field "spec.fooo"'));
});

test('the required option reports missing required fields, for the editor', () => {
  const r = checkStructure(schemaForObject('v1', 'Pod')!, { spec: { containers: [{ image: 'x' }] } }, { required: true });
  assert.deepEqual(r.problems, [{ path: 'spec.containers[0].name', kind: 'required', message: 'spec.containers[0].name: Required value' }]);
  assert.equal(schemaForObject('apps/v1', 'Deployment'), DEPLOYMENT);
  assert.equal(schemaForObject('example.com/v1', 'Widget'), undefined);
});
