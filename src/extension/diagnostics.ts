// YAML syntax errors (and duplicate keys) as diagnostics, with the exact ranges the `yaml` package
// reports, updated as you type: debounced per document, and a newer edit cancels an older run.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import type { Problem } from './manifests.ts';
import { Debouncer } from './timing.ts';

export const DIAGNOSTIC_COLLECTION = 'kube-emulator';
const DEBOUNCE_MS = 300;

export function registerDiagnostics(ctx: Ctx): void {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);
  const debouncer = new Debouncer<string>(DEBOUNCE_MS);

  const validate = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'yaml' || doc.isClosed) {
      collection.delete(doc.uri);
      return;
    }
    const parsed = ctx.parse(doc);
    collection.set(doc.uri, [...parsed.errors, ...parsed.warnings].map(toDiagnostic));
  };
  const later = (doc: vscode.TextDocument) => {
    const version = doc.version;
    debouncer.schedule(doc.uri.toString(), () => {
      // A stale run (the document moved on since) publishes nothing; the newer run will.
      if (doc.version === version) validate(doc);
    });
  };

  ctx.pushExtension(
    collection,
    debouncer,
    vscode.workspace.onDidOpenTextDocument(validate),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      debouncer.cancel(doc.uri.toString());
      collection.delete(doc.uri);
    }),
  );
  for (const doc of vscode.workspace.textDocuments) validate(doc);
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const range = new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character);
  const d = new vscode.Diagnostic(
    range,
    p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  d.source = DIAGNOSTIC_COLLECTION;
  d.code = p.code;
  return d;
}
