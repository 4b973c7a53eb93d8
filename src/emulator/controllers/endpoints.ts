// Endpoints controller (pkg/controller/endpoint/endpoints_controller.go): for each Service with a
// selector, an Endpoints object of the same name whose subsets list the matching pods' IPs (ready
// ones in addresses, the others in notReadyAddresses, all in addresses with
// publishNotReadyAddresses), with the ports resolved per pod (named targetPorts through the pod's
// container ports), nodeName and targetRef; the endpoints.kubernetes.io/last-change-trigger-time
// annotation (trigger_time_tracker.go); the service.kubernetes.io/headless label. Services without
// a selector (the `kubernetes` Service among them) and ExternalName Services are left alone; the
// Endpoints of a deleted Service go with it.
//
// Pods reach the Services that select them through informer indexes (pods by namespace and label,
// Services by namespace), never a scan of every pod. The helpers the EndpointSlice controller
// shares (FindPort, ShouldPodBeInEndpoints, the trigger time tracker, the pod→Service index) are
// here too (staging/src/k8s.io/endpointslice/util/controller_utils.go, utils.go).

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, type Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/workqueue.ts';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** maxCapacity: an Endpoints object holds at most 1000 addresses. */
export const ENDPOINTS_MAX_CAPACITY = 1000;

// ---- pod and Service helpers (endpointslice/util) ----

export function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c?.type === 'Ready' && c.status === 'True');
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless asked. */
export function shouldPodBeInEndpoints(pod: Obj, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and this Service as its subdomain. */
export function shouldSetHostname(pod: Obj, svc: Obj): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/** The pod's IPv4 addresses (status.podIPs, or status.podIP). */
export function podIPv4s(pod: Obj): string[] {
  const ips: string[] = (pod.status?.podIPs ?? []).map((p: Obj) => p?.ip).filter((ip: unknown) => typeof ip === 'string');
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.filter((ip) => !ip.includes(':'));
}

/** FindPort: a number as it is; a name through the containers' (and sidecars') named ports. */
export function findPort(pod: Obj, svcPort: Obj): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string') return undefined;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  const match = (containers: Obj[]) => {
    for (const c of containers) for (const p of c?.ports ?? []) if (p?.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort as number;
    return undefined;
  };
  return match(pod.spec?.containers ?? []) ?? match((pod.spec?.initContainers ?? []).filter((c: Obj) => c?.restartPolicy === 'Always'));
}

export function isServiceIPSet(svc: Obj): boolean {
  return !!svc.spec?.clusterIP && svc.spec.clusterIP !== 'None';
}

/** Go's time.RFC3339Nano: fractional seconds without trailing zeros, UTC. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

function readyTransition(pod: Obj): number | undefined {
  const c = (pod.status?.conditions ?? []).find((x: Obj) => x?.type === 'Ready');
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/**
 * TriggerTimeTracker (endpointslice/util/trigger_time_tracker.go): the earliest of the changes
 * seen since the last sync (a pod's Ready transition, the Service's creation), or undefined.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, { pods: Map<string, number>; service: number }>();

  compute(svc: Obj, pods: Obj[]): number | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const state = this.states.get(key) ?? { pods: new Map<string, number>(), service: -Infinity };
    let min: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = readyTransition(pod);
      if (t === undefined) continue;
      podTimes.set(pod.metadata.name, t);
      if (t > (state.pods.get(pod.metadata.name) ?? -Infinity)) min = min === undefined ? t : Math.min(min, t);
    }
    const created = Date.parse(svc.metadata.creationTimestamp ?? '');
    const st = Number.isNaN(created) ? -Infinity : created;
    if (st > state.service) min = min === undefined ? st : Math.min(min, st);
    this.states.set(key, { pods: podTimes, service: st });
    return min;
  }

  delete(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

/** podEndpointsChanged: [changed in a way endpoints show, changed which Services select it]. */
export function podEndpointsChanged(old: Obj, cur: Obj): [boolean, boolean] {
  const labelsChanged =
    !jsonEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {}) || old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain;
  if (old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) return [true, labelsChanged];
  if (isPodReady(old) !== isPodReady(cur)) return [true, labelsChanged];
  if (old.status?.phase !== cur.status?.phase) return [true, labelsChanged];
  if (old.status?.podIP !== cur.status?.podIP || !jsonEqual(old.status?.podIPs ?? [], cur.status?.podIPs ?? [])) return [true, labelsChanged];
  return [false, labelsChanged];
}

const labelKey = (ns: string, k: string, v: string) => `${ns}\u0000${k}=${v}`;

/**
 * Services and pods through informers, with the indexes both endpoint controllers need: the pods a
 * Service selects (the smallest of its selector's label sets in the namespace, then filtered), and
 * the Services that select a pod (the Services of its namespace); pod events enqueue the Services
 * they concern as GetPodUpdateProjectionKey and GetServicesToUpdate decide.
 */
export class ServicePods {
  readonly services: Informer;
  readonly pods: Informer;

  constructor(api: APIServer, enqueue: (serviceKey: string) => void) {
    this.services = new Informer(api, api.resource('services')).addIndex('namespace', (o) => [o.metadata.namespace]);
    const svcOn = (s: Obj) => enqueue(keyOf(s));
    this.services.on({ add: svcOn, update: svcOn, delete: svcOn });
    this.pods = new Informer(api, api.resource('pods')).addIndex('label', (p) =>
      Object.entries<string>(p.metadata.labels ?? {}).map(([k, v]) => labelKey(p.metadata.namespace, k, v)),
    );
    const all = (pod: Obj) => {
      for (const k of this.servicesFor(pod.metadata.namespace, pod.metadata.labels)) enqueue(k);
    };
    this.pods.on({
      add: all,
      delete: all,
      update: (cur, old) => {
        const [podChanged, labelsChanged] = podEndpointsChanged(old, cur);
        if (!podChanged && !labelsChanged) return;
        if (!labelsChanged) return all(cur);
        const now = this.servicesFor(cur.metadata.namespace, cur.metadata.labels);
        const before = this.servicesFor(old.metadata.namespace, old.metadata.labels);
        // determineNeededServiceUpdates: the union if the pod changed, else the symmetric difference.
        for (const k of now) if (podChanged || !before.has(k)) enqueue(k);
        for (const k of before) if (podChanged || !now.has(k)) enqueue(k);
      },
    });
  }

  async start(): Promise<void> {
    await this.pods.start();
    await this.services.start();
  }

  stop(): void {
    this.services.stop();
    this.pods.stop();
  }

  /** getServicesForPod: the Services of the namespace whose (non-nil) selector matches. */
  servicesFor(namespace: string, labels: Record<string, string> | undefined): Set<string> {
    const out = new Set<string>();
    for (const s of this.services.byIndex('namespace', namespace)) {
      const sel = s.spec?.selector;
      if (!sel || typeof sel !== 'object') continue;
      if (Object.entries<string>(sel).every(([k, v]) => labels?.[k] === v)) out.add(keyOf(s));
    }
    return out;
  }

  /** The pods a Service's selector matches (an empty selector matches every pod of the namespace). */
  podsFor(svc: Obj): Obj[] {
    const sel: Record<string, string> = svc.spec?.selector ?? {};
    const ns = svc.metadata.namespace;
    const entries = Object.entries(sel);
    if (entries.length === 0) return this.pods.list().filter((p) => p.metadata.namespace === ns);
    let best: Obj[] | undefined;
    for (const [k, v] of entries) {
      const c = this.pods.byIndex('label', labelKey(ns, k, v));
      if (!best || c.length < best.length) best = c;
      if (c.length === 0) break;
    }
    return best!.filter((p) => entries.every(([k, v]) => p.metadata.labels?.[k] === v));
  }
}

export function keyOf(o: Obj): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

// ---- Endpoints subsets ----

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: Obj;
}

/** RepackSubsets (pkg/api/v1/endpoints/util.go): addresses grouped by the set of ports they offer. */
export function repackSubsets(entries: { addr: Address; ready: boolean; port?: Obj }[]): Obj[] {
  const addrKey = (a: Address) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
  const addrs = new Map<string, Address>();
  // port (as JSON, or a sentinel for none) → address key → ready; not ready wins over ready.
  const byPort = new Map<string, { port?: Obj; ready: Map<string, boolean> }>();
  for (const e of entries) {
    const k = addrKey(e.addr);
    if (!addrs.has(k)) addrs.set(k, e.addr);
    const pk = e.port ? `${e.port.name ?? ''}\u0000${e.port.port}\u0000${e.port.protocol}\u0000${e.port.appProtocol ?? ''}` : '';
    let g = byPort.get(pk);
    if (!g) byPort.set(pk, (g = { port: e.port, ready: new Map() }));
    const was = g.ready.get(k);
    if (was === undefined || was) g.ready.set(k, e.ready);
  }
  // Address sets (with readiness) → the ports they offer.
  const bySet = new Map<string, { ready: Map<string, boolean>; ports: Obj[] }>();
  for (const g of byPort.values()) {
    const sk = [...g.ready]
      .map(([k, r]) => (r ? 'r' : 'n') + k)
      .sort()
      .join('\u0001');
    let s = bySet.get(sk);
    if (!s) bySet.set(sk, (s = { ready: g.ready, ports: [] }));
    if (g.port) s.ports.push(g.port);
  }
  const lessAddr = (a: Address, b: Address) => (a.ip !== b.ip ? (a.ip < b.ip ? -1 : 1) : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1);
  const subsets: Obj[] = [];
  for (const s of bySet.values()) {
    const ready: Address[] = [];
    const notReady: Address[] = [];
    for (const [k, r] of s.ready) (r ? ready : notReady).push(addrs.get(k)!);
    ready.sort(lessAddr);
    notReady.sort(lessAddr);
    const sub: Obj = {};
    if (ready.length) sub.addresses = ready;
    if (notReady.length) sub.notReadyAddresses = notReady;
    // Kubernetes orders ports and subsets by a hash of each; by name and number here, a stable order.
    if (s.ports.length) sub.ports = s.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    subsets.push(sub);
  }
  const first = (s: Obj) => (s.addresses ?? s.notReadyAddresses)?.[0]?.ip ?? '';
  return subsets.sort((a, b) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0));
}

/** truncateEndpoints: at most 1000 addresses, ready ones first, each subset in proportion. */
function truncate(subsets: Obj[]): boolean {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= ENDPOINTS_MAX_CAPACITY) return false;
  const truncateReady = totalReady > ENDPOINTS_MAX_CAPACITY;
  const max = truncateReady ? ENDPOINTS_MAX_CAPACITY : ENDPOINTS_MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const s of subsets) {
    const n = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const toBeAdded = Math.min(Math.ceil((n / numTotal) * max), canBeAdded);
    if (truncateReady) {
      if (s.addresses) s.addresses = s.addresses.slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= s.addresses?.length ?? 0;
    } else {
      if (s.notReadyAddresses) s.notReadyAddresses = s.notReadyAddresses.slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** The subsets the Service's pods make (syncService's loop and addEndpointSubset). */
export function endpointSubsets(svc: Obj, pods: Obj[]): Obj[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const ports: Obj[] = svc.spec?.ports ?? [];
  const entries: { addr: Address; ready: boolean; port?: Obj }[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPv4s(pod)[0];
    if (!ip) continue;
    const addr = { ip } as Address;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
    addr.nodeName = pod.spec?.nodeName ?? '';
    addr.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
    const ready = publishNotReady || isPodReady(pod);
    if (ports.length === 0) {
      if (svc.spec?.clusterIP === 'None') entries.push({ addr, ready });
      continue;
    }
    for (const sp of ports) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      const port: Obj = {};
      if (sp.name) port.name = sp.name;
      port.port = num;
      port.protocol = sp.protocol ?? 'TCP';
      if (sp.appProtocol) port.appProtocol = sp.appProtocol;
      entries.push({ addr, ready, port });
    }
  }
  return repackSubsets(entries);
}

const withoutHeadless = (labels: Record<string, string> | undefined) => {
  const out = { ...(labels ?? {}) };
  delete out[HEADLESS_LABEL];
  return out;
};

export class EndpointsController {
  private readonly sp: ServicePods;
  private readonly endpoints: Informer;
  private readonly tracker = new TriggerTimeTracker();
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    // A conflict with a concurrent writer, or a failure: again, a few times (maxRetries is 15); a
    // namespace being deleted is not retried.
    this.queue = new WorkQueue((k) => this.sync(k), {
      clock,
      maxRetries: 15,
      maxDelayMs: 1000,
      classify: (e) => {
        if (!(e instanceof ApiError)) return 'throw';
        if (e.code === 403 && /is being terminated/.test(e.message)) return 'drop';
        return e.code === 409 ? 'now' : 'later';
      },
    });
    this.sp = new ServicePods(api, (k) => this.queue.add(k));
    // An Endpoints deleted by hand comes back while its Service selects pods.
    this.endpoints = new Informer(api, api.resource('endpoints')).on({ delete: (ep) => this.queue.add(keyOf(ep)) });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.endpoints.start();
    await this.sp.start();
    // checkLeftoverEndpoints: Endpoints whose Service is gone are deleted.
    for (const ep of this.endpoints.list()) if (!this.sp.services.get(ep.metadata.namespace, ep.metadata.name)) this.queue.add(keyOf(ep));
  }

  stop(): void {
    this.queue.stop();
    this.sp.stop();
    this.endpoints.stop();
  }

  /** Settles once the queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const def = this.api.resource('endpoints');
    const svc = this.sp.services.get(ns, name);
    if (!svc) {
      // The Service is gone: so are its Endpoints (unless they were never ours to keep: leader
      // election records are not made here).
      const cur = this.endpoints.get(ns, name) ?? (await this.api.tryGet(def, ns, name));
      if (cur && !cur.metadata.annotations?.['control-plane.alpha.kubernetes.io/leader']) {
        try {
          await this.api.delete(def, ns, name);
        } catch (e) {
          if (!(e instanceof ApiError) || e.code !== 404) throw e;
        }
      }
      this.tracker.delete(ns, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (!svc.spec?.selector) return;
    const pods = this.sp.podsFor(svc);
    const trigger = this.tracker.compute(svc, pods);
    const subsets = endpointSubsets(svc, pods);

    // The stored object, read afresh (the informer may not have seen our last write yet).
    const cur = await this.api.tryGet(def, ns, name);
    const svcLabels: Record<string, string> = svc.metadata.labels ?? {};
    if (cur && jsonEqual(stripRV(cur.subsets ?? []), stripRV(subsets)) && jsonEqual(withoutHeadless(cur.metadata.labels), svcLabels) && capacityAnnotationOK(cur)) {
      return;
    }
    const annotations: Record<string, string> = { ...(cur?.metadata.annotations ?? {}) };
    if (trigger !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(trigger);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncate(subsets)) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    const labels = { ...svcLabels };
    if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const metadata: Obj = cur ? { ...cur.metadata } : { name, namespace: ns };
    if (Object.keys(labels).length) metadata.labels = labels;
    else delete metadata.labels;
    if (Object.keys(annotations).length) metadata.annotations = annotations;
    else delete metadata.annotations;
    const obj: Obj = { apiVersion: 'v1', kind: 'Endpoints', metadata };
    if (subsets.length) obj.subsets = subsets;
    if (cur) await this.api.update(def, ns, name, obj);
    else {
      try {
        await this.api.create(def, ns, obj);
      } catch (e) {
        // The namespace is being deleted: nothing more to do (NamespaceTerminatingCause).
        if (e instanceof ApiError && e.code === 403) return;
        throw e;
      }
    }
  }
}

function capacityAnnotationOK(ep: Obj): boolean {
  let n = 0;
  for (const s of ep.subsets ?? []) n += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  if (n > ENDPOINTS_MAX_CAPACITY) return false;
  return !(ep.metadata.annotations && OVER_CAPACITY in ep.metadata.annotations);
}

/** endpointSubsetsEqualIgnoreResourceVersion: targetRefs compared without their resourceVersion. */
function stripRV(subsets: Obj[]): Obj[] {
  const addr = (a: Obj) => (a?.targetRef?.resourceVersion ? { ...a, targetRef: { ...a.targetRef, resourceVersion: undefined } } : a);
  return subsets.map((s) => ({ ...s, addresses: s.addresses?.map(addr), notReadyAddresses: s.notReadyAddresses?.map(addr) }));
}
