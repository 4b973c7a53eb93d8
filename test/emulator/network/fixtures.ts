// Fakes for the network tests: an in-process APIServer on a manual clock, pods whose status (IP,
// phase, Ready) is set directly, as the kubelet would, and a wait that lets watches settle.

import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { rfc3339, type Obj } from '../../../src/emulator/api/objects.ts';

export async function apiServer(): Promise<{ api: APIServer; clock: EmulatorClock }> {
  const clock = new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:00Z') });
  const api = new APIServer(clock);
  for (const ns of ['default', 'other']) await api.create(api.resource('namespaces'), undefined, { metadata: { name: ns } });
  return { api, clock };
}

export interface FakePod {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  ip?: string;
  node?: string;
  ready?: boolean;
  ports?: Obj[];
  hostname?: string;
  subdomain?: string;
  phase?: string;
}

/** Creates a pod bound to a node, then sets its status as a kubelet would. */
export async function makePod(api: APIServer, clock: EmulatorClock, p: FakePod): Promise<Obj> {
  const def = api.resource('pods');
  const ns = p.namespace ?? 'default';
  const spec: Obj = { nodeName: p.node ?? 'minikube', containers: [{ name: 'web', image: 'nginx', ports: p.ports ?? [{ name: 'http', containerPort: 80 }] }] };
  if (p.hostname) spec.hostname = p.hostname;
  if (p.subdomain) spec.subdomain = p.subdomain;
  await api.create(def, ns, { metadata: { name: p.name, labels: p.labels ?? { app: 'web' } }, spec });
  return setPodStatus(api, clock, ns, p.name, { ip: p.ip, ready: p.ready ?? true, phase: p.phase });
}

export async function setPodStatus(api: APIServer, clock: EmulatorClock, ns: string, name: string, s: { ip?: string; ready: boolean; phase?: string }): Promise<Obj> {
  const def = api.resource('pods');
  const cur = await api.get(def, ns, name);
  const now = rfc3339(clock.now());
  const old = (cur.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const readyStatus = s.ready ? 'True' : 'False';
  const status: Obj = {
    phase: s.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: readyStatus, lastTransitionTime: old && old.status === readyStatus ? old.lastTransitionTime : now, lastProbeTime: null }],
  };
  const ip = s.ip ?? cur.status?.podIP;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  return api.update(def, ns, name, { ...cur, status }, { subresource: 'status' });
}

/** Lets watches, informers and work queues run until `check` holds (bounded). */
export async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await tick();
  }
  assert.fail(`never: ${what}`);
}

/** A few turns of the event loop: what was going to happen has happened. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}
