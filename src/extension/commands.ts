// The command table (after rust-analyzer's editors/code/src/commands.ts): each command is a function
// of the context that returns the handler. Ids match package.json `contributes.commands`.
import * as vscode from 'vscode';
import { editorCommands } from './codelens.ts';
import { OUTPUT_NAME, VIEW_CONTAINER_COMMAND, type Ctx } from './ctx.ts';
import type { Cluster } from '../emulator/cluster.ts';

type Factory = (ctx: Ctx) => (...args: any[]) => unknown;

export type { ApplyOutcome } from './codelens.ts';

export const commands: Record<string, Factory> = {
  // Apply, dry run, diff, delete of files, selections and folders (codelens.ts).
  ...editorCommands,

  'kubeEmulator.startCluster': (ctx) => async () => {
    try {
      await ctx.startCluster();
    } catch (e) {
      showError(ctx, vscode.l10n.t('Could not start the emulated cluster: {0}', e instanceof Error ? e.message : String(e)));
    }
  },

  'kubeEmulator.stopCluster': (ctx) => () => ctx.stopCluster(),

  'kubeEmulator.showOutput': (ctx) => () => ctx.output.show(true),

  'kubeEmulator.showView': () => () => vscode.commands.executeCommand(VIEW_CONTAINER_COMMAND),

  'kubeEmulator.exportState': (ctx) => async (arg?: unknown) => {
    let target = arg instanceof vscode.Uri ? arg : undefined;
    target ??= await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export the emulated cluster'),
      filters: { [vscode.l10n.t('Cluster state')]: ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'cluster-state.json') : undefined,
    });
    if (!target) return undefined;
    try {
      const { exportFolder } = await import('./session.ts');
      const text = ctx.session ? await ctx.session.exportState() : await exportFolder(ctx.statePath);
      await vscode.workspace.fs.writeFile(target, Buffer.from(text));
      const n = (JSON.parse(text) as { objects: unknown[] }).objects.length;
      ctx.log(`Exported ${n} objects to ${target.fsPath}`);
      void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} objects to {1}.', n, vscode.workspace.asRelativePath(target, false)));
      return target;
    } catch (e) {
      showError(ctx, vscode.l10n.t('Could not export the cluster: {0}', e instanceof Error ? e.message : String(e)));
      return undefined;
    }
  },

  'kubeEmulator.importState': (ctx) => async (arg?: unknown, confirmed = false) => {
    let source = arg instanceof vscode.Uri ? arg : undefined;
    source ??= (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Import a cluster state'), canSelectMany: false, filters: { [vscode.l10n.t('Cluster state')]: ['json'] } }))?.[0];
    if (!source) return undefined;
    if (!confirmed) {
      const replace = vscode.l10n.t('Replace');
      const ok = await vscode.window.showWarningMessage(
        vscode.l10n.t("Replace the emulated cluster's objects with the ones in {0}?", vscode.workspace.asRelativePath(source, false)),
        { modal: true, detail: vscode.l10n.t('Objects that the file does not have are deleted. The cluster restarts.') },
        replace,
      );
      if (ok !== replace) return undefined;
    }
    try {
      const text = Buffer.from(await vscode.workspace.fs.readFile(source)).toString('utf8');
      const { importFolder } = await import('./session.ts');
      // A running cluster pauses its control plane and kubelets while it imports; a stopped one's
      // state folder is imported directly.
      const r = ctx.session?.cluster ? await ctx.session.importState(text) : await importFolder(ctx.statePath, text);
      const line = vscode.l10n.t('Imported {0}: {1} created, {2} updated, {3} deleted, {4} unchanged', source.fsPath, r.created, r.updated, r.deleted, r.unchanged);
      ctx.log(line);
      void vscode.window.showInformationMessage(line);
      return r;
    } catch (e) {
      showError(ctx, vscode.l10n.t('Could not import the cluster: {0}', e instanceof Error ? e.message : String(e)));
      return undefined;
    }
  },
};

/**
 * The node a command is about: a name, a Node ref or the tree item carrying one (live.ts refOf), or
 * one picked from the live nodes of the cluster the views show.
 */
async function pickNode(ctx: Ctx, arg: unknown, placeHolder: string): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const ref = (arg as { ref?: { kind?: string; name?: string } } | undefined)?.ref ?? (arg as { kind?: string; name?: string } | undefined);
  if (ref?.kind === 'Node' && typeof ref.name === 'string') return ref.name;
  const fromItem = (arg as { row?: { name?: string } } | undefined)?.row?.name;
  if (fromItem) return fromItem;
  const session = ctx.viewSession() ?? (await ctx.ensureCluster());
  const names = session.live
    .list('nodes')
    .map((n) => {
      const ready = (n.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;
      const state = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
      return { label: n.metadata?.name ?? '', description: n.spec?.unschedulable ? `${state},SchedulingDisabled` : state };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(names, { placeHolder }))?.label;
}

/** The session node operations that go through the API (cordon, drain) act on: the views'. */
async function apiSession(ctx: Ctx) {
  return ctx.viewSession() ?? ctx.ensureCluster();
}

/** The emulated cluster of this window, or a message that the command needs one. */
async function emulated(ctx: Ctx): Promise<Cluster | undefined> {
  const session = await ctx.ensureCluster();
  if (!session.cluster) void vscode.window.showWarningMessage(vscode.l10n.t('This command works on the emulated cluster only.'));
  return session.cluster;
}

/**
 * Runs a node operation: what happened goes to the output and, briefly, the status bar (kubectl's
 * words where it has some: `node/n1 cordoned`); a failure is an error notification, with the
 * apiserver's message when the API refused (`failed` says what failed).
 */
async function nodeOp<T>(ctx: Ctx, what: string, fn: () => Promise<T>, failed: string): Promise<T | undefined> {
  try {
    const r = await fn();
    ctx.log(what);
    vscode.window.setStatusBarMessage(`$(check) ${what}`, 5000);
    return r;
  } catch (e) {
    const { statusOf } = await import('./apply.ts');
    const status = statusOf(e);
    const reason = typeof status?.message === 'string' ? status.message : e instanceof Error ? e.message : String(e);
    showError(ctx, `${failed}: ${reason}`);
    return undefined;
  }
}

Object.assign(commands, {
  'kubeEmulator.cordonNode': (ctx) => async (arg?: unknown) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to cordon'));
    if (!node) return undefined;
    const { setUnschedulable } = await import('./session.ts');
    return nodeOp(ctx, `node/${node} cordoned`, async () => setUnschedulable(await apiSession(ctx), node, true), vscode.l10n.t('Could not cordon node/{0}', node));
  },
  'kubeEmulator.uncordonNode': (ctx) => async (arg?: unknown) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to uncordon'));
    if (!node) return undefined;
    const { setUnschedulable } = await import('./session.ts');
    return nodeOp(ctx, `node/${node} uncordoned`, async () => setUnschedulable(await apiSession(ctx), node, false), vscode.l10n.t('Could not uncordon node/{0}', node));
  },
  'kubeEmulator.drainNode': (ctx) => async (arg?: unknown, timeoutSeconds = 60) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to drain'));
    if (!node) return undefined;
    const { drainNode } = await import('./session.ts');
    const session = await apiSession(ctx);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Draining {0}', node) }, () =>
      nodeOp(
        ctx,
        `node/${node} drained`,
        async () => {
          const r = await drainNode(session, node, { timeoutMs: timeoutSeconds * 1000, wait: (ms) => new Promise((res) => setTimeout(res, ms)), log: (l) => ctx.log(l) });
          // kubectl drain's last line when a PodDisruptionBudget held pods back past the timeout.
          if (r.blocked.length) showError(ctx, `error: unable to drain node "${node}" due to error: ${r.blocked.map((b) => `${b.pod}: ${b.reason}`).join('; ')}`);
          return r;
        },
        vscode.l10n.t('Could not drain node/{0}', node),
      ),
    );
  },
  'kubeEmulator.stopNode': (ctx) => async (arg?: unknown) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to stop (it stops heartbeating; its pods keep their last status)'));
    const cluster = node && (await emulated(ctx));
    if (!node || !cluster) return undefined;
    const r = await nodeOp(ctx, vscode.l10n.t('Stopped node {0}', node), async () => cluster.stopNode(node), vscode.l10n.t('Could not stop node {0}', node));
    // A stopped node changes nothing in the API at first (its heartbeats just stop): redraw the
    // trees so the node shows Stopped now.
    void vscode.commands.executeCommand('kubeEmulator.refreshViews');
    return r;
  },
  'kubeEmulator.startNode': (ctx) => async (arg?: unknown) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to start'));
    const cluster = node && (await emulated(ctx));
    if (!node || !cluster) return undefined;
    const r = await nodeOp(ctx, vscode.l10n.t('Started node {0}', node), () => cluster.startNode(node), vscode.l10n.t('Could not start node {0}', node));
    void vscode.commands.executeCommand('kubeEmulator.refreshViews');
    return r;
  },
  'kubeEmulator.addNode': (ctx) => async (opts?: { name?: string; cpu?: string; memory?: string }) => {
    const cluster = await emulated(ctx);
    if (!cluster) return undefined;
    let o = opts;
    if (!o) {
      const cpu = await vscode.window.showInputBox({ prompt: vscode.l10n.t('CPU capacity of the new worker'), value: '2', validateInput: (v) => (/^\d+(\.\d+)?m?$/.test(v.trim()) ? undefined : vscode.l10n.t('A number of CPUs (2) or millicores (1500m)')) });
      if (cpu === undefined) return undefined;
      const memory = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Memory capacity of the new worker'), value: '4Gi', validateInput: (v) => (/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(v.trim()) ? undefined : vscode.l10n.t('A quantity such as 4Gi or 2048Mi')) });
      if (memory === undefined) return undefined;
      o = { cpu: cpu.trim(), memory: memory.trim() };
    }
    return nodeOp(ctx, vscode.l10n.t('Added a node'), () => cluster.addNode(o), vscode.l10n.t('Could not add a node'));
  },
  'kubeEmulator.deleteNode': (ctx) => async (arg?: unknown, confirmed = false) => {
    const node = await pickNode(ctx, arg, vscode.l10n.t('Node to delete'));
    const cluster = node && (await emulated(ctx));
    if (!node || !cluster) return undefined;
    if (!confirmed) {
      const del = vscode.l10n.t('Delete');
      const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete node {0}? Its pods are deleted with it.', node), { modal: true }, del);
      if (ok !== del) return undefined;
    }
    return nodeOp(ctx, vscode.l10n.t('Deleted node {0}', node), () => cluster.deleteNode(node), vscode.l10n.t('Could not delete node {0}', node));
  },
  'kubeEmulator.advanceClock': (ctx) => async (arg?: unknown) => {
    const cluster = await emulated(ctx);
    if (!cluster) return undefined;
    let duration = typeof arg === 'string' ? arg : undefined;
    const { parseDuration } = await import('../emulator/clock.ts');
    const valid = (v: string) => {
      try {
        return parseDuration(v) > 0 ? undefined : vscode.l10n.t('A positive duration');
      } catch {
        return vscode.l10n.t('A duration such as 30s, 5m or 1h30m');
      }
    };
    if (duration === undefined) {
      // Presets (the status bar clock's click), each showing the time it leads to, or any duration.
      const { FAST_FORWARD_CHOICES, clockText } = await import('./actions-core.ts');
      const now = cluster.clock.now();
      const custom = vscode.l10n.t('Other duration...');
      const picks = [
        ...FAST_FORWARD_CHOICES.map((d) => ({ label: d, description: vscode.l10n.t('to {0}', clockText(now + parseDuration(d), Date.now())) })),
        { label: custom, description: '90s, 2h30m, ...' },
      ];
      const pick = await vscode.window.showQuickPick(picks, { title: vscode.l10n.t('Fast-forward the emulated clock'), placeHolder: vscode.l10n.t('Emulated time is {0}', clockText(now, Date.now())) });
      if (!pick) return undefined;
      duration = pick.label === custom ? await vscode.window.showInputBox({ prompt: vscode.l10n.t('Fast-forward the emulated clock by'), value: '5m', validateInput: valid }) : pick.label;
    }
    if (!duration || valid(duration)) return undefined;
    const ms = parseDuration(duration);
    return nodeOp(ctx, vscode.l10n.t('Advanced the clock by {0}', duration), () => cluster.advanceClock(ms), vscode.l10n.t('Could not advance the clock by {0}', duration));
  },
  /**
   * Emulated traffic to a Service: picked from the cluster's Services, then the requests per second
   * and an optional duration; or given as { service, namespace, rps, duration } (tests, other extensions).
   */
  'kubeEmulator.startTraffic': (ctx) => async (opts?: { service: string; namespace?: string; rps: number | string; duration?: string }) => {
    const cluster = await emulated(ctx);
    if (!cluster) return undefined;
    const { parseDuration } = await import('../emulator/clock.ts');
    const { checkRps } = await import('../emulator/network/traffic.ts');
    const rpsError = (v: string) => {
      try {
        checkRps(v.trim());
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    const durationError = (v: string) => {
      if (!v.trim()) return undefined;
      try {
        return parseDuration(v) > 0 ? undefined : vscode.l10n.t('A duration above 0');
      } catch {
        return vscode.l10n.t('A duration such as 90s, 10m or 1h, or empty to run until stopped');
      }
    };
    // A Service tree item (or its ref): that Service, asking only the rate and duration.
    const svcRef = (opts as { ref?: { kind?: string; name?: string; namespace?: string } } | undefined)?.ref ?? (opts as { kind?: string } | undefined);
    const fromTree = svcRef?.kind === 'Service' ? (svcRef as { name: string; namespace?: string }) : undefined;
    let o = fromTree || typeof opts?.service !== 'string' ? undefined : opts;
    if (!o) {
      const { items } = fromTree ? { items: [] } : await cluster.api.list(cluster.api.resource('services'), undefined);
      const picks = items
        .filter((s) => s.spec?.selector && s.spec?.type !== 'ExternalName')
        .map((s) => ({ label: s.metadata.name, description: s.metadata.namespace, detail: `${s.spec.clusterIP} ${(s.spec.ports ?? []).map((p: { port: number; protocol?: string }) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',')}` }));
      if (!picks.length && !fromTree) {
        void vscode.window.showWarningMessage(vscode.l10n.t('The emulated cluster has no Service with a selector to send traffic to.'));
        return undefined;
      }
      const svc = fromTree ? { label: fromTree.name, description: fromTree.namespace } : await vscode.window.showQuickPick(picks, { placeHolder: vscode.l10n.t('Service to send emulated traffic to') });
      if (!svc) return undefined;
      const rps = await vscode.window.showInputBox({ prompt: vscode.l10n.t('Requests per second to {0}', svc.label), value: '100', validateInput: rpsError });
      if (rps === undefined) return undefined;
      const duration = await vscode.window.showInputBox({ prompt: vscode.l10n.t('For how long (emulated time; empty: until stopped)'), value: '10m', validateInput: durationError });
      if (duration === undefined) return undefined;
      o = { service: svc.label, namespace: svc.description, rps: rps.trim(), duration: duration.trim() || undefined };
    }
    const invalid = rpsError(String(o.rps)) ?? (o.duration ? durationError(o.duration) : undefined);
    if (invalid) {
      showError(ctx, vscode.l10n.t('Could not start traffic: {0}', invalid));
      return undefined;
    }
    const start = { service: o.service, namespace: o.namespace, rps: Number(o.rps), durationMs: o.duration ? parseDuration(o.duration) : undefined };
    const to = `${o.namespace ?? 'default'}/${o.service}`;
    const what = o.duration
      ? vscode.l10n.t('Started traffic/{0}: {1} requests/s to {2} for {3}', o.service, start.rps, to, o.duration)
      : vscode.l10n.t('Started traffic/{0}: {1} requests/s to {2} until stopped', o.service, start.rps, to);
    return nodeOp(ctx, what, () => cluster.traffic.start(start), vscode.l10n.t('Could not start traffic/{0}', o.service));
  },
  'kubeEmulator.stopTraffic': (ctx) => async (arg?: unknown) => {
    const cluster = await emulated(ctx);
    if (!cluster) return undefined;
    let name = typeof arg === 'string' ? arg : undefined;
    if (!name) {
      const picks = cluster.traffic.list().map((t) => ({ label: t.name, description: vscode.l10n.t('{0}: {1}/s to {2}', t.phase, t.rps, `${t.namespace}/${t.service}`), detail: vscode.l10n.t('{0} sent, {1} failed', t.sent, t.failed) }));
      if (!picks.length) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No emulated traffic is running.'));
        return undefined;
      }
      name = (await vscode.window.showQuickPick(picks, { placeHolder: vscode.l10n.t('Traffic to stop') }))?.label;
      if (!name) return undefined;
    }
    const n = name;
    return nodeOp(ctx, vscode.l10n.t('Stopped traffic/{0}', n), async () => cluster.traffic.stopTraffic(n), vscode.l10n.t('Could not stop traffic/{0}', n));
  },
} satisfies Record<string, Factory>);

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(commands)) {
    ctx.pushExtension(vscode.commands.registerCommand(id, factory(ctx)));
  }
}

/** An error notification with a way to the output; not awaited, so commands finish without a click. */
function showError(ctx: Ctx, message: string): void {
  void vscode.window.showErrorMessage(message, vscode.l10n.t('Show {0} Output', OUTPUT_NAME)).then((choice) => {
    if (choice) ctx.output.show(true);
  });
}
