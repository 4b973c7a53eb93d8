// A rolling update at scale (issue 6): a 1,000-replica Deployment (RollingUpdate, maxSurge 25%,
// maxUnavailable 25%) on 15 nodes (110 pods each: room for the 1,250 pods of the surge) is moved
// to a new image, and the manual clock is advanced a second at a time until the rollout is complete
// (status.updatedReplicas = availableReplicas = replicas = spec.replicas at the current
// observedGeneration). Measured: wall time from the `set image` patch to complete, the emulated
// time it took, and every API write kube-controller-manager made meanwhile, by kind, next to what
// Kubernetes' controllers would issue for the same rollout.
//
// Writes are counted with a hook on the apiserver's write methods that looks at which component's
// view (`api.as('kube-controller-manager')`) made the call; nothing the controllers do changes.
//
// What Kubernetes issues (pkg/controller/deployment/rolling.go, util/deployment_util.go,
// pkg/controller/replicaset/replica_set.go, client-go tools/record/events_cache.go), for R = 1,000
// replicas, surge S = ceil(25% R) = 250, unavailable U = floor(25% R) = 250, minAvailable = R - U,
// maxTotal = R + S. How many scale steps there are depends on how the new pods' availability
// reaches the controllers, so two columns:
//
//  - Pods: every new pod is created once by the new ReplicaSet and every old one deleted once by
//    the old one (manageReplicas): R creates, R deletes, whatever the steps. The scheduler binds
//    them and the kubelet finishes the graceful deletions; kube-controller-manager writes no more.
//  - ReplicaSets: one create (getNewReplicaSet: replicas = NewRSNewReplicas = min(maxTotal - R, R)
//    = S). Each sync first grows the new one by min(maxTotal - Σ spec.replicas, R - new)
//    (reconcileNewReplicaSet), then shrinks the old one by the available pods above minAvailable,
//    at most maxScaledDown = Σ spec - minAvailable - the new one's unavailable pods
//    (reconcileOldReplicaSets). Sync 1: new created at S, old R → R - U (all R old pods available).
//    Sync 2: Σ spec = R: new S → S + U = R/2. From then on:
//      one new pod available at a time: each one lets the old shrink by 1, which lets the new grow
//      by 1, until the new is at R (R/2 pods: R/2 + R/2 updates, old now at R/4), then each of the
//      last R/4 lets the old shrink by 1: 2 + R/2 + R/2 + R/4 = 2 + 5R/4 updates (1,252);
//      each instant's pods available together (created together, same start-up time): the R/2
//      first new pods: old 3R/4 → R/4, new R/2 → R; the last R/2: old R/4 → 0: 2 + 3 = 5 updates.
//  - ReplicaSet status (updateReplicaSetStatus, when a count or observedGeneration changed): each
//    scale writes twice (observedGeneration with the counts the sync started from, then the count
//    once the pod created or deleted is seen), the new one once more per readiness change (R one by
//    one), and 2 for the new ReplicaSet's first syncs: 2(2 + 5R/4) + R + 2 = 3,506 one at a time;
//    with batches, 2 per scale and 1 per batch: about 2·5 + 2 + 2 = 14.
//  - Deployment status (syncRolloutStatus: UpdateStatus when calculateStatus differs): one at a
//    time, each of the first R/2 steps changes it 4 times (available and unavailable after the old
//    one's scale, the old one's replicas, the new one's scale, its replicas), each of the next R/4
//    3 times, each of the last R/4 once, and 7 writes before the first pod is available (the
//    revision annotation with NewReplicaSetCreated, the counts as pods are created and deleted):
//    2R + 3R/4 + R/4 + 7 = 3R + 7 (3,007). With batches, about one per ReplicaSet status write.
//  - Events: ScalingReplicaSet per scale and SuccessfulCreate/SuccessfulDelete per pod are R + R +
//    steps calls to the recorders, but client-go's EventCorrelator lets a source write at most a
//    burst of 25 events about one object (EventSourceObjectSpamFilter, refilled at 1 per 300 s),
//    and from the 10th event differing only by message it writes one "(combined from similar
//    events): ..." event and then patches its count (EventAggregator), so kube-controller-manager
//    writes 25 (10 creates, 15 patches) for the new ReplicaSet, 25 for the old one and min(25,
//    scale events) for the Deployment during a rollout of a few minutes.
//
// What the emulator does: the second column. The clock fires every timer due at one emulated
// instant before the work they start settles (clock.ts advance), so the pods that become Ready in
// the same emulated second reach the controllers together, as on a cluster (one at a time, the
// first column, it took 1,252 scale updates, 3,506 ReplicaSet and 3,007 Deployment status writes
// and a 2.5x longer run). Events go through client-go's correlator (client/events.ts): 25 per
// source and object, then one per 5 minutes, so the old ReplicaSet, which spent its budget
// creating the first 1,000 pods, records no SuccessfulDelete in this rollout.
//
// `node --expose-gc --import tsx bench/rollout.ts` runs it alone.

import { pathToFileURL } from 'node:url';
import { APIServer } from '../src/emulator/api/apiserver.ts';
import { createCluster } from '../src/emulator/cluster.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { table } from './lib/table.ts';

type Verb = 'create' | 'update' | 'patch' | 'delete';

/**
 * Counts the writes a component makes, by `verb resource[/subresource]`, by wrapping the
 * apiserver's write methods for the life of the returned handle.
 */
export function countWrites(component: string): { counts: Map<string, number>; active: boolean; dispose(): void } {
  const proto = APIServer.prototype as unknown as Record<Verb, (...args: unknown[]) => Promise<unknown>>;
  const saved = new Map<Verb, (...args: unknown[]) => Promise<unknown>>();
  const handle = { counts: new Map<string, number>(), active: false, dispose: () => saved.forEach((fn, verb) => (proto[verb] = fn)) };
  for (const verb of ['create', 'update', 'patch', 'delete'] as Verb[]) {
    const original = proto[verb];
    saved.set(verb, original);
    proto[verb] = function (this: { defaultManager?: string }, ...args: unknown[]) {
      if (handle.active && this.defaultManager === component) {
        const def = args[0] as { resource: string };
        // update(def, ns, name, body, opts) and create(def, ns, body, opts) carry the subresource in opts.
        const opts = (verb === 'update' ? args[4] : verb === 'create' ? args[3] : undefined) as { subresource?: string } | undefined;
        let k = `${verb} ${def.resource}${opts?.subresource ? `/${opts.subresource}` : ''}`;
        // Events by reason (a create carries it; a patch only bumps the count of an earlier one).
        if (def.resource === 'events' && verb === 'create') k += ` ${(args[2] as { reason?: string } | undefined)?.reason ?? ''}`;
        handle.counts.set(k, (handle.counts.get(k) ?? 0) + 1);
      }
      return original.apply(this, args);
    };
  }
  return handle;
}

export interface RolloutResult {
  replicas: number;
  nodes: number;
  wallMs: number;
  emulatedMs: number;
  complete: boolean;
  counts: Map<string, number>;
}

export async function rollout(replicas = 1_000, nodes = 15): Promise<RolloutResult> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const c = await createCluster({ nodes: 1, clock, noHttp: true });
  const counter = countWrites('kube-controller-manager');
  try {
    for (let i = 1; i < nodes; i++) await c.addNode({ cpu: '32', memory: '128Gi' });
    const dDef = c.api.resource('deployments.apps');
    const container = (image: string) => ({ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } });
    await c.api.create(dDef, 'default', {
      metadata: { name: 'web' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('nginx:1.26')] } },
      },
    });
    const complete = async () => {
      const d = await c.api.get(dDef, 'default', 'web');
      const s = d.status ?? {};
      return (
        (s.observedGeneration ?? 0) >= d.metadata.generation && s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas
      );
    };
    // The first rollout (not measured), then quiet seconds past the node controller's first
    // monitor period (its RegisteredNode events are not the rollout's).
    for (let i = 0; i < 600 && !(await complete()); i++) await c.advanceClock(1_000);
    for (let i = 0; i < 10; i++) await c.advanceClock(1_000);
    if (!(await complete())) throw new Error('the initial rollout did not complete');

    counter.active = true;
    const t0 = performance.now();
    const v0 = clock.now();
    // kubectl set image: a strategic merge patch of the container's image.
    await c.api.patch(dDef, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } });
    let done = false;
    for (let i = 0; i < 600 && !(done = await complete()); i++) await c.advanceClock(1_000);
    const wallMs = performance.now() - t0;
    const emulatedMs = clock.now() - v0;
    counter.active = false;
    return { replicas, nodes, wallMs, emulatedMs, complete: done, counts: new Map(counter.counts) };
  } finally {
    counter.dispose();
    await c.stop();
    clock.dispose();
  }
}

export async function rolloutBench(replicas = 1_000, nodes = 15): Promise<void> {
  const r = await rollout(replicas, nodes);
  table(
    `Rolling update: ${r.replicas}-replica Deployment to a new image, maxSurge 25% / maxUnavailable 25%, ${r.nodes} nodes, clock advanced 1 s a step`,
    ['replicas', 'complete', 'wall s (set image → complete)', 'emulated s'],
    [[r.replicas, r.complete ? 'yes' : 'NO', (r.wallMs / 1000).toFixed(1), (r.emulatedMs / 1000).toFixed(0)]],
  );
  const n = (k: string) => r.counts.get(k) ?? 0;
  // The expected counts of the derivation above (R a multiple of 4).
  const R = r.replicas;
  const steps1 = 2 + (5 * R) / 4;
  const rows: (string | number)[][] = [
    ['pod creates', n('create pods'), R, R],
    ['pod deletes', n('delete pods'), R, R],
    ['ReplicaSet creates', n('create replicasets'), 1, 1],
    ['ReplicaSet scale updates', n('update replicasets') + n('patch replicasets'), steps1, 5],
    ['ReplicaSet status', n('update replicasets/status'), 2 * steps1 + R + 2, '~14'],
    ['Deployment status', n('update deployments/status'), 3 * R + 7, '~14'],
    ['Deployment updates (spec)', n('update deployments') + n('patch deployments'), 0, 0],
    // client-go's correlator: per source and object a burst of 25 writes; from the 10th differing
    // message on, one "(combined from similar events)" event whose count is patched.
    ['events: ScalingReplicaSet', n('create events ScalingReplicaSet'), '25 (10 created, 15 count patches)', 6],
    ['events: SuccessfulCreate', n('create events SuccessfulCreate'), '25 (10 created, 15 count patches)', '25 (10 created, 15 count patches)'],
    ['events: SuccessfulDelete', n('create events SuccessfulDelete'), '25 (10 created, 15 count patches)', '25 (10 created, 15 count patches)'],
    ['events: count patches', n('patch events'), '(in the rows above)', '(in the rows above)'],
  ];
  const known = new Set(['create pods', 'delete pods', 'create replicasets', 'update replicasets', 'patch replicasets', 'update replicasets/status', 'update deployments/status', 'update deployments', 'patch deployments', 'create events ScalingReplicaSet', 'create events SuccessfulCreate', 'create events SuccessfulDelete', 'patch events']);
  for (const [k, v] of r.counts) if (!known.has(k)) rows.push([`other: ${k}`, v, '', '']);
  rows.push(['total', [...r.counts.values()].reduce((a, b) => a + b, 0), '', '']);
  table(
    'kube-controller-manager API writes during that rollout, against what Kubernetes issues (derivation in bench/rollout.ts)',
    ['writes', 'emulator', 'Kubernetes: one new pod available at a time', "Kubernetes: an instant's pods available together"],
    rows,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await rolloutBench(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 15));
}

