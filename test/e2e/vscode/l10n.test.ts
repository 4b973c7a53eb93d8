// Real VS Code in English and in Korean (issue 9, "Languages"): code-server with the packaged
// extension, driven by playwright-core in Debian's Chromium. In each language the side bar shows the
// views by their localized names (package.nls.json / package.nls.ko.json), the palette runs the
// walkthrough by its localized title, and the walkthrough shows its localized title and the first
// step's page: media/walkthrough/start-cluster.md in English, start-cluster.nls.ko.md in Korean (VS Code
// reads `x.nls.<language>.md` next to `x.md`: GettingStartedDetailsRenderer.readContentsOfPath in
// microsoft/vscode src/vs/workbench/contrib/welcomeGettingStarted/browser/gettingStartedDetailsRenderer.ts).
// Screenshots: test-results/vscode/walkthrough-en.png and walkthrough-ko.png (Korean glyphs need a CJK
// font, e.g. Debian's fonts-noto-cjk; the assertions read text, not pixels).
//
// VS Code switches its display language only to a language a language pack provides, and no extension
// gallery is reachable here: the Korean run installs a language pack with no translations of its own
// (the workbench stays English, the extension's strings turn Korean) and starts code-server with
// `--locale ko`. code-server's CLI install does not write the language pack index the server reads
// (languagepacks.json in the user data folder, written by LanguagePacksCache in microsoft/vscode
// src/vs/platform/languagePacks/node/languagePacks.ts when a running server installs one), so the test
// writes it in that format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import {
  chromiumLaunchOptions,
  ensureCodeServer,
  installExtension,
  prepareHome,
  startCodeServer,
  withTimeout,
} from '../../../scripts/vscode-server.mjs';
import { makeWorkspace, packageExtension, PROJECT_ROOT, resultsDir, tempRoot } from './harness.ts';

interface Language {
  locale: 'en' | 'ko';
  container: string;
  views: string[];
  walkthroughCommand: string;
  walkthroughTitle: string;
  firstStep: string;
  /** Text of the first step's markdown page. */
  page: RegExp[];
}

const LANGUAGES: Language[] = [
  {
    locale: 'en',
    container: 'Kubernetes Emulator',
    views: ['Cluster', 'Workloads', 'Network', 'Config and Storage', 'Events'],
    walkthroughCommand: 'Kubernetes Emulator: Learn Kubernetes with the Emulator',
    walkthroughTitle: 'Learn Kubernetes with the emulator',
    firstStep: 'Start a 3-node cluster',
    page: [/The course practises on/, /Do:/, /Look for:/, /Completes when three nodes are Ready/],
  },
  {
    locale: 'ko',
    container: '쿠버네티스 에뮬레이터',
    views: ['클러스터', '워크로드', '네트워크', '구성 및 스토리지', '이벤트'],
    walkthroughCommand: '쿠버네티스 에뮬레이터: 에뮬레이터로 쿠버네티스 배우기',
    walkthroughTitle: '에뮬레이터로 쿠버네티스 배우기',
    firstStep: '3노드 클러스터 시작하기',
    page: [/강의에서는/, /할 일:/, /확인할 것:/, /완료 조건: 노드 세 개가 Ready 상태가 되면 완료됩니다/],
  },
];

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

async function runCommand(p: Page, title: string): Promise<void> {
  await p.keyboard.press('F1');
  const input = p.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await p.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await p.keyboard.press('Enter');
}

for (const lang of LANGUAGES) {
  test(`real VS Code in ${lang.locale}: views, palette and walkthrough in that language`, { timeout: 15 * 60_000 }, async () => {
    const out = resultsDir();
    const cs = await withTimeout(15 * 60_000, 'installing code-server', () => ensureCodeServer());
    const pkg = packageExtension();
    const root = tempRoot(`l10n-${lang.locale}`);
    const home = prepareHome(root, { settings: { 'workbench.startupEditor': 'none' } });
    const workspace = makeWorkspace(root);
    const extraArgs: string[] = [];
    if (lang.locale === 'ko') {
      installExtension(cs, home, koLanguagePack(root));
      const pack = readdirSync(home.extensionsDir).find((d) => d.startsWith('test.test-ko-pack-'));
      assert.ok(pack, `the language pack is not in ${home.extensionsDir}`);
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
      extraArgs.push('--locale', 'ko');
    }
    installExtension(cs, home, pkg.vsix);
    const server = await startCodeServer(cs, home, { workspace, extraArgs });
    const context = await chromium.launchPersistentContext(join(root, 'profile'), chromiumLaunchOptions());
    const p = context.pages()[0] ?? (await context.newPage());
    try {
      await p.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await p.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      await p.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });

      // The activity bar's container and, once opened, its five views, by their localized names.
      const item = p.locator(`.part.activitybar [aria-label^="${lang.container}"]`).first();
      await item.waitFor({ state: 'visible', timeout: 60_000 });
      await item.click();
      const headers = p.locator('.part.sidebar .pane-header h3.title');
      await headers.filter({ hasText: lang.views[0] }).first().waitFor({ state: 'visible', timeout: 30_000 });
      const titles = (await headers.allTextContents()).map((s) => s.trim());
      for (const v of lang.views) assert.ok(titles.includes(v), `side bar views ${JSON.stringify(titles)} lack "${v}"`);

      // The palette finds the walkthrough command by its localized category and title.
      await runCommand(p, lang.walkthroughCommand);
      const walkthrough = p.locator('.gettingStartedContainer');
      await walkthrough.getByText(lang.walkthroughTitle).first().waitFor({ state: 'visible', timeout: 30_000 });
      await walkthrough.getByText(lang.firstStep).first().waitFor({ state: 'visible', timeout: 30_000 });
      // The first step's page is its markdown in this language, rendered in a webview.
      const page = p.frameLocator('.gettingStartedContainer iframe.webview.ready').frameLocator('#active-frame').locator('body');
      const deadline = Date.now() + 30_000;
      let text = '';
      while (Date.now() < deadline) {
        text = await page.innerText({ timeout: 5000 }).catch(() => '');
        if (lang.page.every((re) => re.test(text))) break;
        await p.waitForTimeout(500);
      }
      for (const re of lang.page) assert.match(text, re);
      await p.screenshot({ path: join(out, `walkthrough-${lang.locale}.png`) });
    } catch (e) {
      await p.screenshot({ path: join(out, `l10n-${lang.locale}-failure.png`) }).catch(() => undefined);
      console.error(`code-server log (tail):\n${server.logs()}`);
      throw e;
    } finally {
      await context.close().catch(() => undefined);
      await server.stop();
      rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    }
  });
}
