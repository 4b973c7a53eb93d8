// The walkthrough as package.json contributes it (issue 9): one step per walkthrough-steps.ts step
// in the course's order, each completing on its context key, with its markdown, and command links
// that name contributed commands and samples that exist; the .vsix carries samples/ and media/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as l10n from '../../src/extension/l10n.ts';
import { CONTEXT_PREFIX, stepTitle, WALKTHROUGH_STEPS } from '../../src/extension/walkthrough-steps.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
/** package.nls.json (English) and package.nls.ko.json: the `%key%` strings of package.json, per language. */
const NLS: Record<string, Record<string, string>> = {
  en: JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8')),
  ko: JSON.parse(readFileSync(join(ROOT, 'package.nls.ko.json'), 'utf8')),
};
/** A manifest string as VS Code shows it in `lang`: a whole-string `%key%` is looked up (extensionNls.ts). */
function text(s: string, lang = 'en'): string {
  const m = /^%(.+)%$/.exec(s);
  if (!m) return s;
  const v = NLS[lang][m[1]];
  assert.equal(typeof v, 'string', `${m[1]} is missing from the ${lang} strings`);
  return v;
}
const walkthrough = pkg.contributes.walkthroughs.find((w: { id: string }) => w.id === 'learnKubernetes');
const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
/**
 * Commands of issue 8's contract (/tmp/ui-contract.md) that the walkthrough links to and that their
 * owner has not contributed yet: the topology panel. Links to them are checked by id only.
 */
const PENDING = new Set(['kubeEmulator.showTopology']);

interface Link {
  text: string;
  command: string;
  args: unknown[];
}

/** The command links of a description, as VS Code opens them (the query is URI-decoded JSON). */
function links(description: string): Link[] {
  return [...description.matchAll(/\[([^\]]+)\]\(command:([\w.]+)(?:\?([^)\s]+))?\)/g)].map((m) => ({
    text: m[1],
    command: m[2],
    args: m[3] ? (JSON.parse(decodeURIComponent(m[3])) as unknown[]) : [],
  }));
}

test('"Learn Kubernetes with the emulator": the steps of walkthrough-steps.ts, in order, each done on its context key', () => {
  assert.equal(text(walkthrough.title), 'Learn Kubernetes with the emulator');
  assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), WALKTHROUGH_STEPS.map((s) => s.id));
  for (const [i, s] of walkthrough.steps.entries()) {
    assert.equal(text(s.title), WALKTHROUGH_STEPS[i].title);
    assert.deepEqual(s.completionEvents, [`onContext:${CONTEXT_PREFIX}${s.id}`]);
    assert.equal(s.media.markdown, `media/walkthrough/${s.id}.md`);
    const md = readFileSync(join(ROOT, s.media.markdown), 'utf8');
    assert.match(md, /^# /, s.id);
    assert.match(md, /\*\*Do:\*\*/, s.id);
    assert.match(md, /\*\*Look for:\*\*/, s.id);
    assert.match(md, /\nCompletes when /, s.id);
  }
});

test('every command link names a contributed command; sample links name a sample file that exists', () => {
  let sampleLinks = 0;
  for (const s of walkthrough.steps) {
    const description = text(s.description);
    const ls = links(description);
    assert.ok(ls.length > 0, s.id);
    // The description has no other link syntax left unparsed (a space or parenthesis in args).
    assert.equal((description.match(/\]\(/g) ?? []).length, ls.length, s.id);
    // The Korean description links to the same commands with the same arguments, in the same order.
    const ko = text(s.description, 'ko');
    // VS Code renders a step description's links and nothing else of markdown: a `code span` would show its backticks.
    for (const d of [description, ko]) assert.ok(!d.includes('`'), `${s.id}: backticks in ${d}`);
    assert.deepEqual(links(ko).map(({ command, args }) => ({ command, args })), ls.map(({ command, args }) => ({ command, args })), `${s.id} (ko)`);
    assert.equal((ko.match(/\]\(/g) ?? []).length, ls.length, `${s.id} (ko)`);
    for (const l of ls) {
      assert.ok(contributed.has(l.command) || PENDING.has(l.command), `${s.id}: ${l.command} is not a contributed command`);
      if (l.command === 'kubeEmulator.openSample' || l.command === 'kubeEmulator.applySample') {
        sampleLinks++;
        const [step, file] = l.args as [string, string | undefined];
        const def = WALKTHROUGH_STEPS.find((x) => x.id === step)!;
        assert.equal(step, s.id, `${s.id} links to its own sample`);
        assert.ok(existsSync(join(ROOT, 'samples', step, file ?? '')), `${s.id}: samples/${step}/${file ?? ''}`);
        if (file) assert.ok(def.files.includes(file), `${s.id}: ${file}`);
      }
      if (l.command === 'kubeEmulator.advanceClock') assert.match(String(l.args[0]), /^\d+[smh]$/);
    }
    if (s.id !== 'start-cluster') assert.ok(ls.some((l) => l.command === 'kubeEmulator.openSample'), `${s.id} opens its sample`);
  }
  assert.ok(sampleLinks >= 2 * (WALKTHROUGH_STEPS.length - 1));
  for (const id of ['kubeEmulator.openSample', 'kubeEmulator.applySample', 'kubeEmulator.openWalkthrough']) {
    assert.ok(contributed.has(id), id);
    assert.match(readFileSync(join(ROOT, 'src/extension/walkthrough.ts'), 'utf8'), new RegExp(`registerCommand\\('${id.replace('.', '\\.')}'`));
  }
});

test('the sample pickers\' step titles (stepTitle, l10n bundle) are the walkthrough\'s own, in English and in Korean', () => {
  const bundle = JSON.parse(readFileSync(join(ROOT, 'l10n/bundle.l10n.ko.json'), 'utf8'));
  for (const [i, s] of walkthrough.steps.entries()) {
    assert.equal(stepTitle(s.id), text(s.title), s.id);
    assert.equal(stepTitle(s.id), WALKTHROUGH_STEPS[i].title, s.id);
  }
  l10n.setBundle(bundle);
  try {
    for (const s of walkthrough.steps) assert.equal(stepTitle(s.id), text(s.title, 'ko'), `${s.id} (ko)`);
  } finally {
    l10n.setBundle(undefined);
  }
});

test('the .vsix carries the samples and the walkthrough media', () => {
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!samples/**'));
  assert.ok(ignore.includes('!media/**'));
});

/**
 * VS Code reads a walkthrough step's markdown `x.md` as `x.nls.<locale>.md`, then `x.nls.<language>.md`,
 * when that file exists and is not empty (GettingStartedDetailsRenderer.readContentsOfPath in
 * microsoft/vscode src/vs/workbench/contrib/welcomeGettingStarted/browser/gettingStartedDetailsRenderer.ts):
 * the Korean markdown sits next to the English one.
 */
const koMarkdown = (md: string) => md.replace(/\.md$/, '.nls.ko.md');
/** The fenced code blocks, with `# comments` and `<placeholders>` (translated) taken out. */
const codeBlocks = (md: string) =>
  [...md.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) =>
    m[1].split('\n').map((l) => l.replace(/\s+#\s.*$/, '').replace(/<[^>]*>/g, '<>')).join('\n'),
  );
const inlineCode = (md: string) => [...md.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();

test('every step has Korean markdown (x.nls.ko.md): translated, same structure, same commands and sample files', () => {
  for (const s of walkthrough.steps) {
    const en = readFileSync(join(ROOT, s.media.markdown), 'utf8');
    const file = join(ROOT, koMarkdown(s.media.markdown));
    assert.ok(existsSync(file), `${s.id}: ${koMarkdown(s.media.markdown)} is missing`);
    const ko = readFileSync(file, 'utf8');
    assert.match(ko, /^# \S/, s.id);
    assert.match(ko.split('\n')[0], /[\uAC00-\uD7A3]/, `${s.id}: the heading is Korean`);
    assert.ok((ko.match(/[\uAC00-\uD7A3]/g) ?? []).length > 100, `${s.id}: the text is Korean`);
    assert.match(ko, /\*\*할 일:\*\*/, s.id);
    assert.match(ko, /\*\*확인할 것:\*\*/, s.id);
    assert.match(ko, /\n완료 조건: /, s.id);
    // The same kubectl commands, names, fields and messages (code stays English; only comments change).
    assert.deepEqual(codeBlocks(ko), codeBlocks(en), `${s.id}: code blocks`);
    assert.deepEqual(inlineCode(ko), inlineCode(en), `${s.id}: inline code`);
    // Every sample file named is one of the step's samples; every command link names a contributed command.
    for (const [name] of ko.matchAll(/[\w.-]+\.ya?ml\b/g)) {
      assert.ok(existsSync(join(ROOT, 'samples', s.id, name)), `${s.id}: samples/${s.id}/${name}`);
    }
    for (const l of links(ko)) assert.ok(contributed.has(l.command) || PENDING.has(l.command), `${s.id}: ${l.command}`);
    assert.equal((ko.match(/\]\(/g) ?? []).length, links(ko).length, `${s.id}: only command links`);
  }
  // No Korean file without a step (a renamed step would leave one behind).
  const steps = new Set(walkthrough.steps.map((s: { media: { markdown: string } }) => koMarkdown(s.media.markdown).split('/').pop()));
  for (const f of readdirSync(join(ROOT, 'media/walkthrough')).filter((f) => f.endsWith('.nls.ko.md'))) assert.ok(steps.has(f), f);
});

test('the .vsix carries the package.nls files', () => {
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!package.nls*.json'));
  for (const f of ['package.nls.json', 'package.nls.ko.json']) assert.ok(existsSync(join(ROOT, f)), f);
});
