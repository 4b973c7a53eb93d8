// Taint eviction controller (pkg/controller/tainteviction/taint_eviction.go, timed_workers.go): pods
// on a node with NoExecute taints they do not tolerate are deleted at once; pods that tolerate them
// for tolerationSeconds (the 300 s not-ready/unreachable tolerations the DefaultTolerationSeconds
// admission plug-in adds) are deleted when the shortest of those runs out, on the emulator's clock;
// the work is cancelled ("Cancelling deletion of Pod ns/name") when the taints go or the pod goes.
// A deletion records TaintManagerEviction ("Marking for deletion Pod ns/name"), sets the pod's
// DisruptionTarget condition (DeletionByTaintManager) and deletes it with the default grace period.
//
// A pod on a dead node then stays Terminating: its kubelet never confirms the deletion. As on a
// cluster, its ReplicaSet no longer counts it as active and creates a replacement elsewhere; the pod
// goes when the node comes back (its kubelet finishes the deletion), when the Node is deleted (pod GC
// force-deletes orphans) or when the node gets the node.kubernetes.io/out-of-service taint (pod GC).

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, rfc3339, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { toleratesTaint } from '../scheduler/framework.ts';

export const TAINT_EVICTION_CONTROLLER = 'taint-eviction-controller';
/** deletePodHandler's retries. */
const RETRIES = 5;

/** Pods by the node they are bound to (the pod informer's spec.nodeName index). */
export const byNodeName = (p: Obj): string[] => (p.spec?.nodeName ? [p.spec.nodeName] : []);

function noExecuteTaints(node: Obj | undefined): Obj[] {
  return ((node?.spec?.taints ?? []) as Obj[]).filter((t) => t?.effect === 'NoExecute');
}

/** v1helper.GetMatchingTolerations: whether every taint is tolerated, and the first toleration matching each. */
export function matchingTolerations(taints: Obj[], tolerations: Obj[]): [boolean, Obj[]] {
  const used: Obj[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => x && toleratesTaint(x, taint));
    if (!t) return [false, []];
    used.push(t);
  }
  return [true, used];
}

/** getMinTolerationTime: the shortest tolerationSeconds in ms, 0 for none or ≤ 0, -1 for forever. */
export function minTolerationTime(tolerations: Obj[]): number {
  if (tolerations.length === 0) return 0;
  let min = Infinity;
  for (const t of tolerations) {
    if (typeof t.tolerationSeconds !== 'number') continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

/**
 * apipod.UpdatePodCondition on a pod's status: the conditions with `cond` set (lastTransitionTime
 * kept unless the status changes), or undefined when nothing would change.
 */
export function withPodCondition(pod: Obj, cond: Obj, now: number): Obj[] | undefined {
  const conds: Obj[] = pod.status?.conditions ?? [];
  const old = conds.find((c) => c.type === cond.type);
  const next: Obj = { lastProbeTime: null, lastTransitionTime: rfc3339(now), ...cond };
  if (old) {
    if (old.status === cond.status) next.lastTransitionTime = old.lastTransitionTime;
    if (old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
    return conds.map((c) => (c === old ? next : c));
  }
  return [...conds, next];
}

/** A scheduled deletion (TimedWorker); `timer` undefined once it has run (the key stays, as upstream). */
interface TimedWork {
  createdAt: number;
  fireAt: number;
  timer: TimerHandle | undefined;
}

export class TaintEvictionController {
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly events: EventRecorder;
  /** Node name → its NoExecute taints (only tainted nodes). */
  private readonly taintedNodes = new Map<string, Obj[]>();
  /** TimedWorkerQueue: "ns/name" → the scheduled deletion. */
  private readonly work = new Map<string, TimedWork>();
  private readonly running = new Set<Promise<void>>();
  /** Node updates ("node/NAME") and pod updates ("pod/NS/NAME") in one queue. */
  private readonly queue = new WorkQueue(async (k) => this.handle(k));
  private stopped = true;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.events = new EventRecorder(api, clock, { component: TAINT_EVICTION_CONTROLLER });
    this.pods = informers.for('pods').addIndex('nodeName', byNodeName);
    this.nodes = informers.for('nodes');
    // PodUpdated: only a change of tolerations or node matters.
    this.pods.on({
      add: (p) => this.queue.add(podKey(p)),
      update: (p, old) => {
        if (p.spec?.nodeName === old.spec?.nodeName && jsonEqual(p.spec?.tolerations ?? [], old.spec?.tolerations ?? [])) return;
        this.queue.add(podKey(p));
      },
      delete: (p) => this.queue.add(podKey(p)),
    });
    // NodeUpdated: only a change of NoExecute taints matters.
    this.nodes.on({
      add: (n) => this.queue.add(`node/${n.metadata.name}`),
      update: (n, old) => {
        if (jsonEqual(noExecuteTaints(n), noExecuteTaints(old))) return;
        this.queue.add(`node/${n.metadata.name}`);
      },
      delete: (n) => this.queue.add(`node/${n.metadata.name}`),
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.queue.start();
    await this.informers.acquire(this.nodes);
    await this.informers.acquire(this.pods);
    // A shared informer already running replays nothing: look at every node once.
    for (const n of this.nodes.list()) this.queue.add(`node/${n.metadata.name}`);
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const w of this.work.values()) w.timer?.cancel();
    this.work.clear();
    this.taintedNodes.clear();
    this.informers.release(this.pods);
    this.informers.release(this.nodes);
  }

  /** Settles when queued updates and running deletions are done (tests). */
  async idle(): Promise<void> {
    await this.queue.idle();
    while (this.running.size) await Promise.all([...this.running]);
  }

  /** The time a pod's deletion is scheduled for, if it is (tests, kubectl describe-like views). */
  scheduledEviction(namespace: string, name: string): number | undefined {
    const w = this.work.get(`${namespace}/${name}`);
    return w?.timer ? w.fireAt : undefined;
  }

  private async handle(k: string): Promise<void> {
    if (k.startsWith('node/')) this.handleNodeUpdate(k.slice(5));
    else this.handlePodUpdate(k.slice(4));
  }

  private handlePodUpdate(key: string): void {
    const [ns, name] = key.split('/');
    const pod = this.pods.get(ns, name);
    if (!pod) {
      this.cancelWorkWithEvent(ns, name);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const taints = this.taintedNodes.get(nodeName);
    // The node was deleted or lost its taints: that already cancelled any eviction.
    if (!taints) return;
    this.processPodOnNode(ns, name, pod.spec?.tolerations ?? [], taints, this.clock.now());
  }

  private handleNodeUpdate(nodeName: string): void {
    const node = this.nodes.get(undefined, nodeName);
    if (!node) {
      this.taintedNodes.delete(nodeName);
      return;
    }
    const taints = noExecuteTaints(node);
    if (taints.length === 0) this.taintedNodes.delete(nodeName);
    else this.taintedNodes.set(nodeName, taints);
    const pods = this.pods.byIndex('nodeName', nodeName);
    if (pods.length === 0) return;
    if (taints.length === 0) {
      for (const p of pods) this.cancelWorkWithEvent(p.metadata.namespace, p.metadata.name);
      return;
    }
    const now = this.clock.now();
    for (const p of pods) this.processPodOnNode(p.metadata.namespace, p.metadata.name, p.spec?.tolerations ?? [], taints, now);
  }

  private processPodOnNode(ns: string, name: string, tolerations: Obj[], taints: Obj[], now: number): void {
    if (taints.length === 0) this.cancelWorkWithEvent(ns, name);
    const [allTolerated, used] = matchingTolerations(taints, tolerations);
    if (!allTolerated) {
      // Deleted right away: any later scheduled deletion goes.
      this.cancelWorkWithEvent(ns, name);
      this.addWork(ns, name, now, now);
      return;
    }
    const min = minTolerationTime(used);
    if (min < 0) {
      this.cancelWorkWithEvent(ns, name);
      return;
    }
    let start = now;
    const scheduled = this.work.get(`${ns}/${name}`);
    if (scheduled?.timer) {
      start = scheduled.createdAt;
      if (start + min < now + min) return;
      this.cancelWorkWithEvent(ns, name);
    }
    this.addWork(ns, name, start, start + min);
  }

  /** TimedWorkerQueue.AddWork: a key already there (pending or done) is left alone. */
  private addWork(ns: string, name: string, createdAt: number, fireAt: number): void {
    const key = `${ns}/${name}`;
    if (this.work.has(key) || this.stopped) return;
    const w: TimedWork = { createdAt, fireAt, timer: undefined };
    this.work.set(key, w);
    const run = () => {
      const p = this.deletePod(ns, name).then((ok) => {
        // Done: the key stays so that the pod is not deleted twice; failed: it goes.
        if (this.work.get(key) !== w) return;
        if (ok) w.timer = undefined;
        else this.work.delete(key);
      });
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    };
    const delay = fireAt - this.clock.now();
    // A timer at once too, so that the deletion never runs inside the informer's handler.
    w.timer = this.clock.setTimeout(run, Math.max(0, delay));
  }

  /** TimedWorkerQueue.CancelWork plus the event when a pending deletion was cancelled. */
  private cancelWorkWithEvent(ns: string, name: string): void {
    const key = `${ns}/${name}`;
    const w = this.work.get(key);
    if (!w) return;
    this.work.delete(key);
    if (w.timer) {
      w.timer.cancel();
      void this.events.record(podRef(ns, name), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
    }
  }

  /** deletePodHandler: the event, then addConditionAndDeletePod, retried. True when done. */
  private async deletePod(ns: string, name: string): Promise<boolean> {
    if (this.stopped) return false;
    await this.events.record(podRef(ns, name), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${ns}/${name}`);
    for (let i = 0; i < RETRIES; i++) {
      try {
        await this.addConditionAndDeletePod(ns, name);
        return true;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.code === 404) return true;
      }
    }
    return false;
  }

  private async addConditionAndDeletePod(ns: string, name: string): Promise<void> {
    const def = this.api.resource('pods');
    const pod = await this.api.get(def, ns, name);
    const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
    const conditions = withPodCondition(pod, cond, this.clock.now());
    if (conditions) {
      await this.api.update(def, ns, name, { ...pod, status: { ...pod.status, conditions } }, { subresource: 'status' });
    }
    await this.api.delete(def, ns, name);
  }
}

function podKey(p: Obj): string {
  return `pod/${p.metadata.namespace}/${p.metadata.name}`;
}

/** The event's ObjectReference as upstream builds it: kind, apiVersion, namespace and name only. */
function podRef(namespace: string, name: string): Obj {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { namespace, name } };
}
