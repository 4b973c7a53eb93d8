// Extension entry point (after rust-analyzer's editors/code/src/main.ts): create the context, register
// each concern, and do nothing heavy. The cluster starts on first use (first apply, opening the view),
// or here when `kubeEmulator.startOnActivation` is set.
import { loadStart } from './load-start.ts';
import * as vscode from 'vscode';
import { registerActions } from './actions.ts';
import { registerCodeLens } from './codelens.ts';
import { registerCommands } from './commands.ts';
import { registerCompletion } from './completion.ts';
import { Ctx } from './ctx.ts';
import { setBundle } from './l10n.ts';
import { registerDefinitions } from './definition.ts';
import { registerDiagnostics } from './diagnostics.ts';
import { registerHover } from './hover.ts';
import { registerQuickFixes } from './quickfix.ts';
import { registerStatus } from './status.ts';
import { registerTarget } from './target.ts';
import { registerTree } from './tree.ts';
import { registerWalkthrough } from './walkthrough.ts';
import { registerDetails } from './panels/details.ts';
import { registerTopology } from './panels/topology.ts';

/** When this module's imports had been evaluated: load time is `moduleReady - loadStart`. */
const moduleReady = performance.now();
let ctx: Ctx | undefined;

/** What `activate` returns: a small API for tests and other extensions. */
export interface KubeEmulatorApi {
  /** Starts the cluster if needed and returns its kubeconfig file (for kubectl) and server URL. */
  ensureCluster(): Promise<{ server: string; kubeconfigPath: string }>;
  readonly state: string;
  /** Milliseconds spent loading the module (its imports) plus running activate(). */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): KubeEmulatorApi {
  const activateStart = performance.now();
  // Plain modules (no `vscode`) word their messages with @vscode/l10n: the same bundle (l10n/).
  setBundle(vscode.l10n.bundle);
  const c = new Ctx(context);
  ctx = c;
  context.subscriptions.push({ dispose: () => void c.dispose() });
  registerCommands(c);
  registerStatus(c);
  registerActions(c);
  const workspaceIndex = registerDiagnostics(c);
  registerQuickFixes(c, workspaceIndex);
  registerDefinitions(c, workspaceIndex);
  registerTarget(c, vscode);
  registerCodeLens(c);
  registerCompletion(c);
  registerHover(c);
  registerTree(c);
  registerWalkthrough(c);
  registerDetails(c);
  registerTopology(c);

  // Our own cost: evaluating the bundle's eagerly-imported modules, then activate(). VS Code's time
  // between loading the module and calling activate() is not ours and not counted.
  const loadMs = moduleReady - loadStart;
  const activateMs = performance.now() - activateStart;
  const activationMs = Math.round(loadMs + activateMs);
  c.log(`Activated in ${activationMs} ms (module load ${Math.round(loadMs)} ms, activate ${Math.round(activateMs)} ms)`);

  if (vscode.workspace.getConfiguration('kubeEmulator').get<boolean>('startOnActivation', false)) {
    c.startCluster().catch(() => undefined); // logged by Ctx
  }
  return {
    async ensureCluster() {
      const session = await c.ensureCluster();
      return { server: session.server, kubeconfigPath: c.kubeconfigPath };
    },
    get state() {
      return c.state;
    },
    activationMs,
  };
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}
