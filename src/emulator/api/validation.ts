// Shared validation helpers with Kubernetes' messages
// (k8s.io/apimachinery/pkg/util/validation/validation.go, pkg/api/validation/objectmeta.go).

import { FieldError } from './errors.ts';

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRe = new RegExp('^' + qualifiedNameFmt + '$');
const labelValueFmt = '(' + qualifiedNameFmt + ')?';
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRe = new RegExp('^' + labelValueFmt + '$');
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = dns1123LabelFmt + '(\\.' + dns1123LabelFmt + ')*';
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainRe = new RegExp('^' + dns1123SubdomainFmt + '$');

function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return msg + " (regex used for validation is '" + re + "')";
  msg += ' (e.g. ';
  examples.forEach((ex, i) => {
    if (i > 0) msg += ' or ';
    msg += "'" + ex + "', ";
  });
  return msg + "regex used for validation is '" + re + "')";
}

const maxLenError = (n: number): string => `must be no more than ${n} characters`;
const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** validation.IsQualifiedName: the rule for label keys. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push('prefix part ' + m);
  } else {
    return [
      'a qualified name ' +
        regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLen(name) > 63) errs.push('name part ' + maxLenError(63));
  if (!qualifiedNameRe.test(name)) {
    errs.push('name part ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc'));
  }
  return errs;
}

/** validation.IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123LabelRe = new RegExp('^' + dns1123LabelFmt + '$');

/** validation.IsDNS1123Label: namespace and container names. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(value)) errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
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
      if (total > 256 * 1024) errs.push(new FieldError('TooLong', 'metadata.annotations', '', 'may not be more than 262144 bytes'));
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
