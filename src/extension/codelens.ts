// The CodeLens row above each Kubernetes document (Apply, Dry run, Diff, Delete where the object
// exists, then the last result in kubectl's words) and "Apply all" at the top of multi-document
// files; and the commands behind it and behind the palette, editor and explorer menus: apply the
// file, the selection or a folder, dry-run, diff and delete. Everything goes to the target cluster
// (target.ts) through server-side apply (apply.ts).
//
// Lenses never ask the cluster per keystroke: the file is parsed once per version (ctx.parse) and
// existence comes from an ExistenceIndex (one list per collection, refreshed in the background).
import * as vscode from 'vscode';
import {
  deleteObject,
  documentsTouched,
  ExistenceIndex,
  lensText,
  serverSideApply,
  summarize,
  syntaxErrorLines,
  walkOrder,
  type ApplyClient,
  type SsaResult,
} from './apply.ts';
import { OUTPUT_NAME, type Ctx } from './ctx.ts';
import { diffSides, diffTitle, registerDiffDocuments, type DiffDocuments } from './diff.ts';
import { isKubernetesManifest, parseManifests, type Manifest, type ParsedFile } from './manifests.ts';
import { targetOf, type TargetController } from './target.ts';

/** What the apply commands resolve to (tests and other extensions can read it). */
export interface ApplyOutcome {
  file: string;
  /** The lines printed to the output channel, in kubectl's words. */
  lines: string[];
  /** True when nothing was applied because the file does not parse. */
  syntaxError: boolean;
}

type Factory = (ctx: Ctx) => (...args: any[]) => unknown;

/** A document's key for its lens result: stable while lines move above it. */
function docKey(m: Manifest): string {
  return `${m.apiVersion ?? ''}|${m.kind ?? ''}|${m.namespace ?? ''}|${m.name ?? ''}|${m.name ? '' : m.index}`;
}

/** The lens state of one window: last results per document, and what exists on the target. */
class LensState implements vscode.Disposable {
  private readonly results = new Map<string, Map<string, { text: string; message: string }>>();
  private index?: { client: ApplyClient; index: ExistenceIndex; sub: { dispose(): void } };
  private readonly emitter = new vscode.EventEmitter<void>();
  private timer?: ReturnType<typeof setTimeout>;
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly ctx: Ctx,
    readonly target: TargetController,
  ) {}

  result(uri: vscode.Uri, m: Manifest): { text: string; message: string } | undefined {
    return this.results.get(uri.toString())?.get(docKey(m));
  }

  setResult(uri: vscode.Uri, m: Manifest, r: { outcome: string; message: string }): void {
    const key = uri.toString();
    let perDoc = this.results.get(key);
    if (!perDoc) this.results.set(key, (perDoc = new Map()));
    perDoc.set(docKey(m), { text: lensText(r), message: r.message });
    this.changed();
  }

  forget(uri: vscode.Uri): void {
    this.results.delete(uri.toString());
  }

  /** The existence index of the target's current client, made when the client is there. */
  existence(): ExistenceIndex | undefined {
    const client = this.target.clientIfReady();
    if (!client) return undefined;
    if (this.index?.client !== client) {
      this.index?.sub.dispose();
      const index = new ExistenceIndex(client, { log: (l) => this.ctx.log(l) });
      this.index = { client, index, sub: index.onChange(() => this.changed()) };
    }
    return this.index.index;
  }

  /** The target changed: results and existence were about another cluster. */
  reset(): void {
    this.results.clear();
    this.index?.sub.dispose();
    this.index = undefined;
    this.changed();
  }

  /** Coalesced: many list replies and results in a burst refresh the lenses once. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emitter.fire();
    }, 50);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.index?.sub.dispose();
    this.emitter.dispose();
  }
}

const states = new WeakMap<Ctx, LensState>();
const diffDocs = new WeakMap<Ctx, DiffDocuments>();

class ApplyCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(
    private readonly ctx: Ctx,
    private readonly state: LensState,
  ) {
    this.onDidChangeCodeLenses = state.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    try {
      return this.lenses(doc);
    } catch (e) {
      this.ctx.log(`CodeLens: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const parsed = this.ctx.parse(doc);
    const manifests = parsed.manifests.filter(isKubernetesManifest);
    const emulated = this.state.target.target.kind === 'emulated';
    const index = this.state.existence();
    const out: vscode.CodeLens[] = [];
    const top = new vscode.Range(0, 0, 0, 0);
    if (manifests.length > 1) {
      out.push(
        new vscode.CodeLens(top, {
          title: emulated ? vscode.l10n.t('Apply all to emulated cluster') : vscode.l10n.t('Apply all to {0}', this.state.target.label),
          tooltip: vscode.l10n.t('kubectl apply --server-side the {0} documents of this file, in order', manifests.length),
          command: 'kubeEmulator.applyDocument',
          arguments: [doc.uri],
        }),
      );
    }
    for (const m of manifests) {
      const at = new vscode.Range(m.range.start.line, 0, m.range.start.line, 0);
      const what = `${m.kind}${m.name ? ` ${m.name}` : ''}`;
      out.push(
        new vscode.CodeLens(at, {
          title: emulated ? vscode.l10n.t('Apply to emulated cluster') : vscode.l10n.t('Apply to {0}', this.state.target.label),
          tooltip: vscode.l10n.t('Server-side apply {0} to {1}', what, this.state.target.description),
          command: 'kubeEmulator.applyDocument',
          arguments: [doc.uri, m.index],
        }),
        new vscode.CodeLens(at, {
          title: vscode.l10n.t('Dry run'),
          tooltip: vscode.l10n.t('Server-side dry run (dryRun=All) of applying {0}', what),
          command: 'kubeEmulator.dryRunDocument',
          arguments: [doc.uri, m.index],
        }),
        new vscode.CodeLens(at, {
          title: vscode.l10n.t('Diff'),
          tooltip: vscode.l10n.t('Compare the live {0} with what applying this document would make of it', what),
          command: 'kubeEmulator.diffDocument',
          arguments: [doc.uri, m.index],
        }),
      );
      if (index?.exists(m) === true) {
        out.push(
          new vscode.CodeLens(at, {
            title: vscode.l10n.t('Delete'),
            tooltip: vscode.l10n.t('kubectl delete {0} from {1}', what, this.state.target.description),
            command: 'kubeEmulator.deleteDocument',
            arguments: [doc.uri, m.index],
          }),
        );
      }
      const last = this.state.result(doc.uri, m);
      if (last) {
        out.push(new vscode.CodeLens(at, { title: last.text, tooltip: last.message, command: 'kubeEmulator.showOutput' }));
      }
    }
    return out;
  }
}

export function registerCodeLens(ctx: Ctx): void {
  const target = targetOf(ctx);
  if (!target) throw new Error('registerTarget must run before registerCodeLens');
  const state = new LensState(ctx, target);
  states.set(ctx, state);
  diffDocs.set(ctx, registerDiffDocuments(vscode, (d) => ctx.pushExtension(d)));
  let clusterState = ctx.state;
  ctx.pushExtension(
    state,
    target.onDidChange(() => state.reset()),
    // The cluster started or stopped: the Delete lenses follow (informer events are ignored here).
    ctx.onDidChange(() => {
      if (ctx.state !== clusterState) {
        clusterState = ctx.state;
        state.changed();
      }
    }),
    vscode.workspace.onDidCloseTextDocument((d) => state.forget(d.uri)),
    vscode.languages.registerCodeLensProvider([{ language: 'yaml' }, { language: 'json' }], new ApplyCodeLensProvider(ctx, state)),
  );
}

// ---------------------------------------------------------------------------------------------
// The commands.

/** The file name in messages: workspace-relative for files, the tab title for unsaved editors. */
export function fileLabel(uri: vscode.Uri, untitled = uri.scheme === 'untitled'): string {
  if (untitled) return uri.path;
  if (uri.scheme === 'file') return vscode.workspace.asRelativePath(uri, false);
  return uri.toString();
}

async function openDoc(uri?: vscode.Uri | string): Promise<vscode.TextDocument | undefined> {
  const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
  if (!target) return vscode.window.activeTextEditor?.document;
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) ?? (await vscode.workspace.openTextDocument(target));
}

interface Batch {
  /** The file the documents come from (lens results go to it when `uri` is set). */
  uri?: vscode.Uri;
  file: string;
  parsed: ParsedFile;
  manifests: Manifest[];
}

interface RunOptions {
  dryRun?: boolean;
  force?: boolean;
}

function stateOf(ctx: Ctx): LensState | undefined {
  return states.get(ctx);
}

/** The emulated cluster starts on first use; a kubeconfig context's client is made here. */
async function clientOf(ctx: Ctx): Promise<ApplyClient> {
  const t = targetOf(ctx);
  if (!t) return (await ctx.ensureCluster()).client;
  return t.client();
}

/**
 * Applies (or dry-runs) batches of documents, file after file, documents in order; logs each line,
 * records lens results and existence, and tells the user: a summary, or the error with "Force apply"
 * when the apiserver reported a conflict.
 */
async function run(ctx: Ctx, batches: Batch[], opts: RunOptions): Promise<ApplyOutcome> {
  const file = batches.length === 1 ? batches[0].file : `${batches.length} files`;
  const target = targetOf(ctx);
  const state = stateOf(ctx);
  const verb = opts.dryRun ? 'Dry run of' : opts.force ? 'Force-applying' : 'Applying';
  const lines: string[] = [];

  // A file that does not parse applies nothing, not even its good documents (as kubectl).
  const broken = batches.filter((b) => b.parsed.errors.length > 0);
  for (const b of broken) lines.push(...syntaxErrorLines(b.parsed, b.file));
  if (broken.length > 0 && batches.length === 1) {
    for (const l of lines) ctx.log(l);
    ctx.log('Nothing applied: the file has YAML syntax errors.');
    showError(ctx, lines.length > 1 ? vscode.l10n.t('Nothing applied. {0} (and {1} more)', lines[0], lines.length - 1) : vscode.l10n.t('Nothing applied. {0}', lines[0]));
    return { file, lines, syntaxError: true };
  }
  const todo = batches.filter((b) => b.parsed.errors.length === 0 && b.manifests.length > 0);
  if (todo.length === 0) {
    const line = 'error: no objects passed to apply';
    lines.push(line);
    for (const l of lines) ctx.log(l);
    showError(ctx, line);
    return { file, lines, syntaxError: broken.length > 0 };
  }
  if (!opts.dryRun && target && !(await target.confirmWrite('Apply'))) {
    return { file, lines: ['cancelled'], syntaxError: false };
  }
  ctx.log(`${verb} ${file} on ${target?.description ?? 'the emulated cluster'}`);
  const results: SsaResult[] = [];
  try {
    const client = await clientOf(ctx);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: opts.dryRun ? vscode.l10n.t('Dry run of {0}', file) : opts.force ? vscode.l10n.t('Force-applying {0}', file) : vscode.l10n.t('Applying {0}', file) }, async () => {
      for (const b of todo) {
        for (const m of b.manifests) {
          const r = await serverSideApply(client, m, { file: b.file, dryRun: opts.dryRun, force: opts.force });
          results.push(r);
          if (b.uri) state?.setResult(b.uri, m, r);
          if (!opts.dryRun && r.outcome !== 'error' && r.at) state?.existence()?.note(r.at, true);
        }
      }
    });
  } catch (e) {
    const line = `error: ${e instanceof Error ? e.message : String(e)}`;
    ctx.log(line);
    showError(ctx, line);
    return { file, lines: [...lines, line], syntaxError: false };
  }
  lines.push(...results.map((r) => r.message));
  for (const l of lines) ctx.log(l);
  if (!opts.dryRun) ctx.noteApply(lines);
  const summary = (opts.dryRun && results.length > 1 ? vscode.l10n.t('{0} (server dry run)', summarize(results)) : summarize(results));
  const conflicts = results.filter((r) => r.conflict);
  if (conflicts.length > 0 && !opts.dryRun) {
    const force = vscode.l10n.t('Force apply');
    void vscode.window.showErrorMessage(conflicts[0].message.split('\n')[0], force, vscode.l10n.t('Show {0} Output', OUTPUT_NAME)).then((choice) => {
      if (choice === force) {
        const again = todo.map((b) => ({ ...b, manifests: b.manifests.filter((m) => conflicts.some((c) => c.manifest === m)) }));
        void run(ctx, again, { force: true });
      } else if (choice) ctx.output.show(true);
    });
  } else if (results.some((r) => r.outcome === 'error')) showError(ctx, summary);
  else void vscode.window.showInformationMessage(summary);
  return { file, lines, syntaxError: broken.length > 0 };
}

function batchOf(doc: vscode.TextDocument, ctx: Ctx, index?: number): Batch {
  const parsed = ctx.parse(doc);
  const manifests = index === undefined ? parsed.manifests : parsed.manifests.filter((m) => m.index === index);
  return { uri: doc.uri, file: fileLabel(doc.uri, doc.isUntitled), parsed, manifests };
}

/** One document of a file for Diff and Delete: by index, or the one under the cursor. */
async function oneDocument(ctx: Ctx, uri?: vscode.Uri | string, index?: number): Promise<{ doc: vscode.TextDocument; m: Manifest } | undefined> {
  const doc = await openDoc(uri);
  if (!doc) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open a Kubernetes manifest in the editor first.'));
    return undefined;
  }
  const parsed = ctx.parse(doc);
  let m: Manifest | undefined;
  if (typeof index === 'number') m = parsed.manifests.find((x) => x.index === index);
  else {
    const editor = vscode.window.activeTextEditor;
    const line = editor?.document === doc ? editor.selection.active.line : 0;
    m = documentsTouched(parsed, line, line)[0] ?? parsed.manifests.filter(isKubernetesManifest)[0];
  }
  if (!m) {
    showError(ctx, typeof index === 'number' ? 'error: the document changed; run the CodeLens again' : 'error: no objects passed to diff');
    return undefined;
  }
  return { doc, m };
}

/** Files under a folder in `kubectl apply -R -f DIR` order, read from disk (symlinked folders are not followed, as filepath.Walk). */
async function manifestFilesUnder(folder: vscode.Uri, limit = 5000): Promise<vscode.Uri[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    if (found.length >= limit) return;
    const dir = rel ? vscode.Uri.joinPath(folder, rel) : folder;
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      const path = rel ? `${rel}/${name}` : name;
      if (type & vscode.FileType.SymbolicLink && type & vscode.FileType.Directory) continue;
      if (type & vscode.FileType.Directory) await walk(path);
      else if (type & vscode.FileType.File) found.push(path);
    }
  };
  await walk('');
  return walkOrder(found).map((p) => vscode.Uri.joinPath(folder, ...p.split('/')));
}

export const editorCommands: Record<string, Factory> = {
  /** The active file (palette, editor title and context menu) or a file from the explorer. */
  'kubeEmulator.apply': (ctx) => async (uri?: vscode.Uri) => {
    const doc = uri instanceof vscode.Uri ? await openDoc(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a YAML manifest in the editor to apply it.'));
      return undefined;
    }
    return run(ctx, [batchOf(doc, ctx)], {});
  },

  /** The CodeLens command: one document of a file by its index, or the whole file ("Apply all"). */
  'kubeEmulator.applyDocument': (ctx) => async (uri?: vscode.Uri | string, index?: number, opts?: RunOptions) => {
    const doc = await openDoc(uri);
    if (!doc) return undefined;
    const batch = batchOf(doc, ctx, typeof index === 'number' ? index : undefined);
    if (typeof index === 'number' && batch.manifests.length === 0 && batch.parsed.errors.length === 0) {
      const line = 'error: the document changed; run the CodeLens again';
      ctx.log(line);
      showError(ctx, line);
      return { file: batch.file, lines: [line], syntaxError: false };
    }
    return run(ctx, [batch], { force: !!opts?.force });
  },

  'kubeEmulator.dryRun': (ctx) => async (uri?: vscode.Uri) => {
    const doc = uri instanceof vscode.Uri ? await openDoc(uri) : vscode.window.activeTextEditor?.document;
    if (!doc) return undefined;
    return run(ctx, [batchOf(doc, ctx)], { dryRun: true });
  },

  'kubeEmulator.dryRunDocument': (ctx) => async (uri?: vscode.Uri | string, index?: number) => {
    const doc = await openDoc(uri);
    if (!doc) return undefined;
    return run(ctx, [batchOf(doc, ctx, typeof index === 'number' ? index : undefined)], { dryRun: true });
  },

  /**
   * The selection: the documents it touches; in a file without Kubernetes documents there (Markdown,
   * a YAML file's comment), the selected text itself when it is a complete document.
   */
  'kubeEmulator.applySelection': (ctx) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const doc = editor.document;
    const parsed = ctx.parse(doc);
    // A selection of whole lines ends at column 0 of the next line, which it does not touch.
    const lastLine = (s: vscode.Selection) => (s.end.character === 0 && s.end.line > s.start.line ? s.end.line - 1 : s.end.line);
    const touched = parsed.errors.length === 0 ? editor.selections.flatMap((s) => documentsTouched(parsed, s.start.line, lastLine(s))).filter(isKubernetesManifest) : [];
    const unique = [...new Map(touched.map((m) => [m.index, m])).values()].sort((a, b) => a.index - b.index);
    if (unique.length > 0) return run(ctx, [{ uri: doc.uri, file: fileLabel(doc.uri, doc.isUntitled), parsed, manifests: unique }], {});
    const text = editor.selections.map((s) => doc.getText(s)).join('\n---\n');
    const own = parseManifests(text);
    const complete = own.errors.length === 0 && own.manifests.length > 0 && own.manifests.every((m) => isKubernetesManifest(m) && !!m.name);
    if (!complete) {
      showError(ctx, 'error: the selection is not a complete Kubernetes document (apiVersion, kind and metadata.name)');
      return undefined;
    }
    return run(ctx, [{ file: `${fileLabel(doc.uri, doc.isUntitled)} (selection)`, parsed: own, manifests: own.manifests }], {});
  },

  /** A folder from the explorer: every .yaml, .yml and .json file under it, as `kubectl apply -R -f DIR`. */
  'kubeEmulator.applyFolder': (ctx) => async (folder?: vscode.Uri) => {
    folder ??= (await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title: vscode.l10n.t('Folder of manifests to apply') }))?.[0];
    if (!folder) return undefined;
    const files = await manifestFilesUnder(folder);
    const batches: Batch[] = [];
    for (const uri of files) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const parsed = open ? ctx.parse(open) : parseManifests(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
      batches.push({ uri, file: fileLabel(uri), parsed, manifests: parsed.manifests });
    }
    if (batches.length === 0) {
      const line = `error: no objects passed to apply (no .yaml, .yml or .json file under ${fileLabel(folder)})`;
      showError(ctx, line);
      return { file: fileLabel(folder), lines: [line], syntaxError: false };
    }
    const out = await run(ctx, batches, {});
    return { ...out, file: fileLabel(folder) };
  },

  /** Diff: the live object against the server-side dry run of applying the document. */
  'kubeEmulator.diffDocument': (ctx) => async (uri?: vscode.Uri | string, index?: number) => {
    const found = await oneDocument(ctx, uri, index);
    if (!found) return undefined;
    const { doc, m } = found;
    const file = fileLabel(doc.uri, doc.isUntitled);
    if (ctx.parse(doc).errors.length > 0) {
      const lines = syntaxErrorLines(ctx.parse(doc), file);
      showError(ctx, `Nothing to diff. ${lines[0]}`);
      return { file, lines, syntaxError: true };
    }
    let r: SsaResult;
    try {
      r = await serverSideApply(await clientOf(ctx), m, { file, dryRun: true });
    } catch (e) {
      const line = `error: ${e instanceof Error ? e.message : String(e)}`;
      showError(ctx, line);
      return { file, lines: [line], syntaxError: false };
    }
    ctx.log(`Diff ${file}: ${r.message}`);
    stateOf(ctx)?.setResult(doc.uri, m, r);
    if (r.outcome === 'error' || !r.applied) {
      showError(ctx, r.message.split('\n')[0]);
      return { file, lines: [r.message], syntaxError: false };
    }
    const docs = diffDocs.get(ctx);
    if (!docs) return undefined;
    const sides = diffSides(r.live, r.applied);
    const uris = docs.put(r.ref ?? 'object', sides);
    await vscode.commands.executeCommand('vscode.diff', uris.left, uris.right, diffTitle(r.ref ?? 'object', !!r.live, targetOf(ctx)?.label ?? 'emulated'), { preview: true });
    return { file, lines: [r.message], syntaxError: false, left: uris.left, right: uris.right };
  },

  /** Delete the document's object (kubectl delete -f for one document), after a confirmation. */
  'kubeEmulator.deleteDocument': (ctx) => async (uri?: vscode.Uri | string, index?: number, confirmed = false) => {
    const found = await oneDocument(ctx, uri, index);
    if (!found) return undefined;
    const { doc, m } = found;
    const file = fileLabel(doc.uri, doc.isUntitled);
    const target = targetOf(ctx);
    if (!confirmed) {
      const what = `${m.kind}${m.name ? ` ${m.name}` : ''}`;
      const del = vscode.l10n.t('Delete');
      const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0} from {1}?', what, target?.description ?? vscode.l10n.t('the emulated cluster')), { modal: true }, del);
      if (ok !== del) return undefined;
      target?.confirmations.confirm(target.target);
    } else if (target && !(await target.confirmWrite('Delete'))) return undefined;
    try {
      const r = await deleteObject(await clientOf(ctx), m, { file });
      ctx.log(r.message);
      stateOf(ctx)?.setResult(doc.uri, m, r);
      if (r.at) stateOf(ctx)?.existence()?.note(r.at, false);
      if (r.outcome === 'error') showError(ctx, r.message.split('\n')[0]);
      else void vscode.window.showInformationMessage(r.message);
      return { file, lines: [r.message], syntaxError: false };
    } catch (e) {
      const line = `error: ${e instanceof Error ? e.message : String(e)}`;
      showError(ctx, line);
      return { file, lines: [line], syntaxError: false };
    }
  },
};

/** An error notification with a way to the output; not awaited, so commands finish without a click. */
function showError(ctx: Ctx, message: string): void {
  void vscode.window.showErrorMessage(message, vscode.l10n.t('Show {0} Output', OUTPUT_NAME)).then((choice) => {
    if (choice) ctx.output.show(true);
  });
}
