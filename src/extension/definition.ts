// Go to definition from a reference in a manifest to the document of the workspace that defines it:
// configMapRef / configMapKeyRef / a configMap volume → the ConfigMap, secretRef / secretKeyRef / a
// secret volume / imagePullSecrets → the Secret, claimName → the PersistentVolumeClaim,
// serviceAccountName → the ServiceAccount (in the referring object's namespace), and a Service's
// `selector` → the pod templates (and Pods) it selects. Lookups in the workspace index.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import type { WorkspaceIndex } from './workspace-index.ts';

class ReferenceDefinitionProvider implements vscode.DefinitionProvider {
  constructor(
    private readonly ctx: Ctx,
    private readonly workspace: WorkspaceIndex,
  ) {}

  provideDefinition(doc: vscode.TextDocument, position: vscode.Position): vscode.Location[] {
    try {
      const refs = this.workspace.module;
      const index = this.workspace.index;
      const facts = this.workspace.factsFor(doc);
      if (!refs || !index || !facts) return [];
      return refs
        .definitionsAt(facts, { line: position.line, character: position.character }, index)
        .map(
          (d) =>
            new vscode.Location(
              vscode.Uri.parse(d.file),
              new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
            ),
        );
    } catch (e) {
      this.ctx.log(`Go to definition in ${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    }
  }
}

export function registerDefinitions(ctx: Ctx, workspace: WorkspaceIndex): void {
  ctx.pushExtension(
    vscode.languages.registerDefinitionProvider(
      [{ language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }],
      new ReferenceDefinitionProvider(ctx, workspace),
    ),
  );
}
