// SharedInformerFactory (client-go tools/cache + informers/factory.go): one Informer per resource
// (and selector) for every controller of a component, so N controllers watching pods cost one
// watch, one cache and one set of indexes instead of N. Controllers take the factory in their
// constructor, ask for `informers.for('pods')`, register handlers and indexes, and call
// `acquire(inf)` in start() and `release(inf)` in stop(): the first acquire lists and watches, the
// last release stops.

import type { APIServer } from '../api/apiserver.ts';
import { Informer } from './informer.ts';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class SharedInformers {
  private readonly informers = new Map<string, Informer>();
  private readonly refs = new Map<Informer, number>();

  constructor(private readonly api: APIServer) {}

  /** The shared informer for `resource` (a name api.resource() resolves, e.g. 'pods', 'replicasets.apps'). */
  for(resource: string, opts: InformerOptions = {}): Informer {
    const key = `${resource}|${opts.namespace ?? ''}|${opts.labelSelector ?? ''}|${opts.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) this.informers.set(key, (inf = new Informer(this.api, this.api.resource(resource), opts)));
    return inf;
  }

  /** Starts the informer on its first user; later users wait for its cache to sync. */
  async acquire(inf: Informer): Promise<void> {
    const n = this.refs.get(inf) ?? 0;
    this.refs.set(inf, n + 1);
    if (n === 0) await inf.start();
    else await inf.waitForSync();
  }

  /** Stops the informer when its last user lets go. */
  release(inf: Informer): void {
    const n = this.refs.get(inf) ?? 0;
    if (n <= 1) {
      this.refs.delete(inf);
      if (n === 1) inf.stop();
    } else this.refs.set(inf, n - 1);
  }
}
