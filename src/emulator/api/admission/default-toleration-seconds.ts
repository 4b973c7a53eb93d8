// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission.go): pods that
// do not tolerate node.kubernetes.io/not-ready and node.kubernetes.io/unreachable NoExecute taints
// get tolerations for them, for 300 s (--default-not-ready-toleration-seconds,
// --default-unreachable-toleration-seconds).

import type { Obj } from '../objects.ts';
import { isCore, type Plugin } from './attributes.ts';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** A toleration with this key (or no key) and NoExecute (or no effect) covers the taint. */
function tolerates(tolerations: Obj[], key: string): boolean {
  return tolerations.some((t) => t && typeof t === 'object' && (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

export const defaultTolerationSeconds: Plugin = {
  name: 'DefaultTolerationSeconds',
  admit(a) {
    if (!isCore(a, 'pods') || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    const spec = a.object?.spec;
    if (!spec || typeof spec !== 'object') return;
    const tolerations: Obj[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    const add: Obj[] = [];
    if (!tolerates(tolerations, NOT_READY)) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    if (!tolerates(tolerations, UNREACHABLE)) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    if (add.length) spec.tolerations = [...tolerations, ...add];
  },
};
