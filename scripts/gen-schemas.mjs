// Generates schemas/definitions.json: the OpenAPI v3 component schemas of Kubernetes' GA API
// types (io.k8s.api.core.v1.Pod style names), from the pinned devDependency k8s-api-1.32, an npm
// alias of @kubernetes/client-node 1.1.2, which is generated from Kubernetes 1.32: the version the
// emulator reports in /version. Works offline; deterministic output. `npm run build` runs it.
//
//   node --import tsx scripts/gen-schemas.mjs [--check] [--source <npm package>]
//
// --source reads another installed copy of client-node's models, e.g. the @kubernetes/client-node
// 2.0.1 the extension uses as its client (generated from Kubernetes 1.36).
//
// Sources, per definition:
// - properties, types and formats: `attributeTypeMap` in dist/gen/models/<Model>.js;
// - descriptions and required fields: the JSDoc and the non-optional properties of <Model>.d.ts;
// - the group version of each model: the API classes (dist/gen/apis/<Group><Version>Api.js) that
//   list, create or return it; nested types belong to the first kind that reaches them (core/v1
//   first), meta/v1 types and a few shared core types are named below;
// - x-kubernetes-patch-merge-key / x-kubernetes-patch-strategy: src/emulator/api/merge-keys.ts;
// - Quantity and IntOrString fields as Kubernetes defines them (client-node maps Quantity to a
//   plain string, so the Quantity fields are listed below from k8s.io/api's types.go).
// client-node drops the descriptions of fields that reference another type; those fields get none,
// so kubectl explain shows the referenced type's description once (a cluster shows the field's too).
// Enums are not derivable (client-node keeps no enum metadata), so no `enum` is emitted.

import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const sourceArg = process.argv.indexOf('--source');
const SOURCE = sourceArg > 0 ? process.argv[sourceArg + 1] : 'k8s-api-1.32';
const PKG_DIR = dirname(require.resolve(`${SOURCE}/package.json`));
const PKG = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
const MODELS = join(PKG_DIR, 'dist/gen/models');
const APIS = join(PKG_DIR, 'dist/gen/apis');
const OUT = join(ROOT, 'schemas/definitions.json');

const { fieldMeta, rootType } = await import(join(ROOT, 'src/emulator/api/merge-keys.ts'));

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** meta/v1 types (k8s.io/apimachinery/pkg/apis/meta/v1/types.go). */
const META_TYPES = new Set([
  'APIGroup', 'APIGroupList', 'APIResource', 'APIResourceList', 'APIVersions', 'Condition', 'DeleteOptions',
  'FieldSelectorRequirement', 'GroupVersionForDiscovery', 'LabelSelector', 'LabelSelectorRequirement', 'ListMeta',
  'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference', 'Patch', 'Preconditions', 'ServerAddressByClientCIDR',
  'Status', 'StatusCause', 'StatusDetails', 'WatchEvent',
]);
/** Types served or reached from another group first but defined elsewhere. */
const HOME_OVERRIDES = {
  V1Scale: 'autoscaling/v1',
  V1Eviction: 'policy/v1',
  V1Binding: '/v1',
  V1TopologySelectorTerm: '/v1',
  V1TopologySelectorLabelRequirement: '/v1',
  AuthenticationV1TokenRequest: 'authentication.k8s.io/v1',
  V1TokenRequestSpec: 'authentication.k8s.io/v1',
  V1TokenRequestStatus: 'authentication.k8s.io/v1',
  V1BoundObjectReference: 'authentication.k8s.io/v1',
};
/** Fields whose Go type is resource.Quantity (k8s.io/api/*\/v1/types.go), by client-node model. */
const QUANTITY_FIELDS = {
  V1ResourceRequirements: ['limits', 'requests'],
  V1EmptyDirVolumeSource: ['sizeLimit'],
  V1ResourceFieldSelector: ['divisor'],
  V1NodeStatus: ['capacity', 'allocatable'],
  V1PersistentVolumeSpec: ['capacity'],
  V1PersistentVolumeClaimStatus: ['capacity', 'allocatedResources'],
  V1VolumeResourceRequirements: ['limits', 'requests'],
  V1ResourceQuotaSpec: ['hard'],
  V1ResourceQuotaStatus: ['hard', 'used'],
  V1LimitRangeItem: ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'],
  V1PodSpec: ['overhead'],
  V1ContainerStatus: ['allocatedResources'],
  V1CSIStorageCapacity: ['capacity', 'maximumVolumeSize'],
  V1PodStatus: [],
  V1NodeSwapStatus: [],
};

/** Kubernetes package of an API group: core, apps, networking (networking.k8s.io), ... */
function definitionPrefix(group, version) {
  if (group === '' || group === 'core') return `io.k8s.api.core.${version}`;
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}`;
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}`;
  if (group === 'internal.apiserver.k8s.io') return `io.k8s.api.apiserverinternal.${version}`;
  return `io.k8s.api.${group.split('.')[0]}.${version}`;
}

/** V1Pod → Pod, AuthenticationV1TokenRequest → TokenRequest, CoreV1Event → Event. */
function simpleName(model) {
  const m = /^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?([A-Z].*)$/.exec(model);
  return m ? m[1] : model;
}
function modelVersion(model) {
  const v = /V(\d+(?:(?:alpha|beta)\d+)?)[A-Z]/.exec(model)?.[1];
  return v && `v${v}`;
}
const isGA = (version) => /^v\d+$/.test(version);

// ---- models ----
const modelNames = readdirSync(MODELS)
  .filter((f) => f.endsWith('.js') && f !== 'ObjectSerializer.js' && f !== 'all.js')
  .map((f) => f.slice(0, -3))
  .sort();
const models = new Map();
for (const name of modelNames) {
  const mod = await import(join(MODELS, `${name}.js`));
  const cls = mod[name];
  if (!cls?.attributeTypeMap) continue;
  models.set(name, { name, attrs: cls.attributeTypeMap, ...parseDts(readFileSync(join(MODELS, `${name}.d.ts`), 'utf8')) });
}

function unescapeDoc(s) {
  return s.replace(/\\(['"\\])/g, '$1').trim();
}
/** The class description, property descriptions and required properties from a model's .d.ts. */
function parseDts(src) {
  const lines = src.split('\n');
  const props = {};
  const required = [];
  let classDoc;
  let doc;
  let inClass = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*\/\*\*/.test(line)) {
      const body = [];
      for (i++; i < lines.length && !/^\s*\*\/\s*$/.test(lines[i]); i++) body.push(lines[i].replace(/^\s*\* ?/, ''));
      doc = unescapeDoc(body.join('\n'));
      continue;
    }
    if (/^export declare class /.test(line)) {
      classDoc = doc;
      doc = undefined;
      inClass = true;
      continue;
    }
    const p = inClass ? /^\s{4}'([^']+)'(\?)?:/.exec(line) : null;
    if (p) {
      if (doc) props[p[1]] = doc;
      if (!p[2]) required.push(p[1]);
    }
    if (!/^\s*$/.test(line)) doc = undefined;
  }
  return { classDoc, propDocs: props, required };
}

// ---- group versions: which API serves which kind ----
const isKind = (m) => ['apiVersion', 'kind', 'metadata'].every((a) => m.attrs.some((x) => x.name === a));
const home = new Map(); // model -> "group/version"
const seenIn = new Map(); // kind model -> set of GVs whose API mentions it
for (const f of readdirSync(APIS).filter((f) => /V\d+Api\.js$/.test(f)).sort()) {
  const src = readFileSync(join(APIS, f), 'utf8');
  const path = /localVarPath = '([^']*)'/.exec(src)?.[1];
  if (!path) continue;
  const seg = path.split('/');
  const gv = seg[1] === 'api' ? `/${seg[2]}` : `${seg[2]}/${seg[3]}`;
  if (!isGA(gv.split('/')[1])) continue;
  // listXxx returns XxxList: the kind's own group version.
  for (const m of src.matchAll(/ObjectSerializer\.deserialize\(ObjectSerializer\.parse\(await response\.body\.text\(\), contentType\), "([A-Za-z0-9]+)List"/g)) {
    if (models.has(m[1]) && !home.has(m[1])) {
      home.set(m[1], gv);
      home.set(`${m[1]}List`, gv);
    }
  }
  for (const m of src.matchAll(/"([A-Z][A-Za-z0-9]+)"/g)) {
    const mm = models.get(m[1]);
    if (mm && isKind(mm)) (seenIn.get(m[1]) ?? seenIn.set(m[1], new Set()).get(m[1])).add(gv);
  }
}
for (const [k, gv] of Object.entries(HOME_OVERRIDES)) home.set(k, gv);
for (const [k, gvs] of seenIn) if (!home.has(k) && gvs.size === 1) home.set(k, [...gvs][0]);
for (const name of models.keys()) if (META_TYPES.has(simpleName(name)) && modelVersion(name) === 'v1') home.set(name, `meta/v1`);

// Nested types: the group version of the first kind that reaches them, core/v1 kinds first.
const kindsInOrder = [...home.entries()]
  .filter(([m]) => models.has(m) && isKind(models.get(m)))
  .sort(([a, ga], [b, gb]) => (ga.startsWith('/') === gb.startsWith('/') ? (ga + a).localeCompare(gb + b) : ga.startsWith('/') ? -1 : 1));
function refModels(type) {
  return [...type.matchAll(/\b((?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?[A-Z][A-Za-z0-9]*)\b/g)].map((m) => m[1]).filter((n) => models.has(n));
}
const others = [...home.entries()].filter(([m]) => models.has(m) && !isKind(models.get(m)));
for (const [kind, gv] of [...kindsInOrder, ...others]) {
  if (gv === 'meta/v1') continue;
  const queue = [kind];
  while (queue.length) {
    const m = models.get(queue.shift());
    for (const a of m.attrs) {
      for (const r of refModels(a.type)) {
        if (home.has(r)) continue;
        home.set(r, modelVersion(r) === gv.split('/')[1] ? gv : `/${modelVersion(r)}`);
        queue.push(r);
      }
    }
  }
}

function defName(model) {
  const gv = home.get(model) ?? `/${modelVersion(model)}`;
  if (gv === 'meta/v1') return `${META}.${simpleName(model)}`;
  const [group, version] = gv.split('/');
  return `${definitionPrefix(group, version)}.${simpleName(model)}`;
}

// ---- schemas ----
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
const defs = {};
const used = new Set();

function typeSchema(type, format, quantity) {
  if (quantity && type === 'string') {
    used.add(QUANTITY);
    return ref(QUANTITY);
  }
  switch (type) {
    case 'string':
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      return format === 'double' ? { type: 'number', format: 'double' } : { type: 'integer', format: format || 'int32' };
    case 'boolean':
      return { type: 'boolean' };
    case 'Date':
      used.add(`${META}.${format === 'date-time-micro' ? 'MicroTime' : 'Time'}`);
      return ref(`${META}.${format === 'date-time-micro' ? 'MicroTime' : 'Time'}`);
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'V1MicroTime':
      used.add(`${META}.MicroTime`);
      return ref(`${META}.MicroTime`);
    case 'IntOrString':
      used.add(INT_OR_STRING);
      return ref(INT_OR_STRING);
  }
  let m = /^Array<(.+)>$/.exec(type);
  if (m) return { type: 'array', items: typeSchema(m[1], m[1] === 'number' ? format : '', quantity) };
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) return { type: 'object', additionalProperties: typeSchema(m[1], m[1] === 'number' ? format : '', quantity) };
  if (models.has(type)) {
    emit(type);
    return ref(defName(type));
  }
  throw new Error(`unknown type ${type}`);
}

/** Wraps a $ref the way Kubernetes' v3 documents do, so that a description can sit beside it. */
function withDoc(schema, description) {
  if (schema.$ref) {
    const s = { allOf: [schema] };
    if (description) s.description = description;
    return s;
  }
  if (schema.type === 'array' && schema.items.$ref) schema = { ...schema, items: { allOf: [schema.items], default: {} } };
  if (schema.type === 'object' && schema.additionalProperties?.$ref && !schema.additionalProperties.$ref.endsWith('Quantity')) {
    schema = { ...schema, additionalProperties: { allOf: [schema.additionalProperties], default: {} } };
  }
  return description ? { description, ...schema } : schema;
}

function emit(model) {
  const name = defName(model);
  if (defs[name]) return;
  const m = models.get(model);
  const def = { description: m.classDoc ?? '', type: 'object', properties: {} };
  defs[name] = def;
  const gv = home.get(model) ?? `/${modelVersion(model)}`;
  const isTop = isKind(m) && gv !== 'meta/v1';
  const struct = isTop ? rootType(simpleName(model)) : simpleName(model);
  const quantities = new Set(QUANTITY_FIELDS[model] ?? []);
  for (const a of [...m.attrs].sort((x, y) => x.baseName.localeCompare(y.baseName))) {
    let doc = m.propDocs[a.name];
    const s = typeSchema(a.type, a.format, quantities.has(a.baseName));
    // client-node drops these two descriptions; they are the same on every kind (k8s.io/api types.go).
    if (!doc && a.type === 'V1ObjectMeta') doc = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
    if (!doc && a.type === 'V1ListMeta') doc = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
    const prop = withDoc(s, doc);
    const pm = fieldMeta(struct, a.baseName);
    if (pm?.strategy) {
      if (pm.key) prop['x-kubernetes-patch-merge-key'] = pm.key;
      prop['x-kubernetes-patch-strategy'] = pm.strategy;
    }
    def.properties[a.baseName] = prop;
  }
  if (m.required.length) def.required = [...m.required].sort();
  if (isTop) {
    const [group, version] = gv.split('/');
    def['x-kubernetes-group-version-kind'] = [{ group, kind: simpleName(model), version }];
  }
}

for (const [model, gv] of [...home.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  if (!models.has(model) || !isGA(gv.split('/')[1])) continue;
  emit(model);
}
defs[QUANTITY] = {
  description:
    'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the "" case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | <digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>            ::= "+" | "-" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>       ::= m | "" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn\'t choose the capitalization.)\n\n<decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber> ```',
  oneOf: [{ type: 'string' }, { type: 'number' }],
};
defs[INT_OR_STRING] = {
  description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
  format: 'int-or-string',
  oneOf: [{ type: 'integer' }, { type: 'string' }],
};
defs[`${META}.Time`] = {
  description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
  type: 'string',
  format: 'date-time',
};
defs[`${META}.Patch`] = { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
defs[`${META}.MicroTime`] = { description: 'MicroTime is version of Time with microsecond level precision.', type: 'string', format: 'date-time' };

const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
const k8s = /OpenAPI spec version: (\S+)/.exec(readFileSync(join(MODELS, 'V1Pod.js'), 'utf8'))?.[1] ?? 'unknown';
const out = JSON.stringify({ source: `${PKG.name}@${PKG.version} (Kubernetes ${k8s})`, definitions: sorted }, null, 1) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing
  }
  if (current !== out) {
    console.error(`${OUT} is out of date: run node --import tsx scripts/gen-schemas.mjs`);
    process.exit(1);
  }
} else {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, out);
  console.log(`${OUT}: ${Object.keys(sorted).length} definitions, ${out.length} bytes`);
}
