// kube-emulator validate: output format, exit codes, folders, skipped files and bad arguments,
// run in-process through the CLI's main() (the same code path as dist/cli.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const log = console.log;
  const error = console.error;
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => void (stdout += `${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => void (stderr += `${a.join(' ')}\n`);
  try {
    const code = await main(['validate', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    console.log = log;
    console.error = error;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-validate-cli-'));
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n';

test('a clean file prints nothing and exits 0', async () => {
  const f = join(dir, 'clean.yaml');
  writeFileSync(f, POD);
  assert.deepEqual(await run([f]), { code: 0, stdout: '', stderr: '' });
});

test('problems print as FILE:LINE:COL: severity: MESSAGE, one-based, in file order; errors exit 1', async () => {
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, `${POD.replace('  name: ok', '  name: ok\n  labelz: {}')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n`);
  const r = await run([f]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.stdout.split('\n'), [
    `${f}:5:3: error: strict decoding error: unknown field "metadata.labelz"`,
    `${f}:16:13: error: spec.replicas: Invalid value: -1: must be greater than or equal to 0`,
    `${f}:25:16: warning: spec.template.spec.containers[0].image: "nginx" has no tag: imagePullPolicy defaults to Always ("Defaults to Always if :latest tag is specified, or IfNotPresent otherwise"), so each pod start pulls the image and may get a different version`,
    '',
  ]);
});

test('warnings alone exit 0', async () => {
  const f = join(dir, 'warn.yaml');
  writeFileSync(f, POD.replace('nginx:1.27', 'nginx:latest'));
  const r = await run([f]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:12: warning: spec\\.containers\\[0\\]\\.image: "nginx:latest" has the :latest tag`));
});

test('folders: .yaml, .yml and .json files, recursively and sorted; hidden folders and node_modules skipped; Helm and kustomize said on stderr', async () => {
  const root = join(dir, 'tree');
  mkdirSync(join(root, 'b', 'templates'), { recursive: true });
  mkdirSync(join(root, '.git'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
  writeFileSync(join(root, 'a.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
  writeFileSync(join(root, 'b', 'c.json'), '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"n": 1}}\n');
  writeFileSync(join(root, 'b', 'templates', 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n');
  writeFileSync(join(root, 'b', 'kustomization.yaml'), 'resources:\n- ../a.yml\n');
  writeFileSync(join(root, 'b', 'notes.txt'), 'kind: nothing\n');
  writeFileSync(join(root, '.git', 'x.yaml'), 'not: [valid\n');
  writeFileSync(join(root, 'node_modules', 'x', 'y.yaml'), 'not: [valid\n');
  const r = await run([root]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.split('\n'), [
    `${join(root, 'a.yml')}:5:3: warning: key "name" already set in map (kubectl apply keeps the last value)`,
    `${join(root, 'b', 'c.json')}:1:84: error: json: cannot unmarshal number into Go struct field ConfigMap.data of type string`,
    '',
  ]);
  assert.deepEqual(r.stderr.split('\n'), [
    `${join(root, 'b', 'kustomization.yaml')}: not validated: Kustomization: a kustomize build file, not a Kubernetes object, so it is not validated as a manifest (validate \`kubectl kustomize\` output instead).`,
    `${join(root, 'b', 'templates', 'svc.yaml')}: not validated: Helm template: \`{{ }}\` is rendered by helm before Kubernetes sees it, so this file is not validated as a Kubernetes manifest (validate \`helm template\` output instead).`,
    '',
  ]);
});

test('several arguments are validated in order', async () => {
  const a = join(dir, 'one.yaml');
  const b = join(dir, 'two.yaml');
  writeFileSync(a, 'apiVersion: v9\nkind: Pod\nmetadata:\n  name: x\n');
  writeFileSync(b, '- just a list\n');
  const r = await run([b, a]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout.split('\n'), [
    `${b}:1:1: error: error validating data: invalid object to validate`,
    `${a}:2:7: error: no matches for kind "Pod" in version "v9"`,
    '',
  ]);
});

test('bad arguments: no FILE is a usage error (exit 2), a missing file exits 1 with a clear error, --help prints usage', async () => {
  let r = await run([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^Error: give at least one FILE or DIR to validate\nRun "kube-emulator validate --help" for usage\.\n$/);
  r = await run([join(dir, 'missing.yaml')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `Error: ${join(dir, 'missing.yaml')} does not exist or cannot be read\n`);
  assert.equal(r.stdout, '');
  r = await run(['--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown option '--bogus'/);
  r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage:\n {2}kube-emulator validate FILE\|DIR\.\.\./);
  assert.match(r.stdout, /FILE:LINE:COL: error\|warning: MESSAGE/);
});
