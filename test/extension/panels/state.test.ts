// The panels' initial state (src/extension/panels/state.ts): the translations VS Code loaded
// (`vscode.l10n.bundle`) and the language go to both webviews, and survive the trip through the
// HTML's data-state attribute (webview-html.ts) that the page parses before it renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detailsState, topologyState } from '../../../src/extension/panels/state.ts';
import { contentSecurityPolicy, webviewHtml } from '../../../src/extension/webview-html.ts';

const ko = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;

/** The state as the page reads it: `JSON.parse(document.body.dataset.state)`. */
function stateInHtml(html: string): unknown {
  const m = /<body data-state="([^"]*)">/.exec(html);
  assert.ok(m, 'no data-state on <body>');
  const attr = m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return JSON.parse(attr);
}

const page = (state: unknown) => webviewHtml({ title: 't', cspSource: 'vscode-webview://x', nonce: 'n0nce', script: 'vscode-webview://x/a.js', state });

test('details: the bundle and the language go with the model and the tab; English has no bundle', () => {
  const s = detailsState(undefined, 'logs', 'web', { bundle: ko, language: 'ko' });
  assert.deepEqual(s, { model: undefined, tab: 'logs', logContainer: 'web', l10n: ko, language: 'ko' });
  assert.deepEqual(stateInHtml(page(s)), JSON.parse(JSON.stringify(s)));
  const en = detailsState(undefined, 'summary', undefined, { bundle: undefined, language: 'en' });
  assert.equal(en.l10n, undefined);
  assert.equal((stateInHtml(page(en)) as { l10n?: unknown }).l10n, undefined);
});

test('topology: the bundle and the language go with the worker URL', () => {
  const s = topologyState('vscode-webview://x/topology-layout.worker.js', { bundle: ko, language: 'ko' });
  const back = stateInHtml(page(s)) as typeof s;
  assert.equal(back.workerUrl, 'vscode-webview://x/topology-layout.worker.js');
  assert.equal(back.l10n?.['Group by'], ko['Group by']);
  assert.match(back.l10n?.['Group by'] ?? '', /[\uAC00-\uD7A3]/);
  assert.equal(back.language, 'ko');
});

test('a translation with quotes and markup stays data: escaped in the attribute, the CSP as strict as before', () => {
  const evil = { 'Group by': '"><script>alert(1)</script>' };
  const html = page(topologyState('u', { bundle: evil, language: 'ko' }));
  assert.ok(!html.includes('<script>alert'), 'markup from the bundle reached the HTML');
  assert.equal((stateInHtml(html) as { l10n: Record<string, string> }).l10n['Group by'], evil['Group by']);
  assert.equal(html.match(/<script\b/g)?.length, 1, 'one script element, the bundle');
  assert.match(html, /<script type="module" nonce="n0nce" src=/);
  assert.equal(contentSecurityPolicy({ cspSource: 'c', nonce: 'n0nce' }).includes("script-src 'nonce-n0nce'"), true);
});
