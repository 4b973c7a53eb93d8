// The manifests of the workspace, indexed once and kept up to date file by file (a file system
// watcher for files on disk, the text of open editors, saved or not, in their place), so that a check
// across documents is a lookup, never a scan. Diagnostics, quick fixes and go to definition share it.
//
// The index's module (references.ts: the emulator's registry and schemas) is loaded after activation.
import * as vscode from 'vscode';
import type { ManifestFacts, ManifestIndex } from '../emulator/manifests/references.ts';
import { Coalescer } from './timing.ts';

type Refs = typeof import('../emulator/manifests/references.ts');

export const MANIFEST_GLOB = '**/*.{yaml,yml,json}';
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
/** A bound on the first scan: the largest workspaces are indexed in part (said in the output). */
const MAX_FILES = 5_000;
/** Larger files are not manifests one writes by hand (lock files, data): skipped. */
const MAX_BYTES = 1_000_000;

/** Where editable documents live: not the read-only copies of diff views (`git:`), output channels, ... */
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

/** Files whose documents may hold manifests: YAML and JSON, by language or by name (unsaved editors too). */
export function isManifestCandidate(doc: vscode.TextDocument): boolean {
  if (!SCHEMES.has(doc.uri.scheme)) return false;
  if (doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.fileName)) return true;
  if (!['json', 'jsonc'].includes(doc.languageId) && !/\.json$/i.test(doc.fileName)) return false;
  // JSON is ours only when it is a manifest (not package.json, settings, a 10 MB lock file): a look
  // at the text before any parse.
  const text = doc.getText();
  return text.length <= MAX_BYTES && text.includes('"apiVersion"') && text.includes('"kind"');
}

/** A cheap look before parsing a file from disk: a manifest names an apiVersion and a kind. */
function mayHoldManifests(text: string): boolean {
  return text.includes('apiVersion') && text.includes('kind') && !/\{\{[\s\S]*?\}\}/.test(text);
}

export class WorkspaceIndex implements vscode.Disposable {
  /** Resolves when the first scan is done (or failed: the index then holds the open editors only). */
  readonly ready: Promise<void>;
  private refs?: Refs;
  private _index?: ManifestIndex;
  private readonly docFacts = new Map<string, { version: number; facts: ManifestFacts[] }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  private readonly coalescer = new Coalescer(200, () => this.emitter.fire());
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.coalescer];
  private disposed = false;

  /** Fires (coalesced) when files on disk changed the index; edits in open editors do not fire it. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: (line: string) => void) {
    this.ready = this.start().catch((e) => log(`Indexing the workspace's manifests failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** The index, once its module is loaded (undefined for the first moments after activation). */
  get index(): ManifestIndex | undefined {
    return this._index;
  }

  get module(): Refs | undefined {
    return this.refs;
  }

  /**
   * The facts of an open document at its current version (parsed once per version), which also
   * replace the file's entry in the index: what the editor shows is what the other checks see.
   */
  factsFor(doc: vscode.TextDocument): ManifestFacts[] | undefined {
    if (!this.refs || !this._index) return undefined;
    const key = doc.uri.toString();
    const hit = this.docFacts.get(key);
    if (hit && hit.version === doc.version) return hit.facts;
    let facts: ManifestFacts[] = [];
    try {
      const text = doc.getText();
      if (mayHoldManifests(text)) facts = this.refs.extractFactsShared(text);
    } catch (e) {
      this.log(`Reading the manifests of ${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.docFacts.set(key, { version: doc.version, facts });
    // A diff view's read-only copy (git:) is not another definition of the same objects.
    if (SCHEMES.has(doc.uri.scheme)) this._index.set(key, facts);
    return facts;
  }

  private async start(): Promise<void> {
    this.refs = await import('../emulator/manifests/references.ts');
    this._index = new this.refs.ManifestIndex();
    if (this.disposed) return;
    const watcher = vscode.workspace.createFileSystemWatcher(MANIFEST_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.readFile(uri)),
      watcher.onDidChange((uri) => void this.readFile(uri)),
      watcher.onDidDelete((uri) => {
        if (this.openDocument(uri)) return;
        this._index?.delete(uri.toString());
        this.coalescer.trigger();
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const key = doc.uri.toString();
        this.docFacts.delete(key);
        // The editor's unsaved text is gone: the file on disk (if any) is the truth again.
        if (doc.uri.scheme === 'file') void this.readFile(doc.uri);
        else {
          this._index?.delete(key);
          this.coalescer.trigger();
        }
      }),
    );
    const t0 = performance.now();
    const uris = vscode.workspace.workspaceFolders?.length ? await vscode.workspace.findFiles(MANIFEST_GLOB, EXCLUDE, MAX_FILES) : [];
    let n = 0;
    for (const uri of uris) {
      if (this.disposed) return;
      if (await this.readFile(uri, false)) n++;
    }
    const manifests = [...uris].reduce((sum, u) => sum + (this._index?.get(u.toString())?.length ?? 0), 0);
    this.log(
      `Indexed ${manifests} manifests in ${n} of ${uris.length} YAML/JSON files in ${Math.round(performance.now() - t0)} ms` +
        (uris.length >= MAX_FILES ? ` (the first ${MAX_FILES} files only)` : ''),
    );
    this.emitter.fire();
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    const key = uri.toString();
    return vscode.workspace.textDocuments.find((d) => !d.isClosed && d.uri.toString() === key);
  }

  /** (Re)reads a file from disk unless an editor has it open (the editor's text wins). True when it holds manifests. */
  private async readFile(uri: vscode.Uri, notify = true): Promise<boolean> {
    if (!this.refs || !this._index || this.disposed) return false;
    const key = uri.toString();
    const open = this.openDocument(uri);
    if (open) return (this.factsFor(open)?.length ?? 0) > 0;
    let facts: ManifestFacts[] = [];
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size <= MAX_BYTES) {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        if (mayHoldManifests(text)) facts = this.refs.extractFacts(text);
      }
    } catch {
      // Deleted meanwhile, or unreadable: not in the index.
    }
    if (this.openDocument(uri)) return facts.length > 0; // opened while we read: the editor's text counts
    if (facts.length > 0) this._index.set(key, facts);
    else this._index.delete(key);
    if (notify) this.coalescer.trigger();
    return facts.length > 0;
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
