// The status bar item: the cluster's state (`Kubernetes: starting`, `3 nodes Ready`); a click opens the view.
import * as vscode from 'vscode';
import { VIEW_CONTAINER_COMMAND, type Ctx } from './ctx.ts';
import { Coalescer } from './timing.ts';
import { stateWord, statusText } from './tree-model.ts';

export function registerStatus(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('kubeEmulator.status', vscode.StatusBarAlignment.Left, 10);
  item.name = vscode.l10n.t('Kubernetes Emulator');
  item.command = VIEW_CONTAINER_COMMAND;
  const update = () => {
    item.text = statusText(ctx.state, ctx.model());
    const server = ctx.session?.server;
    item.tooltip =
      (server ? vscode.l10n.t('Kubernetes Emulator: {0} at {1}. Click to show the cluster.', stateWord(ctx.state), server) : vscode.l10n.t('Kubernetes Emulator: {0}. Click to show the cluster.', stateWord(ctx.state))) +
      (server ? `\nkubectl: export KUBECONFIG=${ctx.kubeconfigPath}` : '');
    item.backgroundColor = ctx.state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  const coalescer = new Coalescer(100, update);
  ctx.pushExtension(item, coalescer, ctx.onDidChange(() => coalescer.trigger()));
  update();
  item.show();
}
