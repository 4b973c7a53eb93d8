// Small helpers for API objects: immutability, stable comparison, names and uids.

import { randomUUID, randomInt } from 'node:crypto';

export type Obj = Record<string, any>;

/** Freezes an object graph so that no component can change what another one holds. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    if (Array.isArray(o)) for (let i = 0; i < o.length; i++) deepFreeze(o[i]);
    else for (const k in o) deepFreeze((o as Record<string, unknown>)[k]);
  } else if (typeof o === 'string' && o.length > 12) {
    // A string built by concatenation (a uid from randomUUID, an event's name or message) is a
    // rope in V8, a tree of pieces: about 450 bytes for a uid, 60 flat. Reading a character
    // flattens it in place, and the pieces are garbage by the next collection. Stored objects
    // live long, so they are made of flat strings.
    o.charCodeAt(0);
  }
  return o;
}

/**
 * `next` with each of its subtrees that equals the one at the same place in `prev` (a stored,
 * frozen revision of the same object) replaced by prev's, and prev itself when all of next
 * equals it; equal strings become prev's too. Revisions then share what a write left alone: a
 * status update stores its new status and the path to it, not another copy of the spec, the
 * labels and the managed fields. Mutates next (not yet stored, so not frozen); frozen parts of
 * next are left as they are. Key order counts: a reordered object is not the same.
 */
export function shareEqual(next: unknown, prev: unknown): unknown {
  if (next === prev) return prev;
  if (typeof next !== 'object' || next === null || typeof prev !== 'object' || prev === null) return next;
  if (Object.isFrozen(next) || ArrayBuffer.isView(next)) return next;
  if (Array.isArray(next)) {
    if (!Array.isArray(prev)) return next;
    let same = next.length === prev.length;
    for (let i = 0; i < next.length && i < prev.length; i++) {
      const v = shareEqual(next[i], prev[i]);
      next[i] = v;
      if (v !== prev[i]) same = false;
    }
    return same ? prev : next;
  }
  if (Array.isArray(prev)) return next;
  const n = next as Record<string, unknown>;
  const p = prev as Record<string, unknown>;
  const nk = Object.keys(n);
  const pk = Object.keys(p);
  let same = nk.length === pk.length;
  for (let i = 0; i < nk.length; i++) {
    const k = nk[i];
    if (pk[i] !== k) same = false;
    if (!(k in p)) continue;
    const v = shareEqual(n[k], p[k]);
    n[k] = v;
    if (v !== p[k]) same = false;
  }
  return same ? prev : next;
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
