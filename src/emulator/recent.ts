/**
 * A bounded cache of recently used entries, kept as two generations of native Maps: new entries
 * go into the young Map; when it holds `max / 2`, it becomes the old one and the previous old
 * one is dropped; a hit in the old generation moves the entry up. Every operation is O(1) on
 * native Maps, with no per-entry bookkeeping: the hot caches of the write path (fieldsV1
 * interning and decoding, event aggregation) are hit many thousands of times a second. (A Map
 * re-inserted on each hit and trimmed from its front is not O(1): V8 walks the holes earlier
 * deletions left there; lru-cache measured several microseconds per operation here.)
 * Between max / 2 and max entries are kept.
 */
export class RecentCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
