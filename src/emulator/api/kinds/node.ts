// Node strategy (pkg/registry/core/node/strategy.go).

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../registry.ts';

export const strategy = {
  prepareForCreate(obj: Obj): void {
    obj.spec ??= {};
  },
  prepareForUpdate(obj: Obj, old: Obj): void {
    obj.status = old.status;
  },
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, false);
    const taints = obj.spec?.taints;
    if (Array.isArray(taints)) {
      taints.forEach((t: Obj, i: number) => {
        if (!t?.key) errs.push(new FieldError('Required', `spec.taints[${i}].key`, undefined));
        if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t?.effect)) {
          errs.push(new FieldError('NotSupported', `spec.taints[${i}].effect`, t?.effect, 'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'));
        }
      });
    }
    return errs;
  },
  fields(obj: Obj): Record<string, string> {
    return { 'spec.unschedulable': String(obj.spec?.unschedulable ?? false) };
  },
};
