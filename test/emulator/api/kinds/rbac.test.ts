// rbac.authorization.k8s.io/v1 (kinds/rbac.ts): defaults, the validation messages of
// pkg/apis/rbac/validation, the immutable roleRef, and ClusterRole aggregation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregatedRules } from '../../../../src/emulator/controllers/clusterrole-aggregation.ts';
import { bootstrapClusterRoles, isValidPathSegmentName } from '../../../../src/emulator/api/kinds/rbac.ts';
import { rejects422, server } from './helpers.ts';

const G = 'rbac.authorization.k8s.io';

test('Role and ClusterRole rules are validated in the apiserver\'s words', async () => {
  const api = await server();
  const roles = api.resource(`roles.${G}`);
  const ok = await api.create(roles, 'default', { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
  assert.equal(ok.metadata.generation, undefined, 'RBAC objects have no generation');
  await rejects422(
    api.create(roles, 'default', { metadata: { name: 'bad' }, rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/healthz'], apiGroups: [''], verbs: ['get'] }] }),
    'Role.rbac.authorization.k8s.io "bad" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs, rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs]',
  );
  await rejects422(
    api.create(api.resource(`clusterroles.${G}`), undefined, { metadata: { name: 'a/b' }, rules: [{ apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['x'], verbs: ['get'] }] }),
    'ClusterRole.rbac.authorization.k8s.io "a/b" is invalid: [metadata.name: Invalid value: "a/b": may not contain \'/\', rules[0].resourceNames: Required value: resource names cannot apply to multiple resources]',
  );
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isValidPathSegmentName('system:aggregate-to-view'), []);
});

test('bindings: roleRef and User apiGroup defaulted, subjects validated, roleRef immutable', async () => {
  const api = await server();
  const rb = api.resource(`rolebindings.${G}`);
  const b = await api.create(rb, 'default', {
    metadata: { name: 'read-pods' },
    roleRef: { kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
  });
  assert.deepEqual(b.roleRef, { kind: 'Role', name: 'pod-reader', apiGroup: G });
  assert.equal(b.subjects[0].apiGroup, G);
  assert.equal(b.subjects[1].apiGroup, undefined);
  await rejects422(
    api.patch(rb, 'default', 'read-pods', 'merge', { roleRef: { kind: 'ClusterRole', name: 'view' } }),
    'RoleBinding.rbac.authorization.k8s.io "read-pods" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
  );
  await rejects422(
    api.create(rb, 'default', { metadata: { name: 'bad' }, roleRef: { apiGroup: 'x', kind: 'Thing', name: '' }, subjects: [{ kind: 'Robot', name: 'r' }, { kind: 'ServiceAccount', name: 'Bad_Name', apiGroup: 'x' }] }),
    'RoleBinding.rbac.authorization.k8s.io "bad" is invalid: [roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io", roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole", roleRef.name: Required value, subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group", subjects[1].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\'), subjects[1].apiGroup: Unsupported value: "x": supported values: ""]',
  );
  await rejects422(
    api.create(api.resource(`clusterrolebindings.${G}`), undefined, { metadata: { name: 'c' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] }),
    'ClusterRoleBinding.rbac.authorization.k8s.io "c" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]',
  );
});

test('aggregation: rules of the matching roles, sorted by name, without duplicates or the role itself', () => {
  const roles = bootstrapClusterRoles();
  const byName = (n: string) => roles.find((r) => r.metadata.name === n)!;
  const view = aggregatedRules(byName('view'), roles);
  assert.deepEqual(view, byName('system:aggregate-to-view').rules);
  const edit = aggregatedRules(byName('edit'), [...roles, { ...byName('view'), rules: view }]);
  // edit = system:aggregate-to-edit's rules, then view's (sorted by name: "system:…" < "view").
  assert.deepEqual(edit, [...byName('system:aggregate-to-edit').rules, ...view]);
  const mine = { metadata: { name: 'crd-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }, view[0]] };
  const extended = aggregatedRules(byName('view'), [...roles, mine]);
  assert.deepEqual(extended, [mine.rules[0], ...view], 'crd-viewer sorts first and its duplicate rule is dropped');
});
