// What the kubelet needs from the rest of the emulated node (runtime/contracts.ts): programs for
// images, whether an image reference can be pulled, the pod's file systems, and the network.
// The cluster passes the real ones; the defaults here keep a kubelet usable on its own (an image
// runs idle until signalled unless given a command, in-memory file systems, a network where nothing
// listens).

import type { Obj } from '../api/objects.ts';
import { NetError, type FileSystem, type Network, type Program } from '../runtime/contracts.ts';
import { MemoryFileSystem, MountedFileSystem, type Mount } from '../runtime/fs.ts';
import { imageExists, programFor } from '../runtime/images/index.ts';
import { imageFor } from './images.ts';

/** A pod's storage as the kubelet holds it between container restarts. */
export interface PodStorage {
  /** The file system one container sees: its root and its volumeMounts. */
  containerFs(container: Obj): FileSystem;
  /** The pod changed (a ConfigMap or Secret volume's source, say); optional. */
  dispose?(): void;
}

export interface KubeletRuntime {
  programFor(image: string, command: string[], args: string[]): Program;
  /** False for a reference no registry has (ErrImagePull). */
  imageExists(ref: string): boolean;
  /** The pod's volumes, made when its sandbox comes up, kept until it goes. */
  podStorage(pod: Obj, node: { name: string }): PodStorage;
  network: Network;
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

/**
 * The pod's storage until the volumes module is wired in: each container gets its own writable
 * root, and every volume is an empty directory shared by the containers that mount it, kept for
 * the pod's lifetime (so it survives container restarts, as an emptyDir does).
 */
export function simplePodStorage(pod: Obj, now: () => number): PodStorage {
  const volumes = new Map<string, FileSystem>();
  for (const v of (pod.spec.volumes ?? []) as Obj[]) volumes.set(v.name, new MemoryFileSystem({ now }));
  const roots = new Map<string, FileSystem>();
  return {
    containerFs: (c) => {
      let root = roots.get(c.name);
      if (!root) roots.set(c.name, (root = new MemoryFileSystem({ now })));
      const mounts: Mount[] = [];
      for (const m of (c.volumeMounts ?? []) as Obj[]) {
        const fs = volumes.get(m.name);
        if (fs) mounts.push({ path: m.mountPath, fs, subPath: m.subPath, readOnly: !!m.readOnly });
      }
      return new MountedFileSystem(root, mounts);
    },
  };
}

/** The image catalogue's program for a command; images run without one idle, printing their start-up lines. */
function catalogueProgram(image: string, command: string[], args: string[]): Program {
  if (command.length === 0 && args.length === 0) return idleProgram(image);
  return programFor(image, command, args);
}

export function defaultRuntime(clock: { now(): number }): KubeletRuntime {
  return {
    programFor: catalogueProgram,
    imageExists,
    podStorage: (pod) => simplePodStorage(pod, () => clock.now()),
    network: isolatedNetwork,
  };
}
