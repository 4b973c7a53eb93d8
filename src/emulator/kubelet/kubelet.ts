// The kubelet of one emulated node: registers the Node, renews its Lease every 10 s and reports
// node status, and runs the pods bound to it with emulated containers: image pull, create, start,
// Running with a pod IP, events as the kubelet records them, graceful termination on delete
// (pkg/kubelet/kubelet.go, kubelet_node_status.go, nodelease/controller.go,
// kuberuntime/kuberuntime_container.go).
//
// Every delay goes through the emulator clock. A stopped node is a dead machine: no heartbeats,
// no pod work; its pods keep their last status in the API until it starts again.

import { randomUUID } from 'node:crypto';
import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import { clone, jsonEqual, rfc3339, rfc3339Micro, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS, IMAGE_BACKOFF_INITIAL_MS, IMAGE_BACKOFF_MAX_MS } from './backoff.ts';
import { makeEnvironment, type EnvResult } from './env.ts';
import { imageFor } from './images.ts';
import { NodeClock } from './node-clock.ts';
import { PodWorker, type ContainerInstance, type KubeletHost, type LogLine } from './pod-worker.ts';
import { defaultRuntime, type KubeletRuntime } from './runtime.ts';

export type { LogLine } from './pod-worker.ts';

export interface NodeConfig {
  name: string;
  /** 0-based index of the node in the cluster: picks its InternalIP and podCIDR. */
  index: number;
  controlPlane: boolean;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Obj[];
  clusterName: string;
}

export const LEASE_DURATION_SECONDS = 40;
/** nodelease: renew every quarter of the lease duration. */
export const LEASE_RENEW_MS = (LEASE_DURATION_SECONDS / 4) * 1000;
/** nodeStatusReportFrequency: an unchanged status is still reported this often. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;
/** The status manager's syncPeriod: what failed to be written is tried again this often. */
export const STATUS_SYNC_MS = 10_000;

type LogFollower = (line: LogLine) => void;

export interface ExecStdio {
  stdin?: AsyncIterable<Buffer>;
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  tty?: boolean;
  /** Ends the process from the caller's side (the stream closed): SIGTERM, or SIGKILL. */
  signal?: Promise<'SIGTERM' | 'SIGKILL'>;
}

/** The Services every kubelet of a cluster reads for containers' environment, one watch per store. */
const serviceInformers = new WeakMap<object, Informer>();

export class Kubelet implements KubeletHost {
  readonly name: string;
  private stoppedFlag = true;
  private readonly timers: TimerHandle[] = [];
  private readonly pods: Informer;
  private readonly workers = new Map<string, PodWorker>();
  private readonly usedIPs = new Set<number>();
  readonly pulled = new Set<string>();
  readonly events: EventRecorder;
  private lastReport = 0;
  /** The Node's resourceVersion and this kubelet's image count when its status was last compared. */
  private lastSeen = '';
  private readonly bootID = randomUUID();
  /** The node's clock: frozen with the node. */
  readonly clock: NodeClock;
  readonly runtime: KubeletRuntime;
  readonly crashBackoff: Backoff;
  readonly imageBackoff: Backoff;
  readonly imagePullErrors = new Map<string, string>();
  /** When the probe manager (the kubelet) last started; pods added within a probe period get jittered probes. */
  probeManagerStart = -Infinity;
  /** The spec each worker last synced (stored objects are frozen: a status write shares it). */
  private readonly specs = new Map<string, Obj>();

  constructor(
    private readonly api: APIServer,
    clock: Clock,
    readonly config: NodeConfig,
    runtime: Partial<KubeletRuntime> = {},
  ) {
    this.name = config.name;
    this.clock = new NodeClock(clock);
    this.runtime = { ...defaultRuntime(api, clock), ...runtime };
    this.crashBackoff = new Backoff(() => this.clock.now(), CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS);
    this.imageBackoff = new Backoff(() => this.clock.now(), IMAGE_BACKOFF_INITIAL_MS, IMAGE_BACKOFF_MAX_MS);
    this.events = new EventRecorder(api, clock, { component: 'kubelet', host: config.name });
    this.pods = new Informer(api, api.resource('pods'), { fieldSelector: `spec.nodeName=${config.name}` }).on({
      add: (p) => this.syncPod(p),
      update: (p) => this.syncPod(p),
      delete: (p) => this.forget(p),
    });
  }

  get nodeName(): string {
    return this.name;
  }

  isStopped(): boolean {
    return this.stoppedFlag;
  }

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  get internalIP(): string {
    return `192.168.49.${this.config.index + 2}`;
  }

  get podCIDR(): string {
    return `10.244.${this.config.index}.0/24`;
  }

  /** Registers the node (or takes it back after a restart) and starts heartbeats and pod work. */
  async start(): Promise<void> {
    if (!this.stoppedFlag) return;
    this.stoppedFlag = false;
    const nodes = this.api.resource('nodes');
    const existing = await this.api.tryGet(nodes, undefined, this.name);
    if (!existing) {
      await this.api.create(nodes, undefined, this.nodeObject());
      const node = (await this.api.tryGet(nodes, undefined, this.name))!;
      await this.events.record(node, 'Normal', 'Starting', 'Starting kubelet.');
      for (const [reason, msg] of [
        ['NodeHasSufficientMemory', `Node ${this.name} status is now: NodeHasSufficientMemory`],
        ['NodeHasNoDiskPressure', `Node ${this.name} status is now: NodeHasNoDiskPressure`],
        ['NodeHasSufficientPID', `Node ${this.name} status is now: NodeHasSufficientPID`],
        ['NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods'],
      ]) {
        await this.events.record(node, 'Normal', reason, msg);
      }
    } else {
      await this.events.record(existing, 'Normal', 'Starting', 'Starting kubelet.');
    }
    this.probeManagerStart = this.clock.now();
    await this.reportStatus(true);
    await this.renewLease();
    this.timers.push(this.clock.setInterval(() => void this.heartbeat(), LEASE_RENEW_MS));
    // The machine wakes up: its processes carry on where they were frozen.
    this.clock.resume();
    await this.pods.start();
    this.reconcile();
  }

  /** Stops the machine: no heartbeats, no pod work; what is in the API stays as it was. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const t of this.timers.splice(0)) t.cancel();
    this.pods.stop();
    // Programs, probes and back-offs freeze where they are; nothing is written to the API.
    this.clock.pause();
  }

  private async heartbeat(): Promise<void> {
    if (this.stoppedFlag) return;
    await this.renewLease();
    await this.reportStatus(false);
  }

  private async renewLease(): Promise<void> {
    const leases = this.api.resource('leases.coordination.k8s.io');
    const now = rfc3339Micro(this.clock.now());
    const cur = await this.api.tryGet(leases, 'kube-node-lease', this.name);
    try {
      if (!cur) {
        const node = await this.api.tryGet(this.api.resource('nodes'), undefined, this.name);
        await this.api.create(leases, 'kube-node-lease', {
          metadata: {
            name: this.name,
            namespace: 'kube-node-lease',
            ownerReferences: node ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: node.metadata.uid }] : undefined,
          },
          spec: { holderIdentity: this.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
        });
      } else {
        const next = clone(cur);
        next.spec.renewTime = now;
        await this.api.update(leases, 'kube-node-lease', this.name, next);
      }
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private nodeObject(): Obj {
    const c = this.config;
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': c.name,
      'kubernetes.io/os': 'linux',
      'minikube.k8s.io/name': c.clusterName,
      'minikube.k8s.io/primary': String(c.controlPlane),
      ...(c.controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
      ...c.labels,
    };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: c.name,
        labels,
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: {
        podCIDR: this.podCIDR,
        podCIDRs: [this.podCIDR],
        ...(c.taints?.length ? { taints: c.taints } : {}),
      },
    };
  }

  private nodeStatus(now: string, prev?: Obj): Obj {
    const c = this.config;
    const capacity = {
      cpu: c.cpu ?? '2',
      'ephemeral-storage': '17734596Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: c.memory ?? '4005124Ki',
      pods: c.pods ?? '110',
    };
    const cond = (type: string, status: string, reason: string, message: string) => {
      const old = (prev?.conditions ?? []).find((x: Obj) => x.type === type);
      return {
        type,
        status,
        lastHeartbeatTime: now,
        lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
        reason,
        message,
      };
    };
    return {
      capacity,
      allocatable: { ...capacity },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.internalIP },
        { type: 'Hostname', address: c.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: this.bootID.replace(/-/g, ''),
        systemUUID: this.bootID,
        bootID: this.bootID,
        kernelVersion: 'emulated',
        osImage: 'Kubernetes Emulator',
        // minikube's runtime, as the containers' IDs name it.
        containerRuntimeVersion: 'containerd://1.7.23',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: [...this.pulled].map((name) => ({ names: [name], sizeBytes: imageFor(name).sizeBytes })),
    };
  }

  private async reportStatus(force: boolean): Promise<void> {
    const nodes = this.api.resource('nodes');
    const cur = await this.api.tryGet(nodes, undefined, this.name);
    if (!cur) return;
    const now = this.clock.now();
    // kubelet_node_status.go tryUpdateNodeStatus: within nodeStatusReportFrequency an unchanged
    // status is not written; a changed one is (the node lifecycle controller set Ready to Unknown
    // while this kubelet is alive: the next heartbeat puts it back). What this kubelet reports
    // changes only with its images, and the API's copy only when someone writes the Node: when
    // neither moved since the last look, the heartbeat builds nothing (one per node every 10 s).
    const within = !force && now - this.lastReport < NODE_STATUS_REPORT_MS;
    const seen = `${cur.metadata.resourceVersion}/${this.pulled.size}`;
    if (within && seen === this.lastSeen) return;
    const status = this.nodeStatus(rfc3339(now), cur.status);
    if (within && !nodeStatusHasChanged(cur.status, status)) {
      this.lastSeen = seen;
      return;
    }
    const next = clone(cur);
    next.status = status;
    try {
      const stored = await this.api.update(nodes, undefined, this.name, next, { subresource: 'status' });
      this.lastReport = now;
      this.lastSeen = `${stored.metadata.resourceVersion}/${this.pulled.size}`;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return;
    }
    for (const reason of conditionEvents(cur.status, status)) {
      await this.events.record(cur, 'Normal', reason, `Node ${this.name} status is now: ${reason}`);
    }
  }

  // ---- pods ----

  private syncPod(pod: Obj): void {
    if (this.stoppedFlag) return;
    const k = keyOf(pod);
    let w = this.workers.get(k);
    if (w && w.uid !== pod.metadata.uid) {
      this.kill(w);
      w = undefined;
    }
    if (!w) {
      if (pod.metadata.deletionTimestamp) {
        // Known to the API but not running here (never started, or gone with a restart): finish it.
        void this.deletePod(pod);
        return;
      }
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      w = new PodWorker(this, pod);
      this.workers.set(k, w);
      this.specs.set(k, pod.spec);
      if (pod.status?.phase === 'Running' && pod.status?.podIP) this.adopt(w, pod);
      void w.sync();
      return;
    }
    const was = w.pod.metadata;
    if (!jsonEqual(pod.metadata.labels, was.labels) || !jsonEqual(pod.metadata.annotations, was.annotations)) w.storage?.updatePod?.(pod);
    w.pod = pod;
    if (pod.metadata.deletionTimestamp) {
      void w.terminate();
      return;
    }
    // Our own status writes come back as updates: only a spec change is work for the pod worker.
    if (!jsonEqual(pod.spec, this.specs.get(k))) {
      this.specs.set(k, pod.spec);
      void w.sync();
    } else if (w.writtenConditions !== undefined && !jsonEqual(pod.status?.conditions, w.writtenConditions)) {
      // Someone else changed the conditions (the node lifecycle controller's MarkPodsNotReady while
      // this kubelet is alive): the status manager puts back what the kubelet knows
      // (status_manager.go needsReconcile).
      w.requestStatus();
    }
  }

  /**
   * A pod that was Running before this kubelet (re)started (a restored state): its sandbox and IP
   * are kept; the containers start again.
   */
  private adopt(w: PodWorker, pod: Obj): void {
    const ip = pod.status.podIP as string;
    const last = Number(ip.split('.')[3]);
    if (ip.startsWith(`10.244.${this.config.index}.`) && !this.usedIPs.has(last)) {
      this.usedIPs.add(last);
      w.podIP = ip;
      w.storage = this.runtime.podStorage(pod, { name: this.name });
    }
    if (pod.status.startTime) w.startTime = Date.parse(pod.status.startTime);
  }

  /** After a start: what was deleted while the node was down is killed; the rest re-reports its status. */
  private reconcile(): void {
    for (const [k, w] of [...this.workers]) {
      const cur = this.pods.get(w.namespace, w.name);
      if (!cur || cur.metadata.uid !== w.uid) {
        this.kill(w);
        this.workers.delete(k);
        continue;
      }
      w.requestStatus();
      void w.sync();
    }
  }

  allocateIP(): string {
    for (let i = 2; i < 255; i++) {
      if (!this.usedIPs.has(i)) {
        this.usedIPs.add(i);
        return `10.244.${this.config.index}.${i}`;
      }
    }
    throw new Error(`node ${this.name} has no free pod IP in ${this.podCIDR}`);
  }

  releaseIP(ip: string): void {
    if (ip.startsWith(`10.244.${this.config.index}.`)) this.usedIPs.delete(Number(ip.split('.')[3]));
  }

  private kill(w: PodWorker): void {
    w.kill();
    this.specs.delete(w.key);
    if (this.workers.get(w.key) === w) this.workers.delete(w.key);
    this.crashBackoff.forgetPrefix(`${w.uid}/`);
    this.imageBackoff.forgetPrefix(`${w.uid}_`);
    for (const k of this.imagePullErrors.keys()) if (k.startsWith(`${w.uid}_`)) this.imagePullErrors.delete(k);
  }

  private forget(pod: Obj): void {
    const w = this.workers.get(keyOf(pod));
    if (w && w.uid === pod.metadata.uid) this.kill(w);
  }

  done(w: PodWorker): void {
    // The pod object is deleted; the informer's delete forgets the worker.
    void w;
  }

  /**
   * The status manager's final delete of a terminated pod (status_manager.go canBeDeleted): grace 0,
   * this pod's uid as a precondition. A failure other than the pod being gone (or replaced) is tried
   * again at the status manager's next sync (10 s), as long as the pod is still there to delete.
   */
  async deletePod(pod: Obj): Promise<void> {
    if (this.stoppedFlag) return;
    const { namespace, name, uid } = pod.metadata;
    try {
      await this.api.delete(this.api.resource('pods'), namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 404 || e.code === 409) return;
      const t = this.clock.setTimeout(() => {
        const i = this.timers.indexOf(t);
        if (i >= 0) this.timers.splice(i, 1);
        const cur = this.pods.get(namespace, name);
        if (cur && cur.metadata.uid === uid && cur.metadata.deletionTimestamp) void this.deletePod(cur);
      }, STATUS_SYNC_MS);
      this.timers.push(t);
    }
  }

  /** The container's environment, from the API's ConfigMaps, Secrets and Services. */
  async makeEnv(pod: Obj, container: Obj, podIP: string): Promise<EnvResult> {
    const ns: string = pod.metadata.namespace;
    const cms = new Map<string, Obj | undefined>();
    const secrets = new Map<string, Obj | undefined>();
    for (const f of (container.envFrom ?? []) as Obj[]) {
      if (f.configMapRef?.name) cms.set(f.configMapRef.name, undefined);
      if (f.secretRef?.name) secrets.set(f.secretRef.name, undefined);
    }
    for (const e of (container.env ?? []) as Obj[]) {
      if (e.valueFrom?.configMapKeyRef?.name) cms.set(e.valueFrom.configMapKeyRef.name, undefined);
      if (e.valueFrom?.secretKeyRef?.name) secrets.set(e.valueFrom.secretKeyRef.name, undefined);
    }
    for (const n of cms.keys()) cms.set(n, await this.api.tryGet(this.api.resource('configmaps'), ns, n));
    for (const n of secrets.keys()) secrets.set(n, await this.api.tryGet(this.api.resource('secrets'), ns, n));
    const services = await this.services();
    const capacity = this.nodeStatus(rfc3339(this.clock.now())).allocatable as Record<string, string>;
    return makeEnvironment({
      pod,
      container,
      podIP,
      hostIP: this.internalIP,
      allocatable: capacity,
      configMap: (_ns, n) => cms.get(n),
      secret: (_ns, n) => secrets.get(n),
      services: () => services,
    });
  }

  private async services(): Promise<Obj[]> {
    let inf = serviceInformers.get(this.api.store);
    if (!inf) {
      inf = new Informer(this.api, this.api.resource('services'));
      serviceInformers.set(this.api.store, inf);
      void inf.start();
    }
    await inf.waitForSync();
    return inf.list();
  }

  /** Writes the pod status the kubelet's status manager would compute (kubelet_pods.go generateAPIPodStatus). */
  async writeStatus(w: PodWorker): Promise<void> {
    if (this.stoppedFlag || w.gone) return;
    const pods = this.api.resource('pods');
    let cur = this.pods.get(w.namespace, w.name) ?? (await this.api.tryGet(pods, w.namespace, w.name));
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!cur || cur.metadata.uid !== w.uid || this.stoppedFlag || w.gone) return;
      const status = w.buildStatus(cur.status, this.internalIP);
      if (sameStatus(cur.status, status)) return;
      const next = { ...cur, status };
      try {
        const stored = await this.api.update(pods, cur.metadata.namespace, cur.metadata.name, next, { subresource: 'status' });
        // As stored (normalized), so that the echo of this write compares equal.
        w.writtenConditions = stored.status?.conditions;
        return;
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return;
        if (!(e instanceof ApiError) || e.code !== 409) {
          // Any other failure (a refusal, a store that could not write): the status manager logs
          // it and tries again at its next sync (status_manager.go syncPod, syncBatch). Dropping it
          // left a pod Running on its node but ContainerCreating in the API.
          console.warn(`kubelet ${this.nodeName}: failed to update status for pod ${w.namespace}/${w.name}: ${e instanceof Error ? e.message : String(e)}`);
          this.retryStatus(w, STATUS_SYNC_MS);
          return;
        }
        // Someone else wrote in between: recompute from the latest object (not the informer's
        // copy, which may still be the one that conflicted: three conflicts in a row left the
        // status unwritten, a pod Running with its containers but ContainerCreating in the API).
        cur = await this.api.tryGet(pods, w.namespace, w.name);
        if (cur) w.pod = cur;
      }
    }
    // Still conflicting: tried again a second later.
    this.retryStatus(w, 1000);
  }

  /** The pod's status is written again after `ms` (the status manager's next sync). */
  private retryStatus(w: PodWorker, ms: number): void {
    const t = this.clock.setTimeout(() => {
      const i = this.timers.indexOf(t);
      if (i >= 0) this.timers.splice(i, 1);
      w.requestStatus();
    }, ms);
    this.timers.push(t);
  }

  // ---- logs ----

  /** The log of one container (its latest run, or with previous the one before), as `kubectl logs` reads it. */
  readLog(namespace: string, pod: string, container: string, previous = false): LogLine[] | undefined {
    const cs = this.workers.get(`${namespace}/${pod}`)?.containers.get(container);
    return (previous ? cs?.previous : cs?.current)?.logs;
  }

  /**
   * Follows one run of a container (the latest, or with previous the one before): its new lines
   * go to f, and onEnd is called when that run ends, as the kubelet's log follower stops at the
   * container's exit (kuberuntime/logs ReadLogs: waitLogs returns once the container is not
   * running). A run that has already ended ends the stream at once; the run a restart starts is a
   * new log, not part of this one. Returns the function that stops following.
   */
  followLog(namespace: string, pod: string, container: string, f: LogFollower, opts: { previous?: boolean; onEnd?: () => void } = {}): () => void {
    const cs = this.workers.get(`${namespace}/${pod}`)?.containers.get(container);
    const inst = opts.previous ? cs?.previous : cs?.current;
    let done = false;
    const stop = () => {
      done = true;
      inst?.followers.delete(f);
    };
    if (!inst?.running) {
      if (opts.onEnd) queueMicrotask(opts.onEnd);
      return stop;
    }
    inst.followers.add(f);
    void inst.exited.then(() => {
      if (done) return;
      stop();
      opts.onEnd?.();
    });
    return stop;
  }

  hasPod(namespace: string, pod: string): boolean {
    return this.workers.has(`${namespace}/${pod}`);
  }

  // ---- the kubelet's streaming server (pkg/kubelet/server/server.go) ----

  /**
   * What the kubelet answers before a streaming upgrade: undefined when the container runs here,
   * else 404 `pod does not exist` or 500 `container not found ("x")`.
   */
  async check(namespace: string, pod: string, container: string | undefined): Promise<{ code: number; message: string } | undefined> {
    if (this.stoppedFlag) return { code: 500, message: `error dialing backend: dial tcp ${this.internalIP}:10250: connect: no route to host` };
    const w = this.workers.get(`${namespace}/${pod}`);
    if (!w) return { code: 404, message: 'pod does not exist' };
    if (container === undefined) return w.podIP && !w.terminal ? undefined : { code: 500, message: 'pod not running' };
    if (!w.containers.get(container)?.current?.running) return { code: 500, message: `container not found (${JSON.stringify(container)})` };
    return undefined;
  }

  /**
   * kubectl attach: the main process's output from now on goes to the client, and what the client
   * types reaches the process's stdin (when the container has stdin: true). Resolves with the
   * process's exit code when it ends, or 0 when the client goes.
   */
  async attach(namespace: string, pod: string, container: string, io: ExecStdio): Promise<number> {
    const w = this.workers.get(`${namespace}/${pod}`);
    const cs = w?.containers.get(container);
    const inst = cs?.current;
    if (!w || !cs || !inst?.running) throw new ApiError(404, 'NotFound', `container not found (${JSON.stringify(container)})`);
    // The container's streams as written, partial lines included (a shell's `/ # ` prompt): with a
    // TTY both are the terminal, so they reach the client's stdout; without one, each its own.
    const forward = (stream: 'out' | 'err', d: string) => (stream === 'err' && !cs.spec.tty ? io.stderr(d) : io.stdout(d));
    inst.attached.add(forward);
    const unfollow = () => inst.attached.delete(forward);
    const feeding = (async () => {
      if (!io.stdin || !cs.spec.stdin) return;
      for await (const chunk of io.stdin) {
        if (!inst.running) break;
        inst.stdin.push(chunk);
      }
      if (cs.spec.stdinOnce) inst.stdin.end();
    })();
    void feeding.catch(() => {});
    try {
      const ended = inst.exited.then(() => inst.exitCode ?? 0);
      const left = io.signal ? io.signal.then(() => 0) : new Promise<number>(() => {});
      return await Promise.race([ended, left]);
    } finally {
      unfollow();
    }
  }

  // ---- exec (for the streaming endpoints: kubectl exec, attach's shell, cp) ----

  /**
   * Runs argv in a running container of the pod, with its file system, environment and network
   * (pkg/kubelet/server/server.go getExec, kuberuntime ExecSync/Exec). Resolves with the exit code.
   * Errors are the ones kubectl shows: `container x is not valid for pod y` (400), and for a
   * container that is not running `container not found ("x")` (kubectl prefixes it with
   * "unable to upgrade connection: ").
   */
  async exec(namespace: string, pod: string, container: string | undefined, argv: string[], stdio: ExecStdio): Promise<number> {
    const w = this.workers.get(`${namespace}/${pod}`);
    const obj = this.pods.get(namespace, pod) ?? w?.pod;
    if (!obj) throw new ApiError(404, 'NotFound', `pods "${pod}" not found`, { name: pod, kind: 'pods' });
    const all: Obj[] = [...(obj.spec.containers ?? []), ...(obj.spec.initContainers ?? []), ...(obj.spec.ephemeralContainers ?? [])];
    let name = container;
    if (!name) {
      if ((obj.spec.containers ?? []).length !== 1) {
        name = obj.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? obj.spec.containers[0]?.name;
      } else name = obj.spec.containers[0].name;
    }
    if (!all.some((c) => c.name === name)) throw new ApiError(400, 'BadRequest', `container ${name} is not valid for pod ${pod}`);
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw new ApiError(400, 'BadRequest', `cannot exec into a container in a completed pod; current phase is ${phase}`);
    if (this.stoppedFlag) throw new ApiError(500, 'InternalError', `error dialing backend: dial tcp ${this.internalIP}:10250: connect: no route to host`);
    if (!Array.isArray(argv) || argv.length === 0) throw new ApiError(400, 'BadRequest', 'you must specify at least one command for the container');
    const cs = w?.containers.get(name!);
    const inst: ContainerInstance | undefined = cs?.current;
    if (!w || !cs || !inst?.running) throw new ApiError(404, 'NotFound', `container not found (${JSON.stringify(name)})`);
    return w.execIn(cs, inst, argv, stdio, stdio.signal);
  }

}

/** Status equality, ignoring key order: an unchanged status is not written again. */
/**
 * nodeStatusHasChanged (kubelet_node_status.go): conditions compared without their heartbeat
 * times, the rest of the status as it is.
 */
function nodeStatusHasChanged(a: Obj | undefined, b: Obj): boolean {
  if (!a) return true;
  const conds = (s: Obj) =>
    [...((s.conditions ?? []) as Obj[])]
      .map(({ lastHeartbeatTime: _h, ...c }) => c)
      .sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : 0));
  if (!jsonEqual(conds(a), conds(b))) return true;
  // Semantic.DeepEqual: an empty list equals a missing one (`images: []` is omitted in the API).
  const rest = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k, v]) => k !== 'conditions' && !(Array.isArray(v) && v.length === 0)));
  return !jsonEqual(rest(a), rest(b));
}

function sameStatus(a: Obj | undefined, b: Obj): boolean {
  return jsonEqual(a ?? {}, b);
}

/**
 * The events the kubelet's condition setters record when the status they set differs from the
 * Node's in the API (pkg/kubelet/nodestatus/setters.go: MemoryPressureCondition and the others
 * record NodeHasSufficientMemory when the condition was not already False, e.g. Unknown after the
 * node controller saw no heartbeats; ReadyCondition records NodeReady or NodeNotReady when Ready's
 * status changes). A node's first status (no conditions yet) is left out: its registration events
 * are recorded when it is created.
 */
export function conditionEvents(prev: Obj | undefined, next: Obj): string[] {
  const before = new Map<string, string>(((prev?.conditions ?? []) as Obj[]).map((c) => [c.type, c.status]));
  const out: string[] = [];
  for (const c of (next.conditions ?? []) as Obj[]) {
    const old = before.get(c.type);
    if (old === undefined || old === c.status) continue;
    if (c.type === 'Ready') out.push(c.status === 'True' ? 'NodeReady' : 'NodeNotReady');
    else if (c.status === 'False') {
      const reason = { MemoryPressure: 'NodeHasSufficientMemory', DiskPressure: 'NodeHasNoDiskPressure', PIDPressure: 'NodeHasSufficientPID' }[c.type as string];
      if (reason) out.push(reason);
    }
  }
  return out;
}
