// kube-emulator state export|import FILE: a cluster's state as a portable ClusterState file,
// from or to a running cluster (its control endpoint), a state folder, or a real etcd.

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HELP, parse } from './args.ts';
import { CliError, UsageError } from './errors.ts';
import { call } from './control.ts';
import { readTarget } from './kubeconfig.ts';
import { EmulatorClock } from '../emulator/clock.ts';
import { openDurable, openReadOnly } from '../emulator/store/durable.ts';
import { exportState, importState, parseState, type ImportResult } from '../emulator/store/state-file.ts';
import type { Store } from '../emulator/store/types.ts';

function report(r: ImportResult, from: string): void {
  console.log(`imported ${from}: ${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged`);
}

async function withStore<T>(values: { state?: string; store?: string }, write: boolean, fn: (s: Store) => Promise<T>): Promise<T> {
  const clock = new EmulatorClock({ mode: 'manual' });
  let store: Store;
  let close: () => Promise<void>;
  try {
    if (values.store !== undefined) {
      store = await (await import('../emulator/store/etcd.ts')).EtcdStore.connect(values.store, { clock });
      close = () => store.close();
    } else if (write) {
      const d = await openDurable(values.state!, { clock });
      store = d.store;
      close = () => d.close();
    } else {
      store = await openReadOnly(values.state!, { clock });
      close = () => store.close();
    }
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  try {
    return await fn(store);
  } finally {
    await close();
    clock.dispose();
  }
}

export async function stateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse('state', args, {
    kubeconfig: { type: 'string' },
    state: { type: 'string' },
    store: { type: 'string' },
  });
  if (values.help) {
    console.log(HELP.state);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'export' && action !== 'import') {
    throw new UsageError(action ? `unknown action "${action}": use export or import` : 'missing action: export or import', 'state');
  }
  if (!file) throw new UsageError(`state ${action} needs a FILE`, 'state');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, 'state');
  const targets = [values.kubeconfig, values.state, values.store].filter((v) => v !== undefined).length;
  if (targets > 1) throw new UsageError('give one of --kubeconfig, --state and --store', 'state');
  const path = resolve(file);

  if (action === 'export') {
    let text: string;
    if (values.state !== undefined || values.store !== undefined) text = await withStore(values, false, exportState);
    else text = await call(readTarget(values.kubeconfig), 'GET', '/state', undefined, true);
    try {
      writeFileSync(path, text);
    } catch (e) {
      throw new CliError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const n = parseState(text).objects.length;
    console.log(`exported ${n} objects to ${path}`);
    return 0;
  }

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(`${path} does not exist or cannot be read`);
  }
  try {
    parseState(text); // a bad file is refused before anything is touched
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
  if (values.state !== undefined || values.store !== undefined) {
    report(await withStore(values, true, (s) => importState(s, text)), path);
  } else {
    report(await call(readTarget(values.kubeconfig), 'PUT', '/state', text), path);
  }
  return 0;
}
