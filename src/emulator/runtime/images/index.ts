// The emulated image catalogue's programs: what each known image runs as its container's main
// process. Minimal first version; the full catalogue follows.

import type { Program, ProcessContext } from '../contracts.ts';
import { parseImage } from '../../kubelet/images.ts';
import { sh } from '../shell/index.ts';

/** Whether an image reference can be pulled (ErrImagePull otherwise). */
export function imageExists(ref: string): boolean {
  return ref.trim() !== '' && !/\s/.test(ref);
}

const idle: Program = async (ctx: ProcessContext) => {
  const s = await ctx.signal;
  return s === 'SIGTERM' ? 0 : 137;
};

/**
 * The container's main program: `command` replaces the image's ENTRYPOINT and `args` its CMD,
 * as Kubernetes does (pkg/kubelet/kuberuntime/kuberuntime_container.go).
 */
export function programFor(image: string, command?: string[], args?: string[]): Program {
  const { repository } = parseImage(image);
  const argv = command && command.length > 0 ? [...command, ...(args ?? [])] : args && args.length > 0 ? args : [];
  if (argv.length > 0 && /(^|\/)(sh|ash|bash)$/.test(argv[0])) return (ctx) => sh({ ...ctx, argv });
  void repository;
  return idle;
}
