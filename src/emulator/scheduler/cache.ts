// The scheduler's cache (pkg/scheduler/backend/cache/cache.go, framework/types.go NodeInfo/PodInfo),
// kept incrementally from the informers so that scheduling one pod never walks every pod:
//
// - per node: allocatable, requested and non-zero requested resources, its pods, taints, images;
// - PodCounter: for a pod selector (namespaces + labelSelector), the matching pods per node and,
//   on demand, per topology domain; used by PodTopologySpread and by the incoming pod's
//   InterPodAffinity terms (the counts Kubernetes' PreFilter/PreScore compute by walking all pods);
// - TermGroups: the affinity terms of existing pods (required anti-affinity for the filter, and
//   the terms InterPodAffinity scores with), grouped by identical term, with the count per
//   topology value of the nodes their pods run on.
//
// Pods "assumed" on a node (chosen, binding under way) are counted like bound ones, as the
// scheduler cache does, so the next pod sees the room they take.

import type { Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels, type Requirement } from '../api/selectors.ts';
import { emptyRes, podRequests, resFromList, type Res } from './resources.ts';

export interface AffinityTerm {
  /** Namespaces the term looks in (the owner pod's own when neither namespaces nor namespaceSelector is set). */
  namespaces: Set<string>;
  /** namespaceSelector: null when unset, [] (everything) when empty. */
  nsSelector: Requirement[] | null;
  /** labelSelector: null (unset or invalid) matches nothing. */
  selector: Requirement[] | null;
  topologyKey: string;
  weight: number;
  /** Identity of the term, for grouping equal terms. */
  id: string;
}

function parseSelector(sel: Obj | undefined | null): Requirement[] | null {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return null;
  }
}

/** framework.newAffinityTerm (types.go), plus matchLabelKeys/mismatchLabelKeys merged into the selector. */
function newTerm(pod: Obj, t: Obj, weight: number): AffinityTerm {
  const ns = pod.metadata.namespace ?? 'default';
  let selector = parseSelector(t.labelSelector);
  const labels = pod.metadata.labels ?? {};
  if (selector && (t.matchLabelKeys?.length || t.mismatchLabelKeys?.length)) {
    selector = [...selector];
    for (const k of t.matchLabelKeys ?? []) if (k in labels) selector.push({ key: k, operator: 'In', values: [labels[k]] });
    for (const k of t.mismatchLabelKeys ?? []) if (k in labels) selector.push({ key: k, operator: 'NotIn', values: [labels[k]] });
  }
  const nsSelector = t.namespaceSelector === undefined || t.namespaceSelector === null ? null : (parseSelector(t.namespaceSelector) ?? null);
  const list: string[] = t.namespaces ?? [];
  const namespaces = new Set(list.length === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null) ? [ns] : list);
  const topologyKey = String(t.topologyKey ?? '');
  const id = JSON.stringify([[...namespaces].sort(), nsSelector, selector, topologyKey]);
  return { namespaces, nsSelector, selector, topologyKey, weight, id };
}

/** AffinityTerm.Matches: the namespace (by name or namespaceSelector) and the label selector. */
export function termMatches(t: AffinityTerm, namespace: string, labels: Record<string, string> | undefined, nsLabels: Record<string, string> | undefined): boolean {
  if (!t.selector) return false;
  if (!t.namespaces.has(namespace) && !(t.nsSelector && matchesLabels(t.nsSelector, nsLabels))) return false;
  return matchesLabels(t.selector, labels);
}

/** A host port a pod takes (hostIP defaults to 0.0.0.0, protocol to TCP). */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** GetHostPorts (pkg/scheduler/util): host ports of the containers and of restartable init containers. */
export function hostPortsOf(pod: Obj): HostPort[] {
  const out: HostPort[] = [];
  const add = (c: Obj) => {
    for (const p of c?.ports ?? []) {
      const port = Number(p?.hostPort);
      if (!(port > 0)) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port });
    }
  };
  for (const c of pod.spec?.initContainers ?? []) if (c?.restartPolicy === 'Always') add(c);
  for (const c of pod.spec?.containers ?? []) add(c);
  return out;
}

/** The claims a pod's volumes use, as namespace/name (persistentVolumeClaim and generic ephemeral volumes). */
export function claimsOf(pod: Obj): string[] {
  const ns = pod.metadata.namespace ?? 'default';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim) out.push(`${ns}/${v.persistentVolumeClaim.claimName ?? ''}`);
    else if (v?.ephemeral) out.push(`${ns}/${pod.metadata.name}-${v.name}`);
  }
  return out;
}

export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly priority: number;
  readonly req: Res;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAnti: AffinityTerm[];
  readonly preferredAffinity: AffinityTerm[];
  readonly preferredAnti: AffinityTerm[];
  readonly terminating: boolean;
  readonly hostPorts: HostPort[];
  /** Claims of the pod's volumes (namespace/name). */
  readonly claims: string[];

  constructor(public pod: Obj) {
    const m = pod.metadata;
    this.namespace = m.namespace ?? 'default';
    this.key = `${this.namespace}/${m.name}`;
    this.labels = m.labels ?? {};
    this.priority = typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0;
    this.req = podRequests(pod);
    const nz = podRequests(pod, true);
    this.nonZeroCpu = nz.cpu;
    this.nonZeroMemory = nz.memory;
    const aff = pod.spec?.affinity ?? {};
    this.requiredAffinity = (aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t: Obj) => newTerm(pod, t, 1));
    this.requiredAnti = (aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t: Obj) => newTerm(pod, t, 1));
    this.preferredAffinity = (aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: Obj) => newTerm(pod, t.podAffinityTerm ?? {}, Number(t.weight) || 0));
    this.preferredAnti = (aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: Obj) => newTerm(pod, t.podAffinityTerm ?? {}, Number(t.weight) || 0));
    this.terminating = !!m.deletionTimestamp;
    this.hostPorts = hostPortsOf(pod);
    this.claims = claimsOf(pod);
  }

  get hasAffinityTerms(): boolean {
    return this.requiredAffinity.length + this.requiredAnti.length + this.preferredAffinity.length + this.preferredAnti.length > 0;
  }

  /** The time the pod started (status.startTime), or its creation, for preemption's tie-breaks. */
  get startTime(): number {
    const s = this.pod.status?.startTime ?? this.pod.metadata.creationTimestamp;
    return s ? Date.parse(s) : 0;
  }
}

/** NodeTable flags: the node needs the general filter (NodeUnschedulable, TaintToleration). */
export const NODE_UNSCHEDULABLE = 1;
export const NODE_TAINTED = 2;

/**
 * The numbers the filters and scores read for every node, in typed arrays indexed by NodeInfo.slot:
 * the search walks hundreds of nodes per pod, and contiguous arrays keep that walk in the CPU's
 * caches where NodeInfo objects spread over a large heap do not (the same idea as the scheduler's
 * snapshot of NodeInfos, made cache-friendly). NodeInfo keeps them too, as the source of truth.
 */
export class NodeTable {
  size = 0;
  allocCpu = new Float64Array(0);
  allocMemory = new Float64Array(0);
  allocEphemeral = new Float64Array(0);
  allowedPods = new Float64Array(0);
  reqCpu = new Float64Array(0);
  reqMemory = new Float64Array(0);
  reqEphemeral = new Float64Array(0);
  nonZeroCpu = new Float64Array(0);
  nonZeroMemory = new Float64Array(0);
  pods = new Float64Array(0);
  flags = new Uint8Array(0);
  private readonly free: number[] = [];

  alloc(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    if (this.size === this.pods.length) {
      const cap = Math.max(64, this.size * 2);
      const grow = (a: Float64Array) => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      };
      this.allocCpu = grow(this.allocCpu);
      this.allocMemory = grow(this.allocMemory);
      this.allocEphemeral = grow(this.allocEphemeral);
      this.allowedPods = grow(this.allowedPods);
      this.reqCpu = grow(this.reqCpu);
      this.reqMemory = grow(this.reqMemory);
      this.reqEphemeral = grow(this.reqEphemeral);
      this.nonZeroCpu = grow(this.nonZeroCpu);
      this.nonZeroMemory = grow(this.nonZeroMemory);
      this.pods = grow(this.pods);
      const f = new Uint8Array(cap);
      f.set(this.flags);
      this.flags = f;
    }
    return this.size++;
  }

  release(slot: number): void {
    this.allocCpu[slot] = this.allocMemory[slot] = this.allocEphemeral[slot] = this.allowedPods[slot] = 0;
    this.reqCpu[slot] = this.reqMemory[slot] = this.reqEphemeral[slot] = this.nonZeroCpu[slot] = this.nonZeroMemory[slot] = this.pods[slot] = 0;
    this.flags[slot] = 0;
    this.free.push(slot);
  }
}

export class NodeInfo {
  node!: Obj;
  labels!: Record<string, string>;
  taints!: Obj[];
  unschedulable!: boolean;
  allocatable!: Res;
  allowedPods!: number;
  /** image name → size in bytes (node.status.images). */
  images!: Map<string, number>;
  readonly requested: Res = emptyRes();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** HostPortInfo: "protocol/port" → host IP → pods using it. */
  readonly usedPorts = new Map<string, Map<string, number>>();

  /** This node's row in the cache's NodeTable. */
  readonly slot: number;

  constructor(
    readonly name: string,
    node: Obj,
    private readonly table: NodeTable = new NodeTable(),
  ) {
    this.slot = table.alloc();
    this.setNode(node);
  }

  setNode(node: Obj): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    const a = resFromList(node.status?.allocatable);
    this.allocatable = a;
    this.allowedPods = a.pods;
    const t = this.table;
    const s = this.slot;
    t.allocCpu[s] = a.cpu;
    t.allocMemory[s] = a.memory;
    t.allocEphemeral[s] = a.ephemeral;
    t.allowedPods[s] = a.pods;
    t.flags[s] = (this.unschedulable ? NODE_UNSCHEDULABLE : 0) | (this.taints.length ? NODE_TAINTED : 0);
    this.images = new Map();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) this.images.set(n, Number(img.sizeBytes) || 0);
  }

  addPod(pi: PodInfo): void {
    this.pods.set(pi.key, pi);
    const r = this.requested;
    r.cpu += pi.req.cpu;
    r.memory += pi.req.memory;
    r.ephemeral += pi.req.ephemeral;
    if (pi.req.scalar) for (const [k, v] of pi.req.scalar) (r.scalar ??= new Map()).set(k, (r.scalar.get(k) ?? 0) + v);
    this.nonZeroCpu += pi.nonZeroCpu;
    this.nonZeroMemory += pi.nonZeroMemory;
    this.syncTable();
    for (const hp of pi.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      let m = this.usedPorts.get(k);
      if (!m) this.usedPorts.set(k, (m = new Map()));
      m.set(hp.ip, (m.get(hp.ip) ?? 0) + 1);
    }
  }

  private syncTable(): void {
    const t = this.table;
    const s = this.slot;
    const r = this.requested;
    t.reqCpu[s] = r.cpu;
    t.reqMemory[s] = r.memory;
    t.reqEphemeral[s] = r.ephemeral;
    t.nonZeroCpu[s] = this.nonZeroCpu;
    t.nonZeroMemory[s] = this.nonZeroMemory;
    t.pods[s] = this.pods.size;
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with any IP, another IP with itself and 0.0.0.0. */
  portConflict(hp: HostPort): boolean {
    const m = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!m) return false;
    if (hp.ip === '0.0.0.0') return m.size > 0;
    return m.has('0.0.0.0') || m.has(hp.ip);
  }

  removePod(pi: PodInfo): void {
    if (!this.pods.delete(pi.key)) return;
    const r = this.requested;
    r.cpu -= pi.req.cpu;
    r.memory -= pi.req.memory;
    r.ephemeral -= pi.req.ephemeral;
    if (pi.req.scalar && r.scalar) for (const [k, v] of pi.req.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) - v);
    this.nonZeroCpu -= pi.nonZeroCpu;
    this.nonZeroMemory -= pi.nonZeroMemory;
    this.syncTable();
    for (const hp of pi.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const m = this.usedPorts.get(k);
      if (!m) continue;
      const n = (m.get(hp.ip) ?? 0) - 1;
      if (n > 0) m.set(hp.ip, n);
      else m.delete(hp.ip);
      if (!m.size) this.usedPorts.delete(k);
    }
  }
}

/** Pods matching a conjunction of (namespaces, selector) parts, counted per node and per topology domain. */
export class PodCounter {
  readonly perNode = new Map<string, number>();
  /** The same counts by node slot (NodeInfo.slot). */
  perSlot = new Int32Array(0);
  /** topologyKey → value → matching pods on nodes with that value (built on demand, then kept). */
  private readonly domains = new Map<string, Map<string, number>>();

  constructor(
    readonly key: string,
    private readonly parts: { namespaces: Set<string> | null; selector: Requirement[] }[],
    private readonly skipTerminating: boolean,
    private readonly cache: Cache,
  ) {}

  matches(pi: PodInfo): boolean {
    if (this.skipTerminating && pi.terminating) return false;
    for (const p of this.parts) {
      if (p.namespaces && !p.namespaces.has(pi.namespace)) return false;
      if (!matchesLabels(p.selector, pi.labels)) return false;
    }
    return true;
  }

  change(node: string, delta: number): void {
    const n = (this.perNode.get(node) ?? 0) + delta;
    if (n === 0) this.perNode.delete(node);
    else this.perNode.set(node, n);
    const ni = this.cache.nodes.get(node);
    if (ni) this.perSlot = addAt(this.perSlot, ni.slot, delta);
    if (this.domains.size) {
      const labels = ni?.labels;
      if (!labels) return;
      for (const [key, m] of this.domains) {
        const v = labels[key];
        if (v === undefined) continue;
        const c = (m.get(v) ?? 0) + delta;
        if (c === 0) m.delete(v);
        else m.set(v, c);
      }
    }
  }

  /** Matching pods per value of topologyKey, over every node (values with no pods are absent). */
  byDomain(key: string): Map<string, number> {
    let m = this.domains.get(key);
    if (!m) {
      m = new Map();
      for (const [node, n] of this.perNode) {
        const v = this.cache.nodes.get(node)?.labels[key];
        if (v !== undefined) m.set(v, (m.get(v) ?? 0) + n);
      }
      this.domains.set(key, m);
    }
    return m;
  }

  forgetDomains(): void {
    this.domains.clear();
  }
}

/** a[i] += delta, growing the array (doubling) when i is past its end. */
export function addAt(a: Int32Array<ArrayBuffer>, i: number, delta: number): Int32Array<ArrayBuffer> {
  if (i >= a.length) {
    const b = new Int32Array(Math.max(64, (i + 1) * 2));
    b.set(a);
    a = b;
  }
  a[i] += delta;
  return a;
}

export type TermKind = 'requiredAnti' | 'requiredAffinity' | 'preferredAffinity' | 'preferredAnti';

/** Equal affinity terms of existing pods, with their pods counted per topology value of their nodes. */
export interface TermGroup {
  kind: TermKind;
  term: AffinityTerm;
  /** topology value → number of pods carrying the term on nodes with that value. */
  counts: Map<string, number>;
  /** Pods carrying the term by node slot. */
  perSlot: Int32Array<ArrayBuffer>;
  members: number;
}

/** The values of one topology key over the nodes: a small integer per value, per node slot. */
export interface Topology {
  /** By node slot: the index of the node's value in `values`, -1 when the node lacks the label. */
  ids: Int32Array;
  values: string[];
  /** By value index: the slots of the nodes with that value. */
  slots: number[][];
  /** value → its index. */
  index: Map<string, number>;
  /** Every value is one node's (hostname): a domain's count is its node's. */
  unique: boolean;
}

export class Cache {
  readonly nodes = new Map<string, NodeInfo>();
  /** Nodes in the order they joined: the order the scheduler walks them (the snapshot's node list). */
  nodeList: NodeInfo[] = [];
  /** The nodes' numbers, by NodeInfo.slot. */
  table = new NodeTable();
  /** The slot of each node of nodeList, in the same order. */
  nodeSlots = new Int32Array(0);
  readonly pods = new Map<string, PodInfo & { nodeName?: string }>();
  private readonly podNode = new Map<string, string>();
  /** Pods bound to a node the cache does not know (yet): counted when it joins. */
  private readonly orphans = new Map<string, Set<string>>();
  private readonly counters = new Map<string, PodCounter>();
  /** The counters with an equality requirement (key In/= values) in their first part, by key and
   * value: a pod is tested only against those its labels can satisfy, and the others. */
  private readonly countersByLabel = new Map<string, Map<string, PodCounter[]>>();
  private readonly unindexedCounters: PodCounter[] = [];
  private readonly groups = new Map<string, TermGroup>();
  /** Pods on nodes that carry affinity terms (for rebuilding the groups when node labels change). */
  private readonly affinityPods = new Set<string>();
  private groupsDirty = false;
  private groupIndex: { byLabel: Map<string, Map<string, TermGroup[]>>; other: TermGroup[] } | undefined;
  /** image name → number of nodes that have it (ImageStateSummary.NumNodes). */
  readonly imageNodes = new Map<string, number>();
  /** topologyKey → value → number of nodes (built on demand). */
  private readonly nodeDomains = new Map<string, Map<string, number>>();
  /** topologyKey → its Topology (built on demand, dropped when nodes or their labels change). */
  private readonly topologies = new Map<string, Topology>();
  /** Bumped on every change of the node set or of node labels. */
  nodeGeneration = 0;
  /** Claim (namespace/name) → pods in the cache using it (StorageInfos' PVC ref counts). */
  readonly claimUsers = new Map<string, number>();

  // ---- nodes ----

  setNode(node: Obj): { added: boolean; labelsChanged: boolean } {
    const name = node.metadata.name;
    let ni = this.nodes.get(name);
    const added = !ni;
    let labelsChanged = added;
    if (ni) {
      this.forgetImages(ni);
      labelsChanged = !sameLabels(ni.labels, node.metadata.labels ?? {});
      ni.setNode(node);
    } else {
      ni = new NodeInfo(name, node, this.table);
      this.nodes.set(name, ni);
      this.nodeList.push(ni);
      this.indexSlots();
      const waiting = this.orphans.get(name);
      if (waiting) {
        this.orphans.delete(name);
        for (const k of waiting) {
          const pi = this.pods.get(k);
          if (!pi) continue;
          ni.addPod(pi);
          for (const c of this.countersFor(pi)) if (c.matches(pi)) c.change(name, 1);
        }
      }
    }
    for (const img of ni.images.keys()) this.imageNodes.set(img, (this.imageNodes.get(img) ?? 0) + 1);
    if (labelsChanged) this.nodeLabelsChanged();
    return { added, labelsChanged };
  }

  deleteNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.forgetImages(ni);
    // Pods of a deleted node stay known until their own delete arrives; they count nowhere.
    for (const pi of ni.pods.values()) for (const c of this.countersFor(pi)) if (c.matches(pi)) c.change(name, -1);
    this.nodes.delete(name);
    this.nodeList = this.nodeList.filter((n) => n !== ni);
    this.table.release(ni.slot);
    this.indexSlots(true);
    if (ni.pods.size) this.orphans.set(name, new Set(ni.pods.keys()));
    this.nodeLabelsChanged();
  }

  /** nodeSlots follows nodeList: an append writes the last slot, a delete (all) rewrites them. */
  private indexSlots(all = false): void {
    const n = this.nodeList.length;
    if (this.nodeSlots.length < n) {
      const grown = new Int32Array(Math.max(64, n * 2));
      grown.set(this.nodeSlots.subarray(0, Math.min(this.nodeSlots.length, n)));
      this.nodeSlots = grown;
    }
    for (let i = all ? 0 : n - 1; i < n; i++) this.nodeSlots[i] = this.nodeList[i].slot;
  }

  private forgetImages(ni: NodeInfo): void {
    for (const img of ni.images.keys()) {
      const n = (this.imageNodes.get(img) ?? 1) - 1;
      if (n <= 0) this.imageNodes.delete(img);
      else this.imageNodes.set(img, n);
    }
  }

  private nodeLabelsChanged(): void {
    this.nodeGeneration++;
    this.nodeDomains.clear();
    this.topologies.clear();
    for (const c of this.counters.values()) c.forgetDomains();
    this.groupsDirty = true;
  }

  /** The values of a topology key by node slot. */
  topology(key: string): Topology {
    let t = this.topologies.get(key);
    if (!t) {
      const ids = new Int32Array(this.table.pods.length).fill(-1);
      const values: string[] = [];
      const slots: number[][] = [];
      const index = new Map<string, number>();
      for (const ni of this.nodeList) {
        const v = ni.labels[key];
        if (v === undefined) continue;
        let id = index.get(v);
        if (id === undefined) {
          id = values.push(v) - 1;
          index.set(v, id);
          slots.push([]);
        }
        ids[ni.slot] = id;
        slots[id].push(ni.slot);
      }
      t = { ids, values, slots, index, unique: slots.every((l) => l.length === 1) };
      this.topologies.set(key, t);
    }
    return t;
  }

  /** value → number of nodes with it, for a topology key. */
  domainsOf(key: string): Map<string, number> {
    let m = this.nodeDomains.get(key);
    if (!m) {
      m = new Map();
      for (const ni of this.nodeList) {
        const v = ni.labels[key];
        if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
      }
      this.nodeDomains.set(key, m);
    }
    return m;
  }

  // ---- pods ----

  nodeOf(key: string): string | undefined {
    return this.podNode.get(key);
  }

  podInfo(key: string): PodInfo | undefined {
    return this.pods.get(key);
  }

  /** Adds (or replaces) a pod on a node: an assumed pod, or one the informer reports bound. */
  addPod(pi: PodInfo, nodeName: string): void {
    if (this.podNode.has(pi.key)) this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    this.podNode.set(pi.key, nodeName);
    for (const c of pi.claims) this.claimUsers.set(c, (this.claimUsers.get(c) ?? 0) + 1);
    const ni = this.nodes.get(nodeName);
    if (ni) {
      ni.addPod(pi);
      for (const c of this.countersFor(pi)) if (c.matches(pi)) c.change(nodeName, 1);
    } else {
      let s = this.orphans.get(nodeName);
      if (!s) this.orphans.set(nodeName, (s = new Set()));
      s.add(pi.key);
    }
    if (pi.hasAffinityTerms) {
      this.affinityPods.add(pi.key);
      if (ni && !this.groupsDirty) this.groupPod(pi, ni, 1);
    }
  }

  removePod(key: string): PodInfo | undefined {
    const pi = this.pods.get(key);
    const nodeName = this.podNode.get(key);
    if (!pi || nodeName === undefined) return undefined;
    this.pods.delete(key);
    this.podNode.delete(key);
    for (const c of pi.claims) {
      const n = (this.claimUsers.get(c) ?? 0) - 1;
      if (n > 0) this.claimUsers.set(c, n);
      else this.claimUsers.delete(c);
    }
    const ni = this.nodes.get(nodeName);
    if (ni) {
      ni.removePod(pi);
      for (const c of this.countersFor(pi)) if (c.matches(pi)) c.change(nodeName, -1);
    } else {
      const s = this.orphans.get(nodeName);
      s?.delete(key);
      if (s && !s.size) this.orphans.delete(nodeName);
    }
    if (this.affinityPods.delete(key) && ni && !this.groupsDirty) this.groupPod(pi, ni, -1);
    return pi;
  }

  // ---- counters ----

  /**
   * The counter of pods matching every part (a part: namespaces, null for all, and a selector).
   * Made on first use by walking the pods once; kept up to date from then on.
   */
  counter(parts: { namespaces: Set<string> | null; selector: Requirement[] }[], skipTerminating: boolean): PodCounter {
    const key = JSON.stringify([skipTerminating, parts.map((p) => [p.namespaces ? [...p.namespaces].sort() : null, p.selector])]);
    let c = this.counters.get(key);
    if (!c) {
      c = new PodCounter(key, parts, skipTerminating, this);
      for (const [k, pi] of this.pods) {
        const node = this.podNode.get(k)!;
        if (this.nodes.has(node) && c.matches(pi)) c.change(node, 1);
      }
      this.counters.set(key, c);
      this.indexCounter(c, parts);
    }
    return c;
  }

  private indexCounter(c: PodCounter, parts: { selector: Requirement[] }[]): void {
    const r = parts[0]?.selector.find((q) => q.operator === 'In' || q.operator === 'Equals' || q.operator === 'DoubleEquals');
    if (!r) {
      this.unindexedCounters.push(c);
      return;
    }
    let byValue = this.countersByLabel.get(r.key);
    if (!byValue) this.countersByLabel.set(r.key, (byValue = new Map()));
    for (const v of new Set(r.values)) {
      const list = byValue.get(v);
      if (list) list.push(c);
      else byValue.set(v, [c]);
    }
  }

  /** The counters a pod may match (each still to be tested with matches). */
  private *countersFor(pi: PodInfo): Iterable<PodCounter> {
    yield* this.unindexedCounters;
    for (const [key, byValue] of this.countersByLabel) {
      const v = pi.labels[key];
      if (v === undefined) continue;
      const list = byValue.get(v);
      if (list) yield* list;
    }
  }

  // ---- existing pods' affinity terms ----

  private groupPod(pi: PodInfo, ni: NodeInfo, delta: number): void {
    const add = (kind: TermKind, terms: AffinityTerm[]) => {
      for (const t of terms) {
        const id = `${kind}\u0000${t.weight}\u0000${t.id}`;
        let g = this.groups.get(id);
        if (!g) {
          if (delta < 0) continue;
          g = { kind, term: t, counts: new Map(), perSlot: new Int32Array(0), members: 0 };
          this.groups.set(id, g);
          this.groupIndex = undefined;
        }
        g.members += delta;
        g.perSlot = addAt(g.perSlot, ni.slot, delta);
        const v = ni.labels[t.topologyKey];
        if (v !== undefined) {
          const n = (g.counts.get(v) ?? 0) + delta;
          if (n === 0) g.counts.delete(v);
          else g.counts.set(v, n);
        }
        if (g.members <= 0) {
          this.groups.delete(id);
          this.groupIndex = undefined;
        }
      }
    };
    add('requiredAnti', pi.requiredAnti);
    add('requiredAffinity', pi.requiredAffinity);
    add('preferredAffinity', pi.preferredAffinity);
    add('preferredAnti', pi.preferredAnti);
  }

  /**
   * The groups whose term may match a pod with these labels: those whose selector has an
   * equality requirement the labels satisfy, and those without one (each still to be tested
   * with termMatches). The index is rebuilt when groups come or go.
   */
  *termGroupsFor(labels: Record<string, string>): Iterable<TermGroup> {
    this.termGroups();
    let idx = this.groupIndex;
    if (!idx) {
      idx = { byLabel: new Map(), other: [] };
      for (const g of this.groups.values()) {
        const r = g.term.selector?.find((q) => q.operator === 'In' || q.operator === 'Equals' || q.operator === 'DoubleEquals');
        if (!r) {
          // A null selector matches nothing; no requirement at all matches everything.
          if (g.term.selector) idx.other.push(g);
          continue;
        }
        let byValue = idx.byLabel.get(r.key);
        if (!byValue) idx.byLabel.set(r.key, (byValue = new Map()));
        for (const v of new Set(r.values)) {
          const list = byValue.get(v);
          if (list) list.push(g);
          else byValue.set(v, [g]);
        }
      }
      this.groupIndex = idx;
    }
    yield* idx.other;
    for (const [key, byValue] of idx.byLabel) {
      if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
      const list = byValue.get(labels[key]);
      if (list) yield* list;
    }
  }

  /** The groups of existing pods' terms (rebuilt after node labels changed). */
  termGroups(): Iterable<TermGroup> {
    if (this.groupsDirty) {
      this.groupIndex = undefined;
      this.groups.clear();
      this.groupsDirty = false;
      for (const k of this.affinityPods) {
        const ni = this.nodes.get(this.podNode.get(k)!);
        if (ni) this.groupPod(this.pods.get(k)!, ni, 1);
      }
    }
    return this.groups.values();
  }

  get hasTermGroups(): boolean {
    return this.affinityPods.size > 0;
  }

  clear(): void {
    this.nodes.clear();
    this.nodeList = [];
    this.table = new NodeTable();
    this.pods.clear();
    this.podNode.clear();
    this.claimUsers.clear();
    this.orphans.clear();
    this.counters.clear();
    this.countersByLabel.clear();
    this.unindexedCounters.length = 0;
    this.groups.clear();
    this.groupIndex = undefined;
    this.affinityPods.clear();
    this.imageNodes.clear();
    this.nodeDomains.clear();
    this.topologies.clear();
    this.groupsDirty = false;
    this.nodeGeneration++;
  }
}

/** Equal label maps (whatever the key order). */
export function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}
