// Real VS Code for tests, headless: code-server (from npm) on Node 24 (from npm), in a cache folder of
// its own, outside the project's dependencies. See ../shared/docs/testing-in-real-vscode.md.
//
//   node scripts/vscode-server.mjs install     install (or confirm) the cached code-server; prints where
//   node scripts/vscode-server.mjs where       prints the cache folder for the pinned versions
//
// Cache: $KUBE_EMULATOR_VSCODE_CACHE or <project>/.cache/vscode-server, then one folder per versions key.
// Installing is idempotent: a finished install writes `.installed`; a folder without it is redone.
/* global setTimeout, clearTimeout, fetch, AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERSIONS = Object.freeze({ node: '24.21.0', codeServer: '4.139.1' });
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const log = (msg) => process.stderr.write(`[vscode-server] ${msg}\n`);

/** The folder the pinned code-server lives in. */
export function installDir() {
  const root = process.env.KUBE_EMULATOR_VSCODE_CACHE
    ? resolve(process.env.KUBE_EMULATOR_VSCODE_CACHE)
    : join(PROJECT_ROOT, '.cache', 'vscode-server');
  return join(root, `node-${VERSIONS.node}_code-server-${VERSIONS.codeServer}_${process.platform}-${process.arch}`);
}

function paths(dir = installDir()) {
  return {
    dir,
    nodeDir: join(dir, 'node'),
    node: join(dir, 'node', 'bin', 'node'),
    entry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    marker: join(dir, '.installed'),
    lock: join(dir + '.lock'),
    logFile: join(dir, 'install.log'),
  };
}

function run(cmd, args, opts, logFd) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', logFd, logFd], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function tail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function withLock(lock, timeoutMs, fn) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock whose owner died is stale.
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      let alive = true;
      if (owner) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      } else if (Date.now() - statSync(lock).mtimeMs > 60_000) alive = false;
      if (!alive) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lock} (held by pid ${owner})`);
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Makes sure Node 24 and code-server are installed in the cache folder. Quick when cached.
 * @returns {Promise<{dir: string, node: string, entry: string, installed: boolean, seconds: number}>}
 */
export async function ensureCodeServer({ timeoutMs = 15 * 60_000 } = {}) {
  const p = paths();
  const t0 = Date.now();
  const ready = () => existsSync(p.marker) && existsSync(p.node) && existsSync(p.entry);
  if (ready()) return { dir: p.dir, node: p.node, entry: p.entry, installed: false, seconds: (Date.now() - t0) / 1000 };
  if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(`code-server from npm is set up here only for Linux x64/arm64, not ${process.platform}-${process.arch}`);
  }
  mkdirSync(dirname(p.dir), { recursive: true });
  return withLock(p.lock, timeoutMs, async () => {
    if (ready()) return { dir: p.dir, node: p.node, entry: p.entry, installed: false, seconds: (Date.now() - t0) / 1000 };
    rmSync(p.dir, { recursive: true, force: true });
    mkdirSync(p.nodeDir, { recursive: true });
    log(`installing Node ${VERSIONS.node} and code-server ${VERSIONS.codeServer} into ${p.dir} (about 2-4 minutes, once)`);
    const fd = openSync(p.logFile, 'a');
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
      // Node 24 from the npm registry: the package holds bin/node and include/node (headers for node-gyp).
      const nodePkg = `node-linux-${process.arch}@${VERSIONS.node}`;
      run(npm, ['pack', nodePkg, '--pack-destination', p.dir, '--loglevel=warn'], { cwd: p.dir, env: npmEnv }, fd);
      const tgz = readdirSync(p.dir).find((f) => f.startsWith(`node-linux-${process.arch}-`) && f.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack ${nodePkg} produced no tarball`);
      run('tar', ['xzf', join(p.dir, tgz), '--strip-components=1', '-C', p.nodeDir], {}, fd);
      rmSync(join(p.dir, tgz));
      run(p.node, ['--version'], {}, fd);
      // code-server with Node 24 first on PATH; node-gyp takes headers from the unpacked Node.
      writeFileSync(join(p.dir, 'package.json'), JSON.stringify({ name: 'vscode-server-cache', private: true }, null, 2));
      const env = {
        ...npmEnv,
        PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH ?? ''}`,
        npm_config_nodedir: p.nodeDir,
        npm_config_package_lock: 'false',
      };
      delete env.npm_config_prefix;
      run(npm, ['install', '--no-save', `code-server@${VERSIONS.codeServer}`], { cwd: p.dir, env }, fd);
      if (!existsSync(p.entry)) throw new Error(`code-server installed without ${p.entry}`);
      writeFileSync(p.marker, JSON.stringify({ ...VERSIONS, at: new Date().toISOString() }) + '\n');
    } catch (e) {
      const t = tail(p.logFile, 300);
      const hint = /krb5|gssapi/i.test(t)
        ? ' (a native module needs Kerberos headers: install the Debian package "libkrb5-dev")'
        : /find Python|python3?: not found|Could not find any Python/i.test(t)
          ? ' (node-gyp needs Python: install the Debian package "python3")'
          : /(make|g\+\+|cc|c\+\+): (command )?not found|not found: make/i.test(t)
            ? ' (node-gyp needs a compiler: install the Debian package "build-essential")'
            : '';
      throw new Error(`installing code-server failed${hint}: ${e.message}; log ${p.logFile}:\n${tail(p.logFile)}`);
    } finally {
      closeSync(fd);
    }
    const seconds = (Date.now() - t0) / 1000;
    log(`installed in ${seconds.toFixed(1)} s`);
    return { dir: p.dir, node: p.node, entry: p.entry, installed: true, seconds };
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** User settings that keep code-server quiet and offline. */
export const DEFAULT_SETTINGS = Object.freeze({
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
});

/**
 * Lays out a code-server home under `root`: config.yaml, user data dir with settings, extensions dir.
 * @returns {{root: string, config: string, userDataDir: string, extensionsDir: string, logFile: string, xdg: string}}
 */
export function prepareHome(root, { settings = {} } = {}) {
  const h = {
    root,
    config: join(root, 'config.yaml'),
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    logFile: join(root, 'code-server.log'),
    xdg: join(root, 'xdg'),
  };
  mkdirSync(join(h.userDataDir, 'User'), { recursive: true });
  mkdirSync(h.extensionsDir, { recursive: true });
  mkdirSync(h.xdg, { recursive: true });
  writeFileSync(h.config, 'auth: none\ncert: false\n');
  writeFileSync(
    join(h.userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2) + '\n',
  );
  return h;
}

function baseArgs(home) {
  return ['--config', home.config, '--user-data-dir', home.userDataDir, '--extensions-dir', home.extensionsDir];
}

function childEnv(home, extra = {}) {
  // XDG folders inside the test home, so the run writes nothing into the user's own folders.
  // VS Code variables of a surrounding VS Code (its terminal, its test host) must not leak in.
  const inherited = { ...process.env };
  for (const k of Object.keys(inherited)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete inherited[k];
  return {
    ...inherited,
    XDG_CONFIG_HOME: join(home.xdg, 'config'),
    XDG_DATA_HOME: join(home.xdg, 'data'),
    XDG_CACHE_HOME: join(home.xdg, 'cache'),
    XDG_STATE_HOME: join(home.xdg, 'state'),
    // No extension gallery: the tests install their .vsix themselves and must not reach open-vsx.org.
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  };
}

/** Installs a .vsix into the home's extensions dir (about 1 s). */
export function installExtension(cs, home, vsix) {
  const r = spawnSync(cs.node, [cs.entry, ...baseArgs(home), '--install-extension', vsix, '--force'], {
    env: childEnv(home),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 || !/successfully installed|already installed/i.test(out)) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return out.trim();
}

const running = new Set();
let exitHookInstalled = false;
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a code-server behind, whatever ends this process.
  process.on('exit', () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      for (const pid of running) killGroup(pid, 'SIGKILL');
      process.exit(130);
    });
  }
}

/**
 * Starts code-server in a process group of its own and waits for /healthz.
 * @returns {Promise<{url: string, port: number, pid: number, home: object, logs: () => string, stop: () => Promise<void>}>}
 */
export async function startCodeServer(cs, home, { workspace, port, extraArgs = [], env = {}, readyTimeoutMs = 60_000 } = {}) {
  port ??= await freePort();
  const args = [
    cs.entry,
    ...baseArgs(home),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...extraArgs,
  ];
  if (workspace) args.push(workspace);
  const fd = openSync(home.logFile, 'a');
  // detached: the child calls setsid() and leads a new process group, so it can be killed as a group.
  const child = spawn(cs.node, args, { detached: true, stdio: ['ignore', fd, fd], env: childEnv(home, env) });
  closeSync(fd);
  const pid = child.pid;
  installExitHook();
  running.add(pid);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  child.unref();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!running.has(pid)) return;
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && killGroup(pid, 0)) await sleep(100);
    killGroup(pid, 'SIGKILL');
    while (killGroup(pid, 0) && Date.now() < deadline + 5000) await sleep(100);
    running.delete(pid);
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      running.delete(pid);
      throw new Error(`code-server exited (${exited.code ?? exited.signal}) before it was ready:\n${tail(home.logFile)}`);
    }
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${readyTimeoutMs} ms:\n${tail(home.logFile)}`);
    }
    await sleep(200);
  }
  return { url, port, pid, home, logs: () => tail(home.logFile, 200), stop };
}

/** The Chromium to drive: $CHROMIUM_PATH or /usr/bin/chromium; throws one sentence when missing. */
export function chromiumPath() {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(p)) {
    throw new Error(`Chromium not found at ${p} (set CHROMIUM_PATH): install the Debian package "chromium"`);
  }
  return p;
}

/** Launch options for playwright-core's chromium.launchPersistentContext (never downloads a browser). */
export function chromiumLaunchOptions() {
  return {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  };
}

/** Runs `fn` with a deadline; rejects with `what` when it passes. */
export async function withTimeout(ms, what, fn) {
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}


/**
 * Bundles an extension-tests module (TypeScript, exporting `run()`) into one CommonJS file for the
 * extension host, `vscode` left external. What the tests expect of the extension (its id, commands,
 * views) is read from package.json and given to them as the constant `__KUBE_EMULATOR_E2E__`.
 */
export async function bundleExtensionTests(entry, outfile, { extensionDir = PROJECT_ROOT, extra = {} } = {}) {
  const pkg = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8'));
  // Titles are `%key%` placeholders resolved from package.nls.json, as VS Code does in English.
  const nlsFile = join(extensionDir, 'package.nls.json');
  const nls = existsSync(nlsFile) ? JSON.parse(readFileSync(nlsFile, 'utf8')) : {};
  const text = (s) => (typeof s === 'string' && /^%.+%$/.test(s) && typeof nls[s.slice(1, -1)] === 'string' ? nls[s.slice(1, -1)] : s);
  const expected = {
    extensionId: `${pkg.publisher}.${pkg.name}`,
    commands: (pkg.contributes?.commands ?? []).map((c) => ({ command: c.command, title: text(c.title) })),
    views: Object.values(pkg.contributes?.views ?? {}).flat().map((v) => ({ id: v.id, name: text(v.name) })),
    ...extra,
  };
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
    define: { __KUBE_EMULATOR_E2E__: JSON.stringify(expected) },
  });
  return { outfile, expected };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  if (cmd === 'install') {
    const cs = await ensureCodeServer();
    console.log(`${cs.installed ? 'installed' : 'cached'}: ${cs.dir} (${cs.seconds.toFixed(1)} s)`);
  } else if (cmd === 'where') {
    console.log(installDir());
  } else {
    console.error('usage: node scripts/vscode-server.mjs install|where');
    process.exit(2);
  }
}
