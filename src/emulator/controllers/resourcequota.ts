// ResourceQuota controller (pkg/controller/resourcequota/resource_quota_controller.go): each
// quota's status.hard follows spec.hard and status.used is recomputed from the namespace's objects
// when the quota is created or changed, when quota'd objects are deleted or change (the
// replenishment controller), and every 5 minutes (--resource-quota-sync-period).

import type { APIServer, Watch } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { stableStringify, type Obj } from '../api/objects.ts';
import { calculateUsage, formatList } from '../api/admission/resource-quota.ts';
import { parseResourceList } from '../api/quantity.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/workqueue.ts';

export const QUOTA_RESYNC_MS = 5 * 60_000;
/** Objects whose updates can change usage (service types, PVC sizes); pods, when they turn terminal or go. */
const USAGE_ON_UPDATE = new Set(['services', 'persistentvolumeclaims']);

/** The replenishment controller's pod check: a pod that stops using compute resources. */
function podReleases(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || !!pod.metadata?.deletionTimestamp;
}

export class ResourceQuotaController {
  private readonly quotas: Informer;
  private watches: Watch[] = [];
  private timer: TimerHandle | undefined;
  private readonly queue = new WorkQueue(async (k) => {
    try {
      await this.sync(k);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 409) this.queue.add(k); // lost a race with admission: again
    }
  });

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    // addQuota / updateQuota: every new quota, and quotas whose spec.hard is not yet their
    // status.hard. (The status.used writes of admission do not trigger a recount: the object they
    // charge for is not stored yet.)
    this.quotas = new Informer(api, api.resource('resourcequotas')).addIndex('namespace', (rq) => [rq.metadata.namespace]).on({
      add: (rq) => this.enqueue(key(rq)),
      update: (rq) => {
        if (stableStringify(formatList(parseResourceList(rq.spec?.hard))) !== stableStringify(rq.status?.hard ?? null)) this.enqueue(key(rq));
      },
    });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.quotas.start();
    const rv = String(await this.api.store.currentRevision());
    for (const def of this.api.registry.defs) {
      if (!def.namespaced || def.conversion || (def.group === '' && (def.resource === 'events' || def.resource === 'resourcequotas'))) continue;
      const onUpdate = def.group === '' && USAGE_ON_UPDATE.has(def.resource);
      const isPods = def.group === '' && def.resource === 'pods';
      this.watches.push(
        await this.api.watch(def, undefined, { resourceVersion: rv }, (ev) => {
          const changed = ev.type === 'MODIFIED' && (onUpdate || (isPods && podReleases(ev.object)));
          if (ev.type === 'DELETED' || changed) this.enqueueNamespace(ev.object.metadata.namespace);
        }),
      );
    }
    this.timer = this.clock.setInterval(() => {
      for (const rq of this.quotas.list()) this.enqueue(key(rq));
    }, QUOTA_RESYNC_MS);
  }

  stop(): void {
    this.queue.stop();
    this.timer?.cancel();
    this.quotas.stop();
    for (const w of this.watches) w.stop();
    this.watches = [];
  }

  private enqueueNamespace(ns: string | undefined): void {
    if (!ns) return;
    for (const rq of this.quotas.byIndex('namespace', ns)) this.enqueue(key(rq));
  }

  private enqueue(k: string): void {
    this.queue.add(k);
  }

  /** syncResourceQuota. */
  private async sync(k: string): Promise<void> {
    const [ns, name] = k.split('/');
    const def = this.api.resource('resourcequotas');
    const rq = await this.api.tryGet(def, ns, name);
    if (!rq) return;
    const hard = parseResourceList(rq.spec?.hard);
    const computed = await calculateUsage(this.api, rq, hard, this.api.registry.defs);
    const used = { ...parseResourceList(rq.status?.used), ...computed };
    for (const n of Object.keys(used)) if (!(n in hard)) delete used[n];
    const status: Obj = { hard: formatList(hard), used: formatList(used) };
    if (stableStringify(status) === stableStringify({ hard: rq.status?.hard ?? {}, used: rq.status?.used ?? {} }) && rq.status?.hard && rq.status?.used) return;
    await this.api.update(def, ns, name, { ...rq, status }, { subresource: 'status' });
  }
}

function key(o: Obj): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
