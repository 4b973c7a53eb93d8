// Every runtime message of the extension (`l10n.t('…')`, from `vscode.l10n` or `@vscode/l10n`), in the
// extension host (src/extension) and in its webviews (src/webview: the panels get the same bundle in
// their initial state, see src/extension/panels/state.ts), has a Korean translation in
// l10n/bundle.l10n.ko.json with the same {N} placeholders, and the bundle holds no message the code
// no longer uses. English needs no bundle: VS Code shows the message itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as l10n from '../../src/extension/l10n.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The messages of `l10n.t('…')` / `l10n.t("…")` calls, unescaped as JavaScript would. */
export function messagesIn(text: string): { messages: string[]; dynamic: number } {
  const messages: string[] = [];
  const literal = /\bl10n\.t\(\s*('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")/g;
  // Our own source's string literal, evaluated as JavaScript reads it (escapes included).
  for (const m of text.matchAll(literal)) messages.push(new Function(`return ${m[1]};`)() as string);
  const calls = [...text.matchAll(/\bl10n\.t\(/g)].length;
  return { messages, dynamic: calls - messages.length };
}

const placeholders = (s: string) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();

// l10n.ts is the wrapper itself (its `l10n.t(message, ...)` passes the callers' messages on).
const hostFiles = sources('src/extension').filter((f) => !f.endsWith('/l10n.ts'));
const webviewFiles = sources('src/webview');
const files = [...hostFiles, ...webviewFiles];
const used = new Map<string, string>();
for (const f of files) {
  const { messages, dynamic } = messagesIn(readFileSync(f, 'utf8'));
  assert.equal(dynamic, 0, `${f}: l10n.t with a message that is not a string literal (the bundle cannot list it)`);
  for (const m of messages) used.set(m, f);
}
const ko = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;

test('the extension has localized messages', () => {
  assert.ok(used.size > 50, `${used.size} messages`);
});

test('both webviews word their UI with l10n.t, configured from the bundle in their initial state', () => {
  for (const panel of ['details', 'topology']) {
    const main = readFileSync(`src/webview/${panel}/main.ts`, 'utf8');
    const { messages } = messagesIn(main);
    assert.ok(messages.length > 15, `src/webview/${panel}/main.ts has ${messages.length} localized messages`);
    // config before the first l10n.t: @vscode/l10n reads its bundle when a message is asked for.
    const config = main.search(/\bl10n\.config\(\{ contents: \w+\.l10n \?\? \{\} \}\)/);
    assert.ok(config > 0, `src/webview/${panel}/main.ts does not configure @vscode/l10n from its state`);
    assert.ok(config < main.search(/\bl10n\.t\(/), `src/webview/${panel}/main.ts calls l10n.t before l10n.config`);
  }
});

test('every message has a Korean translation with the same placeholders', () => {
  const missing = [...used.keys()].filter((m) => typeof ko[m] !== 'string' || !ko[m].trim());
  assert.deepEqual(missing, [], 'add these to l10n/bundle.l10n.ko.json');
  const mismatched = [...used.keys()].filter((m) => placeholders(m).join() !== placeholders(ko[m]).join());
  assert.deepEqual(mismatched, [], 'placeholders differ');
});

test('the Korean bundle has no stale entries', () => {
  assert.deepEqual(Object.keys(ko).filter((k) => !used.has(k)), []);
});

test('the Korean bundle is Korean', () => {
  const notKorean = Object.entries(ko).filter(([, v]) => !/[\uAC00-\uD7A3]/.test(v) && !/^[\s{}\d()·,:/.-]*$/.test(v));
  assert.deepEqual(notKorean, []);
});

test('plain modules: English by default, the Korean bundle once activate() hands it over', () => {
  assert.equal(l10n.t('Delete node {0}? Its pods are deleted with it.', 'n1'), 'Delete node n1? Its pods are deleted with it.');
  l10n.setBundle(ko);
  try {
    assert.equal(l10n.t('Delete node {0}? Its pods are deleted with it.', 'n1'), ko['Delete node {0}? Its pods are deleted with it.'].replace('{0}', 'n1'));
  } finally {
    l10n.setBundle(undefined);
  }
  assert.equal(l10n.t('Deleted node {0}', 'n1'), 'Deleted node n1');
});

test('package.json points VS Code at l10n/ and the .vsix carries the bundles', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { l10n?: string };
  assert.equal(pkg.l10n, './l10n');
  const ignore = readFileSync('.vscodeignore', 'utf8').split('\n').map((l) => l.trim());
  assert.ok(ignore.includes('!l10n/*.json'), '.vscodeignore leaves l10n/ out of the package');
});
