// ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go): a pod created without
// spec.serviceAccountName gets "default"; the account must exist (403 otherwise); unless
// automountServiceAccountToken is false on the pod or the account, a projected
// kube-api-access-<5 chars> volume (token, kube-root-ca.crt, namespace) is added and mounted at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container.
//
// The `default` account is made by the serviceaccounts controller once its namespace appears, so
// a pod created right after its namespace may race it: the plug-in looks the default account up
// again, up to 10 times, before it gives up (getServiceAccount). Kubernetes waits 100-200 ms
// between tries; the emulator's controller runs in-process, so it waits a few milliseconds.

import { notFound } from '../errors.ts';
import { randomSuffix, type Obj } from '../objects.ts';
import { forbidden, isCore, type Attributes, type Plugin } from './attributes.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const VOLUME_PREFIX = 'kube-api-access-';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds. */
const TOKEN_EXPIRATION_SECONDS = 3607;
const DEFAULT_ATTEMPTS = 10;
const RETRY_MS = 5;

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

async function getServiceAccount(a: Attributes, name: string): Promise<Obj> {
  const def = a.api.resource('serviceaccounts');
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ATTEMPTS : 1;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, RETRY_MS));
    const sa = await a.api.tryGet(def, a.namespace, name);
    if (sa) return sa;
  }
  // errors.NewNotFound(api.Resource("serviceaccount"), name): the singular, as the plug-in spells it.
  throw notFound('', 'serviceaccount', name);
}

function shouldAutomount(sa: Obj, pod: Obj): boolean {
  if (typeof pod.spec?.automountServiceAccountToken === 'boolean') return pod.spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** TokenVolumeSource(): the projected volume every pod gets. */
export function tokenVolumeSource(): Obj {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function mountToken(pod: Obj): void {
  const spec = pod.spec;
  const volumes: Obj[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const existing = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(VOLUME_PREFIX));
  const volumeName: string = existing?.name ?? `${VOLUME_PREFIX}${randomSuffix()}`;
  let needsVolume = false;
  for (const list of [spec.initContainers, spec.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!c || typeof c !== 'object') continue;
      const mounts: Obj[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
      if (mounts.some((m) => m?.mountPath === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
      needsVolume = true;
    }
  }
  if (!existing && needsVolume) spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
}

function ignored(a: Attributes): boolean {
  return !isCore(a, 'pods') || !a.object?.spec || typeof a.object.spec !== 'object';
}

export const serviceAccount: Plugin = {
  name: 'ServiceAccount',
  async admit(a) {
    // Pods are mutated on create only.
    if (ignored(a) || a.operation !== 'CREATE') return;
    const pod = a.object!;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    pod.spec.serviceAccountName ||= DEFAULT_SERVICE_ACCOUNT;
    let sa: Obj;
    try {
      sa = await getServiceAccount(a, pod.spec.serviceAccountName);
    } catch (e) {
      throw forbidden(a, `error looking up service account ${a.namespace}/${pod.spec.serviceAccountName}: ${(e as Error).message}`);
    }
    if (shouldAutomount(sa, pod)) mountToken(pod);
    if (!Array.isArray(pod.spec.imagePullSecrets) || pod.spec.imagePullSecrets.length === 0) {
      const secrets = (sa.imagePullSecrets ?? []).map((s: Obj) => ({ name: s.name }));
      if (secrets.length) pod.spec.imagePullSecrets = secrets;
    }
  },
  async validate(a) {
    if (ignored(a) || a.operation !== 'CREATE') return;
    const pod = a.object!;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    if (!pod.spec.serviceAccountName) throw forbidden(a, `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ''}`);
    try {
      await getServiceAccount(a, pod.spec.serviceAccountName);
    } catch (e) {
      throw forbidden(a, `error looking up service account ${a.namespace}/${pod.spec.serviceAccountName}: ${(e as Error).message}`);
    }
  },
};
