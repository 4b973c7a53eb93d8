// kube-scheduler, the first slice: a queue of unscheduled pods, filter plugins (NodeUnschedulable,
// NodeName, NodeAffinity's nodeSelector, TaintToleration, NodeResourcesFit), LeastAllocated scoring,
// binding through pods/binding, and FailedScheduling with the scheduler's message
// (pkg/scheduler/schedule_one.go, framework/plugins/*). Unschedulable pods are retried when the
// cluster changes (a node added or updated, a pod deleted), as the scheduling queue moves them back.
//
// Node usage is kept incrementally from pod events, so the cost of scheduling a pod grows with the
// number of nodes, not with the number of pods.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { clone, rfc3339 } from '../api/objects.ts';
import { parseQuantity, toMilli } from '../api/quantity.ts';
import type { Clock } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer, keyOf } from '../client/informer.ts';

export const SCHEDULER_NAME = 'default-scheduler';

interface Usage {
  cpu: number; // milli
  memory: number; // bytes
  pods: number;
}

/** Requests of a pod as the scheduler counts them: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: Obj): Usage {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += toMilli(c.resources?.requests?.cpu ?? 0);
    memory += parseQuantity(c.resources?.requests?.memory ?? 0);
  }
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, toMilli(c.resources?.requests?.cpu ?? 0));
    memory = Math.max(memory, parseQuantity(c.resources?.requests?.memory ?? 0));
  }
  if (pod.spec?.overhead) {
    cpu += toMilli(pod.spec.overhead.cpu ?? 0);
    memory += parseQuantity(pod.spec.overhead.memory ?? 0);
  }
  return { cpu, memory, pods: 1 };
}

function isTerminal(pod: Obj): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

function tolerates(tolerations: Obj[] | undefined, taint: Obj): boolean {
  // k8s.io/api/core/v1/toleration.go ToleratesTaint
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key && t.key !== taint.key) return false;
    if (!t.key && t.operator !== 'Exists') return false;
    if ((t.operator ?? 'Equal') === 'Exists') return true;
    return (t.value ?? '') === (taint.value ?? '');
  });
}

function taintText(t: Obj): string {
  return `{${t.key}: ${t.value ?? ''}}`;
}

export class Scheduler {
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly usage = new Map<string, Usage>();
  /** Pods counted in usage, with the node and amount, so updates and deletes subtract exactly. */
  private readonly counted = new Map<string, { node: string; req: Usage }>();
  private readonly active: string[] = [];
  private readonly queued = new Set<string>();
  private readonly unschedulable = new Set<string>();
  private running = false;
  private stopped = false;
  private readonly events: EventRecorder;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    this.events = new EventRecorder(api, clock, { component: SCHEDULER_NAME });
    this.nodes = new Informer(api, api.resource('nodes')).on({
      add: () => this.moveAllToActive(),
      update: (n, old) => {
        if (JSON.stringify(n.spec) !== JSON.stringify(old.spec) || JSON.stringify(n.status?.allocatable) !== JSON.stringify(old.status?.allocatable)) {
          this.moveAllToActive();
        }
      },
      delete: (n) => this.usage.delete(n.metadata.name),
    });
    this.pods = new Informer(api, api.resource('pods')).on({
      add: (p) => this.onPod(p),
      update: (p) => this.onPod(p),
      delete: (p) => {
        this.uncount(keyOf(p));
        this.queued.delete(keyOf(p));
        this.unschedulable.delete(keyOf(p));
        this.moveAllToActive();
      },
    });
  }

  async start(): Promise<void> {
    // A (re)start rebuilds everything from the API, as a restarted kube-scheduler does.
    this.stopped = false;
    this.usage.clear();
    this.counted.clear();
    this.active.length = 0;
    this.queued.clear();
    this.unschedulable.clear();
    await this.nodes.start();
    await this.pods.start();
  }

  stop(): void {
    this.stopped = true;
    this.pods.stop();
    this.nodes.stop();
  }

  private onPod(p: Obj): void {
    const k = keyOf(p);
    if (p.spec?.nodeName) {
      this.unschedulable.delete(k);
      if (isTerminal(p)) {
        if (this.uncount(k)) this.moveAllToActive();
      } else if (!this.counted.has(k)) {
        this.count(k, p.spec.nodeName, podRequests(p));
      }
      return;
    }
    if ((p.spec?.schedulerName ?? SCHEDULER_NAME) !== SCHEDULER_NAME || p.metadata.deletionTimestamp) return;
    if (!this.unschedulable.has(k)) this.enqueue(k);
  }

  private count(k: string, node: string, req: Usage): void {
    this.counted.set(k, { node, req });
    const u = this.usage.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
    u.cpu += req.cpu;
    u.memory += req.memory;
    u.pods += req.pods;
    this.usage.set(node, u);
  }

  private uncount(k: string): boolean {
    const c = this.counted.get(k);
    if (!c) return false;
    this.counted.delete(k);
    const u = this.usage.get(c.node);
    if (u) {
      u.cpu -= c.req.cpu;
      u.memory -= c.req.memory;
      u.pods -= c.req.pods;
    }
    return true;
  }

  private enqueue(k: string): void {
    if (this.queued.has(k)) return;
    this.queued.add(k);
    this.active.push(k);
    this.kick();
  }

  private moveAllToActive(): void {
    for (const k of this.unschedulable) {
      this.unschedulable.delete(k);
      this.enqueue(k);
    }
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.active.length && !this.stopped) {
        const k = this.active.shift()!;
        this.queued.delete(k);
        const [ns, name] = k.split('/');
        const pod = this.pods.get(ns, name);
        if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
        await this.scheduleOne(pod);
      }
    } finally {
      this.running = false;
      if (this.active.length && !this.stopped) this.kick();
    }
  }

  /** Filters, scores and binds one pod (schedule_one.go). */
  private async scheduleOne(pod: Obj): Promise<void> {
    const k = keyOf(pod);
    const req = podRequests(pod);
    const failures = new Map<string, number>();
    const resolvable = new Map<string, boolean>();
    const fail = (reason: string, canPreempt: boolean) => {
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
      resolvable.set(reason, canPreempt);
    };
    let best: { name: string; score: number }[] = [];
    const nodes = this.nodes.list();
    for (const node of nodes) {
      const reason = this.filter(pod, node, req);
      if (reason) {
        for (const r of reason.reasons) fail(r, reason.preemptable);
        continue;
      }
      const score = this.score(node, req);
      if (!best.length || score > best[0].score) best = [{ name: node.metadata.name, score }];
      else if (score === best[0].score) best.push({ name: node.metadata.name, score });
    }
    if (!best.length) {
      this.unschedulable.add(k);
      await this.reportUnschedulable(pod, nodes.length, failures, resolvable);
      return;
    }
    // Ties are broken at random, as selectHost does.
    const chosen = best[Math.floor(Math.random() * best.length)].name;
    // Assume the pod on the node before binding, so the next pod sees the room it takes.
    this.count(k, chosen, req);
    try {
      await this.api.bind(pod.metadata.namespace, pod.metadata.name, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: chosen },
      });
      await this.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${chosen}`);
    } catch (e) {
      this.uncount(k);
      if (!(e instanceof ApiError)) throw e;
      // Gone or already bound: nothing to do; anything else is retried on the next change.
      if (e.code !== 404 && e.code !== 409) this.unschedulable.add(k);
    }
  }

  private filter(pod: Obj, node: Obj, req: Usage): { reasons: string[]; preemptable: boolean } | undefined {
    const spec = pod.spec ?? {};
    // NodeName
    if (spec.nodeName && spec.nodeName !== node.metadata.name) return { reasons: ["node(s) didn't match the requested node name"], preemptable: false };
    // NodeUnschedulable
    if (node.spec?.unschedulable) {
      const tolerated = tolerates(spec.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
      if (!tolerated) return { reasons: ['node(s) were unschedulable'], preemptable: false };
    }
    // NodeAffinity: nodeSelector and required node affinity (matchExpressions on labels).
    const labels = node.metadata.labels ?? {};
    for (const [key, v] of Object.entries(spec.nodeSelector ?? {})) {
      if (labels[key] !== v) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], preemptable: false };
    }
    const terms: Obj[] | undefined = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (terms?.length && !terms.some((t) => matchTerm(t, node))) {
      return { reasons: ["node(s) didn't match Pod's node affinity/selector"], preemptable: false };
    }
    // TaintToleration: NoSchedule and NoExecute taints must be tolerated.
    for (const t of node.spec?.taints ?? []) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec.tolerations, t)) {
        return { reasons: [`node(s) had untolerated taint ${taintText(t)}`], preemptable: false };
      }
    }
    // NodeResourcesFit
    const alloc = node.status?.allocatable ?? {};
    const u = this.usage.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 };
    const reasons: string[] = [];
    if (u.pods + 1 > Number(alloc.pods ?? 110)) reasons.push('Too many pods');
    if (req.cpu > 0 && u.cpu + req.cpu > toMilli(alloc.cpu ?? 0)) reasons.push('Insufficient cpu');
    if (req.memory > 0 && u.memory + req.memory > parseQuantity(alloc.memory ?? 0)) reasons.push('Insufficient memory');
    if (reasons.length) return { reasons, preemptable: true };
    return undefined;
  }

  /** NodeResourcesFit LeastAllocated (cpu and memory equally weighted) plus BalancedAllocation. */
  private score(node: Obj, req: Usage): number {
    const alloc = node.status?.allocatable ?? {};
    const u = this.usage.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 };
    // Pods without requests count as 100m / 200Mi when scoring (schedutil.DefaultMilliCPURequest).
    const cpuReq = (req.cpu || 100) + u.cpu;
    const memReq = (req.memory || 200 * 2 ** 20) + u.memory;
    const cpuCap = toMilli(alloc.cpu ?? 0) || 1;
    const memCap = parseQuantity(alloc.memory ?? 0) || 1;
    const least = (cap: number, used: number) => (used > cap ? 0 : ((cap - used) * 100) / cap);
    const leastAllocated = (least(cpuCap, cpuReq) + least(memCap, memReq)) / 2;
    const fc = Math.min(1, cpuReq / cpuCap);
    const fm = Math.min(1, memReq / memCap);
    const balanced = (1 - Math.abs(fc - fm) / 2) * 100;
    return Math.round(leastAllocated) + Math.round(balanced);
  }

  private async reportUnschedulable(pod: Obj, total: number, failures: Map<string, number>, resolvable: Map<string, boolean>): Promise<void> {
    // "0/3 nodes are available: 1 node(s) had untolerated taint {..}, 2 Insufficient cpu. preemption: ..."
    const parts = [...failures].map(([r, n]) => `${n} ${r}`).sort();
    const pre: Map<string, number> = new Map();
    for (const [r, n] of failures) {
      const why = resolvable.get(r) ? 'No preemption victims found for incoming pod' : 'Preemption is not helpful for scheduling';
      pre.set(why, (pre.get(why) ?? 0) + n);
    }
    const preParts = [...pre].map(([r, n]) => `${n} ${r}`).sort();
    const message =
      total === 0
        ? 'no nodes available to schedule pods'
        : `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${preParts.join(', ')}.`;
    const cond = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
    if (!cond || cond.status !== 'False' || cond.message !== message) {
      const next = clone(pod);
      const conds = (next.status.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(this.clock.now()), reason: 'Unschedulable', message });
      next.status.conditions = conds;
      try {
        await this.api.update(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name, next, { subresource: 'status' });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
    await this.events.record(pod, 'Warning', 'FailedScheduling', message);
  }
}

function matchTerm(term: Obj, node: Obj): boolean {
  const labels = node.metadata.labels ?? {};
  const exprs: Obj[] = term.matchExpressions ?? [];
  const fields: Obj[] = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const check = (e: Obj, value: string | undefined) => {
    const vals: string[] = e.values ?? [];
    switch (e.operator) {
      case 'In':
        return value !== undefined && vals.includes(value);
      case 'NotIn':
        return value === undefined || !vals.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Gt':
        return value !== undefined && Number(value) > Number(vals[0]);
      case 'Lt':
        return value !== undefined && Number(value) < Number(vals[0]);
      default:
        return false;
    }
  };
  return exprs.every((e) => check(e, labels[e.key])) && fields.every((f) => check(f, f.key === 'metadata.name' ? node.metadata.name : undefined));
}
