// autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscaler, stored once as autoscaling/v2 (the
// storage version) and converted for v1 (pkg/apis/autoscaling/v1/conversion.go: v1's
// targetCPUUtilizationPercentage is v2's Resource cpu Utilization metric).
// Defaulting: pkg/apis/autoscaling/v2/defaults.go (minReplicas 1, 80% CPU when no metrics).
// Validation: pkg/apis/autoscaling/validation/validation.go. Strategy: pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go.

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import type { Obj } from '../objects.ts';

export const DEFAULT_CPU_UTILIZATION = 80;

export function defaultHPA(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.minReplicas ??= 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  const b = spec.behavior;
  if (b && typeof b === 'object') {
    b.scaleUp ??= {};
    b.scaleUp.stabilizationWindowSeconds ??= 0;
    b.scaleUp.selectPolicy ??= 'Max';
    b.scaleUp.policies ??= [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ];
    b.scaleDown ??= {};
    b.scaleDown.stabilizationWindowSeconds ??= 300;
    b.scaleDown.selectPolicy ??= 'Max';
    b.scaleDown.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
}

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function validateHPA(obj: Obj): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, true);
  const spec = obj.spec ?? {};
  const ref = spec.scaleTargetRef ?? {};
  if (!ref.kind) errs.push(new FieldError('Required', 'spec.scaleTargetRef.kind', undefined));
  if (!ref.name) errs.push(new FieldError('Required', 'spec.scaleTargetRef.name', undefined));
  if (spec.minReplicas !== undefined && spec.minReplicas !== null && spec.minReplicas < 1) {
    errs.push(new FieldError('Invalid', 'spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  if (!(spec.maxReplicas >= 1)) errs.push(new FieldError('Invalid', 'spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (typeof spec.minReplicas === 'number' && spec.maxReplicas < spec.minReplicas) {
    errs.push(new FieldError('Invalid', 'spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  (spec.metrics ?? []).forEach((m: Obj, i: number) => {
    const p = `spec.metrics[${i}]`;
    if (!m?.type) errs.push(new FieldError('Required', `${p}.type`, undefined, 'must specify a metric source type'));
    else if (!METRIC_TYPES.includes(m.type)) {
      errs.push(new FieldError('NotSupported', `${p}.type`, m.type, 'supported values: "ContainerResource", "External", "Object", "Pods", "Resource"'));
    } else if (m.type === 'Resource') {
      if (!m.resource) errs.push(new FieldError('Required', `${p}.resource`, undefined, 'must populate information for the given metric source'));
      else {
        if (!m.resource.name) errs.push(new FieldError('Required', `${p}.resource.name`, undefined, 'must specify a resource name'));
        const t = m.resource.target ?? {};
        if (!['AverageValue', 'Utilization', 'Value'].includes(t.type)) {
          errs.push(new FieldError('NotSupported', `${p}.resource.target.type`, t.type ?? '', 'supported values: "AverageValue", "Utilization", "Value"'));
        } else if (t.type === 'Utilization' && !(t.averageUtilization > 0)) {
          errs.push(new FieldError('Invalid', `${p}.resource.target.averageUtilization`, t.averageUtilization ?? 0, 'must be greater than 0'));
        }
      }
    }
  });
  return errs;
}

export const hpa = {
  prepareForCreate(obj: Obj): void {
    defaultHPA(obj);
    obj.status = { desiredReplicas: 0 };
  },
  prepareForUpdate(obj: Obj): void {
    defaultHPA(obj);
  },
  validate: validateHPA,
};

const cpuUtilization = (metrics: Obj[] | undefined, target: boolean): number | undefined => {
  for (const m of metrics ?? []) {
    if (m?.type !== 'Resource' || m.resource?.name !== 'cpu') continue;
    const v = target ? (m.resource.target?.type === 'Utilization' ? m.resource.target.averageUtilization : undefined) : m.resource.current?.averageUtilization;
    if (v !== undefined) return v;
  }
  return undefined;
};

/** autoscaling/v1 to the stored autoscaling/v2. */
export function hpaV1ToV2(o: Obj): Obj {
  const { spec = {}, status, ...rest } = o;
  const { targetCPUUtilizationPercentage: target, ...s } = spec;
  const out: Obj = { ...rest, apiVersion: 'autoscaling/v2', spec: { ...s } };
  if (target !== undefined && target !== null) {
    out.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
  }
  if (status) {
    const { currentCPUUtilizationPercentage: cur, ...st } = status;
    out.status = { ...st };
    if (cur !== undefined && cur !== null) out.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }];
  }
  return out;
}

/** The stored autoscaling/v2 as autoscaling/v1. */
export function hpaV2ToV1(o: Obj): Obj {
  const { spec = {}, status, ...rest } = o;
  const { metrics, behavior: _b, ...s } = spec;
  const out: Obj = { ...rest, apiVersion: 'autoscaling/v1', spec: { ...s } };
  const target = cpuUtilization(metrics, true);
  if (target !== undefined) out.spec.targetCPUUtilizationPercentage = target;
  if (status) {
    const { currentMetrics, conditions: _c, ...st } = status;
    out.status = { currentReplicas: 0, ...st };
    const cur = cpuUtilization(currentMetrics, false);
    if (cur !== undefined) out.status.currentCPUUtilizationPercentage = cur;
  }
  return out;
}
