// metrics-server for the emulated cluster: metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, as
// `kubectl top` and the HPA controller read them (kubernetes-sigs/metrics-server pkg/api/{node,
// pod}.go: lists sorted by namespace and name, only Running pods, NotFound as
// `podmetrics.metrics.k8s.io "ns/name" not found`; k8s.io/metrics/pkg/apis/metrics/v1beta1).
//
// No container really runs, so usage is emulated per container from its image's behaviour: idle
// servers take 1-3m of cpu and a few Mi; each request the network reports through
// recordRequest(podIP) costs the image's cpu per request over the scrape window; usage never goes
// above the container's limits. Values move with the clock: they are those of the last scrape
// (every 15 s of emulated time, the `window`), with a small per-container jitter, so two reads in
// the same window agree. Nodes report the sum of their pods plus the system's own share.

import type http from 'node:http';
import { createHash } from 'node:crypto';
import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { rfc3339, type Obj } from '../api/objects.ts';
import { parseQuantity } from '../api/quantity.ts';
import type { ResourceDef } from '../api/registry.ts';
import { parseImage } from '../kubelet/images.ts';
import type { Clock } from '../clock.ts';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** metrics-server's --metric-resolution default: one scrape every 15 s. */
export const SCRAPE_MS = 15_000;
const MI = 1024 * 1024;

/** What metrics-server's APIService adds to discovery (singular names are empty, as it serves them). */
export const METRICS_DEFS: ResourceDef[] = [
  { group: METRICS_GROUP, version: METRICS_VERSION, kind: 'NodeMetrics', resource: 'nodes', singular: '', namespaced: false, verbs: ['get', 'list'], subresources: [] },
  { group: METRICS_GROUP, version: METRICS_VERSION, kind: 'PodMetrics', resource: 'pods', singular: '', namespaced: true, verbs: ['get', 'list'], subresources: [] },
];

/** How an image behaves: idle cpu (millicores), idle memory (bytes), cpu per request/s (millicores). */
interface Profile {
  cpuIdle: number;
  memIdle: number;
  cpuPerRps: number;
  memPerRps: number;
}

const PROFILES: Record<string, Profile> = {
  'docker.io/library/nginx': { cpuIdle: 1, memIdle: 3.5 * MI, cpuPerRps: 0.4, memPerRps: 0.02 * MI },
  'docker.io/library/httpd': { cpuIdle: 1, memIdle: 7 * MI, cpuPerRps: 0.6, memPerRps: 0.05 * MI },
  'docker.io/library/busybox': { cpuIdle: 0, memIdle: 0.4 * MI, cpuPerRps: 1, memPerRps: 0 },
  'docker.io/library/alpine': { cpuIdle: 0, memIdle: 0.5 * MI, cpuPerRps: 1, memPerRps: 0 },
  'docker.io/library/redis': { cpuIdle: 2, memIdle: 3 * MI, cpuPerRps: 0.1, memPerRps: 0.01 * MI },
  'docker.io/library/postgres': { cpuIdle: 3, memIdle: 28 * MI, cpuPerRps: 1, memPerRps: 0.1 * MI },
  'docker.io/library/mysql': { cpuIdle: 5, memIdle: 360 * MI, cpuPerRps: 1, memPerRps: 0.1 * MI },
  // The HPA walkthrough's php-apache burns cpu on every request.
  'registry.k8s.io/hpa-example': { cpuIdle: 1, memIdle: 9 * MI, cpuPerRps: 8, memPerRps: 0.02 * MI },
};
const DEFAULT_PROFILE: Profile = { cpuIdle: 2, memIdle: 12 * MI, cpuPerRps: 1, memPerRps: 0.05 * MI };

/** The system's share of a node (kubelet, runtime, and on the control plane its components). */
const NODE_BASE = { controlPlane: { cpu: 180, mem: 620 * MI }, worker: { cpu: 35, mem: 260 * MI } };

export interface MetricsOptions {
  /** Extra cpu (millicores) and memory (bytes) a container's own program reports it uses (a busy loop). */
  containerLoad?(namespace: string, pod: string, container: string): { cpu?: number; memory?: number } | undefined;
}

export class MetricsServer {
  /** Requests served per pod IP, per emulated second. */
  private readonly requests = new Map<string, Map<number, number>>();
  readonly defs = METRICS_DEFS;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly opts: MetricsOptions = {},
  ) {}

  /** The network calls this for each request a pod serves (emulated traffic: `count` at once): busy servers use more cpu. */
  recordRequest(podIP: string, count = 1): void {
    const sec = Math.floor(this.clock.now() / 1000);
    let m = this.requests.get(podIP);
    if (!m) this.requests.set(podIP, (m = new Map()));
    m.set(sec, (m.get(sec) ?? 0) + count);
    // Keep a minute of history.
    if (m.size > 90) for (const k of m.keys()) if (k < sec - 60) m.delete(k);
  }

  /** Requests per second a pod served over the window ending at `at`. */
  private rps(podIP: string | undefined, at: number): number {
    const m = podIP ? this.requests.get(podIP) : undefined;
    if (!m) return 0;
    const end = Math.floor(at / 1000);
    let n = 0;
    for (let s = end - SCRAPE_MS / 1000; s < end; s++) n += m.get(s) ?? 0;
    return n / (SCRAPE_MS / 1000);
  }

  /** The time of the last scrape. */
  scrapeTime(): number {
    return Math.floor(this.clock.now() / SCRAPE_MS) * SCRAPE_MS;
  }

  /** One container's usage at the last scrape: cpu in millicores (fractional), memory in bytes. */
  containerUsage(pod: Obj, container: Obj, at = this.scrapeTime()): { cpu: number; memory: number } {
    const { repository } = parseImage(String(container.image ?? ''));
    const p = PROFILES[repository] ?? DEFAULT_PROFILE;
    const rps = this.rps(pod.status?.podIP, at);
    const j = jitter(`${pod.metadata.uid}/${container.name}`, at);
    const extra = this.opts.containerLoad?.(pod.metadata.namespace, pod.metadata.name, container.name);
    let cpu = (p.cpuIdle + 0.35) * (0.8 + 0.4 * j) + rps * p.cpuPerRps + (extra?.cpu ?? 0);
    let memory = p.memIdle * (0.95 + 0.1 * j) + Math.min(rps * p.memPerRps, 64 * MI) + (extra?.memory ?? 0);
    const limits = container.resources?.limits ?? {};
    if (limits.cpu !== undefined) cpu = Math.min(cpu, parseQuantity(limits.cpu) * 1000);
    if (limits.memory !== undefined) memory = Math.min(memory, parseQuantity(limits.memory) * 0.95);
    return { cpu, memory };
  }

  /** PodMetrics of a Running pod (its running containers), or undefined (metrics-server skips it). */
  podMetrics(pod: Obj, at = this.scrapeTime()): Obj | undefined {
    if (pod.status?.phase !== 'Running') return undefined;
    const running = new Set((pod.status?.containerStatuses ?? []).filter((s: Obj) => s.state?.running).map((s: Obj) => s.name));
    const containers = (pod.spec?.containers ?? []).filter((c: Obj) => running.has(c.name));
    if (containers.length === 0) return undefined;
    const metadata: Obj = { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: rfc3339(this.clock.now()) };
    if (pod.metadata.labels) metadata.labels = pod.metadata.labels;
    return {
      kind: 'PodMetrics',
      apiVersion: API_VERSION,
      metadata,
      timestamp: rfc3339(at),
      window: `${SCRAPE_MS / 1000}s`,
      containers: containers.map((c: Obj) => {
        const u = this.containerUsage(pod, c, at);
        return { name: c.name, usage: { cpu: nanocores(u.cpu), memory: kibibytes(u.memory) } };
      }),
    };
  }

  /** NodeMetrics of a Ready node: its pods plus the system's share; undefined when it cannot be scraped. */
  nodeMetrics(node: Obj, pods: Obj[], at = this.scrapeTime()): Obj | undefined {
    const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready')?.status === 'True';
    if (!ready) return undefined;
    const controlPlane = node.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined;
    const base = controlPlane ? NODE_BASE.controlPlane : NODE_BASE.worker;
    const j = jitter(`node/${node.metadata.name}`, at);
    let cpu = base.cpu * (0.85 + 0.3 * j);
    let memory = base.mem * (0.98 + 0.04 * j);
    for (const pod of pods) {
      if (pod.spec?.nodeName !== node.metadata.name || pod.status?.phase !== 'Running') continue;
      const running = new Set((pod.status?.containerStatuses ?? []).filter((s: Obj) => s.state?.running).map((s: Obj) => s.name));
      for (const c of pod.spec?.containers ?? []) {
        if (!running.has(c.name)) continue;
        const u = this.containerUsage(pod, c, at);
        cpu += u.cpu;
        memory += u.memory;
      }
    }
    const metadata: Obj = { name: node.metadata.name, creationTimestamp: rfc3339(this.clock.now()) };
    if (node.metadata.labels) metadata.labels = node.metadata.labels;
    return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata, timestamp: rfc3339(at), window: `${SCRAPE_MS / 1000}s`, usage: { cpu: nanocores(cpu), memory: kibibytes(memory) } };
  }

  /** Nodes metrics-server can scrape (Ready): a stopped node's pods keep Running in the API but have no metrics. */
  private async readyNodes(): Promise<Set<string>> {
    const { items } = await this.api.list(this.api.resource('nodes'), undefined, {});
    return new Set(items.filter((n) => (n.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name));
  }

  async listPodMetrics(namespace: string | undefined, opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<Obj[]> {
    const { items } = await this.api.list(this.api.resource('pods'), namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    const ready = await this.readyNodes();
    const at = this.scrapeTime();
    const sorted = [...items].sort((a, b) => (a.metadata.namespace === b.metadata.namespace ? cmp(a.metadata.name, b.metadata.name) : cmp(a.metadata.namespace, b.metadata.namespace)));
    return sorted
      .filter((p) => ready.has(p.spec?.nodeName))
      .map((p) => this.podMetrics(p, at))
      .filter((m): m is Obj => !!m);
  }

  async listNodeMetrics(opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<Obj[]> {
    const { items: nodes } = await this.api.list(this.api.resource('nodes'), undefined, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    const { items: pods } = await this.api.list(this.api.resource('pods'), undefined, {});
    const at = this.scrapeTime();
    return [...nodes]
      .sort((a, b) => cmp(a.metadata.name, b.metadata.name))
      .map((n) => this.nodeMetrics(n, pods, at))
      .filter((m): m is Obj => !!m);
  }

  /** Serves /apis/metrics.k8s.io/v1beta1/{nodes[/name], [namespaces/ns/]pods[/name]}. */
  serve = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const prefix = `/apis/${API_VERSION}/`;
    if (!url.pathname.startsWith(prefix)) return false;
    const seg = url.pathname.slice(prefix.length).replace(/\/+$/, '').split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    let rest = seg;
    if (seg[0] === 'namespaces' && seg.length >= 3) {
      namespace = seg[1];
      rest = seg.slice(2);
    }
    const [resource, name, ...more] = rest;
    if ((resource !== 'nodes' && resource !== 'pods') || more.length || (resource === 'nodes' && namespace !== undefined)) return false;
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    const q = url.searchParams;
    if (q.get('watch') === 'true' || q.get('watch') === '1') {
      throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (get ${resource}.${METRICS_GROUP})`);
    }
    const sel = { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined };
    let body: Obj;
    if (resource === 'nodes') {
      if (name === undefined) body = { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items: await this.listNodeMetrics(sel) };
      else {
        const node = await this.api.get(this.api.resource('nodes'), undefined, name);
        const { items: pods } = await this.api.list(this.api.resource('pods'), undefined, { fieldSelector: `spec.nodeName=${name}` });
        const m = this.nodeMetrics(node, pods);
        if (!m) throw new ApiError(404, 'NotFound', `nodemetrics.${METRICS_GROUP} "${name}" not found`, { name, group: METRICS_GROUP, kind: 'nodemetrics' });
        body = m;
      }
    } else if (name === undefined) {
      body = { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items: await this.listPodMetrics(namespace, sel) };
    } else {
      if (namespace === undefined) return false;
      const pod = await this.api.get(this.api.resource('pods'), namespace, name);
      const m = (await this.readyNodes()).has(pod.spec?.nodeName) ? this.podMetrics(pod) : undefined;
      if (!m) throw new ApiError(404, 'NotFound', `podmetrics.${METRICS_GROUP} "${namespace}/${name}" not found`, { name: `${namespace}/${name}`, group: METRICS_GROUP, kind: 'podmetrics' });
      body = m;
    }
    const text = JSON.stringify(body);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A number in [0, 1) fixed for a key and a scrape. */
function jitter(key: string, at: number): number {
  return createHash('sha1').update(`${key}@${at}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** cpu as metrics-server reports it: whole nanocores. */
export function nanocores(milli: number): string {
  return `${Math.max(0, Math.round(milli * 1e6))}n`;
}

/** memory as metrics-server reports it: whole KiB. */
export function kibibytes(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}
