// Protobuf request bodies at the HTTP layer: client-go's typed clients (kubectl create
// namespace|configmap|secret|deployment|job|cronjob|service|quota|priorityclass, kubectl auth) POST
// `application/vnd.kubernetes.protobuf` and never retry with JSON on a 415
// (shared/docs/kubectl-wire-protocol.md). Bodies of the kinds fields.ts covers become the JSON
// object the apiserver would have decoded; the reply stays JSON, which kubectl accepts.

import { ApiError, badRequest, unsupportedMediaType } from '../errors.ts';
import { apiVersionOf } from '../registry.ts';
import { decodeEnvelope, MalformedError, supportsKind, UnsupportedFieldError } from './decode.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

interface KindRef {
  group: string;
  version: string;
  kind: string;
}

/**
 * The JSON object of a protobuf body sent to a resource of `def`. Kinds without a field table, and
 * methods other than POST and PUT, answer 415 as before; a field the table lacks answers 415 naming
 * it; a malformed body answers 400.
 */
export function decodeProtobufBody(raw: Buffer, def: KindRef, method: string): Record<string, unknown> {
  if (method !== 'POST' && method !== 'PUT') throw unsupportedMediaType();
  if (!supportsKind(def.group, def.version, def.kind)) {
    throw new ApiError(415, 'UnsupportedMediaType', `protobuf bodies of ${def.kind} in version "${def.version}" are not understood by this emulator; send JSON (kubectl apply -f) instead`);
  }
  const what = `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}`;
  let decoded;
  try {
    decoded = decodeEnvelope(raw);
  } catch (e) {
    if (e instanceof UnsupportedFieldError) throw new ApiError(415, 'UnsupportedMediaType', e.message);
    if (e instanceof MalformedError) throw badRequest(`${what}: ${e.message}`);
    throw e;
  }
  // handlers/create.go and update.go: the body's group version must be the URL's.
  const expected = apiVersionOf(def);
  if (decoded.apiVersion !== expected) {
    throw badRequest(`the API version in the data (${decoded.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (decoded.kind !== def.kind) throw badRequest(`${what}: the body holds a ${decoded.kind}`);
  return decoded.object;
}

/**
 * The DeleteOptions of a DELETE whose body is protobuf (kubectl drain without eviction, typed
 * clients' deletes), in whichever group version the client sent them.
 */
export function decodeProtobufDeleteOptions(raw: Buffer): Record<string, unknown> {
  let decoded;
  try {
    decoded = decodeEnvelope(raw);
  } catch (e) {
    if (e instanceof UnsupportedFieldError) throw new ApiError(415, 'UnsupportedMediaType', e.message);
    if (e instanceof MalformedError) throw badRequest(`DeleteOptions in version "v1" cannot be handled as a DeleteOptions: ${e.message}`);
    throw e;
  }
  if (decoded.kind !== 'DeleteOptions') throw badRequest(`DeleteOptions in version "v1" cannot be handled as a DeleteOptions: the body holds a ${decoded.kind}`);
  return decoded.object;
}
