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
  return new ApiError(405, 'MethodNotAllowed', message, {});
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

/** A body in a media type the apiserver does not decode (negotiation.NewUnsupportedMediaTypeError). */
export function unsupportedMediaType(): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/**
 * A body that is not JSON at all (handlers/rest.go transformDecodeError without a kind): Go's
 * encoding/json message for Node's syntax error, and the first 30 bytes of the body.
 */
export function unparsableBody(kind: string, text: string, err: unknown): ApiError {
  const summary = text.length === 0 ? '<empty>' : text.length > 30 ? `${text.slice(0, 30)} ...` : text;
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${goJsonError(text, err)} (${summary})`);
}

/** encoding/json's SyntaxError text for what JSON.parse rejected. */
function goJsonError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /at position (\d+)/.exec(msg);
  const at = pos ? Number(pos[1]) : -1;
  const ch = at >= 0 && at < text.length ? text[at] : undefined;
  if (/Unexpected end of JSON input/.test(msg) || (at >= text.length && pos)) return 'unexpected end of JSON input';
  const c = ch === undefined ? '' : ch === "'" ? "'\\''" : `'${ch}'`;
  if (/Expected double-quoted property name|Expected property name or '}'/.test(msg)) return `invalid character ${c} looking for beginning of object key string`;
  if (/Expected ',' or '}' after property value/.test(msg)) return `invalid character ${c} after object key:value pair`;
  if (/Expected ',' or '\]' after array element/.test(msg)) return `invalid character ${c} after array element`;
  if (/Expected ':' after property name/.test(msg)) return `invalid character ${c} after object key`;
  if (/Unexpected non-whitespace character after JSON/.test(msg)) return `invalid character ${c} after top-level value`;
  const tok = /Unexpected token '?(.)'?/.exec(msg);
  return `invalid character '${tok?.[1] ?? ch ?? '?'}' looking for beginning of value`;
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
