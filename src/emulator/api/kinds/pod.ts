// Pod strategy: defaulting (pkg/apis/core/v1/defaults.go), create/update validation
// (pkg/apis/core/validation/validation.go), field selectors (pkg/registry/core/pod/strategy.go).

import { FieldError } from '../errors.ts';
import { isDNS1123Label, isQualifiedName, validateObjectMeta } from '../validation.ts';
import type { Obj, StrategyContext } from '../registry.ts';
import { clone, jsonEqual } from '../objects.ts';
import { enumErrors } from './enums.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

/** imagePullPolicy defaults to Always for :latest or untagged images, else IfNotPresent. */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): void {
  if (typeof c.image === 'string' && !c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // Limits without requests default the requests (SetDefaults_ResourceRequirements via the pod).
  if (c.resources.limits && typeof c.resources.limits === 'object') {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(c.resources.limits)) c.resources.requests[k] ??= v;
  }
  if (Array.isArray(c.ports)) for (const p of c.ports) if (p && typeof p === 'object') p.protocol ??= 'TCP';
}

/** Defaults a PodSpec as the apiserver does; shared with workload templates. */
export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) if (c && typeof c === 'object') defaultContainer(c);
}

/**
 * The v1 conversion of the deprecated spec.serviceAccount: read as serviceAccountName when that is
 * empty, and written back as its copy. The admission plug-ins that touch every pod
 * (ServiceAccount, Priority, DefaultTolerationSeconds, LimitRanger) live in api/admission/.
 */
function convertServiceAccount(spec: Obj): void {
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
}

/** QoS class (pkg/apis/core/helper/qos/qos.go). */
export function qosClass(spec: Obj): string {
  const cs: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function validateContainers(list: unknown, path: string, required: boolean, init = false): FieldError[] {
  const errs: FieldError[] = [];
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    if (required) errs.push(new FieldError('Required', path, undefined));
    return errs;
  }
  if (!Array.isArray(list)) return [new FieldError('Invalid', path, list, 'must be a list of containers')];
  const names = new Set<string>();
  list.forEach((c: Obj, i) => {
    const p = `${path}[${i}]`;
    if (!c || typeof c !== 'object') {
      errs.push(new FieldError('Invalid', p, c, 'must be an object'));
      return;
    }
    if (!c.name) errs.push(new FieldError('Required', `${p}.name`, undefined));
    else {
      for (const m of isDNS1123Label(String(c.name))) errs.push(new FieldError('Invalid', `${p}.name`, c.name, m));
      if (names.has(c.name)) errs.push(new FieldError('Duplicate', `${p}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image || (typeof c.image === 'string' && c.image.trim() === '')) errs.push(new FieldError('Required', `${p}.image`, undefined));
    if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      errs.push(new FieldError('NotSupported', `${p}.imagePullPolicy`, c.imagePullPolicy, `supported values: "Always", "IfNotPresent", "Never"`));
    }
    // validateContainers / validateInitContainers: only a sidecar (init container) has a restartPolicy.
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (!init) errs.push(new FieldError('Forbidden', `${p}.restartPolicy`, undefined, 'may not be set for non-init containers'));
      else if (c.restartPolicy !== 'Always') errs.push(new FieldError('NotSupported', `${p}.restartPolicy`, c.restartPolicy, 'supported values: "Always"'));
    }
    if (Array.isArray(c.ports)) {
      c.ports.forEach((port: Obj, j: number) => {
        const cp = port?.containerPort;
        if (cp === undefined) errs.push(new FieldError('Required', `${p}.ports[${j}].containerPort`, undefined));
        else if (!Number.isInteger(cp) || cp < 1 || cp > 65535) {
          errs.push(new FieldError('Invalid', `${p}.ports[${j}].containerPort`, cp, 'must be between 1 and 65535, inclusive'));
        }
      });
    }
  });
  return errs;
}

export function validatePodSpec(spec: Obj | undefined, path = 'spec'): FieldError[] {
  if (!spec || typeof spec !== 'object') return [new FieldError('Required', path, undefined)];
  const errs = [
    ...validateContainers(spec.containers, `${path}.containers`, true),
    ...validateContainers(spec.initContainers, `${path}.initContainers`, false, true),
  ];
  if (spec.restartPolicy && !RESTART_POLICIES.includes(spec.restartPolicy)) {
    errs.push(new FieldError('NotSupported', `${path}.restartPolicy`, spec.restartPolicy, `supported values: "Always", "OnFailure", "Never"`));
  }
  // The enum fields of the spec, its containers, tolerations, volumes, probes, ... (dnsPolicy,
  // terminationMessagePolicy, tolerations[*].operator, ...), as validation.go's ValidatePodSpec checks them.
  errs.push(...enumErrors('io.k8s.api.core.v1.PodSpec', spec, path));
  return errs;
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function stripMutable(spec: Obj): Obj {
  const s = clone(spec);
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) if (c) delete c.image;
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.schedulingGates;
  return s;
}

/** validateSchedulingGates (create) and validateOnlyDeletedSchedulingGates (update). */
function validateSchedulingGates(spec: Obj | undefined, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const gates: Obj[] = Array.isArray(spec?.schedulingGates) ? spec.schedulingGates : [];
  if (!old) {
    const seen = new Set<string>();
    gates.forEach((g, i) => {
      const name = String(g?.name ?? '');
      for (const m of isQualifiedName(name)) errs.push(new FieldError('Invalid', `spec.schedulingGates[${i}].name`, name, m));
      if (seen.has(name)) errs.push(new FieldError('Duplicate', `spec.schedulingGates[${i}].name`, name));
      seen.add(name);
    });
    if (gates.length && spec?.nodeName) errs.push(new FieldError('Forbidden', 'spec.nodeName', undefined, 'cannot be set until all schedulingGates have been cleared'));
    return errs;
  }
  const had = new Set(((old.spec?.schedulingGates ?? []) as Obj[]).map((g) => g?.name));
  gates.forEach((g, i) => {
    if (!had.has(g?.name)) errs.push(new FieldError('Forbidden', `spec.schedulingGates[${i}].name`, undefined, `only deletion is allowed, but found new scheduling gate '${g?.name}'`));
  });
  return errs;
}

export const strategy = {
  generation: false,
  /** Decode-time defaulting, before the admission plug-ins see the pod. */
  default(obj: Obj): void {
    obj.spec ??= {};
    if (typeof obj.spec !== 'object') return;
    defaultPodSpec(obj.spec);
    convertServiceAccount(obj.spec);
  },
  prepareForCreate(obj: Obj, _ctx: StrategyContext): void {
    obj.spec ??= {};
    defaultPodSpec(obj.spec);
    convertServiceAccount(obj.spec);
    obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec) };
    // applySchedulingGatedCondition: a gated pod says why it waits.
    if (Array.isArray(obj.spec.schedulingGates) && obj.spec.schedulingGates.length) {
      obj.status.conditions = [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: null, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' }];
    }
  },
  prepareForUpdate(obj: Obj, old: Obj): void {
    obj.status = old.status;
    if (obj.spec) {
      defaultPodSpec(obj.spec);
      obj.spec.serviceAccountName ??= old.spec?.serviceAccountName;
      obj.spec.serviceAccount ??= old.spec?.serviceAccount;
      obj.spec.nodeName ??= old.spec?.nodeName;
    }
  },
  validate(obj: Obj): FieldError[] {
    return [...validateObjectMeta(obj.metadata, true), ...validatePodSpec(obj.spec), ...validateSchedulingGates(obj.spec)];
  },
  validateUpdate(obj: Obj, old: Obj): FieldError[] {
    // The stored spec itself (a status write, or an update that keeps it: objects are frozen and
    // shared) was validated when it was written; status writes validate no spec at all
    // (ValidatePodStatusUpdate), so only a new spec is walked again.
    const errs = [...validateObjectMeta(obj.metadata, true), ...(obj.spec === old.spec ? [] : validatePodSpec(obj.spec))];
    if (errs.length) return errs;
    if (obj.spec !== old.spec) errs.push(...validateSchedulingGates(obj.spec, old));
    if (obj.spec !== old.spec && !jsonEqual(stripMutable(obj.spec), stripMutable(old.spec))) {
      errs.push(new FieldError('Forbidden', 'spec', undefined, POD_UPDATE_FORBIDDEN));
    }
    return errs;
  },
  fields(obj: Obj): Record<string, string> {
    return {
      'spec.nodeName': obj.spec?.nodeName ?? '',
      'spec.restartPolicy': obj.spec?.restartPolicy ?? '',
      'spec.schedulerName': obj.spec?.schedulerName ?? '',
      'spec.serviceAccountName': obj.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(obj.spec?.hostNetwork ?? false),
      'status.phase': obj.status?.phase ?? '',
      'status.podIP': obj.status?.podIP ?? '',
      'status.nominatedNodeName': obj.status?.nominatedNodeName ?? '',
    };
  },
  gracefulDelete(obj: Obj, requested?: number): number | undefined {
    // pkg/registry/core/pod/strategy.go CheckGracefulDelete: the request's period, else the pod's;
    // whatever was asked, an unscheduled pod (no kubelet to wait for) and a finished one go at once.
    if (!obj.spec?.nodeName) return 0;
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    return requested ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
  },
};
