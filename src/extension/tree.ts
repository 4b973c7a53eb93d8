// The explorer's tree views in the "Kubernetes Emulator" container: Cluster (id kubeEmulator.nodes),
// Workloads, Network, Config and Storage, Events. Thin: the rows come from the plain view modules
// (views/*.ts) over the view session's LiveCluster; views/rows.ts's TreeState keeps the elements
// stable and says which changed, and only those are fired (no flicker, expanded state kept). Live
// through the informers (no polling); a burst of watch events makes one refresh per view whose kinds
// changed. The views follow the target picker (target.ts): a kubeconfig context gets a session of
// its own (views/view-target.ts). Opening a view is a "first use": it starts the emulated cluster
// unless the user stopped it.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import type { LiveChange, LiveKind } from './live.ts';
import type { Session } from './session.ts';
import { targetOf } from './target.ts';
import { Coalescer } from './timing.ts';
import { clusterRows } from './views/cluster.ts';
import { configStorageRows } from './views/config-storage.ts';
import { eventRows } from './views/events.ts';
import type { ViewOptions, ViewSource } from './views/format.ts';
import { networkRows } from './views/network.ts';
import { TreeState, type Icon, type Row, type TreeNode } from './views/rows.ts';
import { ViewTargetFollower } from './views/view-target.ts';
import { workloadRows } from './views/workloads.ts';

export const NODES_VIEW = 'kubeEmulator.nodes';
export const FILTER_COMMAND = 'kubeEmulator.filterNamespace';
export const REFRESH_COMMAND = 'kubeEmulator.refreshViews';
export const SHOW_DETAILS_COMMAND = 'kubeEmulator.showDetails';
export const VIEW_ROWS_COMMAND = 'kubeEmulator.viewRows';
const FILTER_KEY = 'kubeEmulator.namespaceFilter';

interface ViewSpec {
  id: string;
  /** The kinds whose changes redraw the view. */
  kinds: LiveKind[];
  rows(src: ViewSource, opts: ViewOptions): Row[];
  namespaced: boolean;
}

const VIEWS: ViewSpec[] = [
  { id: NODES_VIEW, kinds: ['nodes', 'pods'], rows: clusterRows, namespaced: true },
  {
    id: 'kubeEmulator.workloads',
    kinds: ['deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'pods', 'namespaces'],
    rows: workloadRows,
    namespaced: true,
  },
  { id: 'kubeEmulator.network', kinds: ['services', 'endpoints', 'pods'], rows: networkRows, namespaced: true },
  {
    id: 'kubeEmulator.configStorage',
    kinds: ['configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes', 'resourcequotas', 'limitranges'],
    rows: configStorageRows,
    namespaced: true,
  },
  { id: 'kubeEmulator.events', kinds: ['events'], rows: eventRows, namespaced: true },
];

/** One tree view: its spec, stable elements and the emitter that fires the changed ones. */
class ExplorerView implements vscode.TreeDataProvider<TreeNode> {
  readonly state = new TreeState();
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  view!: vscode.TreeView<TreeNode>;
  /** A change arrived while the view was hidden: computed when it shows. */
  stale = true;

  constructor(readonly spec: ViewSpec) {}

  /** Recomputes the rows and fires what changed (nothing when nothing did). */
  update(rows: Row[]): void {
    const changed = this.state.update(rows);
    this.stale = false;
    if (changed === 'all') this.emitter.fire(undefined);
    else if (changed.length) this.emitter.fire(changed);
  }

  getChildren(element?: TreeNode): TreeNode[] {
    return [...(element ? element.children : this.state.children)];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    const { row } = element;
    const collapsible = row.children?.length
      ? row.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(row.label, collapsible);
    item.id = element.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    if (row.icon) item.iconPath = themeIcon(row.icon);
    item.contextValue = row.contextValue;
    const show = row.show ?? row.ref;
    if (show) item.command = { command: SHOW_DETAILS_COMMAND, title: vscode.l10n.t('Show Details'), arguments: [show] };
    item.accessibilityInformation = { label: [row.label, row.description].filter(Boolean).join(', ') };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function themeIcon(icon: Icon): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

/** The cluster's time (the emulator's clock may run ahead) and its stopped nodes, with the filter. */
function viewOptions(session: Session, namespace: string | undefined): ViewOptions {
  const stoppedNodes = new Set([...(session.cluster?.kubelets.values() ?? [])].filter((k) => k.stopped).map((k) => k.name));
  return { namespace, now: session.cluster?.clock.now() ?? Date.now(), stoppedNodes };
}

/** The message rows when the views show a kubeconfig context that has no session (yet). */
function targetRows(status: ViewTargetFollower<Session>['status']): Row[] | undefined {
  if (status.state === 'connecting') return [{ id: 'connecting', label: vscode.l10n.t('Connecting to context {0}…', status.context), icon: { id: 'loading~spin' } }];
  if (status.state === 'failed')
    return [{ id: 'failed', label: vscode.l10n.t('Could not connect to context {0}', status.context), description: status.error, tooltip: status.error, icon: { id: 'error', color: 'charts.red' } }];
  return undefined;
}

export function registerTree(ctx: Ctx): void {
  const views = VIEWS.map((spec) => new ExplorerView(spec));
  const workspaceState = ctx.extensionContext.workspaceState;
  let namespace = workspaceState.get<string>(FILTER_KEY) || undefined;
  const dirty = new Set<ExplorerView>(views);

  const follower = new ViewTargetFollower<Session>(
    async (t) => {
      const mod = await import('./session.ts');
      const kc = mod.kubeConfigForContext(mod.loadUserKubeConfig(), t.context);
      return mod.Session.connect(kc, { log: (l) => ctx.log(l) });
    },
    () => {
      ctx.setViewTarget(follower.emulated ? 'emulated' : { context: follower.status.state === 'emulated' ? '' : follower.status.context, session: follower.session });
    },
    (l) => ctx.log(l),
  );

  const describe = () => {
    const where = follower.target.kind === 'context' ? `${follower.target.context} · ` : '';
    for (const v of views) v.view.description = `${where}${namespace === undefined ? vscode.l10n.t('all namespaces') : vscode.l10n.t('namespace {0}', namespace)}`;
  };

  const render = () => {
    const session = ctx.viewSession();
    const status = follower.status;
    const opts = session && viewOptions(session, namespace);
    for (const v of dirty) {
      if (!v.view.visible) {
        v.stale = true;
        continue;
      }
      let rows: Row[];
      if (session) rows = v.spec.rows(session.live, opts!);
      else rows = targetRows(status) ?? []; // emulated and not running: the welcome view shows
      v.update(rows);
    }
    dirty.clear();
  };
  const coalescer = new Coalescer(100, render);
  const invalidate = (kinds?: Iterable<LiveKind>) => {
    const set = kinds ? new Set(kinds) : undefined;
    for (const v of views) if (!set || v.spec.kinds.some((k) => set.has(k))) dirty.add(v);
    coalescer.trigger();
  };

  // Follow the view session's informers: one subscription, moved when the session changes.
  let watched: Session | undefined;
  let sub: { dispose(): void } | undefined;
  const rewire = () => {
    const session = ctx.viewSession();
    if (session === watched) return;
    sub?.dispose();
    watched = session;
    sub = session?.live.onDidChange((changes: readonly LiveChange[]) => invalidate(changes.length ? changes.map((c) => c.kind) : undefined));
    invalidate();
  };

  const startOnOpen = (visible: boolean) => {
    if (visible && follower.emulated && ctx.state === 'stopped' && !ctx.stoppedByUser) {
      ctx.startCluster().catch(() => undefined); // the failure is logged and shown in the welcome view
    }
  };

  for (const v of views) {
    v.view = vscode.window.createTreeView(v.spec.id, { treeDataProvider: v, showCollapseAll: true });
    ctx.pushExtension(
      v.view,
      v,
      v.view.onDidChangeVisibility((e) => {
        if (e.visible && v.stale) {
          dirty.add(v);
          coalescer.trigger();
        }
        startOnOpen(e.visible);
      }),
    );
  }
  describe();

  // Events' ages ("2m ago") move with time: redrawn every 30 s while the view shows (rows whose
  // description did not change are not fired). This reads the cache, not the API.
  const events = views.find((v) => v.spec.id === 'kubeEmulator.events')!;
  const ages = setInterval(() => {
    if (events.view.visible) invalidate(['events']);
  }, 30_000);

  const target = targetOf(ctx);
  ctx.pushExtension(
    coalescer,
    { dispose: () => clearInterval(ages) },
    { dispose: () => sub?.dispose() },
    { dispose: () => void follower.dispose() },
    ctx.onDidChangeViewSession(() => {
      rewire();
      describe();
    }),
    // The emulated cluster starting or stopping (the welcome view or the first rows).
    ctx.onDidChange(() => {
      if (ctx.viewSession() !== watched) rewire();
    }),
    vscode.commands.registerCommand(REFRESH_COMMAND, () => invalidate()),
    // Internal (not in the palette), for the extension-host tests: a view's rows as they are now.
    vscode.commands.registerCommand(VIEW_ROWS_COMMAND, (id: string) => {
      const spec = VIEWS.find((v) => v.id === id);
      const session = ctx.viewSession();
      if (!spec) throw new Error(`no view ${id}`);
      if (!session) return targetRows(follower.status) ?? [];
      return spec.rows(session.live, viewOptions(session, namespace));
    }),
    vscode.commands.registerCommand(FILTER_COMMAND, async (arg?: string | null) => {
      let picked: string | null | undefined = arg;
      if (arg === undefined) picked = await pickNamespace(ctx.viewSession(), namespace);
      if (picked === undefined) return namespace;
      namespace = picked || undefined;
      await workspaceState.update(FILTER_KEY, namespace);
      describe();
      invalidate();
      return namespace;
    }),
  );
  if (target) {
    ctx.pushExtension(target.onDidChange((t) => void follower.follow(t)));
    void follower.follow(target.target);
  }
  rewire();
  startOnOpen(views.some((v) => v.view.visible));
}

/**
 * The namespace filter's quick pick: all namespaces, then the cluster's (or typed, when the user may
 * not list namespaces). Returns null for all namespaces, undefined when dismissed.
 */
async function pickNamespace(session: Session | undefined, current: string | undefined): Promise<string | null | undefined> {
  const ALL = `$(list-tree) ${vscode.l10n.t('All namespaces')}`;
  const names = (session?.live.list('namespaces') ?? []).map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  if (current && !names.includes(current)) names.unshift(current);
  const items: vscode.QuickPickItem[] = [
    { label: ALL, description: current === undefined ? vscode.l10n.t('current') : undefined },
    ...names.map((n) => ({ label: n, description: n === current ? vscode.l10n.t('current') : undefined })),
  ];
  const qp = vscode.window.createQuickPick();
  qp.items = items;
  qp.placeholder = vscode.l10n.t('Namespace to show in the Kubernetes Emulator views (or type one)');
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      const label = qp.selectedItems[0]?.label ?? qp.value.trim();
      done = true;
      qp.hide();
      resolve(label === ALL ? null : label || undefined);
    });
    qp.onDidHide(() => {
      qp.dispose();
      if (!done) resolve(undefined);
    });
    qp.show();
  });
}
