// The snippets of resources/snippets/kubernetes.json (package.json contributes.snippets): one per
// course kind, each a valid manifest as it stands. The expansion follows VS Code's snippet syntax
// (a tab stop's default, mirrored where the tab stop repeats; a choice's first option).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateText } from '../../src/emulator/manifests/validate.ts';

/** The problems validateText finds (it returns them, or a { problems } record). */
function problemsOf(text: string): unknown[] {
  const r = validateText(text) as unknown;
  return Array.isArray(r) ? r : (r as { problems: unknown[] }).problems;
}

interface Snippet {
  prefix: string[];
  description: string;
  body: string[];
}
const snippets = JSON.parse(readFileSync(new URL('../../resources/snippets/kubernetes.json', import.meta.url), 'utf8')) as Record<string, Snippet>;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

/** Expands a snippet body: `choice` picks an option per tab stop (default: the first). */
function expand(body: string, choice: Record<number, string> = {}): string {
  const defaults = new Map<number, string>();
  for (const m of body.matchAll(/\$\{(\d+):([^}]*)\}/g)) defaults.set(Number(m[1]), m[2]);
  for (const m of body.matchAll(/\$\{(\d+)\|([^|]*)\|\}/g)) defaults.set(Number(m[1]), choice[Number(m[1])] ?? m[2].split(',')[0]);
  const out = body
    .replace(/\$\{(\d+)(?::[^}]*|\|[^|]*\|)?\}/g, (_m, n: string) => defaults.get(Number(n)) ?? '')
    .replace(/\$(\d+)/g, (_m, n: string) => defaults.get(Number(n)) ?? '');
  assert.doesNotMatch(out, /\$/, 'every $ of the body is a tab stop');
  return out;
}

const KINDS = [
  'Pod', 'Deployment', 'Service', 'ConfigMap', 'Secret', 'Namespace', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job',
  'CronJob', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'HorizontalPodAutoscaler', 'Ingress',
];

test('package.json contributes the snippets file for YAML', () => {
  assert.deepEqual(pkg.contributes.snippets, [{ language: 'yaml', path: './resources/snippets/kubernetes.json' }]);
});

test('one snippet per course kind, named and prefixed k8s-<kind>, ending at $0', () => {
  assert.deepEqual(Object.keys(snippets).sort(), [...KINDS].sort());
  for (const [kind, s] of Object.entries(snippets)) {
    assert.equal(s.prefix[0], `k8s-${kind.toLowerCase()}`);
    assert.match(s.body.join('\n'), new RegExp(`^apiVersion: \\S+\\nkind: ${kind}\\n`));
    assert.equal(s.body[s.body.length - 1], '$0');
    assert.match(s.body.join('\n'), /\$\{1:/, `${kind} starts at tab stop 1`);
  }
});

for (const kind of KINDS) {
  test(`the ${kind} snippet expands to a manifest the cluster accepts, with every choice`, () => {
    const body = snippets[kind].body.join('\n');
    assert.deepEqual(problemsOf(expand(body)), []);
    for (const m of body.matchAll(/\$\{(\d+)\|([^|]*)\|\}/g)) {
      for (const option of m[2].split(',')) {
        assert.deepEqual(problemsOf(expand(body, { [Number(m[1])]: option })), [], `${kind} with ${option}`);
      }
    }
  });
}

test('a mirrored tab stop expands to its default everywhere (a Deployment selector matches its labels)', () => {
  const text = expand(snippets.Deployment.body.join('\n'));
  assert.match(text, /matchLabels:\n {6}app: my-app\n/);
  assert.match(text, /labels:\n {8}app: my-app\n/);
});
