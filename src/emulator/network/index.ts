// The cluster network (issue 5): pod servers, kube-proxy's Service routing and the cluster DNS.
// `new ClusterNetwork(api, clock)` is what the cluster creates; the kubelet registers pod servers
// with listen() and passes the instance to containers as ProcessContext.net.

import type { APIServer } from '../api/apiserver.ts';
import type { Clock } from '../clock.ts';
import { NetError, type HttpHandler, type HttpResponse, type Network } from '../runtime/contracts.ts';

export class ClusterNetwork implements Network {
  private readonly servers = new Map<string, HttpHandler>();

  constructor(
    readonly api: APIServer,
    readonly clock: Clock,
  ) {}

  async start(): Promise<void> {}

  stop(): void {}

  listen(ip: string, port: number, handler: HttpHandler): () => void {
    const k = `${ip}:${port}`;
    this.servers.set(k, handler);
    return () => {
      if (this.servers.get(k) === handler) this.servers.delete(k);
    };
  }

  async request(from: { ip: string; namespace: string }, url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<HttpResponse> {
    const u = new URL(url);
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const ip = this.resolve(u.hostname, from.namespace) ?? u.hostname;
    const h = this.servers.get(`${ip}:${port}`);
    if (!h) throw new NetError('ECONNREFUSED', 'Connection refused');
    return h({ method: init.method ?? 'GET', path: u.pathname + u.search, headers: init.headers ?? {}, body: init.body ?? Buffer.alloc(0), remoteIP: from.ip });
  }

  resolve(name: string, _namespace: string): string | undefined {
    return /^\d+\.\d+\.\d+\.\d+$/.test(name) ? name : undefined;
  }
}
