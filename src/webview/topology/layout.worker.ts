// The topology's layout, off the UI thread (issue 8): elkjs in this Web Worker. elk.bundled.js runs
// ELK in the thread that calls it (its "fake worker"), which here is this worker; on load it also
// claims `self.onmessage` for ELK's own worker protocol, so this module sets its handler after it.
//
// The graph: one compound node per group (namespace or node box), packed at the top level
// (rectpacking); inside each group a layered layout left to right (workload → ReplicaSet → Pod →
// node/configuration). Only a spanning set of edges drives the layout (ownership and runs-on, plus
// one edge per Service and per ConfigMap/Secret/PVC to its first pod): routing a Service's edge to
// each of 1,000 pods triples the edges and made ELK 5-20x slower (measured in Node: 0.4 s against
// 5-9 s for 1,000 pods), and the webview draws every edge itself as a curve anyway.
import ElkModule from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { LayoutRequest, LayoutResult } from './protocol.ts';

// A CommonJS module: its default export is the constructor (under Node and in the esbuild bundle).
type ElkCtor = new () => { layout(graph: ElkNode): Promise<ElkNode> };
const ELK = ((ElkModule as unknown as { default?: ElkCtor }).default ?? ElkModule) as unknown as ElkCtor;
const elk = new ELK();

const GROUP_LAYOUT = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.padding': '[top=36,left=16,bottom=16,right=16]',
  'elk.spacing.nodeNode': '8',
  'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  'elk.spacing.componentComponent': '16',
  // The fast settings: one pass of crossing minimisation, simple node placement, polyline edges.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.edgeRouting': 'POLYLINE',
};

/** The edges that drive the layout: a spanning set (see the header). */
export function layoutEdges(req: LayoutRequest): LayoutRequest['edges'] {
  const group = new Map(req.nodes.map((n) => [n.id, n.group]));
  const seen = new Set<string>();
  const out: LayoutRequest['edges'] = [];
  for (const e of req.edges) {
    const g = group.get(e.source);
    if (g === undefined || g !== group.get(e.target)) continue;
    if (e.kind === 'owns' || e.kind === 'runs-on') {
      out.push(e);
      continue;
    }
    // selects: Service → its first pod; uses: the first pod → the ConfigMap/Secret/PVC.
    const other = e.kind === 'selects' ? e.source : e.target;
    if (seen.has(other)) continue;
    seen.add(other);
    out.push(e);
  }
  return out;
}

export async function layout(req: LayoutRequest): Promise<LayoutResult> {
  const t0 = performance.now();
  const byGroup = new Map<string, ElkNode>();
  for (const g of req.groups) byGroup.set(g.id, { id: `group:${g.id}`, layoutOptions: GROUP_LAYOUT, children: [], edges: [] });
  for (const n of req.nodes) {
    let g = byGroup.get(n.group);
    if (!g) byGroup.set(n.group, (g = { id: `group:${n.group}`, layoutOptions: GROUP_LAYOUT, children: [], edges: [] }));
    g.children!.push({ id: n.id, width: n.width, height: n.height });
  }
  const group = new Map(req.nodes.map((n) => [n.id, n.group]));
  for (const e of layoutEdges(req)) {
    (byGroup.get(group.get(e.source)!)!.edges as ElkExtendedEdge[]).push({ id: e.id, sources: [e.source], targets: [e.target] });
  }
  const root: ElkNode = {
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'rectpacking', 'elk.spacing.nodeNode': '24', 'elk.padding': '[top=16,left=16,bottom=16,right=16]' },
    children: [...byGroup.values()].filter((g) => g.children!.length),
  };
  const done = await elk.layout(root);
  const positions: LayoutResult['positions'] = {};
  const groups: LayoutResult['groups'] = {};
  for (const g of done.children ?? []) {
    const gx = g.x ?? 0;
    const gy = g.y ?? 0;
    groups[g.id.slice('group:'.length)] = [gx, gy, g.width ?? 0, g.height ?? 0];
    for (const c of g.children ?? []) positions[c.id] = [gx + (c.x ?? 0), gy + (c.y ?? 0)];
  }
  return { seq: req.seq, positions, groups, width: done.width ?? 0, height: done.height ?? 0, ms: performance.now() - t0 };
}

// In the browser worker (not when imported under Node for tests).
const scope = globalThis as unknown as { postMessage?: (m: unknown) => void; onmessage?: unknown; document?: unknown; importScripts?: unknown };
if (typeof scope.importScripts === 'function' && scope.postMessage) {
  scope.onmessage = async (ev: MessageEvent<LayoutRequest>) => {
    const req = ev.data;
    try {
      scope.postMessage!(await layout(req));
    } catch (e) {
      const r: LayoutResult = { seq: req?.seq ?? -1, positions: {}, groups: {}, width: 0, height: 0, ms: 0, error: e instanceof Error ? e.message : String(e) };
      scope.postMessage!(r);
    }
  };
}
