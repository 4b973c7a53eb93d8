// The HTML shell of every webview panel (issue 8): a strict Content-Security-Policy with a fresh nonce
// per load, no remote resources (VS Code's documented webview CSP: default-src 'none', scripts only
// with the nonce, styles and fonts only from the extension's own files), and the bundle built from
// src/webview/NAME/ (scripts/build.mjs).
//
// No `vscode` import: the caller passes `webview.cspSource` and the resource URIs (asWebviewUri).
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export interface WebviewPage {
  title: string;
  /** The page's language (`vscode.env.language`, e.g. `ko`), for screen readers and hyphenation; default `en`. */
  lang?: string;
  /** `webview.cspSource`: where the extension's own files are served from. */
  cspSource: string;
  nonce: string;
  /**
   * The bundle (dist/webview/NAME.js), as a webview URI: an ES module, whose chunks (NAME-chunk-*.js,
   * beside it) its dynamic imports fetch with the nonce it was loaded with.
   */
  script: string;
  /** Stylesheets (dist/webview/NAME.css, codicons), as webview URIs. */
  styles?: string[];
  /** Initial markup of <body>. */
  body?: string;
  /** Workers from the extension's files or blob: (a layout worker). */
  workers?: boolean;
  /**
   * Inline style attributes/elements without the nonce, for libraries that insert them at run time
   * (Monaco). Scripts stay nonce-only.
   */
  inlineStyles?: boolean;
  /** Extra attributes' data for the script: JSON in a data-state attribute (escaped). */
  state?: unknown;
}

export function contentSecurityPolicy(p: Pick<WebviewPage, 'cspSource' | 'nonce' | 'workers' | 'inlineStyles'>): string {
  return [
    "default-src 'none'",
    `img-src ${p.cspSource} data:`,
    `font-src ${p.cspSource}`,
    `style-src ${p.cspSource} ${p.inlineStyles ? "'unsafe-inline'" : `'nonce-${p.nonce}'`}`,
    `script-src 'nonce-${p.nonce}'`,
    // Webview workers load only from blob:/data: URLs: the page fetches the worker bundle from the
    // extension's files and wraps it (code.visualstudio.com/api/extension-guides/webview#using-web-workers).
    ...(p.workers ? [`connect-src ${p.cspSource}`, `worker-src ${p.cspSource} blob:`] : []),
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function webviewHtml(p: WebviewPage): string {
  const styles = (p.styles ?? []).map((href) => `<link rel="stylesheet" href="${escapeAttr(href)}" nonce="${p.nonce}">`).join('\n    ');
  const state = p.state === undefined ? '' : ` data-state="${escapeAttr(JSON.stringify(p.state))}"`;
  return `<!DOCTYPE html>
<html lang="${escapeAttr(p.lang || 'en')}">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(p))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeAttr(p.title)}</title>
    ${styles}
  </head>
  <body${state}>
    ${p.body ?? ''}
    <script type="module" nonce="${p.nonce}" src="${escapeAttr(p.script)}"></script>
  </body>
</html>`;
}
