// The topology panel's messages, defined once for both sides (issue 8): the extension host
// (src/extension/panels/topology.ts, graph from src/extension/topology-model.ts) and the webview
// (src/webview/topology/main.ts), plus the webview <-> layout worker messages (layout.worker.ts).
// Types, and the list of kinds both sides show (the webview's Kinds filter, the model's default).

/** The kinds the topology draws. */
export type TopoKind =
  | 'Deployment'
  | 'ReplicaSet'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Job'
  | 'CronJob'
  | 'ReplicationController'
  | 'Pod'
  | 'Node'
  | 'Service'
  | 'ConfigMap'
  | 'Secret'
  | 'PersistentVolumeClaim';

/** Every kind the topology draws, in the order the Kinds filter lists them. */
export const TOPO_KINDS: readonly TopoKind[] = [
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'Pod',
  'Node',
  'Service',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
];

/**
 * The colour class of a vertex. Pods: running (all containers ready), starting (Running, not all
 * ready), pending, succeeded, failed (Failed or a container waiting in an error like CrashLoopBackOff),
 * terminating, unknown. Nodes: ready, notready, unknown (the node controller lost the heartbeats).
 * Workloads: ok (ready = desired), progressing. Others: ok.
 */
export type TopoState =
  | 'running'
  | 'starting'
  | 'pending'
  | 'succeeded'
  | 'failed'
  | 'terminating'
  | 'unknown'
  | 'ready'
  | 'notready'
  | 'ok'
  | 'progressing';

/** The same shape as src/extension/live.ts's ResourceRef (what kubeEmulator.showDetails takes). */
export interface TopoRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface TopoNode {
  /** Stable across updates of the same object; a replaced object (new uid) is a new vertex. */
  id: string;
  kind: TopoKind;
  name: string;
  namespace?: string;
  /** The group (box) it is drawn in: `ns:NAME`, `node:NAME`, `cluster` or `unscheduled`. */
  group: string;
  state: TopoState;
  /** The key fact, short: `Running`, `2/3 ready`, `Pending: Insufficient cpu`, `NotReady`. */
  detail: string;
  ref: TopoRef;
}

/** owns: controller owner reference; runs-on: Pod → Node; selects: Service → Pod; uses: Pod → ConfigMap/Secret/PVC. */
export type TopoEdgeKind = 'owns' | 'runs-on' | 'selects' | 'uses';

export interface TopoEdge {
  /** `SOURCE>TARGET` */
  id: string;
  source: string;
  target: string;
  kind: TopoEdgeKind;
}

export interface TopoGroup {
  id: string;
  label: string;
  kind: 'namespace' | 'node' | 'cluster' | 'unscheduled';
}

export interface TopoGraph {
  nodes: TopoNode[];
  edges: TopoEdge[];
  groups: TopoGroup[];
}

/** What changed between two graphs. `addNodes`/`addEdges` are upserts; `groups` is the new list when it changed. */
export interface TopoDiff {
  addNodes: TopoNode[];
  updateNodes: TopoNode[];
  removeNodes: string[];
  addEdges: TopoEdge[];
  removeEdges: string[];
  groups?: TopoGroup[];
}

export type GroupBy = 'namespace' | 'node';

export interface TopoFilter {
  /** One namespace, or all when empty. */
  namespace?: string;
  /** A label selector (`app=web,tier!=db`, `env in (a,b)`): matching objects and what they connect to. */
  selector?: string;
  /** The kinds to draw; all when empty. */
  kinds?: TopoKind[];
}

export interface TopoView {
  groupBy: GroupBy;
  filter: TopoFilter;
}

/** Host → webview. */
export type HostMessage =
  | {
      type: 'init';
      graph: TopoGraph;
      view: TopoView;
      /** Namespaces for the filter's drop-down. */
      namespaces: string[];
      /** One line: which cluster, counts, or why nothing is shown (cluster stopped). */
      status: string;
      /** The label selector does not parse: Kubernetes' message. */
      filterError?: string;
    }
  | { type: 'diff'; diff: TopoDiff; status: string; namespaces?: string[]; filterError?: string };

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'open'; ref: TopoRef }
  | { type: 'view'; view: TopoView }
  /** After a layout was applied and painted: for the benchmark and the host's log. */
  | {
      type: 'rendered';
      reason: 'init' | 'update';
      nodes: number;
      edges: number;
      /** elkjs in the worker. */
      layoutMs: number;
      /** The UI thread's work to apply the layout (DOM and style writes). */
      applyMs: number;
      /** From the message that changed the graph to the frame after the layout was painted (debounce included). */
      totalMs: number;
    }
  | { type: 'error'; message: string };

/** What the panel's HTML carries (data-state on <body>). */
export interface PageState {
  /** dist/webview/topology-layout.worker.js as a webview URI. */
  workerUrl: string;
  /** `vscode.l10n.bundle`: the translations of the UI's messages (undefined in English), for @vscode/l10n's `config`. */
  l10n?: { [message: string]: string };
  /** `vscode.env.language` (`en`, `ko`): the page's `lang`. */
  language?: string;
}

// Webview ↔ layout worker.

export interface LayoutRequest {
  seq: number;
  groups: { id: string; label: string }[];
  nodes: { id: string; group: string; width: number; height: number; kind: TopoKind }[];
  edges: { id: string; source: string; target: string; kind: TopoEdgeKind }[];
}

export interface LayoutResult {
  seq: number;
  /** id → [x, y] of the vertex's top left corner, absolute. */
  positions: Record<string, [number, number]>;
  /** group id → [x, y, width, height], absolute. */
  groups: Record<string, [number, number, number, number]>;
  width: number;
  height: number;
  /** Time spent in elkjs. */
  ms: number;
  error?: string;
}
