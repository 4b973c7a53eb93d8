// The HPA's replica calculator and resource metrics client
// (pkg/controller/podautoscaler/replica_calculator.go, metrics/client.go, metrics/utilization.go):
// pod metrics from metrics.k8s.io (the emulated metrics-server), pods grouped into ready, unready
// (Pending, or for cpu not yet through their initialization), missing (no metrics) and ignored
// (deleted or Failed); the ratio of usage to target with the 0.1 tolerance; missing pods counted
// at 100% (or the target) of their request on a scale-down and 0% on a scale-up; unready pods at 0%
// on a scale-up; no change when those fallbacks would reverse the direction.
//
// Values are milli-units as Quantity.MilliValue gives them (cpu in millicores, memory in
// milli-bytes), and the arithmetic is the integer arithmetic upstream does.

import type { Obj } from '../api/objects.ts';
import { Quantity } from '../api/quantity.ts';

/** --horizontal-pod-autoscaler-tolerance. */
export const TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

export interface PodMetric {
  timestamp: number;
  windowMs: number;
  value: number;
}

/** The metrics API as the HPA reads it: PodMetrics of a namespace by label selector. */
export interface ResourceMetricsSource {
  listPodMetrics(namespace: string, opts: { labelSelector?: string }): Promise<Obj[]>;
}

export class MetricsError extends Error {}

const milli = (q: unknown): number => Number(Quantity.parse(String(q)).milli());

/** resource.NewMilliQuantity(v, DecimalSI).String(). */
export function milliQuantity(v: number): string {
  return new Quantity(BigInt(Math.trunc(v)) * 1_000_000n, 'DecimalSI').toString();
}

function parseWindow(w: unknown): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(String(w ?? ''));
  return m ? Number(m[1]) * 1000 : 0;
}

/** resourceMetricsClient.GetResourceMetric (whole pods: every container must report the resource). */
export async function getResourceMetric(src: ResourceMetricsSource, resource: string, namespace: string, selector: string): Promise<{ metrics: Map<string, PodMetric>; timestamp: number }> {
  let items: Obj[];
  try {
    items = await src.listPodMetrics(namespace, { labelSelector: selector });
  } catch (e) {
    throw new MetricsError(`unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
  }
  if (items.length === 0) throw new MetricsError('no metrics returned from resource metrics API');
  const metrics = new Map<string, PodMetric>();
  for (const m of items) {
    const containers: Obj[] = m.containers ?? [];
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const v = c.usage?.[resource];
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += milli(v);
    }
    if (!missing) metrics.set(m.metadata.name, { timestamp: Date.parse(m.timestamp), windowMs: parseWindow(m.window), value: sum });
  }
  return { metrics, timestamp: Date.parse(items[0].timestamp) };
}

function readyCondition(pod: Obj): Obj | undefined {
  return (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
}

/** groupPods. */
export function groupPods(pods: Obj[], metrics: Map<string, PodMetric>, resource: string, now: number): { ready: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let ready = 0;
  for (const pod of pods) {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = readyCondition(pod);
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let isUnready: boolean;
      if (!cond || start === undefined) isUnready = true;
      else {
        const transition = Date.parse(cond.lastTransitionTime ?? '') || 0;
        if (start + CPU_INITIALIZATION_PERIOD_MS > now) {
          // Still initializing: unready, or no full metric window since the last transition.
          isUnready = cond.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Unready and never ready.
          isUnready = cond.status === 'False' && start + INITIAL_READINESS_DELAY_MS > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    ready++;
  }
  return { ready, unready, missing, ignored };
}

/** calculatePodRequests: the sum of the containers' (and sidecars') requests, or an error naming the first without. */
export function podRequests(pods: Obj[], resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers: Obj[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      const r = c.resources?.requests?.[resource];
      if (r === undefined) throw new MetricsError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milli(r);
    }
    out.set(pod.metadata.name, sum);
  }
  return out;
}

/** GetResourceUtilizationRatio. */
export function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, m] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new MetricsError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** GetMetricUsageRatio. */
export function usageRatio(metrics: Map<string, PodMetric>, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

function prepare(pods: Obj[], metrics: Map<string, PodMetric>, resource: string, now: number) {
  if (pods.length === 0) throw new MetricsError('no pods returned by selector while calculating replica count');
  const groups = groupPods(pods, metrics, resource, now);
  for (const p of groups.ignored) metrics.delete(p);
  for (const p of groups.unready) metrics.delete(p);
  if (metrics.size === 0) throw new MetricsError('did not receive metrics for targeted pods (pods might be unready)');
  return groups;
}

/** The common tail of GetResourceReplicas and calcPlainMetricReplicas. */
function replicasWithFallbacks(
  currentReplicas: number,
  ratio: number,
  groups: ReturnType<typeof groupPods>,
  metrics: Map<string, PodMetric>,
  missingDown: (pod: string) => number,
  recompute: () => number,
): number {
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= TOLERANCE) return currentReplicas;
    return Math.ceil(ratio * groups.ready);
  }
  if (groups.missing.size > 0) {
    if (ratio < 1.0) for (const p of groups.missing) metrics.set(p, { timestamp: 0, windowMs: 0, value: missingDown(p) });
    else if (ratio > 1.0) for (const p of groups.missing) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });
  }
  if (scaleUpWithUnready) for (const p of groups.unready) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });
  const newRatio = recompute();
  if (Math.abs(1.0 - newRatio) <= TOLERANCE || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0)) return currentReplicas;
  const newReplicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1.0 && newReplicas > currentReplicas) || (newRatio > 1.0 && newReplicas < currentReplicas)) return currentReplicas;
  return newReplicas;
}

/** GetResourceReplicas: a target utilization (percentage of the pods' requests). */
export function resourceReplicas(
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  pods: Obj[],
  metrics: Map<string, PodMetric>,
  now: number,
): { replicas: number; utilization: number; rawAverage: number } {
  const groups = prepare(pods, metrics, resource, now);
  const requests = podRequests(pods, resource);
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
  const fallback = Math.max(100, targetUtilization);
  const replicas = replicasWithFallbacks(
    currentReplicas,
    ratio,
    groups,
    metrics,
    (p) => Math.trunc(((requests.get(p) ?? 0) * fallback) / 100),
    () => utilizationRatio(metrics, requests, targetUtilization).ratio,
  );
  return { replicas, utilization, rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: a target average value per pod (milli-units). */
export function rawResourceReplicas(currentReplicas: number, targetUsage: number, resource: string, pods: Obj[], metrics: Map<string, PodMetric>, now: number): { replicas: number; usage: number } {
  const groups = prepare(pods, metrics, resource, now);
  const { ratio, usage } = usageRatio(metrics, targetUsage);
  const replicas = replicasWithFallbacks(
    currentReplicas,
    ratio,
    groups,
    metrics,
    () => targetUsage,
    () => usageRatio(metrics, targetUsage).ratio,
  );
  return { replicas, usage };
}
