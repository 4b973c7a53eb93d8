// Runs the extension-host suite (test/e2e/vscode/exthost/suite.ts) in desktop VS Code through
// @vscode/test-electron, for people with a desktop and internet access: it downloads VS Code into
// .vscode-test/ on first use, so it cannot run on the offline CI machines (they use code-server instead:
// test/e2e/vscode/exthost.test.ts, part of `npm test`).
//
//   npm run test:electron                       VS Code stable
//   VSCODE_TEST_VERSION=1.90.0 npm run test:electron   the oldest VS Code the extension supports
//   xvfb-run -a npm run test:electron           on Linux without a display
/* global process, console */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { PROJECT_ROOT, bundleExtensionTests } from '../../../../scripts/vscode-server.mjs';

const build = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs')], { cwd: PROJECT_ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const outDir = join(PROJECT_ROOT, 'out', 'e2e-vscode');
mkdirSync(outDir, { recursive: true });
const { outfile } = await bundleExtensionTests(join(PROJECT_ROOT, 'test', 'e2e', 'vscode', 'exthost', 'suite.ts'), join(outDir, 'suite.cjs'));

const workspace = mkdtempSync(join(tmpdir(), 'kube-emulator-electron-'));
writeFileSync(
  join(workspace, 'pod.yaml'),
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n    - name: nginx\n      image: nginx\n',
);

try {
  const code = await runTests({
    version: process.env.VSCODE_TEST_VERSION || 'stable',
    extensionDevelopmentPath: PROJECT_ROOT,
    extensionTestsPath: outfile,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    extensionTestsEnv: { KUBE_EMULATOR_E2E: '1' },
  });
  process.exit(code);
} catch (e) {
  console.error(`@vscode/test-electron failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
