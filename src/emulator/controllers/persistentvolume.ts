// The PersistentVolume controller of kube-controller-manager
// (pkg/controller/volume/persistentvolume/pv_controller.go, index.go, util): binds claims to
// volumes and keeps their phases, and reclaims released volumes; and minikube's storage-provisioner
// (k8s.io/minikube-hostpath, pkg/storage/storage_provisioner.go over
// sig-storage-lib-external-provisioner), which makes a hostPath PV for each claim of its class.
//
// Claims (syncClaim): an unbound claim binds to the smallest Available volume that matches it
// (storageClassName, accessModes, capacity, volumeMode, selector), a volume pre-bound to it
// (claimRef) first, or to the volume it names (spec.volumeName). With none, a claim of a class
// whose provisioner is external gets the storage-provisioner annotations and an
// ExternalProvisioning event; a claim of no class gets FailedBinding. A bound claim whose volume
// went away is Lost. Binding writes, as Kubernetes does: the PV's claimRef (and
// pv.kubernetes.io/bound-by-controller), its phase Bound; the claim's volumeName and
// pv.kubernetes.io/bind-completed (and bound-by-controller), its phase Bound, capacity and
// accessModes.
//
// Volumes (syncVolume): no claimRef → Available; the claim gone → Released, then the reclaim
// policy: Retain keeps it Released; Delete removes the provisioned volume and its data (a volume
// no plug-in can delete goes Failed with VolumeFailedDelete); Recycle scrubs it and makes it
// Available again.

import { randomUUID } from 'node:crypto';
import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { rfc3339, type Obj } from '../api/objects.ts';
import { parseQuantity } from '../api/quantity.ts';
import { labelSelectorFromObject, matchesLabels } from '../api/selectors.ts';
import type { Clock } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer } from '../client/informer.ts';
import type { SharedInformers } from '../client/informer-factory.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { HOSTPATH_PROVISIONER_DIR, MINIKUBE_PROVISIONER } from '../runtime/volumes.ts';
import { POD_PVC_INDEX, podPVCIndex } from './pvc-protection.ts';

export { HOSTPATH_PROVISIONER_DIR, MINIKUBE_PROVISIONER };

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** What the controller needs of the volumes' data (runtime/volumes.ts VolumeHost). */
export interface VolumeDataStore {
  deletePVData(pv: Obj): void;
}

/** The `standard` StorageClass minikube's storage-provisioner addon installs (deploy/addons/storageclass). */
export function standardStorageClass(): Obj {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: 'standard',
      labels: { 'addonmanager.kubernetes.io/mode': 'EnsureExists' },
      annotations: { [ANN_DEFAULT_CLASS]: 'true' },
    },
    provisioner: MINIKUBE_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** Creates the `standard` StorageClass unless it exists (a restored cluster has it). */
export async function bootstrapStorageClass(api: APIServer): Promise<void> {
  const def = api.resource('storageclasses.storage.k8s.io');
  if (await api.tryGet(def, undefined, 'standard')) return;
  try {
    await api.create(def, undefined, standardStorageClass());
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
  }
}

export function isDefaultClass(sc: Obj): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/**
 * The default StorageClass (util.GetDefaultClass): of several, the newest, then the name first
 * in order; undefined when none is marked default.
 */
export function defaultClassOf(classes: Obj[]): Obj | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    return tb - ta || String(a.metadata.name).localeCompare(String(b.metadata.name));
  });
  return defaults[0];
}

/** storagehelpers.GetPersistentVolumeClaimClass. */
export function claimClass(pvc: Obj): string {
  return pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

/** storagehelpers.GetPersistentVolumeClass. */
export function volumeClass(pv: Obj): string {
  return pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

function quantity(q: unknown): number {
  try {
    return parseQuantity(q as string);
  } catch {
    return 0;
  }
}

const claimKey = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;
const UNBOUND_INDEX = 'unbound';

/** IsVolumeBoundToClaim: the PV's claimRef names this claim (and its uid, when the ref has one). */
function boundToClaim(pv: Obj, pvc: Obj): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

export interface MatchOptions {
  /** The claim's class binds late (WaitForFirstConsumer): without a node only pre-bound volumes match. */
  delayBinding?: boolean;
  /** The scheduler's path: whether the volume's node affinity admits the node. */
  nodeOk?: (pv: Obj) => boolean;
}

/** FindMatchingVolume (pkg/controller/volume/persistentvolume/util/util.go). */
export function findMatchingVolume(pvc: Obj, volumes: Iterable<Obj>, opts: MatchOptions = {}): Obj | undefined {
  const request = quantity(pvc.spec?.resources?.requests?.storage);
  const cls = claimClass(pvc);
  const wanted: string[] = pvc.spec?.accessModes ?? [];
  const mode = pvc.spec?.volumeMode ?? 'Filesystem';
  let selector: ReturnType<typeof labelSelectorFromObject> = null;
  if (pvc.spec?.selector) {
    try {
      selector = labelSelectorFromObject(pvc.spec.selector);
    } catch {
      return undefined;
    }
  }
  let best: Obj | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode) continue;
    const size = quantity(pv.spec?.capacity?.storage);
    if (size < request) continue;
    const nodeOk = !opts.nodeOk || opts.nodeOk(pv);
    if (boundToClaim(pv, pvc)) {
      // Pre-bound to this claim: taken, unless its node affinity rules the node out.
      return nodeOk ? pv : undefined;
    }
    if (!opts.nodeOk && opts.delayBinding) continue;
    if (pv.spec?.claimRef) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !matchesLabels(selector, pv.metadata.labels ?? {})) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!nodeOk) continue;
    const has: string[] = pv.spec?.accessModes ?? [];
    if (!wanted.every((m) => has.includes(m))) continue;
    if (!best || size < quantity(best.spec?.capacity?.storage)) best = pv;
  }
  return best;
}

export class PersistentVolumeController {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly events: EventRecorder;
  private readonly pods: Informer | undefined;
  /** Claims already told about external provisioning (an event once, as the controller's cache does). */
  private readonly announced = new Set<string>();
  private readonly queue = new WorkQueue(async (k) => {
    try {
      if (k.startsWith('claim:')) await this.syncClaim(k.slice(6));
      else await this.syncVolume(k.slice(7));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      // A conflict with another writer: the next event brings the key back; try once more now.
      if (e.code === 409) this.queue.add(k);
    }
  });

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    private readonly data?: VolumeDataStore,
    /** kube-controller-manager's shared informers: the pods (by claim) for the WaitForPodScheduled event. */
    private readonly informers?: SharedInformers,
  ) {
    this.events = new EventRecorder(api, clock, { component: 'persistentvolume-controller' });
    if (informers) {
      this.pods = informers.for('pods').addIndex(POD_PVC_INDEX, podPVCIndex);
      // A pod waiting to be scheduled: its delayed-binding claims say so (the controller's periodic resync does on a cluster).
      this.pods.on({
        add: (p) => {
          if (!p.spec?.nodeName) for (const k of podPVCIndex(p)) this.queue.add(`claim:${k}`);
        },
      });
    }
    const byClaim = (pv: Obj) => (pv.spec?.claimRef ? [`${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}`] : []);
    this.volumes = new Informer(api, api.resource('persistentvolumes')).addIndex('claim', byClaim).on({
      add: (pv) => this.onVolume(pv),
      update: (pv) => this.onVolume(pv),
      delete: (pv) => this.onVolume(pv, true),
    });
    // Claims without a volume yet: what a new volume or a new default class may concern (not every claim).
    this.claims = new Informer(api, api.resource('persistentvolumeclaims')).addIndex(UNBOUND_INDEX, (c) => (c.spec?.volumeName ? [] : [''])).on({
      add: (c) => this.queue.add(`claim:${claimKey(c)}`),
      update: (c) => this.queue.add(`claim:${claimKey(c)}`),
      delete: (c) => {
        this.announced.delete(claimKey(c));
        for (const pv of this.volumes.byIndex('claim', claimKey(c))) this.queue.add(`volume:${pv.metadata.name}`);
      },
    });
    this.classes = new Informer(api, api.resource('storageclasses.storage.k8s.io')).on({
      // A default class appears: claims without a class may get it (retroactive default assignment).
      add: () => {
        for (const c of this.claims.byIndex(UNBOUND_INDEX, '')) if (c.spec?.storageClassName === undefined) this.queue.add(`claim:${claimKey(c)}`);
      },
    });
  }

  private onVolume(pv: Obj, deleted = false): void {
    if (!deleted) this.queue.add(`volume:${pv.metadata.name}`);
    const ref = pv.spec?.claimRef;
    if (ref?.namespace && ref.name) this.queue.add(`claim:${ref.namespace}/${ref.name}`);
    // A new Available volume may suit a waiting claim.
    if (!deleted && !ref) for (const c of this.claims.byIndex(UNBOUND_INDEX, '')) this.queue.add(`claim:${claimKey(c)}`);
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.classes.start();
    await this.volumes.start();
    if (this.pods) await this.informers!.acquire(this.pods);
    await this.claims.start();
  }

  stop(): void {
    this.claims.stop();
    if (this.pods) this.informers!.release(this.pods);
    this.volumes.stop();
    this.classes.stop();
    this.queue.stop();
  }

  /** Settles once the work queue is empty (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async latestClaim(key: string): Promise<Obj | undefined> {
    const [ns, name] = key.split('/');
    return this.api.tryGet(this.api.resource('persistentvolumeclaims'), ns, name);
  }

  private async syncClaim(key: string): Promise<void> {
    const pvc = await this.latestClaim(key);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_BIND_COMPLETED] !== 'yes') return this.syncUnboundClaim(pvc);
    return this.syncBoundClaim(pvc);
  }

  private async syncUnboundClaim(pvc: Obj): Promise<void> {
    const pvDef = this.api.resource('persistentvolumes');
    if (!pvc.spec?.volumeName) {
      // Retroactive default StorageClass: a claim with no class at all gets the default one.
      if (pvc.spec?.storageClassName === undefined && !pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS]) {
        const def = defaultClassOf(this.classes.list());
        if (def) {
          await this.api.update(this.api.resource('persistentvolumeclaims'), pvc.metadata.namespace, pvc.metadata.name, { ...pvc, spec: { ...pvc.spec, storageClassName: def.metadata.name } });
          return;
        }
      }
      const cls = claimClass(pvc);
      const sc = cls ? this.classes.get(undefined, cls) : undefined;
      // IsDelayBindingMode: the scheduler binds (or asks to provision) once a pod uses the claim.
      const delayBinding = !!cls && sc?.volumeBindingMode === 'WaitForFirstConsumer';
      const pv = findMatchingVolume(pvc, this.volumes.list(), { delayBinding });
      if (pv) {
        await this.bind(pv, pvc);
        return;
      }
      // IsDelayBindingProvisioning: the scheduler chose a node (volume.kubernetes.io/selected-node).
      if (delayBinding && !pvc.metadata.annotations?.[ANN_SELECTED_NODE]) {
        await this.claimPending(pvc);
        await this.emitEventForUnboundDelayBindingClaim(pvc);
        return;
      }
      if (cls && sc) {
        await this.provisionClaim(pvc, sc);
        return;
      }
      await this.claimPending(pvc);
      if (cls && !sc) await this.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${cls}" not found`);
      else await this.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    // The user asked for a particular volume.
    const pv = this.volumes.get(undefined, pvc.spec.volumeName) ?? (await this.api.tryGet(pvDef, undefined, pvc.spec.volumeName));
    if (!pv) {
      await this.claimPending(pvc);
      return;
    }
    if (!pv.spec?.claimRef || boundToClaim(pv, pvc)) {
      await this.bind(pv, pvc);
      return;
    }
    await this.claimPending(pvc);
    await this.event(pvc, 'Warning', 'FailedBinding', `volume "${pv.metadata.name}" already bound to a different claim.`);
  }

  /** emitEventForUnboundDelayBindingClaim: WaitForFirstConsumer, or WaitForPodScheduled naming the pods not yet scheduled. */
  private async emitEventForUnboundDelayBindingClaim(pvc: Obj): Promise<void> {
    const names: string[] = [];
    for (const pod of this.pods?.byIndex(POD_PVC_INDEX, claimKey(pvc)) ?? []) {
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      if (!pod.spec?.nodeName) names.push(pod.metadata.name);
    }
    if (!names.length) return this.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    const message = names.length > 1 ? `waiting for pods ${names.join(',')} to be scheduled` : `waiting for pod ${names[0]} to be scheduled`;
    await this.event(pvc, 'Normal', 'WaitForPodScheduled', message);
  }

  private async syncBoundClaim(pvc: Obj): Promise<void> {
    const name = pvc.spec?.volumeName;
    const pv = name ? (this.volumes.get(undefined, name) ?? (await this.api.tryGet(this.api.resource('persistentvolumes'), undefined, name))) : undefined;
    if (!pv) {
      if (pvc.status?.phase !== 'Lost') {
        await this.setClaimStatus(pvc, { phase: 'Lost' });
        await this.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      return;
    }
    if (!pv.spec?.claimRef) {
      // The volume lost its half of the binding: bind it again.
      await this.bind(pv, pvc);
      return;
    }
    if (boundToClaim(pv, pvc)) {
      await this.bind(pv, pvc);
      return;
    }
    if (pvc.status?.phase !== 'Lost') {
      await this.setClaimStatus(pvc, { phase: 'Lost' });
      await this.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  /** bind(): both halves, PV first (bindVolumeToClaim, updateVolumePhase, bindClaimToVolume, updateClaimStatus). */
  private async bind(pv: Obj, pvc: Obj): Promise<void> {
    const pvDef = this.api.resource('persistentvolumes');
    const pvcDef = this.api.resource('persistentvolumeclaims');
    let vol = pv;
    const ref = vol.spec?.claimRef;
    if (!ref || ref.uid !== pvc.metadata.uid || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) {
      const annotations = { ...vol.metadata.annotations };
      if (!ref) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      const claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
      vol = await this.api.update(pvDef, undefined, vol.metadata.name, { ...vol, metadata: { ...vol.metadata, annotations }, spec: { ...vol.spec, claimRef } });
    }
    if (vol.status?.phase !== 'Bound') vol = await this.setVolumePhase(vol, 'Bound');
    let claim = pvc;
    const ann = claim.metadata.annotations ?? {};
    if (claim.spec?.volumeName !== vol.metadata.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const annotations = { ...ann, [ANN_BIND_COMPLETED]: 'yes' };
      if (claim.spec?.volumeName !== vol.metadata.name) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      claim = await this.api.update(pvcDef, claim.metadata.namespace, claim.metadata.name, { ...claim, metadata: { ...claim.metadata, annotations }, spec: { ...claim.spec, volumeName: vol.metadata.name } });
    }
    const st = claim.status ?? {};
    const cap = vol.spec?.capacity ?? {};
    const modes = vol.spec?.accessModes ?? [];
    if (st.phase !== 'Bound' || JSON.stringify(st.capacity) !== JSON.stringify(cap) || JSON.stringify(st.accessModes) !== JSON.stringify(modes)) {
      await this.setClaimStatus(claim, { phase: 'Bound', accessModes: modes, capacity: cap });
    }
  }

  /** provisionClaim for an external provisioner: annotate the claim and say so, once. */
  private async provisionClaim(pvc: Obj, sc: Obj): Promise<void> {
    const ann = pvc.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== sc.provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== sc.provisioner) {
      const annotations = { ...ann, [ANN_BETA_STORAGE_PROVISIONER]: sc.provisioner, [ANN_STORAGE_PROVISIONER]: sc.provisioner };
      pvc = await this.api.update(this.api.resource('persistentvolumeclaims'), pvc.metadata.namespace, pvc.metadata.name, { ...pvc, metadata: { ...pvc.metadata, annotations } });
    }
    await this.claimPending(pvc);
    if (!this.announced.has(claimKey(pvc))) {
      this.announced.add(claimKey(pvc));
      await this.event(
        pvc,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that your external provisioner is running and correctly registered.`,
      );
    }
  }

  private async claimPending(pvc: Obj): Promise<void> {
    if (pvc.status?.phase !== 'Pending') await this.setClaimStatus(pvc, { phase: 'Pending' });
  }

  private async setClaimStatus(pvc: Obj, status: Obj): Promise<Obj> {
    const next: Obj = { ...pvc.status, ...status };
    if (status.phase !== 'Bound') {
      delete next.capacity;
      delete next.accessModes;
    }
    return this.api.update(this.api.resource('persistentvolumeclaims'), pvc.metadata.namespace, pvc.metadata.name, { ...pvc, status: next }, { subresource: 'status' });
  }

  private async setVolumePhase(pv: Obj, phase: string, message?: string): Promise<Obj> {
    const status: Obj = { ...pv.status, phase };
    if (pv.status?.phase !== phase) status.lastPhaseTransitionTime = rfc3339(this.clock.now());
    if (message) status.message = message;
    else delete status.message;
    return this.api.update(this.api.resource('persistentvolumes'), undefined, pv.metadata.name, { ...pv, status }, { subresource: 'status' });
  }

  private async syncVolume(name: string): Promise<void> {
    const pvDef = this.api.resource('persistentvolumes');
    const pv = await this.api.tryGet(pvDef, undefined, name);
    // A volume being deleted still gets its phase (Released lets pv-protection remove its finalizer).
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    if (!ref.uid) {
      // Reserved for a claim that the claim sync will bind.
      if (pv.status?.phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    const pvc = await this.api.tryGet(this.api.resource('persistentvolumeclaims'), ref.namespace, ref.name);
    if (pvc && pvc.metadata.uid === ref.uid) {
      if (pvc.spec?.volumeName === pv.metadata.name) {
        if (pv.status?.phase !== 'Bound') await this.setVolumePhase(pv, 'Bound');
      } else if (pv.status?.phase !== 'Available' && pv.status?.phase !== 'Bound') {
        await this.setVolumePhase(pv, 'Available');
      }
      this.queue.add(`claim:${claimKey(pvc)}`);
      return;
    }
    // The claim is gone: released, then reclaimed.
    let vol = pv;
    if (vol.status?.phase !== 'Released' && vol.status?.phase !== 'Failed') vol = await this.setVolumePhase(vol, 'Released');
    if (vol.status?.phase === 'Failed') return;
    await this.reclaim(vol);
  }

  /** reclaimVolume: Retain, Delete, Recycle. */
  private async reclaim(pv: Obj): Promise<void> {
    const pvDef = this.api.resource('persistentvolumes');
    switch (pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Retain':
        return;
      case 'Delete': {
        const provisioner = pv.metadata.annotations?.[ANN_PROVISIONED_BY];
        if (provisioner === MINIKUBE_PROVISIONER) {
          // The external provisioner deletes what it made (and its directory).
          this.data?.deletePVData(pv);
          try {
            await this.api.delete(pvDef, undefined, pv.metadata.name);
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
          return;
        }
        const msg = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
        await this.setVolumePhase(pv, 'Failed', msg);
        await this.event(pv, 'Warning', 'VolumeFailedDelete', msg);
        return;
      }
      case 'Recycle': {
        this.data?.deletePVData(pv);
        const spec = { ...pv.spec };
        delete spec.claimRef;
        const cur = await this.api.update(pvDef, undefined, pv.metadata.name, { ...pv, spec });
        await this.setVolumePhase(cur, 'Available');
        await this.event(pv, 'Normal', 'VolumeRecycled', 'Volume recycled');
        return;
      }
    }
  }

  private async event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const kind = obj.spec?.capacity && !obj.metadata.namespace ? 'PersistentVolume' : 'PersistentVolumeClaim';
    await this.events.record({ apiVersion: 'v1', kind, ...obj }, type, reason, message);
  }
}

/**
 * minikube's storage-provisioner: for each claim waiting on k8s.io/minikube-hostpath, a PV named
 * pvc-<claim uid> with hostPath /tmp/hostpath-provisioner/<namespace>/<claim>, pre-bound to the
 * claim, the class's reclaim policy, the claim's access modes and requested size.
 */
export class HostPathProvisioner {
  private readonly claims: Informer;
  private readonly events: EventRecorder;
  /** hostPathProvisionerIdentity: one per provisioner run. */
  readonly identity = randomUUID();
  private readonly queue = new WorkQueue(async (k) => {
    try {
      await this.provision(k);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  });

  constructor(
    private readonly api: APIServer,
    clock: Clock,
    /** The node the provisioner runs on (minikube's control plane). */
    node = 'minikube',
  ) {
    this.events = new EventRecorder(api, clock, { component: `${MINIKUBE_PROVISIONER}_${node}_${this.identity}` });
    const enqueue = (c: Obj) => {
      if (this.wants(c)) this.queue.add(claimKey(c));
    };
    this.claims = new Informer(api, api.resource('persistentvolumeclaims')).on({ add: enqueue, update: enqueue });
  }

  private wants(c: Obj): boolean {
    const a = c.metadata.annotations ?? {};
    return !c.spec?.volumeName && !c.metadata.deletionTimestamp && (a[ANN_STORAGE_PROVISIONER] === MINIKUBE_PROVISIONER || a[ANN_BETA_STORAGE_PROVISIONER] === MINIKUBE_PROVISIONER);
  }

  async start(): Promise<void> {
    this.queue.start();
    await this.claims.start();
  }

  stop(): void {
    this.claims.stop();
    this.queue.stop();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async provision(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pvc = await this.api.tryGet(this.api.resource('persistentvolumeclaims'), ns, name);
    if (!pvc || !this.wants(pvc)) return;
    const pvName = `pvc-${pvc.metadata.uid}`;
    const pvDef = this.api.resource('persistentvolumes');
    if (await this.api.tryGet(pvDef, undefined, pvName)) return;
    const cls = claimClass(pvc);
    const sc = cls ? await this.api.tryGet(this.api.resource('storageclasses.storage.k8s.io'), undefined, cls) : undefined;
    if (!sc || sc.provisioner !== MINIKUBE_PROVISIONER) return;
    // shouldProvision: a claim of a WaitForFirstConsumer class waits for the scheduler's node.
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata.annotations?.[ANN_SELECTED_NODE]) return;
    const claimObj = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...pvc };
    await this.events.record(claimObj, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`);
    const pv: Obj = {
      metadata: {
        name: pvName,
        annotations: { hostPathProvisionerIdentity: this.identity, [ANN_PROVISIONED_BY]: MINIKUBE_PROVISIONER },
      },
      spec: {
        accessModes: pvc.spec?.accessModes,
        capacity: { storage: pvc.spec?.resources?.requests?.storage },
        claimRef: { kind: 'PersistentVolumeClaim', namespace: ns, name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion },
        hostPath: { path: `${HOSTPATH_PROVISIONER_DIR}/${ns}/${name}`, type: '' },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: cls,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        ...(sc.mountOptions ? { mountOptions: sc.mountOptions } : {}),
      },
    };
    try {
      await this.api.create(pvDef, undefined, pv);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) return;
      await this.events.record(claimObj, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${cls}": ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await this.events.record(claimObj, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }
}
