// The etcd backend: the Store contract over a real etcd v3 (3.4 or later), through the `etcd3` npm
// client (gRPC over @grpc/grpc-js). It uses etcd the way the apiserver does
// (k8s.io/apiserver/pkg/storage/etcd3/store.go and watcher.go):
// - values are JSON without metadata.resourceVersion; every read stamps it from the key's
//   mod revision (the versioner's job: k8s.io/apiserver/pkg/storage/etcd3/store.go decode());
// - create = txn(createRevision(key) == 0, put) (store.go Create, notFound(key));
// - update/delete with a precondition = txn(modRevision(key) == expected, put/delete, else get)
//   (store.go GuaranteedUpdate and conditionalDelete);
// - watch from fromRevision + 1 with prevKV (watcher.go startWatching: WithRev(initialRev + 1),
//   WithPrevKV), created = createRevision == modRevision (etcd's Event.IsCreate).
//
// Only the raw KV, Lease, Maintenance and Watch RPCs of the client are used: its retry and circuit
// breaker policies are turned off (a retried txn whose first try was applied would answer
// KeyExists or Conflict for a write that succeeded), and each watch has a gRPC stream of its own
// that reports a lost connection instead of silently resubscribing.

import {
  Etcd3,
  EtcdLeaseInvalidError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCUnavailableError,
  ClientClosedError,
  type ICompare,
  type IDuplexStream,
  type IKeyValue,
  type IOptions,
  type IResponseHeader,
  type IWatchRequest,
  type IWatchResponse,
} from 'etcd3';
import { deepFreeze, type Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import {
  StoreError,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type StoreEvent,
  type WatchCallbacks,
  type WatchHandle,
  type WriteOptions,
} from './types.ts';

export interface EtcdStoreOptions {
  /** The emulator's clock: lease TTLs are converted from its time to etcd's (wall-clock) time. */
  clock: Clock;
  /** Prepended to every key in etcd (the apiserver's --etcd-prefix), so several clusters or test
   * runs can share one etcd. Keys given to and returned by the store never carry it. */
  prefix?: string;
  /** How long connect() waits for etcd to answer (default 5,000 ms). */
  connectTimeoutMs?: number;
  /** Deadline of every other unary request (default 30,000 ms); past it: Unavailable. */
  requestTimeoutMs?: number;
}

// etcd's error strings (go.etcd.io/etcd/mvcc/kvstore.go, lease/lessor.go).
const ERR_COMPACTED = 'required revision has been compacted';
const ERR_FUTURE_REV = 'required revision is a future revision';
const ERR_LEASE_EXISTS = 'lease already exists';

/** A single key read (never written) for the cheap probes: the current revision, compaction. Its
 * name is the apiserver's compactor key (k8s.io/apiserver/pkg/storage/etcd3/compact.go). */
const COMPACT_REV_KEY = 'compact_rev_key';

/** 'etcd://h:p', 'http://h:p', 'h:p', or several separated by commas → etcd3's hosts. */
export function parseEtcdUrl(url: string): { hosts: string[]; display: string } {
  const parts = url
    .replace(/^etcd:\/\//, '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`no etcd address in ${JSON.stringify(url)}`);
  const hosts: string[] = [];
  const shown: string[] = [];
  for (const p of parts) {
    const m = /^(?:(https?|etcd):\/\/)?([^/]+?)\/?$/.exec(p);
    if (!m) throw new Error(`invalid etcd address ${JSON.stringify(p)} (expected etcd://HOST:PORT)`);
    if (m[1] === 'https') throw new Error(`etcd over TLS is not supported yet: ${p}`);
    const hostPort = /:\d+$/.test(m[2]) ? m[2] : `${m[2]}:2379`;
    hosts.push(`http://${hostPort}`);
    shown.push(hostPort);
  }
  return { hosts, display: shown.join(',') };
}

/** The first key after every key starting with `prefix` (clientv3.GetPrefixRangeEnd). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): to the end of the keyspace.
  return Buffer.from([0]);
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** A policy that runs the call once (cockatiel's NoopPolicy, without depending on cockatiel). */
const noop: Policy = {
  _altReturn: undefined as never,
  onSuccess: () => ({ dispose() {} }),
  onFailure: () => ({ dispose() {} }),
  execute: async (fn, signal) => fn({ signal: signal ?? new AbortController().signal }),
};

/** The txn guard of an update or delete: unchanged since expectedModRevision, or merely existing. */
function precondition(k: Buffer, expectedModRevision: number | undefined): ICompare[] {
  return expectedModRevision !== undefined
    ? [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }]
    : [{ key: k, target: 'Create', result: 'Greater', create_revision: 0 }];
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why a connection failed, in a few words: grpc-js's message without its status prefix and notes. */
export function connectionReason(err: unknown): string {
  const msg = errorMessage(err)
    .replace(/\s*Resolution note:\s*$/, '')
    .replace(/^\d+ [A-Z_]+: /, '');
  const deadline = /^Deadline exceeded after ([\d.]+)s/.exec(msg);
  // grpc-js measures the wait (4.986s for a 5 s deadline): say the deadline, in whole seconds.
  if (deadline) return `no answer in ${Math.round(Number(deadline[1]))} s`;
  const last = /Last error: (?:Error: )?(.+)$/.exec(msg);
  return (last ? last[1] : msg).trim().replace(/\.$/, '');
}

function isConnectionError(err: unknown): boolean {
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    err instanceof GRPCCancelledError ||
    err instanceof ClientClosedError
  ) {
    return true;
  }
  const msg = errorMessage(err);
  // Raft-level unavailability (etcdserver/api/v3rpc/rpctypes/error.go).
  return /etcdserver: (request timed out|no leader|leader changed|too many requests|not capable|server stopped)|Broken circuit/i.test(msg);
}

export class EtcdStore implements Store {
  private readonly prefix: Buffer;
  private readonly watches = new Set<EtcdWatch>();
  /** The highest compacted revision seen: given to compact() or learnt from etcd. */
  private knownCompacted = 0;
  private closed = false;

  private constructor(
    private readonly client: Etcd3,
    private readonly clock: Clock,
    prefix: string,
    private readonly display: string,
  ) {
    this.prefix = Buffer.from(prefix);
  }

  /**
   * Connects and checks that etcd answers (a Status call, then a read for the revision) within
   * connectTimeoutMs; otherwise fails with Unavailable, so that a server over etcd never starts
   * half-way.
   */
  static async connect(url: string, opts: EtcdStoreOptions): Promise<EtcdStore> {
    const { hosts, display } = parseEtcdUrl(url);
    const requestTimeout = opts.requestTimeoutMs ?? 30_000;
    const client = new Etcd3({
      hosts,
      // No retries and no circuit breaker (see the top of this file): errors reach the caller.
      faultHandling: { host: () => noop, global: noop },
      // Streams (watches) live as long as they are used; unary calls have a deadline.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeout }),
      grpcOptions: {
        // Notice a dead peer on an idle connection (as clientv3's keepalive does for the apiserver).
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        // The apiserver's limit for etcd responses (storagebackend/factory/etcd3.go: maxRecvMsgSize).
        'grpc.max_receive_message_length': 2 * 1024 * 1024 * 1024 - 1,
      },
    });
    const store = new EtcdStore(client, opts.clock, opts.prefix ?? '', display);
    const timeout = opts.connectTimeoutMs ?? 5000;
    try {
      const deadline = Date.now() + timeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        (async () => {
          await client.maintenance.status({ deadline });
          await client.kv.range({ key: store.k(COMPACT_REV_KEY), count_only: true }, { deadline });
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeout / 1000} s`)), timeout + 250);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (err) {
      client.close();
      throw new StoreError('Unavailable', `cannot reach etcd at ${display}: ${connectionReason(err)}`);
    }
    return store;
  }

  // ---- keys and values ----

  private k(key: string): Buffer {
    return this.prefix.length ? Buffer.concat([this.prefix, Buffer.from(key)]) : Buffer.from(key);
  }

  private unk(key: Buffer): string {
    return key.subarray(this.prefix.length).toString();
  }

  private static encode(value: Obj): Buffer {
    // Stored without resourceVersion (the versioner's PrepareObjectForStorage).
    if (value.metadata && typeof value.metadata === 'object' && 'resourceVersion' in value.metadata) {
      const { resourceVersion: _rv, ...metadata } = value.metadata as Obj;
      value = { ...value, metadata };
    }
    return Buffer.from(JSON.stringify(value));
  }

  /** The object etcd holds, stamped with its mod revision and frozen. */
  private decode(kv: IKeyValue): Obj {
    let v: unknown;
    try {
      v = JSON.parse(kv.value.toString());
    } catch (err) {
      throw new StoreError('Corrupt', `cannot decode the value of ${this.unk(kv.key)} at revision ${kv.mod_revision}: ${errorMessage(err)}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      throw new StoreError('Corrupt', `the value of ${this.unk(kv.key)} at revision ${kv.mod_revision} is not a JSON object`);
    }
    const obj = v as Obj;
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    obj.metadata.resourceVersion = String(Number(kv.mod_revision));
    return deepFreeze(obj);
  }

  private kv(kv: IKeyValue): KeyValue {
    const out: KeyValue = {
      key: this.unk(kv.key),
      value: this.decode(kv),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
    };
    const lease = leaseNumber(kv.lease);
    if (lease !== undefined) out.lease = lease;
    return out;
  }

  // ---- errors ----

  private checkOpen(): void {
    if (this.closed) throw new StoreError('Unavailable', 'store closed');
  }

  /** Runs an etcd call and maps its errors to StoreErrors. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    try {
      return await fn();
    } catch (err) {
      throw await this.mapError(what, err);
    }
  }

  private async mapError(what: string, err: unknown): Promise<unknown> {
    if (err instanceof StoreError) return err;
    const msg = errorMessage(err);
    if (msg.includes(ERR_COMPACTED)) {
      return new StoreError('Compacted', `${what}: mvcc: ${ERR_COMPACTED}`, await this.compactedRevision().catch(() => this.knownCompacted));
    }
    if (msg.includes(ERR_FUTURE_REV)) {
      // The memory backend answers the same (a read past the head is as unanswerable as before the
      // tail); the apiserver turns both into "too large resource version" / 410.
      return new StoreError('Compacted', `${what}: mvcc: ${ERR_FUTURE_REV}`, await this.currentRevision().catch(() => undefined));
    }
    if (this.closed || isConnectionError(err)) {
      return new StoreError('Unavailable', `${what}: etcd at ${this.display} unavailable: ${msg}`);
    }
    return err;
  }

  // ---- reads ----

  private header(h: IResponseHeader): number {
    return Number(h.revision);
  }

  async currentRevision(): Promise<number> {
    // The cheapest linearizable request: a count of one key; its header carries the revision.
    const res = await this.call('current revision', () => this.client.kv.range({ key: this.k(COMPACT_REV_KEY), count_only: true }));
    return this.header(res.header);
  }

  /**
   * etcd tells its compacted revision only to a watch that starts before it. What we do: a read at
   * revision r fails with ErrCompacted exactly when r < etcd's compacted revision
   * (mvcc/kvstore_txn.go rangeKeys), so the answer is found by probing: one read at the highest
   * compacted revision known (from compact() or from etcd's errors), and a binary search over
   * (known, head] only when someone else (another apiserver, etcd's --auto-compaction-*) compacted
   * further since. Before any compaction: 0.
   */
  async compactedRevision(): Promise<number> {
    // Plain range calls here (not this.call's error mapping, which would ask us again).
    const probe = async (rev: number): Promise<boolean> => {
      this.checkOpen();
      try {
        await this.client.kv.range({ key: this.k(COMPACT_REV_KEY), count_only: true, revision: rev });
        return true;
      } catch (err) {
        if (errorMessage(err).includes(ERR_COMPACTED)) return false;
        throw await this.mapError('compacted revision', err);
      }
    };
    const known = this.knownCompacted;
    if (await probe(Math.max(known, 1))) return known;
    let lo = Math.max(known, 1); // not readable
    let hi = await this.currentRevision(); // readable: etcd never compacts past its head
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await probe(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, hi);
    return hi;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    const res = await this.call(`get ${key}`, () =>
      this.client.kv.range({ key: this.k(key), ...(opts.revision && opts.revision > 0 ? { revision: opts.revision } : {}) }),
    );
    return res.kvs.length ? this.kv(res.kvs[0]) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    const from = this.k(prefix);
    const startKey = opts.startKey !== undefined ? this.k(opts.startKey) : undefined;
    const start = startKey && Buffer.compare(startKey, from) > 0 ? startKey : from;
    const revision = opts.revision && opts.revision > 0 ? opts.revision : undefined;
    const res = await this.call(`list ${prefix}`, () =>
      this.client.kv.range({
        key: start.length ? start : Buffer.from([0]),
        range_end: prefixEnd(from),
        ...(revision !== undefined ? { revision } : {}),
        ...(opts.limit && opts.limit > 0 ? { limit: opts.limit } : {}),
      }),
    );
    // etcd's header carries its head revision even for a read at an older one.
    const items = res.kvs.map((kv) => this.kv(kv));
    const out: RangeResult = { items, revision: revision ?? this.header(res.header), more: !!res.more };
    if (res.more && opts.count) out.remaining = Number(res.count) - items.length;
    return out;
  }

  async count(prefix: string): Promise<number> {
    const from = this.k(prefix);
    const res = await this.call(`count ${prefix}`, () =>
      this.client.kv.range({ key: from.length ? from : Buffer.from([0]), range_end: prefixEnd(from), count_only: true }),
    );
    return Number(res.count);
  }

  // ---- writes ----

  private putOp(key: string, value: Obj, lease: number | undefined) {
    return { request_put: { key: this.k(key), value: EtcdStore.encode(value), prev_kv: true, ...(lease !== undefined ? { lease } : {}) } };
  }

  private async writeError(what: string, key: string, err: unknown, lease: number | undefined): Promise<unknown> {
    if (lease !== undefined && (err instanceof EtcdLeaseInvalidError || errorMessage(err).includes('requested lease not found'))) {
      return new StoreError('KeyNotFound', `lease ${lease} not found`);
    }
    return this.mapError(`${what} ${key}`, err);
  }

  async create(key: string, value: Obj, opts: WriteOptions = {}): Promise<KeyValue> {
    this.checkOpen();
    const k = this.k(key);
    let res;
    try {
      // store.go Create: If(notFound(key)).Then(OpPut(key, data, opts...)).
      res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [this.putOp(key, value, opts.lease)],
        failure: [],
      });
    } catch (err) {
      throw await this.writeError('create', key, err, opts.lease);
    }
    if (!res.succeeded) throw new StoreError('KeyExists', `key exists: ${key}`);
    const rev = this.header(res.header);
    return this.written(key, value, rev, rev, opts.lease);
  }

  /** The KeyValue of a write we just made, without reading it back. */
  private written(key: string, value: Obj, create: number, mod: number, lease: number | undefined): KeyValue {
    const out: KeyValue = {
      key,
      value: this.decode({ key: this.k(key), value: EtcdStore.encode(value), mod_revision: String(mod) } as IKeyValue),
      createRevision: create,
      modRevision: mod,
    };
    if (lease !== undefined) out.lease = lease;
    return out;
  }

  async update(key: string, value: Obj, expectedModRevision?: number, opts: WriteOptions = {}): Promise<KeyValue> {
    this.checkOpen();
    const k = this.k(key);
    let res;
    try {
      // store.go GuaranteedUpdate: If(ModRevision(key) == origState.rev).Then(OpPut).Else(OpGet).
      // Without a precondition: the key must exist (createRevision > 0).
      res = await this.client.kv.txn({
        compare: precondition(k, expectedModRevision),
        success: [this.putOp(key, value, opts.lease)],
        failure: [{ request_range: { key: k } }],
      });
    } catch (err) {
      throw await this.writeError('update', key, err, opts.lease);
    }
    if (!res.succeeded) throw this.preconditionFailed(key, res.responses[0]?.response_range?.kvs ?? []);
    const prev = res.responses[0].response_put.prev_kv;
    const rev = this.header(res.header);
    return this.written(key, value, Number(prev.create_revision), rev, opts.lease);
  }

  private preconditionFailed(key: string, kvs: IKeyValue[]): StoreError {
    if (kvs.length === 0) return new StoreError('KeyNotFound', `key not found: ${key}`);
    const cur = Number(kvs[0].mod_revision);
    return new StoreError('Conflict', `revision mismatch on ${key}: it was last written at revision ${cur}`, cur);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const k = this.k(key);
    let res;
    try {
      // store.go conditionalDelete: If(ModRevision(key) == origState.rev).Then(OpDelete(key, WithPrevKV())).Else(OpGet(key)).
      res = await this.client.kv.txn({
        compare: precondition(k, expectedModRevision),
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      });
    } catch (err) {
      throw await this.mapError(`delete ${key}`, err);
    }
    if (!res.succeeded) throw this.preconditionFailed(key, res.responses[0]?.response_range?.kvs ?? []);
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    if (!prev) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    const last = this.kv(prev);
    // The delete's revision, and the value as last written (with its own resourceVersion).
    const out: KeyValue = { key, value: last.value, createRevision: last.createRevision, modRevision: this.header(res.header) };
    return out;
  }

  // ---- watch ----

  async watch(prefix: string, fromRevision: number, cb: WatchCallbacks): Promise<WatchHandle> {
    this.checkOpen();
    // Fail before returning a handle when the start is already compacted. etcd itself would accept
    // fromRevision == compacted - 1 (it checks start = fromRevision + 1 >= compacted); the memory
    // backend does not, and neither do we: the oldest revision to watch from is the compacted one.
    if (fromRevision > 0) {
      try {
        await this.client.kv.range({ key: this.k(COMPACT_REV_KEY), count_only: true, revision: fromRevision });
      } catch (err) {
        const msg = errorMessage(err);
        if (!msg.includes(ERR_FUTURE_REV)) throw await this.mapError(`watch ${prefix} from revision ${fromRevision}`, err);
      }
    }
    const w = new EtcdWatch(this, prefix, cb);
    this.watches.add(w);
    try {
      await w.start(this.client, this.k(prefix), fromRevision + 1);
    } catch (err) {
      this.watches.delete(w);
      throw err instanceof StoreError ? err : await this.mapError(`watch ${prefix}`, err);
    }
    return { cancel: () => w.cancel() };
  }

  /** @internal */
  watchEnded(w: EtcdWatch): void {
    this.watches.delete(w);
  }

  /** @internal */
  learnCompacted(rev: number): void {
    this.knownCompacted = Math.max(this.knownCompacted, rev);
  }

  /** @internal Turns an etcd watch event into a StoreEvent. */
  event(ev: { type: string; kv: IKeyValue; prev_kv?: IKeyValue | null }): StoreEvent {
    const key = this.unk(ev.kv.key);
    const revision = Number(ev.kv.mod_revision);
    const prevValue = ev.prev_kv ? this.decode(ev.prev_kv) : undefined;
    if (ev.type === 'Delete') {
      if (!prevValue) {
        // watcher.go parseEvent: "etcd event received with PrevKv=nil".
        throw new StoreError('Corrupt', `etcd DELETE event without its previous value (key=${key}, revision=${revision})`);
      }
      return { type: 'DELETE', key, revision, value: prevValue, prevValue, created: false };
    }
    const out: StoreEvent = {
      type: 'PUT',
      key,
      revision,
      value: this.decode(ev.kv),
      created: ev.kv.create_revision === ev.kv.mod_revision,
    };
    if (prevValue) out.prevValue = prevValue;
    return out;
  }

  // ---- compaction ----

  /**
   * Compacts etcd's history up to revision (clamped to the head), as the apiserver's compactor
   * does: logical compaction, not physical (compact.go: client.Compact(ctx, rev)); etcd frees the
   * space in the background. Unlike compact.go we do not record it in compact_rev_key (that write
   * would be a revision of its own): compactedRevision() asks etcd instead. A revision at or below
   * the compacted one is a no-op.
   */
  async compact(revision: number): Promise<void> {
    const head = await this.currentRevision();
    const rev = Math.min(revision, head);
    if (rev <= 0) return;
    try {
      await this.client.kv.compact({ revision: rev });
    } catch (err) {
      if (errorMessage(err).includes(ERR_COMPACTED)) {
        this.learnCompacted(rev);
        return;
      }
      throw await this.mapError(`compact to revision ${rev}`, err);
    }
    this.learnCompacted(rev);
  }

  // ---- leases ----

  /**
   * A lease of ttlSeconds of the emulator's clock. etcd's leases run on etcd's wall clock, not on
   * the emulator's: the TTL is divided by the clock's time scale (a clock running 10x fast gets a
   * lease 10x shorter in real time), but fast-forwarding the clock (advance()) does not expire etcd
   * leases, and a manual clock's standing time does not keep them. etcd also raises TTLs below its
   * minimum (3 x election timeout / heartbeat ticks, 3 s with the default flags) to that minimum.
   *
   * Lease IDs are chosen here, below 2^53, so they stay exact as JavaScript numbers (etcd's own are
   * random 63-bit numbers); a collision with an existing lease is retried with another.
   */
  async grantLease(ttlSeconds: number): Promise<number> {
    const realTtl = this.clock.mode === 'real' ? Math.max(1, Math.ceil(ttlSeconds / this.clock.timeScale)) : Math.max(1, Math.ceil(ttlSeconds));
    for (let attempt = 0; ; attempt++) {
      const id = 1 + Math.floor(Math.random() * (Number.MAX_SAFE_INTEGER - 1));
      try {
        const res = await this.call('grant lease', () => this.client.leaseClient.leaseGrant({ ID: id, TTL: realTtl }));
        if (res.error) throw new Error(res.error);
        return Number(res.ID);
      } catch (err) {
        if (attempt < 5 && errorMessage(err).includes(ERR_LEASE_EXISTS)) continue;
        throw err;
      }
    }
  }

  /**
   * Revokes the lease, deleting its keys. etcd deletes them all in one transaction: their DELETE
   * events share one revision (lease/lessor.go Revoke). An unknown (or expired) lease: a no-op.
   */
  async revokeLease(id: number): Promise<void> {
    try {
      await this.call(`revoke lease ${id}`, () => this.client.leaseClient.leaseRevoke({ ID: id }));
    } catch (err) {
      if (err instanceof EtcdLeaseInvalidError || errorMessage(err).includes('requested lease not found')) return;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.end(new StoreError('Unavailable', 'store closed'));
    this.watches.clear();
    this.client.close();
  }
}

/** A lease ID from etcd as a number; IDs past 2^53 (made by other clients) are not representable. */
function leaseNumber(lease: string | undefined): number | undefined {
  if (!lease || lease === '0') return undefined;
  const n = Number(lease);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** One store watch: an etcd watch on a gRPC stream of its own. */
class EtcdWatch {
  private stream: IDuplexStream<IWatchRequest, IWatchResponse> | undefined;
  private done = false;
  /** Rejects start() while etcd has not confirmed the watch yet. */
  private rejectStart: ((err: StoreError) => void) | undefined;

  constructor(
    private readonly store: EtcdStore,
    private readonly prefix: string,
    private readonly cb: WatchCallbacks,
  ) {}

  async start(client: Etcd3, key: Buffer, startRevision: number): Promise<void> {
    const stream = await client.watchClient.watch();
    this.stream = stream;
    if (this.done) {
      stream.cancel();
      throw new StoreError('Unavailable', 'store closed');
    }
    await new Promise<void>((resolve, reject) => {
      this.rejectStart = reject;
      stream.on('data', (res: IWatchResponse) => {
        if (this.done) return;
        if (this.rejectStart) {
          if (!res.created) return;
          if (res.canceled) {
            this.end(this.cancelError(res));
            return;
          }
          this.rejectStart = undefined;
          resolve();
          return;
        }
        if (res.canceled) {
          this.end(this.cancelError(res));
          return;
        }
        for (const ev of res.events ?? []) {
          if (this.done) return;
          let sev: StoreEvent;
          try {
            sev = this.store.event(ev);
          } catch (err) {
            this.end(err instanceof StoreError ? err : new StoreError('Corrupt', errorMessage(err)));
            return;
          }
          try {
            this.cb.event(sev);
          } catch (err) {
            // One broken watcher must not stop the stream (as in the memory backend).
            queueMicrotask(() => {
              throw err;
            });
          }
        }
      });
      stream.on('error', (err: Error) => this.end(new StoreError('Unavailable', `watch of ${this.prefix} ended: ${errorMessage(err)}`)));
      stream.on('end', () => this.end(new StoreError('Unavailable', `watch of ${this.prefix} ended: etcd closed the watch stream`)));
      // watcher.go: WithRev(initialRev + 1), WithPrevKV().
      stream.write({
        create_request: { key: key.length ? key : Buffer.from([0]), range_end: prefixEnd(key), start_revision: startRevision, prev_kv: true },
      });
    });
  }

  private cancelError(res: IWatchResponse): StoreError {
    const compacted = Number(res.compact_revision ?? 0);
    if (compacted > 0) {
      this.store.learnCompacted(compacted);
      return new StoreError('Compacted', `watch of ${this.prefix}: mvcc: ${ERR_COMPACTED} (compacted revision ${compacted})`, compacted);
    }
    return new StoreError('Unavailable', `watch of ${this.prefix} canceled by etcd${res.cancel_reason ? `: ${res.cancel_reason}` : ''}`);
  }

  /** Stops the stream without telling the callbacks. */
  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.store.watchEnded(this);
    try {
      this.stream?.cancel();
    } catch {
      // already closed
    }
  }

  /** Stops and tells why: the caller of watch() if it is still waiting, else the callbacks. */
  end(err: StoreError): void {
    if (this.done) return;
    this.finish();
    const reject = this.rejectStart;
    this.rejectStart = undefined;
    if (reject) {
      reject(err);
      return;
    }
    try {
      this.cb.error?.(err);
    } catch (e) {
      // A throwing callback must not break close() or the other watches.
      queueMicrotask(() => {
        throw e;
      });
    }
  }

  cancel(): void {
    this.finish();
  }
}
