// The walkthrough "Learn Kubernetes with the emulator" (package.json `contributes.walkthroughs`,
// issue 9): the commands its steps link to (open or apply a sample shipped in the extension's
// `samples/` folder) and the completion of its steps from cluster state. The rules are in
// walkthrough-steps.ts; here the live model of the session the views show (`ctx.viewSession()`,
// followed across cluster restarts and target switches) feeds them, and each completed step sets
// the context key `kubeEmulator.walkthrough.<step>` its `completionEvents` wait for.
import * as vscode from 'vscode';
import type { ApplyOutcome } from './codelens.ts';
import type { Ctx } from './ctx.ts';
import type { Session } from './session.ts';
import { Coalescer } from './timing.ts';
import { CONTEXT_PREFIX, stepTitle, WALKTHROUGH_STEPS, WalkthroughTracker, type WalkthroughStep } from './walkthrough-steps.ts';

const WALKTHROUGH_ID = 'learnKubernetes';

function stepOf(id: unknown): WalkthroughStep | undefined {
  return WALKTHROUGH_STEPS.find((s) => s.id === id && s.files.length > 0);
}

async function pickStep(placeHolder: string): Promise<WalkthroughStep | undefined> {
  // The step's title in the user's language; the sample's folder (the id command links name) beside it.
  const picks = WALKTHROUGH_STEPS.filter((s) => s.files.length > 0).map((s) => ({ label: stepTitle(s.id), description: `samples/${s.id}`, step: s }));
  return (await vscode.window.showQuickPick(picks, { placeHolder, matchOnDescription: true }))?.step;
}

/** The sample folder (or one of its files) inside the installed extension. */
function sampleUri(ctx: Ctx, step: WalkthroughStep, file?: string): vscode.Uri {
  const base = vscode.Uri.joinPath(ctx.extensionContext.extensionUri, 'samples', step.id);
  return file ? vscode.Uri.joinPath(base, file) : base;
}

/** Validates the (step, file) a command link passes; undefined with a message when it is wrong. */
function resolveSample(step: WalkthroughStep | undefined, rawStep: unknown, file: unknown): { step: WalkthroughStep; file?: string } | undefined {
  if (!step) {
    void vscode.window.showErrorMessage(vscode.l10n.t('No sample named {0}. The samples: {1}.', JSON.stringify(rawStep), WALKTHROUGH_STEPS.filter((s) => s.files.length).map((s) => s.id).join(', ')));
    return undefined;
  }
  if (file !== undefined && !(typeof file === 'string' && step.files.includes(file))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The {0} sample has no file {1} (it has {2}).', step.id, JSON.stringify(file), step.files.join(', ')));
    return undefined;
  }
  return { step, file: file as string | undefined };
}

/**
 * Where the tracker's partial progress is kept. VS Code keeps the walkthrough's completed steps per
 * profile, not per workspace (WalkthroughsService: `new Memento('gettingStartedService', ...)
 * .getMemento(StorageScope.PROFILE, StorageTarget.USER)` in microsoft/vscode
 * src/vs/workbench/contrib/welcomeGettingStarted/browser/gettingStartedService.ts), so the halves of
 * a step live beside them: in globalState, which is the profile's.
 */
const PROGRESS_KEY = 'kubeEmulator.walkthrough.progress';

export function registerWalkthrough(ctx: Ctx): void {
  const tracker = new WalkthroughTracker();
  const globalState = ctx.extensionContext.globalState;
  const saved = globalState.get<unknown>(PROGRESS_KEY);
  if (saved !== undefined && !tracker.restore(saved)) ctx.log('Walkthrough: the saved progress was not understood; starting afresh');
  let savedJson = JSON.stringify(tracker.serialize());
  /** Saves the partial progress when it changed. */
  const save = () => {
    const data = tracker.serialize();
    const json = JSON.stringify(data);
    if (json === savedJson) return;
    savedJson = json;
    globalState.update(PROGRESS_KEY, data).then(undefined, (e: unknown) => ctx.log(`Walkthrough: could not save the progress: ${e instanceof Error ? e.message : String(e)}`));
  };
  let current: Session | undefined;
  let sub: { dispose(): void } | undefined;

  const evaluate = () => {
    if (current) {
      for (const id of tracker.evaluate(current.live)) {
        void vscode.commands.executeCommand('setContext', `${CONTEXT_PREFIX}${id}`, true);
        ctx.log(`Walkthrough: step "${WALKTHROUGH_STEPS.find((s) => s.id === id)?.title ?? id}" done`);
      }
    }
    save();
  };
  const coalescer = new Coalescer(250, evaluate);

  // ctx.onDidChange fires on every informer event and on every cluster state change: follow the
  // session the views show, and look again (coalesced) at each change.
  const follow = () => {
    const s = ctx.viewSession();
    if (s !== current) {
      sub?.dispose();
      sub = undefined;
      current = s;
      if (s) sub = s.live.onDidChange((changes) => tracker.record(changes));
    }
    if (current) coalescer.trigger();
  };
  // A change recorded within the last coalescing interval is saved as the window closes.
  ctx.pushExtension(ctx.onDidChange(follow), { dispose: () => (sub?.dispose(), coalescer.dispose(), save()) });
  // Any apply from the editor (CodeLens, palette, folder, Apply Sample): a quota's refusal counts.
  ctx.pushExtension(
    ctx.onDidApply((lines) => {
      tracker.noteApplyFailure(lines);
      coalescer.trigger();
    }),
  );
  follow();

  ctx.pushExtension(
    /** Opens a sample's manifest (its first file, or the one named) beside the walkthrough. */
    vscode.commands.registerCommand('kubeEmulator.openSample', async (rawStep?: unknown, file?: unknown) => {
      const step = rawStep === undefined ? await pickStep(vscode.l10n.t('Sample to open')) : stepOf(rawStep);
      if (rawStep === undefined && !step) return undefined;
      const s = resolveSample(step, rawStep, file);
      if (!s) return undefined;
      const uri = sampleUri(ctx, s.step, s.file ?? s.step.files[0]);
      try {
        return await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      } catch (e) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0}: {1}', uri.fsPath, e instanceof Error ? e.message : String(e)));
        return undefined;
      }
    }),
    /**
     * Applies a sample: one of its files, or the whole folder (in `kubectl apply -f DIR` order), as
     * the Apply commands do.
     */
    vscode.commands.registerCommand('kubeEmulator.applySample', async (rawStep?: unknown, file?: unknown) => {
      const step = rawStep === undefined ? await pickStep(vscode.l10n.t('Sample to apply')) : stepOf(rawStep);
      if (rawStep === undefined && !step) return undefined;
      const s = resolveSample(step, rawStep, file);
      if (!s) return undefined;
      const outcome = (await (s.file
        ? vscode.commands.executeCommand('kubeEmulator.apply', sampleUri(ctx, s.step, s.file))
        : vscode.commands.executeCommand('kubeEmulator.applyFolder', sampleUri(ctx, s.step)))) as ApplyOutcome | undefined;
      // Its output reached the walkthrough through ctx.onDidApply.
      return outcome;
    }),
    vscode.commands.registerCommand('kubeEmulator.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${ctx.extensionContext.extension.id}#${WALKTHROUGH_ID}`, false),
    ),
  );
}
