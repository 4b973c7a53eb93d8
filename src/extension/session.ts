// One connection to a cluster: the cluster-lifetime half of the extension. It owns the emulated
// cluster (when it started one), the KubeConfig, the client and the informers that keep the Nodes
// tree live. Stopping the cluster disposes the session; starting makes a new one.
//
// No `vscode` import here. ctx.ts loads this module with a dynamic import() so that activation does
// not evaluate client-node or the emulator.
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../emulator/cluster.ts';
import { EmulatorClock } from '../emulator/clock.ts';
import { openDurable, openReadOnly, type DurableStore } from '../emulator/store/durable.ts';
import { exportState, importState, type ImportResult } from '../emulator/store/state-file.ts';
import { ClusterClient } from './client.ts';
// For the target picker (target.ts), which reaches client-node only through this lazily loaded bundle.
export { clientForContext, kubeConfigForContext, loadUserKubeConfig } from './client.ts';
// For the details panel (panels/details.ts): its model needs client-node, so it comes with this bundle.
export * as details from './details-model.ts';
// Node commands (commands.ts) reach client-node through this bundle too.
export { drainNode, setUnschedulable } from './nodes.ts';
import { buildTree, type TreeModel } from './tree-model.ts';
import { LiveCluster } from './live.ts';

/**
 * Which cluster to talk to. Only the in-process emulator is wired today; a real cluster from the
 * user's kubeconfig (`kubeEmulator.target`, a later issue) is `Session.connect(kc, ...)` without an
 * owned cluster: everything below the KubeConfig is the same.
 */
export interface EmulatorTarget {
  kind: 'emulator';
  nodes: number;
  timeScale: number;
}

export interface SessionOptions {
  log(line: string): void;
  /** Where to write the kubeconfig so that kubectl in a terminal reaches the same cluster. */
  kubeconfigPath?: string;
  /** The state folder that keeps the cluster across reloads (none: in memory only). */
  statePath?: string;
}

export class Session {
  /** Starts an emulated cluster in this process and connects to it. */
  static async startEmulator(target: EmulatorTarget, opts: SessionOptions): Promise<Session> {
    const clock = new EmulatorClock({ mode: 'real', timeScale: target.timeScale });
    let durable: DurableStore | undefined;
    if (opts.statePath) {
      try {
        durable = await openDurable(opts.statePath, {
          clock,
          onWarning: (m) => opts.log(`State: ${m}`),
          onFailure: (e) => opts.log(`State: ${e.message}. The cluster can not accept writes any more; stop and start it.`),
        });
        for (const w of durable.warnings) opts.log(`State: ${w}`);
        opts.log(`State: ${durable.journal.dir} (revision ${await durable.store.currentRevision()})`);
      } catch (e) {
        // Another window has the same folder (global storage, no workspace): run in memory.
        if (!(e instanceof Error && / is in use by process /.test(e.message))) {
          clock.dispose();
          throw e;
        }
        opts.log(`${e.message}: this cluster lives in memory and is not kept`);
      }
    }
    const cluster = await createCluster({ nodes: target.nodes, port: 0, clock, store: durable?.store }).catch(async (e) => {
      await durable?.close().catch(() => undefined);
      clock.dispose();
      throw e;
    });
    const release = async () => {
      await cluster.stop();
      await durable?.close();
      clock.dispose();
    };
    try {
      const kubeconfigYaml = cluster.kubeconfigYaml();
      opts.log(`Kubernetes API at ${cluster.url}`);
      if (opts.kubeconfigPath) {
        await mkdir(dirname(opts.kubeconfigPath), { recursive: true });
        await writeFile(opts.kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
        opts.log(`kubeconfig: ${opts.kubeconfigPath}`);
      }
      const kc = new KubeConfig();
      kc.loadFromString(kubeconfigYaml);
      const session = await Session.connect(kc, opts, cluster);
      session.release = release;
      return session;
    } catch (e) {
      await release();
      throw e;
    }
  }

  /** The owned cluster's state as a ClusterState file (JSON text). */
  async exportState(): Promise<string> {
    if (!this.cluster) throw new Error('not an emulated cluster of this window');
    return this.cluster.exportState();
  }

  /** Replaces the owned cluster's objects with a ClusterState file's (its components pause meanwhile). */
  async importState(text: string): Promise<ImportResult> {
    if (!this.cluster) throw new Error('not an emulated cluster of this window');
    return this.cluster.importState(text);
  }

  /** Connects to whatever cluster `kc` points at; `owned` is stopped with the session. */
  static async connect(kc: KubeConfig, opts: SessionOptions, owned?: Cluster): Promise<Session> {
    const session = new Session(kc, opts, owned);
    await session.startInformers();
    return session;
  }

  readonly client: ClusterClient;
  /** Every kind the views show, live (list + watch), with indexes: the trees' and panels' model. */
  readonly live: LiveCluster;
  private readonly listeners = new Set<() => void>();
  private cached?: TreeModel;
  private disposed = false;
  /** Stops the owned cluster, closes its state folder and its clock. */
  private release?: () => Promise<void>;

  private constructor(
    readonly kc: KubeConfig,
    private readonly opts: SessionOptions,
    readonly cluster?: Cluster,
  ) {
    this.client = ClusterClient.fromKubeConfig(kc);
    this.live = new LiveCluster(kc, this.client, { log: (l) => opts.log(l) });
  }

  /** The API server URL the session talks to. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  /** Called after the informers' caches changed (once per event; the tree coalesces). */
  onDidChange(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  /** What the Nodes tree and the status bar show, from the informers' caches. */
  model(): TreeModel {
    this.cached ??= buildTree(this.live.list('nodes') as V1Node[], this.live.list('pods') as V1Pod[]);
    return this.cached;
  }

  private changed = () => {
    this.cached = undefined;
    for (const fn of this.listeners) fn();
  };

  private async startInformers(): Promise<void> {
    this.live.onDidChange(this.changed);
    await this.live.start();
  }

  /** Stops watching and, when the session started the cluster, stops the cluster. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.listeners.clear();
    await this.live.dispose();
    await (this.release ? this.release() : this.cluster?.stop());
  }
}

/** A state folder's cluster as a ClusterState file, read without changing it (the cluster stopped). */
export async function exportFolder(statePath: string): Promise<string> {
  const clock = new EmulatorClock({ mode: 'manual' });
  try {
    const store = await openReadOnly(statePath, { clock });
    const text = await exportState(store);
    await store.close();
    return text;
  } finally {
    clock.dispose();
  }
}

/** Replaces a state folder's cluster with a ClusterState file's (the cluster must be stopped). */
export async function importFolder(statePath: string, text: string): Promise<ImportResult> {
  const clock = new EmulatorClock({ mode: 'manual' });
  try {
    const d = await openDurable(statePath, { clock });
    try {
      return await importState(d.store, text);
    } finally {
      await d.close();
    }
  } finally {
    clock.dispose();
  }
}
