// Where the CLI keeps its kubeconfig, and how it writes, merges and reads one.

import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, delimiter } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { CliError } from './errors.ts';

/** The user's cache folder ($XDG_CACHE_HOME or ~/.cache on Linux, the OS's elsewhere). */
export function cacheDir(): string {
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'kube-emulator');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'kube-emulator');
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return join(process.env.LOCALAPPDATA, 'kube-emulator', 'cache');
  return join(homedir(), '.cache', 'kube-emulator');
}

export function defaultKubeconfigPath(): string {
  return join(cacheDir(), 'kubeconfig');
}

/** Writes a file atomically with owner-only permissions (it holds a bearer token). */
export function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The file kubectl would use: the first in $KUBECONFIG, else ~/.kube/config. */
export function userKubeconfigPath(): string {
  const env = process.env.KUBECONFIG;
  if (env) {
    const first = env.split(delimiter).find((p) => p.trim());
    if (first) return resolve(first);
  }
  return join(homedir(), '.kube', 'config');
}

type Named = { name: string; [k: string]: unknown };

/** Adds or replaces our cluster, user and context in another kubeconfig, and makes it current. */
export function mergeInto(path: string, ours: Record<string, any>): void {
  let doc: Record<string, any> = { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [] };
  if (existsSync(path)) {
    try {
      doc = parseYaml(readFileSync(path, 'utf8')) ?? doc;
    } catch (e) {
      throw new CliError(`cannot merge into ${path}: it is not valid YAML (${(e as Error).message.split('\n')[0]}); nothing was changed`);
    }
  }
  for (const key of ['clusters', 'users', 'contexts'] as const) {
    const list: Named[] = Array.isArray(doc[key]) ? doc[key] : [];
    for (const item of ours[key] as Named[]) {
      const i = list.findIndex((x) => x?.name === item.name);
      if (i >= 0) list[i] = item;
      else list.push(item);
    }
    doc[key] = list;
  }
  doc['current-context'] = ours['current-context'];
  writeSecretFile(path, toYaml(doc));
}

export interface Target {
  server: string;
  token: string;
  file: string;
  insecure: boolean;
  ca?: string;
}

/** Reads the server and token of the current context of a kubeconfig the CLI wrote. */
export function readTarget(file: string | undefined): Target {
  const path = resolve(file ?? defaultKubeconfigPath());
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(
      file
        ? `kubeconfig ${path} does not exist or cannot be read`
        : `no kubeconfig at ${path}: start a cluster with "kube-emulator serve" first, or pass --kubeconfig FILE`,
    );
  }
  let doc: Record<string, any>;
  try {
    doc = parseYaml(text);
  } catch {
    throw new CliError(`kubeconfig ${path} is not valid YAML`);
  }
  const ctxName = doc?.['current-context'];
  const ctx = (doc?.contexts ?? []).find((c: Named) => c?.name === ctxName)?.context;
  const cluster = (doc?.clusters ?? []).find((c: Named) => c?.name === ctx?.cluster)?.cluster;
  const user = (doc?.users ?? []).find((u: Named) => u?.name === ctx?.user)?.user;
  if (!cluster?.server || !user?.token) {
    throw new CliError(`kubeconfig ${path} has no current context with a server and a token; use the file "kube-emulator serve" wrote`);
  }
  const caData = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    token: user.token,
    file: path,
    insecure: cluster['insecure-skip-tls-verify'] === true,
    ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined,
  };
}
