// Real VS Code, end to end: code-server (from npm) with the packaged extension, driven by playwright-core
// in Debian's Chromium. Open pod.yaml, click the CodeLens "Apply to emulated cluster", open the
// "Kubernetes Emulator" view and see the pod nginx under a node in the Nodes tree, Running. Then, in a
// second window, the same again followed by "Developer: Reload Window": the cluster is kept in the
// workspace storage, so after the reload the same pod is listed under the same node, Running.
// Screenshots go to test-results/vscode/. Needs Chromium (/usr/bin/chromium or $CHROMIUM_PATH); the
// code-server install is cached under .cache/vscode-server (or $KUBE_EMULATOR_VSCODE_CACHE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { applyAllFromCodeLens, cspErrors, extensionLogs, extensionOutput, inVSCode, manifest, openFile, pickInQuickInput, reloadWindow, runCommand, screenshot, webAndSecretYaml } from './harness.ts';

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

/** The Cluster view's pane in the side bar (the container also has Workloads, Network, ... views). */
function clusterPane(page: Page) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header h3.title', { hasText: /^Cluster$/ }) });
}

/** The rows of the Cluster tree in the side bar, in list order. */
async function treeRows(page: Page): Promise<Row[]> {
  const rows = await clusterPane(page).locator('.monaco-list-row').evaluateAll((els) =>
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

/**
 * Shows the Kubernetes Emulator view container in the side bar. Checks before each step, because a
 * reloaded window restores its side bar (and can take focus from the command palette) a moment after
 * the activity bar shows: clicking an already active container would close it again.
 */
async function openView(page: Page): Promise<void> {
  const item = page.locator(`.part.activitybar [aria-label^="${CONTAINER_TITLE}"]`).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 }).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (await sideBarShowsView(page, attempt === 0 ? 500 : 3000)) return;
    const checked = await item
      .getAttribute('aria-checked', { timeout: 2000 })
      .then(async (c) => c ?? (await item.getAttribute('aria-selected', { timeout: 2000 })))
      .catch(() => null);
    if (attempt % 2 === 0 && checked !== 'true' && (await item.isVisible())) await item.click({ timeout: 5000 }).catch(() => undefined);
    else await runCommand(page, `${CONTAINER_TITLE}: Focus on Cluster View`).catch(() => undefined);
  }
  throw new Error(`the side bar does not show the ${CONTAINER_TITLE} view`);
}

async function sideBarShowsView(page: Page, timeoutMs: number): Promise<boolean> {
  return page
    .locator('.part.sidebar .composite.title', { hasText: CONTAINER_TITLE })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs })
    .then(() => true)
    .catch(() => false);
}

const openPodYaml = (p: Page) => openFile(p, 'pod.yaml', 'nginx');

const isRunning = (r: Row) => /\bRunning\b/.test(`${r.description} ${r.aria}`);

function treeSummary(rows: Row[]): string {
  return rows.map((r) => `${'  '.repeat(Math.max(0, r.level - 1))}${r.label} ${r.description}`).join('\n');
}

/**
 * Expands the nodes of the Nodes tree until `pod` shows under one of them, Running, or `timeoutMs`
 * passes. Returns the last rows seen and where the pod was, if it was.
 */
async function waitForPodInTree(
  p: Page,
  pod: string,
  timeoutMs: number,
): Promise<{ found?: { node: Row; pod: Row }; last: Row[]; summary: string }> {
  let found: { node: Row; pod: Row } | undefined;
  let last: Row[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = await treeRows(p);
    found = findPodUnderNode(last, pod);
    if (found && isRunning(found.pod)) break;
    for (const r of last) {
      if (NODE_NAMES.includes(r.label) && r.expanded === 'false') {
        await clusterPane(p)
          .locator(`.monaco-list-row[data-index="${r.index}"] .monaco-tl-twistie`)
          .click({ timeout: 5000 })
          .catch(() => undefined);
      }
    }
    await p.waitForTimeout(500);
  }
  return { found, last, summary: treeSummary(last) };
}

test('real VS Code: CodeLens applies pod.yaml and the pod shows in the Nodes tree', { timeout: 20 * 60_000 }, async () => {
  const settings = { 'editor.codeLens': true, 'workbench.tree.expandMode': 'singleClick', 'files.autoSave': 'off' };
  await inVSCode('ui', { settings }, async ({ p, out, t, since }) => {
    await openPodYaml(p);

    // The CodeLens shows once the extension has activated.
    let t0 = Date.now();
    const lens = p.locator('.codelens-decoration a', { hasText: LENS_TITLE }).first();
    await lens.waitFor({ state: 'visible', timeout: 90_000 });
    t.codeLensSeconds = since(t0);
    await p.screenshot({ path: join(out, 'editor-with-codelens.png') });

    t0 = Date.now();
    await lens.click();
    await openView(p);

    // Expand the nodes until nginx shows under one of them, then wait for Running.
    const { found, last, summary } = await waitForPodInTree(p, 'nginx', 90_000);
    t.applyToTreeSeconds = since(t0);
    console.log(`Nodes tree:\n${summary}\nnotifications: ${JSON.stringify(await notifications(p))}`);
    await screenshot(p, join(out, 'tree-after-apply.png'));

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
  });
});

test('real VS Code: the cluster survives "Developer: Reload Window" with the pod intact', { timeout: 20 * 60_000 }, async () => {
  const m = manifest();
  const extensionId = `${m.publisher}.${m.name}`;
  const settings = { 'editor.codeLens': true, 'workbench.tree.expandMode': 'singleClick', 'files.autoSave': 'off' };
  await inVSCode('reload', { settings }, async ({ p, home, out, t, since }) => {
    const workspaceStorage = join(home.userDataDir, 'User', 'workspaceStorage');
    const stateFolders = () =>
      (existsSync(workspaceStorage) ? readdirSync(workspaceStorage) : [])
        .map((h) => join(workspaceStorage, h, extensionId, 'state'))
        .filter((d) => existsSync(d));
    let t0 = Date.now();
    // Before the reload: apply pod.yaml through its CodeLens and see nginx Running under a node.
    await openPodYaml(p);
    const lens = p.locator('.codelens-decoration a', { hasText: LENS_TITLE }).first();
    await lens.waitFor({ state: 'visible', timeout: 90_000 });
    t0 = Date.now();
    await lens.click();
    await openView(p);
    const before = await waitForPodInTree(p, 'nginx', 90_000);
    t.applyToTreeSeconds = since(t0);
    console.log(`Nodes tree before the reload:\n${before.summary}`);
    assert.ok(
      before.found && isRunning(before.found.pod),
      `before the reload, pod nginx did not show Running under a node within 90 s:\n${before.summary}`,
    );
    const nodeBefore = before.found.node.label;
    t.podNodeBefore = nodeBefore;
    // The cluster is kept where the issue says: a state folder in this workspace's storage.
    const folders = stateFolders();
    assert.equal(
      folders.length,
      1,
      `expected one state folder <workspaceStorage>/<hash>/${extensionId}/state under ${workspaceStorage}, found ${JSON.stringify(folders)}`,
    );
    const stateFolder = folders[0];
    console.log(`state folder ${stateFolder}: ${readdirSync(stateFolder).join(', ')}`);
    assert.ok(
      readdirSync(stateFolder).some((f) => /^(wal-.*\.log|snapshot-.*\.jsonl)$/.test(f)),
      `the state folder ${stateFolder} holds no log or snapshot: ${readdirSync(stateFolder).join(', ')}`,
    );

    // Reload the window.
    t0 = Date.now();
    await reloadWindow(p);
    t.reloadWorkbenchSeconds = since(t0);

    // Open the view again: the cluster starts from the state folder. Nothing is applied again.
    t0 = Date.now();
    await openView(p);
    const after = await waitForPodInTree(p, 'nginx', 60_000);
    t.reloadToTreeSeconds = since(t0);
    console.log(`Nodes tree after the reload:\n${after.summary}\nnotifications: ${JSON.stringify(await notifications(p))}`);
    await screenshot(p, join(out, 'tree-after-reload.png'));

    for (const n of NODE_NAMES) {
      assert.ok(after.last.some((r) => r.label === n), `after the reload, node ${n} is not in the Nodes tree:\n${after.summary}`);
    }
    assert.ok(after.found, `after the reload, pod nginx is not listed under a node within 60 s:\n${after.summary}`);
    assert.equal(
      after.found.node.label,
      nodeBefore,
      `after the reload, pod nginx is under ${after.found.node.label}, before it was under ${nodeBefore}:\n${after.summary}`,
    );
    assert.ok(isRunning(after.found.pod), `after the reload, pod nginx (under ${nodeBefore}) is not Running:\n${after.summary}`);
    assert.deepEqual(stateFolders(), [stateFolder], 'the reloaded window uses another state folder');
    // The pod came back from the state folder, not from a cluster that outlived the reload: a second
    // extension host started a cluster on the same folder (not in memory), and applied nothing.
    const hosts = extensionLogs(home.userDataDir);
    assert.ok(hosts.length >= 2, `expected the output of two extension hosts (before and after the reload), found ${hosts.length}:\n${extensionOutput(home.userDataDir)}`);
    const reloaded = hosts[hosts.length - 1].text;
    assert.ok(
      reloaded.includes('Starting the emulated cluster') && reloaded.includes(stateFolder) && !/lives in memory/.test(reloaded) && !/pod\/nginx/.test(reloaded),
      `the reloaded window's cluster did not start from ${stateFolder}, or applied pod/nginx again:\n${reloaded}`,
    );
    t.podNodeAfter = after.found.node.label;
  });
});

// The editor (issue 7) in a real VS Code: in a Deployment, type a field name with a typo and see
// the apiserver's strict-decoding error in the Problems panel on that line; replace it through
// completion (IntelliSense offers imagePullPolicy, with its enum values); click the Apply lens and
// read kubectl's word for the result in the lens row.
const WEB_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

/** The text of editor line `n` (1-based) as Monaco renders it (the line must be in view). */
async function editorLine(p: Page, n: number): Promise<string> {
  return p.locator('.editor-instance .monaco-editor').first().evaluate((editor, line) => {
    // Rendered lines and their numbers are matched by their vertical position. (No named
    // functions in here: the test's compiler would wrap them in a helper the page lacks.)
    const number = Array.from(editor.querySelectorAll('.margin-view-overlays .line-numbers')).find((e) => e.textContent?.trim() === String(line));
    if (!number) return '';
    const top = number.getBoundingClientRect().top;
    const view = Array.from(editor.querySelectorAll('.view-lines .view-line')).find((e) => Math.abs(e.getBoundingClientRect().top - top) < 3);
    return (view?.textContent ?? '').replace(/\u00a0/g, ' ');
  }, n);
}

async function goToLine(p: Page, n: number): Promise<void> {
  await runCommand(p, 'Go to Line/Column...');
  await p.locator('.quick-input-widget input').fill(`:${n}`);
  await p.keyboard.press('Enter');
  // Keys go to the editor only once the picker has closed and given the focus back.
  await p.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await p.locator('.editor-instance .monaco-editor.focused').waitFor();
  await p.waitForTimeout(200);
}

/** The Problems panel's rows (their accessible labels carry message, source and position). */
async function problemRows(p: Page): Promise<string[]> {
  return p
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label') ?? ''} | ${(e.textContent ?? '').trim()}`))
    .catch(() => []);
}

test('real VS Code: a typo shows in Problems on its line, completion fixes it, the Apply lens reports created', { timeout: 20 * 60_000 }, async () => {
  const settings = { 'editor.codeLens': true, 'files.autoSave': 'off', 'editor.quickSuggestions': { other: false, comments: false, strings: false } };
  await inVSCode('editor', { settings, files: { 'web.yaml': WEB_YAML } }, async ({ p, out, t, since }) => {
    let t0 = Date.now();
    await openFile(p, 'web.yaml', 'nginx:1.27');
    const lens = p.locator('.codelens-decoration a', { hasText: LENS_TITLE }).first();
    await lens.waitFor({ state: 'visible', timeout: 90_000 });

    // 1. Type a mistake on a new line 18: a field the Container schema does not have.
    t0 = Date.now();
    await goToLine(p, 17);
    await p.keyboard.press('End');
    await p.keyboard.press('Enter');
    await p.keyboard.type('imagePullPolicyy: Always');
    assert.match(await editorLine(p, 18), /^\s+imagePullPolicyy: Always$/);
    await p.keyboard.press('Control+Shift+M'); // View: Problems
    const expected = 'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"';
    let rows: string[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !rows.some((r) => r.includes(expected))) {
      await p.waitForTimeout(300);
      rows = await problemRows(p);
    }
    t.typoToProblemSeconds = since(t0);
    await screenshot(p, join(out, 'editor-problems.png'));
    const row = rows.find((r) => r.includes(expected));
    assert.ok(row, `no Problems row with ${expected}; rows: ${JSON.stringify(rows)}`);
    // The row's position: line 18, column 11 (the key), as `kube-emulator validate` prints it.
    assert.match(row, /\[Ln 18, Col 11\]/, row);

    // 2. Completion: replace the typo by the suggestion for "imagePull" on that line.
    await goToLine(p, 18);
    await p.keyboard.press('End');
    await p.keyboard.press('Shift+Home');
    await p.keyboard.type('imagePull');
    await p.keyboard.press('Control+Space');
    const suggestion = p.locator('.editor-widget.suggest-widget .monaco-list-row', { hasText: 'imagePullPolicy' }).first();
    await suggestion.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot(p, join(out, 'editor-completion.png'));
    await p.keyboard.press('Enter');
    await p.waitForTimeout(500);
    assert.match(await editorLine(p, 18), /^\s+imagePullPolicy: ?/, 'the accepted completion inserts the key');
    await p.keyboard.press('Escape');
    await p.keyboard.press('End');
    await p.keyboard.type('IfNotPresent');
    assert.match(await editorLine(p, 18), /^\s+imagePullPolicy: IfNotPresent$/);
    // The problem goes once the text is right.
    const clearDeadline = Date.now() + 30_000;
    while (Date.now() < clearDeadline && (await problemRows(p)).some((r) => r.includes('unknown field'))) await p.waitForTimeout(300);
    assert.ok(!(await problemRows(p)).some((r) => r.includes('web.yaml') && /error/i.test(r)), `problems left: ${JSON.stringify(await problemRows(p))}`);

    // 3. Apply through the lens (at the top of the document): the lens row then reads kubectl's result.
    await p.keyboard.press('Control+Home');
    await lens.waitFor({ state: 'visible' });
    // Lenses are re-rendered a moment after the last edit; a click on the replaced element is lost.
    await p.waitForTimeout(1500);
    t0 = Date.now();
    const result = p.locator('.codelens-decoration a', { hasText: 'deployment.apps/web created' }).first();
    const stopped = p.locator('.statusbar-item', { hasText: 'Kubernetes: stopped' });
    for (let attempt = 1; ; attempt++) {
      await lens.click();
      // The click took if the cluster starts (it starts on the first apply) or the result shows.
      const took = await Promise.race([
        result.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true),
        stopped.waitFor({ state: 'hidden', timeout: 15_000 }).then(() => true),
      ]).catch(() => false);
      if (took || attempt === 3) break;
    }
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    t.applyToLensResultSeconds = since(t0);
    await screenshot(p, join(out, 'editor-lens-result.png'));
  });
});

// The details panel (issue 8): apply a Deployment and a Secret, open a pod's panel on its Logs tab
// (Show Logs... from the palette, which picks a pod) and read nginx's start-up lines; then the
// Secret's panel: the value is masked (nowhere in the webview), Reveal shows it.
const DETAILS_YAML = webAndSecretYaml('hunter2-details-test');

test('real VS Code: details panel shows a pod\'s logs and a Secret masked until Reveal', { timeout: 20 * 60_000 }, async () => {
  const settings = { 'editor.codeLens': true, 'files.autoSave': 'off' };
  await inVSCode('details', { settings, files: { 'details.yaml': DETAILS_YAML } }, async ({ p, out, t, since }) => {
    const webview = () => p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    /** Runs a palette command that opens a quick pick of objects, and picks the first row matching `pick`. */
    const pickFromPalette = async (title: string, pick: string) => {
      await runCommand(p, title);
      const input = p.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill(pick);
      await p.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 30_000 });
      await p.keyboard.press('Enter');
    };

    await openFile(p, 'details.yaml', 'nginx:1.27');
    t.applyAllSeconds = await applyAllFromCodeLens(p, 'secret/db created');

    // 1. Logs of the Deployment's pod: Show Logs... picks it; the Logs tab follows the container's log.
    let t0 = Date.now();
    const logLine = 'Configuration complete; ready for start up';
    const log = webview().locator('pre.log');
    for (let attempt = 1; ; attempt++) {
      if (attempt === 1) await pickFromPalette('Kubernetes Emulator: Show Logs...', 'Pod web-');
      await log.waitFor({ state: 'visible', timeout: 60_000 });
      // A pod still starting answers "waiting to start": Reload asks again.
      const ok = await log.filter({ hasText: logLine }).waitFor({ timeout: 10_000 }).then(() => true, () => false);
      if (ok) break;
      if (attempt >= 12) assert.fail(`no log line "${logLine}" in the Logs tab: ${await log.textContent()}`);
      await webview().locator('vscode-button[aria-label="Reload log"]').click();
    }
    t.logsSeconds = since(t0);
    const title = await webview().locator('header h1').textContent();
    assert.match(title ?? '', /^Pod web-[a-z0-9]+-[a-z0-9]+$/, `panel heading: ${title}`);
    await screenshot(p, join(out, 'details-pod-logs.png'));
    // The Summary tab: the pod's facts, live.
    await webview().locator('vscode-tab-header', { hasText: 'Summary' }).click();
    await webview().locator('dl.facts dd', { hasText: 'Running' }).first().waitFor({ timeout: 60_000 });
    await screenshot(p, join(out, 'details-pod-summary.png'));

    // 2. The Secret: masked, nothing of the value in the webview until Reveal.
    await runCommand(p, 'View: Close All Editors');
    await p.locator('iframe.webview').waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    await pickFromPalette('Kubernetes Emulator: Show Details...', 'Secret db');
    await webview().locator('header h1', { hasText: 'db' }).waitFor({ timeout: 60_000 });
    await webview().locator('vscode-tab-header', { hasText: 'Data' }).click();
    const masked = webview().locator('table[aria-label="Secret data"] .masked');
    await masked.first().waitFor({ timeout: 30_000 });
    assert.equal(await masked.first().textContent(), '••••••');
    const everything = await webview().locator('body').evaluate((b) => `${b.innerHTML}\n${document.body.dataset.state ?? ''}`);
    assert.ok(!everything.includes('hunter2-details-test') && !everything.includes(Buffer.from('hunter2-details-test').toString('base64')), 'the Secret value is in the webview before Reveal');
    await screenshot(p, join(out, 'details-secret-masked.png'));
    await webview().locator('vscode-button[aria-label="Reveal password"]').click();
    await webview().locator('.secret-value', { hasText: 'hunter2-details-test' }).waitFor({ timeout: 30_000 });
    await screenshot(p, join(out, 'details-secret-revealed.png'));

    // 3. Edit: Monaco (workers from blob: URLs under the panel's CSP) with the Secret's schema; Apply
    // is a server-side apply under the extension's manager, reported in kubectl's words.
    const csp = cspErrors(p);
    t0 = Date.now();
    await webview().locator('vscode-tab-header', { hasText: 'Edit' }).click();
    await webview().locator('.monaco-editor .view-lines', { hasText: 'kind: Secret' }).waitFor({ timeout: 60_000 });
    t.editorSeconds = since(t0);
    const editorText = await webview().locator('.monaco-editor .view-lines').textContent();
    assert.ok(!(editorText ?? '').includes(Buffer.from('hunter2-details-test').toString('base64')), 'the Edit tab shows the Secret value');
    await webview().locator('vscode-button[aria-label="Apply (server-side apply)"]').click();
    await webview().locator('.apply-status', { hasText: /secret\/db (configured|unchanged)/ }).waitFor({ timeout: 30_000 });
    await screenshot(p, join(out, 'details-edit-applied.png'));
    // monaco-yaml validates against the Secret's schema (in its worker): a boolean field given a word.
    await webview().locator('.monaco-editor .view-lines').click();
    await p.keyboard.press('Control+End');
    await p.keyboard.type('immutable: maybe');
    await p.keyboard.press('Escape');
    await webview().locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ timeout: 30_000 });
    // The message, in a hover on the value (yaml-language-server's words).
    let hover = '';
    for (let attempt = 0; attempt < 5 && !hover.includes('Expected "boolean"'); attempt++) {
      await webview().locator('.monaco-editor .view-line span', { hasText: /^maybe$/ }).last().hover();
      hover = await webview().locator('.monaco-hover:not(.hidden)').first().textContent({ timeout: 5000 }).then((x) => x ?? '', () => '');
      if (!hover.includes('Expected "boolean"')) await p.mouse.move(900, 700);
    }
    await screenshot(p, join(out, 'details-edit-schema.png'));
    if (!hover.includes('Expected "boolean"')) {
      await webview().locator('.monaco-editor .view-line span', { hasText: /^apiVersion$/ }).first().hover();
      const first = await webview().locator('.monaco-hover:not(.hidden)').first().textContent({ timeout: 5000 }).catch(() => '');
      assert.fail(`hover on "maybe": ${hover}; on line 1: ${first}`);
    }
    assert.deepEqual(csp, [], 'the panel ran into its Content-Security-Policy');
  });
});

// The topology panel (issue 8): apply a Deployment and a Service, open "Show Topology" from the
// command palette, and see the Deployment's pods drawn in the panel (Running, laid out by the elkjs
// worker under the panel's CSP), with the Service's and ReplicaSet's links to them.
const TOPOLOGY_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
    - port: 80
`;

test('real VS Code: the topology panel draws a Deployment\'s pods', { timeout: 20 * 60_000 }, async () => {
  const settings = { 'editor.codeLens': true, 'files.autoSave': 'off' };
  await inVSCode('topology', { settings, files: { 'topology.yaml': TOPOLOGY_YAML } }, async ({ p, out, t, since }) => {
    const csp = cspErrors(p);
    await openFile(p, 'topology.yaml', 'nginx:1.27');
    await applyAllFromCodeLens(p, 'service/shop created');

    const t0 = Date.now();
    await runCommand(p, 'Kubernetes Emulator: Show Topology');
    const frame = p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const pods = frame.locator('g.v.k-Pod[aria-label^="Pod default/shop-"]');
    // Three pods, Running, placed by a layout (a vertex is "entering" until the worker placed it).
    const running = frame.locator('g.v.k-Pod.s-running:not(.entering)[aria-label^="Pod default/shop-"]');
    await running.nth(2).waitFor({ timeout: 120_000 });
    t.topologySeconds = since(t0);
    const labels = await pods.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    assert.equal(labels.length, 3, `pods in the topology: ${JSON.stringify(labels)}`);
    for (const l of labels) assert.match(l, /^Pod default\/shop-[a-z0-9]+-[a-z0-9]+: Running$/);
    await frame.locator('g.v.k-Deployment[aria-label="Deployment default/shop: 3/3 ready"]').waitFor({ timeout: 60_000 });
    await frame.locator('g.v.k-Service[aria-label^="Service default/shop"]').waitFor();
    assert.ok((await frame.locator('g.v.k-Node').count()) >= 1, 'the nodes that run the pods are drawn');
    // ReplicaSet → pod and Service → pod links are drawn for each pod.
    assert.equal(await frame.locator('path.e.e-owns:not(.entering)').count() >= 4, true, 'ownership links drawn');
    assert.equal(await frame.locator('path.e.e-selects').count(), 3, 'the Service links its three pods');
    assert.match((await frame.locator('#status').textContent()) ?? '', /\b\d+ pods?, \d+ nodes?\b/);
    await p.waitForTimeout(800); // the fade-in
    await screenshot(p, join(out, 'topology.png'));
    assert.deepEqual(csp, [], 'the panel ran into its Content-Security-Policy');

    // Auto-healing, seen in the views: stop a node that runs a shop pod (palette, as a user would),
    // fast-forward past the node grace period (50 s) and the not-ready toleration (300 s): the
    // ReplicaSet's replacements run on the other nodes; the stopped node's pods stay Terminating.
    await openView(p);
    const before = await waitForShopPods(p, (m) => [...m.values()].flat().filter(isRunning).length === 3, 90_000);
    const victim = [...before.byNode].find(([, pods]) => pods.some(isRunning))![0];
    t.stoppedNode = victim;
    await runCommand(p, 'Kubernetes Emulator: Stop Node (Simulate an Outage)');
    await pickInQuickInput(p, victim);
    for (const step of ['1m', '5m']) {
      await runCommand(p, 'Kubernetes Emulator: Fast-Forward Clock...');
      await pickInQuickInput(p, step);
    }
    const t1 = Date.now();
    const after = await waitForShopPods(
      p,
      (m) => [...m].filter(([n]) => n !== victim).flatMap(([, pods]) => pods).filter(isRunning).length === 3 && !(m.get(victim) ?? []).some(isRunning),
      120_000,
    );
    t.podsMovedSeconds = since(t1);
    console.log(`Cluster tree after stopping ${victim} and fast-forwarding 6m:\n${after.summary}`);
    assert.ok(after.ok, `the shop pods did not move off ${victim} within 120 s:\n${after.summary}`);
    assert.match(after.rows.find((r) => r.label === victim)?.description ?? '', /NotReady|Unknown|Stopped/i, `node ${victim} is not shown down`);
    await screenshot(p, join(out, 'auto-healing-tree.png'));
    // The topology follows: three Running shop pods, none of them linked to the stopped node.
    // (Not `hasText: 'Topology'`: that also matches the topology.yaml tab.)
    await p.locator('.tabs-container .tab').filter({ has: p.locator('.label-name', { hasText: /^Topology$/ }) }).first().click();
    await running.nth(2).waitFor({ timeout: 60_000 });
    // The Deployment's status catches up: its three replicas ready again (the live model keeps up).
    await frame.locator('g.v.k-Deployment[aria-label="Deployment default/shop: 3/3 ready"]').waitFor({ timeout: 60_000 });
    await p.waitForTimeout(1500); // the move's animation
    await screenshot(p, join(out, 'topology-after-node-stop.png'));
  });
});

/** The shop pods under each node of the Cluster tree (nodes expanded as needed), until `ok` or timeout. */
async function waitForShopPods(
  p: Page,
  ok: (byNode: Map<string, Row[]>) => boolean,
  timeoutMs: number,
): Promise<{ ok: boolean; byNode: Map<string, Row[]>; rows: Row[]; summary: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await treeRows(p);
    const byNode = new Map<string, Row[]>();
    let node: string | undefined;
    for (const r of rows) {
      if (NODE_NAMES.includes(r.label)) byNode.set((node = r.label), []);
      else if (node && r.label.startsWith('shop-')) byNode.get(node)!.push(r);
    }
    if (ok(byNode) || Date.now() > deadline) return { ok: ok(byNode), byNode, rows, summary: treeSummary(rows) };
    for (const r of rows) {
      if (NODE_NAMES.includes(r.label) && r.expanded === 'false') {
        await clusterPane(p).locator(`.monaco-list-row[data-index="${r.index}"] .monaco-tl-twistie`).click({ timeout: 5000 }).catch(() => undefined);
      }
    }
    await p.waitForTimeout(500);
  }
}

// The panels in the dark and high-contrast themes: they take their colours from VS Code's theme
// variables, so both must be readable. Screenshots topology-THEME.png and details-THEME.png.
for (const [theme, file] of [
  ['Default Dark Modern', 'dark'],
  ['Default High Contrast', 'hc'],
] as const) {
  test(`real VS Code: the topology and details panels in ${theme}`, { timeout: 20 * 60_000 }, async () => {
    const settings = { 'editor.codeLens': true, 'files.autoSave': 'off', 'workbench.colorTheme': theme };
    await inVSCode(`theme-${file}`, { settings, files: { 'topology.yaml': TOPOLOGY_YAML } }, async ({ p, out }) => {
      await openFile(p, 'topology.yaml', 'nginx:1.27');
      await applyAllFromCodeLens(p, 'service/shop created');
      await runCommand(p, 'Kubernetes Emulator: Show Topology');
      const frame = p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await frame.locator('g.v.k-Pod.s-running:not(.entering)[aria-label^="Pod default/shop-"]').nth(2).waitFor({ timeout: 120_000 });
      // The theme reached the webview: VS Code sets its kind on the webview's body.
      const kind = await frame.locator('body').getAttribute('data-vscode-theme-kind');
      assert.equal(kind, file === 'dark' ? 'vscode-dark' : 'vscode-high-contrast');
      await p.waitForTimeout(800);
      await screenshot(p, join(out, `topology-${file}.png`));
      // A pod's details, opened from the topology (Enter on a focused pod).
      await frame.locator('g.v.k-Pod[aria-label^="Pod default/shop-"]').first().click();
      const details = p.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');
      await details.locator('header h1', { hasText: /^Pod shop-/ }).waitFor({ timeout: 60_000 });
      await details.locator('dl.facts dd', { hasText: 'Running' }).first().waitFor({ timeout: 60_000 });
      await screenshot(p, join(out, `details-${file}.png`));
    });
  });
}
