// metav1.Status errors with Kubernetes' reasons, codes and messages
// (k8s.io/apimachinery/pkg/api/errors/errors.go).

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** "pods" for core, "deployments.apps" for a group: how Kubernetes names a GroupResource. */
export function groupResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(group: string, resource: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${groupResource(group, resource)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

export function alreadyExists(group: string, resource: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${groupResource(group, resource)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });
}

/** The optimistic-concurrency conflict (k8s.io/apiserver/pkg/registry/generic/registry/store.go). */
export function conflict(group: string, resource: string, name: string, why: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${groupResource(group, resource)} "${name}": ${why}`,
    { name, group: group || undefined, kind: resource },
  );
}

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 Invalid: `Pod "x" is invalid: spec.containers: Required value`, with one cause per error. */
export function invalid(group: string, kind: string, name: string, causes: FieldError[]): ApiError {
  const parts = causes.map((c) => c.toString());
  const msg = `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', msg, {
    name,
    group: group || undefined,
    kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.detailMessage(), field: c.field })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, 'Forbidden', message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml${contentType ? ` (got ${contentType})` : ''}`);
}

/** A field error (k8s.io/apimachinery/pkg/util/validation/field/errors.go). */
export class FieldError {
  constructor(
    readonly type: 'Required' | 'Invalid' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'TooLong' | 'TooMany',
    readonly field: string,
    readonly value: unknown,
    readonly detail: string = '',
  ) {}

  get reason(): string {
    return `FieldValue${this.type === 'NotSupported' ? 'NotSupported' : this.type}`;
  }

  private typeText(): string {
    switch (this.type) {
      case 'Required':
        return 'Required value';
      case 'Invalid':
        return 'Invalid value';
      case 'NotSupported':
        return 'Unsupported value';
      case 'Forbidden':
        return 'Forbidden';
      case 'Duplicate':
        return 'Duplicate value';
      case 'TooLong':
        return 'Too long';
      case 'TooMany':
        return 'Too many';
    }
  }

  /** The message without the field path, as in a Status cause. */
  detailMessage(): string {
    const withValue = this.type === 'Invalid' || this.type === 'NotSupported' || this.type === 'Duplicate';
    let s = this.typeText();
    if (withValue) s += `: ${JSON.stringify(this.value)}`;
    if (this.detail) s += `: ${this.detail}`;
    return s;
  }

  toString(): string {
    return `${this.field}: ${this.detailMessage()}`;
  }
}
