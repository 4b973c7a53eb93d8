// The OpenAPI v3 component schemas of Kubernetes' built-in GA types (schemas/definitions.json, made
// by scripts/gen-schemas.mjs from @kubernetes/client-node's models), indexed by group/version/kind.
// Pure data: used by the apiserver's /openapi/v3 documents and by structural validation.

import file from '../../../schemas/definitions.json' with { type: 'json' };

export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  default?: unknown;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
}

export const REF_PREFIX = '#/components/schemas/';

/** Every definition by name, e.g. "io.k8s.api.core.v1.Pod". */
export const DEFINITIONS: Readonly<Record<string, Schema>> = (file as unknown as { definitions: Record<string, Schema> }).definitions;
/** Where the definitions come from, e.g. "@kubernetes/client-node@1.1.2 (Kubernetes v1.32.0)". */
export const SCHEMA_SOURCE: string = (file as unknown as { source: string }).source;

let byGVK: Map<string, string> | undefined;

/** The definition name of a kind, e.g. ("apps", "v1", "Deployment") → "io.k8s.api.apps.v1.Deployment". */
export function definitionName(group: string, version: string, kind: string): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, s] of Object.entries(DEFINITIONS)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) byGVK.set(`${g.group}/${g.version}/${g.kind}`, name);
    }
  }
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** The schema of a kind, or undefined for kinds with no built-in schema (custom resources). */
export function kindSchema(group: string, version: string, kind: string): Schema | undefined {
  const name = definitionName(group, version, kind);
  return name ? DEFINITIONS[name] : undefined;
}

/** The schema of an object's `apiVersion` and `kind` (a manifest's), e.g. ("apps/v1", "Deployment"). */
export function schemaForObject(apiVersion: string, kind: string): Schema | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return kindSchema(group, version, kind);
}

/** Follows a $ref (or a single-element allOf around one, as Kubernetes' documents write them). */
export function resolve(s: Schema, defs: Readonly<Record<string, Schema>> = DEFINITIONS): Schema {
  for (let i = 0; i < 8; i++) {
    if (s.$ref) s = defs[s.$ref.slice(REF_PREFIX.length)] ?? {};
    else if (s.allOf?.length === 1 && !s.type && !s.properties) s = s.allOf[0];
    else return s;
  }
  return s;
}

const directRefs = new WeakMap<Schema, string[]>();
function refsOf(s: Schema): string[] {
  let refs = directRefs.get(s);
  if (!refs) {
    const found: string[] = [];
    JSON.stringify(s, (k, v) => {
      if (k === '$ref' && typeof v === 'string') found.push(v.slice(REF_PREFIX.length));
      return v;
    });
    directRefs.set(s, (refs = found));
  }
  return refs;
}

/** Names of all definitions reachable from `roots` by $ref. */
export function closure(roots: string[], defs: Readonly<Record<string, Schema>> = DEFINITIONS): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name) || !defs[name]) continue;
    seen.add(name);
    stack.push(...refsOf(defs[name]));
  }
  return [...seen].sort();
}
