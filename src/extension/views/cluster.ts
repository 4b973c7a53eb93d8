// The Cluster view (id kubeEmulator.nodes): every node with its Ready state, roles, what its pods
// request against what it can allocate (`kubectl describe node`'s "Allocated resources": requests of
// the non-terminated pods, pkg/kubectl/describe NodeDescriber / describeNodeResource) and its pod
// count against its pod capacity; cordoned and (emulator) stopped nodes marked; its pods under it.
// Pods no node has yet sit under "Unscheduled". No `vscode` import.
import { podRequests, resFromList } from '../../emulator/scheduler/resources.ts';
import * as l10n from '../l10n.ts';
import type { KubeObject } from '../live.ts';
import { nodeReadyStatus, nodeRoles } from '../tree-model.ts';
import { created, byName, cmp, contextValue, GREEN, GREY, loading, objId, RED, refOfObj, unavailableRow, YELLOW, type ViewOptions, type ViewSource } from './format.ts';
import { podRow, sortPods } from './pods.ts';
import type { Row } from './rows.ts';

/** cpu in millicores as a quantity: 2000 → `2`, 750 → `750m`. */
export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes in the largest binary unit that keeps one decimal: `140Mi`, `7.6Gi`, `512Ki`. */
export function formatMemory(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10}${unit}`;
  }
  return String(bytes);
}

/** describeNodeResource's percentage: int64(float64(requested) / float64(allocatable) * 100). */
const percent = (used: number, of: number) => (of > 0 ? Math.trunc((used / of) * 100) : 0);

export interface Allocation {
  cpuRequests: number;
  cpuAllocatable: number;
  memoryRequests: number;
  memoryAllocatable: number;
  pods: number;
  podCapacity: number;
}

/** Requests of the node's non-terminated pods (phase neither Succeeded nor Failed) against allocatable. */
export function allocation(node: KubeObject, pods: readonly KubeObject[]): Allocation {
  const alloc = resFromList(node.status?.allocatable ?? node.status?.capacity);
  let cpu = 0;
  let memory = 0;
  let n = 0;
  for (const p of pods) {
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const r = podRequests(p as never);
    cpu += r.cpu;
    memory += r.memory;
    n++;
  }
  return { cpuRequests: cpu, cpuAllocatable: alloc.cpu, memoryRequests: memory, memoryAllocatable: alloc.memory, pods: n, podCapacity: alloc.pods };
}

export function nodeRow(node: KubeObject, allPods: readonly KubeObject[], shownPods: Row[], opts: ViewOptions): Row {
  const name = node.metadata?.name ?? '';
  const ready = nodeReadyStatus(node as never);
  const cordoned = !!node.spec?.unschedulable;
  const stopped = opts.stoppedNodes?.has(name) ?? false;
  const status = ready + (cordoned ? ',SchedulingDisabled' : '');
  const roles = nodeRoles(node as never);
  const a = allocation(node, allPods);
  const color = stopped ? GREY : ready === 'Ready' ? (cordoned ? YELLOW : GREEN) : ready === 'NotReady' ? RED : YELLOW;
  const info = node.status?.nodeInfo ?? {};
  const address = (node.status?.addresses ?? []).find((x: { type?: string }) => x.type === 'InternalIP')?.address;
  const capacity = node.status?.capacity ?? {};
  const tooltip = [
    `Node ${name}: ${status}${stopped ? l10n.t(' (stopped: its kubelet no longer reports)') : ''}`,
    `Roles: ${roles.length ? roles.join(',') : '<none>'}`,
    address ? `InternalIP: ${address}` : '',
    info.kubeletVersion ? `Kubelet: ${info.kubeletVersion}` : '',
    `Capacity: cpu ${capacity.cpu ?? '?'}, memory ${capacity.memory ?? '?'}, pods ${capacity.pods ?? '?'}`,
    'Allocated resources (requests of non-terminated pods):',
    `  cpu     ${formatCpu(a.cpuRequests)} of ${formatCpu(a.cpuAllocatable)} (${percent(a.cpuRequests, a.cpuAllocatable)}%)`,
    `  memory  ${formatMemory(a.memoryRequests)} of ${formatMemory(a.memoryAllocatable)} (${percent(a.memoryRequests, a.memoryAllocatable)}%)`,
    `  pods    ${a.pods} of ${a.podCapacity}`,
    `Created: ${created(node.metadata?.creationTimestamp)}`,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    id: objId('nodes', node),
    label: name,
    name,
    description: [
      stopped ? l10n.t('Stopped') : '',
      status,
      ...roles,
      `cpu ${formatCpu(a.cpuRequests)}/${formatCpu(a.cpuAllocatable)}`,
      `mem ${formatMemory(a.memoryRequests)}/${formatMemory(a.memoryAllocatable)}`,
      `pods ${a.pods}/${a.podCapacity}`,
    ]
      .filter(Boolean)
      .join(' · '),
    tooltip,
    icon: { id: stopped ? 'debug-stop' : 'server', color },
    contextValue: contextValue('Node', cordoned && 'unschedulable', stopped && 'stopped', ready !== 'Ready' && 'notready'),
    ref: refOfObj('nodes', node),
    children: shownPods,
    expanded: shownPods.length > 0,
  };
}

const inFilter = (opts: ViewOptions) => (p: KubeObject) => opts.namespace === undefined || p.metadata?.namespace === opts.namespace;

export function clusterRows(src: ViewSource, opts: ViewOptions): Row[] {
  if (loading(src, 'nodes') && loading(src, 'pods')) return [{ id: 'loading', label: l10n.t('Loading…'), icon: { id: 'loading~spin' } }];
  const rows: Row[] = [];
  const unavailable = unavailableRow(src, 'nodes');
  if (unavailable) rows.push(unavailable);
  const podsUnavailable = unavailableRow(src, 'pods');
  if (podsUnavailable) rows.push(podsUnavailable);
  const show = inFilter(opts);
  const podRowsOf = (pods: KubeObject[]) => sortPods(pods.filter(show)).map((p) => podRow(p, opts, { namespace: opts.namespace === undefined }));
  const known = new Set<string>();
  for (const node of src.list('nodes').sort(byName)) {
    const name = node.metadata?.name ?? '';
    known.add(name);
    const pods = src.podsOn(name);
    rows.push(nodeRow(node, pods, podRowsOf(pods), opts));
  }
  // Pods bound to a node that is gone (or that the user may not list) stay visible rather than vanish.
  const orphans = new Map<string, KubeObject[]>();
  const unscheduled: KubeObject[] = [];
  for (const p of src.list('pods', opts.namespace)) {
    const n = p.spec?.nodeName as string | undefined;
    if (!n) unscheduled.push(p);
    else if (!known.has(n)) orphans.set(n, [...(orphans.get(n) ?? []), p]);
  }
  for (const [name, pods] of [...orphans].sort((a, b) => cmp(a[0], b[0]))) {
    const children = podRowsOf(pods);
    rows.push({
      id: `Node:${name}`,
      label: name,
      name,
      description: unavailable ? (children.length === 1 ? l10n.t('1 pod') : l10n.t('{0} pods', children.length)) : l10n.t('not found'),
      tooltip: unavailable ? l10n.t('Node {0}: its pods (the node itself cannot be listed)', name) : l10n.t('Node {0}: the node no longer exists', name),
      icon: { id: 'server', color: GREY },
      contextValue: contextValue('Node', 'notfound'),
      ref: { apiVersion: 'v1', kind: 'Node', name },
      children,
      expanded: true,
    });
  }
  if (unscheduled.length) {
    const children = podRowsOf(unscheduled);
    rows.push({
      id: 'group:unscheduled',
      label: l10n.t('Unscheduled'),
      description: l10n.t('{0} pending', children.length),
      tooltip: l10n.t('Pods the scheduler has not bound to a node yet'),
      icon: { id: 'inbox', color: YELLOW },
      contextValue: 'unscheduled',
      children,
      expanded: true,
    });
  }
  return rows;
}
