// The details panel's host (issue 8): one WebviewPanel per object (revealed when already open), live
// from the session's LiveCluster (coalesced), with the webview's messages: links to other objects,
// header actions run as commands, Secret keys revealed one at a time, pod logs streamed while the
// Logs tab is open, and the Edit tab's server-side apply (apply.ts) with conflict handling.
//
// The model code (details-model.ts) needs client-node; it is reached through the lazily loaded
// session bundle (`import('../session.ts')`), so activation does not evaluate it.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import type { Ctx } from '../ctx.ts';
import type { KubeObject, ResourceRef } from '../live.ts';
import type { Session } from '../session.ts';
import { parseManifests } from '../manifests.ts';
import { serverSideApply } from '../apply.ts';
import { makeNonce, webviewHtml } from '../webview-html.ts';
import { detailsState } from './state.ts';
import { restoreDetails } from './saved.ts';
import { liveKindOf } from '../resources.ts';
import type { DetailsModel, HostMessage, LogOptions, Tab, WebviewMessage } from '../../webview/details/protocol.ts';

type Model = typeof import('../details-model.ts');

async function loadModel(): Promise<Model> {
  return (await import('../session.ts')).details;
}

const VIEW_TYPE = 'kubeEmulator.details';
const panels = new Map<string, DetailsPanel>();

/** Registers `kubeEmulator.showDetails` and `kubeEmulator.showLogs`. */
export function registerDetails(ctx: Ctx): void {
  ctx.pushExtension(
    vscode.commands.registerCommand('kubeEmulator.showDetails', (arg?: unknown, tab?: Tab) => showDetails(ctx, arg, tab)),
    vscode.commands.registerCommand('kubeEmulator.showLogs', (arg?: unknown, container?: string) => showDetails(ctx, arg, 'logs', container)),
    { dispose: () => [...panels.values()].forEach((p) => p.panel.dispose()) },
    // Back after a window reload (the page saved its object and tab: saved.ts). The model code
    // loads only when a panel is restored, as it does when one is opened.
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => restorePanel(ctx, panel, state),
    }),
  );
}

/**
 * A details panel VS Code restores after a reload: it shows the saved object from the session the
 * views show. Without one it says so and follows the first that comes (the cluster is started as
 * opening a panel starts it, unless the user stopped it); an object gone shows as not found.
 */
async function restorePanel(ctx: Ctx, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  try {
    const saved = restoreDetails(state);
    if (!saved) {
      panel.dispose(); // names no object (an older version's panel): nothing to show
      return;
    }
    const m = await loadModel();
    const key = m.refKey(saved.ref);
    if (panels.has(key)) {
      panel.dispose(); // opened again meanwhile
      return;
    }
    const session = ctx.viewSession();
    panels.set(key, new DetailsPanel(ctx, session, m, saved.ref, key, saved.tab, saved.logContainer, panel));
    if (!session && ctx.viewTargetEmulated && !ctx.stoppedByUser) ctx.ensureCluster().catch(() => undefined); // logged by Ctx
  } catch (e) {
    ctx.log(`Details panel: could not restore: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    panel.dispose();
  }
}

/** Opens (or reveals) the details of the object `arg` names; without one, asks which. Resolves to the panel's key. */
export async function showDetails(ctx: Ctx, arg: unknown, tab?: Tab, container?: string): Promise<string | undefined> {
  try {
    const session = ctx.viewSession() ?? (await ctx.ensureCluster());
    const m = await loadModel();
    let ref = m.refOf(arg);
    if (!ref) ref = await pickObject(session, m, tab === 'logs' ? 'Pod' : undefined);
    if (!ref) return undefined;
    const key = m.refKey(ref);
    let p = panels.get(key);
    if (p) {
      p.panel.reveal();
      if (tab) p.post({ type: 'showTab', tab, container });
    } else {
      p = new DetailsPanel(ctx, session, m, ref, key, tab ?? 'summary', container);
      panels.set(key, p);
    }
    return key;
  } catch (e) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not show details: {0}', e instanceof Error ? e.message : String(e)));
    return undefined;
  }
}

/** The palette's entry: a quick pick of the live objects (pods first when asked for logs). */
async function pickObject(session: Session, m: Model, kind?: string): Promise<ResourceRef | undefined> {
  const items: (vscode.QuickPickItem & { ref: ResourceRef })[] = [];
  for (const k of session.live.kinds) {
    if (k === 'events') continue;
    for (const o of session.live.list(k)) {
      const ref = m.refTo(k, o);
      if (kind && ref.kind !== kind) continue;
      items.push({ label: `${ref.kind} ${ref.name}`, description: ref.namespace, ref });
    }
  }
  items.sort((a, b) => a.label.localeCompare(b.label));
  const pick = await vscode.window.showQuickPick(items, { title: kind === 'Pod' ? vscode.l10n.t('Show logs of a pod') : vscode.l10n.t('Show details of an object'), matchOnDescription: true, placeHolder: vscode.l10n.t('Kind name') });
  return pick?.ref;
}

class DetailsPanel {
  readonly panel: vscode.WebviewPanel;
  private readonly revealed = new Set<string>();
  private last?: KubeObject;
  private lastJson = '';
  private readonly subs: { dispose(): void }[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private logs?: { stop(): void };
  private logSeq = 0;
  /** The resourceVersion the Edit tab's text came from: the apply's optimistic-concurrency guard. */
  private editFrom?: string;

  /** The session followed; undefined while a restored panel waits for one (see restorePanel). */
  private session?: Session;
  private sessionSub?: { dispose(): void };
  private sentNotice = '';
  /** What the page's HTML carries (its initial state): what it shows when it says 'ready'. */
  private readonly initial: { json: string; notice: string };

  constructor(
    private readonly ctx: Ctx,
    session: Session | undefined,
    private readonly m: Model,
    private readonly ref: ResourceRef,
    private readonly key: string,
    tab: Tab,
    container?: string,
    /** The panel VS Code restored after a reload. */
    restored?: vscode.WebviewPanel,
  ) {
    const root = vscode.Uri.joinPath(ctx.extensionContext.extensionUri, 'dist', 'webview');
    const options = { enableScripts: true, localResourceRoots: [root] };
    if (restored) {
      this.panel = restored;
      this.panel.webview.options = options;
      this.panel.title = m.titleOf(ref);
    } else {
      this.panel = vscode.window.createWebviewPanel(VIEW_TYPE, m.titleOf(ref), vscode.ViewColumn.Active, {
        ...options,
        // The Logs tab's stream and the Edit tab's editor survive switching editor tabs.
        retainContextWhenHidden: true,
      });
    }
    if (session) this.attach(session);
    const model = this.build();
    const wv = this.panel.webview;
    this.sentNotice = model ? '' : this.notice();
    this.initial = { json: this.lastJson, notice: this.sentNotice };
    const state = { ...detailsState(model, tab, container, { bundle: vscode.l10n.bundle, language: vscode.env.language }), ref, notice: this.sentNotice || undefined };
    wv.html = webviewHtml({
      lang: vscode.env.language,
      title: m.titleOf(ref),
      cspSource: wv.cspSource,
      nonce: makeNonce(),
      script: wv.asWebviewUri(vscode.Uri.joinPath(root, 'details.js')).toString(),
      styles: [wv.asWebviewUri(vscode.Uri.joinPath(root, 'details.css')).toString()],
      // Monaco's workers are made from blob: URLs (see main.ts); Monaco inserts <style> elements
      // and style attributes at run time (its dynamic CSS rules, the editor's layout), which a
      // nonce cannot cover, hence inline styles. Scripts stay nonce-only: no eval, no inline code.
      workers: true,
      inlineStyles: true,
      state,
      body: '<div id="app" role="main"></div>',
    });
    this.subs.push(
      wv.onDidReceiveMessage((msg: WebviewMessage) => void this.onMessage(msg).catch((e) => this.ctx.log(`Details panel: ${e instanceof Error ? e.stack ?? e.message : String(e)}`))),
      this.panel.onDidDispose(() => this.dispose()),
      ctx.onDidChange(() => this.onSessionChange()),
      ctx.onDidChangeViewSession(() => this.onSessionChange()),
    );
  }

  private attach(session: Session): void {
    this.session = session;
    this.sessionSub = session.live.onDidChange(() => this.schedule());
  }

  private onSessionChange(): void {
    if (this.offline) return;
    const s = this.ctx.viewSession();
    // The cluster stopped, or the views moved to another cluster: this panel's object is gone from view.
    if (this.session) {
      if (s !== this.session) this.goOffline();
      return;
    }
    // A restored panel waiting for a cluster: the first the views show.
    if (s) {
      this.attach(s);
      this.schedule();
    } else this.postNotice();
  }

  /** Why there is no model: no cluster yet, its caches still loading, or no such object. */
  private notice(): string {
    const s = this.session;
    if (!s) {
      return this.ctx.viewTargetEmulated && this.ctx.state === 'starting'
        ? vscode.l10n.t('Starting the cluster…')
        : // A restored panel still follows the first cluster that comes; opening the object from a tree reveals it.
          vscode.l10n.t('Not live: the cluster stopped, or the views show another cluster now. Open the object again from a tree.');
    }
    const kind = liveKindOf(this.ref.apiVersion, this.ref.kind);
    if (kind && s.live.kindState(kind).state === 'loading') return vscode.l10n.t('Loading…');
    return vscode.l10n.t('Not found');
  }

  private postNotice(): void {
    const text = this.notice();
    if (text === this.sentNotice) return;
    this.sentNotice = text;
    this.post({ type: 'notice', text });
  }

  post(msg: HostMessage): void {
    void this.panel.webview.postMessage(msg);
  }

  private build(): DetailsModel | undefined {
    if (!this.session) return undefined;
    const current = this.session.live.resolve(this.ref);
    if (current) this.last = current;
    const model = this.m.buildDetails(this.session.live, this.ref, { revealed: this.revealed, last: this.last });
    this.lastJson = JSON.stringify(model ?? null);
    return model;
  }

  /** Informer events come one by one (a rollout is hundreds): one rebuild per 150 ms at most. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, 150);
  }

  private offline = false;

  private goOffline(): void {
    this.offline = true;
    this.stopLogs();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.session) return;
    const model = this.m.buildDetails(this.session.live, this.ref, { revealed: this.revealed, last: this.last });
    if (model) {
      model.deleted = false;
      model.offline = vscode.l10n.t('Not live: the cluster stopped, or the views show another cluster now. Open the object again from a tree.');
      this.post({ type: 'model', model });
    }
  }

  private refresh(): void {
    if (this.offline) return;
    const before = this.lastJson;
    const model = this.build();
    if (model && this.lastJson !== before) this.post({ type: 'model', model });
    if (!model && !this.last) this.postNotice();
  }

  private async onMessage(msg: WebviewMessage): Promise<void> {
    // A restored panel waiting for a cluster has no object to act on yet.
    const session = this.session;
    switch (msg.type) {
      case 'ready':
        // A model posted before the page listened is lost: compare with what its HTML carried.
        this.lastJson = this.initial.json;
        this.sentNotice = this.initial.notice;
        this.refresh();
        return;
      case 'open':
        await vscode.commands.executeCommand('kubeEmulator.showDetails', msg.ref);
        return;
      case 'action': {
        if (!/^kubeEmulator\.[A-Za-z]+$/.test(msg.command)) return;
        const known = await vscode.commands.getCommands(true);
        if (!known.includes(msg.command)) {
          void vscode.window.showWarningMessage(vscode.l10n.t('{0} is not available in this version of the extension.', msg.command));
          return;
        }
        try {
          await vscode.commands.executeCommand(msg.command, this.ref);
        } catch (e) {
          void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
        }
        return;
      }
      case 'reveal': {
        // Read from the live object only now, for this one key.
        if (!session) return;
        const obj = session.live.resolve(this.ref);
        const b64 = obj?.kind === 'Secret' || this.ref.kind === 'Secret' ? (obj?.data as Record<string, string> | undefined)?.[msg.key] : undefined;
        if (b64 === undefined) return;
        this.revealed.add(msg.key);
        const { value, encoding } = this.m.decodeSecretValue(b64);
        this.post({ type: 'revealed', key: msg.key, value, encoding });
        this.refresh();
        return;
      }
      case 'hide':
        this.revealed.delete(msg.key);
        this.refresh();
        return;
      case 'logs':
        await this.startLogs(msg.options);
        return;
      case 'stopLogs':
        this.stopLogs();
        return;
      case 'editStart': {
        const obj = session?.live.resolve(this.ref) ?? this.last;
        if (!obj) return;
        const { text, note } = this.m.editTextOf(obj);
        this.editFrom = obj.metadata?.resourceVersion;
        this.post({ type: 'editText', text, resourceVersion: this.editFrom, schema: this.m.editSchemaOf(this.ref.apiVersion, this.ref.kind), note });
        return;
      }
      case 'apply':
        await this.apply(msg.text, msg.force);
        return;
      case 'workerSource': {
        const file = msg.label === 'yaml' ? 'details-yaml.worker.js' : 'details-editor.worker.js';
        const uri = vscode.Uri.joinPath(this.ctx.extensionContext.extensionUri, 'dist', 'webview', file);
        const source = await readFile(uri.fsPath, 'utf8');
        this.post({ type: 'workerSource', label: msg.label, source });
        return;
      }
      case 'tab':
        if (msg.tab !== 'logs') this.stopLogs();
        return;
    }
  }

  private async startLogs(options: LogOptions): Promise<void> {
    this.stopLogs();
    const seq = ++this.logSeq;
    this.post({ type: 'logReset', options });
    const ns = this.ref.namespace ?? 'default';
    try {
      if (!this.session) throw new Error(this.notice());
      const stream = await this.m.streamLogs(this.session.kc, ns, this.ref.name, options, (text) => {
        if (seq === this.logSeq) this.post({ type: 'logData', text });
      });
      if (seq !== this.logSeq) {
        stream.stop();
        return;
      }
      this.logs = stream;
      stream.done.then(
        () => seq === this.logSeq && this.post({ type: 'logEnd' }),
        (e: unknown) => seq === this.logSeq && this.post({ type: 'logEnd', error: e instanceof Error ? e.message : String(e) }),
      );
    } catch (e) {
      // kubectl logs prints the server's refusal as `error: <message>`.
      if (seq === this.logSeq) this.post({ type: 'logEnd', error: `error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private stopLogs(): void {
    this.logSeq++;
    this.logs?.stop();
    this.logs = undefined;
  }

  /**
   * Server-side apply of the edited text under the extension's field manager, guarded by the
   * resourceVersion the edit began from (the apiserver answers 409 "the object has been modified"
   * when it moved). `force` takes fields other managers own and drops the guard.
   */
  private async apply(text: string, force: boolean): Promise<void> {
    const parsed = parseManifests(text);
    if (parsed.errors.length) {
      const e = parsed.errors[0];
      this.post({ type: 'applyResult', ok: false, message: `error: yaml: line ${e.range.start.line + 1}: ${e.message}` });
      return;
    }
    if (parsed.manifests.length !== 1) {
      this.post({ type: 'applyResult', ok: false, message: vscode.l10n.t('error: the Edit tab holds {0} documents; apply one object here', parsed.manifests.length) });
      return;
    }
    const manifest = parsed.manifests[0];
    const obj = manifest.object as KubeObject;
    if (obj?.kind !== this.ref.kind || obj?.metadata?.name !== this.ref.name) {
      this.post({ type: 'applyResult', ok: false, message: vscode.l10n.t('error: the edited object must stay {0} {1} (kind and metadata.name)', this.ref.kind, this.ref.name) });
      return;
    }
    if (!this.session) {
      this.post({ type: 'applyResult', ok: false, message: `error: ${this.notice()}` });
      return;
    }
    if (!force && this.editFrom && obj.metadata) obj.metadata.resourceVersion = this.editFrom;
    const r = await serverSideApply(this.session.client, manifest, { file: `${this.ref.kind} ${this.ref.name}`, force });
    if (r.outcome !== 'error' && r.applied && typeof r.applied === 'object') {
      this.editFrom = (r.applied as KubeObject).metadata?.resourceVersion;
    }
    this.ctx.log(r.message);
    this.post({ type: 'applyResult', ok: r.outcome !== 'error', message: r.message, conflict: r.conflict });
  }

  private dispose(): void {
    this.stopLogs();
    if (this.timer) clearTimeout(this.timer);
    this.sessionSub?.dispose();
    for (const s of this.subs.splice(0)) s.dispose();
    panels.delete(this.key);
  }
}
