import { startEtcd } from '/work/main/test/emulator/store/etcd-server.ts';
import { EtcdStore } from '/work/main/src/emulator/store/etcd.ts';
import { EmulatorClock } from '/work/main/src/emulator/clock.ts';
const t0 = Date.now();
const srv = await startEtcd();
console.log('started in', Date.now() - t0, srv.url);
const s = await EtcdStore.connect(srv.url.replace('http', 'etcd'), { clock: new EmulatorClock({ mode: 'manual' }) });
console.log('rev', await s.currentRevision(), 'compacted', await s.compactedRevision());
const evs: any[] = [];
const h = await s.watch('/registry/pods/', 0, { event: (e) => evs.push(e), error: (e) => console.log('werr', e) });
const a = await s.create('/registry/pods/default/a', { kind: 'Pod', metadata: { name: 'a' } });
console.log(a);
const b = await s.update('/registry/pods/default/a', { kind: 'Pod', metadata: { name: 'a', labels: { x: '1' } } }, a.modRevision);
try { await s.update('/registry/pods/default/a', { kind: 'Pod', metadata: { name: 'a' } }, a.modRevision); } catch (e: any) { console.log(e.code, e.message, e.revision); }
try { await s.create('/registry/pods/default/a', { kind: 'Pod', metadata: { name: 'a' } }); } catch (e: any) { console.log(e.code, e.message); }
console.log(await s.range('/registry/pods/'));
const d = await s.delete('/registry/pods/default/a');
console.log('del', d);
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify(evs, null, 1));
await s.compact(d.modRevision - 1);
console.log('compacted', await s.compactedRevision());
try { await s.get('/registry/pods/default/a', { revision: 2 }); } catch (e: any) { console.log(e.code, e.message, e.revision); }
try { await s.watch('/registry/pods/', 1, { event: () => {} }); } catch (e: any) { console.log(e.code, e.message, e.revision); }
const l = await s.grantLease(1);
console.log('lease', l);
await s.create('/registry/events/default/e', { kind: 'Event', metadata: {} }, { lease: l });
console.log(await s.get('/registry/events/default/e'));
const t1 = Date.now();
while (await s.get('/registry/events/default/e')) await new Promise((r) => setTimeout(r, 100));
console.log('expired after', Date.now() - t1);
h.cancel();
await s.close();
await srv.stop();
const t2 = Date.now();
try { await EtcdStore.connect(srv.url, { clock: new EmulatorClock() }); } catch (e: any) { console.log(e.code, e.message, Date.now() - t2); }
