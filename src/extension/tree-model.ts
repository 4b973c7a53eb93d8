// What the Nodes tree shows, computed from the informers' caches. No `vscode` import here: tree.ts
// turns these rows into TreeItems. Status words follow `kubectl get nodes` / `kubectl get pods`
// (kubernetes pkg/printers/internalversion/printers.go: printNode, printPod).
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import * as l10n from './l10n.ts';

/** A codicon id and a theme colour id. */
export interface Icon {
  id: string;
  color?: string;
}

export interface PodRow {
  id: string;
  name: string;
  namespace: string;
  /** kubectl's STATUS column: Running, Pending, ContainerCreating, CrashLoopBackOff, Terminating, ... */
  status: string;
  /** `1/1`: ready containers / containers. */
  ready: string;
  description: string;
  tooltip: string;
  icon: Icon;
}

export interface NodeRow {
  id: string;
  name: string;
  /** Ready, NotReady or Unknown, with `,SchedulingDisabled` when cordoned. */
  status: string;
  ready: boolean;
  roles: string[];
  description: string;
  tooltip: string;
  icon: Icon;
  pods: PodRow[];
}

export interface TreeModel {
  nodes: NodeRow[];
  /** Pods no node has (yet): Pending pods the scheduler has not bound. */
  unscheduled: PodRow[];
  readyNodes: number;
}

const GREEN = 'charts.green';
const YELLOW = 'charts.yellow';
const RED = 'charts.red';
const GREY = 'disabledForeground';

export function nodeReadyStatus(node: V1Node): 'Ready' | 'NotReady' | 'Unknown' {
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  if (c?.status === 'True') return 'Ready';
  if (c?.status === 'False') return 'NotReady';
  return 'Unknown';
}

/** kubectl's ROLES: `node-role.kubernetes.io/<role>` labels, and the older `kubernetes.io/role`. */
export function nodeRoles(node: V1Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].filter(Boolean).sort();
}

export function nodeRow(node: V1Node, pods: PodRow[]): NodeRow {
  const name = node.metadata?.name ?? '';
  const ready = nodeReadyStatus(node);
  const status = ready + (node.spec?.unschedulable ? ',SchedulingDisabled' : '');
  const roles = nodeRoles(node);
  const color = ready === 'Ready' ? (node.spec?.unschedulable ? YELLOW : GREEN) : ready === 'NotReady' ? RED : YELLOW;
  const info = node.status?.nodeInfo;
  const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const capacity = node.status?.capacity ?? {};
  const tooltip = [
    `${name}: ${status}`,
    `Roles: ${roles.length ? roles.join(',') : '<none>'}`,
    address ? `Internal IP: ${address}` : '',
    info?.kubeletVersion ? `Version: ${info.kubeletVersion}` : '',
    capacity.cpu || capacity.memory ? `Capacity: ${capacity.cpu ?? '?'} CPU, ${capacity.memory ?? '?'} memory, ${capacity.pods ?? '?'} pods` : '',
    `Pods: ${pods.length}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: `node/${name}`,
    name,
    status,
    ready: ready === 'Ready',
    roles,
    description: [status, ...roles].join(' · '),
    tooltip,
    icon: { id: 'server', color },
    pods,
  };
}

/** kubectl's STATUS for a pod: the phase, overridden by the reason a container waits or ended. */
export function podStatus(pod: V1Pod): string {
  let reason = pod.status?.reason || pod.status?.phase || 'Unknown';
  const init = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < init.length; i++) {
    const s = init[i];
    if (s.state?.terminated && s.state.terminated.exitCode === 0) continue;
    if (s.state?.terminated) reason = s.state.terminated.reason ? `Init:${s.state.terminated.reason}` : `Init:ExitCode:${s.state.terminated.exitCode}`;
    else if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') reason = `Init:${s.state.waiting.reason}`;
    else reason = `Init:${i}/${init.length}`;
    break;
  }
  if (!reason.startsWith('Init:')) {
    let running = false;
    for (const s of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
      else if (s.state?.terminated) reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
      else if (s.ready && s.state?.running) running = true;
    }
    if (reason === 'Completed' && running) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export function podIcon(status: string, allReady: boolean): Icon {
  switch (status) {
    case 'Running':
      return allReady ? { id: 'pass-filled', color: GREEN } : { id: 'circle-large-outline', color: YELLOW };
    case 'Pending':
    case 'ContainerCreating':
    case 'PodInitializing':
      return { id: 'clock', color: YELLOW };
    case 'Succeeded':
    case 'Completed':
      return { id: 'check', color: GREY };
    case 'Terminating':
      return { id: 'trash', color: GREY };
    case 'Unknown':
      return { id: 'question', color: YELLOW };
    default:
      // Failed, CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Error, OOMKilled, Init:...
      return status.startsWith('Init:') && /^Init:\d+\/\d+$/.test(status) ? { id: 'clock', color: YELLOW } : { id: 'error', color: RED };
  }
}

export function podRow(pod: V1Pod): PodRow {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? 'default';
  const status = podStatus(pod);
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const readyCount = statuses.filter((s) => s.ready).length;
  const ready = `${readyCount}/${total}`;
  const ip = pod.status?.podIP;
  const tooltip = [
    `${namespace}/${name}: ${status}`,
    `Ready: ${ready}`,
    ip ? `IP: ${ip}` : '',
    pod.spec?.nodeName ? `Node: ${pod.spec.nodeName}` : 'Node: <none>',
    ...(pod.spec?.containers ?? []).map((c) => `Container ${c.name}: ${c.image ?? ''}`),
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: `pod/${namespace}/${name}`,
    name,
    namespace,
    status,
    ready,
    description: `${status} · ${ready} · ${namespace}`,
    tooltip,
    icon: podIcon(status, total > 0 && readyCount === total),
  };
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byNamespaceName = (a: PodRow, b: PodRow) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : byName(a, b);

/** Nodes sorted by name, each with its pods (by spec.nodeName); pods on no known node listed apart. */
export function buildTree(nodes: readonly V1Node[], pods: readonly V1Pod[]): TreeModel {
  const podsByNode = new Map<string, PodRow[]>();
  const unscheduled: PodRow[] = [];
  for (const pod of pods) {
    const row = podRow(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) unscheduled.push(row);
    else podsByNode.set(nodeName, [...(podsByNode.get(nodeName) ?? []), row]);
  }
  const rows = nodes.map((n) => nodeRow(n, (podsByNode.get(n.metadata?.name ?? '') ?? []).sort(byNamespaceName)));
  // Pods bound to a node that is gone (deleted while they ran) stay visible rather than vanish.
  const known = new Set(rows.map((r) => r.name));
  for (const [nodeName, podRows] of podsByNode) {
    if (known.has(nodeName)) continue;
    rows.push({
      id: `node/${nodeName}`,
      name: nodeName,
      status: 'NotFound',
      ready: false,
      roles: [],
      description: l10n.t('not found'),
      tooltip: l10n.t('{0}: the node no longer exists', nodeName),
      icon: { id: 'server', color: GREY },
      pods: podRows.sort(byNamespaceName),
    });
  }
  rows.sort(byName);
  return { nodes: rows, unscheduled: unscheduled.sort(byNamespaceName), readyNodes: rows.filter((r) => r.ready).length };
}

export type ClusterState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

/** The status bar text: `$(server-environment) Kubernetes: stopped|starting|3 nodes Ready`. */
export function statusText(state: ClusterState, model?: Pick<TreeModel, 'nodes' | 'readyNodes'>): string {
  const prefix = '$(server-environment) Kubernetes: ';
  if (state !== 'running' || !model) return prefix + stateWord(state);
  const total = model.nodes.filter((n) => n.status !== 'NotFound').length;
  const ready = model.readyNodes;
  if (ready === total) return prefix + (total === 1 ? l10n.t('1 node Ready') : l10n.t('{0} nodes Ready', total));
  return prefix + (total === 1 ? l10n.t('{0}/1 node Ready', ready) : l10n.t('{0}/{1} nodes Ready', ready, total));
}

/** The cluster's state in the user's language. */
export function stateWord(state: ClusterState): string {
  switch (state) {
    case 'stopped':
      return l10n.t('stopped');
    case 'starting':
      return l10n.t('starting');
    case 'running':
      return l10n.t('running');
    case 'stopping':
      return l10n.t('stopping');
    case 'failed':
      return l10n.t('failed');
  }
}
