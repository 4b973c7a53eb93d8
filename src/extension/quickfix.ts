// Quick fixes for the diagnostics of diagnostics.ts: make a workload's template labels match its
// selector, add a field the apiserver requires, create a missing ConfigMap or Secret (a new document
// at the end of this file, or a new file next to it) or Namespace (first in the file, as apply goes
// in order). The edits are computed by references.ts on the document's text, keeping its indentation.
import * as vscode from 'vscode';
import { dirname, join } from 'node:path';
import type { Ctx } from './ctx.ts';
import { DIAGNOSTIC_COLLECTION } from './diagnostics.ts';
import type { TextEdit } from '../emulator/manifests/references.ts';
import type { WorkspaceIndex } from './workspace-index.ts';

/** The apiserver's message for a workload whose selector does not select its template (ValidatePodTemplateSpecForReplicaSet). */
const SELECTOR_MISMATCH = '`selector` does not match template `labels`';
const REQUIRED = /^(\S+): Required value$/;
const MISSING = /^(configmap|secret) "([^"]+)" not found$/;
const NAMESPACE_MISSING = /^namespaces "([^"]+)" not found$/;

class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly ctx: Ctx,
    private readonly workspace: WorkspaceIndex,
  ) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const refs = this.workspace.module;
    if (!refs) return [];
    const actions: vscode.CodeAction[] = [];
    try {
      const text = doc.getText();
      for (const d of context.diagnostics) {
        if (!d.source?.startsWith(DIAGNOSTIC_COLLECTION)) continue;
        const line = d.range.start.line;
        if (d.message.includes(SELECTOR_MISMATCH)) {
          const edits = refs.fixTemplateLabels(text, line);
          if (edits) actions.push(this.action(vscode.l10n.t('Make the template labels match the selector'), doc, edits, d, true));
          continue;
        }
        const required = REQUIRED.exec(d.message);
        if (required) {
          const edit = refs.addRequiredField(text, line, required[1]);
          if (edit) actions.push(this.action(vscode.l10n.t('Add the required field {0}', required[1]), doc, [edit], d, true));
          continue;
        }
        const ns = NAMESPACE_MISSING.exec(d.message);
        if (ns && (doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.fileName))) {
          actions.push(this.action(vscode.l10n.t('Create Namespace "{0}" at the top of this file', ns[1]), doc, [refs.namespaceDocument(ns[1])], d, false));
          continue;
        }
        const missing = MISSING.exec(d.message);
        if (missing) actions.push(...(await this.createMissing(doc, d, missing[1] === 'configmap' ? 'ConfigMap' : 'Secret', missing[2])));
      }
    } catch (e) {
      this.ctx.log(`Quick fixes for ${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return actions;
  }

  private async createMissing(doc: vscode.TextDocument, d: vscode.Diagnostic, kind: 'ConfigMap' | 'Secret', name: string): Promise<vscode.CodeAction[]> {
    const refs = this.workspace.module!;
    // The namespace of the object that refers to it: the reference's own.
    const facts = this.workspace.factsFor(doc) ?? [];
    const ref = facts.flatMap((f) => f.refs).find((r) => r.name === name && r.range.start.line === d.range.start.line);
    const skeleton = refs.skeleton(kind, name, ref?.namespace);
    const out: vscode.CodeAction[] = [];
    // A YAML file takes another document; a JSON manifest holds one object.
    if (doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.fileName)) {
      out.push(this.action(vscode.l10n.t('Create {0} "{1}" at the end of this file', kind, name), doc, [refs.appendDocument(doc.getText(), skeleton)], d, false));
    }
    if (doc.uri.scheme === 'file') {
      const dir = dirname(doc.uri.fsPath);
      let target = vscode.Uri.file(join(dir, `${name}.yaml`));
      for (let i = 2; (await exists(target)) && i < 100; i++) target = vscode.Uri.file(join(dir, `${name}-${kind.toLowerCase()}${i === 2 ? '' : `-${i}`}.yaml`));
      if (!(await exists(target))) {
        const a = new vscode.CodeAction(vscode.l10n.t('Create {0} "{1}" in a new file {2}', kind, name, vscode.workspace.asRelativePath(target, false)), vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        edit.createFile(target, { ignoreIfExists: false });
        edit.insert(target, new vscode.Position(0, 0), skeleton);
        a.edit = edit;
        a.diagnostics = [d];
        out.push(a);
      }
    }
    return out;
  }

  private action(title: string, doc: vscode.TextDocument, edits: TextEdit[], d: vscode.Diagnostic, preferred: boolean): vscode.CodeAction {
    const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits) {
      edit.replace(doc.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
    }
    a.edit = edit;
    a.diagnostics = [d];
    a.isPreferred = preferred;
    return a;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

export function registerQuickFixes(ctx: Ctx, workspace: WorkspaceIndex): void {
  ctx.pushExtension(
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }],
      new QuickFixProvider(ctx, workspace),
      { providedCodeActionKinds: QuickFixProvider.kinds },
    ),
  );
}
