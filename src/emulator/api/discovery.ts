// Discovery documents: legacy (/api, /apis, /api/v1, /apis/g/v) and aggregated
// (apidiscovery.k8s.io/v2), as k8s.io/apiserver/pkg/endpoints/discovery serves them.

import { apiVersionOf, type Registry, type ResourceDef } from './registry.ts';
import { compareKubeVersions } from './custom-resources.ts';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** What kind a subresource answers with, and the verbs it takes. */
function subresourceInfo(def: ResourceDef, sub: string): { group: string; version: string; kind: string; verbs: string[] } {
  switch (sub) {
    case 'status':
      return { group: def.group, version: def.version, kind: def.kind, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'log':
      return { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'finalize':
      return { group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] };
    case 'proxy':
      return { group: '', version: 'v1', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    default:
      return { group: def.group, version: def.version, kind: def.kind, verbs: ['get'] };
  }
}

export function apiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

function groupEntry(group: string, versions: string[]): object {
  const gv = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: gv, preferredVersion: gv[0] };
}

/**
 * The kinds of a group version: the registry's, and those of aggregated API servers (an
 * APIService's group, e.g. metrics-server's metrics.k8s.io) passed as `extra`.
 */
function defsIn(registry: Registry, group: string, version: string, extra: ResourceDef[]): ResourceDef[] {
  return [...registry.inGroupVersion(group, version), ...extra.filter((d) => d.group === group && d.version === version)];
}

function groupsOf(registry: Registry, extra: ResourceDef[] = []): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of [...registry.groupVersions(), ...extra]) {
    if (!group) continue;
    const vs = groups.get(group) ?? [];
    if (!vs.includes(version)) vs.push(version);
    groups.set(group, vs);
  }
  // Versions by Kubernetes' priority (GA, beta, alpha): the first is the preferred one (CRD groups too).
  for (const vs of groups.values()) vs.sort(compareKubeVersions);
  return groups;
}

export function apiGroupList(registry: Registry, extra: ResourceDef[] = []): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groupsOf(registry, extra)].map(([g, vs]) => groupEntry(g, vs)) };
}

export function apiGroup(registry: Registry, group: string, extra: ResourceDef[] = []): object | undefined {
  const vs = groupsOf(registry, extra).get(group);
  if (!vs) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, vs) };
}

export function apiResourceList(registry: Registry, group: string, version: string, extra: ResourceDef[] = []): object | undefined {
  const defs = defsIn(registry, group, version, extra);
  if (defs.length === 0) return undefined;
  const resources: object[] = [];
  for (const d of defs) {
    const r: Record<string, unknown> = { name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs };
    if (d.shortNames?.length) r.shortNames = d.shortNames;
    if (d.categories?.length) r.categories = d.categories;
    resources.push(r);
    for (const sub of d.subresources) {
      const info = subresourceInfo(d, sub);
      const s: Record<string, unknown> = { name: `${d.resource}/${sub}`, singularName: '', namespaced: d.namespaced, kind: info.kind, verbs: info.verbs };
      // Another group version than the parent's names both (endpoints/installer.go): kubectl drain
      // finds pods/eviction's policy/v1 this way (CheckEvictionSupport needs group and version).
      if (info.group !== d.group || info.version !== d.version) Object.assign(s, { group: info.group, version: info.version });
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function discoveryVersion(registry: Registry, group: string, version: string, extra: ResourceDef[] = []): object {
  return {
    version,
    freshness: 'Current',
    resources: defsIn(registry, group, version, extra).map((d) => {
      const r: Record<string, unknown> = {
        resource: d.resource,
        responseKind: { group: d.group, version: d.version, kind: d.kind },
        scope: d.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: d.singular,
        verbs: d.verbs,
      };
      if (d.shortNames?.length) r.shortNames = d.shortNames;
      if (d.categories?.length) r.categories = d.categories;
      if (d.subresources.length) {
        r.subresources = d.subresources.map((sub) => {
          const info = subresourceInfo(d, sub);
          return { subresource: sub, responseKind: { group: info.group, version: info.version, kind: info.kind }, verbs: info.verbs };
        });
      }
      return r;
    }),
  };
}

/** Aggregated discovery for /api (core) or /apis (every group). */
export function aggregated(registry: Registry, core: boolean, extra: ResourceDef[] = []): object {
  const items = core
    ? [{ metadata: { creationTimestamp: null }, versions: [discoveryVersion(registry, '', 'v1')] }]
    : [...groupsOf(registry, extra)].map(([g, vs]) => ({
        metadata: { name: g, creationTimestamp: null },
        versions: vs.map((v) => discoveryVersion(registry, g, v, extra)),
      }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
