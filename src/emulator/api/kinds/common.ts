// Helpers shared by the kinds' strategies: Go-formatted field values (field.Error prints a bad value
// with %#v, e.g. `map[string]string{"app":"x"}`), pod template defaulting and validation, selectors
// that must match templates, immutable fields, non-negative integers and IntOrString percentages.
// Sources: k8s.io/apimachinery/pkg/util/validation/field/errors.go, pkg/apis/core/validation/validation.go,
// pkg/apis/apps/validation/validation.go.

import { FieldError } from '../errors.ts';
import { isQuantity } from '../quantity.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError } from '../selectors.ts';
import { isQualifiedName, validateLabels } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { defaultPodSpec, validatePodSpec } from './pod.ts';

// ---- Go value formatting (%#v) ----

/** A value printed as Go would print it in a field error (no quoting added). */
export class GoValue {
  constructor(readonly repr: string) {}
}

const goStr = (s: string): string => JSON.stringify(s);

/** %#v of a map[string]string: keys sorted, `map[string]string{"a":"1", "b":"2"}`; nil maps as `map[string]string(nil)`. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const parts = Object.keys(m)
    .sort()
    .map((k) => `${goStr(k)}:${goStr(String(m[k]))}`);
  return `map[string]string{${parts.join(', ')}}`;
}

function goStringSlice(v: unknown): string {
  if (!Array.isArray(v)) return '[]string(nil)';
  return `[]string{${v.map((s) => goStr(String(s))).join(', ')}}`;
}

/** %#v of a metav1.LabelSelector, as `field is immutable` errors print the selector. */
export function goLabelSelector(sel: Obj | undefined | null): string {
  const ml = goStringMap(sel?.matchLabels);
  const exprs = sel?.matchExpressions;
  const me = Array.isArray(exprs)
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e: Obj) => `v1.LabelSelectorRequirement{Key:${goStr(String(e?.key ?? ''))}, Operator:${goStr(String(e?.operator ?? ''))}, Values:${goStringSlice(e?.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}

/** A field error whose value prints as Go prints it (strings quoted, numbers bare, GoValue raw). */
export class GoFieldError extends FieldError {
  override detailMessage(): string {
    if (!(this.value instanceof GoValue)) return super.detailMessage();
    const text = { Invalid: 'Invalid value', NotSupported: 'Unsupported value', Duplicate: 'Duplicate value' }[this.type as string];
    if (!text) return super.detailMessage();
    return `${text}: ${this.value.repr}${this.detail ? `: ${this.detail}` : ''}`;
  }
}

export function invalidGo(field: string, repr: string, detail: string): FieldError {
  return new GoFieldError('Invalid', field, new GoValue(repr), detail);
}

// ---- names ----

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelRe = new RegExp('^' + dns1035LabelFmt + '$');

/** validation.IsDNS1035Label: Service names. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 63) errs.push('must be no more than 63 characters');
  if (!dns1035LabelRe.test(value)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '" +
        dns1035LabelFmt +
        "')",
    );
  }
  return errs;
}

const configKeyFmt = '[-._a-zA-Z0-9]+';
const configKeyRe = new RegExp('^' + configKeyFmt + '$');

/** validation.IsConfigMapKey: keys of ConfigMaps and Secrets. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 253) errs.push('must be no more than 253 characters');
  if (!configKeyRe.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '" +
        configKeyFmt +
        "')",
    );
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

// ---- numbers ----

/** ValidateNonnegativeField. */
export function nonNegative(v: unknown, field: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [new FieldError('Invalid', field, v, 'must be an integer')];
  return v < 0 ? [new FieldError('Invalid', field, v, 'must be greater than or equal to 0')] : [];
}

/** IntOrString percent or integer, as ValidatePositiveIntOrPercent and IsNotMoreThan100Percent check it. */
export function intOrPercent(v: unknown, field: string, maxHundred = true): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return [new FieldError('Invalid', field, v, 'must be an integer')];
    return v < 0 ? [new FieldError('Invalid', field, v, 'must be greater than or equal to 0')] : [];
  }
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return [new FieldError('Invalid', field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    if (maxHundred && Number(m[1]) > 100) return [new FieldError('Invalid', field, v, 'must not be greater than 100%')];
    return [];
  }
  return [new FieldError('Invalid', field, v, 'must be an integer or percentage')];
}

/** The value of an IntOrString against a total, rounding as the controllers do. */
export function isZeroIntOrPercent(v: unknown): boolean {
  return v === 0 || v === '0%';
}

// ---- immutability ----

function stable(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val,
  );
}

export function equal(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

/** ValidateImmutableField; `repr` prints the value as Go would (strings and numbers print as they are). */
export function immutable(next: unknown, prev: unknown, field: string, repr?: (v: any) => string): FieldError[] {
  if (equal(next, prev)) return [];
  return [repr ? invalidGo(field, repr(next), 'field is immutable') : new FieldError('Invalid', field, next ?? null, 'field is immutable')];
}

// ---- pod templates ----

/**
 * Defaults a PodTemplateSpec as the apiserver does for workloads: the pod spec as for a Pod
 * (defaultPodSpec, shared with kinds/pod.ts so templates and their copies compare equal) and the
 * `creationTimestamp: null` that Go's zero metav1.Time serialises to in 1.32.
 */
export function defaultTemplate(t: Obj | undefined): void {
  if (!t || typeof t !== 'object') return;
  t.metadata ??= {};
  if (typeof t.metadata === 'object' && t.metadata.creationTimestamp === undefined) t.metadata.creationTimestamp = null;
  t.spec ??= {};
  if (typeof t.spec === 'object') defaultPodSpec(t.spec);
}

/** ValidatePodTemplateSpec: labels, annotations, the pod spec. */
export function validateTemplate(t: Obj | undefined, path: string): FieldError[] {
  if (!t || typeof t !== 'object') return [new FieldError('Required', path, undefined)];
  const errs = validateLabels(t.metadata?.labels, `${path}.metadata.labels`);
  const ann = t.metadata?.annotations;
  if (ann && typeof ann === 'object') {
    for (const k of Object.keys(ann)) for (const m of isQualifiedName(k.toLowerCase())) errs.push(new FieldError('Invalid', `${path}.metadata.annotations`, k, m));
  }
  errs.push(...validatePodSpec(t.spec, `${path}.spec`));
  return errs;
}

/** A metav1.LabelSelector's syntax (ValidateLabelSelector). */
export function validateSelector(sel: Obj | undefined, path: string): FieldError[] {
  if (!sel || typeof sel !== 'object') return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  if (Array.isArray(sel.matchExpressions)) {
    sel.matchExpressions.forEach((e: Obj, i: number) => {
      const p = `${path}.matchExpressions[${i}]`;
      const op = e?.operator;
      const vals = e?.values ?? [];
      if (op === 'In' || op === 'NotIn') {
        if (!vals.length) errs.push(new FieldError('Required', `${p}.values`, undefined, 'must be specified when `operator` is \'In\' or \'NotIn\''));
      } else if (op === 'Exists' || op === 'DoesNotExist') {
        if (vals.length) errs.push(new FieldError('Forbidden', `${p}.values`, undefined, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
      } else {
        errs.push(new FieldError('Invalid', `${p}.operator`, op, 'not a valid selector operator'));
      }
      for (const m of isQualifiedName(String(e?.key ?? ''))) errs.push(new FieldError('Invalid', `${p}.key`, e?.key, m));
    });
  }
  return errs;
}

/**
 * The apps/v1 selector rules (ValidateDeploymentSpec, ValidateReplicaSetSpec, ...): required, not
 * empty, and matching the template's labels. `kind` goes into the empty-selector message.
 */
export function validateWorkloadSelector(spec: Obj, path: string, kind = 'deployment'): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (sel === undefined || sel === null) errs.push(new FieldError('Required', `${path}.selector`, undefined));
  else {
    errs.push(...validateSelector(sel, `${path}.selector`));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
      errs.push(invalidGo(`${path}.selector`, goLabelSelector(sel), `empty selector is invalid for ${kind}`));
    }
  }
  errs.push(...templateMatches(sel, spec.template, `${path}.template`));
  return errs;
}

/** `selector` does not match template `labels` (a nil selector matches nothing). */
export function templateMatches(sel: Obj | undefined | null, template: Obj | undefined, path: string): FieldError[] {
  let reqs;
  try {
    reqs = labelSelectorFromObject(sel as never);
  } catch (e) {
    if (e instanceof SelectorError) return [new FieldError('Invalid', path.replace(/\.template$/, '.selector'), null, 'invalid label selector')];
    throw e;
  }
  if (reqs && reqs.length === 0) return []; // an empty selector: its own error
  const labels = template?.metadata?.labels;
  if (!reqs || !matchesLabels(reqs, labels)) {
    return [invalidGo(`${path}.metadata.labels`, goStringMap(labels), '`selector` does not match template `labels`')];
  }
  return [];
}

/** ValidatePodTemplateSpecForReplicaSet's restart policy and deadline rules. */
export function alwaysRestart(template: Obj | undefined, path: string, kind = 'ReplicaSet'): FieldError[] {
  const errs: FieldError[] = [];
  const rp = template?.spec?.restartPolicy;
  if (template?.spec && rp !== 'Always') errs.push(new FieldError('NotSupported', `${path}.spec.restartPolicy`, rp ?? '', 'supported values: "Always"'));
  if (template?.spec?.activeDeadlineSeconds !== undefined && template?.spec?.activeDeadlineSeconds !== null) {
    errs.push(new FieldError('Invalid', `${path}.spec.activeDeadlineSeconds`, template.spec.activeDeadlineSeconds, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/** ResourceList values must be quantities (ValidateResourceQuantityValue). */
export function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!list || typeof list !== 'object') return errs;
  for (const [k, v] of Object.entries(list as Obj)) {
    if (!isQuantity(v)) {
      errs.push(new FieldError('Invalid', `${path}[${k}]`, v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    } else if (String(v).trim().startsWith('-')) {
      errs.push(new FieldError('Invalid', `${path}[${k}]`, v, 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

/** Status writes keep the spec; spec writes keep the status (done by the apiserver); defaults again on update. */
export function keepStatus(obj: Obj, old: Obj): void {
  obj.status = old.status;
}
