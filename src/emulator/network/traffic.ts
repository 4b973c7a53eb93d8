// Emulated traffic: a load generator that sends N requests per second to a Service, as the HPA
// walkthrough's `while true; do wget -q -O- http://php-apache; done` pod does, so that pods' cpu
// rises (metrics-server, metrics/metrics.ts) and HorizontalPodAutoscalers answer.
//
// The requests go where kube-proxy would send them (pkg/proxy/iptables/proxier.go semantics, as
// ClusterNetwork.endpointsOf reads them from the EndpointSlices): to the Service port's ready
// endpoints, or to its serving-and-terminating ones when none is ready; spread evenly, continuing
// round-robin from one second to the next, so a new replica gets its share as soon as it is a
// ready endpoint; all to one endpoint under `sessionAffinity: ClientIP` (one client). A request to
// an endpoint where nothing listens is refused; without any endpoint every request is refused
// (kube-proxy's REJECT rule); a port the Service lost times out; a deleted Service no longer
// resolves. Failed requests are counted and the traffic goes on.
//
// Time is the emulator's clock: each traffic ticks once per emulated second and accounts that
// second's requests in bulk (one recordRequest(podIP, n) per endpoint), so fast-forwarding an hour
// of 10,000 requests/s costs 3,600 ticks, not 36 million requests. A traffic has an optional
// duration and an optional schedule: a step profile of requests/s over time from its start (the
// resource-efficiency sample's peaks). internalTrafficPolicy is not applied: the generator is not
// on a node of its own.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError, badRequest, methodNotAllowed, notFoundPath } from '../api/errors.ts';
import { rfc3339, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { parseDuration } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { CLUSTER_DOMAIN } from './dns.ts';
import { NET_ERROR_TEXT } from './index.ts';

/** The largest rate a traffic takes (requests per emulated second). */
export const MAX_RPS = 1_000_000;
const TICK_MS = 1_000;

/** One step of a schedule: from `at` ms after the start, `rps` requests per second. */
export interface SchedulePoint {
  at: number;
  rps: number;
}

export interface TrafficOptions {
  service: string;
  namespace?: string;
  /** Requests per second (before the schedule's first point, if it has one). */
  rps?: number;
  /** Stops by itself after this many ms of emulated time. */
  durationMs?: number;
  schedule?: SchedulePoint[];
  /** Default: the Service's name. */
  name?: string;
  /** The Service port, by name or number (default: its first TCP port). */
  port?: string | number;
}

export type TrafficPhase = 'Running' | 'Completed' | 'Stopped';

export interface TrafficStatus {
  name: string;
  namespace: string;
  service: string;
  /** Where the requests go, as a client in the cluster names it. */
  url: string;
  /** The requests/s being sent now (the schedule's current step). */
  rps: number;
  schedule?: { at: string; rps: number }[];
  /** Requests sent, and of those failed. */
  sent: number;
  failed: number;
  /** Why the last failed request failed (as wget prints it after its own prefix). */
  lastError?: string;
  /** The endpoints the last second's requests were spread over. */
  endpoints: number;
  /** The last second's requests per endpoint IP. */
  lastSecond: Record<string, number>;
  startedAt: string;
  endsAt?: string;
  phase: TrafficPhase;
}

interface Traffic {
  name: string;
  namespace: string;
  service: string;
  port: string | number;
  portLabel: string;
  rps: number;
  schedule: SchedulePoint[];
  start: number;
  end?: number;
  timer?: TimerHandle;
  carry: number;
  next: number;
  pinned?: string;
  sent: number;
  failed: number;
  lastError?: string;
  endpoints: number;
  lastSecond: Record<string, number>;
  phase: TrafficPhase;
}

/** A Go-style duration, shortest form ("20m", "1h30m", "90s", "0s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${unit}`;
    rest -= n * size;
  }
  if (rest) out += `${rest}ms`;
  return out;
}

/** A rate as the CLI, the extension and the control API take it. */
export function checkRps(v: unknown, what = 'rps'): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_RPS) {
    throw badRequest(`invalid ${what} ${JSON.stringify(v)}: must be a number of requests per second from 0 to ${MAX_RPS}`);
  }
  return n;
}

/**
 * A schedule written as `OFFSET=RPS,...`: from each OFFSET after the start (a duration such as
 * 20m, or 0), RPS requests per second. Offsets must increase.
 */
export function parseSchedule(text: string): SchedulePoint[] {
  const points: SchedulePoint[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    if (!m) throw badRequest(`invalid schedule step "${part}": use OFFSET=RPS, such as 0=400,20m=7000,30m=400`);
    const offset = m[1].trim();
    let at: number;
    try {
      at = offset === '0' ? 0 : parseDuration(offset);
    } catch (e) {
      throw badRequest(`invalid schedule step "${part}": ${(e as Error).message}`);
    }
    points.push({ at, rps: checkRps(m[2].trim(), `rate in schedule step "${part}"`) });
  }
  return checkSchedule(points);
}

function checkSchedule(points: unknown): SchedulePoint[] {
  if (!Array.isArray(points) || points.length === 0) throw badRequest('a schedule needs at least one step');
  const out: SchedulePoint[] = [];
  for (const p of points) {
    const at = (p as Obj)?.at;
    const ms = typeof at === 'string' ? (at === '0' ? 0 : parseDurationOr400(at)) : at;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw badRequest(`invalid schedule offset ${JSON.stringify(at)}: use a duration such as 20m`);
    if (out.length && ms <= out[out.length - 1].at) throw badRequest(`schedule offsets must increase: ${formatDuration(ms)} comes after ${formatDuration(out[out.length - 1].at)}`);
    out.push({ at: ms, rps: checkRps((p as Obj).rps, 'rate in schedule') });
  }
  return out;
}

function parseDurationOr400(s: string): number {
  try {
    return parseDuration(s);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function notFoundTraffic(name: string): ApiError {
  return new ApiError(404, 'NotFound', `traffic "${name}" not found`, { name, kind: 'traffic' });
}

/** Every traffic of a cluster (`cluster.traffic`). */
export class TrafficGenerator {
  private readonly traffics = new Map<string, Traffic>();
  private readonly services: Informer;
  private started: Promise<void> | undefined;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly net: {
      endpointsOf(serviceKey: string, sp: Obj): { ip: string; port: number; ready: boolean }[];
      listening(ip: string, port: number): boolean;
    },
    /** Accounts n requests served by the pod at ip (metrics-server's recordRequest). */
    private readonly record: (ip: string, n: number) => void,
  ) {
    // kube-proxy's view of Services, read at every tick.
    this.services = new Informer(api, api.resource('services'));
  }

  /** Starts a traffic; a Service that does not exist is NotFound, as kubectl says it. */
  async start(o: TrafficOptions): Promise<TrafficStatus> {
    const namespace = o.namespace || 'default';
    if (typeof o.service !== 'string' || !o.service) throw badRequest('give the Service to send traffic to');
    const name = o.name || o.service;
    if (!NAME_RE.test(name) || name.length > 63) throw badRequest(`invalid traffic name "${name}": use lowercase letters, digits and '-', starting and ending with a letter or digit`);
    const schedule = o.schedule === undefined ? [] : checkSchedule(o.schedule);
    if (o.rps === undefined && schedule.length === 0) throw badRequest('give the requests per second (rps) or a schedule');
    const rps = o.rps === undefined ? 0 : checkRps(o.rps);
    if (o.durationMs !== undefined && !(Number.isFinite(o.durationMs) && o.durationMs > 0)) throw badRequest('the duration must be above 0');
    const existing = this.traffics.get(name);
    if (existing?.phase === 'Running') throw new ApiError(409, 'AlreadyExists', `traffic "${name}" already exists`, { name, kind: 'traffic' });

    const svc = await this.api.get(this.api.resource('services'), namespace, o.service);
    if (svc.spec?.type === 'ExternalName') throw badRequest(`service "${o.service}" is of type ExternalName: it has no endpoints to send traffic to`);
    const sp = this.servicePort(svc, o.port);
    if (!sp) {
      throw badRequest(o.port === undefined || o.port === '' ? `Service ${o.service} has no TCP port` : `Service ${o.service} does not have a service port ${o.port}`);
    }
    await (this.started ??= this.services.start().catch((e) => {
      this.started = undefined;
      throw e;
    }));
    // Another start of the same name may have won while this one read the Service.
    if (this.traffics.get(name)?.phase === 'Running') throw new ApiError(409, 'AlreadyExists', `traffic "${name}" already exists`, { name, kind: 'traffic' });

    const now = this.clock.now();
    const t: Traffic = {
      name,
      namespace,
      service: o.service,
      port: o.port === undefined || o.port === '' ? sp.port : o.port,
      portLabel: String(sp.port),
      rps,
      schedule,
      start: now,
      end: o.durationMs === undefined ? undefined : now + o.durationMs,
      carry: 0,
      next: 0,
      sent: 0,
      failed: 0,
      endpoints: 0,
      lastSecond: {},
      phase: 'Running',
    };
    this.traffics.set(name, t);
    t.timer = this.clock.setInterval(() => this.tick(t), TICK_MS);
    return this.status(t);
  }

  /** Stops a traffic and forgets it; its last status says what it did. */
  stopTraffic(name: string): TrafficStatus {
    const t = this.traffics.get(name);
    if (!t) throw notFoundTraffic(name);
    t.timer?.cancel();
    this.traffics.delete(name);
    if (t.phase === 'Running') t.phase = 'Stopped';
    return this.status(t);
  }

  get(name: string): TrafficStatus {
    const t = this.traffics.get(name);
    if (!t) throw notFoundTraffic(name);
    return this.status(t);
  }

  list(): TrafficStatus[] {
    return [...this.traffics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((t) => this.status(t));
  }

  /** Stops every traffic (the cluster is stopping). */
  stop(): void {
    for (const t of this.traffics.values()) t.timer?.cancel();
    this.traffics.clear();
    this.services.stop();
    this.started = undefined;
  }

  /** The control API: GET|POST /traffic, GET|DELETE /traffic/NAME (path after /traffic). */
  async control(method: string, path: string, body: Obj): Promise<{ code: number; body: unknown }> {
    if (path === '' || path === '/') {
      if (method === 'GET') return { code: 200, body: { items: this.list() } };
      if (method !== 'POST') throw methodNotAllowed();
      const durationMs = body.duration === undefined || body.duration === null || body.duration === '' ? undefined : typeof body.duration === 'string' ? parseDurationOr400(body.duration) : Number.NaN;
      if (durationMs !== undefined && !(durationMs > 0)) throw badRequest(`invalid duration ${JSON.stringify(body.duration)}: use a duration above 0, such as 90s, 10m or 1h`);
      const schedule = typeof body.schedule === 'string' ? parseSchedule(body.schedule) : body.schedule ?? undefined;
      const status = await this.start({
        service: body.service,
        namespace: body.namespace,
        rps: body.rps === undefined || body.rps === null ? undefined : checkRps(body.rps),
        durationMs,
        schedule,
        name: body.name,
        port: body.port,
      });
      return { code: 201, body: status };
    }
    const m = /^\/([^/]+)$/.exec(path);
    if (!m) throw notFoundPath();
    const name = decodeURIComponent(m[1]);
    if (method === 'GET') return { code: 200, body: this.get(name) };
    if (method === 'DELETE') return { code: 200, body: this.stopTraffic(name) };
    throw methodNotAllowed();
  }

  // ---- the generator ----

  private servicePort(svc: Obj, port: string | number | undefined): Obj | undefined {
    const tcp = ((svc.spec?.ports ?? []) as Obj[]).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
    if (port === undefined || port === '') return tcp[0];
    return tcp.find((p) => p.name === String(port)) ?? tcp.find((p) => String(p.port) === String(port));
  }

  /** The rate at `elapsed` ms after the start: the last schedule step reached, else the initial rate. */
  private rateAt(t: Traffic, elapsed: number): number {
    let r = t.rps;
    for (const p of t.schedule) {
      if (p.at > elapsed) break;
      r = p.rps;
    }
    return r;
  }

  /** One emulated second of requests, accounted in bulk. */
  private tick(t: Traffic): void {
    if (t.phase !== 'Running') return;
    const now = this.clock.now();
    // The second that just ended began at now - 1 s (the last one may end early, at t.end).
    const span = Math.min(TICK_MS, (t.end ?? Infinity) - (now - TICK_MS));
    t.carry += (this.rateAt(t, now - TICK_MS - t.start) * span) / TICK_MS;
    const n = Math.floor(t.carry);
    t.carry -= n;
    t.lastSecond = {};
    if (n > 0) this.send(t, n);
    if (t.end !== undefined && now >= t.end) {
      t.phase = 'Completed';
      t.timer?.cancel();
    }
  }

  private fail(t: Traffic, n: number, why: string): void {
    t.sent += n;
    t.failed += n;
    t.lastError = why;
  }

  private send(t: Traffic, n: number): void {
    const svc = this.services.get(t.namespace, t.service);
    t.endpoints = 0;
    if (!svc) return this.fail(t, n, NET_ERROR_TEXT.ENOTFOUND);
    const sp = this.servicePort(svc, t.port);
    if (!sp || svc.spec?.type === 'ExternalName') return this.fail(t, n, NET_ERROR_TEXT.ETIMEDOUT);
    const eps = this.net.endpointsOf(`${t.namespace}/${t.service}`, sp);
    t.endpoints = eps.length;
    if (eps.length === 0) return this.fail(t, n, NET_ERROR_TEXT.ECONNREFUSED);
    const shares = new Array<number>(eps.length).fill(0);
    if (svc.spec?.sessionAffinity === 'ClientIP') {
      // One client: every request to its pinned endpoint while it stays an endpoint.
      let i = eps.findIndex((e) => `${e.ip}:${e.port}` === t.pinned);
      if (i < 0) {
        i = t.next % eps.length;
        t.next = (t.next + 1) % 1_000_000_000;
        t.pinned = `${eps[i].ip}:${eps[i].port}`;
      }
      shares[i] = n;
    } else {
      const base = Math.floor(n / eps.length);
      const rest = n % eps.length;
      for (let i = 0; i < eps.length; i++) shares[i] = base;
      for (let j = 0; j < rest; j++) shares[(t.next + j) % eps.length]++;
      t.next = (t.next + rest) % eps.length;
    }
    t.sent += n;
    for (let i = 0; i < eps.length; i++) {
      const c = shares[i];
      if (!c) continue;
      const e = eps[i];
      t.lastSecond[e.ip] = (t.lastSecond[e.ip] ?? 0) + c;
      if (this.net.listening(e.ip, e.port)) this.record(e.ip, c);
      else {
        t.failed += c;
        t.lastError = NET_ERROR_TEXT.ECONNREFUSED;
      }
    }
  }

  private status(t: Traffic): TrafficStatus {
    const now = t.phase === 'Running' ? this.clock.now() : Math.min(this.clock.now(), t.end ?? Infinity);
    const s: TrafficStatus = {
      name: t.name,
      namespace: t.namespace,
      service: t.service,
      url: `http://${t.service}.${t.namespace}.svc.${CLUSTER_DOMAIN}:${t.portLabel}`,
      rps: t.phase === 'Running' ? this.rateAt(t, now - t.start) : 0,
      sent: t.sent,
      failed: t.failed,
      endpoints: t.endpoints,
      lastSecond: t.lastSecond,
      startedAt: rfc3339(t.start),
      phase: t.phase,
    };
    if (t.schedule.length) s.schedule = t.schedule.map((p) => ({ at: formatDuration(p.at), rps: p.rps }));
    if (t.lastError) s.lastError = t.lastError;
    if (t.end !== undefined) s.endsAt = rfc3339(t.end);
    return s;
  }
}
