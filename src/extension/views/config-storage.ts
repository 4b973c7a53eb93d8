// The Config and Storage view: per namespace, ConfigMaps and Secrets (names and key counts, never a
// value), PersistentVolumeClaims (status, capacity, bound volume), ResourceQuotas with their usage
// (used/hard per resource, as `kubectl describe quota`) and LimitRanges (per type and resource, as
// `kubectl describe limitrange`); then the cluster's PersistentVolumes. No `vscode` import.
import { parseQuantity } from '../../emulator/api/quantity.ts';
import * as l10n from '../l10n.ts';
import type { KubeObject, LiveKind } from '../live.ts';
import { created, byName, cmp, contextValue, GREEN, GREY, loading, namespacesOf, objId, printed, RED, refOfObj, unavailableRow, YELLOW, type ViewOptions, type ViewSource } from './format.ts';
import type { Icon, Row } from './rows.ts';

const NAMESPACED: LiveKind[] = ['configmaps', 'secrets', 'persistentvolumeclaims', 'resourcequotas', 'limitranges'];

const keyCount = (o: KubeObject) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length;
const keys = (n: number) => (n === 1 ? l10n.t('1 key') : l10n.t('{0} keys', n));

function configMapRow(cm: KubeObject, _opts: ViewOptions): Row {
  const n = keyCount(cm);
  return {
    id: objId('configmaps', cm),
    label: cm.metadata?.name ?? '',
    name: cm.metadata?.name,
    description: keys(n),
    tooltip: [`ConfigMap ${cm.metadata?.namespace}/${cm.metadata?.name}`, `Keys: ${[...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})].sort().join(', ') || '<none>'}`, `Created: ${created(cm.metadata?.creationTimestamp)}`].join('\n'),
    icon: { id: 'settings' },
    contextValue: contextValue('ConfigMap'),
    ref: refOfObj('configmaps', cm),
  };
}

/** A Secret's name, type and number of keys: its data (even the key names) stays in the details panel. */
function secretRow(s: KubeObject, opts: ViewOptions): Row {
  const c = printed('secrets', s, opts.now);
  return {
    id: objId('secrets', s),
    label: s.metadata?.name ?? '',
    name: s.metadata?.name,
    description: `${c.Type} · ${keys(Number(c.Data))}`,
    tooltip: `Secret ${s.metadata?.namespace}/${s.metadata?.name}\nType: ${c.Type}\n${l10n.t('Data: {0} keys (values hidden)', c.Data)}\nCreated: ${created(s.metadata?.creationTimestamp)}`,
    icon: { id: 'key' },
    contextValue: contextValue('Secret'),
    ref: refOfObj('secrets', s),
  };
}

const phaseColor = (phase: string) => (phase === 'Bound' ? GREEN : phase === 'Pending' || phase === 'Released' ? YELLOW : phase === 'Available' ? undefined : RED);

function pvcRow(pvc: KubeObject, opts: ViewOptions): Row {
  const c = printed('persistentvolumeclaims', pvc, opts.now);
  const requested = pvc.spec?.resources?.requests?.storage;
  return {
    id: objId('persistentvolumeclaims', pvc),
    label: pvc.metadata?.name ?? '',
    name: pvc.metadata?.name,
    description: [c.Status, c.Capacity || requested, c.Volume].filter(Boolean).join(' · '),
    tooltip: [
      `PersistentVolumeClaim ${pvc.metadata?.namespace}/${pvc.metadata?.name}`,
      `Status: ${c.Status}`,
      `Volume: ${c.Volume || '<none>'}`,
      `Capacity: ${c.Capacity || '<none>'} (requested ${requested ?? '?'})`,
      `Access modes: ${c['Access Modes'] || '<none>'}`,
      `StorageClass: ${c.StorageClass || '<none>'}`,
      `Created: ${created(pvc.metadata?.creationTimestamp)}`,
    ].join('\n'),
    icon: { id: 'database', color: phaseColor(c.Status) },
    contextValue: contextValue('PersistentVolumeClaim', c.Status),
    ref: refOfObj('persistentvolumeclaims', pvc),
  };
}

function pvRow(pv: KubeObject, opts: ViewOptions): Row {
  const c = printed('persistentvolumes', pv, opts.now);
  return {
    id: objId('persistentvolumes', pv),
    label: pv.metadata?.name ?? '',
    name: pv.metadata?.name,
    description: [c.Status, c.Capacity, c['Access Modes'], c['Reclaim Policy'], c.Claim].filter(Boolean).join(' · '),
    tooltip: [
      `PersistentVolume ${pv.metadata?.name}`,
      `Status: ${c.Status}${c.Reason ? ` (${c.Reason})` : ''}`,
      `Claim: ${c.Claim || '<none>'}`,
      `Capacity: ${c.Capacity}`,
      `Access modes: ${c['Access Modes']}`,
      `Reclaim policy: ${c['Reclaim Policy']}`,
      `StorageClass: ${c.StorageClass || '<none>'}`,
      `Created: ${created(pv.metadata?.creationTimestamp)}`,
    ].join('\n'),
    icon: { id: 'database', color: phaseColor(c.Status) },
    contextValue: contextValue('PersistentVolume', c.Status),
    ref: refOfObj('persistentvolumes', pv),
  };
}

function ratio(used: unknown, hard: unknown): number | undefined {
  try {
    const h = parseQuantity(String(hard));
    return h > 0 ? parseQuantity(String(used ?? 0)) / h : parseQuantity(String(used ?? 0)) > 0 ? Infinity : 0;
  } catch {
    return undefined;
  }
}

/** Red when a resource is used up (the next create is refused), yellow from 80 %. */
function usageIcon(r: number | undefined): Icon {
  return { id: 'dashboard', color: r === undefined ? undefined : r >= 1 ? RED : r >= 0.8 ? YELLOW : GREEN };
}

export function quotaRow(rq: KubeObject, _opts?: ViewOptions): Row {
  const hard: Record<string, string> = rq.status?.hard ?? rq.spec?.hard ?? {};
  const used: Record<string, string> = rq.status?.used ?? {};
  const resources = Object.keys(hard).sort(cmp);
  const ratios = resources.map((r) => ratio(used[r] ?? '0', hard[r]));
  const worst = Math.max(0, ...ratios.filter((x): x is number => x !== undefined));
  const children: Row[] = resources.map((r, i) => ({
    id: `resource:${r}`,
    label: r,
    description: `${used[r] ?? '0'}/${hard[r]}`,
    tooltip: `${r}: used ${used[r] ?? '0'} of ${hard[r]}`,
    icon: usageIcon(ratios[i]),
    contextValue: 'quotaResource',
  }));
  return {
    id: objId('resourcequotas', rq),
    label: rq.metadata?.name ?? '',
    name: rq.metadata?.name,
    description: resources.map((r) => `${r} ${used[r] ?? '0'}/${hard[r]}`).join(', '),
    tooltip: [`ResourceQuota ${rq.metadata?.namespace}/${rq.metadata?.name}`, 'Resource  Used  Hard', ...resources.map((r) => `${r}  ${used[r] ?? '0'}  ${hard[r]}`)].join('\n'),
    icon: usageIcon(resources.length ? worst : undefined),
    contextValue: contextValue('ResourceQuota'),
    ref: refOfObj('resourcequotas', rq),
    children,
  };
}

const LIMIT_FIELDS = ['min', 'max', 'defaultRequest', 'default', 'maxLimitRequestRatio'] as const;

export function limitRangeRow(lr: KubeObject, _opts?: ViewOptions): Row {
  const children: Row[] = [];
  for (const [i, item] of ((lr.spec?.limits ?? []) as Record<string, any>[]).entries()) {
    const resources = new Set<string>();
    for (const f of LIMIT_FIELDS) for (const r of Object.keys(item[f] ?? {})) resources.add(r);
    for (const r of [...resources].sort(cmp)) {
      const parts = LIMIT_FIELDS.filter((f) => item[f]?.[r] !== undefined).map((f) => `${f} ${item[f][r]}`);
      children.push({
        id: `limit:${i}:${item.type}:${r}`,
        label: `${item.type} ${r}`,
        description: parts.join(' · '),
        tooltip: `${item.type} ${r}: ${parts.join(', ')}`,
        icon: { id: 'symbol-ruler' },
        contextValue: 'limitRangeItem',
      });
    }
  }
  return {
    id: objId('limitranges', lr),
    label: lr.metadata?.name ?? '',
    name: lr.metadata?.name,
    description: [...new Set(((lr.spec?.limits ?? []) as { type?: string }[]).map((l) => l.type))].join(', '),
    tooltip: `LimitRange ${lr.metadata?.namespace}/${lr.metadata?.name}\nCreated: ${created(lr.metadata?.creationTimestamp)}`,
    icon: { id: 'symbol-ruler' },
    contextValue: contextValue('LimitRange'),
    ref: refOfObj('limitranges', lr),
    children,
  };
}

const GROUPS: { kind: LiveKind; label: string; icon: string; row: (o: KubeObject, opts: ViewOptions) => Row }[] = [
  { kind: 'configmaps', label: 'ConfigMaps', icon: 'settings', row: configMapRow },
  { kind: 'secrets', label: 'Secrets', icon: 'key', row: secretRow },
  { kind: 'persistentvolumeclaims', label: 'PersistentVolumeClaims', icon: 'database', row: pvcRow },
  { kind: 'resourcequotas', label: 'ResourceQuotas', icon: 'dashboard', row: quotaRow },
  { kind: 'limitranges', label: 'LimitRanges', icon: 'symbol-ruler', row: limitRangeRow },
];

function groupsOf(src: ViewSource, ns: string, opts: ViewOptions): Row[] {
  const out: Row[] = [];
  for (const g of GROUPS) {
    const objs = src.list(g.kind, ns).sort(byName);
    if (!objs.length) continue;
    out.push({
      id: `group:${g.kind}`,
      label: g.label,
      description: String(objs.length),
      icon: { id: g.icon },
      contextValue: `group.${g.label}`,
      children: objs.map((o) => g.row(o, opts)),
      // Every namespace has a kube-root-ca.crt ConfigMap: the group opens only when there is more.
      expanded: g.kind !== 'configmaps' || objs.length > 1,
    });
  }
  return out;
}

export function configStorageRows(src: ViewSource, opts: ViewOptions): Row[] {
  if (NAMESPACED.every((k) => loading(src, k))) return [{ id: 'loading', label: l10n.t('Loading…'), icon: { id: 'loading~spin' } }];
  const rows: Row[] = [...NAMESPACED, 'persistentvolumes' as const].map((k) => unavailableRow(src, k)).filter((r) => r !== undefined);
  if (opts.namespace !== undefined) {
    rows.push(...groupsOf(src, opts.namespace, opts));
  } else {
    for (const ns of namespacesOf(NAMESPACED.flatMap((k) => src.list(k)))) {
      const children = groupsOf(src, ns, opts);
      rows.push({
        id: `Namespace:${ns}`,
        label: ns,
        name: ns,
        icon: { id: 'symbol-namespace' },
        contextValue: contextValue('Namespace'),
        ref: { apiVersion: 'v1', kind: 'Namespace', name: ns },
        children,
        expanded: ns !== 'kube-system' && !ns.startsWith('kube-'),
      });
    }
  }
  const pvs = src.list('persistentvolumes').sort(byName);
  // With a namespace filter, the volumes its claims are bound to; otherwise all of them.
  const shown = opts.namespace === undefined ? pvs : pvs.filter((pv) => pv.spec?.claimRef?.namespace === opts.namespace);
  if (shown.length) {
    rows.push({
      id: 'group:persistentvolumes',
      label: 'PersistentVolumes',
      description: String(shown.length),
      tooltip: opts.namespace !== undefined ? l10n.t('Cluster-scoped volumes bound to claims of namespace {0}', opts.namespace) : l10n.t('Cluster-scoped volumes'),
      icon: { id: 'database', color: GREY },
      contextValue: 'group.PersistentVolumes',
      children: shown.map((pv) => pvRow(pv, opts)),
      expanded: true,
    });
  }
  return rows;
}
