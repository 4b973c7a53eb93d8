// The Workloads view: per namespace (or the filtered one), Deployments → ReplicaSets → Pods,
// DaemonSets, StatefulSets, Jobs, CronJobs → Jobs → Pods, ReplicationControllers, ReplicaSets no
// Deployment owns, and pods no controller owns; each with its key fact in kubectl's words ("2/3
// ready", "Complete · 1/1", "Pending: Insufficient cpu"). Ownership is the live cluster's owner index
// (controller references), as the garbage collector and `kubectl describe` follow it. No `vscode` import.
import * as l10n from '../l10n.ts';
import { LIVE_RESOURCES, type KubeObject, type LiveKind } from '../resources.ts';
import { created, byName, cmp, contextValue, GREEN, GREY, loading, namespacesOf, objId, printed, RED, refOfObj, unavailableRow, YELLOW, type ViewOptions, type ViewSource } from './format.ts';
import { podRow, sortPods } from './pods.ts';
import type { Icon, Row } from './rows.ts';

const WORKLOAD_KINDS: LiveKind[] = ['deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'pods'];

/** The objects of `kind` that `owner` controls (its controller ownerReference), sorted by name. */
function owned(src: ViewSource, owner: KubeObject, kind: LiveKind): KubeObject[] {
  const uid = owner.metadata?.uid;
  if (!uid) return [];
  return src
    .ownedBy(uid)
    .filter((o) => o.kind === kind && (o.obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller))
    .map((o) => o.obj)
    .sort(byName);
}

/** Whether an object has a controller the views know (then it is shown under it, not on its own). */
function controlledBy(src: ViewSource, obj: KubeObject, kinds: string[]): boolean {
  const c = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller);
  if (!c || !kinds.includes(c.kind)) return false;
  const kind = Object.entries(LIVE_RESOURCES).find(([, r]) => r.kind === c.kind)?.[0] as LiveKind | undefined;
  const owner = kind ? src.get(kind, obj.metadata?.namespace, c.name) : undefined;
  return !!owner && owner.metadata?.uid === c.uid;
}

const pods = (src: ViewSource, owner: KubeObject, opts: ViewOptions): Row[] => sortPods(owned(src, owner, 'pods')).map((p) => podRow(p, opts, { node: true }));

/** Green when every wanted replica is ready, yellow while not, grey when none is wanted, red on a failure condition. */
function healthIcon(id: string, ready: number, desired: number, failed = false): Icon {
  return { id, color: failed ? RED : desired === 0 ? GREY : ready >= desired ? GREEN : YELLOW };
}

const conditionOf = (obj: KubeObject, type: string): { status?: string; reason?: string; message?: string } | undefined =>
  (obj.status?.conditions ?? []).find((c: { type?: string }) => c.type === type);

/** A controller's failure to make pods (ReplicaFailure: quota, LimitRange, admission) in the apiserver's words. */
function replicaFailure(obj: KubeObject): string | undefined {
  const c = conditionOf(obj, 'ReplicaFailure');
  return c?.status === 'True' ? (c.message ?? c.reason) : undefined;
}

function withTooltip(kind: string, obj: KubeObject, lines: (string | false | undefined)[], _opts: ViewOptions): string {
  return [`${kind} ${obj.metadata?.namespace}/${obj.metadata?.name}`, ...lines, `Created: ${created(obj.metadata?.creationTimestamp)}`].filter(Boolean).join('\n');
}

const revision = (o: KubeObject) => Number(o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

export function replicaSetRow(src: ViewSource, rs: KubeObject, opts: ViewOptions): Row {
  const c = printed('replicasets', rs, opts.now);
  const desired = Number(c.Desired);
  const ready = Number(c.Ready);
  const failure = replicaFailure(rs);
  const rev = revision(rs);
  return {
    id: objId('replicasets', rs),
    label: rs.metadata?.name ?? '',
    name: rs.metadata?.name,
    description: [rev ? `revision ${rev}` : '', `${ready}/${desired} ready`, failure].filter(Boolean).join(' · '),
    tooltip: withTooltip('ReplicaSet', rs, [`Desired: ${c.Desired}, current: ${c.Current}, ready: ${c.Ready}`, rev ? `Revision: ${rev}` : '', `Images: ${c.Images}`, failure && `ReplicaFailure: ${failure}`], opts),
    icon: healthIcon('copy', ready, desired, !!failure),
    contextValue: contextValue('ReplicaSet'),
    ref: refOfObj('replicasets', rs),
    children: pods(src, rs, opts),
  };
}

export function deploymentRow(src: ViewSource, d: KubeObject, opts: ViewOptions): Row {
  const c = printed('deployments', d, opts.now);
  const [ready, desired] = c.Ready.split('/').map(Number);
  const paused = !!d.spec?.paused;
  const progressing = conditionOf(d, 'Progressing');
  const deadline = progressing?.status === 'False' ? progressing.reason : undefined;
  const replicaSets = owned(src, d, 'replicasets').sort((a, b) => revision(b) - revision(a) || byName(a, b));
  const failure = replicaFailure(d) ?? replicaSets.map(replicaFailure).find(Boolean);
  return {
    id: objId('deployments', d),
    label: d.metadata?.name ?? '',
    name: d.metadata?.name,
    description: [`${c.Ready} ready`, paused && 'paused', deadline, failure].filter(Boolean).join(' · '),
    tooltip: withTooltip(
      'Deployment',
      d,
      [`Ready: ${c.Ready}, up-to-date: ${c['Up-to-date']}, available: ${c.Available}`, `Strategy: ${d.spec?.strategy?.type ?? 'RollingUpdate'}`, `Images: ${c.Images}`, paused && 'Rollout paused', deadline && `Progressing=False: ${progressing?.message ?? deadline}`, failure && `ReplicaFailure: ${failure}`],
      opts,
    ),
    icon: healthIcon('layers', ready, desired, !!deadline || !!failure),
    contextValue: contextValue('Deployment', paused && 'paused'),
    ref: refOfObj('deployments', d),
    children: replicaSets.map((rs) => replicaSetRow(src, rs, opts)),
  };
}

function daemonSetRow(src: ViewSource, ds: KubeObject, opts: ViewOptions): Row {
  const c = printed('daemonsets', ds, opts.now);
  const desired = Number(c.Desired);
  const ready = Number(c.Ready);
  return {
    id: objId('daemonsets', ds),
    label: ds.metadata?.name ?? '',
    name: ds.metadata?.name,
    description: `${ready}/${desired} ready`,
    tooltip: withTooltip('DaemonSet', ds, [`Desired: ${c.Desired}, current: ${c.Current}, ready: ${c.Ready}, up-to-date: ${c['Up-to-date']}, available: ${c.Available}`, `Node selector: ${c['Node Selector']}`, `Images: ${c.Images}`], opts),
    icon: healthIcon('server-process', ready, desired),
    contextValue: contextValue('DaemonSet'),
    ref: refOfObj('daemonsets', ds),
    children: pods(src, ds, opts),
  };
}

/** A StatefulSet's pods in ordinal order (web-0, web-1, ..., web-10). */
const ordinal = (p: KubeObject) => Number(/-(\d+)$/.exec(p.metadata?.name ?? '')?.[1] ?? 0);

function statefulSetRow(src: ViewSource, ss: KubeObject, opts: ViewOptions): Row {
  const c = printed('statefulsets', ss, opts.now);
  const [ready, desired] = c.Ready.split('/').map(Number);
  const failure = replicaFailure(ss);
  return {
    id: objId('statefulsets', ss),
    label: ss.metadata?.name ?? '',
    name: ss.metadata?.name,
    description: [`${c.Ready} ready`, failure].filter(Boolean).join(' · '),
    tooltip: withTooltip('StatefulSet', ss, [`Ready: ${c.Ready}`, `Service: ${ss.spec?.serviceName ?? ''}`, `Images: ${c.Images}`], opts),
    icon: healthIcon('database', ready, desired, !!failure),
    contextValue: contextValue('StatefulSet'),
    ref: refOfObj('statefulsets', ss),
    children: owned(src, ss, 'pods')
      .sort((a, b) => ordinal(a) - ordinal(b))
      .map((p) => podRow(p, opts, { node: true })),
  };
}

export function jobRow(src: ViewSource, job: KubeObject, opts: ViewOptions): Row {
  const c = printed('jobs', job, opts.now);
  const color = c.Status === 'Complete' ? GREEN : c.Status === 'Failed' || c.Status === 'FailureTarget' ? RED : c.Status === 'Running' ? YELLOW : GREY;
  const failed = conditionOf(job, 'Failed');
  return {
    id: objId('jobs', job),
    label: job.metadata?.name ?? '',
    name: job.metadata?.name,
    description: [c.Status, c.Completions, c.Duration].filter(Boolean).join(' · '),
    tooltip: withTooltip('Job', job, [`Status: ${c.Status}`, `Completions: ${c.Completions}`, c.Duration && `Duration: ${c.Duration}`, failed?.status === 'True' && `Failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim(), `Images: ${c.Images}`], opts),
    icon: { id: 'run', color },
    contextValue: contextValue('Job', c.Status === 'Suspended' && 'suspended'),
    ref: refOfObj('jobs', job),
    children: pods(src, job, opts),
  };
}

function cronJobRow(src: ViewSource, cj: KubeObject, opts: ViewOptions): Row {
  const c = printed('cronjobs', cj, opts.now);
  const suspended = c.Suspend === 'True';
  const active = Number(c.Active);
  const jobs = owned(src, cj, 'jobs').sort((a, b) => cmp(b.metadata?.creationTimestamp ?? '', a.metadata?.creationTimestamp ?? '') || byName(a, b));
  return {
    id: objId('cronjobs', cj),
    label: cj.metadata?.name ?? '',
    name: cj.metadata?.name,
    description: [c.Schedule, suspended && 'suspended', active ? `${active} active` : '', c['Last Schedule'] !== '<none>' ? `last ${c['Last Schedule']} ago` : 'never scheduled'].filter(Boolean).join(' · '),
    tooltip: withTooltip('CronJob', cj, [`Schedule: ${c.Schedule}${c.Timezone !== '<none>' ? ` (${c.Timezone})` : ''}`, `Suspend: ${c.Suspend}`, `Active: ${c.Active}`, `Last schedule: ${c['Last Schedule']}`, `Images: ${c.Images}`], opts),
    icon: { id: 'history', color: suspended ? GREY : active ? YELLOW : GREEN },
    contextValue: contextValue('CronJob', suspended && 'suspended'),
    ref: refOfObj('cronjobs', cj),
    children: jobs.map((j) => jobRow(src, j, opts)),
  };
}

function replicationControllerRow(src: ViewSource, rc: KubeObject, opts: ViewOptions): Row {
  const c = printed('replicationcontrollers', rc, opts.now);
  const desired = Number(c.Desired);
  const ready = Number(c.Ready);
  const failure = replicaFailure(rc);
  return {
    id: objId('replicationcontrollers', rc),
    label: rc.metadata?.name ?? '',
    name: rc.metadata?.name,
    description: [`${ready}/${desired} ready`, failure].filter(Boolean).join(' · '),
    tooltip: withTooltip('ReplicationController', rc, [`Desired: ${c.Desired}, current: ${c.Current}, ready: ${c.Ready}`, `Images: ${c.Images}`, failure && `ReplicaFailure: ${failure}`], opts),
    icon: healthIcon('copy', ready, desired, !!failure),
    contextValue: contextValue('ReplicationController'),
    ref: refOfObj('replicationcontrollers', rc),
    children: pods(src, rc, opts),
  };
}

interface Group {
  kind: LiveKind;
  label: string;
  icon: string;
  /** The objects shown at the group's level (not those shown under their controller). */
  roots(src: ViewSource, ns: string): KubeObject[];
  row(src: ViewSource, obj: KubeObject, opts: ViewOptions): Row;
}

const all = (kind: LiveKind) => (src: ViewSource, ns: string) => src.list(kind, ns).sort(byName);

const GROUPS: Group[] = [
  { kind: 'deployments', label: 'Deployments', icon: 'layers', roots: all('deployments'), row: deploymentRow },
  { kind: 'daemonsets', label: 'DaemonSets', icon: 'server-process', roots: all('daemonsets'), row: daemonSetRow },
  { kind: 'statefulsets', label: 'StatefulSets', icon: 'database', roots: all('statefulsets'), row: statefulSetRow },
  {
    kind: 'replicasets',
    label: 'ReplicaSets',
    icon: 'copy',
    roots: (src, ns) => all('replicasets')(src, ns).filter((rs) => !controlledBy(src, rs, ['Deployment'])),
    row: replicaSetRow,
  },
  { kind: 'cronjobs', label: 'CronJobs', icon: 'history', roots: all('cronjobs'), row: cronJobRow },
  { kind: 'jobs', label: 'Jobs', icon: 'run', roots: (src, ns) => all('jobs')(src, ns).filter((j) => !controlledBy(src, j, ['CronJob'])), row: jobRow },
  { kind: 'replicationcontrollers', label: 'ReplicationControllers', icon: 'copy', roots: all('replicationcontrollers'), row: replicationControllerRow },
  {
    kind: 'pods',
    label: 'Pods',
    icon: 'symbol-constant',
    // Pods no workload of this view controls: bare pods, static pods, pods of custom controllers.
    roots: (src, ns) => sortPods(src.list('pods', ns).filter((p) => !controlledBy(src, p, ['ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'ReplicationController']))),
    row: (_src, p, opts) => podRow(p, opts, { node: true }),
  },
];

function groupsOf(src: ViewSource, ns: string, opts: ViewOptions): Row[] {
  const out: Row[] = [];
  for (const g of GROUPS) {
    const objs = g.roots(src, ns);
    if (!objs.length) continue;
    out.push({
      id: `group:${g.kind}`,
      label: g.label,
      description: String(objs.length),
      icon: { id: g.icon },
      contextValue: `group.${LIVE_RESOURCES[g.kind].kind}`,
      children: objs.map((o) => g.row(src, o, opts)),
      expanded: true,
    });
  }
  return out;
}

export function workloadRows(src: ViewSource, opts: ViewOptions): Row[] {
  if (WORKLOAD_KINDS.every((k) => loading(src, k))) return [{ id: 'loading', label: l10n.t('Loading…'), icon: { id: 'loading~spin' } }];
  const rows: Row[] = WORKLOAD_KINDS.map((k) => unavailableRow(src, k)).filter((r) => r !== undefined);
  if (opts.namespace !== undefined) {
    const groups = groupsOf(src, opts.namespace, opts);
    if (!groups.length) rows.push({ id: 'empty', label: l10n.t('No workloads in namespace {0}', opts.namespace), icon: { id: 'info' } });
    return [...rows, ...groups];
  }
  const objects = WORKLOAD_KINDS.flatMap((k) => src.list(k));
  for (const ns of namespacesOf(objects)) {
    const children = groupsOf(src, ns, opts);
    if (!children.length) continue;
    const nsObj = src.get('namespaces', undefined, ns);
    const terminating = nsObj?.status?.phase === 'Terminating';
    rows.push({
      id: `Namespace:${ns}`,
      label: ns,
      name: ns,
      description: terminating ? 'Terminating' : undefined,
      tooltip: `Namespace ${ns}${terminating ? ' (Terminating)' : ''}`,
      icon: { id: 'symbol-namespace', color: terminating ? GREY : undefined },
      contextValue: contextValue('Namespace', terminating && 'terminating'),
      ref: { apiVersion: 'v1', kind: 'Namespace', name: ns, uid: nsObj?.metadata?.uid },
      children,
      // kube-system's controllers are there on every cluster: the user's own namespaces open first.
      expanded: ns !== 'kube-system' && !ns.startsWith('kube-'),
    });
  }
  return rows;
}
