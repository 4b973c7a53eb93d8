// The walkthrough "Learn Kubernetes with the emulator" in a real VS Code (issue 9), in English and in
// Korean: code-server with the packaged extension, driven by playwright-core in Debian's Chromium.
// Open the walkthrough from the palette and, the way a learner does, run four steps through the
// links of their descriptions (and the palette where the step says "delete a pod"):
//   1. Start a 3-node cluster: its Start Cluster button;
//   2. a Service and its endpoints: apply the sample;
//   3. ReplicaSet self-healing and scaling: apply, delete one of its pods (palette: Delete..., Pod,
//      the pod, the modal's Delete), reload the window (the half done is kept across it), then the
//      "scale it to 5" link;
//   4. Job and CronJob: apply, then the "fast-forward 3m" link (virtual time: no waiting for minutes).
// Each step must show as completed in the walkthrough page: VS Code marks a done step's checkbox
// (`[data-done-step-id]`) `complete` and its step button `aria-checked="true"` (GettingStartedPage's
// onDidProgressStep in microsoft/vscode src/vs/workbench/contrib/welcomeGettingStarted/browser/
// gettingStarted.ts), and not before its actions. Screenshots: test-results/vscode/
// walkthrough-<step>-<lang>.png after each step, walkthrough-done-<lang>.png at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { inVSCode, manifest, reloadWindow, runCommand, screenshot } from './harness.ts';

interface Language {
  locale: 'en' | 'ko';
  /** The palette's "Learn Kubernetes with the Emulator" (category: title). */
  walkthroughCommand: string;
  walkthroughTitle: string;
  deleteCommand: string;
  /** The status bar message of the 3m fast-forward. */
  advanced: string;
  /** The delete modal's button. */
  deleteButton: string;
  /** The apply notification for the Job and CronJob sample's two objects. */
  twoCreated: string;
  /** Link texts of the steps' descriptions (package.nls.json / package.nls.ko.json). */
  links: { startCluster: string; apply: string; scale: string; fastForward: string };
  /** The steps' titles, as the walkthrough lists them. */
  titles: Record<string, string>;
}

const LANGUAGES: Language[] = [
  {
    locale: 'en',
    walkthroughCommand: 'Kubernetes Emulator: Learn Kubernetes with the Emulator',
    walkthroughTitle: 'Learn Kubernetes with the emulator',
    deleteCommand: 'Kubernetes Emulator: Delete...',
    deleteButton: 'Delete',
    twoCreated: '2 created',
    advanced: 'Advanced the clock by 3m',
    links: { startCluster: 'Start Cluster', apply: 'apply it', scale: 'scale it to 5', fastForward: 'fast-forward 3m' },
    titles: { 'start-cluster': 'Start a 3-node cluster', service: 'A Service and its endpoints', replicaset: 'ReplicaSet: self-healing and scaling', jobs: 'Job and CronJob' },
  },
  {
    locale: 'ko',
    walkthroughCommand: '쿠버네티스 에뮬레이터: 에뮬레이터로 쿠버네티스 배우기',
    walkthroughTitle: '에뮬레이터로 쿠버네티스 배우기',
    deleteCommand: '쿠버네티스 에뮬레이터: 삭제...',
    deleteButton: '삭제',
    twoCreated: '2개 생성됨',
    advanced: '시계를 3m 빨리 감았습니다',
    links: { startCluster: '클러스터 시작', apply: '적용', scale: '5개로 스케일', fastForward: '3분 빨리 감기' },
    titles: { 'start-cluster': '3노드 클러스터 시작하기', service: '서비스와 엔드포인트', replicaset: '레플리카셋: 자가 치유와 스케일링', jobs: '잡과 크론잡' },
  },
];

const m = manifest();
/** A step's id in the walkthrough page: `<extension id>#<walkthrough id>#<step id>`. */
const stepKey = (id: string) => `${m.publisher}.${m.name}#learnKubernetes#${id}`;

class Walkthrough {
  constructor(
    private readonly p: Page,
    private readonly lang: Language,
  ) {}

  get page(): Locator {
    return this.p.locator('.gettingStartedContainer');
  }

  step(id: string): Locator {
    return this.page.locator(`button.getting-started-step[data-step-id="${stepKey(id)}"]`);
  }

  /** Opens the walkthrough from the palette, as the welcome page's link or the command would. */
  async open(): Promise<void> {
    await runCommand(this.p, this.lang.walkthroughCommand);
    await this.page.getByText(this.lang.walkthroughTitle).first().waitFor({ state: 'visible', timeout: 30_000 });
    await this.step('start-cluster').waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Expands a step (a click on its title) so its description and links show. */
  async select(id: string): Promise<Locator> {
    const step = this.step(id);
    // Escape (a palette retry) on the walkthrough goes back to the Welcome page: open it again.
    if (!(await step.isVisible())) await this.open();
    await step.scrollIntoViewIfNeeded();
    await step.locator('.step-title', { hasText: this.lang.titles[id] }).first().waitFor({ timeout: 10_000 });
    if ((await step.getAttribute('aria-expanded')) !== 'true') await step.click();
    await this.p.locator(`button.getting-started-step.expanded[data-step-id="${stepKey(id)}"]`).waitFor({ timeout: 10_000 });
    return step;
  }

  /** Clicks a link (or the button VS Code makes of a link on a line of its own) of the expanded step. */
  async follow(id: string, text: string): Promise<void> {
    const link = this.step(id).locator('a, .monaco-button').filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
    await link.waitFor({ state: 'visible', timeout: 10_000 });
    await link.click();
  }

  /** Whether the page shows the step completed: its checkbox `complete`, the step `aria-checked`. */
  async isDone(id: string): Promise<boolean> {
    const box = this.page.locator(`[data-done-step-id="${stepKey(id)}"]`).first();
    const [checked, cls] = await Promise.all([this.step(id).getAttribute('aria-checked'), box.getAttribute('class')]);
    return checked === 'true' && /\bcomplete\b/.test(cls ?? '');
  }

  async waitDone(id: string, timeoutMs: number): Promise<void> {
    await this.p.locator(`[data-done-step-id="${stepKey(id)}"].complete`).first().waitFor({ state: 'attached', timeout: timeoutMs });
    assert.ok(await this.isDone(id), `${id}: the checkbox is complete but the step is not aria-checked`);
  }
}

/** Waits for a notification toast whose message matches `re`. */
async function toast(p: Page, re: RegExp): Promise<void> {
  await p.locator('.notifications-toasts .notification-list-item-message', { hasText: re }).first().waitFor({ timeout: 60_000 });
}

/** Closes the notification toasts, so they cover nothing in a screenshot. */
async function clearNotifications(p: Page): Promise<void> {
  await runCommand(p, 'Notifications: Clear All Notifications');
  await p.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
}

/**
 * Deletes a pod of the ReplicaSet hello-rs as a learner would from the palette: Delete..., the kind
 * Pod, the pod, then Delete in the modal. The picker lists what the cluster has when it opens, so it
 * opens again until a hello-rs pod is there; a picker that closes on the way (a quick pick closes
 * when something else, such as the step's page loading, takes the focus) is opened again too.
 */
async function deleteReplicaSetPod(p: Page, lang: Language): Promise<string> {
  const input = p.locator('.quick-input-widget input');
  const row = (label: RegExp) => p.locator('.quick-input-list .monaco-list-row').filter({ has: p.locator('.label-name', { hasText: label }) }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await runCommand(p, lang.deleteCommand);
      await input.fill('Pod', { timeout: 5000 });
      await row(/^\s*Pod\s*$/).click({ timeout: 5000 });
      await input.fill('hello-rs-', { timeout: 5000 });
      const pod = row(/^\s*hello-rs-[a-z0-9]{5}\s*$/);
      const name = ((await pod.locator('.label-name').textContent({ timeout: 5000 })) ?? '').trim();
      await pod.click({ timeout: 5000 });
      const dialog = p.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await dialog.getByRole('button', { name: lang.deleteButton, exact: true }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
      return name;
    } catch (e) {
      if (attempt >= 10) throw e;
      await p.keyboard.press('Escape');
    }
  }
}

/**
 * The hello-rs pods the extension itself knows (its Delete… picker lists its live model, which
 * feeds the walkthrough's tracker too), or undefined when the picker could not be read this time.
 */
async function listedPods(p: Page, lang: Language): Promise<string[] | undefined> {
  const input = p.locator('.quick-input-widget input');
  try {
    await runCommand(p, lang.deleteCommand);
    await input.fill('Pod', { timeout: 5000 });
    await p.locator('.quick-input-list .monaco-list-row').filter({ has: p.locator('.label-name', { hasText: /^\s*Pod\s*$/ }) }).first().click({ timeout: 5000 });
    await input.fill('hello-rs-', { timeout: 5000 });
    await p.locator('.quick-input-list .monaco-list-row .label-name', { hasText: /hello-rs-/ }).first().waitFor({ timeout: 5000 });
    const names = await p.locator('.quick-input-list .monaco-list-row .label-name').allTextContents();
    return names.map((n) => n.trim()).filter((n) => /^hello-rs-[a-z0-9]{5}$/.test(n));
  } catch {
    return undefined;
  } finally {
    await p.keyboard.press('Escape');
  }
}

for (const lang of LANGUAGES) {
  test(`real VS Code in ${lang.locale}: walkthrough steps complete after the learner's actions`, { timeout: 20 * 60_000 }, async () => {
    const settings = { 'workbench.startupEditor': 'none', 'files.autoSave': 'off' };
    await inVSCode(`walkthrough-${lang.locale}`, { settings, locale: lang.locale === 'ko' ? 'ko' : undefined }, async ({ p, out, t, since }) => {
      const w = new Walkthrough(p, lang);
      const shot = (name: string) => screenshot(p, join(out, `walkthrough-${name}-${lang.locale}.png`));
      await w.open();
      for (const id of Object.keys(lang.titles)) assert.equal(await w.isDone(id), false, `${id} shows completed before anything was done`);

      // 1. Start a 3-node cluster.
      let t0 = Date.now();
      await w.select('start-cluster');
      await w.follow('start-cluster', lang.links.startCluster);
      await w.waitDone('start-cluster', 120_000);
      t.startClusterSeconds = since(t0);

      // 2. A Service and its endpoints: apply the sample folder.
      t0 = Date.now();
      await w.select('service');
      assert.equal(await w.isDone('service'), false);
      await w.follow('service', lang.links.apply);
      await w.waitDone('service', 120_000);
      t.serviceSeconds = since(t0);
      await w.select('service');
      await clearNotifications(p);
      await shot('service');

      // 3. ReplicaSet: apply, delete a pod (self-healing), scale to 5.
      t0 = Date.now();
      await w.select('replicaset');
      await w.follow('replicaset', lang.links.apply);
      await toast(p, /replicaset\.apps\/hello-rs (created|configured|unchanged)/);
      // The three pods as the extension lists them, before one is deleted.
      let before: string[] | undefined;
      for (let attempt = 1; !(before && before.length >= 3); attempt++) {
        if (attempt > 30) assert.fail(`the extension does not list hello-rs's three pods: ${before?.join(', ')}`);
        before = await listedPods(p, lang);
      }
      const deleted = await deleteReplicaSetPod(p, lang);
      t.deletedPod = deleted;
      await p.locator('.statusbar-item', { hasText: `pod "${deleted}" deleted` }).first().waitFor({ timeout: 30_000 });
      // The extension has seen the loss once its model has the replacement (the same watch brings
      // the deletion first): reloading before that would reload before the learner's action was seen.
      const known = new Set<string>([...before, deleted]);
      for (let attempt = 1; ; attempt++) {
        const names = await listedPods(p, lang);
        if (names?.some((n) => !known.has(n))) break;
        if (attempt >= 30) assert.fail(`no replacement for ${deleted} in the extension's pods: ${names?.join(', ')}`);
      }
      // A pod lost is half the step: not done until it is scaled.
      assert.equal(await w.isDone('replicaset'), false, 'replicaset completed before it was scaled');
      // Reload the window between the halves: the pod lost is remembered (globalState) and the
      // scaling after the reload completes the step.
      const t1 = Date.now();
      await reloadWindow(p);
      await w.open();
      t.reloadSeconds = since(t1);
      for (const id of ['start-cluster', 'service']) assert.ok(await w.isDone(id), `${id} no longer shows completed after the reload`);
      assert.equal(await w.isDone('replicaset'), false, 'replicaset completed by the reload');
      await w.select('replicaset');
      await w.follow('replicaset', lang.links.scale);
      await w.waitDone('replicaset', 120_000);
      t.replicasetSeconds = since(t0);
      await clearNotifications(p);
      await shot('replicaset');

      // 4. Job and CronJob: apply, fast-forward 3 minutes of emulated time.
      t0 = Date.now();
      await w.select('jobs');
      assert.equal(await w.isDone('jobs'), false);
      await w.follow('jobs', lang.links.apply);
      // The apply's result (the notification's count of created objects, in the user's language)
      // before the clock moves on.
      await toast(p, new RegExp(`^\\s*${lang.twoCreated}\\s*$`));
      await w.follow('jobs', lang.links.fastForward);
      // The link ran the fast-forward (its status bar message): the CronJob's runs of the next three
      // minutes happen now, not in real minutes.
      await p.locator('.statusbar-item', { hasText: lang.advanced }).first().waitFor({ timeout: 30_000 });
      await w.waitDone('jobs', 120_000);
      t.jobsSeconds = since(t0);
      await w.select('jobs');
      await clearNotifications(p);
      await shot('jobs');

      // The four steps done, the others not.
      const done = [];
      for (const s of (manifestSteps())) if (await w.isDone(s)) done.push(s);
      assert.deepEqual(done, ['start-cluster', 'service', 'replicaset', 'jobs']);
      // The whole list in one picture: a window tall enough for every step.
      await clearNotifications(p);
      await p.setViewportSize({ width: 1400, height: 1600 });
      await w.open();
      await w.select('jobs');
      await w.step('resource-efficiency').waitFor({ state: 'visible' });
      await shot('done');
    });
  });
}

/** The walkthrough's step ids, in order (package.json). */
function manifestSteps(): string[] {
  const pkg = m as unknown as { contributes: { walkthroughs: { id: string; steps: { id: string }[] }[] } };
  return pkg.contributes.walkthroughs.find((x) => x.id === 'learnKubernetes')!.steps.map((s) => s.id);
}
