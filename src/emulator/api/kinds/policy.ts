// core/v1 ResourceQuota and LimitRange, policy/v1 PodDisruptionBudget.
// Defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_LimitRangeItem). Validation:
// pkg/apis/core/validation/validation.go (ValidateResourceQuota, ValidateLimitRange),
// pkg/apis/policy/validation/validation.go (ValidatePodDisruptionBudgetSpec).
// Strategies: pkg/registry/core/resourcequota/strategy.go, pkg/registry/policy/poddisruptionbudget/strategy.go.
// Admission (LimitRanger, ResourceQuota, eviction) is not part of these strategies.

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { GoValue, GoFieldError, intOrPercent, validateResourceList, validateSelector } from './common.ts';

// ---- ResourceQuota ----

const SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

function validateQuota(obj: Obj): FieldError[] {
  const errs = [...validateObjectMeta(obj.metadata, true), ...validateResourceList(obj.spec?.hard, 'spec.hard')];
  (obj.spec?.scopes ?? []).forEach((s: string, i: number) => {
    if (!SCOPES.includes(s)) errs.push(new FieldError('NotSupported', `spec.scopes[${i}]`, s, `supported values: ${SCOPES.map((x) => JSON.stringify(x)).join(', ')}`));
  });
  return errs;
}

export const resourceQuota = {
  prepareForCreate(obj: Obj): void {
    obj.spec ??= {};
    obj.status = {};
  },
  validate: validateQuota,
};

// ---- LimitRange ----

const LIMIT_TYPES = ['Container', 'PersistentVolumeClaim', 'Pod'];

export function defaultLimitRange(obj: Obj): void {
  for (const item of obj.spec?.limits ?? []) {
    if (!item || item.type !== 'Container') continue;
    const def: Obj = { ...(item.default ?? {}) };
    for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
    const req: Obj = { ...(item.defaultRequest ?? {}) };
    for (const [k, v] of Object.entries(def)) req[k] ??= v;
    for (const [k, v] of Object.entries(item.min ?? {})) req[k] ??= v;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(req).length) item.defaultRequest = req;
  }
}

export const limitRange = {
  prepareForCreate: defaultLimitRange,
  prepareForUpdate: defaultLimitRange,
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, true);
    const limits = obj.spec?.limits;
    if (!Array.isArray(limits)) {
      errs.push(new FieldError('Required', 'spec.limits', undefined));
      return errs;
    }
    limits.forEach((item: Obj, i: number) => {
      const p = `spec.limits[${i}]`;
      if (!LIMIT_TYPES.includes(item?.type)) errs.push(new FieldError('NotSupported', `${p}.type`, item?.type ?? '', 'supported values: "Container", "PersistentVolumeClaim", "Pod"'));
      for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) errs.push(...validateResourceList(item?.[f], `${p}.${f}`));
      if (item?.type === 'Pod' && (item.default || item.defaultRequest)) {
        errs.push(new FieldError('Forbidden', `${p}.default`, undefined, 'may not be specified when `type` is \'Pod\''));
      }
    });
    return errs;
  },
};

// ---- PodDisruptionBudget ----

function validatePDB(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const spec = obj.spec ?? {};
  const set = (v: unknown) => v !== undefined && v !== null;
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) {
    errs.push(new GoFieldError('Invalid', 'spec', new GoValue('policy.PodDisruptionBudgetSpec{...}'), 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable'), ...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateSelector(spec.selector, 'spec.selector'));
  const up = spec.unhealthyPodEvictionPolicy;
  if (set(up) && up !== 'AlwaysAllow' && up !== 'IfHealthyBudget') {
    errs.push(new FieldError('NotSupported', 'spec.unhealthyPodEvictionPolicy', up, 'supported values: "AlwaysAllow", "IfHealthyBudget"'));
  }
  return errs;
}

export const podDisruptionBudget = {
  prepareForCreate(obj: Obj): void {
    obj.spec ??= {};
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  validate: validatePDB,
};
