// Watch fan-out: 100 watchers on the pods prefix, 100,000 events, time until every watcher has
// every event, and the heap it takes (issue 3's benchmark). Through the apiserver's watch (with
// selector translation and the store's per-watcher queues), in process, on the memory store.

import { APIServer } from '../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { table } from './lib/table.ts';

export async function watchFanout(watchers = 100, events = 100_000): Promise<(string | number)[]> {
  const api = new APIServer(new EmulatorClock({ mode: 'manual' }));
  const cms = api.resource('events');
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let received = 0;
  const total = watchers * events;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const rv = String(await api.store.currentRevision());
  const handles = [];
  for (let i = 0; i < watchers; i++) {
    handles.push(
      await api.watch(cms, 'default', { resourceVersion: rv }, () => {
        if (++received === total) done();
      }),
    );
  }
  const t0 = performance.now();
  // 1,000 objects updated 100 times each: 100,000 events.
  const objects = 1000;
  for (let i = 0; i < objects; i++) {
    await api.create(cms, 'default', { metadata: { name: `e${i}` }, involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'R', message: 'm', count: 0 });
  }
  for (let round = 1; round < events / objects; round++) {
    for (let i = 0; i < objects; i++) await api.patch(cms, 'default', `e${i}`, 'merge', { count: round });
  }
  await all;
  const ms = performance.now() - t0;
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  for (const h of handles) h.stop();
  return [watchers, events, received, ms.toFixed(0), Math.round(total / (ms / 1000)).toLocaleString('en-US'), heapMiB.toFixed(0)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  table('Watch fan-out through the apiserver (memory store)', ['watchers', 'events', 'deliveries', 'ms', 'deliveries/s', 'heap MiB'], [await watchFanout()]);
}
