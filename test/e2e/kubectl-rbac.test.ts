// RBAC objects through the real kubectl (kinds/rbac.ts, controllers/clusterrole-aggregation.ts):
// `kubectl create role/rolebinding`, `get rolebinding -o wide` columns, apply of a manifest with a
// ServiceAccount, Role and RoleBinding, the immutable roleRef error, the bootstrap ClusterRoles and
// aggregation of a user's ClusterRole into `view`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlServer, requireCli, type Kubectl } from './helpers.ts';

requireCli();

let kubectl: Kubectl;
let kubectlIn: (input: string, ...args: string[]) => ReturnType<Kubectl>;
kubectlServer('kubectl-rbac', 1, (s) => ({ kubectl, kubectlIn } = s));

const until = async (what: string, f: () => Promise<boolean>) => {
  const end = Date.now() + 15_000;
  while (!(await f())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('kubectl create role / rolebinding and get -o wide show what kube-apiserver shows', async () => {
  let r = await kubectl('create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'role.rbac.authorization.k8s.io/pod-reader created');
  r = await kubectl('create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=jane', '--serviceaccount=default:default');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'rolebinding.rbac.authorization.k8s.io/read-pods created');
  r = await kubectl('get', 'rolebinding', 'read-pods', '-o', 'wide');
  assert.equal(r.code, 0, r.stderr);
  const [head, row] = r.stdout.trim().split('\n');
  assert.deepEqual(head.split(/\s+/), ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.match(row, /^read-pods\s+Role\/pod-reader\s+\d+s\s+jane\s+default\/default$/);
  r = await kubectl('get', 'role', 'pod-reader', '-o', 'jsonpath={.rules}');
  assert.deepEqual(JSON.parse(r.stdout), [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
  r = await kubectl('get', 'roles');
  assert.match(r.stdout, /^NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
});

test('kubectl apply of a ServiceAccount, Role and RoleBinding; a changed roleRef is refused', async () => {
  const manifest = (roleKind: string, roleName: string) => `
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, create, update, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ${roleKind}, name: ${roleName}}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: default}
`;
  let r = await kubectlIn(manifest('Role', 'deployer'), 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    'serviceaccount/deployer created\nrole.rbac.authorization.k8s.io/deployer created\nrolebinding.rbac.authorization.k8s.io/deployer created',
  );
  r = await kubectlIn(manifest('ClusterRole', 'edit'), 'apply', '-f', '-');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /The RoleBinding "deployer" is invalid: roleRef: Invalid value: rbac\.RoleRef\{APIGroup:"rbac\.authorization\.k8s\.io", Kind:"ClusterRole", Name:"edit"\}: cannot change roleRef/,
  );
  r = await kubectlIn('apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: empty}\nrules: [{resources: [pods]}]\n', 'apply', '-f', '-');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Role "empty" is invalid: \n\* rules\[0\]\.verbs: Required value: verbs must contain at least one value\n\* rules\[0\]\.apiGroups: Required value: resource rules must supply at least one api group/);
});

test('the bootstrap ClusterRoles are there, and a labelled ClusterRole is aggregated into view (and so into edit)', async () => {
  let r = await kubectl('get', 'clusterroles', '-o', 'name');
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:aggregate-to-view']) assert.ok(r.stdout.includes(`clusterrole.rbac.authorization.k8s.io/${n}\n`), r.stdout);
  r = await kubectl('get', 'clusterrolebinding', 'cluster-admin', '-o', 'wide');
  assert.match(r.stdout.split('\n')[1], /^cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters\s*$/);
  const viewRules = async () => JSON.parse((await kubectl('get', 'clusterrole', 'view', '-o', 'json')).stdout).rules ?? [];
  await until('view aggregated', async () => (await viewRules()).some((x: { resources?: string[] }) => x.resources?.includes('pods')));
  assert.ok(!(await viewRules()).some((x: { resources?: string[] }) => x.resources?.includes('secrets')), 'view never reads secrets');

  // A ClusterRole of the user's own, for a custom resource, labelled to extend `view`.
  r = await kubectlIn(
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: gadget-viewer\n  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}\nrules:\n- {apiGroups: [example.com], resources: [gadgets], verbs: [get, list]}\n',
    'apply', '-f', '-',
  );
  assert.equal(r.code, 0, r.stderr);
  await until('gadgets in view', async () => (await viewRules()).some((x: { apiGroups?: string[] }) => x.apiGroups?.includes('example.com')));
  const edit = async () => JSON.parse((await kubectl('get', 'clusterrole', 'edit', '-o', 'json')).stdout).rules ?? [];
  await until('gadgets in edit through view', async () => (await edit()).some((x: { resources?: string[] }) => x.resources?.includes('gadgets')));
  const managers = JSON.parse((await kubectl('get', 'clusterrole', 'view', '-o', 'json', '--show-managed-fields')).stdout).metadata.managedFields.map((m: { manager: string }) => m.manager);
  assert.ok(managers.includes('clusterrole-aggregation-controller'), managers.join(', '));
});
