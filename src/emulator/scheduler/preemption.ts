// DefaultPreemption, the PostFilter plugin (framework/preemption/preemption.go,
// framework/plugins/defaultpreemption/default_preemption.go): when a pod fits nowhere, find nodes
// where deleting lower-priority pods would make room, pick the minimal set of victims per node
// (PDB-violating victims reprieved first, then the others, highest priority first), choose the
// node (fewest PDB violations, lowest highest victim priority, smallest priority sum, fewest
// victims, latest start), then delete the victims (a DisruptionTarget condition first, a Preempted
// event each) and nominate the node for the preemptor.

import type { Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.ts';
import type { Cache, NodeInfo, PodInfo } from './cache.ts';
import { Code, fitErrorMessage, type FitDiagnosis, type Framework, type Status } from './framework.ts';

const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface Candidate {
  node: string;
  victims: PodInfo[];
  pdbViolations: number;
}

export type PreemptionResult =
  /** Preemption made room: nominate the node. */
  | { nominate: string; victims: PodInfo[]; message: '' }
  /** It cannot help: the message for the FitError; clear any nomination. */
  | { nominate: ''; message: string }
  /** The pod may not preempt now: keep its nomination as it is. */
  | { nominate: undefined; message: string };

/** util.MoreImportantPod: higher priority, then the earlier started. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.startTime - b.startTime;
}

function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.pod.metadata.deletionTimestamp) return false;
  return (p.pod.status?.conditions ?? []).some((c: Obj) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

export class Preemption {
  constructor(
    private readonly fw: Framework,
    private readonly cache: Cache,
    private readonly pdbs: () => Obj[],
    private readonly random: () => number,
  ) {}

  /** Evaluator.Preempt up to the choice of a candidate; the caller carries out the deletions. */
  preempt(pi: PodInfo, diag: FitDiagnosis): PreemptionResult {
    const pod = pi.pod;
    // PodEligibleToPreemptOthers
    if (pod.spec?.preemptionPolicy === 'Never') return { nominate: undefined, message: 'preemption: not eligible due to preemptionPolicy=Never.' };
    const nominated = pod.status?.nominatedNodeName;
    if (nominated && diag.statuses.get(nominated)?.code !== Code.UnschedulableAndUnresolvable) {
      const ni = this.cache.nodes.get(nominated);
      if (ni) {
        for (const p of ni.pods.values()) {
          if (p.priority < pi.priority && terminatingByPreemption(p)) return { nominate: undefined, message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
        }
      }
    }
    const numAll = this.cache.nodeList.length;
    const potential: NodeInfo[] = [];
    for (const ni of this.cache.nodeList) if (diag.statuses.get(ni.name)?.code === Code.Unschedulable) potential.push(ni);
    const notHelpful = 'Preemption is not helpful for scheduling';
    if (!potential.length) return { nominate: '', message: 'preemption: ' + fitErrorMessage(numAll, new Map(), '', notHelpful) };
    const pdbs = this.pdbs();
    let numCandidates = Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100);
    if (numCandidates < MIN_CANDIDATE_NODES_ABSOLUTE) numCandidates = MIN_CANDIDATE_NODES_ABSOLUTE;
    if (numCandidates > potential.length) numCandidates = potential.length;
    const offset = Math.floor(this.random() * potential.length);
    const statuses = new Map<string, Status>();
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < potential.length; i++) {
      const ni = potential[(offset + i) % potential.length];
      const r = this.selectVictimsOnNode(pi, ni, pdbs);
      if ('status' in r) {
        statuses.set(ni.name, r.status);
        continue;
      }
      (r.pdbViolations === 0 ? nonViolating : violating).push(r);
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
    }
    const candidates = [...nonViolating.slice(0, numCandidates), ...violating.slice(0, numCandidates)];
    if (!candidates.length) return { nominate: '', message: 'preemption: ' + fitErrorMessage(numAll, statuses, '', notHelpful) };
    const best = pickOneNodeForPreemption(candidates);
    return { nominate: best.node, victims: best.victims, message: '' };
  }

  /** SelectVictimsOnNode, simulated on the cache itself (restored before returning). */
  private selectVictimsOnNode(pi: PodInfo, ni: NodeInfo, pdbs: Obj[]): Candidate | { status: Status } {
    const potential = [...ni.pods.values()].filter((p) => p.priority < pi.priority);
    if (!potential.length) return { status: { code: Code.UnschedulableAndUnresolvable, reasons: ['No preemption victims found for incoming pod'], plugin: 'DefaultPreemption' } };
    const removed: PodInfo[] = [];
    const remove = (p: PodInfo) => {
      this.cache.removePod(p.key);
      removed.push(p);
    };
    const restore = (p: PodInfo) => {
      this.cache.addPod(p, ni.name);
      removed.splice(removed.indexOf(p), 1);
    };
    const fits = () => !this.fw.filter(this.fw.preFilter(pi), ni);
    try {
      for (const p of potential) remove(p);
      if (!fits()) {
        const st = this.fw.filter(this.fw.preFilter(pi), ni)!;
        return { status: st };
      }
      potential.sort(moreImportant);
      const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
      const victims: PodInfo[] = [];
      let pdbViolations = 0;
      const reprieve = (p: PodInfo): boolean => {
        restore(p);
        if (fits()) return true;
        remove(p);
        victims.push(p);
        return false;
      };
      for (const p of violating) if (!reprieve(p)) pdbViolations++;
      for (const p of nonViolating) reprieve(p);
      if (violating.length && nonViolating.length) victims.sort(moreImportant);
      if (!victims.length) return { status: { code: Code.Unschedulable, reasons: [`expected at least one victim pod on node "${ni.name}"`], plugin: 'DefaultPreemption' } };
      return { node: ni.name, victims, pdbViolations };
    } finally {
      for (const p of [...removed]) this.cache.addPod(p, ni.name);
    }
  }
}

/** filterPodsWithPDBViolation: a pod whose matching PDB has no disruption left violates it. */
function filterPodsWithPDBViolation(pods: PodInfo[], pdbs: Obj[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => Number(p.status?.disruptionsAllowed ?? 0));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata.namespace !== p.namespace) return;
        let sel;
        try {
          sel = labelSelectorFromObject(pdb.spec?.selector);
        } catch {
          return;
        }
        // A nil or empty selector matches nothing here.
        if (!sel || !sel.length || !matchesLabels(sel, p.labels)) return;
        if (pdb.status?.disruptedPods && p.pod.metadata.name in pdb.status.disruptedPods) return;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** pickOneNodeForPreemption with the default criteria, in order. */
export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate {
  const fns: ((c: Candidate) => number)[] = [
    (c) => -c.pdbViolations,
    (c) => -c.victims[0].priority,
    (c) => -c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0),
    (c) => -c.victims.length,
    // The latest start among the highest-priority victims' earliest start.
    (c) => {
      const top = c.victims[0].priority;
      let earliest = Infinity;
      for (const v of c.victims) if (v.priority === top && v.startTime < earliest) earliest = v.startTime;
      return earliest;
    },
  ];
  let all = candidates;
  for (const f of fns) {
    let max = -Infinity;
    let sel: Candidate[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > max) {
        max = s;
        sel = [];
      }
      if (s === max) sel.push(c);
    }
    if (sel.length === 1) return sel[0];
    all = sel;
  }
  return all[0];
}
