// The small shell (busybox ash flavour) that emulated containers and `kubectl exec` run.
// Minimal first version: `sh -c 'exit N'` and `echo`; the full interpreter follows.

import type { Program, ProcessContext } from '../contracts.ts';

export const sh: Program = async (ctx: ProcessContext): Promise<number> => {
  const args = ctx.argv.slice(1);
  if (args[0] !== '-c' || args.length < 2) return 0;
  const script = args[1].trim();
  const exit = /^exit(?:\s+(\d+))?$/.exec(script);
  if (exit) return Number(exit[1] ?? 0) & 255;
  const echo = /^echo\s+(.*)$/.exec(script);
  if (echo) {
    ctx.stdout(echo[1] + '\n');
    return 0;
  }
  return 0;
};
