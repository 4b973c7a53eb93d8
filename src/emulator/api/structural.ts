// Structural checks of an object against its kind's schema (schemas.ts), as the apiserver's decoding
// into typed Go structs does them: unknown fields (k8s.io/apimachinery runtime/serializer/json,
// strict mode of sigs.k8s.io/json) and type errors (encoding/json UnmarshalTypeError). Pure: no
// server, no HTTP, so the editor's diagnostics can use it too.
//
// Kubernetes' messages:
// - unknown fields: `unknown field "spec.containers[0].imagePullPolcy"`, joined as
//   `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"` (runtime.StrictDecodingError);
// - type errors: `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`
//   (the Go struct holding the field, the JSON field path without list indices, the Go type);
// - both wrapped by the apiserver as `Pod in version "v1" cannot be handled as a Pod: <error>` (400).
// fieldValidation (apiserver handlers/rest.go; default Warn): Strict fails with the unknown fields,
// Warn succeeds with one `Warning` header per field, Ignore drops them silently. Unknown fields are
// never stored: decoding into the typed struct drops them in every mode.

import { DEFINITIONS, REF_PREFIX, resolve, type Schema } from './schemas.ts';
import { canonicalQuantity } from './quantity.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface StructuralProblem {
  /** `spec.containers[0].image`. */
  path: string;
  kind: 'unknown' | 'type' | 'required';
  /**
   * Kubernetes' message: `unknown field "spec.foo"`, `json: cannot unmarshal ...`, or (only with
   * the `required` option) `spec.containers[0].name: Required value`.
   */
  message: string;
}

export interface StructuralResult {
  /** The unknown fields, in document order. */
  unknown: string[];
  /** Unknown fields and type errors, in document order. */
  problems: StructuralProblem[];
  /** The input without its unknown fields (what decoding into the typed struct keeps). */
  pruned: unknown;
}

export interface StructuralOptions {
  /** A merge or strategic-merge patch: `$`-directives and nulls (deletions) are allowed. */
  patch?: boolean;
  defs?: Readonly<Record<string, Schema>>;
  /**
   * Also report missing required fields (the schema's `required`), for the editor. The apiserver
   * does not: required fields are its semantic validation's business, with its own messages.
   */
  required?: boolean;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** The definition name a schema refers to, directly or through a one-element allOf. */
function refName(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  if (s.$ref) return s.$ref.slice(REF_PREFIX.length);
  if (s.allOf?.length === 1) return refName(s.allOf[0]);
  return undefined;
}

/** The Go type of a schema, as encoding/json prints it: int32, []v1.Container, map[string]string. */
function goType(s: Schema | undefined, defs: Readonly<Record<string, Schema>>): string {
  if (!s) return 'interface {}';
  const name = refName(s);
  if (name) {
    if (name === QUANTITY) return 'resource.Quantity';
    if (name === INT_OR_STRING) return 'intstr.IntOrString';
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
      return s.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${goType(s.items, defs)}`;
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object') return `map[string]${goType(s.additionalProperties, defs)}`;
      return s['x-kubernetes-preserve-unknown-fields'] ? 'runtime.RawExtension' : 'map[string]interface {}';
  }
  return 'interface {}';
}

/** encoding/json's name for a JSON value in an UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v === 'string' ? 'string' : 'object';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

class Walker {
  readonly problems: StructuralProblem[] = [];

  constructor(
    private readonly defs: Readonly<Record<string, Schema>>,
    private readonly patch: boolean,
    private readonly required: boolean,
  ) {}

  /**
   * Checks `v` against `s`; returns the pruned value. `path` has list indices (for unknown fields),
   * `goPath` has none (for type errors), `struct` is the Go struct holding the current field.
   */
  value(v: unknown, s: Schema, path: string, goPath: string, struct: string): unknown {
    if (v === null || v === undefined) return v;
    const name = refName(s);
    if (name === QUANTITY) {
      if (typeof v !== 'number' && typeof v !== 'string') return this.typeError(v, s, path, goPath, struct);
      // Decoding into resource.Quantity keeps its canonical form: 0.5 is stored as "500m".
      try {
        return canonicalQuantity(v);
      } catch {
        this.problems.push({ path, kind: 'type', message: `quantities must match the regular expression '${QUANTITY_RE.source}'` });
        return v;
      }
    }
    if (name === INT_OR_STRING) {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      this.problems.push({ path, kind: 'type', message: `json: cannot unmarshal ${typeof v === 'number' ? `number ${v}` : jsonKind(v)} into Go value of type int32` });
      return v;
    }
    const r = resolve(s, this.defs);
    if (r['x-kubernetes-preserve-unknown-fields']) return v;
    if (r.format === 'date-time' && r.type === 'string') {
      if (typeof v !== 'string') this.problems.push({ path, kind: 'type', message: `json: cannot unmarshal ${jsonKind(v)} into Go value of type string` });
      return v;
    }
    switch (r.type) {
      case 'string':
        return typeof v === 'string' ? v : this.typeError(v, s, path, goPath, struct);
      case 'boolean':
        return typeof v === 'boolean' ? v : this.typeError(v, s, path, goPath, struct);
      case 'integer':
        if (typeof v !== 'number') return this.typeError(v, s, path, goPath, struct);
        if (!Number.isInteger(v) || (r.format !== 'int64' && (v > 2147483647 || v < -2147483648))) return this.typeError(v, s, path, goPath, struct, `number ${v}`);
        return v;
      case 'number':
        return typeof v === 'number' ? v : this.typeError(v, s, path, goPath, struct);
      case 'array': {
        if (!Array.isArray(v)) return this.typeError(v, s, path, goPath, struct);
        const items = r.items ?? {};
        return v.map((e, i) => this.value(e, items, `${path}[${i}]`, goPath, struct));
      }
      case 'object':
      case undefined: {
        if (!isObject(v)) return r.type || r.properties ? this.typeError(v, s, path, goPath, struct) : v;
        if (r.properties) return this.struct(v, r, name ?? struct, path, goPath);
        const ap = r.additionalProperties;
        if (ap && typeof ap === 'object') {
          const out: Record<string, unknown> = {};
          for (const [k, e] of Object.entries(v)) out[k] = this.value(e, ap, path, goPath, struct);
          return out;
        }
        return v;
      }
    }
    return v;
  }

  private struct(v: Record<string, unknown>, r: Schema, structName: string, path: string, goPath: string): Record<string, unknown> {
    const props = r.properties ?? {};
    const goStruct = structName.split('.').pop()!;
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) {
      const sub = path ? `${path}.${k}` : k;
      if (this.patch && k.startsWith('$')) {
        out[k] = e;
        continue;
      }
      if (!own(props, k)) {
        this.problems.push({ path: sub, kind: 'unknown', message: `unknown field "${sub}"` });
        continue;
      }
      out[k] = this.value(e, props[k], sub, goPath ? `${goPath}.${k}` : k, goStruct);
    }
    if (this.required && !this.patch) {
      for (const k of r.required ?? []) {
        if (v[k] === undefined || v[k] === null) {
          const sub = path ? `${path}.${k}` : k;
          this.problems.push({ path: sub, kind: 'required', message: `${sub}: Required value` });
        }
      }
    }
    return out;
  }

  private typeError(v: unknown, s: Schema, path: string, goPath: string, struct: string, value = jsonKind(v)): unknown {
    const message = goPath
      ? `json: cannot unmarshal ${value} into Go struct field ${struct}.${goPath} of type ${goType(s, this.defs)}`
      : `json: cannot unmarshal ${value} into Go value of type ${goType(s, this.defs)}`;
    this.problems.push({ path, kind: 'type', message });
    return v;
  }
}

/** Checks `obj` against a kind's schema: unknown fields and type errors, and the pruned object. */
export function checkStructure(schema: Schema, obj: unknown, opts: StructuralOptions = {}): StructuralResult {
  const defs = opts.defs ?? DEFINITIONS;
  const w = new Walker(defs, opts.patch ?? false, opts.required ?? false);
  const root = refName(schema) ?? schema['x-kubernetes-group-version-kind']?.[0]?.kind ?? '';
  const pruned = w.value(obj, schema, '', '', root.split('.').pop() ?? '');
  return {
    unknown: w.problems.filter((p) => p.kind === 'unknown').map((p) => p.path),
    problems: w.problems,
    pruned,
  };
}

/** One operation of a JSON patch (RFC 6902). */
interface JsonPatchOp {
  op?: unknown;
  path?: unknown;
  value?: unknown;
}

/**
 * Unknown fields and type errors brought in by a JSON patch's `add` and `replace` operations: the
 * schema at each operation's path checks its value. Paths are the object's (`spec.containers[1].foo`;
 * an append `-` is shown as the index it gets only when known, else `[-]`). Values are returned
 * pruned, so applying the patch stores no unknown fields.
 */
export function checkJsonPatch(schema: Schema, ops: unknown, opts: Omit<StructuralOptions, 'patch'> = {}): StructuralResult {
  const defs = opts.defs ?? DEFINITIONS;
  if (!Array.isArray(ops)) return { unknown: [], problems: [], pruned: ops };
  const w = new Walker(defs, false, false);
  const rootName = refName(schema) ?? schema['x-kubernetes-group-version-kind']?.[0]?.kind ?? '';
  const pruned = ops.map((raw: unknown) => {
    const op = raw as JsonPatchOp;
    if (!isObject(op) || (op.op !== 'add' && op.op !== 'replace') || typeof op.path !== 'string') return raw;
    const segs = op.path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    let s: Schema | undefined = schema;
    let struct = rootName.split('.').pop() ?? '';
    let path = '';
    let goPath = '';
    for (const seg of segs) {
      if (!s) break;
      const name = refName(s);
      const r = resolve(s, defs);
      if (r['x-kubernetes-preserve-unknown-fields']) return raw;
      if (r.type === 'array') {
        path += `[${seg}]`;
        s = r.items;
      } else if (r.properties) {
        if (name) struct = name.split('.').pop()!;
        path = path ? `${path}.${seg}` : seg;
        goPath = goPath ? `${goPath}.${seg}` : seg;
        if (!own(r.properties, seg)) {
          w.problems.push({ path, kind: 'unknown', message: `unknown field "${path}"` });
          return undefined;
        }
        s = r.properties[seg];
      } else if (r.additionalProperties && typeof r.additionalProperties === 'object') {
        s = r.additionalProperties;
      } else return raw;
    }
    if (!s) return raw;
    return { ...op, value: w.value(op.value, s, path, goPath, struct) };
  });
  return {
    unknown: w.problems.filter((p) => p.kind === 'unknown').map((p) => p.path),
    problems: w.problems,
    pruned: pruned.filter((o) => o !== undefined),
  };
}

/** `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`. */
export function strictDecodingError(unknown: string[]): string {
  return `strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`;
}

/** How a body decodes under a fieldValidation directive. */
export type DecodeOutcome =
  | { ok: true; value: unknown; warnings: string[] }
  | { ok: false; message: string };

/**
 * The apiserver's decoding of a request body for `kind` in `version` (schema: the kind's), under
 * `fieldValidation` (default Warn): the value to store or patch with, the warnings to send, or the
 * 400 BadRequest message.
 */
export function decodeWithValidation(
  schema: Schema,
  kind: string,
  version: string,
  body: unknown,
  fieldValidation: FieldValidation | undefined,
  opts: StructuralOptions & { jsonPatch?: boolean } = {},
): DecodeOutcome {
  const r = opts.jsonPatch ? checkJsonPatch(schema, body, opts) : checkStructure(schema, body, opts);
  const prefix = `${kind} in version "${version}" cannot be handled as a ${kind}: `;
  const typeError = r.problems.find((p) => p.kind === 'type');
  if (typeError) return { ok: false, message: prefix + typeError.message };
  const mode = fieldValidation ?? 'Warn';
  if (r.unknown.length && mode === 'Strict') return { ok: false, message: prefix + strictDecodingError(r.unknown) };
  return { ok: true, value: r.pruned, warnings: mode === 'Warn' ? r.unknown.map((p) => `unknown field "${p}"`) : [] };
}

/** A Warning header value (RFC 7234 style, as k8s.io/apiserver/pkg/warning writes it): `299 - "text"`. */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Drops the empty maps and lists of optional fields in place, as encoding a typed object does
 * (Go's `omitempty` on maps and slices): `labels: {}` after the last label is removed, `ports: []`,
 * `finalizers: []` are not stored. Required fields (no omitempty) and structs are kept as they are.
 */
export function omitEmptyCollections(v: unknown, s: Schema, defs: Readonly<Record<string, Schema>> = DEFINITIONS): void {
  if (!isObject(v) && !Array.isArray(v)) return;
  const name = refName(s);
  if (name === QUANTITY || name === INT_OR_STRING) return;
  const r = resolve(s, defs);
  if (r['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(v)) {
    if (r.items) for (const item of v) omitEmptyCollections(item, r.items, defs);
    return;
  }
  if (r.properties) {
    const required = r.required;
    for (const k of Object.keys(v)) {
      const ps = r.properties[k];
      if (!ps) continue;
      const val = v[k];
      if (Array.isArray(val)) {
        if (val.length === 0 && !required?.includes(k)) delete v[k];
        else omitEmptyCollections(val, ps, defs);
      } else if (isObject(val)) {
        const pr = resolve(ps, defs);
        const isMap = !!pr.additionalProperties && !pr.properties;
        if (isMap && !required?.includes(k) && Object.keys(val).length === 0) delete v[k];
        else omitEmptyCollections(val, ps, defs);
      }
    }
  } else if (r.additionalProperties && typeof r.additionalProperties === 'object') {
    for (const val of Object.values(v)) omitEmptyCollections(val, r.additionalProperties, defs);
  }
}
