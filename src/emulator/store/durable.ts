// Durable state for the in-process store: `kube-emulator serve --state DIR` and the extension's
// workspace storage folder keep the cluster across restarts.
//
// The folder holds
//   LOCK                         the pid of the process that has it open (one process at a time)
//   wal-<start revision>.log     append-only log segments; each record is
//                                  u32le length | u32le CRC-32 of the payload | JSON payload
//   snapshot-<revision>.jsonl    the store's content at a revision, one JSON value a line: a header,
//                                  one line per key, and an end line with the CRC-32 of all before it
//
// Writing: the MemoryStore applies a write in memory, appends its record to the FileJournal and
// awaits journal.sync() before it acknowledges the write or shows it to watchers. The journal
// commits in groups: the records appended while one batch is written and fsynced form the next
// batch, written with one write() and made durable with one fdatasync(), after which all of their
// sync() promises resolve. So N concurrent writers cost about one fsync, not N.
//
// Snapshots: once `snapshotEvery` records went to the log since the last snapshot (and the log
// since then is at least half the size of that snapshot, so a large store is not rewritten for a
// few records), the journal takes the store's snapshot at a batch boundary, starts a new segment
// named after the snapshot's revision + 1, and writes the snapshot in the background (temp file,
// fsync, rename, fsync of the folder). Then it deletes what no longer matters: it keeps the new
// snapshot and the one before it with the log segments after that one, so that a damaged newest
// snapshot can still be recovered from the previous one and the log. A clean close writes a
// snapshot too, so that the next start-up reads one file and no log, unless the log since the last
// snapshot is under an eighth of its size (replaying that is quicker than rewriting a large store,
// 5 s for 150,000 pods, while VS Code waits for the extension to deactivate).
//
// Recovery (start-up): load the newest valid snapshot, replay the segments after it. A torn or
// corrupt record at the end of the LAST segment (a crash mid-write: that batch was never
// acknowledged) is cut off. Any other damage (a bad record in the middle, or in an older segment, a
// bad snapshot with no older good one, a gap in the revisions) stops start-up with a
// StoreError('Corrupt') naming the file and offset, before any file is changed.

import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import type { Clock } from '../clock.ts';
import { MemoryStore, type StoreSnapshot } from './memory.ts';
import { StoreError, type Journal, type JournalRecord } from './types.ts';

// ---------------------------------------------------------------------------------------------
// CRC-32 (IEEE, zlib's): zlib.crc32 from Node 20.15 / 22.2, a table-driven fallback before that.

let crcTable: Int32Array | undefined;
function crc32Js(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
/** CRC-32 of data, continuing from value (the CRC of what came before). */
export const crc32: (data: Uint8Array, value?: number) => number = zlibCrc32 ? (d, v = 0) => zlibCrc32(d, v) : crc32Js;
/** The JavaScript implementation, exported so that a test can hold it to zlib's. */
export const crc32Fallback = crc32Js;

// ---------------------------------------------------------------------------------------------
// Files

/** The file operations the durable store uses, injectable so that tests can count fsyncs. */
export interface DurableFs {
  open(path: string, flags: string | number, mode?: number): Promise<FileHandle>;
}
const nodeFs: DurableFs = { open: (p, f, m) => fsp.open(p, f, m) };

const PAD = 16;
const pad = (n: number) => String(n).padStart(PAD, '0');
const segmentName = (start: number) => `wal-${pad(start)}.log`;
const snapshotName = (rev: number) => `snapshot-${pad(rev)}.jsonl`;
const SEGMENT_RE = /^wal-(\d+)\.log$/;
const SNAPSHOT_RE = /^snapshot-(\d+)\.jsonl$/;
const SNAPSHOT_TMP_RE = /^snapshot-(\d+)\.jsonl\.tmp$/;
const HEADER = 8;
/** A record longer than this is not a record: its length field is damaged. */
const MAX_RECORD = 256 * 1024 * 1024;
const SNAPSHOT_KIND = 'KubeEmulatorSnapshot';

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

async function fsyncDir(fs: DurableFs, dir: string): Promise<void> {
  const fh = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/** One log record: length, CRC-32 of the payload, payload (JSON). */
export function encodeRecord(record: JournalRecord): Buffer {
  const json = JSON.stringify(record);
  const len = Buffer.byteLength(json);
  const buf = Buffer.allocUnsafe(HEADER + len);
  buf.write(json, HEADER, 'utf8');
  buf.writeUInt32LE(len, 0);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER)), 4);
  return buf;
}

function damaged(dir: string, file: string, offset: number, reason: string): StoreError {
  return new StoreError('Corrupt', `state folder ${dir} is damaged: ${file} at offset ${offset}: ${reason}; nothing was changed`);
}

// ---------------------------------------------------------------------------------------------
// Reading a folder (no change to any file)

export interface SegmentInfo {
  file: string;
  start: number;
  size: number;
}

export interface LoadedState {
  /** The snapshot the state starts from (none: an empty store and the whole log). */
  snapshot?: StoreSnapshot;
  snapshotFile?: string;
  /** Bytes of that snapshot file. */
  snapshotBytes: number;
  /** Every snapshot file found, newest first (valid or not). */
  snapshots: { file: string; revision: number }[];
  /** The log records after the snapshot, in order. */
  records: JournalRecord[];
  /** The segments those records were read from (the last one is where writing resumes). */
  segments: SegmentInfo[];
  /** Segments older than the snapshot (still kept for a fallback, or left to delete). */
  olderSegments: SegmentInfo[];
  /** A torn record at the end of the last segment, to cut off at offset. */
  torn?: { file: string; offset: number; reason: string };
  /** The revision of the last put/del replayed (or the snapshot's; 1 for an empty folder). */
  revision: number;
  /** Leftover temporary files (a snapshot that was being written). */
  temporary: string[];
  /** Things the folder had that start-up worked around (a damaged snapshot with an older good one). */
  warnings: string[];
}

function checkRecord(r: unknown): string | undefined {
  if (!r || typeof r !== 'object') return 'the record is not an object';
  const o = r as Record<string, unknown>;
  const int = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
  switch (o.op) {
    case 'put':
      if (!int(o.rev) || typeof o.key !== 'string' || !o.value || typeof o.value !== 'object' || !int(o.create)) return 'a put record lacks rev, key, value or create';
      if (o.lease !== undefined && !int(o.lease)) return 'a put record has a bad lease';
      return undefined;
    case 'del':
      return int(o.rev) && typeof o.key === 'string' ? undefined : 'a del record lacks rev or key';
    case 'lease':
      return int(o.id) && typeof o.ttl === 'number' && typeof o.expiresAt === 'number' ? undefined : 'a lease record lacks id, ttl or expiresAt';
    case 'revoke':
      return int(o.id) ? undefined : 'a revoke record lacks id';
    case 'compact':
      return int(o.rev) ? undefined : 'a compact record lacks rev';
    default:
      return `unknown record op ${JSON.stringify(o.op)}`;
  }
}

/** Is there a whole, checksummed record anywhere in buf at or after from? */
function findValidRecord(buf: Buffer, from: number): number | undefined {
  for (let off = from; off + HEADER < buf.length; off++) {
    const len = buf.readUInt32LE(off);
    if (len < 2 || len > MAX_RECORD || off + HEADER + len > buf.length) continue;
    // A JSON record starts with '{' and ends with '}': cheap tests before the checksum.
    if (buf[off + HEADER] !== 0x7b || buf[off + HEADER + len - 1] !== 0x7d) continue;
    if (crc32(buf.subarray(off + HEADER, off + HEADER + len)) === buf.readUInt32LE(off + 4)) return off;
  }
  return undefined;
}

interface ReplayCursor {
  /** The revision of the last put/del (or the snapshot's); undefined: not known yet. */
  rev: number | undefined;
}

function parseSegment(
  dir: string,
  seg: SegmentInfo,
  buf: Buffer,
  last: boolean,
  cursor: ReplayCursor,
  out: JournalRecord[],
): { file: string; offset: number; reason: string } | undefined {
  let off = 0;
  while (off < buf.length) {
    let reason: string | undefined;
    let len = 0;
    if (buf.length - off < HEADER) reason = `an incomplete record header (${buf.length - off} bytes)`;
    else {
      len = buf.readUInt32LE(off);
      if (len === 0 || len > MAX_RECORD) reason = `a record length of ${len}`;
      else if (off + HEADER + len > buf.length) reason = `a record of ${len} bytes runs past the end of the file (${buf.length - off - HEADER} bytes left)`;
      else if (crc32(buf.subarray(off + HEADER, off + HEADER + len)) !== buf.readUInt32LE(off + 4)) reason = 'a record fails its checksum';
    }
    if (reason !== undefined) {
      if (!last) throw damaged(dir, seg.file, off, `${reason} in a segment that is not the last`);
      const next = findValidRecord(buf, off + 1);
      if (next !== undefined) throw damaged(dir, seg.file, off, `${reason}, and whole records follow it (at offset ${next})`);
      // A crash mid-write: the end of a batch that was never acknowledged.
      return { file: seg.file, offset: off, reason };
    }
    let rec: JournalRecord;
    try {
      rec = JSON.parse(buf.toString('utf8', off + HEADER, off + HEADER + len)) as JournalRecord;
    } catch (e) {
      throw damaged(dir, seg.file, off, `a record passes its checksum but is not JSON (${(e as Error).message})`);
    }
    const bad = checkRecord(rec);
    if (bad) throw damaged(dir, seg.file, off, bad);
    if (rec.op === 'put' || rec.op === 'del') {
      if (cursor.rev !== undefined && rec.rev !== cursor.rev + 1) {
        throw damaged(dir, seg.file, off, `the log goes from revision ${cursor.rev} to ${rec.rev}`);
      }
      if (rec.rev < seg.start) {
        throw damaged(dir, seg.file, off, `revision ${rec.rev} in a segment that starts at revision ${seg.start}`);
      }
      cursor.rev = rec.rev;
    }
    out.push(rec);
    off += HEADER + len;
  }
  return undefined;
}

/** Reads a snapshot file; throws a reason (with its offset) if it is not a whole, valid snapshot. */
async function readSnapshot(path: string): Promise<{ snapshot: StoreSnapshot; bytes: number }> {
  const buf = await fsp.readFile(path);
  const fail = (offset: number, reason: string) => Object.assign(new Error(reason), { offset });
  if (buf.length === 0) throw fail(0, 'the file is empty');
  if (buf[buf.length - 1] !== 0x0a) throw fail(buf.length, 'the file does not end with a newline (incomplete)');
  const endStart = buf.lastIndexOf(0x0a, buf.length - 2) + 1;
  let end: { end?: unknown; count?: unknown; crc32?: unknown };
  try {
    end = JSON.parse(buf.toString('utf8', endStart, buf.length - 1));
  } catch {
    throw fail(endStart, 'the last line is not the end record (incomplete)');
  }
  if (end.end !== true || typeof end.crc32 !== 'number' || typeof end.count !== 'number') throw fail(endStart, 'the last line is not the end record (incomplete)');
  const crc = crc32(buf.subarray(0, endStart));
  if (crc !== end.crc32) throw fail(0, `checksum mismatch (the end record says ${end.crc32}, the content has ${crc})`);
  // The checksum holds: what follows are the lines as written.
  let pos = 0;
  const line = (): [number, unknown] => {
    const at = pos;
    const nl = buf.indexOf(0x0a, pos);
    pos = nl + 1;
    try {
      return [at, JSON.parse(buf.toString('utf8', at, nl))];
    } catch (e) {
      throw fail(at, `a line is not JSON (${(e as Error).message})`);
    }
  };
  const [, header] = line() as [number, { kind?: unknown; version?: unknown; revision?: unknown; compacted?: unknown; count?: unknown; leases?: unknown }];
  if (header?.kind !== SNAPSHOT_KIND || header.version !== 1) throw fail(0, `not a ${SNAPSHOT_KIND} version 1 header`);
  if (typeof header.revision !== 'number' || typeof header.compacted !== 'number' || !Array.isArray(header.leases) || header.count !== end.count) {
    throw fail(0, 'the header lacks revision, compacted, leases or the count of the end record');
  }
  const kvs: StoreSnapshot['kvs'] = new Array(end.count);
  for (let i = 0; i < end.count; i++) {
    if (pos >= endStart) throw fail(pos, `${i} entries where the header says ${end.count}`);
    const [at, kv] = line() as [number, StoreSnapshot['kvs'][number]];
    if (!kv || typeof kv.key !== 'string' || !kv.value || typeof kv.value !== 'object' || typeof kv.mod !== 'number' || typeof kv.create !== 'number') {
      throw fail(at, 'an entry lacks key, value, create or mod');
    }
    kvs[i] = kv;
  }
  if (pos !== endStart) throw fail(pos, `more entries than the ${end.count} the header says`);
  return {
    snapshot: { revision: header.revision, compacted: header.compacted, kvs, leases: header.leases as StoreSnapshot['leases'] },
    bytes: buf.length,
  };
}

/**
 * Reads the state a folder holds, changing nothing: the newest valid snapshot and the log records
 * after it. Throws StoreError('Corrupt') naming the file and offset when the folder is damaged.
 */
export async function readState(dirIn: string): Promise<LoadedState> {
  const dir = resolve(dirIn);
  const names = await fsp.readdir(dir);
  const segments: SegmentInfo[] = [];
  const snapshots: { file: string; revision: number }[] = [];
  const temporary: string[] = [];
  for (const name of names) {
    let m: RegExpExecArray | null;
    if ((m = SEGMENT_RE.exec(name))) segments.push({ file: name, start: Number(m[1]), size: 0 });
    else if ((m = SNAPSHOT_RE.exec(name))) snapshots.push({ file: name, revision: Number(m[1]) });
    else if (SNAPSHOT_TMP_RE.test(name)) temporary.push(name);
  }
  segments.sort((a, b) => a.start - b.start);
  snapshots.sort((a, b) => b.revision - a.revision);
  for (const s of segments) s.size = (await fsp.stat(join(dir, s.file))).size;

  const warnings: string[] = [];
  let snapshot: StoreSnapshot | undefined;
  let snapshotFile: string | undefined;
  let snapshotBytes = 0;
  let firstFailure: { file: string; offset: number; reason: string } | undefined;
  for (const s of snapshots) {
    try {
      const r = await readSnapshot(join(dir, s.file));
      if (r.snapshot.revision !== s.revision) throw Object.assign(new Error(`it holds revision ${r.snapshot.revision}, not ${s.revision}`), { offset: 0 });
      snapshot = r.snapshot;
      snapshotFile = s.file;
      snapshotBytes = r.bytes;
      break;
    } catch (e) {
      const f = { file: s.file, offset: (e as { offset?: number }).offset ?? 0, reason: (e as Error).message };
      firstFailure ??= f;
      warnings.push(`${f.file} at offset ${f.offset}: ${f.reason}; started from an older snapshot and the log`);
    }
  }
  if (snapshots.length > 0 && !snapshot) {
    const f = firstFailure!;
    throw damaged(dir, f.file, f.offset, `${f.reason} (and no older valid snapshot)`);
  }
  const base = snapshot?.revision ?? 0;
  const replay = segments.filter((s) => s.start > base);
  const older = segments.filter((s) => s.start <= base);
  if (snapshot && replay.length > 0 && replay[0].start !== base + 1) {
    throw damaged(dir, replay[0].file, 0, `the log after ${snapshotFile} should start with ${segmentName(base + 1)}`);
  }

  const records: JournalRecord[] = [];
  const cursor: ReplayCursor = { rev: snapshot ? base : undefined };
  let torn: LoadedState['torn'];
  if (!snapshot && replay.length > 0 && replay[0].start !== 1) {
    throw damaged(dir, replay[0].file, 0, `the log starts at revision ${replay[0].start} and there is no snapshot before it`);
  }
  for (let i = 0; i < replay.length; i++) {
    const seg = replay[i];
    // A segment starts right after the revisions of the one before: a later start means one is missing.
    if (cursor.rev !== undefined && seg.start > cursor.rev + 1) {
      throw damaged(dir, seg.file, 0, `the log goes from revision ${cursor.rev} to a segment that starts at revision ${seg.start}`);
    }
    const buf = await fsp.readFile(join(dir, seg.file));
    torn = parseSegment(dir, seg, buf, i === replay.length - 1, cursor, records);
  }
  // An empty folder is a fresh store, whose revision is 1 (etcd's, and MemoryStore's, first).
  const revision = cursor.rev ?? (snapshot ? base : 1);
  // A snapshot newer than what the log reaches: segments are missing.
  const newest = snapshots[0];
  if (newest && newest.revision > revision) {
    throw damaged(dir, newest.file, 0, `the log after the usable snapshot ends at revision ${revision}, before this snapshot's ${newest.revision}: log segments are missing`);
  }
  return { snapshot, snapshotFile, snapshotBytes, snapshots, records, segments: replay, olderSegments: older, torn, revision, temporary, warnings };
}

// ---------------------------------------------------------------------------------------------
// The lock

/** Whether a process with this pid runs (a zombie counts: its parent has not reaped it yet). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

/** Linux: the boot's id, so that a LOCK from before a reboot is known to be stale. */
async function bootId(): Promise<string | undefined> {
  return (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => undefined))?.trim() || undefined;
}

/** Linux: when a process started (clock ticks since boot), so that a reused pid is not taken for the owner. */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // Fields after the command name, which is in parentheses: field 3 (state) onwards; starttime is field 22.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** The LOCK's content: the pid on the first line, then (on Linux) what tells a reused pid apart. */
async function lockText(): Promise<string> {
  const [boot, start] = await Promise.all([bootId(), startTime(process.pid)]);
  return `${process.pid}\n${boot && start ? `boot ${boot} start ${start}\n` : ''}`;
}

/** The pid of the process that holds a LOCK with this content, or undefined if that process is gone. */
async function lockHolder(text: string): Promise<number | undefined> {
  const [first, second = ''] = text.split('\n');
  const pid = Number.parseInt(first, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  const m = /^boot (\S+) start (\S+)$/.exec(second);
  if (m) {
    const boot = await bootId();
    if (boot && boot !== m[1]) return undefined; // written before a reboot
    const start = await startTime(pid);
    if (boot && start && start !== m[2]) return undefined; // the pid now belongs to another process
  }
  return pid;
}

async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const lock = join(dir, 'LOCK');
  const tmp = join(dir, `LOCK.${process.pid}`);
  await fsp.writeFile(tmp, await lockText());
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        // link() either makes LOCK, whole, or fails because it exists: no half-written lock.
        await fsp.link(tmp, lock);
        break;
      } catch (e) {
        if (errCode(e) !== 'EEXIST' || attempt >= 5) throw e;
      }
      const pid = await lockHolder(await fsp.readFile(lock, 'utf8').catch(() => ''));
      if (pid !== undefined) {
        throw new StoreError('Unavailable', `state folder ${dir} is in use by process ${pid}`);
      }
      // Left by a process that is gone: take it over.
      await fsp.unlink(lock).catch((e) => {
        if (errCode(e) !== 'ENOENT') throw e;
      });
    }
  } finally {
    await fsp.unlink(tmp).catch(() => undefined);
  }
  let held = true;
  return async () => {
    if (!held) return;
    held = false;
    const text = await fsp.readFile(lock, 'utf8').catch(() => '');
    if (Number.parseInt(text, 10) === process.pid) await fsp.unlink(lock).catch(() => undefined);
  };
}

// ---------------------------------------------------------------------------------------------
// The journal

interface Batch {
  bufs: Buffer[];
  bytes: number;
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a batch nobody waits for must not be an unhandled rejection
  return { bufs: [], bytes: 0, promise, resolve, reject };
}

export interface JournalStats {
  /** Records appended. */
  records: number;
  /** Batches written (one write and one fsync each). */
  batches: number;
  /** Bytes written to the log. */
  bytes: number;
  /** Largest batch, in records. */
  largestBatch: number;
  /** Snapshots written. */
  snapshots: number;
}

export interface FileJournalOptions {
  snapshotEvery: number;
  fs: DurableFs;
  /** The revision of the newest snapshot in the folder and its size. */
  snapshotRevision: number;
  snapshotBytes: number;
  /** The snapshot to keep as a fallback when the next one is written (the one loaded). */
  fallback?: { file: string; revision: number };
  /** Records already in the log after the snapshot, and their bytes. */
  logRecords: number;
  logBytes: number;
  /** A background failure (a snapshot that could not be written); the log goes on. */
  onWarning?: (message: string) => void;
  /** The log could not be written: every write from now on fails. */
  onFailure?: (err: StoreError) => void;
}

/**
 * The log of a durable store: appends records, commits them in groups (one write and one fsync
 * per batch), and writes snapshots.
 */
export class FileJournal implements Journal {
  readonly stats: JournalStats = { records: 0, batches: 0, bytes: 0, largestBatch: 0, snapshots: 0 };
  private next = newBatch();
  private inflight: Batch | undefined;
  private scheduled = false;
  private failed: Error | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private seg: { fh: FileHandle; file: string; start: number } | undefined;
  private source: (() => StoreSnapshot) | undefined;
  private snapshotting: Promise<void> | undefined;
  private lastSnapshotRev: number;
  private lastSnapshotBytes: number;
  private sinceSnapshot: number;
  private bytesSinceSnapshot: number;
  private fallback: { file: string; revision: number } | undefined;

  constructor(
    readonly dir: string,
    private readonly opts: FileJournalOptions,
  ) {
    this.lastSnapshotRev = opts.snapshotRevision;
    this.lastSnapshotBytes = opts.snapshotBytes;
    this.sinceSnapshot = opts.logRecords;
    this.bytesSinceSnapshot = opts.logBytes;
    this.fallback = opts.fallback;
  }

  /** Opens the segment to append to (created, with an fsync of the folder, if new). */
  async start(segment: { file: string; start: number; exists: boolean }): Promise<void> {
    const path = join(this.dir, segment.file);
    const fh = await this.opts.fs.open(path, segment.exists ? 'a' : 'wx');
    if (!segment.exists) await fsyncDir(this.opts.fs, this.dir);
    this.seg = { fh, file: segment.file, start: segment.start };
    this.kick();
  }

  /** Where the journal takes its snapshots from (the store it journals for). */
  setSnapshotSource(source: () => StoreSnapshot): void {
    this.source = source;
  }

  append(record: JournalRecord): void {
    // After a failure the record is dropped: sync() rejects, so the write is never acknowledged.
    if (this.failed) return;
    if (this.closed) throw new StoreError('Unavailable', `state folder ${this.dir} is closed`);
    const buf = encodeRecord(record);
    this.next.bufs.push(buf);
    this.next.bytes += buf.length;
    this.stats.records++;
    this.sinceSnapshot++;
    this.kick();
  }

  /** Whether records are waiting to be written or being written. */
  get busy(): boolean {
    return !this.failed && (this.next.bufs.length > 0 || !!this.inflight);
  }

  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.next.bufs.length > 0) return this.next.promise;
    if (this.inflight) return this.inflight.promise;
    return Promise.resolve();
  }

  /**
   * Starts the next batch after the current I/O. setImmediate, not a microtask: the writers whose
   * writes were just acknowledged get to issue their next ones (through HTTP handlers, too) and
   * join this batch.
   */
  private kick(): void {
    if (this.scheduled || this.inflight || !this.seg || this.failed || this.next.bufs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private snapshotDue(): boolean {
    return (
      !!this.source &&
      !this.snapshotting &&
      this.sinceSnapshot >= this.opts.snapshotEvery &&
      this.bytesSinceSnapshot >= this.lastSnapshotBytes / 2
    );
  }

  private async flush(): Promise<void> {
    if (this.inflight || this.failed || this.next.bufs.length === 0) return;
    const batch = this.next;
    this.next = newBatch();
    this.inflight = batch;
    // Every record appended so far is in the store's memory and in this batch or an earlier one:
    // a snapshot taken now is exactly the log up to the end of this batch.
    let snap: StoreSnapshot | undefined;
    if (this.snapshotDue()) {
      snap = this.source!();
      if (snap.revision <= this.lastSnapshotRev) snap = undefined; // nothing new to name it by
    }
    const seg = this.seg!;
    try {
      await writeAll(seg.fh, batch.bufs.length === 1 ? batch.bufs[0] : Buffer.concat(batch.bufs, batch.bytes));
      await seg.fh.datasync();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.stats.batches++;
    this.stats.bytes += batch.bytes;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.bufs.length);
    this.bytesSinceSnapshot += batch.bytes;
    batch.resolve();
    if (snap) {
      // The next batch goes to a new segment, named after the first revision it can hold.
      try {
        const file = segmentName(snap.revision + 1);
        const fh = await this.opts.fs.open(join(this.dir, file), 'wx');
        await fsyncDir(this.opts.fs, this.dir);
        await seg.fh.close();
        this.seg = { fh, file, start: snap.revision + 1 };
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      this.lastSnapshotRev = snap.revision;
      this.sinceSnapshot = 0;
      this.bytesSinceSnapshot = 0;
      this.snapshotting = this.writeSnapshot(snap)
        .catch((e) => this.opts.onWarning?.(`could not write a snapshot in ${this.dir}: ${(e as Error).message}; the log keeps everything`))
        .finally(() => (this.snapshotting = undefined));
    }
    this.inflight = undefined;
    this.kick();
  }

  /** Fails every pending and future write (start-up gave up). */
  abort(reason: string): void {
    if (!this.failed) this.fail(new Error(reason), false);
  }

  private fail(e: Error, notify = true): void {
    const err = new StoreError('Unavailable', `state folder ${this.dir}: could not write the log: ${e.message}`);
    const first = !this.failed;
    this.failed = err;
    if (first && notify) this.opts.onFailure?.(err);
    this.inflight?.reject(err);
    this.next.reject(err);
    this.inflight = undefined;
  }

  /** Writes snap as snapshot-<revision>.jsonl (temp file, fsync, rename, fsync of the folder), then drops what it makes obsolete. */
  private async writeSnapshot(snap: StoreSnapshot): Promise<void> {
    const file = snapshotName(snap.revision);
    const tmp = join(this.dir, `${file}.tmp`);
    const fh = await this.opts.fs.open(tmp, 'w');
    let crc = 0;
    let size = 0;
    try {
      let chunk: string[] = [];
      let chunkLen = 0;
      const put = async (force: boolean) => {
        if (chunk.length === 0 || (!force && chunkLen < 1 << 20)) return;
        const buf = Buffer.from(chunk.join(''));
        chunk = [];
        chunkLen = 0;
        crc = crc32(buf, crc);
        size += buf.length;
        await writeAll(fh, buf);
      };
      const line = async (v: unknown) => {
        const s = JSON.stringify(v) + '\n';
        chunk.push(s);
        chunkLen += s.length;
        await put(false);
      };
      await line({ kind: SNAPSHOT_KIND, version: 1, revision: snap.revision, compacted: snap.compacted, count: snap.kvs.length, leases: snap.leases });
      for (const kv of snap.kvs) await line(kv);
      await put(true);
      const end = Buffer.from(JSON.stringify({ end: true, count: snap.kvs.length, crc32: crc }) + '\n');
      size += end.length;
      await writeAll(fh, end);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, join(this.dir, file));
    await fsyncDir(this.opts.fs, this.dir);
    this.stats.snapshots++;
    this.lastSnapshotBytes = size;
    // Keep this snapshot and the one before it, with the log after that one.
    const keep = this.fallback;
    this.fallback = { file, revision: snap.revision };
    const cutoff = keep?.revision ?? snap.revision;
    for (const name of await fsp.readdir(this.dir)) {
      let m: RegExpExecArray | null;
      if ((m = SNAPSHOT_RE.exec(name)) && name !== file && name !== keep?.file) await fsp.unlink(join(this.dir, name));
      else if ((m = SEGMENT_RE.exec(name)) && Number(m[1]) <= cutoff && name !== this.seg?.file) await fsp.unlink(join(this.dir, name));
    }
  }

  /** Resolves when every record appended so far is durable (or the log failed). */
  private async drain(): Promise<void> {
    while (!this.failed && (this.inflight || this.next.bufs.length > 0)) {
      await (this.next.bufs.length > 0 ? this.next.promise : this.inflight!.promise).catch(() => undefined);
    }
  }

  /** Flushes, waits for a snapshot being written, writes a final one when the log is worth it, closes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.drain();
      this.closed = true;
      while (this.snapshotting) await this.snapshotting;
      try {
        const worth = this.lastSnapshotBytes === 0 || this.bytesSinceSnapshot >= this.lastSnapshotBytes / 8;
        if (!this.failed && this.source && this.sinceSnapshot > 0 && worth) {
          const snap = this.source();
          if (snap.revision > this.lastSnapshotRev) {
            this.lastSnapshotRev = snap.revision;
            await this.writeSnapshot(snap);
          }
        }
      } finally {
        await this.seg?.fh.close();
        this.seg = undefined;
      }
      if (this.failed) throw this.failed;
    })();
    return this.closing;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening a folder

export interface DurableOptions {
  clock: Clock;
  /** A snapshot after this many log records (default 10,000), once the log is half the last snapshot's size. */
  snapshotEvery?: number;
  /** The store's history window (MemoryStore's historyLimit). */
  historyLimit?: number;
  /** File operations (tests wrap them to count fsyncs). */
  fs?: DurableFs;
  /** Called with what start-up worked around and with background failures. */
  onWarning?: (message: string) => void;
  /**
   * Called once if the log can not be written (a failed write or fsync: the disk is full or
   * failing). Every write fails from then on; the CLI should say so and exit, as etcd does.
   */
  onFailure?: (err: StoreError) => void;
}

export interface DurableStore {
  store: MemoryStore;
  journal: FileJournal;
  /** What start-up found and repaired or worked around (a torn tail cut off, a damaged snapshot skipped). */
  warnings: string[];
  /** Closes the store and the log (with a final snapshot) and releases the folder. */
  close(): Promise<void>;
}

/**
 * The state a folder holds, as a store without a journal, read without the lock and without
 * changing any file: for `state export` while a server may be running on the folder (it sees every
 * write that server acknowledged before the read). Writes to the returned store are not kept.
 */
export async function openReadOnly(dirIn: string, opts: { clock: Clock }): Promise<MemoryStore> {
  const dir = resolve(dirIn);
  const st = await fsp.stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new StoreError('Unavailable', `state folder ${dir} does not exist`);
  for (let attempt = 0; ; attempt++) {
    try {
      const state = await readState(dir);
      return MemoryStore.restore(state.snapshot, state.records, { clock: opts.clock });
    } catch (e) {
      // A running server deleted a file between the listing and the read (after a snapshot): read again.
      if (errCode(e) !== 'ENOENT' || attempt >= 5) throw e;
    }
  }
}

async function prepareDir(dir: string): Promise<void> {
  const st = await fsp.stat(dir).catch((e) => {
    if (errCode(e) !== 'ENOENT') throw new StoreError('Unavailable', `state folder ${dir} cannot be created, read or written`);
    return undefined;
  });
  if (st && !st.isDirectory()) throw new StoreError('Unavailable', `state folder ${dir} is not a folder`);
  if (!st) {
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch {
      throw new StoreError('Unavailable', `state folder ${dir} cannot be created, read or written`);
    }
  }
  try {
    await fsp.access(dir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch {
    throw new StoreError('Unavailable', `state folder ${dir} cannot be created, read or written`);
  }
}

/**
 * Opens (or creates) a state folder: locks it, loads the newest valid snapshot, replays the log after
 * it, and returns a MemoryStore whose writes are durable before they are acknowledged.
 */
export async function openDurable(dirIn: string, opts: DurableOptions): Promise<DurableStore> {
  const dir = resolve(dirIn);
  const fs = opts.fs ?? nodeFs;
  await prepareDir(dir);
  let release: () => Promise<void>;
  try {
    release = await acquireLock(dir);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError('Unavailable', `state folder ${dir} cannot be locked: ${(e as Error).message}`);
  }
  let store: MemoryStore | undefined;
  let journal: FileJournal | undefined;
  try {
    const state = await readState(dir);
    const warnings = [...state.warnings];
    const logBytes = state.segments.reduce((n, s) => n + s.size, 0);
    journal = new FileJournal(dir, {
      snapshotEvery: opts.snapshotEvery ?? 10_000,
      fs,
      snapshotRevision: state.snapshot?.revision ?? 0,
      snapshotBytes: state.snapshotBytes,
      fallback: state.snapshotFile ? { file: state.snapshotFile, revision: state.snapshot!.revision } : undefined,
      logRecords: state.records.length,
      logBytes,
      onWarning: opts.onWarning,
      onFailure: opts.onFailure,
    });
    try {
      store = MemoryStore.restore(state.snapshot, state.records, { clock: opts.clock, journal, historyLimit: opts.historyLimit });
    } catch (e) {
      const last = state.segments[state.segments.length - 1];
      throw new StoreError('Corrupt', `state folder ${dir} is damaged: ${last?.file ?? state.snapshotFile ?? dir}: ${(e as Error).message}; nothing was changed`);
    }
    // Everything checks out: now the folder may change.
    const lastSeg = state.segments[state.segments.length - 1];
    if (state.torn) {
      const fh = await fs.open(join(dir, state.torn.file), 'r+');
      try {
        await fh.truncate(state.torn.offset);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      warnings.push(`${state.torn.file}: cut off an incomplete record at offset ${state.torn.offset} (${state.torn.reason}), the end of a write that was never acknowledged`);
    }
    for (const t of state.temporary) await fsp.unlink(join(dir, t)).catch(() => undefined);
    const base = state.snapshot?.revision ?? 0;
    await journal.start(lastSeg ? { file: lastSeg.file, start: lastSeg.start, exists: true } : { file: segmentName(base + 1), start: base + 1, exists: false });
    const s = store;
    journal.setSnapshotSource(() => s.snapshot());
    const j0 = journal;
    // A fast-forward waits at each instant for the writes in flight (clock.ts addBarrier).
    const removeBarrier = opts.clock.addBarrier?.(() => (j0.busy ? j0.sync().catch(() => undefined) : undefined));
    for (const w of warnings) opts.onWarning?.(w);
    const j = journal;
    let closing: Promise<void> | undefined;
    return {
      store,
      journal,
      warnings,
      close: () =>
        (closing ??= (async () => {
          removeBarrier?.();
          try {
            await s.close();
          } finally {
            try {
              await j.close();
            } finally {
              await release();
            }
          }
        })()),
    };
  } catch (e) {
    journal?.abort('start-up failed');
    await store?.close().catch(() => undefined);
    await journal?.close().catch(() => undefined);
    await release();
    throw e;
  }
}

