// Cluster DNS as CoreDNS's kubernetes plugin answers it (coredns/plugin/kubernetes, the records of
// the Kubernetes DNS specification, github.com/kubernetes/dns docs/specification.md), with the
// Corefile minikube deploys: `kubernetes cluster.local ... { pods insecure }`, `loadbalance`
// (answers rotate), and `hosts { 192.168.49.1 host.minikube.internal }`. There is no upstream
// (`forward . /etc/resolv.conf`): names outside the cluster do not resolve.
//
// Records:
// - <svc>.<ns>.svc.cluster.local: the ClusterIP; for a headless Service the addresses of its
//   ready endpoints (every one, rotated); for an ExternalName Service a CNAME to spec.externalName;
// - <hostname>.<svc>.<ns>.svc.cluster.local: an endpoint of a headless Service, by its hostname
//   (pods with hostname and subdomain, StatefulSets) or its dashed IP;
// - <a-b-c-d>.<ns>.pod.cluster.local: a.b.c.d (`pods insecure`: answered without a lookup).
// Names are looked up as a pod's resolv.conf has it: `search <ns>.svc.cluster.local
// svc.cluster.local cluster.local`, `options ndots:5`; so `web`, `web.ns`, `web.ns.svc` and
// `kubernetes.default` all resolve.

import type { Obj } from '../api/objects.ts';
import type { Informer } from '../client/informer.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
/** The host as the minikube network sees it (host.minikube.internal). */
export const HOST_IP = '192.168.49.1';

export interface DNSAnswer {
  /** The fully qualified name that answered (after the search list), without the final dot. */
  name: string;
  /** The CNAME target, for an ExternalName Service. */
  cname?: string;
  /** A records (after following the CNAME within the cluster). */
  addresses: string[];
  /** A headless Service's answer: each address's own record (`<hostname or dashed IP>.<svc>...`), its PTR. */
  ptrs?: string[];
}

export function isIPv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((p) => Number(p) <= 255);
}

export class ClusterDNS {
  private readonly rotation = new Map<string, number>();

  constructor(
    private readonly services: Informer,
    private readonly slices: Informer,
  ) {}

  resolve(name: string, namespace: string): string | undefined {
    return this.lookup(name, namespace)?.addresses[0];
  }

  /** The answer for a name as looked up from a pod of `namespace`, or undefined (NXDOMAIN or no address). */
  lookup(name: string, namespace: string): DNSAnswer | undefined {
    if (typeof name !== 'string') return undefined;
    let n = name.trim().toLowerCase();
    if (!n || n.length > 253) return undefined;
    if (isIPv4(n)) return { name: n, addresses: [n] };
    const absolute = n.endsWith('.');
    if (absolute) n = n.slice(0, -1);
    if (n === 'localhost') return { name: n, addresses: ['127.0.0.1'] };
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(n)) return undefined;
    let candidates: string[];
    if (absolute) candidates = [n];
    else {
      const search = [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN];
      const expanded = search.map((s) => `${n}.${s}`);
      const dots = n.split('.').length - 1;
      candidates = dots >= 5 ? [n, ...expanded] : [...expanded, n];
    }
    for (const c of candidates) {
      const a = this.answer(c, 0);
      if (a && a.addresses.length) return a;
      if (a?.cname) return a; // an ExternalName whose target does not resolve: the CNAME alone
    }
    return undefined;
  }

  /** The records of one fully qualified name. */
  private answer(fqdn: string, depth: number): DNSAnswer | undefined {
    if (fqdn === 'host.minikube.internal') return { name: fqdn, addresses: [HOST_IP] };
    const suffix = `.${CLUSTER_DOMAIN}`;
    if (!fqdn.endsWith(suffix)) return undefined;
    const labels = fqdn.slice(0, -suffix.length).split('.');
    const kind = labels[labels.length - 1];
    if (kind === 'pod' && labels.length === 3) {
      const ip = labels[0].replace(/-/g, '.');
      return isIPv4(ip) && labels[0].split('-').length === 4 ? { name: fqdn, addresses: [ip] } : undefined;
    }
    if (kind !== 'svc') return undefined;
    if (labels.length === 3) return this.serviceRecord(fqdn, labels[1], labels[0], depth);
    if (labels.length === 4) {
      const svc = this.services.get(labels[2], labels[1]);
      if (!svc || svc.spec?.clusterIP !== 'None') return undefined;
      const host = labels[0];
      const addrs = this.endpointAddresses(svc).filter((e) => (e.hostname ?? e.ip.replace(/\./g, '-')) === host).map((e) => e.ip);
      return addrs.length ? { name: fqdn, addresses: addrs } : undefined;
    }
    return undefined;
  }

  private serviceRecord(fqdn: string, ns: string, name: string, depth: number): DNSAnswer | undefined {
    const svc = this.services.get(ns, name);
    if (!svc) return undefined;
    if (svc.spec?.type === 'ExternalName') {
      const target = String(svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '');
      if (!target) return undefined;
      // CoreDNS answers the CNAME, and its A records when the target is in the cluster's zone.
      const inner = depth < 8 ? this.answer(target, depth + 1) : undefined;
      return { name: fqdn, cname: target, addresses: inner?.addresses ?? (isIPv4(target) ? [target] : []) };
    }
    const clusterIP = svc.spec?.clusterIP;
    if (clusterIP && clusterIP !== 'None') return { name: fqdn, addresses: [clusterIP] };
    // Headless: every ready endpoint, rotated as the loadbalance plugin does.
    const host = new Map<string, string>();
    for (const e of this.endpointAddresses(svc)) if (!host.has(e.ip)) host.set(e.ip, `${e.hostname ?? e.ip.replace(/\./g, '-')}.${fqdn}`);
    const ips = [...host.keys()];
    if (ips.length === 0) return { name: fqdn, addresses: [] };
    const n = this.rotation.get(fqdn) ?? 0;
    this.rotation.set(fqdn, (n + 1) % ips.length);
    const addresses = [...ips.slice(n % ips.length), ...ips.slice(0, n % ips.length)];
    return { name: fqdn, addresses, ptrs: addresses.map((ip) => host.get(ip)!) };
  }

  /** A headless Service's ready endpoint addresses (with their hostnames) from its slices. */
  private endpointAddresses(svc: Obj): { ip: string; hostname?: string }[] {
    const out: { ip: string; hostname?: string }[] = [];
    for (const slice of this.slices.byIndex('service', `${svc.metadata.namespace}/${svc.metadata.name}`)) {
      if (slice.addressType !== 'IPv4') continue;
      for (const e of slice.endpoints ?? []) {
        if (e?.conditions?.ready === false) continue;
        for (const ip of e?.addresses ?? []) out.push({ ip, hostname: e.hostname });
      }
    }
    return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  }
}
