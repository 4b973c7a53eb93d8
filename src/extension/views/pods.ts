// A pod's row, the same in every view: kubectl's STATUS (with why a Pending pod is not scheduled),
// READY and RESTARTS, an icon by state (running green, pending yellow, failed or crash-looping red,
// terminating grey). No `vscode` import.
import type { KubeObject } from '../live.ts';
import { podIcon } from '../tree-model.ts';
import { created, contextValue, objId, printed, refOfObj, type ViewOptions } from './format.ts';
import type { Row } from './rows.ts';

/**
 * The scheduler's reasons from a FitError message as `kubectl describe pod` shows it in the
 * FailedScheduling event and the PodScheduled condition (pkg/scheduler/framework/types.go
 * FitError.Error): `0/3 nodes are available: 1 node(s) had untolerated taint {...}, 2 Insufficient
 * cpu. preemption: ...` → `node(s) had untolerated taint {...}, Insufficient cpu`.
 */
export function unschedulableReasons(message: string): string {
  const m = /nodes are available: (.*?)\.(?: |$)/.exec(message);
  if (!m) return message.split('\n')[0];
  return m[1]
    .split(/, (?=\d+ )/)
    .map((p) => p.replace(/^\d+ /, ''))
    .join(', ');
}

/** Why the scheduler has not placed the pod (its PodScheduled=False condition), if it has said. */
export function schedulingProblem(pod: KubeObject): { reasons: string; message: string } | undefined {
  const c = (pod.status?.conditions ?? []).find((x: { type?: string; status?: string }) => x.type === 'PodScheduled' && x.status === 'False');
  if (!c?.message || pod.spec?.nodeName) return undefined;
  return { reasons: unschedulableReasons(c.message), message: c.message };
}

export interface PodRowOptions {
  /** Show the node in the description (not under a node already). */
  node?: boolean;
  /** Show the namespace in the description (the row is not under its namespace). */
  namespace?: boolean;
}

export function podRow(pod: KubeObject, opts: ViewOptions, show: PodRowOptions = {}): Row {
  const cells = printed('pods', pod, opts.now);
  let status = cells.Status || 'Unknown';
  const problem = status === 'Pending' ? schedulingProblem(pod) : undefined;
  const statuses: { ready?: boolean }[] = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const allReady = total > 0 && statuses.filter((s) => s.ready).length === total;
  const icon = podIcon(status, allReady);
  if (problem) status = `Pending: ${problem.reasons}`;
  const restarts = cells.Restarts && cells.Restarts !== '0' ? `${cells.Restarts.replace(/ \(.*\)$/, '')} restarts` : '';
  const ns = pod.metadata?.namespace ?? '';
  const node = pod.spec?.nodeName as string | undefined;
  const description = [status, cells.Ready, restarts, show.node && node, show.namespace && ns].filter(Boolean).join(' · ');
  const tooltip = [
    `Pod ${ns}/${pod.metadata?.name}: ${cells.Status}`,
    `Ready: ${cells.Ready}`,
    `Restarts: ${cells.Restarts}`,
    `IP: ${cells.IP}`,
    `Node: ${cells.Node}`,
    `Created: ${created(pod.metadata?.creationTimestamp)}`,
    ...((pod.spec?.containers ?? []) as { name: string; image?: string }[]).map((c) => `Container ${c.name}: ${c.image ?? ''}`),
    problem ? `\nPodScheduled=False: ${problem.message}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const terminating = !!pod.metadata?.deletionTimestamp;
  return {
    id: objId('pods', pod),
    label: pod.metadata?.name ?? '',
    name: pod.metadata?.name,
    description,
    tooltip,
    icon,
    contextValue: contextValue('Pod', terminating && 'terminating'),
    ref: refOfObj('pods', pod),
  };
}

/** Pods sorted as kubectl lists them: namespace, then name. */
export function sortPods(pods: KubeObject[]): KubeObject[] {
  return pods.sort((a, b) => {
    const na = a.metadata?.namespace ?? '';
    const nb = b.metadata?.namespace ?? '';
    if (na !== nb) return na < nb ? -1 : 1;
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
