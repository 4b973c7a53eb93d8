// Shared pieces of the real-VS-Code tests: packaging the extension, result files, the manifest, a
// Korean code-server, and the fixture (`inVSCode`) with the workbench helpers the UI tests share.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  chromiumLaunchOptions,
  chromiumPath,
  ensureCodeServer,
  installExtension,
  PROJECT_ROOT,
  prepareHome,
  startCodeServer,
  withTimeout,
  type CodeServerHome,
  type CodeServerInstall,
  type RunningCodeServer,
} from '../../../scripts/vscode-server.mjs';

export { PROJECT_ROOT };
export const RESULTS_DIR = join(PROJECT_ROOT, 'test-results', 'vscode');

export const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  containers:
    - name: nginx
      image: nginx
      ports:
        - containerPort: 80
`;

/** A one-replica nginx Deployment `web` and a Secret `db` whose password is `password` (the details and restore tests). */
export function webAndSecretYaml(password: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
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
---
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${password}
`;
}

export function resultsDir(): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return RESULTS_DIR;
}

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kube-emulator-${prefix}-`));
}

/** A workspace folder holding pod.yaml. */
export function makeWorkspace(root: string): string {
  const ws = join(root, 'workspace');
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, 'pod.yaml'), POD_YAML);
  return ws;
}

export interface PackageManifest {
  name: string;
  publisher: string;
  main?: string;
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    viewsContainers?: Record<string, { id: string; title: string }[]>;
    views?: Record<string, { id: string; name: string }[]>;
  };
}

export function manifest(): PackageManifest {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as PackageManifest;
}

function run(cmd: string, args: string[], what: string, timeoutMs: number): string {
  const r = spawnSync(cmd, args, { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) {
    throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}):\n${out.slice(-4000)}`);
  }
  return out;
}

/** Bundles the current sources (`node scripts/build.mjs`, about a second). */
export function buildExtension(): void {
  run(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs')], 'node scripts/build.mjs', 120_000);
  const m = manifest();
  if (m.main && !existsSync(join(PROJECT_ROOT, m.main))) throw new Error(`the build did not produce ${m.main}`);
}

/**
 * The .vsix under test. $KUBE_EMULATOR_VSIX names a ready one (for example dist/kube-emulator.vsix from
 * `npm run package`); otherwise the current sources are bundled (`node scripts/build.mjs`, about a second)
 * and packaged with `vsce package --no-dependencies` into a temp folder, so the test always installs what
 * is in the work tree, and `dist/kube-emulator.vsix` is left alone.
 */
export function packageExtension(): { vsix: string; seconds: number; built: boolean } {
  const t0 = Date.now();
  const given = process.env.KUBE_EMULATOR_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`KUBE_EMULATOR_VSIX=${given} does not exist`);
    return { vsix: given, seconds: 0, built: false };
  }
  buildExtension();
  const vsce = join(PROJECT_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  if (!existsSync(vsce)) throw new Error('@vscode/vsce is not installed: run `npm ci`');
  const out = join(mkdtempSync(join(tmpdir(), 'kube-emulator-vsix-')), 'kube-emulator.vsix');
  // Without a .vscodeignore, vsce would pack the whole work tree (.cache holds ~800 MB of code-server).
  if (!existsSync(join(PROJECT_ROOT, '.vscodeignore'))) {
    throw new Error('.vscodeignore is missing: vsce would pack the whole work tree, .cache/ included');
  }
  // The same command as `npm run package`, on the development build, into a temp folder.
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', out], 'vsce package', 180_000);
  const size = statSync(out).size;
  if (size > 50 * 1024 * 1024) {
    throw new Error(`${out} is ${(size / 1048576).toFixed(0)} MB: .vscodeignore lets too much in (check .cache/, node_modules/)`);
  }
  return { vsix: out, seconds: (Date.now() - t0) / 1000, built: true };
}

/** Appends one line of timings to test-results/vscode/timings.jsonl. */
export function recordTimings(test: string, timings: Record<string, number | string | boolean>): void {
  const line = JSON.stringify({ test, at: new Date().toISOString(), ...timings });
  writeFileSync(join(resultsDir(), 'timings.jsonl'), line + '\n', { flag: 'a' });
  console.log(`timings ${line}`);
}

/** A language pack for `ko` with no translations, packaged with vsce into `dir`. */
function koLanguagePack(dir: string): string {
  const src = join(dir, 'ko-pack');
  mkdirSync(join(src, 'translations'), { recursive: true });
  writeFileSync(
    join(src, 'package.json'),
    JSON.stringify({
      name: 'test-ko-pack',
      publisher: 'test',
      version: '0.0.1',
      license: 'MIT',
      engines: { vscode: '^1.90.0' },
      categories: ['Language Packs'],
      contributes: {
        localizations: [
          { languageId: 'ko', languageName: 'Korean', localizedLanguageName: '한국어', translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] },
        ],
      },
    }),
  );
  writeFileSync(join(src, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents: {} }));
  writeFileSync(join(src, 'LICENSE'), 'MIT');
  const vsix = join(dir, 'ko-pack.vsix');
  const r = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
    cwd: src,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`vsce package (language pack) failed:\n${r.stdout}${r.stderr}`);
  return vsix;
}

/**
 * Korean for the extension in code-server: VS Code switches its display language only to a language
 * a language pack provides, and no extension gallery is reachable here, so this installs a language
 * pack with no translations of its own (the workbench stays English, the extension's strings turn
 * Korean) and returns code-server's arguments (`--locale ko`). code-server's CLI install does not
 * write the language pack index the server reads (languagepacks.json in the user data folder,
 * written by LanguagePacksCache in microsoft/vscode src/vs/platform/languagePacks/node/languagePacks.ts
 * when a running server installs one), so this writes it in that format.
 */
export function koreanLocale(cs: CodeServerInstall, home: CodeServerHome, root: string): string[] {
  installExtension(cs, home, koLanguagePack(root));
  const pack = readdirSync(home.extensionsDir).find((d) => d.startsWith('test.test-ko-pack-'));
  if (!pack) throw new Error(`the language pack is not in ${home.extensionsDir}`);
  writeFileSync(
    join(home.userDataDir, 'languagepacks.json'),
    JSON.stringify({
      ko: {
        hash: 'testkopack',
        extensions: [{ extensionIdentifier: { id: 'test.test-ko-pack' }, version: '0.0.1' }],
        translations: { vscode: join(home.extensionsDir, pack, 'translations', 'main.i18n.json') },
        label: '한국어',
      },
    }),
  );
  return ['--locale', 'ko'];
}

/** Runs a command by its title through the command palette; tries again if the palette loses focus. */
export async function runCommand(page: Page, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.waitForTimeout(500);
    }
  }
}

/** Opens a workspace file through Quick Open and waits until the editor shows `text` from it. */
export async function openFile(p: Page, name: string, text: string): Promise<void> {
  await withTimeout(60_000, `opening ${name}`, async () => {
    await p.keyboard.press('F1');
    const input = p.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await p.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await p.keyboard.press('Enter');
    await p.locator('.tabs-container .tab', { hasText: name }).waitFor();
    await p.locator('.monaco-editor .view-lines', { hasText: text }).first().waitFor();
  });
}

/**
 * Clicks the open file's "Apply all to emulated cluster" CodeLens until the lens reports `result`
 * (e.g. `secret/db created`): a click that lands while the cluster is still starting is tried again,
 * up to three times. Returns the seconds from the lens showing to the result.
 */
export async function applyAllFromCodeLens(p: Page, result: string): Promise<number> {
  const applyAll = p.locator('.codelens-decoration a', { hasText: 'Apply all to emulated cluster' }).first();
  await applyAll.waitFor({ state: 'visible', timeout: 90_000 });
  const t0 = Date.now();
  const done = p.locator('.codelens-decoration a', { hasText: result }).first();
  for (let attempt = 1; ; attempt++) {
    await applyAll.click();
    const took = await done.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
    if (took || attempt === 3) break;
  }
  await done.waitFor({ state: 'visible', timeout: 60_000 });
  return (Date.now() - t0) / 1000;
}

/** The page's Content-Security-Policy violations from now on (its console's "Refused to ..." lines). */
export function cspErrors(p: Page): string[] {
  const errors: string[] = [];
  p.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
  });
  return errors;
}

/** "Developer: Reload Window", waiting for the new workbench (the old page is marked so it is not mistaken for it). */
export async function reloadWindow(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __beforeReload?: boolean }).__beforeReload = true));
  await runCommand(page, 'Developer: Reload Window');
  await page.waitForFunction(
    () => !(window as unknown as { __beforeReload?: boolean }).__beforeReload && !!document.querySelector('.monaco-workbench .part.statusbar'),
    undefined,
    { timeout: 60_000, polling: 200 },
  );
}

/** The .vsix under test, packaged once for all the tests of a file. */
let packaged: ReturnType<typeof packageExtension> | undefined;
export function packageOnce(): ReturnType<typeof packageExtension> & { reused: boolean } {
  if (packaged) return { ...packaged, reused: true };
  packaged = packageExtension();
  return { ...packaged, reused: false };
}

/** Debian's Chromium on a fresh profile under `root`; the page's console errors go to `errors`. */
export async function launchPage(root: string, errors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), chromiumLaunchOptions());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page };
}

/** Opens the workbench on `workspace` and waits for it and its status bar. */
export async function showWorkbench(p: Page, server: RunningCodeServer, workspace: string): Promise<void> {
  await p.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await p.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await p.locator('.statusbar').waitFor({ timeout: 60_000 });
}

/** Moves the mouse off the activity bar and tree, so no hover tooltip covers the picture. */
export async function screenshot(p: Page, path: string): Promise<void> {
  await p.mouse.move(900, 700);
  await p.waitForTimeout(300);
  await p.screenshot({ path });
}

/** Files under `dir` (recursively) whose name matches `re`. */
function findFiles(dir: string, re: RegExp, out: string[] = []): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) findFiles(p, re, out);
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}

/** The extension's output channel, one log per extension host (exthost1, exthost2, ...), oldest first. */
export function extensionLogs(userDataDir: string): { file: string; host: number; text: string }[] {
  return findFiles(join(userDataDir, 'logs'), /Kubernetes Emulator\.log$/)
    .map((file) => ({ file, host: Number(/[/\\]exthost(\d+)[/\\]/.exec(file)?.[1] ?? 0), text: readFileSync(file, 'utf8') }))
    .sort((a, b) => a.host - b.host);
}

/** The same, printable, for failure reports. */
export function extensionOutput(userDataDir: string): string {
  return extensionLogs(userDataDir)
    .map((l) => `--- ${l.file}\n${l.text.split('\n').slice(-60).join('\n')}`)
    .join('\n');
}

/** What a test body gets from `inVSCode`: a running code-server with the extension, and its page. */
export interface VSCodeRun {
  p: Page;
  server: RunningCodeServer;
  home: ReturnType<typeof prepareHome>;
  root: string;
  workspace: string;
  /** The results folder (screenshots, logs). */
  out: string;
  /** Timings and facts recorded with the test's name (harness.recordTimings). */
  t: Record<string, number | string | boolean>;
  since(t0: number): number;
}

/**
 * One test's real VS Code, set up and torn down the same way for every test: code-server (installed
 * once), the packaged .vsix installed into a fresh user-data folder with `settings`, a workspace
 * with `files`, Chromium showing the workbench. On failure: NAME-failure.png, code-server's log tail,
 * the extension's output and the browser console; always: NAME-code-server.log and the timings.
 */
export async function inVSCode(
  name: string,
  opts: { settings: Record<string, unknown>; files?: Record<string, string>; locale?: 'ko' },
  body: (run: VSCodeRun) => Promise<void>,
): Promise<void> {
  const out = resultsDir();
  rmSync(join(out, `${name}-failure.png`), { force: true }); // a picture of an earlier failure would mislead
  const t: Record<string, number | string | boolean> = {};
  const since = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;
  // Fails (never skips) with the Debian package to install.
  const chromiumExe = chromiumPath();
  let t0 = Date.now();
  const cs = await withTimeout(15 * 60_000, 'installing code-server', () => ensureCodeServer());
  t.codeServerInstallSeconds = since(t0);
  t.codeServerInstallCold = cs.installed;
  t0 = Date.now();
  const pkg = packageOnce();
  t.packageSeconds = since(t0);
  t.packageReused = pkg.reused;
  const root = tempRoot(name);
  const home = prepareHome(root, { settings: opts.settings });
  const workspace = makeWorkspace(root);
  for (const [file, text] of Object.entries(opts.files ?? {})) writeFileSync(join(workspace, file), text);
  const extraArgs = opts.locale === 'ko' ? koreanLocale(cs, home, root) : [];
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
    server = await startCodeServer(cs, home, { workspace, extraArgs });
    t.codeServerReadySeconds = since(t0);
    t0 = Date.now();
    ({ context, page } = await launchPage(root, consoleErrors));
    await showWorkbench(page, server, workspace);
    t.workbenchSeconds = since(t0);
    await body({ p: page, server, home, root, workspace, out, t, since });
    passed = true;
  } catch (e) {
    if (page) await page.screenshot({ path: join(out, `${name}-failure.png`) }).catch(() => undefined);
    if (server) console.error(`code-server log (tail):\n${server.logs()}`);
    console.error(`extension output:\n${extensionOutput(home.userDataDir)}`);
    if (consoleErrors.length) console.error(`browser console errors:\n${consoleErrors.slice(-20).join('\n')}`);
    throw e;
  } finally {
    t.testSeconds = since(testStart);
    await context?.close().catch(() => undefined);
    await server?.stop();
    try {
      copyFileSync(home.logFile, join(out, `${name}-code-server.log`));
    } catch {
      /* no log */
    }
    recordTimings(name, { ...t, passed, chromium: chromiumExe });
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Clicks the quick input's row labelled exactly `label` (a quick pick opened by a command). */
export async function pickInQuickInput(p: Page, label: string): Promise<void> {
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(label);
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const row = p.locator('.quick-input-list .monaco-list-row').filter({ has: p.locator('.label-name', { hasText: exact }) }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await input.waitFor({ state: 'hidden', timeout: 15_000 });
}
