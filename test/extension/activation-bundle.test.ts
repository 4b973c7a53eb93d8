// The extension's activation bundle (dist/extension.cjs) must stay small: client-node and the
// emulated cluster are loaded with the session (a bundle of its own, scripts/build.mjs), on first
// use. A value import of live.ts (client-node's informers) or session.ts from code that activation
// evaluates pulls them in; types come from resources.ts. This builds main.ts as build.mjs does and
// looks at what went in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';

test('the activation bundle holds neither client-node nor the emulated cluster', async () => {
  const r = await esbuild.build({
    entryPoints: ['src/extension/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    outfile: 'dist/activation-check.cjs',
    logLevel: 'silent',
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__import_meta_url' },
    plugins: [
      {
        name: 'session-as-separate-bundle',
        setup(build) {
          build.onResolve({ filter: /^\.\.?\/session\.ts$/ }, (args) =>
            args.importer.includes('src/extension') && args.kind === 'dynamic-import' ? { path: './extension-session.cjs', external: true } : undefined,
          );
        },
      },
    ],
  });
  const inputs = Object.keys(r.metafile.inputs);
  const offending = inputs.filter((f) => /node_modules\/@kubernetes\/client-node\/|src\/emulator\/cluster\.ts$|src\/extension\/(live|session)\.ts$/.test(f));
  // Who imports them, to say where to look.
  const importers = Object.entries(r.metafile.inputs)
    .filter(([, v]) => v.imports.some((i) => offending.includes(i.path)))
    .map(([k]) => k)
    .filter((k) => !offending.includes(k));
  assert.deepEqual(offending, [], `imported at activation by: ${importers.join(', ')}`);
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  assert.ok(bytes < 4 * 1024 * 1024, `the activation bundle is ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
});
