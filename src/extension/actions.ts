// The explorer's one-click actions (issue 8): the VS Code side. Every action takes a ref-bearing
// argument (a tree element, a webview message, a ref: live.ts refOf) and, from the palette without
// one, asks with a quick pick of the live objects of that kind. The requests and kubectl's words are
// in actions-core.ts; success is a short status bar message, failure an error notification.
//
// Refs and kinds come from resources.ts (no client-node); what needs client-node goes through the
// session bundle.
import * as vscode from 'vscode';
import { registerClockStatus } from './clock-status.ts';
import { OUTPUT_NAME, type Ctx } from './ctx.ts';
import type { Cascade } from './actions-core.ts';
import { LIVE_KINDS, LIVE_RESOURCES, refOf, refTo, type KubeObject, type LiveKind, type ResourceRef } from './resources.ts';
import type { Session } from './session.ts';

const core = () => import('./actions-core.ts');

/** The session the views show (the emulated cluster today), started on first use. */
async function viewSession(ctx: Ctx): Promise<Session> {
  return ctx.viewSession() ?? (await ctx.ensureCluster());
}

/** The object an action is about: the argument's ref, or one picked from the live objects of `kinds`. */
async function target(
  ctx: Ctx,
  arg: unknown,
  kinds: readonly LiveKind[],
  placeHolder: string,
  filter?: (o: KubeObject) => boolean,
): Promise<{ session: Session; ref: ResourceRef } | undefined> {
  const session = await viewSession(ctx);
  const ref = refOf(arg);
  if (ref) return { session, ref };
  const items = kinds
    .flatMap((k) =>
      session.live
        .list(k)
        .filter((o) => !o.metadata?.deletionTimestamp && (!filter || filter(o)))
        .map((o) => ({
          label: o.metadata?.name ?? '',
          description: [kinds.length > 1 ? LIVE_RESOURCES[k].kind : undefined, o.metadata?.namespace].filter(Boolean).join(' · '),
          ref: refTo(k, o),
        })),
    )
    .sort((a, b) => a.description.localeCompare(b.description) || a.label.localeCompare(b.label));
  if (!items.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to choose: the cluster has no {0} for this action.', kinds.map((k) => LIVE_RESOURCES[k].kind).join(vscode.l10n.t(' or '))));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return pick && { session, ref: pick.ref };
}

/** Runs an action: its kubectl line as a status message (and in the output), or an error notification. */
async function run(ctx: Ctx, fn: () => Promise<string>): Promise<string | undefined> {
  try {
    const line = await fn();
    ctx.log(line);
    vscode.window.setStatusBarMessage(`$(check) ${line}`, 5000);
    return line;
  } catch (e) {
    const { ActionError } = await core();
    const message = e instanceof ActionError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`;
    ctx.log(message);
    void vscode.window.showErrorMessage(message, vscode.l10n.t('Show {0} Output', OUTPUT_NAME)).then((choice) => {
      if (choice) ctx.output.show(true);
    });
    return undefined;
  }
}

const SCALABLE: LiveKind[] = ['deployments', 'replicasets', 'statefulsets', 'replicationcontrollers'];
const RESTARTABLE: LiveKind[] = ['deployments', 'daemonsets', 'statefulsets'];

type Handler = (ctx: Ctx) => (...args: any[]) => Promise<unknown>;

export const actions: Record<string, Handler> = {
  /** kubectl scale --replicas=N; `replicas` skips the input box (tests, panels). */
  'kubeEmulator.scale': (ctx) => async (arg?: unknown, replicas?: number) => {
    const t = await target(ctx, arg, SCALABLE, vscode.l10n.t('Object to scale'));
    if (!t) return undefined;
    const c = await core();
    if (replicas === undefined) {
      const current = c.currentReplicas(t.session.live.resolve(t.ref));
      const text = await vscode.window.showInputBox({
        title: vscode.l10n.t('Scale {0}', c.kubectlName(t.ref)),
        prompt: vscode.l10n.t('Replicas (now {0})', current),
        value: String(current),
        validateInput: c.replicasError,
      });
      if (text === undefined) return undefined;
      replicas = Number(text.trim());
    }
    const n = replicas;
    return run(ctx, () => c.scale(t.session.client, t.ref, n));
  },

  'kubeEmulator.rolloutRestart': (ctx) => async (arg?: unknown) => {
    const t = await target(ctx, arg, RESTARTABLE, vscode.l10n.t('Workload to restart (kubectl rollout restart)'));
    if (!t) return undefined;
    const c = await core();
    return run(ctx, () => c.rolloutRestart(t.session.client, t.ref));
  },

  /** kubectl rollout undo --to-revision=N; `revision` skips the pick (0: the previous one). */
  'kubeEmulator.rollback': (ctx) => async (arg?: unknown, revision?: number) => {
    const t = await target(ctx, arg, ['deployments', 'daemonsets', 'statefulsets'], vscode.l10n.t('Workload to roll back (kubectl rollout undo)'));
    if (!t) return undefined;
    const c = await core();
    if (revision === undefined) {
      let revisions: Awaited<ReturnType<typeof c.revisionsOf>>['revisions'];
      try {
        revisions = (await c.revisionsOf(t.session.client, t.ref)).revisions;
      } catch (e) {
        return run(ctx, () => Promise.reject(e));
      }
      if (revisions.length < 2) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no earlier revision to roll back to.', c.kubectlName(t.ref)));
        return undefined;
      }
      // Newest first, without the current one: the previous revision on top, as `kubectl rollout undo` picks it.
      const items = revisions
        .filter((r) => !r.current)
        .map((r) => ({
          label: vscode.l10n.t('Revision {0}', r.revision),
          description: r.images.join(', '),
          detail: r.changeCause ? `change-cause: ${r.changeCause}` : vscode.l10n.t('no change-cause'),
          revision: r.revision,
        }));
      const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Roll back {0}', c.kubectlName(t.ref)), placeHolder: vscode.l10n.t('Revision to roll back to'), matchOnDescription: true, matchOnDetail: true });
      if (!pick) return undefined;
      revision = pick.revision;
    }
    const to = revision;
    return run(ctx, () => c.rollback(t.session.client, t.ref, to));
  },

  'kubeEmulator.pauseRollout': (ctx) => async (arg?: unknown) => {
    const t = await target(ctx, arg, ['deployments'], vscode.l10n.t('Deployment to pause'), (o) => !o.spec?.paused);
    if (!t) return undefined;
    const c = await core();
    return run(ctx, () => c.setPaused(t.session.client, t.ref, true));
  },

  'kubeEmulator.resumeRollout': (ctx) => async (arg?: unknown) => {
    const t = await target(ctx, arg, ['deployments'], vscode.l10n.t('Deployment to resume'), (o) => !!o.spec?.paused);
    if (!t) return undefined;
    const c = await core();
    return run(ctx, () => c.setPaused(t.session.client, t.ref, false));
  },

  /** kubectl delete with a cascade choice; `cascade` given means confirmed (tests, panels that asked). */
  'kubeEmulator.deleteResource': (ctx) => async (arg?: unknown, cascade?: Cascade) => {
    let kinds: LiveKind[] = [];
    if (!refOf(arg)) {
      const session = await viewSession(ctx);
      const kindPicks: (vscode.QuickPickItem & { live: LiveKind })[] = LIVE_KINDS.filter((k) => k !== 'events' && session.live.list(k).length > 0).map((k) => ({
        label: LIVE_RESOURCES[k].kind,
        description: `${session.live.list(k).length}`,
        live: k,
      }));
      const kind = await vscode.window.showQuickPick(kindPicks, { placeHolder: vscode.l10n.t('Kind of the object to delete') });
      if (!kind) return undefined;
      kinds = [kind.live];
    }
    const t = await target(ctx, arg, kinds, vscode.l10n.t('Object to delete'));
    if (!t) return undefined;
    const { ref } = t;
    // An emulated node goes with its kubelet (the emulator's own delete node).
    if (ref.kind === 'Node' && t.session.cluster) return vscode.commands.executeCommand('kubeEmulator.deleteNode', ref, cascade !== undefined);
    const c = await core();
    if (cascade === undefined) {
      const owner = c.OWNER_KINDS.has(ref.kind);
      const del = vscode.l10n.t('Delete');
      const first = vscode.l10n.t('Delete Dependents First');
      const keep = vscode.l10n.t('Delete, Keep Dependents');
      const choices: Record<string, Cascade> = owner ? { [del]: 'background', [first]: 'foreground', [keep]: 'orphan' } : { [del]: 'background' };
      const choice = await vscode.window.showWarningMessage(
        ref.namespace
          ? vscode.l10n.t('Delete {0} "{1}" in namespace "{2}"?', ref.kind, ref.name, ref.namespace)
          : vscode.l10n.t('Delete {0} "{1}"?', ref.kind, ref.name),
        {
          modal: true,
          detail: owner
            ? vscode.l10n.t('{0}: the object goes now and the garbage collector deletes what it owns in the background.', del) +
              '\n' +
              vscode.l10n.t('{0}: foreground cascading deletion; the object stays until what it owns is gone.', first) +
              '\n' +
              vscode.l10n.t('{0}: orphan; what it owns stays, without its owner reference.', keep)
            : undefined,
        },
        ...Object.keys(choices),
      );
      if (!choice) return undefined;
      cascade = choices[choice];
    }
    const how = cascade;
    return run(ctx, () => c.deleteResource(t.session.client, ref, how));
  },

  /** kubectl create job NAME-manual-XXXXX --from=cronjob/NAME. */
  'kubeEmulator.triggerCronJob': (ctx) => async (arg?: unknown) => {
    const t = await target(ctx, arg, ['cronjobs'], vscode.l10n.t('CronJob to run now'));
    if (!t) return undefined;
    const c = await core();
    return run(ctx, async () => (await c.triggerCronJob(t.session.client, t.ref)).message);
  },

  /** Stops the emulated cluster, removes its state and starts it again with the configured nodes. */
  'kubeEmulator.resetCluster': (ctx) => async (confirmed?: unknown) => {
    const nodes = Math.max(1, Math.floor(vscode.workspace.getConfiguration('kubeEmulator').get<number>('nodes', 3)));
    if (confirmed !== true) {
      const reset = vscode.l10n.t('Reset');
      const ok = await vscode.window.showWarningMessage(
        vscode.l10n.t('Reset the emulated cluster?'),
        {
          modal: true,
          detail:
            nodes === 1
              ? vscode.l10n.t('Every object is deleted and the cluster starts again, empty, with 1 node (setting kubeEmulator.nodes). Export its state first to keep it.')
              : vscode.l10n.t('Every object is deleted and the cluster starts again, empty, with {0} nodes (setting kubeEmulator.nodes). Export its state first to keep it.', nodes),
        },
        reset,
      );
      if (ok !== reset) return undefined;
    }
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Resetting the emulated cluster') }, () =>
      run(ctx, async () => {
        const c = await core();
        // As if by the user: nothing restarts it (opening a view) while its folder is wiped.
        await ctx.stopCluster(true);
        try {
          await c.wipeStateFolder(ctx.statePath);
        } catch (e) {
          // Another window holds the folder: this window's cluster lived in memory and is gone already.
          const held = e instanceof Error ? / is in use by process (\d+)/.exec(e.message) : null;
          if (!held || Number(held[1]) === process.pid) {
            // Not reset: the cluster comes back as it was, and the error says why.
            await ctx.startCluster().catch(() => undefined);
            throw e;
          }
          ctx.log(`${(e as Error).message}: not removed`);
        }
        await ctx.startCluster();
        return nodes === 1 ? vscode.l10n.t('Reset the emulated cluster (1 node)') : vscode.l10n.t('Reset the emulated cluster ({0} nodes)', nodes);
      }),
    );
  },

  /** A terminal whose kubectl talks to the emulated cluster. */
  'kubeEmulator.openTerminal': (ctx) => async () => {
    try {
      await ctx.ensureCluster();
    } catch (e) {
      return run(ctx, () => Promise.reject(e));
    }
    const terminal = vscode.window.createTerminal({ name: 'kubectl (emulated)', env: { KUBECONFIG: ctx.kubeconfigPath } });
    terminal.show();
    return terminal;
  },

  'kubeEmulator.copyKubeconfig': (ctx) => async () =>
    run(ctx, async () => {
      const session = await ctx.ensureCluster();
      const text = session.cluster
        ? session.cluster.kubeconfigYaml()
        : Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(ctx.kubeconfigPath))).toString('utf8');
      await vscode.env.clipboard.writeText(text);
      return vscode.l10n.t("Copied the emulated cluster's kubeconfig to the clipboard");
    }),
};

export function registerActions(ctx: Ctx): void {
  for (const [id, handler] of Object.entries(actions)) {
    ctx.pushExtension(vscode.commands.registerCommand(id, handler(ctx)));
  }
  registerClockStatus(ctx);
}
