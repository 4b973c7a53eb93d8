// Pod requests as the scheduler counts them (k8s.io/component-helpers/resource/helpers.go PodRequests,
// pkg/scheduler/framework/types.go NodeInfo.AddPod): the sum of the containers, the max with each
// init container (restartable "sidecar" init containers run alongside and add up), plus the pod's
// overhead. The "non-zero" flavour counts a container without a cpu or memory request as 100m /
// 200Mi (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest), for scoring only.

import type { Obj } from '../api/objects.ts';
import { parseQuantity } from '../api/quantity.ts';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** cpu in milli-units, the rest in base units (Quantity.MilliValue / Value, rounded up). */
export interface Res {
  cpu: number;
  memory: number;
  ephemeral: number;
  /** Extended resources, hugepages and the like (schedutil.IsScalarResourceName). */
  scalar: Map<string, number> | undefined;
}

export function emptyRes(): Res {
  return { cpu: 0, memory: 0, ephemeral: 0, scalar: undefined };
}

// Requests repeat the same few strings ("100m", "128Mi"): parsed once each (bounded memo).
const MEMO_MAX = 4096;
const quantities = new Map<string, number>();
const millis = new Map<string, number>();

function memo(m: Map<string, number>, q: unknown, parse: (q: unknown) => number): number {
  if (typeof q !== 'string') return parse(q);
  let v = m.get(q);
  if (v === undefined) {
    if (m.size >= MEMO_MAX) m.clear();
    m.set(q, (v = parse(q)));
  }
  return v;
}

function parseValue(q: unknown): number {
  try {
    return Math.ceil(parseQuantity(q as string));
  } catch {
    return 0;
  }
}

function parseMilli(q: unknown): number {
  try {
    return Math.ceil(Math.round(parseQuantity(q as string) * 1e9) / 1e6);
  } catch {
    return 0;
  }
}

function quantity(q: unknown): number {
  return memo(quantities, q, parseValue);
}

function milli(q: unknown): number {
  return memo(millis, q, parseMilli);
}

/** A ResourceList (requests, allocatable) as a Res; `pods` is returned apart. */
export function resFromList(list: Obj | undefined | null): Res & { pods: number } {
  const r: Res & { pods: number } = { cpu: 0, memory: 0, ephemeral: 0, scalar: undefined, pods: 0 };
  if (!list) return r;
  for (const name of Object.keys(list)) {
    const q = list[name];
    switch (name) {
      case 'cpu':
        r.cpu = milli(q);
        break;
      case 'memory':
        r.memory = quantity(q);
        break;
      case 'ephemeral-storage':
        r.ephemeral = quantity(q);
        break;
      case 'pods':
        r.pods = quantity(q);
        break;
      default:
        if (isScalarResourceName(name)) (r.scalar ??= new Map()).set(name, quantity(q));
    }
  }
  return r;
}

/** schedutil.IsScalarResourceName: extended resources, hugepages-*, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  // v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not requests.*
  if (!name.includes('/')) return false;
  if (name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

function add(a: Res, b: Res): void {
  a.cpu += b.cpu;
  a.memory += b.memory;
  a.ephemeral += b.ephemeral;
  if (b.scalar) for (const [k, v] of b.scalar) (a.scalar ??= new Map()).set(k, (a.scalar.get(k) ?? 0) + v);
}

function maxInto(a: Res, b: Res): void {
  a.cpu = Math.max(a.cpu, b.cpu);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeral = Math.max(a.ephemeral, b.ephemeral);
  if (b.scalar) for (const [k, v] of b.scalar) (a.scalar ??= new Map()).set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function copy(r: Res): Res {
  return { cpu: r.cpu, memory: r.memory, ephemeral: r.ephemeral, scalar: r.scalar ? new Map(r.scalar) : undefined };
}

function containerRequests(c: Obj, nonZero: boolean): Res {
  const req = c?.resources?.requests;
  const r = resFromList(req);
  if (nonZero) {
    if (!req || req.cpu === undefined) r.cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (!req || req.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return { cpu: r.cpu, memory: r.memory, ephemeral: r.ephemeral, scalar: r.scalar };
}

/** resourcehelper.PodRequests (with NonMissingContainerRequests when nonZero). */
export function podRequests(pod: Obj, nonZero = false): Res {
  const spec = pod.spec ?? {};
  const reqs = emptyRes();
  for (const c of spec.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const restartable = emptyRes();
  const initMax = emptyRes();
  for (const c of spec.initContainers ?? []) {
    let r = containerRequests(c, nonZero);
    if (c?.restartPolicy === 'Always') {
      // A sidecar runs beside the containers and every later init container.
      add(reqs, r);
      add(restartable, r);
      r = copy(restartable);
    } else {
      add(r, restartable);
    }
    maxInto(initMax, r);
  }
  maxInto(reqs, initMax);
  if (spec.overhead) add(reqs, resFromList(spec.overhead));
  return reqs;
}
