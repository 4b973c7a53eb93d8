// The one context object of the extension (after rust-analyzer's editors/code/src/ctx.ts), created
// in `activate`. It holds two lifetimes of disposables: the extension's (commands, views, providers,
// output) and the cluster's (the session: emulated cluster, client, informers), because the cluster
// can be stopped and started again while the extension stays.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { parseManifests, type ParsedFile } from './manifests.ts';
import type { ClusterState, TreeModel } from './tree-model.ts';
import type { Session } from './session.ts';

export const OUTPUT_NAME = 'Kubernetes Emulator';
export const VIEW_CONTAINER_COMMAND = 'workbench.view.extension.kubeEmulator';

export class Ctx implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  /** Set when the user stopped the cluster: opening the view then shows "Start Cluster" instead of starting it. */
  stoppedByUser = false;

  private readonly extensionDisposables: vscode.Disposable[] = [];
  private clusterDisposables: vscode.Disposable[] = [];
  private _state: ClusterState = 'stopped';
  private _session?: Session;
  private starting?: Promise<Session>;
  private stopping?: Promise<void>;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly parseCache = new Map<string, { version: number; parsed: ParsedFile }>();

  /** Fires when the cluster state changes or what it shows changed (informer events, not coalesced). */
  readonly onDidChange = this.changeEmitter.event;
  private readonly applyEmitter = new vscode.EventEmitter<readonly string[]>();
  /**
   * Fires after every apply from the editor (palette, CodeLens, folder) with kubectl's output lines,
   * errors included: a rejected object leaves nothing in the cluster, and the walkthrough's quota
   * step is completed by the rejection itself.
   */
  readonly onDidApply = this.applyEmitter.event;
  private viewTarget: 'emulated' | { context: string; session?: Session } = 'emulated';
  private readonly viewSessionEmitter = new vscode.EventEmitter<void>();
  /**
   * Fires when `viewSession()` may return another session: the views switched target, or on the
   * emulated target the cluster started or stopped.
   */
  readonly onDidChangeViewSession = this.viewSessionEmitter.event;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel(OUTPUT_NAME);
    this.pushExtension(this.output, this.changeEmitter, this.viewSessionEmitter, this.applyEmitter);
    this.pushExtension(
      vscode.workspace.onDidCloseTextDocument((doc) => this.parseCache.delete(doc.uri.toString())),
    );
    void this.setContext();
  }

  /** Disposed when the extension deactivates. */
  pushExtension(...d: vscode.Disposable[]): void {
    this.extensionDisposables.push(...d);
  }

  /** Disposed when the cluster stops. */
  pushCluster(...d: vscode.Disposable[]): void {
    this.clusterDisposables.push(...d);
  }

  /**
   * Where the running emulator's kubeconfig is written, for kubectl in a terminal: per workspace, so
   * two windows (two clusters) do not overwrite each other's; global storage when no folder is open.
   */
  get kubeconfigPath(): string {
    const storage = this.extensionContext.storageUri ?? this.extensionContext.globalStorageUri;
    return join(storage.fsPath, 'kubeconfig');
  }

  /** The folder that keeps the cluster across reloads: per workspace, like the kubeconfig. */
  get statePath(): string {
    const storage = this.extensionContext.storageUri ?? this.extensionContext.globalStorageUri;
    return join(storage.fsPath, 'state');
  }

  get state(): ClusterState {
    return this._state;
  }

  get session(): Session | undefined {
    return this._session;
  }

  /**
   * The session the explorer views, panels and their actions show and act on: the emulated cluster,
   * or a context of the user's kubeconfig when the target picker (target.ts) points there (tree.ts
   * follows the picker and sets it; undefined while that context connects or when it failed).
   */
  viewSession(): Session | undefined {
    return this.viewTarget === 'emulated' ? this._session : this.viewTarget.session;
  }

  /** Whether the views show the emulated cluster (context key `kubeEmulator.viewTargetEmulated`). */
  get viewTargetEmulated(): boolean {
    return this.viewTarget === 'emulated';
  }

  /** Set by the explorer (tree.ts) when the target picker changes: the emulated cluster or a context's session. */
  setViewTarget(t: 'emulated' | { context: string; session?: Session }): void {
    this.viewTarget = t;
    void vscode.commands.executeCommand('setContext', 'kubeEmulator.viewTargetEmulated', t === 'emulated');
    this.viewSessionEmitter.fire();
  }

  /** The Nodes tree's model when the cluster runs. */
  model(): TreeModel | undefined {
    return this._session?.model();
  }

  /** Called by the apply commands with their output lines (see onDidApply). */
  noteApply(lines: readonly string[]): void {
    this.applyEmitter.fire(lines);
  }

  log(line: string): void {
    this.output.appendLine(line);
  }

  /** The parsed YAML of a document, cached per version; diagnostics, CodeLens and apply share it. */
  parse(doc: vscode.TextDocument): ParsedFile {
    const key = doc.uri.toString();
    const hit = this.parseCache.get(key);
    if (hit && hit.version === doc.version) return hit.parsed;
    const parsed = parseManifests(doc.getText());
    this.parseCache.set(key, { version: doc.version, parsed });
    return parsed;
  }

  /** The running cluster's session, starting the cluster first if needed (first use). */
  async ensureCluster(): Promise<Session> {
    if (this._session) return this._session;
    if (this.starting) return this.starting;
    return this.startCluster();
  }

  async startCluster(): Promise<Session> {
    if (this._session) return this._session;
    if (this.starting) return this.starting;
    this.stoppedByUser = false;
    this.starting = (async () => {
      if (this.stopping) await this.stopping;
      const cfg = vscode.workspace.getConfiguration('kubeEmulator');
      const nodes = Math.max(1, Math.floor(cfg.get<number>('nodes', 3)));
      const timeScale = cfg.get<number>('timeScale', 1);
      this.setState('starting');
      const t0 = performance.now();
      this.log(`Starting the emulated cluster (${nodes} ${nodes === 1 ? 'node' : 'nodes'}, time scale ${timeScale})`);
      try {
        // Loaded on first use: client-node and the emulator are not evaluated at activation.
        const { Session } = await import('./session.ts');
        const session = await Session.startEmulator(
          { kind: 'emulator', nodes, timeScale },
          { log: (l) => this.log(l), kubeconfigPath: this.kubeconfigPath, statePath: this.statePath },
        );
        this._session = session;
        const sub = session.onDidChange(() => this.changeEmitter.fire());
        this.pushCluster({ dispose: () => sub.dispose() });
        this.log(`Cluster started in ${Math.round(performance.now() - t0)} ms`);
        this.setState('running');
        return session;
      } catch (e) {
        this.log(`Could not start the emulated cluster: ${e instanceof Error ? e.message : String(e)}`);
        this.setState('failed');
        throw e;
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  async stopCluster(byUser = true): Promise<void> {
    if (byUser) this.stoppedByUser = true;
    if (this.starting) await this.starting.catch(() => undefined);
    const session = this._session;
    if (!session) {
      if (this._state !== 'stopped') this.setState('stopped');
      return;
    }
    this._session = undefined;
    this.setState('stopping');
    this.stopping = (async () => {
      for (const d of this.clusterDisposables.splice(0).reverse()) d.dispose();
      try {
        await session.dispose();
        this.log('Cluster stopped');
      } catch (e) {
        this.log(`Stopping the cluster failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.stopping = undefined;
        this.setState('stopped');
      }
    })();
    return this.stopping;
  }

  private setState(state: ClusterState): void {
    this._state = state;
    void this.setContext();
    this.changeEmitter.fire();
    if (this.viewTarget === 'emulated' && (state === 'running' || state === 'stopping')) this.viewSessionEmitter.fire();
  }

  private setContext(): Thenable<unknown> {
    // Drives the welcome view (viewsWelcome) and the Start/Stop command enablement.
    void vscode.commands.executeCommand('setContext', 'kubeEmulator.viewTargetEmulated', this.viewTarget === 'emulated');
    return vscode.commands.executeCommand('setContext', 'kubeEmulator.state', this._state);
  }

  /** Deactivation: stop the cluster (VS Code waits for the returned promise), then drop everything. */
  async dispose(): Promise<void> {
    await this.stopCluster(false);
    for (const d of this.extensionDisposables.splice(0).reverse()) d.dispose();
  }
}
