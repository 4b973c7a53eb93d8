// What the explorer trees, the topology and details panels and the actions share about the live
// cluster model (issue 8), without the model itself: object and ref types, the watched kinds, and
// the read API (`LiveView`) that LiveCluster (live.ts) implements. No client-node import, so the
// extension's activation bundle can use these (live.ts, with client-node's informers, is loaded
// with the session).

/** The object as the API returned it (JSON), never a client-node model. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
    generation?: number;
    [k: string]: unknown;
  };
  spec?: any;
  status?: any;
  [k: string]: any;
}

/** What commands and panels pass around to name one object (tree elements carry one as `ref`). */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** A command argument from a tree item, a webview message or a ref itself → the ref, if any. */
export function refOf(arg: unknown): ResourceRef | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as { ref?: unknown; apiVersion?: unknown; kind?: unknown; name?: unknown };
  if (a.ref && typeof a.ref === 'object') return refOf(a.ref);
  if (typeof a.apiVersion === 'string' && typeof a.kind === 'string' && typeof a.name === 'string') return arg as ResourceRef;
  return undefined;
}

/** The ref of a live object (its kind and apiVersion from the resource it was listed as). */
export function refTo(kind: LiveKind, obj: KubeObject): ResourceRef {
  const r = LIVE_RESOURCES[kind];
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    namespace: r.namespaced ? obj.metadata?.namespace : undefined,
    name: obj.metadata?.name ?? '',
    uid: obj.metadata?.uid,
  };
}

export interface LiveResource {
  apiVersion: string;
  kind: string;
  /** The resource's plural (URL) name. */
  plural: string;
  namespaced: boolean;
}

function res(apiVersion: string, kind: string, plural: string, namespaced = true): LiveResource {
  return { apiVersion, kind, plural, namespaced };
}

/** The kinds the views show, keyed by a short name (the plural). */
export const LIVE_RESOURCES = {
  nodes: res('v1', 'Node', 'nodes', false),
  namespaces: res('v1', 'Namespace', 'namespaces', false),
  pods: res('v1', 'Pod', 'pods'),
  services: res('v1', 'Service', 'services'),
  endpoints: res('v1', 'Endpoints', 'endpoints'),
  configmaps: res('v1', 'ConfigMap', 'configmaps'),
  secrets: res('v1', 'Secret', 'secrets'),
  persistentvolumeclaims: res('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  persistentvolumes: res('v1', 'PersistentVolume', 'persistentvolumes', false),
  resourcequotas: res('v1', 'ResourceQuota', 'resourcequotas'),
  limitranges: res('v1', 'LimitRange', 'limitranges'),
  replicationcontrollers: res('v1', 'ReplicationController', 'replicationcontrollers'),
  events: res('v1', 'Event', 'events'),
  deployments: res('apps/v1', 'Deployment', 'deployments'),
  replicasets: res('apps/v1', 'ReplicaSet', 'replicasets'),
  daemonsets: res('apps/v1', 'DaemonSet', 'daemonsets'),
  statefulsets: res('apps/v1', 'StatefulSet', 'statefulsets'),
  jobs: res('batch/v1', 'Job', 'jobs'),
  cronjobs: res('batch/v1', 'CronJob', 'cronjobs'),
  horizontalpodautoscalers: res('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
} as const satisfies Record<string, LiveResource>;

export type LiveKind = keyof typeof LIVE_RESOURCES;
export const LIVE_KINDS = Object.keys(LIVE_RESOURCES) as LiveKind[];

/** The live kind of an apiVersion/kind pair (a ref), if the views watch it. */
export function liveKindOf(apiVersion: string, kind: string): LiveKind | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  for (const k of LIVE_KINDS) {
    const r = LIVE_RESOURCES[k];
    const g = r.apiVersion.includes('/') ? r.apiVersion.slice(0, r.apiVersion.indexOf('/')) : '';
    if (r.kind === kind && g === group) return k;
  }
  return undefined;
}

/** The list/watch path of a resource, cluster-wide. */
export function resourcePath(r: LiveResource): string {
  return `${r.apiVersion.includes('/') ? '/apis' : '/api'}/${r.apiVersion}/${r.plural}`;
}

export interface LiveChange {
  kind: LiveKind;
  type: 'add' | 'update' | 'delete';
  obj: KubeObject;
}

export type KindState = { state: 'loading' } | { state: 'ready' } | { state: 'unavailable'; reason: string };

/** The read side of LiveCluster: what views and panels need. */
export interface LiveView {
  readonly version: number;
  readonly kinds: LiveKind[];
  kindState(kind: LiveKind): KindState;
  list(kind: LiveKind, namespace?: string): KubeObject[];
  get(kind: LiveKind, namespace: string | undefined, name: string): KubeObject | undefined;
  resolve(ref: ResourceRef): KubeObject | undefined;
  ownedBy(uid: string): { kind: LiveKind; obj: KubeObject }[];
  podsOn(node: string): KubeObject[];
  onDidChange(fn: (changes: readonly LiveChange[]) => void): { dispose(): void };
}
