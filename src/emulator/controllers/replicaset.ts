// ReplicaSet controller (pkg/controller/replicaset/replica_set.go, replica_set_utils.go) and the
// ReplicationController manager, which Kubernetes builds from the same code with an adapter
// (pkg/controller/replication/replication_controller.go, conversion.go): one implementation, two
// kinds (ReplicaSet apps/v1 with a LabelSelector, ReplicationController v1 with a map selector).
//
// Watches: the ReplicaSets (or ReplicationControllers) and pods of kube-controller-manager's shared
// informers. A pod event enqueues its controller (its controllerRef), or, for an orphan, every
// controller of its namespace whose selector matches it. reconcile(key) = syncReplicaSet: claim
// pods (adopt matching orphans, release owned pods that no longer match), create or delete pods
// (at most burstReplicas per sync, creations in slow-start batches, deletions in ActivePodsWithRanks
// order) unless earlier creations and deletions have not been observed yet (expectations), then
// write status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas with
// minReadySeconds, observedGeneration, the ReplicaFailure condition).

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, rfc3339, type Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError, type Requirement } from '../api/selectors.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import {
  addPodControllerUIDIndexer,
  controllerOf,
  filterActivePods,
  filterPodsByOwner,
  getPodsToDelete,
  isNamespaceTerminating,
  isNotFound,
  isPodActive,
  isPodAvailable,
  isPodReady,
  podReadyTime,
  keyOf,
  newControllerRef,
  PodControl,
  PodControllerRefManager,
  recheckDeletionTimestamp,
  slowStartBatch,
  SLOW_START_INITIAL_BATCH_SIZE,
  splitKey,
  UIDTrackingControllerExpectations,
} from './controller-utils.ts';

/** BurstReplicas: the most pods one sync creates or deletes. */
export const BURST_REPLICAS = 500;
/** statusUpdateRetries: a conflicting status write is retried once on a fresh read. */
const STATUS_UPDATE_RETRIES = 1;
export const REPLICA_FAILURE = 'ReplicaFailure';

/** What differs between the ReplicaSet controller and the replication manager. */
export interface ReplicatedKind {
  resource: string;
  apiVersion: string;
  kind: string;
  /** The event source component. */
  component: string;
  /** The selector, parsed (throws SelectorError when invalid). */
  selector(obj: Obj): Requirement[] | null;
}

export const REPLICA_SET: ReplicatedKind = {
  resource: 'replicasets.apps',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selector: (rs) => labelSelectorFromObject(rs.spec?.selector),
};

/** conversion.go: a ReplicationController's map selector is the LabelSelector's matchLabels. */
export const REPLICATION_CONTROLLER: ReplicatedKind = {
  resource: 'replicationcontrollers',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  selector: (rc) => labelSelectorFromObject({ matchLabels: rc.spec?.selector ?? {} }),
};

export class ReplicaSetController {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly expectations: UIDTrackingControllerExpectations;
  private readonly podControl: PodControl;
  private readonly queue: WorkQueue;
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  private started = false;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
    private readonly k: ReplicatedKind = REPLICA_SET,
    private readonly burstReplicas = BURST_REPLICAS,
  ) {
    this.expectations = new UIDTrackingControllerExpectations(clock);
    this.podControl = new PodControl(api, new EventRecorder(api, clock, { component: k.component }));
    this.queue = new WorkQueue((key) => this.syncReplicaSet(key), {
      clock,
      maxRetries: Number.MAX_SAFE_INTEGER,
      // DefaultControllerRateLimiter: 5 ms doubling up to 1000 s.
      maxDelayMs: 1000_000,
      classify: (e) => (e instanceof TypeError || e instanceof ReferenceError ? 'throw' : e instanceof ApiError && e.code === 409 ? 'now' : 'later'),
    });
    this.sets = informers.for(k.resource).addIndex('namespace', (o) => [o.metadata.namespace ?? '']);
    this.sets.on({ add: (rs) => this.enqueue(rs), update: (cur, old) => this.updateRS(cur, old), delete: (rs) => this.deleteRS(rs) });
    this.pods = addPodControllerUIDIndexer(informers.for('pods'));
    this.pods.on({ add: (p) => this.addPod(p), update: (cur, old) => this.updatePod(cur, old), delete: (p) => this.deletePod(p) });
  }

  async start(): Promise<void> {
    this.queue.start();
    this.started = true;
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.sets);
    // Informers shared with controllers that kept running do not replay: sync every object once.
    for (const rs of this.sets.list()) this.enqueue(rs);
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.queue.stop();
    for (const d of this.delayed.values()) d.handle.cancel();
    this.delayed.clear();
    this.informers.release(this.sets);
    this.informers.release(this.pods);
  }

  /** Settles when the queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- events to keys ----

  private enqueue(rs: Obj): void {
    this.queue.add(keyOf(rs));
  }

  /** enqueueRSAfter (the queue's AddAfter): a key waiting keeps the earlier time. */
  private enqueueAfter(rs: Obj, ms: number): void {
    if (!this.started) return;
    const key = keyOf(rs);
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

  private updateRS(cur: Obj, old: Obj): void {
    // A replaced object (same name, new uid) starts clean.
    if (cur.metadata.uid !== old.metadata.uid) this.expectations.deleteExpectations(keyOf(old));
    this.enqueue(cur);
  }

  private deleteRS(rs: Obj): void {
    this.expectations.deleteExpectations(keyOf(rs));
    this.enqueue(rs);
  }

  /** resolveControllerRef: the controller a pod's controllerRef names, if it is of this kind and still the same object. */
  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== this.k.kind) return undefined;
    const rs = this.sets.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** getPodReplicaSets: the controllers of the pod's namespace whose (non-empty) selector matches it. */
  private getPodReplicaSets(pod: Obj): Obj[] {
    const out: Obj[] = [];
    for (const rs of this.sets.byIndex('namespace', pod.metadata.namespace ?? '')) {
      let sel: Requirement[] | null;
      try {
        sel = this.k.selector(rs);
      } catch {
        continue;
      }
      if (!sel || sel.length === 0 || !matchesLabels(sel, pod.metadata.labels ?? {})) continue;
      out.push(rs);
    }
    return out;
  }

  private addPod(pod: Obj): void {
    if (pod.metadata.deletionTimestamp) {
      // A pod that shows up already being deleted (a restart of the controller manager).
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.enqueue(rs);
      return;
    }
    // An orphan: the matching controllers may adopt it.
    for (const rs of this.getPodReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelChanged = !jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion: replace the pod now, not when the kubelet is done with it.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = !jsonEqual(curRef ?? null, oldRef ?? null);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      // Kubernetes syncs on every update; one that changes nothing a sync reads (labels, owner,
      // phase, readiness and its time) would be a no-op sync, O(pods of the set): skipped.
      if (!labelChanged && !refChanged && isPodActive(cur) === isPodActive(old) && isPodReady(cur) === isPodReady(old) && podReadyTime(cur) === podReadyTime(old)) return;
      this.enqueue(rs);
      // Available comes minReadySeconds after Ready: look again then (plus a second against skew).
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(rs, minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.getPodReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Obj): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!rs) return;
    const rsKey = keyOf(rs);
    this.expectations.podDeletionObserved(rsKey, keyOf(pod));
    this.queue.add(rsKey);
  }

  // ---- reconcile ----

  /** syncReplicaSet. */
  private async syncReplicaSet(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    let rs = this.sets.get(namespace, name);
    if (!rs) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const rsNeedsSync = this.expectations.satisfiedExpectations(key);
    let selector: Requirement[] | null;
    try {
      selector = this.k.selector(rs);
    } catch (e) {
      if (e instanceof SelectorError) return; // HandleError and no requeue: the object must change first
      throw e;
    }
    // Owned pods and the namespace's orphans (the only ones it may adopt), active only.
    const active = filterActivePods(filterPodsByOwner(this.pods, rs, true));
    const manager = new PodControllerRefManager({
      podControl: this.podControl,
      controller: rs,
      selector,
      apiVersion: this.k.apiVersion,
      kind: this.k.kind,
      canAdopt: recheckDeletionTimestamp(this.api, this.k.resource, rs, this.k.kind),
    });
    const filteredPods = await manager.claimPods(active);

    let manageReplicasErr: unknown;
    if (rsNeedsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(filteredPods, rs);
      } catch (e) {
        manageReplicasErr = e;
      }
    }
    const newStatus = calculateStatus(rs, filteredPods, manageReplicasErr, this.clock.now());
    rs = await this.updateStatus(rs, newStatus);
    const replicas = rs.spec?.replicas ?? 1;
    const minReady = rs.spec?.minReadySeconds ?? 0;
    // Resync after minReadySeconds as a last line of defence against clock skew.
    if (manageReplicasErr === undefined && minReady > 0 && (rs.status?.readyReplicas ?? 0) === replicas && (rs.status?.availableReplicas ?? 0) !== replicas) {
      this.enqueueAfter(rs, minReady * 1000);
    }
    if (manageReplicasErr !== undefined) throw manageReplicasErr;
  }

  /** manageReplicas: creates or deletes pods to reach spec.replicas, at most burstReplicas at a time. */
  private async manageReplicas(filteredPods: Obj[], rs: Obj): Promise<void> {
    const rsKey = keyOf(rs);
    let diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      diff = Math.min(-diff, this.burstReplicas);
      // Expect the creations before making them: their watch events may come before the calls return.
      this.expectations.expectCreations(rsKey, diff);
      const ref = newControllerRef(rs, this.k.apiVersion, this.k.kind);
      const [successes, err] = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPods(rs.metadata.namespace, rs.spec?.template, rs, ref);
        } catch (e) {
          if (isNamespaceTerminating(e)) return; // the namespace is going: nothing to do
          throw e;
        }
      });
      // The creations that were never made will never be observed.
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(rsKey);
      if (err !== undefined) throw err;
    } else if (diff > 0) {
      diff = Math.min(diff, this.burstReplicas);
      // getIndirectlyRelatedPods: a ReplicaSet of a Deployment ranks by the pods of all its siblings.
      const related = this.relatedPods(rs);
      const toDelete = getPodsToDelete(filteredPods, related, diff, this.clock.now());
      this.expectations.expectPodDeletions(rsKey, toDelete.map(keyOf));
      const errors: unknown[] = [];
      await Promise.all(
        toDelete.map(async (pod) => {
          try {
            await this.podControl.deletePod(rs.metadata.namespace, pod.metadata.name, rs);
          } catch (e) {
            // The deletion will not be observed (the pod may be gone already).
            this.expectations.podDeletionObserved(rsKey, keyOf(pod));
            if (!isNotFound(e)) errors.push(e);
          }
        }),
      );
      if (errors.length) throw errors[0];
    }
  }

  /** getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller (a Deployment's), or this one's own. */
  private relatedPods(rs: Obj): Obj[] {
    const owner = controllerOf(rs);
    if (!owner) return filterPodsByOwner(this.pods, rs, false);
    const out: Obj[] = [];
    for (const sibling of this.sets.byIndex('namespace', rs.metadata.namespace ?? '')) {
      if (controllerOf(sibling)?.uid === owner.uid) out.push(...filterPodsByOwner(this.pods, sibling, false));
    }
    return out;
  }

  /** updateReplicaSetStatus: writes the status if it changed or the generation was not observed yet. */
  private async updateStatus(rs: Obj, newStatus: Obj): Promise<Obj> {
    const cur = rs.status ?? {};
    if (
      (cur.replicas ?? 0) === (newStatus.replicas ?? 0) &&
      (cur.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
      (cur.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) &&
      (cur.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
      (rs.metadata.generation ?? 0) === (cur.observedGeneration ?? 0) &&
      jsonEqual(cur.conditions ?? [], newStatus.conditions ?? [])
    ) {
      return rs;
    }
    const def = this.api.resource(this.k.resource);
    let target = rs;
    for (let i = 0; ; i++) {
      const status = omitZero({ ...newStatus, observedGeneration: target.metadata.generation });
      try {
        return await this.api.update(def, target.metadata.namespace, target.metadata.name, { ...target, status }, { subresource: 'status' });
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw e;
        target = await this.api.get(def, target.metadata.namespace, target.metadata.name);
      }
    }
  }
}

/** The replication manager: the same controller for v1 ReplicationControllers. */
export function newReplicationManager(api: APIServer, clock: Clock, informers: SharedInformers, burstReplicas = BURST_REPLICAS): ReplicaSetController {
  return new ReplicaSetController(api, clock, informers, REPLICATION_CONTROLLER, burstReplicas);
}

/** calculateStatus (replica_set_utils.go). */
export function calculateStatus(rs: Obj, filteredPods: Obj[], manageReplicasErr: unknown, now: number): Obj {
  const newStatus: Obj = { ...(rs.status ?? {}) };
  const templateLabels = Object.entries<string>(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    const labels = pod.metadata.labels ?? {};
    if (templateLabels.every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const conditions: Obj[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageReplicasErr !== undefined && !failure) {
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: REPLICA_FAILURE, status: 'True', lastTransitionTime: rfc3339(now), reason, message: errorText(manageReplicasErr) });
  } else if (manageReplicasErr === undefined && failure) {
    conditions.splice(conditions.indexOf(failure), 1);
  }
  if (conditions.length) newStatus.conditions = conditions;
  else delete newStatus.conditions;
  newStatus.replicas = filteredPods.length;
  newStatus.fullyLabeledReplicas = fullyLabeled;
  newStatus.readyReplicas = ready;
  newStatus.availableReplicas = available;
  return newStatus;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Go's omitempty on ReplicaSetStatus: zero counts and the generation are left out; replicas is always there. */
function omitZero(status: Obj): Obj {
  const out: Obj = { replicas: status.replicas ?? 0 };
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) if (status[f]) out[f] = status[f];
  if (status.conditions?.length) out.conditions = status.conditions;
  return out;
}
