// Small helpers for API objects: immutability, stable comparison, names and uids.

import { randomUUID, randomInt } from 'node:crypto';

export type Obj = Record<string, any>;

/** Freezes an object graph so that no component can change what another one holds. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** A mutable deep copy (for writers: objects from the store are frozen). */
export function clone<T>(o: T): T {
  return structuredClone(o) as T;
}

/** JSON with sorted keys: equal for semantically equal objects. */
export function stableStringify(v: unknown): string {
  return JSON.stringify(v, (_k, val) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]]))
      : val,
  );
}

export function newUID(): string {
  return randomUUID();
}

// k8s.io/apiserver/pkg/storage/names/generate.go: 5 characters from an alphabet without vowels.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

/** RFC 3339 without fractional seconds, as metav1.Time serialises. */
export function rfc3339(ms: number | Date): string {
  const d = typeof ms === 'number' ? new Date(ms) : ms;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises (leases, events.k8s.io). */
export function rfc3339Micro(ms: number | Date): string {
  const d = typeof ms === 'number' ? new Date(ms) : ms;
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
