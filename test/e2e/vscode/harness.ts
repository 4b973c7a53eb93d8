// Shared pieces of the real-VS-Code tests: packaging the extension, result files, the manifest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/vscode-server.mjs';

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
