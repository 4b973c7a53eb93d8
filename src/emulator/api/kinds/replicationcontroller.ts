// core/v1 ReplicationController and PodTemplate.
// Defaulting: pkg/apis/core/v1/defaults.go (SetDefaults_ReplicationController: selector and labels
// from the template, replicas 1). Validation: pkg/apis/core/validation/validation.go
// (ValidateReplicationControllerSpec, ValidatePodTemplateSpecForRC, ValidatePodTemplate).
// Strategy: pkg/registry/core/replicationcontroller/strategy.go (status.replicas field selector).

import { FieldError } from '../errors.ts';
import { matchesLabels, type Requirement } from '../selectors.ts';
import { validateLabels, validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';
import { alwaysRestart, defaultTemplate, goStringMap, invalidGo, nonNegative, validateTemplate } from './common.ts';

export function defaultReplicationController(obj: Obj): void {
  const spec = (obj.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels && typeof labels === 'object') {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
}

function validateSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  const errs = nonNegative(spec.minReadySeconds, 'spec.minReadySeconds');
  const sel = spec.selector ?? {};
  if (Object.keys(sel).length === 0) errs.push(new FieldError('Required', 'spec.selector', undefined));
  else errs.push(...validateLabels(sel, 'spec.selector'));
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!spec.template) errs.push(new FieldError('Required', 'spec.template', undefined));
  else {
    if (Object.keys(sel).length) {
      const reqs: Requirement[] = Object.entries(sel).map(([key, v]) => ({ key, operator: 'Equals', values: [String(v)] }) as unknown as Requirement);
      if (!matchesLabels(reqs, spec.template.metadata?.labels)) {
        errs.push(invalidGo('spec.template.metadata.labels', goStringMap(spec.template.metadata?.labels), '`selector` does not match template `labels`'));
      }
    }
    errs.push(...validateTemplate(spec.template, 'spec.template'), ...alwaysRestart(spec.template, 'spec.template', 'ReplicationController'));
  }
  return errs;
}

export const replicationController = {
  prepareForCreate(obj: Obj): void {
    defaultReplicationController(obj);
    obj.status = { replicas: 0 };
  },
  prepareForUpdate(obj: Obj): void {
    defaultReplicationController(obj);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateSpec(obj.spec)];
  },
  fields(obj: Obj): Record<string, string> {
    return { 'status.replicas': String(obj.status?.replicas ?? 0) };
  },
};

export const podTemplate = {
  prepareForCreate(obj: Obj): void {
    obj.template ??= {};
    defaultTemplate(obj.template);
  },
  prepareForUpdate(obj: Obj): void {
    obj.template ??= {};
    defaultTemplate(obj.template);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateTemplate(obj.template, 'template')];
  },
};
