// The child of crash.test.ts: opens a state folder and writes to it with concurrent writers until it
// is killed. Each writer follows a fixed plan (plan() below) on keys of its own, and prints
//   A <writer> <step> <revision>
// after the store acknowledged that step, so the parent knows what must be on disk.
//
//   node --import tsx test/emulator/store/crash-writer.ts DIR ROUND WRITERS SNAPSHOT_EVERY

import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { openDurable } from '../../../src/emulator/store/durable.ts';

export const KEYS_PER_WRITER = 4;

export function keyOf(round: number, writer: number, k: number): string {
  return `/registry/configmaps/r${round}/w${writer}-k${k}`;
}

export function valueOf(round: number, writer: number, k: number, step: number) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `w${writer}-k${k}`, namespace: `r${round}` }, data: { step: String(step) } };
}

export type Op = { k: number; op: 'create' | 'update' | 'delete' };

/** Step s of a writer, given which of its keys exist: the same in the child and the parent. */
export function plan(step: number, exists: boolean[]): Op {
  const k = step % KEYS_PER_WRITER;
  if (!exists[k]) return { k, op: 'create' };
  return { k, op: step % 5 === 4 ? 'delete' : 'update' };
}

/** The keys' values (their step) after steps 0..last of the plan; undefined: absent. */
export function stateAfter(last: number): (number | undefined)[] {
  const state: (number | undefined)[] = new Array(KEYS_PER_WRITER).fill(undefined);
  for (let s = 0; s <= last; s++) {
    const { k, op } = plan(s, state.map((v) => v !== undefined));
    state[k] = op === 'delete' ? undefined : s;
  }
  return state;
}

async function main(): Promise<void> {
  const [dir, roundArg, writersArg, everyArg] = process.argv.slice(2);
  const round = Number(roundArg);
  const d = await openDurable(dir, { clock: new EmulatorClock(), snapshotEvery: Number(everyArg) });
  writeLine(1, 'READY\n');
  await Promise.all(
    Array.from({ length: Number(writersArg) }, async (_, w) => {
      const exists: boolean[] = new Array(KEYS_PER_WRITER).fill(false);
      for (let step = 0; ; step++) {
        const { k, op } = plan(step, exists);
        const key = keyOf(round, w, k);
        let rev: number;
        if (op === 'create') rev = (await d.store.create(key, valueOf(round, w, k, step))).modRevision;
        else if (op === 'update') rev = (await d.store.update(key, valueOf(round, w, k, step))).modRevision;
        else rev = (await d.store.delete(key)).modRevision;
        exists[k] = op !== 'delete';
        // The line is out before the next write starts.
        writeLine(1, `A ${w} ${step} ${rev}\n`);
      }
    }),
  );
}

/**
 * Writes all of `line` synchronously. The stdout pipe may be non-blocking and full when the parent
 * reads slowly (a loaded machine): EAGAIN then means wait a moment and write the rest.
 */
function writeLine(fd: number, line: string): void {
  let buf = Buffer.from(line);
  while (buf.length) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    writeSync(2, `crash-writer: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
