// The pod's end of a forwarded TCP connection (kubectl port-forward) when what listens in the pod
// is an emulated HTTP server: the bytes the host sends are parsed as HTTP/1.1 requests (keep-alive,
// Content-Length or chunked bodies, pipelining), each is handed to the pod's handler through the
// cluster network, and the answers go back as HTTP/1.1 bytes, in order.

import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from '../../runtime/contracts.ts';

/** A TCP-like byte connection (the shape of runtime/contracts.ts StreamHandler's conn). */
export interface ByteConn {
  write(data: Buffer): void;
  /** No more bytes from this side (a FIN). */
  end(): void;
  onData(cb: (data: Buffer) => void): void;
  onEnd(cb: () => void): void;
  /** The connection failed as a whole (nothing listens on the port): the runtime's error text. */
  onError?(cb: (message: string) => void): void;
}

const MAX_HEAD = 64 * 1024;

/**
 * Serves HTTP/1.1 over a byte connection with `send` answering each request. When `send` rejects
 * with an error marked `refused` (nothing listens), the connection fails as a TCP connect would:
 * onError gets the message and the connection ends without an answer.
 */
export function httpRelay(send: (req: HttpRequest) => Promise<HttpResponse>, remoteIP = '127.0.0.1'): ByteConn {
  let buf: Buffer = Buffer.alloc(0);
  let inputEnded = false;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let pendingRequests = 0;
  const dataCbs: ((d: Buffer) => void)[] = [];
  const endCbs: (() => void)[] = [];
  const errorCbs: ((m: string) => void)[] = [];
  const early: Buffer[] = [];
  const emit = (d: Buffer) => {
    if (closed) return;
    if (dataCbs.length === 0) early.push(d);
    for (const cb of dataCbs) cb(d);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const cb of endCbs.splice(0)) cb();
  };
  const maybeFinish = () => {
    if (inputEnded && pendingRequests === 0) finish();
  };

  const respond = (res: HttpResponse, head: boolean, close: boolean) => {
    const lines = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? 'Unknown'}`];
    for (const [k, v] of Object.entries(res.headers)) {
      if (/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(k)) continue;
      lines.push(`${k}: ${v}`);
    }
    lines.push(`Content-Length: ${res.body.length}`);
    if (close) lines.push('Connection: close');
    emit(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), head ? Buffer.alloc(0) : res.body]));
  };

  const parse = () => {
    while (!closed) {
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        if (buf.length > MAX_HEAD) fail(431);
        return;
      }
      const head = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
      const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(head[0]);
      if (!m) return fail(400);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) return fail(400);
        const k = line.slice(0, i).trim().toLowerCase();
        const v = line.slice(i + 1).trim();
        headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
      }
      let rest = buf.subarray(headEnd + 4);
      let body: Buffer;
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
        const decoded = dechunk(rest);
        if (decoded === 'bad') return fail(400);
        if (!decoded) return;
        body = decoded.body;
        rest = rest.subarray(decoded.used);
        delete headers['transfer-encoding'];
      } else {
        const len = headers['content-length'] !== undefined ? Number(headers['content-length']) : 0;
        if (!Number.isInteger(len) || len < 0) return fail(400);
        if (rest.length < len) return;
        body = Buffer.from(rest.subarray(0, len));
        rest = rest.subarray(len);
      }
      buf = rest;
      const connection = (headers.connection ?? '').toLowerCase();
      const close = connection.includes('close') || (m[3] === '0' && !connection.includes('keep-alive'));
      const req: HttpRequest = { method: m[1], path: m[2], headers, body, remoteIP };
      pendingRequests++;
      const answer = send(req).catch((e): HttpResponse | Error => {
        if ((e as { refused?: boolean }).refused) return e as Error;
        return { status: 502, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from(`${e instanceof Error ? e.message : String(e)}\n`) };
      });
      queue = queue.then(async () => {
        const res = await answer;
        pendingRequests--;
        if (res instanceof Error) {
          for (const cb of errorCbs) cb(res.message);
          inputEnded = true;
          finish();
          return;
        }
        respond(res, req.method === 'HEAD', close);
        if (close) finish();
        else maybeFinish();
      });
      if (close) {
        buf = Buffer.alloc(0);
        inputEnded = true;
        return;
      }
    }
  };

  const fail = (status: number) => {
    queue = queue.then(() => {
      respond({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from(`${status} ${STATUS_CODES[status]}`) }, false, true);
      finish();
    });
    inputEnded = true;
    buf = Buffer.alloc(0);
  };

  return {
    write(data) {
      if (closed || inputEnded) return;
      buf = buf.length ? Buffer.concat([buf, data]) : Buffer.from(data);
      parse();
    },
    end() {
      if (inputEnded) return;
      inputEnded = true;
      void queue.then(maybeFinish);
    },
    onData(cb) {
      dataCbs.push(cb);
      for (const d of early.splice(0)) cb(d);
    },
    onEnd(cb) {
      if (closed) cb();
      else endCbs.push(cb);
    },
    onError(cb) {
      errorCbs.push(cb);
    },
  };
}

/** Decodes a chunked body: undefined while incomplete, 'bad' when malformed. */
function dechunk(b: Buffer): { body: Buffer; used: number } | undefined | 'bad' {
  const parts: Buffer[] = [];
  let o = 0;
  for (;;) {
    const nl = b.indexOf('\r\n', o);
    if (nl < 0) return undefined;
    const size = parseInt(b.subarray(o, nl).toString('latin1').split(';')[0].trim(), 16);
    if (!Number.isFinite(size) || size < 0) return 'bad';
    o = nl + 2;
    if (size === 0) {
      // Trailers end with an empty line.
      const end = b.indexOf('\r\n\r\n', o - 2);
      if (end < 0) return undefined;
      return { body: Buffer.concat(parts), used: end + 4 };
    }
    if (b.length < o + size + 2) return undefined;
    parts.push(Buffer.from(b.subarray(o, o + size)));
    o += size + 2;
  }
}
