// The topology panel's webview (issue 8): the graph the host sends (init, then batched diffs) drawn as
// SVG, laid out by elkjs in a Web Worker (layout.worker.ts), with animated changes (positions tween,
// new vertices fade in, removed ones fade out), filters and grouping sent to the host, pan and zoom,
// keyboard navigation (arrow keys between vertices, Enter opens details) and accessible labels.
//
// Only what changed is touched: vertices and edges are kept by id, a diff creates, updates or removes
// just those elements, and a layout result moves only the vertices whose position changed. Layouts are
// debounced and never more than one in flight.
//
// Its words are localized with @vscode/l10n from the bundle the host puts in the page state (issue 9);
// kinds, status values and Kubernetes' own messages (a label selector's parse error) stay as they are.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { VscodeMultiSelect } from '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import * as l10n from '@vscode/l10n';
import './topology.css';
import type {
  GroupBy,
  HostMessage,
  LayoutRequest,
  LayoutResult,
  PageState,
  TopoDiff,
  TopoEdge,
  TopoGraph,
  TopoGroup,
  TopoKind,
  TopoNode,
  TopoView,
  WebviewMessage,
} from './protocol.ts';
import { TOPO_KINDS } from './protocol.ts';
import { saveTopology, type SavedTopology } from '../../extension/panels/saved.ts';

declare function acquireVsCodeApi(): { postMessage(m: WebviewMessage): void; setState(s: SavedTopology): void };

const vscode = acquireVsCodeApi();
const post = (m: WebviewMessage) => vscode.postMessage(m);
const SVG = 'http://www.w3.org/2000/svg';
const W = 210;
const H = 36;
const LAYOUT_DEBOUNCE_MS = 120;
const FADE_MS = 400;
const MAX_TWEENED = 300;

interface Vertex {
  data: TopoNode;
  el: SVGGElement;
  name: SVGTextElement;
  detail: SVGTextElement;
  title: SVGTitleElement;
  pos?: [number, number];
  leaving?: boolean;
}
interface Link {
  data: TopoEdge;
  el: SVGPathElement;
  d?: string;
  leaving?: boolean;
}

const state: PageState = JSON.parse(document.body.dataset.state ?? '{}');
// Before any l10n.t: the translations VS Code loaded for the extension (none in English).
l10n.config({ contents: state.l10n ?? {} });
if (state.language) document.documentElement.lang = state.language;
const vertices = new Map<string, Vertex>();
const links = new Map<string, Link>();
const linksOf = new Map<string, Set<string>>();
const groupEls = new Map<string, SVGGElement>();
let groups: TopoGroup[] = [];
let view: TopoView = { groupBy: 'namespace', filter: {} };

// ---------------------------------------------------------------------------------------------
// The page: toolbar (vscode-elements), status line, the graph.

/**
 * vscode-multi-select in the user's language: the library (@vscode-elements/elements 2.5.1,
 * vscode-multi-select.js) writes "N Selected" on its face and "Select all", "Deselect all" and "OK" in
 * its drop-down, in English. The face is its `_renderLabel()` (a lit child part, which takes a DOM
 * node); the drop-down's controls are re-labelled after each render. Should a later version rename
 * these, its English words come back and nothing else changes.
 */
class KindsSelect extends VscodeMultiSelect {
  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    const root = this.shadowRoot;
    root?.querySelector('#select-all')?.setAttribute('title', l10n.t('Select all'));
    root?.querySelector('#select-none')?.setAttribute('title', l10n.t('Deselect all'));
    const ok = root?.querySelector('.button-accept');
    if (ok) ok.textContent = l10n.t('OK');
  }
}
(KindsSelect.prototype as unknown as { _renderLabel(this: KindsSelect): Node })._renderLabel = function () {
  const n = this.selectedIndexes.length;
  const badge = document.createElement('span');
  badge.className = n ? 'select-face-badge' : 'select-face-badge no-item';
  badge.textContent = l10n.t('{0} selected', n);
  return badge;
};
customElements.define('kube-multi-select', KindsSelect);

// The translations are ours, escaped all the same (they go into markup).
document.body.innerHTML = `
  <div class="toolbar" role="toolbar" aria-label="${escapeHtml(l10n.t('Topology filters'))}">
    <label class="field"><span>${escapeHtml(l10n.t('Group by'))}</span>
      <vscode-single-select id="groupBy" aria-label="${escapeHtml(l10n.t('Group by'))}">
        <vscode-option value="namespace">${escapeHtml(l10n.t('Namespace'))}</vscode-option>
        <vscode-option value="node">${escapeHtml(l10n.t('Node'))}</vscode-option>
      </vscode-single-select>
    </label>
    <label class="field"><span>${escapeHtml(l10n.t('Namespace'))}</span>
      <vscode-single-select id="namespace" aria-label="${escapeHtml(l10n.t('Namespace filter'))}"><vscode-option value="">${escapeHtml(l10n.t('All namespaces'))}</vscode-option></vscode-single-select>
    </label>
    <label class="field grow"><span>${escapeHtml(l10n.t('Labels'))}</span>
      <vscode-textfield id="selector" placeholder="app=web, tier in (front,back)" aria-label="${escapeHtml(l10n.t('Label selector filter'))}"></vscode-textfield>
    </label>
    <label class="field"><span>${escapeHtml(l10n.t('Kinds'))}</span>
      <kube-multi-select id="kinds" aria-label="${escapeHtml(l10n.t('Kinds to show'))}">${TOPO_KINDS.map((k) => `<vscode-option value="${k}">${k}</vscode-option>`).join('')}</kube-multi-select>
    </label>
    <span class="buttons">
      <vscode-button id="zoomOut" secondary aria-label="${escapeHtml(l10n.t('Zoom out'))}" title="${escapeHtml(l10n.t('Zoom out (-)'))}">−</vscode-button>
      <vscode-button id="zoomIn" secondary aria-label="${escapeHtml(l10n.t('Zoom in'))}" title="${escapeHtml(l10n.t('Zoom in (+)'))}">+</vscode-button>
      <vscode-button id="fit" secondary aria-label="${escapeHtml(l10n.t('Fit to view'))}" title="${escapeHtml(l10n.t('Fit to view (0)'))}">${escapeHtml(l10n.t('Fit'))}</vscode-button>
    </span>
  </div>
  <div id="status" class="status" role="status" aria-live="polite"></div>
  <div id="viewport" class="viewport" tabindex="0" role="group"
       aria-label="${escapeHtml(l10n.t('Topology graph. Arrow keys move between objects, Enter opens details, plus and minus zoom, 0 fits.'))}">
    <div id="layer" class="layer"><svg id="graph" xmlns="${SVG}">
      <g id="world"><g id="groups"></g><g id="edges"></g><g id="nodes"></g></g>
    </svg></div>
    <div id="empty" class="empty" hidden></div>
  </div>`;

const $ = <T extends Element>(id: string) => document.getElementById(id) as unknown as T;
const viewport = $<HTMLDivElement>('viewport');
const svg = $<SVGSVGElement>('graph');
const world = $<SVGGElement>('world');
const layer = $<HTMLDivElement>('layer');
const gGroups = $<SVGGElement>('groups');
const gEdges = $<SVGGElement>('edges');
const gNodes = $<SVGGElement>('nodes');
const statusEl = $<HTMLDivElement>('status');
const emptyEl = $<HTMLDivElement>('empty');
const groupBySel = $<HTMLElement & { value: string }>('groupBy');
const nsSel = $<HTMLElement & { value: string }>('namespace');
const selectorField = $<HTMLElement & { value: string }>('selector');
const kindsSel = $<HTMLElement & { value: string[] }>('kinds');

let statusText = '';
let filterError = '';
function showStatus(): void {
  statusEl.textContent = filterError ? l10n.t('{0} — label selector: {1}', statusText, filterError) : statusText;
  statusEl.classList.toggle('error', !!filterError);
  selectorField.toggleAttribute('invalid', !!filterError);
}

function sendView(): void {
  post({ type: 'view', view });
  // Kept across a window reload: the panel's serializer (topology.ts) restores the grouping and filters.
  vscode.setState(saveTopology(view));
}
groupBySel.addEventListener('change', () => {
  view = { ...view, groupBy: groupBySel.value as GroupBy };
  sendView();
});
nsSel.addEventListener('change', () => {
  view = { ...view, filter: { ...view.filter, namespace: nsSel.value || undefined } };
  sendView();
});
let selectorTimer: ReturnType<typeof setTimeout> | undefined;
const selectorChanged = () => {
  clearTimeout(selectorTimer);
  const v = selectorField.value.trim();
  if ((view.filter.selector ?? '') === v) return;
  view = { ...view, filter: { ...view.filter, selector: v || undefined } };
  sendView();
};
selectorField.addEventListener('input', () => {
  clearTimeout(selectorTimer);
  selectorTimer = setTimeout(selectorChanged, 400);
});
selectorField.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') selectorChanged();
});
kindsSel.addEventListener('change', () => {
  const kinds = (kindsSel.value ?? []) as TopoKind[];
  view = { ...view, filter: { ...view.filter, kinds: kinds.length ? kinds : undefined } };
  sendView();
});

function setNamespaces(list: string[]): void {
  const current = view.filter.namespace ?? '';
  const all = [...new Set([...list, ...(current ? [current] : [])])];
  nsSel.innerHTML = `<vscode-option value="">${escapeHtml(l10n.t('All namespaces'))}</vscode-option>${all.map((n) => `<vscode-option value="${escapeHtml(n)}">${escapeHtml(n)}</vscode-option>`).join('')}`;
  nsSel.value = current;
}

function setControls(): void {
  groupBySel.value = view.groupBy;
  selectorField.value = view.filter.selector ?? '';
  kindsSel.value = view.filter.kinds ?? [];
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// ---------------------------------------------------------------------------------------------
// Vertices and edges.

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function label(n: TopoNode): string {
  const where = n.namespace ? `${n.namespace}/${n.name}` : n.name;
  return `${n.kind} ${where}: ${n.detail || l10n.t('no status')}`;
}

function renderVertex(v: Vertex): void {
  const n = v.data;
  v.el.setAttribute('class', `v k-${n.kind} s-${n.state}${v.leaving ? ' leaving' : ''}${v.pos ? '' : ' entering'}`);
  v.el.setAttribute('aria-label', label(n));
  v.name.textContent = truncate(n.name, 28);
  v.detail.textContent = truncate(`${n.kind} · ${n.detail}`, 34);
  v.title.textContent = label(n);
}

function createVertex(n: TopoNode): Vertex {
  const el = document.createElementNS(SVG, 'g');
  el.setAttribute('tabindex', '-1');
  el.setAttribute('role', 'button');
  el.dataset.id = n.id;
  const box = document.createElementNS(SVG, 'rect');
  box.setAttribute('class', 'box');
  box.setAttribute('width', String(W));
  box.setAttribute('height', String(H));
  box.setAttribute('rx', '4');
  const bar = document.createElementNS(SVG, 'rect');
  bar.setAttribute('class', 'bar');
  bar.setAttribute('width', '5');
  bar.setAttribute('height', String(H));
  bar.setAttribute('rx', '2');
  const name = document.createElementNS(SVG, 'text');
  name.setAttribute('class', 'name');
  name.setAttribute('x', '12');
  name.setAttribute('y', '15');
  const detail = document.createElementNS(SVG, 'text');
  detail.setAttribute('class', 'detail');
  detail.setAttribute('x', '12');
  detail.setAttribute('y', '29');
  const title = document.createElementNS(SVG, 'title');
  el.append(title, box, bar, name, detail);
  const v: Vertex = { data: n, el, name, detail, title };
  renderVertex(v);
  gNodes.appendChild(el);
  return v;
}

function createLink(e: TopoEdge): Link {
  const el = document.createElementNS(SVG, 'path');
  el.setAttribute('class', `e e-${e.kind} entering`);
  gEdges.appendChild(el);
  for (const end of [e.source, e.target]) {
    let s = linksOf.get(end);
    if (!s) linksOf.set(end, (s = new Set()));
    s.add(e.id);
  }
  return { data: e, el };
}

function dropLink(id: string): void {
  const l = links.get(id);
  if (!l) return;
  links.delete(id);
  for (const end of [l.data.source, l.data.target]) linksOf.get(end)?.delete(id);
  fadeOut(l.el);
}

function fadeOut(el: SVGElement): void {
  el.classList.add('leaving');
  setTimeout(() => el.remove(), FADE_MS);
}

/** A cubic curve from the source's right side to the target's left side (or the reverse when behind). */
function pathOf(l: Link): string | undefined {
  const a = vertices.get(l.data.source)?.pos;
  const b = vertices.get(l.data.target)?.pos;
  if (!a || !b) return undefined;
  let x1 = a[0] + W;
  let x2 = b[0];
  const y1 = a[1] + H / 2;
  const y2 = b[1] + H / 2;
  if (x2 < x1 - 8) {
    // The target is left of the source (another box): leave from the left, enter from the right.
    x1 = a[0];
    x2 = b[0] + W;
  }
  const dx = Math.max(24, Math.abs(x2 - x1) / 2);
  const s = x2 >= x1 ? 1 : -1;
  return `M${x1.toFixed(1)} ${y1.toFixed(1)}C${(x1 + s * dx).toFixed(1)} ${y1.toFixed(1)} ${(x2 - s * dx).toFixed(1)} ${y2.toFixed(1)} ${x2.toFixed(1)} ${y2.toFixed(1)}`;
}

function placeLink(l: Link, animate: boolean): void {
  const d = pathOf(l);
  if (!d || d === l.d) return;
  l.el.classList.toggle('still', !animate || !l.d);
  // The `d` property (not the attribute) so that a CSS transition tweens the curve with its ends.
  l.el.style.setProperty('d', `path("${d}")`);
  if (!l.d) requestAnimationFrame(() => l.el.classList.remove('entering'));
  l.d = d;
}

// ---------------------------------------------------------------------------------------------
// Host messages: init and diffs.

let pendingSince = 0;
let pendingReason: 'init' | 'update' = 'init';

function markPending(reason: 'init' | 'update'): void {
  if (!pendingSince) {
    pendingSince = performance.now();
    pendingReason = reason;
  }
  if (reason === 'init') pendingReason = 'init';
}

function applyGraph(g: TopoGraph): void {
  for (const v of vertices.values()) v.el.remove();
  for (const l of links.values()) l.el.remove();
  vertices.clear();
  links.clear();
  linksOf.clear();
  focusedId = undefined;
  applyDiff({ addNodes: g.nodes, updateNodes: [], removeNodes: [], addEdges: g.edges, removeEdges: [], groups: g.groups }, 'init');
}

function applyDiff(d: TopoDiff, reason: 'init' | 'update'): void {
  let structural = false;
  for (const id of d.removeNodes) {
    const v = vertices.get(id);
    if (!v) continue;
    vertices.delete(id);
    v.leaving = true;
    for (const lid of [...(linksOf.get(id) ?? [])]) dropLink(lid);
    linksOf.delete(id);
    if (focusedId === id) focusedId = undefined;
    fadeOut(v.el);
    structural = true;
  }
  for (const id of d.removeEdges) dropLink(id);
  for (const n of [...d.addNodes, ...d.updateNodes]) {
    const v = vertices.get(n.id);
    if (!v) {
      vertices.set(n.id, createVertex(n));
      structural = true;
      continue;
    }
    if (v.data.group !== n.group) structural = true;
    v.data = n;
    renderVertex(v);
  }
  for (const e of d.addEdges) {
    const old = links.get(e.id);
    if (old) {
      old.data = e;
      old.el.setAttribute('class', `e e-${e.kind}`);
      continue;
    }
    const l = createLink(e);
    links.set(e.id, l);
    placeLink(l, false);
    structural = true;
  }
  if (d.groups) {
    groups = d.groups;
    structural = true;
  }
  emptyEl.hidden = vertices.size > 0;
  if (structural) {
    markPending(reason);
    scheduleLayout();
  }
}

window.addEventListener('message', (ev: MessageEvent<HostMessage>) => {
  const m = ev.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'init') {
    view = m.view;
    vscode.setState(saveTopology(view));
    setNamespaces(m.namespaces);
    setControls();
    statusText = m.status;
    filterError = m.filterError ?? '';
    emptyEl.textContent = m.status;
    showStatus();
    firstFit = true;
    applyGraph(m.graph);
  } else if (m.type === 'diff') {
    if (m.namespaces) setNamespaces(m.namespaces);
    statusText = m.status;
    filterError = m.filterError ?? '';
    emptyEl.textContent = m.status;
    showStatus();
    applyDiff(m.diff, 'update');
  }
});

// ---------------------------------------------------------------------------------------------
// Layout in the worker: debounced, one at a time; the result moves only what moved.

let worker: Worker | undefined;
let layoutTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;
let dirty = false;
let seq = 0;
let firstFit = true;
let graphSize: [number, number] = [1, 1];

async function startWorker(): Promise<Worker> {
  // VS Code webviews load workers only from blob: (or data:) URLs: fetch the bundle and wrap it
  // (https://code.visualstudio.com/api/extension-guides/webview#using-web-workers). A page of the
  // same origin as the bundle (the benchmark) can load it directly.
  let w: Worker;
  try {
    const res = await fetch(state.workerUrl);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    w = new Worker(URL.createObjectURL(await res.blob()));
  } catch {
    w = new Worker(state.workerUrl);
  }
  w.onmessage = (ev: MessageEvent<LayoutResult>) => onLayout(ev.data);
  w.onerror = (ev) => {
    inFlight = false;
    post({ type: 'error', message: `layout worker: ${ev.message}` });
  };
  return w;
}
const workerReady = startWorker().then(
  (w) => (worker = w),
  (e) => {
    statusText = l10n.t('The layout worker did not start: {0}', e instanceof Error ? e.message : String(e));
    showStatus();
    post({ type: 'error', message: statusText });
  },
);

function scheduleLayout(): void {
  dirty = true;
  if (inFlight) return;
  clearTimeout(layoutTimer);
  layoutTimer = setTimeout(() => void runLayout(), LAYOUT_DEBOUNCE_MS);
}

async function runLayout(): Promise<void> {
  await workerReady;
  if (!worker || inFlight) return;
  dirty = false;
  inFlight = true;
  const req: LayoutRequest = {
    seq: ++seq,
    groups: groups.map((g) => ({ id: g.id, label: g.label })),
    nodes: [...vertices.values()].map((v) => ({ id: v.data.id, group: v.data.group, kind: v.data.kind, width: W, height: H })),
    edges: [...links.values()].map((l) => l.data),
  };
  worker.postMessage(req);
}

function onLayout(r: LayoutResult): void {
  inFlight = false;
  if (r.error) {
    statusText = l10n.t('Layout failed: {0}', r.error);
    showStatus();
    post({ type: 'error', message: statusText });
  } else if (r.seq === seq) {
    const t0 = performance.now();
    const init = pendingReason === 'init';
    // Tween positions when few vertices move; a relayout that moves most of 1,000 pods jumps (the
    // appearing and disappearing ones still fade): a thousand transitions of transforms and edge
    // curves cost frames the panel needs to stay responsive (bench/topology.ts).
    let movedCount = 0;
    for (const v of vertices.values()) {
      const p = r.positions[v.data.id];
      if (p && v.pos && (v.pos[0] !== p[0] || v.pos[1] !== p[1])) movedCount++;
    }
    const animate = !init && movedCount <= MAX_TWEENED;
    // Groups first (behind), then vertices, then the edges of the vertices that moved.
    const seen = new Set<string>();
    for (const g of groups) {
      const box = r.groups[g.id];
      if (!box) continue;
      seen.add(g.id);
      let el = groupEls.get(g.id);
      if (!el) {
        el = document.createElementNS(SVG, 'g');
        el.setAttribute('class', `grp grp-${g.kind}`);
        const rect = document.createElementNS(SVG, 'rect');
        rect.setAttribute('rx', '6');
        const text = document.createElementNS(SVG, 'text');
        text.setAttribute('x', '12');
        text.setAttribute('y', '22');
        el.append(rect, text);
        gGroups.appendChild(el);
        groupEls.set(g.id, el);
        el.classList.add('still');
      } else el.classList.toggle('still', !animate);
      (el.lastChild as SVGTextElement).textContent = g.label;
      const rect = el.firstChild as SVGRectElement;
      el.style.transform = `translate(${box[0]}px, ${box[1]}px)`;
      rect.style.width = `${box[2]}px`;
      rect.style.height = `${box[3]}px`;
    }
    for (const [id, el] of groupEls) {
      if (seen.has(id)) continue;
      groupEls.delete(id);
      fadeOut(el);
    }
    const moved = new Set<string>();
    for (const v of vertices.values()) {
      const p = r.positions[v.data.id];
      if (!p) continue;
      if (v.pos && v.pos[0] === p[0] && v.pos[1] === p[1]) continue;
      const fresh = !v.pos;
      v.pos = p;
      moved.add(v.data.id);
      v.el.classList.toggle('still', fresh || !animate);
      v.el.style.transform = `translate(${p[0]}px, ${p[1]}px)`;
      if (fresh) {
        if (animate) requestAnimationFrame(() => v.el.classList.remove('entering'));
        else v.el.classList.remove('entering');
      }
    }
    const touched = new Set<string>();
    for (const id of moved) for (const lid of linksOf.get(id) ?? []) touched.add(lid);
    for (const lid of touched) {
      const l = links.get(lid);
      if (l) placeLink(l, animate);
    }
    graphSize = [Math.max(1, r.width), Math.max(1, r.height)];
    applyTransform();
    if (firstFit && vertices.size) {
      firstFit = false;
      fit();
    }
    const applyMs = performance.now() - t0;
    const since = pendingSince;
    const reason = pendingReason;
    pendingSince = 0;
    pendingReason = 'update';
    // After the next frame is painted: a rAF runs before the paint, a task queued from it after.
    requestAnimationFrame(() =>
      setTimeout(() => {
        post({ type: 'rendered', reason, nodes: vertices.size, edges: links.size, layoutMs: r.ms, applyMs, totalMs: since ? performance.now() - since : 0 });
      }, 0),
    );
    if (focusedId === undefined) setRoving(firstVertex());
  }
  if (dirty) scheduleLayout();
}

// ---------------------------------------------------------------------------------------------
// Pan and zoom. The <svg> is drawn at the zoom's size (its root group scaled by k, the element
// W·k × H·k pixels) inside a <div> that is its own composited layer, moved by a CSS translate:
// panning repaints nothing (a transform on the <svg> element itself still cost the UI thread 64 ms
// a frame at 1,000 pods, against 1.6 ms for an empty graph) (measured: repainting 1,000 vertices and 4,000 edges per frame took over a second a frame
// in software rendering), zooming repaints what is in view once per frame. Zoomed out, the vertices'
// text is not drawn (unreadable, and most of the paint).

let tx = 0;
let ty = 0;
let k = 1;
let frameRequested = false;
let paintedK = 0;
let paintedSize = '';

function applyTransform(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const size = `${graphSize[0]}x${graphSize[1]}`;
    if (k !== paintedK || size !== paintedSize) {
      paintedK = k;
      paintedSize = size;
      world.setAttribute('transform', `scale(${k.toFixed(4)})`);
      svg.setAttribute('width', String(Math.ceil(graphSize[0] * k) + 2));
      svg.setAttribute('height', String(Math.ceil(graphSize[1] * k) + 2));
      svg.classList.toggle('far', k < 0.45);
    }
    layer.style.transform = `translate(${tx.toFixed(1)}px, ${ty.toFixed(1)}px)`;
  });
}

function zoomAt(factor: number, cx: number, cy: number): void {
  const nk = Math.min(4, Math.max(0.02, k * factor));
  tx = cx - ((cx - tx) * nk) / k;
  ty = cy - ((cy - ty) * nk) / k;
  k = nk;
  applyTransform();
}

function fit(): void {
  const vw = viewport.clientWidth || 800;
  const vh = viewport.clientHeight || 600;
  k = Math.min(1, Math.max(0.02, Math.min(vw / graphSize[0], vh / graphSize[1])));
  tx = (vw - graphSize[0] * k) / 2;
  ty = Math.max(0, (vh - graphSize[1] * k) / 2);
  applyTransform();
}

/** For the benchmark: pan by (dx, dy) pixels. */
let panEnd: ReturnType<typeof setTimeout> | undefined;
(window as unknown as { topologyPan?: (dx: number, dy: number) => void }).topologyPan = (dx, dy) => {
  // As a drag does: no hit testing of the graph while it moves under the pointer.
  viewport.classList.add('panning');
  clearTimeout(panEnd);
  panEnd = setTimeout(() => viewport.classList.remove('panning'), 200);
  tx += dx;
  ty += dy;
  applyTransform();
};

viewport.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const r = viewport.getBoundingClientRect();
    if (e.ctrlKey || !e.shiftKey) zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    else {
      tx -= e.deltaX || e.deltaY;
      applyTransform();
    }
  },
  { passive: false },
);

let drag: { x: number; y: number; tx: number; ty: number; moved: boolean; id?: string } | undefined;
viewport.addEventListener('pointerdown', (e) => {
  if (e.button !== 0) return;
  const id = (e.target as Element).closest?.('g.v')?.getAttribute('data-id') ?? undefined;
  drag = { x: e.clientX, y: e.clientY, tx, ty, moved: false, id };
  viewport.setPointerCapture(e.pointerId);
});
viewport.addEventListener('pointermove', (e) => {
  if (!drag) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) < 4) return;
  drag.moved = true;
  viewport.classList.add('panning');
  tx = drag.tx + dx;
  ty = drag.ty + dy;
  applyTransform();
});
viewport.addEventListener('pointerup', (e) => {
  const d = drag;
  drag = undefined;
  viewport.classList.remove('panning');
  viewport.releasePointerCapture(e.pointerId);
  if (d && !d.moved && d.id) {
    setRoving(d.id);
    vertices.get(d.id)?.el.focus({ preventScroll: true });
    open(d.id);
  }
});

$<HTMLElement>('zoomIn').addEventListener('click', () => zoomAt(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2));
$<HTMLElement>('zoomOut').addEventListener('click', () => zoomAt(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2));
$<HTMLElement>('fit').addEventListener('click', () => fit());

// ---------------------------------------------------------------------------------------------
// Keyboard: one vertex is the tab stop (roving tabindex); arrows move to the nearest vertex that way.

let focusedId: string | undefined;

function firstVertex(): string | undefined {
  let best: Vertex | undefined;
  for (const v of vertices.values()) if (v.pos && (!best || v.pos[1] + v.pos[0] < best.pos![1] + best.pos![0])) best = v;
  return best?.data.id;
}

function setRoving(id: string | undefined): void {
  if (focusedId && vertices.get(focusedId)) {
    const old = vertices.get(focusedId)!;
    old.el.setAttribute('tabindex', '-1');
    highlight(focusedId, false);
  }
  focusedId = id;
  const v = id ? vertices.get(id) : undefined;
  if (v) {
    v.el.setAttribute('tabindex', '0');
    highlight(id!, true);
  }
  viewport.setAttribute('tabindex', v ? '-1' : '0');
}

function highlight(id: string, on: boolean): void {
  for (const lid of linksOf.get(id) ?? []) links.get(lid)?.el.classList.toggle('hl', on);
}

function open(id: string): void {
  const v = vertices.get(id);
  if (v) post({ type: 'open', ref: v.data.ref });
}

/** Pans so that the vertex is inside the viewport. */
function reveal(v: Vertex): void {
  if (!v.pos) return;
  const vw = viewport.clientWidth;
  const vh = viewport.clientHeight;
  const x = v.pos[0] * k + tx;
  const y = v.pos[1] * k + ty;
  const margin = 40;
  if (x < margin) tx += margin - x;
  else if (x + W * k > vw - margin) tx -= x + W * k - (vw - margin);
  if (y < margin) ty += margin - y;
  else if (y + H * k > vh - margin) ty -= y + H * k - (vh - margin);
  applyTransform();
}

function nearest(from: Vertex, dx: number, dy: number): Vertex | undefined {
  let best: Vertex | undefined;
  let bestScore = Infinity;
  const [fx, fy] = from.pos!;
  for (const v of vertices.values()) {
    if (v === from || !v.pos) continue;
    const ddx = v.pos[0] - fx;
    const ddy = v.pos[1] - fy;
    const along = ddx * dx + ddy * dy;
    if (along <= 0) continue;
    const across = Math.abs(ddx * dy - ddy * dx);
    const score = along + across * 3;
    if (score < bestScore) {
      bestScore = score;
      best = v;
    }
  }
  return best;
}

viewport.addEventListener('focusin', (e) => {
  if (e.target === viewport) {
    const id = focusedId ?? firstVertex();
    if (id) {
      setRoving(id);
      vertices.get(id)!.el.focus({ preventScroll: true });
      reveal(vertices.get(id)!);
    }
  }
});

viewport.addEventListener('keydown', (e) => {
  const cur = focusedId ? vertices.get(focusedId) : undefined;
  const dirs: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
  if (dirs[e.key] && cur?.pos) {
    e.preventDefault();
    const next = nearest(cur, ...dirs[e.key]);
    if (next) {
      setRoving(next.data.id);
      next.el.focus({ preventScroll: true });
      reveal(next);
    }
  } else if ((e.key === 'Enter' || e.key === ' ') && cur) {
    e.preventDefault();
    open(cur.data.id);
  } else if (e.key === '+' || e.key === '=') zoomAt(1.25, viewport.clientWidth / 2, viewport.clientHeight / 2);
  else if (e.key === '-') zoomAt(0.8, viewport.clientWidth / 2, viewport.clientHeight / 2);
  else if (e.key === '0') fit();
});

viewport.addEventListener('pointerover', (e) => {
  const id = (e.target as Element).closest?.('g.v')?.getAttribute('data-id');
  if (id) highlight(id, true);
});
viewport.addEventListener('pointerout', (e) => {
  const id = (e.target as Element).closest?.('g.v')?.getAttribute('data-id');
  if (id && id !== focusedId) highlight(id, false);
});

window.addEventListener('error', (e) => post({ type: 'error', message: String(e.message) }));
post({ type: 'ready' });
