// The explorer's trees with 1,000 pods (issue 8): the time to compute each view's rows from the live
// cache (what a coalesced refresh costs the extension host), and how many elements a refresh fires
// (views/rows.ts TreeState): none when nothing changed, only the changed rows when 50 pods of a
// rollout change. The cluster is synthetic (the API's JSON): 1,000 pods of 10 Deployments in 5
// namespaces on 20 nodes, a Service and Endpoints per Deployment, 300 events.
//
// `node --import tsx bench/trees.ts` runs it alone.
import type { KubeObject, LiveKind } from '../src/extension/live.ts';
import { clusterRows } from '../src/extension/views/cluster.ts';
import { configStorageRows } from '../src/extension/views/config-storage.ts';
import { eventRows } from '../src/extension/views/events.ts';
import type { ViewOptions, ViewSource } from '../src/extension/views/format.ts';
import { networkRows } from '../src/extension/views/network.ts';
import { TreeState, type Row } from '../src/extension/views/rows.ts';
import { workloadRows } from '../src/extension/views/workloads.ts';
import { median, table } from './lib/table.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ts = (agoS: number) => new Date(NOW - agoS * 1000).toISOString();

/** A ViewSource over plain arrays, with the owner and node indexes LiveCluster keeps. */
function source(objects: Map<LiveKind, KubeObject[]>): ViewSource & { reindex(): void } {
  const key = (o: KubeObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const byKey = new Map<LiveKind, Map<string, KubeObject>>();
  const owned = new Map<string, { kind: LiveKind; obj: KubeObject }[]>();
  const onNode = new Map<string, KubeObject[]>();
  const index = () => {
    byKey.clear();
    owned.clear();
    onNode.clear();
    for (const [kind, list] of objects) {
      byKey.set(kind, new Map(list.map((o) => [key(o), o])));
      for (const o of list) {
        for (const r of o.metadata?.ownerReferences ?? []) (owned.get(r.uid) ?? owned.set(r.uid, []).get(r.uid)!).push({ kind, obj: o });
        if (kind === 'pods' && o.spec?.nodeName) (onNode.get(o.spec.nodeName) ?? onNode.set(o.spec.nodeName, []).get(o.spec.nodeName)!).push(o);
      }
    }
  };
  index();
  return Object.assign(
    {
      list: (kind: LiveKind, ns?: string) => (objects.get(kind) ?? []).filter((o) => ns === undefined || o.metadata?.namespace === ns),
      get: (kind: LiveKind, ns: string | undefined, name: string) => byKey.get(kind)?.get(`${ns ?? ''}/${name}`),
      ownedBy: (uid: string) => owned.get(uid) ?? [],
      podsOn: (node: string) => onNode.get(node) ?? [],
      kindState: () => ({ state: 'ready' as const }),
    },
    { reindex: index },
  );
}

function syntheticCluster(pods = 1000, deployments = 10, nodes = 20, namespaces = 5) {
  const objects = new Map<LiveKind, KubeObject[]>();
  const add = (kind: LiveKind, o: KubeObject) => (objects.get(kind) ?? objects.set(kind, []).get(kind)!).push(o);
  let uid = 0;
  const meta = (name: string, namespace?: string, extra: Record<string, unknown> = {}) => ({ name, namespace, uid: `uid-${++uid}`, creationTimestamp: ts(3600), ...extra });
  for (let n = 0; n < nodes; n++) {
    add('nodes', {
      metadata: meta(n === 0 ? 'kube-emulator' : `kube-emulator-m${String(n + 1).padStart(2, '0')}`, undefined, { labels: n === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {} }),
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: '8', memory: '32Gi', pods: '110' }, allocatable: { cpu: '8', memory: '32Gi', pods: '110' } },
    });
  }
  const nodeNames = objects.get('nodes')!.map((n) => n.metadata!.name!);
  for (let ns = 0; ns < namespaces; ns++) add('namespaces', { metadata: meta(`team-${ns}`), status: { phase: 'Active' } });
  const perDeploy = pods / deployments;
  let p = 0;
  for (let d = 0; d < deployments; d++) {
    const ns = `team-${d % namespaces}`;
    const name = `app-${d}`;
    const dep = { metadata: meta(name, ns), spec: { replicas: perDeploy, selector: { matchLabels: { app: name } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } }, status: { readyReplicas: perDeploy, updatedReplicas: perDeploy, availableReplicas: perDeploy } };
    add('deployments', dep);
    const rs = {
      metadata: meta(`${name}-7d4b9c`, ns, { annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: dep.metadata.uid, controller: true }] }),
      spec: { replicas: perDeploy },
      status: { replicas: perDeploy, readyReplicas: perDeploy },
    };
    add('replicasets', rs);
    const addresses: unknown[] = [];
    for (let i = 0; i < perDeploy; i++, p++) {
      const pod = {
        metadata: meta(`${rs.metadata.name}-${String(i).padStart(5, 'x')}`, ns, { labels: { app: name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] }),
        spec: { nodeName: nodeNames[p % nodes], containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '50m', memory: '64Mi' } } }] },
        status: { phase: 'Running', podIP: `10.244.${p >> 8}.${p & 255}`, containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: { startedAt: ts(3000) } } }] },
      };
      add('pods', pod);
      addresses.push({ ip: pod.status.podIP, nodeName: pod.spec.nodeName, targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid } });
    }
    add('services', { metadata: meta(name, ns), spec: { type: 'ClusterIP', clusterIP: `10.96.0.${d + 10}`, clusterIPs: [`10.96.0.${d + 10}`], selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] } });
    add('endpoints', { metadata: meta(name, ns), subsets: [{ addresses, ports: [{ port: 80, protocol: 'TCP' }] }] });
    add('configmaps', { metadata: meta(`${name}-config`, ns), data: { a: '1' } });
  }
  for (let e = 0; e < 300; e++) {
    const pod = objects.get('pods')![e];
    add('events', {
      metadata: meta(`${pod.metadata!.name}.${e}`, pod.metadata!.namespace),
      type: e % 10 === 0 ? 'Warning' : 'Normal',
      reason: e % 10 === 0 ? 'BackOff' : 'Started',
      message: 'Started container c',
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata!.namespace, name: pod.metadata!.name },
      lastTimestamp: ts(e * 7),
      count: 1,
    });
  }
  const src = source(objects);
  return {
    src,
    /** A rollout's batch: `n` pods of the first Deployment go not-ready, then are replaced by new ones. */
    churn(n: number, round: number) {
      const list = objects.get('pods')!;
      for (let i = 0; i < n; i++) {
        const old = list[i];
        list[i] = { ...old, status: { ...old.status, containerStatuses: [{ ...old.status.containerStatuses[0], ready: false, restartCount: round }] } };
      }
      src.reindex();
    },
  };
}

const VIEWS: [string, (src: ViewSource, opts: ViewOptions) => Row[]][] = [
  ['Cluster', clusterRows],
  ['Workloads', workloadRows],
  ['Network', networkRows],
  ['Config and Storage', configStorageRows],
  ['Events', eventRows],
];

const count = (rows: Row[]): number => rows.reduce((n, r) => n + 1 + count(r.children ?? []), 0);

export function treesBench(): void {
  const { src, churn } = syntheticCluster();
  const opts: ViewOptions = { now: NOW };
  const rows: (string | number)[][] = [];
  for (const [name, fn] of VIEWS) {
    const state = new TreeState();
    state.update(fn(src, opts));
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const r = fn(src, opts);
      const changed = state.update(r);
      times.push(performance.now() - t0);
      if (changed !== 'all' && changed.length) throw new Error(`${name}: ${changed.length} elements fired with nothing changed`);
    }
    churn(50, 1);
    const fired = state.update(fn(src, opts));
    churn(50, 2);
    const t0 = performance.now();
    const fired2 = state.update(fn(src, opts));
    const churnMs = performance.now() - t0;
    const n = (f: typeof fired) => (f === 'all' ? 'all' : f.length);
    rows.push([name, count(fn(src, opts)), median(times).toFixed(1), Math.max(...times).toFixed(1), n(fired), n(fired2), churnMs.toFixed(1)]);
  }
  table('Explorer trees, 1,000 pods on 20 nodes (compute rows + TreeState diff per refresh; fired = elements VS Code is told to redraw)', ['view', 'rows', 'refresh median ms', 'max ms', 'fired: 50 pods go not-ready', 'fired: their restarts', '50-pod refresh ms'], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) treesBench();
