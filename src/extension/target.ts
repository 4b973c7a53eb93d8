// The target cluster of Apply, Dry run, Diff and Delete: the embedded (emulated) cluster by default,
// or any context of the user's kubeconfig (a real cluster), picked from a status bar item. Applying
// or deleting on a kubeconfig context asks once per context per session (a modal), as a guard
// against writing to production by accident. Every editor feature gets its client here
// (`TargetController.client()`), so they all talk to the same cluster.
//
// `vscode` is only a type import: `registerTarget` gets the API from main.ts, so the logic here
// (labels, the picker's items, the confirmation state) is unit-tested under Node.
import type * as vscode from 'vscode';
import type { ApplyClient } from './apply.ts';
import type { Ctx } from './ctx.ts';
import * as l10n from './l10n.ts';

export type Target = { kind: 'emulated' } | { kind: 'context'; context: string; cluster: string };

export const EMULATED: Target = { kind: 'emulated' };
export const SELECT_TARGET_COMMAND = 'kubeEmulator.selectTarget';

/** What the status bar and messages call the target: `emulated` or the context's name. */
export function targetLabel(t: Target): string {
  return t.kind === 'emulated' ? l10n.t('emulated') : t.context;
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.kind === b.kind && (a.kind === 'emulated' || (b.kind === 'context' && a.context === b.context && a.cluster === b.cluster));
}

/** The modal's question before the first write to a kubeconfig context. */
export function confirmationQuestion(t: Target & { kind: 'context' }, action = 'Apply'): string {
  return l10n.t('{0} to context {1} (cluster {2})?', actionWord(action), t.context, t.cluster);
}

/** The confirmation's verb (its button), in the user's language. */
function actionWord(action: string): string {
  return action === 'Delete' ? l10n.t('Delete') : action === 'Apply' ? l10n.t('Apply') : action;
}

/** Which contexts the user has said yes to in this session (emulated needs no confirmation). */
export class Confirmations {
  private readonly confirmed = new Set<string>();

  needs(t: Target): boolean {
    return t.kind === 'context' && !this.confirmed.has(`${t.context}\u0000${t.cluster}`);
  }

  confirm(t: Target): void {
    if (t.kind === 'context') this.confirmed.add(`${t.context}\u0000${t.cluster}`);
  }
}

/** The parts of a KubeConfig the picker reads (client-node's KubeConfig has them). */
export interface KubeConfigLike {
  contexts: { name: string; cluster: string; namespace?: string; user?: string }[];
  clusters: { name: string; server: string }[];
  currentContext: string;
}

export interface TargetItem {
  label: string;
  description?: string;
  detail?: string;
  target: Target;
}

/**
 * The QuickPick's items: the embedded cluster first, then the kubeconfig's contexts in file order
 * (the current context marked). client-node invents a `loaded-context` on http://localhost:8080
 * when there is no kubeconfig at all; it is not the user's and is left out.
 */
export function targetItems(kc: KubeConfigLike | undefined, current: Target): TargetItem[] {
  const mark = (t: Target) => (sameTarget(t, current) ? l10n.t(' (selected)') : '');
  const items: TargetItem[] = [
    { label: l10n.t('Emulated cluster'), description: l10n.t('embedded in this window') + mark(EMULATED), target: EMULATED },
  ];
  for (const c of kc?.contexts ?? []) {
    const server = kc!.clusters.find((cl) => cl.name === c.cluster)?.server;
    if (c.name === 'loaded-context' && server === 'http://localhost:8080' && kc!.contexts.length === 1) continue;
    const target: Target = { kind: 'context', context: c.name, cluster: c.cluster };
    items.push({
      label: c.name,
      description: `${c.name === kc!.currentContext ? 'current-context, ' : ''}${l10n.t('cluster {0}', c.cluster)}${mark(target)}`,
      detail: [server, c.namespace ? `namespace ${c.namespace}` : ''].filter(Boolean).join(', ') || undefined,
      target,
    });
  }
  return items;
}

interface ClientModule {
  loadUserKubeConfig(): KubeConfigLike;
  clientForContext(kc: KubeConfigLike, context: string): ApplyClient;
}

export class TargetController {
  private _target: Target = EMULATED;
  readonly confirmations = new Confirmations();
  private readonly emitter: vscode.EventEmitter<Target>;
  private readonly clients = new Map<string, ApplyClient>();
  private kc?: KubeConfigLike;
  /** Fires when the user picks another target. */
  readonly onDidChange: vscode.Event<Target>;

  constructor(
    private readonly ctx: Ctx,
    private readonly vs: typeof vscode,
    /** client.ts through the session bundle (tests may pass their own). */
    private readonly loadClients: () => Promise<ClientModule> = async () => (await import('./session.ts')) as unknown as ClientModule,
  ) {
    this.emitter = new vs.EventEmitter<Target>();
    this.onDidChange = this.emitter.event;
    ctx.pushExtension(this.emitter);
  }

  get target(): Target {
    return this._target;
  }

  get label(): string {
    return targetLabel(this._target);
  }

  /** `emulated cluster` or `context NAME`, for messages. */
  get description(): string {
    return this._target.kind === 'emulated' ? l10n.t('the emulated cluster') : l10n.t('context {0}', this._target.context);
  }

  select(t: Target): void {
    if (sameTarget(t, this._target)) return;
    this._target = t;
    this.ctx.log(`Target: ${t.kind === 'emulated' ? 'the emulated cluster' : `context ${t.context} (cluster ${t.cluster})`}`);
    this.emitter.fire(t);
  }

  /** The target's client; the emulated cluster starts on first use. */
  async client(): Promise<ApplyClient> {
    const t = this._target;
    if (t.kind === 'emulated') return (await this.ctx.ensureCluster()).client;
    const hit = this.clients.get(t.context);
    if (hit) return hit;
    const mod = await this.loadClients();
    this.kc ??= mod.loadUserKubeConfig();
    const client = mod.clientForContext(this.kc, t.context);
    this.clients.set(t.context, client);
    return client;
  }

  /** The client when it is there without starting anything (for lenses: they never start the cluster). */
  clientIfReady(): ApplyClient | undefined {
    const t = this._target;
    return t.kind === 'emulated' ? this.ctx.session?.client : this.clients.get(t.context);
  }

  /** Asks once per kubeconfig context per session before writing to it; true when the write may go. */
  async confirmWrite(action = 'Apply'): Promise<boolean> {
    const t = this._target;
    if (t.kind !== 'context' || !this.confirmations.needs(t)) return true;
    const button = actionWord(action);
    const choice = await this.vs.window.showWarningMessage(
      confirmationQuestion(t, action),
      { modal: true, detail: l10n.t('This is not the emulated cluster. You are asked once per context in this session.') },
      button,
    );
    if (choice !== button) return false;
    this.confirmations.confirm(t);
    return true;
  }

  /** The QuickPick of targets; picking a context also makes its client (so lenses can use it). */
  async pick(): Promise<Target | undefined> {
    let kc: KubeConfigLike | undefined;
    try {
      const mod = await this.loadClients();
      kc = this.kc = mod.loadUserKubeConfig();
      this.clients.clear();
    } catch (e) {
      this.ctx.log(`Could not read the kubeconfig: ${e instanceof Error ? e.message : String(e)}`);
    }
    const items = targetItems(kc, this._target);
    const picked = await this.vs.window.showQuickPick(items, {
      placeHolder: l10n.t('Cluster to apply, dry-run, diff and delete against'),
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return undefined;
    const t = picked.target;
    if (t.kind === 'context' && kc) {
      try {
        this.clients.set(t.context, (await this.loadClients()).clientForContext(kc, t.context));
      } catch (e) {
        this.ctx.log(`Target: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.select(t);
    return t;
  }
}

const controllers = new WeakMap<Ctx, TargetController>();

/** The target of this window's editor features (one per Ctx). */
export function targetOf(ctx: Ctx): TargetController | undefined {
  return controllers.get(ctx);
}

/** The status bar item showing the target and the command that picks another. */
export function registerTarget(ctx: Ctx, vs: typeof vscode): TargetController {
  const controller = new TargetController(ctx, vs);
  controllers.set(ctx, controller);
  const item = vs.window.createStatusBarItem('kubeEmulator.target', vs.StatusBarAlignment.Left, 9);
  item.name = l10n.t('Kubernetes Emulator Target');
  item.command = SELECT_TARGET_COMMAND;
  const update = () => {
    item.text = `$(target) ${controller.label}`;
    item.tooltip = l10n.t('Apply, Dry run, Diff and Delete go to {0}. Click to pick another kubeconfig context.', controller.description);
    item.backgroundColor = controller.target.kind === 'context' ? new vs.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
  ctx.pushExtension(
    item,
    controller.onDidChange(update),
    vs.commands.registerCommand(SELECT_TARGET_COMMAND, async (t?: Target) => {
      // With an argument (tests, other extensions): select it without the picker.
      if (t && (t.kind === 'emulated' || (t.kind === 'context' && typeof t.context === 'string'))) {
        controller.select(t.kind === 'emulated' ? EMULATED : { kind: 'context', context: t.context, cluster: t.cluster ?? '' });
        return controller.target;
      }
      return controller.pick();
    }),
  );
  update();
  item.show();
  return controller;
}
