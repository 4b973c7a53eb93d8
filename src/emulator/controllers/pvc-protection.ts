// The pvc-protection and pv-protection controllers of kube-controller-manager
// (pkg/controller/volume/pvcprotection/pvc_protection_controller.go,
// pkg/controller/volume/pvprotection/pv_protection_controller.go).
//
// The StorageObjectInUseProtection admission plug-in puts kubernetes.io/pvc-protection on every
// new claim and kubernetes.io/pv-protection on every new volume; these controllers add them to
// objects that lack them, and remove them from objects being deleted once they are no longer used:
// a claim while a scheduled pod (of any phase, until the pod object is gone) names it in its
// volumes, or uses it as its generic ephemeral volume without being shut down; a volume while it
// is Bound. So `kubectl delete pvc` of a claim in use leaves it Terminating until its pods go.
//
// Pods reach the claims they use through an index of the shared pod informer ('pvc': namespace/claim),
// never a scan of the namespace's pods.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../api/admission/storage-object-in-use-protection.ts';
import type { Clock } from '../clock.ts';
import type { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue, type RetryPolicy } from '../client/workqueue.ts';

export { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER };

/** The pod informer's index of the claims a pod's volumes name (namespace/claim). */
export const POD_PVC_INDEX = 'pvc';

export function podPVCIndex(pod: Obj): string[] {
  const ns = pod.metadata.namespace ?? '';
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v?.ephemeral && v.name) out.push(`${ns}/${pod.metadata.name}-${v.name}`);
  }
  return out;
}

function retry(clock: Clock): RetryPolicy {
  return {
    clock,
    maxRetries: 15,
    maxDelayMs: 1_000_000,
    classify: (e) => {
      if (!(e instanceof ApiError)) return 'throw';
      if (e.code === 404) return 'drop';
      return e.code === 409 ? 'now' : 'later';
    },
  };
}

function hasFinalizer(o: Obj, f: string): boolean {
  return (o.metadata.finalizers ?? []).includes(f);
}

/** protectionutil.IsDeletionCandidate / NeedToAddFinalizer. */
function isDeletionCandidate(o: Obj, f: string): boolean {
  return !!o.metadata.deletionTimestamp && hasFinalizer(o, f);
}

function needToAddFinalizer(o: Obj, f: string): boolean {
  return !o.metadata.deletionTimestamp && !hasFinalizer(o, f);
}

/** podIsShutDown: deleted with a zero grace period (the kubelet is done with it, or it was forced). */
function podIsShutDown(pod: Obj): boolean {
  return !!pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** podUsesPVC: only a scheduled pod counts (the kubelet does not start a pod whose claim is being deleted). */
export function podUsesPVC(pod: Obj, pvc: Obj): boolean {
  if (!pod.spec?.nodeName) return false;
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName === pvc.metadata.name) return true;
    if (v?.ephemeral && !podIsShutDown(pod) && `${pod.metadata.name}-${v.name}` === pvc.metadata.name) {
      const owner = (pvc.metadata.ownerReferences ?? []).find((o: Obj) => o.controller === true);
      if (owner?.uid === pod.metadata.uid) return true;
    }
  }
  return false;
}

async function setFinalizers(api: APIServer, resource: string, o: Obj, finalizers: string[]): Promise<void> {
  const def = api.resource(resource);
  await api.update(def, o.metadata.namespace, o.metadata.name, { ...o, metadata: { ...o.metadata, finalizers } });
}

export class PVCProtectionController {
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: APIServer,
    clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new WorkQueue((k) => this.processPVC(k), retry(clock));
    this.claims = informers.for('persistentvolumeclaims').on({
      add: (c) => this.pvcAddedUpdated(c),
      update: (c) => this.pvcAddedUpdated(c),
    });
    this.pods = informers.for('pods').addIndex(POD_PVC_INDEX, podPVCIndex);
    this.pods.on({
      add: (p) => this.podAddedDeletedUpdated(p, false),
      update: (p) => this.podAddedDeletedUpdated(p, false),
      delete: (p) => this.podAddedDeletedUpdated(p, true),
    });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.claims);
    await this.informers.acquire(this.pods);
    // A shared informer already running replays nothing: look at every claim once.
    for (const c of this.claims.list()) this.pvcAddedUpdated(c);
  }

  stop(): void {
    this.queue.stop();
    this.informers.release(this.pods);
    this.informers.release(this.claims);
  }

  /** Settles once the queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private pvcAddedUpdated(pvc: Obj): void {
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      this.queue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
    }
  }

  /** A pod deleted, or one that may have stopped using its claims: the claims being deleted are looked at again. */
  private podAddedDeletedUpdated(pod: Obj, deleted: boolean): void {
    if (!deleted && !podIsShutDown(pod) && pod.spec?.nodeName) return;
    for (const key of podPVCIndex(pod)) {
      const [ns, name] = key.split('/');
      const pvc = this.claims.get(ns, name);
      if (pvc && isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) this.queue.add(key);
    }
  }

  private async processPVC(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pvc = this.claims.get(ns, name);
    if (!pvc) return;
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (this.isBeingUsed(pvc)) return;
      await setFinalizers(this.api, 'persistentvolumeclaims', pvc, (pvc.metadata.finalizers ?? []).filter((f: string) => f !== PVC_PROTECTION_FINALIZER));
      return;
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) {
      await setFinalizers(this.api, 'persistentvolumeclaims', pvc, [...(pvc.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER]);
    }
  }

  private isBeingUsed(pvc: Obj): boolean {
    for (const pod of this.pods.byIndex(POD_PVC_INDEX, `${pvc.metadata.namespace}/${pvc.metadata.name}`)) if (podUsesPVC(pod, pvc)) return true;
    return false;
  }
}

export class PVProtectionController {
  private readonly volumes: Informer;
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: APIServer,
    clock: Clock,
    private readonly informers: SharedInformers,
  ) {
    this.queue = new WorkQueue((k) => this.processPV(k), retry(clock));
    const added = (pv: Obj) => {
      if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) || isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata.name);
    };
    this.volumes = informers.for('persistentvolumes').on({ add: added, update: added });
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.informers.acquire(this.volumes);
    for (const pv of this.volumes.list()) if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER) || needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata.name);
  }

  stop(): void {
    this.queue.stop();
    this.informers.release(this.volumes);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async processPV(name: string): Promise<void> {
    const pv = this.volumes.get(undefined, name);
    if (!pv) return;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      // isBeingUsed: a Bound volume is in use.
      if (pv.status?.phase === 'Bound') return;
      await setFinalizers(this.api, 'persistentvolumes', pv, (pv.metadata.finalizers ?? []).filter((f: string) => f !== PV_PROTECTION_FINALIZER));
      return;
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) {
      await setFinalizers(this.api, 'persistentvolumes', pv, [...(pv.metadata.finalizers ?? []), PV_PROTECTION_FINALIZER]);
    }
  }
}
