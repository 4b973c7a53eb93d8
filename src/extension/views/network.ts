// The Network view: Services (kubectl's TYPE, CLUSTER-IP and PORT(S)) per namespace, each with its
// endpoints (the Endpoints object the endpoints controller keeps, ready and not-ready addresses) and
// the pods behind them. No `vscode` import.
import * as l10n from '../l10n.ts';
import type { KubeObject } from '../live.ts';
import { created, byName, contextValue, GREEN, GREY, loading, namespacesOf, objId, printed, refOfObj, unavailableRow, YELLOW, type ViewOptions, type ViewSource } from './format.ts';
import { podRow } from './pods.ts';
import type { Row } from './rows.ts';

interface Address {
  ip: string;
  ready: boolean;
  ports: string[];
  pod?: { namespace?: string; name: string; uid?: string };
  node?: string;
}

/** The addresses of an Endpoints object, one per IP, with the ports each serves. */
export function endpointAddresses(ep: KubeObject | undefined): Address[] {
  const byIp = new Map<string, Address>();
  for (const ss of ep?.subsets ?? []) {
    const ports: string[] = (ss.ports ?? []).map((p: { port?: number; protocol?: string; name?: string }) => `${p.port}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`);
    const add = (a: { ip?: string; nodeName?: string; targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string } }, ready: boolean) => {
      const ip = a.ip ?? '';
      const key = `${ip}|${ready}`;
      let entry = byIp.get(key);
      if (!entry) {
        entry = { ip, ready, ports: [], node: a.nodeName, pod: a.targetRef?.kind === 'Pod' && a.targetRef.name ? { namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid } : undefined };
        byIp.set(key, entry);
      }
      for (const p of ports) if (!entry.ports.includes(p)) entry.ports.push(p);
    };
    for (const a of ss.addresses ?? []) add(a, true);
    for (const a of ss.notReadyAddresses ?? []) add(a, false);
  }
  return [...byIp.values()].sort((a, b) => (a.pod?.name ?? a.ip).localeCompare(b.pod?.name ?? b.ip));
}

function addressRow(src: ViewSource, a: Address, opts: ViewOptions): Row {
  const where = `${a.ip}${a.ports.length ? ` → ${a.ports.join(', ')}` : ''}`;
  const state = a.ready ? l10n.t('ready') : l10n.t('not ready');
  const pod = a.pod ? src.get('pods', a.pod.namespace, a.pod.name) : undefined;
  if (pod) {
    const row = podRow(pod, opts, { node: true });
    return {
      ...row,
      id: `${row.id}|${a.ready}`,
      description: `${where} · ${state} · ${row.description}`,
      tooltip: `Endpoint ${where} (${state})\n\n${row.tooltip}`,
      icon: a.ready ? row.icon : { id: row.icon?.id ?? 'circle-large-outline', color: YELLOW },
    };
  }
  return {
    id: `ip:${a.ip}|${a.ready}`,
    label: a.pod?.name ?? a.ip,
    name: a.pod?.name,
    description: `${a.pod ? `${where} · ` : a.ports.join(', ') + ' · '}${state}`,
    tooltip: `Endpoint ${where} (${state})${a.pod ? `\nPod ${a.pod.namespace}/${a.pod.name}` : ''}${a.node ? `\nNode: ${a.node}` : ''}`,
    icon: { id: 'plug', color: a.ready ? GREEN : YELLOW },
    contextValue: a.pod ? contextValue('Pod') : 'endpoint',
    ref: a.pod ? { apiVersion: 'v1', kind: 'Pod', namespace: a.pod.namespace, name: a.pod.name, uid: a.pod.uid } : undefined,
  };
}

export function serviceRow(src: ViewSource, svc: KubeObject, opts: ViewOptions): Row {
  const c = printed('services', svc, opts.now);
  const ns = svc.metadata?.namespace;
  const name = svc.metadata?.name ?? '';
  const external = c.Type === 'ExternalName';
  const ep = src.get('endpoints', ns, name);
  const addresses = external ? [] : endpointAddresses(ep);
  const ready = addresses.filter((a) => a.ready).length;
  const selector = c.Selector && c.Selector !== '<none>' ? c.Selector : '';
  const endpointsFact = external
    ? `→ ${svc.spec?.externalName ?? ''}`
    : addresses.length === 0
      ? selector
        ? l10n.t('no endpoints')
        : l10n.t('no selector')
      : l10n.t('{0}/{1} endpoints ready', ready, addresses.length);
  const ip = c['Cluster-IP'];
  const children: Row[] = addresses.map((a) => addressRow(src, a, opts));
  if (!external && addresses.length === 0 && selector) {
    children.push({ id: 'none', label: l10n.t('No endpoints'), description: l10n.t('no ready pod matches {0}', selector), icon: { id: 'info', color: YELLOW } });
  }
  return {
    id: objId('services', svc),
    label: name,
    name,
    description: [c.Type, ip !== '<none>' ? ip : '', c['Port(s)'] !== '<none>' ? c['Port(s)'] : '', endpointsFact].filter(Boolean).join(' · '),
    tooltip: [
      `Service ${ns}/${name}`,
      `Type: ${c.Type}`,
      `Cluster IP: ${ip}`,
      c['External-IP'] !== '<none>' ? `External IP: ${c['External-IP']}` : '',
      `Ports: ${c['Port(s)']}`,
      `Selector: ${c.Selector}`,
      ep ? `Endpoints: ${printed('endpoints', ep, opts.now).Endpoints}` : '',
      `Created: ${created(svc.metadata?.creationTimestamp)}`,
    ]
      .filter(Boolean)
      .join('\n'),
    icon: { id: 'globe', color: external ? undefined : addresses.length === 0 ? (selector ? YELLOW : GREY) : ready === addresses.length ? GREEN : YELLOW },
    contextValue: contextValue('Service', c.Type),
    ref: refOfObj('services', svc),
    children,
  };
}

export function networkRows(src: ViewSource, opts: ViewOptions): Row[] {
  if (loading(src, 'services')) return [{ id: 'loading', label: l10n.t('Loading…'), icon: { id: 'loading~spin' } }];
  const rows: Row[] = (['services', 'endpoints'] as const).map((k) => unavailableRow(src, k)).filter((r) => r !== undefined);
  if (opts.namespace !== undefined) {
    const services = src.list('services', opts.namespace).sort(byName);
    if (!services.length) rows.push({ id: 'empty', label: l10n.t('No Services in namespace {0}', opts.namespace), icon: { id: 'info' } });
    return [...rows, ...services.map((s) => serviceRow(src, s, opts))];
  }
  for (const ns of namespacesOf(src.list('services'))) {
    const services = src.list('services', ns).sort(byName);
    rows.push({
      id: `Namespace:${ns}`,
      label: ns,
      name: ns,
      description: String(services.length),
      icon: { id: 'symbol-namespace' },
      contextValue: contextValue('Namespace'),
      ref: { apiVersion: 'v1', kind: 'Namespace', name: ns },
      children: services.map((s) => serviceRow(src, s, opts)),
      expanded: ns !== 'kube-system',
    });
  }
  return rows;
}
