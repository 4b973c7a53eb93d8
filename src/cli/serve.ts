// kube-emulator serve: start a cluster, write its kubeconfig, serve until SIGINT/SIGTERM.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCluster } from '../emulator/cluster.ts';
import { EmulatorClock } from '../emulator/clock.ts';
import { openDurable, type DurableStore } from '../emulator/store/durable.ts';
import type { Store } from '../emulator/store/types.ts';
import { HELP, parse } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { defaultKubeconfigPath, mergeInto, userKubeconfigPath, writeSecretFile } from './kubeconfig.ts';

function intFlag(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`invalid value "${v}" for --${name}: must be a whole number from ${min} to ${max}`, 'serve');
  return n;
}

function checkStateDir(dir: string): string {
  const path = resolve(dir);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error('not a folder');
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    throw new CliError(`state folder ${path} cannot be created, read or written`);
  }
  return path;
}

/** Opens the store serve runs on: a state folder, a real etcd, or (default) memory only. */
export async function openStore(values: { state?: string; store?: string }, clock: EmulatorClock): Promise<{ store?: Store; durable?: DurableStore; describe: string }> {
  if (values.state !== undefined && values.store !== undefined) {
    throw new UsageError('--state and --store choose where the cluster lives: give one of them', 'serve');
  }
  if (values.store !== undefined) {
    if (!/^(etcd|http):\/\//.test(values.store)) throw new UsageError(`invalid value "${values.store}" for --store: use etcd://HOST:PORT`, 'serve');
    try {
      const store = await (await import('../emulator/store/etcd.ts')).EtcdStore.connect(values.store, { clock });
      return { store, describe: `etcd at ${values.store.replace(/^etcd:\/\//, '')}` };
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  if (values.state !== undefined) {
    const dir = checkStateDir(values.state);
    try {
      const durable = await openDurable(dir, {
        clock,
        onFailure: (err) => {
          console.error(`Error: ${err.message}; stopping, as etcd does when it cannot write its log`);
          process.exit(1);
        },
      });
      for (const w of durable.warnings) console.error(`Warning: ${w}`);
      return { store: durable.store, durable, describe: `state folder ${dir}` };
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  }
  return { describe: 'memory (gone when the server stops; use --state DIR to keep it)' };
}

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parse('serve', args, {
    nodes: { type: 'string' },
    port: { type: 'string' },
    kubeconfig: { type: 'string' },
    'merge-kubeconfig': { type: 'boolean' },
    state: { type: 'string' },
    store: { type: 'string' },
    'time-scale': { type: 'string' },
  });
  if (values.help) {
    console.log(HELP.serve);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'serve');
  const nodes = intFlag(values.nodes, 'nodes', 1, 1000, 3);
  const port = intFlag(values.port, 'port', 0, 65535, 0);
  let timeScale = 1;
  if (values['time-scale'] !== undefined) {
    timeScale = Number(values['time-scale']);
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new UsageError(`invalid value "${values['time-scale']}" for --time-scale: must be a number above 0`, 'serve');
  }
  const kubeconfigPath = resolve(values.kubeconfig ?? defaultKubeconfigPath());

  const t0 = performance.now();
  const clock = new EmulatorClock({ mode: 'real', timeScale });
  const opened = await openStore(values, clock);
  const cluster = await createCluster({ nodes, port, clock, store: opened.store }).catch(async (e: Error) => {
    await opened.durable?.close();
    await opened.store?.close();
    throw new CliError(e.message);
  });
  const stopAll = async () => {
    await cluster.stop();
    await opened.durable?.close();
    clock.dispose();
  };
  try {
    writeSecretFile(kubeconfigPath, cluster.kubeconfigYaml());
  } catch (e) {
    await stopAll();
    throw new CliError(`cannot write the kubeconfig to ${kubeconfigPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (values['merge-kubeconfig']) {
    const target = userKubeconfigPath();
    try {
      mergeInto(target, cluster.kubeconfig());
    } catch (e) {
      await stopAll();
      throw e instanceof CliError ? e : new CliError(`cannot merge into ${target}: ${(e as Error).message}`);
    }
    console.log(`merged context "${cluster.name}" into ${target} and made it current`);
  }
  const ms = (performance.now() - t0).toFixed(0);
  console.log(`Kubernetes API at ${cluster.httpUrl} (and ${cluster.url}: kubectl sends its token only over TLS)`);
  console.log(`kubeconfig: ${kubeconfigPath}`);
  console.log(`Started ${nodes} node${nodes === 1 ? '' : 's'} in ${ms} ms (${[...cluster.kubelets.keys()].join(', ')})`);
  console.log(`store: ${opened.describe}`);
  console.log('');
  console.log('Use it with kubectl:');
  console.log(`  export KUBECONFIG=${kubeconfigPath}`);
  console.log('  kubectl get nodes');
  console.log('Install the VS Code extension: npm run package && code --install-extension dist/kube-emulator.vsix');
  console.log('Press Ctrl-C to stop.');

  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      console.log(`\n${signal}: stopping the cluster`);
      resolveStop();
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  await stopAll();
  console.log('stopped');
  return 0;
}
