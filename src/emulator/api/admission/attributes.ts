// What an admission plug-in sees of a request (k8s.io/apiserver/pkg/admission/attributes.go) and
// the errors plug-ins answer with (admission.NewForbidden). The chain itself is chain.ts.

import type { APIServer } from '../apiserver.ts';
import { ApiError, groupResource, type StatusCause } from '../errors.ts';
import type { Obj } from '../objects.ts';
import type { ResourceDef } from '../registry.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** admission.Attributes: what a plug-in sees of a request. */
export interface Attributes {
  operation: Operation;
  def: ResourceDef;
  /** "" for the main resource, else "status", "finalize", ... */
  subresource: string;
  namespace: string;
  /** The name from the request; for a create with generateName, empty. */
  name: string;
  /** The incoming object (mutable in the mutating phase); undefined on DELETE. */
  object?: Obj;
  /** The stored object on UPDATE and DELETE. */
  oldObject?: Obj;
  dryRun: boolean;
  /** Reads (and, for ResourceQuota, status writes) of other objects. */
  api: APIServer;
}

export interface Plugin {
  /** Kubernetes' plug-in name, as --enable-admission-plugins spells it. */
  name: string;
  admit?(a: Attributes): void | Promise<void>;
  validate?(a: Attributes): void | Promise<void>;
}

/**
 * admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`, the name being the object's,
 * its generateName when it has none yet (names are generated after admission), else "Unknown".
 */
export function forbidden(a: Attributes, why: string, causes?: StatusCause[]): ApiError {
  const name = a.object?.metadata?.name || a.object?.metadata?.generateName || a.name || 'Unknown';
  return forbiddenNamed(a.def.group, a.def.resource, name, why, causes);
}

/** errors.NewForbidden(GroupResource, name, err). */
export function forbiddenNamed(group: string, resource: string, name: string, why: string, causes?: StatusCause[]): ApiError {
  const gr = groupResource(group, resource);
  const message = name ? `${gr} "${name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`;
  return new ApiError(403, 'Forbidden', message, { name, group: group || undefined, kind: resource, ...(causes ? { causes } : {}) });
}

/** Whether `a` addresses the core/v1 resource `resource` itself (not a subresource). */
export function isCore(a: Attributes, resource: string): boolean {
  return a.def.group === '' && a.def.resource === resource && a.subresource === '';
}
