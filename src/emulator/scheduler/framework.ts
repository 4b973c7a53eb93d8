// One scheduling cycle's algorithm (pkg/scheduler/schedule_one.go) with the default plugins of
// kube-scheduler 1.32 (pkg/scheduler/apis/config/v1/default_plugins.go), in their order:
//
//   PreEnqueue: SchedulingGates (queue.ts keeps gated pods apart)
//   Filter: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit,
//           VolumeRestrictions, VolumeBinding, VolumeZone (volumes.ts), PodTopologySpread,
//           InterPodAffinity
//   Score (weight): TaintToleration (3), NodeAffinity (2), NodeResourcesFit LeastAllocated (1),
//           PodTopologySpread (2), InterPodAffinity (2), NodeResourcesBalancedAllocation (1),
//           ImageLocality (1)
//
// Filters stop at the first plugin that rejects a node (RunFilterPlugins); the search stops after
// numFeasibleNodesToFind feasible nodes, starting where the previous pod stopped
// (nextStartNodeIndex); scores are normalized per plugin, weighted and summed, and ties are broken
// at random among the best (selectHost's reservoir sampling). A PreFilter that rejects the pod
// (VolumeBinding's unbound immediate claims...) gives every node its status, and its message
// replaces the reasons histogram in the FitError.

import type { Obj } from '../api/objects.ts';
import { matchesLabels, type Requirement } from '../api/selectors.ts';
import { labelSelectorFromObject } from '../api/selectors.ts';
import { NODE_TAINTED, termMatches, type AffinityTerm, type Cache, type HostPort, type NodeInfo, type PodCounter, type PodInfo, type TermGroup } from './cache.ts';
import type { VolumeState } from './volumes.ts';
import { podRequests } from './resources.ts';

export const MAX_NODE_SCORE = 100;
const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';

export const enum Code {
  Unschedulable = 1,
  UnschedulableAndUnresolvable = 2,
}

export interface Status {
  code: Code;
  reasons: string[];
  plugin: string;
}

function status(plugin: string, code: Code, ...reasons: string[]): Status {
  return { code, reasons, plugin };
}

const ERR_UNSCHEDULABLE = status('NodeUnschedulable', Code.UnschedulableAndUnresolvable, 'node(s) were unschedulable');
const ERR_NODE_NAME = status('NodeName', Code.UnschedulableAndUnresolvable, "node(s) didn't match the requested node name");
const ERR_NODE_PORTS = status('NodePorts', Code.Unschedulable, "node(s) didn't have free ports for the requested pod ports");
const ERR_NODE_AFFINITY = status('NodeAffinity', Code.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector");
const ERR_SPREAD = status('PodTopologySpread', Code.Unschedulable, "node(s) didn't match pod topology spread constraints");
const ERR_SPREAD_LABEL = status('PodTopologySpread', Code.UnschedulableAndUnresolvable, "node(s) didn't match pod topology spread constraints (missing required label)");
const ERR_AFFINITY = status('InterPodAffinity', Code.UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules");
const ERR_ANTI_AFFINITY = status('InterPodAffinity', Code.Unschedulable, "node(s) didn't match pod anti-affinity rules");
const ERR_EXISTING_ANTI = status('InterPodAffinity', Code.Unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules");

// ---- tolerations and node selectors ----

/** Toleration.ToleratesTaint (k8s.io/api/core/v1/toleration.go). */
export function toleratesTaint(t: Obj, taint: Obj): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerated(tolerations: Obj[] | undefined, taint: Obj): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc (NoSchedule, NoExecute). */
export function untoleratedTaint(taints: Obj[], tolerations: Obj[] | undefined): Obj | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerated(tolerations, taint)) return taint;
  }
  return undefined;
}

function parseInt64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  return BigInt(s);
}

/** A NodeSelectorRequirement on labels or fields (component-helpers/scheduling/corev1/nodeaffinity). */
function requirementMatches(e: Obj, value: string | undefined): boolean {
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
    case 'Lt': {
      const a = parseInt64(value);
      const b = parseInt64(vals[0]);
      if (a === undefined || b === undefined || vals.length !== 1) return false;
      return e.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** NodeSelectorTerm: matchExpressions on labels and matchFields (metadata.name) all hold; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: Obj | undefined, ni: NodeInfo): boolean {
  if (!term) return false;
  const exprs: Obj[] = term.matchExpressions ?? [];
  const fields: Obj[] = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  for (const e of exprs) if (!requirementMatches(e, ni.labels[e.key])) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, ni.name)) return false;
  }
  return true;
}

/** GetRequiredNodeAffinity(pod).Match(node): nodeSelector and the required node affinity terms (ORed). */
export function requiredNodeAffinityMatches(pod: Obj, ni: NodeInfo): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) for (const k of Object.keys(sel)) if (ni.labels[k] !== sel[k]) return false;
  const terms: Obj[] | undefined = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms) {
    for (const t of terms) if (nodeSelectorTermMatches(t, ni)) return true;
    return false;
  }
  return true;
}

function hasRequiredNodeAffinity(pod: Obj): boolean {
  return !!pod.spec?.nodeSelector || !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
}

// ---- the cycle ----

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Requirement[];
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
  counter: PodCounter;
  /** The incoming pod matches its own constraint's selector. */
  selfMatch: number;
}

interface SpreadFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: value → matching pods, over eligible nodes (all eligible values present). */
  counts: (Map<string, number> | undefined)[];
  /** Per constraint: the fast path's counts (only values with pods) and domain number. */
  fast: ({ byDomain: Map<string, number>; domains: number } | undefined)[];
  min: number[];
  /** Per constraint with few values: the node's value (by slot) and whether each value's skew is too big. */
  verdicts: ({ ids: Int32Array; bad: Uint8Array } | undefined)[];
}

/** Up to this many values per key, a spread constraint's verdict is computed once per value. */
const MAX_VERDICT_VALUES = 512;

/**
 * One anti-affinity term's check by node slot: on a key whose every value is one node's
 * (hostname), the pods per slot; on a key with few values, whether each value has pods.
 */
interface AntiCheck {
  status: Status;
  /** By slot: the index of the node's value, -1 without the label. */
  ids: Int32Array;
  /** Pods per slot (unique values), or else whether each value has pods. */
  perSlot: Int32Array | undefined;
  has: Uint8Array | undefined;
}

interface AffinityFilterState {
  /** Per required affinity term: value → matching pods (pods matching all terms). */
  affinity: Map<string, number>[];
  affinityEmpty: boolean;
  podMatchesOwnTerms: boolean;
  /** Per required anti-affinity term. */
  anti: Map<string, number>[];
  /** Without required affinity terms: the anti-affinity checks in the filter's order (the pod's
   * own terms, then existing pods'), each read by node slot; undefined: the general path. */
  checks: AntiCheck[] | undefined;
  /** The topology keys of existing pods' required anti-affinity terms that reject the pod, and per
   * key the counts (per value) of those pods (arrays: walked for every node, no iterator allocated). */
  existingAntiKeys: string[];
  existingAnti: Map<string, number>[][];
}

export interface CycleState {
  pi: PodInfo;
  pod: Obj;
  tolerations: Obj[] | undefined;
  nodeName: string | undefined;
  affinityRequired: boolean;
  spread: SpreadFilterState | undefined;
  ipa: AffinityFilterState | undefined;
  /** NodePorts: the host ports the pod wants. */
  hostPorts: HostPort[];
  /** The volume plugins' PreFilter state (undefined: the pod has no claims). */
  volumes: VolumeState | undefined;
  /** A PreFilter plugin rejected the pod: every node gets this status. */
  preFilterStatus: Status | undefined;
  /** Nominated pods of equal or higher priority per node (RunFilterPluginsWithNominatedPods, resources only). */
  nominated: (node: string) => PodInfo[] | undefined;
  /** Whether any pod is nominated at all (false: no per-node lookup of nominated pods). */
  anyNominated: boolean;
  /** Only NodeUnschedulable, TaintToleration and NodeResourcesFit (cpu, memory, storage, pods) can
   * reject a node before the plugins after NodeResourcesFit: the search reads the node table. */
  simple: boolean;
  /** A plugin after NodeResourcesFit filters (volumes, PodTopologySpread, InterPodAffinity). */
  afterFit: boolean;
}

export interface FrameworkOptions {
  cache: Cache;
  random: () => number;
  /** helper.DefaultSelector: the selectors of the Services, RC, ReplicaSet, StatefulSet of the pod. */
  defaultSelector: (pod: Obj) => Requirement[];
  /** Labels of a namespace (for namespaceSelector). */
  namespaceLabels: (ns: string) => Record<string, string> | undefined;
  /** Namespaces whose labels match a selector. */
  namespacesMatching: (sel: Requirement[]) => string[];
  nominatedPods: (node: string) => Iterable<PodInfo>;
  /** Whether any pod is nominated at all (the common case is none: no per-node lookups then). */
  anyNominated: () => boolean;
  /** VolumeRestrictions, VolumeBinding and VolumeZone (volumes.ts VolumeBinder). */
  volumes?: {
    preFilter(pi: PodInfo, cache: Cache): VolumeState | Status | undefined;
    filter(s: VolumeState, ni: NodeInfo): Status | undefined;
  };
}

export type ScheduleResult =
  | { node: string; evaluated: number; feasible: number; state: CycleState }
  | { fit: FitDiagnosis }
  | { error: string };

export interface FitDiagnosis {
  numAllNodes: number;
  /** The message of a PreFilter plugin that rejected the pod. */
  preFilterMsg?: string;
  statuses: Map<string, Status>;
  plugins: Set<string>;
}

export class Framework {
  private nextStartNodeIndex = 0;
  /** Scratch buffers of the search and the scores, reused from pod to pod. */
  private feasibleSlots = new Int32Array(0);
  private scoreBuf = new Float64Array(0);
  private tmpBuf = new Float64Array(0);
  readonly cache: Cache;

  constructor(private readonly o: FrameworkOptions) {
    this.cache = o.cache;
  }

  // ---- PreFilter ----

  preFilter(pi: PodInfo): CycleState {
    const pod = pi.pod;
    const state: CycleState = {
      pi,
      pod,
      tolerations: pod.spec?.tolerations,
      nodeName: pod.spec?.nodeName || undefined,
      affinityRequired: hasRequiredNodeAffinity(pod),
      spread: undefined,
      ipa: undefined,
      hostPorts: pi.hostPorts,
      volumes: undefined,
      preFilterStatus: undefined,
      nominated: noNominated,
      anyNominated: false,
      simple: false,
      afterFit: false,
    };
    // PreFilter in the profile's order: the volume plugins come before PodTopologySpread.
    const v = this.o.volumes?.preFilter(pi, this.cache);
    if (v && 'code' in v) {
      state.preFilterStatus = v;
      return state;
    }
    state.volumes = v;
    state.spread = this.spreadPreFilter(state);
    state.ipa = this.affinityPreFilter(state);
    const priority = pi.priority;
    if (this.o.anyNominated()) {
      state.anyNominated = true;
      state.nominated = (node) => {
        let out: PodInfo[] | undefined;
        for (const n of this.o.nominatedPods(node)) if (n.key !== pi.key && n.priority >= priority) (out ??= []).push(n);
        return out;
      };
    }
    state.afterFit = !!(state.volumes || state.spread || state.ipa);
    state.simple = state.nodeName === undefined && !state.affinityRequired && !state.hostPorts.length && !state.anyNominated && !pi.req.scalar;
    return state;
  }

  /** The constraints of a pod for one whenUnsatisfiable action (filterTopologySpreadConstraints / buildDefaultConstraints). */
  spreadConstraints(pi: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): { constraints: SpreadConstraint[]; systemDefaulted: boolean } {
    const pod = pi.pod;
    const own: Obj[] | undefined = pod.spec?.topologySpreadConstraints;
    const out: SpreadConstraint[] = [];
    if (own && own.length) {
      for (const c of own) {
        if ((c.whenUnsatisfiable ?? 'DoNotSchedule') !== action) continue;
        let selector: Requirement[] | null;
        try {
          selector = labelSelectorFromObject(c.labelSelector);
        } catch {
          selector = null;
        }
        // A nil selector matches nothing: only the skew of other constraints matters.
        selector = selector ? [...selector] : [{ key: '\u0000nothing', operator: 'Exists', values: [] }];
        for (const k of c.matchLabelKeys ?? []) if (k in pi.labels) selector.push({ key: k, operator: 'In', values: [pi.labels[k]] });
        out.push(this.constraint(pi, c.topologyKey, Number(c.maxSkew) || 1, selector, c.minDomains ?? 1, (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', c.nodeTaintsPolicy === 'Honor'));
      }
      return { constraints: out, systemDefaulted: false };
    }
    // The 1.32 scheduler's system defaults (podtopologyspread/plugin.go systemDefaultConstraints).
    if (action !== 'ScheduleAnyway') return { constraints: out, systemDefaulted: true };
    const selector = this.o.defaultSelector(pod);
    if (!selector.length) return { constraints: out, systemDefaulted: true };
    out.push(this.constraint(pi, HOSTNAME, 3, selector, 1, true, false));
    out.push(this.constraint(pi, ZONE, 5, selector, 1, true, false));
    return { constraints: out, systemDefaulted: true };
  }

  private constraint(pi: PodInfo, key: string, maxSkew: number, selector: Requirement[], minDomains: number, honorAffinity: boolean, honorTaints: boolean): SpreadConstraint {
    const counter = this.cache.counter([{ namespaces: new Set([pi.namespace]), selector }], true);
    return { maxSkew, topologyKey: key, selector, minDomains, honorAffinity, honorTaints, counter, selfMatch: matchesLabels(selector, pi.labels) ? 1 : 0 };
  }

  /** Whether a node counts for a constraint (matchNodeInclusionPolicies). */
  private included(c: SpreadConstraint, state: CycleState, ni: NodeInfo): boolean {
    if (c.honorAffinity && state.affinityRequired && !requiredNodeAffinityMatches(state.pod, ni)) return false;
    if (c.honorTaints && untoleratedTaint(ni.taints, state.tolerations)) return false;
    return true;
  }

  /** True when every node would count for every constraint: per-domain counts can be read from the index. */
  private allNodesIncluded(constraints: SpreadConstraint[], state: CycleState): boolean {
    const n = this.cache.nodeList.length;
    for (const c of constraints) {
      if (c.honorAffinity && state.affinityRequired) return false;
      if (c.honorTaints) return false;
      let withKey = 0;
      for (const v of this.cache.domainsOf(c.topologyKey).values()) withKey += v;
      if (withKey !== n) return false;
    }
    return true;
  }

  private spreadPreFilter(state: CycleState): SpreadFilterState | undefined {
    const { constraints } = this.spreadConstraints(state.pi, 'DoNotSchedule');
    if (!constraints.length) return undefined;
    const s: SpreadFilterState = { constraints, counts: [], fast: [], min: [], verdicts: [] };
    if (this.allNodesIncluded(constraints, state)) {
      for (const c of constraints) {
        const byDomain = c.counter.byDomain(c.topologyKey);
        const domains = this.cache.domainsOf(c.topologyKey).size;
        s.fast.push({ byDomain, domains });
        s.counts.push(undefined);
        let min = 0;
        if (byDomain.size >= domains) {
          min = Infinity;
          for (const v of byDomain.values()) if (v < min) min = v;
        }
        s.min.push(domains < c.minDomains ? 0 : min === Infinity ? 0 : min);
      }
      return this.spreadVerdicts(s);
    }
    const counts = constraints.map(() => new Map<string, number>());
    for (const ni of this.cache.nodeList) {
      let hasAll = true;
      for (const c of constraints) if (ni.labels[c.topologyKey] === undefined) hasAll = false;
      if (!hasAll) continue;
      constraints.forEach((c, i) => {
        if (!this.included(c, state, ni)) return;
        const v = ni.labels[c.topologyKey];
        counts[i].set(v, (counts[i].get(v) ?? 0) + (c.counter.perNode.get(ni.name) ?? 0));
      });
    }
    constraints.forEach((c, i) => {
      let min = Infinity;
      for (const v of counts[i].values()) if (v < min) min = v;
      s.counts.push(counts[i]);
      s.fast.push(undefined);
      s.min.push(counts[i].size < c.minDomains || min === Infinity ? 0 : min);
    });
    return this.spreadVerdicts(s);
  }

  /** The filter's answer per value of each constraint's key, when the key has few values. */
  private spreadVerdicts(s: SpreadFilterState): SpreadFilterState {
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const topo = this.cache.topology(c.topologyKey);
      if (topo.values.length > MAX_VERDICT_VALUES) {
        s.verdicts.push(undefined);
        continue;
      }
      const bad = new Uint8Array(topo.values.length);
      const f = s.fast[i];
      for (let j = 0; j < topo.values.length; j++) {
        const v = topo.values[j];
        const matchNum = f ? (f.byDomain.get(v) ?? 0) : (s.counts[i]!.get(v) ?? 0);
        if (matchNum + c.selfMatch - s.min[i] > c.maxSkew) bad[j] = 1;
      }
      s.verdicts.push({ ids: topo.ids, bad });
    }
    return s;
  }

  /** The namespaces an incoming pod's term looks in (mergeAffinityTermNamespacesIfNotEmpty); null for all. */
  private termNamespaces(t: AffinityTerm): Set<string> | null {
    if (t.nsSelector && t.nsSelector.length === 0) return null;
    if (!t.nsSelector) return t.namespaces;
    const out = new Set(t.namespaces);
    for (const ns of this.o.namespacesMatching(t.nsSelector)) out.add(ns);
    return out;
  }

  private termCounter(terms: AffinityTerm[]): PodCounter {
    return this.cache.counter(
      terms.map((t) => ({ namespaces: this.termNamespaces(t), selector: t.selector ?? [{ key: '\u0000nothing', operator: 'Exists' as const, values: [] }] })),
      false,
    );
  }

  private affinityPreFilter(state: CycleState): AffinityFilterState | undefined {
    const pi = state.pi;
    if (!pi.requiredAffinity.length && !pi.requiredAnti.length && !this.cache.hasTermGroups) return undefined;
    const nsLabels = this.o.namespaceLabels(pi.namespace);
    const existingAntiKeys: string[] = [];
    const existingAnti: Map<string, number>[][] = [];
    const antiGroups: TermGroup[] = [];
    for (const g of this.cache.termGroupsFor(pi.labels)) {
      if (g.kind !== 'requiredAnti' || !g.counts.size) continue;
      if (!termMatches(g.term, pi.namespace, pi.labels, nsLabels)) continue;
      let at = existingAntiKeys.indexOf(g.term.topologyKey);
      if (at < 0) {
        at = existingAntiKeys.push(g.term.topologyKey) - 1;
        existingAnti.push([]);
      }
      // The group's counts hold only values with pods; they stay as they are during this cycle.
      existingAnti[at].push(g.counts);
      antiGroups.push(g);
    }
    const affinity: Map<string, number>[] = [];
    let affinityEmpty = true;
    if (pi.requiredAffinity.length) {
      const c = this.termCounter(pi.requiredAffinity);
      for (const t of pi.requiredAffinity) {
        const m = c.byDomain(t.topologyKey);
        if (m.size) affinityEmpty = false;
        affinity.push(m);
      }
    }
    const anti = pi.requiredAnti.map((t) => this.termCounter([t]).byDomain(t.topologyKey));
    const podMatchesOwnTerms = pi.requiredAffinity.every((t) => termMatches(t, pi.namespace, pi.labels, nsLabels));
    if (!pi.requiredAffinity.length && !pi.requiredAnti.length && !existingAntiKeys.length) return undefined;
    let checks: AntiCheck[] | undefined;
    if (!pi.requiredAffinity.length) {
      checks = [];
      const check = (key: string, perSlot: Int32Array | undefined, counts: Map<string, number>, st: Status): boolean => {
        const topo = this.cache.topology(key);
        if (topo.unique && perSlot) {
          checks!.push({ status: st, ids: topo.ids, perSlot, has: undefined });
          return true;
        }
        if (topo.values.length > MAX_VERDICT_VALUES) return false;
        const has = new Uint8Array(topo.values.length);
        for (let j = 0; j < topo.values.length; j++) if ((counts.get(topo.values[j]) ?? 0) > 0) has[j] = 1;
        checks!.push({ status: st, ids: topo.ids, perSlot: undefined, has });
        return true;
      };
      for (let i = 0; i < pi.requiredAnti.length && checks; i++) {
        const t = pi.requiredAnti[i];
        if (!check(t.topologyKey, this.termCounter([t]).perSlot, anti[i], ERR_ANTI_AFFINITY)) checks = undefined;
      }
      for (const g of antiGroups) {
        if (!checks) break;
        if (!check(g.term.topologyKey, g.perSlot, g.counts, ERR_EXISTING_ANTI)) checks = undefined;
      }
    }
    return { affinity, affinityEmpty, podMatchesOwnTerms, anti, existingAntiKeys, existingAnti, checks };
  }

  // ---- Filter ----

  /** RunFilterPlugins: the first rejecting plugin's status, or undefined when the node fits. */
  filter(state: CycleState, ni: NodeInfo): Status | undefined {
    if (state.preFilterStatus) return state.preFilterStatus;
    const pod = state.pod;
    // NodeUnschedulable
    if (ni.unschedulable && !tolerated(state.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return ERR_UNSCHEDULABLE;
    // NodeName
    if (state.nodeName !== undefined && state.nodeName !== ni.name) return ERR_NODE_NAME;
    // TaintToleration
    if (ni.taints.length) {
      const t = untoleratedTaint(ni.taints, state.tolerations);
      if (t) return status('TaintToleration', Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`);
    }
    // NodeAffinity
    if (state.affinityRequired && !requiredNodeAffinityMatches(pod, ni)) return ERR_NODE_AFFINITY;
    // NodePorts
    if (state.hostPorts.length && ni.usedPorts.size) {
      for (const hp of state.hostPorts) if (ni.portConflict(hp)) return ERR_NODE_PORTS;
    }
    // NodeResourcesFit
    const fit = this.fits(state, ni);
    if (fit) return fit;
    return state.afterFit ? this.filterAfterFit(state, ni) : undefined;
  }

  /** The filters after NodeResourcesFit. */
  private filterAfterFit(state: CycleState, ni: NodeInfo, slot = ni.slot): Status | undefined {
    // VolumeRestrictions, VolumeBinding, VolumeZone
    if (state.volumes) {
      const st = this.o.volumes!.filter(state.volumes, ni);
      if (st) return st;
    }
    // PodTopologySpread
    if (state.spread) {
      const s = state.spread;
      for (let i = 0; i < s.constraints.length; i++) {
        const vd = s.verdicts[i];
        if (vd) {
          const id = vd.ids[slot];
          if (id < 0) return ERR_SPREAD_LABEL;
          if (vd.bad[id]) return ERR_SPREAD;
          continue;
        }
        const c = s.constraints[i];
        const v = ni.labels[c.topologyKey];
        if (v === undefined) return ERR_SPREAD_LABEL;
        const f = s.fast[i];
        const matchNum = f ? (f.byDomain.get(v) ?? 0) : (s.counts[i]!.get(v) ?? 0);
        if (matchNum + c.selfMatch - s.min[i] > c.maxSkew) return ERR_SPREAD;
      }
    }
    // InterPodAffinity
    if (state.ipa) {
      const a = state.ipa;
      if (a.checks) {
        for (let i = 0; i < a.checks.length; i++) {
          const c: AntiCheck = a.checks[i];
          const id = c.ids[slot];
          if (id < 0) continue;
          if (c.perSlot) {
            if (slot < c.perSlot.length && c.perSlot[slot] > 0) return c.status;
          } else if (c.has![id]) return c.status;
        }
        return undefined;
      }
      const pi = state.pi;
      if (pi.requiredAffinity.length) {
        let podsExist = true;
        for (let i = 0; i < pi.requiredAffinity.length; i++) {
          const v = ni.labels[pi.requiredAffinity[i].topologyKey];
          if (v === undefined) return ERR_AFFINITY;
          if (!((a.affinity[i].get(v) ?? 0) > 0)) podsExist = false;
        }
        // The first pod of a group with affinity to itself may go anywhere the topologies exist.
        if (!podsExist && !(a.affinityEmpty && a.podMatchesOwnTerms)) return ERR_AFFINITY;
      }
      for (let i = 0; i < pi.requiredAnti.length; i++) {
        const v = ni.labels[pi.requiredAnti[i].topologyKey];
        if (v !== undefined && (a.anti[i].get(v) ?? 0) > 0) return ERR_ANTI_AFFINITY;
      }
      for (let k = 0; k < a.existingAntiKeys.length; k++) {
        const v = ni.labels[a.existingAntiKeys[k]];
        if (v === undefined) continue;
        const list = a.existingAnti[k];
        for (let j = 0; j < list.length; j++) if (list[j].has(v)) return ERR_EXISTING_ANTI;
      }
    }
    return undefined;
  }

  /** NodeResourcesFit's fitsRequest. */
  fits(state: CycleState, ni: NodeInfo): Status | undefined {
    const req = state.pi.req;
    const r = ni.requested;
    const a = ni.allocatable;
    if (!state.anyNominated && !req.scalar) {
      // The common case, without allocating: no nominated pods, no extended resources asked.
      const tooMany = ni.pods.size + 1 > ni.allowedPods;
      const cpu = req.cpu > 0 && req.cpu > a.cpu - r.cpu;
      const memory = req.memory > 0 && req.memory > a.memory - r.memory;
      const ephemeral = req.ephemeral > 0 && req.ephemeral > a.ephemeral - r.ephemeral;
      if (!tooMany && !cpu && !memory && !ephemeral) return undefined;
      const reasons: string[] = [];
      if (tooMany) reasons.push('Too many pods');
      if (req.cpu === 0 && req.memory === 0 && req.ephemeral === 0) return { code: Code.Unschedulable, reasons, plugin: 'NodeResourcesFit' };
      if (cpu) reasons.push('Insufficient cpu');
      if (memory) reasons.push('Insufficient memory');
      if (ephemeral) reasons.push('Insufficient ephemeral-storage');
      return { code: Code.Unschedulable, reasons, plugin: 'NodeResourcesFit' };
    }
    let pods = ni.pods.size;
    let cpu = r.cpu;
    let memory = r.memory;
    let ephemeral = r.ephemeral;
    let scalar = r.scalar;
    const nominated = state.anyNominated ? state.nominated(ni.name) : undefined;
    if (nominated) {
      scalar = scalar ? new Map(scalar) : undefined;
      for (const n of nominated) {
        if (ni.pods.has(n.key)) continue;
        pods++;
        cpu += n.req.cpu;
        memory += n.req.memory;
        ephemeral += n.req.ephemeral;
        if (n.req.scalar) for (const [k, v] of n.req.scalar) (scalar ??= new Map()).set(k, (scalar.get(k) ?? 0) + v);
      }
    }
    let reasons: string[] | undefined;
    if (pods + 1 > ni.allowedPods) (reasons ??= []).push('Too many pods');
    if (req.cpu === 0 && req.memory === 0 && req.ephemeral === 0 && !req.scalar?.size) return reasons && status('NodeResourcesFit', Code.Unschedulable, ...reasons);
    if (req.cpu > 0 && req.cpu > a.cpu - cpu) (reasons ??= []).push('Insufficient cpu');
    if (req.memory > 0 && req.memory > a.memory - memory) (reasons ??= []).push('Insufficient memory');
    if (req.ephemeral > 0 && req.ephemeral > a.ephemeral - ephemeral) (reasons ??= []).push('Insufficient ephemeral-storage');
    if (req.scalar) {
      for (const [k, v] of req.scalar) {
        if (v === 0) continue;
        if (v > (a.scalar?.get(k) ?? 0) - (scalar?.get(k) ?? 0)) (reasons ??= []).push(`Insufficient ${k}`);
      }
    }
    return reasons && status('NodeResourcesFit', Code.Unschedulable, ...reasons);
  }

  // ---- the search ----

  /** numFeasibleNodesToFind with the adaptive percentage (percentageOfNodesToScore unset). */
  static numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < 100) return numAllNodes;
    let percentage = Math.trunc(50 - numAllNodes / 125);
    if (percentage < 5) percentage = 5;
    const n = Math.trunc((numAllNodes * percentage) / 100);
    return n < 100 ? 100 : n;
  }

  schedule(pi: PodInfo): ScheduleResult {
    const nodes = this.cache.nodeList;
    const numAll = nodes.length;
    if (numAll === 0) return { error: 'no nodes available to schedule pods' };
    const state = this.preFilter(pi);
    if (state.preFilterStatus) {
      const statuses = new Map<string, Status>();
      for (const ni of nodes) statuses.set(ni.name, state.preFilterStatus);
      return { fit: { numAllNodes: numAll, statuses, plugins: new Set([state.preFilterStatus.plugin]), preFilterMsg: state.preFilterStatus.reasons.join(', ') } };
    }
    // Failed nodes and their statuses, kept in arrays; the diagnosis is built only when nothing fits.
    const failedNodes: NodeInfo[] = [];
    const failedStatuses: Status[] = [];
    // A pod nominated by an earlier preemption tries its nominated node first (evaluateNominatedNode).
    const nominatedNode = pi.pod.status?.nominatedNodeName;
    if (nominatedNode) {
      const ni = this.cache.nodes.get(nominatedNode);
      if (ni && !this.filter(state, ni)) return { node: ni.name, evaluated: 1, feasible: 1, state };
    }
    const numToFind = Framework.numFeasibleNodesToFind(numAll);
    const feasible: NodeInfo[] = [];
    if (this.feasibleSlots.length < numToFind) this.feasibleSlots = new Int32Array(numToFind);
    const feasibleSlots = this.feasibleSlots;
    const start = this.nextStartNodeIndex % numAll;
    let processed = 0;
    let at = start;
    // The node table's columns, for the common checks without touching the NodeInfo objects.
    const t = this.cache.table;
    const slots = this.cache.nodeSlots;
    const { flags, pods, allowedPods, allocCpu, reqCpu, allocMemory, reqMemory, allocEphemeral, reqEphemeral } = t;
    const simple = state.simple;
    const afterFit = state.afterFit;
    const rc = pi.req.cpu;
    const rm = pi.req.memory;
    const re = pi.req.ephemeral;
    for (let i = 0; i < numAll; i++) {
      const ni = nodes[at];
      const slot = slots[at];
      if (++at === numAll) at = 0;
      processed++;
      let st: Status | undefined;
      if (!simple || flags[slot] !== 0) st = this.filter(state, ni);
      else if (pods[slot] + 1 > allowedPods[slot] || (rc > 0 && rc > allocCpu[slot] - reqCpu[slot]) || (rm > 0 && rm > allocMemory[slot] - reqMemory[slot]) || (re > 0 && re > allocEphemeral[slot] - reqEphemeral[slot])) st = this.fits(state, ni);
      else if (afterFit) st = this.filterAfterFit(state, ni, slot);
      if (!st) {
        feasibleSlots[feasible.length] = slot;
        feasible.push(ni);
        if (feasible.length >= numToFind) break;
      } else {
        failedNodes.push(ni);
        failedStatuses.push(st);
      }
    }
    this.nextStartNodeIndex = (start + processed) % numAll;
    if (!feasible.length) {
      const statuses = new Map<string, Status>();
      const plugins = new Set<string>();
      for (let i = 0; i < failedNodes.length; i++) {
        statuses.set(failedNodes[i].name, failedStatuses[i]);
        plugins.add(failedStatuses[i].plugin);
      }
      return { fit: { numAllNodes: numAll, statuses, plugins } };
    }
    if (feasible.length === 1) return { node: feasible[0].name, evaluated: processed, feasible: 1, state };
    const scores = this.score(state, feasible, feasibleSlots);
    // selectHost: reservoir sampling among the highest totals.
    let best = 0;
    let count = 1;
    for (let i = 1; i < feasible.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
        count = 1;
      } else if (scores[i] === scores[best]) {
        count++;
        if (Math.floor(this.o.random() * count) === 0) best = i;
      }
    }
    return { node: feasible[best].name, evaluated: processed, feasible: feasible.length, state };
  }

  // ---- Score ----

  /** The weighted sum of the normalized plugin scores of each node (slots: their rows in the node table). */
  score(state: CycleState, nodes: NodeInfo[], slots?: Int32Array): Float64Array {
    const n = nodes.length;
    if (this.scoreBuf.length < n) {
      this.scoreBuf = new Float64Array(n);
      this.tmpBuf = new Float64Array(n);
    }
    // Views on the reused buffers: valid until the next call.
    const total = this.scoreBuf.subarray(0, n).fill(0);
    const tmp = this.tmpBuf.subarray(0, n).fill(0);
    const pi = state.pi;
    const pod = state.pod;

    // One pass for TaintToleration (3: untolerated PreferNoSchedule taints, fewer is better),
    // NodeResourcesFit LeastAllocated (1) and NodeResourcesBalancedAllocation (1), cpu and memory
    // weighted 1; the numbers come from the node table.
    const prefTolerations = (state.tolerations ?? []).filter((t: Obj) => !t.effect || t.effect === 'PreferNoSchedule');
    let maxTaint = 0;
    const req = pi.req;
    const podCpu = pi.nonZeroCpu;
    const podMem = pi.nonZeroMemory;
    const { flags, allocCpu, allocMemory, nonZeroCpu, nonZeroMemory, reqCpu, reqMemory } = this.cache.table;
    for (let i = 0; i < n; i++) {
      const slot = slots ? slots[i] : nodes[i].slot;
      if (flags[slot] & NODE_TAINTED) {
        let c = 0;
        for (const t of nodes[i].taints) if (t.effect === 'PreferNoSchedule' && !tolerated(prefTolerations, t)) c++;
        tmp[i] = c;
        if (c > maxTaint) maxTaint = c;
      }
      const ac = allocCpu[slot];
      const am = allocMemory[slot];
      let sum = 0;
      let w = 0;
      if (ac) {
        sum += leastRequested(nonZeroCpu[slot] + podCpu, ac);
        w++;
      }
      if (am) {
        sum += leastRequested(nonZeroMemory[slot] + podMem, am);
        w++;
      }
      let s = w ? Math.floor(sum / w) : 0;
      // Balanced: 1 - std of the requested fractions (the requests as they are, no defaults).
      let fc = -1;
      let fm = -1;
      if (ac) fc = Math.min(1, (reqCpu[slot] + req.cpu) / ac);
      if (am) fm = Math.min(1, (reqMemory[slot] + req.memory) / am);
      const std = fc >= 0 && fm >= 0 ? Math.abs((fc - fm) / 2) : 0;
      s += Math.trunc((1 - std) * MAX_NODE_SCORE);
      total[i] = s;
    }
    // DefaultNormalizeScore(reverse) of the taint counts.
    for (let i = 0; i < n; i++) total[i] += 3 * (maxTaint === 0 ? MAX_NODE_SCORE : MAX_NODE_SCORE - Math.trunc((MAX_NODE_SCORE * tmp[i]) / maxTaint));

    // NodeAffinity (2): the weights of the preferred terms a node matches.
    const preferred: Obj[] | undefined = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred?.length) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (const p of preferred) if (Number(p.weight) && nodeSelectorTermMatches(p.preference, nodes[i])) s += Number(p.weight);
        tmp[i] = s;
      }
      defaultNormalize(tmp, false, true);
      for (let i = 0; i < n; i++) total[i] += 2 * tmp[i];
    }

    // PodTopologySpread (2)
    this.spreadScore(state, nodes, tmp, total);

    // InterPodAffinity (2)
    this.affinityScore(state, nodes, tmp, total);

    // ImageLocality (1)
    const images: string[] = [];
    for (const c of pod.spec?.initContainers ?? []) images.push(normalizedImageName(String(c.image ?? '')));
    for (const c of pod.spec?.containers ?? []) images.push(normalizedImageName(String(c.image ?? '')));
    if (this.cache.imageNodes.size) {
      const totalNodes = this.cache.nodeList.length;
      const maxThreshold = MAX_CONTAINER_THRESHOLD * images.length;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (const img of images) {
          const size = nodes[i].images.get(img);
          if (size !== undefined) sum += Math.trunc(size * ((this.cache.imageNodes.get(img) ?? 0) / totalNodes));
        }
        if (sum < MIN_THRESHOLD) sum = MIN_THRESHOLD;
        else if (sum > maxThreshold) sum = maxThreshold;
        total[i] += Math.trunc((MAX_NODE_SCORE * (sum - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
      }
    }
    return total;
  }

  private spreadScore(state: CycleState, nodes: NodeInfo[], tmp: Float64Array, total: Float64Array): void {
    const { constraints, systemDefaulted } = this.spreadConstraints(state.pi, 'ScheduleAnyway');
    if (!constraints.length) return;
    const n = nodes.length;
    const requireAll = !systemDefaulted || !!state.pod.spec?.topologySpreadConstraints?.length;
    const ignored = new Array<boolean>(n).fill(false);
    const pairs = constraints.map(() => new Set<string>());
    let ignoredCount = 0;
    for (let i = 0; i < n; i++) {
      if (requireAll && constraints.some((c) => nodes[i].labels[c.topologyKey] === undefined)) {
        ignored[i] = true;
        ignoredCount++;
        continue;
      }
      constraints.forEach((c, j) => {
        if (c.topologyKey !== HOSTNAME) pairs[j].add(nodes[i].labels[c.topologyKey] ?? '');
      });
    }
    const weights = constraints.map((c, j) => Math.log((c.topologyKey === HOSTNAME ? n - ignoredCount : pairs[j].size) + 2));
    // Pods per topology pair, over all the nodes that count (TopologyPairToPodCounts).
    const fast = this.allNodesIncluded(constraints, state);
    const pairCounts = constraints.map((c, j) => {
      if (c.topologyKey === HOSTNAME) return undefined;
      if (fast) return c.counter.byDomain(c.topologyKey);
      const m = new Map<string, number>();
      for (const ni of this.cache.nodeList) {
        if (requireAll && constraints.some((k) => ni.labels[k.topologyKey] === undefined)) continue;
        if (!this.included(c, state, ni)) continue;
        const v = ni.labels[c.topologyKey] ?? '';
        if (!pairs[j].has(v)) continue;
        m.set(v, (m.get(v) ?? 0) + (c.counter.perNode.get(ni.name) ?? 0));
      }
      return m;
    });
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < n; i++) {
      if (ignored[i]) continue;
      let s = 0;
      constraints.forEach((c, j) => {
        const v = nodes[i].labels[c.topologyKey];
        if (v === undefined) return;
        const cnt = c.topologyKey === HOSTNAME ? (c.counter.perNode.get(nodes[i].name) ?? 0) : (pairCounts[j]!.get(v) ?? 0);
        s += cnt * weights[j] + (c.maxSkew - 1);
      });
      tmp[i] = Math.round(s);
      if (tmp[i] < min) min = tmp[i];
      if (tmp[i] > max) max = tmp[i];
    }
    for (let i = 0; i < n; i++) {
      let s: number;
      if (ignored[i]) s = 0;
      else if (max === 0) s = MAX_NODE_SCORE;
      else s = Math.trunc((MAX_NODE_SCORE * (max + min - tmp[i])) / max);
      total[i] += 2 * s;
    }
  }

  private affinityScore(state: CycleState, nodes: NodeInfo[], tmp: Float64Array, total: Float64Array): void {
    const pi = state.pi;
    if (!pi.preferredAffinity.length && !pi.preferredAnti.length && !this.cache.hasTermGroups) return;
    const topo = new Map<string, Map<string, number>>();
    const bump = (key: string, value: string, by: number) => {
      let m = topo.get(key);
      if (!m) topo.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + by);
    };
    for (const [terms, sign] of [
      [pi.preferredAffinity, 1],
      [pi.preferredAnti, -1],
    ] as const) {
      for (const t of terms) {
        for (const [v, c] of this.termCounter([t]).byDomain(t.topologyKey)) bump(t.topologyKey, v, sign * t.weight * c);
      }
    }
    const nsLabels = this.o.namespaceLabels(pi.namespace);
    for (const g of this.cache.termGroupsFor(pi.labels)) {
      if (g.kind === 'requiredAnti' || !g.counts.size) continue;
      if (!termMatches(g.term, pi.namespace, pi.labels, nsLabels)) continue;
      // Existing pods' required affinity counts with hardPodAffinityWeight 1.
      const w = g.kind === 'requiredAffinity' ? 1 : g.kind === 'preferredAffinity' ? g.term.weight : -g.term.weight;
      for (const [v, c] of g.counts) bump(g.term.topologyKey, v, w * c);
    }
    if (!topo.size) return;
    const n = nodes.length;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const [key, m] of topo) {
        const v = nodes[i].labels[key];
        if (v !== undefined) s += m.get(v) ?? 0;
      }
      tmp[i] = s;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < n; i++) total[i] += 2 * (diff > 0 ? Math.trunc((MAX_NODE_SCORE * (tmp[i] - min)) / diff) : 0);
  }
}

const noNominated = (): undefined => undefined;

const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** ImageLocality's normalizedImageName: a reference without a tag gets ":latest". */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return name + ':latest';
  return name;
}

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** helper.DefaultNormalizeScore. */
function defaultNormalize(scores: Float64Array, reverse: boolean, any: boolean): void {
  let max = 0;
  if (any) for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    scores.fill(reverse ? MAX_NODE_SCORE : 0);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    scores[i] = s;
  }
}

// ---- FitError ----

/**
 * FitError.Error (framework/types.go): the PreFilter message, or else the reasons histogram,
 * sorted; then the PostFilter message.
 */
export function fitErrorMessage(numAllNodes: number, statuses: Map<string, Status>, postFilterMsg: string, absent?: string, preFilterMsg?: string): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) return msg + ` ${preFilterMsg}.` + (postFilterMsg ? ` ${postFilterMsg}` : '');
  const reasons = new Map<string, number>();
  for (const st of statuses.values()) for (const r of st.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  if (absent !== undefined && statuses.size < numAllNodes) reasons.set(absent, (reasons.get(absent) ?? 0) + numAllNodes - statuses.size);
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort(goLess);
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** sort.Strings: byte order. */
function goLess(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

export { podRequests };
