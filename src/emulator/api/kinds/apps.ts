// apps/v1: Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision.
// Defaulting: pkg/apis/apps/v1/defaults.go. Validation: pkg/apis/apps/validation/validation.go.
// Strategies (status reset on create, selector immutability, field selectors):
// pkg/registry/apps/{deployment,replicaset,daemonset,statefulset,controllerrevision}/strategy.go.
// Stored, defaulted and validated only: the controllers that act on them live elsewhere.

import { FieldError } from '../errors.ts';
import { validateObjectMeta } from '../validation.ts';
import { jsonEqual, type Obj } from '../objects.ts';
import {
  alwaysRestart,
  defaultTemplate,
  goLabelSelector,
  immutable,
  intOrPercent,
  isZeroIntOrPercent,
  nonNegative,
  validateTemplate,
  validateWorkloadSelector,
} from './common.ts';
import { defaultPVC } from './storage.ts';

const selectorImmutable = (obj: Obj, old: Obj): FieldError[] =>
  immutable(obj.spec?.selector, old.spec?.selector, 'spec.selector', (s) => goLabelSelector(s));

// ---- Deployment ----

export function defaultDeployment(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  const st = (spec.strategy ??= {});
  st.type ??= 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    const ru = (st.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultTemplate(spec.template);
}

function validateRollingUpdate(ru: Obj | undefined, path: string): FieldError[] {
  if (!ru) return [];
  const errs = [...intOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`), ...intOrPercent(ru.maxSurge, `${path}.maxSurge`, false)];
  if (isZeroIntOrPercent(ru.maxUnavailable) && isZeroIntOrPercent(ru.maxSurge)) {
    errs.push(new FieldError('Invalid', `${path}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

function validateDeploymentSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  const errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...validateWorkloadSelector(spec, 'spec', 'deployment')];
  errs.push(...validateTemplate(spec.template, 'spec.template'), ...alwaysRestart(spec.template, 'spec.template'));
  const st = spec.strategy ?? {};
  if (st.type !== 'RollingUpdate' && st.type !== 'Recreate') {
    errs.push(new FieldError('NotSupported', 'spec.strategy.type', st.type ?? '', 'supported values: "Recreate", "RollingUpdate"'));
  } else if (st.type === 'Recreate' && st.rollingUpdate) {
    errs.push(new FieldError('Forbidden', 'spec.strategy.rollingUpdate', undefined, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (st.type === 'RollingUpdate') errs.push(...validateRollingUpdate(st.rollingUpdate, 'spec.strategy.rollingUpdate'));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(new FieldError('Invalid', 'spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deployment = {
  prepareForCreate(obj: Obj): void {
    defaultDeployment(obj);
    obj.status = {};
  },
  prepareForUpdate(obj: Obj, old: Obj): void {
    defaultDeployment(obj);
    // deployment/strategy.go PrepareForUpdate: annotations are copied to the ReplicaSets, so a
    // change to them bumps the generation as a spec change does (spec changes: apiserver.ts).
    // Other apps kinds bump on spec changes only (their strategies' TODO on labels and annotations).
    if (!jsonEqual(obj.metadata?.annotations ?? {}, old.metadata?.annotations ?? {})) obj.metadata.generation = (old.metadata?.generation ?? 0) + 1;
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateDeploymentSpec(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateDeploymentSpec(obj.spec), ...selectorImmutable(obj, old)];
  },
};

// ---- ReplicaSet ----

export function defaultReplicaSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.replicas ??= 1;
  defaultTemplate(spec.template);
}

function validateReplicaSetSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    // Upstream's ReplicaSet check says "deployment" too.
    ...validateWorkloadSelector(spec, 'spec', 'deployment'),
    ...validateTemplate(spec.template, 'spec.template'),
    ...alwaysRestart(spec.template, 'spec.template'),
  ];
}

export const replicaSet = {
  prepareForCreate(obj: Obj): void {
    defaultReplicaSet(obj);
    obj.status = { replicas: 0 };
  },
  prepareForUpdate(obj: Obj): void {
    defaultReplicaSet(obj);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateReplicaSetSpec(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateReplicaSetSpec(obj.spec), ...selectorImmutable(obj, old)];
  },
  fields(obj: Obj): Record<string, string> {
    return { 'status.replicas': String(obj.status?.replicas ?? 0) };
  },
};

// ---- DaemonSet ----

export function defaultDaemonSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
}

function validateDaemonSetSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  const errs = [
    ...validateWorkloadSelector(spec, 'spec', 'daemonset'),
    ...validateTemplate(spec.template, 'spec.template'),
    ...alwaysRestart(spec.template, 'spec.template', 'DaemonSet'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const us = spec.updateStrategy ?? {};
  if (us.type !== 'RollingUpdate' && us.type !== 'OnDelete') {
    errs.push(new FieldError('NotSupported', 'spec.updateStrategy.type', us.type ?? '', 'supported values: "OnDelete", "RollingUpdate"'));
  } else if (us.type === 'RollingUpdate') errs.push(...validateRollingUpdate(us.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
  return errs;
}

/**
 * The internal spec.templateGeneration, which apps/v1 carries in this annotation (apps/v1
 * conversion.go): set to 1 on create unless given higher, kept on update, and raised with the
 * generation when the template changes (daemonset/strategy.go).
 */
export const DEPRECATED_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function templateGeneration(obj: Obj): number {
  const v = obj.metadata?.annotations?.[DEPRECATED_TEMPLATE_GENERATION];
  return typeof v === 'string' && /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

function setTemplateGeneration(obj: Obj, n: number): void {
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [DEPRECATED_TEMPLATE_GENERATION]: String(n) };
}

export const daemonSet = {
  prepareForCreate(obj: Obj): void {
    defaultDaemonSet(obj);
    obj.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    setTemplateGeneration(obj, Math.max(1, templateGeneration(obj)));
  },
  prepareForUpdate(obj: Obj, old: Obj): void {
    defaultDaemonSet(obj);
    const previous = templateGeneration(old);
    setTemplateGeneration(obj, jsonEqual(obj.spec?.template, old.spec?.template) ? previous : previous + 1);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateDaemonSetSpec(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateDaemonSetSpec(obj.spec), ...selectorImmutable(obj, old)];
  },
};

// ---- StatefulSet ----

export function defaultStatefulSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.podManagementPolicy ??= 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  us.type ??= 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    us.rollingUpdate ??= {};
    us.rollingUpdate.partition ??= 0;
  }
  const pr = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  pr.whenDeleted ??= 'Retain';
  pr.whenScaled ??= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultTemplate(spec.template);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    for (const t of spec.volumeClaimTemplates) {
      if (!t || typeof t !== 'object') continue;
      t.apiVersion ??= 'v1';
      t.kind ??= 'PersistentVolumeClaim';
      defaultPVC(t);
      t.status ??= { phase: 'Pending' };
    }
  }
}

function validateStatefulSetSpec(spec: Obj | undefined): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', 'spec', undefined)];
  const errs: FieldError[] = [];
  if (spec.podManagementPolicy !== 'OrderedReady' && spec.podManagementPolicy !== 'Parallel') {
    errs.push(new FieldError('NotSupported', 'spec.podManagementPolicy', spec.podManagementPolicy ?? '', 'supported values: "OrderedReady", "Parallel"'));
  }
  const us = spec.updateStrategy ?? {};
  if (us.type !== 'RollingUpdate' && us.type !== 'OnDelete') {
    errs.push(new FieldError('NotSupported', 'spec.updateStrategy.type', us.type ?? '', 'supported values: "OnDelete", "RollingUpdate"'));
  } else if (us.type === 'OnDelete' && us.rollingUpdate) {
    errs.push(new FieldError('Invalid', 'spec.updateStrategy.rollingUpdate', null, "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (us.type === 'RollingUpdate') errs.push(...nonNegative(us.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  errs.push(
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateWorkloadSelector(spec, 'spec', 'statefulset'),
    ...validateTemplate(spec.template, 'spec.template'),
    ...alwaysRestart(spec.template, 'spec.template', 'StatefulSet'),
  );
  return errs;
}

const STS_UPDATE_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export const statefulSet = {
  prepareForCreate(obj: Obj): void {
    defaultStatefulSet(obj);
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate(obj: Obj): void {
    defaultStatefulSet(obj);
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validateStatefulSetSpec(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    const errs = [...validateObjectMeta(obj.metadata, true), ...validateStatefulSetSpec(obj.spec)];
    const strip = (s: Obj | undefined) => {
      const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, ...rest } = s ?? {};
      return rest;
    };
    if (immutable(strip(obj.spec), strip(old.spec), 'spec').length) errs.push(new FieldError('Forbidden', 'spec', undefined, STS_UPDATE_FORBIDDEN));
    return errs;
  },
};

// ---- ControllerRevision ----

export const controllerRevision = {
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...nonNegative(obj.revision, 'revision')];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...nonNegative(obj.revision, 'revision'), ...immutable(obj.data, old.data, 'data')];
  },
};
