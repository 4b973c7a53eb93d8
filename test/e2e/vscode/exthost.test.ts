// Extension tests in the real extension host of code-server (VS Code 1.139 on Node 24): the
// workbench loads the project as a development extension and runs exthost/suite.ts through the
// smoke-test driver, which reports the suite's exit code to the page. No UI clicking here; the UI test
// is ui.test.ts (a server started without the smoke-test driver, which hides notifications).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  bundleExtensionTests,
  chromiumLaunchOptions,
  chromiumPath,
  ensureCodeServer,
  prepareHome,
  startCodeServer,
  withTimeout,
  type RunningCodeServer,
} from '../../../scripts/vscode-server.mjs';
import { PROJECT_ROOT, buildExtension, makeWorkspace, recordTimings, resultsDir, tempRoot } from './harness.ts';

test('real VS Code extension host: the extension activates, registers its commands and CodeLenses', { timeout: 20 * 60_000 }, async () => {
  const out = resultsDir();
  rmSync(join(out, 'exthost-failure.png'), { force: true }); // a picture of an earlier failure would mislead
  const t: Record<string, number | string | boolean> = {};
  const since = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
  chromiumPath();

  let t0 = Date.now();
  const cs = await withTimeout(15 * 60_000, 'installing code-server', () => ensureCodeServer());
  t.codeServerInstallSeconds = since(t0);

  // $KUBE_EMULATOR_EXTENSION_DIR: another extension folder to load instead of this project (harness checks).
  const extensionDir = process.env.KUBE_EMULATOR_EXTENSION_DIR ?? PROJECT_ROOT;
  if (extensionDir === PROJECT_ROOT) buildExtension();
  const root = tempRoot('exthost');
  const suite = join(root, 'suite.cjs');
  await bundleExtensionTests(join(PROJECT_ROOT, 'test', 'e2e', 'vscode', 'exthost', 'suite.ts'), suite, { extensionDir });
  const home = prepareHome(root);
  const workspace = makeWorkspace(root);

  let server: RunningCodeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const logs: string[] = [];
  const testStart = Date.now();
  let exitCode: number | undefined;
  try {
    server = await startCodeServer(cs, home, { workspace, extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] });
    context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), chromiumLaunchOptions());
    page = context.pages()[0] ?? (await context.newPage());
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((res) => (onExit = res));
    await page.exposeFunction('codeAutomationLog', (...args: unknown[]) => {
      logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(Number(code)));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server!.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extensionDir)],
      ['extensionTestsPath', remote(suite)],
    ]);
    t0 = Date.now();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    // Without the smoke-test driver the payload is ignored and nothing ever exits: hence the bound.
    exitCode = await withTimeout(180_000, 'the extension-host tests to report an exit code', () => exited);
    t.suiteSeconds = since(t0);
    const text = logs.join('\n');
    console.log(`extension-host log:\n${text}`);
    const activation = /activate\(\) took (\d+) ms/.exec(text);
    if (activation) t.activateMs = Number(activation[1]);
    assert.equal(exitCode, 0, `the extension-host tests failed (exit ${exitCode}):\n${text}`);
  } catch (e) {
    if (page) await page.screenshot({ path: join(out, 'exthost-failure.png') }).catch(() => undefined);
    if (exitCode === undefined) console.error(`extension-host log:\n${logs.join('\n')}`);
    if (server) console.error(`code-server log (tail):\n${server.logs()}`);
    throw e;
  } finally {
    t.exthostTestSeconds = since(testStart);
    await context?.close().catch(() => undefined);
    await server?.stop();
    try {
      copyFileSync(home.logFile, join(out, 'exthost-code-server.log'));
    } catch {
      /* no log */
    }
    recordTimings('exthost', { ...t, exitCode: exitCode ?? 'none' });
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
});
