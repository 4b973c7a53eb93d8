// The scheduler's volume plugins (pkg/scheduler/framework/plugins/):
//
// - VolumeRestrictions (volumerestrictions/volume_restrictions.go): a claim with the
//   ReadWriteOncePod access mode already used by another pod makes every node Unschedulable (so
//   preemption may free it); a claim that does not exist is UnschedulableAndUnresolvable.
// - VolumeBinding (volumebinding/volume_binding.go, binder.go): PreFilter rejects a pod whose
//   claims are missing, being deleted, lost, or unbound with Immediate binding ("pod has unbound
//   immediate PersistentVolumeClaims"). Filter checks, per node, the node affinity of the volumes
//   of bound claims, and for unbound WaitForFirstConsumer claims finds a matching Available volume
//   whose node affinity admits the node, or a class that can provision there. Reserve assumes the
//   choices (a volume's claimRef, a claim's volume.kubernetes.io/selected-node annotation) so the
//   next pods see them; PreBind writes them and waits (polling each second, up to 600 s) until the
//   PV controller and the provisioner have bound every claim.
// - VolumeZone (volumezone/volume_zone.go): the zone and region labels of the volumes of bound
//   claims must match the node's, when the node has such labels.

import type { Obj } from '../api/objects.ts';
import type { APIServer } from '../api/apiserver.ts';
import { parseQuantity } from '../api/quantity.ts';
import type { Clock } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, claimClass, findMatchingVolume, volumeClass } from '../controllers/persistentvolume.ts';
import type { Cache, NodeInfo, PodInfo } from './cache.ts';
import { Code, nodeSelectorTermMatches, type Status } from './framework.ts';

export const ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_PV_NOT_EXISTS = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';
export const ERR_ZONE_CONFLICT = 'node(s) had no available volume zone';

/** The bind timeout (VolumeBindingArgs.BindTimeoutSeconds default) and the poll period of PreBind. */
export const BIND_TIMEOUT_MS = 600_000;
const BIND_POLL_MS = 1_000;

const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const ZONE_LABELS = ['failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region'];
const GA_LABEL: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};

function rejected(plugin: string, code: Code, reason: string): Status {
  return { code, reasons: [reason], plugin };
}

/** What PreFilter found for a pod with claims. */
export interface VolumeState {
  /** ReadWriteOncePod claims of the pod used by pods in the cache (conflictingPVCRefCount). */
  rwopConflicts: number;
  /** Fully bound claims. */
  bound: Obj[];
  /** Unbound claims of WaitForFirstConsumer classes. */
  delayed: Obj[];
  /** VolumeZone: the zone/region labels of the bound volumes. */
  zones: { key: string; values: Set<string> }[];
}

/** What Reserve assumed for a pod on a node, for PreBind and Unreserve. */
export interface VolumeDecisions {
  node: NodeInfo;
  /** Static bindings: the volume as assumed (claimRef set) and the claim. */
  bindings: { pv: Obj; claim: Obj }[];
  /** Claims to provision, as assumed (selected-node set). */
  provisions: Obj[];
}

const claimKey = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;

function hasAnnotation(o: Obj, k: string): boolean {
  return o.metadata?.annotations?.[k] !== undefined;
}

/** isPVCFullyBound: a volume name and pv.kubernetes.io/bind-completed. */
function fullyBound(pvc: Obj): boolean {
  return !!pvc.spec?.volumeName && hasAnnotation(pvc, ANN_BIND_COMPLETED);
}

/** volume.CheckNodeAffinity: the PV's required node selector terms (ORed) admit the node. */
export function volumeNodeAffinityOk(pv: Obj, ni: NodeInfo): boolean {
  const terms: Obj[] | undefined = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!pv.spec?.nodeAffinity?.required) return true;
  for (const t of terms ?? []) if (nodeSelectorTermMatches(t, ni)) return true;
  return false;
}

/** MatchTopologySelectorTerms: no terms admit every node; else one term whose every expression holds. */
function topologyOk(terms: Obj[] | undefined, labels: Record<string, string>): boolean {
  if (!terms?.length) return true;
  for (const t of terms) {
    const exprs: Obj[] = t.matchLabelExpressions ?? [];
    if (exprs.every((e) => labels[e.key] !== undefined && (e.values ?? []).includes(labels[e.key]))) return true;
  }
  return false;
}

function size(q: unknown): number {
  try {
    return parseQuantity(q as string);
  } catch {
    return 0;
  }
}

export class VolumeBinder {
  readonly claims: Informer;
  readonly volumes: Informer;
  readonly classes: Informer;
  /** The assume caches: volumes and claims as Reserve changed them, until PreBind is over. */
  private readonly assumedPV = new Map<string, Obj>();
  private readonly assumedClaim = new Map<string, Obj>();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    /** A cluster event that may help pods rejected by these plugins. */
    onEvent: (plugins: Set<string>) => void,
  ) {
    const claimEvent = new Set(['VolumeBinding', 'VolumeRestrictions', 'VolumeZone']);
    const volumeEvent = new Set(['VolumeBinding', 'VolumeZone']);
    this.claims = new Informer(api, api.resource('persistentvolumeclaims')).on({
      add: () => onEvent(claimEvent),
      update: () => onEvent(claimEvent),
    });
    this.volumes = new Informer(api, api.resource('persistentvolumes'))
      .addIndex('storageClass', (pv) => [volumeClass(pv)])
      .on({ add: () => onEvent(volumeEvent), update: () => onEvent(volumeEvent) });
    this.classes = new Informer(api, api.resource('storageclasses.storage.k8s.io')).on({
      add: () => onEvent(volumeEvent),
      update: () => onEvent(volumeEvent),
    });
  }

  async start(): Promise<void> {
    this.assumedPV.clear();
    this.assumedClaim.clear();
    await this.classes.start();
    await this.volumes.start();
    await this.claims.start();
  }

  stop(): void {
    this.claims.stop();
    this.volumes.stop();
    this.classes.stop();
  }

  private claim(ns: string, name: string): Obj | undefined {
    return this.assumedClaim.get(`${ns}/${name}`) ?? this.claims.get(ns, name);
  }

  private pv(name: string): Obj | undefined {
    return this.assumedPV.get(name) ?? this.volumes.get(undefined, name);
  }

  /** IsDelayBindingMode: the claim's class exists and binds WaitForFirstConsumer. */
  private delayBinding(pvc: Obj): boolean {
    const cls = claimClass(pvc);
    if (!cls) return false;
    return this.classes.get(undefined, cls)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /**
   * PreFilter of VolumeRestrictions, VolumeBinding and VolumeZone, in that order: undefined when
   * the pod has no claims (the plugins skip), a status when it is rejected on every node.
   */
  preFilter(pi: PodInfo, cache: Cache): VolumeState | Status | undefined {
    const pod = pi.pod;
    const vols: Obj[] = pod.spec?.volumes ?? [];
    if (!pi.claims.length) return undefined;
    const ns = pi.namespace;
    // VolumeRestrictions: persistentVolumeClaim volumes must exist; RWOP claims used elsewhere conflict.
    let rwopConflicts = 0;
    for (const v of vols) {
      const name = v?.persistentVolumeClaim?.claimName;
      if (name === undefined) continue;
      const pvc = this.claim(ns, name);
      if (!pvc) return rejected('VolumeRestrictions', Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" not found`);
      if ((pvc.spec?.accessModes ?? []).includes('ReadWriteOncePod') && (cache.claimUsers.get(`${ns}/${name}`) ?? 0) > 0) rwopConflicts++;
    }
    // VolumeBinding: podHasPVCs, then GetPodVolumeClaims.
    const claims: Obj[] = [];
    for (const v of vols) {
      let name: string;
      const ephemeral = !!v?.ephemeral && !v?.persistentVolumeClaim;
      if (v?.persistentVolumeClaim) name = v.persistentVolumeClaim.claimName;
      else if (ephemeral) name = `${pod.metadata.name}-${v.name}`;
      else continue;
      const pvc = this.claim(ns, name);
      if (!pvc) {
        const msg = ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`;
        return rejected('VolumeBinding', Code.UnschedulableAndUnresolvable, msg);
      }
      if (pvc.status?.phase === 'Lost') return rejected('VolumeBinding', Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${pvc.spec?.volumeName ?? ''}"`);
      if (pvc.metadata.deletionTimestamp) return rejected('VolumeBinding', Code.UnschedulableAndUnresolvable, `persistentvolumeclaim "${name}" is being deleted`);
      if (ephemeral) {
        const owner = (pvc.metadata.ownerReferences ?? []).find((o: Obj) => o.controller === true);
        if (!owner || owner.uid !== pod.metadata.uid) {
          return rejected('VolumeBinding', Code.UnschedulableAndUnresolvable, `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)`);
        }
      }
      claims.push(pvc);
    }
    const bound: Obj[] = [];
    const delayed: Obj[] = [];
    let immediate = 0;
    for (const pvc of claims) {
      if (fullyBound(pvc)) bound.push(pvc);
      else if (this.delayBinding(pvc) && !pvc.spec?.volumeName) delayed.push(pvc);
      else immediate++;
    }
    if (immediate > 0) return rejected('VolumeBinding', Code.UnschedulableAndUnresolvable, ERR_UNBOUND_IMMEDIATE);
    // VolumeZone: the topology labels of the bound volumes.
    const zones: VolumeState['zones'] = [];
    for (const pvc of bound) {
      const pv = this.pv(pvc.spec.volumeName);
      if (!pv) return rejected('VolumeZone', Code.UnschedulableAndUnresolvable, `persistentvolume "${pvc.spec.volumeName}" not found`);
      const labels = pv.metadata.labels ?? {};
      for (const key of ZONE_LABELS) if (labels[key] !== undefined) zones.push({ key, values: new Set(String(labels[key]).split('__').map((z) => z.trim())) });
    }
    return { rwopConflicts, bound, delayed, zones };
  }

  /** Filter of VolumeRestrictions, VolumeBinding and VolumeZone, in that order. */
  filter(s: VolumeState, ni: NodeInfo): Status | undefined {
    if (s.rwopConflicts > 0) return rejected('VolumeRestrictions', Code.Unschedulable, ERR_RWOP_CONFLICT);
    const r = this.findPodVolumes(s, ni);
    if (r.reasons.length) return { code: Code.UnschedulableAndUnresolvable, reasons: r.reasons, plugin: 'VolumeBinding' };
    if (s.zones.length && ZONE_LABELS.some((k) => ni.labels[k] !== undefined)) {
      for (const z of s.zones) {
        const v = ni.labels[z.key] ?? (GA_LABEL[z.key] ? ni.labels[GA_LABEL[z.key]] : undefined);
        if (v === undefined || !z.values.has(v)) return rejected('VolumeZone', Code.UnschedulableAndUnresolvable, ERR_ZONE_CONFLICT);
      }
    }
    return undefined;
  }

  /** FindPodVolumes: the reasons a node does not suit the pod's volumes, and the choices when it does. */
  private findPodVolumes(s: VolumeState, ni: NodeInfo): { reasons: string[]; bindings: { pv: Obj; claim: Obj }[]; provisions: Obj[] } {
    const reasons: string[] = [];
    const bindings: { pv: Obj; claim: Obj }[] = [];
    const provisions: Obj[] = [];
    let boundOk = true;
    let boundFound = true;
    let unboundOk = true;
    // checkBoundClaims
    for (const pvc of s.bound) {
      const pv = this.pv(pvc.spec.volumeName);
      if (!pv) {
        boundFound = false;
        break;
      }
      if (!volumeNodeAffinityOk(pv, ni)) {
        boundOk = false;
        break;
      }
    }
    if (boundOk && boundFound && s.delayed.length) {
      const toMatch: Obj[] = [];
      const toProvision: Obj[] = [];
      for (const pvc of s.delayed) {
        const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
        if (selected !== undefined) {
          if (selected !== ni.name) {
            unboundOk = false;
            break;
          }
          toProvision.push(pvc);
        } else toMatch.push(pvc);
      }
      if (unboundOk) {
        // findMatchingVolumes: the smallest requests first, each volume chosen once.
        toMatch.sort((a, b) => size(a.spec?.resources?.requests?.storage) - size(b.spec?.resources?.requests?.storage));
        const chosen = new Set<string>();
        for (const pvc of toMatch) {
          const candidates = this.volumes.byIndex('storageClass', claimClass(pvc)).map((pv) => this.assumedPV.get(pv.metadata.name) ?? pv);
          const pv = findMatchingVolume(
            pvc,
            candidates.filter((pv) => !chosen.has(pv.metadata.name)),
            { delayBinding: true, nodeOk: (v) => volumeNodeAffinityOk(v, ni) },
          );
          if (pv) {
            chosen.add(pv.metadata.name);
            bindings.push({ pv, claim: pvc });
          } else toProvision.push(pvc);
        }
        // checkVolumeProvisions
        for (const pvc of toProvision) {
          const sc = this.classes.get(undefined, claimClass(pvc));
          if (!sc || !sc.provisioner || sc.provisioner === NO_PROVISIONER || !topologyOk(sc.allowedTopologies, ni.labels)) {
            unboundOk = false;
            break;
          }
          provisions.push(pvc);
        }
      }
    }
    if (!boundOk) reasons.push(ERR_NODE_CONFLICT);
    if (!unboundOk) reasons.push(ERR_BIND_CONFLICT);
    if (!boundFound) reasons.push(ERR_PV_NOT_EXISTS);
    return { reasons, bindings, provisions };
  }

  /** Reserve (AssumePodVolumes): the choices for the node, assumed so that the next pods see them. */
  reserve(s: VolumeState | undefined, ni: NodeInfo): VolumeDecisions | undefined {
    if (!s || !s.delayed.length) return undefined;
    const r = this.findPodVolumes(s, ni);
    const d: VolumeDecisions = { node: ni, bindings: [], provisions: [] };
    for (const { pv, claim } of r.bindings) {
      const annotations = { ...pv.metadata.annotations };
      // GetBindVolumeToClaim: bound-by-controller when the volume was not pre-bound to the claim.
      const ref = pv.spec?.claimRef;
      if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      const claimRef = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
      const assumed = { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef } };
      this.assumedPV.set(pv.metadata.name, assumed);
      d.bindings.push({ pv: assumed, claim });
    }
    for (const pvc of r.provisions) {
      const assumed = { ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, [ANN_SELECTED_NODE]: ni.name } } };
      this.assumedClaim.set(claimKey(pvc), assumed);
      d.provisions.push(assumed);
    }
    return d;
  }

  /** Unreserve (RevertAssumedPodVolumes), and the end of PreBind: the informers know from here on. */
  forget(d: VolumeDecisions): void {
    for (const b of d.bindings) if (this.assumedPV.get(b.pv.metadata.name) === b.pv) this.assumedPV.delete(b.pv.metadata.name);
    for (const c of d.provisions) if (this.assumedClaim.get(claimKey(c)) === c) this.assumedClaim.delete(claimKey(c));
  }

  /** PreBind (BindPodVolumes): write the choices, then wait until every claim is bound. Throws with the reason. */
  async preBind(d: VolumeDecisions, stopped: () => boolean): Promise<void> {
    const pvDef = this.api.resource('persistentvolumes');
    const pvcDef = this.api.resource('persistentvolumeclaims');
    // bindAPIUpdate
    for (const b of d.bindings) await this.api.update(pvDef, undefined, b.pv.metadata.name, b.pv);
    for (const c of d.provisions) await this.api.update(pvcDef, c.metadata.namespace, c.metadata.name, c);
    const deadline = this.clock.now() + BIND_TIMEOUT_MS;
    for (;;) {
      await new Promise<void>((r) => this.clock.setTimeout(r, BIND_POLL_MS));
      if (stopped()) throw new Error('context canceled');
      let done: boolean;
      try {
        done = this.checkBindings(d);
      } catch (e) {
        throw new Error(`binding volumes: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (done) return;
      if (this.clock.now() >= deadline) throw new Error('binding volumes: context deadline exceeded');
    }
  }

  /** checkBindings: true when all is bound; throws when a binding cannot complete any more. */
  private checkBindings(d: VolumeDecisions): boolean {
    const ni = d.node;
    const affinity = (pv: Obj) => {
      if (!volumeNodeAffinityOk(pv, ni)) throw new Error(`pv "${pv.metadata.name}" node affinity doesn't match node "${ni.name}": no matching NodeSelectorTerms`);
    };
    let done = true;
    for (const b of d.bindings) {
      const pv = this.volumes.get(undefined, b.pv.metadata.name);
      const pvc = this.claims.get(b.claim.metadata.namespace, b.claim.metadata.name);
      if (!pv) throw new Error(`failed to check binding: cannot get PersistentVolume ${b.pv.metadata.name}`);
      if (!pvc) throw new Error(`failed to check binding: cannot get PersistentVolumeClaim ${claimKey(b.claim)}`);
      affinity(pv);
      if (!pv.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv "${pv.metadata.name}"`);
      if (!fullyBound(pvc)) done = false;
    }
    for (const c of d.provisions) {
      const pvc = this.claims.get(c.metadata.namespace, c.metadata.name);
      if (!pvc) throw new Error(`failed to check provisioning pvc: cannot get PersistentVolumeClaim ${claimKey(c)}`);
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      if (selected === undefined) throw new Error(`selectedNode annotation reset for PVC "${pvc.metadata.name}"`);
      if (selected !== ni.name) throw new Error(`provisioning failed for PVC "${pvc.metadata.name}"`);
      if (pvc.spec?.volumeName) {
        const pv = this.volumes.get(undefined, pvc.spec.volumeName);
        if (!pv) {
          done = false;
          continue;
        }
        affinity(pv);
      }
      if (!fullyBound(pvc)) done = false;
    }
    return done;
  }
}
