// The in-process backend: an etcd-like MVCC store (etcd's mvcc/kvstore.go and watchable_store.go,
// in miniature). One global revision; every write makes a new one; each key keeps its versions
// (tombstones included) until compaction, so reads at an older revision and list pages at the
// revision of the first page stay consistent. Keys live in a B+ tree, so a range over a prefix
// costs O(log n + page), whatever the store holds.
//
// With a journal (durable.ts), a write is applied in memory, appended to the journal, and
// acknowledged (and shown to watchers) only after the journal's fsync.

import sortedBtree from 'sorted-btree';
import { deepFreeze, shareEqual, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import {
  StoreError,
  type Journal,
  type JournalRecord,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type StoreEvent,
  type WatchCallbacks,
  type WatchHandle,
  type WatchOptions,
  type WatchTrigger,
  type WriteOptions,
} from './types.ts';

// sorted-btree is CommonJS with the class on `exports.default`; a default import from ESM (Node,
// tsx and esbuild in node mode alike) yields `module.exports`.
const BTree = ((sortedBtree as unknown as { default?: typeof sortedBtree.default }).default ?? sortedBtree) as typeof sortedBtree.default;

interface Version {
  mod: number;
  create: number;
  /** null: the key was deleted at `mod` (a tombstone). */
  value: Obj | null;
  lease?: number;
}

interface Lease {
  id: number;
  ttl: number;
  expiresAt: number;
  keys: Set<string>;
  timer?: TimerHandle;
}

interface Watcher {
  prefix: string;
  cb: WatchCallbacks;
  cancelled: boolean;
  /** Delivery is asynchronous and per watcher, so a watcher that writes from its callback can
   * never make another one see revisions out of order. */
  queue: StoreEvent[];
  scheduled: boolean;
  trigger?: WatchTrigger;
}

/** Watchers with a trigger of one name, by the value they want. */
interface TriggerIndex {
  fn: (obj: Obj) => string | undefined;
  byValue: Map<string, Set<Watcher>>;
}

export interface StoreSnapshot {
  revision: number;
  compacted: number;
  kvs: { key: string; value: Obj; create: number; mod: number; lease?: number }[];
  leases: { id: number; ttl: number; expiresAt: number }[];
}

export interface MemoryStoreOptions {
  clock: Clock;
  journal?: Journal;
  /** Events of history kept for watches that resume from an old revision (default 200,000). */
  historyLimit?: number;
}

/** The object as stored with its resourceVersion: the versioner's UpdateObject. */
function stamp(value: Obj, revision: number, prev?: Obj): Obj {
  const next = { ...value, metadata: { ...value.metadata, resourceVersion: String(revision) } };
  // Shares with the previous revision what this write did not change (history keeps both).
  return deepFreeze(prev ? (shareEqual(next, prev) as Obj) : next);
}

function unstamp(value: Obj): Obj {
  const { resourceVersion: _rv, ...metadata } = value.metadata ?? {};
  return { ...value, metadata };
}

const PREFIX_END = '\uffff';

/**
 * The resource part of a key or watch prefix, `/registry/pods/` of `/registry/pods/default/web`
 * (`/registry/apps/deployments/` for a grouped resource's keys is fine too: a watch prefix and the
 * keys under it share it whenever the prefix reaches that far). A prefix that ends before it
 * (`/registry/`, `/registry/po`) gives '' and watches every key.
 */
function resourceRoot(key: string): string {
  const i = key.indexOf('/', 10); // after "/registry/"
  return key.startsWith('/registry/') && i > 10 ? key.slice(0, i + 1) : '';
}

/**
 * The keys in order (a B+ tree: lists and watches read ranges of them) and by name (a Map: the
 * point reads of every get and write, O(1) instead of a descent comparing strings at each level).
 */
class KeyIndex {
  private readonly tree = new BTree<string, Version[]>();
  private readonly map = new Map<string, Version[]>();

  get(key: string): Version[] | undefined {
    return this.map.get(key);
  }

  set(key: string, versions: Version[]): void {
    if (this.map.get(key) === versions) return;
    this.map.set(key, versions);
    this.tree.set(key, versions);
  }

  delete(key: string): void {
    if (this.map.delete(key)) this.tree.delete(key);
  }

  entries(start?: string): IterableIterator<[string, Version[]]> {
    return this.tree.entries(start);
  }

  forRange(low: string, high: string, includeHigh: boolean, fn: (k: string, v: Version[]) => void): void {
    this.tree.forRange(low, high, includeHigh, fn);
  }
}

export class MemoryStore implements Store {
  private rev = 1;
  private compacted = 0;
  private readonly keys = new KeyIndex();
  private history: StoreEvent[] = [];
  private readonly historyLimit: number;
  /**
   * Every watcher; those without a trigger are also in `untriggered` (by the resource their prefix
   * names, so that an event is offered only to the watchers of its resource), the others in `triggers`.
   */
  private readonly watchers = new Set<Watcher>();
  private readonly untriggered = new Map<string, Set<Watcher>>();
  private readonly triggers = new Map<string, TriggerIndex>();
  private readonly leases = new Map<number, Lease>();
  private leaseSeq = 0;
  /** Events of writes waiting for the journal's fsync, in revision order. */
  private pending: StoreEvent[] = [];
  private journal: Journal | undefined;
  private readonly clock: Clock;
  private closed = false;

  constructor(opts: MemoryStoreOptions) {
    this.clock = opts.clock;
    this.journal = opts.journal;
    this.historyLimit = opts.historyLimit ?? 200_000;
  }

  // ---- reads ----

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  /** The revision, without a promise (for in-process callers that only need a number). */
  get revision(): number {
    return this.rev;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const rev = this.readRevision(opts.revision);
    const v = this.visible(this.keys.get(key), rev);
    return v ? this.kv(key, v) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const rev = this.readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const items: KeyValue[] = [];
    let remaining = 0;
    for (const [key, versions] of this.keys.entries(start)) {
      if (!key.startsWith(prefix)) break;
      const v = this.visible(versions, rev);
      if (!v) continue;
      if (items.length < limit) items.push(this.kv(key, v));
      else if (opts.count) remaining++; // past a full page keys are only counted (etcd's range count)
      else return { items, revision: rev, more: true };
    }
    return remaining ? { items, revision: rev, more: true, remaining } : { items, revision: rev, more: false };
  }

  async count(prefix: string): Promise<number> {
    let n = 0;
    this.keys.forRange(prefix, prefix + PREFIX_END, false, (_k: string, versions: Version[]) => {
      if (versions[versions.length - 1].value !== null) n++;
    });
    return n;
  }

  private readRevision(revision: number | undefined): number {
    if (revision === undefined || revision <= 0) return this.rev;
    if (revision < this.compacted) throw new StoreError('Compacted', 'mvcc: required revision has been compacted', this.compacted);
    if (revision > this.rev) throw new StoreError('Compacted', 'mvcc: required revision is a future revision', this.rev);
    return revision;
  }

  /** The version of a key visible at rev, or undefined if it did not exist then. */
  private visible(versions: Version[] | undefined, rev: number): Version | undefined {
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      const v = versions[i];
      if (v.mod <= rev) return v.value === null ? undefined : v;
    }
    return undefined;
  }

  private kv(key: string, v: Version): KeyValue {
    const kv: KeyValue = { key, value: v.value!, createRevision: v.create, modRevision: v.mod };
    if (v.lease) kv.lease = v.lease;
    return kv;
  }

  private latest(key: string): Version | undefined {
    const versions = this.keys.get(key);
    const v = versions?.[versions.length - 1];
    return v && v.value !== null ? v : undefined;
  }

  // ---- writes ----

  async create(key: string, value: Obj, opts: WriteOptions = {}): Promise<KeyValue> {
    this.checkOpen();
    if (this.latest(key)) throw new StoreError('KeyExists', `key exists: ${key}`);
    const ev = this.put(key, value, undefined, opts.lease);
    return this.acknowledge(ev, key);
  }

  async update(key: string, value: Obj, expectedModRevision?: number, opts: WriteOptions = {}): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.latest(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.mod !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.mod);
    }
    const ev = this.put(key, value, cur, opts.lease);
    return this.acknowledge(ev, key);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.latest(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.mod !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.mod);
    }
    const ev = this.del(key, cur);
    await this.acknowledge(ev, key);
    return { key, value: cur.value!, createRevision: cur.create, modRevision: ev.revision };
  }

  private put(key: string, value: Obj, cur: Version | undefined, lease: number | undefined, rev = ++this.rev): StoreEvent {
    if (lease !== undefined && !this.leases.has(lease)) {
      this.rev--;
      throw new StoreError('KeyNotFound', `lease ${lease} not found`);
    }
    const stored = stamp(value, rev, cur?.value ?? undefined);
    const v: Version = { mod: rev, create: cur ? cur.create : rev, value: stored };
    if (lease !== undefined) v.lease = lease;
    this.pushVersion(key, v);
    if (cur?.lease !== undefined && cur.lease !== lease) this.leases.get(cur.lease)?.keys.delete(key);
    if (lease !== undefined) this.leases.get(lease)!.keys.add(key);
    this.journal?.append({ op: 'put', rev, key, value: unstamp(stored), create: v.create, ...(lease !== undefined ? { lease } : {}) });
    return { type: 'PUT', key, revision: rev, value: stored, prevValue: cur?.value ?? undefined, created: !cur };
  }

  private del(key: string, cur: Version, rev = ++this.rev): StoreEvent {
    this.pushVersion(key, { mod: rev, create: cur.create, value: null });
    if (cur.lease !== undefined) this.leases.get(cur.lease)?.keys.delete(key);
    this.journal?.append({ op: 'del', rev, key });
    return { type: 'DELETE', key, revision: rev, value: cur.value!, prevValue: cur.value!, created: false };
  }

  private pushVersion(key: string, v: Version): void {
    const versions = this.keys.get(key);
    if (versions) versions.push(v);
    else this.keys.set(key, [v]);
  }

  /** Waits for durability, then shows the event to watchers and answers the writer. */
  private async acknowledge(ev: StoreEvent, key: string): Promise<KeyValue> {
    this.pending.push(ev);
    if (this.journal) await this.journal.sync();
    // Everything appended before this write's sync() is durable too: release it all, in order.
    this.release(ev.revision);
    const v = this.keys.get(key)!.find((x: Version) => x.mod === ev.revision)!;
    return this.kv(key, v.value === null ? { ...v, value: ev.value } : v);
  }

  private release(upTo: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n].revision <= upTo) n++;
    if (n === 0) return;
    const ready = this.pending.splice(0, n);
    for (const ev of ready) this.emit(ev);
  }

  private emit(ev: StoreEvent): void {
    this.history.push(ev);
    if (this.history.length > this.historyLimit + (this.historyLimit >> 4)) {
      // The revision window: the oldest history goes, as a compaction would take it. It goes a
      // sixteenth of the window at a time: dropping it event by event copied the whole window on
      // every write once it was full.
      void this.compactTo(this.history[this.history.length - this.historyLimit - 1].revision, false);
    }
    const root = resourceRoot(ev.key);
    const same = this.untriggered.get(root);
    if (same) for (const w of same) this.offer(w, ev);
    // Watchers of a prefix shorter than a resource's (the whole registry) see everything.
    if (root !== '') for (const w of this.untriggered.get('') ?? []) this.offer(w, ev);
    // Indexed watchers: only those that want the object's value before or after the change.
    for (const t of this.triggers.values()) {
      const now = ev.value ? t.fn(ev.value) : undefined;
      const before = ev.prevValue ? t.fn(ev.prevValue) : undefined;
      if (now !== undefined) for (const w of t.byValue.get(now) ?? []) this.offer(w, ev);
      if (before !== undefined && before !== now) for (const w of t.byValue.get(before) ?? []) this.offer(w, ev);
    }
  }

  private offer(w: Watcher, ev: StoreEvent): void {
    if (!w.cancelled && ev.key.startsWith(w.prefix)) {
      w.queue.push(ev);
      this.flushLater(w);
    }
  }

  private flushLater(w: Watcher): void {
    if (w.scheduled || w.queue.length === 0) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      const batch = w.queue;
      w.queue = [];
      for (const ev of batch) {
        if (w.cancelled) return;
        try {
          w.cb.event(ev);
        } catch (err) {
          // One broken watcher must not stop the others or the writer.
          queueMicrotask(() => {
            throw err;
          });
        }
      }
    });
  }

  // ---- watch ----

  async watch(prefix: string, fromRevision: number, cb: WatchCallbacks, opts: WatchOptions = {}): Promise<WatchHandle> {
    this.checkOpen();
    if (fromRevision < this.compacted) {
      throw new StoreError('Compacted', 'mvcc: required revision has been compacted', this.compacted);
    }
    const w: Watcher = { prefix, cb, cancelled: false, queue: [], scheduled: false, trigger: opts.trigger };
    // Replay what happened after fromRevision and is still in history, then follow live writes.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].revision <= fromRevision) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) if (this.history[i].key.startsWith(prefix)) w.queue.push(this.history[i]);
    this.flushLater(w);
    this.addWatcher(w);
    return {
      cancel: () => {
        w.cancelled = true;
        this.removeWatcher(w);
      },
    };
  }

  private addWatcher(w: Watcher): void {
    this.watchers.add(w);
    const t = w.trigger;
    if (!t) {
      const root = resourceRoot(w.prefix);
      let set = this.untriggered.get(root);
      if (!set) this.untriggered.set(root, (set = new Set()));
      set.add(w);
      return;
    }
    let idx = this.triggers.get(t.name);
    if (!idx) this.triggers.set(t.name, (idx = { fn: t.fn, byValue: new Map() }));
    let set = idx.byValue.get(t.value);
    if (!set) idx.byValue.set(t.value, (set = new Set()));
    set.add(w);
  }

  private removeWatcher(w: Watcher): void {
    this.watchers.delete(w);
    const root = resourceRoot(w.prefix);
    const plain = this.untriggered.get(root);
    if (plain?.delete(w) && plain.size === 0) this.untriggered.delete(root);
    const t = w.trigger;
    const idx = t && this.triggers.get(t.name);
    if (!t || !idx) return;
    const set = idx.byValue.get(t.value);
    set?.delete(w);
    if (set && set.size === 0) idx.byValue.delete(t.value);
    if (idx.byValue.size === 0) this.triggers.delete(t.name);
  }

  // ---- compaction ----

  async compact(revision: number): Promise<void> {
    await this.compactTo(revision, true);
  }

  private async compactTo(revision: number, journal: boolean): Promise<void> {
    const rev = Math.min(revision, this.rev);
    if (rev <= this.compacted) return;
    // The keys written in (compacted, rev] are the only ones with versions to drop.
    let cut = 0;
    const touched = new Set<string>();
    while (cut < this.history.length && this.history[cut].revision <= rev) touched.add(this.history[cut++].key);
    this.history = this.history.slice(cut);
    for (const key of touched) {
      const versions = this.keys.get(key);
      if (!versions) continue;
      // Keep the newest version at or before rev (what a read at rev sees) and everything after.
      let keep = versions.length - 1;
      while (keep > 0 && versions[keep].mod > rev) keep--;
      let rest = versions.slice(keep);
      if (rest[0].value === null && rest[0].mod <= rev) rest = rest.slice(1);
      if (rest.length === 0) this.keys.delete(key);
      else this.keys.set(key, rest);
    }
    this.compacted = rev;
    if (journal && this.journal) {
      this.journal.append({ op: 'compact', rev });
      await this.journal.sync();
    }
  }

  // ---- leases (Events expire after an hour; on the emulator's clock) ----

  async grantLease(ttlSeconds: number): Promise<number> {
    this.checkOpen();
    const id = ++this.leaseSeq;
    const expiresAt = this.clock.now() + ttlSeconds * 1000;
    this.arm({ id, ttl: ttlSeconds, expiresAt, keys: new Set() });
    this.journal?.append({ op: 'lease', id, ttl: ttlSeconds, expiresAt });
    if (this.journal) await this.journal.sync();
    return id;
  }

  async revokeLease(id: number): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) return;
    lease.timer?.cancel();
    this.leases.delete(id);
    const events = [...lease.keys].map((key) => this.del(key, this.latest(key)!)).filter(Boolean);
    this.journal?.append({ op: 'revoke', id });
    this.pending.push(...events);
    if (this.journal) await this.journal.sync();
    this.release(this.rev);
  }

  private arm(lease: Lease): void {
    this.leases.set(lease.id, lease);
    lease.timer = this.clock.setTimeout(() => void this.revokeLease(lease.id), Math.max(0, lease.expiresAt - this.clock.now()));
  }

  // ---- snapshots (durable.ts) ----

  /** The live state, for a snapshot file: values without resourceVersion. */
  snapshot(): StoreSnapshot {
    const kvs: StoreSnapshot['kvs'] = [];
    for (const [key, versions] of this.keys.entries()) {
      const v = versions[versions.length - 1];
      if (v.value === null) continue;
      const e: StoreSnapshot['kvs'][number] = { key, value: unstamp(v.value), create: v.create, mod: v.mod };
      if (v.lease !== undefined) e.lease = v.lease;
      kvs.push(e);
    }
    const leases = [...this.leases.values()].map((l) => ({ id: l.id, ttl: l.ttl, expiresAt: l.expiresAt }));
    return { revision: this.rev, compacted: this.compacted, kvs, leases };
  }

  /**
   * Rebuilds a store from a snapshot and the journal records written after it. History before the
   * restore is gone: watches from older revisions get Compacted (clients relist, as after an etcd
   * restore). The journal is attached after the replay, so replayed records are not written again.
   */
  static restore(snapshot: StoreSnapshot | undefined, records: Iterable<JournalRecord>, opts: MemoryStoreOptions): MemoryStore {
    const s = new MemoryStore({ ...opts, journal: undefined });
    if (snapshot) {
      s.rev = snapshot.revision;
      for (const l of snapshot.leases) {
        s.leaseSeq = Math.max(s.leaseSeq, l.id);
        s.leases.set(l.id, { ...l, keys: new Set() });
      }
      for (const e of snapshot.kvs) {
        const v: Version = { mod: e.mod, create: e.create, value: stamp(e.value, e.mod) };
        if (e.lease !== undefined) {
          v.lease = e.lease;
          s.leases.get(e.lease)?.keys.add(e.key);
        }
        s.keys.set(e.key, [v]);
      }
    }
    const base = s.rev;
    for (const r of records) {
      switch (r.op) {
        case 'put': {
          if (r.rev <= s.rev) break; // already in the snapshot
          if (r.rev !== s.rev + 1) throw new StoreError('Corrupt', `journal skips from revision ${s.rev} to ${r.rev}`);
          const cur = s.latest(r.key);
          s.rev = r.rev;
          const stored = stamp(r.value, r.rev);
          const v: Version = { mod: r.rev, create: r.create, value: stored };
          if (r.lease !== undefined) {
            v.lease = r.lease;
            s.leases.get(r.lease)?.keys.add(r.key);
          }
          if (cur?.lease !== undefined && cur.lease !== r.lease) s.leases.get(cur.lease)?.keys.delete(r.key);
          s.pushVersion(r.key, v);
          s.history.push({ type: 'PUT', key: r.key, revision: r.rev, value: stored, prevValue: cur?.value ?? undefined, created: !cur });
          break;
        }
        case 'del': {
          if (r.rev <= s.rev) break;
          if (r.rev !== s.rev + 1) throw new StoreError('Corrupt', `journal skips from revision ${s.rev} to ${r.rev}`);
          const cur = s.latest(r.key);
          s.rev = r.rev;
          if (!cur) break;
          s.pushVersion(r.key, { mod: r.rev, create: cur.create, value: null });
          if (cur.lease !== undefined) s.leases.get(cur.lease)?.keys.delete(r.key);
          s.history.push({ type: 'DELETE', key: r.key, revision: r.rev, value: cur.value!, prevValue: cur.value!, created: false });
          break;
        }
        case 'lease':
          s.leaseSeq = Math.max(s.leaseSeq, r.id);
          if (!s.leases.has(r.id)) s.leases.set(r.id, { id: r.id, ttl: r.ttl, expiresAt: r.expiresAt, keys: new Set() });
          break;
        case 'revoke':
          s.leases.delete(r.id);
          break;
        case 'compact':
          break; // history before the restore is gone anyway
      }
    }
    // Replayed history is kept (watches can resume within it); older history is not.
    s.compacted = Math.max(snapshot?.compacted ?? 0, base);
    for (const l of s.leases.values()) s.arm(l);
    s.journal = opts.journal;
    return s;
  }

  /** Attaches the journal after a restore (durable.ts opens it once the replay is done). */
  setJournal(journal: Journal | undefined): void {
    this.journal = journal;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.leases.values()) l.timer?.cancel();
    for (const w of this.watchers) {
      w.cancelled = true;
      w.cb.error?.(new StoreError('Unavailable', 'store closed'));
    }
    this.watchers.clear();
    this.untriggered.clear();
    this.triggers.clear();
    if (this.journal) await this.journal.sync();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store closed');
  }
}
