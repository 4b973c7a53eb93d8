// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding.
// Defaulting: pkg/apis/rbac/v1/defaults.go (SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding,
// SetDefaults_Subject). Validation: pkg/apis/rbac/validation/validation.go. Strategies:
// pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/strategy.go (no status, no
// generation). The bootstrap roles and bindings: plugin/pkg/auth/authorizer/rbac/bootstrappolicy/
// policy.go (its testdata/cluster-roles.yaml is the reference for the rules below).
//
// The emulator stores and serves RBAC objects and aggregates ClusterRoles (clusterrole-aggregation
// controller) but authorizes every request of its one user, who is cluster-admin through the
// bootstrap binding to system:masters (authorization.ts). The escalation check (a user may only
// grant what they hold) therefore always passes, as it does for cluster-admin on a cluster.

import { FieldError } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { isDNS1123Subdomain, validateObjectMeta } from '../validation.ts';
import { GoFieldError, GoValue } from './common.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** path.IsValidPathSegmentName: RBAC's minimal name requirements (apimachinery/pkg/api/validation/path/name.go). */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of ['.', '..']) if (name === illegal) return [`may not be '${illegal}'`];
  const errs: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errs.push(`may not contain '${illegal}'`);
  return errs;
}

const goStrings = (v: unknown): string => (Array.isArray(v) ? `[]string{${v.map((s) => JSON.stringify(String(s))).join(', ')}}` : '[]string(nil)');
const len = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

function validatePolicyRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (len(rule?.verbs) === 0) errs.push(new FieldError('Required', `${path}.verbs`, undefined, 'verbs must contain at least one value'));
  if (len(rule?.nonResourceURLs) > 0) {
    const urls = new GoValue(goStrings(rule.nonResourceURLs));
    if (namespaced) errs.push(new GoFieldError('Invalid', `${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (len(rule.apiGroups) > 0 || len(rule.resources) > 0 || len(rule.resourceNames) > 0) {
      errs.push(new GoFieldError('Invalid', `${path}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (len(rule?.apiGroups) === 0) errs.push(new FieldError('Required', `${path}.apiGroups`, undefined, 'resource rules must supply at least one api group'));
  if (len(rule?.resources) === 0) errs.push(new FieldError('Required', `${path}.resources`, undefined, 'resource rules must supply at least one resource'));
  if (len(rule?.resourceNames) > 0 && len(rule?.resources) > 1) {
    errs.push(new FieldError('Required', `${path}.resourceNames`, undefined, 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

function validateRoleOf(namespaced: boolean) {
  return (obj: Obj): FieldError[] => {
    const errs = validateObjectMeta(obj.metadata, namespaced, isValidPathSegmentName);
    (Array.isArray(obj.rules) ? obj.rules : []).forEach((r: Obj, i: number) => errs.push(...validatePolicyRule(r, namespaced, `rules[${i}]`)));
    return errs;
  };
}

const supported = (vs: string[]) => `supported values: ${vs.map((v) => JSON.stringify(v)).join(', ')}`;

function validateSubject(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof s?.name === 'string' ? s.name : '';
  const apiGroup = typeof s?.apiGroup === 'string' ? s.apiGroup : '';
  if (!name) errs.push(new FieldError('Required', `${path}.name`, undefined));
  switch (s?.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(new FieldError('Invalid', `${path}.name`, name, m));
      if (apiGroup) errs.push(new FieldError('NotSupported', `${path}.apiGroup`, apiGroup, supported([''])));
      if (!namespaced && !s.namespace) errs.push(new FieldError('Required', `${path}.namespace`, undefined));
      break;
    case 'User':
    case 'Group':
      if (!name) errs.push(new FieldError('Invalid', `${path}.name`, name, `${s.kind === 'User' ? 'user' : 'group'} name cannot be empty`));
      if (apiGroup !== RBAC_GROUP) errs.push(new FieldError('NotSupported', `${path}.apiGroup`, apiGroup, supported([RBAC_GROUP])));
      break;
    default:
      errs.push(new FieldError('NotSupported', `${path}.kind`, s?.kind ?? '', supported(['ServiceAccount', 'User', 'Group'])));
  }
  return errs;
}

function validateBindingOf(namespaced: boolean) {
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  return (obj: Obj): FieldError[] => {
    const errs = validateObjectMeta(obj.metadata, namespaced, isValidPathSegmentName);
    const ref = obj.roleRef ?? {};
    const apiGroup = typeof ref.apiGroup === 'string' ? ref.apiGroup : '';
    if (apiGroup !== RBAC_GROUP) errs.push(new FieldError('NotSupported', 'roleRef.apiGroup', apiGroup, supported([RBAC_GROUP])));
    if (!kinds.includes(ref.kind)) errs.push(new FieldError('NotSupported', 'roleRef.kind', ref.kind ?? '', supported(kinds)));
    if (!ref.name) errs.push(new FieldError('Required', 'roleRef.name', undefined));
    else for (const m of isValidPathSegmentName(String(ref.name))) errs.push(new FieldError('Invalid', 'roleRef.name', ref.name, m));
    (Array.isArray(obj.subjects) ? obj.subjects : []).forEach((s: Obj, i: number) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
    return errs;
  };
}

/** %#v of the internal rbac.RoleRef, as "cannot change roleRef" prints it. */
function goRoleRef(ref: Obj | undefined): string {
  const q = (v: unknown) => JSON.stringify(typeof v === 'string' ? v : '');
  return `rbac.RoleRef{APIGroup:${q(ref?.apiGroup)}, Kind:${q(ref?.kind)}, Name:${q(ref?.name)}}`;
}

function validateBindingUpdate(obj: Obj, old: Obj): FieldError[] {
  const a = obj.roleRef ?? {};
  const b = old.roleRef ?? {};
  if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name) {
    return [new GoFieldError('Invalid', 'roleRef', new GoValue(goRoleRef(a)), 'cannot change roleRef')];
  }
  return [];
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding and SetDefaults_Subject. */
function defaultBinding(obj: Obj): void {
  if (obj.roleRef && typeof obj.roleRef === 'object' && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = RBAC_GROUP;
  for (const s of Array.isArray(obj.subjects) ? obj.subjects : []) {
    if (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export const role = { validate: validateRoleOf(true) };
export const clusterRole = { validate: validateRoleOf(false) };
export const roleBinding = { default: defaultBinding, validate: validateBindingOf(true), validateUpdate: validateBindingUpdate };
export const clusterRoleBinding = { default: defaultBinding, validate: validateBindingOf(false), validateUpdate: validateBindingUpdate };

// ---- bootstrap policy (the part of bootstrappolicy/policy.go a user meets) ----

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const rule = (apiGroups: string[], resources: string[], verbs: string[]): Obj => ({ apiGroups, resources, verbs });

function clusterRoleObj(name: string, labels: Record<string, string>, body: Obj): Obj {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    ...body,
  };
}

const aggregated = (to: string): Obj => ({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' } }] } });

/** The default ClusterRoles: cluster-admin, the user-facing admin/edit/view and what they aggregate. */
export function bootstrapClusterRoles(): Obj[] {
  return [
    clusterRoleObj('cluster-admin', {}, { rules: [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }] }),
    clusterRoleObj('admin', {}, aggregated('admin')),
    clusterRoleObj('edit', { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }, aggregated('edit')),
    clusterRoleObj('view', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, aggregated('view')),
    clusterRoleObj('system:aggregate-to-admin', { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' }, {
      rules: [rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']), rule([RBAC_GROUP], ['rolebindings', 'roles'], [...WRITE.slice(0, 3), 'get', 'list', 'patch', 'update', 'watch'])],
    }),
    clusterRoleObj('system:aggregate-to-edit', { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' }, {
      rules: [
        rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
        rule([''], ['serviceaccounts'], ['impersonate']),
        rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
        rule([''], ['pods/eviction'], ['create']),
        rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], WRITE),
        rule([''], ['serviceaccounts/token'], ['create']),
        rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
        rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
        rule(['batch'], ['cronjobs', 'jobs'], WRITE),
        rule(['policy'], ['poddisruptionbudgets'], WRITE),
        rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
        rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
      ],
    }),
    clusterRoleObj('system:aggregate-to-view', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, {
      rules: [
        rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], READ),
        rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], READ),
        rule([''], ['namespaces'], READ),
        rule(['discovery.k8s.io'], ['endpointslices'], READ),
        rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], READ),
        rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
        rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
        rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
        rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
      ],
    }),
    clusterRoleObj('system:basic-user', {}, {
      rules: [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])],
    }),
    clusterRoleObj('system:discovery', {}, {
      rules: [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }],
    }),
    clusterRoleObj('system:public-info-viewer', {}, {
      rules: [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }],
    }),
  ];
}

function binding(name: string, role: string, subjects: Obj[]): Obj {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects,
  };
}

const group = (name: string): Obj => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });

/** The default ClusterRoleBindings: cluster-admin to system:masters (the emulator's user), and the public ones. */
export function bootstrapClusterRoleBindings(): Obj[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  ];
}
