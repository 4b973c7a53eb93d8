// core/v1 ConfigMap, Secret and ServiceAccount.
// Defaulting and conversion: pkg/apis/core/v1/defaults.go (SetDefaults_Secret: type Opaque),
// pkg/apis/core/v1/conversion.go (Convert_v1_Secret_To_core_Secret: stringData merged into data).
// Validation: pkg/apis/core/validation/validation.go (ValidateConfigMap*, ValidateSecret*,
// ValidateServiceAccount). Field selectors: pkg/registry/core/secret/strategy.go (type).

import { badRequest, FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { equal, isConfigMapKey } from './common.ts';

/** api.MaxSecretSize: 1 MiB for a Secret's data and a ConfigMap's data and binaryData. */
export const MAX_SECRET_SIZE = 1024 * 1024;
const tooLong = (field: string) => new FieldError('TooLong', field, '', `may not be more than ${MAX_SECRET_SIZE} bytes`);

// ---- ConfigMap ----

function validateConfigMap(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const data: Obj = obj.data && typeof obj.data === 'object' ? obj.data : {};
  const bin: Obj = obj.binaryData && typeof obj.binaryData === 'object' ? obj.binaryData : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(new FieldError('Invalid', `data[${k}]`, k, m));
    if (k in bin) errs.push(new FieldError('Invalid', `data[${k}]`, k, 'duplicate of key present in binaryData'));
    if (typeof v !== 'string') errs.push(new FieldError('Invalid', `data[${k}]`, v, 'must be a string'));
    total += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(bin)) {
    for (const m of isConfigMapKey(k)) errs.push(new FieldError('Invalid', `binaryData[${k}]`, k, m));
    if (k in data) errs.push(new FieldError('Invalid', `binaryData[${k}]`, k, 'duplicate of key present in data'));
    total += Buffer.from(String(v), 'base64').length;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong(''));
  return errs;
}

function immutableWhenSet(obj: Obj, old: Obj, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable !== true) return errs;
  if (obj.immutable !== true) errs.push(new FieldError('Forbidden', 'immutable', undefined, 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!equal(obj[f] ?? {}, old[f] ?? {})) errs.push(new FieldError('Forbidden', f, undefined, 'field is immutable when `immutable` is set'));
  return errs;
}

export const configMap = {
  validate: validateConfigMap,
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return [...validateConfigMap(obj), ...immutableWhenSet(obj, old, ['data', 'binaryData'])];
  },
};

// ---- Secret ----

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Convert_v1_Secret_To_core_Secret and SetDefaults_Secret: stringData wins over data; type Opaque. */
export function defaultSecret(obj: Obj): void {
  obj.type ??= 'Opaque';
  if (obj.data && typeof obj.data === 'object') {
    for (const v of Object.values(obj.data as Obj)) {
      const s = String(v ?? '');
      if (!B64.test(s) || s.length % 4 !== 0) {
        const at = s.search(/[^A-Za-z0-9+/=]/);
        throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at >= 0 ? at : Math.floor(s.length / 4) * 4}`);
      }
    }
  }
  if (obj.stringData && typeof obj.stringData === 'object') {
    obj.data = { ...(obj.data ?? {}) };
    for (const [k, v] of Object.entries(obj.stringData as Obj)) obj.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete obj.stringData;
}

const TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function validateSecret(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const data: Obj = obj.data && typeof obj.data === 'object' ? obj.data : {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(new FieldError('Invalid', `data[${k}]`, k, m));
    total += Buffer.from(String(v ?? ''), 'base64').length;
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data'));
  const type = String(obj.type ?? '');
  for (const key of TYPE_KEYS[type] ?? []) if (!(key in data)) errs.push(new FieldError('Required', `data[${key}]`, undefined));
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata?.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(new FieldError('Required', 'metadata.annotations[kubernetes.io/service-account.name]', undefined));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(new FieldError('Required', 'data[username]', undefined));
  }
  return errs;
}

export const secret = {
  prepareForCreate: defaultSecret,
  prepareForUpdate: defaultSecret,
  validate: validateSecret,
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = validateSecret(obj);
    if (obj.type !== old.type) errs.push(new FieldError('Invalid', 'type', obj.type, 'field is immutable'));
    return [...errs, ...immutableWhenSet(obj, old, ['data'])];
  },
  fields(obj: Obj): Record<string, string> {
    return { type: String(obj.type ?? '') };
  },
};

// ---- ServiceAccount ----

export const serviceAccount = {
  validate(obj: Obj): FieldError[] {
    return validateObjectMeta(obj.metadata, true);
  },
};
