// ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go) and
// the usage evaluators it shares with the quota controller (pkg/quota/v1/evaluator/core: pods.go,
// services.go, persistent_volume_claims.go; pkg/quota/v1/generic for object counts).
//
// On a create (and, for Services and PVCs, an update) in a namespace with quotas, the object's
// usage is added to every matching quota's status.used; over status.hard the request is 403
// "exceeded quota", and the quota's status is written before the object is stored, as the
// apiserver does. A dry run checks but writes nothing.

import type { APIServer } from '../apiserver.ts';
import { ApiError } from '../errors.ts';
import type { Obj } from '../objects.ts';
import type { ResourceDef } from '../registry.ts';
import { parseResourceList, Quantity, type ResourceList } from '../quantity.ts';
import { qosClass } from '../kinds/pod.ts';
import { forbidden, type Attributes, type Operation, type Plugin } from './attributes.ts';
import { podTotal } from './limit-ranger.ts';

const ONE = Quantity.parse('1');

/** Resources quota never looks at (quotainstall.DefaultIgnoredResources). */
const IGNORED = new Set(['/events']);

/** The object-count resource name: count/pods, count/deployments.apps. */
export function countName(def: { group: string; resource: string }): string {
  return def.group ? `count/${def.resource}.${def.group}` : `count/${def.resource}`;
}

/** Legacy object-count names of core resources (generic.NewObjectCountEvaluator's alias). */
const LEGACY: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const POD_COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage'];
/** The resources every container must request or limit once a quota tracks them (pods.go validationSet). */
const VALIDATION_SET = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

export interface Evaluator {
  /** The hard resource names this evaluator counts. */
  matches(name: string): boolean;
  usage(obj: Obj, now: number): ResourceList;
  handles(op: Operation): boolean;
  /** Pods only: quotas' scopes. Other kinds match only unscoped quotas. */
  scoped?: boolean;
}

// ---- pods ----

/** QuotaV1Pod: terminal pods, and pods past their grace period, no longer use compute resources. */
function podIsActive(pod: Obj, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata?.deletionTimestamp;
  if (del && pod.metadata?.deletionGracePeriodSeconds !== undefined) {
    if (now > Date.parse(del) + pod.metadata.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

/** podComputeUsageHelper. */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: ONE };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) {
      out[r] = requests[r];
      out[`requests.${r}`] = requests[r];
    }
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  return out;
}

const podEvaluator: Evaluator = {
  matches: (n) => n === 'pods' || n === 'count/pods' || POD_COMPUTE.includes(n) || n.startsWith('requests.hugepages-'),
  usage(pod, now) {
    const out: ResourceList = { 'count/pods': ONE };
    if (!podIsActive(pod, now)) return out;
    return { ...out, ...computeUsage(podTotal(pod, 'requests'), podTotal(pod, 'limits')) };
  },
  // InPlacePodVerticalScaling is alpha in 1.32: pod updates do not change usage.
  handles: (op) => op === 'CREATE',
  scoped: true,
};

/** podMatchesScopeFunc for one scope selector requirement. */
function podMatchesScope(req: Obj, pod: Obj): boolean {
  const spec = pod.spec ?? {};
  let match: boolean;
  switch (req.scopeName) {
    case 'Terminating':
      match = typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0;
      break;
    case 'NotTerminating':
      match = !(typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds >= 0);
      break;
    case 'BestEffort':
      match = qosClass(spec) === 'BestEffort';
      break;
    case 'NotBestEffort':
      match = qosClass(spec) !== 'BestEffort';
      break;
    case 'PriorityClass': {
      const name: string = spec.priorityClassName ?? '';
      const values: string[] = req.values ?? [];
      if (req.operator === 'In') return values.includes(name);
      if (req.operator === 'NotIn') return !values.includes(name);
      if (req.operator === 'DoesNotExist') return name === '';
      return name !== '';
    }
    default:
      return false;
  }
  return req.operator === 'DoesNotExist' ? !match : match;
}

/** The quota's scopes and scopeSelector as requirements (getScopeSelectorsFromQuota). */
function scopeSelectors(rq: Obj): Obj[] {
  const out: Obj[] = (rq.spec?.scopes ?? []).map((s: string) => ({ scopeName: s, operator: 'Exists' }));
  for (const r of rq.spec?.scopeSelector?.matchExpressions ?? []) out.push(r);
  return out;
}

// ---- services ----

const serviceEvaluator: Evaluator = {
  matches: (n) => ['services', 'count/services', 'services.nodeports', 'services.loadbalancers'].includes(n),
  usage(svc) {
    const out: ResourceList = { 'count/services': ONE, services: ONE };
    const ports: Obj[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const type = svc.spec?.type ?? 'ClusterIP';
    if (type === 'NodePort') out['services.nodeports'] = Quantity.parse(ports.length);
    else if (type === 'LoadBalancer') {
      const count = svc.spec?.allocateLoadBalancerNodePorts === false ? ports.filter((p) => p?.nodePort).length : ports.length;
      out['services.nodeports'] = Quantity.parse(count);
      out['services.loadbalancers'] = ONE;
    }
    return out;
  },
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
};

// ---- persistentvolumeclaims ----

const SC_SUFFIX = '.storageclass.storage.k8s.io/';

const pvcEvaluator: Evaluator = {
  matches: (n) =>
    ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) ||
    (n.includes(SC_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims'))),
  usage(pvc) {
    const out: ResourceList = { 'count/persistentvolumeclaims': ONE, persistentvolumeclaims: ONE };
    const sc: string = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
    if (sc) out[`${sc}${SC_SUFFIX}persistentvolumeclaims`] = ONE;
    const storage = parseResourceList(pvc.spec?.resources?.requests).storage;
    if (storage) {
      out['requests.storage'] = storage;
      if (sc) out[`${sc}${SC_SUFFIX}requests.storage`] = storage;
    }
    return out;
  },
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
};

/** The generic object-count evaluator, for every other resource. */
function countEvaluator(def: { group: string; resource: string }): Evaluator {
  const names = [countName(def)];
  const legacy = def.group === '' ? LEGACY[def.resource] : undefined;
  if (legacy) names.push(legacy);
  return {
    matches: (n) => names.includes(n),
    usage: () => Object.fromEntries(names.map((n) => [n, ONE])),
    handles: (op) => op === 'CREATE',
  };
}

export function evaluatorFor(def: { group: string; resource: string }): Evaluator {
  if (def.group === '') {
    if (def.resource === 'pods') return podEvaluator;
    if (def.resource === 'services') return serviceEvaluator;
    if (def.resource === 'persistentvolumeclaims') return pvcEvaluator;
  }
  return countEvaluator(def);
}

/** Whether a quota applies to an object: it tracks one of the evaluator's resources and every scope matches. */
export function quotaMatches(ev: Evaluator, rq: Obj, obj: Obj, hard: Record<string, unknown> = rq.status?.hard ?? {}): boolean {
  if (!Object.keys(hard).some((n) => ev.matches(n))) return false;
  const scopes = scopeSelectors(rq);
  if (!scopes.length) return true;
  return !!ev.scoped && scopes.every((s) => podMatchesScope(s, obj));
}

// ---- resource list helpers (pkg/quota/v1/resources.go) ----

export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? out[k].add(v) : v;
  return out;
}

function mask(a: ResourceList, names: string[]): ResourceList {
  return Object.fromEntries(Object.entries(a).filter(([k]) => names.includes(k)));
}

/** The API form: canonical quantity strings. */
export function formatList(l: ResourceList): Record<string, string> {
  return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.toString()]));
}

function prettyPrint(l: ResourceList): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');
}

/** Pods' Constraints: with cpu or memory tracked, every container must state it. */
function podConstraints(required: string[], pod: Obj): string | undefined {
  const need = required.filter((r) => VALIDATION_SET.includes(r));
  if (!need.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const containers: Obj[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].filter((c) => c && typeof c === 'object');
  for (const c of containers) {
    const have = computeUsage(parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits));
    for (const r of need) {
      if (!have[r]) {
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name);
      }
    }
  }
  if (!missing.size) return undefined;
  // pkg/quota/v1/evaluator/core/pods.go Constraints: one "must specify" before the list
  // ("must specify limits.cpu for: a; requests.cpu for: a,b").
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

// ---- admission ----

/** One evaluation against the namespace's quotas: the quotas whose status must change, or a 403. */
async function check(a: Attributes, ev: Evaluator): Promise<{ quota: Obj; used: ResourceList }[]> {
  const quotas = (await a.api.list(a.api.resource('resourcequotas'), a.namespace)).items;
  if (!quotas.length) return [];
  const obj = a.object!;
  const interesting: Obj[] = [];
  for (const rq of quotas) {
    if (!quotaMatches(ev, rq, obj)) continue;
    const hardNames = Object.keys(rq.status?.hard ?? {});
    const restricted = hardNames.filter((n) => ev.matches(n));
    if (a.def.group === '' && a.def.resource === 'pods') {
      const err = podConstraints(restricted, obj);
      if (err) throw forbidden(a, `failed quota: ${rq.metadata.name}: ${err}`);
    }
    const used = rq.status?.used ?? {};
    if (restricted.some((n) => !(n in used))) {
      throw forbidden(a, `status unknown for quota: ${rq.metadata.name}, resources: ${[...restricted].sort().join(',')}`);
    }
    interesting.push(rq);
  }
  const now = a.api.clock.now();
  let delta = ev.usage(obj, now);
  const negative = Object.keys(delta).filter((k) => delta[k].sign() < 0);
  if (negative.length) throw forbidden(a, `quota usage is negative for resource(s): ${negative.sort().join(',')}`);
  if (a.operation === 'UPDATE' && a.oldObject?.metadata?.resourceVersion) {
    const prev = ev.usage(a.oldObject, now);
    delta = Object.fromEntries(
      Object.entries(delta).map(([k, v]) => {
        const d = prev[k] ? v.sub(prev[k]) : v;
        return [k, d.sign() < 0 ? Quantity.zero(v.format) : d];
      }),
    );
  }
  if (Object.values(delta).every((v) => v.isZero()) || !interesting.length) return [];
  const out: { quota: Obj; used: ResourceList }[] = [];
  for (const rq of interesting) {
    const hard = parseResourceList(rq.status?.hard);
    const used = parseResourceList(rq.status?.used);
    const requested = mask(delta, Object.keys(hard));
    const newUsage = addLists(used, requested);
    const exceeded = Object.keys(requested).filter((k) => hard[k] && newUsage[k].cmp(hard[k]) > 0);
    if (exceeded.length) {
      throw forbidden(
        a,
        `exceeded quota: ${rq.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
    }
    out.push({ quota: rq, used: newUsage });
  }
  return out;
}

/** How often the plug-in re-reads the quotas after losing a race for their status. */
const MAX_QUOTA_RETRIES = 10;

async function validate(a: Attributes): Promise<void> {
  if (a.subresource !== '' || !a.def.namespaced || !a.namespace || !a.object) return;
  if (IGNORED.has(`${a.def.group}/${a.def.resource}`)) return;
  const ev = evaluatorFor(a.def);
  if (!ev.handles(a.operation)) return;
  for (let attempt = 0; ; attempt++) {
    const updates = await check(a, ev);
    // A dry run is checked against the quotas, but does not charge them.
    if (a.dryRun || !updates.length) return;
    try {
      for (const u of updates) await writeUsed(a.api, u.quota, u.used);
      return;
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && attempt < MAX_QUOTA_RETRIES) continue;
      throw e;
    }
  }
}

/** Writes status.used, guarded by the quota's resourceVersion (a lost race re-evaluates). */
async function writeUsed(api: APIServer, rq: Obj, used: ResourceList): Promise<void> {
  const next = { ...rq, status: { ...rq.status, used: formatList(used) } };
  await api.update(api.resource('resourcequotas'), rq.metadata.namespace, rq.metadata.name, next, { subresource: 'status' });
}

export const resourceQuota: Plugin = { name: 'ResourceQuota', validate };

// ---- for the quota controller ----

/**
 * quota.CalculateUsage: for every hard resource an evaluator tracks, the sum of the usage of the
 * namespace's objects that match the quota's scopes (zero when none).
 */
export async function calculateUsage(api: APIServer, rq: Obj, hard: ResourceList, defs: ResourceDef[]): Promise<ResourceList> {
  const ns = rq.metadata.namespace;
  const names = Object.keys(hard);
  const used: ResourceList = {};
  const now = api.clock.now();
  for (const def of defs) {
    if (!def.namespaced || def.conversion || IGNORED.has(`${def.group}/${def.resource}`)) continue;
    const ev = evaluatorFor(def);
    const tracked = names.filter((n) => ev.matches(n));
    if (!tracked.length) continue;
    for (const n of tracked) used[n] ??= Quantity.zero();
    for (const obj of (await api.list(def, ns)).items) {
      if (!quotaMatches(ev, rq, obj, hard)) continue;
      const u = ev.usage(obj, now);
      for (const n of tracked) if (u[n]) used[n] = used[n].add(u[n]);
    }
  }
  return used;
}
