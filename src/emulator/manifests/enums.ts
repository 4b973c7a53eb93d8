// Enum values the apiserver's validation enforces, for the fields no emulated kind validates itself:
// the walk of api/kinds/enums.ts (one module with the apiserver, which runs it on pod specs, pod
// templates and Service specs), here over the rest of an object (PVC and PV specs, workload
// strategies, HPA behavior, ... where the kinds check only some fields), reported as the apiserver's
// field.NotSupported does (`spec.accessModes[0]: Unsupported value: "ReadWrite": supported values: ...`).

import { enumErrors, VALIDATED_BY_KINDS } from '../api/kinds/enums.ts';
import { DEFINITIONS, REF_PREFIX, type Schema } from '../api/schemas.ts';

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
  if (!name) return [];
  // Selectors outside pod specs are the kinds' (common.ts validateSelector).
  return enumErrors(name, obj, '', { stop: VALIDATED_BY_KINDS, skip: KINDS_SELECTORS }).map((e) => ({ field: e.field, message: e.toString() }));
}
