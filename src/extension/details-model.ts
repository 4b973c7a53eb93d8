// The details panel's view model (issue 8): one object of a LiveCluster turned into what the panel
// shows: key facts per kind (after `kubectl describe`, staging/src/k8s.io/kubectl/pkg/describe/
// describe.go), conditions, containers with their state, labels and annotations, owner and owned
// objects, related Services and config, the object's events (newest first), and its YAML as
// `kubectl get -o yaml` prints it (keys sorted, metadata.managedFields hidden by default since
// kubectl 1.21's --show-managed-fields=false). A Secret's values never enter the model unless the
// user revealed that key; the YAML masks them too.
//
// Languages (issue 9): what the extension says in its own words goes through l10n.t (section titles,
// notes, action titles); kubectl's words stay as kubectl prints them: the facts' labels and values
// (describe's keys, which users search for), kinds, field names and status values (Running, Complete).
//
// No `vscode` import: unit-tested under Node against an emulated cluster. The panel host loads it
// through the session bundle (see session.ts) so activation does not evaluate client-node.
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { closure, DEFINITIONS, definitionName } from '../emulator/api/schemas.ts';
import { toDiffYaml } from './diff.ts';
import * as l10n from './l10n.ts';
import type { LiveCluster } from './live.ts';
import { LIVE_RESOURCES, liveKindOf, refTo, type KubeObject, type LiveKind, type ResourceRef } from './resources.ts';
import type {
  Action,
  Condition,
  ContainerInfo,
  DetailsModel,
  EventRow,
  Link,
  LogOptions,
  SecretKey,
} from '../webview/details/protocol.ts';

export { refOf, refTo } from './resources.ts';
export type { DetailsModel };

/** What a Secret's value looks like in the YAML tab and the list while hidden. */
export const SECRET_MASK = '••••••';

export interface DetailsOptions {
  /** Secret keys the user revealed: their values go into the model (and the YAML tab). */
  revealed?: ReadonlySet<string>;
  /** The last state known of the object, shown when it is gone. */
  last?: KubeObject;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** `Kind name`, the panel's title. */
export function titleOf(ref: ResourceRef): string {
  return `${ref.kind} ${ref.name}`;
}

/** One key per object: one panel per object. */
export function refKey(ref: ResourceRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return `${ref.kind}.${group}/${ref.namespace ?? ''}/${ref.name}`;
}

function linkTo(kind: LiveKind, obj: KubeObject, from: ResourceRef, note?: string): Link {
  const ref = refTo(kind, obj);
  return { ref, label: labelOf(ref, from), note };
}

function labelOf(ref: ResourceRef, from: ResourceRef): string {
  return ref.namespace && ref.namespace !== from.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** A link to an object named by reference, marked missing when the cluster does not have it. */
function linkByName(live: LiveCluster, kind: LiveKind, namespace: string | undefined, name: string, from: ResourceRef, note?: string): Link {
  const r = LIVE_RESOURCES[kind];
  const obj = live.get(kind, r.namespaced ? namespace : undefined, name);
  if (obj) return linkTo(kind, obj, from, note);
  const ref: ResourceRef = { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespaced ? namespace : undefined, name };
  return { ref, label: labelOf(ref, from), missing: live.kindState(kind).state === 'ready', note };
}

/**
 * The model of the object `ref` names, from the live cluster; undefined when the object is not in
 * it and no last state is known. With `opts.last` and no live object, the last state marked deleted.
 */
export function buildDetails(live: LiveCluster, ref: ResourceRef, opts: DetailsOptions = {}): DetailsModel | undefined {
  const current = live.resolve(ref);
  const obj = current ?? opts.last;
  if (!obj) return undefined;
  const kind = liveKindOf(ref.apiVersion, ref.kind);
  const meta = obj.metadata ?? {};
  const self: ResourceRef = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: meta.namespace, name: meta.name ?? ref.name, uid: meta.uid };
  const model: DetailsModel = {
    ref: self,
    title: titleOf(self),
    deleted: !current,
    resourceVersion: meta.resourceVersion,
    createdAt: meta.creationTimestamp,
    facts: [],
    conditions: conditionsOf(obj),
    containers: [],
    labels: { ...(meta.labels ?? {}) },
    annotations: { ...(meta.annotations ?? {}) },
    owners: (meta.ownerReferences ?? []).map((o) => {
      const k = liveKindOf(o.apiVersion, o.kind);
      const found = k ? live.get(k, LIVE_RESOURCES[k].namespaced ? meta.namespace : undefined, o.name) : undefined;
      const oref: ResourceRef = { apiVersion: o.apiVersion, kind: o.kind, namespace: k && !LIVE_RESOURCES[k].namespaced ? undefined : meta.namespace, name: o.name, uid: o.uid };
      return { ref: oref, label: labelOf(oref, self), missing: k ? !found || found.metadata?.uid !== o.uid : undefined, note: o.controller ? 'controller' : undefined }; // the ownerReference's field, as in the YAML
    }),
    owned: meta.uid
      ? live
          .ownedBy(meta.uid)
          .map(({ kind: k, obj: o }) => linkTo(k, o, self, noteOf(k, o)))
          .sort((a, b) => a.label.localeCompare(b.label))
      : [],
    related: [],
    events: eventsOf(live, self, kind),
    yaml: '',
    yamlWithManagedFields: '',
    actions: actionsOf(self.kind, obj),
  };
  const facts = model.facts;
  const add = (label: string, value: unknown, links?: Link[]) => {
    if (links?.length || (value !== undefined && value !== null && value !== '')) facts.push({ label, value: str(value), links });
  };
  if (meta.namespace) add('Namespace', meta.namespace);
  if (meta.deletionTimestamp) add('Terminating since', meta.deletionTimestamp);

  switch (kind) {
    case 'pods':
      podFacts(live, obj, self, model, add);
      break;
    case 'deployments': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      // describe.go DeploymentDescriber: "Replicas: %d desired | %d updated | %d total | %d available | %d unavailable".
      add('Replicas', `${s.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`);
      add('Ready', `${st.readyReplicas ?? 0}/${s.replicas ?? 1}`);
      add('StrategyType', s.strategy?.type ?? 'RollingUpdate');
      if ((s.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        const ru = s.strategy?.rollingUpdate ?? {};
        add('RollingUpdateStrategy', `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`);
      }
      add('Paused', s.paused ? 'true' : 'false');
      add('Selector', selectorText(s.selector));
      add('MinReadySeconds', s.minReadySeconds ?? 0);
      break;
    }
    case 'replicasets':
    case 'replicationcontrollers': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      add('Replicas', `${st.replicas ?? 0} current / ${s.replicas ?? 1} desired`);
      add('Ready', `${st.readyReplicas ?? 0}/${s.replicas ?? 1}`);
      add('Selector', kind === 'replicasets' ? selectorText(s.selector) : mapText(s.selector));
      break;
    }
    case 'statefulsets': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      add('Replicas', `${s.replicas ?? 1} desired | ${st.replicas ?? 0} total`);
      add('Ready', `${st.readyReplicas ?? 0}/${s.replicas ?? 1}`);
      add('Update Strategy', s.updateStrategy?.type ?? 'RollingUpdate');
      add('Service', s.serviceName);
      add('Selector', selectorText(s.selector));
      break;
    }
    case 'daemonsets': {
      const st = obj.status ?? {};
      add('Desired Number of Nodes Scheduled', st.desiredNumberScheduled ?? 0);
      add('Current Number of Nodes Scheduled', st.currentNumberScheduled ?? 0);
      add('Number of Nodes Scheduled with Up-to-date Pods', st.updatedNumberScheduled ?? 0);
      add('Number of Nodes Scheduled with Available Pods', st.numberAvailable ?? 0);
      add('Number of Nodes Misscheduled', st.numberMisscheduled ?? 0);
      add('Update Strategy', obj.spec?.updateStrategy?.type ?? 'RollingUpdate');
      add('Selector', selectorText(obj.spec?.selector));
      break;
    }
    case 'jobs': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      add('Completions', s.completions ?? '<unset>');
      add('Parallelism', s.parallelism ?? 1);
      add('Pods Statuses', `${st.active ?? 0} Active (${st.ready ?? 0} Ready) / ${st.succeeded ?? 0} Succeeded / ${st.failed ?? 0} Failed`);
      add('Start Time', st.startTime);
      add('Completed At', st.completionTime);
      add('Backoff Limit', s.backoffLimit ?? 6);
      break;
    }
    case 'cronjobs': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      add('Schedule', s.schedule);
      add('Concurrency Policy', s.concurrencyPolicy ?? 'Allow');
      add('Suspend', s.suspend ? 'True' : 'False');
      add('Last Schedule Time', st.lastScheduleTime ?? '<unset>');
      add('Active Jobs', (st.active ?? []).map((a: { name: string }) => a.name).join(', ') || '<none>');
      break;
    }
    case 'services':
      serviceFacts(live, obj, self, model, add);
      break;
    case 'nodes':
      nodeFacts(live, obj, self, model, add);
      break;
    case 'configmaps': {
      const keys = [...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {})].sort();
      add('Data', keys.length ? keys.join(', ') : '<none>');
      model.related.push({ title: l10n.t('Used by'), links: podsUsing(live, self, 'configMap') });
      break;
    }
    case 'secrets': {
      const data = (obj.data ?? {}) as Record<string, string>;
      const keys: SecretKey[] = Object.keys(data)
        .sort()
        .map((key) => {
          const k: SecretKey = { key, bytes: Buffer.from(str(data[key]), 'base64').length };
          if (opts.revealed?.has(key)) Object.assign(k, decodeSecretValue(str(data[key])));
          return k;
        });
      model.secret = { type: obj.type ?? 'Opaque', keys };
      add('Type', obj.type ?? 'Opaque');
      add('Data', keys.length === 1 ? l10n.t('1 key') : l10n.t('{0} keys', keys.length));
      model.related.push({ title: l10n.t('Used by'), links: podsUsing(live, self, 'secret') });
      break;
    }
    case 'persistentvolumeclaims': {
      const s = obj.spec ?? {};
      add('Status', obj.status?.phase);
      add('Volume', s.volumeName, s.volumeName ? [linkByName(live, 'persistentvolumes', undefined, s.volumeName, self)] : undefined);
      add('Capacity', obj.status?.capacity?.storage);
      add('Requested', s.resources?.requests?.storage);
      add('Access Modes', (obj.status?.accessModes ?? s.accessModes ?? []).join(', '));
      add('StorageClass', s.storageClassName);
      model.related.push({ title: l10n.t('Used by'), links: podsUsing(live, self, 'claim') });
      break;
    }
    case 'persistentvolumes': {
      const s = obj.spec ?? {};
      add('Status', obj.status?.phase);
      add('Capacity', s.capacity?.storage);
      add('Access Modes', (s.accessModes ?? []).join(', '));
      add('Reclaim Policy', s.persistentVolumeReclaimPolicy);
      add('StorageClass', s.storageClassName);
      if (s.claimRef?.name) add('Claim', '', [linkByName(live, 'persistentvolumeclaims', s.claimRef.namespace, s.claimRef.name, self)]);
      break;
    }
    case 'namespaces':
      add('Status', obj.status?.phase);
      break;
    case 'horizontalpodautoscalers': {
      const s = obj.spec ?? {};
      const st = obj.status ?? {};
      const target = s.scaleTargetRef ?? {};
      const tk = target.kind ? liveKindOf(target.apiVersion ?? 'apps/v1', target.kind) : undefined;
      add('Reference', `${target.kind}/${target.name}`, tk ? [linkByName(live, tk, meta.namespace, target.name, self)] : undefined);
      add('Min replicas', s.minReplicas ?? 1);
      add('Max replicas', s.maxReplicas);
      add('Replicas', `${st.currentReplicas ?? 0} current / ${st.desiredReplicas ?? 0} desired`);
      break;
    }
    case 'resourcequotas': {
      const hard = obj.status?.hard ?? obj.spec?.hard ?? {};
      const used = obj.status?.used ?? {};
      for (const r of Object.keys(hard).sort()) add(r, `${used[r] ?? '0'} / ${hard[r]}`);
      break;
    }
    case 'events':
      add('Type', obj.type);
      add('Reason', obj.reason);
      add('Message', obj.message);
      if (obj.involvedObject?.kind) {
        const io = obj.involvedObject;
        const k = liveKindOf(io.apiVersion ?? 'v1', io.kind);
        add('Object', `${io.kind}/${io.name}`, k ? [linkByName(live, k, io.namespace, io.name, self)] : undefined);
      }
      break;
    default:
      break;
  }

  if (kind !== 'nodes' && kind !== 'pods' && obj.spec?.template?.spec) {
    // A workload: its template's containers and what they reference.
    model.containers = templateContainers(obj.spec.template.spec);
    const refs = podReferences(live, obj.spec.template.spec, meta.namespace, self);
    if (refs.length) model.related.push({ title: l10n.t('Config and storage (pod template)'), links: refs });
  }
  if (kind === 'cronjobs' && obj.spec?.jobTemplate?.spec?.template?.spec) {
    model.containers = templateContainers(obj.spec.jobTemplate.spec.template.spec);
  }
  model.related = model.related.filter((r) => r.links.length > 0);

  const masked = maskedObject(obj, opts.revealed);
  const withoutManaged = structuredClone(masked);
  if (withoutManaged.metadata) delete withoutManaged.metadata.managedFields;
  model.yaml = toDiffYaml(withoutManaged);
  model.yamlWithManagedFields = toDiffYaml(masked);
  return model;
}

/** The object with a Secret's `data`/`stringData` values masked, except the revealed keys. */
export function maskedObject(obj: KubeObject, revealed?: ReadonlySet<string>): KubeObject {
  const c = structuredClone(obj);
  if (c.kind === 'Secret' || (c.apiVersion === 'v1' && c.data && c.type !== undefined)) {
    for (const field of ['data', 'stringData'] as const) {
      const d = c[field];
      if (d && typeof d === 'object') for (const k of Object.keys(d)) if (!(field === 'data' && revealed?.has(k))) d[k] = SECRET_MASK;
    }
    // The last applied configuration of `kubectl apply` carries the values too.
    const ann = c.metadata?.annotations;
    if (ann?.['kubectl.kubernetes.io/last-applied-configuration']) ann['kubectl.kubernetes.io/last-applied-configuration'] = SECRET_MASK;
  }
  return c;
}

/** A Secret's base64 value as shown when revealed: text when it is printable UTF-8, else base64. */
export function decodeSecretValue(b64: string): { value: string; encoding: 'text' | 'base64' } {
  const bytes = Buffer.from(b64, 'base64');
  const text = bytes.toString('utf8');
  // Round-trips and has no control characters other than tab and newlines: text.
  // eslint-disable-next-line no-control-regex
  if (Buffer.from(text, 'utf8').equals(bytes) && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return { value: text, encoding: 'text' };
  return { value: bytes.toString('base64'), encoding: 'base64' };
}

function noteOf(kind: LiveKind, o: KubeObject): string | undefined {
  if (kind === 'pods') return podStatusText(o);
  if (kind === 'replicasets') return l10n.t('{0}/{1} ready', o.status?.readyReplicas ?? 0, o.spec?.replicas ?? 1);
  // Complete and Running: the Job's condition and phase words, as kubectl shows them.
  if (kind === 'jobs') return o.status?.succeeded ? 'Complete' : o.status?.failed ? l10n.t('{0} failed', o.status.failed) : 'Running';
  return undefined;
}

/** The STATUS column of `kubectl get pods` (printers.go printPod, the common cases). */
export function podStatusText(pod: KubeObject): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const c of pod.status?.initContainerStatuses ?? []) {
    if (c.state?.terminated && c.state.terminated.exitCode !== 0) return `Init:${c.state.terminated.reason ?? 'Error'}`;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') return `Init:${c.state.waiting.reason}`;
  }
  for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
  }
  return reason;
}

type Add = (label: string, value: unknown, links?: Link[]) => void;

function podFacts(live: LiveCluster, pod: KubeObject, self: ResourceRef, model: DetailsModel, add: Add): void {
  const s = pod.spec ?? {};
  const st = pod.status ?? {};
  add('Status', podStatusText(pod));
  add('Phase', st.phase);
  add('Node', s.nodeName ?? '<none>', s.nodeName ? [linkByName(live, 'nodes', undefined, s.nodeName, self)] : undefined);
  add('IP', st.podIP ?? '<none>');
  add('QoS Class', st.qosClass);
  const statuses = [...(st.containerStatuses ?? [])];
  add('Restarts', statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0));
  add('Ready', `${statuses.filter((c) => c.ready).length}/${(s.containers ?? []).length}`);
  add('Start Time', st.startTime);
  add('Service Account', s.serviceAccountName);
  add('Priority', s.priority);
  if (st.reason || st.message) add('Reason', [st.reason, st.message].filter(Boolean).join(': '));
  model.containers = podContainers(pod);
  model.logContainers = [...(s.initContainers ?? []), ...(s.containers ?? []), ...(s.ephemeralContainers ?? [])].map((c: { name: string }) => c.name);
  // Services selecting the pod (the endpoints controller's rule: same namespace, selector ⊆ labels).
  const labels = pod.metadata?.labels ?? {};
  const services = live
    .list('services', pod.metadata?.namespace)
    .filter((svc) => {
      const sel = svc.spec?.selector as Record<string, string> | undefined;
      return sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);
    })
    .map((svc) => linkTo('services', svc, self, svc.spec?.clusterIP));
  model.related.push({ title: l10n.t('Services'), links: services });
  model.related.push({ title: l10n.t('Config and storage'), links: podReferences(live, s, pod.metadata?.namespace, self) });
}

/** ConfigMaps, Secrets and PVCs a pod spec references (volumes, envFrom, env valueFrom, projected, image pull secrets). */
function podReferences(live: LiveCluster, spec: any, namespace: string | undefined, self: ResourceRef): Link[] {
  const refs = new Map<string, { kind: LiveKind; name: string; optional: boolean }>();
  const note = (kind: LiveKind, name: string | undefined, optional?: boolean) => {
    if (!name) return;
    const key = `${kind}/${name}`;
    const prev = refs.get(key);
    refs.set(key, { kind, name, optional: (prev?.optional ?? true) && !!optional });
  };
  for (const v of spec?.volumes ?? []) {
    note('configmaps', v.configMap?.name, v.configMap?.optional);
    note('secrets', v.secret?.secretName, v.secret?.optional);
    note('persistentvolumeclaims', v.persistentVolumeClaim?.claimName);
    for (const src of v.projected?.sources ?? []) {
      note('configmaps', src.configMap?.name, src.configMap?.optional);
      note('secrets', src.secret?.name, src.secret?.optional);
    }
  }
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      note('configmaps', e.configMapRef?.name, e.configMapRef?.optional);
      note('secrets', e.secretRef?.name, e.secretRef?.optional);
    }
    for (const e of c.env ?? []) {
      note('configmaps', e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional);
      note('secrets', e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
    }
  }
  for (const s of spec?.imagePullSecrets ?? []) note('secrets', s.name, true);
  return [...refs.values()]
    // `optional`: the reference's field (configMapRef.optional...), as in the YAML.
    .map((r) => linkByName(live, r.kind, namespace, r.name, self, r.optional ? 'optional' : undefined))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Pods of the object's namespace whose spec references the ConfigMap, Secret or claim. */
function podsUsing(live: LiveCluster, self: ResourceRef, what: 'configMap' | 'secret' | 'claim'): Link[] {
  const kind: LiveKind = what === 'configMap' ? 'configmaps' : what === 'secret' ? 'secrets' : 'persistentvolumeclaims';
  const out: Link[] = [];
  for (const pod of live.list('pods', self.namespace)) {
    const refs = podReferences(live, pod.spec, self.namespace, self);
    if (refs.some((l) => l.ref.kind === LIVE_RESOURCES[kind].kind && l.ref.name === self.name)) out.push(linkTo('pods', pod, self, podStatusText(pod)));
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

function serviceFacts(live: LiveCluster, svc: KubeObject, self: ResourceRef, model: DetailsModel, add: Add): void {
  const s = svc.spec ?? {};
  add('Type', s.type ?? 'ClusterIP');
  add('IP', s.clusterIP);
  if (s.externalName) add('External Name', s.externalName);
  for (const p of s.ports ?? []) {
    // describe.go: "Port: <name> 80/TCP", "TargetPort: 8080/TCP", "NodePort: ...".
    add('Port', `${p.name ?? '<unset>'} ${p.port}/${p.protocol ?? 'TCP'} → ${p.targetPort ?? p.port}${p.nodePort ? ` (NodePort ${p.nodePort})` : ''}`);
  }
  add('Selector', mapText(s.selector) || '<none>');
  add('Session Affinity', s.sessionAffinity ?? 'None');
  const ep = live.get('endpoints', svc.metadata?.namespace, svc.metadata?.name ?? '');
  if (ep) {
    const addrs: string[] = [];
    for (const sub of ep.subsets ?? []) for (const a of sub.addresses ?? []) for (const p of sub.ports ?? [{ port: undefined }]) addrs.push(p.port ? `${a.ip}:${p.port}` : a.ip);
    add('Endpoints', addrs.join(', ') || '<none>');
  }
  const sel = s.selector as Record<string, string> | undefined;
  if (sel && Object.keys(sel).length) {
    const pods = live
      .list('pods', svc.metadata?.namespace)
      .filter((p) => Object.entries(sel).every(([k, v]) => p.metadata?.labels?.[k] === v))
      .map((p) => linkTo('pods', p, self, podStatusText(p)))
      .sort((a, b) => a.label.localeCompare(b.label));
    model.related.push({ title: l10n.t('Pods'), links: pods });
  }
}

function nodeFacts(live: LiveCluster, node: KubeObject, self: ResourceRef, model: DetailsModel, add: Add): void {
  const s = node.spec ?? {};
  const st = node.status ?? {};
  const ready = (st.conditions ?? []).find((c: Condition) => c.type === 'Ready');
  add('Ready', ready ? `${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'Unknown');
  add('Unschedulable', s.unschedulable ? 'true' : 'false');
  add('Taints', (s.taints ?? []).map((t: { key: string; value?: string; effect: string }) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') || '<none>');
  add('Roles', Object.keys(node.metadata?.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length)).join(',') || '<none>');
  add('Addresses', (st.addresses ?? []).map((a: { type: string; address: string }) => `${a.type}: ${a.address}`).join(', '));
  for (const r of ['cpu', 'memory', 'pods', 'ephemeral-storage']) {
    if (st.capacity?.[r] !== undefined) add(`Capacity ${r}`, `${st.capacity[r]} (allocatable ${st.allocatable?.[r] ?? '?'})`);
  }
  add('Kubelet Version', st.nodeInfo?.kubeletVersion);
  add('PodCIDR', s.podCIDR);
  const pods = live.podsOn(node.metadata?.name ?? '').map((p) => linkTo('pods', p, self, podStatusText(p)));
  add('Non-terminated Pods', pods.length);
  model.related.push({ title: l10n.t('Pods'), links: pods.sort((a, b) => a.label.localeCompare(b.label)) });
}

function conditionsOf(obj: KubeObject): Condition[] {
  const cs = obj.status?.conditions;
  if (!Array.isArray(cs)) return [];
  return cs.map((c: any) => ({
    type: str(c.type),
    status: str(c.status),
    reason: c.reason,
    message: c.message,
    lastTransitionTime: c.lastTransitionTime ?? c.lastUpdateTime ?? c.lastProbeTime,
  }));
}

function portsOf(c: any): string[] {
  return (c.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` (${p.name})` : ''}`);
}

/** A container state as describe.go's describeContainerState words it. */
function stateText(state: any): { state: string; detail: string } {
  if (state?.running) return { state: 'Running', detail: l10n.t('since {0}', state.running.startedAt ?? '?') };
  if (state?.waiting) return { state: 'Waiting', detail: [state.waiting.reason, state.waiting.message].filter(Boolean).join(': ') };
  if (state?.terminated) {
    const t = state.terminated;
    return { state: 'Terminated', detail: `${l10n.t('exit code {0}', t.exitCode)}${t.reason ? ` (${t.reason})` : ''}${t.finishedAt ? l10n.t(', finished {0}', t.finishedAt) : ''}` };
  }
  return { state: 'Unknown', detail: '' };
}

function podContainers(pod: KubeObject): ContainerInfo[] {
  const s = pod.spec ?? {};
  const st = pod.status ?? {};
  const out: ContainerInfo[] = [];
  const add = (role: ContainerInfo['role'], specs: any[], statuses: any[]) => {
    for (const c of specs ?? []) {
      const cs = (statuses ?? []).find((x: any) => x.name === c.name);
      const { state, detail } = stateText(cs?.state);
      const last = cs?.lastState && Object.keys(cs.lastState).length ? stateText(cs.lastState) : undefined;
      out.push({
        name: c.name,
        role,
        image: c.image ?? '',
        ready: cs?.ready,
        restarts: cs?.restartCount ?? 0,
        state,
        detail,
        lastState: last ? `${last.state}: ${last.detail}` : undefined,
        ports: portsOf(c),
      });
    }
  };
  add('init', s.initContainers, st.initContainerStatuses);
  add('container', s.containers, st.containerStatuses);
  add('ephemeral', s.ephemeralContainers, st.ephemeralContainerStatuses);
  return out;
}

function templateContainers(spec: any): ContainerInfo[] {
  return [
    ...(spec.initContainers ?? []).map((c: any) => ({ name: c.name, role: 'init' as const, image: c.image ?? '', restarts: 0, state: 'Template', detail: '', ports: portsOf(c) })),
    ...(spec.containers ?? []).map((c: any) => ({ name: c.name, role: 'container' as const, image: c.image ?? '', restarts: 0, state: 'Template', detail: '', ports: portsOf(c) })),
  ];
}

function selectorText(sel: any): string {
  if (!sel) return '<none>';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = String(e.operator);
    parts.push(op === 'Exists' ? e.key : op === 'DoesNotExist' ? `!${e.key}` : `${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',') || '<none>';
}

function mapText(m: Record<string, string> | undefined): string {
  return Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The object's events, newest first (describe.go: events whose involvedObject is the object). */
function eventsOf(live: LiveCluster, self: ResourceRef, kind: LiveKind | undefined): EventRow[] {
  const candidates = kind && LIVE_RESOURCES[kind].namespaced ? live.list('events', self.namespace) : live.list('events');
  const rows: (EventRow & { t: number })[] = [];
  for (const e of candidates) {
    const io = e.involvedObject ?? {};
    // describe.go searchEvents: kind, name, namespace and uid; a Node's events carry either its uid
    // (controllers) or its name as uid (the kubelet), and NodeDescriber asks for both.
    const sameUid = !self.uid || !io.uid || io.uid === self.uid || (self.kind === 'Node' && io.uid === self.name);
    const match = io.kind === self.kind && io.name === self.name && (io.namespace || undefined) === (self.namespace || undefined) && sameUid;
    if (!match) continue;
    const last = e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp;
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    // describe.go formatEventSource: "component, host" (or the reporting controller).
    const source = e.source?.component ? [e.source.component, e.source.host].filter(Boolean).join(', ') : str(e.reportingComponent ?? e.reportingController);
    rows.push({
      type: str(e.type),
      reason: str(e.reason),
      message: str(e.message).trim(),
      source,
      count: e.series?.count ?? e.count ?? 1,
      firstSeen: first,
      lastSeen: last,
      t: Date.parse(last ?? '') || 0,
    });
  }
  rows.sort((a, b) => b.t - a.t);
  return rows.map(({ t: _t, ...r }) => r);
}

/** The header's actions for a kind: the contract's command ids (issue 8); the actions engineer implements them. */
export function actionsOf(kind: string, obj: KubeObject): Action[] {
  const a: Action[] = [];
  const push = (command: string, title: string, icon: string) => a.push({ command: `kubeEmulator.${command}`, title, icon });
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'].includes(kind)) push('scale', l10n.t('Scale'), 'arrow-both');
  if (['Deployment', 'DaemonSet', 'StatefulSet'].includes(kind)) {
    push('rolloutRestart', l10n.t('Restart'), 'debug-restart');
    push('rollback', l10n.t('Rollback'), 'discard');
  }
  if (kind === 'Deployment') {
    if (obj.spec?.paused) push('resumeRollout', l10n.t('Resume'), 'debug-continue');
    else push('pauseRollout', l10n.t('Pause'), 'debug-pause');
  }
  if (kind === 'CronJob') push('triggerCronJob', l10n.t('Trigger now'), 'play');
  if (kind === 'Pod') push('showLogs', l10n.t('Logs'), 'output');
  if (kind === 'Node') {
    if (obj.spec?.unschedulable) push('uncordonNode', l10n.t('Uncordon'), 'pass');
    else push('cordonNode', l10n.t('Cordon'), 'circle-slash');
    push('drainNode', l10n.t('Drain'), 'arrow-down');
  }
  push('deleteResource', l10n.t('Delete'), 'trash');
  return a;
}

/**
 * The text the Edit tab starts from: the object as it can be applied (status, managedFields and the
 * server's bookkeeping left out, as `kubectl edit` leaves them to the server). A Secret's values are
 * not in it: the user types the keys they mean to set.
 */
export function editTextOf(obj: KubeObject): { text: string; note?: string } {
  const c = structuredClone(obj);
  delete c.status;
  const m = c.metadata ?? {};
  for (const k of ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink']) delete m[k];
  delete m.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  delete m.annotations?.['deployment.kubernetes.io/revision'];
  if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
  let note: string | undefined;
  if (c.kind === 'Secret') {
    delete c.data;
    delete c.stringData;
    note = l10n.t('Secret values are not shown here: add `stringData:` (or `data:` in base64) with the keys to set; keys left out keep their values.');
  }
  return { text: toDiffYaml(c), note };
}

/**
 * A JSON schema (draft-07, as monaco-yaml reads it) for an object of the kind, from our offline
 * Kubernetes 1.32 definitions: the kind's definition by $ref with the definitions it reaches.
 */
export function editSchemaOf(apiVersion: string, kind: string): Record<string, unknown> | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const name = definitionName(group, version, kind);
  if (!name) return undefined;
  const schemas: Record<string, unknown> = {};
  for (const n of closure([name])) schemas[n] = DEFINITIONS[n];
  // The kind's own definition at the root (no root $ref: a draft-07 $ref makes its siblings, here
  // `components`, invisible to some resolvers), the definitions it reaches under components/schemas
  // where its `#/components/schemas/...` references point.
  return { ...DEFINITIONS[name], components: { schemas } };
}

/** A running `kubectl logs` stream; `stop()` aborts the request. */
export interface LogStream {
  stop(): void;
  readonly done: Promise<void>;
}

/**
 * `kubectl logs [-f] [-p] [--timestamps] [--tail N] -c CONTAINER POD`: GET pods/NAME/log with the
 * same query, streamed; each chunk goes to `onData`. A refused request throws the server's message
 * (`container "web" in pod "web-1" is waiting to start: ContainerCreating`), as kubectl prints it.
 * (client-node's Log keeps only the status code of a 400, so the request is made here the same way.)
 */
export async function streamLogs(kc: KubeConfig, namespace: string, pod: string, o: LogOptions, onData: (text: string) => void): Promise<LogStream> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(`${cluster.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  url.searchParams.set('container', o.container);
  if (o.follow) url.searchParams.set('follow', 'true');
  if (o.previous) url.searchParams.set('previous', 'true');
  if (o.timestamps) url.searchParams.set('timestamps', 'true');
  if (o.tailLines !== undefined && o.tailLines >= 0) url.searchParams.set('tailLines', String(Math.floor(o.tailLines)));
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  const controller = new AbortController();
  const res = await fetch(url.toString(), { method: 'GET', headers: ctx.getHeaders(), dispatcher: ctx.getDispatcher(), signal: controller.signal });
  if (res.status !== 200 || !res.body) {
    const text = await res.text().catch(() => '');
    let message = text || `the server answered ${res.status}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      /* not a Status */
    }
    throw new Error(message);
  }
  const decoder = new TextDecoder();
  let stopped = false;
  const done = (async () => {
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) onData(decoder.decode(chunk, { stream: true }));
    } catch (e) {
      if (!stopped) throw e;
    }
  })();
  done.catch(() => undefined);
  return {
    stop: () => {
      stopped = true;
      controller.abort();
    },
    done,
  };
}
