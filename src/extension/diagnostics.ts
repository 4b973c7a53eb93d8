// Diagnostics as you type, for YAML and JSON manifests (saved or not), in three layers published
// together in one collection:
// 1. the file alone: YAML syntax errors and duplicate keys (ctx.parse, exact ranges), then the
//    validation engine shared with `kube-emulator validate` (src/emulator/manifests/validate.ts:
//    schema, the apiserver's own validation) — debounced per document, a newer edit cancels the run;
// 2. across documents, files and the cluster (references.ts, through the workspace index and a
//    cache of the cluster's lists): missing ConfigMaps, Secrets, claims, ServiceAccounts,
//    namespaces, a Service selecting no pods — lookups, re-run when another file or the cluster changes;
// 3. the target cluster's server-side dry-run (admission: quota, LimitRange), when a document is
//    shown or saved and a few seconds after the last edit, only for a document without errors of its
//    own; stale runs stop.
// Severity: error for what apply would reject, warning for what would misbehave once applied.
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import type { Problem } from './manifests.ts';
import { Coalescer, Debouncer } from './timing.ts';
import { isManifestCandidate, WorkspaceIndex } from './workspace-index.ts';
import type { ApplyClient } from './apply.ts';
import type { TargetClusterView, TargetSource } from './cluster-checks.ts';
import type { ClusterView } from '../emulator/manifests/references.ts';
import { targetOf } from './target.ts';

type Engine = typeof import('../emulator/manifests/validate.ts');
type Checks = typeof import('./cluster-checks.ts');

export const DIAGNOSTIC_COLLECTION = 'kube-emulator';
const DEBOUNCE_MS = 300;
/** Server-side dry-run after the last edit: a request to the cluster, so seconds, not keystrokes. */
const DRY_RUN_DEBOUNCE_MS = 2_000;
/** A target that did not answer a dry-run is asked again after this long (a target switch asks at once). */
const DRY_RUN_RETRY_MS = 60_000;

interface DocState {
  version: number;
  /** Syntax and the engine's problems. */
  local: vscode.Diagnostic[];
  cross: vscode.Diagnostic[];
  dry: vscode.Diagnostic[];
  dryVersion: number;
  /** The local layer has errors: no dry-run. */
  hasErrors: boolean;
  /** Kubernetes manifests in the document (the cross and dry-run layers apply). */
  manifests: boolean;
  dryRun?: { aborted: boolean };
}

export function registerDiagnostics(ctx: Ctx): WorkspaceIndex {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);
  const debouncer = new Debouncer<string>(DEBOUNCE_MS);
  const dryDebouncer = new Debouncer<string>(DRY_RUN_DEBOUNCE_MS);
  const workspace = new WorkspaceIndex((l) => ctx.log(l));
  const states = new Map<string, DocState>();
  let engine: Engine | undefined;
  let checks: Checks | undefined;
  const loaded = Promise.all([import('../emulator/manifests/validate.ts'), import('./cluster-checks.ts'), workspace.ready])
    .then(([e, c]) => {
      engine = e;
      checks = c;
    })
    .catch((e) => ctx.log(`Loading the validation engine failed (syntax errors only): ${e instanceof Error ? e.message : String(e)}`));

  // The cluster's lists and dry-run, for the target the user picked (target.ts: the emulated cluster
  // or a kubeconfig context): a new cache when the target changes, and every document checked again.
  // Nothing here starts the emulated cluster: without it the cluster's side is unknown.
  let view: TargetClusterView<ApplyClient> | undefined;
  const targetView = (): TargetClusterView<ApplyClient> | undefined => {
    if (view || !checks) return view;
    const target = targetOf(ctx);
    const source: TargetSource<ApplyClient> = target
      ? {
          key: () => (target.target.kind === 'emulated' ? 'emulated' : `context ${target.target.context}`),
          clientIfReady: () => target.clientIfReady(),
          prepare: () => (target.target.kind === 'context' ? target.client() : undefined),
          onDidChange: (fn) => target.onDidChange(fn),
          emulated: () => target.target.kind === 'emulated',
        }
      : // No picker (registered later, or not at all): the emulated cluster.
        { key: () => 'emulated', clientIfReady: () => ctx.session?.client, onDidChange: () => ({ dispose() {} }), emulated: () => true };
    view = new checks.TargetClusterView(source, (why) => (why === 'target' ? targetChanged() : recheckAll.trigger()), { ttlMs: 10_000, minIntervalMs: 5_000, log: (l) => ctx.log(l) });
    return view;
  };
  const clusterView = (): ClusterView | undefined => targetView()?.view();
  /** Another target (or its client came): the lists answer for it; dry-run what is shown again. */
  const targetChanged = () => {
    recheckAll.trigger();
    for (const doc of vscode.workspace.textDocuments) {
      const st = states.get(doc.uri.toString());
      if (!st) continue;
      if (st.dryRun) st.dryRun.aborted = true;
      if (st.dryVersion !== -1) {
        // The old target's verdict is not this one's: withdrawn now, asked again.
        st.dryVersion = -1;
        st.dry = [];
        publish(doc, st);
      }
      void dryRun(doc);
    }
  };

  const publish = (doc: vscode.TextDocument, s: DocState) => {
    collection.set(doc.uri, [...s.local, ...s.cross, ...(s.dryVersion === s.version ? s.dry : [])]);
  };

  /** The cross-document layer: cheap lookups, re-run whenever the index or the cluster moved. */
  const crossLayer = (doc: vscode.TextDocument, s: DocState) => {
    const facts = workspace.factsFor(doc);
    const refs = workspace.module;
    if (!facts || !refs || !workspace.index || !s.manifests) {
      s.cross = [];
      return;
    }
    const seen = new Set(s.local.map((d) => `${d.range.start.line}:${d.message}`));
    s.cross = refs
      .crossCheck(facts, workspace.index, clusterView())
      .filter((p) => !seen.has(`${p.range.start.line}:${p.message}`))
      .map((p) => toDiagnostic({ ...p, code: p.code }));
  };

  const validate = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    if (doc.isClosed || !isManifestCandidate(doc)) {
      states.delete(key);
      collection.delete(doc.uri);
      return;
    }
    if (!engine) {
      // The first moments after activation: syntax now, the rest when the engine is loaded.
      void loaded.then(() => engine && !doc.isClosed && validate(doc));
      if (doc.languageId === 'yaml') {
        const parsed = ctx.parse(doc);
        collection.set(doc.uri, [...parsed.errors, ...parsed.warnings].map(toDiagnostic));
      }
      return;
    }
    const s: DocState = states.get(key) ?? { version: -1, local: [], cross: [], dry: [], dryVersion: -1, hasErrors: false, manifests: false };
    states.set(key, s);
    s.version = doc.version;
    try {
      localLayer(doc, s);
      crossLayer(doc, s);
    } catch (e) {
      ctx.log(`Diagnostics of ${doc.uri.fsPath || doc.uri.toString()} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    publish(doc, s);
  };

  const localLayer = (doc: vscode.TextDocument, s: DocState) => {
    const parsed = ctx.parse(doc);
    s.manifests = parsed.manifests.some((m) => m.apiVersion || m.kind);
    const isJson = doc.languageId !== 'yaml' && !/\.ya?ml$/i.test(doc.fileName);
    s.local = [];
    s.hasErrors = false;
    if (!s.manifests) {
      // YAML that names no Kubernetes object (a CI workflow, a compose file): its syntax only. JSON
      // that is no manifest (package.json) is not ours to judge.
      if (!isJson) s.local = [...parsed.errors, ...parsed.warnings].map(toDiagnostic);
    } else {
      // The engine parses the same text (its own syntax errors included) with the cluster's rules.
      const result = engine!.validateText(doc.getText(), doc.fileName);
      if (result.skipped) s.manifests = false; // a Helm template or a kustomization: not objects
      s.local = result.problems.map((p) => toDiagnostic(p));
    }
    s.hasErrors = s.local.some((d) => d.severity === vscode.DiagnosticSeverity.Error);
  };

  /** Server-side dry-run of the document's manifests against the target cluster (when it is there). */
  const dryRun = async (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    const s = states.get(key);
    const tv = targetView();
    if (!s || !checks || !tv || doc.isClosed || !s.manifests || s.hasErrors || s.version !== doc.version) return;
    // Only what a user looks at: a command that opens many files (apply a folder) asks nothing.
    if (!vscode.window.visibleTextEditors.some((e) => e.document === doc)) return;
    if (s.dryVersion === s.version) return; // already done for this text
    const client = tv.client();
    if (!client) return; // the emulated cluster is not running (it is not started to validate)
    if (tv.isQuiet()) return; // it did not answer a moment ago
    if (s.dryRun) s.dryRun.aborted = true;
    const signal = { aborted: false };
    s.dryRun = signal;
    const version = doc.version;
    const manifests = ctx.parse(doc).manifests.filter((m) => m.apiVersion && m.kind);
    try {
      const problems = await checks.dryRun(
        client,
        manifests.map((m) => ({ object: m.object, range: m.range })),
        signal,
        (why, kind) => {
          if (kind === 'unreachable') tv.quiet(DRY_RUN_RETRY_MS);
          // One line per reason, not per object name (`pods "a" is forbidden: User ...`).
          tv.once(`Dry run for diagnostics: the cluster could not judge (nothing flagged): ${why}`, why.replace(/^(\S+) "[^"]*"/, '$1'));
        },
      );
      if (signal.aborted || tv.client() !== client || doc.isClosed || doc.version !== version || states.get(key) !== s) return;
      s.dry = problems.map((p) => {
        const r = p.range as Problem['range'];
        const d = toDiagnostic({ severity: 'error', code: 'dry-run', message: p.message, range: r });
        d.source = `${DIAGNOSTIC_COLLECTION} (dry run)`;
        return d;
      });
      s.dryVersion = version;
      publish(doc, s);
    } catch (e) {
      ctx.log(`Dry run of ${doc.uri.fsPath || key} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (s.dryRun === signal) s.dryRun = undefined;
    }
  };

  const later = (doc: vscode.TextDocument) => {
    const version = doc.version;
    const key = doc.uri.toString();
    const s = states.get(key);
    if (s?.dryRun) s.dryRun.aborted = true; // the text moved on: an older dry-run publishes nothing
    debouncer.schedule(key, () => {
      // A stale run (the document moved on since) publishes nothing; the newer run will.
      if (doc.version !== version) return;
      validate(doc);
      recheckOthers.trigger();
    });
    dryDebouncer.schedule(key, () => {
      if (doc.version === version) void dryRun(doc);
    });
  };

  const now = (doc: vscode.TextDocument) => {
    validate(doc);
    void loaded.then(() => dryRun(doc));
  };

  /** Other open documents see this one's edits (a ConfigMap added here clears a warning there). */
  let editing: string | undefined;
  const recheck = (except?: string) => {
    if (!engine) return;
    for (const doc of vscode.workspace.textDocuments) {
      const s = states.get(doc.uri.toString());
      if (!s || doc.isClosed || doc.uri.toString() === except || s.version !== doc.version) continue;
      const before = s.cross;
      try {
        crossLayer(doc, s);
      } catch (e) {
        ctx.log(`Diagnostics of ${doc.uri.fsPath}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!sameDiagnostics(before, s.cross)) publish(doc, s);
    }
  };
  let lastSession = ctx.session;
  const recheckOthers = new Coalescer(DEBOUNCE_MS, () => recheck(editing));
  const recheckAll = new Coalescer(DEBOUNCE_MS, () => recheck());

  ctx.pushExtension(
    collection,
    debouncer,
    dryDebouncer,
    workspace,
    recheckOthers,
    recheckAll,
    { dispose: () => view?.dispose() },
    vscode.workspace.onDidOpenTextDocument(now),
    vscode.workspace.onDidSaveTextDocument((doc) => void loaded.then(() => dryRun(doc))),
    // Opened documents are dry-run once shown (the editor appears after the open event).
    vscode.window.onDidChangeVisibleTextEditors((editors) => void loaded.then(() => editors.forEach((e) => void dryRun(e.document)))),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      editing = e.document.uri.toString();
      later(e.document);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      debouncer.cancel(key);
      dryDebouncer.cancel(key);
      const s = states.get(key);
      if (s?.dryRun) s.dryRun.aborted = true;
      states.delete(key);
      collection.delete(doc.uri);
    }),
    workspace.onDidChange(() => recheckAll.trigger()),
    // The emulated cluster's events (pods, nodes) and its starting or stopping: when it is the target,
    // the lists may have changed (a kubeconfig context's lists only age out).
    ctx.onDidChange(() => {
      const session = ctx.session;
      const emulated = (targetOf(ctx)?.target.kind ?? 'emulated') === 'emulated';
      if (session !== lastSession) {
        // Another emulated cluster (or none): its own lists; a cluster to ask now dry-runs what is open.
        lastSession = session;
        if (emulated) targetChanged();
        return;
      }
      const c = emulated ? targetView()?.cache() : undefined;
      if (c && [...states.values()].some((st) => st.manifests)) {
        // A watch event (pods, nodes): the lists may be stale; a refresh (rate-limited) re-checks.
        c.invalidate();
        c.refreshIfStale();
      }
    }),
  );
  for (const doc of vscode.workspace.textDocuments) now(doc);
  return workspace;
}

function sameDiagnostics(a: vscode.Diagnostic[], b: vscode.Diagnostic[]): boolean {
  return a.length === b.length && a.every((d, i) => d.message === b[i].message && d.range.isEqual(b[i].range) && d.severity === b[i].severity);
}

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const range = new vscode.Range(p.range.start.line, p.range.start.character, p.range.end.line, p.range.end.character);
  const d = new vscode.Diagnostic(
    range,
    p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  d.source = DIAGNOSTIC_COLLECTION;
  if (p.code) d.code = p.code;
  return d;
}
