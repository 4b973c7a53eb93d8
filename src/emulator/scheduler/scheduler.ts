// kube-scheduler (pkg/scheduler/scheduler.go, schedule_one.go, eventhandlers.go): informers feed the
// cache (cache.ts) and the scheduling queue (queue.ts); one pod at a time is popped, filtered and
// scored (framework.ts), assumed on the chosen node, and bound through pods/binding while the next
// pod is already being scheduled (the binding cycle runs apart, as its goroutine does). A pod that
// fits nowhere runs DefaultPreemption (preemption.ts), gets PodScheduled=False with the FitError
// message and a FailedScheduling event, and waits in the queue for a cluster event that may help.
// Pods with claims go through the volume plugins (volumes.ts): Reserve assumes the volumes chosen,
// and the binding cycle runs VolumeBinding's PreBind (claims bound, or provisioned on the chosen
// node) before the pod is bound. Pods with scheduling gates wait apart until the gates are gone.
//
// Only pods whose spec.schedulerName is "default-scheduler" are ours. Everything timed (backoff,
// the unschedulable pods' flush) runs on the emulator clock.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { rfc3339 } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, type Requirement } from '../api/selectors.ts';
import type { Clock } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { Cache, PodInfo, sameLabels } from './cache.ts';
import { fitErrorMessage, Framework, type ScheduleResult } from './framework.ts';
import { Preemption } from './preemption.ts';
import { SchedulingQueue } from './queue.ts';
import { VolumeBinder, type VolumeDecisions } from './volumes.ts';

export { podRequests } from './resources.ts';

export const SCHEDULER_NAME = 'default-scheduler';

/** Cluster events and the plugins they may help (each plugin's EventsToRegister). */
const ASSIGNED_POD_ADD = new Set(['PodTopologySpread', 'InterPodAffinity']);
const ASSIGNED_POD_DELETE = new Set(['NodeResourcesFit', 'NodePorts', 'VolumeRestrictions', 'PodTopologySpread', 'InterPodAffinity']);
const NODE_DELETE = new Set(['PodTopologySpread']);

export interface SchedulerOptions {
  /** Random numbers for ties and preemption offsets (Math.random by default; seed it in tests). */
  random?: () => number;
  /** At most this many binding cycles under way at once. */
  maxBindingsInFlight?: number;
}

function isTerminal(pod: Obj): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

function byNamespace(o: Obj): string[] {
  return [o.metadata.namespace ?? ''];
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Scheduler {
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly namespaces: Informer;
  private readonly services: Informer;
  private readonly rcs: Informer;
  private readonly replicaSets: Informer;
  private readonly statefulSets: Informer;
  private readonly pdbs: Informer;
  readonly volumes: VolumeBinder;
  readonly cache = new Cache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  private readonly preemption: Preemption;
  private readonly events: EventRecorder;
  /** Pods nominated to a node by preemption, per node (the PodNominator). */
  private readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedOf = new Map<string, string>();
  private running = false;
  private stopped = true;
  private bindings = 0;
  private bindingWaiters: (() => void)[] = [];
  private readonly random: () => number;
  private readonly maxBindings: number;
  /** Pods bound since start (for benchmarks). */
  bound = 0;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    opts: SchedulerOptions = {},
  ) {
    this.random = opts.random ?? Math.random;
    this.maxBindings = opts.maxBindingsInFlight ?? 256;
    this.events = new EventRecorder(api, clock, { component: SCHEDULER_NAME });
    this.queue = new SchedulingQueue(clock);
    this.queue.onActive = () => this.kick();
    this.namespaces = new Informer(api, api.resource('namespaces'));
    this.services = new Informer(api, api.resource('services')).addIndex('namespace', byNamespace);
    this.rcs = new Informer(api, api.resource('replicationcontrollers'));
    this.replicaSets = new Informer(api, api.resource('replicasets.apps'));
    this.statefulSets = new Informer(api, api.resource('statefulsets.apps'));
    this.pdbs = new Informer(api, api.resource('poddisruptionbudgets.policy'));
    this.volumes = new VolumeBinder(api, clock, (plugins) => this.queue.moveOnEvent(plugins));
    this.framework = new Framework({
      volumes: this.volumes,
      cache: this.cache,
      random: this.random,
      defaultSelector: (pod) => this.defaultSelector(pod),
      namespaceLabels: (ns) => this.namespaces.get(undefined, ns)?.metadata.labels,
      namespacesMatching: (sel) => this.namespaces.list().filter((n) => matchesLabels(sel, n.metadata.labels)).map((n) => n.metadata.name),
      nominatedPods: (node) => this.nominated.get(node)?.values() ?? [],
      anyNominated: () => this.nominated.size > 0,
    });
    this.preemption = new Preemption(this.framework, this.cache, () => this.pdbs.list(), this.random);
    this.nodes = new Informer(api, api.resource('nodes')).on({
      add: (n) => {
        this.cache.setNode(n);
        this.queue.moveOnEvent(undefined);
      },
      update: (n, old) => this.onNodeUpdate(n, old),
      delete: (n) => {
        this.cache.deleteNode(n.metadata.name);
        this.queue.moveOnEvent(NODE_DELETE);
      },
    });
    this.pods = new Informer(api, api.resource('pods')).on({
      add: (p) => this.onPod(p),
      update: (p) => this.onPod(p),
      delete: (p) => this.onPodDelete(p),
    });
  }

  async start(): Promise<void> {
    // A (re)start rebuilds everything from the API, as a restarted kube-scheduler does.
    this.stopped = false;
    this.cache.clear();
    this.queue.clear();
    this.nominated.clear();
    this.nominatedOf.clear();
    for (const inf of [this.namespaces, this.services, this.rcs, this.replicaSets, this.statefulSets, this.pdbs, this.nodes]) await inf.start();
    await this.volumes.start();
    await this.pods.start();
    this.queue.run();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const inf of [this.pods, this.nodes, this.namespaces, this.services, this.rcs, this.replicaSets, this.statefulSets, this.pdbs]) inf.stop();
    this.volumes.stop();
  }

  // ---- event handlers (eventhandlers.go) ----

  private onNodeUpdate(n: Obj, old: Obj): void {
    this.cache.setNode(n);
    const plugins = new Set<string>();
    if (!sameJSON(n.metadata.labels ?? {}, old.metadata.labels ?? {})) for (const p of ['NodeAffinity', 'VolumeBinding', 'VolumeZone', 'PodTopologySpread', 'InterPodAffinity']) plugins.add(p);
    if (!sameJSON(n.spec?.taints ?? [], old.spec?.taints ?? []) || !!n.spec?.unschedulable !== !!old.spec?.unschedulable) {
      for (const p of ['TaintToleration', 'NodeUnschedulable', 'PodTopologySpread']) plugins.add(p);
    }
    if (!sameJSON(n.status?.allocatable ?? {}, old.status?.allocatable ?? {})) plugins.add('NodeResourcesFit');
    if (plugins.size) this.queue.moveOnEvent(plugins);
  }

  private onPod(p: Obj): void {
    const k = keyOf(p);
    if (p.spec?.nodeName) {
      this.queue.delete(k);
      this.unnominate(k);
      if (isTerminal(p)) {
        if (this.cache.removePod(k)) this.queue.moveOnEvent(ASSIGNED_POD_DELETE);
        return;
      }
      const cur = this.cache.podInfo(k);
      const sameNode = this.cache.nodeOf(k) === p.spec.nodeName;
      // An assumed pod confirmed by the informer keeps its entry unless what counts changed.
      if (cur && sameNode && cur.pod.metadata.uid === p.metadata.uid && sameLabels(cur.labels, p.metadata.labels ?? {}) && cur.terminating === !!p.metadata.deletionTimestamp) {
        // An assumed pod now bound: AssignedPodAdded, for pods waiting on affinity or spreading.
        if (!cur.pod.spec?.nodeName) this.queue.moveOnEvent(ASSIGNED_POD_ADD);
        cur.pod = p;
        return;
      }
      this.cache.addPod(new PodInfo(p), p.spec.nodeName);
      // AssignedPodAdd, or AssignedPodUpdate (labels, termination).
      this.queue.moveOnEvent(ASSIGNED_POD_ADD);
      return;
    }
    if ((p.spec?.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME || p.metadata.deletionTimestamp) {
      this.queue.delete(k);
      this.unnominate(k);
      return;
    }
    const nnn = p.status?.nominatedNodeName;
    if (nnn) this.nominate(new PodInfo(p), nnn);
    else this.unnominate(k);
    // A pod assumed and being bound is not queued again.
    if (this.cache.nodeOf(k) !== undefined) return;
    this.queue.add(p);
  }

  private onPodDelete(p: Obj): void {
    const k = keyOf(p);
    this.queue.delete(k);
    this.unnominate(k);
    if (this.cache.removePod(k)) this.queue.moveOnEvent(ASSIGNED_POD_DELETE);
  }

  private nominate(pi: PodInfo, node: string): void {
    this.unnominate(pi.key);
    let m = this.nominated.get(node);
    if (!m) this.nominated.set(node, (m = new Map()));
    m.set(pi.key, pi);
    this.nominatedOf.set(pi.key, node);
  }

  private unnominate(key: string): void {
    const node = this.nominatedOf.get(key);
    if (node === undefined) return;
    this.nominatedOf.delete(key);
    const m = this.nominated.get(node);
    m?.delete(key);
    if (m && !m.size) this.nominated.delete(node);
  }

  /** helper.DefaultSelector (framework/plugins/helper/spread.go). */
  private defaultSelector(pod: Obj): Requirement[] {
    const ns = pod.metadata.namespace;
    const labels = pod.metadata.labels ?? {};
    const set: Record<string, string> = {};
    for (const svc of this.services.byIndex('namespace', ns)) {
      const sel = svc.spec?.selector;
      if (!sel || !Object.keys(sel).length) continue;
      if (Object.keys(sel).every((k) => labels[k] === sel[k])) Object.assign(set, sel);
    }
    let reqs: Requirement[] = Object.keys(set)
      .sort()
      .map((k) => ({ key: k, operator: 'Equals' as const, values: [set[k]] }));
    const owner = (pod.metadata.ownerReferences ?? []).find((o: Obj) => o.controller === true);
    if (!owner) return reqs;
    const group = String(owner.apiVersion ?? '').includes('/') ? String(owner.apiVersion).split('/')[0] : '';
    if (owner.kind === 'ReplicationController' && group === '') {
      const rc = this.rcs.get(ns, owner.name);
      if (rc?.spec?.selector) {
        Object.assign(set, rc.spec.selector);
        reqs = Object.keys(set)
          .sort()
          .map((k) => ({ key: k, operator: 'Equals' as const, values: [set[k]] }));
      }
    } else if ((owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet') && group === 'apps') {
      const o = (owner.kind === 'ReplicaSet' ? this.replicaSets : this.statefulSets).get(ns, owner.name);
      if (o) {
        try {
          const r = labelSelectorFromObject(o.spec?.selector);
          if (r) reqs = [...reqs, ...r];
        } catch {
          // An invalid selector adds nothing.
        }
      }
    }
    return reqs;
  }

  // ---- the scheduling loop ----

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      let n = 0;
      while (!this.stopped) {
        const info = this.queue.pop();
        if (!info) break;
        // A pod placed without waiting (the common case) costs no promise.
        const wait = this.scheduleOne(info.pod);
        if (wait) await wait;
        // Let the informers, the bindings and the clock's timers through now and then.
        if (++n % 64 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
      if (this.queue.pendingActive && !this.stopped) this.kick();
    }
  }

  /**
   * scheduleOne: a scheduling cycle, then the binding cycle started apart. Returns a promise only
   * when the caller has to wait (bindings at their limit, a failure being recorded).
   */
  private scheduleOne(pod: Obj): Promise<void> | undefined {
    const k = keyOf(pod);
    const cur = this.pods.get(pod.metadata.namespace, pod.metadata.name);
    // skipPodSchedule: deleted, being deleted, or already bound meanwhile.
    if (!cur || cur.spec?.nodeName || cur.metadata.deletionTimestamp || cur.metadata.uid !== pod.metadata.uid) {
      this.queue.delete(k);
      return;
    }
    const pi = new PodInfo(cur);
    const res = this.framework.schedule(pi);
    if ('node' in res) {
      // Reserve (the volumes), assume, then bind apart.
      const ni = this.cache.nodes.get(res.node);
      const volumes = ni ? this.volumes.reserve(res.state.volumes, ni) : undefined;
      this.cache.addPod(pi, res.node);
      this.unnominate(k);
      if (this.bindings >= this.maxBindings) return new Promise<void>((r) => this.bindingWaiters.push(r)).then(() => this.startBinding(pi, res.node, volumes));
      this.startBinding(pi, res.node, volumes);
      return undefined;
    }
    return this.scheduleFailed(k, cur, pi, res);
  }

  private startBinding(pi: PodInfo, node: string, volumes: VolumeDecisions | undefined): void {
    this.bindings++;
    void this.bindingCycle(pi, node, volumes).finally(() => {
      this.bindings--;
      this.bindingWaiters.shift()?.();
    });
  }

  /** The scheduling cycle found no node: the error, or PostFilter (preemption) and the failure recorded. */
  private async scheduleFailed(k: string, cur: Obj, pi: PodInfo, res: Exclude<ScheduleResult, { node: string }>): Promise<void> {
    if ('error' in res) {
      this.queue.addUnschedulable(k, new Set());
      await this.recordFailure(cur, 'SchedulerError', res.error, undefined);
      return;
    }
    // PostFilter: DefaultPreemption.
    const pre = this.preemption.preempt(pi, res.fit);
    let nominate: string | undefined = pre.nominate;
    if ('victims' in pre) {
      const ok = await this.prepareCandidate(pi, pre.nominate, pre.victims);
      if (!ok) nominate = undefined;
      else this.nominate(pi, pre.nominate);
    }
    const message = fitErrorMessage(res.fit.numAllNodes, res.fit.statuses, pre.message, undefined, res.fit.preFilterMsg);
    this.queue.addUnschedulable(k, res.fit.plugins);
    await this.recordFailure(cur, 'Unschedulable', message, nominate);
  }

  private async bindingCycle(pi: PodInfo, node: string, volumes?: VolumeDecisions): Promise<void> {
    const pod = pi.pod;
    const { namespace, name } = pod.metadata;
    if (volumes) {
      // PreBind: VolumeBinding.
      try {
        await this.volumes.preBind(volumes, () => this.stopped);
      } catch (e) {
        this.volumes.forget(volumes);
        if (this.stopped) return;
        if (this.cache.nodeOf(pi.key) === node) {
          this.cache.removePod(pi.key);
          this.queue.moveOnEvent(ASSIGNED_POD_DELETE);
        }
        this.queue.addUnschedulable(pi.key, new Set());
        const cur = this.pods.get(namespace, name);
        if (cur && cur.metadata.uid === pod.metadata.uid) await this.recordFailure(cur, 'SchedulerError', `running PreBind plugin "VolumeBinding": ${e instanceof Error ? e.message : String(e)}`, undefined);
        return;
      }
      this.volumes.forget(volumes);
    }
    try {
      await this.api.bind(namespace, name, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.bound++;
      this.queue.done(pi.key);
      void this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (e) {
      // Forget the assumed pod; the room it took is free again.
      if (this.cache.nodeOf(pi.key) === node && !this.pods.get(namespace, name)?.spec?.nodeName) {
        this.cache.removePod(pi.key);
        this.queue.moveOnEvent(ASSIGNED_POD_DELETE);
      }
      if (!(e instanceof ApiError)) throw e;
      // Gone or bound by someone else: nothing more; anything else is retried after backoff.
      if (e.code === 404 || e.code === 409) this.queue.done(pi.key);
      else this.queue.addUnschedulable(pi.key, new Set());
    }
  }

  /** prepareCandidate: mark and delete the victims, clear lower-priority nominations on the node. */
  private async prepareCandidate(pi: PodInfo, node: string, victims: PodInfo[]): Promise<boolean> {
    const podsDef = this.api.resource('pods');
    for (const v of victims) {
      const { namespace, name } = v.pod.metadata;
      try {
        await this.api.patch(
          podsDef,
          namespace,
          name,
          'strategic',
          {
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  lastProbeTime: null,
                  lastTransitionTime: rfc3339(this.clock.now()),
                  reason: 'PreemptionByScheduler',
                  message: `${pi.pod.spec?.schedulerName ?? SCHEDULER_NAME}: preempting to accommodate a higher priority pod`,
                },
              ],
            },
          },
          { subresource: 'status' },
        );
        await this.api.delete(podsDef, namespace, name, { preconditions: { uid: v.pod.metadata.uid } });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        if (e.code !== 404) return false;
      }
      void this.events.record(v.pod, 'Normal', 'Preempted', `Preempted by pod ${pi.pod.metadata.uid} on node ${node}`);
    }
    const lower = [...(this.nominated.get(node)?.values() ?? [])].filter((p) => p.priority < pi.priority);
    for (const p of lower) {
      this.unnominate(p.key);
      try {
        await this.api.patch(podsDef, p.namespace, p.pod.metadata.name, 'strategic', { status: { nominatedNodeName: null } }, { subresource: 'status' });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
    return true;
  }

  /** handleSchedulingFailure: the PodScheduled condition (and nominatedNodeName), and the event. */
  private async recordFailure(pod: Obj, reason: string, message: string, nominate: string | undefined): Promise<void> {
    const cond = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
    const sameCond = cond && cond.status === 'False' && cond.reason === reason && cond.message === message;
    const nnnChange = nominate !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominate;
    if (!sameCond || nnnChange) {
      const status: Obj = {};
      if (!sameCond) {
        status.conditions = [
          {
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: cond && cond.status === 'False' ? cond.lastTransitionTime : rfc3339(this.clock.now()),
            reason,
            message,
          },
        ];
      }
      if (nnnChange) status.nominatedNodeName = nominate || null;
      try {
        await this.api.patch(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name, 'strategic', { status }, { subresource: 'status' });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
    await this.events.record(pod, 'Warning', 'FailedScheduling', message);
  }
}
