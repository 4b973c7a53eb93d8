// Real VS Code, end to end: code-server (from npm) with the packaged extension, driven by playwright-core
// in Debian's Chromium. Open pod.yaml, click the CodeLens "Apply to emulated cluster", open the
// "Kubernetes Emulator" view and see the pod nginx under a node in the Nodes tree, Running.
// Screenshots go to test-results/vscode/. Needs Chromium (/usr/bin/chromium or $CHROMIUM_PATH); the
// code-server install is cached under .cache/vscode-server (or $KUBE_EMULATOR_VSCODE_CACHE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  chromiumLaunchOptions,
  chromiumPath,
  ensureCodeServer,
  installExtension,
  prepareHome,
  startCodeServer,
  withTimeout,
  type RunningCodeServer,
} from '../../../scripts/vscode-server.mjs';
import { makeWorkspace, packageExtension, recordTimings, resultsDir, tempRoot } from './harness.ts';

const NODE_NAMES = ['kube-emulator', 'kube-emulator-m02', 'kube-emulator-m03'];
const LENS_TITLE = 'Apply to emulated cluster';
const CONTAINER_TITLE = 'Kubernetes Emulator';

interface Row {
  index: number;
  level: number;
  expanded: string | null;
  label: string;
  description: string;
  aria: string;
}

/** The rows of the tree in the side bar, in list order. */
async function treeRows(page: Page): Promise<Row[]> {
  const rows = await page.locator('.part.sidebar .monaco-list-row').evaluateAll((els) =>
    els.map((e) => ({
      index: Number(e.getAttribute('data-index') ?? '0'),
      level: Number(e.getAttribute('aria-level') ?? '0'),
      expanded: e.getAttribute('aria-expanded'),
      label: (e.querySelector('.label-name')?.textContent ?? e.textContent ?? '').trim(),
      description: (e.querySelector('.label-description')?.textContent ?? '').trim(),
      aria: e.getAttribute('aria-label') ?? '',
    })),
  );
  return rows.sort((a, b) => a.index - b.index);
}

/** The pod row and the node row it is under, if the pod is shown under a node. */
function findPodUnderNode(rows: Row[], pod: string): { node: Row; pod: Row } | undefined {
  const parents: Row[] = [];
  for (const r of rows) {
    parents[r.level] = r;
    const parent = parents[r.level - 1];
    if (r.label === pod && parent && NODE_NAMES.includes(parent.label)) return { node: parent, pod: r };
  }
  return undefined;
}

async function notifications(page: Page): Promise<string[]> {
  return page
    .locator('.notifications-toasts .notification-list-item-message')
    .allTextContents()
    .catch(() => []);
}

async function openView(page: Page): Promise<void> {
  const item = page.locator(`.part.activitybar [aria-label^="${CONTAINER_TITLE}"]`).first();
  try {
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    // Clicking an already active container would close the side bar.
    const checked = (await item.getAttribute('aria-checked')) ?? (await item.getAttribute('aria-selected'));
    if (checked !== 'true') await item.click();
  } catch {
    await runCommand(page, `${CONTAINER_TITLE}: Focus on Nodes View`);
  }
}

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

test('real VS Code: CodeLens applies pod.yaml and the pod shows in the Nodes tree', { timeout: 20 * 60_000 }, async () => {
  const out = resultsDir();
  rmSync(join(out, 'failure.png'), { force: true }); // a picture of an earlier failure would mislead
  const t: Record<string, number | string | boolean> = {};
  const since = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
  // Fails (never skips) with the Debian package to install.
  const chromiumExe = chromiumPath();

  let t0 = Date.now();
  const cs = await withTimeout(15 * 60_000, 'installing code-server', () => ensureCodeServer());
  t.codeServerInstallSeconds = since(t0);
  t.codeServerInstallCold = cs.installed;

  t0 = Date.now();
  const pkg = packageExtension();
  t.packageSeconds = since(t0);

  const root = tempRoot('ui');
  const home = prepareHome(root, {
    settings: { 'editor.codeLens': true, 'workbench.tree.expandMode': 'singleClick', 'files.autoSave': 'off' },
  });
  const workspace = makeWorkspace(root);
  t0 = Date.now();
  installExtension(cs, home, pkg.vsix);
  t.installExtensionSeconds = since(t0);

  let server: RunningCodeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let passed = false;
  const consoleErrors: string[] = [];
  const testStart = Date.now();
  try {
    t0 = Date.now();
    server = await startCodeServer(cs, home, { workspace });
    t.codeServerReadySeconds = since(t0);

    t0 = Date.now();
    context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), chromiumLaunchOptions());
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const p = page;
    await p.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await p.locator('.statusbar').waitFor({ timeout: 60_000 });
    t.workbenchSeconds = since(t0);

    // Open pod.yaml through Quick Open.
    await withTimeout(60_000, 'opening pod.yaml', async () => {
      await p.keyboard.press('F1');
      const input = p.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('pod.yaml');
      await p.locator('.quick-input-list .monaco-list-row', { hasText: 'pod.yaml' }).first().waitFor();
      await p.keyboard.press('Enter');
      await p.locator('.tabs-container .tab', { hasText: 'pod.yaml' }).waitFor();
      await p.locator('.monaco-editor .view-lines', { hasText: 'nginx' }).first().waitFor();
    });

    // The CodeLens shows once the extension has activated.
    t0 = Date.now();
    const lens = p.locator('.codelens-decoration a', { hasText: LENS_TITLE }).first();
    await lens.waitFor({ state: 'visible', timeout: 90_000 });
    t.codeLensSeconds = since(t0);
    await p.screenshot({ path: join(out, 'editor-with-codelens.png') });

    t0 = Date.now();
    await lens.click();
    await openView(p);

    // Expand the nodes until nginx shows under one of them, then wait for Running.
    let found: { node: Row; pod: Row } | undefined;
    let last: Row[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      last = await treeRows(p);
      found = findPodUnderNode(last, 'nginx');
      if (found && /\bRunning\b/.test(`${found.pod.description} ${found.pod.aria}`)) break;
      for (const r of last) {
        if (NODE_NAMES.includes(r.label) && r.expanded === 'false') {
          await p
            .locator(`.part.sidebar .monaco-list-row[data-index="${r.index}"] .monaco-tl-twistie`)
            .click({ timeout: 5000 })
            .catch(() => undefined);
        }
      }
      await p.waitForTimeout(500);
    }
    t.applyToTreeSeconds = since(t0);
    const summary = last.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.label} ${r.description}`).join('\n');
    console.log(`Nodes tree:\n${summary}\nnotifications: ${JSON.stringify(await notifications(p))}`);
    await p.mouse.move(900, 700); // no hover tooltip over the activity bar in the picture
    await p.waitForTimeout(300);
    await p.screenshot({ path: join(out, 'tree-after-apply.png') });

    for (const n of NODE_NAMES) {
      assert.ok(last.some((r) => r.label === n), `node ${n} is not in the Nodes tree:\n${summary}`);
    }
    assert.ok(found, `pod nginx did not appear under a node in the Nodes tree within 90 s:\n${summary}`);
    assert.match(
      `${found.pod.description} ${found.pod.aria}`,
      /\bRunning\b/,
      `pod nginx (under ${found.node.label}) did not reach Running:\n${summary}`,
    );
    t.podNode = found.node.label;
    passed = true;
  } catch (e) {
    if (page) await page.screenshot({ path: join(out, 'failure.png') }).catch(() => undefined);
    if (server) console.error(`code-server log (tail):\n${server.logs()}`);
    if (consoleErrors.length) console.error(`browser console errors:\n${consoleErrors.slice(-20).join('\n')}`);
    throw e;
  } finally {
    t.uiTestSeconds = since(testStart);
    await context?.close().catch(() => undefined);
    await server?.stop();
    try {
      copyFileSync(home.logFile, join(out, 'ui-code-server.log'));
    } catch {
      /* no log */
    }
    recordTimings('ui', { ...t, passed, chromium: chromiumExe });
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
});
