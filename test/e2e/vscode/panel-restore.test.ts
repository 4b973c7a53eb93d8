// The panels come back after "Developer: Reload Window" (issue 8), the way VS Code's own editors and
// the Markdown preview do: the webviews saved their state (setState), VS Code activates the extension
// for `onWebviewPanel:<viewType>` and hands the state to its serializers. Here: apply a Secret and a
// Deployment, open the Secret's details on its Data tab and the topology filtered by a label
// selector, reload, and see both tabs back: the details of the same Secret, live again (the cluster
// restarts from its state folder), on the Data tab with the value still masked, and the topology
// with its filter. Then the Secret is deleted and the window reloaded again: the restored details
// panel names it and says it is not found. Screenshots in test-results/vscode/panel-restore-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { applyAllFromCodeLens, cspErrors, inVSCode, openFile, reloadWindow, runCommand, screenshot, webAndSecretYaml } from './harness.ts';

const SECRET_VALUE = 'hunter2-restore-test';
const YAML = webAndSecretYaml(SECRET_VALUE);

/** The webview frame (the page inside VS Code's iframe) in which `selector` matches, waiting for it. */
async function frameWith(p: Page, selector: string, what: string, timeout = 90_000): Promise<Frame> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    for (const f of p.frames()) {
      if (f === p.mainFrame()) continue;
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    await p.waitForTimeout(250); // polling the frames: a webview's frame comes and goes with its tab
  }
  throw new Error(`no webview showing ${what} within ${timeout / 1000} s`);
}

const editorTab = (p: Page, title: string) => p.locator('.tabs-container .tab', { hasText: title });

test('real VS Code: the details and topology panels come back after "Developer: Reload Window"', { timeout: 20 * 60_000 }, async () => {
  const settings = { 'editor.codeLens': true, 'files.autoSave': 'off' };
  await inVSCode('panel-restore', { settings, files: { 'restore.yaml': YAML } }, async ({ p, out, t, since }) => {
    const csp = cspErrors(p);
    await openFile(p, 'restore.yaml', 'nginx:1.27');
    await applyAllFromCodeLens(p, 'secret/db created');

    // The topology, filtered to app=web (the filter goes into the page's saved state).
    await runCommand(p, 'Kubernetes Emulator: Show Topology');
    const topo = await frameWith(p, '#selector', 'the topology');
    await topo.locator('g.v.k-Pod[aria-label^="Pod default/web-"]').first().waitFor({ timeout: 120_000 });
    await topo.locator('#selector input').fill('app=web');
    await topo.locator('#selector input').press('Enter');
    await topo.locator('#status', { hasText: '(filtered)' }).waitFor({ timeout: 30_000 });

    // The Secret's details on its Data tab (opened last: the active editor).
    await runCommand(p, 'Kubernetes Emulator: Show Details...');
    const input = p.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Secret db');
    await p.locator('.quick-input-list .monaco-list-row', { hasText: 'Secret db' }).first().waitFor({ timeout: 30_000 });
    await p.keyboard.press('Enter');
    const details = await frameWith(p, 'header h1 >> text=db', 'the details of Secret db');
    await details.locator('vscode-tab-header', { hasText: 'Data' }).click();
    await details.locator('table[aria-label="Secret data"] .masked').first().waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(p, join(out, 'panel-restore-before.png'));

    const t0 = Date.now();
    await reloadWindow(p);
    t.reloadWorkbenchSeconds = since(t0);

    // Both editor tabs are back, with their titles.
    await editorTab(p, 'Secret db').waitFor({ timeout: 60_000 });
    await editorTab(p, 'Topology').waitFor({ timeout: 60_000 });

    // The details: the same object, live again (the cluster restarted from its state folder), on the
    // Data tab, the value masked and nowhere in the page.
    const back = await frameWith(p, 'header h1 >> text=db', 'the restored details of Secret db', 120_000);
    t.detailsBackSeconds = since(t0);
    assert.equal((await back.locator('header h1 .kind').textContent())?.trim(), 'Secret');
    await back.locator('table[aria-label="Secret data"] .masked').first().waitFor({ state: 'visible', timeout: 120_000 });
    t.detailsLiveSeconds = since(t0);
    const masked = await back.locator('table[aria-label="Secret data"]').textContent();
    assert.match(masked ?? '', /password/, 'the restored Data tab lists the key');
    const everything = await back.locator('body').evaluate((b) => `${b.innerHTML}\n${document.body.dataset.state ?? ''}`);
    assert.ok(!everything.includes(SECRET_VALUE) && !everything.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'a Secret value is in the restored page');
    await screenshot(p, join(out, 'panel-restore-details.png'));

    // The topology: its filter kept, the Deployment's pod drawn again.
    await editorTab(p, 'Topology').click();
    const topoBack = await frameWith(p, '#selector', 'the restored topology', 120_000);
    await topoBack.locator('g.v.k-Pod.s-running:not(.entering)[aria-label^="Pod default/web-"]').first().waitFor({ timeout: 120_000 });
    t.topologyBackSeconds = since(t0);
    assert.equal(await topoBack.locator('#selector').evaluate((e) => (e as HTMLElement & { value: string }).value), 'app=web');
    await topoBack.locator('#status', { hasText: '(filtered)' }).waitFor({ timeout: 30_000 });
    await screenshot(p, join(out, 'panel-restore-topology.png'));

    // The object gone: deleted with the restored panel's own Delete button (and the modal's), the
    // panel marks it deleted; after another reload, the panel VS Code restores names the Secret and
    // says it is not found, rather than showing nothing or another object.
    await editorTab(p, 'Secret db').click();
    const live = await frameWith(p, 'header h1 >> text=db', 'the details of Secret db', 60_000);
    await live.locator('header vscode-button[aria-label="Delete"]').click();
    const dialog = p.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    await live.locator('header .deleted', { hasText: 'deleted' }).waitFor({ timeout: 60_000 });
    const t1 = Date.now();
    await reloadWindow(p);
    await editorTab(p, 'Secret db').waitFor({ timeout: 60_000 });
    await editorTab(p, 'Secret db').click();
    const gone = await frameWith(p, 'header .deleted', 'the restored details of the deleted Secret', 120_000);
    await gone.locator('header .deleted', { hasText: 'Not found' }).waitFor({ timeout: 120_000 });
    t.goneBackSeconds = since(t1);
    assert.match((await gone.locator('header h1').textContent()) ?? '', /Secret\s+db/);
    assert.equal(await gone.locator('vscode-tab-header').count(), 0, 'a restored panel of a deleted object shows tabs');
    await screenshot(p, join(out, 'panel-restore-gone.png'));
    assert.deepEqual(csp, [], 'a restored panel ran into its Content-Security-Policy');
  });
});
