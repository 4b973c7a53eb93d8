// "Apply to emulated cluster" above each YAML document that names an apiVersion and a kind.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import { isKubernetesManifest } from './manifests.ts';

export const CODELENS_TITLE = 'Apply to emulated cluster';

class ApplyCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly ctx: Ctx) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    return this.ctx
      .parse(doc)
      .manifests.filter(isKubernetesManifest)
      .map((m) => {
        const at = new vscode.Range(m.range.start.line, 0, m.range.start.line, 0);
        return new vscode.CodeLens(at, {
          title: CODELENS_TITLE,
          tooltip: `kubectl apply ${m.kind}${m.name ? ` ${m.name}` : ''} to the emulated cluster`,
          command: 'kubeEmulator.applyDocument',
          arguments: [doc.uri, m.index],
        });
      });
  }
}

export function registerCodeLens(ctx: Ctx): void {
  ctx.pushExtension(vscode.languages.registerCodeLensProvider({ language: 'yaml' }, new ApplyCodeLensProvider(ctx)));
}
