// DaemonSet controller (pkg/controller/daemon/daemon_controller.go, update.go,
// pkg/controller/daemon/util/daemonset_util.go).
//
// Watches: DaemonSets, pods, nodes and ControllerRevisions of kube-controller-manager's shared
// informers. A pod event enqueues its controller; a node event enqueues the DaemonSets (a node that
// joins, changes labels or taints, or goes away changes where daemon pods should run).
// reconcile(key) = syncDaemonSet: construct the history (the current ControllerRevision, whose hash
// labels the pods as `controller-revision-hash`), then, unless earlier creations and deletions have
// not been observed yet, run one pod on each eligible node (nodeSelector, node affinity, taints
// against the pod's tolerations plus the ones Kubernetes adds to daemon pods), pinned to its node
// with a node-affinity matchFields term on metadata.name and left to the scheduler; delete pods on
// nodes that should not run them, failed pods and duplicates; roll out a new template (RollingUpdate
// with maxUnavailable and maxSurge, or OnDelete); trim old revisions; and write status.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, type Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError, type Requirement } from '../api/selectors.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import type { NodeInfo } from '../scheduler/cache.ts';
import { requiredNodeAffinityMatches, tolerated } from '../scheduler/framework.ts';
import {
  addPodControllerUIDIndexer,
  controllerOf,
  filterPodsByOwner,
  isNamespaceTerminating,
  isNotFound,
  isPodAvailable,
  isPodReady,
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
import { computeHash, CONTROLLER_REVISION_HASH_LABEL, ControllerHistory, revisionData, sortControllerRevisions, templatePatch } from './history.ts';

const RESOURCE = 'daemonsets.apps';
const KIND = 'DaemonSet';
const API_VERSION = 'apps/v1';
/** BurstReplicas of the DaemonSet controller. */
const BURST_REPLICAS = 250;
export const FAILED_DAEMON_POD_REASON = 'FailedDaemonPod';
export const SELECTING_ALL_REASON = 'SelectingAll';
/** The index of ControllerRevisions by their controller's uid. */
const REVISION_OWNER_INDEX = 'controllerUID';

// ---- daemonset_util.go ----

/** AddOrUpdateDaemonPodTolerations: the tolerations every daemon pod gets (all `Exists`). */
export function addDaemonPodTolerations(spec: Obj): Obj {
  const add: Obj[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const tolerations: Obj[] = [...(spec.tolerations ?? [])];
  for (const t of add) {
    // AddOrUpdateTolerationInPodSpec: one with the same key, operator, value and effect is replaced.
    const i = tolerations.findIndex((x) => x.key === t.key && (x.operator ?? 'Equal') === t.operator && (x.value ?? '') === '' && x.effect === t.effect);
    if (i >= 0) {
      if (jsonEqual(tolerations[i], t)) continue;
      tolerations[i] = t;
    } else tolerations.push(t);
  }
  return { ...spec, tolerations };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes one term matching the node's name. */
export function replaceNodeNameAffinity(affinity: Obj | undefined, nodeName: string): Obj {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const out: Obj = { ...(affinity ?? {}) };
  out.nodeAffinity = { ...(out.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return out;
}

/** GetTargetNodeName: spec.nodeName, or the node the affinity term names for a pod not bound yet. */
export function targetNodeName(pod: Obj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: Obj[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length !== 1) return undefined;
  const f: Obj[] = terms[0].matchFields ?? [];
  if (f.length !== 1 || f[0].key !== 'metadata.name' || f[0].operator !== 'In' || f[0].values?.length !== 1) return undefined;
  return f[0].values[0];
}

/** NewPod: the template's spec with the daemon tolerations, as the node checks see it. */
function newPod(ds: Obj, nodeName: string): Obj {
  const spec = addDaemonPodTolerations(ds.spec?.template?.spec ?? {});
  return { metadata: { ...(ds.spec?.template?.metadata ?? {}) }, spec: { ...spec, nodeName } };
}

/**
 * NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. A node that does not fit the name or
 * affinity runs nothing; an untolerated NoSchedule/NoExecute taint stops new pods, and only an
 * untolerated NoExecute taint evicts the running one.
 */
export function nodeShouldRunDaemonPod(node: Obj, ds: Obj): [boolean, boolean] {
  const pod = newPod(ds, node.metadata.name);
  const wanted = ds.spec?.template?.spec?.nodeName;
  if (wanted && wanted !== node.metadata.name) return [false, false];
  const ni = { name: node.metadata.name, labels: node.metadata.labels ?? {} } as unknown as NodeInfo;
  if (!requiredNodeAffinityMatches(pod, ni)) return [false, false];
  const taints: Obj[] = node.spec?.taints ?? [];
  const untolerated = taints.filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.spec.tolerations, t));
  if (untolerated.length) return [false, !untolerated.some((t) => t.effect === 'NoExecute')];
  return [true, true];
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export class DaemonSetsController {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly expectations: UIDTrackingControllerExpectations;
  private readonly podControl: PodControl;
  private readonly recorder: EventRecorder;
  private readonly history: ControllerHistory;
  private readonly queue: WorkQueue;
  private readonly delayed = new Map<string, { at: number; handle: TimerHandle }>();
  private started = false;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.expectations = new UIDTrackingControllerExpectations(clock);
    this.recorder = new EventRecorder(api, clock, { component: 'daemonset-controller' });
    this.podControl = new PodControl(api, this.recorder);
    this.history = new ControllerHistory(api);
    this.queue = new WorkQueue((key) => this.syncDaemonSet(key), {
      clock,
      maxRetries: Number.MAX_SAFE_INTEGER,
      maxDelayMs: 1000_000,
      classify: (e) => (e instanceof TypeError || e instanceof ReferenceError ? 'throw' : e instanceof ApiError && e.code === 409 ? 'now' : 'later'),
    });
    this.sets = informers.for(RESOURCE).addIndex('namespace', (o) => [o.metadata.namespace ?? '']);
    this.sets.on({ add: (ds) => this.enqueue(ds), update: (cur) => this.enqueue(cur), delete: (ds) => this.deleteDS(ds) });
    this.pods = addPodControllerUIDIndexer(informers.for('pods'));
    this.pods.on({ add: (p) => this.addPod(p), update: (cur, old) => this.updatePod(cur, old), delete: (p) => this.deletePod(p) });
    this.nodes = informers.for('nodes');
    this.nodes.on({ add: () => this.enqueueAll(), update: (cur, old) => this.updateNode(cur, old), delete: () => this.enqueueAll() });
    this.revisions = informers.for('controllerrevisions.apps').addIndex(REVISION_OWNER_INDEX, (o) => {
      const ref = controllerOf(o);
      return ref ? [ref.uid] : [];
    });
  }

  async start(): Promise<void> {
    this.queue.start();
    this.started = true;
    await this.informers.acquire(this.revisions);
    await this.informers.acquire(this.nodes);
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.sets);
    this.enqueueAll();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.queue.stop();
    for (const d of this.delayed.values()) d.handle.cancel();
    this.delayed.clear();
    this.informers.release(this.sets);
    this.informers.release(this.pods);
    this.informers.release(this.nodes);
    this.informers.release(this.revisions);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ---- events to keys ----

  private enqueue(ds: Obj): void {
    this.queue.add(keyOf(ds));
  }

  private enqueueAll(): void {
    if (!this.started) return;
    for (const ds of this.sets.list()) this.enqueue(ds);
  }

  private enqueueAfter(ds: Obj, ms: number): void {
    if (!this.started) return;
    const key = keyOf(ds);
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

  private deleteDS(ds: Obj): void {
    this.expectations.deleteExpectations(keyOf(ds));
    this.enqueue(ds);
  }

  /** updateNode: only label, taint and readiness changes move daemon pods. */
  private updateNode(cur: Obj, old: Obj): void {
    if (
      jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {}) &&
      jsonEqual(cur.spec?.taints ?? [], old.spec?.taints ?? []) &&
      !!cur.spec?.unschedulable === !!old.spec?.unschedulable
    ) {
      return;
    }
    this.enqueueAll();
  }

  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== KIND) return undefined;
    const ds = this.sets.get(namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  private getPodDaemonSets(pod: Obj): Obj[] {
    return this.sets.byIndex('namespace', pod.metadata.namespace ?? '').filter((ds) => {
      try {
        const sel = labelSelectorFromObject(ds.spec?.selector);
        return !!sel && sel.length > 0 && matchesLabels(sel, pod.metadata.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  private addPod(pod: Obj): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(keyOf(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.getPodDaemonSets(pod)) this.enqueue(ds);
  }

  private updatePod(cur: Obj, old: Obj): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    if (oldRef && !jsonEqual(curRef ?? null, oldRef)) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(ds, minReady * 1000 + 1000);
      return;
    }
    if (!jsonEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) for (const ds of this.getPodDaemonSets(cur)) this.enqueue(ds);
  }

  private deletePod(pod: Obj): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!ds) return;
    this.expectations.podDeletionObserved(keyOf(ds), keyOf(pod));
    this.enqueue(ds);
  }

  // ---- reconcile ----

  private async syncDaemonSet(key: string): Promise<void> {
    const [namespace, name] = splitKey(key);
    const ds = this.sets.get(namespace, name);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      return;
    }
    let selector: Requirement[] | null;
    try {
      selector = labelSelectorFromObject(ds.spec?.selector);
    } catch (e) {
      if (e instanceof SelectorError) return;
      throw e;
    }
    // An empty selector would select every pod of the namespace.
    if (!selector || selector.length === 0) {
      void this.recorder.record(ds, 'Warning', SELECTING_ALL_REASON, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;

    const { cur, old } = await this.constructHistory(ds);
    const hash: string = cur.metadata.labels[CONTROLLER_REVISION_HASH_LABEL];
    const nodeToPods = await this.getNodesToDaemonPods(ds, selector);
    if (!this.expectations.satisfiedExpectations(key)) {
      await this.updateStatus(ds, nodeToPods, hash, false);
      return;
    }
    await this.manage(ds, nodeToPods, hash);
    if (this.expectations.satisfiedExpectations(key)) {
      if (ds.spec?.updateStrategy?.type !== 'OnDelete') await this.rollingUpdate(ds, await this.getNodesToDaemonPods(ds, selector), hash);
    }
    await this.cleanupHistory(ds, old);
    await this.updateStatus(ds, await this.getNodesToDaemonPods(ds, selector), hash, true);
  }

  /** constructHistory: the revision equal to the current template (created or renumbered to be the newest) and the others. */
  private async constructHistory(ds: Obj): Promise<{ cur: Obj; old: Obj[] }> {
    const all = sortControllerRevisions([...this.revisions.byIndex(REVISION_OWNER_INDEX, ds.metadata.uid)]);
    const data = templatePatch(ds);
    let cur: Obj | undefined;
    const old: Obj[] = [];
    let max = 0;
    for (const r of all) {
      max = Math.max(max, r.revision ?? 0);
      if (!cur && revisionData(r) === data) cur = r;
      else old.push(r);
    }
    if (cur) {
      if ((cur.revision ?? 0) < max) cur = await this.history.updateControllerRevision(cur, max + 1);
      return { cur, old };
    }
    // snapshot: named by the template's hash with the collision count.
    const collisionCount: number | undefined = ds.status?.collisionCount;
    const hash = computeHash(ds.spec?.template, collisionCount);
    const revision: Obj = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${ds.metadata.name}-${hash}`,
        namespace: ds.metadata.namespace,
        labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, API_VERSION, KIND)],
      },
      data: JSON.parse(data),
      revision: max + 1,
    };
    const def = this.api.resource('controllerrevisions.apps');
    try {
      cur = await this.api.create(def, ds.metadata.namespace, revision);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      const existing = await this.api.get(def, ds.metadata.namespace, revision.metadata.name);
      if (revisionData(existing) === data && controllerOf(existing)?.uid === ds.metadata.uid) {
        cur = existing;
      } else {
        // A hash collision: bump collisionCount and try again with a new name.
        await this.api.update(this.api.resource(RESOURCE), ds.metadata.namespace, ds.metadata.name, { ...ds, status: { ...(ds.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 } }, { subresource: 'status' });
        throw e;
      }
    }
    return { cur: cur!, old };
  }

  /** getNodesToDaemonPods: the DaemonSet's pods (after adoption and release) by the node they run or are meant for. */
  private async getNodesToDaemonPods(ds: Obj, selector: Requirement[]): Promise<Map<string, Obj[]>> {
    const manager = new PodControllerRefManager({
      podControl: this.podControl,
      controller: ds,
      selector,
      apiVersion: API_VERSION,
      kind: KIND,
      canAdopt: recheckDeletionTimestamp(this.api, RESOURCE, ds, KIND),
    });
    const claimed = await manager.claimPods(filterPodsByOwner(this.pods, ds, true));
    const out = new Map<string, Obj[]>();
    for (const pod of claimed) {
      const node = targetNodeName(pod);
      if (!node) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    return out;
  }

  /** manage: creates the missing daemon pods and deletes the ones that should go. */
  private async manage(ds: Obj, nodeToPods: Map<string, Obj[]>, hash: string): Promise<void> {
    const toCreate: string[] = [];
    const toDelete: Obj[] = [];
    const nodeNames = new Set<string>();
    for (const node of this.nodes.list()) {
      nodeNames.add(node.metadata.name);
      const [shouldRun, shouldContinue] = nodeShouldRunDaemonPod(node, ds);
      const pods = nodeToPods.get(node.metadata.name) ?? [];
      this.podsShouldBeOnNode(ds, node.metadata.name, pods, shouldRun, shouldContinue, toCreate, toDelete);
    }
    // podsShouldBeOnNode for nodes that are gone: their pods are deleted (the pod GC would too).
    for (const [nodeName, pods] of nodeToPods) {
      if (nodeNames.has(nodeName)) continue;
      for (const p of pods) if (!p.metadata.deletionTimestamp && !p.spec?.nodeName) toDelete.push(p);
    }
    await this.syncNodes(ds, toDelete, toCreate, hash);
  }

  private podsShouldBeOnNode(ds: Obj, nodeName: string, pods: Obj[], shouldRun: boolean, shouldContinue: boolean, toCreate: string[], toDelete: Obj[]): void {
    if (shouldRun && pods.length === 0) {
      toCreate.push(nodeName);
      return;
    }
    if (!shouldContinue) {
      for (const p of pods) if (!p.metadata.deletionTimestamp) toDelete.push(p);
      return;
    }
    if (!shouldRun) return;
    const running: Obj[] = [];
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      if (p.status?.phase === 'Failed') {
        // A failed daemon pod is killed and replaced.
        void this.recorder.record(ds, 'Warning', FAILED_DAEMON_POD_REASON, `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${nodeName}, will try to kill it`);
        toDelete.push(p);
        continue;
      }
      if (p.status?.phase === 'Succeeded') {
        toDelete.push(p);
        continue;
      }
      running.push(p);
    }
    const maxSurge = this.maxSurge(ds);
    if (maxSurge > 0 && ds.spec?.updateStrategy?.type !== 'OnDelete') {
      // With surge, an old and a new pod share the node for a while: keep the oldest of each kind.
      const hash = (p: Obj) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      const byHash = new Map<string, Obj[]>();
      for (const p of running) {
        const h = hash(p) ?? '';
        byHash.set(h, [...(byHash.get(h) ?? []), p]);
      }
      for (const group of byHash.values()) toDelete.push(...sortByCreation(group).slice(1));
      return;
    }
    // More than one: keep the oldest.
    if (running.length > 1) toDelete.push(...sortByCreation(running).slice(1));
  }

  private maxSurge(ds: Obj): number {
    if (ds.spec?.updateStrategy?.type !== 'RollingUpdate') return 0;
    try {
      return scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, ds.status?.desiredNumberScheduled ?? 0, true);
    } catch {
      return 0;
    }
  }

  /** syncNodes: deletions in parallel, creations in slow-start batches, each pod pinned to its node. */
  private async syncNodes(ds: Obj, toDelete: Obj[], nodesNeeding: string[], hash: string): Promise<void> {
    const dsKey = keyOf(ds);
    const createDiff = Math.min(nodesNeeding.length, BURST_REPLICAS);
    const deleteDiff = Math.min(toDelete.length, BURST_REPLICAS);
    this.expectations.setExpectations(dsKey, createDiff, 0);
    this.expectations.expectPodDeletions(dsKey, toDelete.slice(0, deleteDiff).map(keyOf));
    const errors: unknown[] = [];
    // daemon/util CreatePodTemplate: the template generation (the deprecated annotation's value,
    // util.GetTemplateGeneration) as `pod-template-generation`, then the revision hash.
    const generation = ds.metadata.annotations?.['deprecated.daemonset.template.generation'];
    const labels: Record<string, string> = { ...(ds.spec?.template?.metadata?.labels ?? {}) };
    if (generation !== undefined) labels['pod-template-generation'] = String(generation);
    labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
    const template: Obj = {
      metadata: { ...(ds.spec?.template?.metadata ?? {}), labels },
      spec: addDaemonPodTolerations(ds.spec?.template?.spec ?? {}),
    };
    const ref = newControllerRef(ds, API_VERSION, KIND);
    const nodes = nodesNeeding.slice(0, createDiff);
    let next = 0;
    const [successes, err] = await slowStartBatch(createDiff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      const nodeName = nodes[next++];
      const t = { ...template, spec: { ...template.spec, affinity: replaceNodeNameAffinity(template.spec.affinity, nodeName) } };
      try {
        await this.podControl.createPods(ds.metadata.namespace, t, ds, ref);
      } catch (e) {
        if (isNamespaceTerminating(e)) return;
        throw e;
      }
    });
    for (let i = successes; i < createDiff; i++) this.expectations.creationObserved(dsKey);
    if (err !== undefined) errors.push(err);
    await Promise.all(
      toDelete.slice(0, deleteDiff).map(async (pod) => {
        try {
          await this.podControl.deletePod(ds.metadata.namespace, pod.metadata.name, ds);
        } catch (e) {
          this.expectations.podDeletionObserved(dsKey, keyOf(pod));
          if (!isNotFound(e)) errors.push(e);
        }
      }),
    );
    if (errors.length) throw errors[0];
  }

  /**
   * rollingUpdate (update.go): without surge, old pods are deleted (unavailable ones first, then
   * available ones while fewer than maxUnavailable nodes are unavailable) and replaced by manage;
   * with surge, a new pod starts beside the old one, which goes once the new one is available.
   */
  private async rollingUpdate(ds: Obj, nodeToPods: Map<string, Obj[]>, hash: string): Promise<void> {
    const desired = this.nodes.list().filter((n) => nodeShouldRunDaemonPod(n, ds)[0]);
    let maxUnavailable: number;
    let maxSurge: number;
    try {
      maxSurge = scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0, desired.length, true);
      maxUnavailable = scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? (maxSurge ? 0 : 1), desired.length, false);
    } catch {
      return;
    }
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const isNew = (p: Obj) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
    const available = (p: Obj) => isPodAvailable(p, minReady, now);
    const toDelete: Obj[] = [];
    const toCreate: string[] = [];
    if (maxSurge === 0) {
      let numUnavailable = 0;
      const candidates: Obj[] = [];
      for (const node of desired) {
        const pods = (nodeToPods.get(node.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
        const newPod = pods.find(isNew);
        const oldPod = pods.find((p) => !isNew(p));
        if (!oldPod) {
          if (!newPod || !available(newPod)) numUnavailable++;
          continue;
        }
        if (!available(oldPod)) {
          // An old pod that is not available anyway is replaced at once.
          toDelete.push(oldPod);
          numUnavailable++;
          continue;
        }
        candidates.push(oldPod);
      }
      for (const p of candidates) {
        if (numUnavailable >= maxUnavailable) break;
        toDelete.push(p);
        numUnavailable++;
      }
    } else {
      let numSurge = 0;
      const candidates: string[] = [];
      for (const node of desired) {
        const pods = (nodeToPods.get(node.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
        const newPod = pods.find(isNew);
        const oldPod = pods.find((p) => !isNew(p));
        if (!oldPod) continue;
        if (!newPod) {
          if (!available(oldPod)) toCreate.push(node.metadata.name);
          else candidates.push(node.metadata.name);
          continue;
        }
        numSurge++;
        if (available(newPod)) toDelete.push(oldPod);
      }
      for (const n of candidates) {
        if (numSurge >= maxSurge) break;
        toCreate.push(n);
        numSurge++;
      }
    }
    if (toDelete.length || toCreate.length) await this.syncNodes(ds, toDelete, toCreate, hash);
    // Pods become available minReadySeconds after Ready: look again then.
    if (minReady > 0) this.enqueueAfter(ds, minReady * 1000);
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit (default 10) that no live pod uses are deleted, oldest first. */
  private async cleanupHistory(ds: Obj, old: Obj[]): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const p of filterPodsByOwner(this.pods, ds, false)) {
      const h = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (h) live.add(h);
    }
    let excess = old.length - limit;
    for (const r of sortControllerRevisions([...old])) {
      if (excess <= 0) break;
      if (live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL])) continue;
      await this.history.deleteControllerRevision(r);
      excess--;
    }
  }

  /** updateDaemonSetStatus (storeDaemonSetStatus): counts per node, written when changed. */
  private async updateStatus(ds: Obj, nodeToPods: Map<string, Obj[]>, hash: string, updateObservedGen: boolean): Promise<void> {
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    for (const node of this.nodes.list()) {
      const [shouldRun] = nodeShouldRunDaemonPod(node, ds);
      const pods = (nodeToPods.get(node.metadata.name) ?? []).filter((p) => p.spec?.nodeName);
      const scheduled = pods.length > 0;
      if (shouldRun) {
        desired++;
        if (!scheduled) continue;
        current++;
        // The oldest pod counts for the node.
        const pod = sortByCreation(pods)[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, minReady, now)) available++;
        }
        if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) updated++;
      } else if (scheduled) {
        misscheduled++;
      }
    }
    const unavailable = Math.max(desired - available, 0);
    const st = ds.status ?? {};
    const gen = updateObservedGen ? ds.metadata.generation : st.observedGeneration;
    const next: Obj = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      ...(gen ? { observedGeneration: gen } : {}),
      ...(updated ? { updatedNumberScheduled: updated } : {}),
      ...(available ? { numberAvailable: available } : {}),
      ...(unavailable ? { numberUnavailable: unavailable } : {}),
      ...(st.collisionCount !== undefined ? { collisionCount: st.collisionCount } : {}),
      ...(st.conditions?.length ? { conditions: st.conditions } : {}),
    };
    if (jsonEqual(next, st)) return;
    const def = this.api.resource(RESOURCE);
    let target = ds;
    for (let i = 0; ; i++) {
      try {
        await this.api.update(def, target.metadata.namespace, target.metadata.name, { ...target, status: next }, { subresource: 'status' });
        break;
      } catch (e) {
        if (i >= 1) throw e;
        target = await this.api.get(def, target.metadata.namespace, target.metadata.name);
      }
    }
    if (minReady > 0 && ready !== available) this.enqueueAfter(ds, minReady * 1000);
  }
}

function sortByCreation(pods: Obj[]): Obj[] {
  return [...pods].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : 1;
  });
}
