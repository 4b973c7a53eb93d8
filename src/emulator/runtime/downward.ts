// The downward API (pkg/fieldpath ExtractFieldPathAsString, pkg/api/v1/resource
// ExtractContainerResourceValue): the values of fieldRef and resourceFieldRef, shared by
// environment variables (kubelet/env.ts) and downwardAPI/projected volume files (volumes.ts).

import type { Obj } from '../api/objects.ts';
import { parseQuantity, QuantityError, toMilli } from '../api/quantity.ts';

/** The value of a downward API field path (pkg/fieldpath ExtractFieldPathAsString + podFieldSelectorRuntimeValue). */
export function fieldPathValue(pod: Obj, path: string, podIP: string | undefined, hostIP: string): string | undefined {
  const m = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return (m[sub[1]] ?? {})[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
    case 'metadata.annotations': {
      const map: Record<string, string> = m[path.slice('metadata.'.length)] ?? {};
      return Object.keys(map)
        .sort()
        .map((k) => `${k}=${JSON.stringify(map[k])}`)
        .join('\n');
    }
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return podIP ?? '';
    default:
      return undefined;
  }
}

/** resourceFieldRef: the container's limit (the node's allocatable when unset) or request, divided and rounded up. */
export function resourceFieldValue(pod: Obj, container: Obj, ref: Obj, allocatable: Record<string, string>): string {
  const target = ref.containerName ? [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])].find((c: Obj) => c.name === ref.containerName) ?? container : container;
  const [kind, resource] = String(ref.resource ?? '').split('.', 2) as [string, string];
  const res = target.resources ?? {};
  let q: string | undefined = kind === 'limits' ? res.limits?.[resource] : kind === 'requests' ? res.requests?.[resource] : undefined;
  if (q === undefined && kind === 'limits') q = allocatable[resource];
  const divisor = ref.divisor ?? '1';
  try {
    if (resource === 'cpu') return String(Math.ceil((q === undefined ? 0 : toMilli(q)) / Math.max(1, toMilli(divisor))));
    return String(Math.ceil((q === undefined ? 0 : parseQuantity(q)) / (parseQuantity(divisor) || 1)));
  } catch (e) {
    // Validation keeps quantities well-formed; a node's odd allocatable reads as 0.
    if (e instanceof QuantityError) return '0';
    throw e;
  }
}
