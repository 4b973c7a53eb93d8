// Extension tests that run inside a real VS Code extension host, with the real `vscode` API: no UI
// clicking. Bundled to CommonJS by bundleExtensionTests() (scripts/vscode-server.mjs) and loaded
// either by code-server with the smoke-test driver (test/e2e/vscode/exthost.test.ts) or by desktop
// VS Code through @vscode/test-electron (test/e2e/vscode/electron/run.mjs). `run()` resolves when
// every test passed and rejects otherwise, as @vscode/test-electron expects.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { E2EExpectations } from '../../../../scripts/vscode-server.mjs';

declare const __KUBE_EMULATOR_E2E__: E2EExpectations;
const expected = __KUBE_EMULATOR_E2E__;

const LENS_TITLE = 'Apply to emulated cluster';
const APPLY_TITLE = 'Apply to Emulated Cluster';

const MULTI_DOC = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
    - name: nginx
      image: nginx
---
# not a Kubernetes object: no lens here
just: data
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: test
`;

const tests: [string, () => Promise<void>][] = [];
const it = (name: string, fn: () => Promise<void>) => tests.push([name, fn]);

it('the extension is installed and activates', async () => {
  const ext = vscode.extensions.getExtension(expected.extensionId);
  assert.ok(ext, `extension ${expected.extensionId} is not loaded`);
  const t0 = Date.now();
  await ext.activate();
  assert.equal(ext.isActive, true);
  console.log(`activate() took ${Date.now() - t0} ms`);
});

it('every contributed command is registered, among them Apply to Emulated Cluster', async () => {
  const apply = expected.commands.find((c) => c.title === APPLY_TITLE);
  assert.ok(apply, `package.json contributes no command titled "${APPLY_TITLE}"`);
  const all = new Set(await vscode.commands.getCommands(true));
  const missing = expected.commands.filter((c) => !all.has(c.command)).map((c) => c.command);
  assert.deepEqual(missing, [], `contributed commands not registered after activation: ${missing.join(', ')}`);
});

it('a CodeLens "Apply to emulated cluster" sits above each document with apiVersion and kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-exthost-'));
  const file = join(dir, 'multi.yaml');
  writeFileSync(file, MULTI_DOC);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'yaml');
  const separators = doc
    .getText()
    .split('\n')
    .flatMap((l, i) => (l.startsWith('---') ? [i] : []));
  let titled: vscode.CodeLens[] = [];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
    titled = lenses.filter((l) => l.command?.title === LENS_TITLE).sort((a, b) => a.range.start.line - b.range.start.line);
    if (titled.length >= 2) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const lines = titled.map((l) => l.range.start.line);
  assert.equal(titled.length, 2, `expected 2 lenses (Pod, ConfigMap), got lines ${JSON.stringify(lines)}`);
  assert.ok(lines[0] < separators[0], `the Pod's lens is on line ${lines[0]}`);
  assert.ok(lines[1] >= separators[1], `the ConfigMap's lens is on line ${lines[1]}, before its document`);
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of tests) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      console.log(`not ok - ${name}\n${msg}`);
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(`${tests.length - failures.length}/${tests.length} extension-host tests passed`);
  if (failures.length) throw new Error(`${failures.length} extension-host test(s) failed:\n${failures.join('\n')}`);
}
