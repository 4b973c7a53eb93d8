// exec, attach and port-forward at the protocol level: a WebSocket client (the `ws` package, as
// kubectl's gorilla/websocket speaks it) and a small SPDY/3 client against the HTTP server, with a
// fake kubelet behind it. Texts are Kubernetes 1.32's (pkg/registry/core/pod/strategy.go,
// pkg/kubelet/server/server.go, pkg/kubelet/cri/streaming/{remotecommand,portforward}).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { ApiHttpServer } from '../../../src/emulator/api/http/server.ts';
import type { ExecIO, StreamingBackend } from '../../../src/emulator/api/http/streaming.ts';
import { httpRelay, type ByteConn } from '../../../src/emulator/api/http/http-relay.ts';
import { SPDY3_DICTIONARY } from '../../../src/emulator/api/http/spdy.ts';

const TOKEN = 'tok';
let api: APIServer;
let srv: ApiHttpServer;
/** When set, the fake attach ends at once with this exit code. */
let attachExit: number | undefined;
const calls: { argv: string[]; container: string; tty: boolean }[] = [];
const resizes: { width: number; height: number }[] = [];

/** A fake kubelet: `cat` echoes stdin, `echo` prints, `fail N` prints to stderr and exits N. */
const backend: StreamingBackend = {
  async check(namespace, pod, container) {
    if (pod === 'elsewhere') return { code: 404, message: 'pod does not exist' };
    if (container === 'sidecar') return { code: 500, message: `container not found ("${container}")` };
    return undefined;
  },
  async exec(_ns, _pod, container, argv, io: ExecIO) {
    calls.push({ argv, container, tty: io.tty });
    io.onResize((s) => resizes.push(s));
    if (argv[0] === 'cat') {
      for await (const chunk of io.stdin ?? []) io.stdout(chunk);
      return 0;
    }
    if (argv[0] === 'echo') {
      io.stdout(argv.slice(1).join(' ') + '\n');
      return 0;
    }
    if (argv[0] === 'fail') {
      io.stderr('failing\n');
      return Number(argv[1]);
    }
    if (argv[0] === 'hang') {
      await io.signal;
      return 137;
    }
    throw new Error(`exec: "${argv[0]}": executable file not found in $PATH`);
  },
  async attach(_ns, _pod, _container, io) {
    io.stdout('main process output\n');
    if (attachExit !== undefined) return attachExit;
    await io.signal;
    return 0;
  },
  async portForward(_ns, _pod, port): Promise<ByteConn> {
    if (port !== 80) throw new Error(`failed to connect to localhost:${port} inside namespace "x", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused`);
    return httpRelay(async (req) => ({
      status: 200,
      headers: { 'Content-Type': 'text/plain', Server: 'nginx/1.27.3' },
      body: Buffer.from(`${req.method} ${req.path} from ${req.remoteIP} body=${req.body.toString()}\n`),
    }));
  },
};

before(async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const pods = api.resource('pods');
  const pod = (name: string, containers: string[], nodeName?: string) => ({
    metadata: { name },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
  });
  await api.create(pods, 'default', pod('web', ['main'], 'node-1'));
  await api.create(pods, 'default', pod('two', ['main', 'sidecar'], 'node-1'));
  await api.create(pods, 'default', pod('pending', ['main']));
  await api.create(pods, 'default', pod('elsewhere', ['main'], 'node-1'));
  srv = new ApiHttpServer(api, { token: TOKEN, streaming: backend });
  await srv.listen();
});

after(async () => {
  await srv.close();
});

interface WsResult {
  protocol: string;
  messages: { ch: number; data: string }[];
  closeCode: number;
}

function wsUrl(path: string): string {
  return `ws://127.0.0.1:${srv.port}${path}`;
}

/** Opens an exec WebSocket, sends `send` frames once open, collects everything until close. */
function wsExec(path: string, protocols: string[], send: (ws: WebSocket) => void = () => {}, token = TOKEN): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path), protocols, { headers: { Authorization: `Bearer ${token}` } });
    const messages: { ch: number; data: string }[] = [];
    ws.on('open', () => send(ws));
    ws.on('message', (d: RawData, isBinary: boolean) => {
      const b = d as Buffer;
      if (isBinary) messages.push({ ch: b[0], data: b.subarray(1).toString() });
      else messages.push({ ch: b[0] - 48, data: Buffer.from(b.subarray(1).toString(), 'base64').toString() });
    });
    ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.on('error', (e) => reject(e));
  });
}

async function refused(path: string, protocols = ['v5.channel.k8s.io'], token = TOKEN): Promise<{ status: number; body: string }> {
  try {
    await wsExec(path, protocols, () => {}, token);
  } catch (e) {
    const err = e as { status?: number; body?: string };
    if (err.status) return { status: err.status, body: err.body ?? '' };
    throw e;
  }
  throw new Error('the upgrade was not refused');
}

const execPath = (pod: string, q: string) => `/api/v1/namespaces/default/pods/${pod}/exec?${q}`;

test('exec over v5.channel.k8s.io: stdout on channel 1, Success on the error channel, then close', async () => {
  const r = await wsExec(execPath('web', 'command=echo&command=hello&command=world&stdout=true&stderr=true'), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  assert.equal(r.protocol, 'v5.channel.k8s.io');
  assert.deepEqual(r.messages, [
    { ch: 1, data: '' },
    { ch: 1, data: 'hello world\n' },
    { ch: 3, data: '{"metadata":{},"status":"Success"}' },
  ]);
  assert.equal(r.closeCode, 1000);
  assert.deepEqual(calls.at(-1), { argv: ['echo', 'hello', 'world'], container: 'main', tty: false });
});

test('exec: a non-zero exit is a NonZeroExitCode Status with the ExitCode cause', async () => {
  const r = await wsExec(execPath('web', 'command=fail&command=3&stdout=true&stderr=true'), ['v5.channel.k8s.io']);
  assert.deepEqual(r.messages.slice(1, 2), [{ ch: 2, data: 'failing\n' }]);
  const status = JSON.parse(r.messages.at(-1)!.data);
  assert.equal(r.messages.at(-1)!.ch, 3);
  assert.deepEqual(status, {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [fail 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
});

test('exec: stdin on channel 0 reaches the process; v5 close signal (255, 0) ends it', async () => {
  const r = await wsExec(execPath('web', 'command=cat&stdin=true&stdout=true&stderr=true'), ['v5.channel.k8s.io'], (ws) => {
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('line one\n')]));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('line two\n')]));
    ws.send(Buffer.from([255, 0]));
  });
  assert.deepEqual(
    r.messages.filter((m) => m.ch === 1).map((m) => m.data).join(''),
    'line one\nline two\n',
  );
  assert.equal(r.messages.at(-1)!.data, '{"metadata":{},"status":"Success"}');
});

test('exec -t: resize messages reach the process; stderr is merged into stdout', async () => {
  const r = await wsExec(execPath('web', 'command=fail&command=1&stdin=true&stdout=true&tty=true'), ['v5.channel.k8s.io'], (ws) => {
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":120,"Height":40}')]));
  });
  assert.ok(r.messages.some((m) => m.ch === 1 && m.data === 'failing\n'), JSON.stringify(r.messages));
  assert.ok(!r.messages.some((m) => m.ch === 2));
  assert.equal(calls.at(-1)!.tty, true);
});

test('exec over v4.base64.channel.k8s.io (client-node) and channel.k8s.io', async () => {
  const b = await wsExec(execPath('web', 'command=echo&command=b64&stdout=true'), ['v4.base64.channel.k8s.io']);
  assert.equal(b.protocol, 'v4.base64.channel.k8s.io');
  assert.deepEqual(b.messages.slice(1), [{ ch: 1, data: 'b64\n' }, { ch: 3, data: '{"metadata":{},"status":"Success"}' }]);
  const v1 = await wsExec(execPath('web', 'command=fail&command=2&stdout=true&stderr=true'), ['channel.k8s.io']);
  assert.equal(v1.messages.at(-1)!.ch, 3);
  assert.equal(v1.messages.at(-1)!.data, 'command terminated with non-zero exit code: error executing command [fail 2], exit code 2');
});

test('exec: an executable that is not there is an InternalError Status', async () => {
  const r = await wsExec(execPath('web', 'command=nope&stdout=true'), ['v5.channel.k8s.io']);
  const s = JSON.parse(r.messages.at(-1)!.data);
  assert.equal(s.reason, 'InternalError');
  assert.equal(s.message, 'Internal error occurred: error executing command in container: exec: "nope": executable file not found in $PATH');
});

test('attach: the main process output on stdout; the client hanging up ends it', async () => {
  const r = await wsExec('/api/v1/namespaces/default/pods/web/attach?stdout=true&stderr=true', ['v5.channel.k8s.io'], (ws) => {
    ws.on('message', (d: RawData) => {
      if ((d as Buffer).subarray(1).toString() === 'main process output\n') ws.close(1000);
    });
  });
  assert.deepEqual(r.messages.slice(0, 2), [{ ch: 1, data: '' }, { ch: 1, data: 'main process output\n' }]);
});

test('attach to a process that exits 3: the error channel says Success (the kubelet reports no exit code for attach)', async () => {
  attachExit = 3;
  try {
    const r = await wsExec('/api/v1/namespaces/default/pods/web/attach?stdout=true&stderr=true', ['v5.channel.k8s.io']);
    assert.deepEqual(r.messages.slice(0, 2), [{ ch: 1, data: '' }, { ch: 1, data: 'main process output\n' }]);
    const last = r.messages.at(-1)!;
    assert.equal(last.ch, 3);
    assert.deepEqual(JSON.parse(last.data), { metadata: {}, status: 'Success' });
  } finally {
    attachExit = undefined;
  }
});

test('refused upgrades: Kubernetes statuses and the kubelet texts', async () => {
  const nf = await refused(execPath('nothere', 'command=ls&stdout=true'));
  assert.equal(nf.status, 404);
  assert.equal(JSON.parse(nf.body).message, 'pods "nothere" not found');
  const bad = await refused(execPath('web', 'command=ls&stdout=true&container=nginx'));
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.body), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'container nginx is not valid for pod web',
    reason: 'BadRequest',
    code: 400,
  });
  const choose = await refused(execPath('two', 'command=ls&stdout=true'));
  assert.equal(JSON.parse(choose.body).message, 'a container name must be specified for pod two, choose one of: [main sidecar]');
  const pending = await refused(execPath('pending', 'command=ls&stdout=true'));
  assert.equal(JSON.parse(pending.body).message, 'pod pending does not have a host assigned');
  const kubelet = await refused(execPath('elsewhere', 'command=ls&stdout=true'));
  assert.deepEqual(kubelet, { status: 404, body: 'pod does not exist' });
  const notRunning = await refused(execPath('two', 'command=ls&stdout=true&container=sidecar'));
  assert.deepEqual(notRunning, { status: 500, body: 'container not found ("sidecar")' });
  const noStreams = await refused(execPath('web', 'command=ls'));
  assert.deepEqual(noStreams, { status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' });
  const unauth = await refused(execPath('web', 'command=ls&stdout=true'), ['v5.channel.k8s.io'], 'wrong');
  assert.equal(unauth.status, 401);
  assert.equal(JSON.parse(unauth.body).reason, 'Unauthorized');
  const proto = await refused(execPath('web', 'command=ls&stdout=true'), ['v9.channel.k8s.io']);
  assert.equal(proto.status, 400);
  assert.match(proto.body, /^requested protocol\(s\) are not supported: \[v9.channel.k8s.io\]/);
});

test('exec without an upgrade: 400 Upgrade request required; discovery lists the subresources', async () => {
  const r = await fetch(`${srv.httpUrl}${execPath('web', 'command=ls&stdout=true')}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).message, 'Upgrade request required');
  const list = await (await fetch(`${srv.httpUrl}/api/v1`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
  const sub = (n: string) => list.resources.find((x: { name: string }) => x.name === n);
  assert.deepEqual(sub('pods/exec'), { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] });
  assert.equal(sub('pods/attach').kind, 'PodAttachOptions');
  assert.equal(sub('pods/portforward').kind, 'PodPortForwardOptions');
});

// ---- SPDY/3 client for port-forward ----

class SpdyClient {
  private deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private buf = Buffer.alloc(0);
  readonly replies: number[] = [];
  readonly data = new Map<number, Buffer>();
  readonly fins = new Set<number>();
  readonly pings: number[] = [];
  private waiters: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly send: (b: Buffer) => void) {}

  private flate(z: zlib.Deflate | zlib.Inflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const out: Buffer[] = [];
      const on = (c: Buffer) => out.push(c);
      z.on('data', on);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        z.off('data', on);
        resolve(Buffer.concat(out));
      });
    });
  }

  async synStream(id: number, headers: Record<string, string>, fin = false): Promise<void> {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
    const block = await this.flate(this.deflate, Buffer.concat(parts));
    const p = Buffer.concat([u32(id), u32(0), Buffer.from([0, 0]), block]);
    this.send(Buffer.concat([controlHeader(1, fin ? 1 : 0, p.length), p]));
  }

  sendData(id: number, data: Buffer, fin = false): void {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(id, 0);
    h.writeUInt32BE(data.length, 4);
    h[4] = fin ? 1 : 0;
    this.send(Buffer.concat([h, data]));
  }

  ping(id: number): void {
    this.send(Buffer.concat([controlHeader(6, 0, 4), u32(id)]));
  }

  feed(b: Buffer): void {
    this.buf = Buffer.concat([this.buf, b]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + len) break;
      const f = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.chain = this.chain.then(() => this.handle(f));
    }
  }

  private async handle(f: Buffer): Promise<void> {
    if (f[0] & 0x80) {
      const type = f.readUInt16BE(2);
      if (type === 2) {
        const id = f.readUInt32BE(8) & 0x7fffffff;
        const headers = await this.flate(this.inflate, f.subarray(12));
        assert.deepEqual(headers, u32(0), 'SYN_REPLY carries no headers');
        this.replies.push(id);
      } else if (type === 6) this.pings.push(f.readUInt32BE(8));
    } else {
      const id = f.readUInt32BE(0);
      this.data.set(id, Buffer.concat([this.data.get(id) ?? Buffer.alloc(0), f.subarray(8)]));
      if (f[4] & 1) this.fins.add(id);
    }
    for (const w of this.waiters.splice(0)) w();
  }

  async until(cond: () => boolean): Promise<void> {
    const end = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function controlHeader(type: number, flags: number, len: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(len, 4);
  h[4] = flags;
  return h;
}

/**
 * A bare WebSocket client: `ws` refuses `SPDY/3.1+portforward.k8s.io` as a subprotocol (a slash
 * is not a token character) while kubectl's gorilla/websocket sends it as it is.
 */
function rawWebSocket(path: string, protocol: string): Promise<{ protocol: string; send(b: Buffer): void; onMessage(cb: (b: Buffer) => void): void; close(): void }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    const key = randomBytes(16).toString('base64');
    sock.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${protocol}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let negotiated = '';
    const cbs: ((b: Buffer) => void)[] = [];
    const frame = (opcode: number, payload: Buffer) => {
      const mask = randomBytes(4);
      const len = payload.length;
      const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
      const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
      sock.write(Buffer.concat([head, mask, masked]));
    };
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head));
        negotiated = /sec-websocket-protocol: (.*)/i.exec(head)?.[1]?.trim() ?? '';
        upgraded = true;
        resolve({ protocol: negotiated, send: (b) => frame(2, b), onMessage: (cb) => cbs.push(cb), close: () => (frame(8, Buffer.from([3, 232])), sock.end()) });
      }
      while (buf.length >= 2) {
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const opcode = buf[0] & 0x0f;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 2) for (const cb of cbs) cb(Buffer.from(payload));
      }
    });
    sock.on('error', reject);
  });
}

async function tunnel(): Promise<{ ws: { protocol: string; close(): void }; spdy: SpdyClient }> {
  const ws = await rawWebSocket('/api/v1/namespaces/default/pods/web/portforward?ports=80', 'SPDY/3.1+portforward.k8s.io');
  const spdy = new SpdyClient((b) => ws.send(b));
  ws.onMessage((d) => spdy.feed(d));
  return { ws, spdy };
}

test('port-forward: SPDY/3.1 tunneled in WebSocket; HTTP/1.1 requests relayed to the pod, keep-alive, FIN', async () => {
  const { ws, spdy } = await tunnel();
  try {
    assert.equal(ws.protocol, 'SPDY/3.1+portforward.k8s.io');
    await spdy.synStream(1, { streamtype: 'error', port: '80', requestid: '0' }, true);
    await spdy.synStream(3, { streamtype: 'data', port: '80', requestid: '0' });
    await spdy.until(() => spdy.replies.length === 2);
    assert.deepEqual(spdy.replies, [1, 3]);
    spdy.sendData(3, Buffer.from('GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\nPOST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'));
    await spdy.until(() => (spdy.data.get(3)?.toString().match(/HTTP\/1\.1 200/g) ?? []).length === 2);
    const text = spdy.data.get(3)!.toString();
    assert.equal(
      text,
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: nginx/1.27.3\r\nContent-Length: 37\r\n\r\nGET /index.html from 127.0.0.1 body=\n' +
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: nginx/1.27.3\r\nContent-Length: 32\r\n\r\nPOST /p from 127.0.0.1 body=abc\n',
    );
    spdy.ping(1);
    await spdy.until(() => spdy.pings.includes(1));
    // The client closes its side: the pod's side ends, then the error stream, empty.
    spdy.sendData(3, Buffer.alloc(0), true);
    await spdy.until(() => spdy.fins.has(3) && spdy.fins.has(1));
    assert.equal(spdy.data.get(1)?.length, 0, 'the error stream ends empty');
  } finally {
    ws.close();
  }
});

test('port-forward: a port nothing listens on answers on the error stream', async () => {
  const { ws, spdy } = await tunnel();
  try {
    await spdy.synStream(1, { streamtype: 'error', port: '81', requestid: '0' }, true);
    await spdy.synStream(3, { streamtype: 'data', port: '81', requestid: '0' });
    await spdy.until(() => spdy.fins.has(1));
    assert.equal(
      spdy.data.get(1)!.toString(),
      'error forwarding port 81 to pod web_default, uid : failed to connect to localhost:81 inside namespace "x", IPv4: dial tcp4 127.0.0.1:81: connect: connection refused',
    );
  } finally {
    ws.close();
  }
});

test('http relay: Connection: close ends the connection; bad requests get 400', async () => {
  const conn = httpRelay(async (req) => ({ status: 404, headers: {}, body: Buffer.from(req.path) }));
  let out = '';
  let ended = false;
  conn.onData((d) => (out += d.toString()));
  conn.onEnd(() => (ended = true));
  conn.write(Buffer.from('HEAD /missing HTTP/1.1\r\nConnection: close\r\n\r\n'));
  await new Promise((r) => setImmediate(r));
  assert.equal(out, 'HTTP/1.1 404 Not Found\r\nContent-Length: 8\r\nConnection: close\r\n\r\n');
  assert.equal(ended, true);
  const bad = httpRelay(async () => ({ status: 200, headers: {}, body: Buffer.alloc(0) }));
  let badOut = '';
  bad.onData((d) => (badOut += d.toString()));
  bad.write(Buffer.from('NOT HTTP\r\n\r\n'));
  await new Promise((r) => setImmediate(r));
  assert.match(badOut, /^HTTP\/1\.1 400 Bad Request\r\n/);
});

test('port-forward over v4.channel.k8s.io (client-node): the port on both channels first, then HTTP on the data channel', async () => {
  const messages: { ch: number; data: Buffer }[] = [];
  const ws = new WebSocket(wsUrl('/api/v1/namespaces/default/pods/web/portforward?ports=80,81'), ['v4.channel.k8s.io'], { headers: { Authorization: `Bearer ${TOKEN}` } });
  ws.on('message', (d: RawData) => messages.push({ ch: (d as Buffer)[0], data: (d as Buffer).subarray(1) }));
  await new Promise((r) => ws.on('open', r));
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('GET /ws HTTP/1.1\r\nHost: x\r\n\r\n')]));
  const end = Date.now() + 5000;
  while (!messages.some((m) => m.ch === 0 && m.data.toString().startsWith('HTTP/1.1')) || !messages.some((m) => m.ch === 3 && m.data.length > 2)) {
    if (Date.now() > end) throw new Error(JSON.stringify(messages.map((m) => [m.ch, m.data.toString()])));
    await new Promise((r) => setTimeout(r, 20));
  }
  ws.close();
  // Port 80 is 0x0050, port 81 0x0051, little-endian, on data and error channels alike.
  assert.deepEqual(messages.filter((m) => m.data.length === 2).map((m) => [m.ch, [...m.data]]), [
    [0, [80, 0]],
    [1, [80, 0]],
    [2, [81, 0]],
    [3, [81, 0]],
  ]);
  assert.match(messages.find((m) => m.ch === 0 && m.data.length > 2)!.data.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/ws from 127\.0\.0\.1 body=\n$/);
  assert.match(messages.find((m) => m.ch === 3 && m.data.length > 2)!.data.toString(), /^error forwarding port 81 to pod web_default, uid : failed to connect to localhost:81/);
  const noPorts = await refused('/api/v1/namespaces/default/pods/web/portforward', ['v4.channel.k8s.io']);
  assert.deepEqual(noPorts, { status: 400, body: 'query parameter "port" is required' });
});

/** An HTTP upgrade to SPDY/3.1 on a raw connection, as client-go's spdy round tripper makes it. */
function spdyUpgrade(path: string, protocols: string[]): Promise<{ head: string; spdy: SpdyClient; sock: net.Socket }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    sock.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
        protocols.map((p) => `X-Stream-Protocol-Version: ${p}\r\n`).join('') +
        `Authorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\n\r\n`,
    );
    let buf = Buffer.alloc(0);
    let spdy: SpdyClient | undefined;
    sock.on('data', (d: Buffer) => {
      if (spdy) return spdy.feed(d);
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      spdy = new SpdyClient((b) => sock.write(b));
      resolve({ head, spdy, sock });
      if (buf.length > end + 4) spdy.feed(buf.subarray(end + 4));
    });
    sock.on('error', reject);
  });
}

test('exec over SPDY/3.1 (the fallback): streams by streamType, the v4 Status on the error stream', async () => {
  const { head, spdy, sock } = await spdyUpgrade('/api/v1/namespaces/default/pods/web/exec?command=cat&stdin=true&stdout=true&stderr=true', ['v4.channel.k8s.io', 'v3.channel.k8s.io']);
  try {
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io(\r\n|$)/);
    await spdy.synStream(1, { streamtype: 'error' });
    await spdy.synStream(3, { streamtype: 'stdin' });
    await spdy.synStream(5, { streamtype: 'stdout' });
    await spdy.synStream(7, { streamtype: 'stderr' });
    await spdy.until(() => spdy.replies.length === 4);
    spdy.sendData(3, Buffer.from('over spdy\n'), true);
    await spdy.until(() => spdy.fins.has(1));
    assert.equal(spdy.data.get(5)?.toString(), 'over spdy\n');
    assert.equal(spdy.data.get(1)?.toString(), '{"metadata":{},"status":"Success"}');
  } finally {
    sock.destroy();
  }
});

test('port-forward over SPDY/3.1 on the raw connection', async () => {
  const { head, spdy, sock } = await spdyUpgrade('/api/v1/namespaces/default/pods/web/portforward', ['portforward.k8s.io']);
  try {
    assert.match(head, /\r\nX-Stream-Protocol-Version: portforward\.k8s\.io(\r\n|$)/);
    await spdy.synStream(1, { streamtype: 'error', port: '80', requestid: '7' }, true);
    await spdy.synStream(3, { streamtype: 'data', port: '80', requestid: '7' });
    spdy.sendData(3, Buffer.from('GET /raw HTTP/1.1\r\nConnection: close\r\n\r\n'));
    await spdy.until(() => spdy.fins.has(3));
    assert.match(spdy.data.get(3)!.toString(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n\r\nGET \/raw from 127\.0\.0\.1 body=\n$/);
  } finally {
    sock.destroy();
  }
});
