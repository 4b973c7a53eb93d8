// Enum values the apiserver's validation enforces, for fields the emulated registry does not check
// itself: the value sets of known-values.ts (Kubernetes' `+enum` types), reported as the apiserver's
// field.NotSupported does (`spec.dnsPolicy: Unsupported value: "Sometimes": supported values:
// "ClusterFirst", ...`, values sorted as its sets.List calls give them).

import { DEFINITIONS, REF_PREFIX, resolve, type Schema } from '../api/schemas.ts';
import { KNOWN_VALUES } from './known-values.ts';

export interface EnumProblem {
  field: string;
  message: string;
}

// Value sets that name common values but do not close the set: a Secret's type may be any string,
// a LimitRange item's type is checked by the kind's own rules.
const OPEN: Record<string, Set<string>> = {
  'io.k8s.api.core.v1.Secret': new Set(['type']),
  'io.k8s.api.core.v1.LimitRangeItem': new Set(['type']),
};

// The order validation.go lists supported values in where it writes them out instead of sorting a
// set (sets.List, the usual case, sorted here too): pkg/apis/core/validation/validation.go
// validateDNSPolicy and validateContainerCommon.
const ORDER: Record<string, Record<string, string[]>> = {
  'io.k8s.api.core.v1.PodSpec': { dnsPolicy: ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'] },
  'io.k8s.api.core.v1.Container': { terminationMessagePolicy: ['File', 'FallbackToLogsOnError'] },
};

const refName = (s: Schema | undefined): string | undefined =>
  s?.$ref ? s.$ref.slice(REF_PREFIX.length) : s?.allOf?.length === 1 ? refName(s.allOf[0]) : undefined;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The NotSupported errors of `obj` (a kind's object, `schema` its definition). */
export function enumProblems(schema: Schema, obj: unknown): EnumProblem[] {
  const out: EnumProblem[] = [];
  walk(obj, schema, refName(schema), '', out, 0);
  return out;
}

function walk(v: unknown, s: Schema, name: string | undefined, path: string, out: EnumProblem[], depth: number): void {
  if (depth > 40 || v === null || v === undefined) return;
  const ref = refName(s);
  if (ref) name = ref;
  const r = resolve(s, DEFINITIONS);
  if (Array.isArray(v)) {
    if (r.items) v.forEach((e, i) => walk(e, r.items!, undefined, `${path}[${i}]`, out, depth + 1));
    return;
  }
  if (!isObj(v)) return;
  if (r.properties) {
    const known = name ? KNOWN_VALUES[name] : undefined;
    for (const [k, e] of Object.entries(v)) {
      const ps = r.properties[k];
      if (!ps) continue;
      const p = path ? `${path}.${k}` : k;
      const values = known?.[k];
      if (values && !(name && OPEN[name]?.has(k))) {
        const allowed = values.map((x) => x.value);
        const check = (x: unknown, at: string) => {
          if (typeof x === 'string' && !allowed.includes(x)) {
            out.push({ field: at, message: `${at}: Unsupported value: ${JSON.stringify(x)}: supported values: ${((name && ORDER[name]?.[k]) || [...allowed].sort()).map((a) => JSON.stringify(a)).join(', ')}` });
          }
        };
        if (Array.isArray(e)) e.forEach((x, i) => check(x, `${p}[${i}]`));
        else check(e, p);
        continue;
      }
      walk(e, ps, undefined, p, out, depth + 1);
    }
  } else if (r.additionalProperties && typeof r.additionalProperties === 'object') {
    for (const [k, e] of Object.entries(v)) walk(e, r.additionalProperties, undefined, `${path}[${k}]`, out, depth + 1);
  }
}
