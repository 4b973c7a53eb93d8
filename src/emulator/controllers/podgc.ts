// Pod garbage collector (pkg/controller/podgc/gc_controller.go): every 20 s it
// - deletes the oldest terminated pods (Succeeded/Failed; evicted ones first) above the threshold
//   (--terminated-pod-gc-threshold, 12500);
// - force-deletes terminating pods on nodes that are not Ready and carry the
//   node.kubernetes.io/out-of-service taint (non-graceful node shutdown);
// - force-deletes pods bound to nodes that no longer exist, once the node has been missing for the
//   40 s quarantine and a GET confirms it, with the DisruptionTarget condition (DeletionByPodGC,
//   "PodGC: node no longer exists");
// - force-deletes terminating pods that were never scheduled.
// Each pod not yet Succeeded or Failed is first marked Failed (markFailedAndDeletePod), then
// deleted with grace period 0.
//
// The pass reads indexes, not every pod: terminated pods, terminating pods, and pods by node.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { byNodeName, withPodCondition } from './taint-eviction.ts';

export const POD_GC_CONTROLLER = 'pod-garbage-collector';
export const GC_CHECK_PERIOD_MS = 20_000;
export const QUARANTINE_MS = 40_000;
export const TERMINATED_POD_GC_THRESHOLD = 12_500;
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** isPodTerminated: not Pending, Running or Unknown. */
function isTerminated(p: Obj): boolean {
  const phase = p.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

function isNodeReady(node: Obj): boolean {
  return (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

/** eviction.PodIsEvicted: Failed with reason Evicted. */
function isEvicted(p: Obj): boolean {
  return p.status?.phase === 'Failed' && p.status?.reason === 'Evicted';
}

/** byEvictionAndCreationTimestamp. */
function byEvictionAndCreation(a: Obj, b: Obj): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

export interface PodGCOptions {
  terminatedPodThreshold?: number;
}

export class PodGCController {
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private timer: TimerHandle | undefined;
  private pass: Promise<void> | undefined;
  /** The delaying queue of missing nodes: name → when it is due for the existence check. */
  private readonly quarantine = new Map<string, number>();
  private readonly threshold: number;
  /** Node names pods are bound to (what gcOrphaned checks: one look per name, not per pod). */
  private readonly boundTo = new Set<string>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
    opts: PodGCOptions = {},
  ) {
    this.threshold = opts.terminatedPodThreshold ?? TERMINATED_POD_GC_THRESHOLD;
    this.pods = informers
      .for('pods')
      .addIndex('nodeName', byNodeName)
      .addIndex('podgc', (p) => {
        const keys: string[] = [];
        if (isTerminated(p)) keys.push('terminated');
        if (p.metadata.deletionTimestamp) keys.push(p.spec?.nodeName ? 'terminating' : 'terminating-unscheduled');
        return keys;
      });
    this.nodes = informers.for('nodes');
    // Node names pods were bound to; a name without pods is dropped at the next pass.
    const seen = (p: Obj) => {
      if (p.spec?.nodeName) this.boundTo.add(p.spec.nodeName);
    };
    this.pods.on({ add: seen, update: seen });
  }

  async start(): Promise<void> {
    await this.informers.acquire(this.nodes);
    await this.informers.acquire(this.pods);
    this.timer = this.clock.setInterval(() => void this.gc(), GC_CHECK_PERIOD_MS);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.quarantine.clear();
    this.informers.release(this.pods);
    this.informers.release(this.nodes);
  }

  /** One pass (a pass already running is waited for, not doubled). */
  gc(): Promise<void> {
    this.pass ??= this.runPass().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async runPass(): Promise<void> {
    if (this.threshold > 0) await this.gcTerminated();
    await this.gcTerminating();
    await this.gcOrphaned();
    await this.gcUnscheduledTerminating();
  }

  private async gcTerminated(): Promise<void> {
    const terminated = this.pods.byIndex('podgc', 'terminated');
    const n = terminated.length - this.threshold;
    if (n <= 0) return;
    terminated.sort(byEvictionAndCreation);
    await Promise.all(terminated.slice(0, n).map((p) => this.markFailedAndDelete(p)));
  }

  private async gcTerminating(): Promise<void> {
    const victims = this.pods.byIndex('podgc', 'terminating').filter((p) => {
      const node = this.nodes.get(undefined, p.spec.nodeName);
      return !!node && !isNodeReady(node) && (node.spec?.taints ?? []).some((t: Obj) => t.key === OUT_OF_SERVICE);
    });
    if (victims.length === 0) return;
    victims.sort(byEvictionAndCreation);
    await Promise.all(victims.map((p) => this.markFailedAndDelete(p)));
  }

  private async gcOrphaned(): Promise<void> {
    const now = this.clock.now();
    for (const nodeName of [...this.boundTo]) {
      if (this.pods.byIndex('nodeName', nodeName).length === 0) {
        this.boundTo.delete(nodeName);
        continue;
      }
      if (!this.nodes.get(undefined, nodeName) && !this.quarantine.has(nodeName)) this.quarantine.set(nodeName, now + QUARANTINE_MS);
    }
    // discoverDeletedNodes: those due, still missing from the cache, and not found by a GET.
    const deleted: string[] = [];
    for (const [nodeName, due] of [...this.quarantine]) {
      if (due > now) continue;
      this.quarantine.delete(nodeName);
      if (this.nodes.get(undefined, nodeName)) continue;
      try {
        if (!(await this.api.tryGet(this.api.resource('nodes'), undefined, nodeName))) deleted.push(nodeName);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
    const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    for (const nodeName of deleted) {
      for (const p of this.pods.byIndex('nodeName', nodeName)) await this.markFailedAndDelete(p, cond);
    }
  }

  private async gcUnscheduledTerminating(): Promise<void> {
    for (const p of this.pods.byIndex('podgc', 'terminating-unscheduled')) await this.markFailedAndDelete(p);
  }

  /** markFailedAndDeletePodWithCondition: phase Failed (and the condition), then a delete with grace 0. */
  private async markFailedAndDelete(pod: Obj, cond?: Obj): Promise<void> {
    const def = this.api.resource('pods');
    const { namespace, name } = pod.metadata;
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        const status: Obj = { ...pod.status, phase: 'Failed' };
        if (cond) status.conditions = withPodCondition(pod, cond, this.clock.now()) ?? pod.status?.conditions;
        await this.patchStatus(pod, status);
      }
      await this.api.delete(def, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      // Not found (gone already) or a conflict: the next pass looks again.
      if (!(e instanceof ApiError)) throw e;
    }
  }

  /** utilpod.PatchPodStatus: the new status over the latest pod of the same UID. */
  private async patchStatus(pod: Obj, status: Obj): Promise<void> {
    const def = this.api.resource('pods');
    const { namespace, name } = pod.metadata;
    for (let attempt = 0; ; attempt++) {
      const cur = attempt === 0 ? pod : await this.api.get(def, namespace, name);
      if (cur.metadata.uid !== pod.metadata.uid) throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pod.metadata.uid}, UID in object meta: ${cur.metadata.uid}`);
      try {
        await this.api.update(def, namespace, name, { ...cur, status: attempt === 0 ? status : { ...cur.status, phase: status.phase, conditions: status.conditions ?? cur.status?.conditions } }, { subresource: 'status' });
        return;
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 409 || attempt >= 5) throw e;
      }
    }
  }
}
