// What the kubelet needs from the rest of the emulated node (runtime/contracts.ts): programs for
// images, whether an image reference can be pulled, the pod's file systems, and the network.
// The cluster passes its network and volume host; the defaults are the image catalogue
// (runtime/images), a volume host of the kubelet's own, and a network where nothing listens.

import type { Obj } from '../api/objects.ts';
import { NetError, type FileSystem, type Network, type Program } from '../runtime/contracts.ts';
import { criPullError, execProgramFor, imageExists, programFor } from '../runtime/images/index.ts';
import { buildPodVolumes, VolumeHost } from '../runtime/volumes.ts';
import type { APIServer } from '../api/apiserver.ts';
import type { Clock } from '../clock.ts';
import { imageFor } from './images.ts';

/** A pod's storage as the kubelet holds it between container restarts. */
export interface PodStorage {
  /** Sets up the volumes not yet set up; the failures are FailedMount events (runtime/volumes.ts). */
  setUp?(): Promise<{ message: string }[]>;
  /** The file system one container sees: its root and its volumeMounts. */
  containerFs(container: Obj, env?: Record<string, string>): FileSystem;
  /** A restarted container gets a fresh writable layer; volumes stay. */
  resetContainer?(name: string): void;
  /** The pod's IP once the sandbox has it (/etc/hosts). */
  podIP?: string;
  /** The pod object changed (downward API files follow). */
  updatePod?(pod: Obj): void;
  /** The pod changed (a ConfigMap or Secret volume's source, say); optional. */
  dispose?(): void;
}

export interface KubeletRuntime {
  programFor(image: string, command: string[], args: string[]): Program;
  /** A process `kubectl exec` starts in a running container (not its main process: SIGTERM ends it). */
  execProgramFor(image: string, argv: string[]): Program;
  /** False for a reference no registry has (ErrImagePull). */
  imageExists(ref: string): boolean;
  /**
   * The CRI's error for a reference imageExists refuses (`rpc error: code = Unknown desc = ...
   * pull access denied ...`); without it, or when it has none, the tag is "not found".
   */
  pullError?(ref: string): string | undefined;
  /** The pod's volumes, made when its sandbox comes up, kept until it goes. */
  podStorage(pod: Obj, node: { name: string }): PodStorage;
  network: Network;
  /** The kubelet's random source, in [0, 1) (probe workers' start-up jitter); seed it in tests with seededRandom. */
  random(): number;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A long-running process that prints its image's start-up lines and exits 0 when signalled. */
export function idleProgram(image: string): Program {
  return async (ctx) => {
    for (const line of imageFor(image).startupLogs({ podIP: ctx.pod.ip, podName: ctx.pod.name, now: ctx.clock.now() })) ctx.stdout(line + '\n');
    const sig = await ctx.signal;
    return sig === 'SIGKILL' ? 137 : 0;
  };
}

/** A network where nobody listens: every request is refused. */
export const isolatedNetwork: Network = {
  listen: () => () => {},
  request: async (_from, url) => {
    throw new NetError('ECONNREFUSED', `connect to ${url} failed: Connection refused`);
  },
  resolve: () => undefined,
};

/** One VolumeHost per cluster (per store): hostPath per node and PV data are shared by its kubelets. */
const volumeHosts = new WeakMap<object, VolumeHost>();

export function volumeHostFor(api: APIServer, clock: Clock): VolumeHost {
  let host = volumeHosts.get(api.store);
  if (!host) {
    host = new VolumeHost(api, clock);
    volumeHosts.set(api.store, host);
    void host.start().catch(() => {});
  }
  return host;
}

export function defaultRuntime(api: APIServer, clock: Clock): KubeletRuntime {
  return {
    programFor: (image, command, args) => programFor(image, command, args),
    execProgramFor: (image, argv) => execProgramFor(image, argv),
    imageExists,
    pullError: criPullError,
    podStorage: (pod, node) => buildPodVolumes(volumeHostFor(api, clock), pod, node.name),
    network: isolatedNetwork,
    random: Math.random,
  };
}
