// ControllerRevision history (pkg/controller/history/controller_history.go) and the hashes the
// DaemonSet and StatefulSet controllers name their revisions with: HashControllerRevision (FNV-1 32
// of the revision's raw data, plus the collision count as decimal text, through SafeEncodeString),
// ControllerRevisionName (`<parent>-<hash>`), NewControllerRevision, revision numbers, equality by
// data, and the template patch (getPatch) that a revision stores and `kubectl rollout undo` applies.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import { newControllerRef } from './controller-utils.ts';

/** apps.ControllerRevisionHashLabelKey (and DefaultDaemonSetUniqueLabelKey, StatefulSetRevisionLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

const enc = new TextEncoder();

/** hash/fnv New32 (FNV-1, not 1a): multiply, then xor. */
export function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** hash/fnv New32a (FNV-1a): xor, then multiply. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = (h ^ b) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte mapped into an alphabet without vowels or look-alikes. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/**
 * encoding/json of a map[string]interface{}: keys sorted at every level, `<`, `>` and `&` escaped
 * as Go does, no spaces. Undefined members are left out.
 */
export function goJSON(v: unknown): string {
  return JSON.stringify(sortDeep(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Obj)[k];
      if (x !== undefined) out[k] = sortDeep(x);
    }
    return out;
  }
  return v;
}

/**
 * A pod template as Go marshals the typed PodTemplateSpec: ObjectMeta's creationTimestamp is a
 * struct, never omitted, so it is `null` when unset.
 */
function typedTemplate(template: Obj | undefined): Obj {
  const t = template ?? {};
  return { ...t, metadata: { creationTimestamp: null, ...(t.metadata ?? {}) } };
}

/**
 * getPatch (daemon/update.go, statefulset/stateful_set_utils.go): `{"spec":{"template":{...,
 * "$patch":"replace"}}}`, the raw data of a revision; a strategic merge patch that puts the
 * template back.
 */
export function templatePatch(parent: Obj): string {
  return goJSON({ spec: { template: { ...typedTemplate(parent.spec?.template), $patch: 'replace' } } });
}

/** controller.ComputeHash: FNV-1a 32 of the template, then the collision count's 4 little-endian bytes, as decimal through SafeEncodeString. */
export function computeHash(template: Obj | undefined, collisionCount?: number): string {
  let h = fnv32a(enc.encode(goJSON(typedTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** HashControllerRevision: FNV-1 32 of data.Raw and the probe (the collision count) as decimal text. */
export function hashControllerRevision(revision: Obj, probe?: number): string {
  const raw = revision.data === undefined ? '' : typeof revision.data === 'string' ? revision.data : goJSON(revision.data);
  let h = fnv32(enc.encode(raw));
  if (probe !== undefined && probe !== null) h = fnv32(enc.encode(String(probe)), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * NewControllerRevision: labelled with the template's labels and the hash, owned by the parent,
 * named by the hash of its data and the collision count. `data` is the raw JSON text.
 */
export function newControllerRevision(parent: Obj, apiVersion: string, kind: string, templateLabels: Obj | undefined, data: string, revision: number, collisionCount?: number): Obj {
  const cr: Obj = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}) },
      ownerReferences: [newControllerRef(parent, apiVersion, kind)],
    },
    data: JSON.parse(data),
    revision,
  };
  const hash = hashControllerRevision({ data }, collisionCount);
  cr.metadata.name = controllerRevisionName(parent.metadata.name, hash);
  cr.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/** The raw text of a stored revision's data, as the hash and equality see it. */
export function revisionData(cr: Obj): string {
  return goJSON(cr.data ?? null);
}

/** EqualRevision: same data (the hash label is compared first when both have one, as a shortcut). */
export function equalRevision(a: Obj | undefined, b: Obj | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return revisionData(a) === revisionData(b);
}

/** FindEqualRevisions: the revisions whose data equals needle's. */
export function findEqualRevisions(revisions: Obj[], needle: Obj): Obj[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortControllerRevisions(revisions: Obj[]): Obj[] {
  return revisions.sort((a, b) => {
    if ((a.revision ?? 0) !== (b.revision ?? 0)) return (a.revision ?? 0) - (b.revision ?? 0);
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
}

/** nextRevision: one more than the highest (revisions sorted), 1 for none. */
export function nextRevision(sorted: Obj[]): number {
  return sorted.length === 0 ? 1 : (sorted[sorted.length - 1].revision ?? 0) + 1;
}

/**
 * realHistory: ControllerRevision writes through the apiserver. createControllerRevision retries
 * with the collision count bumped while the name is taken by a revision with other data, and returns
 * the existing revision when its data is equal; `collisionCount` is updated in place.
 */
export class ControllerHistory {
  constructor(private readonly api: APIServer) {}

  private get def() {
    return this.api.resource('controllerrevisions.apps');
  }

  async createControllerRevision(parent: Obj, revision: Obj, collision: { count: number }): Promise<Obj> {
    const data = revisionData(revision);
    for (;;) {
      const hash = hashControllerRevision({ data }, collision.count);
      const clone: Obj = { ...revision, metadata: { ...revision.metadata, name: controllerRevisionName(parent.metadata.name, hash), labels: { ...(revision.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash } } };
      try {
        return await this.api.create(this.def, parent.metadata.namespace, clone);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        const existing = await this.api.get(this.def, parent.metadata.namespace, clone.metadata.name);
        if (revisionData(existing) === data && (existing.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === parent.metadata.uid && r.controller)) return existing;
        collision.count++;
      }
    }
  }

  /** UpdateControllerRevision: a new revision number on the same data. */
  async updateControllerRevision(revision: Obj, newRevision: number): Promise<Obj> {
    if (revision.revision === newRevision) return revision;
    return this.api.patch(this.def, revision.metadata.namespace, revision.metadata.name, 'merge', { revision: newRevision });
  }

  async deleteControllerRevision(revision: Obj): Promise<void> {
    try {
      await this.api.delete(this.def, revision.metadata.namespace, revision.metadata.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  /**
   * AdoptControllerRevision (controller_history.go): a strategic merge patch naming parent's
   * controller reference (the merge puts it before the existing ones), the revision's uid as guard.
   */
  async adoptControllerRevision(parent: Obj, apiVersion: string, kind: string, revision: Obj): Promise<Obj> {
    const owner = (revision.metadata.ownerReferences ?? []).find((r: Obj) => r.controller);
    if (owner) throw new Error(`attempt to adopt revision owned by ${JSON.stringify(owner)}`);
    const ref = newControllerRef(parent, apiVersion, kind);
    return this.api.patch(this.def, revision.metadata.namespace, revision.metadata.name, 'strategic', {
      metadata: { ownerReferences: [ref], uid: revision.metadata.uid },
    });
  }

  /** ReleaseControllerRevision: drops parent's ownerReference. */
  async releaseControllerRevision(parent: Obj, revision: Obj): Promise<void> {
    const refs = (revision.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== parent.metadata.uid);
    try {
      await this.api.patch(this.def, revision.metadata.namespace, revision.metadata.name, 'merge', { metadata: { ownerReferences: refs.length ? refs : null } });
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 422))) throw e;
    }
  }
}
