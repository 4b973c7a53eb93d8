// The topology panel with 1,000 pods in Chromium (issue 8): the built webview (dist/webview/topology.js,
// its CSS and the elkjs layout worker) loaded into a plain page that mimics the webview API
// (acquireVsCodeApi, host messages through window.postMessage), under the panel's CSP, in Debian's
// Chromium through playwright-core. The graph: 1,000 pods of 10 Deployments (5 namespaces) on 20 nodes,
// with a Service and a ConfigMap per Deployment, built by the panel's own model (topology-model.ts).
//
// Measured, by the page itself (performance.now()):
//  - first render: the init message to the frame after the laid-out graph was painted (layout in the
//    worker, the DOM built and placed), on a fresh page each run; elkjs's share and the UI thread's;
//  - update: a diff replacing 50 pods (a rollout's batch) to the frame after its layout was painted
//    (the layout debounce, 120 ms, included), and the frame times during the 0.4 s animation after it;
//  - panning: frame intervals while the graph is dragged 3 px per frame for 2 s (requestAnimationFrame).
//
// `node --import tsx bench/topology.ts` runs it alone (after `npm run build`).
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/vscode-server.mjs';
import { buildTopology, diffTopology, type LiveView } from '../src/extension/topology-model.ts';
import { makeNonce, webviewHtml } from '../src/extension/webview-html.ts';
import type { KubeObject, LiveKind } from '../src/extension/live.ts';
import type { HostMessage, TopoGraph, TopoView, WebviewMessage } from '../src/webview/topology/protocol.ts';
import { median, table } from './lib/table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const ORIGIN = 'http://topology.bench';
const DIST = join(ROOT, 'dist', 'webview');

/** A cluster of `pods` pods in `deployments` Deployments on `nodes` nodes, as the API's JSON. */
export function syntheticCluster(pods = 1000, deployments = 10, nodes = 20, namespaces = 5): { live: LiveView; replace(n: number): void } {
  const store = new Map<LiveKind, KubeObject[]>();
  const add = (kind: LiveKind, o: KubeObject) => (store.get(kind) ?? store.set(kind, []).get(kind)!).push(o);
  let uid = 0;
  const meta = (name: string, namespace?: string, labels?: Record<string, string>, owner?: KubeObject, ownerKind?: string) => ({
    name,
    namespace,
    labels,
    uid: `00000000-${String(++uid).padStart(4, '0')}-0000-0000-000000000000`.replace(/^0{8}/, (uid * 2654435761 >>> 0).toString(16).padStart(8, '0')),
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: ownerKind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true }] } : {}),
  });
  for (let n = 0; n < nodes; n++)
    add('nodes', { metadata: meta(`node-${String(n).padStart(2, '0')}`), status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  for (let i = 0; i < namespaces; i++) add('namespaces', { metadata: meta(`team-${i}`) });
  const rsOf: KubeObject[] = [];
  for (let d = 0; d < deployments; d++) {
    const ns = `team-${d % namespaces}`;
    const app = `app-${d}`;
    const replicas = Math.round(pods / deployments);
    const dep = { metadata: meta(app, ns, { app }), spec: { replicas }, status: { readyReplicas: replicas } };
    add('deployments', dep);
    const rs = { metadata: meta(`${app}-7d9c6b5f4`, ns, { app }, dep, 'Deployment'), spec: { replicas }, status: { replicas, readyReplicas: replicas } };
    add('replicasets', rs);
    rsOf.push(rs);
    add('services', { metadata: meta(app, ns), spec: { selector: { app }, clusterIP: `10.96.0.${d + 10}` } });
    add('configmaps', { metadata: meta(`${app}-config`, ns), data: { a: '1' } });
  }
  let podSerial = 0;
  const makePod = (d: number) => {
    const rs = rsOf[d];
    const app = `app-${d}`;
    const i = podSerial++;
    return {
      metadata: meta(`${rs.metadata!.name}-${i.toString(36).padStart(5, 'x')}`, rs.metadata!.namespace, { app }, rs, 'ReplicaSet'),
      spec: { nodeName: `node-${String(i % nodes).padStart(2, '0')}`, containers: [{ name: 'c', envFrom: [{ configMapRef: { name: `${app}-config` } }] }] },
      status: { phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] },
    };
  };
  for (let p = 0; p < pods; p++) add('pods', makePod(p % deployments));
  const live: LiveView = {
    list: (kind: LiveKind, namespace?: string) => (store.get(kind) ?? []).filter((o) => namespace === undefined || o.metadata?.namespace === namespace),
  };
  return {
    live,
    /** A rollout's batch: the first `n` pods deleted and as many new ones created. */
    replace(n: number) {
      const list = store.get('pods')!;
      const gone = list.splice(0, n);
      for (const p of gone) list.push(makePod(Number(/^app-(\d+)/.exec(p.metadata!.name!)![1])));
    },
  };
}

const THEME_CSS = `:root {
  --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc;
  --vscode-editor-background: #1f1f1f; --vscode-editorWidget-background: #202020; --vscode-editorWidget-border: #454545;
  --vscode-descriptionForeground: #9d9d9d; --vscode-focusBorder: #0078d4; --vscode-panel-border: #2b2b2b;
  --vscode-sideBar-background: #181818; --vscode-testing-iconPassed: #73c991; --vscode-errorForeground: #f85149;
  --vscode-editorWarning-foreground: #cca700; --vscode-editorLineNumber-foreground: #6e7681;
}`;

interface Harness {
  page: Page;
  messages: WebviewMessage[];
  waitFor(pred: (m: WebviewMessage) => boolean, timeoutMs?: number): Promise<WebviewMessage>;
  send(m: HostMessage): Promise<void>;
}

async function openPage(context: Awaited<ReturnType<typeof chromium.launchPersistentContext>>): Promise<Harness> {
  const page = await context.newPage();
  const messages: WebviewMessage[] = [];
  const waiters: { pred: (m: WebviewMessage) => boolean; resolve: (m: WebviewMessage) => void }[] = [];
  await page.exposeFunction('__hostReceive', (m: WebviewMessage) => {
    messages.push(m);
    for (const w of [...waiters]) {
      if (!w.pred(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  // Scripts for the page are strings: tsx would wrap named functions in a helper the page lacks.
  await page.addInitScript({
    content: 'window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__hostReceive(m), getState: () => undefined, setState: () => undefined });',
  });
  const nonce = makeNonce();
  const html = webviewHtml({
    title: 'Topology',
    cspSource: ORIGIN,
    nonce,
    script: `${ORIGIN}/topology.js`,
    styles: [`${ORIGIN}/theme.css`, `${ORIGIN}/topology.css`],
    workers: true,
    state: { workerUrl: `${ORIGIN}/topology-layout.worker.js` },
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname.slice(1);
    if (path === '' || path === 'index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === 'theme.css') return route.fulfill({ contentType: 'text/css', body: THEME_CSS });
    const file = join(DIST, path);
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ contentType: path.endsWith('.css') ? 'text/css' : 'text/javascript', body: readFileSync(file) });
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const h: Harness = {
    page,
    messages,
    waitFor(pred, timeoutMs = 120_000) {
      const hit = messages.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no such message from the page in ${timeoutMs} ms; errors: ${errors.join('; ')}; got ${JSON.stringify(messages).slice(0, 500)}`)), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    send: (m) => page.evaluate(`window.postMessage(${JSON.stringify(m)}, '*')`),
  };
  await page.goto(`${ORIGIN}/index.html`);
  await h.waitFor((m) => m.type === 'ready');
  return h;
}

/** Frame intervals (ms) while `step` runs once per animation frame for `ms`. */
async function frameTimes(page: Page, ms: number, pan: boolean): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const out = [];
    const start = performance.now();
    let last = start;
    let i = 0;
    const tick = (t) => {
      if (i++ > 0) out.push(t - last);
      last = t;
      if (${pan}) window.topologyPan(i % 200 < 100 ? 3 : -3, i % 200 < 100 ? 2 : -2);
      if (t - start < ${ms} || out.length < 30) requestAnimationFrame(tick);
      else resolve(out);
    };
    requestAnimationFrame(tick);
  })`) as Promise<number[]>;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

export async function topologyBench(): Promise<void> {
  if (!existsSync(join(DIST, 'topology.js')) || !existsSync(join(DIST, 'topology-layout.worker.js'))) {
    console.log('\n(dist/webview/topology.js missing: run `npm run build` for the topology benchmark)');
    return;
  }
  const view: TopoView = { groupBy: 'namespace', filter: {} };
  const cluster = syntheticCluster();
  const t0 = performance.now();
  let graph: TopoGraph = buildTopology(cluster.live, view).graph;
  const buildMs = performance.now() - t0;
  const context = await chromium.launchPersistentContext('', chromiumLaunchOptions());
  try {
    const first: { layout: number; apply: number; total: number }[] = [];
    const firstNode: { layout: number; apply: number; total: number }[] = [];
    let h: Harness | undefined;
    for (let run = 0; run < 3; run++) {
      for (const mode of ['namespace', 'node'] as const) {
        await h?.page.close();
        h = await openPage(context);
        const g = mode === 'namespace' ? graph : buildTopology(cluster.live, { ...view, groupBy: 'node' }).graph;
        h.messages.length = 0;
        await h.send({ type: 'init', graph: g, view: { ...view, groupBy: mode }, namespaces: [], status: 'bench' });
        const r = (await h.waitFor((m) => m.type === 'rendered' && m.reason === 'init')) as Extract<WebviewMessage, { type: 'rendered' }>;
        (mode === 'namespace' ? first : firstNode).push({ layout: r.layoutMs, apply: r.applyMs, total: r.totalMs });
      }
    }
    // The last page shows the by-node graph; the updates run on a namespace-grouped one.
    await h!.page.close();
    h = await openPage(context);
    await h.send({ type: 'init', graph, view, namespaces: [], status: 'bench' });
    await h.waitFor((m) => m.type === 'rendered' && m.reason === 'init');
    if (process.env.BENCH_TOPOLOGY_SCREENSHOT) await h.page.screenshot({ path: process.env.BENCH_TOPOLOGY_SCREENSHOT });
    const counts = (await h.page.evaluate(`({ v: document.querySelectorAll('g.v').length, e: document.querySelectorAll('path.e').length })`)) as { v: number; e: number };

    const updates: { layout: number; apply: number; total: number; diffMs: number }[] = [];
    const animFrames: number[] = [];
    for (let i = 0; i < 5; i++) {
      cluster.replace(50);
      const d0 = performance.now();
      const next = buildTopology(cluster.live, view).graph;
      const diff = diffTopology(graph, next);
      const diffMs = performance.now() - d0;
      graph = next;
      h.messages.length = 0;
      const frames = frameTimes(h.page, 1200, false);
      await h.send({ type: 'diff', diff, status: 'bench' });
      const r = (await h.waitFor((m) => m.type === 'rendered' && m.reason === 'update')) as Extract<WebviewMessage, { type: 'rendered' }>;
      updates.push({ layout: r.layoutMs, apply: r.applyMs, total: r.totalMs, diffMs });
      animFrames.push(...(await frames));
      await h.page.waitForTimeout(500);
    }
    const after = await h.page.evaluate(`document.querySelectorAll('g.v').length`);
    // Main-thread busy time (CDP Performance.TaskDuration) per frame while panning: what the page's
    // own thread spends, apart from the compositor and from the machine's load.
    const cdp = await h.page.context().newCDPSession(h.page);
    await cdp.send('Performance.enable');
    const busy = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
    const busy0 = await busy();
    const pan = await frameTimes(h.page, 2000, true);
    const panBusy = (await busy()) - busy0;
    if (process.env.BENCH_TOPOLOGY_SCREENSHOT) await h.page.screenshot({ path: process.env.BENCH_TOPOLOGY_SCREENSHOT.replace(/\.png$/, '-after.png') });
    const idle = await frameTimes(h.page, 1000, false);
    // The same drag over an empty graph: this machine's floor for a frame.
    await h.send({ type: 'init', graph: { nodes: [], edges: [], groups: [] }, view, namespaces: [], status: 'empty' });
    await h.page.waitForTimeout(500);
    const b0 = await busy();
    const panEmpty = await frameTimes(h.page, 2000, true);
    const panEmptyBusy = (await busy()) - b0;

    const row = (name: string, xs: { layout: number; apply: number; total: number }[]) => [
      name,
      xs.length,
      median(xs.map((x) => x.layout)).toFixed(0),
      median(xs.map((x) => x.apply)).toFixed(0),
      median(xs.map((x) => x.total)).toFixed(0),
      Math.max(...xs.map((x) => x.total)).toFixed(0),
    ];
    table(
      `Topology in Chromium: ${graph.nodes.filter((n) => n.kind === 'Pod').length} pods on 20 nodes, 10 Deployments (${counts.v} vertices, ${counts.e} edges drawn; model build ${buildMs.toFixed(0)} ms in Node)`,
      ['what', 'runs', 'elkjs ms (median)', 'UI thread ms (median)', 'to painted ms (median)', 'max ms'],
      [row('first render, by namespace', first), row('first render, by node', firstNode), row('update: 50 pods replaced (120 ms debounce incl.)', updates)],
    );
    table('Frame intervals in the same page (ms; 16.7 = 60 fps); UI thread = main-thread busy time per frame (CDP TaskDuration)', ['while', 'frames', 'median', 'p95', 'max', 'over 50 ms', 'UI thread ms/frame'], [
      ['panning (drag 3 px/frame, 2 s)', pan.length, median(pan).toFixed(1), pct(pan, 0.95).toFixed(1), Math.max(...pan).toFixed(1), pan.filter((x) => x > 50).length, (panBusy / pan.length).toFixed(1)],
      ['panning an empty graph (this machine\'s floor)', panEmpty.length, median(panEmpty).toFixed(1), pct(panEmpty, 0.95).toFixed(1), Math.max(...panEmpty).toFixed(1), panEmpty.filter((x) => x > 50).length, (panEmptyBusy / panEmpty.length).toFixed(1)],
      ['an update: diff, layout, 0.4 s animation', animFrames.length, median(animFrames).toFixed(1), pct(animFrames, 0.95).toFixed(1), Math.max(...animFrames).toFixed(1), animFrames.filter((x) => x > 50).length, ''],
      ['idle', idle.length, median(idle).toFixed(1), pct(idle, 0.95).toFixed(1), Math.max(...idle).toFixed(1), idle.filter((x) => x > 50).length, ''],
    ]);
    console.log(`(load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores)`);
    console.log(`(host side: building the graph and its diff per update, median ${median(updates.map((u) => u.diffMs)).toFixed(1)} ms; vertices after the updates: ${after})`);
  } finally {
    await context.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await topologyBench();
