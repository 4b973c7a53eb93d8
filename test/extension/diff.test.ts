// The two sides of the Diff lens, as `kubectl diff` prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSides, diffTitle, maskSecrets, stripForDiff, toDiffYaml } from '../../src/extension/diff.ts';

const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    resourceVersion: '12',
    generation: 1,
    managedFields: [{ manager: 'kube-emulator-vscode', operation: 'Apply' }],
  },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  status: { replicas: 2 },
};

test('managedFields are left out (kubectl diff --show-managed-fields=false); status and other metadata stay', () => {
  const s = stripForDiff(live);
  assert.equal(s.metadata.managedFields, undefined);
  assert.equal(s.metadata.resourceVersion, '12');
  assert.deepEqual(s.status, { replicas: 2 });
  assert.ok(live.metadata.managedFields, 'the input is not changed');
});

test('YAML with sorted keys and lists at their key\'s indentation, as sigs.k8s.io/yaml writes it', () => {
  assert.equal(
    toDiffYaml({ spec: { b: 1, a: [{ name: 'x', image: 'y' }] }, kind: 'K' }),
    'kind: K\nspec:\n  a:\n  - image: y\n    name: x\n  b: 1\n',
  );
});

test('both sides: live against the dry-run result; a new object against an empty document', () => {
  const merged = structuredClone(live);
  merged.spec.replicas = 3;
  merged.metadata.generation = 2;
  const { left, right } = diffSides(live, merged);
  assert.match(left, /^ {2}replicas: 2$/m);
  assert.match(right, /^ {2}replicas: 3$/m);
  assert.doesNotMatch(left + right, /managedFields/);
  assert.deepEqual(diffSides(undefined, merged).left, '');
  assert.equal(diffTitle('deployment.apps/web', false, 'emulated'), 'deployment.apps/web on emulated: not created ↔ after apply');
});

test('a Secret\'s data is masked as kubectl\'s Masker masks it', () => {
  const from = { apiVersion: 'v1', kind: 'Secret', data: { same: 'YQ==', changed: 'Yg==', gone: 'Yw==' } };
  const to = { apiVersion: 'v1', kind: 'Secret', data: { same: 'YQ==', changed: 'ZA==', added: 'ZQ==' } };
  const [f, t] = maskSecrets(from, to);
  assert.deepEqual(f?.data, { same: '***', changed: '*** (before)', gone: '***' });
  assert.deepEqual(t.data, { same: '***', changed: '*** (after)', added: '***' });
  const sides = diffSides(from, to);
  assert.doesNotMatch(sides.left + sides.right, /YQ==|Yg==|ZA==/);
  assert.deepEqual(maskSecrets(undefined, to)[1].data, { same: '***', changed: '***', added: '***' });
  // Only v1 Secrets are masked.
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } };
  assert.match(diffSides(undefined, cm).right, /a: b/);
});
