// pkg/controller/deployment/util/deployment_util.go (and ComputeHash, the ReplicaSet sorts and
// filters of pkg/controller/controller_utils.go): the pure part of the Deployment controller. The
// revision, desired-replicas and max-replicas annotations, the fenceposts of maxSurge and
// maxUnavailable, the new ReplicaSet's size during a rollout, proportional scaling, the status and
// its Available and Progressing conditions. Everything here reads objects and returns values or
// changes a copy the caller owns; nothing calls the API.

import { jsonEqual, rfc3339, stableStringify, type Obj } from '../api/objects.ts';

export const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** apps.DeprecatedRollbackTo: extensions/v1beta1's spec.rollbackTo, kept as an annotation by conversion. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_CONFIG = 'kubectl.kubernetes.io/last-applied-configuration';

// Condition reasons.
export const REPLICA_SET_UPDATED_REASON = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
export const NEW_REPLICA_SET_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
export const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** math.MaxInt32: progressDeadlineSeconds and revisionHistoryLimit at this value mean "none". */
export const MAX_INT32 = 2147483647;

/** sync.go maxRevHistoryLengthInChars. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

// ---- ComputeHash ----

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each character mapped into an alphabet without vowels or look-alikes. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.codePointAt(0)! % ALPHANUMS.length];
  return out;
}

function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * controller.ComputeHash: fnv32a of the pod template, then of collisionCount as 8 little-endian
 * bytes when it is set, rendered as the decimal number through SafeEncodeString. Kubernetes hashes
 * the Go struct's spew dump; the emulator hashes the template's canonical JSON (same shape of name,
 * e.g. web-7d4b9c8f6d, stable for a template, different after any change).
 */
export function computeHash(template: Obj, collisionCount?: number | null): string {
  let h = fnv32a(new TextEncoder().encode(stableStringify(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

// ---- int-or-percent and fenceposts ----

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) {
    if (/^-?\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Obj): boolean {
  return d.spec?.strategy?.type === 'RollingUpdate';
}

export function replicasOf(o: Obj): number {
  return o.spec?.replicas ?? 1;
}

/** ResolveFenceposts: surge rounded up, unavailable rounded down; both 0 makes unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: Obj): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas; never more than the replicas. */
export function maxUnavailable(d: Obj): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  const u = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1];
  return Math.min(u, replicas);
}

export function hasProgressDeadline(d: Obj): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return typeof p === 'number' && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Obj): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return typeof l === 'number' && l !== MAX_INT32;
}

// ---- conditions ----

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: Obj | undefined, type: string): DeploymentCondition | undefined {
  return (status?.conditions ?? []).find((c: Obj) => c?.type === type);
}

/** SetDeploymentCondition: no change for the same status and reason; the transition time kept for the same status. */
export function setCondition(status: Obj, cond: DeploymentCondition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond = { ...cond, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((c: Obj) => c?.type !== cond.type), cond];
}

export function removeCondition(status: Obj, type: string): void {
  const rest = (status.conditions ?? []).filter((c: Obj) => c?.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

// ---- annotations ----

export function revisionOf(o: Obj): number {
  const v = o.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  return n;
}

/** MaxRevision: the highest parseable revision. */
export function maxRevision(rss: Obj[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (!Number.isNaN(v) && v > max) max = v;
  }
  return max;
}

/** LastRevision: the second highest revision (the one before the current). */
export function lastRevision(rss: Obj[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

export function skipCopyAnnotation(key: string): boolean {
  return ANNOTATIONS_TO_SKIP.has(key);
}

/** copyDeploymentAnnotationsToReplicaSet: all but the skipped ones; true when the ReplicaSet changed. */
function copyDeploymentAnnotations(d: Obj, rs: Obj): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when they changed. */
export function setReplicasAnnotations(rs: Obj, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let updated = false;
  if (ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (ann[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    ann[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: Obj, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations;
  if (!ann) return true;
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: Obj, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^[-+]?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: Obj) => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);

/**
 * SetNewReplicaSetAnnotations: the Deployment's annotations copied, the revision raised to
 * newRevision (the old one appended to revision-history when it is a rollback), and on creation the
 * replicas annotations. True when the ReplicaSet's annotations changed.
 */
export function setNewReplicaSetAnnotations(d: Obj, rs: Obj, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldRevision: string | undefined = ann[REVISION_ANNOTATION];
  let oldInt = 0;
  if (oldRevision !== undefined && oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (oldInt < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
  }
  if (oldRevision !== undefined && oldInt < newRevision) {
    const history: string = ann[REVISION_HISTORY_ANNOTATION] ?? '';
    const olds = history.split(',');
    if (olds[0]!.length === 0) ann[REVISION_HISTORY_ANNOTATION] = oldRevision;
    else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < olds.length) {
        total -= olds[start]!.length + 1;
        start++;
      }
      if (total <= MAX_REV_HISTORY_LENGTH_IN_CHARS) ann[REVISION_HISTORY_ANNOTATION] = [...olds.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- templates ----

/** EqualIgnoreHash: the templates equal once the pod-template-hash label is taken out of both. */
export function equalIgnoreHash(a: Obj | undefined, b: Obj | undefined): boolean {
  return jsonEqual(stripHash(a ?? {}), stripHash(b ?? {}));
}

function stripHash(t: Obj): Obj {
  const labels = t.metadata?.labels;
  if (!labels || !(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY in labels)) return t;
  const { [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: _h, ...rest } = labels;
  const metadata: Obj = { ...t.metadata, labels: rest };
  if (Object.keys(rest).length === 0) delete metadata.labels;
  return { ...t, metadata };
}

// ---- ReplicaSet lists ----

const created = (o: Obj) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, names breaking ties. */
export function byCreation(a: Obj, b: Obj): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** ReplicaSetsByRevision: by revision, creation breaking ties and unparseable revisions. */
export function byRevision(a: Obj, b: Obj): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** ReplicaSetsBySizeOlder: larger first, then older first. */
export function bySizeOlder(a: Obj, b: Obj): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, then newer first. */
export function bySizeNewer(a: Obj, b: Obj): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return byCreation(b, a);
}

/** FilterActiveReplicaSets: those with replicas wanted. */
export function filterActive(rss: (Obj | undefined)[]): Obj[] {
  return rss.filter((rs): rs is Obj => !!rs && replicasOf(rs) > 0);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Obj, rsList: Obj[]): Obj | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: [those with replicas, all] but the new one. */
export function findOldReplicaSets(d: Obj, rsList: Obj[]): [Obj[], Obj[]] {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
  return [all.filter((rs) => replicasOf(rs) !== 0), all];
}

/** FindActiveOrLatest: the one active ReplicaSet, the newest when none is, undefined when several are. */
export function findActiveOrLatest(newRS: Obj | undefined, oldRSs: Obj[]): Obj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

const sum = (rss: (Obj | undefined)[], f: (rs: Obj) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
export const replicaCount = (rss: (Obj | undefined)[]) => sum(rss, replicasOf);
export const actualReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

// ---- sizes ----

/** NewRSNewReplicas: RollingUpdate grows the new ReplicaSet within replicas + surge; Recreate goes to replicas. */
export function newRSNewReplicas(d: Obj, allRSs: Obj[], newRS: Obj): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = replicaCount(allRSs);
  const maxTotal = replicas + maxSurge(d);
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

/** IsSaturated: the new ReplicaSet has, wants and believes in all the replicas, all available. */
export function isSaturated(d: Obj, rs: Obj | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Go's math.Round (half away from zero), as integer.RoundToInt32. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** getReplicaSetFraction: the ReplicaSet's share of the new size, from its max-replicas annotation. */
function replicaSetFraction(rs: Obj, d: Obj): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentReplicas = replicasOf(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((replicasOf(rs) * deploymentReplicas) / annotated) - replicasOf(rs);
}

/** GetProportion: within what is left to add (or remove). */
export function getProportion(rs: Obj | undefined, d: Obj, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- status ----

/** DeploymentComplete: everything updated and available, and this generation observed. */
export function deploymentComplete(d: Obj, s: Obj): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than before. */
export function deploymentProgressing(d: Obj, s: Obj): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: the Progressing condition last updated more than progressDeadlineSeconds ago. */
export function deploymentTimedOut(d: Obj, s: Obj, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (c.reason === TIMED_OUT_REASON) return true;
  return Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < now;
}

/** calculateStatus: counts from the ReplicaSets, the conditions carried over, Available recomputed. */
export function calculateStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj, now: number): Obj {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: Obj = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined && d.status?.collisionCount !== null) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c: Obj) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/**
 * The status as the API stores it: Go's omitempty drops zero counts, so compare like with like
 * (readyReplicas: 0 is never stored, and an absent field reads as 0).
 */
export function normalizeStatus(s: Obj | undefined): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(s ?? {})) {
    if (v === 0 && k !== 'collisionCount') continue;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}
