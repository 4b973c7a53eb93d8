// The status bar clock (issue 8): the emulated cluster's time, updated every second of real time
// while the cluster runs (hidden otherwise); a click offers to fast-forward it (advanceClock).
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';

export function registerClockStatus(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('kubeEmulator.clock', vscode.StatusBarAlignment.Left, 9);
  item.name = vscode.l10n.t('Kubernetes Emulator Clock');
  item.command = { command: 'kubeEmulator.advanceClock', title: vscode.l10n.t('Fast-Forward Clock') };
  let timer: ReturnType<typeof setInterval> | undefined;
  // Loaded once the cluster runs (it brings client-node, which the session has loaded by then).
  let fmt: Pick<typeof import('./actions-core.ts'), 'clockText' | 'shortDuration'> | undefined;

  const tick = () => {
    const cluster = ctx.state === 'running' ? ctx.session?.cluster : undefined;
    if (!cluster || !fmt) {
      item.hide();
      return;
    }
    const now = cluster.clock.now();
    const real = Date.now();
    const ahead = now - real;
    item.text = `$(clock) ${fmt.clockText(now, real)}`;
    item.tooltip =
      vscode.l10n.t('Emulated time: {0}', new Date(now).toISOString()) +
      '\n' +
      (Math.abs(ahead) < 1000
        ? vscode.l10n.t('Same as real time')
        : ahead > 0
          ? vscode.l10n.t('{0} ahead of real time', fmt.shortDuration(ahead))
          : vscode.l10n.t('{0} behind real time', fmt.shortDuration(ahead))) +
      (cluster.clock.timeScale !== 1 ? '\n' + vscode.l10n.t('Time scale: {0}×', cluster.clock.timeScale) : '') +
      '\n' +
      vscode.l10n.t('Click to fast-forward');
    item.accessibilityInformation = { label: vscode.l10n.t('Emulated cluster time {0}. Click to fast-forward.', fmt.clockText(now, real)) };
    item.show();
  };

  // ctx.onDidChange fires on every informer event: only a change of running/not running does work here.
  let wasRunning: boolean | undefined;
  const sync = () => {
    const running = ctx.state === 'running' && !!ctx.session?.cluster;
    if (running === wasRunning) return;
    wasRunning = running;
    if (running && !timer) {
      timer = setInterval(tick, 1000);
      if (!fmt) {
        void import('./actions-core.ts').then((m) => {
          fmt = m;
          tick();
        });
      }
    } else if (!running && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    tick();
  };

  ctx.pushExtension(item, ctx.onDidChange(sync), {
    dispose: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  });
  sync();
}
