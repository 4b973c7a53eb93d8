// Helpers shared by kube-controller-manager's workload controllers, after
// pkg/controller/controller_utils.go and pkg/controller/controller_ref_manager.go:
// - ControllerExpectations and UIDTrackingControllerExpectations: the creations and deletions a
//   controller has asked for and waits to see in its informer (5-minute TTL on the emulator clock);
// - PodControl (RealPodControl): create pods from a template, delete and patch them, with the
//   FailedCreate / SuccessfulCreate / FailedDelete / SuccessfulDelete events;
// - PodControllerRefManager.claimPods: adopt matching orphans, release owned pods that no longer
//   match (ControllerRefManager.ClaimObject);
// - getPodFromTemplate, isPodActive / filterActivePods, isPodReady / isPodAvailable;
// - ActivePodsWithRanks (which pods go first on scale-down) and getPodsToDelete;
// - slowStartBatch (1, 2, 4, ... calls; stops at the first batch with a failure);
// - the pod index by controller UID with orphans per namespace (AddPodControllerUIDIndexer,
//   FilterPodsByOwner).

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { matchesLabels, type Requirement } from '../api/selectors.ts';
import type { Clock } from '../clock.ts';
import type { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';

// ---- keys ----

/** cache.MetaNamespaceKeyFunc: `namespace/name` (just `name` for cluster-scoped objects). */
export function keyOf(o: Obj): string {
  const m = o.metadata;
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

/** cache.SplitMetaNamespaceKey: [namespace, name] ('' namespace for cluster-scoped keys). */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

// ---- expectations ----

/** ExpectationsTimeout: expectations older than this count as satisfied (a lost watch event cannot wedge a controller). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
}

/**
 * ControllerExpectations: per controller key, how many pod creations and deletions are still to be
 * observed. A controller syncs only when its expectations are satisfied (all observed, never set,
 * or older than EXPECTATIONS_TIMEOUT_MS), so it does not act twice on a stale cache.
 */
export class ControllerExpectations {
  private readonly m = new Map<string, Expectation>();

  constructor(protected readonly clock: Clock) {}

  /** The expectations of `key`, if any: [add, del]. */
  getExpectations(key: string): [number, number] | undefined {
    const e = this.m.get(key);
    return e ? [e.add, e.del] : undefined;
  }

  /** SatisfiedExpectations: true when the controller may sync (fulfilled, expired, or none recorded). */
  satisfiedExpectations(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  /** SetExpectations: replaces what is expected of `key` and restarts its TTL. */
  setExpectations(key: string, add: number, del: number): void {
    this.m.set(key, { add, del, timestamp: this.clock.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.setExpectations(key, 0, dels);
  }

  /** LowerExpectations (does not restart the TTL). */
  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.m.get(key);
    if (e) {
      e.add -= add;
      e.del -= del;
    }
  }

  /** RaiseExpectations (does not restart the TTL). */
  raiseExpectations(key: string, add: number, del: number): void {
    const e = this.m.get(key);
    if (e) {
      e.add += add;
      e.del += del;
    }
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  /** DeleteExpectations: forgets `key` (its controller was deleted; a new one of that name starts clean). */
  deleteExpectations(key: string): void {
    this.m.delete(key);
  }
}

/**
 * UIDTrackingControllerExpectations: deletions are tracked by pod key, so a deletion observed twice
 * (an update with a deletionTimestamp, then the delete) lowers the count once.
 */
export class UIDTrackingControllerExpectations extends ControllerExpectations {
  private readonly uids = new Map<string, Set<string>>();

  /** ExpectDeletions by pod keys (`namespace/name`). */
  expectPodDeletions(key: string, podKeys: string[]): void {
    this.uids.set(key, new Set(podKeys));
    this.expectDeletions(key, podKeys.length);
  }

  /** DeletionObserved: lowers the count only if `podKey` was expected, once. */
  podDeletionObserved(key: string, podKey: string): void {
    const s = this.uids.get(key);
    if (s?.delete(podKey)) this.deletionObserved(key);
  }

  override deleteExpectations(key: string): void {
    super.deleteExpectations(key);
    this.uids.delete(key);
  }
}

// ---- slow start ----

/** SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * slowStartBatch: calls fn `count` times in batches of 1, 2, 4, ... (the calls of a batch run
 * concurrently); after a batch with a failure it stops. Returns the number of successful calls and
 * the first error, so a quota or admission error costs one call, not hundreds.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<[number, unknown]> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return [successes, failed[0].reason];
    remaining -= batch;
  }
  return [successes, undefined];
}

// ---- pods ----

/** IsPodActive: not Succeeded, not Failed, not being deleted. */
export function isPodActive(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function filterActivePods(pods: Obj[]): Obj[] {
  return pods.filter(isPodActive);
}

interface ReadyInfo {
  ready: boolean;
  /** The Ready condition's lastTransitionTime (ms) when ready. */
  since: number | undefined;
}

/** Pods from informers are frozen: what their conditions say is computed once per object. */
const readyInfos = new WeakMap<Obj, ReadyInfo>();
const NOT_READY: ReadyInfo = { ready: false, since: undefined };

function readyInfo(pod: Obj): ReadyInfo {
  const frozen = Object.isFrozen(pod);
  if (frozen) {
    const hit = readyInfos.get(pod);
    if (hit) return hit;
  }
  let info = NOT_READY;
  for (const c of pod.status?.conditions ?? []) {
    if (c?.type !== 'Ready') continue;
    if (c.status === 'True') {
      const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
      info = { ready: true, since: Number.isNaN(t) ? undefined : t };
    }
    break;
  }
  if (frozen) readyInfos.set(pod, info);
  return info;
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Obj): boolean {
  return readyInfo(pod).ready;
}

/** The Ready condition's lastTransitionTime of a ready pod (ms), or undefined. */
export function podReadyTime(pod: Obj): number | undefined {
  return readyInfo(pod).since;
}

/** podutil.IsPodAvailable: ready, and for at least minReadySeconds before `now`. */
export function isPodAvailable(pod: Obj, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const t = podReadyTime(pod);
  return t !== undefined && t + minReadySeconds * 1000 < now;
}

// ---- owner references ----

/** metav1.GetControllerOf: the ownerReference with controller=true. */
export function controllerOf(o: Obj): Obj | undefined {
  return (o.metadata?.ownerReferences ?? []).find((r: Obj) => r?.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: Obj, apiVersion: string, kind: string): Obj {
  return { apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** PodControllerUIDIndex: pods by their controller's UID, orphans under `_ORPHAN_POD/<namespace>`. */
export const POD_CONTROLLER_UID_INDEX = 'podControllerUID';
export const ORPHAN_POD_INDEX_KEY = '_ORPHAN_POD';

export function orphanPodIndexKeyForNamespace(namespace: string): string {
  return `${ORPHAN_POD_INDEX_KEY}/${namespace}`;
}

/** The index function of AddPodControllerUIDIndexer. */
export function podControllerUIDIndex(pod: Obj): string[] {
  const ref = controllerOf(pod);
  return ref?.uid ? [ref.uid] : [orphanPodIndexKeyForNamespace(pod.metadata.namespace ?? '')];
}

/** Adds the controller-UID index to a (shared) pod informer; the same index serves every controller. */
export function addPodControllerUIDIndexer(pods: Informer): Informer {
  return pods.addIndex(POD_CONTROLLER_UID_INDEX, podControllerUIDIndex);
}

/** FilterPodsByOwner: the pods `owner` controls and, optionally, the orphans of its namespace. */
export function filterPodsByOwner(pods: Informer, owner: Obj, includeOrphanedPods: boolean): Obj[] {
  const ns = owner.metadata.namespace;
  const out = pods.byIndex(POD_CONTROLLER_UID_INDEX, owner.metadata.uid).filter((p) => p.metadata.namespace === ns);
  if (includeOrphanedPods) out.push(...pods.byIndex(POD_CONTROLLER_UID_INDEX, orphanPodIndexKeyForNamespace(ns)));
  return out;
}

// ---- pods from templates ----

/**
 * GetPodFromTemplate: a pod named `<owner>-` + 5 random characters (the apiserver's generateName),
 * the template's labels, annotations, finalizers and spec, owned by `controllerRef`.
 */
export function getPodFromTemplate(template: Obj | undefined, owner: Obj, controllerRef?: Obj): Obj {
  const tm = template?.metadata ?? {};
  const metadata: Obj = { generateName: podsPrefix(owner.metadata.name) };
  if (tm.labels) metadata.labels = { ...tm.labels };
  if (tm.annotations) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) metadata.finalizers = [...tm.finalizers];
  if (controllerRef) metadata.ownerReferences = [{ ...controllerRef }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? {}) };
}

/** getPodsPrefix: `<name>-`, or the bare name when the dash would make an invalid prefix. */
function podsPrefix(name: string): string {
  const prefix = `${name}-`;
  return prefix.length > 253 ? name : prefix;
}

// ---- PodControl ----

export const FAILED_CREATE_POD_REASON = 'FailedCreate';
export const SUCCESSFUL_CREATE_POD_REASON = 'SuccessfulCreate';
export const FAILED_DELETE_POD_REASON = 'FailedDelete';
export const SUCCESSFUL_DELETE_POD_REASON = 'SuccessfulDelete';

/** apierrors.HasStatusCause(err, NamespaceTerminatingCause). */
export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

/**
 * RealPodControl: pod writes with the events Kubernetes records on the owner. Errors are the
 * apiserver's ApiErrors (a failed delete other than NotFound is wrapped as "unable to delete pods").
 */
export class PodControl {
  constructor(
    private readonly api: APIServer,
    private readonly recorder: EventRecorder,
  ) {}

  /** CreatePods: one pod from the template, FailedCreate ("Error creating: ...") or SuccessfulCreate ("Created pod: ..."). */
  async createPods(namespace: string, template: Obj | undefined, owner: Obj, controllerRef: Obj, nodeName?: string): Promise<Obj> {
    const pod = getPodFromTemplate(template, owner, controllerRef);
    if (nodeName) pod.spec.nodeName = nodeName;
    if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) throw new Error('unable to create pods, no labels');
    let created: Obj;
    try {
      created = await this.api.create(this.api.resource('pods'), namespace, pod);
    } catch (e) {
      if (!isNamespaceTerminating(e)) void this.recorder.record(owner, 'Warning', FAILED_CREATE_POD_REASON, `Error creating: ${(e as Error).message}`);
      throw e;
    }
    void this.recorder.record(owner, 'Normal', SUCCESSFUL_CREATE_POD_REASON, `Created pod: ${created.metadata.name}`);
    return created;
  }

  /** DeletePod: SuccessfulDelete ("Deleted pod: ..."), or FailedDelete ("Error deleting: ...") unless NotFound. */
  async deletePod(namespace: string, name: string, owner: Obj): Promise<void> {
    try {
      await this.api.delete(this.api.resource('pods'), namespace, name);
    } catch (e) {
      if (isNotFound(e)) throw e;
      void this.recorder.record(owner, 'Warning', FAILED_DELETE_POD_REASON, `Error deleting: ${(e as Error).message}`);
      if (e instanceof ApiError) throw new ApiError(e.code, e.reason, `unable to delete pods: ${e.message}`, e.details);
      throw e;
    }
    void this.recorder.record(owner, 'Normal', SUCCESSFUL_DELETE_POD_REASON, `Deleted pod: ${name}`);
  }

  /** PatchPod: a strategic merge patch. */
  async patchPod(namespace: string, name: string, patch: Obj): Promise<Obj> {
    return this.api.patch(this.api.resource('pods'), namespace, name, 'strategic', patch);
  }
}

// ---- adoption and release ----

export interface PodControllerRefManagerOptions {
  podControl: PodControl;
  /** The controller (ReplicaSet, ReplicationController, Job, ...). */
  controller: Obj;
  /** Its selector, parsed (labelSelectorFromObject): null matches nothing, [] everything. */
  selector: Requirement[] | null;
  /** The controller's apiVersion and kind, for the ownerReference. */
  apiVersion: string;
  kind: string;
  /**
   * canAdopt (RecheckDeletionTimestamp): throws when the controller is gone or being deleted,
   * checked on a fresh read once, before the first adoption.
   */
  canAdopt?: () => Promise<void>;
  /** Finalizers added on adoption and removed on release (the Job controller's tracking finalizer). */
  finalizers?: string[];
}

/**
 * PodControllerRefManager: claimPods returns the pods the controller owns after adopting orphans
 * that match its selector (patching in a controller ownerReference, blockOwnerDeletion=true) and
 * releasing owned pods that no longer match. Nothing is adopted or released while the controller
 * is being deleted; pods owned by other controllers are never touched.
 */
export class PodControllerRefManager {
  private canAdoptErr: Promise<void> | undefined;

  constructor(private readonly o: PodControllerRefManagerOptions) {}

  /** ClaimPods: errors are collected (as Kubernetes aggregates them) and the first is thrown after all pods are seen. */
  async claimPods(pods: Obj[], filters: ((pod: Obj) => boolean)[] = []): Promise<Obj[]> {
    const claimed: Obj[] = [];
    const errors: unknown[] = [];
    const match = (pod: Obj) => !!this.o.selector && matchesLabels(this.o.selector, pod.metadata.labels ?? {}) && filters.every((f) => f(pod));
    const uid = this.o.controller.metadata.uid;
    for (const pod of pods) {
      // The common case, a pod we own that still matches, needs no API call (and no await).
      if (controllerOf(pod)?.uid === uid && match(pod)) {
        claimed.push(pod);
        continue;
      }
      try {
        if (await this.claimObject(pod, match)) claimed.push(pod);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
    return claimed;
  }

  /** ClaimObject. */
  private async claimObject(pod: Obj, match: (pod: Obj) => boolean): Promise<boolean> {
    const ctl = this.o.controller;
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.uid !== ctl.metadata.uid) return false; // someone else's
      if (match(pod)) return true;
      if (ctl.metadata.deletionTimestamp) return false;
      try {
        await this.releasePod(pod);
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
      return false;
    }
    // An orphan.
    if (ctl.metadata.deletionTimestamp || !match(pod)) return false;
    if (pod.metadata.deletionTimestamp) return false;
    if (ctl.metadata.namespace && ctl.metadata.namespace !== pod.metadata.namespace) return false;
    try {
      await this.adoptPod(pod);
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
    return true;
  }

  /** AdoptPod: a strategic merge patch adding the controller ownerReference (the pod's uid as precondition). */
  async adoptPod(pod: Obj): Promise<void> {
    if (this.o.canAdopt) {
      this.canAdoptErr ??= this.o.canAdopt();
      try {
        await this.canAdoptErr;
      } catch (e) {
        throw new Error(`can't adopt Pod ${pod.metadata.namespace}/${pod.metadata.name} (${pod.metadata.uid}): ${(e as Error).message}`);
      }
    }
    const ctl = this.o.controller;
    const metadata: Obj = {
      ownerReferences: [{ apiVersion: this.o.apiVersion, kind: this.o.kind, name: ctl.metadata.name, uid: ctl.metadata.uid, controller: true, blockOwnerDeletion: true }],
      uid: pod.metadata.uid,
    };
    if (this.o.finalizers?.length) metadata.finalizers = [...this.o.finalizers];
    await this.o.podControl.patchPod(pod.metadata.namespace, pod.metadata.name, { metadata });
  }

  /** ReleasePod: GenerateDeleteOwnerRefStrategicMergeBytes; NotFound and Invalid (no such ref, pod recreated) are ignored. */
  async releasePod(pod: Obj): Promise<void> {
    const metadata: Obj = { ownerReferences: [{ $patch: 'delete', uid: this.o.controller.metadata.uid }], uid: pod.metadata.uid };
    if (this.o.finalizers?.length) metadata['$deleteFromPrimitiveList/finalizers'] = [...this.o.finalizers];
    try {
      await this.o.podControl.patchPod(pod.metadata.namespace, pod.metadata.name, { metadata });
    } catch (e) {
      if (isNotFound(e) || (e instanceof ApiError && e.code === 422)) return;
      throw e;
    }
  }
}

/**
 * RecheckDeletionTimestamp for a namespaced controller: reads it afresh from the apiserver and
 * throws if it is gone, replaced (another uid) or being deleted.
 */
export function recheckDeletionTimestamp(api: APIServer, resource: string, controller: Obj, kind: string): () => Promise<void> {
  return async () => {
    const m = controller.metadata;
    const fresh = await api.get(api.resource(resource), m.namespace, m.name);
    if (fresh.metadata.uid !== m.uid) throw new Error(`original ${kind} ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata.uid}, wanted ${m.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

// ---- which pods to delete first ----

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** helper.GetDeletionCostFromPodAnnotations: the annotation as an int32, 0 when absent or invalid. */
export function podDeletionCost(pod: Obj): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** [max regular container restarts, max restartable init (sidecar) container restarts]. */
function maxContainerRestarts(pod: Obj): [number, number] {
  let regular = 0;
  let sidecar = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s?.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: Obj) => c?.restartPolicy === 'Always').map((c: Obj) => c.name));
  for (const s of pod.status?.initContainerStatuses ?? []) if (sidecars.has(s?.name)) sidecar = Math.max(sidecar, s?.restartCount ?? 0);
  return [regular, sidecar];
}

/** logarithmicRankDiff: compares log2 of the two ages (in nanoseconds, as Go's Duration). */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

function creationTime(pod: Obj): number | undefined {
  const t = Date.parse(pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? undefined : t;
}

/** afterOrZero: an unset time sorts first, then the later one. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/**
 * ActivePodsWithRanks.Less (LogarithmicScaleDown and PodDeletionCost on, as in 1.32): true when pod
 * i should be deleted before pod j. rank is the number of the controller's active pods on the same
 * node (more doubled-up first).
 */
export function activePodsWithRanksLess(pi: Obj, ri: number, pj: Obj, rj: number, now: number): boolean {
  // 1. Unassigned < assigned.
  const ni = pi.spec?.nodeName ?? '';
  const nj = pj.spec?.nodeName ?? '';
  if (ni !== nj && (ni === '' || nj === '')) return ni === '';
  // 2. Pending < Unknown < Running.
  const phi = pi.status?.phase;
  const phj = pj.status?.phase;
  if (phi !== phj) return (PHASE_ORDINAL[phi] ?? 0) < (PHASE_ORDINAL[phj] ?? 0);
  // 3. Not ready < ready.
  const ri0 = isPodReady(pi);
  const rj0 = isPodReady(pj);
  if (ri0 !== rj0) return !ri0;
  // 4. Lower pod-deletion-cost < higher.
  const ci = podDeletionCost(pi);
  const cj = podDeletionCost(pj);
  if (ci !== cj) return ci < cj;
  // 5. Doubled up < not doubled up.
  if (ri !== rj) return ri > rj;
  // 6. Ready for less time < more time (log2 buckets; equal buckets by UID).
  if (ri0 && rj0) {
    const ti = podReadyTime(pi);
    const tj = podReadyTime(pj);
    if (ti !== tj) {
      if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
      const d = logarithmicRankDiff(ti, tj, now);
      if (d === 0) return pi.metadata.uid < pj.metadata.uid;
      return d < 0;
    }
  }
  // 7. More container restarts < fewer (regular containers, then sidecars).
  const [rgi, sci] = maxContainerRestarts(pi);
  const [rgj, scj] = maxContainerRestarts(pj);
  if (rgi !== rgj) return rgi > rgj;
  if (sci !== scj) return sci > scj;
  // 8. Newer < older (log2 buckets; equal buckets by UID).
  const ti = creationTime(pi);
  const tj = creationTime(pj);
  if (ti !== tj) {
    if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
    const d = logarithmicRankDiff(ti, tj, now);
    if (d === 0) return pi.metadata.uid < pj.metadata.uid;
    return d < 0;
  }
  return false;
}

/**
 * getPodsToDelete (replica_set.go): the first `diff` of `pods` in deletion order, ranked by how many
 * of `relatedPods` (the controller's pods, or those of all ReplicaSets of its Deployment) that are
 * active share their node.
 */
export function getPodsToDelete(pods: Obj[], relatedPods: Obj[], diff: number, now: number): Obj[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (activePodsWithRanksLess(a.pod, a.rank, b.pod, b.rank, now) ? -1 : activePodsWithRanksLess(b.pod, b.rank, a.pod, a.rank, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
