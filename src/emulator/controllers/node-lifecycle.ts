// Node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go, Kubernetes
// 1.32, with pkg/controller/util/node/controller_utils.go and nodelifecycle/scheduler's
// RateLimitedTimedQueue). The taint-based eviction itself is the separate taint eviction
// controller (taint-eviction.ts), as with SeparateTaintEvictionController on in 1.32.
//
// - monitorNodeHealth, every 5 s (--node-monitor-period): a node whose Lease was not renewed and
//   whose Ready condition's heartbeat did not change for the grace period (50 s since v1.32,
//   --node-monitor-grace-period; 60 s for a node that never posted a status) gets Ready,
//   MemoryPressure, DiskPressure and PIDPressure set to Unknown ("Kubelet stopped posting node
//   status.", reason NodeStatusUnknown; lastHeartbeatTime kept, lastTransitionTime now; a condition
//   the kubelet never posted is added as NodeStatusNeverUpdated "Kubelet never posted node status.").
//   On that transition the node gets the NodeNotReady event and every pod on it gets Ready=False and
//   the Warning NodeNotReady "Node is not ready" event (MarkPodsNotReady).
// - processTaintBaseEviction: a node seen Unknown (False) is queued for the NoExecute
//   node.kubernetes.io/unreachable (not-ready) taint, which a per-zone rate-limited queue adds
//   (--node-eviction-rate 0.1/s, burst 1; 0.01/s or none in a partially disrupted zone, none when
//   every zone is fully disrupted); the two are swapped at once when the condition flips. A node seen
//   Ready loses both (markNodeAsReachable).
// - doNoScheduleTaintingPass, on every node change: the NoSchedule taints that mirror conditions
//   (Ready False → not-ready, Unknown → unreachable, MemoryPressure/DiskPressure/PIDPressure/
//   NetworkUnavailable True → memory-pressure, ...) and spec.unschedulable
//   (node.kubernetes.io/unschedulable); reconcileNodeLabels keeps the beta os/arch labels.
// - pods newly bound to a node that is not Ready are marked not ready too (processPod).
// - events: RegisteredNode "Node X event: Registered Node X in Controller" when a node is first
//   seen, RemovingNode when it is gone, NodeNotReady "Node X status is now: NodeNotReady".
//
// A pass costs a look at each node in the informer's cache and its Lease; nothing is copied unless
// it is written. Pods are found through the shared pod informer's spec.nodeName index.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, rfc3339, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { byNodeName } from './taint-eviction.ts';

export const NODE_LIFECYCLE_CONTROLLER = 'node-controller';
/** --node-monitor-period */
export const NODE_MONITOR_PERIOD_MS = 5_000;
/** --node-monitor-grace-period (50 s since v1.32) */
export const NODE_MONITOR_GRACE_MS = 50_000;
/** --node-startup-grace-period */
export const NODE_STARTUP_GRACE_MS = 60_000;
/** scheduler.NodeEvictionPeriod: how often the NoExecute tainting pass runs while nodes wait. */
export const NODE_EVICTION_PERIOD_MS = 100;
/** --node-eviction-rate, --secondary-node-eviction-rate, --large-cluster-size-threshold, --unhealthy-zone-threshold */
export const EVICTION_LIMITER_QPS = 0.1;
export const SECONDARY_EVICTION_LIMITER_QPS = 0.01;
export const LARGE_CLUSTER_THRESHOLD = 50;
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** retrySleepTime × scheduler.NodeHealthUpdateRetry */
const NODE_HEALTH_UPDATE_RETRY = 5;

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const UNREACHABLE_NO_EXECUTE = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
const NOT_READY_NO_EXECUTE = { key: TAINT_NOT_READY, effect: 'NoExecute' };

/** nodeConditionToTaintKeyStatusMap */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
/** taintKeyToNodeConditionMap's keys */
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));
/** The conditions the controller turns Unknown (NetworkUnavailable is the control plane's). */
const UNKNOWN_CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
/** labelReconcileInfo: stable label → beta label kept equal to it. */
const LABEL_RECONCILE: [string, string][] = [
  ['kubernetes.io/os', 'beta.kubernetes.io/os'],
  ['kubernetes.io/arch', 'beta.kubernetes.io/arch'],
];
const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/** What tryUpdateNodeHealth saw, and the status it writes when the node's grace period is over. */
interface Observation {
  observed: Obj;
  current: Obj | undefined;
  write?: { status: Obj; probeTimestamp: number; lease: Obj | undefined };
}

interface TaintRef {
  key: string;
  effect: string;
}

type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** nodeHealthData: the last status and Lease seen, and when (the controller's own clock). */
interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: Obj | undefined;
  lease: Obj | undefined;
}

/** flowcontrol's token bucket (burst 1), on the emulator's clock; qps 0 never accepts. */
class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly qps: number,
    private readonly now: () => number,
    private readonly burst = 1,
  ) {
    this.tokens = burst;
    this.last = now();
  }
  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }
  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Milliseconds until tryAccept can succeed (Infinity for qps 0). */
  wait(): number {
    if (this.qps <= 0) return Infinity;
    this.refill();
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.qps) * 1000;
  }
}

/**
 * RateLimitedTimedQueue: a unique queue of node names; a name taken off the queue after it was
 * handled stays in the set (Add refuses it) until Remove.
 */
class RateLimitedTimedQueue {
  /** name → processAt, in the order they came */
  private readonly queue = new Map<string, number>();
  private readonly set = new Set<string>();
  constructor(public limiter: TokenBucket) {}
  add(name: string, now: number): boolean {
    if (this.set.has(name)) return false;
    this.set.add(name);
    this.queue.set(name, now);
    return true;
  }
  remove(name: string): boolean {
    this.queue.delete(name);
    return this.set.delete(name);
  }
  get size(): number {
    return this.queue.size;
  }
  swapLimiter(qps: number, now: () => number): void {
    if (this.limiter.qps === qps) return;
    const next = new TokenBucket(qps, now);
    // Waiting on the old limiter: the new one starts drained (burst 1).
    if (qps > 0 && !this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }
  /** When the head could be tried next (ms from now), or Infinity. */
  nextIn(now: number): number {
    const head = this.queue.entries().next();
    if (head.done) return Infinity;
    return Math.max(this.limiter.wait(), head.value[1] - now);
  }
  /** Try: each head as the limiter lets it; fn says done, or to retry after some ms. */
  async try(now: () => number, fn: (name: string) => Promise<[boolean, number]>): Promise<void> {
    for (;;) {
      const head = this.queue.entries().next();
      if (head.done) return;
      if (!this.limiter.tryAccept()) return;
      const [name, at] = head.value;
      if (now() < at) return;
      const [ok, wait] = await fn(name);
      if (!this.queue.has(name)) continue;
      this.queue.delete(name);
      if (!ok) this.queue.set(name, now() + wait + 1);
    }
  }
}

/** nodetopology.GetZoneKey */
export function zoneKey(node: Obj): string {
  const l: Record<string, string> = node.metadata?.labels ?? {};
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  if (!zone && !region) return '';
  return `${region}:\u0000:${zone}`;
}

function condition(status: Obj | undefined, type: string): Obj | undefined {
  return ((status?.conditions ?? []) as Obj[]).find((c) => c?.type === type);
}

/** taintutils.TaintExists (MatchTaint: key and effect). */
function taintExists(taints: Obj[] | undefined, t: TaintRef): boolean {
  return (taints ?? []).some((x) => x?.key === t.key && x?.effect === t.effect);
}

export interface NodeLifecycleOptions {
  monitorGraceMs?: number;
  startupGraceMs?: number;
  evictionQPS?: number;
}

export class NodeLifecycleController {
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly events: EventRecorder;
  private readonly nodeUpdateQueue: WorkQueue;
  private readonly podUpdateQueue: WorkQueue;
  private monitorTimer: TimerHandle | undefined;
  private tainterTimer: TimerHandle | undefined;
  private monitoring: Promise<void> | undefined;
  private tainting: Promise<void> | undefined;
  private stopped = true;
  /** knownNodeSet: name → uid */
  private readonly knownNodes = new Map<string, string>();
  private readonly health = new Map<string, NodeHealth>();
  private readonly nodesToRetry = new Set<string>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneTainter = new Map<string, RateLimitedTimedQueue>();
  private readonly monitorGraceMs: number;
  private readonly startupGraceMs: number;
  private readonly evictionQPS: number;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
    opts: NodeLifecycleOptions = {},
  ) {
    this.monitorGraceMs = opts.monitorGraceMs ?? NODE_MONITOR_GRACE_MS;
    this.startupGraceMs = opts.startupGraceMs ?? NODE_STARTUP_GRACE_MS;
    this.evictionQPS = opts.evictionQPS ?? EVICTION_LIMITER_QPS;
    this.events = new EventRecorder(api, clock, { component: NODE_LIFECYCLE_CONTROLLER });
    const retry = (maxRetries: number) => ({
      clock,
      maxRetries,
      maxDelayMs: 1000,
      classify: (e: unknown) => {
        if (e instanceof RetryLater) return 'later' as const;
        if (!(e instanceof ApiError)) return 'throw' as const;
        return e.code === 404 ? ('drop' as const) : e.code === 409 ? ('now' as const) : ('later' as const);
      },
    });
    this.nodeUpdateQueue = new WorkQueue((name) => this.processNode(name), retry(5));
    this.podUpdateQueue = new WorkQueue((key) => this.processPod(key), retry(15));
    this.nodes = informers.for('nodes');
    this.leases = informers.for('leases.coordination.k8s.io', { namespace: 'kube-node-lease' });
    this.pods = informers.for('pods').addIndex('nodeName', byNodeName);
    this.nodes.on({
      add: (n) => this.nodeUpdateQueue.add(n.metadata.name),
      update: (n) => this.nodeUpdateQueue.add(n.metadata.name),
      delete: (n) => this.nodesToRetry.delete(n.metadata.name),
    });
    // podUpdated: a pod newly on a node.
    this.pods.on({
      add: (p) => {
        if (p.spec?.nodeName) this.podUpdateQueue.add(`${p.metadata.namespace}/${p.metadata.name}`);
      },
      update: (p, old) => {
        if (p.spec?.nodeName && p.spec.nodeName !== old.spec?.nodeName) this.podUpdateQueue.add(`${p.metadata.namespace}/${p.metadata.name}`);
      },
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.nodeUpdateQueue.start();
    this.podUpdateQueue.start();
    await this.informers.acquire(this.leases);
    await this.informers.acquire(this.nodes);
    await this.informers.acquire(this.pods);
    // A shared informer already running replays nothing: look at every node once.
    for (const n of this.nodes.list()) this.nodeUpdateQueue.add(n.metadata.name);
    this.monitorTimer = this.clock.setInterval(() => void this.monitor(), NODE_MONITOR_PERIOD_MS);
  }

  stop(): void {
    this.stopped = true;
    this.monitorTimer?.cancel();
    this.monitorTimer = undefined;
    this.tainterTimer?.cancel();
    this.tainterTimer = undefined;
    this.nodeUpdateQueue.stop();
    this.podUpdateQueue.stop();
    this.knownNodes.clear();
    this.health.clear();
    this.nodesToRetry.clear();
    this.zoneStates.clear();
    this.zoneTainter.clear();
    this.informers.release(this.pods);
    this.informers.release(this.nodes);
    this.informers.release(this.leases);
  }

  /** Settles when the running pass and queued work are done (tests). */
  async idle(): Promise<void> {
    await this.monitoring;
    await this.tainting;
    await this.nodeUpdateQueue.idle();
    await this.podUpdateQueue.idle();
  }

  /** The zones' states (tests, diagnostics): "" is the zone of nodes without topology labels. */
  zoneState(zone = ''): ZoneState | undefined {
    return this.zoneStates.get(zone);
  }

  // ---- monitorNodeHealth ----

  /** One pass of monitorNodeHealth; a pass still running when the next is due lets it go. */
  monitor(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.monitoring) {
      this.monitoring = this.monitorNodeHealth().finally(() => (this.monitoring = undefined));
    }
    return this.monitoring;
  }

  private async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.list();
    // classifyNodes
    for (const n of nodes) {
      const name = n.metadata.name;
      if (!this.knownNodes.has(name)) {
        await this.recordNodeEvent(name, n.metadata.uid, 'RegisteredNode', `Registered Node ${name} in Controller`);
        this.knownNodes.set(name, n.metadata.uid);
        this.addTainterForNewZone(n);
        await this.markNodeAsReachable(n);
      } else if (!this.zoneStates.has(zoneKey(n))) {
        this.addTainterForNewZone(n);
      }
    }
    if (this.knownNodes.size !== nodes.length) {
      const present = new Set(nodes.map((n) => n.metadata.name));
      for (const [name, uid] of [...this.knownNodes]) {
        if (present.has(name)) continue;
        await this.recordNodeEvent(name, uid, 'RemovingNode', `Removing Node ${name} from Controller`);
        this.knownNodes.delete(name);
        this.health.delete(name);
        for (const q of this.zoneTainter.values()) q.remove(name);
      }
    }
    const zoneConditions = new Map<string, (Obj | undefined)[]>();
    for (const n of nodes) {
      if (this.stopped) return;
      const work = this.updateNode(n, zoneConditions);
      if (work) await work;
    }
    await this.handleDisruption(zoneConditions, nodes);
  }

  /**
   * monitorNodeHealth's per-node work (updateNodeFunc). A node with nothing to write and no taint to
   * change costs no promise: a pass over thousands of healthy nodes stays synchronous.
   */
  private updateNode(cached: Obj, zoneConditions: Map<string, (Obj | undefined)[]>): Promise<void> | undefined {
    const obs = this.observeNodeHealth(cached);
    if (obs.write) return this.updateNodeWithWrite(cached, obs, zoneConditions);
    return this.afterHealth(cached, obs, zoneConditions);
  }

  /** The status write, retried with a fresh node on failure (NodeHealthUpdateRetry times). */
  private async updateNodeWithWrite(cached: Obj, obs: Observation, zoneConditions: Map<string, (Obj | undefined)[]>): Promise<void> {
    let node: Obj | undefined = cached;
    for (let i = 0; ; i++) {
      if (!obs.write) break;
      try {
        await this.writeNodeHealth(node, obs.write);
        break;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // Update health of Node from Controller error, Skipping - no pods will be evicted.
        if (i + 1 >= NODE_HEALTH_UPDATE_RETRY) return;
        node = await this.api.tryGet(this.api.resource('nodes'), undefined, cached.metadata.name);
        if (!node) return;
        obs = this.observeNodeHealth(node);
      }
    }
    await this.afterHealth(node, obs, zoneConditions);
  }

  /** Zone bookkeeping, the taint-based eviction step and, on the transition, NodeNotReady and MarkPodsNotReady. */
  private afterHealth(node: Obj, { observed, current }: Observation, zoneConditions: Map<string, (Obj | undefined)[]>): Promise<void> | undefined {
    if (!node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION]) {
      const z = zoneKey(node);
      let list = zoneConditions.get(z);
      if (!list) zoneConditions.set(z, (list = []));
      list.push(current);
    }
    if (!current) return undefined;
    const name: string = node.metadata.name;
    const tainting = this.processTaintBaseEviction(node, observed);
    const transition = current.status !== 'True' && observed.status === 'True';
    const retry = this.nodesToRetry.has(name) && observed.status !== 'True';
    if (!tainting && !transition && !retry) {
      this.nodesToRetry.delete(name);
      return undefined;
    }
    return (async () => {
      await tainting;
      if (transition) await this.recordNodeStatusChange(node, 'NodeNotReady');
      if (transition || retry) {
        const failed = await this.markPodsNotReady(this.pods.byIndex('nodeName', name), name);
        if (failed) {
          this.nodesToRetry.add(name);
          return;
        }
      }
      this.nodesToRetry.delete(name);
    })();
  }

  private observeNodeHealth(node: Obj): Observation {
    const name: string = node.metadata.name;
    const now = this.clock.now();
    const created = Date.parse(node.metadata.creationTimestamp ?? '') || now;
    let health = this.health.get(name);
    let current = condition(node.status, 'Ready');
    let observed: Obj;
    let grace: number;
    if (!current) {
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
      grace = this.startupGraceMs;
      health = health ? { ...health, status: node.status } : { status: node.status, probeTimestamp: created, readyTransitionTimestamp: created, lease: undefined };
    } else {
      observed = current;
      grace = this.monitorGraceMs;
    }
    const saved = health ? condition(health.status, 'Ready') : undefined;
    const savedLease = health?.lease;
    if (!health) {
      health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now, lease: undefined };
    } else if ((!saved && current) || (saved && !current)) {
      health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now, lease: undefined };
    } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
      const transition = saved.lastTransitionTime !== current.lastTransitionTime ? now : health.readyTransitionTimestamp;
      health = { status: node.status, probeTimestamp: seenAt(now, current.lastHeartbeatTime), readyTransitionTimestamp: transition, lease: undefined };
    }
    // (Otherwise the entry is the controller's own and is updated in place: no copy per node and pass.)
    // A renewed Lease is a heartbeat too.
    const lease = this.leases.get('kube-node-lease', name);
    if (lease && lease !== savedLease && (!savedLease || renewTime(savedLease) < renewTime(lease))) {
      health.lease = lease;
      health.probeTimestamp = seenAt(now, lease.spec?.renewTime);
    }
    this.health.set(name, health);
    if (!(now > health.probeTimestamp + grace)) return { observed, current };
    // The kubelet's signals are older than the grace period: Unknown, whatever they said.
    const ts = rfc3339(now);
    const conditions: Obj[] = [...(node.status?.conditions ?? [])];
    for (const type of UNKNOWN_CONDITION_TYPES) {
      const i = conditions.findIndex((c) => c?.type === type);
      if (i < 0) {
        conditions.push({
          type,
          status: 'Unknown',
          lastHeartbeatTime: node.metadata.creationTimestamp,
          lastTransitionTime: ts,
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
        });
      } else if (conditions[i].status !== 'Unknown') {
        conditions[i] = { ...conditions[i], status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts };
      }
    }
    current = conditions.find((c) => c.type === 'Ready');
    if (jsonEqual(current, observed)) return { observed, current };
    return { observed, current, write: { status: { ...node.status, conditions }, probeTimestamp: health.probeTimestamp, lease } };
  }

  /** tryUpdateNodeHealth's write: UpdateStatus, then the health the controller keeps for the node. */
  private async writeNodeHealth(node: Obj, write: NonNullable<Observation['write']>): Promise<void> {
    const name: string = node.metadata.name;
    await this.api.update(this.api.resource('nodes'), undefined, name, { ...node, status: write.status }, { subresource: 'status' });
    this.health.set(name, { status: write.status, probeTimestamp: write.probeTimestamp, readyTransitionTimestamp: this.clock.now(), lease: write.lease });
  }

  // ---- MarkPodsNotReady (controller_utils.go) ----

  /** Ready=False on each pod of the node that has a Ready condition not already False, with the NodeNotReady event. True if a write failed. */
  private async markPodsNotReady(pods: Obj[], nodeName: string): Promise<boolean> {
    const def = this.api.resource('pods');
    let failed = false;
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const conds: Obj[] = pod.status?.conditions ?? [];
      const ready = conds.find((c) => c?.type === 'Ready');
      // UpdatePodCondition reports no change: nothing to write, no event.
      if (!ready || ready.status === 'False') continue;
      const next = { ...ready, status: 'False', lastTransitionTime: rfc3339(this.clock.now()) };
      const status = { ...pod.status, conditions: conds.map((c) => (c === ready ? next : c)) };
      try {
        await this.api.update(def, pod.metadata.namespace, pod.metadata.name, { ...pod, status }, { subresource: 'status' });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // Already deleted: nothing left to do with this pod.
        if (e.code === 404) continue;
        failed = true;
      }
      // Recorded after the write, so that the pod still exists.
      await this.events.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    return failed;
  }

  /** processPod: a pod bound to a node that is not Ready is marked not ready. */
  private async processPod(key: string): Promise<void> {
    const i = key.indexOf('/');
    const pod = this.pods.get(key.slice(0, i), key.slice(i + 1));
    if (!pod) return;
    const nodeName: string = pod.spec?.nodeName;
    const health = this.health.get(nodeName);
    // Node data not gathered yet, or the node was removed meanwhile.
    if (!health) return;
    if (!this.nodes.get(undefined, nodeName)) throw new RetryLater(`node "${nodeName}" not in the cache`);
    const ready = condition(health.status, 'Ready');
    if (!ready) return;
    if (ready.status !== 'True' && (await this.markPodsNotReady([pod], nodeName))) {
      throw new RetryLater(`unable to mark pod ${key} NotReady on node ${nodeName}`);
    }
  }

  // ---- taints ----

  /** processTaintBaseEviction; a promise only when a taint is written. */
  private processTaintBaseEviction(node: Obj, observed: Obj): Promise<void> | undefined {
    const taints: Obj[] | undefined = node.spec?.taints;
    if (observed.status === 'False') {
      if (taintExists(taints, UNREACHABLE_NO_EXECUTE)) return this.swapTaintsOrLater(node.metadata.name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE]);
      this.markNodeForTainting(node, 'False');
    } else if (observed.status === 'Unknown') {
      if (taintExists(taints, NOT_READY_NO_EXECUTE)) return this.swapTaintsOrLater(node.metadata.name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE]);
      this.markNodeForTainting(node, 'Unknown');
    } else if (observed.status === 'True') {
      if (taintExists(taints, UNREACHABLE_NO_EXECUTE) || taintExists(taints, NOT_READY_NO_EXECUTE)) return this.markNodeAsReachable(node);
      this.zoneTainter.get(zoneKey(node))?.remove(node.metadata.name);
    }
    return undefined;
  }

  /** A failed instant swap is tried again in the next cycle. */
  private async swapTaintsOrLater(name: string, add: TaintRef[], del: TaintRef[]): Promise<void> {
    try {
      await this.swapTaints(name, add, del);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private markNodeForTainting(node: Obj, status: 'False' | 'Unknown'): void {
    const q = this.tainterFor(node);
    const name: string = node.metadata.name;
    const taints: Obj[] | undefined = node.spec?.taints;
    if (status === 'False' && !taintExists(taints, NOT_READY_NO_EXECUTE)) q.remove(name);
    if (status === 'Unknown' && !taintExists(taints, UNREACHABLE_NO_EXECUTE)) q.remove(name);
    if (q.add(name, this.clock.now())) this.kickTainter(NODE_EVICTION_PERIOD_MS);
  }

  private async markNodeAsReachable(node: Obj): Promise<void> {
    try {
      await this.removeTaints(node, [UNREACHABLE_NO_EXECUTE]);
      await this.removeTaints(node, [NOT_READY_NO_EXECUTE]);
    } catch (e) {
      // Failed to remove taints from node: the next pass tries again.
      if (!(e instanceof ApiError)) throw e;
      return;
    }
    this.zoneTainter.get(zoneKey(node))?.remove(node.metadata.name);
  }

  /** doNoScheduleTaintingPass and reconcileNodeLabels, for one node that changed. */
  private async processNode(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) return;
    const want: TaintRef[] = [];
    for (const c of (node.status?.conditions ?? []) as Obj[]) {
      const key = CONDITION_TAINTS[c?.type]?.[c?.status];
      if (key) want.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
    const have = ((node.spec?.taints ?? []) as TaintRef[]).filter((t) => t?.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
    const add = want.filter((t) => !taintExists(have, t));
    const del = have.filter((t) => !taintExists(want, t));
    if (add.length || del.length) await this.swapTaints(name, add, del);
    const labels: Record<string, string> | undefined = node.metadata.labels;
    if (!labels) return;
    const update: Record<string, string> = {};
    for (const [primary, secondary] of LABEL_RECONCILE) {
      if (!(primary in labels)) continue;
      if (labels[secondary] !== labels[primary]) update[secondary] = labels[primary];
    }
    if (Object.keys(update).length) await this.api.patch(this.api.resource('nodes'), undefined, name, 'strategic', { metadata: { labels: update } });
  }

  /**
   * SwapNodeControllerTaint: the taints to add (timeAdded now; one already there with the same key
   * and effect is replaced) and those to remove (by key and effect), in one write of spec.taints.
   */
  private async swapTaints(name: string, add: TaintRef[], del: TaintRef[]): Promise<void> {
    const def = this.api.resource('nodes');
    const node = await this.api.get(def, undefined, name);
    const ts = rfc3339(this.clock.now());
    let taints: Obj[] = [...(node.spec?.taints ?? [])];
    for (const t of add) {
      const i = taints.findIndex((x) => x?.key === t.key && x?.effect === t.effect);
      const next = { ...t, timeAdded: ts };
      if (i >= 0) taints[i] = next;
      else taints.push(next);
    }
    taints = taints.filter((x) => !del.some((t) => x?.key === t.key && x?.effect === t.effect));
    if (jsonEqual(taints, node.spec?.taints ?? [])) return;
    await this.api.patch(def, undefined, name, 'merge', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } });
  }

  /** controller.RemoveTaintOffNode: nothing to do (and no read) when the node has none of them. */
  private async removeTaints(node: Obj, del: TaintRef[]): Promise<void> {
    if (!del.some((t) => taintExists(node.spec?.taints, t))) return;
    await this.swapTaints(node.metadata.name, [], del);
  }

  // ---- the NoExecute tainting pass (rate limited per zone) ----

  private tainterFor(node: Obj): RateLimitedTimedQueue {
    this.addTainterForNewZone(node);
    return this.zoneTainter.get(zoneKey(node))!;
  }

  private addTainterForNewZone(node: Obj): void {
    const zone = zoneKey(node);
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, 'Initial');
    this.zoneTainter.set(zone, new RateLimitedTimedQueue(new TokenBucket(this.evictionQPS, () => this.clock.now())));
  }

  /** Runs doNoExecuteTaintingPass after `ms`, unless a run is already due. */
  private kickTainter(ms: number): void {
    if (this.stopped || this.tainterTimer || this.tainting) return;
    this.tainterTimer = this.clock.setTimeout(() => {
      this.tainterTimer = undefined;
      this.tainting = this.doNoExecuteTaintingPass().finally(() => {
        this.tainting = undefined;
        this.kickAgain();
      });
    }, ms);
  }

  private kickAgain(): void {
    const now = this.clock.now();
    let next = Infinity;
    for (const q of this.zoneTainter.values()) next = Math.min(next, q.nextIn(now));
    if (Number.isFinite(next)) this.kickTainter(Math.max(NODE_EVICTION_PERIOD_MS, Math.ceil(next)));
  }

  private async doNoExecuteTaintingPass(): Promise<void> {
    for (const q of [...this.zoneTainter.values()]) {
      if (this.stopped) return;
      await q.try(
        () => this.clock.now(),
        async (name) => {
          const node = this.nodes.get(undefined, name);
          if (!node) return [true, 0];
          const ready = condition(node.status, 'Ready');
          if (!ready) return [false, 50];
          // The unreachable and not-ready taints mirror Ready: one at a time.
          let add: TaintRef;
          let opposite: TaintRef;
          if (ready.status === 'False') [add, opposite] = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
          else if (ready.status === 'Unknown') [add, opposite] = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
          else return [true, 0];
          try {
            await this.swapTaints(name, [add], [opposite]);
            return [true, 0];
          } catch (e) {
            if (!(e instanceof ApiError)) throw e;
            return [false, 0];
          }
        },
      );
    }
  }

  // ---- zones ----

  /** ComputeZoneState */
  private computeZoneState(readyConditions: (Obj | undefined)[]): [number, ZoneState] {
    let ready = 0;
    let notReady = 0;
    for (const c of readyConditions) {
      if (c?.status === 'True') ready++;
      else notReady++;
    }
    if (ready === 0 && notReady > 0) return [notReady, 'FullDisruption'];
    if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return [notReady, 'PartialDisruption'];
    return [notReady, 'Normal'];
  }

  private setLimiterInZone(zone: string, size: number, state: ZoneState): void {
    const q = this.zoneTainter.get(zone);
    if (!q) return;
    const now = () => this.clock.now();
    if (state === 'Normal') q.swapLimiter(this.evictionQPS, now);
    else if (state === 'PartialDisruption') q.swapLimiter(size > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_LIMITER_QPS : 0, now);
    else if (state === 'FullDisruption') q.swapLimiter(this.evictionQPS, now);
  }

  private async handleDisruption(zoneConditions: Map<string, (Obj | undefined)[]>, nodes: Obj[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conds] of zoneConditions) {
      const [, state] = this.computeZoneState(conds);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // Every node is not Ready: the control plane's own connectivity is the likelier fault, so no
      // node keeps an eviction taint and no eviction starts ("master disruption mode").
      for (const n of nodes) await this.markNodeAsReachable(this.nodes.get(undefined, n.metadata.name) ?? n);
      for (const zone of this.zoneStates.keys()) this.zoneTainter.get(zone)?.swapLimiter(0, () => this.clock.now());
      for (const zone of this.zoneStates.keys()) this.zoneStates.set(zone, 'FullDisruption');
      return;
    }
    if (allWasFullyDisrupted) {
      // Leaving it: every node gets a fresh grace period.
      const now = this.clock.now();
      for (const n of nodes) {
        const h = this.health.get(n.metadata.name);
        if (h) this.health.set(n.metadata.name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
      }
      for (const zone of this.zoneStates.keys()) {
        const state = newStates.get(zone)!;
        this.setLimiterInZone(zone, zoneConditions.get(zone)?.length ?? 0, state);
        this.zoneStates.set(zone, state);
      }
      this.kickAgain();
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newStates.get(zone)!;
      if (state === next) continue;
      this.setLimiterInZone(zone, zoneConditions.get(zone)?.length ?? 0, next);
      this.zoneStates.set(zone, next);
    }
    this.kickAgain();
  }

  // ---- events ----

  /** RecordNodeEvent: "Node X event: ..." on the Node. */
  private recordNodeEvent(name: string, uid: string, reason: string, message: string): Promise<void> {
    return this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid } }, 'Normal', reason, `Node ${name} event: ${message}`);
  }

  /** RecordNodeStatusChange: "Node X status is now: NodeNotReady". */
  private recordNodeStatusChange(node: Obj, status: string): Promise<void> {
    const m = node.metadata;
    return this.events.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: m.name, uid: m.uid } }, 'Normal', status, `Node ${m.name} status is now: ${status}`);
  }
}

/** AddRateLimited: handled again after a back-off. */
class RetryLater extends Error {}

/**
 * When the controller counts a heartbeat as seen. Kubernetes takes its own clock at the pass that
 * notices it (probeTimestamp), which differs from the heartbeat's time only by the pass period.
 * Here a fast-forward can run a whole grace period while a pass waits on a write (a durable store's
 * fsync), and the next pass would then date a heartbeat from before the jump at after it, giving a
 * stopped node a fresh grace period: the heartbeat's own time (one clock for the whole cluster),
 * never later than now.
 */
function seenAt(now: number, heartbeat: string | undefined): number {
  const t = Date.parse(heartbeat ?? '');
  return Number.isFinite(t) ? Math.min(now, t) : now;
}

function renewTime(lease: Obj): number {
  return Date.parse(lease.spec?.renewTime ?? '') || 0;
}
