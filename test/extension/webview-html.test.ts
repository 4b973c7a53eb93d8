// The webview shell's CSP (webview-html.ts): nonce-only scripts, no remote sources, escaped state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../src/extension/webview-html.ts';

test('the CSP allows scripts only with the nonce and nothing remote', () => {
  const csp = contentSecurityPolicy({ cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abc' });
  assert.equal(
    csp,
    "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc'; script-src 'nonce-abc'",
  );
  assert.match(contentSecurityPolicy({ cspSource: 'x', nonce: 'n', workers: true }), /worker-src x blob:$/);
  assert.match(contentSecurityPolicy({ cspSource: 'x', nonce: 'n', workers: true }), /; connect-src x; /);
  assert.doesNotMatch(contentSecurityPolicy({ cspSource: 'x', nonce: 'n' }), /connect-src/);
  assert.doesNotMatch(contentSecurityPolicy({ cspSource: 'x', nonce: 'n', inlineStyles: true }), /script-src[^;]*unsafe/);
});

test('nonces are fresh and the page escapes its state', () => {
  const a = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{20,}$/);
  assert.notEqual(a, makeNonce());
  const html = webviewHtml({ title: 'T<x>', cspSource: 'src', nonce: 'n1', script: 'main.js', state: { s: '"></script><script>' } });
  assert.match(html, /<script type="module" nonce="n1" src="main.js"><\/script>/);
  assert.doesNotMatch(html, /<\/script><script>/);
  assert.match(html, /<title>T&lt;x&gt;<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<html lang="en">/);
  assert.match(webviewHtml({ lang: 'ko', title: 't', cspSource: 'src', nonce: 'n', script: 'm.js' }), /<html lang="ko">/);
  assert.match(webviewHtml({ lang: '"><x', title: 't', cspSource: 'src', nonce: 'n', script: 'm.js' }), /<html lang="&quot;&gt;&lt;x">/);
});
