// StatefulSet controller (pkg/controller/statefulset/stateful_set.go, stateful_set_control.go,
// stateful_pod_control.go, stateful_set_utils.go, stateful_set_status_updater.go).
//
// Watches: StatefulSets, pods and ControllerRevisions of kube-controller-manager's shared
// informers, and PersistentVolumeClaims for the claims of volumeClaimTemplates. A pod event
// enqueues its controller. reconcile(key) = syncStatefulSet: claim pods, construct the history
// (currentRevision and updateRevision, ControllerRevisions named `<set>-<hash>`), then walk the
// ordinals: pods `<set>-<ordinal>` with hostname and subdomain, the pod-name and pod-index labels
// and their PVCs `<claim>-<set>-<ordinal>`; OrderedReady creates one at a time and waits for it to
// be Running and Ready, Parallel does not wait; condemned pods (ordinal ≥ replicas) go highest
// first; RollingUpdate deletes pods of the old revision from the highest ordinal down to the
// partition, one at a time; OnDelete leaves them. Then status and history trimming.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, type Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError, type Requirement } from '../api/selectors.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import {
  addPodControllerUIDIndexer,
  controllerOf,
  filterPodsByOwner,
  isNotFound,
  isPodAvailable,
  isPodReady,
  keyOf,
  newControllerRef,
  PodControl,
  PodControllerRefManager,
  recheckDeletionTimestamp,
  splitKey,
} from './controller-utils.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  ControllerHistory,
  newControllerRevision,
  nextRevision,
  revisionData,
  sortControllerRevisions,
  templatePatch,
} from './history.ts';

const RESOURCE = 'statefulsets.apps';
const KIND = 'StatefulSet';
const API_VERSION = 'apps/v1';
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
const REVISION_OWNER_INDEX = 'controllerUID';

// ---- stateful_set_utils.go ----

/** getParentNameAndOrdinal: `<parent>-<ordinal>`, or [undefined, -1]. */
export function parentAndOrdinal(pod: Obj): [string | undefined, number] {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name);
  if (!m) return [undefined, -1];
  return [m[1], Number(m[2])];
}

export function podName(set: Obj, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<claim>-<set>-<ordinal>`. */
export function claimName(set: Obj, claim: Obj, ordinal: number): string {
  return `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;
}

function startOrdinal(set: Obj): number {
  return set.spec?.ordinals?.start ?? 0;
}

function isRunningAndReady(pod: Obj): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

function isRunningAndAvailable(pod: Obj, minReady: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReady, now);
}

function isCreated(pod: Obj): boolean {
  return !!pod.status?.phase;
}

function isFailed(pod: Obj): boolean {
  return pod.status?.phase === 'Failed';
}

function isSucceeded(pod: Obj): boolean {
  return pod.status?.phase === 'Succeeded';
}

function isTerminating(pod: Obj): boolean {
  return !!pod.metadata.deletionTimestamp;
}

function isHealthy(pod: Obj): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

function podRevision(pod: Obj): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/** The template a revision's data puts back (the `$patch: replace` patch). */
function templateOf(revision: Obj): Obj {
  const { $patch: _, ...t } = revision.data?.spec?.template ?? {};
  void _;
  return t;
}

/**
 * newVersionedStatefulSetPod: the template of the revision, named `<set>-<ordinal>`, with the
 * identity (hostname, subdomain, pod-name and pod-index labels), the claims' volumes and the
 * revision label.
 */
export function newStatefulSetPod(set: Obj, template: Obj, revisionName: string, ordinal: number): Obj {
  const name = podName(set, ordinal);
  const tm = template.metadata ?? {};
  const labels = { ...(tm.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH_LABEL]: revisionName };
  const spec: Obj = structuredClone(template.spec ?? {});
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  // updateStorage: a volume per claim template, replacing a template volume of the same name.
  const claims: Obj[] = set.spec?.volumeClaimTemplates ?? [];
  if (claims.length) {
    const byName = new Set(claims.map((c) => c.metadata?.name));
    const volumes: Obj[] = claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(set, c, ordinal) } }));
    for (const v of spec.volumes ?? []) if (!byName.has(v.name)) volumes.push(v);
    spec.volumes = volumes;
  }
  const metadata: Obj = { name, namespace: set.metadata.namespace, labels, ownerReferences: [newControllerRef(set, API_VERSION, KIND)] };
  if (tm.annotations) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) metadata.finalizers = [...tm.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export class StatefulSetController {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly claims: Informer;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly history: ControllerHistory;
  private readonly queue: WorkQueue;
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  private started = false;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.recorder = new EventRecorder(api, clock, { component: 'statefulset-controller' });
    this.podControl = new PodControl(api, this.recorder);
    this.history = new ControllerHistory(api);
    this.queue = new WorkQueue((key) => this.sync(key), {
      clock,
      maxRetries: Number.MAX_SAFE_INTEGER,
      maxDelayMs: 1000_000,
      classify: (e) => (e instanceof TypeError || e instanceof ReferenceError ? 'throw' : e instanceof ApiError && e.code === 409 ? 'now' : 'later'),
    });
    this.sets = informers.for(RESOURCE).addIndex('namespace', (o) => [o.metadata.namespace ?? '']);
    this.sets.on({ add: (s) => this.enqueue(s), update: (cur) => this.enqueue(cur), delete: (s) => this.enqueue(s) });
    this.pods = addPodControllerUIDIndexer(informers.for('pods'));
    this.pods.on({ add: (p) => this.podChanged(p), update: (cur, old) => this.updatePod(cur, old), delete: (p) => this.podChanged(p) });
    this.revisions = informers.for('controllerrevisions.apps').addIndex(REVISION_OWNER_INDEX, (o) => {
      const ref = controllerOf(o);
      return ref ? [ref.uid] : [];
    });
    this.claims = informers.for('persistentvolumeclaims');
  }

  async start(): Promise<void> {
    this.queue.start();
    this.started = true;
    await this.informers.acquire(this.revisions);
    await this.informers.acquire(this.claims);
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.sets);
    for (const s of this.sets.list()) this.enqueue(s);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.queue.stop();
    for (const d of this.delayed.values()) d.handle.cancel();
    this.delayed.clear();
    this.informers.release(this.sets);
    this.informers.release(this.pods);
    this.informers.release(this.claims);
    this.informers.release(this.revisions);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- events to keys ----

  private enqueue(set: Obj): void {
    this.queue.add(keyOf(set));
  }

  private enqueueAfter(set: Obj, ms: number): void {
    if (!this.started) return;
    const key = keyOf(set);
    const at = this.clock.now() + ms;
    const cur = this.delayed.get(key);
    if (cur && cur.at <= at) return;
    cur?.handle.cancel();
    const handle = this.clock.setTimeout(() => {
      if (this.delayed.get(key)?.handle === handle) this.delayed.delete(key);
      this.queue.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
  }

  private resolve(pod: Obj): Obj | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== KIND) return undefined;
    const set = this.sets.get(pod.metadata.namespace, ref.name);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  private matchingSets(pod: Obj): Obj[] {
    return this.sets.byIndex('namespace', pod.metadata.namespace ?? '').filter((s) => {
      try {
        const sel = labelSelectorFromObject(s.spec?.selector);
        return !!sel && sel.length > 0 && matchesLabels(sel, pod.metadata.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  private podChanged(pod: Obj): void {
    const set = this.resolve(pod);
    if (set) this.enqueue(set);
    else if (!controllerOf(pod)) for (const s of this.matchingSets(pod)) this.enqueue(s);
  }

  private updatePod(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const oldSet = this.resolve(old);
    if (oldSet && !jsonEqual(controllerOf(cur) ?? null, controllerOf(old) ?? null)) this.enqueue(oldSet);
    const set = this.resolve(cur);
    if (set) {
      this.enqueue(set);
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(set, minReady * 1000 + 1000);
      return;
    }
    if (!controllerOf(cur) && !jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) for (const s of this.matchingSets(cur)) this.enqueue(s);
  }

  // ---- reconcile ----

  /** sync (syncStatefulSet): claims, history, the update, status, history trimming. */
  private async sync(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const set = this.sets.get(namespace, name);
    if (!set) return;
    let selector: Requirement[] | null;
    try {
      selector = labelSelectorFromObject(set.spec?.selector);
    } catch (e) {
      if (e instanceof SelectorError) return;
      throw e;
    }
    if (!selector) return;
    const manager = new PodControllerRefManager({
      podControl: this.podControl,
      controller: set,
      selector,
      apiVersion: API_VERSION,
      kind: KIND,
      canAdopt: recheckDeletionTimestamp(this.api, RESOURCE, set, KIND),
    });
    // Only pods named like members of the set are its own (isMemberOf).
    const pods = (await manager.claimPods(filterPodsByOwner(this.pods, set, true))).filter((p) => parentAndOrdinal(p)[0] === set.metadata.name);
    if (set.metadata.deletionTimestamp) return;

    const revisions = sortControllerRevisions([...this.revisions.byIndex(REVISION_OWNER_INDEX, set.metadata.uid)]);
    const { current, update, collisionCount } = await this.getRevisions(set, revisions);
    const status = await this.updateStatefulSet(set, current, update, collisionCount, pods);
    await this.updateStatus(set, status);
    await this.truncateHistory(set, pods, revisions, current, update);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.readyReplicas !== (status.availableReplicas ?? 0)) this.enqueueAfter(set, minReady * 1000);
  }

  /** getStatefulSetRevisions: the current revision (status.currentRevision, or the update revision) and the update revision for the template. */
  private async getRevisions(set: Obj, revisions: Obj[]): Promise<{ current: Obj; update: Obj; collisionCount: number }> {
    const collision = { count: set.status?.collisionCount ?? 0 };
    const data = templatePatch(set);
    const probe = newControllerRevision(set, API_VERSION, KIND, set.spec?.template?.metadata?.labels, data, nextRevision(revisions), collision.count);
    if (set.metadata.annotations) probe.metadata.annotations = { ...set.metadata.annotations };
    const equal = revisions.filter((r) => revisionData(r) === data);
    let update: Obj;
    const last = revisions[revisions.length - 1];
    if (equal.length && last && equal[equal.length - 1].metadata.name === last.metadata.name) {
      update = last;
    } else if (equal.length) {
      // A rollback to an earlier revision: it becomes the newest.
      update = await this.history.updateControllerRevision(equal[equal.length - 1], probe.revision);
    } else {
      update = await this.history.createControllerRevision(set, probe, collision);
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount: collision.count };
  }

  /** updateStatefulSet (stateful_set_control.go): one step of the ordered walk; returns the new status. */
  private async updateStatefulSet(set: Obj, current: Obj, update: Obj, collisionCount: number, pods: Obj[]): Promise<Obj> {
    const now = this.clock.now();
    const minReady = set.spec?.minReadySeconds ?? 0;
    const replicaCount: number = set.spec?.replicas ?? 1;
    const start = startOrdinal(set);
    const end = start + replicaCount;
    const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
    const status: Obj = {
      observedGeneration: set.metadata.generation,
      replicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount,
    };
    const replicas: (Obj | undefined)[] = new Array(replicaCount).fill(undefined);
    const condemned: Obj[] = [];
    for (const pod of pods) {
      const ord = parentAndOrdinal(pod)[1];
      if (ord >= start && ord < end) replicas[ord - start] = pod;
      else if (ord >= 0) condemned.push(pod);
    }
    const count = (pod: Obj) => {
      if (!isCreated(pod)) return;
      status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas++;
      }
      if (isTerminating(pod)) return;
      const rev = podRevision(pod);
      if (rev === current.metadata.name) status.currentReplicas++;
      if (rev === update.metadata.name) status.updatedReplicas++;
    };
    for (const p of [...replicas, ...condemned]) if (p) count(p);
    condemned.sort((a, b) => parentAndOrdinal(a)[1] - parentAndOrdinal(b)[1]);

    const partition: number = set.spec?.updateStrategy?.type === 'RollingUpdate' ? (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const currentTemplate = templateOf(current);
    const updateTemplate = templateOf(update);
    /** newVersionedStatefulSetPod: with RollingUpdate, ordinals below the partition (or the current replicas) keep the current revision; otherwise the update revision. */
    const versioned = (ordinal: number): Obj => {
      const idx = ordinal - start;
      const us = set.spec?.updateStrategy;
      const useCurrent = us?.type === 'RollingUpdate' && (us.rollingUpdate ? idx < (us.rollingUpdate.partition ?? 0) : idx < (set.status?.currentReplicas ?? 0));
      if (useCurrent) return newStatefulSetPod(set, currentTemplate, current.metadata.name, ordinal);
      return newStatefulSetPod(set, updateTemplate, update.metadata.name, ordinal);
    };

    // First unhealthy pod (monotonic waits for it).
    for (let i = 0; i < replicaCount; i++) {
      const ordinal = start + i;
      let pod = replicas[i];
      if (pod && (isFailed(pod) || isSucceeded(pod)) && !isTerminating(pod)) {
        // A failed (or, for restartPolicy Never, succeeded) pod is deleted and recreated.
        const ns = set.metadata.namespace;
        if (isFailed(pod)) void this.recorder.record(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${ns}/${set.metadata.name} is recreating failed Pod ${pod.metadata.name}`);
        else void this.recorder.record(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${ns}/${set.metadata.name} is recreating terminated Pod ${pod.metadata.name}`);
        await this.deletePod(set, pod);
        if (monotonic) return status;
        continue;
      }
      if (!pod) {
        pod = versioned(ordinal);
        await this.createPod(set, pod);
        status.replicas++;
        if (podRevision(pod) === current.metadata.name) status.currentReplicas++;
        if (podRevision(pod) === update.metadata.name) status.updatedReplicas++;
        if (monotonic) return status;
        continue;
      }
      if (isTerminating(pod) && monotonic) return status; // wait for it to go before recreating it
      if (!isCreated(pod) && monotonic) return status;
      if (!isRunningAndReady(pod) && monotonic) return status; // "waiting for Pod to be Running and Ready"
      if (monotonic && !isRunningAndAvailable(pod, minReady, now)) return status;
      // identityMatches / storageMatches: the PVCs exist.
      if (!this.claimsExist(set, pod, ordinal)) await this.createClaims(set, pod, ordinal);
    }

    // Condemned pods, highest ordinal first.
    for (let k = condemned.length - 1; k >= 0; k--) {
      const pod = condemned[k];
      if (isTerminating(pod)) {
        if (monotonic) return status;
        continue;
      }
      if (monotonic && replicas.some((p) => !p || !isHealthy(p))) return status;
      if (monotonic && !isRunningAndReady(pod) && condemned.some((p, j) => j < k && !isHealthy(p))) return status;
      await this.claimsOnScaleDown(set, pod);
      await this.deletePod(set, pod);
      if (monotonic) return status;
    }

    // The rolling update: highest ordinal down to the partition, one unavailable pod at a time.
    if (set.spec?.updateStrategy?.type === 'OnDelete') return status;
    for (let i = replicaCount - 1; i >= partition; i--) {
      const pod = replicas[i];
      if (!pod) return status;
      if (podRevision(pod) !== update.metadata.name && !isTerminating(pod)) {
        if (replicas.some((p) => !p || !isHealthy(p))) return status;
        await this.deletePod(set, pod);
        status.currentReplicas = Math.max(0, status.currentReplicas - 1);
        return status;
      }
      if (!isHealthy(pod)) return status;
    }
    return status;
  }

  private claimsExist(set: Obj, _pod: Obj, ordinal: number): boolean {
    for (const c of set.spec?.volumeClaimTemplates ?? []) if (!this.claims.get(set.metadata.namespace, claimName(set, c, ordinal))) return false;
    return true;
  }

  /** createPersistentVolumeClaims: the pod's claims from the templates, labelled with the selector's matchLabels. */
  private async createClaims(set: Obj, pod: Obj, ordinal: number): Promise<void> {
    const def = this.api.resource('persistentvolumeclaims');
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(set, t, ordinal);
      if (this.claims.get(set.metadata.namespace, name)) continue;
      const labels = { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
      const claim: Obj = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { ...(t.metadata ?? {}), name, namespace: set.metadata.namespace, labels },
        spec: structuredClone(t.spec ?? {}),
      };
      delete claim.metadata.resourceVersion;
      delete claim.metadata.uid;
      // persistentVolumeClaimRetentionPolicy: whenDeleted Delete makes the set the claim's owner.
      if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete') claim.metadata.ownerReferences = [newControllerRef(set, API_VERSION, KIND)];
      try {
        await this.api.create(def, set.metadata.namespace, claim);
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) continue;
        void this.recorder.record(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
      void this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    }
  }

  /** whenScaled Delete: a condemned pod's claims become owned by the pod, so they go with it. */
  private async claimsOnScaleDown(set: Obj, pod: Obj): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const def = this.api.resource('persistentvolumeclaims');
    const ordinal = parentAndOrdinal(pod)[1];
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.claims.get(set.metadata.namespace, claimName(set, t, ordinal));
      if (!claim) continue;
      const refs = (claim.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
      refs.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true });
      await this.api.patch(def, claim.metadata.namespace, claim.metadata.name, 'merge', { metadata: { ownerReferences: refs } });
    }
  }

  /** CreateStatefulPod: the claims, then the pod. */
  private async createPod(set: Obj, pod: Obj): Promise<void> {
    const ordinal = parentAndOrdinal(pod)[1];
    await this.createClaims(set, pod, ordinal);
    try {
      await this.api.create(this.api.resource('pods'), set.metadata.namespace, pod);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return; // already there: the cache was behind
      void this.recorder.record(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
    void this.recorder.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /** DeleteStatefulPod. */
  private async deletePod(set: Obj, pod: Obj): Promise<void> {
    try {
      await this.api.delete(this.api.resource('pods'), set.metadata.namespace, pod.metadata.name);
    } catch (e) {
      if (isNotFound(e)) return;
      void this.recorder.record(set, 'Warning', 'FailedDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
    void this.recorder.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  /**
   * updateStatefulSetStatus: completeRollingUpdate first (all replicas updated and ready: the
   * update revision becomes current), then the write when anything changed.
   */
  private async updateStatus(set: Obj, status: Obj): Promise<void> {
    if (
      set.spec?.updateStrategy?.type === 'RollingUpdate' &&
      status.updatedReplicas === status.replicas &&
      status.readyReplicas === status.replicas &&
      status.replicas === (set.spec?.replicas ?? 1)
    ) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    const next: Obj = { replicas: status.replicas };
    for (const f of ['observedGeneration', 'readyReplicas', 'currentReplicas', 'updatedReplicas']) if (status[f]) next[f] = status[f];
    for (const f of ['currentRevision', 'updateRevision']) if (status[f]) next[f] = status[f];
    next.collisionCount = status.collisionCount;
    next.availableReplicas = status.availableReplicas;
    if (set.status?.conditions?.length) next.conditions = set.status.conditions;
    if (jsonEqual(next, set.status ?? {})) return;
    const def = this.api.resource(RESOURCE);
    let target = set;
    for (let i = 0; ; i++) {
      try {
        await this.api.update(def, target.metadata.namespace, target.metadata.name, { ...target, status: next }, { subresource: 'status' });
        return;
      } catch (e) {
        if (i >= 1) throw e;
        target = await this.api.get(def, target.metadata.namespace, target.metadata.name);
      }
    }
  }

  /** truncateHistory: revisions not used by a pod, the current or the update revision, beyond revisionHistoryLimit, oldest first. */
  private async truncateHistory(set: Obj, pods: Obj[], revisions: Obj[], current: Obj, update: Obj): Promise<void> {
    const live = new Set<string>([current.metadata.name, update.metadata.name]);
    for (const p of pods) {
      const r = podRevision(p);
      if (r) live.add(r);
    }
    const history = revisions.filter((r) => !live.has(r.metadata.name));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    for (let i = 0; i < history.length - limit; i++) await this.history.deleteControllerRevision(history[i]);
  }
}
