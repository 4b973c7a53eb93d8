// The apiserver over HTTP: routing, authentication, content negotiation, watch streaming and
// metav1.Status errors, as kubectl and client-go expect them (see shared/docs/kubectl-wire-protocol.md;
// k8s.io/apiserver/pkg/endpoints/handlers/*).
//
// Bound to 127.0.0.1 only; every request but /version and the health checks needs the bearer
// token (k8s serves those two to anyone through system:public-info-viewer).
//
// One port speaks both HTTPS (with a certificate made at start-up) and plain HTTP, told apart by
// the first byte of the connection: kubectl (client-go) sends bearer tokens only over TLS
// (kubernetes/kubectl#744), so kubeconfigs point at https://; plain http stays for curl and tools
// that pass the token themselves.

import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { generate as generateCertificate } from 'selfsigned';
import { createHash, timingSafeEqual } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { APIServer, PatchType, WatchEvent, WriteOptions } from '../apiserver.ts';
import { ApiError, badRequest, methodNotAllowed, notFoundPath, unauthorized, unparsableBody, unsupportedMediaType } from '../errors.ts';
import { aggregated, AGGREGATED_CONTENT_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions } from '../discovery.ts';
import { OpenAPI, OPENAPI_V2_CONTENT_TYPE, openapiV2Protobuf } from '../openapi.ts';
import { toTable } from '../tables.ts';
import { serialize } from './json.ts';
import { kindSchema } from '../schemas.ts';
import { decodeWithValidation, warningHeader } from '../structural.ts';
import { apiVersionOf, type ResourceDef } from '../registry.ts';
import type { Obj } from '../objects.ts';
import { apiFor } from '../conversion.ts';
import { SCALE_BODY, serveScale } from '../scale.ts';
import { evict } from '../admission/eviction.ts';
import { decodeProtobufBody, decodeProtobufDeleteOptions, PROTOBUF_CONTENT_TYPE } from '../protobuf/body.ts';
import { customTable, decodeCustom, serveCustomScale } from '../custom-resources.ts';
import { refuseUpgrade, refuseWithStatus, serveStreaming, type StreamingBackend, type StreamingSubresource } from './streaming.ts';
import type { Duplex } from 'node:stream';

/** What an eviction's body is read as (drain's typed client sends it as protobuf). */
const EVICTION_BODY = { group: 'policy', version: 'v1', kind: 'Eviction' } as const;

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

/** Extra routes a cluster mounts beside the Kubernetes API (the emulator's control endpoint). */
export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;

/** Streams a pod's container log (served by the node's kubelet). */
export type LogProvider = (
  namespace: string,
  pod: string,
  opts: { container?: string; follow: boolean; tailLines?: number; timestamps: boolean; previous: boolean; sinceSeconds?: number; limitBytes?: number },
  res: http.ServerResponse,
) => Promise<void>;

export interface HttpServerOptions {
  port?: number;
  token: string;
  extraRoutes?: ExtraRoute[];
  logs?: LogProvider;
  /** The kubelets' exec, attach and port-forward (streaming.ts). */
  streaming?: StreamingBackend;
  /** metrics.k8s.io/v1beta1, served as metrics-server would through its APIService (metrics/): its kinds for discovery, and its routes. */
  metrics?: { defs: ResourceDef[]; serve: ExtraRoute };
}

const MAX_BODY = 3 * 1024 * 1024; // etcd's request limit is 1.5 MiB; the apiserver reads up to 3 MiB.
/**
 * How much of a too large body is read and thrown away before the 413 is sent. Leaving the client
 * ending its write on a closed socket loses the answer to an EPIPE (seen on CI with a 4 MiB body):
 * Go's server waits for the client to finish (closeWriteAndWait), so we read the rest, up to a bound.
 */
const MAX_DISCARDED_BODY = 64 * 1024 * 1024;

export class ApiHttpServer {
  private server: net.Server | undefined;
  private http1: http.Server | undefined;
  private tls: https.Server | undefined;
  private readonly openapi: OpenAPI;
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly tokenBuf: Buffer;
  port = 0;
  /** The serving certificate (PEM), for clients that want to verify it. */
  certificate = '';

  constructor(
    readonly api: APIServer,
    private readonly opts: HttpServerOptions,
  ) {
    this.openapi = new OpenAPI(api.registry);
    this.tokenBuf = Buffer.from(opts.token);
  }

  /** The address clients with a kubeconfig use (TLS). */
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The same port over plain HTTP. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((err) => this.fail(res, err));
    };
    // A fresh key and self-signed certificate for 127.0.0.1 and localhost, every start.
    const pems = await generateCertificate([{ name: 'commonName', value: 'kube-emulator' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 60_000),
      notAfterDate: new Date(Date.now() + 365 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
      ],
    });
    this.certificate = pems.cert;
    this.http1 = http.createServer(handler);
    this.tls = https.createServer({ key: pems.private, cert: pems.cert }, handler);
    for (const s of [this.http1, this.tls]) {
      s.keepAliveTimeout = 65_000;
      // exec, attach and port-forward upgrade to WebSocket or SPDY/3.1 (streaming.ts).
      s.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        this.upgrade(req, socket, head).catch((err) => {
          if (err instanceof ApiError) return refuseWithStatus(socket, err);
          console.error(err);
          refuseWithStatus(socket, new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`));
        });
      });
    }
    const server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.once('data', (first) => {
        socket.pause();
        socket.unshift(first);
        // 0x16 opens a TLS handshake record.
        (first[0] === 0x16 ? this.tls! : this.http1!).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`port ${this.opts.port} on 127.0.0.1 is already in use; choose another with --port or stop what is using it`)
            : err.code === 'EACCES'
              ? new Error(`not allowed to listen on port ${this.opts.port} on 127.0.0.1; choose a port above 1023`)
              : err,
        );
      };
      server.once('error', onError);
      server.listen(this.opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.http1?.close();
    this.tls?.close();
  }

  private authorized(req: http.IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (!m) return false;
    const got = Buffer.from(m[1].trim());
    return got.length === this.tokenBuf.length && timingSafeEqual(got, this.tokenBuf);
  }

  /** An HTTP upgrade: pods' exec, attach and portforward; anything else is refused. */
  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    if (!this.authorized(req)) throw unauthorized();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const r = this.route(url.pathname.replace(/\/+$/, '') || '/');
    const streaming = ['exec', 'attach', 'portforward'];
    if (!r || r.kind !== 'resource' || r.def?.resource !== 'pods' || r.group !== '' || !r.name || !r.namespace || !streaming.includes(r.sub ?? '')) {
      return refuseUpgrade(socket, 400, 'upgrade is not supported for this request', 'text/plain; charset=utf-8');
    }
    await serveStreaming(this.api, this.opts.streaming, req, socket, head, {
      namespace: r.namespace,
      name: r.name,
      sub: r.sub as StreamingSubresource,
      query: url.searchParams,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';

    if (method === 'GET' && (path === '/healthz' || path === '/livez' || path === '/readyz')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(url.searchParams.has('verbose') ? `[+]ping ok\n[+]etcd ok\n${path.slice(1)} check passed\n` : 'ok');
      return;
    }
    if (method === 'GET' && path === '/version') {
      return this.json(res, 200, {
        ...KUBERNETES_VERSION,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2024-12-11T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'gc',
        platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
        emulator: 'kube-emulator',
      });
    }
    if (!this.authorized(req)) throw unauthorized();

    for (const route of this.opts.extraRoutes ?? []) {
      if (await route(req, res, url)) return;
    }
    if (this.opts.metrics && (await this.opts.metrics.serve(req, res, url))) return;
    const aggregatedApis = this.opts.metrics?.defs ?? [];

    const accept = String(req.headers.accept ?? '');
    if (method === 'GET' && (path === '/api' || path === '/apis')) {
      if (wantsAggregated(accept)) {
        res.setHeader('Vary', 'Accept');
        // The aggregated document's ETag is its hash (endpoints/discovery/aggregated/etag.go): it changes as CRDs come and go.
        const text = JSON.stringify(aggregated(this.api.registry, path === '/api', aggregatedApis));
        const etag = `"${createHash('sha512').update(text).digest('hex').slice(0, 32).toUpperCase()}"`;
        res.setHeader('ETag', etag);
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304);
          res.end();
          return;
        }
        res.writeHead(200, { 'Content-Type': AGGREGATED_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      return this.json(res, 200, path === '/api' ? apiVersions() : apiGroupList(this.api.registry, aggregatedApis));
    }
    if (method === 'GET' && path === '/openapi/v3') return this.json(res, 200, this.openapi.root());
    if (method === 'GET' && path === '/openapi/v2') {
      const body = openapiV2Protobuf();
      res.writeHead(200, { 'Content-Type': OPENAPI_V2_CONTENT_TYPE, 'Content-Length': body.length });
      res.end(body);
      return;
    }
    if (method === 'GET' && path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.doc(path.slice('/openapi/v3/'.length));
      if (!doc) throw notFoundPath();
      res.setHeader('ETag', doc.etag);
      res.setHeader('Cache-Control', 'public, immutable');
      if (req.headers['if-none-match'] === doc.etag) {
        res.writeHead(304);
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(doc.body);
      return;
    }

    const route = this.route(path);
    if (!route) throw notFoundPath();
    if (route.kind === 'group') {
      if (method !== 'GET') throw methodNotAllowed();
      const g = apiGroup(this.api.registry, route.group, aggregatedApis);
      if (!g) throw notFoundPath();
      return this.json(res, 200, g);
    }
    if (route.kind === 'resourceList') {
      if (method !== 'GET') throw methodNotAllowed();
      const list = apiResourceList(this.api.registry, route.group, route.version, aggregatedApis);
      if (!list) throw notFoundPath();
      return this.json(res, 200, list);
    }
    return this.serveResource(req, res, url, route);
  }

  /** Maps a URL path to a discovery document or a resource request. */
  private route(path: string): Route | undefined {
    const seg = path.split('/').slice(1).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (seg[0] === 'api') {
      if (seg.length < 2 || seg[1] !== 'v1') return undefined;
      group = '';
      version = 'v1';
      rest = seg.slice(2);
    } else if (seg[0] === 'apis') {
      if (seg.length === 2) return { kind: 'group', group: seg[1] };
      if (seg.length < 3) return undefined;
      group = seg[1];
      version = seg[2];
      rest = seg.slice(3);
    } else return undefined;
    if (rest.length === 0) return { kind: 'resourceList', group, version };
    let namespace: string | undefined;
    // /namespaces/{ns}/{resource}/... unless it addresses the namespace itself.
    const namespaceSubresource = group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
    if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub, ...more] = rest;
    if (more.length) return undefined;
    const def = this.api.registry.lookup(group, version, resource);
    if (!def) return { kind: 'resource', def: undefined, group, version, resource, namespace, name, sub };
    if (!def.namespaced && namespace !== undefined) return undefined;
    return { kind: 'resource', def, group, version, resource, namespace, name, sub };
  }

  private async serveResource(req: http.IncomingMessage, res: http.ServerResponse, url: URL, r: ResourceRoute): Promise<void> {
    const method = req.method ?? 'GET';
    const def = r.def;
    if (!def) throw notFoundPath();
    const q = url.searchParams;
    // Kinds kept in another version's storage are converted on the way in and out (conversion.ts).
    const api = apiFor(this.api, def);
    const ns = def.namespaced ? r.namespace : undefined;
    if (def.namespaced && r.name !== undefined && ns === undefined) throw notFoundPath();
    if (r.sub !== undefined && !def.subresources.includes(r.sub)) throw notFoundPath();
    if (def.review) {
      // Create-only reviews, never stored (kinds/authorization.ts): only the collection's POST.
      if (r.name !== undefined) throw notFoundPath();
      if (method !== 'POST') throw methodNotAllowed();
      const body = (await readBody(req, def)) as Obj;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the body is not an object`);
      return this.json(res, 201, def.review(body, { namespace: ns }));
    }
    const dryRun = q.getAll('dryRun');
    if (dryRun.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: "${dryRun.find((d) => d !== 'All')}": supported values: "All"`);
    const fv = q.get('fieldValidation') ?? undefined;
    if (fv && !['Strict', 'Warn', 'Ignore'].includes(fv)) {
      throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    }
    const wopts: WriteOptions = {
      dryRun: dryRun.length > 0,
      fieldManager: q.get('fieldManager') ?? undefined,
      fieldValidation: fv as WriteOptions['fieldValidation'],
      subresource: r.sub,
      userAgent: req.headers['user-agent'],
    };

    if (r.name === undefined) {
      // Collection.
      if (method === 'GET') {
        if (isTrue(q.get('watch'))) return await this.watch(req, res, def, ns, q);
        const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`limit: Invalid value: "${q.get('limit')}"`);
        if (q.get('sendInitialEvents')) throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
        const list = await api.list(def, ns, {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
          limit,
          continue: q.get('continue') ?? undefined,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: (q.get('resourceVersionMatch') ?? undefined) as 'Exact' | 'NotOlderThan' | undefined,
        });
        // serialize: each stored object's JSON is made once per version (json.ts).
        if (wantsTable(req)) {
          return this.send(res, 200, serialize(this.table(def, list.items, q, list.resourceVersion, list.continue)), TABLE_CONTENT_TYPE);
        }
        const metadata: Obj = { resourceVersion: list.resourceVersion };
        if (list.continue) metadata.continue = list.continue;
        if (list.remainingItemCount !== undefined) metadata.remainingItemCount = list.remainingItemCount;
        return this.send(res, 200, serialize({ kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items: list.items.map((o) => withTypeMeta(def, o)) }));
      }
      if (method === 'POST') {
        const body = this.decode(def, r, await readBody(req, def), wopts, res);
        const created = await api.create(def, ns, body, wopts);
        return this.json(res, 201, created);
      }
      throw methodNotAllowed();
    }

    const name = r.name;
    if (r.sub === 'exec' || r.sub === 'attach' || r.sub === 'portforward') {
      // Without an Upgrade header (UpgradeAwareHandler with UpgradeRequired).
      if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
      await api.get(def, ns, name);
      throw badRequest('Upgrade request required');
    }
    if (r.sub === 'log') {
      if (method !== 'GET') throw methodNotAllowed();
      await api.get(def, ns, name);
      if (!this.opts.logs) throw notFoundPath();
      const num = (k: string) => (q.get(k) !== null ? Number(q.get(k)) : undefined);
      return this.opts.logs(ns!, name, {
        container: q.get('container') ?? undefined,
        follow: isTrue(q.get('follow')),
        tailLines: num('tailLines'),
        timestamps: isTrue(q.get('timestamps')),
        previous: isTrue(q.get('previous')),
        sinceSeconds: num('sinceSeconds'),
        limitBytes: num('limitBytes'),
      }, res);
    }
    if (r.sub === 'binding') {
      if (method !== 'POST') throw methodNotAllowed();
      const body = (await readBody(req, def)) as Obj;
      await this.api.bind(ns!, name, body, wopts);
      return this.json(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    }
    if (r.sub === 'eviction') {
      // policy/v1 Eviction (pkg/registry/core/pod/storage/eviction.go; admission/eviction.ts).
      if (method !== 'POST') throw methodNotAllowed();
      const body = await readBody(req, EVICTION_BODY as unknown as ResourceDef);
      return this.json(res, 201, await evict(this.api, ns!, name, body, { dryRun: wopts.dryRun }));
    }
    if (r.sub === 'scale') {
      // autoscaling/v1 Scale of a workload (scale.ts).
      const type = method === 'PATCH' ? patchType(String(req.headers['content-type'] ?? '')) : undefined;
      const body = method === 'PUT' || method === 'PATCH' ? await readBody(req, SCALE_BODY as unknown as ResourceDef, type === 'apply') : undefined;
      const scale = def.custom?.scale ? await serveCustomScale(this.api, def, ns, name, method, body, type, wopts) : await serveScale(this.api, def, ns, name, method, body, type, wopts);
      if (method === 'GET' && wantsTable(req)) {
        const table = toTable('scale', [scale], { includeObject: (q.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object', now: this.api.clock.now(), resourceVersion: scale.metadata.resourceVersion, apiVersion: 'autoscaling/v1', kind: 'Scale' });
        return this.json(res, 200, table, TABLE_CONTENT_TYPE);
      }
      return this.json(res, 200, scale);
    }
    switch (method) {
      case 'GET': {
        const obj = await api.get(def, ns, name);
        if (wantsTable(req)) return this.json(res, 200, this.table(def, [obj], q, obj.metadata.resourceVersion), TABLE_CONTENT_TYPE);
        return this.json(res, 200, obj);
      }
      case 'PUT': {
        const body = this.decode(def, r, await readBody(req, def), wopts, res);
        return this.json(res, 200, await api.update(def, ns, name, body, wopts));
      }
      case 'PATCH': {
        const type = patchType(String(req.headers['content-type'] ?? ''));
        if (type === 'strategic' && def.custom) {
          // customresource_handler.go serves no strategic merge patch (handlers/patch.go: NewUnsupportedMediaTypeError).
          throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
        }
        const force = q.get('force');
        if (type !== 'apply' && force !== null) {
          // metav1 validation.ValidatePatchOptions.
          throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', {
            group: 'meta.k8s.io',
            kind: 'PatchOptions',
            causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }],
          });
        }
        const body = this.decode(def, r, await readBody(req, def, type === 'apply'), wopts, res, type);
        if (type === 'apply') {
          const applied = await api.apply(def, ns, name, body, { ...wopts, force: isTrue(force) });
          return this.json(res, applied.created ? 201 : 200, applied.object);
        }
        return this.json(res, 200, await api.patch(def, ns, name, type, body, wopts));
      }
      case 'DELETE': {
        const body = ((await readBody(req, def, false, true)) ?? {}) as Obj;
        const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
        const policy = q.get('propagationPolicy') ?? body.propagationPolicy ?? (body.orphanDependents === true ? 'Orphan' : undefined);
        if (policy && !['Foreground', 'Background', 'Orphan'].includes(policy)) {
          throw badRequest(`propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
        }
        const result = await api.delete(def, ns, name, {
          gracePeriodSeconds: grace !== undefined && grace !== null ? Number(grace) : undefined,
          propagationPolicy: policy,
          preconditions: body.preconditions,
          dryRun: wopts.dryRun || (Array.isArray(body.dryRun) && body.dryRun.includes('All')),
        });
        // Pods and namespaces answer with the object; others with a Status once gone
        // (genericregistry.Store.ReturnDeletedObject).
        if (!result.deleted || def.resource === 'pods' || def.resource === 'namespaces') return this.json(res, 200, result.object);
        return this.json(res, 200, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          details: { name, group: def.group || undefined, kind: def.resource, uid: result.object.metadata.uid },
        });
      }
      default:
        throw methodNotAllowed();
    }
  }

  /**
   * Structural decoding of a POST/PUT/PATCH body (structural.ts): a type error or, with
   * fieldValidation=Strict, unknown fields answer 400; with Warn (the default) each unknown field
   * becomes a Warning header; unknown fields are dropped in every mode (JSON patches: the values
   * they add). Other kinds' bodies (subresources) and kinds without a built-in schema pass through.
   */
  private decode(def: ResourceDef, r: ResourceRoute, body: unknown, wopts: WriteOptions, res: http.ServerResponse, patch?: PatchType): unknown {
    if (def.custom && (r.sub === undefined || r.sub === 'status')) {
      // Custom resources: pruning against the version's openAPIV3Schema (custom-resources.ts).
      const out = decodeCustom(def, body, wopts.fieldValidation, patch);
      if (out.warnings.length) res.setHeader('Warning', out.warnings.map(warningHeader));
      return out.value;
    }
    const schema = kindSchema(def.group, def.version, def.kind);
    if (!schema || (r.sub !== undefined && r.sub !== 'status') || !body || typeof body !== 'object' || Array.isArray(body) !== (patch === 'json')) return body;
    const out = decodeWithValidation(schema, def.kind, def.version, body, wopts.fieldValidation, { patch: patch !== undefined, jsonPatch: patch === 'json' });
    if (!out.ok) throw badRequest(out.message);
    if (out.warnings.length) res.setHeader('Warning', out.warnings.map(warningHeader));
    return out.value;
  }

  private table(def: ResourceDef, items: Obj[], q: URLSearchParams, resourceVersion: string, cont?: string): object {
    const include = (q.get('includeObject') ?? 'Metadata') as 'None' | 'Metadata' | 'Object';
    if (def.custom) return customTable(def, items.map((o) => withTypeMeta(def, o)), { includeObject: include, now: this.api.clock.now(), resourceVersion, continue: cont });
    return toTable(def.resource, items.map((o) => withTypeMeta(def, o)), {
      includeObject: include,
      now: this.api.clock.now(),
      resourceVersion,
      continue: cont,
      apiVersion: apiVersionOf(def),
      kind: def.kind,
    });
  }

  private async watch(req: http.IncomingMessage, res: http.ServerResponse, def: ResourceDef, ns: string | undefined, q: URLSearchParams): Promise<void> {
    const table = wantsTable(req);
    const sendInitial = q.get('sendInitialEvents');
    const allowBookmarks = isTrue(q.get('allowWatchBookmarks'));
    if (sendInitial !== null && q.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    let open = true;
    const write = (ev: WatchEvent) => {
      if (!open) return;
      let object = ev.object;
      if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') {
        object = table ? this.table(def, [ev.object], q, ev.object.metadata.resourceVersion) : withTypeMeta(def, ev.object);
      }
      res.write(JSON.stringify({ type: ev.type, object }) + '\n');
    };
    res.writeHead(200, {
      'Content-Type': table ? TABLE_CONTENT_TYPE : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    // kubectl rollout status hangs unless the headers go out before the first event.
    res.flushHeaders();
    let watch;
    try {
      watch = await apiFor(this.api, def).watch(def, ns, {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowWatchBookmarks: allowBookmarks,
        sendInitialEvents: sendInitial !== null ? isTrue(sendInitial) : undefined,
      }, write);
    } catch (e) {
      // Errors after the 200 are delivered as one ERROR event (the cacher's newErrWatcher).
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', String(e));
      write({ type: 'ERROR', object: err.toStatus() });
      res.end();
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    const finish = () => {
      if (!open) return;
      open = false;
      watch.stop();
      for (const t of timers) clearTimeout(t);
      res.end();
    };
    // Connection-level timers are real time: they bound sockets, not cluster behaviour.
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(finish, timeout * 1000));
    if (allowBookmarks) {
      // Progress notify: the store's current revision, so a resumed watch need not replay much.
      const bm = setInterval(() => {
        void this.api.store.currentRevision().then((rev) => write({ type: 'BOOKMARK', object: apiFor(this.api, def).bookmark(def, rev) }));
      }, 60_000);
      timers.push(bm as unknown as NodeJS.Timeout);
    }
    // 'close' on the response fires when the client goes away (the request's fires after its body).
    res.on('close', finish);
  }

  private json(res: http.ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
    this.send(res, code, JSON.stringify(body), contentType);
  }

  private send(res: http.ServerResponse, code: number, text: string, contentType = 'application/json'): void {
    res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof ApiError)) console.error(err);
    if (res.headersSent) {
      res.end();
      return;
    }
    // After a too large body the connection is closed, as Go's server closes one whose handler left
    // the body unread (net/http server.go, maxPostHandlerReadBytes).
    if (e.code === 413) res.setHeader('Connection', 'close');
    this.json(res, e.code, e.toStatus());
  }
}

type Route =
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | ResourceRoute;

interface ResourceRoute {
  kind: 'resource';
  def: ResourceDef | undefined;
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  sub?: string;
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function wantsTable(req: http.IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? '');
  return accept.split(',').some((part) => /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$|\s)/.test(part.replace(/\s/g, '') + ';'));
}

function wantsAggregated(accept: string): boolean {
  return accept.split(',').some((p) => /as=APIGroupDiscoveryList/.test(p) && /v=v2(;|$)/.test(p.replace(/\s/g, '')));
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function patchType(contentType: string): PatchType {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw new ApiError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
  }
}

function withTypeMeta(def: ResourceDef, o: Obj): Obj {
  if (o.kind && o.apiVersion) return o;
  return { apiVersion: apiVersionOf(def), kind: def.kind, ...o };
}

/** The media types a body may have: objects, and the four patch types. */
const BODY_TYPES = new Set([
  'application/json',
  'application/yaml',
  PROTOBUF_CONTENT_TYPE,
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

async function readBody(req: http.IncomingMessage, def: ResourceDef, yaml = false, optional = false): Promise<unknown> {
  const ct = String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (!BODY_TYPES.has(ct) && (ct !== '' || !optional)) throw unsupportedMediaType();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_DISCARDED_BODY) break;
    if (size <= MAX_BODY) chunks.push(c as Buffer);
  }
  if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) {
    if (optional) return undefined;
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the request body is empty`);
  }
  // Protobuf bodies of the kinds protobuf/fields.ts covers (kubectl's typed creates); others 415.
  if (ct === PROTOBUF_CONTENT_TYPE) return req.method === 'DELETE' ? decodeProtobufDeleteOptions(raw) : decodeProtobufBody(raw, def, req.method ?? '');
  const text = raw.toString('utf8');
  if (yaml || ct === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw unparsableBody(def.kind, text, e);
  }
}
