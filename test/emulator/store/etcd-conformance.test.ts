// The storage conformance suite (conformance.ts) against a real etcd: one throwaway etcd for the
// file (etcd-server.ts), a fresh EtcdStore per test, each test under keys of its own.

import { after } from 'node:test';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { EtcdStore } from '../../../src/emulator/store/etcd.ts';
import { runConformance } from './conformance.ts';
import { startEtcd, type EtcdServer } from './etcd-server.ts';

let server: Promise<EtcdServer> | undefined;
after(async () => {
  if (server) await (await server).stop();
});

runConformance('etcd', async () => {
  const srv = await (server ??= startEtcd());
  const store = await EtcdStore.connect(srv.url, { clock: new EmulatorClock({ mode: 'manual' }) });
  return { store, cleanup: () => store.close() };
});
