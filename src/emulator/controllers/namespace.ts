// Namespace controller, first slice (pkg/controller/namespace/deletion/namespaced_resources_deleter.go):
// a namespace being deleted has every object in it deleted, and once none is left its "kubernetes"
// finalizer is removed through namespaces/{name}/finalize, so the namespace goes.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Informer } from '../client/informer.ts';

const RETRY_MS = 1_000;

export class NamespaceController {
  private readonly namespaces: Informer;
  private readonly pending = new Map<string, TimerHandle>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    this.namespaces = new Informer(api, api.resource('namespaces')).on({
      add: (ns) => this.onChange(ns),
      update: (ns) => this.onChange(ns),
    });
  }

  async start(): Promise<void> {
    await this.namespaces.start();
  }

  stop(): void {
    this.namespaces.stop();
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }

  private onChange(ns: Obj): void {
    if (ns.metadata.deletionTimestamp && !this.pending.has(ns.metadata.name)) void this.sync(ns.metadata.name);
  }

  private async sync(name: string): Promise<void> {
    this.pending.delete(name);
    const nsDef = this.api.resource('namespaces');
    const ns = await this.api.tryGet(nsDef, undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let left = 0;
    for (const def of this.api.registry.defs) {
      // Converted views (events.k8s.io, autoscaling/v1) share another version's storage: list it once.
      if (!def.namespaced || def.conversion) continue;
      const { items } = await this.api.list(def, name);
      for (const o of items) {
        left++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          await this.api.delete(def, name, o.metadata.name, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
        }
      }
    }
    if (left > 0) {
      this.pending.set(name, this.clock.setTimeout(() => void this.sync(name), RETRY_MS));
      return;
    }
    try {
      await this.api.update(nsDef, undefined, name, { ...ns, spec: { finalizers: [] } }, { subresource: 'finalize' });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }
}
