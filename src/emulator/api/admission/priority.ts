// Priority (plugin/pkg/admission/priority/admission.go): a pod's spec.priorityClassName resolves to
// spec.priority and spec.preemptionPolicy; without one, the globalDefault class (the lowest-valued
// if several), else priority 0 and PreemptLowerPriority. An unknown class is 403, and so is a
// priority or preemptionPolicy in the pod spec that differs from the class's. PriorityClasses:
// only one may be globalDefault.
//
// Also the scheduling.k8s.io/v1 PriorityClass strategy (pkg/apis/scheduling/validation,
// pkg/apis/scheduling/v1/defaults.go) and the two system classes kube-apiserver creates at start
// (pkg/registry/scheduling/rest/storage_scheduling.go, pkg/apis/scheduling/types.go).

import type { APIServer } from '../apiserver.ts';
import { ApiError, FieldError } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { validateObjectMeta } from '../validation.ts';
import { forbidden, type Attributes, type Plugin } from './attributes.ts';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PREFIX = 'system-';

export const SYSTEM_PRIORITY_CLASSES: Obj[] = [
  {
    metadata: { name: 'system-node-critical' },
    value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    metadata: { name: 'system-cluster-critical' },
    value: 2_000_000_000,
    description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

function validatePreemptionPolicy(p: unknown): FieldError[] {
  if (p === undefined || p === null || PREEMPTION_POLICIES.includes(p as string)) return [];
  return [new FieldError('NotSupported', 'preemptionPolicy', p, 'supported values: "Never", "PreemptLowerPriority"')];
}

/** IsKnownSystemPriorityClass's error, or undefined. */
function systemClassError(pc: Obj): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((s) => s.metadata.name === pc.metadata?.name);
  if (!spc) return `${pc.metadata?.name} is not a known system priority class`;
  if (spc.value !== pc.value) return `value of ${spc.metadata.name} PriorityClass must be ${spc.value}`;
  if (pc.globalDefault === true) return `globalDefault of ${spc.metadata.name} PriorityClass must be false`;
  return undefined;
}

function validatePriorityClass(pc: Obj): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false);
  if (pc.value !== undefined && !Number.isInteger(pc.value)) errs.push(new FieldError('Invalid', 'value', pc.value, 'must be an integer'));
  const name = String(pc.metadata?.name ?? '');
  if (name.startsWith(SYSTEM_PREFIX)) {
    const err = systemClassError(pc);
    if (err) errs.push(new FieldError('Forbidden', 'metadata.name', undefined, `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${err}`));
  } else if (typeof pc.value === 'number' && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(new FieldError('Forbidden', 'value', undefined, `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy));
  return errs;
}

function defaultPriorityClass(pc: Obj): void {
  pc.value ??= 0;
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}

/** The strategy of scheduling.k8s.io/v1 PriorityClass (pkg/registry/scheduling/priorityclass/strategy.go). */
export const priorityClassStrategy = {
  prepareForCreate: defaultPriorityClass,
  prepareForUpdate(pc: Obj): void {
    defaultPriorityClass(pc);
  },
  validate: validatePriorityClass,
  validateUpdate(pc: Obj, old: Obj): FieldError[] {
    const errs = validateObjectMeta(pc.metadata, false);
    if (pc.value !== old.value) errs.push(new FieldError('Forbidden', 'value', undefined, 'may not be changed in an update.'));
    if ((pc.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) {
      errs.push(new FieldError('Invalid', 'preemptionPolicy', pc.preemptionPolicy ?? null, 'field is immutable'));
    }
    return errs;
  },
};

/** The system classes, created when missing (the scheduling bootstrap post-start hook). */
export async function bootstrapPriorityClasses(api: APIServer): Promise<void> {
  const def = api.resource('priorityclasses.scheduling.k8s.io');
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    if (await api.tryGet(def, undefined, pc.metadata.name)) continue;
    try {
      await api.create(def, undefined, structuredClone(pc));
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
}

async function defaultClass(api: APIServer): Promise<Obj | undefined> {
  let best: Obj | undefined;
  for (const pc of (await api.list(api.resource('priorityclasses.scheduling.k8s.io'), undefined)).items) {
    if (pc.globalDefault === true && (!best || pc.value < best.value)) best = pc;
  }
  return best;
}

async function admitPod(a: Attributes): Promise<void> {
  const pod = a.object!;
  const spec = pod.spec;
  if (a.operation === 'UPDATE') {
    // Priority is set on create and kept on update.
    const old = a.oldObject?.spec ?? {};
    if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
    if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  let value: number;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const dpc = await defaultClass(a.api);
    value = dpc?.value ?? 0;
    policy = dpc ? (dpc.preemptionPolicy ?? 'PreemptLowerPriority') : 'PreemptLowerPriority';
    if (dpc) spec.priorityClassName = dpc.metadata.name;
  } else {
    const pc = await a.api.tryGet(a.api.resource('priorityclasses.scheduling.k8s.io'), undefined, spec.priorityClassName);
    if (!pc) throw forbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
    value = pc.value ?? 0;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    throw forbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
  }
  spec.priority = value;
  if (policy) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
      throw forbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

async function validateClass(a: Attributes): Promise<void> {
  const pc = a.object!;
  if (pc.globalDefault !== true) return;
  const dpc = await defaultClass(a.api);
  if (dpc && (a.operation === 'CREATE' || dpc.metadata.name !== pc.metadata?.name)) {
    throw forbidden(a, `PriorityClass ${dpc.metadata.name} is already marked as default. Only one default can exist`);
  }
}

export const priority: Plugin = {
  name: 'Priority',
  async admit(a) {
    if (a.subresource !== '' || !a.object) return;
    if (a.def.group === '' && a.def.resource === 'pods' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
      if (a.object.spec && typeof a.object.spec === 'object') await admitPod(a);
    }
  },
  async validate(a) {
    if (a.subresource !== '' || !a.object) return;
    if (a.def.group === 'scheduling.k8s.io' && a.def.resource === 'priorityclasses' && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
      await validateClass(a);
    }
  },
};
