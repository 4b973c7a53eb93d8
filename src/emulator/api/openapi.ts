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
