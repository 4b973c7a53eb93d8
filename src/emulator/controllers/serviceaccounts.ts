// ServiceAccounts controller (pkg/controller/serviceaccount/serviceaccounts_controller.go): every
// active namespace has a `default` ServiceAccount, made when the namespace appears and again if it
// is deleted; and the root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher):
// every namespace has the kube-root-ca.crt ConfigMap with the API server's CA bundle, put back
// when deleted or changed.

import type { APIServer, Watch } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { Clock } from '../clock.ts';
import { Informer } from '../client/informer.ts';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class ServiceAccountsController {
  private readonly namespaces: Informer;
  private watches: Watch[] = [];
  private stopped = true;

  constructor(
    private readonly api: APIServer,
    _clock: Clock,
    /** The CA bundle to publish (the serving certificate, once the HTTP server has one). */
    private readonly caBundle: () => string = () => '',
  ) {
    this.namespaces = new Informer(api, api.resource('namespaces')).on({
      add: (ns) => void this.sync(ns.metadata.name),
      update: (ns) => void this.sync(ns.metadata.name),
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.namespaces.start();
    // Watch for the default account and the CA ConfigMap going away or being changed.
    for (const [resource, name] of [['serviceaccounts', 'default'], ['configmaps', ROOT_CA_CONFIGMAP]] as const) {
      const def = this.api.resource(resource);
      const rv = String(await this.api.store.currentRevision());
      this.watches.push(
        await this.api.watch(def, undefined, { resourceVersion: rv, fieldSelector: `metadata.name=${name}` }, (ev) => {
          if (ev.type === 'DELETED' || ev.type === 'MODIFIED') void this.sync(ev.object.metadata.namespace);
        }),
      );
    }
    await this.resync();
  }

  stop(): void {
    this.stopped = true;
    this.namespaces.stop();
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  /** Syncs every namespace (at start, and when the CA bundle changes). */
  async resync(): Promise<void> {
    await Promise.all(this.namespaces.list().map((ns) => this.sync(ns.metadata.name)));
  }

  private async sync(namespace: string): Promise<void> {
    if (this.stopped) return;
    const ns = this.namespaces.get(undefined, namespace) ?? (await this.api.tryGet(this.api.resource('namespaces'), undefined, namespace));
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    try {
      await this.ensureServiceAccount(namespace);
      await this.ensureRootCA(namespace);
    } catch (e) {
      // A namespace that went away or started terminating meanwhile: nothing to do.
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private async ensureServiceAccount(namespace: string): Promise<void> {
    const def = this.api.resource('serviceaccounts');
    if (await this.api.tryGet(def, namespace, 'default')) return;
    await ignoreExists(this.api.create(def, namespace, { metadata: { name: 'default' } }));
  }

  private async ensureRootCA(namespace: string): Promise<void> {
    const def = this.api.resource('configmaps');
    const data = { 'ca.crt': this.caBundle() };
    const cur = await this.api.tryGet(def, namespace, ROOT_CA_CONFIGMAP);
    if (!cur) {
      await ignoreExists(this.api.create(def, namespace, { metadata: { name: ROOT_CA_CONFIGMAP, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data }));
      return;
    }
    if (cur.data?.['ca.crt'] === data['ca.crt'] && Object.keys(cur.data ?? {}).length === 1 && cur.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return;
    const next: Obj = { ...cur, data, metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } } };
    await this.api.update(def, namespace, ROOT_CA_CONFIGMAP, next);
  }
}

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}
