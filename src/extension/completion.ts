// Completion in Kubernetes manifests: keys per kind and position, enum values, apiVersion and kind
// (src/emulator/manifests/assist.ts computes them; this file makes VS Code items of them). The
// schemas are loaded on first use, not at activation. Each file version is parsed once, and only
// the YAML document at the cursor (DocumentCache), so a keystroke costs one small parse.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import type { CompletionEntry, DocumentCache } from '../emulator/manifests/assist.ts';

type Assist = typeof import('../emulator/manifests/assist.ts');
let assist: Promise<Assist> | undefined;
let cache: DocumentCache | undefined;

/** The help-while-typing module and the parse cache it shares with hover, loaded once. */
export async function loadAssist(ctx: Ctx): Promise<{ assist: Assist; cache: DocumentCache }> {
  const a = await (assist ??= import('../emulator/manifests/assist.ts'));
  if (!cache) {
    const c = (cache = new a.DocumentCache());
    ctx.pushExtension(vscode.workspace.onDidCloseTextDocument((doc) => c.delete(doc.uri.toString())));
  }
  return { assist: a, cache };
}

export function toCompletionItem(doc: vscode.TextDocument, pos: vscode.Position, e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(
    { label: e.label, ...(e.required && { description: vscode.l10n.t('required') }) },
    e.kind === 'field' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.EnumMember,
  );
  item.detail = e.detail || undefined;
  if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
  item.insertText = e.insertText;
  // The text carries its own indentation (absolute columns): VS Code must not re-indent it.
  item.keepWhitespace = true;
  item.sortText = e.sortText;
  item.filterText = e.label;
  const start = doc.positionAt(e.start);
  const end = doc.positionAt(e.end);
  item.range = { inserting: new vscode.Range(start, pos.isBefore(end) ? pos : end), replacing: new vscode.Range(start, end) };
  if (e.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: vscode.l10n.t('Suggest values') };
  return item;
}

export function registerCompletion(ctx: Ctx): void {
  const provider: vscode.CompletionItemProvider = {
    async provideCompletionItems(doc, pos, _token, context) {
      try {
        const { assist: a, cache: c } = await loadAssist(ctx);
        if (a.notAManifest('', doc.fileName)) return undefined;
        const offset = doc.offsetAt(pos);
        const { file, located } = c.locate(doc.uri.toString(), doc.version, () => doc.getText(), offset);
        let entries = a.completionsAt(file, offset, () => located);
        // A typed space asks for values only (after `key: `), never for keys while indenting.
        if (context.triggerCharacter === ' ') entries = entries.filter((e) => e.kind === 'value');
        return entries.map((e) => toCompletionItem(doc, pos, e));
      } catch (e) {
        ctx.log(`Completion failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return undefined;
      }
    },
  };
  ctx.pushExtension(vscode.languages.registerCompletionItemProvider({ language: 'yaml' }, provider, ' '));
}
