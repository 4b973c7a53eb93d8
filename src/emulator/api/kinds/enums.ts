// The apiserver's NotSupported checks of enum-valued fields, from the value sets of
// manifests/known-values.ts (Kubernetes' `+enum` types), walked along the 1.32 OpenAPI schema.
// One module for both the emulated apiserver (kinds/pod.ts for pods and every pod template,
// kinds/service.ts) and the editor's engine (manifests/enums.ts, for what no kind validates).
// Messages are field.NotSupported's: `spec.dnsPolicy: Unsupported value: "Sometimes": supported
// values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`; values in the order
// pkg/apis/core/validation/validation.go lists them where it writes them out, else sorted (its
// sets.List calls).

import { FieldError } from '../errors.ts';
import { DEFINITIONS, REF_PREFIX, resolve, type Schema } from '../schemas.ts';
import { KNOWN_VALUES } from '../../manifests/known-values.ts';

const CORE = 'io.k8s.api.core.v1.';

/** The definitions whose subtrees kinds validate with enumErrors (the editor's walk stops there). */
export const VALIDATED_BY_KINDS = new Set([`${CORE}PodSpec`, `${CORE}ServiceSpec`]);

/**
 * `definition.property` pairs a kind validates with its own rules and messages (pod.ts, service.ts,
 * apps.ts, batch.ts, ...): enumErrors leaves them alone.
 */
export const CHECKED_BY_KINDS = new Set([
  `${CORE}PodSpec.restartPolicy`, // pod.ts; workloads restrict it further (common.ts alwaysRestart, batch.ts)
  `${CORE}Container.imagePullPolicy`, // pod.ts
  `${CORE}Container.restartPolicy`, // pod.ts: Forbidden on regular containers, NotSupported on init ones
  `${CORE}ServiceSpec.type`,
  `${CORE}ServiceSpec.sessionAffinity`,
  `${CORE}ServiceSpec.externalTrafficPolicy`,
  `${CORE}ServiceSpec.internalTrafficPolicy`,
  `${CORE}ServicePort.protocol`,
  `${CORE}EndpointPort.protocol`,
  `${CORE}Taint.effect`, // node.ts
  `${CORE}PersistentVolumeClaimSpec.accessModes`,
  `${CORE}PersistentVolumeClaimSpec.volumeMode`,
  `${CORE}PersistentVolumeSpec.accessModes`,
  `${CORE}PersistentVolumeSpec.volumeMode`,
  `${CORE}PersistentVolumeSpec.persistentVolumeReclaimPolicy`,
  `${CORE}ResourceQuotaSpec.scopes`,
  `${CORE}LimitRangeItem.type`,
  'io.k8s.api.apps.v1.DeploymentStrategy.type',
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy.type',
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy.type',
  'io.k8s.api.apps.v1.StatefulSetSpec.podManagementPolicy',
  'io.k8s.api.batch.v1.CronJobSpec.concurrencyPolicy',
  'io.k8s.api.batch.v1.JobSpec.completionMode',
  'io.k8s.api.autoscaling.v2.MetricSpec.type',
  'io.k8s.api.autoscaling.v2.MetricTarget.type',
  'io.k8s.api.networking.v1.HTTPIngressPath.pathType',
  'io.k8s.api.networking.v1.NetworkPolicySpec.policyTypes',
  'io.k8s.api.networking.v1.NetworkPolicyPort.protocol',
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy',
]);

// Value sets that name common values but do not close the set: a Secret's type may be any string.
const OPEN = new Set([`${CORE}Secret.type`]);

// The order validation.go writes supported values in where it does not sort a set:
// validateDNSPolicy, ValidatePreemptionPolicy, validateContainerCommon (terminationMessagePolicy),
// validateTolerations (operator) and validateTaintEffect.
const ORDER: Record<string, string[]> = {
  [`${CORE}PodSpec.dnsPolicy`]: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'],
  [`${CORE}PodSpec.preemptionPolicy`]: ['PreemptLowerPriority', 'Never'],
  [`${CORE}Container.terminationMessagePolicy`]: ['File', 'FallbackToLogsOnError'],
  [`${CORE}Toleration.operator`]: ['Equal', 'Exists'],
  [`${CORE}Toleration.effect`]: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
};

// Operators of selectors: an Invalid value, "not a valid selector operator" (validation.go
// ValidateNodeSelectorRequirement and ValidateNodeFieldSelectorRequirement, whose matchFields take
// only In and NotIn; apimachinery's ValidateLabelSelectorRequirement).
const SELECTOR_OPERATORS = new Set([`${CORE}NodeSelectorRequirement.operator`, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator']);

// Fields validation.go reports at their list's path, not the item's: ValidateVolumeMounts passes
// fldPath.Child("mountPropagation") and fldPath.Child("recursiveReadOnly") of the volumeMounts list,
// validateResizePolicy reports at the resizePolicy list.
const AT_LIST = new Set([
  `${CORE}VolumeMount.mountPropagation`,
  `${CORE}VolumeMount.recursiveReadOnly`,
  `${CORE}ContainerResizePolicy.resourceName`,
  `${CORE}ContainerResizePolicy.restartPolicy`,
]);

export interface EnumOptions {
  /** Definitions not descended into (their kinds check them). */
  stop?: Set<string>;
  /** `definition.property` pairs not checked. */
  skip?: Set<string>;
}

const refName = (s: Schema | undefined): string | undefined =>
  s?.$ref ? s.$ref.slice(REF_PREFIX.length) : s?.allOf?.length === 1 ? refName(s.allOf[0]) : undefined;

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The NotSupported errors of the enum fields of `obj`, an object of definition `definition`
 * (e.g. `io.k8s.api.core.v1.PodSpec`) at field path `path`. An empty string is not reported:
 * the apiserver's defaulting replaces it (dnsPolicy, imagePullPolicy, ...) or the field accepts it
 * (a toleration's operator means Equal, its effect all effects; a hostPath's type).
 */
export function enumErrors(definition: string, obj: unknown, path: string, opts: EnumOptions = {}): FieldError[] {
  const out: FieldError[] = [];
  const schema = DEFINITIONS[definition];
  if (schema) walk(obj, planOf(schema, definition), path, out, 0, opts);
  return out;
}

const MATCH_FIELDS_OPERATORS = new Set(['In', 'NotIn']);

/** A field's allowed values as a set, and its message's list (ORDER's order, else sorted), by `definition.property`. */
const allowedSets = new Map<string, { values: Set<string>; listed(): string }>();
function allowedOf(key: string, known: readonly { value: string }[]): { values: Set<string>; listed(): string } {
  let a = allowedSets.get(key);
  if (!a) {
    const values = known.map((x) => x.value);
    let text: string | undefined;
    const listed = () => (text ??= (ORDER[key] ?? [...values].sort()).map((v) => JSON.stringify(v)).join(', '));
    allowedSets.set(key, (a = { values: new Set(values), listed }));
  }
  return a;
}

/**
 * Whether a value of schema `s` can hold an enum-valued field at all (its own or below it).
 * Memoized per schema object; a cycle (JSONSchemaProps) counts as one.
 */
const enumBelow = new WeakMap<Schema, boolean>();
function hasEnumBelow(s: Schema): boolean {
  let has = enumBelow.get(s);
  if (has !== undefined) return has;
  enumBelow.set(s, true); // while it is being computed: a recursive schema may hold one
  const name = refName(s);
  const r = resolve(s, DEFINITIONS);
  const known = name ? KNOWN_VALUES[name] : undefined;
  has = false;
  if (r.items && hasEnumBelow(r.items)) has = true;
  if (!has && r.properties) for (const [k, ps] of Object.entries(r.properties)) if ((known && own(known, k)) || hasEnumBelow(ps)) { has = true; break; }
  if (!has && r.additionalProperties && typeof r.additionalProperties === 'object') has = hasEnumBelow(r.additionalProperties);
  enumBelow.set(s, has);
  return has;
}

/**
 * What the walk does with a value of one schema, worked out once per schema: the enum fields it
 * checks (their key, value set and message form) and the properties it descends into, only those
 * under which an enum field can be. The rest of a pod (metadata, resources, env, probes, ...) is
 * not visited, and no path is built for it. `props` is set when the schema has properties
 * (additionalProperties is then not used, as before).
 */
interface Plan {
  /** The definition's name, for EnumOptions.stop. */
  name: string | undefined;
  items?: Plan;
  props?: Map<string, PlanProp>;
  additional?: Plan;
}
interface PlanProp {
  key: string;
  child?: Plan;
  values?: { values: Set<string>; listed(): string };
  selector?: boolean;
  atList?: boolean;
}

const plans = new WeakMap<Schema, Plan>();
const rootPlans = new Map<string, Plan>();
function planOf(s: Schema, rootName?: string): Plan {
  let plan = rootName ? rootPlans.get(rootName) : plans.get(s);
  if (plan) return plan;
  const name = rootName ?? refName(s);
  plan = { name };
  if (rootName) rootPlans.set(rootName, plan);
  else plans.set(s, plan); // before the children: a recursive schema refers to this plan
  const r = resolve(s, DEFINITIONS);
  if (r.items && hasEnumBelow(r.items)) plan.items = planOf(r.items);
  if (r.properties) {
    const known = name ? KNOWN_VALUES[name] : undefined;
    const props = new Map<string, PlanProp>();
    for (const [k, ps] of Object.entries(r.properties)) {
      const key = `${name}.${k}`;
      if (known && own(known, k)) {
        if (OPEN.has(key) || CHECKED_BY_KINDS.has(key)) continue;
        props.set(k, { key, values: allowedOf(key, known[k]), selector: SELECTOR_OPERATORS.has(key), atList: AT_LIST.has(key) });
      } else if (hasEnumBelow(ps)) props.set(k, { key, child: planOf(ps) });
    }
    plan.props = props;
  } else if (r.additionalProperties && typeof r.additionalProperties === 'object' && hasEnumBelow(r.additionalProperties)) {
    plan.additional = planOf(r.additionalProperties);
  }
  return plan;
}

function walk(v: unknown, plan: Plan, path: string, out: FieldError[], depth: number, opts: EnumOptions): void {
  if (depth > 40 || v === null || v === undefined) return;
  if (depth > 0 && plan.name && opts.stop?.has(plan.name)) return;
  if (Array.isArray(v)) {
    if (plan.items) for (let i = 0; i < v.length; i++) walk(v[i], plan.items, `${path}[${i}]`, out, depth + 1, opts);
    return;
  }
  if (!isObj(v)) return;
  if (plan.props) {
    if (!plan.props.size) return;
    for (const k in v) {
      const pr = plan.props.get(k);
      if (!pr || !own(v, k)) continue;
      const e = v[k];
      if (pr.child) {
        if (e !== null && typeof e === 'object') walk(e, pr.child, path ? `${path}.${k}` : k, out, depth + 1, opts);
        continue;
      }
      if (opts.skip?.has(pr.key)) continue;
      const set = pr.values!;
      const p = pr.atList ? `${path.replace(/\[\d+\]$/, '')}.${k}` : path ? `${path}.${k}` : k;
      if (pr.selector) {
        const allowed = /\.matchFields\[\d+\]$/.test(path) ? MATCH_FIELDS_OPERATORS : set.values;
        if (typeof e === 'string' && !allowed.has(e)) out.push(new FieldError('Invalid', p, e, 'not a valid selector operator'));
        continue;
      }
      // Values are checked against a set built once per field; the message only for a bad one.
      if (Array.isArray(e)) {
        for (let i = 0; i < e.length; i++) {
          const x = e[i];
          if (typeof x === 'string' && x !== '' && !set.values.has(x)) out.push(new FieldError('NotSupported', `${p}[${i}]`, x, `supported values: ${set.listed()}`));
        }
      } else if (typeof e === 'string' && e !== '' && !set.values.has(e)) out.push(new FieldError('NotSupported', p, e, `supported values: ${set.listed()}`));
    }
  } else if (plan.additional) {
    for (const [k, e] of Object.entries(v)) walk(e, plan.additional, `${path}[${k}]`, out, depth + 1, opts);
  }
}
