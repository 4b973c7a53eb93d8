// Wires a cluster together: store, apiserver (served on 127.0.0.1 with a bearer token), scheduler,
// controllers and one kubelet per node, on one clock. `createCluster({ nodes: 3 })` is all the CLI
// and the extension need.

import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { stringify as toYaml } from 'yaml';
import { APIServer } from './api/apiserver.ts';
import { ApiError, badRequest, notFoundPath } from './api/errors.ts';
import { ApiHttpServer } from './api/http/server.ts';
import { EmulatorClock, parseDuration, type Clock, type TimerHandle } from './clock.ts';
import { MemoryStore } from './store/memory.ts';
import { startCompactor } from './store/compactor.ts';
import type { Store } from './store/types.ts';
import { exportState, importState, type ImportResult } from './store/state-file.ts';
import { NamespaceController } from './controllers/namespace.ts';
import { SharedInformers } from './client/informer-factory.ts';
import { CustomResourceDefinitionController } from './api/custom-resources.ts';
import { GarbageCollector } from './controllers/garbage-collector.ts';
import { NodeLifecycleController } from './controllers/node-lifecycle.ts';
import { ResourceQuotaController } from './controllers/resourcequota.ts';
import { ServiceAccountsController } from './controllers/serviceaccounts.ts';
import { DisruptionController } from './controllers/disruption.ts';
import { EndpointsController } from './controllers/endpoints.ts';
import { EndpointSliceController } from './controllers/endpointslice.ts';
import { TaintEvictionController } from './controllers/taint-eviction.ts';
import { PodGCController } from './controllers/podgc.ts';
import { HorizontalController } from './controllers/horizontal.ts';
import { JobController } from './controllers/job.ts';
import { CronJobController } from './controllers/cronjob.ts';
import { TTLAfterFinishedController } from './controllers/ttl-after-finished.ts';
import { newReplicationManager, ReplicaSetController } from './controllers/replicaset.ts';
import { DeploymentController } from './controllers/deployment.ts';
import { DaemonSetsController } from './controllers/daemonset.ts';
import { StatefulSetController } from './controllers/statefulset.ts';
import { bootstrapPriorityClasses } from './api/admission/priority.ts';
import { bootstrapStorageClass, HostPathProvisioner, PersistentVolumeController } from './controllers/persistentvolume.ts';
import { PVCProtectionController, PVProtectionController } from './controllers/pvc-protection.ts';
import { ClusterRoleAggregationController } from './controllers/clusterrole-aggregation.ts';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './api/kinds/rbac.ts';
import { VolumeHost } from './runtime/volumes.ts';
import { Kubelet, type NodeConfig } from './kubelet/kubelet.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { rfc3339, type Obj } from './api/objects.ts';
import { kubeDnsService, kubernetesServiceObjects } from './api/kinds/service.ts';
import { ClusterNetwork } from './network/index.ts';
import { MetricsServer } from './metrics/metrics.ts';
import { TrafficGenerator } from './network/traffic.ts';
import { clusterStreaming } from './api/http/cluster-streaming.ts';

export interface ClusterOptions {
  /** Number of nodes, the first being the control plane (default 3). */
  nodes?: number;
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Bearer token (default: 32 random bytes, hex). */
  token?: string;
  /** The clock (default: real time, scaled by timeScale). */
  clock?: Clock;
  timeScale?: number;
  /** Cluster name: node names, kubeconfig context, cluster and user (default "kube-emulator"). */
  name?: string;
  /** Do not open an HTTP port (in-process use only, e.g. unit tests). */
  noHttp?: boolean;
  /**
   * The store (default: a fresh in-memory one). A durable or etcd store may already hold a
   * cluster: it is taken as it is. The cluster closes it when it stops.
   */
  store?: Store;
}

export interface AddNodeOptions {
  name?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  taints?: Obj[];
}

export interface ClockInfo {
  now: string;
  mode: 'real' | 'manual';
  timeScale: number;
  skewSeconds: number;
}

/** The control API's base path, beside the Kubernetes API, behind the same token. */
export const CONTROL_PREFIX = '/kube-emulator/v1';

export class Cluster {
  readonly api: APIServer;
  readonly clock: Clock;
  readonly name: string;
  readonly token: string;
  readonly kubelets = new Map<string, Kubelet>();
  private readonly scheduler: Scheduler;
  /** kube-controller-manager's shared informers: one watch and cache per resource for all its controllers. */
  readonly informers: SharedInformers;
  private readonly controllers: { start(): Promise<void>; stop(): void }[];
  private readonly serviceAccounts: ServiceAccountsController;
  /** ownerReferences-driven deletion (background, foreground, orphan). */
  readonly garbageCollector: GarbageCollector;
  /** Nodes' disks (hostPath), PVs' data and pods' volumes (runtime/volumes.ts); kubelets mount from it. */
  readonly volumes: VolumeHost;
  /** Pod servers, kube-proxy's Service routing and the cluster DNS (one shared data plane). */
  readonly network: ClusterNetwork;
  /** metrics-server: metrics.k8s.io for kubectl top and the HPA; the network reports requests with recordRequest(podIP). */
  readonly metrics: MetricsServer;
  /** Emulated traffic: N requests/s through a Service's endpoints, counted by metrics-server (`kube-emulator traffic`). */
  readonly traffic: TrafficGenerator;
  private http: ApiHttpServer | undefined;
  private compactor: TimerHandle | undefined;
  private nodeCount = 0;
  private stopped = false;

  private constructor(private readonly opts: ClusterOptions) {
    this.name = opts.name ?? 'kube-emulator';
    this.token = opts.token ?? randomBytes(32).toString('hex');
    this.clock = opts.clock ?? new EmulatorClock({ mode: 'real', timeScale: opts.timeScale ?? 1 });
    // Every admission plug-in, ServiceAccount included: its controller runs below.
    this.api = new APIServer(this.clock, undefined, opts.store ?? new MemoryStore({ clock: this.clock }), { disabled: [] });
    this.scheduler = new Scheduler(this.api.as('kube-scheduler'), this.clock);
    const kcm = this.api.as('kube-controller-manager');
    this.informers = new SharedInformers(kcm);
    this.garbageCollector = new GarbageCollector(kcm, this.clock);
    // Requests pods serve count in metrics; kube-apiserver answers behind the `kubernetes` Service.
    this.network = new ClusterNetwork(this.api.as('kube-proxy'), this.clock, {
      onRequest: (ip) => this.metrics.recordRequest(ip),
      apiServer: { token: () => this.token, url: () => this.httpUrl },
    });
    this.metrics = new MetricsServer(this.api.as('metrics-server'), this.clock);
    this.traffic = new TrafficGenerator(this.api.as('kube-proxy'), this.clock, this.network, (ip, n) => this.metrics.recordRequest(ip, n));
    this.controllers = [new NodeLifecycleController(kcm, this.clock, this.informers), new NamespaceController(kcm, this.clock), this.garbageCollector];
    // Quotas' status, the default ServiceAccount and kube-root-ca.crt per namespace, PDBs' status.
    this.serviceAccounts = new ServiceAccountsController(kcm, this.clock, () => this.certificate);
    this.controllers.push(new ResourceQuotaController(kcm, this.clock), this.serviceAccounts, new DisruptionController(kcm, this.clock));
    // Endpoints and EndpointSlices of Services with selectors; kube-proxy's data plane reads the slices.
    this.controllers.push(new EndpointsController(kcm, this.clock), new EndpointSliceController(kcm, this.clock), this.network);
    // NoExecute taint eviction (node loss) and pod garbage collection.
    this.controllers.push(new TaintEvictionController(kcm, this.clock, this.informers), new PodGCController(kcm, this.clock, this.informers));
    // HorizontalPodAutoscalers, reading metrics-server's resource metrics.
    this.controllers.push(new HorizontalController(kcm, this.clock, this.informers, this.metrics));
    // Jobs, CronJobs and the TTL-after-finished cleanup of finished Jobs.
    this.controllers.push(new JobController(kcm, this.clock, this.informers), new CronJobController(kcm, this.clock, this.informers), new TTLAfterFinishedController(kcm, this.clock, this.informers));
    // ReplicaSets and ReplicationControllers (one implementation, as in pkg/controller/replication).
    this.controllers.push(new ReplicaSetController(kcm, this.clock, this.informers), newReplicationManager(kcm, this.clock, this.informers));
    // Deployments: a ReplicaSet per pod template, rolling updates, revisions and rollbacks.
    this.controllers.push(new DeploymentController(kcm, this.clock, this.informers));
    // DaemonSets (a pod per eligible node) and StatefulSets, with ControllerRevision history.
    this.controllers.push(new DaemonSetsController(kcm, this.clock, this.informers), new StatefulSetController(kcm, this.clock, this.informers));
    // The aggregated ClusterRoles (admin, edit, view and the user's own).
    this.controllers.push(new ClusterRoleAggregationController(kcm, this.clock, this.informers));
    // The PV binder, minikube's hostpath storage-provisioner, and the volumes' watch on ConfigMaps and Secrets.
    this.volumes = new VolumeHost(this.api.as('kubelet'), this.clock);
    this.controllers.push(new PersistentVolumeController(kcm, this.clock, this.volumes, this.informers), new HostPathProvisioner(this.api.as('storage-provisioner'), this.clock, this.name), this.volumes);
    // The kubernetes.io/pvc-protection and pv-protection finalizers: a claim in use stays Terminating.
    this.controllers.push(new PVCProtectionController(kcm, this.clock, this.informers), new PVProtectionController(kcm, this.clock, this.informers));
    // apiextensions-apiserver's naming, establishing and finalizer controllers run inside kube-apiserver.
    this.controllers.unshift(new CustomResourceDefinitionController(this.api.as('kube-apiserver'), this.clock));
  }

  static async create(opts: ClusterOptions = {}): Promise<Cluster> {
    const n = opts.nodes ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`--nodes must be a whole number from 1 to 1000, got ${n}`);
    const c = new Cluster(opts);
    try {
      await c.bootstrap(n);
      if (!opts.noHttp) {
        c.http = new ApiHttpServer(c.api, {
          port: opts.port ?? 0,
          token: c.token,
          extraRoutes: [(req, res, url) => c.control(req, res, url)],
          logs: (ns, pod, o, res) => c.serveLog(ns, pod, o, res),
          // exec, attach and port-forward (api/http/streaming.ts), and metrics-server's API.
          streaming: clusterStreaming({
            api: c.api,
            kubelet: (node) => c.kubelets.get(node),
            request: (ip, namespace, port, r) => c.network.request({ ip: '127.0.0.1', namespace }, `http://${ip}:${port}${r.path}`, r),
            onRequest: (ip) => c.metrics.recordRequest(ip),
          }),
          metrics: { defs: c.metrics.defs, serve: c.metrics.serve },
        });
        await c.http.listen();
        // kube-root-ca.crt carries the serving certificate, made by listen().
        await c.serviceAccounts.resync();
      }
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  get port(): number {
    return this.http?.port ?? 0;
  }

  /** https://127.0.0.1:PORT: what kubeconfigs point at (kubectl sends tokens only over TLS). */
  get url(): string {
    return this.http?.url ?? '';
  }

  /** http://127.0.0.1:PORT: the same port without TLS, for tools that pass the token themselves. */
  get httpUrl(): string {
    return this.http?.httpUrl ?? '';
  }

  /** The API server's certificate (PEM), made at start-up. */
  get certificate(): string {
    return this.http?.certificate ?? '';
  }

  private async bootstrap(nodes: number): Promise<void> {
    const nsDef = this.api.resource('namespaces');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      // A restored cluster has them already.
      if (!(await this.api.tryGet(nsDef, undefined, ns))) await this.api.create(nsDef, undefined, { metadata: { name: ns } });
    }
    // The `kubernetes` Service, its Endpoints and EndpointSlice (kube-apiserver's kubernetes-service controller).
    const objs = kubernetesServiceObjects();
    for (const [resource, obj] of [['services', objs.service], ['endpoints', objs.endpoints], ['endpointslices.discovery.k8s.io', objs.endpointSlice]] as const) {
      const def = this.api.resource(resource);
      if (!(await this.api.tryGet(def, 'default', 'kubernetes'))) await this.api.create(def, 'default', obj);
    }
    // The cluster DNS Service (kubeadm's CoreDNS addon), at the address pods' resolv.conf names.
    const svcDef = this.api.resource('services');
    if (!(await this.api.tryGet(svcDef, 'kube-system', 'kube-dns'))) await this.api.create(svcDef, 'kube-system', kubeDnsService());
    // The system PriorityClasses (kube-apiserver's scheduling/bootstrap-system-priority-classes hook).
    await bootstrapPriorityClasses(this.api);
    // minikube's default-storageclass addon: `standard`, k8s.io/minikube-hostpath.
    await bootstrapStorageClass(this.api);
    // The RBAC bootstrap policy (kube-apiserver's rbac/bootstrap-roles hook): default ClusterRoles and bindings.
    for (const [resource, objs] of [['clusterroles.rbac.authorization.k8s.io', bootstrapClusterRoles()], ['clusterrolebindings.rbac.authorization.k8s.io', bootstrapClusterRoleBindings()]] as const) {
      const def = this.api.resource(resource);
      for (const obj of objs) if (!(await this.api.tryGet(def, undefined, obj.metadata.name))) await this.api.create(def, undefined, obj);
    }
    this.compactor = startCompactor(this.api.store, this.clock);
    await this.scheduler.start();
    for (const ctl of this.controllers) await ctl.start();
    for (let i = 0; i < nodes; i++) await this.addNode();
  }

  /** Node names as minikube gives them: NAME, NAME-m02, NAME-m03, ... */
  private nextNodeName(): string {
    for (;;) {
      const i = ++this.nodeCount;
      const name = i === 1 ? this.name : `${this.name}-m${String(i).padStart(2, '0')}`;
      if (!this.kubelets.has(name)) return name;
    }
  }

  async addNode(o: AddNodeOptions = {}): Promise<string> {
    const name = o.name ?? this.nextNodeName();
    if (this.kubelets.has(name)) throw new ApiError(409, 'AlreadyExists', `node "${name}" already exists`);
    const config: NodeConfig = {
      name,
      index: this.kubelets.size,
      controlPlane: this.kubelets.size === 0,
      cpu: o.cpu,
      memory: o.memory,
      labels: o.labels,
      taints: o.taints,
      clusterName: this.name,
    };
    // Pick an index no other node uses, so IPs and pod CIDRs never collide.
    const used = new Set([...this.kubelets.values()].map((k) => k.config.index));
    while (used.has(config.index)) config.index++;
    // Containers reach pods and Services through the cluster network (kube-proxy, DNS).
    const k = new Kubelet(this.api.as('kubelet'), this.clock, config, { network: this.network, podStorage: this.volumes.podStorage });
    this.kubelets.set(name, k);
    await k.start();
    return name;
  }

  private kubelet(name: string): Kubelet {
    const k = this.kubelets.get(name);
    if (!k) throw new ApiError(404, 'NotFound', `nodes "${name}" not found`);
    return k;
  }

  /** The node becomes a dead machine: no heartbeats, its kubelet frozen. */
  stopNode(name: string): void {
    this.kubelet(name).stop();
  }

  async startNode(name: string): Promise<void> {
    await this.kubelet(name).start();
  }

  async deleteNode(name: string): Promise<void> {
    const k = this.kubelet(name);
    k.stop();
    this.kubelets.delete(name);
    try {
      await this.api.delete(this.api.resource('nodes'), undefined, name);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 404) throw e;
    }
  }

  /** The cluster's state as a portable ClusterState document (store/state-file.ts). */
  async exportState(): Promise<string> {
    return exportState(this.api.store);
  }

  /**
   * Replaces the cluster's state with a ClusterState document. The control plane and the kubelets
   * pause meanwhile, so nothing reacts to a half-imported cluster; then they start again and take
   * the imported objects as they find them (kubelets adopt running pods, controllers reconcile).
   */
  async importState(text: string): Promise<ImportResult> {
    const running = [...this.kubelets.values()].filter((k) => !k.stopped);
    for (const k of running) k.stop();
    for (const c of this.controllers) c.stop();
    this.scheduler.stop();
    try {
      return await importState(this.api.store, text);
    } finally {
      await this.scheduler.start();
      for (const c of this.controllers) await c.start();
      for (const k of running) await k.start();
    }
  }

  async advanceClock(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  clockInfo(): ClockInfo {
    return { now: rfc3339(this.clock.now()), mode: this.clock.mode, timeScale: this.clock.timeScale, skewSeconds: this.clock.skewMs / 1000 };
  }

  /** A kubeconfig for this cluster (works for kubectl and @kubernetes/client-node over http). */
  kubeconfig(): Obj {
    const n = this.name;
    return {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [{ name: n, cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: n, user: { token: this.token } }],
      contexts: [{ name: n, context: { cluster: n, user: n, namespace: 'default' } }],
      'current-context': n,
    };
  }

  kubeconfigYaml(): string {
    return toYaml(this.kubeconfig());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.http?.close();
    this.traffic.stop();
    for (const k of this.kubelets.values()) k.stop();
    for (const c of this.controllers) c.stop();
    this.scheduler.stop();
    this.compactor?.cancel();
    await this.api.store.close();
    if (!this.opts.clock) this.clock.dispose();
  }

  // ---- the control endpoint: node and clock operations for the CLI and the extension ----

  private async control(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith(CONTROL_PREFIX + '/') && url.pathname !== CONTROL_PREFIX) return false;
    const path = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    const send = (code: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (path === '/state' && method === 'GET') {
      const text = await this.exportState();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    }
    if (path === '/state' && method === 'PUT') {
      const text = await readText(req);
      let result: ImportResult;
      try {
        result = await this.importState(text);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw badRequest((e as Error).message);
      }
      send(200, result);
      return true;
    }
    const body = method === 'POST' ? await readJson(req) : {};
    let m: RegExpExecArray | null;
    if (path === '/clock' && method === 'GET') {
      send(200, this.clockInfo());
    } else if (path === '/clock/advance' && method === 'POST') {
      const ms = typeof body.duration === 'string' ? parseDurationOr400(body.duration) : Number(body.seconds) * 1000;
      if (!(ms >= 0)) throw badRequest('give "duration" (such as "90s", "5m", "1h") or "seconds"');
      await this.advanceClock(ms);
      send(200, this.clockInfo());
    } else if (path === '/nodes' && method === 'GET') {
      send(200, { nodes: [...this.kubelets.values()].map((k) => ({ name: k.name, running: !k.stopped, controlPlane: k.config.controlPlane })) });
    } else if (path === '/nodes' && method === 'POST') {
      const name = await this.addNode({
        name: body.name || undefined,
        cpu: body.cpu,
        memory: body.memory,
        labels: body.labels,
        taints: body.taints,
      });
      send(201, { name });
    } else if ((m = /^\/nodes\/([^/]+)\/(stop|start)$/.exec(path)) && method === 'POST') {
      const name = decodeURIComponent(m[1]);
      if (m[2] === 'stop') this.stopNode(name);
      else await this.startNode(name);
      send(200, { name, running: m[2] === 'start' });
    } else if ((m = /^\/nodes\/([^/]+)$/.exec(path)) && method === 'DELETE') {
      const name = decodeURIComponent(m[1]);
      await this.deleteNode(name);
      send(200, { name, deleted: true });
    } else if (path === '/traffic' || path.startsWith('/traffic/')) {
      const r = await this.traffic.control(method, path.slice('/traffic'.length), body);
      send(r.code, r.body);
    } else {
      throw notFoundPath();
    }
    return true;
  }

  private async serveLog(
    namespace: string,
    pod: string,
    o: { container?: string; follow: boolean; tailLines?: number; timestamps: boolean; previous: boolean; sinceSeconds?: number; limitBytes?: number },
    res: http.ServerResponse,
  ): Promise<void> {
    const obj = await this.api.get(this.api.resource('pods'), namespace, pod);
    const containers: Obj[] = obj.spec?.containers ?? [];
    let container = o.container;
    if (!container) {
      if (containers.length !== 1) {
        throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
      }
      container = containers[0].name;
    }
    if (!containers.some((c) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${pod}`);
    const k = obj.spec?.nodeName ? this.kubelets.get(obj.spec.nodeName) : undefined;
    if (k?.stopped) {
      // The apiserver proxies the kubelet's /containerLogs (pkg/registry/core/pod/strategy.go
      // LogLocation); a dead machine does not answer, and the dial error is the message of an
      // untyped 500 (kubectl: `Error from server: Get "https://...": dial tcp ...`).
      const params = new URLSearchParams();
      if (o.follow) params.set('follow', 'true');
      if (o.limitBytes !== undefined) params.set('limitBytes', String(o.limitBytes));
      if (o.previous) params.set('previous', 'true');
      if (o.sinceSeconds !== undefined) params.set('sinceSeconds', String(o.sinceSeconds));
      if (o.tailLines !== undefined) params.set('tailLines', String(o.tailLines));
      if (o.timestamps) params.set('timestamps', 'true');
      const q = params.size ? `?${params}` : '';
      throw new ApiError(500, '', `Get "https://${k.internalIP}:10250/containerLogs/${namespace}/${pod}/${container}${q}": dial tcp ${k.internalIP}:10250: connect: no route to host`);
    }
    const lines = k?.readLog(namespace, pod, container!, o.previous);
    if (o.previous && k && !lines) throw badRequest(`previous terminated container "${container}" in pod "${pod}" not found`);
    if (!k || !lines) {
      const waiting = (obj.status?.containerStatuses ?? []).find((s: Obj) => s.name === container)?.state?.waiting?.reason ?? 'ContainerCreating';
      throw badRequest(`container "${container}" in pod "${pod}" is waiting to start: ${waiting}`);
    }
    const since = o.sinceSeconds !== undefined ? this.clock.now() - o.sinceSeconds * 1000 : -Infinity;
    let selected = lines.filter((l) => l.ts >= since);
    if (o.tailLines !== undefined && o.tailLines >= 0) selected = selected.slice(Math.max(0, selected.length - o.tailLines));
    const fmt = (l: { ts: number; text: string }) => (o.timestamps ? `${new Date(l.ts).toISOString().replace('Z', '000000Z')} ` : '') + l.text + '\n';
    let text = selected.map(fmt).join('');
    if (o.limitBytes !== undefined && o.limitBytes > 0) text = Buffer.from(text).subarray(0, o.limitBytes).toString('utf8');
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.write(text);
    if (!o.follow) {
      res.end();
      return;
    }
    res.flushHeaders();
    // The follow ends with the container's run (a restart is a new log), as the kubelet's does.
    const unfollow = k.followLog(namespace, pod, container!, (l) => res.write(fmt(l)), { previous: o.previous, onEnd: () => res.end() });
    res.on('close', unfollow);
  }
}

export function createCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  return Cluster.create(opts);
}

function parseDurationOr400(s: string): number {
  try {
    return parseDuration(s);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: http.IncomingMessage): Promise<Obj> {
  const text = await readText(req);
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== 'object') throw new Error('not an object');
    return v;
  } catch {
    throw badRequest('the request body must be a JSON object');
  }
}
