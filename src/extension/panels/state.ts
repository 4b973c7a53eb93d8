// What the two webview panels' HTML carries in data-state (issue 9, "Languages"): besides each panel's
// own data, the translations of the webview's messages. VS Code's way for webviews: the host passes
// `vscode.l10n.bundle` (undefined in English: the messages are their own English text) and the page
// calls @vscode/l10n's `l10n.config({ contents })` before it renders, then words its UI with `l10n.t`
// (@vscode/l10n's README: "pass the value of `vscode.l10n.bundle` to the process that uses it"). The
// whole bundle goes (a few dozen KB): the extension's messages and the webviews' share one file.
//
// No `vscode` import: unit-tested under Node (test/extension/panels/state.test.ts).
import type { DetailsModel, InitialState, Tab } from '../../webview/details/protocol.ts';
import type { PageState } from '../../webview/topology/protocol.ts';

/** `vscode.l10n.bundle` and `vscode.env.language`. */
export interface WebviewLocale {
  bundle?: { [message: string]: string };
  language?: string;
}

/** The details panel's initial state. The model holds no Secret value: nothing is revealed yet. */
export function detailsState(model: DetailsModel | undefined, tab: Tab, logContainer: string | undefined, locale: WebviewLocale): InitialState {
  return { model, tab, logContainer, l10n: locale.bundle, language: locale.language };
}

/** The topology panel's page state. */
export function topologyState(workerUrl: string, locale: WebviewLocale): PageState {
  return { workerUrl, l10n: locale.bundle, language: locale.language };
}
