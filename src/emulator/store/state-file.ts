// The portable cluster state: `kube-emulator state export FILE` / `state import FILE` (and the
// extension's commands of the same names) write and read it, so that a user can keep or share a
// cluster. It works on any Store (the in-process one, durable or not, and real etcd).
//
//   { "apiVersion": "kube-emulator.io/v1", "kind": "ClusterState", "revision": 1234,
//     "objects": [ { "key": "/registry/namespaces/default", "object": { ...the API object... } }, ... ] }
//
// Objects are sorted by key and carry no metadata.resourceVersion (revisions belong to a store:
// the importing store gives its own). Everything else (uid, creationTimestamp, generation, status)
// is kept as it was.
//
// What is not state, and so neither exported nor touched by an import:
// - keys attached to a store lease (Events: they expire within the hour; imported without their
//   lease they would live forever);
// - node heartbeats, /registry/leases/kube-node-lease/...: the running kubelets own them, and an
//   imported, old renewTime would only make the node lifecycle controller mark nodes NotReady.
//
// An import replaces the store's content with the file's: it creates the objects the store lacks,
// updates the ones that differ, leaves equal ones alone, and deletes the keys the file does not have
// (except the ones above). It validates the whole file before it changes anything. It is meant for a
// store whose controllers are stopped (the CLI imports into a state folder before `serve`; the
// extension stops the cluster, imports, and starts it again): controllers running during an import
// would react to a half-imported cluster.

import { isDeepStrictEqual } from 'node:util';
import type { Obj } from '../api/objects.ts';
import type { KeyValue, Store } from './types.ts';

export const STATE_API_VERSION = 'kube-emulator.io/v1';
export const STATE_KIND = 'ClusterState';

export interface ClusterStateObject {
  key: string;
  object: Obj;
}

export interface ClusterState {
  apiVersion: typeof STATE_API_VERSION;
  kind: typeof STATE_KIND;
  /** The store's revision the export was read at (for information: an import does not use it). */
  revision: number;
  objects: ClusterStateObject[];
}

export interface ImportResult {
  created: number;
  updated: number;
  deleted: number;
  /** Objects that were already as the file has them. */
  unchanged: number;
}

const ROOT = '/registry/';
const NODE_LEASES = '/registry/leases/kube-node-lease/';
const PAGE = 1000;
/** Writes in flight at once during an import (a durable store commits them in groups). */
const WINDOW = 64;

/** Keys that are runtime, not state: neither exported nor deleted or written by an import. */
function isRuntime(kv: Pick<KeyValue, 'key' | 'lease'>): boolean {
  return kv.lease !== undefined || kv.key.startsWith(NODE_LEASES);
}

function withoutResourceVersion(o: Obj): Obj {
  if (!o.metadata || typeof o.metadata !== 'object' || !('resourceVersion' in o.metadata)) return o;
  const { resourceVersion: _rv, ...metadata } = o.metadata as Obj;
  return { ...o, metadata };
}

/** Every key under /registry/, read page by page at the revision of the first page. */
async function readAll(store: Store): Promise<{ items: KeyValue[]; revision: number }> {
  const items: KeyValue[] = [];
  let revision: number | undefined;
  let startKey: string | undefined;
  for (;;) {
    const page = await store.range(ROOT, { limit: PAGE, startKey, revision });
    revision ??= page.revision;
    items.push(...page.items);
    if (!page.more || page.items.length === 0) break;
    startKey = page.items[page.items.length - 1].key + '\u0000';
  }
  return { items, revision: revision! };
}

/** The store's content as a ClusterState document (JSON text, one object a line for diffs). */
export async function exportState(store: Store): Promise<string> {
  const { items, revision } = await readAll(store);
  const objects = items.filter((kv) => !isRuntime(kv)).map((kv) => ({ key: kv.key, object: withoutResourceVersion(kv.value) }));
  const lines = objects.map((o) => '    ' + JSON.stringify(o));
  return (
    `{\n  "apiVersion": ${JSON.stringify(STATE_API_VERSION)},\n  "kind": ${JSON.stringify(STATE_KIND)},\n  "revision": ${revision},\n` +
    `  "objects": [${lines.length ? '\n' + lines.join(',\n') + '\n  ' : ''}]\n}\n`
  );
}

/** Parses and checks a ClusterState document; throws an Error that says what is wrong and where. */
export function parseState(text: string): ClusterState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a cluster state file: it is not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a cluster state file: it is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.apiVersion !== STATE_API_VERSION || d.kind !== STATE_KIND) {
    throw new Error(
      `not a cluster state file: apiVersion ${JSON.stringify(d.apiVersion)} and kind ${JSON.stringify(d.kind)}, expected ${STATE_API_VERSION} and ${STATE_KIND}`,
    );
  }
  if (!Array.isArray(d.objects)) throw new Error('cluster state: "objects" must be a list');
  const seen = new Set<string>();
  const objects: ClusterStateObject[] = [];
  d.objects.forEach((item: unknown, i: number) => {
    const where = `cluster state: objects[${i}]`;
    if (!item || typeof item !== 'object') throw new Error(`${where} is not an object`);
    const { key, object } = item as { key?: unknown; object?: unknown };
    if (typeof key !== 'string' || !key.startsWith(ROOT) || key.endsWith('/')) {
      throw new Error(`${where}: "key" must be a storage key like /registry/pods/default/web, got ${JSON.stringify(key)}`);
    }
    if (!object || typeof object !== 'object' || Array.isArray(object)) throw new Error(`${where} (${key}): "object" must be an API object`);
    const o = object as Obj;
    if (typeof o.kind !== 'string' || !o.kind || typeof o.apiVersion !== 'string' || !o.apiVersion) {
      throw new Error(`${where} (${key}): the object lacks apiVersion or kind`);
    }
    const name = o.metadata?.name;
    if (typeof name !== 'string' || !name) throw new Error(`${where} (${key}): the object lacks metadata.name`);
    if (key.slice(key.lastIndexOf('/') + 1) !== name) throw new Error(`${where} (${key}): the key does not end with the object's name ${JSON.stringify(name)}`);
    const ns = o.metadata?.namespace;
    if (typeof ns === 'string' && ns && !key.endsWith(`/${ns}/${name}`)) {
      throw new Error(`${where} (${key}): the key does not hold the object's namespace ${JSON.stringify(ns)}`);
    }
    if (isRuntime({ key })) throw new Error(`${where} (${key}): node heartbeats are not state (the kubelets write them)`);
    if (seen.has(key)) throw new Error(`${where}: ${key} appears twice`);
    seen.add(key);
    objects.push({ key, object: withoutResourceVersion(o) });
  });
  return { apiVersion: STATE_API_VERSION, kind: STATE_KIND, revision: typeof d.revision === 'number' ? d.revision : 0, objects };
}

/** Runs fn on every item, at most WINDOW at a time. */
async function inWindows<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += WINDOW) await Promise.all(items.slice(i, i + WINDOW).map(fn));
}

/** Replaces the store's content with the state in text (see the top of this file). */
export async function importState(store: Store, text: string): Promise<ImportResult> {
  const state = parseState(text);
  const { items } = await readAll(store);
  const current = new Map(items.map((kv) => [kv.key, kv]));
  const wanted = new Set(state.objects.map((o) => o.key));
  const result: ImportResult = { created: 0, updated: 0, deleted: 0, unchanged: 0 };
  const writes: ClusterStateObject[] = [];
  for (const o of state.objects) {
    const cur = current.get(o.key);
    if (cur && isDeepStrictEqual(withoutResourceVersion(cur.value), o.object)) result.unchanged++;
    else writes.push(o);
  }
  await inWindows(writes, async (o) => {
    const cur = current.get(o.key);
    // A key with a store lease (an Event of the same name) becomes a plain, lasting object.
    if (cur) {
      await store.update(o.key, o.object);
      result.updated++;
    } else {
      await store.create(o.key, o.object);
      result.created++;
    }
  });
  const gone = items.filter((kv) => !wanted.has(kv.key) && !isRuntime(kv));
  await inWindows(gone, async (kv) => {
    await store.delete(kv.key);
    result.deleted++;
  });
  return result;
}
