// The apiserver under load (issue 4), measured from the client's side:
//
//  1. LIST of 10,000 realistic pods over HTTP (PodList JSON, and the Table kubectl get asks for),
//     against a floor measured in the same run: JSON.stringify of the same PodList. Goal: at most
//     2x the floor.
//  2. Create, update and delete latency (p50/p99) with 10,000 ConfigMaps already stored: over HTTP
//     from one sequential client, and through the in-process APIServer for reference.
//  3. `kubectl apply -f` of a folder of 1,000 objects (ConfigMaps, Services, Deployments in four
//     namespaces) against `kube-emulator serve`: the first apply (created) and the second (unchanged).
//
// 1 and 2 run the cluster in this process (createCluster on a manual clock, so nothing moves on its
// own) and talk to it with node's http client over loopback, keep-alive, bearer token included.
// `node --expose-gc --import tsx bench/api.ts [list|latency|apply]` runs one part.

import http from 'node:http';
import https from 'node:https';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCluster, type Cluster } from '../src/emulator/cluster.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import type { Obj } from '../src/emulator/api/objects.ts';
import { kubectlPath, run, serve, tempDir } from '../test/e2e/helpers.ts';
import { median, table } from './lib/table.ts';

interface Reply {
  status: number;
  body: Buffer;
}

/** One request with node's http(s) client, the whole body read. */
function request(agent: http.Agent, url: string, token: string, o: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Authorization: `Bearer ${token}`, ...o.headers };
    if (o.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = Buffer.byteLength(o.body);
    }
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method: o.method ?? 'GET', agent, headers, ca: o.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

function gc(): void {
  global.gc?.();
}

// ---- 1. LIST ----

const POD_NAMESPACES = ['default', 'team-a', 'team-b', 'team-c'];

function podBody(i: number, nodeName?: string): Obj {
  const app = `web-${i % 40}`;
  return {
    metadata: {
      name: `${app}-7d9c5b6f4-${i.toString(36).padStart(5, '0')}`,
      labels: { app, tier: i % 3 ? 'frontend' : 'backend', 'pod-template-hash': '7d9c5b6f4' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-11-02T10:00:00Z' },
    },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ name: 'http', containerPort: 80 }],
          env: [{ name: 'APP', value: app }, { name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 10 },
          volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
        },
        {
          name: 'log-shipper',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'tail -F /var/log/web/access.log'],
          resources: { requests: { cpu: '5m', memory: '8Mi' } },
        },
      ],
      volumes: [{ name: 'config', configMap: { name: `${app}-config` } }],
    },
  };
}

/**
 * A cluster holding `count` pods as the kubelet leaves them Running: one pod really run by the
 * node's kubelet gives the status it writes; the kubelet then stops and the other pods are created
 * bound to that node through the APIServer (defaulting, admission, managedFields), each followed by
 * that status (its own pod IP) written through the status subresource, as the kubelet does.
 */
export async function clusterWithPods(count: number): Promise<Cluster> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const c = await createCluster({ nodes: 1, clock });
  const api = c.api;
  const pods = api.resource('pods');
  const nsDef = api.resource('namespaces');
  for (const ns of POD_NAMESPACES.slice(1)) await api.create(nsDef, undefined, { metadata: { name: ns } });
  const first = await api.create(pods, 'default', podBody(0));
  for (let t = 0; t < 60; t++) {
    await c.advanceClock(1000);
    if ((await api.get(pods, 'default', first.metadata.name)).status?.phase === 'Running') break;
  }
  const template = (await api.get(pods, 'default', first.metadata.name)).status;
  if (template?.phase !== 'Running') throw new Error('the template pod did not reach Running');
  const node = (await api.get(pods, 'default', first.metadata.name)).spec.nodeName as string;
  c.stopNode(node);
  for (let i = 1; i < count; i++) {
    const ns = POD_NAMESPACES[i % POD_NAMESPACES.length];
    const created = await api.create(pods, ns, podBody(i, node));
    const ip = `10.244.${(i >> 8) & 255}.${i & 255}`;
    const status = {
      ...template,
      podIP: ip,
      podIPs: [{ ip }],
      containerStatuses: template.containerStatuses.map((s: Obj) => ({ ...s, containerID: `containerd://${created.metadata.uid.replace(/-/g, '')}${s.name.length}` })),
    };
    await api.update(pods, ns, created.metadata.name, { ...created, status }, { subresource: 'status' });
  }
  return c;
}

export async function listBench(o: { pods?: number; runs?: number } = {}): Promise<void> {
  const count = o.pods ?? 10_000;
  const runs = o.runs ?? 11;
  const t0 = performance.now();
  const c = await clusterWithPods(count);
  const setupMs = performance.now() - t0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // The floor: the same objects as the PodList the server sends, stringified. It is measured
    // right before each LIST, so that both see the same load on the machine; x floor is the
    // median of the per-run ratios.
    const list = await c.api.list(c.api.resource('pods'), undefined);
    if (list.items.length !== count) throw new Error(`stored ${list.items.length} pods, wanted ${count}`);
    const podList = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: list.resourceVersion }, items: list.items.map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p })) };
    const floorBytes = Buffer.byteLength(JSON.stringify(podList));
    const floorOnce = (): number => {
      gc();
      const t = performance.now();
      JSON.stringify(podList);
      return performance.now() - t;
    };
    const floors: number[] = [];

    const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const cases: { name: string; base: string; path: string; accept?: string; agent: http.Agent; check: (b: Obj) => number }[] = [
      { name: 'GET /api/v1/pods (PodList JSON)', base: c.httpUrl, path: '/api/v1/pods', agent, check: (b) => b.items.length },
      { name: 'same over TLS (as kubectl and client-go)', base: c.url, path: '/api/v1/pods', agent: tlsAgent, check: (b) => b.items.length },
      { name: 'Table, includeObject=Metadata (kubectl get)', base: c.httpUrl, path: '/api/v1/pods', accept: TABLE, agent, check: (b) => b.rows.length },
      { name: 'Table, includeObject=Object (kubectl get --sort-by)', base: c.httpUrl, path: '/api/v1/pods?includeObject=Object', accept: TABLE, agent, check: (b) => b.rows.length },
      { name: 'Table, limit=500 pages (kubectl get -A)', base: c.httpUrl, path: '/api/v1/pods?limit=500', accept: TABLE, agent, check: (b) => b.rows.length },
      { name: 'PodList, limit=500 pages (kubectl get -o json)', base: c.httpUrl, path: '/api/v1/pods?limit=500', agent, check: (b) => b.items.length },
    ];
    const rows: (string | number)[][] = [];
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    for (const k of cases) {
      const once = async (): Promise<{ ms: number; bytes: number; n: number }> => {
        let cont: string | undefined;
        let bytes = 0;
        let n = 0;
        const bodies: Buffer[] = [];
        gc();
        const t = performance.now();
        do {
          const url = k.base + k.path + (cont ? `&continue=${encodeURIComponent(cont)}` : '');
          const r = await request(k.agent, url, c.token, { headers: k.accept ? { Accept: k.accept } : {}, ca: c.certificate });
          if (r.status !== 200) throw new Error(`${url} answered ${r.status}: ${r.body.toString().slice(0, 300)}`);
          bytes += r.body.length;
          bodies.push(r.body);
          // Paging needs the continue token: it is in the list's metadata, at the head of the body
          // (decoding the pages is the client's own cost, left out here as for the whole lists).
          cont = k.path.includes('limit=') ? /"continue":"([^"]*)"/.exec(r.body.subarray(0, 4096).toString())?.[1] : undefined;
        } while (cont);
        const elapsed = performance.now() - t;
        for (const b of bodies) n += k.check(JSON.parse(b.toString()));
        return { ms: elapsed, bytes, n };
      };
      const first = (await once()).ms; // also the warm-up
      const times: number[] = [];
      const ratios: number[] = [];
      let last = { ms: 0, bytes: 0, n: 0 };
      for (let i = 0; i < runs; i++) {
        const f = floorOnce();
        floors.push(f);
        last = await once();
        times.push(last.ms);
        ratios.push(last.ms / f);
      }
      if (last.n !== count) throw new Error(`${k.name}: ${last.n} items, wanted ${count}`);
      rows.push([k.name, mib(last.bytes), ms(first), ms(median(times)), ms(Math.min(...times)), median(ratios).toFixed(2)]);
    }
    const floor = median(floors);
    gc();
    const retained = process.memoryUsage().heapUsed - heap0;
    table(
      `LIST of ${count.toLocaleString('en-US')} pods over HTTP (median of ${runs}); floor = JSON.stringify of the same PodList (${mib(floorBytes)} MiB) in this run: ${ms(floor)} ms. Goal: ≤ 2x the floor. Heap kept after the LISTs (the stored objects' JSON): ${mib(retained)} MiB. (setup: ${(setupMs / 1000).toFixed(0)} s)`,
      ['request', 'MiB', 'first ms', 'median ms', 'min ms', 'x floor'],
      rows,
    );
  } finally {
    agent.destroy();
    tlsAgent.destroy();
    await c.stop();
  }
}

// ---- 2. write latency ----

function configMap(name: string, i: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: `app-${i % 40}`, bench: 'latency' } },
    data: { 'app.properties': `color=blue\nreplicas=${i}\nlog.level=info\n`, 'index.html': `<h1>${name}</h1>\n` },
  };
}

export async function latencyBench(o: { existing?: number; ops?: number } = {}): Promise<void> {
  const existing = o.existing ?? 10_000;
  const ops = o.ops ?? 1000;
  const clock = new EmulatorClock({ mode: 'manual' });
  const c = await createCluster({ nodes: 1, clock });
  const cms = c.api.resource('configmaps');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  type Lat = { create: number[]; update: number[]; delete: number[] };
  // results[through][op] = one "p50 / p99" cell per stored count.
  const results = new Map<string, Map<string, string[]>>();
  const record = (how: string, lat: Lat) => {
    if (!results.has(how)) results.set(how, new Map());
    for (const op of ['create', 'update', 'delete'] as const) {
      const xs = lat[op].sort((a, b) => a - b);
      const cells = results.get(how)!.get(op) ?? [];
      cells.push(`${ms(median(xs))} / ${ms(percentile(xs, 0.99))}`);
      results.get(how)!.set(op, cells);
    }
  };

  async function overHttp(how: string, base: string, ag: http.Agent, tag: string): Promise<void> {
    const coll = `${base}/api/v1/namespaces/default/configmaps`;
    const lat: Lat = { create: [], update: [], delete: [] };
    const objs: Obj[] = [];
    const call = async (op: keyof Lat, url: string, method: string, body: string | undefined, want: number): Promise<Reply> => {
      const t = performance.now();
      const r = await request(ag, url, c.token, { method, body, ca: c.certificate });
      lat[op].push(performance.now() - t);
      if (r.status !== want) throw new Error(`${method} ${url} answered ${r.status}: ${r.body.toString().slice(0, 300)}`);
      return r;
    };
    // Warm-up: the first requests pay for connection set-up and JIT.
    for (let i = 0; i < 50; i++) {
      const r = await request(ag, coll, c.token, { method: 'POST', body: JSON.stringify(configMap(`warm-${tag}-${i}`, i)), ca: c.certificate });
      await request(ag, `${coll}/${JSON.parse(r.body.toString()).metadata.name}`, c.token, { method: 'DELETE', ca: c.certificate });
    }
    gc();
    for (let i = 0; i < ops; i++) objs.push(JSON.parse((await call('create', coll, 'POST', JSON.stringify(configMap(`${tag}-${i}`, i)), 201)).body.toString()));
    for (const obj of objs) {
      obj.data['app.properties'] += 'updated=true\n';
      await call('update', `${coll}/${obj.metadata.name}`, 'PUT', JSON.stringify(obj), 200);
    }
    for (const obj of objs) await call('delete', `${coll}/${obj.metadata.name}`, 'DELETE', undefined, 200);
    record(how, lat);
  }

  // In-process, for reference: the APIServer without HTTP.
  async function inProcess(tag: string): Promise<void> {
    const lat: Lat = { create: [], update: [], delete: [] };
    const objs: Obj[] = [];
    gc();
    for (let i = 0; i < ops; i++) {
      const t = performance.now();
      objs.push(await c.api.create(cms, 'default', configMap(`${tag}-${i}`, i)));
      lat.create.push(performance.now() - t);
    }
    for (const obj of objs) {
      const t = performance.now();
      await c.api.update(cms, 'default', obj.metadata.name, { ...obj, data: { ...obj.data, 'app.properties': obj.data['app.properties'] + 'updated=true\n' } });
      lat.update.push(performance.now() - t);
    }
    for (const obj of objs) {
      const t = performance.now();
      await c.api.delete(cms, 'default', obj.metadata.name);
      lat.delete.push(performance.now() - t);
    }
    record('in-process APIServer', lat);
  }

  const sizes = [0, existing];
  try {
    let filled = 0;
    for (const stored of sizes) {
      for (; filled < stored; filled++) await c.api.create(cms, 'default', configMap(`existing-${filled}`, filled));
      await overHttp('HTTP', c.httpUrl, agent, `http-${stored}`);
      await overHttp('HTTPS', c.url, tlsAgent, `https-${stored}`);
      await inProcess(`inproc-${stored}`);
    }
  } finally {
    agent.destroy();
    tlsAgent.destroy();
    await c.stop();
  }
  const rows: (string | number)[][] = [];
  for (const [how, byOp] of results) for (const [op, cells] of byOp) rows.push([how, op, ...cells]);
  table(
    `Write latency, ConfigMaps: ${ops.toLocaleString('en-US')} sequential creates, then updates (PUT), then deletes, one client, keep-alive; p50 / p99 ms`,
    ['through', 'op', ...sizes.map((n) => `${n.toLocaleString('en-US')} stored`)],
    rows,
  );
}

// ---- 3. kubectl apply of a folder ----

const APPLY_NAMESPACES = ['shop', 'billing', 'search', 'ops'];

export function manifest(i: number): string {
  const ns = APPLY_NAMESPACES[i % APPLY_NAMESPACES.length];
  const app = `svc-${Math.floor(i / 4)}`;
  switch (i % 4) {
    case 0:
    case 1:
      return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config-${i % 4}
  namespace: ${ns}
  labels:
    app: ${app}
data:
  app.properties: |
    color=blue
    threads=${(i % 8) + 1}
  LOG_LEVEL: info
`;
    case 2:
      return `apiVersion: v1
kind: Service
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  selector:
    app: ${app}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;
    default:
      return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  namespace: ${ns}
  labels:
    app: ${app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports:
        - containerPort: 8080
        resources:
          requests:
            cpu: 10m
            memory: 16Mi
`;
  }
}

export async function applyBench(o: { objects?: number } = {}): Promise<void> {
  const count = o.objects ?? 1000;
  const dir = tempDir('bench-apply');
  const folder = join(dir, 'manifests');
  mkdirSync(folder);
  for (let i = 0; i < count; i++) writeFileSync(join(folder, `${String(i).padStart(4, '0')}.yaml`), manifest(i));
  const server = await serve(['--nodes', '3', '--kubeconfig', join(dir, 'kubeconfig')]);
  const kubectl = kubectlPath();
  const env = { KUBECONFIG: server.kubeconfig };
  const k = (...args: string[]) => run(kubectl, ['--cache-dir', join(dir, 'cache'), ...args], env, undefined, 600_000);
  const rows: (string | number)[][] = [];
  try {
    writeFileSync(join(dir, 'namespaces.yaml'), APPLY_NAMESPACES.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`).join('---\n'));
    const ns = await k('create', '-f', join(dir, 'namespaces.yaml'));
    if (ns.code !== 0) throw new Error(`kubectl create namespace: ${ns.stderr}`);
    for (const [what, word] of [['first apply', 'created'], ['second apply', 'unchanged']] as const) {
      const t = performance.now();
      // -v=6 logs each request with its round trip as kubectl saw it: the server's share.
      const r = await k('apply', '-f', folder, '-v=6');
      const wall = performance.now() - t;
      if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr.slice(0, 2000)}`);
      const lines = r.stdout.trim().split('\n');
      const n = lines.filter((l) => l.endsWith(` ${word}`)).length;
      if (n !== count) throw new Error(`${what}: ${n} of ${count} lines say "${word}":\n${lines.slice(0, 5).join('\n')}`);
      const trips = [...r.stderr.matchAll(/round_trippers\.go:\d+\] \w+ \S+ \d+ .* in (\d+) milliseconds/g)].map((m) => Number(m[1]));
      const throttled = (r.stderr.match(/client-side throttling/g) ?? []).length;
      const sum = trips.reduce((a, b) => a + b, 0);
      rows.push([what, `${n} ${word}`, (wall / 1000).toFixed(2), (wall / count).toFixed(1), trips.length, (sum / 1000).toFixed(2), ((wall - sum) / 1000).toFixed(2), throttled]);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  table(
    `\`kubectl apply -f <folder>\` of ${count.toLocaleString('en-US')} objects (ConfigMaps, Services, Deployments in ${APPLY_NAMESPACES.length} namespaces) against \`kube-emulator serve\``,
    ['run', 'result', 'wall s', 'ms per object', 'requests', 'round trips s', 'kubectl itself s', 'throttled'],
    rows,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const which = process.argv[2];
  if (!which || which === 'list') await listBench({ pods: Number(process.env.BENCH_LIST_PODS ?? 10_000) });
  if (!which || which === 'latency') await latencyBench();
  if (!which || which === 'apply') await applyBench();
}
