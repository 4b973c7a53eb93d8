// Container probes as the kubelet runs them (pkg/kubelet/prober/worker.go, prober.go,
// results_manager.go; pkg/probe/http, tcp, exec): one worker per probe of a running container,
// on the node's clock. A worker waits initialDelaySeconds, then probes every periodSeconds with
// timeoutSeconds; successThreshold consecutive successes or failureThreshold consecutive failures
// flip the result. Readiness starts as Failure, liveness as Success, startup as Unknown.

import type { Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { NetError } from '../runtime/contracts.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure';

export interface ProbeTarget {
  podIP: string;
  hostIP: string;
  namespace: string;
  container: Obj;
  /** Runs a command in the container, with the probe's deadline: exit code and combined output. */
  exec(argv: string[], timeoutMs: number): Promise<{ code: number; output: string; timedOut: boolean }>;
  /** An HTTP request from the node (the kubelet's own network namespace). */
  request(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number }>;
}

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the Unhealthy event says after "Liveness probe failed: ". */
  output: string;
}

const KIND_TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export function probeTitle(kind: ProbeKind): string {
  return KIND_TITLE[kind];
}

/** A named or numbered port of the container (prober.go findPortByName). */
function resolvePort(container: Obj, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const p = (container.ports ?? []).find((x: Obj) => x.name === port);
  return p?.containerPort;
}

/** One probe attempt (prober.go runProbe). */
export async function runProbe(probe: Obj, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const argv: string[] = probe.exec.command ?? [];
    const r = await t.exec(argv, timeoutMs);
    if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(argv.join(' '))} timed out` };
    return r.code === 0 ? { result: 'success', output: r.output } : { result: 'failure', output: r.output };
  }
  if (probe.httpGet) {
    const g = probe.httpGet;
    const port = resolvePort(t.container, g.port);
    const host = g.host || t.podIP;
    const scheme = String(g.scheme ?? 'HTTP').toLowerCase();
    let path: string = g.path ?? '';
    if (!path.startsWith('/')) path = '/' + path;
    const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
    if (port === undefined) return { result: 'failure', output: `unable to find port ${JSON.stringify(String(g.port))}` };
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of (g.httpHeaders ?? []) as Obj[]) headers[h.name] = h.value;
    try {
      const res = await t.request(url, headers, timeoutMs);
      // pkg/probe/http/http.go: 200-399 is success.
      if (res.status >= 200 && res.status < 400) return { result: 'success', output: '' };
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    } catch (e) {
      return { result: 'failure', output: `Get ${JSON.stringify(url)}: ${dialError(e, host, port)}` };
    }
  }
  if (probe.tcpSocket || probe.grpc) {
    const port = probe.tcpSocket ? resolvePort(t.container, probe.tcpSocket.port) : Number(probe.grpc.port);
    const host = probe.tcpSocket?.host || t.podIP;
    if (port === undefined) return { result: 'failure', output: `unable to find port ${JSON.stringify(String(probe.tcpSocket.port))}` };
    try {
      // Something listening on the port answers; only a refused or unreachable connection fails.
      await t.request(`http://${host}:${port}/`, { 'User-Agent': 'kube-probe/1.32' }, timeoutMs);
      return { result: 'success', output: '' };
    } catch (e) {
      if (e instanceof NetError || e instanceof ProbeTimeout) return { result: 'failure', output: dialError(e, host, port) };
      return { result: 'success', output: '' };
    }
  }
  // validation keeps this from happening; the kubelet warns and treats it as success
  return { result: 'success', output: '' };
}

export class ProbeTimeout extends Error {}

/** Go's net/http client errors as the probe (and an httpGet lifecycle hook) reports them. */
export function dialError(e: unknown, host: string, port: number): string {
  if (e instanceof ProbeTimeout) return 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)';
  const code = e instanceof NetError ? e.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${host}:${port}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${host}:${port}: connect: no route to host`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${host}: no such host`;
    case 'ETIMEDOUT':
      return `dial tcp ${host}:${port}: i/o timeout`;
    default:
      return (e as Error)?.message ?? String(e);
  }
}

/** Rejects with ProbeTimeout after ms of the node's time. */
export function withTimeout<T>(clock: Clock, ms: number, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new ProbeTimeout('timeout')), ms);
    p.then(
      (v) => {
        t.cancel();
        resolve(v);
      },
      (e) => {
        t.cancel();
        reject(e);
      },
    );
  });
}

/** The results cache of one probe of one container instance (worker.go doProbe). */
export class ProbeWorker {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  result: ProbeResult | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Obj,
    private readonly clock: Clock,
    private readonly target: ProbeTarget,
    private readonly onAttempt: (kind: ProbeKind, outcome: ProbeOutcome) => void,
    private readonly onChange: (kind: ProbeKind, result: ProbeResult) => void,
  ) {
    this.result = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : undefined;
  }

  get periodMs(): number {
    return (this.probe.periodSeconds ?? 10) * 1000;
  }

  /**
   * Starts probing: the first attempt after initialDelaySeconds (readiness and startup at once when
   * it is 0). With `jittered` (the kubelet started less than a period before the pod came:
   * worker.go run() sleeps a random part of the period first), the worker's ticks fall at
   * jittered.from + k * period, and the first is the first tick at or after initialDelaySeconds.
   */
  start(jittered?: { from: number }): void {
    const initial = (this.probe.initialDelaySeconds ?? 0) * 1000;
    let first = initial > 0 ? initial : this.kind === 'liveness' ? this.periodMs : 0;
    if (jittered) {
      const now = this.clock.now();
      const earliest = now + initial;
      const k = Math.max(0, Math.ceil((earliest - jittered.from) / this.periodMs));
      first = jittered.from + k * this.periodMs - now;
    }
    this.timer = this.clock.setTimeout(() => void this.tick(), Math.max(0, first));
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const timeoutMs = (this.probe.timeoutSeconds ?? 1) * 1000;
    let outcome: ProbeOutcome;
    try {
      outcome = await withTimeout(this.clock, timeoutMs + 1, runProbe(this.probe, this.target));
    } catch (e) {
      outcome = { result: 'failure', output: e instanceof ProbeTimeout && this.probe.exec ? `command ${JSON.stringify((this.probe.exec.command ?? []).join(' '))} timed out` : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' };
    }
    if (this.stopped) return;
    this.onAttempt(this.kind, outcome);
    if (outcome.result === 'success') {
      this.failures = 0;
      this.successes++;
    } else {
      this.successes = 0;
      this.failures++;
    }
    const successThreshold = this.probe.successThreshold ?? 1;
    const failureThreshold = this.probe.failureThreshold ?? 3;
    let next = this.result;
    if (outcome.result === 'success' && this.successes >= successThreshold) next = 'success';
    if (outcome.result === 'failure' && this.failures >= failureThreshold) next = 'failure';
    if (next !== this.result && next !== undefined) {
      this.result = next;
      // worker.go: after a liveness or startup failure the container restarts; counting starts afresh.
      if (next === 'failure' && this.kind !== 'readiness') {
        this.stop();
        this.onChange(this.kind, next);
        return;
      }
      this.onChange(this.kind, next);
      // A startup probe stops once it succeeded.
      if (this.kind === 'startup' && next === 'success') {
        this.stop();
        return;
      }
    }
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.tick(), this.periodMs);
  }
}
