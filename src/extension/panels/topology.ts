// The topology panel's host (issue 8): one WebviewPanel per window (the command reveals it when it
// is open), showing the graph of whatever cluster ctx.viewSession() is. Live: the session's
// LiveCluster changes are coalesced (one rebuild per 150 ms at most, a rollout is thousands of watch
// events), the graph is rebuilt from the live caches (topology-model.ts) and only the diff goes to the
// webview. It follows the cluster through stop and start (an empty graph with a status line while
// stopped, then the new session's graph) and the filters and grouping the webview asks for.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.ts';
import type { Session } from '../session.ts';
import { Coalescer } from '../timing.ts';
import { makeNonce, webviewHtml } from '../webview-html.ts';
import { topologyState } from './state.ts';
import { restoreTopology } from './saved.ts';
import type { HostMessage, TopoGraph, TopoView, WebviewMessage } from '../../webview/topology/protocol.ts';

type Model = typeof import('../topology-model.ts');

const VIEW_TYPE = 'kubeEmulator.topology';
const COALESCE_MS = 150;
let current: TopologyPanel | undefined;

/** Registers `kubeEmulator.showTopology`. */
export function registerTopology(ctx: Ctx): void {
  ctx.pushExtension(
    vscode.commands.registerCommand('kubeEmulator.showTopology', () => showTopology(ctx)),
    { dispose: () => current?.panel.dispose() },
    // Back after a window reload, with the grouping and filters the page saved (saved.ts).
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        try {
          const model = await import('../topology-model.ts');
          if (current) {
            panel.dispose(); // opened again meanwhile
            return;
          }
          current = new TopologyPanel(ctx, model, { panel, view: restoreTopology(state) });
          if (!ctx.viewSession() && !ctx.stoppedByUser) ctx.ensureCluster().catch(() => undefined); // logged by Ctx
        } catch (e) {
          ctx.log(`Topology: could not restore the panel: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          panel.dispose();
        }
      },
    }),
  );
}

export async function showTopology(ctx: Ctx): Promise<void> {
  if (current) {
    current.panel.reveal();
    return;
  }
  // Loaded on first use: activation does not evaluate the model.
  const model = await import('../topology-model.ts');
  if (current) return (current as TopologyPanel).panel.reveal();
  current = new TopologyPanel(ctx, model);
  // Like the views: opening the topology starts the cluster, unless the user stopped it.
  if (!ctx.viewSession() && !ctx.stoppedByUser) ctx.ensureCluster().catch(() => undefined); // logged by Ctx
}

class TopologyPanel {
  readonly panel: vscode.WebviewPanel;
  private view: TopoView = { groupBy: 'namespace', filter: {} };
  private sent?: TopoGraph;
  private sentNamespaces = '';
  private sentStatus = '';
  private sentError = '';
  private ready = false;
  private session?: Session;
  private sessionSub?: { dispose(): void };
  private readonly subs: { dispose(): void }[] = [];
  private readonly coalescer = new Coalescer(COALESCE_MS, () => this.flush());
  private loggedRender = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly model: Model,
    /** The panel VS Code restored after a reload, and the view its page saved. */
    restored?: { panel: vscode.WebviewPanel; view: TopoView },
  ) {
    const root = vscode.Uri.joinPath(ctx.extensionContext.extensionUri, 'dist', 'webview');
    const options = { enableScripts: true, localResourceRoots: [root] };
    if (restored) {
      this.panel = restored.panel;
      this.panel.webview.options = options;
      this.view = restored.view;
    } else {
      this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Topology'), vscode.ViewColumn.Active, {
        ...options,
        // Its layout and pan/zoom survive switching editor tabs (a 1,000-pod layout is not free).
        retainContextWhenHidden: true,
      });
    }
    const wv = this.panel.webview;
    const state = topologyState(wv.asWebviewUri(vscode.Uri.joinPath(root, 'topology-layout.worker.js')).toString(), {
      bundle: vscode.l10n.bundle,
      language: vscode.env.language,
    });
    wv.html = webviewHtml({
      lang: vscode.env.language,
      title: vscode.l10n.t('Topology'),
      cspSource: wv.cspSource,
      nonce: makeNonce(),
      script: wv.asWebviewUri(vscode.Uri.joinPath(root, 'topology.js')).toString(),
      styles: [wv.asWebviewUri(vscode.Uri.joinPath(root, 'topology.css')).toString()],
      // The elkjs layout runs in a worker made from a blob: URL (see main.ts).
      workers: true,
      state,
    });
    this.subs.push(
      wv.onDidReceiveMessage((m: WebviewMessage) => this.onMessage(m)),
      ctx.onDidChange(() => {
        this.follow();
        this.coalescer.trigger();
      }),
    );
    this.panel.onDidDispose(() => this.dispose());
    this.follow();
  }

  /** Subscribes to the live model of the session the views show now (it changes on stop/start). */
  private follow(): void {
    const s = this.ctx.viewSession();
    if (s === this.session) return;
    this.sessionSub?.dispose();
    this.session = s;
    this.sessionSub = s?.live.onDidChange(() => this.coalescer.trigger());
  }

  private onMessage(m: WebviewMessage): void {
    switch (m?.type) {
      case 'ready':
        this.ready = true;
        this.sent = undefined;
        this.flush();
        break;
      case 'view':
        this.view = { groupBy: m.view.groupBy === 'node' ? 'node' : 'namespace', filter: m.view.filter ?? {} };
        this.flush();
        break;
      case 'open':
        void vscode.commands.executeCommand('kubeEmulator.showDetails', m.ref).then(undefined, (e: unknown) => {
          void vscode.window.showErrorMessage(vscode.l10n.t('Could not open the details of {0} {1}: {2}', m.ref.kind, m.ref.name, e instanceof Error ? e.message : String(e)));
        });
        break;
      case 'rendered':
        if (!this.loggedRender && m.reason === 'init') {
          this.loggedRender = true;
          this.ctx.log(`Topology: ${m.nodes} objects and ${m.edges} links drawn in ${Math.round(m.totalMs)} ms (layout ${Math.round(m.layoutMs)} ms)`);
        }
        break;
      case 'error':
        this.ctx.log(`Topology: ${m.message}`);
        break;
    }
  }

  private build(): { graph: TopoGraph; namespaces: string[]; status: string; filterError?: string } {
    this.follow();
    const s = this.session;
    if (!s) {
      const state = this.ctx.state;
      const status =
        state === 'starting'
          ? vscode.l10n.t('Starting the cluster…')
          : state === 'stopping'
            ? vscode.l10n.t('Stopping the cluster…')
            : vscode.l10n.t('The cluster is stopped. Start it to see its topology.');
      return { graph: { nodes: [], edges: [], groups: [] }, namespaces: [], status };
    }
    const r = this.model.buildTopology(s.live, this.view);
    const missing = s.live.kinds.filter((k) => s.live.kindState(k).state === 'unavailable');
    const filtered = this.view.filter.namespace || this.view.filter.selector || this.view.filter.kinds?.length ? vscode.l10n.t(' (filtered)') : '';
    const status = `${this.model.summary(r.graph)}${filtered}${missing.length ? vscode.l10n.t('; not visible to you: {0}', missing.join(', ')) : ''}`;
    return { graph: r.graph, namespaces: r.namespaces, status, filterError: r.filterError };
  }

  /** Rebuilds the graph and sends what changed (everything on the first send after 'ready'). */
  private flush(): void {
    if (!this.ready) return;
    let b: ReturnType<TopologyPanel['build']>;
    try {
      b = this.build();
    } catch (e) {
      this.ctx.log(`Topology: could not build the graph: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return;
    }
    const namespaces = JSON.stringify(b.namespaces);
    let msg: HostMessage;
    if (!this.sent) {
      msg = { type: 'init', graph: b.graph, view: this.view, namespaces: b.namespaces, status: b.status, filterError: b.filterError };
    } else {
      const diff = this.model.diffTopology(this.sent, b.graph);
      if (this.model.isEmptyDiff(diff) && b.status === this.sentStatus && namespaces === this.sentNamespaces && (b.filterError ?? '') === this.sentError) return;
      msg = { type: 'diff', diff, status: b.status, filterError: b.filterError, ...(namespaces !== this.sentNamespaces ? { namespaces: b.namespaces } : {}) };
    }
    this.sent = b.graph;
    this.sentNamespaces = namespaces;
    this.sentStatus = b.status;
    this.sentError = b.filterError ?? '';
    void this.panel.webview.postMessage(msg);
  }

  private dispose(): void {
    if (current === this) current = undefined;
    this.coalescer.dispose();
    this.sessionSub?.dispose();
    for (const s of this.subs.splice(0)) s.dispose();
  }
}
