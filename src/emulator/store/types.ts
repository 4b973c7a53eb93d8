// The storage contract between the apiserver and its store: etcd v3's, as the apiserver uses it
// (k8s.io/apiserver/pkg/storage/etcd3/store.go). Two backends implement it: the in-process MVCC
// store (memory.ts, optionally durable through a journal) and a real etcd (etcd.ts).
//
// Values are API objects. A backend returns them frozen, with metadata.resourceVersion set to the
// revision that last wrote them (the versioner's job in Kubernetes): callers never stamp it.

import type { Obj } from '../api/objects.ts';

export interface KeyValue {
  key: string;
  /** The object, frozen, with metadata.resourceVersion = String(modRevision). */
  value: Obj;
  createRevision: number;
  modRevision: number;
  /** The lease the key is attached to, if any. */
  lease?: number;
}

export interface RangeOptions {
  /** Read as of this revision (default: the latest). Older than the compacted revision: Compacted. */
  revision?: number;
  /** At most this many items (default: all). */
  limit?: number;
  /** Start at this key (inclusive) instead of the prefix's first key; for continue tokens. */
  startKey?: string;
  /** With a limit: also count the keys after the page (RangeResult.remaining); costs a scan. */
  count?: boolean;
}

export interface RangeResult {
  /** In key order. */
  items: KeyValue[];
  /** The revision the range was read at: the store's revision when none was asked for. */
  revision: number;
  /** True when keys after the last item remain under the prefix at that revision. */
  more: boolean;
  /** With a limit and more: how many keys remain after the last item (etcd's count less the page). */
  remaining?: number;
}

export interface StoreEvent {
  type: 'PUT' | 'DELETE';
  key: string;
  /** The revision of this write. */
  revision: number;
  /** PUT: the new value. DELETE: the value that was deleted (with its own last resourceVersion). */
  value: Obj;
  /** The value before the write, if the key existed. */
  prevValue?: Obj;
  /** True when this PUT created the key. */
  created: boolean;
}

export type StoreErrorCode = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted' | 'Unavailable' | 'Corrupt';

const STORE_ERROR = Symbol.for('kube-emulator.StoreError');

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** Conflict: the key's current mod revision. Compacted: the compacted revision. */
    readonly revision?: number,
  ) {
    super(message);
    (this as unknown as Record<symbol, boolean>)[STORE_ERROR] = true;
  }

  /** instanceof holds across bundles (the etcd backend is loaded as a bundle of its own). */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[STORE_ERROR] === true;
  }
}

export interface WatchHandle {
  cancel(): void;
}

/**
 * A hint that lets a store skip watchers an event cannot concern (the watch cache's indexed
 * triggers, staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go): the watcher only wants
 * objects whose `fn(value)` is `value` (before or after the change). Stores may ignore it; the
 * caller still filters what it receives.
 */
export interface WatchTrigger {
  /** Names the function: watchers with the same name share one index. */
  name: string;
  fn: (obj: Obj) => string | undefined;
  value: string;
}

export interface WatchOptions {
  trigger?: WatchTrigger;
}

export interface WatchCallbacks {
  /** Every event after the start revision, in revision order, each exactly once. */
  event(ev: StoreEvent): void;
  /** The watch ended and will send nothing more (store closed, connection lost). */
  error?(err: StoreError): void;
}

export interface WriteOptions {
  /** Attach the key to this lease: it is deleted when the lease expires. */
  lease?: number;
}

export interface Store {
  /** The revision of the latest write (what a watch bookmark reports: etcd's progress notify). */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable and watchable from. */
  compactedRevision(): Promise<number>;

  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  /** Keys starting with prefix, in key order. */
  range(prefix: string, opts?: RangeOptions): Promise<RangeResult>;
  count(prefix: string): Promise<number>;

  /** Fails with KeyExists when the key exists. The value must not carry a resourceVersion. */
  create(key: string, value: Obj, opts?: WriteOptions): Promise<KeyValue>;
  /**
   * Replaces the value; with expectedModRevision, only if the key was not written since (else
   * Conflict). KeyNotFound when absent.
   */
  update(key: string, value: Obj, expectedModRevision?: number, opts?: WriteOptions): Promise<KeyValue>;
  /** Deletes the key; the result's modRevision is the delete's revision, its value the last value. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;

  /**
   * Watches keys under prefix for events after fromRevision (exclusive). Fails with Compacted when
   * fromRevision is older than the retained history.
   */
  watch(prefix: string, fromRevision: number, cb: WatchCallbacks, opts?: WatchOptions): Promise<WatchHandle>;

  /** Drops history up to revision: reads and watches from before it then fail with Compacted. */
  compact(revision: number): Promise<void>;

  /** A lease that expires ttlSeconds (of the emulator's clock) from now, deleting its keys. */
  grantLease(ttlSeconds: number): Promise<number>;
  revokeLease(id: number): Promise<void>;

  close(): Promise<void>;
}

/** Writes a record of every change before it is acknowledged (durable.ts implements it with a log). */
export interface Journal {
  /** Queues a record; sync() makes every queued record durable. */
  append(record: JournalRecord): void;
  /** Resolves once every record appended so far is on disk (group commit: one fsync for many). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export type JournalRecord =
  | { op: 'put'; rev: number; key: string; value: Obj; create: number; lease?: number }
  | { op: 'del'; rev: number; key: string }
  | { op: 'lease'; id: number; ttl: number; expiresAt: number }
  | { op: 'revoke'; id: number }
  | { op: 'compact'; rev: number };
