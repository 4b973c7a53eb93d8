// /openapi/v3: one document per served group version, listed in the root with a content hash.
//
// kubectl's default --validate=strict checks that the PATCH operation carrying the kind's
// x-kubernetes-group-version-kind has a `fieldValidation` query parameter (cli-runtime
// query_param_verifier_v3.go) and then leaves validation to the server. The PATCH operations
// deliberately list no requestBody yet: kubectl then builds client-side-apply patches from its
// compiled-in types, which carry the right merge keys. Full schemas (kubectl explain) come with
// the apiserver-fidelity issue.

import { createHash } from 'node:crypto';
import { apiVersionOf, type Registry, type ResourceDef } from './registry.ts';

export interface OpenAPIDoc {
  body: string;
  etag: string;
  hash: string;
}

const PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

function gvk(d: ResourceDef): object {
  return { group: d.group, version: d.version, kind: d.kind };
}

function pathsFor(d: ResourceDef): Record<string, object> {
  const base = d.group ? `/apis/${d.group}/${d.version}` : '/api/v1';
  const coll = d.namespaced ? `${base}/namespaces/{namespace}/${d.resource}` : `${base}/${d.resource}`;
  const item = `${coll}/{name}`;
  const op = (action: string, id: string) => ({
    operationId: id,
    tags: [d.group || 'core'],
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(d),
    parameters: action === 'patch' || action === 'put' || action === 'post' ? PARAMS : [],
    responses: { '200': { description: 'OK' } },
  });
  const name = d.kind;
  const paths: Record<string, object> = {
    [coll]: { get: op('list', `list${name}`), post: op('post', `create${name}`) },
    [item]: { get: op('get', `read${name}`), put: op('put', `replace${name}`), patch: op('patch', `patch${name}`), delete: op('delete', `delete${name}`) },
  };
  for (const sub of d.subresources) {
    if (sub === 'status') {
      paths[`${item}/status`] = { get: op('get', `read${name}Status`), put: op('put', `replace${name}Status`), patch: op('patch', `patch${name}Status`) };
    }
  }
  return paths;
}

export class OpenAPI {
  private readonly docs = new Map<string, OpenAPIDoc>();

  constructor(registry: Registry) {
    for (const { group, version } of registry.groupVersions()) {
      const defs = registry.inGroupVersion(group, version);
      const paths: Record<string, object> = {};
      for (const d of defs) Object.assign(paths, pathsFor(d));
      const doc = {
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: 'v1.32.0' },
        paths,
        components: { schemas: {} },
      };
      const body = JSON.stringify(doc);
      const hash = createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase();
      const key = group ? `apis/${apiVersionOf({ group, version })}` : 'api/v1';
      this.docs.set(key, { body, hash, etag: `"${hash}"` });
    }
  }

  root(): object {
    const paths: Record<string, object> = {};
    for (const [key, d] of this.docs) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${d.hash}` };
    return { paths };
  }

  doc(path: string): OpenAPIDoc | undefined {
    return this.docs.get(path);
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
    pbField(2, Buffer.concat([pbField(1, Buffer.from('Kubernetes')), pbField(2, Buffer.from('v1.32.0'))])),
    pbField(8, Buffer.alloc(0)),
    pbField(9, Buffer.alloc(0)),
  ]);
}
