// The walkthrough "Learn Kubernetes with the emulator" (issue 9): which cluster state completes
// which step. A step completes when the learner has done it, seen in the cluster (a namespace
// created, a pod with two containers Running, endpoints with addresses, a pod rejected by a quota,
// a Deployment rolled back, a node stopped and its pods moved...), never by a click. walkthrough.ts
// feeds this module the live model (LiveCluster) and turns completions into context keys
// (`kubeEmulator.walkthrough.<step>`) that package.json's `completionEvents` name.
//
// No `vscode` import: unit-tested under Node against an emulated cluster that the samples are
// applied to (test/extension/walkthrough-steps.test.ts).
import * as l10n from './l10n.ts';
import type { KubeObject, LiveChange, LiveKind } from './resources.ts';

/** What the steps read of the live model (LiveCluster has it). */
export interface ClusterView {
  list(kind: LiveKind, namespace?: string): KubeObject[];
  get(kind: LiveKind, namespace: string | undefined, name: string): KubeObject | undefined;
  ownedBy(uid: string): { kind: LiveKind; obj: KubeObject }[];
}

export interface WalkthroughStep {
  /** The step id: package.json's walkthrough step, the context key's suffix, the sample folder. */
  id: string;
  title: string;
  /** The sample's manifests in the order the step applies them (none: no sample). */
  files: readonly string[];
}

/** The course's order (../shared/docs/concepts.md): the cluster, the objects, then the three reasons. */
export const WALKTHROUGH_STEPS: readonly WalkthroughStep[] = [
  { id: 'start-cluster', title: 'Start a 3-node cluster', files: [] },
  { id: 'namespaces', title: 'Namespaces', files: ['namespaces.yaml'] },
  { id: 'multi-container-pod', title: 'A pod with two containers', files: ['pod.yaml'] },
  { id: 'service', title: 'A Service and its endpoints', files: ['hello.yaml', 'client.yaml'] },
  { id: 'volumes', title: 'Volumes: emptyDir and PersistentVolumeClaim', files: ['emptydir-pod.yaml', 'pvc.yaml', 'pvc-pod.yaml'] },
  { id: 'quota', title: 'ResourceQuota and LimitRange', files: ['01-namespace.yaml', '02-limits.yaml', '03-pod-defaults.yaml', '04-pod-too-big.yaml'] },
  { id: 'config', title: 'ConfigMap and Secret as environment', files: ['config.yaml', 'pod.yaml'] },
  { id: 'replicaset', title: 'ReplicaSet: self-healing and scaling', files: ['replicaset.yaml'] },
  { id: 'deployment', title: 'Deployment: rolling update and rollback', files: ['web-v1.yaml', 'web-v2.yaml', 'web-v3-broken.yaml'] },
  { id: 'daemonset', title: 'DaemonSet: a pod on every node', files: ['node-agent.yaml'] },
  { id: 'jobs', title: 'Job and CronJob', files: ['job.yaml', 'cronjob.yaml'] },
  { id: 'auto-healing', title: 'Why Kubernetes: auto-healing', files: ['resilient.yaml'] },
  { id: 'deployment-automation', title: 'Why Kubernetes: deployment automation', files: ['frontend-v1.yaml', 'frontend-v2.yaml'] },
  { id: 'resource-efficiency', title: 'Why Kubernetes: resource efficiency', files: ['shop.yaml', 'video.yaml', 'reports.yaml'] },
];

/**
 * A step's title in the user's language, for what the extension shows itself (the sample pickers).
 * The walkthrough page takes its titles from package.nls.*.json; the Korean bundle repeats them
 * (test/extension/walkthrough-contrib.test.ts checks that both say the same).
 */
export function stepTitle(id: string): string {
  switch (id) {
    case 'start-cluster':
      return l10n.t('Start a 3-node cluster');
    case 'namespaces':
      return l10n.t('Namespaces');
    case 'multi-container-pod':
      return l10n.t('A pod with two containers');
    case 'service':
      return l10n.t('A Service and its endpoints');
    case 'volumes':
      return l10n.t('Volumes: emptyDir and PersistentVolumeClaim');
    case 'quota':
      return l10n.t('ResourceQuota and LimitRange');
    case 'config':
      return l10n.t('ConfigMap and Secret as environment');
    case 'replicaset':
      return l10n.t('ReplicaSet: self-healing and scaling');
    case 'deployment':
      return l10n.t('Deployment: rolling update and rollback');
    case 'daemonset':
      return l10n.t('DaemonSet: a pod on every node');
    case 'jobs':
      return l10n.t('Job and CronJob');
    case 'auto-healing':
      return l10n.t('Why Kubernetes: auto-healing');
    case 'deployment-automation':
      return l10n.t('Why Kubernetes: deployment automation');
    case 'resource-efficiency':
      return l10n.t('Why Kubernetes: resource efficiency');
    default:
      return id;
  }
}

export const CONTEXT_PREFIX = 'kubeEmulator.walkthrough.';

/** Namespaces every cluster has: creating one of your own is the namespaces step. */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

const QUOTA_REJECTION = /\bexceeded quota: /;

type Obj = KubeObject;

function condition(o: Obj | undefined, type: string): Obj | undefined {
  return (o?.status?.conditions ?? []).find((c: Obj) => c.type === type);
}

export function nodeReady(n: Obj): boolean {
  return condition(n, 'Ready')?.status === 'True';
}

export function podReady(p: Obj): boolean {
  return p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && condition(p, 'Ready')?.status === 'True';
}

function controllerOf(o: Obj): { kind: string; uid: string; name: string } | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller);
}

function claimsOf(p: Obj): string[] {
  return (p.spec?.volumes ?? []).filter((v: Obj) => v.persistentVolumeClaim?.claimName).map((v: Obj) => `${p.metadata?.namespace}/${v.persistentVolumeClaim.claimName}`);
}

/** A Deployment whose rollout is complete: every replica updated and available, no old one left. */
export function rolledOut(d: Obj): boolean {
  const s = d.status ?? {};
  const want = d.spec?.replicas ?? 1;
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
}

/**
 * What the tracker remembers that the cluster may no longer show: the halves of the steps that take
 * several observations (volumes: the emptyDir kept, the claim kept; ReplicaSet: a pod lost, then
 * scaled; quota: a rejection, then a default injected). Kept between windows by walkthrough.ts (VS
 * Code itself keeps only the completed steps), as plain JSON.
 */
export interface WalkthroughProgress {
  v: 1;
  emptyDirKept: boolean;
  claimKept: boolean;
  quotaRejected: boolean;
  /** `ns/claim` → uids of its pods that were deleted. */
  claimPodsGone: Record<string, string[]>;
  /** Controllers (uids) that lost a pod to a deletion. */
  controllersLostPod: string[];
}

/**
 * At most this many uids per set (and claims): the newest are kept. A learner's steps need the last
 * few; a long session of rollouts and deletions must not grow the memory, or the saved state, forever.
 */
export const MAX_REMEMBERED = 100;

/** Adds `value` as the newest of `set`, forgetting the oldest beyond MAX_REMEMBERED. */
function remember<T>(set: Set<T> | Map<T, unknown>, value: T, add: () => void): void {
  if (set.has(value)) set.delete(value);
  add();
  while (set.size > MAX_REMEMBERED) set.delete(set.keys().next().value as T);
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');

/**
 * Watches the cluster for each step's outcome. `record` takes every change (cheap: it remembers
 * what later states cannot show, such as a pod that was deleted); `evaluate` looks at the whole
 * model (call it coalesced) and returns the steps completed since the last call.
 */
export class WalkthroughTracker {
  private readonly done = new Set<string>();
  /** uids of deleted (or terminating) pods, by the claim they mounted (`ns/claim`). */
  private readonly claimPodsGone = new Map<string, Set<string>>();
  /** Controller uids that lost a pod to a deletion (the ReplicaSet step's self-healing). */
  private readonly controllersLostPod = new Set<string>();
  private emptyDirKept = false;
  private claimKept = false;
  private quotaRejected = false;

  get completed(): ReadonlySet<string> {
    return this.done;
  }

  /** Every change of the live model, in order. */
  record(changes: readonly LiveChange[]): void {
    for (const ch of changes) {
      if (ch.kind === 'pods' && (ch.type === 'delete' || ch.obj.metadata?.deletionTimestamp)) {
        const uid = ch.obj.metadata?.uid;
        if (!uid) continue;
        if (!this.done.has('volumes')) for (const claim of claimsOf(ch.obj)) this.notePodGone(claim, uid);
        const owner = controllerOf(ch.obj);
        if (owner && !this.done.has('replicaset')) remember(this.controllersLostPod, owner.uid, () => this.controllersLostPod.add(owner.uid));
      } else if (ch.kind === 'events' && ch.type !== 'delete') {
        const e = ch.obj;
        if (e.type === 'Warning' && e.reason === 'FailedCreate' && QUOTA_REJECTION.test(String(e.message ?? ''))) this.quotaRejected = true;
      }
    }
  }

  private notePodGone(claim: string, uid: string): void {
    const s = this.claimPodsGone.get(claim) ?? new Set<string>();
    remember(this.claimPodsGone, claim, () => this.claimPodsGone.set(claim, s));
    remember(s, uid, () => s.add(uid));
  }

  /** The partial progress, to keep (JSON); the completed steps are not in it (VS Code keeps those). */
  serialize(): WalkthroughProgress {
    return {
      v: 1,
      emptyDirKept: this.emptyDirKept,
      claimKept: this.claimKept,
      quotaRejected: this.quotaRejected,
      claimPodsGone: Object.fromEntries([...this.claimPodsGone].map(([claim, uids]) => [claim, [...uids]])),
      controllersLostPod: [...this.controllersLostPod],
    };
  }

  /**
   * Adds what `serialize` gave (in an earlier window) to what this tracker has seen. Anything else
   * (missing, another version, a field of the wrong type) is left out: false when nothing was taken.
   */
  restore(data: unknown): boolean {
    if (typeof data !== 'object' || data === null || (data as { v?: unknown }).v !== 1) return false;
    const d = data as Partial<Record<keyof WalkthroughProgress, unknown>>;
    if (d.emptyDirKept === true) this.emptyDirKept = true;
    if (d.claimKept === true) this.claimKept = true;
    if (d.quotaRejected === true) this.quotaRejected = true;
    if (typeof d.claimPodsGone === 'object' && d.claimPodsGone !== null && !Array.isArray(d.claimPodsGone)) {
      for (const [claim, uids] of Object.entries(d.claimPodsGone)) if (isStrings(uids)) for (const uid of uids) this.notePodGone(claim, uid);
    }
    if (isStrings(d.controllersLostPod)) for (const uid of d.controllersLostPod) remember(this.controllersLostPod, uid, () => this.controllersLostPod.add(uid));
    return true;
  }

  /**
   * An apply the learner ran from the walkthrough failed (its error lines): a quota's refusal of a
   * bare Pod leaves nothing in the cluster to see, so the apply reports it here.
   */
  noteApplyFailure(lines: readonly string[]): void {
    if (lines.some((l) => QUOTA_REJECTION.test(l))) this.quotaRejected = true;
  }

  /** The steps that the cluster shows done and that were not reported before. */
  evaluate(view: ClusterView): string[] {
    const out: string[] = [];
    for (const step of WALKTHROUGH_STEPS) {
      if (this.done.has(step.id)) continue;
      if (this.check(step.id, view)) {
        this.done.add(step.id);
        out.push(step.id);
      }
    }
    return out;
  }

  private check(id: string, v: ClusterView): boolean {
    switch (id) {
      case 'start-cluster':
        return v.list('nodes').filter(nodeReady).length >= 3;
      case 'namespaces':
        return v.list('namespaces').some((n) => !SYSTEM_NAMESPACES.has(n.metadata?.name ?? '') && n.status?.phase === 'Active');
      case 'multi-container-pod':
        return v.list('pods').some((p) => (p.spec?.containers ?? []).length >= 2 && podReady(p) && (p.status?.containerStatuses ?? []).every((c: Obj) => c.ready));
      case 'service':
        return v.list('services').some((s) => {
          const ns = s.metadata?.namespace ?? '';
          if (ns === 'kube-system' || (ns === 'default' && s.metadata?.name === 'kubernetes') || !s.spec?.selector) return false;
          const ep = v.get('endpoints', ns, s.metadata?.name ?? '');
          return (ep?.subsets ?? []).some((ss: Obj) => (ss.addresses ?? []).length > 0);
        });
      case 'volumes':
        return this.volumes(v);
      case 'quota':
        return this.quotaRejected && v.list('pods').some((p) => !!p.metadata?.annotations?.['kubernetes.io/limit-ranger']);
      case 'config':
        return v.list('pods').some((p) => podReady(p) && (p.spec?.containers ?? []).some((c: Obj) => usesEnvFrom(c, 'configMap') && usesEnvFrom(c, 'secret')));
      case 'replicaset':
        return [...v.list('replicasets'), ...v.list('replicationcontrollers')].some(
          (rs) =>
            !controllerOf(rs) &&
            (rs.metadata?.generation ?? 1) >= 2 &&
            (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0) &&
            rs.status?.readyReplicas === (rs.spec?.replicas ?? 1) &&
            this.controllersLostPod.has(rs.metadata?.uid ?? ''),
        );
      case 'deployment':
        return v.list('deployments').some((d) => {
          if (!rolledOut(d)) return false;
          const revision = d.metadata?.annotations?.['deployment.kubernetes.io/revision'];
          return v
            .ownedBy(d.metadata?.uid ?? '')
            .some(({ kind, obj }) => kind === 'replicasets' && obj.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision && !!obj.metadata?.annotations?.['deployment.kubernetes.io/revision-history']);
        });
      case 'daemonset': {
        const nodes = v.list('nodes').filter(nodeReady).map((n) => n.metadata?.name);
        return (
          nodes.length > 0 &&
          v.list('daemonsets').some((ds) => {
            const on = new Set(v.ownedBy(ds.metadata?.uid ?? '').filter(({ kind, obj }) => kind === 'pods' && podReady(obj)).map(({ obj }) => obj.spec?.nodeName));
            return nodes.every((n) => on.has(n));
          })
        );
      }
      case 'jobs':
        return v.list('jobs').some((j) => controllerOf(j)?.kind === 'CronJob' && condition(j, 'Complete')?.status === 'True');
      case 'auto-healing':
        return this.autoHealed(v);
      case 'deployment-automation':
        return v.list('deployments').some((d) => {
          const mu = d.spec?.strategy?.rollingUpdate?.maxUnavailable;
          const revision = Number(d.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
          return d.spec?.strategy?.type !== 'Recreate' && (mu === 0 || mu === '0' || mu === '0%') && revision >= 2 && rolledOut(d);
        });
      case 'resource-efficiency':
        return v.list('horizontalpodautoscalers').some((h) => {
          const s = h.status ?? {};
          const ref = h.spec?.scaleTargetRef ?? {};
          if (!(s.currentReplicas > (h.spec?.minReplicas ?? 1)) || s.desiredReplicas !== s.currentReplicas || ref.kind !== 'Deployment') return false;
          const d = v.get('deployments', h.metadata?.namespace, ref.name);
          return !!d && d.spec?.replicas === s.currentReplicas && rolledOut(d);
        });
      default:
        return false;
    }
  }

  /** An emptyDir kept across a container restart, and a claim's data kept across a pod's deletion. */
  private volumes(v: ClusterView): boolean {
    const pods = v.list('pods').filter(podReady);
    this.emptyDirKept ||= pods.some((p) => {
      const emptyDirs = new Set((p.spec?.volumes ?? []).filter((x: Obj) => x.emptyDir).map((x: Obj) => x.name));
      return (p.spec?.containers ?? []).some(
        (c: Obj) => (c.volumeMounts ?? []).some((m: Obj) => emptyDirs.has(m.name)) && (p.status?.containerStatuses ?? []).some((s: Obj) => s.name === c.name && s.restartCount >= 1 && s.ready),
      );
    });
    this.claimKept ||= pods.some((p) => claimsOf(p).some((claim) => {
      const gone = this.claimPodsGone.get(claim);
      return !!gone && !gone.has(p.metadata?.uid ?? '');
    }));
    return this.emptyDirKept && this.claimKept;
  }

  /** A node not Ready, a pod evicted from it, and that pod's ReplicaSet whole again on Ready nodes. */
  private autoHealed(v: ClusterView): boolean {
    const nodes = v.list('nodes');
    const down = new Set(nodes.filter((n) => !nodeReady(n)).map((n) => n.metadata?.name));
    if (down.size === 0) return false;
    const up = new Set(nodes.filter(nodeReady).map((n) => n.metadata?.name));
    const owners = new Set<string>();
    for (const p of v.list('pods')) {
      const owner = controllerOf(p);
      if (owner?.kind === 'ReplicaSet' && p.metadata?.deletionTimestamp && down.has(p.spec?.nodeName)) owners.add(owner.uid);
    }
    for (const rs of v.list('replicasets')) {
      if (!owners.has(rs.metadata?.uid ?? '')) continue;
      const want = rs.spec?.replicas ?? 1;
      const ready = v.ownedBy(rs.metadata?.uid ?? '').filter(({ kind, obj }) => kind === 'pods' && podReady(obj) && up.has(obj.spec?.nodeName));
      if (want > 0 && ready.length >= want) return true;
    }
    return false;
  }
}

function usesEnvFrom(c: Obj, source: 'configMap' | 'secret'): boolean {
  return (
    (c.envFrom ?? []).some((e: Obj) => e[`${source}Ref`]) ||
    (c.env ?? []).some((e: Obj) => e.valueFrom?.[`${source}KeyRef`])
  );
}
