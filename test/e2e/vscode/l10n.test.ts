// Real VS Code in English and in Korean (issue 9, "Languages"): code-server with the packaged
// extension, driven by playwright-core in Debian's Chromium. In each language the side bar shows the
// views by their localized names (package.nls.json / package.nls.ko.json), the palette runs the
// walkthrough by its localized title, and the walkthrough shows its localized title and the first
// step's page: media/walkthrough/start-cluster.md in English, start-cluster.nls.ko.md in Korean (VS Code
// reads `x.nls.<language>.md` next to `x.md`: GettingStartedDetailsRenderer.readContentsOfPath in
// microsoft/vscode src/vs/workbench/contrib/welcomeGettingStarted/browser/gettingStartedDetailsRenderer.ts).
// Then the two webview panels in that language (they get the bundle in their initial state:
// src/extension/panels/state.ts): the topology, opened from the palette (it starts the cluster), and
// the details of the node it draws, opened by a click on it; the details' Overview keeps kubectl
// describe's keys (Ready, Kubelet Version) in both languages.
// Screenshots: test-results/vscode/walkthrough-, topology- and details-en.png / -ko.png (Korean glyphs
// need a CJK font, e.g. Debian's fonts-noto-cjk; the assertions read text, not pixels).
//
// VS Code switches its display language only to a language a language pack provides: the Korean run
// installs an empty one and starts code-server with `--locale ko` (harness.ts, koreanLocale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
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
import { koreanLocale, makeWorkspace, packageExtension, resultsDir, tempRoot } from './harness.ts';

interface Language {
  locale: 'en' | 'ko';
  container: string;
  views: string[];
  walkthroughCommand: string;
  walkthroughTitle: string;
  firstStep: string;
  /** Text of the first step's markdown page. */
  page: RegExp[];
  topologyCommand: string;
  /** The topology's first toolbar label, and its status line once the cluster runs. */
  groupBy: string;
  /** The Kinds filter's face (vscode-multi-select's "N Selected", ours in the page's language). */
  kindsBadge: string;
  topologyStatus: RegExp;
  /** The details panel's first tab and first section. */
  summaryTab: string;
  overview: string;
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
    topologyCommand: 'Kubernetes Emulator: Show Topology',
    groupBy: 'Group by',
    kindsBadge: '0 selected',
    topologyStatus: /\b\d+ nodes?, \d+ objects, \d+ links\b/,
    summaryTab: 'Summary',
    overview: 'Overview',
  },
  {
    locale: 'ko',
    container: '쿠버네티스 에뮬레이터',
    views: ['클러스터', '워크로드', '네트워크', '구성 및 스토리지', '이벤트'],
    walkthroughCommand: '쿠버네티스 에뮬레이터: 에뮬레이터로 쿠버네티스 배우기',
    walkthroughTitle: '에뮬레이터로 쿠버네티스 배우기',
    firstStep: '3노드 클러스터 시작하기',
    page: [/강의에서는/, /할 일:/, /확인할 것:/, /완료 조건: 노드 세 개가 Ready 상태가 되면 완료됩니다/],
    topologyCommand: '쿠버네티스 에뮬레이터: 토폴로지 보기',
    groupBy: '그룹 기준',
    kindsBadge: '0개 선택됨',
    topologyStatus: /노드 \d+개, 오브젝트 \d+개, 연결 \d+개/,
    summaryTab: '요약',
    overview: '개요',
  },
];

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
    const extraArgs = lang.locale === 'ko' ? koreanLocale(cs, home, root) : [];
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

      // The topology panel: its toolbar, and the host's status line once the cluster it started runs.
      await runCommand(p, 'View: Close All Editors');
      await runCommand(p, lang.topologyCommand);
      const topology = p.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await topology.locator('.toolbar label.field > span').first().waitFor({ timeout: 60_000 });
      assert.equal((await topology.locator('.toolbar label.field > span').first().textContent())?.trim(), lang.groupBy);
      assert.equal(await topology.locator('html').getAttribute('lang'), lang.locale);
      assert.equal((await topology.locator('#kinds .select-face-badge').textContent())?.trim(), lang.kindsBadge);
      const node = topology.locator('g.v.k-Node:not(.entering)').first();
      await node.waitFor({ timeout: 180_000 });
      await topology.locator('#status', { hasText: lang.topologyStatus }).waitFor({ timeout: 60_000 });
      await p.waitForTimeout(800); // the fade-in
      await p.mouse.move(900, 700);
      await p.screenshot({ path: join(out, `topology-${lang.locale}.png`) });

      // The node's details, opened from the topology: tabs and headings in this language, the
      // Overview's facts under kubectl describe's keys.
      await node.click();
      const details = p.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('#active-frame');
      await details.locator('header h1', { hasText: /^Node / }).waitFor({ timeout: 60_000 });
      await details.locator('dl.facts dt', { hasText: /^Ready$/ }).waitFor({ timeout: 30_000 });
      const tabs = (await details.locator('vscode-tab-header').allTextContents()).map((s) => s.trim());
      assert.equal(tabs[0], lang.summaryTab, `tabs: ${JSON.stringify(tabs)}`);
      assert.equal((await details.locator('section h2').first().textContent())?.trim(), lang.overview);
      await p.mouse.move(900, 700);
      await p.waitForTimeout(300);
      await p.screenshot({ path: join(out, `details-${lang.locale}.png`) });
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
