// The one-click actions of the explorer (issue 8), as kubectl does them, without `vscode`: the
// requests (patches, the rollback's template copy, the Job made from a CronJob, deletion with a
// propagation policy) and kubectl's words for what happened. actions.ts is the VS Code glue (quick
// picks, confirmations, notifications); this module is unit-tested under Node against an emulated
// cluster. Requests go through the session's client (client.ts), so they work on a real cluster too.
import { rm } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { collectionPath, serverError, statusOf } from './apply.ts';
import type { ClusterClient } from './client.ts';
import { LIVE_RESOURCES, liveKindOf, type KubeObject, type ResourceRef } from './resources.ts';

/** What the actions need from a client: raw JSON requests and discovery (ClusterClient has both). */
export type ActionClient = Pick<ClusterClient, 'send' | 'mapping'>;

/** An action that failed, with the line kubectl would print (the apiserver's message where it has one). */
export class ActionError extends Error {}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** `deployment.apps/web`, `node/n1`: kubectl's name printer (kind lowercased, dot group, slash name). */
export function kubectlName(ref: Pick<ResourceRef, 'apiVersion' | 'kind' | 'name'>): string {
  const group = groupOf(ref.apiVersion);
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** `deployments.apps "web"`: how kubectl names an object in rollout errors (resource.group "name"). */
function resourceString(plural: string, ref: ResourceRef): string {
  const group = groupOf(ref.apiVersion);
  return `${plural}${group ? `.${group}` : ''} "${ref.name}"`;
}

interface Resource {
  plural: string;
  namespaced: boolean;
}

/** The resource serving a ref: the views' table for the kinds they watch, discovery for the others. */
export async function resourceOf(client: ActionClient, ref: ResourceRef): Promise<Resource> {
  const live = liveKindOf(ref.apiVersion, ref.kind);
  if (live) return LIVE_RESOURCES[live];
  const m = await client.mapping(ref.apiVersion, ref.kind);
  if (!m) throw new ActionError(`error: the server doesn't have a resource type "${ref.kind}"`);
  return { plural: m.name, namespaced: m.namespaced };
}

/** The object's URL path, optionally a subresource's. */
export function objectPath(ref: ResourceRef, r: Resource, sub?: string): string {
  const base = collectionPath(ref.apiVersion, r.plural, r.namespaced ? ref.namespace ?? 'default' : undefined);
  return `${base}/${encodeURIComponent(ref.name)}${sub ? `/${sub}` : ''}`;
}

async function getObject(client: ActionClient, ref: ResourceRef, r: Resource): Promise<KubeObject> {
  try {
    return await client.send('GET', objectPath(ref, r));
  } catch (e) {
    throw new ActionError(serverError(e, ''));
  }
}

// ---------------------------------------------------------------------------------------------
// kubectl scale (k8s.io/kubectl/pkg/scale/scale.go ScaleSimple): a merge patch of the scale
// subresource, {"spec":{"replicas":N}}; output `deployment.apps/web scaled`.

export const SCALABLE_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'] as const;

/** The replicas to prefill: spec.replicas (defaulted to 1 by the apiserver when absent). */
export function currentReplicas(obj: KubeObject | undefined): number {
  const n = obj?.spec?.replicas;
  return typeof n === 'number' ? n : 1;
}

/** Checks a replica count as kubectl's --replicas flag does; undefined when valid. */
export function replicasError(text: string): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 2 ** 31 - 1) return 'The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0';
  return undefined;
}

export async function scale(client: ActionClient, ref: ResourceRef, replicas: number): Promise<string> {
  if (!(SCALABLE_KINDS as readonly string[]).includes(ref.kind)) throw new ActionError(`error: cannot scale a ${ref.kind}`);
  if (!Number.isInteger(replicas) || replicas < 0) throw new ActionError(replicasError(String(replicas))!);
  const r = await resourceOf(client, ref);
  try {
    await client.send('PATCH', objectPath(ref, r, 'scale'), {
      body: { spec: { replicas } },
      contentType: 'application/merge-patch+json',
    });
  } catch (e) {
    throw new ActionError(serverError(e, ''));
  }
  return `${kubectlName(ref)} scaled`;
}

// ---------------------------------------------------------------------------------------------
// kubectl rollout restart / pause / resume (kubectl/pkg/cmd/rollout/rollout_{restart,pause,resume}.go
// with polymorphichelpers/object{restarter,pauser,resumer}.go): a strategic merge patch under the
// field manager `kubectl-rollout`.

export const RESTARTABLE_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const ROLLOUT_MANAGER = 'kubectl-rollout';

/** Go's time.Now().Format(time.RFC3339): local time to the second with its offset (Z for UTC). */
export function rfc3339Local(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

async function rolloutPatch(client: ActionClient, ref: ResourceRef, r: Resource, patch: unknown): Promise<KubeObject> {
  try {
    return await client.send('PATCH', objectPath(ref, r), {
      query: { fieldManager: ROLLOUT_MANAGER },
      body: patch,
      contentType: 'application/strategic-merge-patch+json',
    });
  } catch (e) {
    throw new ActionError(`error: failed to patch: ${apiMessage(e)}`);
  }
}

/** The apiserver's message of a failed request (a Status), else the error's. */
export function apiMessage(e: unknown): string {
  const s = statusOf(e);
  if (s && typeof s.message === 'string') return s.message;
  return e instanceof Error ? e.message : String(e);
}

export async function rolloutRestart(client: ActionClient, ref: ResourceRef, now = new Date()): Promise<string> {
  const r = await resourceOf(client, ref);
  if (!(RESTARTABLE_KINDS as readonly string[]).includes(ref.kind)) throw new ActionError(`error: ${resourceString(r.plural, ref)} restarting is not supported`);
  const obj = await getObject(client, ref, r);
  if (ref.kind === 'Deployment' && obj.spec?.paused) {
    throw new ActionError(`error: ${resourceString(r.plural, ref)} can't restart paused deployment (run rollout resume first)`);
  }
  await rolloutPatch(client, ref, r, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: rfc3339Local(now) } } } } });
  return `${kubectlName(ref)} restarted`;
}

/** kubectl rollout pause / resume of a Deployment: spec.paused. */
export async function setPaused(client: ActionClient, ref: ResourceRef, paused: boolean): Promise<string> {
  const r = await resourceOf(client, ref);
  if (ref.kind !== 'Deployment') throw new ActionError(`error: ${resourceString(r.plural, ref)} ${paused ? 'pausing' : 'resuming'} is not supported`);
  const obj = await getObject(client, ref, r);
  if (paused && obj.spec?.paused) throw new ActionError(`error: ${resourceString(r.plural, ref)} is already paused`);
  if (!paused && !obj.spec?.paused) throw new ActionError(`error: ${resourceString(r.plural, ref)} is not paused`);
  // The two-way merge patch of paused:true → false (omitempty) is a deletion of the field.
  await rolloutPatch(client, ref, r, { spec: { paused: paused ? true : null } });
  return `${kubectlName(ref)} ${paused ? 'paused' : 'resumed'}`;
}

// ---------------------------------------------------------------------------------------------
// kubectl rollout undo --to-revision (kubectl/pkg/polymorphichelpers/rollback.go). A Deployment
// (DeploymentRollbacker): the ReplicaSet of that revision gives its pod template (without
// pod-template-hash) and its annotations (except the deployment controller's own and last-applied)
// to the Deployment, by a JSON patch replacing /spec/template and /metadata/annotations. A DaemonSet
// or StatefulSet (DaemonSetRollbacker, StatefulSetRollbacker): the ControllerRevision's data, a
// strategic merge patch `{"spec":{"template":{...,"$patch":"replace"}}}`, is sent as it is.

export const ROLLBACK_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;

export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const POD_TEMPLATE_HASH = 'pod-template-hash';

/** rollback.go annotationsToSkip: kept from the Deployment, never copied from the ReplicaSet. */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface Revision {
  revision: number;
  /** The ReplicaSet (Deployment) or ControllerRevision (DaemonSet, StatefulSet) that keeps it. */
  source: KubeObject;
  /** Its pod template. */
  template: KubeObject | undefined;
  changeCause?: string;
  images: string[];
  /** The revision the workload's template is at now. */
  current: boolean;
}

function revision(n: number, source: KubeObject, template: KubeObject | undefined, owner: KubeObject): Revision {
  return {
    revision: n,
    source,
    template,
    changeCause: source.metadata?.annotations?.[CHANGE_CAUSE],
    images: ((template?.spec?.containers ?? []) as { image?: string }[]).map((c) => c.image ?? ''),
    current: equalIgnoreHash(template, owner.spec?.template),
  };
}

/**
 * The Deployment's revisions, newest first: its ReplicaSets (controller reference to its uid, as
 * deploymentutil.GetAllReplicaSets finds them) with a numeric revision annotation.
 */
export async function deploymentRevisions(client: ActionClient, deployment: KubeObject): Promise<Revision[]> {
  const ns = deployment.metadata?.namespace ?? 'default';
  let list: { items: KubeObject[] };
  try {
    list = await client.send('GET', collectionPath('apps/v1', 'replicasets', ns));
  } catch (e) {
    throw new ActionError(`error: failed to retrieve replica sets from deployment ${deployment.metadata?.name}: ${apiMessage(e)}`);
  }
  const out: Revision[] = [];
  for (const rs of list.items) {
    const owner = rs.metadata?.ownerReferences?.find((o) => o.controller);
    if (!owner || owner.uid !== deployment.metadata?.uid) continue;
    const text = rs.metadata?.annotations?.[REVISION];
    if (!text || !/^\d+$/.test(text)) continue;
    out.push(revision(Number(text), rs, rs.spec?.template, deployment));
  }
  return out.sort((a, b) => b.revision - a.revision);
}

/** A DaemonSet's or StatefulSet's revisions, newest first: the ControllerRevisions it controls. */
export async function controllerRevisions(client: ActionClient, owner: KubeObject): Promise<Revision[]> {
  let list: { items: KubeObject[] };
  try {
    list = await client.send('GET', collectionPath('apps/v1', 'controllerrevisions', owner.metadata?.namespace ?? 'default'));
  } catch (e) {
    throw new ActionError(`error: ${apiMessage(e)}`);
  }
  const out: Revision[] = [];
  for (const cr of list.items) {
    const c = cr.metadata?.ownerReferences?.find((o) => o.controller);
    if (!c || c.uid !== owner.metadata?.uid || typeof cr.revision !== 'number') continue;
    const template = structuredClone(cr.data?.spec?.template) as KubeObject | undefined;
    if (template) delete template.$patch;
    out.push(revision(cr.revision, cr, template, owner));
  }
  return out.sort((a, b) => b.revision - a.revision);
}

/** The workload (Deployment, DaemonSet, StatefulSet) and its revisions, newest first. */
export async function revisionsOf(client: ActionClient, ref: ResourceRef): Promise<{ owner: KubeObject; revisions: Revision[] }> {
  if (!(ROLLBACK_KINDS as readonly string[]).includes(ref.kind)) {
    const group = groupOf(ref.apiVersion);
    throw new ActionError(`error: no rollbacker has been implemented for "${ref.kind}${group ? `.${group}` : ''}"`);
  }
  const r = await resourceOf(client, ref);
  let owner: KubeObject;
  try {
    owner = await client.send('GET', objectPath(ref, r));
  } catch (e) {
    throw new ActionError(`error: failed to retrieve ${ref.kind} ${ref.name}: ${apiMessage(e)}`);
  }
  const revisions = ref.kind === 'Deployment' ? await deploymentRevisions(client, owner) : await controllerRevisions(client, owner);
  return { owner, revisions };
}

/** Removes empty maps and arrays and undefined values, as Semantic.DeepEqual treats nil and empty alike. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined && n !== null) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

function withoutHash(template: KubeObject | undefined): KubeObject {
  const t = structuredClone(template ?? {}) as KubeObject;
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  return t;
}

/** rollback.go equalIgnoreHash: the two pod templates are equal but for the pod-template-hash label. */
export function equalIgnoreHash(a: KubeObject | undefined, b: KubeObject | undefined): boolean {
  return isDeepStrictEqual(normalize(withoutHash(a)), normalize(withoutHash(b)));
}

/** The JSON patch that restores `rs`'s template into `deployment`, as getDeploymentPatch builds it. */
export function rollbackPatch(deployment: KubeObject, rs: KubeObject): { op: string; path: string; value: unknown }[] {
  const template = withoutHash(rs.spec?.template);
  const annotations: Record<string, string> = {};
  for (const k of ANNOTATIONS_TO_SKIP) {
    const v = deployment.metadata?.annotations?.[k];
    if (v !== undefined) annotations[k] = v;
  }
  for (const [k, v] of Object.entries(rs.metadata?.annotations ?? {})) {
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** kubectl rollout undo KIND/NAME --to-revision=N (0: the previous revision). */
export async function rollback(client: ActionClient, ref: ResourceRef, toRevision: number): Promise<string> {
  if (!Number.isInteger(toRevision) || toRevision < 0) throw new ActionError(`error: unable to find specified revision ${toRevision} in history`);
  const { owner, revisions } = await revisionsOf(client, ref);
  const deployment = ref.kind === 'Deployment';
  let target: Revision | undefined;
  if (toRevision === 0) {
    target = revisions[1]; // the second newest (deploymentRevision, findHistory)
    if (!target) throw new ActionError(deployment ? `error: no rollout history found for deployment "${ref.name}"` : 'error: no last revision to roll back to');
  } else {
    target = revisions.find((x) => x.revision === toRevision);
    if (!target) throw new ActionError(`error: unable to find specified revision ${toRevision} in history`);
  }
  if (deployment && owner.spec?.paused) {
    throw new ActionError(`error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${ref.name}' and try again`);
  }
  if (target.current) return `${kubectlName(ref)} skipped rollback (current template already matches revision ${toRevision})`;
  const r = await resourceOf(client, ref);
  try {
    await client.send(
      'PATCH',
      objectPath(ref, r),
      deployment
        ? { body: rollbackPatch(owner, target.source), contentType: 'application/json-patch+json' }
        : { body: target.source.data, contentType: 'application/strategic-merge-patch+json' },
    );
  } catch (e) {
    throw new ActionError(`error: failed restoring revision ${toRevision}: ${apiMessage(e)}`);
  }
  return `${kubectlName(ref)} rolled back`;
}

// ---------------------------------------------------------------------------------------------
// kubectl create job NAME --from=cronjob/CJ (kubectl/pkg/cmd/create/create_job.go createJobFromCronJob).

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** NAME-manual-XXXXX, the CronJob's name cut so that the Job's name fits a label value (63). */
export function manualJobName(cronJob: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[Math.floor(random() * ALPHANUMS.length)];
  return `${cronJob.slice(0, 63 - '-manual-'.length - 5)}-manual-${suffix}`;
}

/** The Job kubectl makes from a CronJob: its jobTemplate, the manual annotation, a controller reference. */
export function jobFromCronJob(cronJob: KubeObject, name: string): KubeObject {
  const tmpl = cronJob.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = { 'cronjob.kubernetes.io/instantiate': 'manual', ...(tmpl.metadata?.annotations ?? {}) };
  const metadata: KubeObject['metadata'] = {
    name,
    namespace: cronJob.metadata?.namespace,
    annotations,
    // Not metav1.NewControllerRef: no blockOwnerDeletion (it would need cronjobs/finalizers rights).
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata?.name ?? '', uid: cronJob.metadata?.uid ?? '', controller: true }],
  };
  if (tmpl.metadata?.labels) metadata.labels = tmpl.metadata.labels;
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: structuredClone(tmpl.spec ?? {}) };
}

/** Creates the Job; returns kubectl's line and the Job. */
export async function triggerCronJob(client: ActionClient, ref: ResourceRef, random?: () => number): Promise<{ message: string; job: KubeObject }> {
  if (ref.kind !== 'CronJob') throw new ActionError(`error: from must be an existing cronjob: ${ref.kind}`);
  const r = await resourceOf(client, ref);
  const cj = await getObject(client, ref, r);
  const body = jobFromCronJob(cj, manualJobName(ref.name, random));
  try {
    const job: KubeObject = await client.send('POST', collectionPath('batch/v1', 'jobs', cj.metadata?.namespace), { body });
    return { message: `job.batch/${job.metadata?.name} created`, job };
  } catch (e) {
    throw new ActionError(`error: failed to create job: ${apiMessage(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// kubectl delete --cascade=background|foreground|orphan (kubectl/pkg/cmd/delete/delete.go): DELETE
// with DeleteOptions.propagationPolicy; output `deployment.apps "web" deleted`.

export type Cascade = 'background' | 'foreground' | 'orphan';
const POLICY: Record<Cascade, string> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' };

/**
 * Kinds whose objects own others through ownerReferences (the cascade choice matters for them). Not
 * Namespace: the namespace controller deletes its content whatever the policy.
 */
export const OWNER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);

export async function deleteResource(client: ActionClient, ref: ResourceRef, cascade: Cascade = 'background'): Promise<string> {
  const r = await resourceOf(client, ref);
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: POLICY[cascade] };
  // A tree can be a moment late: never delete a namesake made since (the apiserver's Conflict says so).
  if (ref.uid) body.preconditions = { uid: ref.uid };
  try {
    await client.send('DELETE', objectPath(ref, r), { body });
  } catch (e) {
    throw new ActionError(serverError(e, ''));
  }
  const group = groupOf(ref.apiVersion);
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''} "${ref.name}" deleted`;
}

// ---------------------------------------------------------------------------------------------
// Reset: the emulated cluster's state folder is removed (the cluster stopped), unless another
// window's cluster holds it.

/** Removes a state folder after making sure no live process holds its lock. */
export async function wipeStateFolder(dir: string): Promise<void> {
  const { openDurable } = await import('../emulator/store/durable.ts');
  const { EmulatorClock } = await import('../emulator/clock.ts');
  const clock = new EmulatorClock({ mode: 'manual' });
  try {
    const d = await openDurable(dir, { clock }); // throws "… is in use by process N" when held
    await d.close();
  } finally {
    clock.dispose();
  }
  await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// The status bar clock.

/** The emulated time for the status bar: HH:MM:SS, with the date when it is not the real day. */
export function clockText(emulatedMs: number, realMs: number): string {
  const e = new Date(emulatedMs);
  const r = new Date(realMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(e.getHours())}:${pad(e.getMinutes())}:${pad(e.getSeconds())}`;
  const sameDay = e.getFullYear() === r.getFullYear() && e.getMonth() === r.getMonth() && e.getDate() === r.getDate();
  return sameDay ? time : `${e.getFullYear()}-${pad(e.getMonth() + 1)}-${pad(e.getDate())} ${time}`;
}

/** A duration as kubectl's age column writes short ones: 45s, 5m10s, 2h30m, 3d4h. */
export function shortDuration(ms: number): string {
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return h ? `${d}d${h}h` : `${d}d`;
  if (h) return m ? `${h}h${m}m` : `${h}h`;
  if (m) return s ? `${m}m${s}s` : `${m}m`;
  return `${s}s`;
}

/** The fast-forward choices of the status bar clock and the palette. */
export const FAST_FORWARD_CHOICES = ['30s', '1m', '5m', '10m', '30m', '1h', '6h', '1d'] as const;
