// Small helpers for API objects: immutability, stable comparison, names and uids.

import { randomUUID, randomInt } from 'node:crypto';

export type Obj = Record<string, any>;

/** Freezes an object graph so that no component can change what another one holds. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    if (Array.isArray(o)) for (let i = 0; i < o.length; i++) deepFreeze(o[i]);
    else for (const k in o) deepFreeze((o as Record<string, unknown>)[k]);
  }
  return o;
}

/**
 * A mutable deep copy (for writers: objects from the store are frozen). API objects are JSON data, so
 * a plain recursive copy does; it is several times faster than structuredClone, which serialises.
 */
export function clone<T>(o: T): T {
  if (o === null || typeof o !== 'object') return o;
  if (Array.isArray(o)) {
    const a = new Array(o.length);
    for (let i = 0; i < o.length; i++) a[i] = clone(o[i]);
    return a as T;
  }
  if (ArrayBuffer.isView(o) || o instanceof Date) return structuredClone(o);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = clone((o as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * Whether two JSON values are equal as their JSON is: key order does not matter, and a member
 * whose value is undefined counts as absent (JSON.stringify leaves it out).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, bb[i] ?? null)) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k of Object.keys(ao)) {
    if (ao[k] === undefined) continue;
    n++;
    if (!jsonEqual(ao[k], bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (bo[k] !== undefined) n--;
  return n === 0;
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

/** The last second formatted (every write stamps a time, and many writes share a second). */
let lastSecond = NaN;
let lastText = '';

/** RFC 3339 without fractional seconds, as metav1.Time serialises. */
export function rfc3339(ms: number | Date): string {
  const t = typeof ms === 'number' ? ms : ms.getTime();
  const second = Math.floor(t / 1000);
  if (second === lastSecond) return lastText;
  const iso = new Date(t).toISOString();
  // YYYY-MM-DDTHH:MM:SS.sssZ → YYYY-MM-DDTHH:MM:SSZ (years past 9999 have a longer prefix).
  lastSecond = second;
  lastText = `${iso.slice(0, -5)}Z`;
  return lastText;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises (leases, events.k8s.io). */
export function rfc3339Micro(ms: number | Date): string {
  const d = typeof ms === 'number' ? new Date(ms) : ms;
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
