// /openapi/v3: one document per served group version, listed in the root with a content hash.
//
// Each document carries the paths of the group version's kinds and, in components.schemas, the
// full schemas of their types (schemas/definitions.json, see scripts/gen-schemas.mjs), so that
// `kubectl explain` works. kubectl's default --validate=strict checks that the PATCH operation
// carrying the kind's x-kubernetes-group-version-kind has a `fieldValidation` query parameter
// (cli-runtime query_param_verifier_v3.go) and then leaves validation to the server. Client-side
// apply builds its strategic merge patch from these schemas when the PATCH operation's requestBody
// lists application/strategic-merge-patch+json (kubectl pkg/cmd/apply/patcher.go), so the schemas
// carry x-kubernetes-patch-merge-key / -strategy (merge-keys.ts). Kinds with no built-in schema
// (custom resources) get no strategic-merge-patch content type, as on a cluster.
//
// The documents are derived from the registry when first requested, so kinds added to the
// registry are served without changes here.

import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry, type ResourceDef } from './registry.ts';
import { closure, definitionName, DEFINITIONS, REF_PREFIX, type Schema } from './schemas.ts';
import { customSchemas, definitionNameOf } from './custom-resources.ts';

export interface OpenAPIDoc {
  body: string;
  etag: string;
  hash: string;
}

/** The Kubernetes version the documents describe (as /version reports it). */
export const OPENAPI_INFO_VERSION = 'v1.32.0';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const param = (name: string, type: string, description: string) => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const DRY_RUN = param('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed');
const FIELD_MANAGER = param('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.');
const FIELD_VALIDATION = param('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.');
const FORCE = param('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.');
const PRETTY = param('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).");
const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];

const ref = (name: string): Schema => ({ $ref: `${REF_PREFIX}${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema }, 'application/yaml': { schema } });

function gvk(d: ResourceDef): object {
  return { group: d.group, version: d.version, kind: d.kind };
}

function pathsFor(d: ResourceDef, def: string | undefined): Record<string, object> {
  const base = d.group ? `/apis/${d.group}/${d.version}` : '/api/v1';
  const coll = d.namespaced ? `${base}/namespaces/{namespace}/${d.resource}` : `${base}/${d.resource}`;
  const item = `${coll}/{name}`;
  const body: Schema = def ? ref(def) : { type: 'object' };
  const listDef = def && (DEFINITIONS[`${def}List`] || d.custom) ? ref(d.custom ? `${def.slice(0, -d.kind.length)}${d.custom.listKind}` : `${def}List`) : { type: 'object' as const };
  const ok = (schema: Schema, code = '200') => ({ [code]: { description: 'OK', content: json(schema) } });
  const op = (action: string, id: string, extra: object) => ({
    operationId: id,
    tags: [d.group ? `${d.group.split('.')[0]}_${d.version}` : 'core_v1'],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(d),
    ...extra,
  });
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
  if (def && !d.custom) patchTypes.push('application/strategic-merge-patch+json');
  const patchBody = {
    content: Object.fromEntries(patchTypes.sort().map((t) => [t, { schema: ref(`${META}.Patch`) }])),
    required: true,
  };
  const write = (action: string, id: string, code: string, params: object[]) =>
    op(action, id, { parameters: [...params, PRETTY], requestBody: action === 'patch' ? patchBody : { content: { '*/*': { schema: body } }, required: true }, responses: ok(body, code) });
  const k = d.kind;
  const ns = d.namespaced ? 'Namespaced' : '';
  // Create-only reviews (SelfSubjectAccessReview, ...) have only the collection's POST.
  if (d.review) return { [coll]: { post: write('post', `create${ns}${k}`, '201', WRITE_PARAMS) } };
  const paths: Record<string, object> = {
    [coll]: {
      get: op('list', `list${ns}${k}`, { parameters: [PRETTY], responses: ok(listDef) }),
      post: write('post', `create${ns}${k}`, '201', WRITE_PARAMS),
    },
    [item]: {
      get: op('get', `read${ns}${k}`, { parameters: [PRETTY], responses: ok(body) }),
      put: write('put', `replace${ns}${k}`, '200', WRITE_PARAMS),
      patch: write('patch', `patch${ns}${k}`, '200', [...WRITE_PARAMS, FORCE]),
      delete: op('delete', `delete${ns}${k}`, { parameters: [DRY_RUN, PRETTY], responses: ok(ref(`${META}.Status`)) }),
    },
  };
  if (d.subresources.includes('status')) {
    paths[`${item}/status`] = {
      get: op('get', `read${ns}${k}Status`, { parameters: [PRETTY], responses: ok(body) }),
      put: write('put', `replace${ns}${k}Status`, '200', WRITE_PARAMS),
      patch: write('patch', `patch${ns}${k}Status`, '200', [...WRITE_PARAMS, FORCE]),
    };
  }
  return paths;
}

/** The OpenAPI v3 document of one group version of the registry. */
export function groupVersionDocument(registry: Registry, group: string, version: string): object {
  const defs = registry.inGroupVersion(group, version);
  const paths: Record<string, object> = {};
  const roots: string[] = [`${META}.Status`, `${META}.Patch`];
  const custom: Record<string, Schema> = {};
  for (const d of defs) {
    // Custom resources: the CRD version's schema (pkg/controller/openapi/builder/builder.go).
    const def = d.custom ? definitionNameOf(d) : definitionName(d.group, d.version, d.kind);
    if (d.custom) {
      Object.assign(custom, customSchemas(d));
      roots.push(`${META}.ObjectMeta`, `${META}.ListMeta`);
    } else if (def) roots.push(def, `${def}List`);
    Object.assign(paths, pathsFor(d, def));
  }
  const schemas = { ...Object.fromEntries(closure(roots).map((n) => [n, DEFINITIONS[n]])), ...custom };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    paths,
    components: { schemas },
  };
}

export class OpenAPI {
  private docs: Map<string, OpenAPIDoc> | undefined;
  private signature = '';

  constructor(private readonly registry: Registry) {}

  /** The documents, rebuilt when the registry's kinds change (custom resources come and go). */
  private all(): Map<string, OpenAPIDoc> {
    const signature = `${this.registry.generation};` + this.registry.defs.map((d) => `${d.group}/${d.version}/${d.kind}/${d.resource}/${d.namespaced}/${d.subresources.join('+')}`).join(',');
    if (this.docs && signature === this.signature) return this.docs;
    this.signature = signature;
    const docs = new Map<string, OpenAPIDoc>();
    for (const { group, version } of this.registry.groupVersions()) {
      const body = JSON.stringify(groupVersionDocument(this.registry, group, version));
      const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
      const key = group ? `apis/${apiVersionOf({ group, version })}` : 'api/v1';
      docs.set(key, { body, hash, etag: `"${hash}"` });
    }
    return (this.docs = docs);
  }

  root(): object {
    const paths: Record<string, object> = {};
    for (const [key, d] of this.all()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${d.hash}` };
    return { paths };
  }

  doc(path: string): OpenAPIDoc | undefined {
    return this.all().get(path);
  }
}

/** Length-delimited protobuf field (wire type 2); enough for the few string and message fields below. */
function pbField(field: number, payload: Buffer): Buffer {
  const len: number[] = [];
  let n = payload.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    len.push(b);
  } while (n);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), payload]);
}

/**
 * /openapi/v2, which client-go reads only as protobuf (gnostic openapi_v2.Document). kubectl falls
 * back to it for a group version missing from /openapi/v3, i.e. a kind the server does not serve;
 * with no definitions in it, kubectl skips client-side validation and reports the kind as unknown
 * ("no matches for kind"), as it does against a real cluster. Fields: swagger = 1, info = 2
 * (title = 1, version = 2), paths = 8, definitions = 9.
 */
export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
export function openapiV2Protobuf(): Buffer {
  return Buffer.concat([
    pbField(1, Buffer.from('2.0')),
    pbField(2, Buffer.concat([pbField(1, Buffer.from('Kubernetes')), pbField(2, Buffer.from(OPENAPI_INFO_VERSION))])),
    pbField(8, Buffer.alloc(0)),
    pbField(9, Buffer.alloc(0)),
  ]);
}
