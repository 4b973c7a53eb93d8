// The topology's layout (layout.worker.ts) under Node: every vertex placed inside its group's box,
// no two vertices of a group overlapping, layers left to right along ownership, and the spanning set
// of edges that drives the layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layout, layoutEdges } from '../../../src/webview/topology/layout.worker.ts';
import type { LayoutRequest } from '../../../src/webview/topology/protocol.ts';

function request(): LayoutRequest {
  const nodes: LayoutRequest['nodes'] = [];
  const edges: LayoutRequest['edges'] = [];
  const n = (id: string, group: string, kind: LayoutRequest['nodes'][number]['kind']) => nodes.push({ id, group, kind, width: 160, height: 26 });
  n('d', 'ns:a', 'Deployment');
  n('rs', 'ns:a', 'ReplicaSet');
  n('svc', 'ns:a', 'Service');
  n('cm', 'ns:a', 'ConfigMap');
  edges.push({ id: 'd>rs', source: 'd', target: 'rs', kind: 'owns' });
  for (let i = 0; i < 6; i++) {
    n(`p${i}`, 'ns:a', 'Pod');
    edges.push({ id: `rs>p${i}`, source: 'rs', target: `p${i}`, kind: 'owns' });
    edges.push({ id: `svc>p${i}`, source: 'svc', target: `p${i}`, kind: 'selects' });
    edges.push({ id: `p${i}>cm`, source: `p${i}`, target: 'cm', kind: 'uses' });
    edges.push({ id: `p${i}>n${i % 2}`, source: `p${i}`, target: `n${i % 2}`, kind: 'runs-on' });
  }
  n('n0', 'cluster', 'Node');
  n('n1', 'cluster', 'Node');
  return { seq: 7, groups: [{ id: 'ns:a', label: 'a' }, { id: 'cluster', label: 'Nodes' }], nodes, edges };
}

test('spanning edges: ownership, one per Service and per configuration object, none across groups', () => {
  const e = layoutEdges(request()).map((x) => x.id);
  assert.equal(e.filter((id) => id.startsWith('rs>')).length, 6);
  assert.deepEqual(e.filter((id) => id.startsWith('svc>')), ['svc>p0']);
  assert.deepEqual(e.filter((id) => id.endsWith('>cm')), ['p0>cm']);
  assert.ok(!e.some((id) => /^p\d>n/.test(id)), 'runs-on edges cross from a namespace box to the nodes box');
});

test('every vertex is placed inside its group, without overlaps, ownership left to right', async () => {
  const req = request();
  const r = await layout(req);
  assert.equal(r.seq, 7);
  assert.equal(r.error, undefined);
  for (const n of req.nodes) {
    const p = r.positions[n.id];
    assert.ok(p, `${n.id} placed`);
    const [gx, gy, gw, gh] = r.groups[n.group];
    assert.ok(p[0] >= gx && p[1] >= gy && p[0] + n.width <= gx + gw && p[1] + n.height <= gy + gh, `${n.id} inside ${n.group}`);
  }
  for (const a of req.nodes)
    for (const b of req.nodes) {
      if (a === b) continue;
      const [ax, ay] = r.positions[a.id];
      const [bx, by] = r.positions[b.id];
      assert.ok(ax + a.width <= bx || bx + b.width <= ax || ay + a.height <= by || by + b.height <= ay, `${a.id} and ${b.id} overlap`);
    }
  assert.ok(r.positions.d[0] < r.positions.rs[0] && r.positions.rs[0] < r.positions.p0[0] && r.positions.p0[0] < r.positions.cm[0]);
  const [ax, ay, aw, ah] = r.groups['ns:a'];
  const [cx, cy, cw, ch] = r.groups.cluster;
  assert.ok(ax + aw <= cx || cx + cw <= ax || ay + ah <= cy || cy + ch <= ay, 'group boxes do not overlap');
  assert.ok(r.width >= Math.max(ax + aw, cx + cw) && r.height >= Math.max(ay + ah, cy + ch));
});
