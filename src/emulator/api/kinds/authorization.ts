// authorization.k8s.io/v1 reviews and authentication.k8s.io/v1 SelfSubjectReview: create-only,
// never stored (pkg/registry/authorization/{selfsubjectaccessreview,subjectaccessreview,
// localsubjectaccessreview,selfsubjectrulesreview}/rest.go, pkg/registry/authentication/
// selfsubjectreview/rest.go). The emulator has one user, the holder of the kubeconfig's bearer
// token, authenticated as kind and minikube authenticate their admin: kubernetes-admin in the
// group system:masters, which the bootstrap ClusterRoleBinding cluster-admin binds to the
// ClusterRole cluster-admin (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go).

import { badRequest, FieldError, invalid } from '../errors.ts';
import type { Obj } from '../objects.ts';

export const ADMIN_USER = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

/** The reason RBAC gives (plugin/pkg/auth/authorizer/rbac/rbac.go authorizingVisitor + ClusterRoleBinding's String). */
export const ADMIN_ALLOW_REASON = 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"';

export interface ReviewContext {
  /** The namespace of the URL (localsubjectaccessreviews). */
  namespace?: string;
}

function envelope(obj: Obj, apiVersion: string, kind: string): Obj {
  const { metadata, ...rest } = obj;
  // metav1.Time is a struct: `omitempty` does not drop it, so Go writes creationTimestamp: null.
  return { ...rest, kind, apiVersion, metadata: { ...(metadata as Obj | undefined), creationTimestamp: null } };
}

/** pkg/apis/authorization/validation: exactly one of resourceAttributes / nonResourceAttributes. */
function validateAttributes(kind: string, spec: Obj | undefined): FieldError[] {
  const hasRes = spec?.resourceAttributes !== undefined && spec?.resourceAttributes !== null;
  const hasNonRes = spec?.nonResourceAttributes !== undefined && spec?.nonResourceAttributes !== null;
  if (hasRes && hasNonRes) {
    return [new FieldError('Invalid', 'spec.nonResourceAttributes', spec!.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!hasRes && !hasNonRes) {
    return [new FieldError('Invalid', 'spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  void kind;
  return [];
}

function isAdmin(user: string | undefined, groups: unknown): boolean {
  return user === ADMIN_USER.username || (Array.isArray(groups) && groups.includes('system:masters'));
}

/** SelfSubjectAccessReview: the requesting user is the admin, so every action is allowed. */
export function selfSubjectAccessReview(obj: Obj): Obj {
  const spec = obj.spec as Obj | undefined;
  const errs = validateAttributes('SelfSubjectAccessReview', spec);
  if (errs.length) throw invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', errs);
  return envelope({ ...obj, status: { allowed: true, reason: ADMIN_ALLOW_REASON } }, 'authorization.k8s.io/v1', 'SelfSubjectAccessReview');
}

/** SubjectAccessReview / LocalSubjectAccessReview: allowed for the admin user or system:masters, denied otherwise (no other RBAC bindings exist). */
export function subjectAccessReview(obj: Obj, ctx: ReviewContext, local: boolean): Obj {
  const kind = local ? 'LocalSubjectAccessReview' : 'SubjectAccessReview';
  const spec = (obj.spec ?? {}) as Obj;
  if (local) {
    // localsubjectaccessreview/rest.go
    const attrs = spec.resourceAttributes as Obj | undefined;
    if (attrs && (attrs.namespace ?? '') !== ctx.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${ctx.namespace}`);
  }
  const errs = validateAttributes(kind, spec);
  const groups = spec.groups;
  if (!spec.user && !(Array.isArray(groups) && groups.length)) {
    errs.push(new FieldError('Invalid', 'spec.user', '', 'at least one of user or group must be specified'));
  }
  if (errs.length) throw invalid('authorization.k8s.io', kind, '', errs);
  const allowed = isAdmin(spec.user as string | undefined, groups);
  const status: Obj = allowed && Array.isArray(groups) && groups.includes('system:masters') ? { allowed: true, reason: ADMIN_ALLOW_REASON } : { allowed };
  if (allowed && !status.reason) {
    status.reason = 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to User "kubernetes-admin"';
  }
  return envelope({ ...obj, status }, 'authorization.k8s.io/v1', kind);
}

/** The rules RBAC resolves for the admin: cluster-admin, then what system:authenticated is bound to (bootstrappolicy/policy.go). */
const ADMIN_RESOURCE_RULES = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];
const ADMIN_NON_RESOURCE_RULES = [
  { verbs: ['*'], nonResourceURLs: ['*'] },
  { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'] },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
];

/** SelfSubjectRulesReview (selfsubjectrulesreview/rest.go): spec.namespace is required. */
export function selfSubjectRulesReview(obj: Obj): Obj {
  const spec = (obj.spec ?? {}) as Obj;
  if (!spec.namespace) throw badRequest('no namespace on request');
  return envelope(
    { ...obj, status: { resourceRules: ADMIN_RESOURCE_RULES, nonResourceRules: ADMIN_NON_RESOURCE_RULES, incomplete: false } },
    'authorization.k8s.io/v1',
    'SelfSubjectRulesReview',
  );
}

/** SelfSubjectReview (`kubectl auth whoami`): the authenticated user. */
export function selfSubjectReview(obj: Obj): Obj {
  return envelope({ ...obj, status: { userInfo: { username: ADMIN_USER.username, groups: [...ADMIN_USER.groups] } } }, 'authentication.k8s.io/v1', 'SelfSubjectReview');
}
