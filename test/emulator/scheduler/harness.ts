// A bare control plane for scheduler tests: an APIServer on a manual clock, the system
// PriorityClasses, Node objects made in-process (no kubelets), and the Scheduler under test.

import { setImmediate as tick } from 'node:timers/promises';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { bootstrapPriorityClasses } from '../../../src/emulator/api/admission/priority.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { Scheduler } from '../../../src/emulator/scheduler/scheduler.ts';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Obj[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
  images?: Obj[];
}

export interface Harness {
  api: APIServer;
  clock: EmulatorClock;
  sched: Scheduler;
  node(name: string, spec?: NodeSpec): Promise<Obj>;
  pod(name: string, spec?: Obj, meta?: Obj): Promise<Obj>;
  get(name: string, ns?: string): Promise<Obj>;
  settle(): Promise<void>;
  events(name: string, reason?: string): Promise<Obj[]>;
  stop(): void;
}

/** A seeded generator (mulberry32) for the scheduler's tie-breaks. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function harness(opts: { random?: () => number } = {}): Promise<Harness> {
  const clock = new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:00Z') });
  const api = new APIServer(clock);
  for (const ns of ['default', 'other']) await api.create(api.resource('namespaces'), undefined, { metadata: { name: ns, labels: { team: ns } } });
  await bootstrapPriorityClasses(api);
  const sched = new Scheduler(api.as('kube-scheduler'), clock, { random: opts.random ?? seeded(1) });
  await sched.start();
  const settle = async () => {
    for (let i = 0; i < 30; i++) await tick();
  };
  return {
    api,
    clock,
    sched,
    async node(name, s = {}) {
      const allocatable = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110', 'ephemeral-storage': '100Gi', ...s.extra };
      const n = await api.create(api.resource('nodes'), undefined, {
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
        spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
      });
      await api.update(api.resource('nodes'), undefined, name, { ...n, status: { capacity: allocatable, allocatable, images: s.images ?? [] } }, { subresource: 'status' });
      await settle();
      return api.get(api.resource('nodes'), undefined, name);
    },
    async pod(name, spec = {}, meta = {}) {
      const p = await api.create(api.resource('pods'), meta.namespace ?? 'default', {
        metadata: { name, ...meta },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec },
      });
      return p;
    },
    get: (name, ns = 'default') => api.get(api.resource('pods'), ns, name),
    settle,
    async events(name, reason) {
      const list = await api.list(api.resource('events'), undefined);
      return list.items.filter((e: Obj) => e.involvedObject.name === name && (!reason || e.reason === reason));
    },
    stop: () => {
      sched.stop();
      clock.dispose();
    },
  };
}

export const cpu = (c: string, extra: Obj = {}) => ({ containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: c } } }], ...extra });
