// Runtime messages of the plain modules (no `vscode`: views/, tree-model.ts, details-model.ts, ...):
// @vscode/l10n with the bundle VS Code loaded for the extension (l10n/bundle.l10n.<locale>.json),
// handed over by activate() (setBundle). English (no bundle) when they run under Node: tests, CLI.
// The bundle sits on globalThis because the session bundle (dist/extension-session.cjs) carries
// its own copy of these modules and of @vscode/l10n; each copy configures itself from it on use.
import * as l10n from '@vscode/l10n';

type Bundle = Record<string, string | { message: string; comment: string[] }>;
const KEY = Symbol.for('kube-emulator.l10n.bundle');
const shared = globalThis as { [KEY]?: Bundle };
let applied: Bundle | undefined;

/** The translations VS Code loaded (`vscode.l10n.bundle`), undefined for English. */
export function setBundle(bundle: Bundle | undefined): void {
  shared[KEY] = bundle;
}

/** `message` in the user's language, {0}, {1}... replaced by `args` (as vscode.l10n.t). */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  const bundle = shared[KEY];
  if (bundle !== applied) {
    applied = bundle;
    l10n.config({ contents: bundle ?? {} });
  }
  return l10n.t(message, ...args);
}
