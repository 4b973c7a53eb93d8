// Bundles the CLI, the extension and the webview with esbuild.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};
mkdirSync('dist', { recursive: true });

// schemas/definitions.json from the pinned Kubernetes 1.32 models (deterministic, about 1.5 s).
const gen = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-schemas.mjs'], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);

// The extension's cluster half (the emulator and @kubernetes/client-node) is a bundle of its own,
// loaded by ctx.ts with import('./session.ts') when the cluster first starts: activation then
// evaluates a small bundle only.
const sessionAsSeparateBundle = {
  name: 'session-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/session\.ts$/ }, (args) =>
      args.importer.includes('src/extension') && args.kind === 'dynamic-import' ? { path: './extension-session.cjs', external: true } : undefined,
    );
  },
};
// The etcd backend (and gRPC under it) is a bundle of its own, loaded by the CLI with
// import('../emulator/store/etcd.ts') only for --store etcd://, so the CLI starts without it.
const etcdAsSeparateBundle = {
  name: 'etcd-as-separate-bundle',
  setup(build) {
    build.onResolve({ filter: /\/store\/etcd\.ts$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './store-etcd.js', external: true } : undefined,
    );
  },
};

/**
 * monaco-yaml's worker (through monaco-worker-manager) imports `monaco-editor/esm/vs/...`, a path
 * monaco-editor 0.5x's `exports` map no longer resolves (it maps `./*` to `./esm/vs/*`): point such
 * imports at the file itself.
 */
const monacoEsmPaths = {
  name: 'monaco-esm-paths',
  setup(build) {
    build.onResolve({ filter: /^monaco-editor\/esm\/vs\// }, (args) => ({ path: join(process.cwd(), 'node_modules', args.path) }));
  },
};

const cjsExtension = {
  ...common,
  format: 'cjs',
  external: ['vscode'],
  // client-node is ESM and reads import.meta.url in a few places; give it a CJS equivalent.
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};
await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    format: 'esm',
    plugins: [etcdAsSeparateBundle],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  }),
  esbuild.build({
    ...cjsExtension,
    entryPoints: ['src/extension/main.ts'],
    outfile: 'dist/extension.cjs',
    plugins: [sessionAsSeparateBundle],
    // import() becomes require(): VS Code's extension host loads extensions as CommonJS.
    supported: { 'dynamic-import': false },
  }),
  esbuild.build({
    ...common,
    entryPoints: ['src/emulator/store/etcd.ts'],
    outfile: 'dist/store-etcd.js',
    format: 'esm',
    // etcd3 loads its .proto files from its own folder at run time, so it stays a dependency in
    // node_modules rather than part of the bundle.
    external: ['etcd3'],
  }),
  esbuild.build({ ...cjsExtension, entryPoints: ['src/extension/session.ts'], outfile: 'dist/extension-session.cjs' }),
  ...webviewBuilds(),
]);

/**
 * The webviews (issue 8): every src/webview/NAME/main.ts becomes dist/webview/NAME.js (plus NAME.css
 * when it imports CSS), and every src/webview/NAME/*.worker.ts becomes dist/webview/NAME-*.worker.js;
 * browser bundles, loaded by the panels under a strict CSP (src/extension/webview-html.ts).
 */
function webviewBuilds() {
  if (!existsSync('src/webview')) return [];
  // Hashed font names and sourcemaps of earlier builds must not pile up (the .vsix takes *.js/css/ttf).
  rmSync('dist/webview', { recursive: true, force: true });
  const browser = {
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    plugins: [monacoEsmPaths],
  };
  const builds = [];
  for (const dir of readdirSync('src/webview', { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const base = `src/webview/${dir.name}`;
    if (existsSync(`${base}/main.ts`)) {
      // An ES module split at its dynamic imports: what a page loads only on demand (the details
      // page's Monaco editor, about 9 MB) is a chunk of its own, fetched when first used.
      builds.push(
        esbuild.build({
          ...browser,
          format: 'esm',
          splitting: true,
          entryPoints: { [dir.name]: `${base}/main.ts` },
          outdir: 'dist/webview',
          chunkNames: `${dir.name}-chunk-[hash]`,
        }).then((r) => {
          // The entry's CSS file already holds the CSS its chunks import (the page links it);
          // the chunks' own copies would only make the .vsix bigger.
          for (const f of readdirSync('dist/webview')) if (f.startsWith(`${dir.name}-chunk-`) && f.endsWith('.css')) rmSync(`dist/webview/${f}`);
          return r;
        }),
      );
    }
    for (const f of readdirSync(base)) {
      const m = /^(.*)\.worker\.ts$/.exec(f);
      if (m) builds.push(esbuild.build({ ...browser, entryPoints: [`${base}/${f}`], outfile: `dist/webview/${dir.name}-${m[1]}.worker.js` }));
    }
  }
  return builds;
}
