// HorizontalPodAutoscaler controller, autoscaling/v2 (pkg/controller/podautoscaler/horizontal.go):
// every HPA is reconciled every 15 s of emulator time (--horizontal-pod-autoscaler-sync-period; a
// new HPA waits one period, as the rate-limited queue makes it): read the target's scale
// subresource, compute a replica count per metric (Resource metrics, Utilization or AverageValue,
// from the emulated metrics API; horizontal-replicas.ts), take the largest, then stabilize and
// limit it (without behavior: the 5-minute downscale stabilization and the 2x/4-pod scale-up
// limit; with behavior: scaleUp/scaleDown stabilization windows and Pods/Percent policies with
// selectPolicy), clamp to minReplicas/maxReplicas, write the scale, record SuccessfulRescale
// ("New size: 4; reason: cpu resource utilization (percentage of request) above target"), and
// write status: currentReplicas, desiredReplicas, currentMetrics, lastScaleTime and the
// AbleToScale, ScalingActive and ScalingLimited conditions with Kubernetes' reasons and messages.
// Pods, Object, External and ContainerResource metrics have no source in the emulator: they fail
// as an HPA fails without a custom or external metrics API.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { jsonEqual, rfc3339, type Obj } from '../api/objects.ts';
import { Quantity } from '../api/quantity.ts';
import type { ResourceDef } from '../api/registry.ts';
import { scaleOf, serveScale } from '../api/scale.ts';
import { serveCustomScale } from '../api/custom-resources.ts';
import { matchesLabels, parseLabelSelector, type Requirement } from '../api/selectors.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { getResourceMetric, milliQuantity, rawResourceReplicas, resourceReplicas, type ResourceMetricsSource } from './horizontal-replicas.ts';

export const HPA_SYNC_PERIOD_MS = 15_000;
/** --horizontal-pod-autoscaler-downscale-stabilization. */
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;
const COMPONENT = 'horizontal-pod-autoscaler';

interface Recommendation {
  replicas: number;
  at: number;
}
interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** An error whose message is Kubernetes' text; the condition to set goes with it. */
class SyncError extends Error {
  constructor(
    message: string,
    readonly condition?: Obj,
  ) {
    super(message);
  }
}

export class HorizontalController {
  private readonly hpas: Informer;
  private readonly pods: Informer;
  private readonly events: EventRecorder;
  private readonly queue = new WorkQueue(async (k) => this.processKey(k));
  /** The delaying queue: HPAs waiting for their next sync. */
  private readonly pending = new Map<string, TimerHandle>();
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();
  /** The pod selector of each HPA by namespace (hpaSelectors: AmbiguousSelector). */
  private readonly selectors = new Map<string, Map<string, Requirement[] | null>>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly informers: SharedInformers,
    private readonly metrics: ResourceMetricsSource,
  ) {
    this.events = new EventRecorder(api, clock, { component: COMPONENT });
    this.hpas = informers.for('horizontalpodautoscalers.autoscaling');
    this.pods = informers.for('pods').addIndex('namespace', (p) => [p.metadata.namespace]);
    this.hpas.on({
      add: (h) => this.enqueue(h),
      update: (h) => this.enqueue(h),
      delete: (h) => this.forget(`${h.metadata.namespace}/${h.metadata.name}`),
    });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.pods);
    await this.informers.acquire(this.hpas);
    for (const h of this.hpas.list()) this.enqueue(h);
  }

  stop(): void {
    this.queue.stop();
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
    this.informers.release(this.hpas);
    this.informers.release(this.pods);
  }

  /** Settles once queued syncs are done (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** enqueueHPA: AddRateLimited, one sync period later; a key already waiting stays as it is. */
  private enqueue(h: Obj): void {
    const key = `${h.metadata.namespace}/${h.metadata.name}`;
    const sel = this.nsSelectors(h.metadata.namespace);
    if (!sel.has(h.metadata.name)) sel.set(h.metadata.name, null);
    this.enqueueAfter(key);
  }

  private enqueueAfter(key: string): void {
    if (this.pending.has(key)) return;
    this.pending.set(
      key,
      this.clock.setTimeout(() => {
        this.pending.delete(key);
        this.queue.add(key);
      }, HPA_SYNC_PERIOD_MS),
    );
  }

  private forget(key: string): void {
    this.pending.get(key)?.cancel();
    this.pending.delete(key);
    this.cleanup(key);
  }

  private cleanup(key: string): void {
    const [ns, name] = key.split('/');
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
    this.selectors.get(ns)?.delete(name);
  }

  private nsSelectors(ns: string): Map<string, Requirement[] | null> {
    let m = this.selectors.get(ns);
    if (!m) this.selectors.set(ns, (m = new Map()));
    return m;
  }

  private async processKey(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const hpa = this.hpas.get(ns, name);
    if (!hpa) {
      this.cleanup(key);
      return;
    }
    try {
      await this.reconcile(hpa, key);
    } catch (e) {
      if (!(e instanceof ApiError) && !(e instanceof SyncError)) throw e;
    }
    if (this.hpas.get(ns, name)) this.enqueueAfter(key);
  }

  // ---- reconcileAutoscaler ----

  private async reconcile(shared: Obj, key: string): Promise<void> {
    const hpa: Obj = structuredClone(shared);
    hpa.status ??= {};
    const original: Obj = structuredClone(shared.status ?? {});
    const ns: string = hpa.metadata.namespace;
    const ref: Obj = hpa.spec?.scaleTargetRef ?? {};

    let scale: Obj;
    let target: ResourceDef;
    try {
      target = this.scaleTarget(ref);
      scale = await this.readScale(target, ns, ref.name);
    } catch (e) {
      if (!(e instanceof ApiError) && !(e instanceof SyncError)) throw e;
      await this.events.record(hpa, 'Warning', 'FailedGetScale', e.message);
      setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${e.message}`, this.clock.now());
      await this.updateStatusIfNeeded(original, hpa);
      throw e;
    }
    const now = this.clock.now();
    setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", now);
    const currentReplicas: number = scale.spec?.replicas ?? 0;
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: currentReplicas, at: now }]);

    const minReplicas: number = hpa.spec.minReplicas ?? 1;
    const maxReplicas: number = hpa.spec.maxReplicas;
    let desiredReplicas = 0;
    let rescaleReason = '';
    let rescale = true;
    let metricStatuses: Obj[] | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
    } else if (currentReplicas > maxReplicas) {
      rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = maxReplicas;
    } else if (currentReplicas < minReplicas) {
      rescaleReason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const r = await this.computeReplicasForMetrics(hpa, scale, now);
      metricStatuses = r.statuses;
      if (r.error && r.replicas === -1) {
        this.setStatus(hpa, currentReplicas, hpa.status.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        await this.events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', r.error);
        return;
      }
      let rescaleMetric = '';
      if (r.replicas > desiredReplicas) {
        desiredReplicas = r.replicas;
        rescaleMetric = r.metric;
      }
      if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
      if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';
      desiredReplicas = hpa.spec.behavior
        ? this.normalizeWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas, now)
        : this.normalize(hpa, key, currentReplicas, desiredReplicas, minReplicas, now);
      rescale = desiredReplicas !== currentReplicas;
    }

    if (rescale) {
      try {
        await this.writeScale(target, ns, ref.name, scale, desiredReplicas);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        await this.events.record(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${e.message}`);
        setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${e.message}`, now);
        this.setStatus(hpa, currentReplicas, hpa.status.desiredReplicas ?? 0, metricStatuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        return;
      }
      setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`, now);
      await this.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.storeScaleEvent(hpa.spec.behavior, key, currentReplicas, desiredReplicas, now);
    } else desiredReplicas = currentReplicas;

    this.setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale);
    await this.updateStatusIfNeeded(original, hpa);
  }

  /** RESTMappings for the target's group and kind, with a scale subresource. */
  private scaleTarget(ref: Obj): ResourceDef {
    const apiVersion = String(ref.apiVersion ?? '');
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (apiVersion.split('/').length > 2) throw new SyncError(`unexpected GroupVersion string: ${apiVersion}`);
    const reg = this.api.registry;
    const defs = reg
      .groupVersions()
      .filter((gv) => gv.group === group)
      .flatMap((gv) => reg.inGroupVersion(gv.group, gv.version))
      .filter((d) => d.kind === ref.kind && !d.conversion);
    const def = defs.find((d) => d.subresources.includes('scale')) ?? defs[0];
    if (!def) throw new SyncError(`no matches for kind "${ref.kind}" in group "${group}"`);
    return def;
  }

  private async readScale(def: ResourceDef, ns: string, name: string): Promise<Obj> {
    if (!def.subresources.includes('scale')) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (def.custom?.scale) return serveCustomScale(this.api, def, ns, name, 'GET', undefined, undefined, {});
    return scaleOf(def, await this.api.get(def, ns, name));
  }

  private async writeScale(def: ResourceDef, ns: string, name: string, scale: Obj, replicas: number): Promise<void> {
    const body = { ...scale, spec: { ...scale.spec, replicas } };
    if (def.custom?.scale) await serveCustomScale(this.api, def, ns, name, 'PUT', body, undefined, {});
    else await serveScale(this.api, def, ns, name, 'PUT', body, undefined, {});
  }

  // ---- metrics ----

  private async computeReplicasForMetrics(hpa: Obj, scale: Obj, now: number): Promise<{ replicas: number; metric: string; statuses: Obj[] | undefined; error?: string }> {
    let selector: { text: string; reqs: Requirement[] };
    try {
      selector = await this.validateAndParseSelector(hpa, scale.status?.selector ?? '', now);
    } catch (e) {
      if (!(e instanceof SyncError)) throw e;
      return { replicas: -1, metric: '', statuses: undefined, error: e.message };
    }
    const specs: Obj[] = hpa.spec.metrics ?? [];
    const statuses: Obj[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: SyncError | undefined;
    for (let i = 0; i < specs.length; i++) {
      try {
        const r = await this.computeReplicasForMetric(hpa, specs[i], scale.spec?.replicas ?? 0, selector, now);
        statuses[i] = r.status;
        if (replicas === 0 || r.replicas > replicas) {
          replicas = r.replicas;
          metric = r.metric;
        }
      } catch (e) {
        if (!(e instanceof SyncError)) throw e;
        if (invalid === 0) firstError = e;
        invalid++;
      }
    }
    const error = firstError ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}` : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < (scale.spec?.replicas ?? 0))) {
      const c = firstError?.condition;
      if (c) setCondition(hpa, c.type, c.status, c.reason, c.message, now);
      return { replicas: -1, metric: '', statuses, error };
    }
    setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`, now);
    return { replicas, metric, statuses, error };
  }

  /** validateAndParseSelector: present, parsable, and its pods controlled by this HPA alone. */
  private async validateAndParseSelector(hpa: Obj, selector: string, now: number): Promise<{ text: string; reqs: Requirement[] }> {
    if (!selector) {
      await this.events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now);
      throw new SyncError('selector is required');
    }
    let reqs: Requirement[];
    try {
      reqs = parseLabelSelector(selector);
    } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      await this.events.record(hpa, 'Warning', 'InvalidSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg, now);
      throw new SyncError(msg);
    }
    const ns: string = hpa.metadata.namespace;
    const sels = this.nsSelectors(ns);
    if (sels.has(hpa.metadata.name)) sels.set(hpa.metadata.name, reqs);
    const selecting = new Set<string>();
    for (const pod of this.podsOf(ns, reqs)) {
      for (const [other, r] of sels) if (r && matchesLabels(r, pod.metadata.labels ?? {})) selecting.add(`${ns}/${other}`);
    }
    if (selecting.size > 1) {
      const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${[...selecting].sort().join(' ')}]`;
      await this.events.record(hpa, 'Warning', 'AmbiguousSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'AmbiguousSelector', msg, now);
      throw new SyncError(msg);
    }
    return { text: selector, reqs };
  }

  private podsOf(ns: string, reqs: Requirement[]): Obj[] {
    return this.pods.byIndex('namespace', ns).filter((p) => matchesLabels(reqs, p.metadata.labels ?? {}));
  }

  /** An error event plus the ScalingActive=False condition (getUnableComputeReplicaCountCondition). */
  private async unable(hpa: Obj, reason: string, message: string, wrapped: string): Promise<SyncError> {
    await this.events.record(hpa, 'Warning', reason, message);
    return new SyncError(wrapped, { type: 'ScalingActive', status: 'False', reason, message: `the HPA was unable to compute the replica count: ${message}` });
  }

  private async computeReplicasForMetric(
    hpa: Obj,
    spec: Obj,
    specReplicas: number,
    selector: { text: string; reqs: Requirement[] },
    now: number,
  ): Promise<{ replicas: number; metric: string; status: Obj }> {
    switch (spec.type) {
      case 'Resource':
        return this.computeStatusForResourceMetric(hpa, spec, specReplicas, selector, now);
      case 'Pods':
        throw await this.unable(hpa, 'FailedGetPodsMetric', `unable to get metric ${spec.pods?.metric?.name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`, `failed to get pods metric value: unable to get metric ${spec.pods?.metric?.name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`);
      case 'Object':
        throw await this.unable(hpa, 'FailedGetObjectMetric', `unable to get metric ${spec.object?.metric?.name}: no custom metrics API (custom.metrics.k8s.io) registered`, `failed to get object metric value: unable to get metric ${spec.object?.metric?.name}: no custom metrics API (custom.metrics.k8s.io) registered`);
      case 'External':
        throw await this.unable(hpa, 'FailedGetExternalMetric', `unable to get external metric ${hpa.metadata.namespace}/${spec.external?.metric?.name}: no external metrics API (external.metrics.k8s.io) registered`, `failed to get ${spec.external?.metric?.name} external metric value: unable to get external metric: no external metrics API (external.metrics.k8s.io) registered`);
      case 'ContainerResource':
        return this.computeStatusForResourceMetric(hpa, spec, specReplicas, selector, now, spec.containerResource?.container);
      default: {
        const msg = `unknown metric source type "${spec.type}"`;
        throw await this.unable(hpa, 'InvalidMetricSourceType', msg, msg);
      }
    }
  }

  /** computeStatusForResourceMetric(Generic). */
  private async computeStatusForResourceMetric(
    hpa: Obj,
    spec: Obj,
    currentReplicas: number,
    selector: { text: string; reqs: Requirement[] },
    now: number,
    container?: string,
  ): Promise<{ replicas: number; metric: string; status: Obj }> {
    const containerMetric = spec.type === 'ContainerResource';
    const src: Obj = (containerMetric ? spec.containerResource : spec.resource) ?? {};
    const resource: string = src.name;
    const t: Obj = src.target ?? {};
    const reason = containerMetric ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
    const wrap = (m: string) => (containerMetric ? `failed to get ${container} container metric value: ${m}` : `failed to get ${resource} resource metric value: ${m}`);
    const fail = async (m: string) => this.unable(hpa, reason, m, wrap(m));
    const ns: string = hpa.metadata.namespace;
    const statusOf = (current: Obj): Obj =>
      containerMetric
        ? { type: 'ContainerResource', containerResource: { name: resource, container, current } }
        : { type: 'Resource', resource: { name: resource, current } };
    let metrics;
    const label = t.averageValue !== undefined && t.averageValue !== null ? 'usage' : 'utilization';
    try {
      if (containerMetric) throw new Error('the emulated metrics API reports whole pods only');
      metrics = (await getResourceMetric(this.metrics, resource, ns, selector.text)).metrics;
    } catch (e) {
      throw await fail(`failed to get ${resource} ${label}: unable to get metrics for resource ${resource}: ${(e as Error).message}`);
    }
    const pods = this.podsOf(ns, selector.reqs);
    if (t.averageValue !== undefined && t.averageValue !== null) {
      const target = Number(Quantity.parse(String(t.averageValue)).milli());
      try {
        const r = rawResourceReplicas(currentReplicas, target, resource, pods, metrics, now);
        return { replicas: r.replicas, metric: `${resource} resource`, status: statusOf({ averageValue: milliQuantity(r.usage) }) };
      } catch (e) {
        throw await fail(`failed to get ${resource} usage: ${(e as Error).message}`);
      }
    }
    if (typeof t.averageUtilization !== 'number') {
      throw await fail('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    try {
      const r = resourceReplicas(currentReplicas, t.averageUtilization, resource, pods, metrics, now);
      const metric = containerMetric ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
      return { replicas: r.replicas, metric, status: statusOf({ averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) }) };
    } catch (e) {
      throw await fail(`failed to get ${resource} utilization: ${(e as Error).message}`);
    }
  }

  // ---- normalization ----

  /** stabilizeRecommendation + normalizeDesiredReplicas (no behavior). */
  private normalize(hpa: Obj, key: string, current: number, prenormalized: number, minReplicas: number, now: number): number {
    let max = prenormalized;
    const recs = this.recommendations.get(key) ?? [];
    let oldIndex = -1;
    for (let i = 0; i < recs.length; i++) {
      if (recs[i].at < now - DOWNSCALE_STABILIZATION_MS) oldIndex = i;
      else if (recs[i].replicas > max) max = recs[i].replicas;
    }
    if (oldIndex >= 0) recs[oldIndex] = { replicas: prenormalized, at: now };
    else recs.push({ replicas: prenormalized, at: now });
    this.recommendations.set(key, recs);
    if (max !== prenormalized) {
      setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    } else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);

    // convertDesiredReplicasWithRules.
    const scaleUpLimit = Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
    let maximum: number;
    let reason: string;
    let message: string;
    if (hpa.spec.maxReplicas > scaleUpLimit) {
      maximum = scaleUpLimit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    } else {
      maximum = hpa.spec.maxReplicas;
      reason = 'TooManyReplicas';
      message = 'the desired replica count is more than the maximum replica count';
    }
    let desired = max;
    if (max < minReplicas) {
      desired = minReplicas;
      reason = 'TooFewReplicas';
      message = 'the desired replica count is less than the minimum replica count';
    } else if (max > maximum) desired = maximum;
    else {
      reason = 'DesiredWithinRange';
      message = 'the desired count is within the acceptable range';
    }
    setCondition(hpa, 'ScalingLimited', desired === max ? 'False' : 'True', reason, message, now);
    return desired;
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  private normalizeWithBehaviors(hpa: Obj, key: string, current: number, prenormalized: number, minReplicas: number, now: number): number {
    const behavior: Obj = hpa.spec.behavior;
    const up: Obj = behavior.scaleUp ?? defaultScaleUp();
    const down: Obj = { ...defaultScaleDown(), ...(behavior.scaleDown ?? {}) };
    // maybeInitScaleDownStabilizationWindow.
    if (down.stabilizationWindowSeconds === undefined || down.stabilizationWindowSeconds === null) down.stabilizationWindowSeconds = DOWNSCALE_STABILIZATION_MS / 1000;

    // stabilizeRecommendationWithBehaviors.
    const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - down.stabilizationWindowSeconds * 1000;
    let upRec = prenormalized;
    let downRec = prenormalized;
    const recs = this.recommendations.get(key) ?? [];
    let oldIndex = -1;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i];
      if (r.at > upCutoff) upRec = Math.min(r.replicas, upRec);
      if (r.at > downCutoff) downRec = Math.max(r.replicas, downRec);
      if (r.at < upCutoff && r.at < downCutoff) oldIndex = i;
    }
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    if (oldIndex >= 0) recs[oldIndex] = { replicas: prenormalized, at: now };
    else recs.push({ replicas: prenormalized, at: now });
    this.recommendations.set(key, recs);
    if (stabilized !== prenormalized) {
      if (prenormalized >= current) {
        setCondition(hpa, 'AbleToScale', 'True', 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation', now);
      } else setCondition(hpa, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    } else setCondition(hpa, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);

    // convertDesiredReplicasWithBehaviorRate.
    const upEvents = this.scaleUpEvents.get(key) ?? [];
    const downEvents = this.scaleDownEvents.get(key) ?? [];
    let desired = stabilized;
    let reason = 'DesiredWithinRange';
    let message = 'the desired count is within the acceptable range';
    if (stabilized > current) {
      const limit = Math.max(current, scaleUpLimit(current, upEvents, downEvents, up, now));
      let maximum = hpa.spec.maxReplicas;
      if (maximum > limit) {
        maximum = limit;
        reason = 'ScaleUpLimit';
        message = 'the desired replica count is increasing faster than the maximum scale rate';
      } else {
        reason = 'TooManyReplicas';
        message = 'the desired replica count is more than the maximum replica count';
      }
      if (stabilized > maximum) desired = maximum;
      else {
        reason = 'DesiredWithinRange';
        message = 'the desired count is within the acceptable range';
      }
    } else if (stabilized < current) {
      const limit = Math.min(current, scaleDownLimit(current, upEvents, downEvents, down, now));
      let minimum = minReplicas;
      if (minimum < limit) {
        minimum = limit;
        reason = 'ScaleDownLimit';
        message = 'the desired replica count is decreasing faster than the maximum scale rate';
      } else {
        reason = 'TooFewReplicas';
        message = 'the desired replica count is less than the minimum replica count';
      }
      if (stabilized < minimum) desired = minimum;
      else {
        reason = 'DesiredWithinRange';
        message = 'the desired count is within the acceptable range';
      }
    }
    setCondition(hpa, 'ScalingLimited', desired === stabilized ? 'False' : 'True', reason, message, now);
    return desired;
  }

  /** storeScaleEvent: kept only with behavior; outdated ones (older than the longest policy period) reused. */
  private storeScaleEvent(behavior: Obj | undefined, key: string, prev: number, next: number, now: number): void {
    if (!behavior) return;
    const upward = next > prev;
    const rules: Obj = (upward ? behavior.scaleUp : behavior.scaleDown) ?? (upward ? defaultScaleUp() : defaultScaleDown());
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const events = map.get(key) ?? [];
    const longest = Math.max(0, ...((rules.policies ?? []) as Obj[]).map((p) => p.periodSeconds ?? 0));
    for (const e of events) if (e.at < now - longest * 1000) e.outdated = true;
    const ev: ScaleEvent = { change: Math.abs(next - prev), at: now, outdated: false };
    let old = -1;
    events.forEach((e, i) => {
      if (e.outdated) old = i;
    });
    if (old >= 0) events[old] = ev;
    else events.push(ev);
    map.set(key, events);
  }

  // ---- status ----

  private setStatus(hpa: Obj, currentReplicas: number, desiredReplicas: number, metricStatuses: Obj[] | undefined, rescale: boolean): void {
    const status: Obj = { currentReplicas, desiredReplicas };
    const lastScaleTime = rescale ? rfc3339(this.clock.now()) : hpa.status.lastScaleTime;
    if (lastScaleTime) status.lastScaleTime = lastScaleTime;
    if (metricStatuses && metricStatuses.length) status.currentMetrics = metricStatuses;
    if (hpa.status.conditions) status.conditions = hpa.status.conditions;
    hpa.status = status;
  }

  private async updateStatusIfNeeded(original: Obj, hpa: Obj): Promise<void> {
    if (jsonEqual(original, hpa.status)) return;
    try {
      await this.api.update(this.hpas.def, hpa.metadata.namespace, hpa.metadata.name, hpa, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      await this.events.record(hpa, 'Warning', 'FailedUpdateStatus', e.message);
    }
  }
}

/** getReplicasChangePerPeriod. */
function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let n = 0;
  for (const e of events) if (e.at > cutoff) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules. */
function scaleUpLimit(current: number, upEvents: ScaleEvent[], downEvents: ScaleEvent[], rules: Obj, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of (rules.policies ?? []) as Obj[]) {
    const start = current - changeInPeriod(p.periodSeconds, upEvents, now) + changeInPeriod(p.periodSeconds, downEvents, now);
    let proposed = 0;
    if (p.type === 'Pods') proposed = start + p.value;
    else if (p.type === 'Percent') proposed = Math.ceil(start * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
function scaleDownLimit(current: number, upEvents: ScaleEvent[], downEvents: ScaleEvent[], rules: Obj, now: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of (rules.policies ?? []) as Obj[]) {
    const start = current - changeInPeriod(p.periodSeconds, upEvents, now) + changeInPeriod(p.periodSeconds, downEvents, now);
    let proposed = 0;
    if (p.type === 'Pods') proposed = start - p.value;
    else if (p.type === 'Percent') proposed = Math.trunc(start * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** GenerateHPAScaleUpRules defaults. */
function defaultScaleUp(): Obj {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** GenerateHPAScaleDownRules defaults (the window comes from the controller's flag). */
function defaultScaleDown(): Obj {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** setCondition: lastTransitionTime moves only when the status does. */
function setCondition(hpa: Obj, type: string, status: string, reason: string, message: string, now: number): void {
  const conds: Obj[] = (hpa.status.conditions ??= []);
  let c = conds.find((x) => x.type === type);
  if (!c) conds.push((c = { type }));
  if (c.status !== status) c.lastTransitionTime = rfc3339(now);
  c.status = status;
  c.reason = reason;
  c.message = message;
}
