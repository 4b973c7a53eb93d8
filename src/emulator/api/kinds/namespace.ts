// Namespace strategy (pkg/registry/core/namespace/strategy.go).

import { FieldError } from '../errors.ts';
import { isDNS1123Label, validateObjectMeta } from '../validation.ts';
import type { Obj } from '../registry.ts';

export const strategy = {
  prepareForCreate(obj: Obj): void {
    obj.spec = { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
    // The namespace name label is set by the apiserver since 1.22.
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  },
  prepareForUpdate(obj: Obj, old: Obj): void {
    obj.spec = old.spec;
    obj.status = old.status;
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  },
  validate(obj: Obj): FieldError[] {
    return validateObjectMeta(obj.metadata, false, isDNS1123Label);
  },
  validateUpdate(obj: Obj): FieldError[] {
    return validateObjectMeta(obj.metadata, false, isDNS1123Label);
  },
  fields(obj: Obj): Record<string, string> {
    return { 'status.phase': obj.status?.phase ?? '' };
  },
};
