// The pure parts of client-side apply: the last-applied annotation and the three-way patch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as l10n from '../../src/extension/l10n.ts';
import { LAST_APPLIED, serverError, summarize, threeWayMergePatch, withLastApplied, type ApplyResult } from '../../src/extension/apply.ts';

const pod = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx', namespace: 'default', labels: { app: 'web', tier: 'front' } },
  spec: { containers: [{ name: 'web', image, ...extra }] },
});

test('the last-applied annotation is kubectl\'s: sorted JSON, empty annotations kept, trailing newline', () => {
  const { lastApplied, modified } = withLastApplied({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a' } });
  assert.equal(lastApplied, '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"a"}}\n');
  assert.deepEqual((modified.metadata as any).annotations, { [LAST_APPLIED]: lastApplied });
  // Re-applying an object that already carries the annotation does not nest it.
  const again = withLastApplied(modified);
  assert.equal(again.lastApplied, lastApplied);
});

test('nothing changed: the patch is empty even though the server defaulted and added fields', () => {
  const { modified } = withLastApplied(pod('nginx:1.27'));
  const original = JSON.parse((modified.metadata as any).annotations[LAST_APPLIED]);
  const live = structuredClone(modified) as any;
  live.metadata.uid = 'u1';
  live.metadata.resourceVersion = '12';
  live.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  live.spec.nodeName = 'kube-emulator-m02';
  live.status = { phase: 'Running' };
  assert.deepEqual(threeWayMergePatch(original, modified, live), {});
});

test('a changed image patches only that container field, by merge key, with the element order', () => {
  const before = withLastApplied(pod('nginx:1.27'));
  const live = structuredClone(before.modified) as any;
  live.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  const original = JSON.parse(before.lastApplied);
  const after = withLastApplied(pod('nginx:1.28'));
  const patch = threeWayMergePatch(original, after.modified, live) as any;
  assert.deepEqual(patch.spec, {
    containers: [{ name: 'web', image: 'nginx:1.28' }],
    '$setElementOrder/containers': [{ name: 'web' }],
  });
  assert.equal(patch.metadata.annotations[LAST_APPLIED], after.lastApplied);
  assert.deepEqual(Object.keys(patch.metadata), ['annotations']);
});

test('fields removed from the file since the last apply become nulls; fields others set are kept', () => {
  const before = withLastApplied(pod('nginx:1.27', { args: ['-g', 'daemon off;'] }));
  const live = structuredClone(before.modified) as any;
  live.metadata.labels.addedByController = 'yes';
  const next = pod('nginx:1.27') as any;
  delete next.metadata.labels.tier;
  const after = withLastApplied(next);
  const patch = threeWayMergePatch(JSON.parse(before.lastApplied), after.modified, live) as any;
  assert.deepEqual(patch.metadata.labels, { tier: null });
  assert.deepEqual(patch.spec, {
    containers: [{ name: 'web', args: null }],
    '$setElementOrder/containers': [{ name: 'web' }],
  });
});

test('a change and a removal in the same container merge into one list element', () => {
  const before = withLastApplied(pod('nginx:1.27', { args: ['x'] }));
  const after = withLastApplied(pod('nginx:1.28'));
  const patch = threeWayMergePatch(JSON.parse(before.lastApplied), after.modified, before.modified) as any;
  assert.deepEqual(patch.spec, {
    containers: [{ name: 'web', image: 'nginx:1.28', args: null }],
    '$setElementOrder/containers': [{ name: 'web' }],
  });
});

test('a volume that changes its source is patched with $retainKeys, as kubectl does', () => {
  const withVolume = (v: Record<string, unknown>) => ({ ...pod('nginx:1.27'), spec: { ...pod('nginx:1.27').spec, volumes: [{ name: 'data', ...v }] } });
  const before = withLastApplied(withVolume({ emptyDir: {} }));
  const after = withLastApplied(withVolume({ configMap: { name: 'cfg' } }));
  const patch = threeWayMergePatch(JSON.parse(before.lastApplied), after.modified, before.modified) as any;
  assert.deepEqual(patch.spec.volumes, [{ name: 'data', configMap: { name: 'cfg' }, emptyDir: null, $retainKeys: ['configMap', 'name'] }]);
});

test('a container removed from the file is deleted with a $patch directive', () => {
  const two = pod('nginx:1.27') as any;
  two.spec.containers.push({ name: 'sidecar', image: 'busybox' });
  const before = withLastApplied(two);
  const after = withLastApplied(pod('nginx:1.27'));
  const patch = threeWayMergePatch(JSON.parse(before.lastApplied), after.modified, before.modified) as any;
  assert.deepEqual(patch.spec, {
    containers: [{ name: 'sidecar', $patch: 'delete' }],
    '$setElementOrder/containers': [{ name: 'web' }],
  });
});

test('without a last-applied annotation nothing is deleted; lists without merge keys are replaced whole', () => {
  const live = pod('nginx:1.27', { args: ['a'] }) as any;
  live.metadata.labels.extra = 'x';
  const modified = withLastApplied(pod('nginx:1.27', { args: ['a', 'b'] })).modified;
  const patch = threeWayMergePatch(undefined, modified, live) as any;
  assert.equal(patch.metadata.labels, undefined);
  assert.deepEqual(patch.spec.containers, [{ name: 'web', args: ['a', 'b'] }]);
});

test('server errors read like kubectl\'s, from the Status body', () => {
  const e = Object.assign(new Error('HTTP-Code: 422'), {
    code: 422,
    body: JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Invalid', message: 'Pod "x" is invalid: spec.containers: Required value', code: 422 }),
  });
  assert.equal(serverError(e, 'error when creating "pod.yaml": '), 'Error from server (Invalid): error when creating "pod.yaml": Pod "x" is invalid: spec.containers: Required value');
  assert.equal(serverError(new Error('connect ECONNREFUSED 127.0.0.1:1'), ''), 'error: connect ECONNREFUSED 127.0.0.1:1');
});

test('the summary counts outcomes, or is the single line itself', () => {
  const r = (outcome: ApplyResult['outcome'], message: string) => ({ outcome, message }) as ApplyResult;
  assert.equal(summarize([r('created', 'pod/a created')]), 'pod/a created');
  assert.equal(summarize([r('created', ''), r('unchanged', ''), r('created', ''), r('error', '')]), '2 created, 1 unchanged, 1 failed');
  // In Korean the counts are ours and translated; kubectl's single line stays as kubectl says it.
  l10n.setBundle(JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')));
  try {
    assert.equal(summarize([r('created', ''), r('configured', ''), r('error', '')]), '1개 생성됨, 1개 구성됨, 1개 실패');
    assert.equal(summarize([r('created', 'pod/a created')]), 'pod/a created');
  } finally {
    l10n.setBundle(undefined);
  }
});

test('merge keys come from the kind and path: Deployment template containers by name, Service ports by port', () => {
  const dep = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'main', image, ports: [{ containerPort: 80 }] }] } } },
  });
  const patch = threeWayMergePatch(dep('nginx:1.27'), dep('nginx:1.28'), dep('nginx:1.27'));
  assert.deepEqual(patch, {
    spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }], '$setElementOrder/containers': [{ name: 'main' }] } } },
  });

  const svc = (ports: object[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports } });
  const before = svc([{ port: 80, targetPort: 8080 }, { port: 443 }]);
  const after = svc([{ port: 80, targetPort: 9090 }, { port: 443 }]);
  assert.deepEqual(threeWayMergePatch(before, after, before), {
    spec: { ports: [{ port: 80, targetPort: 9090 }], '$setElementOrder/ports': [{ port: 80 }, { port: 443 }] },
  });

  // Tolerations have no merge key in k8s.io/api: the list is replaced whole.
  const tolerating = (tolerations: object[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations } });
  assert.deepEqual(threeWayMergePatch(tolerating([{ key: 'a', operator: 'Exists' }]), tolerating([{ key: 'b', operator: 'Exists' }]), tolerating([{ key: 'a', operator: 'Exists' }])), {
    spec: { tolerations: [{ key: 'b', operator: 'Exists' }] },
  });
});
