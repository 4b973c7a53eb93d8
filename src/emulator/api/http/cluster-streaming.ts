// The streaming endpoints' backend on an emulated cluster: the apiserver finds the pod's node and
// hands exec and attach to that node's kubelet (as it proxies to the kubelet's streaming server);
// port-forward reaches the pod's port through the cluster network from inside the pod (as the
// runtime dials localhost:port in the pod's network namespace), HTTP/1.1 relayed by http-relay.ts.

import type { APIServer } from '../apiserver.ts';
import { ApiError } from '../errors.ts';
import type { HttpResponse } from '../../runtime/contracts.ts';
import type { ExecIO, StreamingBackend } from './streaming.ts';
import { httpRelay, type ByteConn } from './http-relay.ts';

/** What the streaming endpoints need of a kubelet (kubelet/kubelet.ts). */
export interface StreamingKubelet {
  check(namespace: string, pod: string, container: string | undefined): Promise<{ code: number; message: string } | undefined>;
  exec(namespace: string, pod: string, container: string | undefined, argv: string[], stdio: ExecIO): Promise<number>;
  attach(namespace: string, pod: string, container: string, stdio: ExecIO): Promise<number>;
}

export interface ClusterStreamingDeps {
  api: APIServer;
  kubelet(nodeName: string): StreamingKubelet | undefined;
  /** A request to the pod's port from inside the pod (remote address 127.0.0.1). */
  request(podIP: string, namespace: string, port: number, req: { method: string; path: string; headers: Record<string, string>; body: Buffer }): Promise<HttpResponse>;
  /** Each request port-forward delivers (metrics: busy servers). */
  onRequest?(podIP: string): void;
}

export function clusterStreaming(deps: ClusterStreamingDeps): StreamingBackend {
  const podOf = (namespace: string, name: string) => deps.api.get(deps.api.resource('pods'), namespace, name);
  const kubeletOf = async (namespace: string, name: string) => {
    const pod = await podOf(namespace, name);
    const k = pod.spec?.nodeName ? deps.kubelet(pod.spec.nodeName) : undefined;
    // A node without a kubelet: the apiserver cannot dial it (proxy/transport errors).
    if (!k) throw new ApiError(500, 'InternalError', `error dialing backend: dial tcp: lookup ${pod.spec?.nodeName}: no such host`);
    return { pod, k };
  };
  return {
    async check(namespace, pod, container) {
      const { k } = await kubeletOf(namespace, pod);
      return k.check(namespace, pod, container);
    },
    async exec(namespace, pod, container, argv, io) {
      const { k } = await kubeletOf(namespace, pod);
      return k.exec(namespace, pod, container, argv, io);
    },
    async attach(namespace, pod, container, io) {
      const { k } = await kubeletOf(namespace, pod);
      return k.attach(namespace, pod, container, io);
    },
    async portForward(namespace, name, port): Promise<ByteConn> {
      const pod = await podOf(namespace, name);
      const ip: string | undefined = pod.status?.podIP;
      if (!ip) throw new Error('pod has no IP address');
      const refused = `failed to connect to localhost:${port} inside namespace "${pod.metadata.uid}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
      return httpRelay(async (req) => {
        deps.onRequest?.(ip);
        try {
          return await deps.request(ip, namespace, port, req);
        } catch (e) {
          if ((e as { code?: string }).code === 'ECONNREFUSED') throw Object.assign(new Error(refused), { refused: true });
          throw e;
        }
      });
    },
  };
}
