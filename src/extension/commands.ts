// The command table (after rust-analyzer's editors/code/src/commands.ts): each command is a function
// of the context that returns the handler. Ids match package.json `contributes.commands`.
import * as vscode from 'vscode';
import { applyFile, summarize, syntaxErrorLines, type ApplyResult } from './apply.ts';
import { OUTPUT_NAME, VIEW_CONTAINER_COMMAND, type Ctx } from './ctx.ts';
import type { ParsedFile } from './manifests.ts';

type Factory = (ctx: Ctx) => (...args: any[]) => unknown;

/** What the apply commands resolve to (tests and other extensions can read it). */
export interface ApplyOutcome {
  file: string;
  /** The lines printed to the output channel, in kubectl's words. */
  lines: string[];
  /** True when nothing was applied because the file does not parse. */
  syntaxError: boolean;
}

export const commands: Record<string, Factory> = {
  'kubeEmulator.apply': (ctx) => async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'yaml') {
      void vscode.window.showWarningMessage('Open a YAML manifest in the editor to apply it to the emulated cluster.');
      return undefined;
    }
    return apply(ctx, editor.document);
  },

  /** The CodeLens command: one document of a file, by its index in the file. */
  'kubeEmulator.applyDocument': (ctx) => async (uri?: vscode.Uri | string, index?: number) => {
    const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
    const doc = target
      ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) ??
        (await vscode.workspace.openTextDocument(target))
      : vscode.window.activeTextEditor?.document;
    if (!doc) return undefined;
    return apply(ctx, doc, typeof index === 'number' ? index : undefined);
  },

  'kubeEmulator.startCluster': (ctx) => async () => {
    try {
      await ctx.startCluster();
    } catch (e) {
      showError(ctx, `Could not start the emulated cluster: ${e instanceof Error ? e.message : String(e)}`);
    }
  },

  'kubeEmulator.stopCluster': (ctx) => () => ctx.stopCluster(),

  'kubeEmulator.showOutput': (ctx) => () => ctx.output.show(true),

  'kubeEmulator.showView': () => () => vscode.commands.executeCommand(VIEW_CONTAINER_COMMAND),

  'kubeEmulator.exportState': (ctx) => async (target?: vscode.Uri) => {
    target ??= await vscode.window.showSaveDialog({
      title: 'Export the emulated cluster',
      filters: { 'Cluster state': ['json'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'cluster-state.json') : undefined,
    });
    if (!target) return undefined;
    try {
      const { exportFolder } = await import('./session.ts');
      const text = ctx.session ? await ctx.session.exportState() : await exportFolder(ctx.statePath);
      await vscode.workspace.fs.writeFile(target, Buffer.from(text));
      const n = (JSON.parse(text) as { objects: unknown[] }).objects.length;
      ctx.log(`Exported ${n} objects to ${target.fsPath}`);
      void vscode.window.showInformationMessage(`Exported ${n} objects to ${vscode.workspace.asRelativePath(target, false)}.`);
      return target;
    } catch (e) {
      showError(ctx, `Could not export the cluster: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  },

  'kubeEmulator.importState': (ctx) => async (source?: vscode.Uri, confirmed = false) => {
    source ??= (await vscode.window.showOpenDialog({ title: 'Import a cluster state', canSelectMany: false, filters: { 'Cluster state': ['json'] } }))?.[0];
    if (!source) return undefined;
    if (!confirmed) {
      const ok = await vscode.window.showWarningMessage(
        `Replace the emulated cluster's objects with the ones in ${vscode.workspace.asRelativePath(source, false)}?`,
        { modal: true, detail: 'Objects that the file does not have are deleted. The cluster restarts.' },
        'Replace',
      );
      if (ok !== 'Replace') return undefined;
    }
    try {
      const text = Buffer.from(await vscode.workspace.fs.readFile(source)).toString('utf8');
      const { importFolder } = await import('./session.ts');
      // A running cluster pauses its control plane and kubelets while it imports; a stopped one's
      // state folder is imported directly.
      const r = ctx.session?.cluster ? await ctx.session.importState(text) : await importFolder(ctx.statePath, text);
      const line = `Imported ${source.fsPath}: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged`;
      ctx.log(line);
      void vscode.window.showInformationMessage(line);
      return r;
    } catch (e) {
      showError(ctx, `Could not import the cluster: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  },
};

export function registerCommands(ctx: Ctx): void {
  for (const [id, factory] of Object.entries(commands)) {
    ctx.pushExtension(vscode.commands.registerCommand(id, factory(ctx)));
  }
}

/** The file name in messages: workspace-relative for files, the tab title for unsaved editors. */
export function fileLabel(doc: vscode.TextDocument): string {
  if (doc.isUntitled) return doc.uri.path;
  if (doc.uri.scheme === 'file') return vscode.workspace.asRelativePath(doc.uri, false);
  return doc.uri.toString();
}

async function apply(ctx: Ctx, doc: vscode.TextDocument, index?: number): Promise<ApplyOutcome> {
  const file = fileLabel(doc);
  const parsed = ctx.parse(doc);
  ctx.log(`Applying ${file}${index === undefined ? '' : ` (document ${index + 1})`}`);

  // A file that does not parse applies nothing, not even its good documents (as kubectl).
  const errors = syntaxErrorLines(parsed, file);
  if (errors.length > 0) {
    for (const l of errors) ctx.log(l);
    ctx.log('Nothing applied: the file has YAML syntax errors.');
    showError(ctx, `Nothing applied. ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
    return { file, lines: errors, syntaxError: true };
  }
  const selected: ParsedFile =
    index === undefined ? parsed : { ...parsed, manifests: parsed.manifests.filter((m) => m.index === index) };
  if (selected.manifests.length === 0) {
    const line = index === undefined ? 'error: no objects passed to apply' : 'error: the document changed; run the CodeLens again';
    ctx.log(line);
    showError(ctx, line);
    return { file, lines: [line], syntaxError: false };
  }

  let results: ApplyResult[];
  try {
    const session = await ctx.ensureCluster();
    results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Applying ${file}` },
      () => applyFile(session.client, selected, { file }),
    );
  } catch (e) {
    const line = `error: ${e instanceof Error ? e.message : String(e)}`;
    ctx.log(line);
    showError(ctx, line);
    return { file, lines: [line], syntaxError: false };
  }
  const lines = results.map((r) => r.message);
  for (const l of lines) ctx.log(l);
  const summary = summarize(results);
  if (results.some((r) => r.outcome === 'error')) showError(ctx, summary);
  else void vscode.window.showInformationMessage(summary);
  return { file, lines, syntaxError: false };
}

/** An error notification with a way to the output; not awaited, so commands finish without a click. */
function showError(ctx: Ctx, message: string): void {
  void vscode.window.showErrorMessage(message, `Show ${OUTPUT_NAME} Output`).then((choice) => {
    if (choice) ctx.output.show(true);
  });
}
