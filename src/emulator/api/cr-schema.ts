// Custom resources' OpenAPI v3 schemas (a CRD version's openAPIV3Schema): the structural-schema
// checks a CRD must pass, and what the apiserver does with a custom resource against its schema:
// pruning of unknown fields, defaulting, and validation.
//
// Sources (Kubernetes 1.32, staging/src/k8s.io/apiextensions-apiserver):
// - pkg/apiserver/schema/validation.go (ValidateStructural: "must not be empty at the root", ...)
// - pkg/apis/apiextensions/validation/validation.go (ValidateCustomResourceDefinitionOpenAPISchema)
// - pkg/apiserver/schema/pruning/algorithm.go (apiVersion, kind and metadata survive at a resource root)
// - pkg/apiserver/schema/defaulting/algorithm.go and prunenulls.go
// - pkg/apiserver/validation/validation.go (kubeOpenAPIResultToFieldErrors) over
//   k8s.io/kube-openapi/pkg/validation/{validate,errors}: the messages `spec.replicas in body should be
//   less than or equal to 10`, `spec.replicas in body must be of type integer: "string"`.
//
// Why our own validator and not a JSON Schema library (ajv is in node_modules as a transitive
// dependency): the messages and field paths kubectl users see are kube-openapi's, wrapped into
// field.Errors by kubeOpenAPIResultToFieldErrors (Required, Unsupported value, Too long, Too many,
// Invalid value with the failing value), and structural schemas are a small, closed subset of
// JSON Schema (no $ref, types everywhere). Mapping ajv's errors back to that wording would be more
// code than walking the structural schema ourselves.

import { FieldError } from './errors.ts';

/** apiextensions.k8s.io/v1 JSONSchemaProps, the parts the apiserver acts on. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  uniqueItems?: boolean;
  nullable?: boolean;
  default?: unknown;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  [k: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A field error whose value prints bare (numbers as Go's %v, a count for Too many). */
class ValueFieldError extends FieldError {
  constructor(
    type: FieldError['type'],
    field: string,
    value: unknown,
    detail: string,
    private readonly repr: string,
  ) {
    super(type, field, value, detail);
  }

  override detailMessage(): string {
    const text = ({ TooMany: 'Too many', Invalid: 'Invalid value', Duplicate: 'Duplicate value', NotSupported: 'Unsupported value' } as Record<string, string>)[this.type];
    if (!text) return super.detailMessage();
    return `${text}: ${this.repr}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

/** Go's %v / %q of a JSON value in a field error (field.Error.ErrorBody). */
function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goInterface).join(', ')}}`;
  return `map[string]interface {}{${Object.keys(v as object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${goInterface((v as Record<string, unknown>)[k])}`)
    .join(', ')}}`;
}

/** %#v of an interface{} element: int64(1), "x", true, map[...]. */
function goInterface(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}` : `${v}`;
  return goValue(v);
}

// ---------------------------------------------------------------------------------------------
// Structural schema checks (CRD validation)

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

type Level = 'root' | 'item' | 'field';

/**
 * The CRD validation of a version's openAPIV3Schema (v1 requires structural schemas): sorted by
 * message, as ValidateStructural sorts them. `path` is e.g. `spec.versions[0].schema.openAPIV3Schema`.
 */
export function validateStructuralSchema(schema: JSONSchemaProps, path: string): FieldError[] {
  const schemaErrs: FieldError[] = [];
  openAPIChecks(schema, path, schemaErrs);
  // ValidateCustomResourceDefinitionOpenAPISchema's errors come first; the structural pass only
  // runs on a schema that converts (NewStructural fails on $ref, for instance).
  if (schemaErrs.some((e) => e.field.endsWith('.$ref'))) return schemaErrs;
  const structural: FieldError[] = [];
  invariants(schema, 'root', path, structural);
  completeness(schema, path, structural);
  structural.sort((a, b) => (a.toString() < b.toString() ? -1 : a.toString() > b.toString() ? 1 : 0));
  return [...schemaErrs, ...structural];
}

function child(path: string, key: string): string {
  return `${path}.properties[${key}]`;
}

function openAPIChecks(s: JSONSchemaProps | undefined, path: string, errs: FieldError[]): void {
  if (!isObject(s)) return;
  if (s.$ref !== undefined) errs.push(new FieldError('Forbidden', `${path}.$ref`, undefined, '$ref is not supported'));
  if (s.type !== undefined && s.type !== '' && !OPENAPI_TYPES.includes(s.type)) {
    errs.push(new FieldError('NotSupported', `${path}.type`, s.type, `supported values: ${OPENAPI_TYPES.map((t) => `"${t}"`).join(', ')}`));
  }
  if (s.uniqueItems === true) errs.push(new FieldError('Forbidden', `${path}.uniqueItems`, undefined, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined && s.properties && Object.keys(s.properties).length) {
    if (s.additionalProperties === false || isObject(s.additionalProperties)) {
      errs.push(new FieldError('Forbidden', `${path}.additionalProperties`, undefined, 'additionalProperties and properties are mutual exclusive'));
    }
  }
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, 'u');
    } catch (e) {
      errs.push(new FieldError('Invalid', `${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    if (s.type !== 'array') errs.push(new FieldError('Invalid', `${path}.x-kubernetes-list-type`, listType, 'must only be used on type=array'));
    else if (!['atomic', 'set', 'map'].includes(listType)) {
      errs.push(new FieldError('NotSupported', `${path}.x-kubernetes-list-type`, listType, 'supported values: "atomic", "map", "set"'));
    } else if (listType === 'map' && !(s['x-kubernetes-list-map-keys']?.length)) {
      errs.push(new FieldError('Required', `${path}.x-kubernetes-list-map-keys`, undefined, 'must not be empty if x-kubernetes-list-type is map'));
    }
  }
  if (isObject(s.additionalProperties)) openAPIChecks(s.additionalProperties, `${path}.additionalProperties`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) openAPIChecks(p, child(path, k), errs);
  if (isObject(s.items)) openAPIChecks(s.items, `${path}.items`, errs);
  else if (Array.isArray(s.items)) errs.push(new FieldError('Forbidden', `${path}.items`, undefined, 'items must be a schema object and not an array'));
  for (const j of ['allOf', 'anyOf', 'oneOf'] as const) (s[j] ?? []).forEach((x, i) => openAPIChecks(x, `${path}.${j}[${i}]`, errs));
  openAPIChecks(s.not, `${path}.not`, errs);
}

function invariants(s: JSONSchemaProps | undefined, lvl: Level, path: string, errs: FieldError[]): void {
  if (!isObject(s)) return;
  if (s.type === 'array' && s.items === undefined) errs.push(new FieldError('Required', `${path}.items`, undefined, 'must be specified'));
  if (isObject(s.items)) invariants(s.items, 'item', `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) invariants(p, 'field', child(path, k), errs);
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (lvl === 'root') errs.push(new FieldError('Forbidden', `${path}.additionalProperties`, undefined, 'must not be used at the root'));
    if (isObject(s.additionalProperties)) invariants(s.additionalProperties, 'field', `${path}.additionalProperties`, errs);
  }
  const xIntOrString = s['x-kubernetes-int-or-string'] === true;
  const xPreserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const xEmbedded = s['x-kubernetes-embedded-resource'] === true;
  if (xIntOrString && xPreserve) errs.push(new FieldError('Invalid', `${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (xIntOrString && xEmbedded) errs.push(new FieldError('Invalid', `${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  const skipAnyOf = xIntOrString && isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOf = xIntOrString && isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => nested(x, false, `${path}.anyOf[${i}]`, errs));
  (s.allOf ?? []).forEach((x, i) => nested(x, skipFirstAllOf && i === 0, `${path}.allOf[${i}]`, errs));
  (s.oneOf ?? []).forEach((x, i) => nested(x, false, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not, false, `${path}.not`, errs);

  const type = s.type ?? '';
  if (xEmbedded && type !== 'object') {
    if (!type) errs.push(new FieldError('Required', `${path}.type`, undefined, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(new FieldError('Invalid', `${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!type && !xIntOrString && !xPreserve) {
    const detail = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    errs.push(new FieldError('Required', `${path}.type`, undefined, detail));
  }
  if (xEmbedded && s.additionalProperties !== undefined) errs.push(new FieldError('Forbidden', `${path}.additionalProperties`, undefined, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && type && type !== 'object') errs.push(new FieldError('Invalid', `${path}.type`, type, 'must be object at the root'));
  const checkMetadata = lvl === 'root' || xEmbedded;
  const props = s.properties ?? {};
  if (checkMetadata && own(props, 'kind') && props.kind.type !== 'string') errs.push(new FieldError('Invalid', `${child(path, 'kind')}.type`, props.kind.type ?? '', 'must be string'));
  if (checkMetadata && own(props, 'apiVersion') && props.apiVersion.type !== 'string') errs.push(new FieldError('Invalid', `${child(path, 'apiVersion')}.type`, props.apiVersion.type ?? '', 'must be string'));
  if (checkMetadata && own(props, 'metadata') && props.metadata.type !== 'object') errs.push(new FieldError('Invalid', `${child(path, 'metadata')}.type`, props.metadata.type ?? '', 'must be object'));
  if (lvl === 'root' && own(props, 'metadata')) {
    const { type: _t, default: _d, properties, ...rest } = props.metadata;
    const names = Object.keys(properties ?? {});
    const onlyNames = names.every((n) => n === 'name' || n === 'generateName');
    if (!onlyNames || Object.keys(rest).length > 0) {
      errs.push(new FieldError('Forbidden', child(path, 'metadata'), undefined, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (xEmbedded && !xPreserve && Object.keys(props).length === 0) {
    errs.push(new FieldError('Required', `${path}.properties`, undefined, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  return anyOf?.length === 2 && anyOf[0]?.type === 'integer' && anyOf[1]?.type === 'string' && Object.keys(anyOf[0]).length === 1 && Object.keys(anyOf[1]).length === 1;
}

/** Value validations under anyOf/allOf/oneOf/not may not specify structure (validateNestedValueValidation). */
function nested(s: JSONSchemaProps | undefined, skipAnyOf: boolean, path: string, errs: FieldError[]): void {
  if (!isObject(s)) return;
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => nested(x, false, `${path}.anyOf[${i}]`, errs));
  (s.allOf ?? []).forEach((x, i) => nested(x, false, `${path}.allOf[${i}]`, errs));
  (s.oneOf ?? []).forEach((x, i) => nested(x, false, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not, false, `${path}.not`, errs);
  if (isObject(s.items)) nested(s.items, false, `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) nested(p, false, child(path, k), errs);
  if (s.type) errs.push(new FieldError('Forbidden', `${path}.type`, undefined, 'must be empty to be structural'));
  if (s.additionalProperties !== undefined) errs.push(new FieldError('Forbidden', `${path}.additionalProperties`, undefined, 'must be undefined to be structural'));
  if (s.default !== undefined) errs.push(new FieldError('Forbidden', `${path}.default`, undefined, 'must be undefined to be structural'));
  if (s.title) errs.push(new FieldError('Forbidden', `${path}.title`, undefined, 'must be empty to be structural'));
  if (s.description) errs.push(new FieldError('Forbidden', `${path}.description`, undefined, 'must be empty to be structural'));
  if (s.nullable) errs.push(new FieldError('Forbidden', `${path}.nullable`, undefined, 'must be false to be structural'));
  if (s['x-kubernetes-preserve-unknown-fields']) errs.push(new FieldError('Forbidden', `${path}.x-kubernetes-preserve-unknown-fields`, undefined, 'must be false to be structural'));
  if (s['x-kubernetes-embedded-resource']) errs.push(new FieldError('Forbidden', `${path}.x-kubernetes-embedded-resource`, undefined, 'must be false to be structural'));
  if (s['x-kubernetes-int-or-string']) errs.push(new FieldError('Forbidden', `${path}.x-kubernetes-int-or-string`, undefined, 'must be false to be structural'));
  if (s['x-kubernetes-list-map-keys']?.length) errs.push(new FieldError('Forbidden', `${path}.x-kubernetes-list-map-keys`, undefined, 'must be empty to be structural'));
  if (s['x-kubernetes-list-type'] !== undefined) errs.push(new FieldError('Forbidden', `${path}.x-kubernetes-list-type`, undefined, 'must be undefined to be structural'));
  if (own(s.properties ?? {}, 'metadata')) errs.push(new FieldError('Forbidden', child(path, 'metadata'), undefined, 'must not be specified in a nested context'));
}

/**
 * validateStructuralCompleteness: every field or array specified under a value validation
 * (allOf/anyOf/oneOf/not) must also be specified outside of it.
 */
function completeness(s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const check = (v: JSONSchemaProps | undefined, struct: JSONSchemaProps | undefined, p: string) => {
    if (!isObject(v)) return;
    for (const [k, sub] of Object.entries(v.properties ?? {})) {
      const target = struct?.properties?.[k];
      if (!target) errs.push(new FieldError('Required', child(p, k), undefined, 'must be specified in the structural schema'));
      else check(sub, target, child(p, k));
    }
    if (isObject(v.items)) {
      if (!isObject(struct?.items)) errs.push(new FieldError('Required', `${p}.items`, undefined, 'must be specified in the structural schema'));
      else check(v.items, struct!.items, `${p}.items`);
    }
    for (const j of ['allOf', 'anyOf', 'oneOf'] as const) for (const x of v[j] ?? []) check(x, struct, p);
    if (v.not) check(v.not, struct, p);
  };
  const walk = (x: JSONSchemaProps | undefined, p: string) => {
    if (!isObject(x)) return;
    for (const j of ['allOf', 'anyOf', 'oneOf'] as const) for (const v of x[j] ?? []) check(v, x, p);
    if (x.not) check(x.not, x, p);
    for (const [k, sub] of Object.entries(x.properties ?? {})) walk(sub, child(p, k));
    if (isObject(x.items)) walk(x.items, `${p}.items`);
    if (isObject(x.additionalProperties)) walk(x.additionalProperties, `${p}.additionalProperties`);
  };
  walk(s, path);
}

// ---------------------------------------------------------------------------------------------
// Pruning and defaulting (decoding a custom resource)

export interface PruneResult {
  value: unknown;
  /** The pruned paths, `spec.foo`, `spec.items[0].bar`, in document order. */
  unknown: string[];
}

/**
 * Drops fields the schema does not specify (pruning/algorithm.go). At the root and in embedded
 * resources apiVersion, kind and metadata are kept; x-kubernetes-preserve-unknown-fields keeps
 * unknown fields at its level. `patch`: a merge patch (nulls kept, they delete).
 */
export function prune(value: unknown, schema: JSONSchemaProps, opts: { patch?: boolean; root?: boolean; path?: string } = {}): PruneResult {
  const unknown: string[] = [];
  const walk = (v: unknown, s: JSONSchemaProps | undefined, path: string, resourceRoot: boolean): unknown => {
    if (!s) return v;
    if (Array.isArray(v)) {
      if (!isObject(s.items)) return v;
      return v.map((e, i) => walk(e, s.items, `${path}[${i}]`, s.items!['x-kubernetes-embedded-resource'] === true));
    }
    if (!isObject(v)) return v;
    const props = s.properties;
    const ap = s.additionalProperties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) {
      const sub = path ? `${path}.${k}` : k;
      if (resourceRoot && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) {
        out[k] = e;
        continue;
      }
      if (props && own(props, k)) out[k] = walk(e, props[k], sub, props[k]['x-kubernetes-embedded-resource'] === true);
      else if (isObject(ap)) out[k] = walk(e, ap, sub, ap['x-kubernetes-embedded-resource'] === true);
      else if (preserve || ap === true) out[k] = e;
      else unknown.push(sub);
    }
    return out;
  };
  return { value: walk(value, schema, opts.path ?? '', opts.root ?? true), unknown };
}

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/**
 * Applies `default`s where a field is absent (defaulting/algorithm.go), after dropping nulls of
 * fields that are not nullable (prunenulls.go: a null there means "unset"). Mutates and returns v.
 */
export function applyDefaults(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (!s) return v;
  if (Array.isArray(v)) {
    if (isObject(s.items)) for (let i = 0; i < v.length; i++) v[i] = applyDefaults(v[i], s.items);
    return v;
  }
  if (!isObject(v)) return v;
  const props = s.properties ?? {};
  for (const [k, p] of Object.entries(props)) {
    if (own(v, k) && v[k] === null && !p.nullable) {
      if (p.default !== undefined) v[k] = clone(p.default);
      else delete v[k];
    } else if (!own(v, k) && p.default !== undefined) {
      v[k] = clone(p.default);
    }
    if (own(v, k)) v[k] = applyDefaults(v[k], p);
  }
  if (isObject(s.additionalProperties)) {
    for (const k of Object.keys(v)) {
      if (own(props, k)) continue;
      if (v[k] === null && !s.additionalProperties.nullable) delete v[k];
      else v[k] = applyDefaults(v[k], s.additionalProperties);
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Validation (kube-openapi validate, mapped to field errors as kubeOpenAPIResultToFieldErrors does)

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'object';
}

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && s.split('::').length <= 2,
  cidr: (s) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  hostname: (s) => s.length <= 255 && /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/.test(s),
  mac: (s) => /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(s),
};

/** Validates a custom resource (or part of one) against its schema; `path` of the value. */
export function validateValue(v: unknown, s: JSONSchemaProps, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  check(v, s, path, errs);
  return errs;
}

function check(v: unknown, s: JSONSchemaProps | undefined, path: string, errs: FieldError[]): void {
  if (!s) return;
  const name = path || '.';
  const field = path;
  // type
  const t = jsonType(v);
  if (v === null) {
    if (s.nullable || (!s.type && !s['x-kubernetes-int-or-string'])) return;
    errs.push(new FieldError('Invalid', field, 'null', `${name} in body must be of type ${s.type}: "null"`));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') {
      errs.push(new FieldError('Invalid', field, t, `${name} in body must be of type integer,string: "${t}"`));
      return;
    }
  } else if (s.type) {
    const ok = s.type === t || (s.type === 'number' && t === 'integer');
    if (!ok) {
      errs.push(new FieldError('Invalid', field, t, `${name} in body must be of type ${s.type}: "${t}"`));
      return;
    }
  }
  // format (strings)
  if (typeof v === 'string' && s.format && FORMATS[s.format] && !FORMATS[s.format](v)) {
    errs.push(new FieldError('Invalid', field, v, `${name} in body must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
  // string
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) {
      errs.push(new FieldError('TooLong', field, v, `may not be more than ${s.maxLength} ${s.maxLength === 1 ? 'byte' : 'bytes'}`));
    }
    if (s.minLength !== undefined && len < s.minLength) {
      errs.push(new FieldError('Invalid', field, v, `${name} in body should be at least ${s.minLength} chars long`));
    }
    if (s.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(v)) errs.push(new FieldError('Invalid', field, v, `${name} in body should match '${s.pattern}'`));
    }
  }
  // numbers
  if (typeof v === 'number') {
    const fmt = (n: number) => String(n);
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) {
      errs.push(new ValueFieldError('Invalid', field, v, `${name} in body should be a multiple of ${fmt(s.multipleOf)}`, goValue(v)));
    }
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      errs.push(new ValueFieldError('Invalid', field, v, `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${fmt(s.maximum)}`, goValue(v)));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      errs.push(new ValueFieldError('Invalid', field, v, `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${fmt(s.minimum)}`, goValue(v)));
    }
  }
  // enum
  if (Array.isArray(s.enum) && s.enum.length && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    const values = s.enum.map((e) => (typeof e === 'string' ? JSON.stringify(e) : JSON.stringify(JSON.stringify(e))));
    errs.push(new ValueFieldError('NotSupported', field, v, `supported values: ${values.join(', ')}`, goValue(v)));
  }
  // arrays
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) {
      errs.push(new ValueFieldError('TooMany', field, v.length, `must have at most ${s.maxItems} items`, String(v.length)));
    }
    if (s.minItems !== undefined && v.length < s.minItems) {
      errs.push(new ValueFieldError('Invalid', field, v.length, `${name} in body should have at least ${s.minItems} items`, String(v.length)));
    }
    if (isObject(s.items)) v.forEach((e, i) => check(e, s.items, `${path}[${i}]`, errs));
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set' || lt === 'map') listUniqueness(v, s, path, errs);
  }
  // objects
  if (isObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) {
      errs.push(new ValueFieldError('TooMany', field, n, `must have at most ${s.maxProperties} items`, String(n)));
    }
    if (s.minProperties !== undefined && n < s.minProperties) {
      errs.push(new ValueFieldError('Invalid', field, n, `${name} in body should have at least ${s.minProperties} properties`, String(n)));
    }
    for (const k of s.required ?? []) {
      if (!own(v, k)) errs.push(new FieldError('Required', path ? `${path}.${k}` : k, undefined));
    }
    for (const [k, e] of Object.entries(v)) {
      const sub = path ? `${path}.${k}` : k;
      if (s.properties && own(s.properties, k)) check(e, s.properties[k], sub, errs);
      else if (isObject(s.additionalProperties)) check(e, s.additionalProperties, sub, errs);
    }
    if (s['x-kubernetes-embedded-resource']) embedded(v, path, errs);
  }
  // value validations
  for (const x of s.allOf ?? []) check(v, x, path, errs);
  if (s.anyOf?.length && !s['x-kubernetes-int-or-string']) {
    if (!s.anyOf.some((x) => validateValue(v, x, path).length === 0)) errs.push(new FieldError('Invalid', field, goValueOrEmpty(v), `${name} in body must be of type ${describeAnyOf(s.anyOf)}`));
  }
  if (s.oneOf?.length) {
    const matches = s.oneOf.filter((x) => validateValue(v, x, path).length === 0).length;
    if (matches !== 1) errs.push(new FieldError('Invalid', field, goValueOrEmpty(v), `${name} in body must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateValue(v, s.not, path).length === 0) errs.push(new FieldError('Invalid', field, goValueOrEmpty(v), `${name} in body must not validate the schema (not)`));
}

function goValueOrEmpty(v: unknown): unknown {
  return typeof v === 'object' ? '' : v;
}

function describeAnyOf(anyOf: JSONSchemaProps[]): string {
  return anyOf.map((x) => x.type ?? 'object').join(',');
}

function listUniqueness(v: unknown[], s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  v.forEach((e, i) => {
    const key = s['x-kubernetes-list-type'] === 'map' && isObject(e) ? JSON.stringify(keys.map((k) => e[k])) : JSON.stringify(e);
    if (seen.has(key)) {
      const dup = s['x-kubernetes-list-type'] === 'map' && isObject(e) ? Object.fromEntries(keys.map((k) => [k, e[k]])) : e;
      errs.push(new ValueFieldError('Duplicate', `${path}[${i}]`, dup, '', goValue(dup)));
    }
    seen.add(key);
  });
}

/** x-kubernetes-embedded-resource: apiVersion and kind must be set (apiserver/schema/objectmeta/validation.go). */
function embedded(v: Record<string, unknown>, path: string, errs: FieldError[]): void {
  const p = (k: string) => (path ? `${path}.${k}` : k);
  if (!v.kind) errs.push(new FieldError('Required', p('kind'), undefined, 'must not be empty'));
  if (!v.apiVersion) errs.push(new FieldError('Required', p('apiVersion'), undefined, 'must not be empty'));
  else if (typeof v.apiVersion === 'string' && v.apiVersion.split('/').length > 2) errs.push(new FieldError('Invalid', p('apiVersion'), v.apiVersion, 'must be a valid group/version'));
}
