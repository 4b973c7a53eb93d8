// Test helpers for the kubelet: a manual-clock cluster whose kubelets run small test programs
// (so each test controls exactly what a container does), and a fake network.

import { createCluster, type Cluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { toTable, type TableOptions } from '../../../src/emulator/api/tables.ts';
import { NetError, type HttpHandler, type Network, type ProcessContext, type Program } from '../../../src/emulator/runtime/contracts.ts';

/** A network where programs listen on ip:port; anything else is refused. */
export class FakeNetwork implements Network {
  readonly servers = new Map<string, HttpHandler>();
  listen(ip: string, port: number, handler: HttpHandler): () => void {
    const k = `${ip}:${port}`;
    this.servers.set(k, handler);
    return () => {
      if (this.servers.get(k) === handler) this.servers.delete(k);
    };
  }
  async request(from: { ip: string; namespace: string }, url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
    const u = new URL(url);
    const h = this.servers.get(`${u.hostname}:${u.port || 80}`);
    if (!h) throw new NetError('ECONNREFUSED', `connect ${u.hostname}:${u.port}: connection refused`);
    return h({ method: init.method ?? 'GET', path: u.pathname + u.search, headers: init.headers ?? {}, body: Buffer.alloc(0), remoteIP: from.ip });
  }
  resolve(): string | undefined {
    return undefined;
  }
}

/**
 * Test programs, by argv[0]:
 * - `run MS CODE [TEXT]`: prints TEXT (or "started"), exits with CODE after MS (never if MS is -1);
 *   exits 0 on SIGTERM, 137 on SIGKILL.
 * - `stubborn`: ignores SIGTERM; only SIGKILL ends it.
 * - `tick`: prints "tick N" every second.
 * - `serve PORT`: answers HTTP on the pod IP with the status in the file /status (200 if none).
 * - `env`: prints its environment, sorted, and exits 0.
 * - `echo ARGS...`: prints its arguments.
 * - `test-file PATH`: exits 0 if the file exists, else prints an error and exits 1.
 * - `write PATH TEXT`: writes the file (making its directory); `rm PATH` removes it.
 * - `sleep-ms MS`: exits 0 after MS.
 */
export const testProgram =
  (argv: string[]): Program =>
  async (ctx: ProcessContext) => {
    const [cmd, ...args] = argv;
    const onSignal = (term: number) => ctx.signal.then((s) => (s === 'SIGKILL' ? 137 : term));
    switch (cmd) {
      case 'run': {
        ctx.stdout(`${args[2] ?? 'started'}\n`);
        const ms = Number(args[0]);
        const code = Number(args[1]);
        if (ms < 0) return onSignal(0);
        return Promise.race([new Promise<number>((r) => ctx.clock.setTimeout(() => r(code), ms)), onSignal(0)]);
      }
      case 'stubborn':
        ctx.stdout('ignoring SIGTERM\n');
        await ctx.signal.then(async (s) => {
          if (s === 'SIGTERM') await new Promise(() => {});
        });
        return 137;
      case 'tick': {
        let n = 0;
        const t = ctx.clock.setInterval(() => ctx.stdout(`tick ${++n}\n`), 1000);
        const code = await onSignal(0);
        t.cancel();
        return code;
      }
      case 'serve': {
        const stop = ctx.net.listen(ctx.pod.ip, Number(args[0]), async () => {
          const st = ctx.fs.stat('/status') ? Number(ctx.fs.read('/status').toString().trim()) : 200;
          return { status: st, headers: {}, body: Buffer.from(`hello from ${ctx.pod.name}\n`) };
        });
        const code = await onSignal(0);
        stop();
        return code;
      }
      case 'env':
        for (const k of Object.keys(ctx.env).sort()) ctx.stdout(`${k}=${ctx.env[k]}\n`);
        return 0;
      case 'echo':
        ctx.stdout(args.join(' ') + '\n');
        return 0;
      case 'test-file':
        if (ctx.fs.stat(args[0])) return 0;
        ctx.stderr(`cat: can't open '${args[0]}': No such file or directory\n`);
        return 1;
      case 'write': {
        const dir = args[0].slice(0, args[0].lastIndexOf('/'));
        if (dir) ctx.fs.mkdir(dir, { recursive: true });
        ctx.fs.write(args[0], args.slice(1).join(' '));
        return 0;
      }
      case 'rm':
        ctx.fs.remove(args[0]);
        return 0;
      case 'sleep-ms':
        await new Promise<void>((r) => ctx.clock.setTimeout(r, Number(args[0])));
        return 0;
      default:
        // No command: a server-like image that runs until told to stop.
        if (argv.length === 0) {
          ctx.stdout('ready\n');
          return onSignal(0);
        }
        ctx.stderr(`sh: ${cmd}: not found\n`);
        return 127;
    }
  };

export interface TestCluster {
  c: Cluster;
  net: FakeNetwork;
  missingImages: Set<string>;
}

/** One node (by default) on a manual clock, the kubelets running the test programs. */
export async function testCluster(nodes = 1, opts: { http?: boolean } = {}): Promise<TestCluster> {
  const c = await createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual', start: Date.parse('2025-01-01T00:00:00Z') }), noHttp: !opts.http });
  const net = new FakeNetwork();
  const missingImages = new Set<string>();
  for (const k of c.kubelets.values()) {
    k.runtime.programFor = (_image, command, args) => testProgram([...command, ...args]);
    k.runtime.execProgramFor = (_image, argv) => testProgram(argv);
    k.runtime.imageExists = (ref) => !missingImages.has(ref);
    k.runtime.network = net;
    // A kubelet that has been up for long, as minikube's is when a course's pods come: no
    // start-up jitter of probes (tests of the jitter set probeManagerStart and a seeded random).
    k.probeManagerStart = -Infinity;
  }
  return { c, net, missingImages };
}

export function podSpec(name: string, spec: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec };
}

export async function createPod(c: Cluster, pod: Obj, ns = 'default'): Promise<void> {
  await c.api.create(c.api.resource('pods'), ns, pod);
}

export async function getPod(c: Cluster, name: string, ns = 'default'): Promise<Obj> {
  return c.api.get(c.api.resource('pods'), ns, name);
}

export function cstatus(p: Obj, name: string): Obj {
  return [...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])].find((s: Obj) => s.name === name);
}

export function condition(p: Obj, type: string): Obj | undefined {
  return (p.status.conditions ?? []).find((x: Obj) => x.type === type);
}

/** The pod's events, oldest first, as "Type Reason: message". */
export async function podEvents(c: Cluster, name: string, ns = 'default'): Promise<Obj[]> {
  const p = await c.api.tryGet(c.api.resource('pods'), ns, name);
  const all = await c.api.list(c.api.resource('events'), ns);
  return all.items.filter((e) => e.involvedObject.name === name && (!p || e.involvedObject.uid === p.metadata.uid));
}

export async function eventLines(c: Cluster, name: string, ns = 'default'): Promise<string[]> {
  return (await podEvents(c, name, ns)).map((e) => `${e.type} ${e.reason}: ${e.message}`);
}

/** kubectl get pods' READY, STATUS and RESTARTS columns, as the server-side table prints them. */
export async function getColumns(c: Cluster, name: string, ns = 'default'): Promise<{ ready: string; status: string; restarts: string }> {
  const p = await getPod(c, name, ns);
  const t = toTable('pods', [p], { includeObject: 'None', now: c.clock.now(), resourceVersion: '', apiVersion: 'v1', kind: 'Pod' } as TableOptions);
  const cells = t.rows[0].cells as string[];
  return { ready: String(cells[1]), status: String(cells[2]), restarts: String(cells[3]) };
}
