// POST pods/{name}/eviction (pkg/registry/core/pod/storage/eviction.go): a policy/v1 Eviction
// deletes the pod unless a PodDisruptionBudget selecting it has no disruption left (429
// TooManyRequests with a DisruptionBudget cause). An allowed eviction decrements the budget's
// status.disruptionsAllowed and records the pod in status.disruptedPods (the disruption
// controller takes it out once the pod is gone), then deletes the pod with the eviction's
// deleteOptions, after setting its DisruptionTarget condition.

import type { APIServer, DeleteOptions } from '../apiserver.ts';
import { ApiError, badRequest } from '../errors.ts';
import { rfc3339, type Obj } from '../objects.ts';
import { labelSelectorFromObject, matchesLabels, SelectorError, type Requirement } from '../selectors.ts';
import { forbiddenNamed } from './attributes.ts';

/** MaxDisruptedPodSize. */
const MAX_DISRUPTED_PODS = 2000;
const EVICTION_RETRIES = 5;
const EVICTION_KINDS = ['policy/v1', 'policy/v1beta1'];

export const SUCCESS_STATUS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

function tooManyRequests(cause: string, retryAfterSeconds = 0): ApiError {
  return new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  });
}

/** podutil.IsPodReady. */
export function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

/** The PDBs in the pod's namespace whose (non-empty) selector matches the pod. */
export async function pdbsFor(api: APIServer, pod: Obj): Promise<Obj[]> {
  const { items } = await api.list(api.resource('poddisruptionbudgets.policy'), pod.metadata.namespace);
  return items.filter((pdb) => {
    const reqs = selectorOf(pdb);
    // A nil or empty selector matches nothing.
    return reqs !== null && reqs.length > 0 && matchesLabels(reqs, pod.metadata.labels ?? {});
  });
}

/** The PDB's selector as requirements; null when absent or invalid. */
export function selectorOf(pdb: Obj): Requirement[] | null {
  try {
    return labelSelectorFromObject(pdb.spec?.selector);
  } catch (e) {
    if (e instanceof SelectorError) return null;
    throw e;
  }
}

function deleteOptionsOf(eviction: Obj, dryRun: boolean): DeleteOptions {
  const o: Obj = eviction.deleteOptions ?? {};
  const out: DeleteOptions = { dryRun: dryRun || (Array.isArray(o.dryRun) && o.dryRun.includes('All')) };
  if (typeof o.gracePeriodSeconds === 'number') out.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.preconditions) out.preconditions = o.preconditions;
  if (o.propagationPolicy) out.propagationPolicy = o.propagationPolicy;
  return out;
}

/** addConditionAndDeletePod: the DisruptionTarget condition, then the delete. */
async function deletePod(api: APIServer, pod: Obj, opts: DeleteOptions): Promise<void> {
  const pods = api.resource('pods');
  for (let attempt = 0; !opts.dryRun && !pod.metadata.deletionTimestamp; attempt++) {
    const conds: Obj[] = (pod.status?.conditions ?? []).filter((c: Obj) => c.type !== 'DisruptionTarget');
    conds.push({ type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(api.clock.now()), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    try {
      await api.update(pods, pod.metadata.namespace, pod.metadata.name, { ...pod, status: { ...pod.status, conditions: conds } }, { subresource: 'status' });
      break;
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && attempt < EVICTION_RETRIES) {
        pod = await api.get(pods, pod.metadata.namespace, pod.metadata.name);
        continue;
      }
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      break;
    }
  }
  await api.delete(pods, pod.metadata.namespace, pod.metadata.name, opts);
}

/** checkAndDecrement: the budget's status, one disruption fewer, or 429. */
async function checkAndDecrement(api: APIServer, pod: Obj, pdb: Obj, dryRun: boolean): Promise<void> {
  const st = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`, 10);
  }
  if ((st.disruptionsAllowed ?? 0) < 0) throw forbiddenNamed('policy', 'poddisruptionbudget', pdb.metadata.name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw forbiddenNamed('policy', 'poddisruptionbudget', pdb.metadata.name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if ((st.disruptionsAllowed ?? 0) === 0) {
    throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  }
  if (dryRun) return;
  const allowed = st.disruptionsAllowed - 1;
  const status: Obj = { ...st, disruptionsAllowed: allowed, disruptedPods: { ...st.disruptedPods, [pod.metadata.name]: rfc3339(api.clock.now()) } };
  if (allowed === 0) status.conditions = disruptionAllowedCondition(status, api.clock.now());
  await api.update(api.resource('poddisruptionbudgets.policy'), pdb.metadata.namespace, pdb.metadata.name, { ...pdb, status }, { subresource: 'status' });
}

/** pdbhelper.UpdateDisruptionAllowedCondition (metav1 SetStatusCondition keeps the transition time when the status stays). */
export function disruptionAllowedCondition(status: Obj, now: number): Obj[] {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const next: Obj = {
    type: 'DisruptionAllowed',
    status: allowed ? 'True' : 'False',
    observedGeneration: status.observedGeneration ?? 0,
    lastTransitionTime: rfc3339(now),
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: '',
  };
  const conds: Obj[] = [...(status.conditions ?? [])];
  const i = conds.findIndex((c) => c.type === 'DisruptionAllowed');
  if (i < 0) return [...conds, next];
  if (conds[i].status === next.status) next.lastTransitionTime = conds[i].lastTransitionTime;
  conds[i] = next;
  return conds;
}

/** EvictionREST.Create. Returns the Status to send with 201. */
export async function evict(api: APIServer, namespace: string, name: string, body: unknown, opts: { dryRun?: boolean } = {}): Promise<Obj> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Eviction in version "v1" cannot be handled as a Eviction: the request body must be a JSON object');
  const eviction = body as Obj;
  if (eviction.apiVersion && !EVICTION_KINDS.includes(eviction.apiVersion)) {
    throw badRequest(`the API version in the data (${eviction.apiVersion}) does not match the expected API version (policy/v1)`);
  }
  if (eviction.kind && eviction.kind !== 'Eviction') throw badRequest(`not a Eviction object: ${eviction.kind}`);
  if (eviction.metadata?.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const deleteOptions = deleteOptionsOf(eviction, !!opts.dryRun);
  const pods = api.resource('pods');
  const pod = await api.get(pods, namespace, name);

  // Terminal, pending and already-deleting pods go without a budget check (canIgnorePDB).
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) {
    await deletePod(api, pod, deleteOptions);
    return SUCCESS_STATUS;
  }
  const pdbs = await pdbsFor(api, pod);
  if (pdbs.length > 1) {
    throw new ApiError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  if (pdbs.length === 1) {
    let pdb = pdbs[0];
    const unhealthyOk =
      !isPodReady(pod) &&
      (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ||
        ((pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0) && (pdb.status?.desiredHealthy ?? 0) > 0));
    if (!unhealthyOk) {
      for (let attempt = 0; ; attempt++) {
        try {
          await checkAndDecrement(api, pod, pdb, !!deleteOptions.dryRun);
          break;
        } catch (e) {
          if (e instanceof ApiError && e.code === 409 && attempt < EVICTION_RETRIES) {
            pdb = await api.get(api.resource('poddisruptionbudgets.policy'), namespace, pdb.metadata.name);
            continue;
          }
          throw e;
        }
      }
    }
  }
  await deletePod(api, pod, deleteOptions);
  return SUCCESS_STATUS;
}
