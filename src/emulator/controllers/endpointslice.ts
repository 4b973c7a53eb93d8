// EndpointSlice controller (pkg/controller/endpointslice/endpointslice_controller.go and the
// reconciler of staging/src/k8s.io/endpointslice/reconciler.go): for each Service with a selector,
// discovery.k8s.io/v1 EndpointSlices named `<service>-<random>`, owned by the Service (so the garbage
// collector removes them with it), labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io (plus the Service's own
// labels and service.kubernetes.io/headless), addressType IPv4, at most 100 endpoints each
// (--max-endpoints-per-slice), one set of slices per distinct port list. Each endpoint carries the
// pod IP, conditions ready/serving/terminating (podToEndpoint: terminating pods stay, not ready),
// hostname for pods naming the Service as subdomain, targetRef and nodeName. A Service that
// selects nothing keeps one empty placeholder slice. The last-change-trigger-time annotation is set
// on the slices a sync writes.
//
// The reconciler keeps endpoints in the slice they are in, drops the ones gone, updates the ones
// changed, fills the slices being updated first, then the existing slice closest to full, then
// creates new ones; slices left empty are deleted. Our own writes are remembered until the
// informer sees them (the role of endpointSliceTracker), so a quick second sync never works from a
// stale cache.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, type Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/workqueue.ts';
import {
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME,
  ServicePods,
  TriggerTimeTracker,
  findPort,
  isPodReady,
  isServiceIPSet,
  keyOf,
  podIPv4s,
  rfc3339Nano,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './endpoints.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** --max-endpoints-per-slice's default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

const RESERVED = new Set([SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL]);

/** setEndpointSliceLabels: the Service's labels but the reserved ones, then the reserved ones. */
function sliceLabels(svc: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(svc.metadata.labels ?? {})) if (!RESERVED.has(k)) out[k] = v;
  if (!isServiceIPSet(svc)) out[HEADLESS_LABEL] = '';
  out[SERVICE_NAME_LABEL] = svc.metadata.name;
  out[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return out;
}

/** getEndpointPorts. */
function endpointPorts(svc: Obj, pod: Obj): Obj[] {
  const ports: Obj[] = svc.spec?.ports ?? [];
  const out: Obj[] = [];
  for (const sp of ports) {
    const num = findPort(pod, sp);
    if (num === undefined) continue;
    const p: Obj = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port: num };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** podToEndpoint. */
function podToEndpoint(pod: Obj, svc: Obj, ip: string): Obj {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Obj = { addresses: [ip], conditions: { ready, serving, terminating } };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

const portsKey = (ports: Obj[] | null | undefined) =>
  JSON.stringify(
    [...(ports ?? [])]
      .map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? 0, p.appProtocol ?? ''])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
const endpointKey = (ep: Obj) => `${ep.addresses?.[0] ?? ''}\u0000${ep.targetRef?.uid ?? ''}`;
const withoutRV = (ep: Obj) => (ep.targetRef?.resourceVersion ? { ...ep, targetRef: { ...ep.targetRef, resourceVersion: undefined } } : ep);
const rvNum = (o: Obj) => Number(o.metadata.resourceVersion ?? 0);

export class EndpointSliceController {
  private readonly sp: ServicePods;
  private readonly slices: Informer;
  private readonly tracker = new TriggerTimeTracker();
  /** Our writes not yet seen by the informer: slice key → the object written, or null if deleted. */
  private readonly written = new Map<string, { obj: Obj | null; rv: number; service: string }>();
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
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
    const managed = (s: Obj) => s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && !!s.metadata.labels?.[SERVICE_NAME_LABEL];
    this.slices = new Informer(api, api.resource('endpointslices.discovery.k8s.io')).addIndex('service', (s) =>
      managed(s) ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : [],
    );
    // A slice changed or deleted by someone else brings its Service back to the queue.
    const seen = (s: Obj, deleted: boolean) => {
      if (!managed(s)) return;
      const k = keyOf(s);
      const w = this.written.get(k);
      const svcKey = `${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`;
      if (w && (deleted ? w.obj === null : rvNum(s) <= w.rv)) {
        if (deleted || rvNum(s) === w.rv) this.written.delete(k);
        return;
      }
      if (w) this.written.delete(k);
      this.queue.add(svcKey);
    };
    this.slices.on({ add: (s) => seen(s, false), update: (s) => seen(s, false), delete: (s) => seen(s, true) });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.slices.start();
    await this.sp.start();
  }

  stop(): void {
    this.queue.stop();
    this.sp.stop();
    this.slices.stop();
    this.written.clear();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The Service's managed slices: the informer's, corrected by our writes it has not seen yet. */
  private existing(svcKey: string): Obj[] {
    const out = new Map<string, Obj>();
    for (const s of this.slices.byIndex('service', svcKey)) out.set(keyOf(s), s);
    for (const [k, w] of this.written) {
      if (w.service !== svcKey) continue;
      const cached = out.get(k);
      // The informer has caught up: with our write, or with our delete.
      if (w.obj === null ? !cached : cached && rvNum(cached) >= w.rv) {
        this.written.delete(k);
        continue;
      }
      if (w.obj === null) out.delete(k);
      else out.set(k, w.obj);
    }
    return [...out.values()];
  }

  private async sync(svcKey: string): Promise<void> {
    const slash = svcKey.indexOf('/');
    const ns = svcKey.slice(0, slash);
    const name = svcKey.slice(slash + 1);
    const svc = this.sp.services.get(ns, name);
    if (!svc) {
      // The garbage collector deletes the slices through their ownerReferences.
      this.tracker.delete(ns, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !svc.spec?.selector) return;
    const pods = this.sp.podsFor(svc);
    const trigger = this.tracker.compute(svc, pods);

    // Desired endpoints, grouped by their port list.
    const desired = new Map<string, { ports: Obj[]; endpoints: Map<string, Obj> }>();
    const headlessNoPorts = (svc.spec?.ports ?? []).length === 0 && svc.spec?.clusterIP === 'None';
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPv4s(pod)[0];
      if (!ip) continue;
      const ports = endpointPorts(svc, pod);
      // A pod offering none of a ported Service's ports has no endpoint (FindPort failed for each).
      if (ports.length === 0 && !headlessNoPorts) continue;
      const pk = portsKey(ports);
      let g = desired.get(pk);
      if (!g) desired.set(pk, (g = { ports, endpoints: new Map() }));
      const ep = podToEndpoint(pod, svc, ip);
      g.endpoints.set(endpointKey(ep), ep);
    }

    const labels = sliceLabels(svc);
    const ownerRef = { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true };
    const toDelete: Obj[] = [];
    const toUpdate: Obj[] = [];
    const toCreate: Obj[] = [];
    const unchanged: Obj[] = [];
    const existing = this.existing(svcKey);
    for (const s of existing) {
      const owned = (s.metadata.ownerReferences ?? []).some((o: Obj) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
      const g = desired.get(portsKey(s.ports));
      if (!owned || s.addressType !== 'IPv4' || !g) {
        toDelete.push(s);
        continue;
      }
      let changed = !jsonEqual(s.metadata.labels ?? {}, labels);
      const kept: Obj[] = [];
      for (const ep of s.endpoints ?? []) {
        const k = endpointKey(ep);
        const want = g.endpoints.get(k);
        if (!want) {
          changed = true;
          continue;
        }
        g.endpoints.delete(k);
        if (!jsonEqual(withoutRV(ep), want)) changed = true;
        kept.push(want);
      }
      if (kept.length === 0 && (s.endpoints ?? []).length > 0) {
        toDelete.push(s);
        continue;
      }
      const next = { ...s, metadata: { ...s.metadata, labels }, endpoints: kept };
      if (changed) toUpdate.push(next);
      else unchanged.push(next);
    }
    // New endpoints: into the slices being updated (fullest first), then the existing slice
    // closest to full, then new slices.
    const byIP = (a: Obj, b: Obj) => (a.addresses[0] < b.addresses[0] ? -1 : a.addresses[0] > b.addresses[0] ? 1 : 0);
    for (const [pk, g] of desired) {
      const pending = [...g.endpoints.values()].sort(byIP);
      if (pending.length === 0) continue;
      const updating = toUpdate.filter((s) => portsKey(s.ports) === pk).sort((a, b) => b.endpoints.length - a.endpoints.length);
      for (const s of updating) {
        while (pending.length && s.endpoints.length < this.maxEndpointsPerSlice) s.endpoints.push(pending.shift());
      }
      // Placeholders (no ports, no endpoints) of another port list are not filled; an empty one of this list can be.
      const same = unchanged.filter((s) => portsKey(s.ports) === pk);
      while (pending.length) {
        const fill = sliceToFill(same, pending.length, this.maxEndpointsPerSlice);
        if (!fill) break;
        fill.endpoints.push(...pending.splice(0));
        same.splice(same.indexOf(fill), 1);
        unchanged.splice(unchanged.indexOf(fill), 1);
        toUpdate.push(fill);
      }
      while (pending.length) {
        toCreate.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: slicePrefix(svc.metadata.name), namespace: ns, labels, ownerReferences: [ownerRef] },
          addressType: 'IPv4',
          endpoints: pending.splice(0, this.maxEndpointsPerSlice),
          ports: g.ports,
        });
      }
    }
    // Unchanged placeholders are dropped when real slices exist; a Service with nothing keeps one.
    for (const s of [...unchanged]) {
      if ((s.endpoints ?? []).length === 0 && (toCreate.length || toUpdate.length || unchanged.length > 1)) {
        unchanged.splice(unchanged.indexOf(s), 1);
        toDelete.push(s);
      }
    }
    if (existing.length === toDelete.length && toCreate.length === 0) {
      const placeholder = { metadata: { labels, ownerReferences: [ownerRef] }, addressType: 'IPv4', endpoints: [], ports: [] };
      const same = toDelete.length === 1 && isPlaceholderLike(toDelete[0], placeholder);
      if (same) toDelete.length = 0;
      else {
        toCreate.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: slicePrefix(svc.metadata.name), namespace: ns, labels, ownerReferences: [ownerRef] },
          addressType: 'IPv4',
          endpoints: [],
          ports: [],
        });
      }
    }

    // finalize: a slice to create takes the name of an owned IPv4 slice that would be deleted.
    for (let i = 0; i < toDelete.length && toCreate.length; ) {
      const old = toDelete[i];
      const owned = (old.metadata.ownerReferences ?? []).some((o: Obj) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
      if (old.addressType === 'IPv4' && owned) {
        const s = toCreate.pop()!;
        const { generateName: _g, ...meta } = s.metadata;
        toUpdate.push({ ...s, metadata: { ...meta, name: old.metadata.name, resourceVersion: old.metadata.resourceVersion, annotations: old.metadata.annotations } });
        toDelete.splice(i, 1);
      } else i++;
    }

    const def = this.api.resource('endpointslices.discovery.k8s.io');
    const annotate = (s: Obj) => {
      // Empty lists travel as protobuf and come back nil: `endpoints: null`, `ports: null`.
      if (!s.endpoints?.length) s.endpoints = null;
      if (!s.ports?.length) s.ports = null;
      const a: Record<string, string> = { ...(s.metadata.annotations ?? {}) };
      if (trigger !== undefined) a[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(trigger);
      else delete a[LAST_CHANGE_TRIGGER_TIME];
      if (Object.keys(a).length) s.metadata.annotations = a;
      else delete s.metadata.annotations;
    };
    const remember = (obj: Obj | null, k: string, rv: number) => this.written.set(k, { obj, rv, service: svcKey });
    for (const s of toCreate) {
      annotate(s);
      let made: Obj;
      try {
        made = await this.api.create(def, ns, s);
      } catch (e) {
        if (e instanceof ApiError && e.code === 403) return; // namespace terminating
        throw e;
      }
      remember(made, keyOf(made), rvNum(made));
    }
    for (const s of toUpdate) {
      annotate(s);
      const made = await this.api.update(def, ns, s.metadata.name, s);
      remember(made, keyOf(made), rvNum(made));
    }
    for (const s of toDelete) {
      try {
        await this.api.delete(def, ns, s.metadata.name);
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 404) throw e;
      }
      remember(null, keyOf(s), rvNum(s));
    }
  }
}

/** getSliceToFill: the slice that ends closest to full with n more endpoints. */
function sliceToFill(slices: Obj[], n: number, max: number): Obj | undefined {
  let best: Obj | undefined;
  let closest = max;
  for (const s of slices) {
    const diff = max - (n + s.endpoints.length);
    if (diff >= 0 && diff < closest) {
      closest = diff;
      best = s;
      if (diff === 0) break;
    }
  }
  return best;
}

/** getEndpointSlicePrefix: `<service>-`. */
function slicePrefix(name: string): string {
  return name.length + 1 <= 253 ? `${name}-` : name;
}

/** placeholderSliceCompare: same labels, owners, address type, and no endpoints or ports. */
function isPlaceholderLike(s: Obj, p: Obj): boolean {
  return (
    jsonEqual(s.metadata.labels ?? {}, p.metadata.labels) &&
    jsonEqual(s.metadata.ownerReferences ?? [], p.metadata.ownerReferences) &&
    s.addressType === p.addressType &&
    (s.endpoints ?? []).length === 0 &&
    (s.ports ?? []).length === 0
  );
}
