// A SPDY/3.1 server session, as much of it as kubectl's port-forward (and exec's SPDY fallback)
// uses: streams the client opens with SYN_STREAM and named by their headers, answered with an
// empty SYN_REPLY; data frames each way with FIN half-closes; RST_STREAM; PING echoed; GOAWAY.
// kubectl 1.32 speaks it tunneled in WebSocket binary messages (subprotocol
// `SPDY/3.1+portforward.k8s.io`, client-go tools/portforward/tunneling_dialer.go) or, when that
// upgrade is refused, on the raw connection after an `Upgrade: SPDY/3.1` (httpstream/spdy).
// Framing as in the SPDY/3 draft (moby/spdystream, which client-go uses): control frames
// `1|version(15)|type(16)|flags(8)|length(24)`, data frames `0|stream-id(31)|flags(8)|length(24)`.
//
// Header blocks are one zlib stream per direction. Incoming blocks are inflated with the SPDY/3
// dictionary; outgoing blocks are written as uncompressed (stored) deflate blocks, which any zlib
// reader accepts without the dictionary, so no compressor state is needed.

import zlib from 'node:zlib';

const CONTROL_SYN_STREAM = 1;
const CONTROL_SYN_REPLY = 2;
const CONTROL_RST_STREAM = 3;
const CONTROL_SETTINGS = 4;
const CONTROL_PING = 6;
const CONTROL_GOAWAY = 7;
const CONTROL_HEADERS = 8;
const CONTROL_WINDOW_UPDATE = 9;
const FLAG_FIN = 0x01;
const SPDY_VERSION = 3;
/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const RST_CANCEL = 5;
const RST_PROTOCOL_ERROR = 1;
const MAX_DATA = 32 * 1024;

/** The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1). */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive',
    'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
    '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
    'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const w of words) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    parts.push(len, Buffer.from(w, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

/** One stream of a session, opened by the client. Header names are lower case. */
export class SpdyStream {
  private dataCbs: ((d: Buffer) => void)[] = [];
  private endCbs: (() => void)[] = [];
  private pending: Buffer[] = [];
  remoteEnded = false;
  localEnded = false;
  reset = false;

  constructor(
    private readonly session: SpdyServerSession,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {}

  /** Data from the client; buffered until the first listener. */
  onData(cb: (d: Buffer) => void): void {
    this.dataCbs.push(cb);
    for (const d of this.pending.splice(0)) cb(d);
  }

  /** The client half-closed (FIN) or reset the stream, or the session ended. */
  onEnd(cb: () => void): void {
    if (this.remoteEnded) cb();
    else this.endCbs.push(cb);
  }

  write(data: Buffer | string): void {
    if (this.localEnded || this.reset) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let i = 0; i < buf.length; i += MAX_DATA) this.session.sendData(this.id, buf.subarray(i, i + MAX_DATA), false);
  }

  /** Half-closes our side (a data frame with FIN). */
  end(): void {
    if (this.localEnded || this.reset) return;
    this.localEnded = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
    this.session.maybeForget(this);
  }

  /** Aborts the stream (RST_STREAM CANCEL). */
  abort(): void {
    if (this.reset) return;
    this.reset = true;
    this.session.sendRst(this.id, RST_CANCEL);
    this.remoteClosed();
  }

  /** @internal */
  deliver(d: Buffer): void {
    if (this.remoteEnded) return;
    if (this.dataCbs.length === 0) this.pending.push(d);
    for (const cb of this.dataCbs) cb(d);
  }

  /** @internal */
  remoteClosed(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    for (const cb of this.endCbs.splice(0)) cb();
    this.session.maybeForget(this);
  }
}

/**
 * The server side of a SPDY/3.1 connection over any byte transport: `feed` it what arrives, it
 * calls `write` with what to send and `onStream` for each stream the client opens.
 */
export class SpdyServerSession {
  private buf: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: zlib.Inflate;
  private sentHeaderBlock = false;
  private chain: Promise<void> = Promise.resolve();
  closed = false;
  private readonly closeCbs: (() => void)[] = [];

  constructor(
    private readonly out: { write(b: Buffer): void; close(): void },
    private readonly onStream: (s: SpdyStream) => void,
  ) {
    this.inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
    this.inflate.on('error', () => this.close());
  }

  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.closeCbs.push(cb);
  }

  /** Bytes from the transport. Frames are handled in order (header blocks inflate asynchronously). */
  feed(data: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, data]) : data;
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.chain = this.chain.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  /** The transport ended: every stream ends. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.remoteClosed();
    this.streams.clear();
    this.inflate.close();
    try {
      this.out.close();
    } catch {
      /* already gone */
    }
    for (const cb of this.closeCbs.splice(0)) cb();
  }

  /** Says GOAWAY, then closes. */
  goAway(): void {
    if (this.closed) return;
    const p = Buffer.alloc(8);
    p.writeUInt32BE(0, 0);
    this.control(CONTROL_GOAWAY, 0, p);
    this.close();
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    if ((frame[0] & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const s = this.streams.get(id);
      if (!s) return;
      const payload = frame.subarray(8);
      if (payload.length) s.deliver(Buffer.from(payload));
      if (flags & FLAG_FIN) s.remoteClosed();
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    const type = frame.readUInt16BE(2);
    const p = frame.subarray(8);
    if (version !== SPDY_VERSION) return this.goAway();
    switch (type) {
      case CONTROL_SYN_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.inflateBlock(p.subarray(10)));
        if (this.streams.has(id)) return this.sendRst(id, RST_PROTOCOL_ERROR);
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        // An empty reply accepts it (httpstream/spdy's newStreamHandler replies before use).
        this.control(CONTROL_SYN_REPLY, 0, Buffer.concat([u32(id), this.headerBlock({})]));
        if (flags & FLAG_FIN) s.remoteClosed();
        this.onStream(s);
        return;
      }
      case CONTROL_RST_STREAM: {
        const s = this.streams.get(p.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          s.reset = true;
          s.localEnded = true;
          s.remoteClosed();
        }
        return;
      }
      case CONTROL_HEADERS:
        await this.inflateBlock(p.subarray(4));
        return;
      case CONTROL_PING:
        this.control(CONTROL_PING, 0, Buffer.from(p.subarray(0, 4)));
        return;
      case CONTROL_GOAWAY:
        this.close();
        return;
      case CONTROL_SETTINGS:
      case CONTROL_WINDOW_UPDATE:
      default:
        return;
    }
  }

  private inflateBlock(block: Buffer): Promise<Buffer> {
    if (block.length === 0) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer) => chunks.push(c);
      const onError = (e: Error) => {
        this.inflate.off('data', onData);
        reject(e);
      };
      this.inflate.on('data', onData);
      this.inflate.once('error', onError);
      this.inflate.write(block);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.inflate.off('data', onData);
        this.inflate.off('error', onError);
        resolve(Buffer.concat(chunks));
      });
    });
  }

  /** A header block as one stored (uncompressed) deflate block of the session's zlib stream. */
  private headerBlock(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) {
      const kb = Buffer.from(k.toLowerCase());
      const vb = Buffer.from(v);
      parts.push(u32(kb.length), kb, u32(vb.length), vb);
    }
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored[0] = 0x00; // BFINAL 0, BTYPE 00 (stored)
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const head = this.sentHeaderBlock ? [] : [Buffer.from([0x78, 0x01])];
    this.sentHeaderBlock = true;
    // An empty stored block after it, as a sync flush ends: Go's flate hands out a stored block's
    // bytes only once it has read the next block's header (compress/flate copyData, finishBlock).
    return Buffer.concat([...head, stored, raw, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
  }

  private control(type: number, flags: number, payload: Buffer): void {
    if (this.closed) return;
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE(payload.length, 4);
    h[4] = flags;
    this.out.write(Buffer.concat([h, payload]));
  }

  /** @internal */
  sendData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed) return;
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id & 0x7fffffff, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = fin ? FLAG_FIN : 0;
    this.out.write(data.length ? Buffer.concat([h, data]) : h);
  }

  /** @internal */
  sendRst(id: number, status: number): void {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(id & 0x7fffffff, 0);
    p.writeUInt32BE(status, 4);
    this.control(CONTROL_RST_STREAM, 0, p);
  }

  /** @internal */
  maybeForget(s: SpdyStream): void {
    if ((s.localEnded && s.remoteEnded) || s.reset) this.streams.delete(s.id);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function parseHeaderBlock(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  if (b.length < 4) return out;
  const n = b.readUInt32BE(0);
  let o = 4;
  for (let i = 0; i < n && o + 4 <= b.length; i++) {
    const kl = b.readUInt32BE(o);
    const k = b.subarray(o + 4, o + 4 + kl).toString('utf8');
    o += 4 + kl;
    const vl = b.readUInt32BE(o);
    const v = b.subarray(o + 4, o + 4 + vl).toString('utf8');
    o += 4 + vl;
    // Several values are NUL-separated; the streams kubectl opens carry one each.
    out[k.toLowerCase()] = v.split('\0')[0];
  }
  return out;
}
