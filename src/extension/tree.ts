// The Nodes view: nodes with their Ready state and role, and under each node its pods. Live through
// the session's informers (list + watch); bursts of events make one refresh (no polling, no flicker).
// Opening the view is a "first use": it starts the cluster unless the user stopped it.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import { Coalescer } from './timing.ts';
import type { Icon, NodeRow, PodRow } from './tree-model.ts';

export const NODES_VIEW = 'kubeEmulator.nodes';

type Element = { kind: 'node'; row: NodeRow } | { kind: 'pod'; row: PodRow } | { kind: 'unscheduled'; pods: PodRow[] };

class NodesProvider implements vscode.TreeDataProvider<Element> {
  private readonly emitter = new vscode.EventEmitter<Element | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly ctx: Ctx) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(element?: Element): Element[] {
    const model = this.ctx.model();
    if (!model) return []; // the welcome view (viewsWelcome) shows instead
    if (!element) {
      const roots: Element[] = model.nodes.map((row) => ({ kind: 'node', row }));
      if (model.unscheduled.length > 0) roots.push({ kind: 'unscheduled', pods: model.unscheduled });
      return roots;
    }
    if (element.kind === 'node') return element.row.pods.map((row) => ({ kind: 'pod', row }));
    if (element.kind === 'unscheduled') return element.pods.map((row) => ({ kind: 'pod', row }));
    return [];
  }

  getTreeItem(element: Element): vscode.TreeItem {
    if (element.kind === 'unscheduled') {
      const item = new vscode.TreeItem('Unscheduled', vscode.TreeItemCollapsibleState.Expanded);
      item.id = 'group/unscheduled';
      item.description = `${element.pods.length} pending`;
      item.tooltip = 'Pods the scheduler has not bound to a node yet';
      item.iconPath = themeIcon({ id: 'inbox', color: 'charts.yellow' });
      item.contextValue = 'unscheduled';
      return item;
    }
    const { row } = element;
    const collapsible =
      element.kind === 'node' && element.row.pods.length > 0
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(row.name, collapsible);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = themeIcon(row.icon);
    item.contextValue = element.kind;
    return item;
  }
}

function themeIcon(icon: Icon): vscode.ThemeIcon {
  return new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
}

export function registerTree(ctx: Ctx): void {
  const provider = new NodesProvider(ctx);
  const view = vscode.window.createTreeView(NODES_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  const coalescer = new Coalescer(75, () => provider.refresh());
  const startOnOpen = () => {
    if (view.visible && ctx.state === 'stopped' && !ctx.stoppedByUser) {
      ctx.startCluster().catch(() => undefined); // the failure is logged and shown in the welcome view
    }
  };
  ctx.pushExtension(
    view,
    coalescer,
    ctx.onDidChange(() => coalescer.trigger()),
    view.onDidChangeVisibility(startOnOpen),
  );
  startOnOpen();
}
