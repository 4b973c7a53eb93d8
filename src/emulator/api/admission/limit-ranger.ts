// LimitRanger (plugin/pkg/admission/limitranger/admission.go): the namespace's LimitRanges default
// containers' requests and limits (Admit, with the kubernetes.io/limit-ranger annotation) and
// enforce min, max and maxLimitRequestRatio per Container and per Pod, and min/max storage per
// PersistentVolumeClaim (Validate). Pods are checked on create only (their resources are
// immutable); subresources are not checked.

import type { Obj } from '../objects.ts';
import { parseResourceList, Quantity, type ResourceList } from '../quantity.ts';
import { forbidden, type Attributes, type Plugin } from './attributes.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';


function supports(a: Attributes): boolean {
  if (a.subresource !== '' || a.def.group !== '') return false;
  if (a.def.resource === 'pods') return a.operation === 'CREATE';
  return a.def.resource === 'persistentvolumeclaims' && (a.operation === 'CREATE' || a.operation === 'UPDATE');
}

async function limitRanges(a: Attributes): Promise<Obj[]> {
  if (a.oldObject?.metadata?.deletionTimestamp) return []; // objects being deleted are ignored
  return (await a.api.list(a.api.resource('limitranges'), a.namespace)).items;
}

const containersOf = (pod: Obj): Obj[] => (Array.isArray(pod.spec?.containers) ? pod.spec.containers : []).filter((c: unknown) => c && typeof c === 'object');
const initContainersOf = (pod: Obj): Obj[] => (Array.isArray(pod.spec?.initContainers) ? pod.spec.initContainers : []).filter((c: unknown) => c && typeof c === 'object');

// ---- Admit: defaults ----

/** defaultContainerResourceRequirements: the Container items' defaultRequest and default. */
function defaults(lr: Obj): { requests: Obj; limits: Obj } {
  const requests: Obj = {};
  const limits: Obj = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item?.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  return { requests, limits };
}

/** mergeContainerResources: fills what the container lacks and says so in the annotation. */
function mergeContainer(c: Obj, d: { requests: Obj; limits: Obj }, prefix: string, notes: string[]): void {
  const res: Obj = (c.resources ??= {});
  const limits: Obj = (res.limits ??= {});
  const requests: Obj = (res.requests ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(d.limits)) {
    if (!(k in limits)) {
      limits[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(d.requests)) {
    if (!(k in requests)) {
      requests[k] = v;
      setRequests.push(k);
    }
  }
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  // The API drops empty maps when it serialises.
  if (!Object.keys(limits).length) delete res.limits;
  if (!Object.keys(requests).length) delete res.requests;
}

function mutatePod(lr: Obj, pod: Obj): void {
  const d = defaults(lr);
  const notes: string[] = [];
  for (const c of containersOf(pod)) mergeContainer(c, d, 'container', notes);
  for (const c of initContainersOf(pod)) mergeContainer(c, d, 'init container', notes);
  if (notes.length) {
    pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

// ---- Validate: min, max, ratio ----

/** requestLimitEnforcedValues: milli-values unless one would overflow int64 milli. */
function enforcedValues(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const MAX_MILLI = 9223372036854775807n / 1000n;
  const zero = Quantity.zero();
  const r = req ?? zero;
  const l = lim ?? zero;
  if (r.value() <= MAX_MILLI && l.value() <= MAX_MILLI && enforced.value() <= MAX_MILLI) return [r.milli(), l.milli(), enforced.milli()];
  return [r.value(), l.value(), enforced.value()];
}

function minConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, request: ResourceList): string | undefined {
  const req = request[name];
  const [r, , e] = enforcedValues(req, undefined, enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = enforcedValues(req, lim, enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  if (req && r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const [r, l] = enforcedValues(req, lim, enforced);
  if (!req || r === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`;
  if (!lim || l === 0n) return `${name} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`;
  const observed = Number(l) / Number(r);
  const MAX_MILLI = 9223372036854775807n / 1000n;
  const small = enforced.value() <= MAX_MILLI;
  const ratio = small ? observed * 1000 : observed;
  const max = Number(small ? enforced.milli() : enforced.value());
  // Go's %f: six decimals.
  if (ratio > max) return `${name} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

function addInto(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of Object.entries(from)) into[k] = into[k] ? into[k].add(v) : v;
}

function maxInto(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of Object.entries(from)) if (!into[k] || v.cmp(into[k]) > 0) into[k] = v;
}

/** podRequests / podLimits: containers summed, sidecars added, init containers as a floor. */
export function podTotal(pod: Obj, field: 'requests' | 'limits'): ResourceList {
  const total: ResourceList = {};
  for (const c of containersOf(pod)) addInto(total, parseResourceList(c.resources?.[field]));
  const sidecars: ResourceList = {};
  const init: ResourceList = {};
  for (const c of initContainersOf(pod)) {
    const own = parseResourceList(c.resources?.[field]);
    let eff: ResourceList;
    if (c.restartPolicy === 'Always') {
      addInto(total, own);
      addInto(sidecars, own);
      eff = sidecars;
    } else {
      eff = {};
      addInto(eff, own);
      addInto(eff, sidecars);
    }
    maxInto(init, eff);
  }
  maxInto(total, init);
  return total;
}

function checkItem(type: string, item: Obj, requests: ResourceList, limits: ResourceList, errs: string[]): void {
  for (const [k, v] of Object.entries(parseResourceList(item.min))) {
    const e = minConstraint(type, k, v, requests, limits);
    if (e) errs.push(e);
  }
  for (const [k, v] of Object.entries(parseResourceList(item.max))) {
    const e = maxConstraint(type, k, v, requests, limits);
    if (e) errs.push(e);
  }
  for (const [k, v] of Object.entries(parseResourceList(item.maxLimitRequestRatio))) {
    const e = ratioConstraint(type, k, v, requests, limits);
    if (e) errs.push(e);
  }
}

function validatePod(lr: Obj, pod: Obj): string[] {
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item?.type === 'Container') {
      for (const c of [...containersOf(pod), ...initContainersOf(pod)]) {
        checkItem('Container', item, parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits), errs);
      }
    } else if (item?.type === 'Pod') {
      checkItem('Pod', item, podTotal(pod, 'requests'), podTotal(pod, 'limits'), errs);
    }
  }
  return errs;
}

function validatePVC(lr: Obj, pvc: Obj): string[] {
  const errs: string[] = [];
  const requests = parseResourceList(pvc.spec?.resources?.requests);
  for (const item of lr.spec?.limits ?? []) {
    if (item?.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(parseResourceList(item.min))) {
      const e = minConstraint('PersistentVolumeClaim', k, v, requests, {});
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(parseResourceList(item.max))) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, v, requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

/** utilerrors.NewAggregate(...).Error(): one message, or "[a, b]" without duplicates. */
export function aggregate(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

export const limitRanger: Plugin = {
  name: 'LimitRanger',
  async admit(a) {
    if (!supports(a) || a.def.resource !== 'pods' || !a.object) return;
    for (const lr of await limitRanges(a)) mutatePod(lr, a.object);
  },
  async validate(a) {
    if (!supports(a) || !a.object) return;
    for (const lr of await limitRanges(a)) {
      const errs = a.def.resource === 'pods' ? validatePod(lr, a.object) : validatePVC(lr, a.object);
      if (errs.length) throw forbidden(a, aggregate(errs));
    }
  },
};
