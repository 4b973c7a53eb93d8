// Shared validation helpers with Kubernetes' messages
// (k8s.io/apimachinery/pkg/util/validation/validation.go, pkg/api/validation/objectmeta.go).

import { FieldError } from './errors.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(v)) {
    errs.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

export function isQualifiedName(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errs;
}

export type NameValidator = (v: string) => string[];

/** ValidateObjectMeta: name, namespace, labels, annotations. */
export function validateObjectMeta(meta: any, namespaced: boolean, nameFn: NameValidator = isDNS1123Subdomain): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== 'object') return [new FieldError('Required', 'metadata', undefined)];
  if (!meta.name) {
    errs.push(new FieldError('Required', 'metadata.name', undefined, 'name or generateName is required'));
  } else if (typeof meta.name !== 'string') {
    errs.push(new FieldError('Invalid', 'metadata.name', meta.name, 'must be a string'));
  } else {
    for (const m of nameFn(meta.name)) errs.push(new FieldError('Invalid', 'metadata.name', meta.name, m));
  }
  if (namespaced && !meta.namespace) errs.push(new FieldError('Required', 'metadata.namespace', undefined));
  if (!namespaced && meta.namespace) {
    errs.push(new FieldError('Forbidden', 'metadata.namespace', meta.namespace, 'not allowed on this type'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  if (meta.annotations !== undefined && meta.annotations !== null) {
    if (typeof meta.annotations !== 'object' || Array.isArray(meta.annotations)) {
      errs.push(new FieldError('Invalid', 'metadata.annotations', meta.annotations, 'must be a map of string keys to string values'));
    } else {
      let total = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        for (const m of isQualifiedName(k.toLowerCase())) errs.push(new FieldError('Invalid', 'metadata.annotations', k, m));
        if (typeof v !== 'string') errs.push(new FieldError('Invalid', `metadata.annotations[${k}]`, v, 'must be a string'));
        total += k.length + String(v).length;
      }
      if (total > 256 * 1024) errs.push(new FieldError('TooLong', 'metadata.annotations', '', 'must have at most 262144 bytes'));
    }
  }
  return errs;
}

export function validateLabels(labels: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined || labels === null) return errs;
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    return [new FieldError('Invalid', path, labels, 'must be a map of string keys to string values')];
  }
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(new FieldError('Invalid', path, k, m));
    if (typeof v !== 'string') errs.push(new FieldError('Invalid', `${path}[${k}]`, v, 'must be a string'));
    else for (const m of isValidLabelValue(v)) errs.push(new FieldError('Invalid', path, v, m));
  }
  return errs;
}
