// Node lifecycle controller, first slice (pkg/controller/nodelifecycle/node_lifecycle_controller.go):
// every 5 s it checks each node's Lease; a node silent for longer than the grace period (50 s since
// v1.32) gets its conditions set to Unknown ("Kubelet stopped posting node status.") and the
// node.kubernetes.io/unreachable taints; a node that reports Ready again gets them removed.
// Evicting pods from unreachable nodes (taint manager, 300 s tolerations) comes with the
// controller-manager issue.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { clone, rfc3339, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer } from '../client/informer.ts';

export const NODE_MONITOR_PERIOD_MS = 5_000;
export const NODE_MONITOR_GRACE_MS = 50_000;
const UNREACHABLE = 'node.kubernetes.io/unreachable';

export class NodeLifecycleController {
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private timer: TimerHandle | undefined;
  private readonly events: EventRecorder;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {
    this.nodes = new Informer(api, api.resource('nodes'));
    this.leases = new Informer(api, api.resource('leases.coordination.k8s.io'), { namespace: 'kube-node-lease' });
    this.events = new EventRecorder(api, clock, { component: 'node-controller' });
  }

  async start(): Promise<void> {
    await this.nodes.start();
    await this.leases.start();
    this.timer = this.clock.setInterval(() => void this.monitor(), NODE_MONITOR_PERIOD_MS);
  }

  stop(): void {
    this.timer?.cancel();
    this.nodes.stop();
    this.leases.stop();
  }

  /** One pass of monitorNodeHealth. */
  async monitor(): Promise<void> {
    const now = this.clock.now();
    for (const node of this.nodes.list()) {
      const lease = this.leases.get('kube-node-lease', node.metadata.name);
      const renew = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
      const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
      const silent = now - renew > NODE_MONITOR_GRACE_MS;
      try {
        if (silent && ready && ready.status !== 'Unknown') await this.markUnknown(node, now);
        else if (ready?.status === 'True') await this.setUnreachableTaints(node, false, now);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
      }
    }
  }

  private async markUnknown(node: Obj, now: number): Promise<void> {
    const next = clone(node);
    const ts = rfc3339(now);
    next.status.conditions = (next.status.conditions ?? []).map((c: Obj) => ({
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: ts,
    }));
    await this.api.update(this.api.resource('nodes'), undefined, node.metadata.name, next, { subresource: 'status' });
    await this.events.record(node, 'Normal', 'NodeNotReady', `Node ${node.metadata.name} status is now: NodeNotReady`);
    await this.setUnreachableTaints((await this.api.tryGet(this.api.resource('nodes'), undefined, node.metadata.name)) ?? node, true, now);
  }

  private async setUnreachableTaints(node: Obj, on: boolean, now: number): Promise<void> {
    const taints: Obj[] = node.spec?.taints ?? [];
    const has = taints.some((t) => t.key === UNREACHABLE);
    if (on === has) return;
    const rest = taints.filter((t) => t.key !== UNREACHABLE);
    const next = on
      ? [...rest, { key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: rfc3339(now) }]
      : rest;
    await this.api.patch(this.api.resource('nodes'), undefined, node.metadata.name, 'merge', { spec: { taints: next.length ? next : null } });
  }
}
