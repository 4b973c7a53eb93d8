// An in-memory, etcd-like MVCC store: one global revision, every write makes a new one, watches
// replay history from a revision and then follow live writes, in revision order.
//
// The contract follows what the apiserver needs from etcd (k8s.io/apiserver/pkg/storage/etcd3/store.go):
// create fails if the key exists, update/delete can be guarded by the key's mod revision, and a
// watch from a revision older than the retained history fails with "compacted".

export interface KeyValue<T = unknown> {
  key: string;
  value: T;
  createRevision: number;
  modRevision: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface StoreEvent<T = unknown> {
  type: WatchEventType;
  key: string;
  revision: number;
  /** The value after the write; for DELETE the value that was deleted. */
  value: T;
  /** The value before the write, if any. */
  prevValue?: T;
  /** True when the PUT created the key. */
  created: boolean;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted',
    message: string,
    readonly currentRevision?: number,
  ) {
    super(message);
  }
}

export interface WatchHandle {
  cancel(): void;
}

interface Watcher<T> {
  prefix: string;
  cb: (ev: StoreEvent<T>) => void;
  cancelled: boolean;
  /** Events not yet delivered: delivery is asynchronous so that a watcher that writes from its
   * callback can never make another watcher see revisions out of order. */
  queue: StoreEvent<T>[];
  scheduled: boolean;
}

/** A value, or a function of the revision the write will get (to stamp resourceVersion). */
export type ValueAt<T> = T | ((revision: number) => T);

export interface StoreOptions {
  /** How many events of history to keep for watches that resume from an old revision. */
  historyLimit?: number;
}

function resolve<T>(v: ValueAt<T>, rev: number): T {
  return typeof v === 'function' ? (v as (r: number) => T)(rev) : v;
}

/** The directory part of a key: '/registry/pods/default/x' → '/registry/pods/default/'. */
function dirOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

export class MemoryStore<T = unknown> {
  private rev = 1;
  private readonly data = new Map<string, KeyValue<T>>();
  /** Keys by every directory prefix they sit under, so a range over a prefix is not a scan. */
  private readonly dirs = new Map<string, Set<string>>();
  private history: StoreEvent<T>[] = [];
  private compactedRevision = 0;
  private readonly historyLimit: number;
  private readonly watchers = new Set<Watcher<T>>();

  constructor(opts: StoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 100_000;
  }

  get revision(): number {
    return this.rev;
  }

  /** The oldest revision a watch can resume from. */
  get compacted(): number {
    return this.compactedRevision;
  }

  get(key: string): KeyValue<T> | undefined {
    return this.data.get(key);
  }

  /** All keys under a prefix that ends with '/', in key order, with the revision they were read at. */
  list(prefix: string): { items: KeyValue<T>[]; revision: number } {
    const keys = this.dirs.get(prefix);
    const items: KeyValue<T>[] = [];
    if (keys) {
      for (const k of [...keys].sort()) items.push(this.data.get(k)!);
    }
    return { items, revision: this.rev };
  }

  count(prefix: string): number {
    return this.dirs.get(prefix)?.size ?? 0;
  }

  create(key: string, valueAt: ValueAt<T>): KeyValue<T> {
    if (this.data.has(key)) throw new StoreError('KeyExists', `key exists: ${key}`);
    const rev = ++this.rev;
    const value = resolve(valueAt, rev);
    const kv: KeyValue<T> = { key, value, createRevision: rev, modRevision: rev };
    this.data.set(key, kv);
    this.index(key);
    this.emit({ type: 'PUT', key, revision: rev, value, created: true });
    return kv;
  }

  /** Replaces a key's value; with expectedModRevision, only if the key was not written since. */
  update(key: string, valueAt: ValueAt<T>, expectedModRevision?: number): KeyValue<T> {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.modRevision);
    }
    const rev = ++this.rev;
    const value = resolve(valueAt, rev);
    const kv: KeyValue<T> = { key, value, createRevision: cur.createRevision, modRevision: rev };
    this.data.set(key, kv);
    this.emit({ type: 'PUT', key, revision: rev, value, prevValue: cur.value, created: false });
    return kv;
  }

  delete(key: string, expectedModRevision?: number): KeyValue<T> {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.modRevision);
    }
    const rev = ++this.rev;
    this.data.delete(key);
    this.unindex(key);
    this.emit({ type: 'DELETE', key, revision: rev, value: cur.value, prevValue: cur.value, created: false });
    return { ...cur, modRevision: rev };
  }

  /**
   * Watches keys under prefix for events after fromRevision (exclusive). Past events still in
   * history are replayed first, then live ones follow; none is missed or sent twice.
   */
  watch(prefix: string, fromRevision: number, cb: (ev: StoreEvent<T>) => void): WatchHandle {
    if (fromRevision < this.compactedRevision) {
      throw new StoreError('Compacted', 'required revision has been compacted', this.compactedRevision);
    }
    const w: Watcher<T> = { prefix, cb, cancelled: false, queue: [], scheduled: false };
    if (fromRevision < this.rev) {
      for (const ev of this.historyFrom(fromRevision)) {
        if (ev.key.startsWith(prefix)) w.queue.push(ev);
      }
      this.flushLater(w);
    }
    this.watchers.add(w);
    return {
      cancel: () => {
        w.cancelled = true;
        this.watchers.delete(w);
      },
    };
  }

  /** Drops history up to and including revision; watches from older revisions then fail. */
  compact(revision: number): void {
    const idx = this.history.findIndex((e) => e.revision > revision);
    this.history = idx < 0 ? [] : this.history.slice(idx);
    this.compactedRevision = Math.max(this.compactedRevision, Math.min(revision, this.rev));
  }

  private *historyFrom(fromRevision: number): Iterable<StoreEvent<T>> {
    // History is sorted by revision: binary search the first event after fromRevision.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].revision <= fromRevision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) yield this.history[i];
  }

  private emit(ev: StoreEvent<T>): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compactedRevision = this.history[drop - 1].revision;
      this.history.splice(0, drop);
    }
    for (const w of this.watchers) {
      if (!w.cancelled && ev.key.startsWith(w.prefix)) {
        w.queue.push(ev);
        this.flushLater(w);
      }
    }
  }

  private flushLater(w: Watcher<T>): void {
    if (w.scheduled || w.queue.length === 0) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      const batch = w.queue;
      w.queue = [];
      for (const ev of batch) {
        if (w.cancelled) return;
        try {
          w.cb(ev);
        } catch (err) {
          // One broken watcher must not stop the others or the writer.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    });
  }

  private index(key: string): void {
    let d = dirOf(key);
    while (d.length > 1) {
      let s = this.dirs.get(d);
      if (!s) this.dirs.set(d, (s = new Set()));
      s.add(key);
      d = dirOf(d.slice(0, -1));
    }
  }

  private unindex(key: string): void {
    let d = dirOf(key);
    while (d.length > 1) {
      const s = this.dirs.get(d);
      if (s) {
        s.delete(key);
        if (s.size === 0) this.dirs.delete(d);
      }
      d = dirOf(d.slice(0, -1));
    }
  }
}
