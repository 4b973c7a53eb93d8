// Hover in Kubernetes manifests: a field's type and description from the schemas, in kubectl
// explain's words, on keys and values (with the value's own doc where Kubernetes documents it);
// on a Helm template or a kustomization file, that it is recognised and not validated. JSON
// manifests too (JSON is YAML's flow style, so the same parse serves).
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import { loadAssist } from './completion.ts';

export function registerHover(ctx: Ctx): void {
  const provider: vscode.HoverProvider = {
    async provideHover(doc, pos) {
      try {
        const { assist, cache } = await loadAssist(ctx);
        const offset = doc.offsetAt(pos);
        const { file, located } = cache.locate(doc.uri.toString(), doc.version, () => doc.getText(), offset);
        // A JSON file is a manifest only when it names a kind (package.json and friends are not).
        if (doc.languageId === 'json' && !/"kind"\s*:/.test(file)) return undefined;
        const h = assist.hoverAt(file, offset, doc.fileName, () => located);
        if (!h) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(h.markdown), new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
      } catch (e) {
        ctx.log(`Hover failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return undefined;
      }
    },
  };
  ctx.pushExtension(vscode.languages.registerHoverProvider([{ language: 'yaml' }, { language: 'json' }], provider));
}
