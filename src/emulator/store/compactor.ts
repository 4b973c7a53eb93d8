// The apiserver's compactor (k8s.io/apiserver/pkg/storage/etcd3/compact.go): every interval (5
// minutes by default, --etcd-compaction-interval) it compacts the store to the revision it saw at
// the previous tick, so at least one interval of history stays for watches to resume from.
// It runs on the emulator's clock: fast-forwarding compacts as real time would.

import type { Clock, TimerHandle } from '../clock.ts';
import type { Store } from './types.ts';

export const COMPACTION_INTERVAL_MS = 5 * 60_000;

export function startCompactor(store: Store, clock: Clock, intervalMs = COMPACTION_INTERVAL_MS): TimerHandle {
  let last: number | undefined;
  return clock.setInterval(() => {
    void (async () => {
      try {
        if (last !== undefined) await store.compact(last);
        last = await store.currentRevision();
      } catch {
        // A failed compaction is retried at the next tick, as the apiserver's compactor does.
      }
    })();
  }, intervalMs);
}
