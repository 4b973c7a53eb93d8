// Node operations of the explorer and the palette. Cordon, uncordon and drain go through the API,
// as kubectl does them (k8s.io/kubectl/pkg/drain), so they work against any cluster; stop, start,
// add and delete a node and fast-forwarding the clock exist only for the emulated cluster.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import type { Session } from './session.ts';

/** kubectl cordon / uncordon: spec.unschedulable through a merge patch. */
export async function setUnschedulable(session: Session, node: string, unschedulable: boolean): Promise<void> {
  const core = session.kc.makeApiClient(CoreV1Api);
  await core.patchNode({ name: node, body: { spec: { unschedulable: unschedulable || null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

export interface DrainResult {
  evicted: string[];
  /** Pods left on the node: DaemonSet pods (ignored, as with --ignore-daemonsets) and mirror pods. */
  ignored: string[];
  /** Pods whose eviction was refused until the deadline (a PodDisruptionBudget), with the reason. */
  blocked: { pod: string; reason: string }[];
}

/** Whether drain leaves a pod alone: DaemonSet pods and static (mirror) pods, as kubectl's filters do. */
function ignoredByDrain(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return true;
  return (pod.metadata?.ownerReferences ?? []).some((r) => r.controller && r.kind === 'DaemonSet');
}

const podName = (p: V1Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;

/**
 * kubectl drain NODE --ignore-daemonsets --delete-emptydir-data --force: cordon, then evict every
 * other pod through pods/eviction, retrying evictions a PodDisruptionBudget refuses (429) every 5 s
 * until `timeoutMs` (drain.go's evictPods). `wait` passes the time between retries.
 */
export async function drainNode(
  session: Session,
  node: string,
  opts: { timeoutMs: number; wait(ms: number): Promise<void>; log(line: string): void },
): Promise<DrainResult> {
  await setUnschedulable(session, node, true);
  opts.log(`node/${node} cordoned`);
  const core = session.kc.makeApiClient(CoreV1Api);
  const pods = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
  const result: DrainResult = { evicted: [], ignored: [], blocked: [] };
  let pending: V1Pod[] = [];
  for (const p of pods) {
    if (ignoredByDrain(p)) result.ignored.push(podName(p));
    else if (!p.metadata?.deletionTimestamp) pending.push(p);
  }
  if (result.ignored.length) opts.log(`Warning: ignoring DaemonSet-managed and mirror Pods: ${result.ignored.join(', ')}`);
  const deadline = Date.now() + opts.timeoutMs;
  const reasons = new Map<string, string>();
  for (;;) {
    const retry: V1Pod[] = [];
    for (const p of pending) {
      try {
        opts.log(`evicting pod ${podName(p)}`);
        await core.createNamespacedPodEviction({
          name: p.metadata!.name!,
          namespace: p.metadata!.namespace!,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata!.name, namespace: p.metadata!.namespace } },
        });
        result.evicted.push(podName(p));
        opts.log(`pod/${p.metadata!.name} evicted`);
      } catch (e) {
        const code = (e as { code?: number }).code;
        if (code === 404) continue; // already gone
        if (code !== 429) throw e;
        const message = statusMessage(e) ?? 'Cannot evict pod as it would violate the pod\'s disruption budget.';
        reasons.set(podName(p), message);
        opts.log(`error when evicting pods/"${p.metadata!.name}" -n "${p.metadata!.namespace}" (will retry after 5s): ${message}`);
        retry.push(p);
      }
    }
    pending = retry;
    if (!pending.length || Date.now() + 5_000 > deadline) break;
    await opts.wait(5_000);
  }
  result.blocked = pending.map((p) => ({ pod: podName(p), reason: reasons.get(podName(p)) ?? '' }));
  opts.log(result.blocked.length ? `error: unable to drain node "${node}": ${result.blocked.length} pod(s) could not be evicted` : `node/${node} drained`);
  return result;
}

/** The message of a metav1.Status an ApiException carries. */
function statusMessage(e: unknown): string | undefined {
  const body = (e as { body?: unknown }).body;
  try {
    const s = typeof body === 'string' ? JSON.parse(body) : body;
    return typeof s?.message === 'string' ? s.message : undefined;
  } catch {
    return undefined;
  }
}
