// ClusterRole aggregation (pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go):
// a ClusterRole with an aggregationRule gets, as its rules, every rule of the ClusterRoles its
// selectors match (itself excluded), each selector's roles sorted by name, duplicates dropped. It is
// written by server-side apply with the field manager clusterrole-aggregation-controller (forced).
// Any ClusterRole change re-syncs every aggregated role, as the controller's enqueue() does.
// This is how the bootstrap admin/edit/view roles get their rules, and how a user's role labelled
// rbac.authorization.k8s.io/aggregate-to-view: "true" extends `view`.

import { isDeepStrictEqual } from 'node:util';
import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { DelayingQueue } from './job-util.ts';

export const AGGREGATION_MANAGER = 'clusterrole-aggregation-controller';

/** The rules an aggregated ClusterRole should have, from the ClusterRoles in `all`. */
export function aggregatedRules(role: Obj, all: readonly Obj[]): Obj[] {
  const rules: Obj[] = [];
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const reqs = labelSelectorFromObject(sel);
    if (!reqs) continue;
    const matching = all
      .filter((r) => r.metadata.name !== role.metadata.name && matchesLabels(reqs, r.metadata.labels))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    for (const r of matching) {
      for (const rule of r.rules ?? []) if (!rules.some((x) => isDeepStrictEqual(x, rule))) rules.push(rule);
    }
  }
  return rules;
}

export class ClusterRoleAggregationController {
  private readonly roles: Informer;
  private readonly queue: DelayingQueue;

  constructor(
    private readonly api: APIServer,
    clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new DelayingQueue(clock, (name) => this.sync(name));
    const enqueueAll = () => {
      for (const r of this.roles.list()) if (r.aggregationRule) this.queue.add(r.metadata.name);
    };
    this.roles = informers.for('clusterroles.rbac.authorization.k8s.io').on({ add: enqueueAll, update: enqueueAll, delete: enqueueAll });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.roles);
  }

  stop(): void {
    this.queue.stop();
    this.informers.release(this.roles);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async sync(name: string): Promise<void> {
    const role = this.roles.get(undefined, name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list());
    // equality.Semantic.DeepEqual: an empty list equals a missing one.
    if (isDeepStrictEqual(rules, role.rules ?? [])) return;
    const def = this.api.resource('clusterroles.rbac.authorization.k8s.io');
    try {
      await this.api.apply(def, undefined, name, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules }, { fieldManager: AGGREGATION_MANAGER, force: true });
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
  }
}
