// The topology panel's graph (issue 8), built from the live cluster model (live.ts): vertices for
// workloads, pods, nodes, Services and the ConfigMaps, Secrets and PVCs pods use; edges for
// controller ownership (Deployment → ReplicaSet → Pod, StatefulSet/DaemonSet/Job/ReplicationController
// → Pod, CronJob → Job), Pod → Node, Service → Pod (its selector, or its Endpoints' target refs when it
// has none, as the endpoints controller and a selector-less Service work:
// pkg/controller/endpoint/endpoints_controller.go) and Pod → ConfigMap/Secret/PVC (volumes, projected
// sources, env valueFrom, envFrom). Then the filter (namespace, label selector, kinds), the grouping
// (by namespace or by node) and the diff between two graphs the panel sends to the webview.
//
// No `vscode` import: unit-tested under Node against an emulated cluster.
import { matchesLabels, parseLabelSelector, type Requirement } from '../emulator/api/selectors.ts';
// Types only from live.ts: its values bring client-node, which the extension's activation bundle
// leaves to the lazily loaded session bundle.
import * as l10n from './l10n.ts';
import type { KubeObject, LiveCluster, LiveKind, ResourceRef } from './live.ts';
import type {
  GroupBy,
  TopoDiff,
  TopoEdge,
  TopoEdgeKind,
  TopoFilter,
  TopoGraph,
  TopoGroup,
  TopoKind,
  TopoNode,
  TopoState,
  TopoView,
} from '../webview/topology/protocol.ts';

/** What the model reads from the live cluster. */
export type LiveView = Pick<LiveCluster, 'list'>;


const LIVE_KIND_OF: Record<TopoKind, LiveKind> = {
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
  CronJob: 'cronjobs',
  ReplicationController: 'replicationcontrollers',
  Pod: 'pods',
  Node: 'nodes',
  Service: 'services',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

/** apiVersion per kind, as live.ts's LIVE_RESOURCES lists them (refs for kubeEmulator.showDetails). */
const API_VERSION: Record<TopoKind, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ReplicationController: 'v1',
  Pod: 'v1',
  Node: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  PersistentVolumeClaim: 'v1',
};

function refOfObject(kind: TopoKind, obj: KubeObject): ResourceRef {
  const m = obj.metadata ?? {};
  return { apiVersion: API_VERSION[kind], kind, namespace: kind === 'Node' ? undefined : m.namespace, name: m.name ?? '', uid: m.uid };
}

const WORKLOADS: readonly TopoKind[] = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'];

export interface TopologyResult {
  graph: TopoGraph;
  /** The namespaces the cluster has (for the filter's drop-down). */
  namespaces: string[];
  /** The selector did not parse (Kubernetes' message); the graph is then not filtered by labels. */
  filterError?: string;
}

interface Vertex {
  node: TopoNode;
  labels?: Record<string, string>;
  /** A pod's node (spec.nodeName). */
  host?: string;
}

function vertexId(kind: TopoKind, obj: KubeObject): string {
  const m = obj.metadata ?? {};
  const base = `${kind}/${m.namespace ?? ''}/${m.name ?? ''}`;
  // A replaced object (a StatefulSet pod deleted and created again under its name) is a new vertex.
  return m.uid ? `${base}/${m.uid.slice(0, 8)}` : base;
}

/** kubectl get pods' STATUS column, in short (pkg/printers/internalversion/printers.go printPod). */
export function podState(pod: KubeObject): { state: TopoState; detail: string } {
  const st = pod.status ?? {};
  let reason: string = st.reason || st.phase || 'Pending';
  let state: TopoState =
    reason === 'Running' ? 'running' : reason === 'Succeeded' ? 'succeeded' : reason === 'Failed' ? 'failed' : reason === 'Pending' ? 'pending' : 'unknown';
  const statuses: any[] = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];
  let waitingError = false;
  for (const c of statuses) {
    const w = c.state?.waiting?.reason as string | undefined;
    if (w && w !== 'ContainerCreating' && w !== 'PodInitializing') {
      reason = w;
      waitingError = /BackOff|Err|Invalid|Error/.test(w);
    }
    const t = c.state?.terminated;
    if (t && state === 'running' && t.exitCode !== 0 && !c.ready) {
      reason = t.reason || `Error`;
    }
  }
  if (waitingError) state = 'failed';
  if (state === 'running') {
    const cs: any[] = st.containerStatuses ?? [];
    const ready = cs.filter((c) => c.ready).length;
    if (cs.length && ready < cs.length) {
      state = 'starting';
      reason = `Running, ${l10n.t('{0}/{1} ready', ready, cs.length)}`;
    }
  }
  if (state === 'pending' && reason === 'Pending') {
    const sched = (st.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (sched?.status === 'False' && sched.message) reason = `Pending: ${shorten(String(sched.message))}`;
  }
  if (pod.metadata?.deletionTimestamp) {
    // printers.go: "Terminating", or "Unknown" when the node is lost (status.reason NodeLost).
    state = st.reason === 'NodeLost' ? 'unknown' : 'terminating';
    reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  return { state, detail: reason };
}

function shorten(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** kubectl get nodes' STATUS (printers.go printNode): Ready, NotReady, Unknown, plus SchedulingDisabled. */
export function nodeState(node: KubeObject): { state: TopoState; detail: string } {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const state: TopoState = ready?.status === 'True' ? 'ready' : ready?.status === 'False' ? 'notready' : 'unknown';
  let detail = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
  if (node.spec?.unschedulable) detail += ',SchedulingDisabled';
  return { state, detail };
}

function workloadState(kind: TopoKind, obj: KubeObject): { state: TopoState; detail: string } {
  const s = obj.status ?? {};
  switch (kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'ReplicationController': {
      const want = obj.spec?.replicas ?? 1;
      const ready = s.readyReplicas ?? 0;
      return { state: ready === want ? 'ok' : 'progressing', detail: l10n.t('{0}/{1} ready', ready, want) };
    }
    case 'DaemonSet': {
      const want = s.desiredNumberScheduled ?? 0;
      const ready = s.numberReady ?? 0;
      return { state: ready === want ? 'ok' : 'progressing', detail: l10n.t('{0}/{1} ready', ready, want) };
    }
    case 'Job': {
      const failed = (s.conditions ?? []).some((c: any) => c.type === 'Failed' && c.status === 'True');
      if (failed) return { state: 'failed', detail: 'Failed' };
      const want = obj.spec?.completions ?? 1;
      const done = s.succeeded ?? 0;
      return { state: done >= want ? 'ok' : 'progressing', detail: l10n.t('{0}/{1} complete', done, want) };
    }
    case 'CronJob': {
      const active = (s.active ?? []).length;
      return { state: 'ok', detail: `${obj.spec?.schedule ?? ''}${obj.spec?.suspend ? l10n.t(', suspended') : ''}${active ? l10n.t(', {0} active', active) : ''}` };
    }
    default:
      return { state: 'ok', detail: '' };
  }
}

function otherState(kind: TopoKind, obj: KubeObject): { state: TopoState; detail: string } {
  switch (kind) {
    case 'Service':
      return { state: 'ok', detail: `${obj.spec?.type ?? 'ClusterIP'} ${obj.spec?.clusterIP ?? ''}`.trim() };
    case 'PersistentVolumeClaim': {
      const phase = obj.status?.phase ?? 'Pending';
      return { state: phase === 'Bound' ? 'ok' : phase === 'Lost' ? 'failed' : 'pending', detail: phase };
    }
    case 'ConfigMap':
      return { state: 'ok', detail: keys(Object.keys(obj.data ?? {}).length + Object.keys(obj.binaryData ?? {}).length) };
    case 'Secret':
      return { state: 'ok', detail: `${obj.type ?? 'Opaque'}, ${keys(Object.keys(obj.data ?? {}).length)}` };
    default:
      return { state: 'ok', detail: '' };
  }
}

function keys(n: number): string {
  return n === 1 ? l10n.t('1 key') : l10n.t('{0} keys', n);
}

/** The ConfigMaps, Secrets and PVCs a pod spec names (volumes, projected sources, env, envFrom). */
export function podReferences(pod: KubeObject): { kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim'; name: string }[] {
  const out: { kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim'; name: string }[] = [];
  const seen = new Set<string>();
  const add = (kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim', name: unknown) => {
    if (typeof name !== 'string' || !name) return;
    const k = `${kind}/${name}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ kind, name });
  };
  const spec = pod.spec ?? {};
  for (const v of spec.volumes ?? []) {
    // The token volume the ServiceAccount admission plugin adds to every pod (kube-root-ca.crt):
    // plugin/pkg/admission/serviceaccount/admission.go, ServiceAccountVolumeName prefix "kube-api-access-".
    if (v.projected && typeof v.name === 'string' && v.name.startsWith('kube-api-access-')) continue;
    add('ConfigMap', v.configMap?.name);
    add('Secret', v.secret?.secretName);
    add('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName);
    for (const s of v.projected?.sources ?? []) {
      add('ConfigMap', s.configMap?.name);
      add('Secret', s.secret?.name);
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name);
      add('Secret', e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('ConfigMap', e.configMapRef?.name);
      add('Secret', e.secretRef?.name);
    }
  }
  for (const s of spec.imagePullSecrets ?? []) add('Secret', s.name);
  return out;
}

/** Every vertex and edge of the cluster, unfiltered, with labels kept for the filter. */
function buildAll(live: LiveView): { vertices: Map<string, Vertex>; edges: TopoEdge[] } {
  const vertices = new Map<string, Vertex>();
  const byUid = new Map<string, string>();
  const byName = new Map<string, string>(); // `Kind/ns/name` → id
  const put = (kind: TopoKind, obj: KubeObject, s: { state: TopoState; detail: string }) => {
    const id = vertexId(kind, obj);
    const m = obj.metadata ?? {};
    vertices.set(id, {
      node: { id, kind, name: m.name ?? '', namespace: m.namespace, group: '', state: s.state, detail: s.detail, ref: refOfObject(kind, obj) },
      labels: m.labels,
      host: kind === 'Pod' ? obj.spec?.nodeName || undefined : undefined,
    });
    if (m.uid) byUid.set(m.uid, id);
    byName.set(`${kind}/${m.namespace ?? ''}/${m.name ?? ''}`, id);
    return id;
  };

  for (const n of live.list('nodes')) put('Node', n, nodeState(n));
  const pods = live.list('pods');
  for (const p of pods) put('Pod', p, podState(p));
  for (const kind of WORKLOADS) {
    for (const o of live.list(LIVE_KIND_OF[kind])) {
      // Old ReplicaSets of a Deployment (scaled to 0, no pods left) are history, not topology.
      if (kind === 'ReplicaSet' && (o.spec?.replicas ?? 1) === 0 && (o.status?.replicas ?? 0) === 0) continue;
      put(kind, o, workloadState(kind, o));
    }
  }
  for (const s of live.list('services')) put('Service', s, otherState('Service', s));

  const edges: TopoEdge[] = [];
  const edgeIds = new Set<string>();
  const edge = (source: string, target: string, kind: TopoEdgeKind) => {
    const id = `${source}>${target}`;
    if (edgeIds.has(id)) return;
    edgeIds.add(id);
    edges.push({ id, source, target, kind });
  };

  // Controller ownership (the controller reference only: the one that manages the object).
  const ownerEdges = (kind: TopoKind, objs: KubeObject[]) => {
    for (const o of objs) {
      const id = byUid.get(o.metadata?.uid ?? '') ?? byName.get(`${kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`);
      if (!id || !vertices.has(id)) continue;
      const ctl = (o.metadata?.ownerReferences ?? []).find((r) => r.controller) ?? undefined;
      const owner = ctl && byUid.get(ctl.uid);
      if (owner) edge(owner, id, 'owns');
    }
  };
  ownerEdges('Pod', pods);
  ownerEdges('ReplicaSet', live.list('replicasets'));
  ownerEdges('Job', live.list('jobs'));

  // Pod → Node, Pod → ConfigMap/Secret/PVC (only those that exist: a missing one is the details
  // panel's and the editor's business).
  const configKinds = { ConfigMap: 'configmaps', Secret: 'secrets', PersistentVolumeClaim: 'persistentvolumeclaims' } as const;
  const podsByNs = new Map<string, { id: string; labels: Record<string, string>; uid?: string; name: string }[]>();
  for (const p of pods) {
    const id = byUid.get(p.metadata?.uid ?? '') ?? vertexId('Pod', p);
    const ns = p.metadata?.namespace ?? '';
    let list = podsByNs.get(ns);
    if (!list) podsByNs.set(ns, (list = []));
    list.push({ id, labels: p.metadata?.labels ?? {}, uid: p.metadata?.uid, name: p.metadata?.name ?? '' });
    const node = p.spec?.nodeName as string | undefined;
    const nodeId = node ? byName.get(`Node//${node}`) : undefined;
    if (nodeId) edge(id, nodeId, 'runs-on');
    for (const r of podReferences(p)) {
      let target = byName.get(`${r.kind}/${ns}/${r.name}`);
      if (!target) {
        const obj = live.list(configKinds[r.kind], ns).find((o) => o.metadata?.name === r.name);
        if (!obj) continue;
        target = put(r.kind, obj, otherState(r.kind, obj));
      }
      edge(id, target, 'uses');
    }
  }

  // Service → Pod: by selector; a Service without one by its Endpoints' target refs.
  const endpoints = new Map<string, KubeObject>();
  for (const e of live.list('endpoints')) endpoints.set(`${e.metadata?.namespace}/${e.metadata?.name}`, e);
  for (const s of live.list('services')) {
    const id = byUid.get(s.metadata?.uid ?? '') ?? vertexId('Service', s);
    const ns = s.metadata?.namespace ?? '';
    const selector = s.spec?.selector as Record<string, string> | undefined;
    if (selector && Object.keys(selector).length) {
      const keys = Object.entries(selector);
      for (const p of podsByNs.get(ns) ?? []) if (keys.every(([k, v]) => p.labels[k] === v)) edge(id, p.id, 'selects');
      continue;
    }
    const ep = endpoints.get(`${ns}/${s.metadata?.name}`);
    for (const subset of ep?.subsets ?? []) {
      for (const a of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])]) {
        const t = a.targetRef;
        if (t?.kind !== 'Pod') continue;
        const target = (t.uid && byUid.get(t.uid)) || byName.get(`Pod/${t.namespace ?? ns}/${t.name}`);
        if (target) edge(id, target, 'selects');
      }
    }
  }
  return { vertices, edges };
}

/** The graph the panel shows: the cluster's, filtered and grouped. */
export function buildTopology(live: LiveView, view: TopoView): TopologyResult {
  const { vertices, edges } = buildAll(live);
  const namespaces = live
    .list('namespaces')
    .map((n) => n.metadata?.name ?? '')
    .filter(Boolean)
    .sort();
  const f: TopoFilter = view.filter ?? {};
  let keep = new Set(vertices.keys());
  let filterError: string | undefined;

  const out = new Map<string, TopoEdge[]>();
  const inn = new Map<string, TopoEdge[]>();
  for (const e of edges) {
    (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(e);
    (inn.get(e.target) ?? inn.set(e.target, []).get(e.target)!).push(e);
  }

  // Label selector: the matching objects, what they run (a workload's pods, a Service's, a node's),
  // and around each of those pods its owners, node, Services and configuration.
  let reqs: Requirement[] | undefined;
  if (f.selector?.trim()) {
    try {
      reqs = parseLabelSelector(f.selector.trim());
    } catch (e) {
      filterError = e instanceof Error ? e.message : String(e);
    }
  }
  if (reqs) {
    const seeds = [...vertices.values()].filter((v) => matchesLabels(reqs!, v.labels)).map((v) => v.node.id);
    const kept = new Set<string>(seeds);
    const pods = new Set<string>();
    const stack = [...seeds];
    const visit = (id: string) => {
      if (kept.has(id)) return;
      kept.add(id);
      stack.push(id);
    };
    while (stack.length) {
      const id = stack.pop()!;
      const v = vertices.get(id)!;
      if (v.node.kind === 'Pod') {
        pods.add(id);
        continue;
      }
      if (v.node.kind === 'Node') {
        for (const e of inn.get(id) ?? []) if (e.kind === 'runs-on') visit(e.source);
        continue;
      }
      for (const e of out.get(id) ?? []) if (e.kind === 'owns' || e.kind === 'selects') visit(e.target);
    }
    for (const p of pods) {
      for (const e of out.get(p) ?? []) kept.add(e.target); // node, configuration
      const up = [p];
      while (up.length) {
        const id = up.pop()!;
        for (const e of inn.get(id) ?? []) {
          if (e.kind === 'runs-on') continue;
          if (!kept.has(e.source)) kept.add(e.source);
          if (e.kind === 'owns') up.push(e.source);
        }
      }
    }
    keep = kept;
  }

  if (f.namespace) {
    const ns = f.namespace;
    const next = new Set<string>();
    for (const id of keep) if (vertices.get(id)!.node.namespace === ns) next.add(id);
    // The nodes that run the namespace's pods.
    for (const id of next) for (const e of out.get(id) ?? []) if (e.kind === 'runs-on' && keep.has(e.target)) next.add(e.target);
    keep = next;
  }
  if (f.kinds?.length) {
    const kinds = new Set(f.kinds);
    keep = new Set([...keep].filter((id) => kinds.has(vertices.get(id)!.node.kind)));
  }

  const nodes: TopoNode[] = [];
  const groups = new Map<string, TopoGroup>();
  for (const id of keep) {
    const v = vertices.get(id)!;
    const n = v.node;
    const g = groupOf(n, v.host, view.groupBy);
    n.group = g.id;
    if (!groups.has(g.id)) groups.set(g.id, g);
    nodes.push(n);
  }
  nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const keptEdges = edges.filter((e) => keep.has(e.source) && keep.has(e.target));
  const groupList = [...groups.values()].sort((a, b) => GROUP_ORDER[a.kind] - GROUP_ORDER[b.kind] || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { graph: { nodes, edges: keptEdges, groups: groupList }, namespaces, filterError };
}

const GROUP_ORDER: Record<TopoGroup['kind'], number> = { namespace: 0, node: 1, unscheduled: 2, cluster: 3 };

/**
 * By namespace: a box per namespace, nodes in a box of their own. By node: a box per node with the
 * node and its pods, unscheduled pods in a box of their own, everything else in its namespace's box.
 */
function groupOf(n: TopoNode, host: string | undefined, by: GroupBy): TopoGroup {
  if (by === 'node') {
    if (n.kind === 'Node') return { id: `node:${n.name}`, label: l10n.t('Node {0}', n.name), kind: 'node' };
    if (n.kind === 'Pod') return host ? { id: `node:${host}`, label: l10n.t('Node {0}', host), kind: 'node' } : { id: 'unscheduled', label: l10n.t('Not scheduled'), kind: 'unscheduled' };
  }
  if (n.kind === 'Node') return { id: 'cluster', label: l10n.t('Nodes'), kind: 'cluster' };
  return { id: `ns:${n.namespace ?? ''}`, label: l10n.t('Namespace {0}', n.namespace ?? ''), kind: 'namespace' };
}

/** What changed from `prev` to `next` (vertices compared by what the webview draws). */
export function diffTopology(prev: TopoGraph, next: TopoGraph): TopoDiff {
  const before = new Map(prev.nodes.map((n) => [n.id, n]));
  const after = new Map(next.nodes.map((n) => [n.id, n]));
  const d: TopoDiff = { addNodes: [], updateNodes: [], removeNodes: [], addEdges: [], removeEdges: [] };
  for (const [id, n] of after) {
    const o = before.get(id);
    if (!o) d.addNodes.push(n);
    else if (o.state !== n.state || o.detail !== n.detail || o.group !== n.group || o.name !== n.name) d.updateNodes.push(n);
  }
  for (const id of before.keys()) if (!after.has(id)) d.removeNodes.push(id);
  const eb = new Map(prev.edges.map((e) => [e.id, e]));
  const ea = new Set(next.edges.map((e) => e.id));
  for (const e of next.edges) {
    const o = eb.get(e.id);
    if (!o || o.kind !== e.kind) d.addEdges.push(e);
  }
  for (const id of eb.keys()) if (!ea.has(id)) d.removeEdges.push(id);
  if (JSON.stringify(prev.groups) !== JSON.stringify(next.groups)) d.groups = next.groups;
  return d;
}

export function isEmptyDiff(d: TopoDiff): boolean {
  return !d.addNodes.length && !d.updateNodes.length && !d.removeNodes.length && !d.addEdges.length && !d.removeEdges.length && !d.groups;
}

/** The graph `prev` becomes with `d` applied (what the webview holds after a diff). */
export function applyDiff(prev: TopoGraph, d: TopoDiff): TopoGraph {
  const nodes = new Map(prev.nodes.map((n) => [n.id, n]));
  for (const id of d.removeNodes) nodes.delete(id);
  for (const n of [...d.addNodes, ...d.updateNodes]) nodes.set(n.id, n);
  const edges = new Map(prev.edges.map((e) => [e.id, e]));
  for (const id of d.removeEdges) edges.delete(id);
  for (const e of d.addEdges) edges.set(e.id, e);
  return { nodes: [...nodes.values()], edges: [...edges.values()], groups: d.groups ?? prev.groups };
}

/** One line for the panel: counts by kind. */
export function summary(g: TopoGraph): string {
  const count = (k: TopoKind) => g.nodes.filter((n) => n.kind === k).length;
  const pods = count('Pod');
  const nodes = count('Node');
  return [pods === 1 ? l10n.t('1 pod') : l10n.t('{0} pods', pods), nodes === 1 ? l10n.t('1 node') : l10n.t('{0} nodes', nodes), l10n.t('{0} objects', g.nodes.length), l10n.t('{0} links', g.edges.length)].join(', ');
}
