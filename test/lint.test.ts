// The architecture rule: src/emulator imports nothing from vscode, src/extension or webview.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function lint(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  // Keep the rule's own sentence; ESLint prefixes it with which pattern matched.
  return r.messages.map((m) => m.message.replace(/^.* import is restricted from being used by a pattern\. /, ''));
}

test('src/emulator may not import vscode, the extension or the webview', async () => {
  assert.deepEqual(await lint("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/emulator/x.ts'), ['src/emulator must not import vscode.']);
  assert.deepEqual(await lint("import { x } from '../extension/ctx.ts';\nexport const y = x;\n", 'src/emulator/api/x.ts'), ['src/emulator must not import src/extension.']);
  assert.deepEqual(await lint("import { x } from '../../webview/topology.ts';\nexport const y = x;\n", 'src/emulator/api/x.ts'), ['src/emulator must not import webview code.']);
});

test('the extension may import vscode and the emulator', async () => {
  assert.deepEqual(await lint("import * as vscode from 'vscode';\nimport { createCluster } from '../emulator/cluster.ts';\nexport const x = [vscode, createCluster];\n", 'src/extension/x.ts'), []);
});
