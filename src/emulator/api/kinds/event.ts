// core/v1 Event strategy (pkg/registry/core/event/strategy.go): field selectors kubectl describe uses.

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../registry.ts';

export const strategy = {
  validate(obj: Obj): FieldError[] {
    const errs = validateObjectMeta(obj.metadata, true);
    if (obj.involvedObject?.namespace && obj.metadata?.namespace && obj.involvedObject.namespace !== obj.metadata.namespace) {
      errs.push(new FieldError('Invalid', 'involvedObject.namespace', obj.involvedObject.namespace, 'does not match event.namespace'));
    }
    return errs;
  },
  fields(obj: Obj): Record<string, string> {
    const io = obj.involvedObject ?? {};
    return {
      'involvedObject.kind': io.kind ?? '',
      'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '',
      'involvedObject.apiVersion': io.apiVersion ?? '',
      'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '',
      reason: obj.reason ?? '',
      reportingComponent: obj.reportingComponent ?? '',
      source: obj.source?.component ?? '',
      type: obj.type ?? '',
    };
  },
};
