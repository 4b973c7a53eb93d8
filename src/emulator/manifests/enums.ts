// Enum values the apiserver's validation enforces, for the fields no emulated kind validates itself:
// the walk of api/kinds/enums.ts (one module with the apiserver, which runs it on pod specs, pod
// templates and Service specs), here over the rest of an object (PVC and PV specs, workload
// strategies, HPA behavior, ... where the kinds check only some fields), reported as the apiserver's
// field.NotSupported does (`spec.accessModes[0]: Unsupported value: "ReadWrite": supported values: ...`).

import { CHECKED_BY_KINDS, enumErrors, VALIDATED_BY_KINDS } from '../api/kinds/enums.ts';
import { DEFINITIONS, REF_PREFIX, resolve, type Schema } from '../api/schemas.ts';
import { KNOWN_VALUES } from './known-values.ts';

export interface EnumProblem {
  field: string;
  message: string;
}

const KINDS_SELECTORS = new Set(['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator']);

let names: Map<Schema, string> | undefined;

/** A definition's name: its $ref's, or the name it is stored under (kindSchema gives the definition). */
function definitionOf(s: Schema): string | undefined {
  if (s.$ref) return s.$ref.slice(REF_PREFIX.length);
  names ??= new Map(Object.entries(DEFINITIONS).map(([n, d]) => [d, n]));
  return names.get(s);
}

/**
 * The NotSupported errors of `obj` (a kind's object, `schema` its definition) that the registry's
 * validate does not report: the subtrees the kinds walk themselves (VALIDATED_BY_KINDS) and the
 * fields they check with their own rules (CHECKED_BY_KINDS) are skipped.
 */
export function enumProblems(schema: Schema, obj: unknown): EnumProblem[] {
  const name = definitionOf(schema);
  if (!name || !mayHaveEnums(name)) return [];
  // Selectors outside pod specs are the kinds' (common.ts validateSelector).
  return enumErrors(name, obj, '', { stop: VALIDATED_BY_KINDS, skip: KINDS_SELECTORS }).map((e) => ({ field: e.field, message: e.toString() }));
}

const reaching = new Map<string, boolean>();

const refName = (s: Schema | undefined): string | undefined =>
  s?.$ref ? s.$ref.slice(REF_PREFIX.length) : s?.allOf?.length === 1 ? refName(s.allOf[0]) : undefined;

/**
 * Whether enumErrors' walk from definition `root` (stopping where this module stops it) can meet a
 * field with a value set it would check: when not (a ConfigMap, a Deployment, whose enums are the
 * kinds' own), the walk is skipped. Errs on the side of yes (a value set it would skip as open, a
 * `oneOf` it does not follow).
 */
export function mayHaveEnums(root: string): boolean {
  let hit = reaching.get(root);
  if (hit === undefined) {
    const seen = new Set<Schema>();
    const visit = (s: Schema | undefined, name: string | undefined, depth: number): boolean => {
      if (!s) return false;
      const ref = refName(s);
      if (ref) name = ref;
      if (depth > 0 && name && VALIDATED_BY_KINDS.has(name)) return false;
      const r = resolve(s, DEFINITIONS);
      if (seen.has(r)) return false;
      seen.add(r);
      if (r.oneOf) return true;
      if (r.items && visit(r.items, undefined, depth + 1)) return true;
      if (r.properties) {
        const known = name ? KNOWN_VALUES[name] : undefined;
        for (const [k, ps] of Object.entries(r.properties)) {
          if (known?.[k]) {
            const key = `${name}.${k}`;
            if (!CHECKED_BY_KINDS.has(key) && !KINDS_SELECTORS.has(key)) return true;
            continue;
          }
          if (visit(ps, undefined, depth + 1)) return true;
        }
      } else if (typeof r.additionalProperties === 'object' && visit(r.additionalProperties, undefined, depth + 1)) return true;
      return false;
    };
    hit = visit(DEFINITIONS[root], root, 0) || !DEFINITIONS[root];
    reaching.set(root, hit);
  }
  return hit;
}
