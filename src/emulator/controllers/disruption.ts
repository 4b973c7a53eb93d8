// Disruption controller (pkg/controller/disruption/disruption.go): keeps each PodDisruptionBudget's
// status: the pods its selector matches, how many must be healthy (minAvailable, or the expected
// count less maxUnavailable; percentages of the expected count, rounded up), how many are (Ready,
// not being deleted, not just evicted), disruptionsAllowed, disruptedPods (evictions whose pods
// are not deleted yet, kept for 2 minutes), observedGeneration and the DisruptionAllowed condition.
//
// The expected count for maxUnavailable and percentages is the scale of the pods' controllers
// (ReplicaSets, or their Deployment; StatefulSets; ReplicationControllers), each counted once;
// pods without one of those controllers count as one each (Kubernetes reports a sync error).

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { stableStringify, type Obj } from '../api/objects.ts';
import { matchesLabels } from '../api/selectors.ts';
import { disruptionAllowedCondition, isPodReady, selectorOf } from '../api/admission/eviction.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/workqueue.ts';

/** DeletionTimeout: an evicted pod not deleted within this is no longer counted as disrupted. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export class DisruptionController {
  private readonly pdbs: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue(async (k) => {
    try {
      await this.sync(k);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 409) this.queue.add(k); // lost a race with an eviction: again
    }
  });
  private readonly rechecks = new Map<string, TimerHandle>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    const byNamespace = (o: Obj) => [o.metadata.namespace as string];
    this.pdbs = new Informer(api, api.resource('poddisruptionbudgets.policy')).addIndex('namespace', byNamespace).on({
      add: (pdb) => this.enqueue(key(pdb)),
      update: (pdb) => this.enqueue(key(pdb)),
    });
    const onPod = (pod: Obj) => this.enqueueFor(pod);
    this.pods = new Informer(api, api.resource('pods')).addIndex('namespace', byNamespace).on({ add: onPod, update: onPod, delete: onPod });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.pods.start();
    await this.pdbs.start();
  }

  stop(): void {
    this.pdbs.stop();
    this.pods.stop();
    for (const t of this.rechecks.values()) t.cancel();
    this.rechecks.clear();
    this.queue.stop();
  }

  private enqueueFor(pod: Obj): void {
    for (const pdb of this.pdbs.byIndex('namespace', pod.metadata.namespace)) this.enqueue(key(pdb));
  }

  private enqueue(k: string): void {
    this.queue.add(k);
  }

  private podsFor(pdb: Obj): Obj[] {
    const reqs = selectorOf(pdb);
    if (!reqs || reqs.length === 0) return [];
    return this.pods.byIndex('namespace', pdb.metadata.namespace).filter((p) => matchesLabels(reqs, p.metadata.labels ?? {}));
  }

  /** getExpectedScale: the replicas of each controller of the pods, once each. */
  private async expectedScale(pods: Obj[]): Promise<number> {
    const seen = new Map<string, number>();
    let loose = 0;
    for (const pod of pods) {
      const ref = (pod.metadata.ownerReferences ?? []).find((r: Obj) => r.controller);
      const scale = ref ? await this.controllerScale(pod.metadata.namespace, ref) : undefined;
      if (!scale) loose++;
      else seen.set(scale.uid, scale.replicas);
    }
    return loose + [...seen.values()].reduce((a, b) => a + b, 0);
  }

  private async controllerScale(ns: string, ref: Obj): Promise<{ uid: string; replicas: number } | undefined> {
    const get = async (resource: string, name: string) => this.api.tryGet(this.api.resource(resource), ns, name);
    let owner: Obj | undefined;
    if (ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1') {
      owner = await get('replicasets.apps', ref.name);
      const dref = (owner?.metadata.ownerReferences ?? []).find((r: Obj) => r.controller && r.kind === 'Deployment');
      if (dref) owner = (await get('deployments.apps', dref.name)) ?? owner;
    } else if (ref.kind === 'StatefulSet' && ref.apiVersion === 'apps/v1') owner = await get('statefulsets.apps', ref.name);
    else if (ref.kind === 'ReplicationController' && ref.apiVersion === 'v1') owner = await get('replicationcontrollers', ref.name);
    if (!owner) return undefined;
    return { uid: owner.metadata.uid, replicas: owner.spec?.replicas ?? 1 };
  }

  /** getExpectedPodCount: (expectedCount, desiredHealthy). */
  private async expected(pdb: Obj, pods: Obj[]): Promise<[number, number]> {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const expected = await this.expectedScale(pods);
      const maxUnavailable = scaled(spec.maxUnavailable, expected);
      return [expected, Math.max(0, expected - maxUnavailable)];
    }
    if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
      if (typeof spec.minAvailable === 'number') return [pods.length, spec.minAvailable];
      const expected = await this.expectedScale(pods);
      return [expected, scaled(spec.minAvailable, expected)];
    }
    return [0, 0];
  }

  /** trySync + updatePdbStatus. */
  private async sync(k: string): Promise<void> {
    const [ns, name] = k.split('/');
    const def = this.api.resource('poddisruptionbudgets.policy');
    const pdb = await this.api.tryGet(def, ns, name);
    if (!pdb) return;
    const pods = this.podsFor(pdb);
    const [expectedCount, desiredHealthy] = await this.expected(pdb, pods);
    const now = this.clock.now();

    // buildDisruptedPodMap: evictions whose pods still exist, are not being deleted, and are recent.
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    const disruptedPods: Record<string, string> = {};
    let recheck: number | undefined;
    for (const [podName, at] of Object.entries<string>(pdb.status?.disruptedPods ?? {})) {
      const pod = byName.get(podName);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expires < now) continue;
      disruptedPods[podName] = at;
      recheck = recheck === undefined ? expires : Math.min(recheck, expires);
    }
    let currentHealthy = 0;
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp || pod.metadata.name in disruptedPods) continue;
      if (isPodReady(pod)) currentHealthy++;
    }
    let disruptionsAllowed = currentHealthy - desiredHealthy;
    if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;

    this.rechecks.get(k)?.cancel();
    this.rechecks.delete(k);
    if (recheck !== undefined) this.rechecks.set(k, this.clock.setTimeout(() => this.enqueue(k), recheck - now + 1));

    const status: Obj = {
      currentHealthy,
      desiredHealthy,
      disruptionsAllowed,
      expectedPods: expectedCount,
      observedGeneration: pdb.metadata.generation ?? 1,
    };
    if (Object.keys(disruptedPods).length) status.disruptedPods = disruptedPods;
    status.conditions = disruptionAllowedCondition({ ...status, conditions: pdb.status?.conditions }, now);
    const cur = pdb.status ?? {};
    if (stableStringify(status) === stableStringify({ ...cur, disruptedPods: cur.disruptedPods && Object.keys(cur.disruptedPods).length ? cur.disruptedPods : undefined })) return;
    await this.api.update(def, ns, name, { ...pdb, status }, { subresource: 'status' });
  }
}

/** intstr.GetScaledValueFromIntOrPercent, rounding up. */
function scaled(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

function key(o: Obj): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
