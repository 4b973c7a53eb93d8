// The scale subresource: autoscaling/v1 Scale for deployments, replicasets, statefulsets and
// replicationcontrollers (pkg/registry/apps/*/storage/storage.go ScaleREST,
// pkg/registry/core/replicationcontroller/storage/storage.go). GET answers the parent's
// spec.replicas, status.replicas and status.selector (a string); PUT and PATCH write the parent's
// spec.replicas through an ordinary update, so its generation, validation and conflicts apply.

import type { APIServer, PatchType, WriteOptions } from './apiserver.ts';
import { ApiError, FieldError, invalid } from './errors.ts';
import { clone, type Obj } from './objects.ts';
import { applyJsonPatch, applyMergePatch, PatchError } from './patch.ts';
import type { ResourceDef } from './registry.ts';
import { labelSelectorString } from './selectors.ts';

/** For readBody's error messages: `Scale in version "v1" cannot be handled as a Scale`. */
export const SCALE_BODY = { kind: 'Scale', version: 'v1' } as const;

const MAX_RETRIES = 5;

export function scaleOf(def: ResourceDef, parent: Obj): Obj {
  const m = parent.metadata;
  const sel = parent.spec?.selector;
  // ReplicationControllers have a map selector; the others a metav1.LabelSelector.
  const selector = def.kind === 'ReplicationController' ? labelSelectorString({ matchLabels: sel ?? {} }) : labelSelectorString(sel);
  const metadata: Obj = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: parent.spec?.replicas ?? 0 },
    status: { replicas: parent.status?.replicas ?? 0, selector },
  };
}

function validateScale(scale: Obj, name: string): void {
  const r = scale?.spec?.replicas ?? 0;
  if (!Number.isInteger(r)) throw invalid('autoscaling', 'Scale', name, [new FieldError('Invalid', 'spec.replicas', r, 'must be an integer')]);
  if (r < 0) throw invalid('autoscaling', 'Scale', name, [new FieldError('Invalid', 'spec.replicas', r, 'must be greater than or equal to 0')]);
}

/** How a kind's objects read as a Scale and take its replicas (custom resources have their own paths). */
export interface ScaleAdapter {
  read(parent: Obj): Obj;
  /** A copy of `parent` with `replicas` written where the kind keeps them. */
  write(parent: Obj, replicas: number): Obj;
}

function builtinScale(def: ResourceDef): ScaleAdapter {
  return {
    read: (parent) => scaleOf(def, parent),
    write: (parent, replicas) => {
      const next = clone(parent);
      next.spec = { ...next.spec, replicas };
      return next;
    },
  };
}

/** Serves GET, PUT and PATCH on {resource}/{name}/scale; returns the Scale to answer with. */
export async function serveScale(
  api: APIServer,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  method: string,
  body: unknown,
  patchType: PatchType | undefined,
  opts: WriteOptions,
  adapter: ScaleAdapter = builtinScale(def),
): Promise<Obj> {
  const wopts: WriteOptions = { ...opts, subresource: undefined };
  if (method === 'GET') return adapter.read(await api.get(def, ns, name));
  if (method !== 'PUT' && method !== 'PATCH') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (patchType === 'apply') throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply of a Scale is not implemented by this emulator yet');
  for (let attempt = 0; ; attempt++) {
    const parent = await api.get(def, ns, name);
    const current = adapter.read(parent);
    let scale: Obj;
    if (method === 'PUT') {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'BadRequest', 'Scale in version "v1" cannot be handled as a Scale: the request body must be a JSON object');
      scale = body as Obj;
      if (scale.metadata?.name && scale.metadata.name !== name) {
        throw new ApiError(400, 'BadRequest', `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
      }
    } else {
      try {
        // Scale has no merge keys: a strategic merge patch is a merge patch.
        scale = (patchType === 'json' ? applyJsonPatch(current, body) : applyMergePatch(current, body)) as Obj;
      } catch (e) {
        if (e instanceof PatchError) throw new ApiError(e.code, e.code === 422 ? 'Invalid' : 'BadRequest', e.message);
        throw e;
      }
    }
    validateScale(scale, name);
    const pinned = !!scale.metadata?.resourceVersion;
    const next = adapter.write(parent, scale.spec?.replicas ?? 0);
    next.metadata.resourceVersion = pinned ? scale.metadata.resourceVersion : parent.metadata.resourceVersion;
    try {
      return adapter.read(await api.update(def, ns, name, next, wopts));
    } catch (e) {
      const retry = (method === 'PATCH' || !pinned) && e instanceof ApiError && e.reason === 'Conflict' && attempt < MAX_RETRIES;
      if (retry && !(method === 'PUT' && pinned)) continue;
      throw e;
    }
  }
}
