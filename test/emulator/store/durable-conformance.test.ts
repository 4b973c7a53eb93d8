// The storage contract, on the durable store (the memory store with its log: every write fsynced).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { openDurable } from '../../../src/emulator/store/durable.ts';
import { runConformance } from './conformance.ts';

runConformance('durable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-durable-conformance-'));
  const clock = new EmulatorClock({ mode: 'manual' });
  const d = await openDurable(join(dir, 'state'), { clock });
  return {
    store: d.store,
    cleanup: async () => {
      await d.close();
      clock.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
