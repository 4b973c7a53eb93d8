// kube-apiserver as pods reach it: the `kubernetes` Service (10.96.0.1:443, kubernetes.default.svc)
// leads to the API server's endpoint on the control-plane node (192.168.49.2:8443), where this
// handler answers in the emulator's data plane.
//
// Who is asking, as kube-apiserver's authenticators decide (k8s.io/apiserver/pkg/authentication):
// no Authorization header is the anonymous user (system:anonymous, group system:unauthenticated;
// kubeadm and minikube keep anonymous auth on); the cluster's bearer token is its admin; a
// projected service-account token (a JWT of the cluster's issuer, not expired) is
// system:serviceaccount:NS:NAME; any other token is 401 Unauthorized.
//
// What they may do is RBAC's answer with the bootstrap policy only (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go), since the emulator serves no Roles or RoleBindings: everybody may
// read the public info (system:public-info-viewer: /healthz, /livez, /readyz, /version), the
// authenticated may read discovery (system:discovery: /api, /apis, /openapi and below), the admin
// anything. The rest is 403 with the message kube-apiserver writes
// (endpoints/handlers/responsewriters.forbiddenMessage), request attributes parsed as
// endpoints/request/requestinfo.go does. Allowed requests are relayed to the emulator's API
// server over its own HTTP port with the admin token, so pods get exactly what kubectl gets.

import http from 'node:http';
import type { Clock } from '../clock.ts';
import type { HttpHandler, HttpRequest, HttpResponse } from '../runtime/contracts.ts';

/** The service-account token issuer (runtime/volumes.ts writes its tokens). */
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface InClusterApiOptions {
  clock: Clock;
  /** The cluster's admin bearer token. */
  token(): string;
  /** The API server's plain-HTTP URL (http://127.0.0.1:PORT), or '' when it does not listen. */
  url(): string;
}

interface User {
  name: string;
  groups: string[];
}

/** endpoints/request RequestInfo. */
export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** RequestInfoFactory.NewRequestInfo for the /api and /apis prefixes. */
export function requestInfo(method: string, rawPath: string): RequestInfo {
  const u = new URL(rawPath, 'http://x');
  const info: RequestInfo = { isResourceRequest: false, path: u.pathname, verb: method.toLowerCase(), apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '' };
  let parts = u.pathname.replace(/^\/+|\/+$/g, '').split('/').filter((p) => p !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return info;
    info.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[0];
  parts = parts.slice(1);
  if (SPECIAL_VERBS.has(parts[0]) && parts.length >= 2) {
    info.verb = parts[0];
    parts = parts.slice(1);
  } else {
    info.verb = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method.toUpperCase()] ?? '';
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];
  if (!info.name && info.verb === 'get') {
    const watch = u.searchParams.get('watch');
    info.verb = watch === 'true' || watch === '1' ? 'watch' : 'list';
    const fs = /^metadata\.name==?([^,]+)$/.exec(u.searchParams.get('fieldSelector') ?? '');
    if (fs) info.name = fs[1];
  }
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}

/** responsewriters.forbiddenMessage wrapped in apierrors.NewForbidden's text. */
export function forbiddenStatus(user: User, a: RequestInfo): object {
  let why: string;
  if (!a.isResourceRequest) why = `User ${JSON.stringify(user.name)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    why = `User ${JSON.stringify(user.name)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
  }
  const qualified = a.isResourceRequest && a.resource ? (a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource) : '';
  const message = !qualified ? `forbidden: ${why}` : a.name ? `${qualified} ${JSON.stringify(a.name)} is forbidden: ${why}` : `${qualified} is forbidden: ${why}`;
  const details: Record<string, string> = {};
  if (a.name) details.name = a.name;
  if (qualified && a.apiGroup) details.group = a.apiGroup;
  if (qualified) details.kind = a.resource;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details, code: 403 };
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);
const DISCOVERY = ['/api', '/apis', '/openapi'];

/** The bootstrap ClusterRoles' nonResourceURLs: "/api" and "/api/*" style rules. */
function discoveryPath(path: string): boolean {
  return PUBLIC_PATHS.has(path) || DISCOVERY.some((p) => path === p || path.startsWith(`${p}/`));
}

function status(code: number, body: object): HttpResponse {
  return { status: code, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }, body: Buffer.from(JSON.stringify(body)) };
}

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

/** The user a request authenticates as, 'admin', or undefined for a token nobody issued (401). */
export function authenticate(req: HttpRequest, adminToken: string, now: number): User | 'admin' | undefined {
  const auth = Object.entries(req.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  if (!auth) return { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) return undefined;
  if (adminToken && m[1] === adminToken) return 'admin';
  const parts = m[1].split('.');
  if (parts.length !== 3) return undefined;
  let claims: { iss?: string; sub?: string; exp?: number; aud?: string[]; 'kubernetes.io'?: { namespace?: string } };
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const sub = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims?.sub ?? '');
  if (claims?.iss !== ISSUER || !sub || !(Number(claims.exp) * 1000 > now) || !(claims.aud ?? []).includes(ISSUER)) return undefined;
  return { name: claims.sub!, groups: ['system:serviceaccounts', `system:serviceaccounts:${sub[1]}`, 'system:authenticated'] };
}

/** The handler on the API server's endpoint. */
export function inClusterApiServer(o: InClusterApiOptions): HttpHandler {
  return async (req) => {
    const who = authenticate(req, o.token(), o.clock.now());
    if (who === undefined) return status(401, UNAUTHORIZED);
    const info = requestInfo(req.method, req.path);
    if (who !== 'admin') {
      const allowed = !info.isResourceRequest && info.verb === 'get' && (PUBLIC_PATHS.has(info.path) || (who.groups.includes('system:authenticated') && discoveryPath(info.path)));
      if (!allowed) return status(403, forbiddenStatus(who, info));
    }
    const base = o.url();
    if (!base) return status(503, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the API server does not listen on a port in this cluster', reason: 'ServiceUnavailable', code: 503 });
    return relay(base, o.token(), req);
  };
}

/** The request to the emulator's own API port, as its admin. */
function relay(base: string, token: string, req: HttpRequest): Promise<HttpResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (!['host', 'authorization', 'connection', 'content-length'].includes(k.toLowerCase())) headers[k] = v;
  headers.authorization = `Bearer ${token}`;
  if (req.body.length) headers['content-length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = http.request(new URL(req.path, base), { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
