// The contracts between the parts of an emulated node (issue 5): the kubelet runs containers as
// emulated processes (programs of the image catalogue or the small shell) over an in-memory file
// system made of the pod's volumes, and reaches other pods and Services through the emulated
// network (kube-proxy and cluster DNS). Each part codes against these types, so that the kubelet,
// the shell, the volumes, the network and the streaming endpoints (exec, attach, port-forward) can
// be built and tested apart. Everything that takes time goes through the emulator's clock.

import type { Clock } from '../clock.ts';

// ---- files ----

/** A file system error, with the errno code a shell prints (`cat: /x: No such file or directory`). */
export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'EROFS' | 'ENOTEMPTY' | 'EBUSY' | 'EINVAL',
    message: string,
  ) {
    // An emulated file system's answer (ENOENT for a program's `cat`), not a bug: no stack trace,
    // which would cost more than the lookup that failed.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export interface FileStat {
  kind: 'file' | 'dir';
  size: number;
  /** Emulated time of the last change, ms. */
  mtime: number;
  mode: number;
}

/** A directory tree. Paths are absolute POSIX paths within it ("/", "/data/x"). */
export interface FileSystem {
  stat(path: string): FileStat | undefined;
  read(path: string): Buffer;
  write(path: string, data: Buffer | string, opts?: { append?: boolean; mode?: number }): void;
  mkdir(path: string, opts?: { recursive?: boolean }): void;
  list(path: string): string[];
  remove(path: string, opts?: { recursive?: boolean }): void;
  readonly readOnly?: boolean;
}

// ---- network ----

export interface HttpRequest {
  method: string;
  /** Path and query, e.g. "/index.html?x=1". */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The caller's IP (a pod IP, a node IP, or 127.0.0.1 for the host through port-forward). */
  remoteIP: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse>;

/** A TCP-level handler for what is not HTTP (port-forward carries raw bytes). */
export interface StreamHandler {
  (conn: { remoteIP: string; write(data: Buffer): void; end(): void; onData(cb: (data: Buffer) => void): void; onEnd(cb: () => void): void }): void;
}

/** Why a connection fails, as wget and curl report it. */
export class NetError extends Error {
  constructor(
    readonly code: 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ENOTFOUND' | 'ETIMEDOUT',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The cluster network as pods see it: servers listen on a pod IP and port; clients connect by IP
 * or DNS name (`web`, `web.default`, `web.default.svc.cluster.local`, pod A records), Service IPs
 * and node ports spread over ready endpoints (kube-proxy), with session affinity when asked.
 */
export interface Network {
  listen(ip: string, port: number, handler: HttpHandler): () => void;
  /** A request from `from` (a pod IP and its namespace, for DNS search) to `url`. */
  request(from: { ip: string; namespace: string }, url: string, init?: { method?: string; headers?: Record<string, string>; body?: Buffer }): Promise<HttpResponse>;
  /** Cluster DNS: an A record for the name as looked up from `namespace`, or undefined. */
  resolve(name: string, namespace: string): string | undefined;
  /**
   * Cluster DNS's whole answer (nslookup): the name that answered after the search list, an
   * ExternalName's CNAME, and every A record (a headless Service has one per ready endpoint, with
   * the name its PTR record gives it in ptrs).
   */
  lookup?(name: string, namespace: string): { name: string; cname?: string; addresses: string[]; ptrs?: string[] } | undefined;
}

// ---- processes ----

/** What a running emulated process sees. */
export interface ProcessContext {
  argv: string[];
  env: Record<string, string>;
  /** The container's file system (its image's files and the pod's mounted volumes). */
  fs: FileSystem;
  net: Network;
  clock: Clock;
  /** Pod and container identity (hostname is the pod name). */
  pod: { name: string; namespace: string; ip: string; uid: string };
  container: string;
  stdin?: AsyncIterable<Buffer>;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Resolves when the kubelet (or exec's caller) signals the process: SIGTERM, then SIGKILL. */
  signal: Promise<'SIGTERM' | 'SIGKILL'>;
  /**
   * Resolves on the SIGKILL that follows a SIGTERM the process survived (optional). With it, a
   * shell that is the container's PID 1 ignores SIGTERM as the kernel does for PID 1 without a
   * handler (busybox `sleep 3600` waits out the grace period); without it, SIGTERM ends the shell.
   */
  killed?: Promise<void>;
  /** A terminal was asked for (`kubectl exec -it`): the shell prints a prompt. */
  tty?: boolean;
  /**
   * The container's main process (PID 1), for a process exec'd beside it: its command line (`ps`)
   * and its signals (`kill 1`: SIGTERM reaches it; the kernel keeps a PID namespace's init from
   * SIGKILL sent inside the namespace). Absent for the main process itself.
   */
  main?: { argv: string[]; signal(sig: 'SIGTERM'): void };
}

/** A program of the image catalogue or the shell: resolves with the exit code. */
export type Program = (ctx: ProcessContext) => Promise<number>;
