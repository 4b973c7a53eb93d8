// The streaming subresources of pods: exec, attach and portforward, as kubectl 1.32 and
// client-node reach them through the apiserver (HTTP upgrades on the API's own port, bearer token
// as for every request).
//
// - exec/attach over WebSocket (k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go, the
//   kubelet's pkg/kubelet/cri/streaming/remotecommand/websocket.go): subprotocols
//   v5.channel.k8s.io (kubectl 1.32's first choice: channel 255 half-closes stdin),
//   v4.channel.k8s.io (client-node), their base64 forms and channel.k8s.io. Each message is a
//   channel byte and data: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status on v4/v5), 4
//   resize ({"Width","Height"}).
// - exec/attach over SPDY/3.1 (the fallback kubectl takes when the WebSocket upgrade is refused,
//   and older clients' only way): one stream per channel, named by its `streamType` header
//   (pkg/kubelet/cri/streaming/remotecommand/httpstream.go).
// - portforward: SPDY/3.1 tunneled in WebSocket binary messages (subprotocol
//   `SPDY/3.1+portforward.k8s.io`, client-go tools/portforward/tunneling_dialer.go) or on the
//   raw connection; a pair of streams (`streamType` error and data, `port`, `requestID`) per
//   forwarded TCP connection (pkg/kubelet/cri/streaming/portforward/httpstream.go).
//
// Before the upgrade the apiserver checks the pod and the container (pkg/registry/core/pod/
// strategy.go streamLocation: 404, 400 with its messages) and the kubelet whether the pod and the
// container run there (pkg/kubelet/server/server.go getExec: plain-text errors kubectl prints as
// "unable to upgrade connection: ..."). The kubelet's side is the `StreamingBackend`.

import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { APIServer } from '../apiserver.ts';
import { ApiError, badRequest } from '../errors.ts';
import type { Obj } from '../objects.ts';
import { SpdyServerSession, type SpdyStream } from './spdy.ts';
import type { ByteConn } from './http-relay.ts';

export interface TerminalSize {
  width: number;
  height: number;
}

/** What a process started by exec or reached by attach sees of the client. */
export interface ExecIO {
  /** Bytes the client types; ends when it closes stdin. Absent without stdin=true. */
  stdin?: AsyncIterable<Buffer>;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  tty: boolean;
  /** Terminal size changes (kubectl exec -t sends one at the start). */
  onResize(cb: (size: TerminalSize) => void): void;
  /** Resolves when the client hangs up: the process is killed, as the runtime does. */
  signal: Promise<'SIGTERM' | 'SIGKILL'>;
}

/** The kubelet's half of the streaming endpoints. */
export interface StreamingBackend {
  /**
   * What the kubelet answers before it upgrades: undefined when the container runs on its node;
   * otherwise the HTTP code and text (404 "pod does not exist", 500 `container not found ("x")`).
   */
  check(namespace: string, pod: string, container: string | undefined): Promise<{ code: number; message: string } | undefined>;
  /** Runs argv in the container; resolves with its exit code. */
  exec(namespace: string, pod: string, container: string, argv: string[], io: ExecIO): Promise<number>;
  /** Attaches to the container's main process: resolves when it ends or the client goes. */
  attach(namespace: string, pod: string, container: string, io: ExecIO): Promise<number>;
  /**
   * A TCP connection to `port` inside the pod; rejects with the runtime's error text (connection
   * refused) that goes to the client's error stream.
   */
  portForward(namespace: string, pod: string, port: number): Promise<ByteConn>;
}

export type StreamingSubresource = 'exec' | 'attach' | 'portforward';

const WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v4.base64.channel.k8s.io', 'base64.channel.k8s.io', 'channel.k8s.io'];
const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
const PORTFORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];
const TUNNEL_PREFIX = 'SPDY/3.1+';

const CH_STDIN = 0;
const CH_STDOUT = 1;
const CH_STDERR = 2;
const CH_ERROR = 3;
const CH_RESIZE = 4;
const CH_CLOSE = 255;

/** A pushable async queue of byte chunks: stdin. */
class ByteQueue implements AsyncIterable<Buffer> {
  private items: Buffer[] = [];
  private waiters: ((r: IteratorResult<Buffer>) => void)[] = [];
  ended = false;

  push(b: Buffer): void {
    if (this.ended || b.length === 0) return;
    const w = this.waiters.shift();
    if (w) w({ value: b, done: false });
    else this.items.push(b);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => {
        const v = this.items.shift();
        if (v) return Promise.resolve({ value: v, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
    };
  }
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/** Writes an HTTP error answer on a socket that was to be upgraded, and closes it. */
export function refuseUpgrade(socket: Duplex, code: number, body: string, contentType = 'application/json'): void {
  if (socket.destroyed) return;
  const text = Buffer.from(body);
  socket.write(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n`,
  );
  socket.end(text);
}

/** An ApiError as the apiserver answers it (a Status body). */
export function refuseWithStatus(socket: Duplex, err: ApiError): void {
  refuseUpgrade(socket, err.code, JSON.stringify(err.toStatus()));
}

/** The apiserver's container choice (strategy.go validateContainer). */
export function validateContainer(pod: Obj, container: string | undefined): string {
  const spec = pod.spec ?? {};
  const all: string[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c: Obj) => c.name);
  const name = pod.metadata.name;
  if (!container) {
    const containers: Obj[] = spec.containers ?? [];
    if (containers.length === 1) return containers[0].name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

interface ExecParams {
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * Serves an upgrade request for pods/{name}/{exec,attach,portforward}; the caller has checked
 * the token. Errors before the upgrade are answered as Kubernetes does, then the socket closes.
 */
export async function serveStreaming(
  api: APIServer,
  backend: StreamingBackend | undefined,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: { namespace: string; name: string; sub: StreamingSubresource; query: URLSearchParams },
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    return refuseWithStatus(socket, new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  }
  const pod = await api.get(api.resource('pods'), target.namespace, target.name);
  const q = target.query;
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const websocket = upgrade === 'websocket';
  const spdy = upgrade.startsWith('spdy/');
  let params: ExecParams | undefined;
  if (target.sub !== 'portforward') {
    const container = validateContainer(pod, q.get('container') ?? undefined);
    params = {
      container,
      command: q.getAll('command'),
      stdin: isTrue(q.get('stdin')),
      stdout: isTrue(q.get('stdout')),
      stderr: isTrue(q.get('stderr')),
      tty: isTrue(q.get('tty')),
    };
  } else {
    for (const p of q.getAll('ports').flatMap((s) => s.split(','))) {
      const n = Number(p);
      if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw badRequest(`error converting input for query parameter "ports": invalid port "${p}"`);
    }
  }
  if (!pod.spec?.nodeName) throw badRequest(`pod ${target.name} does not have a host assigned`);
  if (!websocket && !spdy) throw badRequest('Upgrade request required');
  if (!backend) throw new ApiError(503, 'ServiceUnavailable', `no kubelet serves node ${pod.spec.nodeName}`);
  if (params) {
    // remotecommand NewOptions (kubelet): at least one stream, and a command for exec.
    if (!params.stdin && !params.stdout && !params.stderr) return refuseUpgrade(socket, 400, 'you must specify at least 1 of stdin, stdout, stderr', 'text/plain; charset=utf-8');
    if (params.tty && params.stderr) params.stderr = false;
    if (target.sub === 'exec' && params.command.length === 0) return refuseUpgrade(socket, 400, 'you must specify at least one command for the container', 'text/plain; charset=utf-8');
    const refused = await backend.check(target.namespace, target.name, params.container);
    if (refused) return refuseUpgrade(socket, refused.code, refused.message, 'text/plain; charset=utf-8');
  } else {
    const refused = await backend.check(target.namespace, target.name, undefined);
    if (refused) return refuseUpgrade(socket, refused.code, refused.message, 'text/plain; charset=utf-8');
  }

  const run = (io: ExecIO) =>
    target.sub === 'exec'
      ? backend.exec(target.namespace, target.name, params!.container, params!.command, io)
      : // kubelet cri/streaming/remotecommand/attach.go ServeAttach: an attach that ends writes
        // Success whatever the process's exit code (kubectl run -i learns it from the pod's status;
        // a failure here made kubectl print "couldn't attach ... falling back to streaming logs").
        backend.attach(target.namespace, target.name, params!.container, io).then(() => 0);
  const describe = `[${params?.command.join(' ') ?? ''}]`;

  if (websocket) {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    let protocol: string | undefined;
    let wsPorts: number[] | undefined;
    if (target.sub === 'portforward') {
      // kubectl 1.32 tunnels SPDY; client-node speaks the kubelet's own WebSocket port-forward
      // (portforward/websocket.go: a data and an error channel per port of `ports`).
      protocol = offered.length === 0 ? '' : offered.find((p) => p === TUNNEL_PREFIX + PORTFORWARD_PROTOCOL || PORTFORWARD_WS_PROTOCOLS.includes(p));
      if (protocol === undefined) {
        const supported = [TUNNEL_PREFIX + PORTFORWARD_PROTOCOL, ...PORTFORWARD_WS_PROTOCOLS];
        return refuseUpgrade(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${supported.join(' ')}]`, 'text/plain; charset=utf-8');
      }
      if (!protocol.startsWith(TUNNEL_PREFIX)) {
        const raw = q.getAll('ports');
        if (raw.length === 0) return refuseUpgrade(socket, 400, 'query parameter "port" is required', 'text/plain; charset=utf-8');
        wsPorts = raw.flatMap((s) => s.split(',')).map(Number);
      }
    } else {
      // The client's order decides (wsstream handshake); no header means channel.k8s.io.
      protocol = offered.length === 0 ? 'channel.k8s.io' : offered.find((p) => WS_PROTOCOLS.includes(p));
      if (!protocol) {
        return refuseUpgrade(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${WS_PROTOCOLS.join(' ')}]`, 'text/plain; charset=utf-8');
      }
    }
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => (offered.length ? protocol : false) });
    if (target.sub === 'portforward' && !wsPorts) {
      // `ws` takes only RFC 7230 tokens as subprotocols and `SPDY/3.1+...` has a slash: it is
      // negotiated here instead (gorilla/websocket, kubectl's side, takes any string).
      delete req.headers['sec-websocket-protocol'];
      wss.once('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (wsPorts) return serveWebSocketPortForward(ws, protocol!.includes('base64'), wsPorts, backend, target.namespace, target.name);
      if (target.sub === 'portforward') return servePortForward(backend, target.namespace, target.name, wsTransport(ws));
      serveWebSocketExec(ws, protocol!, params!, run, describe);
    });
    return;
  }

  // SPDY/3.1 on the raw connection (httpstream/spdy upgrade.go).
  const asked = String(req.headers['x-stream-protocol-version'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const supported = target.sub === 'portforward' ? [PORTFORWARD_PROTOCOL] : SPDY_EXEC_PROTOCOLS;
  const chosen = asked.find((p) => supported.includes(p));
  if (asked.length && !chosen) {
    return refuseUpgrade(socket, 403, `unable to upgrade: unable to negotiate protocol: client supports [${asked.join(' ')}], server supports [${supported.join(' ')}]`, 'text/plain; charset=utf-8');
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' + (chosen ? `X-Stream-Protocol-Version: ${chosen}\r\n` : '') + '\r\n',
  );
  const transport = socketTransport(socket, head);
  if (target.sub === 'portforward') return servePortForward(backend, target.namespace, target.name, transport);
  serveSpdyExec(transport, chosen ?? 'channel.k8s.io', params!, run, describe);
}

// ---- transports: what a SPDY session runs over ----

interface Transport {
  send(b: Buffer): void;
  close(): void;
  onData(cb: (b: Buffer) => void): void;
  onClose(cb: () => void): void;
}

function wsTransport(ws: WebSocket): Transport {
  return {
    send: (b) => {
      if (ws.readyState === ws.OPEN) ws.send(b, { binary: true });
    },
    close: () => ws.close(1000),
    onData: (cb) => ws.on('message', (d: RawData, isBinary: boolean) => isBinary && cb(rawToBuffer(d))),
    onClose: (cb) => ws.on('close', cb),
  };
}

function socketTransport(socket: Duplex, head: Buffer): Transport {
  let headDone = false;
  return {
    send: (b) => {
      if (!socket.destroyed) socket.write(b);
    },
    close: () => socket.end(),
    onData: (cb) => {
      if (!headDone && head.length) cb(head);
      headDone = true;
      socket.on('data', (d: Buffer) => cb(d));
    },
    onClose: (cb) => {
      socket.on('close', cb);
      socket.on('end', cb);
    },
  };
}

function rawToBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d as ArrayBuffer);
}

/**
 * The channel protocols' framing (k8s.io/apimachinery/pkg/util/httpstream/wsstream): a channel
 * byte then the data, or with the base64 protocols a channel digit ('0' + n) then base64 text.
 */
function channelSender(ws: WebSocket, base64: boolean, isOpen: () => boolean = () => true): (ch: number, data: Buffer) => void {
  return (ch, data) => {
    if (!isOpen() || ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + ch) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([ch]), data]), { binary: true });
  };
}

/** A received frame's channel and data (a copy), or undefined for an empty frame. */
function readFrame(raw: RawData, isBinary: boolean, base64: boolean): { ch: number; data: Buffer } | undefined {
  const data = rawToBuffer(raw);
  if (data.length === 0) return undefined;
  if (base64 && !isBinary) return { ch: data[0] - 48, data: Buffer.from(data.subarray(1).toString('latin1'), 'base64') };
  return { ch: data[0], data: Buffer.from(data.subarray(1)) };
}

// ---- exec and attach ----

/** The error channel's Status for an exit code (kubelet server/remotecommand/exec.go). */
export function exitStatus(code: number, describe: string): Obj {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${describe}, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function internalStatus(err: unknown): Obj {
  const message = `Internal error occurred: error executing command in container: ${err instanceof Error ? err.message : String(err)}`;
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: `error executing command in container: ${err instanceof Error ? err.message : String(err)}` }] }, code: 500 };
}

interface Session {
  io: ExecIO;
  stdin?: ByteQueue;
  resized(size: TerminalSize): void;
  hangUp(): void;
}

function session(params: ExecParams, out: (ch: number, data: Buffer) => void): Session {
  const stdin = params.stdin ? new ByteQueue() : undefined;
  const resizeCbs: ((s: TerminalSize) => void)[] = [];
  let hangUp!: () => void;
  const signal = new Promise<'SIGKILL'>((resolve) => (hangUp = () => resolve('SIGKILL')));
  const toBuf = (d: string | Buffer) => (typeof d === 'string' ? Buffer.from(d) : d);
  const io: ExecIO = {
    stdin,
    stdout: (d) => params.stdout && out(CH_STDOUT, toBuf(d)),
    // With a terminal stderr is merged into stdout, as a tty does.
    stderr: (d) => (params.tty ? params.stdout && out(CH_STDOUT, toBuf(d)) : params.stderr && out(CH_STDERR, toBuf(d))),
    tty: params.tty,
    onResize: (cb) => resizeCbs.push(cb),
    signal,
  };
  return {
    io,
    stdin,
    resized: (s) => resizeCbs.forEach((cb) => cb(s)),
    hangUp: () => {
      stdin?.end();
      hangUp();
    },
  };
}

function parseResize(b: Buffer): TerminalSize | undefined {
  try {
    const v = JSON.parse(b.toString('utf8'));
    if (typeof v?.Width === 'number' && typeof v?.Height === 'number') return { width: v.Width, height: v.Height };
  } catch {
    /* ignored, as the kubelet logs and goes on */
  }
  return undefined;
}

function serveWebSocketExec(ws: WebSocket, protocol: string, params: ExecParams, run: (io: ExecIO) => Promise<number>, describe: string): void {
  const base64 = protocol.includes('base64');
  const statusJson = protocol.startsWith('v4.') || protocol.startsWith('v5.');
  let open = true;
  const out = channelSender(ws, base64, () => open);
  const s = session(params, out);
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const frame = readFrame(raw, isBinary, base64);
    if (!frame) return;
    const { ch, data } = frame;
    if (ch === CH_CLOSE && protocol === 'v5.channel.k8s.io') {
      if (data[0] === CH_STDIN) s.stdin?.end();
      return;
    }
    if (ch === CH_STDIN) s.stdin?.push(data);
    else if (ch === CH_RESIZE) {
      const size = parseResize(data);
      if (size) s.resized(size);
    }
  });
  ws.on('close', () => {
    open = false;
    s.hangUp();
  });
  ws.on('error', () => ws.terminate());
  // An empty message on the lowest writable channel tells the client the streams are set up.
  out(params.stdout ? CH_STDOUT : params.stderr ? CH_STDERR : CH_ERROR, Buffer.alloc(0));
  run(s.io).then(
    (code) => {
      if (statusJson) out(CH_ERROR, Buffer.from(JSON.stringify(exitStatus(code, describe))));
      else if (code !== 0) out(CH_ERROR, Buffer.from(`command terminated with non-zero exit code: error executing command ${describe}, exit code ${code}`));
      finishWs(ws);
    },
    (err) => {
      out(CH_ERROR, Buffer.from(statusJson ? JSON.stringify(internalStatus(err)) : `error executing command in container: ${err instanceof Error ? err.message : String(err)}`));
      finishWs(ws);
    },
  );
}

function finishWs(ws: WebSocket): void {
  if (ws.readyState === ws.OPEN) ws.close(1000);
}

function serveSpdyExec(transport: Transport, protocol: string, params: ExecParams, run: (io: ExecIO) => Promise<number>, describe: string): void {
  const streams = new Map<string, SpdyStream>();
  const expected = ['error', ...(params.stdin ? ['stdin'] : []), ...(params.stdout ? ['stdout'] : []), ...(params.stderr ? ['stderr'] : []), ...(params.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io' ? ['resize'] : [])];
  let started = false;
  let s: Session | undefined;
  const spdy = new SpdyServerSession({ write: (b) => transport.send(b), close: () => transport.close() }, (stream) => {
    const type = (stream.headers.streamtype ?? '').toLowerCase();
    streams.set(type, stream);
    if (!started && expected.every((t) => streams.has(t))) start();
  });
  transport.onData((b) => spdy.feed(b));
  transport.onClose(() => {
    spdy.close();
    s?.hangUp();
  });
  const start = () => {
    started = true;
    s = session(params, (ch, data) => streams.get(ch === CH_STDOUT ? 'stdout' : ch === CH_STDERR ? 'stderr' : 'error')?.write(data));
    const sess = s;
    const stdin = streams.get('stdin');
    stdin?.onData((d) => sess.stdin?.push(d));
    stdin?.onEnd(() => sess.stdin?.end());
    // Resize messages are JSON objects one after another on their stream.
    let pending = '';
    streams.get('resize')?.onData((d) => {
      pending += d.toString('utf8');
      let i: number;
      while ((i = pending.indexOf('}')) >= 0) {
        const size = parseResize(Buffer.from(pending.slice(0, i + 1)));
        pending = pending.slice(i + 1);
        if (size) sess.resized(size);
      }
    });
    const done = (payload: string | undefined) => {
      const err = streams.get('error')!;
      if (payload) err.write(payload);
      for (const st of streams.values()) st.end();
      spdy.goAway();
    };
    const statusJson = protocol === 'v4.channel.k8s.io';
    run(sess.io).then(
      (code) =>
        done(
          statusJson
            ? JSON.stringify(exitStatus(code, describe))
            : code !== 0
              ? `command terminated with non-zero exit code: error executing command ${describe}, exit code ${code}`
              : undefined,
        ),
      (err) => done(statusJson ? JSON.stringify(internalStatus(err)) : `error executing command in container: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
}

// ---- port-forward ----

function servePortForward(backend: StreamingBackend, namespace: string, pod: string, transport: Transport): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  const spdy = new SpdyServerSession({ write: (b) => transport.send(b), close: () => transport.close() }, (stream) => {
    const type = (stream.headers.streamtype ?? '').toLowerCase();
    const port = stream.headers.port;
    const id = stream.headers.requestid ?? String(type === 'error' ? stream.id + 2 : stream.id);
    if ((type !== 'error' && type !== 'data') || !port) {
      stream.abort();
      return;
    }
    const pair = pairs.get(id) ?? {};
    pair[type as 'error' | 'data'] = stream;
    pairs.set(id, pair);
    if (pair.error && pair.data) {
      pairs.delete(id);
      void forward(backend, namespace, pod, Number(port), pair.error, pair.data);
    }
  });
  transport.onData((b) => spdy.feed(b));
  transport.onClose(() => spdy.close());
}

async function forward(backend: StreamingBackend, namespace: string, pod: string, port: number, errorStream: SpdyStream, data: SpdyStream): Promise<void> {
  let conn: ByteConn;
  try {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port ${port}`);
    conn = await backend.portForward(namespace, pod, port);
  } catch (e) {
    // kubelet portforward/httpstream.go: the runtime's error goes on the error stream.
    errorStream.write(`error forwarding port ${port} to pod ${pod}_${namespace}, uid : ${e instanceof Error ? e.message : String(e)}`);
    errorStream.end();
    data.end();
    return;
  }
  data.onData((d) => conn.write(d));
  data.onEnd(() => conn.end());
  conn.onData((d) => data.write(d));
  conn.onError?.((message) => errorStream.write(`error forwarding port ${port} to pod ${pod}_${namespace}, uid : ${message}`));
  conn.onEnd(() => {
    data.end();
    errorStream.end();
  });
}

/**
 * The kubelet's WebSocket port-forward (portforward/websocket.go): for the i-th port, channel 2i
 * carries data both ways and 2i+1 errors; each starts with the port as 2 bytes little-endian. One
 * connection per port; the WebSocket closes when all have ended.
 */
function serveWebSocketPortForward(ws: WebSocket, base64: boolean, ports: number[], backend: StreamingBackend, namespace: string, pod: string): void {
  const send = channelSender(ws, base64);
  const conns: (ByteConn | undefined)[] = [];
  const early: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const done = () => {
    if (--open === 0) finishWs(ws);
  };
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const frame = readFrame(raw, isBinary, base64);
    if (!frame) return;
    const { ch, data } = frame;
    const i = ch / 2;
    if (!Number.isInteger(i) || i >= ports.length || data.length === 0) return;
    if (conns[i]) conns[i]!.write(data);
    else early[i].push(data);
  });
  ws.on('close', () => {
    for (const c of conns) c?.end();
  });
  ws.on('error', () => ws.terminate());
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port & 0xffff);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    const fail = (message: string) => send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${pod}_${namespace}, uid : ${message}`));
    backend.portForward(namespace, pod, port).then(
      (conn) => {
        conns[i] = conn;
        conn.onData((d) => send(2 * i, d));
        conn.onError?.(fail);
        conn.onEnd(done);
        for (const d of early[i].splice(0)) conn.write(d);
        if (ws.readyState !== ws.OPEN) conn.end();
      },
      (e) => {
        fail(e instanceof Error ? e.message : String(e));
        done();
      },
    );
  });
}
