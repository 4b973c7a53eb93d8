// The extension's Kubernetes client, made from a KubeConfig: the emulator's today, any cluster's
// later (`kubeEmulator.target`). Imported lazily (see ctx.ts), because client-node is the heaviest
// thing in the bundle and activation must not pay for it.
import { KubeConfig, KubernetesObjectApi, type V1APIResource } from '@kubernetes/client-node';
import type { ApplyClient } from './apply.ts';
import { errorCode } from './apply.ts';

/**
 * The dynamic client: client-node's KubernetesObjectApi for discovery (kind → resource, cached per
 * group version) and its request pipeline (auth, TLS, middleware), with raw JSON bodies so that
 * apply sends exactly the manifest (client-node's typed serializer would drop unknown fields and
 * patch directives such as `$setElementOrder`).
 */
export class ClusterClient extends KubernetesObjectApi implements ApplyClient {
  static fromKubeConfig(kc: KubeConfig): ClusterClient {
    const client = kc.makeApiClient(ClusterClient);
    client.setDefaultNamespace(kc);
    return client;
  }

  get namespace(): string {
    return this.defaultNamespace;
  }

  async mapping(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    try {
      await this.resource(apiVersion, kind);
    } catch (e) {
      // An unknown group version is a 404 on /apis/g/v: kubectl's "no matches for kind".
      if (errorCode(e) === 404) return undefined;
      throw e;
    }
    // Skip subresources (`pods/status` has kind Pod too).
    return this.apiVersionResourceCache[apiVersion]?.resources.find((r) => r.kind === kind && !r.name.includes('/'));
  }

  async send(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    path: string,
    opts: { query?: Record<string, string>; body?: unknown; contentType?: string } = {},
  ): Promise<any> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, method as never);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [k, v] of Object.entries(opts.query ?? {})) ctx.setQueryParam(k, v);
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(opts.body));
    }
    // 'any' makes client-node hand the JSON back as parsed, without its typed (Date-making) models.
    return this.requestPromise(ctx, 'any');
  }
}

/**
 * The user's kubeconfig as kubectl reads it (KUBECONFIG, else ~/.kube/config, else in-cluster),
 * for the target picker. A missing file gives an empty config, not an error.
 */
export function loadUserKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

/** A KubeConfig whose current context is `context` (kubectl --context NAME), leaving `kc` itself as it was. */
export function kubeConfigForContext(kc: KubeConfig, context: string): KubeConfig {
  const one = new KubeConfig();
  one.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: context });
  if (!one.getContextObject(context)) throw new Error(`context "${context}" does not exist`);
  return one;
}

/** A client for one context of `kc` (kubectl --context NAME), leaving `kc` itself as it was. */
export function clientForContext(kc: KubeConfig, context: string): ClusterClient {
  return ClusterClient.fromKubeConfig(kubeConfigForContext(kc, context));
}
