// Custom resources: what an established CustomResourceDefinition makes the apiserver serve, and the
// controllers of kube-apiserver's apiextensions-apiserver that get it there
// (staging/src/k8s.io/apiextensions-apiserver, Kubernetes 1.32):
// - pkg/controller/status/naming_controller.go: acceptedNames and the NamesAccepted condition;
// - pkg/controller/establish/establishing_controller.go: Established;
// - pkg/controller/finalizer/crd_finalizer.go: a deleted CRD's custom resources are deleted, then its
//   customresourcecleanup finalizer is removed;
// - pkg/apiserver/customresource_handler.go: one served ResourceDef per served version (storage shared
//   by all versions under /registry/<group>/<plural>, conversion strategy None: only apiVersion changes);
// - pkg/registry/customresource/strategy.go, validator.go: status and generation semantics, pruning,
//   defaulting and schema validation (cr-schema.ts);
// - pkg/registry/customresource/tableconvertor: additionalPrinterColumns;
// - pkg/registry/customresource/etcd.go ScaleREST: the scale subresource by specReplicasPath etc.

import type { APIServer, PatchType, WriteOptions } from './apiserver.ts';
import { ApiError, badRequest, FieldError, invalid } from './errors.ts';
import { clone, type Obj } from './objects.ts';
import { serveScale } from './scale.ts';
import { apiVersionOf, verbsAll, type ResourceDef, type StrategyContext } from './registry.ts';
import { applyDefaults, prune, validateValue, type JSONSchemaProps } from './cr-schema.ts';
import { humanDuration, type Table, type TableColumnDefinition, type TableRow } from './tables.ts';
import { strictDecodingError, type FieldValidation } from './structural.ts';
import { isDNS1123Subdomain, validateObjectMeta } from './validation.ts';
import { CLEANUP_FINALIZER, conditionTrue, setCondition } from './kinds/crd.ts';
import type { Schema } from './schemas.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Informer } from '../client/informer.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** What a served custom resource version carries beside the ResourceDef (ResourceDef.custom). */
export interface CustomResourceInfo {
  crd: string;
  listKind: string;
  schema: JSONSchemaProps;
  columns: PrinterColumn[];
  scale?: ScaleSpec;
  /** The storage version's def (the one whose storage all versions share). */
  storageVersion: string;
  /** The CRD is being deleted: creates answer 405 (customresource_handler.go). */
  terminating: boolean;
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const json = (v: unknown) => JSON.stringify(v);

// ---------------------------------------------------------------------------------------------
// JSONPath of printer columns and scale paths
//
// client-go's jsonpath, the subset CRD columns use: `.a.b`, `.a[0]`, `.a[*].b`, `.a['x.y']`,
// `.a[?(@.type=="Ready")].status`. Our own small evaluator: jsonpath-plus (in node_modules only as a
// transitive dependency) takes `$`-rooted JavaScript filter expressions, not kubectl's syntax.

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; op: '==' | '!='; value: unknown } };

export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const p = path.trim().replace(/^\{|\}$/g, '');
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      let name = '';
      while (i < p.length && p[i] !== '.' && p[i] !== '[') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        name += p[i++];
      }
      if (name) steps.push({ field: name });
    } else if (p[i] === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${path}`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!m) throw new Error(`unsupported expression [${inner}] in ${path}`);
        let value: unknown = m[3].trim();
        if (/^'.*'$|^".*"$/.test(value as string)) value = (value as string).slice(1, -1);
        else if (/^-?\d+(\.\d+)?$/.test(value as string)) value = Number(value);
        else if (value === 'true' || value === 'false') value = value === 'true';
        steps.push({ filter: { path: m[1].split('.').slice(1), op: m[2] as '==' | '!=', value } });
      }
    } else throw new Error(`unexpected ${p[i]} in ${path}`);
  }
  return steps;
}

/** The values a JSONPath finds in `obj` (missing keys find nothing, as AllowMissingKeys(true)). */
export function findJsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in s) {
        if (isObject(v) && Object.prototype.hasOwnProperty.call(v, s.field)) next.push(v[s.field]);
      } else if ('index' in s) {
        if (Array.isArray(v)) {
          const i = s.index < 0 ? v.length + s.index : s.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if ('all' in s) {
        if (Array.isArray(v)) next.push(...v);
        else if (isObject(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const e of v) {
          let x: unknown = e;
          for (const k of s.filter.path) x = isObject(x) ? x[k] : undefined;
          if (x === undefined) continue;
          if ((json(x) === json(s.filter.value)) === (s.filter.op === '==')) next.push(e);
        }
      }
    }
    cur = next;
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Tables (tableconvertor.go)

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** The columns of a version: its additionalPrinterColumns, or Age (getColumnsForVersion). */
export function columnsOf(version: Obj): PrinterColumn[] {
  const cols = Array.isArray(version.additionalPrinterColumns) ? version.additionalPrinterColumns : [];
  if (cols.length) return cols;
  return [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
}

/** jsonpath PrintResults of one value: strings bare, maps and lists as JSON, others as Go's %v. */
function printResult(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function cell(type: string, value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return printResult(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return '<invalid>';
      return humanDuration(now - t);
    }
  }
  return null;
}

export function customTable(def: ResourceDef, objects: Obj[], opts: { includeObject: 'None' | 'Metadata' | 'Object'; now: number; resourceVersion: string; continue?: string; noHeaders?: boolean }): Table {
  const cols = def.custom!.columns;
  const columnDefinitions: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    ...cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  const rows: TableRow[] = objects.map((obj) => {
    const cells: unknown[] = [obj.metadata?.name ?? ''];
    for (const c of cols) {
      let found: unknown[] = [];
      try {
        found = findJsonPath(obj, c.jsonPath);
      } catch {
        found = [];
      }
      cells.push(found.length ? cell(c.type, found[0], opts.now) : null);
    }
    const row: TableRow = { cells };
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
    return row;
  });
  const metadata: Table['metadata'] = { resourceVersion: opts.resourceVersion };
  if (opts.continue) metadata.continue = opts.continue;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: opts.noHeaders ? [] : columnDefinitions, rows };
}

// ---------------------------------------------------------------------------------------------
// Decoding a request body (customresource_handler.go's unstructured decoder with pruning)

/** Prunes a JSON patch's added values; `spec.foo` for each pruned path. */
function pruneJsonPatch(ops: unknown[], schema: JSONSchemaProps): { value: unknown[]; unknown: string[] } {
  const unknown: string[] = [];
  const value = ops.flatMap((raw) => {
    if (!isObject(raw) || (raw.op !== 'add' && raw.op !== 'replace') || typeof raw.path !== 'string') return [raw];
    const segs = raw.path.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    let s: JSONSchemaProps | undefined = schema;
    let path = '';
    let root = true;
    for (const seg of segs) {
      if (!s) break;
      if (root && (seg === 'metadata' || seg === 'apiVersion' || seg === 'kind')) return [raw];
      if (s['x-kubernetes-preserve-unknown-fields'] && !s.properties?.[seg]) return [raw];
      if (s.type === 'array') {
        path += `[${seg}]`;
        s = s.items;
        root = s?.['x-kubernetes-embedded-resource'] === true;
        continue;
      }
      path = path ? `${path}.${seg}` : seg;
      if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) s = s.properties[seg];
      else if (isObject(s.additionalProperties)) s = s.additionalProperties as JSONSchemaProps;
      else if (s.additionalProperties === true) return [raw];
      else {
        unknown.push(path);
        return [];
      }
      root = s?.['x-kubernetes-embedded-resource'] === true;
    }
    if (!s) return [raw];
    const r = prune(raw.value, s, { path, root });
    unknown.push(...r.unknown);
    return [{ ...raw, value: r.value }];
  });
  return { value, unknown };
}

/**
 * Unknown fields of a custom resource's body: dropped, and reported as the apiserver does under
 * fieldValidation (Strict: 400 `strict decoding error: unknown field "spec.foo"`; Warn: warnings).
 */
export function decodeCustom(def: ResourceDef, body: unknown, fieldValidation: FieldValidation | undefined, patch?: PatchType): { value: unknown; warnings: string[] } {
  const info = def.custom!;
  let r: { value: unknown; unknown: string[] };
  if (patch === 'json') r = Array.isArray(body) ? pruneJsonPatch(body, info.schema) : { value: body, unknown: [] };
  else if (isObject(body)) r = prune(body, info.schema, { patch: patch !== undefined });
  else r = { value: body, unknown: [] };
  const mode = fieldValidation ?? 'Warn';
  if (r.unknown.length && mode === 'Strict') {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${strictDecodingError(r.unknown)}`);
  }
  return { value: r.value, warnings: mode === 'Warn' ? r.unknown.map((p) => `unknown field "${p}"`) : [] };
}

// ---------------------------------------------------------------------------------------------
// The served defs of a CRD

function nested(obj: Obj, path: string): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const k of path.replace(/^\./, '').split('.')) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, k)) return { found: false, value: undefined };
    cur = cur[k];
  }
  return { found: true, value: cur };
}

function setNested(obj: Obj, path: string, value: unknown): void {
  const keys = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k];
  }
  cur[keys[keys.length - 1]] = value;
}

/** Pruning and defaulting of a whole object (the decoder's, for writers that skip HTTP). */
function normalize(obj: Obj, info: CustomResourceInfo): void {
  const r = prune(obj, info.schema).value as Obj;
  for (const k of Object.keys(obj)) if (!(k in r)) delete obj[k];
  Object.assign(obj, r);
  applyDefaults(obj, info.schema);
}

function validateCR(def: ResourceDef, obj: Obj): FieldError[] {
  const info = def.custom!;
  const errs = validateObjectMeta(obj.metadata, def.namespaced, isDNS1123Subdomain);
  const { metadata: _m, apiVersion: _a, kind: _k, ...body } = obj;
  errs.push(...validateValue(body, { ...info.schema, required: (info.schema.required ?? []).filter((k) => k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') }));
  // validator.go ValidateScaleSpec
  if (info.scale) {
    const p = info.scale.specReplicasPath;
    const { found, value } = nested(obj, p);
    const field = p.replace(/^\./, '');
    if (found && value !== null) {
      // A value of another type is the schema's error (its type check) already.
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        /* reported by validateValue */
      } else if (value < 0) errs.push(new FieldError('Invalid', field, value, 'should be a non-negative integer'));
      else if (value > 2147483647) errs.push(new FieldError('Invalid', field, value, 'should be less than or equal to 2147483647'));
    }
  }
  return errs;
}

/** One ResourceDef per served version of an established CRD. */
export function defsForCRD(crd: Obj, terminating = false): ResourceDef[] {
  const spec = crd.spec;
  const names = spec.names;
  const versions: Obj[] = spec.versions ?? [];
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  const out: ResourceDef[] = [];
  for (const v of sortVersions(versions.filter((x) => x.served || x.name === storage))) {
    const sub = v.subresources ?? {};
    const statusSub = isObject(sub.status);
    const scale: ScaleSpec | undefined = isObject(sub.scale) ? (sub.scale as unknown as ScaleSpec) : undefined;
    const info: CustomResourceInfo = {
      crd: crd.metadata.name,
      listKind: names.listKind ?? `${names.kind}List`,
      schema: (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JSONSchemaProps,
      columns: columnsOf(v),
      scale,
      storageVersion: storage,
      terminating,
    };
    const def: ResourceDef = {
      group: spec.group,
      version: v.name,
      kind: names.kind,
      resource: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope === 'Namespaced',
      shortNames: names.shortNames?.length ? names.shortNames : undefined,
      categories: names.categories?.length ? names.categories : undefined,
      verbs: verbsAll,
      subresources: [...(statusSub ? ['status'] : []), ...(scale ? ['scale'] : [])],
      statusSubresource: statusSub,
      generation: true,
      storagePrefix: `${spec.group}/${names.plural}`,
      custom: info,
      prepareForCreate(obj: Obj, _ctx: StrategyContext) {
        if (info.terminating) throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
        // strategy.go PrepareForCreate: with the status subresource a create sets no status.
        if (statusSub) delete obj.status;
        normalize(obj, info);
      },
      prepareForUpdate(obj: Obj, old: Obj) {
        normalize(obj, info);
        // strategy.go PrepareForUpdate: any change but metadata bumps the generation (status too, without the subresource).
        if (!statusSub && json(obj.status) !== json(old.status)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
      },
      validate: (obj: Obj) => validateCR(def, obj),
      validateUpdate: (obj: Obj) => validateCR(def, obj),
    };
    if (v.name !== storage) {
      const target = { group: spec.group, version: storage, kind: names.kind };
      const own = apiVersionOf({ group: spec.group, version: v.name });
      def.conversion = {
        storage: target,
        toStorage: (o: Obj) => {
          // The version's own schema validates what is written through it.
          const c = clone(o);
          normalize(c, info);
          const errs = validateValue((({ metadata: _m, apiVersion: _a, kind: _k, ...b }) => b)(c), info.schema);
          if (errs.length) throw invalid(spec.group, names.kind, o.metadata?.name ?? '', errs);
          return { ...c, apiVersion: apiVersionOf(target) };
        },
        fromStorage: (o: Obj) => ({ ...o, apiVersion: own }),
      };
    }
    out.push(def);
  }
  return out;
}

/** Kubernetes' version priority (version.CompareKubeAwareVersionStrings): GA > beta > alpha > others. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0, v };
    return { rank: m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, major: Number(m[1]), minor: Number(m[3] ?? 0), v };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.rank !== y.rank) return y.rank - x.rank;
  if (x.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (x.major !== y.major) return y.major - x.major;
  return y.minor - x.minor;
}

function sortVersions(versions: Obj[]): Obj[] {
  return [...versions].sort((a, b) => compareKubeVersions(a.name, b.name));
}

// ---------------------------------------------------------------------------------------------
// OpenAPI (pkg/controller/openapi/builder/builder.go)

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** `com.example.stable.v1.CronTab`: the group reversed, the version, the kind. */
export function definitionNameOf(def: ResourceDef): string {
  return `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`;
}

export function customSchemas(def: ResourceDef): Record<string, Schema> {
  const info = def.custom!;
  const name = definitionNameOf(def);
  const gvk = (kind: string) => [{ group: def.group, kind, version: def.version }];
  const apiVersion = {
    description:
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
    type: 'string',
  };
  const kind = {
    description:
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
    type: 'string',
  };
  const root = clone(info.schema) as Record<string, unknown>;
  const props = { ...((root.properties as Record<string, unknown>) ?? {}) };
  props.apiVersion ??= apiVersion;
  props.kind ??= kind;
  props.metadata = {
    allOf: [{ $ref: `#/components/schemas/${META}.ObjectMeta` }],
    description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
  };
  const item = { ...root, type: 'object', properties: props, 'x-kubernetes-group-version-kind': gvk(def.kind) } as Schema;
  const list = {
    description: `${info.listKind} is a list of ${def.kind}`,
    required: ['items'],
    type: 'object',
    properties: {
      apiVersion,
      items: {
        description: `List of ${def.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        type: 'array',
        items: { $ref: `#/components/schemas/${name}` },
      },
      kind,
      metadata: {
        allOf: [{ $ref: `#/components/schemas/${META}.ListMeta` }],
        description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
      },
    },
    'x-kubernetes-group-version-kind': gvk(info.listKind),
  } as unknown as Schema;
  return { [name]: item, [`${name.slice(0, -def.kind.length)}${info.listKind}`]: list };
}

// ---------------------------------------------------------------------------------------------
// Scale subresource (etcd.go ScaleREST)

function scaleFrom(def: ResourceDef, cr: Obj): Obj {
  const s = def.custom!.scale!;
  const num = (p: string) => {
    const v = nested(cr, p).value;
    return typeof v === 'number' ? v : 0;
  };
  const m = cr.metadata;
  const status: Obj = { replicas: num(s.statusReplicasPath) };
  if (s.labelSelectorPath) {
    const sel = nested(cr, s.labelSelectorPath).value;
    if (typeof sel === 'string' && sel) status.selector = sel;
  }
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: num(s.specReplicasPath) },
    status,
  };
}

export async function serveCustomScale(api: APIServer, def: ResourceDef, ns: string | undefined, name: string, method: string, body: unknown, patchType: PatchType | undefined, opts: WriteOptions): Promise<Obj> {
  // Every version's scale reads and writes the shared storage through the storage version's def.
  const storage = def.conversion ? (api.registry.forKind(apiVersionOf(def.conversion.storage), def.kind) ?? def) : def;
  const path = def.custom!.scale!.specReplicasPath;
  return serveScale(api, storage, ns, name, method, body, patchType, opts, {
    read: (cr) => scaleFrom(def, cr),
    write: (cr, replicas) => {
      const next = clone(cr);
      setNested(next, path, replicas);
      return next;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The controllers: naming + establishing + finalizer, in one, over an informer of CRDs.

const RETRY_MS = 1_000;

export class CustomResourceDefinitionController {
  private readonly crds: Informer;
  /** Registered defs by CRD name, with the signature they were made from. */
  private readonly served = new Map<string, { defs: ResourceDef[]; signature: string }>();
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, TimerHandle>();
  private stopped = true;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    this.crds = new Informer(api, api.resource('customresourcedefinitions.apiextensions.k8s.io')).on({
      add: (o) => this.enqueue(o.metadata.name),
      update: (o) => this.enqueue(o.metadata.name),
      delete: (o) => this.enqueue(o.metadata.name),
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.crds.start();
    // CRDs gone while stopped (an imported state) are served no longer.
    const live = new Set(this.crds.list().map((o) => o.metadata.name));
    for (const name of [...this.served.keys()]) if (!live.has(name)) this.enqueue(name);
    await this.idle();
  }

  stop(): void {
    this.stopped = true;
    this.crds.stop();
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }

  /** Resolves once every queued sync has run (for tests and start-up). */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(name: string): void {
    this.queue = this.queue.then(() => this.sync(name)).catch((e) => {
      if (!(e instanceof ApiError)) console.error(e);
    });
  }

  private retry(name: string): void {
    if (this.pending.has(name) || this.stopped) return;
    this.pending.set(
      name,
      this.clock.setTimeout(() => {
        this.pending.delete(name);
        this.enqueue(name);
      }, RETRY_MS),
    );
  }

  private get def(): ResourceDef {
    return this.api.resource('customresourcedefinitions.apiextensions.k8s.io');
  }

  private register(name: string, crd: Obj, terminating: boolean): void {
    const signature = json([crd.spec, terminating]);
    const cur = this.served.get(name);
    if (cur?.signature === signature) return;
    const defs = defsForCRD(crd, terminating);
    this.api.registry.replace(cur?.defs ?? [], defs);
    this.served.set(name, { defs, signature });
  }

  private unregister(name: string): void {
    const cur = this.served.get(name);
    if (!cur) return;
    this.api.registry.replace(cur.defs, []);
    this.served.delete(name);
  }

  private async sync(name: string): Promise<void> {
    if (this.stopped) return;
    const crd = await this.api.tryGet(this.def, undefined, name);
    if (!crd) return this.unregister(name);
    if (crd.metadata.deletionTimestamp) return this.finalize(crd);
    const next = clone(crd);
    const accepted = this.names(next);
    if (accepted) this.register(name, next, false);
    else if (!conditionTrue(crd, 'Established')) this.unregister(name);
    if (json(next.status) !== json(crd.status)) await this.writeStatus(next);
  }

  /** naming_controller.go calculateNamesAndConditions, then establishing_controller.go. */
  private names(crd: Obj): boolean {
    const now = this.clock.date();
    const group = crd.spec.group;
    const requested = crd.spec.names ?? {};
    const accepted = crd.status?.acceptedNames ?? {};
    const resources = new Set<string>();
    const kinds = new Set<string>();
    for (const other of this.crds.list()) {
      if (other.metadata.name === crd.metadata.name || other.spec?.group !== group) continue;
      const n = other.status?.acceptedNames ?? {};
      for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
      for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
    }
    for (const d of this.api.registry.defs) {
      if (d.group !== group || d.custom) continue;
      for (const r of [d.resource, d.singular, ...(d.shortNames ?? [])]) resources.add(r);
      kinds.add(d.kind).add(`${d.kind}List`);
    }
    const fresh = (want: string | undefined, have: string | undefined, set: Set<string>) => (want === have || !want || !set.has(want) ? undefined : `"${want}" is already in use`);
    const newNames: Obj = { ...accepted };
    let cond: { status: string; reason: string; message: string } | undefined;
    const fail = (reason: string, message: string) => (cond = { status: 'False', reason, message });
    let e = fresh(requested.plural, accepted.plural, resources);
    if (e) fail('PluralConflict', e);
    else newNames.plural = requested.plural;
    e = fresh(requested.singular, accepted.singular, resources);
    if (e) fail('SingularConflict', e);
    else newNames.singular = requested.singular;
    if (json(requested.shortNames) !== json(accepted.shortNames)) {
      const have = new Set<string>(accepted.shortNames ?? []);
      const errs = (requested.shortNames ?? []).filter((s: string) => !have.has(s)).map((s: string) => fresh(s, '', resources)).filter(Boolean);
      if (errs.length) fail('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
      else newNames.shortNames = requested.shortNames;
    }
    e = fresh(requested.kind, accepted.kind, kinds);
    if (e) fail('KindConflict', e);
    else newNames.kind = requested.kind;
    e = fresh(requested.listKind, accepted.listKind, kinds);
    if (e) fail('ListKindConflict', e);
    else newNames.listKind = requested.listKind;
    if (requested.categories) newNames.categories = requested.categories;
    else delete newNames.categories;
    for (const k of ['singular', 'shortNames', 'listKind']) if (newNames[k] === undefined) delete newNames[k];
    crd.status = { ...(crd.status ?? {}), acceptedNames: newNames };
    const ok = !cond;
    setCondition(crd, { type: 'NamesAccepted', ...(cond ?? { status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }) }, now);
    if (ok) {
      if (!conditionTrue(crd, 'Established')) {
        setCondition(crd, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
      }
    } else if (!crd.status.conditions.some((c: Obj) => c.type === 'Established')) {
      setCondition(crd, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
    }
    return ok;
  }

  private async writeStatus(crd: Obj): Promise<Obj | undefined> {
    try {
      return await this.api.update(this.def, undefined, crd.metadata.name, crd, { subresource: 'status' });
    } catch (e) {
      if (e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound')) {
        if (e.reason === 'Conflict') this.enqueue(crd.metadata.name);
        return undefined;
      }
      throw e;
    }
  }

  /** crd_finalizer.go: delete the custom resources, then drop the finalizer. */
  private async finalize(crd: Obj): Promise<void> {
    const name = crd.metadata.name;
    if (!(crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    const now = this.clock.date();
    const next = clone(crd);
    if (conditionTrue(crd, 'Established')) {
      this.register(name, crd, true);
      const storage = this.served.get(name)?.defs.find((d) => !d.conversion);
      let left = 0;
      if (storage) {
        const { items } = await this.api.list(storage, undefined);
        for (const o of items) {
          left++;
          if (o.metadata.deletionTimestamp) continue;
          try {
            await this.api.delete(storage, o.metadata.namespace, o.metadata.name, { propagationPolicy: 'Background' });
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
          }
        }
        if (left > 0) left = (await this.api.list(storage, undefined)).items.length;
      }
      if (left > 0) {
        setCondition(next, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now);
        if (json(next.status) !== json(crd.status)) await this.writeStatus(next);
        this.retry(name);
        return;
      }
      setCondition(next, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, now);
    } else {
      setCondition(next, { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' }, now);
    }
    const written = json(next.status) !== json(crd.status) ? await this.writeStatus(next) : crd;
    if (!written) return;
    this.unregister(name);
    try {
      const latest = await this.api.get(this.def, undefined, name);
      await this.api.update(this.def, undefined, name, { ...latest, metadata: { ...latest.metadata, finalizers: (latest.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER) } });
    } catch (e) {
      if (e instanceof ApiError && e.reason === 'Conflict') this.enqueue(name);
      else if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
}
