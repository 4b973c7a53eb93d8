// JSON for responses that carry stored objects (lists, Tables), byte for byte what JSON.stringify
// gives, with each stored object serialised once per version rather than once per request.
//
// Store values are deep-frozen (store/types.ts: "a backend returns them frozen"; deepFreeze), so
// the JSON of one can never change: it is kept beside the object in a WeakMap and goes when the
// object does (a newer version, a delete, a compaction), within a bound (CACHE_LIMIT). A LIST of 10,000 pods then joins 10,000
// strings instead of serialising 60 MiB of objects again (bench/api.ts measures it). The real
// apiserver caches serialisations the same way for watch events (cachingObject,
// k8s.io/apiserver/pkg/storage/cacher/caching_object.go); lists it streams item by item.

/**
 * The kept JSON goes with its object (a WeakMap: a newer version, a delete, a compaction), and the
 * cache starts afresh once it has taken in CACHE_LIMIT characters, so a cluster of 150,000 pods does
 * not keep a gigabyte of JSON beside its objects (10,000 pods keep about 65 MiB).
 */
const CACHE_LIMIT = 256 * 1024 * 1024;
let cache = new WeakMap<object, string>();
let added = 0;

function keep(v: object, s: string): void {
  if (added + s.length > CACHE_LIMIT) {
    cache = new WeakMap();
    added = 0;
  }
  cache.set(v, s);
  added += s.length;
}

/**
 * JSON.stringify(value), exactly, reusing the JSON of frozen API objects met within `depth` levels
 * of plain objects and arrays (a list's items, a Table row's object). Anything else is handed to
 * JSON.stringify whole.
 */
export function serialize(value: object, depth = 4): string {
  return part(value, depth) ?? JSON.stringify(value);
}

function part(v: unknown, depth: number): string | undefined {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const proto = Object.getPrototypeOf(v);
  const plain = proto === Object.prototype || proto === null || Array.isArray(v);
  if (!plain) return JSON.stringify(v);
  if (Object.isFrozen(v)) {
    // Stored objects (they have a kind) are kept; their parts, such as the metadata a Table row
    // carries, are serialised each time rather than kept a second time.
    if (typeof (v as { kind?: unknown }).kind !== 'string') return JSON.stringify(v);
    let s = cache.get(v);
    if (s === undefined) {
      s = JSON.stringify(v);
      keep(v, s);
    }
    return s;
  }
  if (depth <= 0 || typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(v);
  if (Array.isArray(v)) {
    // Arrays of plain values (a row's cells) go whole.
    let flat = true;
    for (let i = 0; i < v.length && flat; i++) flat = v[i] === null || typeof v[i] !== 'object';
    if (flat) return JSON.stringify(v);
    const out = new Array<string>(v.length);
    // JSON.stringify writes null for holes, undefined, functions and symbols in arrays.
    for (let i = 0; i < v.length; i++) out[i] = part(v[i], depth - 1) ?? 'null';
    return `[${out.join(',')}]`;
  }
  const out: string[] = [];
  // Object.keys is JSON.stringify's order; members whose value has no JSON are left out.
  for (const k of Object.keys(v)) {
    const s = part((v as Record<string, unknown>)[k], depth - 1);
    if (s !== undefined) out.push(`${JSON.stringify(k)}:${s}`);
  }
  return `{${out.join(',')}}`;
}
