// Diff: the live object against what applying the document would make of it (the server-side
// dry-run of the same apply), both as `kubectl diff` prints them (staging/src/k8s.io/kubectl/pkg/cmd/
// diff/diff.go): YAML with sorted keys (sigs.k8s.io/yaml), metadata.managedFields left out
// (--show-managed-fields=false, kubectl's default), status kept, and a v1 Secret's `data` masked
// (Masker: `***`, or `*** (before)` / `*** (after)` where a value changed). A new object diffs
// against an empty document, as `diff -N` shows a file that is only on one side.
//
// The documents are served read-only by a TextDocumentContentProvider on the `kube-emulator-diff`
// scheme and opened with `vscode.diff`. `vscode` is only a type import: the register function gets
// the API from its caller, so the logic here is unit-tested under Node.
import type * as vscode from 'vscode';
import { stringify } from 'yaml';
import * as l10n from './l10n.ts';

type Obj = Record<string, any>;

export const DIFF_SCHEME = 'kube-emulator-diff';

const MASK = '***';
const MASK_BEFORE = '*** (before)';
const MASK_AFTER = '*** (after)';

/** The two sides as kubectl diff prints them; `live` undefined is a new object (empty left side). */
export function diffSides(live: Obj | undefined, merged: Obj): { left: string; right: string } {
  let from = live ? stripForDiff(live) : undefined;
  let to = stripForDiff(merged);
  if (merged.apiVersion === 'v1' && merged.kind === 'Secret') [from, to] = maskSecrets(from, to);
  return { left: from ? toDiffYaml(from) : '', right: toDiffYaml(to) };
}

/** A copy without metadata.managedFields (kubectl diff's omitManagedFields). */
export function stripForDiff(o: Obj): Obj {
  const c = structuredClone(o);
  if (c.metadata && typeof c.metadata === 'object') delete c.metadata.managedFields;
  return c;
}

/** kubectl diff's Masker for v1 Secrets: values of `data` hidden, a change still visible. */
export function maskSecrets(from: Obj | undefined, to: Obj): [Obj | undefined, Obj] {
  const f = from ? structuredClone(from) : undefined;
  const t = structuredClone(to);
  const fd: Obj | undefined = f?.data && typeof f.data === 'object' ? f.data : undefined;
  const td: Obj | undefined = t.data && typeof t.data === 'object' ? t.data : undefined;
  for (const k of Object.keys(fd ?? {})) {
    if (td && k in td) {
      if (fd![k] !== td[k]) {
        fd![k] = MASK_BEFORE;
        td[k] = MASK_AFTER;
        continue;
      }
      td[k] = MASK;
    }
    fd![k] = MASK;
  }
  for (const k of Object.keys(td ?? {})) if (!fd || !(k in fd)) td![k] = MASK;
  return [f, t];
}

/** YAML as sigs.k8s.io/yaml writes it: keys sorted, block style, lists not indented under their key. */
export function toDiffYaml(o: Obj): string {
  return stringify(o, { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

/** The diff editor's title: `pod/nginx (live ↔ dry run)` or, for a new object, `(new ↔ dry run)`. */
export function diffTitle(ref: string, exists: boolean, target: string): string {
  return exists ? l10n.t('{0} on {1}: live ↔ after apply', ref, target) : l10n.t('{0} on {1}: not created ↔ after apply', ref, target);
}

/** The read-only documents of the diff editor, by URI path; each diff gets fresh URIs. */
export class DiffDocuments implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private seq = 0;

  constructor(private readonly vs: typeof vscode) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }

  /** Stores both sides and returns their URIs (`.yaml` so the editor colours them). */
  put(ref: string, sides: { left: string; right: string }): { left: vscode.Uri; right: vscode.Uri } {
    const n = ++this.seq;
    const base = ref.replace(/[^A-Za-z0-9._-]+/g, '_');
    const left = this.vs.Uri.from({ scheme: DIFF_SCHEME, path: `/${n}/live/${base}.yaml` });
    const right = this.vs.Uri.from({ scheme: DIFF_SCHEME, path: `/${n}/merged/${base}.yaml` });
    this.docs.set(left.path, sides.left);
    this.docs.set(right.path, sides.right);
    // Keep the last 50 diffs: a long session must not grow without bound.
    while (this.docs.size > 100) this.docs.delete(this.docs.keys().next().value!);
    return { left, right };
  }
}

export function registerDiffDocuments(vs: typeof vscode, push: (d: vscode.Disposable) => void): DiffDocuments {
  const docs = new DiffDocuments(vs);
  push(vs.workspace.registerTextDocumentContentProvider(DIFF_SCHEME, docs));
  return docs;
}
