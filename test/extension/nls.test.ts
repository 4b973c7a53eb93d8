// package.json's user-facing strings are `%key%` placeholders that VS Code resolves from
// package.nls.json (English) or package.nls.<language>.json (here Korean) when it reads the manifest
// (localizeManifest/replaceNLStrings in microsoft/vscode
// src/vs/platform/extensionManagement/common/extensionNls.ts: a string that is `%key%` as a whole is
// looked up, anything else is shown as written). Issue 9, "Languages".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const en: Record<string, unknown> = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8'));
const ko: Record<string, unknown> = JSON.parse(readFileSync(join(ROOT, 'package.nls.ko.json'), 'utf8'));

const PLACEHOLDER = /^%(.+)%$/;
const HANGUL = /[\uAC00-\uD7A3]/;

/** Manifest properties VS Code shows to the user, wherever they sit under `contributes`. */
const USER_FACING = new Set([
  'title',
  'shortTitle',
  'category',
  'name',
  'contextualTitle',
  'contents',
  'description',
  'markdownDescription',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'enumItemLabels',
  'altText',
  'label',
]);
/** Objects under contributes whose keys are ids, not properties (a setting named `title` is no title). */
const ID_MAPS = new Set(['properties', 'views', 'viewsContainers', 'menus']);

interface Found {
  path: string;
  value: string;
}

/** Every user-facing string under `node`: in a user-facing property, or an element of one (enumDescriptions). */
function userFacing(node: unknown, path: string, facing = false, out: Found[] = []): Found[] {
  if (typeof node === 'string') {
    if (facing) out.push({ path, value: node });
  } else if (Array.isArray(node)) {
    node.forEach((v, i) => userFacing(v, `${path}[${i}]`, facing, out));
  } else if (node && typeof node === 'object') {
    const idMap = ID_MAPS.has(path.split('.').pop() ?? '');
    for (const [k, v] of Object.entries(node)) userFacing(v, `${path}.${k}`, !idMap && USER_FACING.has(k), out);
  }
  return out;
}

/** Every `%key%` anywhere in the manifest (VS Code resolves them wherever they are). */
function placeholders(node: unknown, out = new Set<string>()): Set<string> {
  if (typeof node === 'string') {
    const m = PLACEHOLDER.exec(node);
    if (m) out.add(m[1]);
  } else if (node && typeof node === 'object') {
    for (const v of Object.values(node)) placeholders(v, out);
  }
  return out;
}

const resolveIn = (nls: Record<string, unknown>, s: string) => {
  const m = PLACEHOLDER.exec(s);
  return m ? nls[m[1]] : s;
};

test('no user-facing string of contributes (or displayName/description) is left unlocalized', () => {
  const found = [
    { path: 'displayName', value: pkg.displayName },
    { path: 'description', value: pkg.description },
    ...userFacing(pkg.contributes, 'contributes'),
  ];
  // The walk sees what it should: command titles and categories, views, welcome, settings, walkthrough.
  for (const p of [
    'contributes.commands[0].title',
    'contributes.commands[0].category',
    'contributes.viewsContainers.activitybar[0].title',
    'contributes.views.kubeEmulator[0].name',
    'contributes.views.kubeEmulator[0].contextualTitle',
    'contributes.viewsWelcome[0].contents',
    'contributes.configuration.title',
    'contributes.configuration.properties.kubeEmulator.nodes.markdownDescription',
    'contributes.walkthroughs[0].steps[0].description',
  ]) {
    assert.ok(found.some((f) => f.path === p), `the walk misses ${p}`);
  }
  // Ids and paths are not user-facing: a view's id, a step's media file, a menu's command.
  assert.ok(!found.some((f) => /\.(id|command|when|markdown|icon|group)$/.test(f.path)));
  const plain = found.filter((f) => !PLACEHOLDER.test(f.value));
  assert.deepEqual(plain, [], `not localized: ${plain.map((f) => `${f.path} = ${f.value}`).join('\n')}`);
  assert.ok(found.length > 60, String(found.length));
});

test('every %key% of package.json is in package.nls.json and package.nls.ko.json, and no key is unused', () => {
  const used = placeholders(pkg);
  const missing = (nls: Record<string, unknown>) => [...used].filter((k) => typeof nls[k] !== 'string');
  assert.deepEqual(missing(en), [], 'missing from package.nls.json');
  assert.deepEqual(missing(ko), [], 'missing from package.nls.ko.json');
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort(), 'package.nls.json and package.nls.ko.json have the same keys');
  const unused = Object.keys(en).filter((k) => !used.has(k));
  assert.deepEqual(unused, [], 'keys no placeholder uses');
  for (const [k, v] of Object.entries({ ...en, ...ko })) assert.ok(typeof v === 'string' && v.trim() !== '', k);
});

test('the Korean strings are Korean, keep the English links, code spans and placeholders', () => {
  const links = (s: string) => [...s.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1]);
  const code = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
  for (const [k, e] of Object.entries(en) as [string, string][]) {
    const t = ko[k] as string;
    assert.match(t, HANGUL, `${k} is not translated: ${t}`);
    assert.deepEqual(links(t), links(e), `${k}: links`);
    assert.deepEqual(code(t), code(e), `${k}: code spans`);
    assert.equal(t.split('\n').length, e.split('\n').length, `${k}: lines (welcome views and step descriptions are line-based)`);
  }
  // Kubernetes terms as Korean courses write them.
  assert.equal(ko['walkthrough.learnKubernetes.step.deployment.title'], '디플로이먼트: 롤링 업데이트와 롤백');
  assert.match(ko['walkthrough.learnKubernetes.step.replicaset.title'] as string, /^레플리카셋/);
});

test('the English strings are the ones the tests and the docs name (palette, views, side bar)', () => {
  const titles = pkg.contributes.commands.map((c: { command: string; title: string; category: string }) => ({
    command: c.command,
    title: resolveIn(en, c.title),
    category: resolveIn(en, c.category),
  }));
  // test/e2e/vscode/exthost/suite.ts and ui.test.ts run and look for these.
  assert.deepEqual(titles.find((c: { command: string }) => c.command === 'kubeEmulator.apply'), {
    command: 'kubeEmulator.apply',
    title: 'Apply to Emulated Cluster',
    category: 'Kubernetes Emulator',
  });
  assert.equal(resolveIn(en, pkg.contributes.viewsContainers.activitybar[0].title), 'Kubernetes Emulator');
  assert.equal(resolveIn(en, pkg.contributes.views.kubeEmulator[0].name), 'Cluster');
  assert.equal(resolveIn(en, pkg.displayName), 'Kubernetes Emulator');
  assert.equal(resolveIn(ko, pkg.contributes.views.kubeEmulator[0].name), '클러스터');
  assert.equal(resolveIn(ko, pkg.contributes.commands[0].category), '쿠버네티스 에뮬레이터');
});
