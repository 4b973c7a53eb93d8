// Deployment controller (pkg/controller/deployment/deployment_controller.go, sync.go, rolling.go,
// recreate.go, rollback.go, progress.go; helpers in deployment-util.ts from util/deployment_util.go).
//
// A Deployment owns one ReplicaSet per pod template, named `<deployment>-<pod-template-hash>` and
// selecting its pods by that label. A template change creates the new ReplicaSet and moves replicas
// to it (RollingUpdate within maxSurge/maxUnavailable, or Recreate: all old pods gone first); a
// replicas change alone is a scaling event, spread proportionally over the active ReplicaSets.
// Revisions (deployment.kubernetes.io/revision) number the templates; old ReplicaSets beyond
// revisionHistoryLimit are deleted once scaled to zero. Status counts come from the ReplicaSets'
// status (the ReplicaSet controller counts the pods); Available and Progressing conditions
// (progressDeadlineSeconds, re-checked on the emulator clock) as Kubernetes sets them.
//
// Watches Deployments, ReplicaSets and pods through the shared informers. A ReplicaSet event
// reaches its Deployment through the controller reference; an orphan ReplicaSet reaches the
// Deployments of its namespace whose selector matches it (adoption). ReplicaSets are found by an
// index on their controller's UID, so a sync costs what the Deployment owns.
//
// `kubectl rollout undo` is done by kubectl (a JSON patch of spec.template and the annotations);
// the extensions/v1beta1-era rollback annotation (deprecated.deployment.rollback.to) is honoured too.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { clone, jsonEqual, type Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError, type Requirement } from '../api/selectors.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { addPodControllerUIDIndexer, controllerOf, filterPodsByOwner, isNotFound, keyOf, recheckDeletionTimestamp, splitKey } from './controller-utils.ts';
import * as u from './deployment-util.ts';

/** ReplicaSets by their controller's UID; orphans under `_ORPHAN_RS/<namespace>`. */
export const RS_CONTROLLER_UID_INDEX = 'replicaSetControllerUID';
const orphanKey = (ns: string) => `_ORPHAN_RS/${ns}`;
const rsControllerUIDIndex = (rs: Obj): string[] => {
  const ref = controllerOf(rs);
  return ref?.uid ? [ref.uid] : [orphanKey(rs.metadata.namespace ?? '')];
};

/** The ReplicaSets of a Deployment, the new one and the old ones. */
interface RSs {
  newRS: Obj | undefined;
  oldRSs: Obj[];
}

/** Thrown to requeue after a hash collision was recorded in status.collisionCount. */
class HashCollision extends Error {}

export class DeploymentController {
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly recorder: EventRecorder;
  /** Progress-deadline re-checks (requeueStuckDeployment's AddAfter), one per Deployment. */
  private readonly rechecks = new Map<string, TimerHandle>();
  /** The annotations stored for a Deployment copy being synced (what updateStatus compares with). */
  private readonly written = new WeakMap<Obj, Obj>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.recorder = new EventRecorder(api, clock, { component: 'deployment-controller' });
    this.queue = new WorkQueue((k) => this.syncDeployment(k), {
      clock,
      maxRetries: 15,
      maxDelayMs: 1000,
      classify: (e) => {
        if (e instanceof HashCollision) return 'now';
        // A bug is a bug; other errors (an adoption refused because the Deployment went) are retried.
        if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) return 'throw';
        if (!(e instanceof ApiError)) return 'later';
        if (e.code === 403 && /is being terminated/.test(e.message)) return 'drop';
        return e.code === 409 ? 'now' : 'later';
      },
    });
    this.deployments = informers
      .for('deployments.apps')
      .addIndex('namespace', (d) => [d.metadata.namespace])
      .on({
        add: (d) => this.enqueue(d),
        update: (d) => this.enqueue(d),
        delete: (d) => this.enqueue(d),
      });
    this.replicaSets = informers.for('replicasets.apps').addIndex(RS_CONTROLLER_UID_INDEX, rsControllerUIDIndex).on({
      add: (rs) => this.addReplicaSet(rs),
      update: (rs, old) => this.updateReplicaSet(rs, old),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.pods = addPodControllerUIDIndexer(informers.for('pods')).on({ delete: (p) => this.deletePod(p) });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.replicaSets);
    await this.informers.acquire(this.deployments);
  }

  stop(): void {
    this.queue.stop();
    for (const t of this.rechecks.values()) t.cancel();
    this.rechecks.clear();
    this.informers.release(this.deployments);
    this.informers.release(this.replicaSets);
    this.informers.release(this.pods);
  }

  /** Settles when the queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- events → keys ----

  private enqueue(d: Obj): void {
    this.queue.add(keyOf(d));
  }

  private enqueueAfter(d: Obj, ms: number): void {
    const k = keyOf(d);
    this.rechecks.get(k)?.cancel();
    this.rechecks.set(
      k,
      this.clock.setTimeout(() => {
        this.rechecks.delete(k);
        this.queue.add(k);
      }, ms),
    );
  }

  /** resolveControllerRef: the Deployment a controller reference names, if it is the same object. */
  private resolveControllerRef(namespace: string, ref: Obj | undefined): Obj | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** getDeploymentsForReplicaSet: the Deployments of the namespace whose selector matches an orphan. */
  private deploymentsForReplicaSet(rs: Obj): Obj[] {
    const labels = rs.metadata.labels ?? {};
    return this.deployments.byIndex('namespace', rs.metadata.namespace).filter((d) => {
      const sel = parseSelector(d);
      return !!sel && sel.length > 0 && matchesLabels(sel, labels);
    });
  }

  private addReplicaSet(rs: Obj): void {
    if (rs.metadata.deletionTimestamp) return this.deleteReplicaSet(rs);
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = !jsonEqual(curRef, oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    if (!jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {}) || refChanged) {
      for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
    }
  }

  private deleteReplicaSet(rs: Obj): void {
    const d = this.resolveControllerRef(rs.metadata.namespace, controllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** deletePod: a Recreate Deployment waits for its old pods to be gone. */
  private deletePod(pod: Obj): void {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, controllerOf(rs));
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  // ---- reconcile ----

  /** syncDeployment. */
  private async syncDeployment(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const cached = this.deployments.get(ns, name);
    if (!cached) {
      this.rechecks.get(key)?.cancel();
      this.rechecks.delete(key);
      return;
    }
    const d = clone(cached);
    this.written.set(d, { ...(cached.metadata.annotations ?? {}) });
    const selector = parseSelector(d);
    if (selector && selector.length === 0) {
      await this.recorder.record(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.updateStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d, selector);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec.paused) return this.sync(d, rsList);
    if (rollbackTo(d) !== undefined) return this.rollback(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  /**
   * getReplicaSetsForDeployment (ClaimReplicaSets): the ReplicaSets this Deployment controls that
   * still match its selector; matching orphans are adopted, owned ones that stopped matching released.
   */
  private async getReplicaSetsForDeployment(d: Obj, selector: Requirement[] | null): Promise<Obj[]> {
    const ns = d.metadata.namespace;
    const match = (rs: Obj) => !!selector && selector.length > 0 && matchesLabels(selector, rs.metadata.labels ?? {});
    const owned: Obj[] = [];
    const rsDef = this.api.resource('replicasets.apps');
    for (const rs of this.replicaSets.byIndex(RS_CONTROLLER_UID_INDEX, d.metadata.uid)) {
      if (rs.metadata.namespace !== ns) continue;
      if (match(rs)) {
        owned.push(rs);
        continue;
      }
      if (d.metadata.deletionTimestamp) continue;
      // ReleaseReplicaSet: the ownerReference deleted, with the ReplicaSet's uid as precondition.
      try {
        await this.api.patch(rsDef, ns, rs.metadata.name, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid: d.metadata.uid }], uid: rs.metadata.uid } });
      } catch (e) {
        if (!isNotFound(e) && !(e instanceof ApiError && e.code === 422)) throw e;
      }
    }
    let canAdopt: Promise<void> | undefined;
    for (const rs of this.replicaSets.byIndex(RS_CONTROLLER_UID_INDEX, orphanKey(ns))) {
      if (d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp || !match(rs)) continue;
      canAdopt ??= recheckDeletionTimestamp(this.api, 'deployments.apps', d, 'Deployment')();
      await canAdopt;
      const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true };
      try {
        owned.push(await this.api.patch(rsDef, ns, rs.metadata.name, 'strategic', { metadata: { ownerReferences: [ref], uid: rs.metadata.uid } }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return owned;
  }

  /** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
  private async checkPausedConditions(d: Obj): Promise<void> {
    if (!u.hasProgressDeadline(d)) return;
    const cond = u.getCondition(d.status, 'Progressing');
    if (cond?.reason === u.TIMED_OUT_REASON) return;
    const pausedCondExists = cond?.reason === u.PAUSED_DEPLOY_REASON;
    const status = clone(d.status ?? {});
    const now = this.clock.now();
    if (d.spec.paused && !pausedCondExists) {
      u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.PAUSED_DEPLOY_REASON, 'Deployment is paused', now));
    } else if (!d.spec.paused && pausedCondExists) {
      u.setCondition(status, u.newCondition('Progressing', 'Unknown', u.RESUMED_DEPLOY_REASON, 'Deployment is resumed', now));
    } else return;
    await this.updateStatus(d, status);
  }

  /** syncStatusOnly: a Deployment being deleted only gets its status. */
  private async syncStatusOnly(d: Obj, rsList: Obj[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** sync: a scaling event or a paused Deployment. */
  private async sync(d: Obj, rsList: Obj[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused && rollbackTo(d) === undefined) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
  private async isScalingEvent(d: Obj, rsList: Obj[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    for (const rs of u.filterActive([...oldRSs, newRS])) {
      const desired = u.desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== u.replicasOf(d)) return true;
    }
    return false;
  }

  /**
   * getAllReplicaSetsAndSyncRevision + getNewReplicaSet: the new ReplicaSet (created when asked and
   * missing) with its revision, annotations and minReadySeconds brought up to date, the Deployment's
   * revision annotation copied from it, and the old ReplicaSets.
   */
  private async getAllReplicaSetsAndSyncRevision(d: Obj, rsList: Obj[], createIfNotExisted: boolean): Promise<RSs> {
    const [, oldRSs] = u.findOldReplicaSets(d, rsList);
    const existing = u.findNewReplicaSet(d, rsList);
    const newRevision = u.maxRevision(oldRSs) + 1;
    const rsDef = this.api.resource('replicasets.apps');
    const now = this.clock.now();
    const ns = d.metadata.namespace;

    if (existing) {
      const rsCopy = clone(existing);
      const annotationsUpdated = u.setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyNeedsUpdate = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyNeedsUpdate) {
        rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        const updated = await this.api.update(rsDef, ns, rsCopy.metadata.name, rsCopy);
        // Later steps of this sync see the written ReplicaSet, not the cache's older copy.
        rsList[rsList.indexOf(existing)] = updated;
        return { newRS: updated, oldRSs };
      }
      const status = clone(d.status ?? {});
      let needsUpdate = setRevision(d, rsCopy.metadata.annotations?.[u.REVISION_ANNOTATION]);
      if (u.hasProgressDeadline(d) && !u.getCondition(status, 'Progressing')) {
        u.setCondition(status, u.newCondition('Progressing', 'True', u.FOUND_NEW_RS_REASON, `Found new replica set ${goQuote(rsCopy.metadata.name)}`, now));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus(d, status);
      return { newRS: rsCopy, oldRSs };
    }
    if (!createIfNotExisted) return { newRS: undefined, oldRSs };

    // A new ReplicaSet: the template with the pod-template-hash label, selected by it too.
    const template = clone(d.spec.template ?? {});
    const hash = u.computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [u.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash } };
    const selector = clone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    const newRS: Obj = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
        labels: template.metadata.labels,
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const newReplicas = u.newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = newReplicas;
    u.setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: Obj;
    let alreadyExists = false;
    try {
      created = await this.api.create(rsDef, ns, newRS);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists') {
        alreadyExists = true;
        const rs = await this.api.tryGet(rsDef, ns, newRS.metadata.name);
        if (!rs) throw e;
        const ref = controllerOf(rs);
        if (ref && ref.uid === d.metadata.uid && u.equalIgnoreHash(d.spec.template, rs.spec?.template)) created = rs;
        else {
          // A hash collision: count it, so that the next attempt hashes differently.
          const status = { ...clone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await this.updateStatus(d, status);
          throw new HashCollision(`hash collision for ${ns}/${newRS.metadata.name}`);
        }
      } else if (e instanceof ApiError && e.code === 403 && /is being terminated/.test(e.message)) {
        throw e;
      } else {
        const msg = `Failed to create new replica set ${goQuote(newRS.metadata.name)}: ${e instanceof Error ? e.message : String(e)}`;
        if (u.hasProgressDeadline(d)) {
          const status = clone(d.status ?? {});
          u.setCondition(status, u.newCondition('Progressing', 'False', u.FAILED_RS_CREATE_REASON, msg, now));
          await this.updateStatus(d, status).catch(() => undefined);
        }
        await this.recorder.record(d, 'Warning', u.FAILED_RS_CREATE_REASON, msg);
        throw e;
      }
    }
    if (!alreadyExists && newReplicas > 0) {
      await this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${newReplicas}`);
    }
    const status = clone(d.status ?? {});
    let needsUpdate = setRevision(d, String(newRevision));
    if (!alreadyExists && u.hasProgressDeadline(d)) {
      u.setCondition(status, u.newCondition('Progressing', 'True', u.NEW_REPLICA_SET_REASON, `Created new replica set ${goQuote(created.metadata.name)}`, now));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus(d, status);
    return { newRS: created, oldRSs };
  }

  /**
   * scale: the one active ReplicaSet (or the newest) follows spec.replicas; a saturated new one
   * takes everything; otherwise (RollingUpdate) the difference to replicas + surge is spread over
   * the active ReplicaSets in proportion to their size, leftovers to the largest.
   */
  private async scale(d: Obj, newRS: Obj | undefined, oldRSs: Obj[]): Promise<void> {
    const replicas = u.replicasOf(d);
    const activeOrLatest = u.findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (u.replicasOf(activeOrLatest) === replicas) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicas, d);
      return;
    }
    if (u.isSaturated(d, newRS)) {
      for (const old of u.filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!u.isRollingUpdate(d)) return;
    const allRSs = u.filterActive([...oldRSs, newRS]);
    const allowedSize = replicas > 0 ? replicas + u.maxSurge(d) : 0;
    const toAdd = allowedSize - u.replicaCount(allRSs);
    let op = '';
    if (toAdd > 0) {
      allRSs.sort(u.bySizeNewer);
      op = 'up';
    } else if (toAdd < 0) {
      allRSs.sort(u.bySizeOlder);
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of allRSs) {
      if (toAdd !== 0) {
        const p = u.getProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.name, u.replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.name, u.replicasOf(rs));
    }
    for (let i = 0; i < allRSs.length; i++) {
      const rs = allRSs[i]!;
      if (i === 0 && toAdd !== 0) sizes.set(rs.metadata.name, Math.max(0, sizes.get(rs.metadata.name)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs.metadata.name)!, d, op);
    }
  }

  private async scaleReplicaSetAndRecordEvent(rs: Obj, newScale: number, d: Obj): Promise<[boolean, Obj]> {
    if (u.replicasOf(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, d, u.replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scaleReplicaSet: spec.replicas and the replicas annotations in one update, and ScalingReplicaSet. */
  private async scaleReplicaSet(rs: Obj, newScale: number, d: Obj, op: string): Promise<[boolean, Obj]> {
    const sizeNeedsUpdate = u.replicasOf(rs) !== newScale;
    const desired = u.replicasOf(d);
    const max = desired + u.maxSurge(d);
    if (!sizeNeedsUpdate && !u.replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
    const oldScale = u.replicasOf(rs);
    const rsCopy = clone(rs);
    rsCopy.spec.replicas = newScale;
    u.setReplicasAnnotations(rsCopy, desired, max);
    const updated = await this.api.update(this.api.resource('replicasets.apps'), rs.metadata.namespace, rs.metadata.name, rsCopy);
    if (sizeNeedsUpdate) {
      await this.recorder.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} to ${newScale} from ${oldScale}`);
    }
    return [sizeNeedsUpdate, updated];
  }

  /** cleanupDeployment: old ReplicaSets beyond revisionHistoryLimit, scaled to zero and settled, deleted oldest revision first. */
  private async cleanupDeployment(oldRSs: Obj[], d: Obj): Promise<void> {
    if (!u.hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit;
    if (diff <= 0) return;
    cleanable.sort(u.byRevision);
    const rsDef = this.api.resource('replicasets.apps');
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i]!;
      if ((rs.status?.replicas ?? 0) !== 0 || u.replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      try {
        await this.api.delete(rsDef, rs.metadata.namespace, rs.metadata.name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** syncDeploymentStatus: the counts and Available, written when they changed. */
  private async syncDeploymentStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj): Promise<void> {
    const status = u.calculateStatus(allRSs, newRS, d, this.clock.now());
    await this.updateStatus(d, status);
  }

  // ---- rolling.go ----

  private async rolloutRolling(d: Obj, rsList: Obj[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = [...oldRSs, newRS!];
    if (await this.reconcileNewReplicaSet(allRSs, newRS!, d)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (await this.reconcileOldReplicaSets(allRSs, u.filterActive(oldRSs), newRS!, d)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (u.deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  private async reconcileNewReplicaSet(allRSs: Obj[], newRS: Obj, d: Obj): Promise<boolean> {
    const replicas = u.replicasOf(d);
    if (u.replicasOf(newRS) === replicas) return false;
    if (u.replicasOf(newRS) > replicas) return (await this.scaleReplicaSetAndRecordEvent(newRS, replicas, d))[0];
    return (await this.scaleReplicaSetAndRecordEvent(newRS, u.newRSNewReplicas(d, allRSs, newRS), d))[0];
  }

  /**
   * reconcileOldReplicaSets: old pods go as far as availability allows: maxScaledDown = all pods −
   * (replicas − maxUnavailable) − the new ReplicaSet's unavailable pods; unhealthy old pods first.
   */
  private async reconcileOldReplicaSets(allRSs: Obj[], oldRSs: Obj[], newRS: Obj, d: Obj): Promise<boolean> {
    const oldPods = u.replicaCount(oldRSs);
    if (oldPods === 0) return false;
    const allPods = u.replicaCount(allRSs);
    const minAvailable = u.replicasOf(d) - u.maxUnavailable(d);
    const newRSUnavailable = u.replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    const [olds, cleanupCount] = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...olds, newRS], olds, d);
    return cleanupCount + scaledDown > 0;
  }

  /** cleanupUnhealthyReplicas: old ReplicaSets' unavailable pods, oldest ReplicaSet first. */
  private async cleanupUnhealthyReplicas(oldRSs: Obj[], d: Obj, maxCleanup: number): Promise<[Obj[], number]> {
    const olds = [...oldRSs].sort(u.byCreation);
    let total = 0;
    for (let i = 0; i < olds.length; i++) {
      const rs = olds[i]!;
      if (total >= maxCleanup) break;
      const replicas = u.replicasOf(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(maxCleanup - total, replicas - available);
      const next = replicas - count;
      if (next > replicas) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas} -> ${next}`);
      const [, updated] = await this.scaleReplicaSetAndRecordEvent(rs, next, d);
      total += count;
      olds[i] = updated;
    }
    return [olds, total];
  }

  /** scaleDownOldReplicaSetsForRollingUpdate: available pods above minAvailable, oldest ReplicaSet first. */
  private async scaleDownOldReplicaSetsForRollingUpdate(allRSs: Obj[], oldRSs: Obj[], d: Obj): Promise<number> {
    const minAvailable = u.replicasOf(d) - u.maxUnavailable(d);
    const available = u.availableReplicaCount(allRSs);
    if (available <= minAvailable) return 0;
    const olds = [...oldRSs].sort(u.byCreation);
    const target = available - minAvailable;
    let total = 0;
    for (const rs of olds) {
      if (total >= target) break;
      if (u.replicasOf(rs) === 0) continue;
      const count = Math.min(u.replicasOf(rs), target - total);
      const next = u.replicasOf(rs) - count;
      await this.scaleReplicaSetAndRecordEvent(rs, next, d);
      total += count;
    }
    return total;
  }

  // ---- recreate.go ----

  private async rolloutRecreate(d: Obj, rsList: Obj[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let allRSs = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of u.filterActive(oldRSs)) {
      if ((await this.scaleReplicaSetAndRecordEvent(rs, 0, d))[0]) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(allRSs, newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    await this.scaleReplicaSetAndRecordEvent(newRS!, u.replicasOf(d), d);
    if (u.deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  /** oldPodsRunning: an old ReplicaSet still counts pods, or has a pod that is not Succeeded or Failed. */
  private oldPodsRunning(newRS: Obj | undefined, oldRSs: Obj[]): boolean {
    if (u.actualReplicaCount(oldRSs) > 0) return true;
    for (const rs of oldRSs) {
      if (newRS && rs.metadata.uid === newRS.metadata.uid) continue;
      for (const pod of filterPodsByOwner(this.pods, rs, false)) {
        const phase = pod.status?.phase;
        if (phase !== 'Failed' && phase !== 'Succeeded') return true;
      }
    }
    return false;
  }

  // ---- rollback.go (the deprecated.deployment.rollback.to annotation) ----

  private async rollback(d: Obj, rsList: Obj[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
    let revision = rollbackTo(d)!;
    if (revision === 0) {
      revision = u.lastRevision(allRSs);
      if (revision === 0) {
        await this.recorder.record(d, 'Warning', 'RollbackRevisionNotFound', 'Unable to find last revision.');
        return this.updateDeploymentAndClearRollbackTo(d);
      }
    }
    for (const rs of allRSs) {
      if (u.revisionOf(rs) !== revision) continue;
      if (!u.equalIgnoreHash(d.spec.template, rs.spec?.template)) {
        // rollbackToTemplate: the ReplicaSet's template without the hash, and its annotations.
        const template = clone(rs.spec.template);
        if (template.metadata?.labels) delete template.metadata.labels[u.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
        d.spec.template = template;
        // SetDeploymentAnnotationsTo: the Deployment keeps only its own (skipped) annotations, then takes the ReplicaSet's others.
        const ann: Obj = Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => u.skipCopyAnnotation(k)));
        for (const [k, v] of Object.entries<string>(rs.metadata.annotations ?? {})) if (!u.skipCopyAnnotation(k)) ann[k] = v;
        d.metadata.annotations = ann;
        await this.recorder.record(d, 'Normal', 'DeploymentRollback', `Rolled back deployment ${goQuote(d.metadata.name)} to revision ${revision}`);
      } else {
        await this.recorder.record(d, 'Warning', 'RollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment ${goQuote(d.metadata.name)}`);
      }
      return this.updateDeploymentAndClearRollbackTo(d);
    }
    await this.recorder.record(d, 'Warning', 'RollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    return this.updateDeploymentAndClearRollbackTo(d);
  }

  private async updateDeploymentAndClearRollbackTo(d: Obj): Promise<void> {
    delete d.metadata.annotations?.[u.DEPRECATED_ROLLBACK_TO];
    const { status: _s, ...body } = d;
    await this.api.update(this.api.resource('deployments.apps'), d.metadata.namespace, d.metadata.name, body);
  }

  // ---- progress.go ----

  /** syncRolloutStatus: the status with the Progressing condition (complete, progressing, or timed out). */
  private async syncRolloutStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj): Promise<void> {
    const now = this.clock.now();
    const status = u.calculateStatus(allRSs, newRS, d, now);
    if (!u.hasProgressDeadline(d)) u.removeCondition(status, 'Progressing');
    const current = u.getCondition(d.status, 'Progressing');
    const isComplete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === u.NEW_RS_AVAILABLE_REASON;
    if (u.hasProgressDeadline(d) && !isComplete) {
      const rsName = newRS ? goQuote(newRS.metadata.name) : undefined;
      const dName = goQuote(d.metadata.name);
      if (u.deploymentComplete(d, status)) {
        const msg = rsName ? `ReplicaSet ${rsName} has successfully progressed.` : `Deployment ${dName} has successfully progressed.`;
        u.setCondition(status, u.newCondition('Progressing', 'True', u.NEW_RS_AVAILABLE_REASON, msg, now));
      } else if (u.deploymentProgressing(d, status)) {
        const msg = rsName ? `ReplicaSet ${rsName} is progressing.` : `Deployment ${dName} is progressing.`;
        let cond = u.newCondition('Progressing', 'True', u.REPLICA_SET_UPDATED_REASON, msg, now);
        if (current) {
          if (current.status === 'True') cond = { ...cond, lastTransitionTime: current.lastTransitionTime };
          u.removeCondition(status, 'Progressing');
        }
        u.setCondition(status, cond);
      } else if (u.deploymentTimedOut(d, status, now)) {
        const msg = rsName ? `ReplicaSet ${rsName} has timed out progressing.` : `Deployment ${dName} has timed out progressing.`;
        u.setCondition(status, u.newCondition('Progressing', 'False', u.TIMED_OUT_REASON, msg, now));
      }
    }
    // getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's.
    const failures = (rs: Obj | undefined) => (rs?.status?.conditions ?? []).filter((c: Obj) => c?.type === 'ReplicaFailure');
    const failure = failures(newRS)[0] ?? allRSs.flatMap(failures)[0];
    if (failure) {
      u.setCondition(status, {
        type: 'ReplicaFailure',
        status: failure.status,
        lastTransitionTime: failure.lastTransitionTime,
        lastUpdateTime: failure.lastTransitionTime,
        reason: failure.reason,
        message: failure.message,
      });
    } else u.removeCondition(status, 'ReplicaFailure');

    if (!(await this.updateStatus(d, status))) this.requeueStuckDeployment(d, status);
  }

  /** requeueStuckDeployment: a sync when the progress deadline would pass (plus a second). */
  private requeueStuckDeployment(d: Obj, status: Obj): void {
    const cond = u.getCondition(d.status, 'Progressing');
    if (!u.hasProgressDeadline(d) || !cond) return;
    if (u.deploymentComplete(d, status) || cond.reason === u.TIMED_OUT_REASON) return;
    const after = Date.parse(cond.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - this.clock.now();
    this.enqueueAfter(d, after < 1000 ? 5 : after + 1000);
  }

  // ---- writes ----

  /**
   * UpdateStatus with the Deployment's annotations (the revision travels with the status, as in
   * Kubernetes). Nothing is written when status and annotations are as stored; false then. The
   * result's resourceVersion, status and annotations are kept in `d` for the writes that follow.
   */
  private async updateStatus(d: Obj, status: Obj): Promise<boolean> {
    const next = u.normalizeStatus(status);
    if (jsonEqual(next, u.normalizeStatus(d.status)) && jsonEqual(this.written.get(d) ?? {}, d.metadata.annotations ?? {})) return false;
    const updated = await this.api.update(this.api.resource('deployments.apps'), d.metadata.namespace, d.metadata.name, { ...d, status: next }, { subresource: 'status' });
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
    d.status = updated.status;
    this.written.set(d, { ...(updated.metadata.annotations ?? {}) });
    return true;
  }
}

/** The Deployment's selector, parsed; null when missing or invalid. */
function parseSelector(d: Obj): Requirement[] | null {
  try {
    return labelSelectorFromObject(d.spec?.selector);
  } catch (e) {
    if (e instanceof SelectorError) return null;
    throw e;
  }
}

/** getRollbackTo: the revision of deprecated.deployment.rollback.to, or undefined. */
function rollbackTo(d: Obj): number | undefined {
  const v = d.metadata.annotations?.[u.DEPRECATED_ROLLBACK_TO];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** SetDeploymentRevision on the copy `d`: true when the annotation changed. */
function setRevision(d: Obj, revision: string | undefined): boolean {
  const ann = (d.metadata.annotations ??= {});
  if (ann[u.REVISION_ANNOTATION] === (revision ?? '')) return false;
  ann[u.REVISION_ANNOTATION] = revision ?? '';
  return true;
}

/** Go's %q for the names in messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
