// events.k8s.io/v1 Event: the same storage as core/v1 Event, converted field by field
// (pkg/apis/events/v1/conversion.go; the internal type is core.Event).

import type { Obj } from '../objects.ts';

const RENAMES: [string, string][] = [
  // [events.k8s.io/v1, core/v1]
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(o: Obj, pairs: [string, string][], apiVersion: string): Obj {
  const out: Obj = {};
  const map = new Map(pairs);
  for (const [k, v] of Object.entries(o)) out[map.get(k) ?? k] = v;
  out.apiVersion = apiVersion;
  return out;
}

export function eventV1ToCore(o: Obj): Obj {
  return rename(o, RENAMES, 'v1');
}

export function eventCoreToV1(o: Obj): Obj {
  return rename(o, RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1');
}
