// apiextensions.k8s.io/v1 CustomResourceDefinition: defaulting (pkg/apis/apiextensions/v1/defaults.go),
// the strategy (pkg/registry/customresourcedefinition/strategy.go: status reset on create, generation
// on spec changes, storedVersions) and validation (pkg/apis/apiextensions/validation/validation.go with
// the v1 options: schemas required and structural). Paths follow the internal type the apiserver
// validates: a schema (subresources, columns) that every version shares is reported at
// spec.validation (spec.subresources, spec.additionalPrinterColumns), as the v1 → internal conversion
// moves identical per-version fields to the top level.

import { FieldError } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { isDNS1123Subdomain, validateObjectMeta } from '../validation.ts';
import { validateStructuralSchema, type JSONSchemaProps } from '../cr-schema.ts';
import { equal, GoFieldError, GoValue, isDNS1035Label } from './common.ts';
import type { StrategyContext } from '../registry.ts';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function defaults(obj: Obj): void {
  const spec = (obj.spec ??= {});
  if (!isObject(spec)) return;
  const names = isObject(spec.names) ? spec.names : undefined;
  if (names) {
    if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
    if (!names.listKind && typeof names.kind === 'string' && names.kind) names.listKind = `${names.kind}List`;
  }
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  const port = spec.conversion?.webhook?.clientConfig?.service;
  if (isObject(port) && port.port === undefined) port.port = 443;
}

function storageVersion(obj: Obj): string | undefined {
  const versions = obj.spec?.versions;
  return Array.isArray(versions) ? versions.find((v: Obj) => v?.storage === true)?.name : undefined;
}

export function prepareForCreate(obj: Obj, _ctx: StrategyContext): void {
  defaults(obj);
  // strategy.go PrepareForCreate: the status is the controllers' (naming, establishing).
  const stored = storageVersion(obj);
  obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: stored ? [stored] : [] };
}

export function prepareForUpdate(obj: Obj, old: Obj): void {
  defaults(obj);
  obj.status = JSON.parse(JSON.stringify(old.status ?? {}));
  const stored = storageVersion(obj);
  if (stored) {
    const sv: string[] = (obj.status.storedVersions ??= []);
    if (!sv.includes(stored)) sv.push(stored);
  }
}

/** The Delete of pkg/registry/customresourcedefinition/etcd.go: finalizer and Terminating condition. */
export function prepareForDelete(obj: Obj, ctx: StrategyContext): void {
  const fins: string[] = (obj.metadata.finalizers ??= []);
  if (!fins.includes(CLEANUP_FINALIZER)) fins.push(CLEANUP_FINALIZER);
  setCondition(obj, {
    type: 'Terminating',
    status: 'True',
    reason: 'InstanceDeletionPending',
    message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
  }, ctx.now);
}

/** SetCRDCondition: replaces a condition of the type, keeping lastTransitionTime when status is unchanged. */
export function setCondition(crd: Obj, c: { type: string; status: string; reason: string; message: string }, now: Date): void {
  const status = (crd.status ??= {});
  const conds: Obj[] = (status.conditions ??= []);
  const i = conds.findIndex((x) => x.type === c.type);
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (i < 0) conds.push({ ...c, lastTransitionTime: time });
  else {
    const old = conds[i];
    conds[i] = { ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : time };
  }
}

export function conditionTrue(crd: Obj, type: string): boolean {
  return (crd.status?.conditions ?? []).some((c: Obj) => c.type === type && c.status === 'True');
}

// ---- validation ----

const joinErrs = (errs: string[]) => errs.join(',');
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

function validateNames(names: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(names)) return errs;
  const label = (v: unknown, p: string, prefix = '') => {
    if (typeof v !== 'string' || !v) return;
    const e = isDNS1035Label(prefix ? v.toLowerCase() : v);
    if (e.length) errs.push(new FieldError('Invalid', p, v, prefix + joinErrs(e)));
  };
  label(names.plural, `${path}.plural`);
  label(names.singular, `${path}.singular`);
  label(names.kind, `${path}.kind`, 'may have mixed case, but should otherwise match: ');
  label(names.listKind, `${path}.listKind`, 'may have mixed case, but should otherwise match: ');
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: unknown, i: number) => label(s, `${path}.shortNames[${i}]`));
  if (names.kind && names.kind === names.listKind) errs.push(new FieldError('Invalid', `${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.categories) ? names.categories : []).forEach((s: unknown, i: number) => label(s, `${path}.categories[${i}]`));
  return errs;
}

/** %#v of spec.versions as the internal type prints it (pointers as addresses, as Go does). */
function goVersions(versions: Obj[], movedSchema: boolean, movedSub: boolean, movedCols: boolean): GoValue {
  let addr = 0xc000a00000;
  const ptr = (type: string, present: boolean) => (present ? `(*apiextensions.${type})(0x${(addr += 0x30).toString(16)})` : `(*apiextensions.${type})(nil)`);
  const items = versions.map((v) => {
    const cols = !movedCols && Array.isArray(v?.additionalPrinterColumns) && v.additionalPrinterColumns.length ? `[]apiextensions.CustomResourceColumnDefinition{...}` : '[]apiextensions.CustomResourceColumnDefinition(nil)';
    return (
      `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(String(v?.name ?? ''))}, Served:${v?.served === true}, Storage:${v?.storage === true}, ` +
      `Deprecated:${v?.deprecated === true}, DeprecationWarning:(*string)(nil), Schema:${ptr('CustomResourceValidation', !movedSchema && isObject(v?.schema))}, ` +
      `Subresources:${ptr('CustomResourceSubresources', !movedSub && isObject(v?.subresources))}, AdditionalPrinterColumns:${cols}, SelectableFields:[]apiextensions.SelectableField(nil)}`
    );
  });
  return new GoValue(`[]apiextensions.CustomResourceDefinitionVersion{${items.join(', ')}}`);
}

function allIdentical(versions: Obj[], key: string, nonEmpty: (v: unknown) => boolean): boolean {
  if (versions.length === 0) return false;
  const first = versions[0]?.[key];
  return versions.every((v) => nonEmpty(v?.[key]) && equal(v[key], first));
}

function validateColumn(col: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!col?.name) errs.push(new FieldError('Required', `${path}.name`, undefined));
  if (!col?.type) errs.push(new FieldError('Required', `${path}.type`, undefined, `must be one of ${COLUMN_TYPES.join(',')}`));
  else if (!COLUMN_TYPES.includes(col.type)) errs.push(new FieldError('Invalid', `${path}.type`, col.type, `must be one of ${COLUMN_TYPES.join(',')}`));
  if (col?.format && !COLUMN_FORMATS.includes(col.format)) errs.push(new FieldError('Invalid', `${path}.format`, col.format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  if (!col?.jsonPath) errs.push(new FieldError('Required', `${path}.JSONPath`, undefined));
  else if (typeof col.jsonPath !== 'string' || !col.jsonPath.startsWith('.')) errs.push(new FieldError('Invalid', `${path}.JSONPath`, col.jsonPath, 'must be a simple json path starting with .'));
  return errs;
}

function validateSubresources(sub: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const scale = sub?.scale;
  if (!isObject(scale)) return errs;
  const jp = (v: unknown, p: string, required: boolean) => {
    if (v === undefined || v === '') {
      if (required) errs.push(new FieldError('Required', p, undefined));
      return;
    }
    if (typeof v !== 'string' || !/^\.[A-Za-z0-9_.-]*[A-Za-z0-9_-]$/.test(v) || v.includes('..')) errs.push(new FieldError('Invalid', p, v, 'should be a json path under .spec'));
  };
  jp(scale.specReplicasPath, `${path}.scale.specReplicasPath`, true);
  if (typeof scale.specReplicasPath === 'string' && scale.specReplicasPath && !scale.specReplicasPath.startsWith('.spec.')) {
    errs.push(new FieldError('Invalid', `${path}.scale.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
  }
  jp(scale.statusReplicasPath, `${path}.scale.statusReplicasPath`, true);
  if (typeof scale.statusReplicasPath === 'string' && scale.statusReplicasPath && !scale.statusReplicasPath.startsWith('.status.')) {
    errs.push(new FieldError('Invalid', `${path}.scale.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
  }
  if (typeof scale.labelSelectorPath === 'string' && scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) {
    errs.push(new FieldError('Invalid', `${path}.scale.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

export function validateSpec(spec: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(spec)) return [new FieldError('Required', 'spec', undefined)];
  if (!spec.group) errs.push(new FieldError('Required', 'spec.group', undefined));
  else if (typeof spec.group !== 'string' || isDNS1123Subdomain(spec.group).length) {
    errs.push(new FieldError('Invalid', 'spec.group', spec.group, joinErrs(isDNS1123Subdomain(String(spec.group)))));
  } else if (spec.group.split('.').length < 2) errs.push(new FieldError('Invalid', 'spec.group', spec.group, 'should be a domain with at least one dot'));

  if (!spec.scope) errs.push(new FieldError('Required', 'spec.scope', undefined));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(new FieldError('NotSupported', 'spec.scope', spec.scope, 'supported values: "Cluster", "Namespaced"'));

  const versions: Obj[] = Array.isArray(spec.versions) ? spec.versions : [];
  const movedSchema = allIdentical(versions, 'schema', isObject);
  const movedSub = allIdentical(versions, 'subresources', isObject);
  const movedCols = allIdentical(versions, 'additionalPrinterColumns', (v) => Array.isArray(v) && v.length > 0);
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (v?.storage === true) storage++;
    const name = String(v?.name ?? '');
    if (seen.has(name)) unique = false;
    seen.add(name);
    const e = isDNS1035Label(name);
    if (e.length) errs.push(new FieldError('Invalid', `${p}.name`, name, joinErrs(e)));
    if (!movedSchema) errs.push(...validateSchema(v?.schema, `${p}.schema`, v?.subresources ?? (movedSub ? versions[0]?.subresources : undefined)));
    if (!movedSub) errs.push(...validateSubresources(v?.subresources, `${p}.subresources`));
    if (!movedCols) (Array.isArray(v?.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach((c: Obj, j: number) => errs.push(...validateColumn(c, `${p}.additionalPrinterColumns[${j}]`)));
  });
  if (!unique) errs.push(new GoFieldError('Invalid', 'spec.versions', goVersions(versions, movedSchema, movedSub, movedCols), 'must contain unique version names'));
  if (storage !== 1) errs.push(new GoFieldError('Invalid', 'spec.versions', goVersions(versions, movedSchema, movedSub, movedCols), 'must have exactly one version marked as storage version'));

  const names = isObject(spec.names) ? spec.names : {};
  for (const k of ['plural', 'singular', 'kind', 'listKind']) if (!names[k]) errs.push(new FieldError('Required', `spec.names.${k}`, undefined));
  errs.push(...validateNames(names, 'spec.names'));
  if (movedSchema) errs.push(...validateSchema(versions[0].schema, 'spec.validation', versions[0].subresources));
  if (movedSub) errs.push(...validateSubresources(versions[0].subresources, 'spec.subresources'));
  if (movedCols) versions[0].additionalPrinterColumns.forEach((c: Obj, j: number) => errs.push(...validateColumn(c, `spec.additionalPrinterColumns[${j}]`)));

  const strategy = spec.conversion?.strategy;
  if (!strategy) errs.push(new FieldError('Required', 'spec.conversion.strategy', undefined));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(new FieldError('NotSupported', 'spec.conversion.strategy', strategy, 'supported values: "None", "Webhook"'));
  else if (strategy === 'Webhook' && !isObject(spec.conversion.webhook?.clientConfig)) {
    errs.push(new FieldError('Required', 'spec.conversion.webhookClientConfig', undefined, 'required when strategy is set to Webhook'));
  } else if (strategy === 'None' && spec.conversion.webhook !== undefined) {
    errs.push(new FieldError('Forbidden', 'spec.conversion.webhookClientConfig', undefined, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

/** A version's schema: required in v1, structural, with the status-subresource restriction at the root. */
function validateSchema(schema: Obj | undefined, path: string, subresources: Obj | undefined): FieldError[] {
  const root = schema?.openAPIV3Schema;
  if (!isObject(root)) return [new FieldError('Required', `${path}.openAPIV3Schema`, undefined, 'schemas are required')];
  const errs: FieldError[] = [];
  if (isObject(subresources?.status) && root.type !== undefined && root.type !== 'object') {
    errs.push(new FieldError('Invalid', `${path}.openAPIV3Schema.type`, root.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
  }
  if (root['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(new FieldError('Invalid', `${path}.openAPIV3Schema.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  errs.push(...validateStructuralSchema(root as JSONSchemaProps, `${path}.openAPIV3Schema`));
  return errs;
}

function validateStoredVersions(obj: Obj): FieldError[] {
  const stored: string[] = Array.isArray(obj.status?.storedVersions) ? obj.status.storedVersions : [];
  if (stored.length === 0) return [new GoFieldError('Invalid', 'status.storedVersions', new GoValue('[]string{}'), 'must have at least one stored version')];
  const versions: Obj[] = Array.isArray(obj.spec?.versions) ? obj.spec.versions : [];
  const names = new Set(versions.map((v) => v?.name));
  return stored.flatMap((v, i) => (names.has(v) ? [] : [new FieldError('Invalid', `status.storedVersions[${i}]`, v, 'must appear in spec.versions')]));
}

function nameRule(obj: Obj) {
  return (name: string): string[] => {
    const errs = isDNS1123Subdomain(name);
    const want = `${obj.spec?.names?.plural ?? ''}.${obj.spec?.group ?? ''}`;
    if (name !== want) errs.push('must be spec.names.plural+"."+spec.group');
    return errs;
  };
}

export function validate(obj: Obj): FieldError[] {
  return [
    ...validateObjectMeta(obj.metadata, false, nameRule(obj)),
    ...validateSpec(obj.spec),
    ...validateNames(obj.status?.acceptedNames, 'status.acceptedNames'),
    ...(storageVersion(obj) ? validateStoredVersions(obj) : []),
  ];
}

export function validateUpdate(obj: Obj, old: Obj): FieldError[] {
  const errs = [...validateObjectMeta(obj.metadata, false, () => []), ...validateSpec(obj.spec)];
  const immutable = (a: unknown, b: unknown, path: string) => {
    if (!equal(a, b)) errs.push(new FieldError('Invalid', path, a ?? '', 'field is immutable'));
  };
  if (conditionTrue(old, 'Established')) {
    immutable(obj.spec?.scope, old.spec?.scope, 'spec.scope');
    immutable(obj.spec?.names?.kind, old.spec?.names?.kind, 'spec.names.kind');
  }
  immutable(obj.spec?.group, old.spec?.group, 'spec.group');
  immutable(obj.spec?.names?.plural, old.spec?.names?.plural, 'spec.names.plural');
  errs.push(...validateNames(obj.status?.acceptedNames, 'status.acceptedNames'));
  if (storageVersion(obj)) errs.push(...validateStoredVersions(obj));
  return errs;
}

export const customResourceDefinition = { prepareForCreate, prepareForUpdate, prepareForDelete, validate, validateUpdate };
