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
import { clone, rfc3339, rfc3339Micro, type Obj } from '../api/objects.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { EventRecorder } from '../client/events.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { imageFor, type EmulatedImage } from './images.ts';

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

interface LogLine {
  ts: number;
  text: string;
}

interface ContainerRun {
  name: string;
  state: 'waiting' | 'running' | 'terminated';
  reason?: string;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  containerID: string;
  imageID: string;
  logs: LogLine[];
}

interface PodRun {
  uid: string;
  key: string;
  podIP?: string;
  startTime: number;
  containers: Map<string, ContainerRun>;
  timers: TimerHandle[];
  terminating: boolean;
  phase: 'starting' | 'running' | 'terminating' | 'done';
}

type LogFollower = (line: LogLine) => void;

export class Kubelet {
  readonly name: string;
  private stoppedFlag = true;
  private readonly timers: TimerHandle[] = [];
  private readonly pods: Informer;
  private readonly runs = new Map<string, PodRun>();
  private readonly usedIPs = new Set<number>();
  private readonly pulled = new Set<string>();
  private readonly followers = new Map<string, Set<LogFollower>>();
  private readonly events: EventRecorder;
  private lastReport = 0;
  private readonly bootID = randomUUID();

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
    readonly config: NodeConfig,
  ) {
    this.name = config.name;
    this.events = new EventRecorder(api, clock, { component: 'kubelet', host: config.name });
    this.pods = new Informer(api, api.resource('pods'), { fieldSelector: `spec.nodeName=${config.name}` }).on({
      add: (p) => this.syncPod(p),
      update: (p) => this.syncPod(p),
      delete: (p) => this.forget(keyOf(p)),
    });
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
    await this.reportStatus(true);
    await this.renewLease();
    this.timers.push(this.clock.setInterval(() => void this.heartbeat(), LEASE_RENEW_MS));
    await this.pods.start();
    // After a restart, pods that were running carry on; the informer replays them as adds.
  }

  /** Stops the machine: no heartbeats, no pod work; what is in the API stays as it was. */
  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const t of this.timers.splice(0)) t.cancel();
    this.pods.stop();
    for (const run of this.runs.values()) for (const t of run.timers.splice(0)) t.cancel();
    this.runs.clear();
  }

  private async heartbeat(): Promise<void> {
    if (this.stoppedFlag) return;
    await this.renewLease();
    if (this.clock.now() - this.lastReport >= NODE_STATUS_REPORT_MS) await this.reportStatus(false);
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
        containerRuntimeVersion: 'emulated://1.0.0',
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
    if (!force && now - this.lastReport < NODE_STATUS_REPORT_MS) return;
    const next = clone(cur);
    next.status = this.nodeStatus(rfc3339(now), cur.status);
    try {
      await this.api.update(nodes, undefined, this.name, next, { subresource: 'status' });
      this.lastReport = now;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  // ---- pods ----

  private syncPod(pod: Obj): void {
    if (this.stoppedFlag) return;
    const k = keyOf(pod);
    let run = this.runs.get(k);
    if (run && run.uid !== pod.metadata.uid) {
      this.forget(k);
      run = undefined;
    }
    if (pod.metadata.deletionTimestamp) {
      if (!run) {
        // Known to the API but not running here (a restart, or never started): just finish it.
        void this.finishDeletion(pod);
        return;
      }
      if (!run.terminating) this.terminate(pod, run);
      return;
    }
    if (!run) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      if (pod.status?.phase === 'Running' && pod.status?.podIP) {
        // The kubelet restarted: its containers kept running.
        this.adopt(pod);
        return;
      }
      this.startPod(pod);
    }
  }

  private allocateIP(): string {
    for (let i = 2; i < 255; i++) {
      if (!this.usedIPs.has(i)) {
        this.usedIPs.add(i);
        return `10.244.${this.config.index}.${i}`;
      }
    }
    throw new Error(`node ${this.name} has no free pod IP in ${this.podCIDR}`);
  }

  private releaseIP(ip: string | undefined): void {
    if (!ip) return;
    this.usedIPs.delete(Number(ip.split('.')[3]));
  }

  private adopt(pod: Obj): void {
    const ip = pod.status.podIP as string;
    this.usedIPs.add(Number(ip.split('.')[3]));
    const run: PodRun = {
      uid: pod.metadata.uid,
      key: keyOf(pod),
      podIP: ip,
      startTime: Date.parse(pod.status.startTime ?? rfc3339(this.clock.now())),
      containers: new Map(),
      timers: [],
      terminating: false,
      phase: 'running',
    };
    for (const cs of pod.status.containerStatuses ?? []) {
      run.containers.set(cs.name, {
        name: cs.name,
        state: cs.state?.running ? 'running' : cs.state?.terminated ? 'terminated' : 'waiting',
        startedAt: cs.state?.running ? Date.parse(cs.state.running.startedAt) : undefined,
        containerID: cs.containerID ?? '',
        imageID: cs.imageID ?? '',
        logs: [],
      });
    }
    this.runs.set(run.key, run);
  }

  private startPod(pod: Obj): void {
    const k = keyOf(pod);
    const run: PodRun = {
      uid: pod.metadata.uid,
      key: k,
      startTime: this.clock.now(),
      containers: new Map(),
      timers: [],
      terminating: false,
      phase: 'starting',
    };
    for (const c of pod.spec.containers ?? []) {
      run.containers.set(c.name, { name: c.name, state: 'waiting', reason: 'ContainerCreating', containerID: '', imageID: '', logs: [] });
    }
    this.runs.set(k, run);
    void this.runPod(pod, run);
  }

  /** Sandbox, then each container in order: pull, create, start (kuberuntime SyncPod). */
  private async runPod(pod: Obj, run: PodRun): Promise<void> {
    await this.writeStatus(pod, run);
    // The sandbox comes up and gets its IP.
    await this.sleep(run, 100);
    if (!this.alive(run)) return;
    run.podIP = this.allocateIP();
    for (const c of pod.spec.containers ?? []) {
      if (!this.alive(run)) return;
      const img = imageFor(c.image);
      const field = `spec.containers{${c.name}}`;
      const present = this.pulled.has(c.image);
      if (c.imagePullPolicy === 'Never' && !present) {
        const cr = run.containers.get(c.name)!;
        cr.reason = 'ErrImageNeverPull';
        await this.events.record(pod, 'Warning', 'ErrImageNeverPull', `Container image "${c.image}" is not present with pull policy of Never`, field);
        await this.writeStatus(pod, run);
        continue;
      }
      if (present && c.imagePullPolicy !== 'Always') {
        await this.events.record(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, field);
      } else {
        await this.events.record(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, field);
        const pullMs = present ? 400 : img.pullMs;
        await this.sleep(run, pullMs);
        if (!this.alive(run)) return;
        this.pulled.add(c.image);
        const secs = (pullMs / 1000).toFixed(3);
        await this.events.record(
          pod,
          'Normal',
          'Pulled',
          `Successfully pulled image "${c.image}" in ${secs}s (${secs}s including waiting). Image size: ${img.sizeBytes} bytes.`,
          field,
        );
      }
      const cr = run.containers.get(c.name)!;
      cr.containerID = `emulated://${randomHex(64)}`;
      cr.imageID = `${img.repository}@sha256:${img.digest}`;
      await this.events.record(pod, 'Normal', 'Created', `Created container: ${c.name}`, field);
      await this.sleep(run, 50);
      if (!this.alive(run)) return;
      cr.state = 'running';
      cr.reason = undefined;
      cr.startedAt = this.clock.now();
      await this.events.record(pod, 'Normal', 'Started', `Started container ${c.name}`, field);
      this.emitStartupLogs(run, cr, img, pod);
    }
    if (!this.alive(run)) return;
    run.phase = 'running';
    await this.writeStatus(pod, run);
  }

  private emitStartupLogs(run: PodRun, cr: ContainerRun, img: EmulatedImage, pod: Obj): void {
    const lines = img.startupLogs({ podIP: run.podIP ?? '', podName: pod.metadata.name, now: this.clock.now() });
    for (const text of lines) this.appendLog(run, cr, text);
  }

  private appendLog(run: PodRun, cr: ContainerRun, text: string): void {
    const line = { ts: this.clock.now(), text };
    cr.logs.push(line);
    if (cr.logs.length > 10_000) cr.logs.splice(0, cr.logs.length - 10_000);
    for (const f of this.followers.get(`${run.key}/${cr.name}`) ?? []) f(line);
  }

  private alive(run: PodRun): boolean {
    return !this.stoppedFlag && this.runs.get(run.key) === run && !run.terminating;
  }

  private sleep(run: PodRun, ms: number): Promise<void> {
    return new Promise((resolve) => {
      run.timers.push(this.clock.setTimeout(resolve, ms));
    });
  }

  private terminate(pod: Obj, run: PodRun): void {
    run.terminating = true;
    run.phase = 'terminating';
    for (const t of run.timers.splice(0)) t.cancel();
    void (async () => {
      for (const c of pod.spec.containers ?? []) {
        const cr = run.containers.get(c.name);
        if (cr?.state === 'running') {
          await this.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, `spec.containers{${c.name}}`);
        }
      }
      // The emulated processes exit on SIGTERM at once (well within the grace period).
      await new Promise<void>((resolve) => run.timers.push(this.clock.setTimeout(resolve, 100)));
      if (this.stoppedFlag) return;
      for (const cr of run.containers.values()) {
        if (cr.state === 'running') {
          cr.state = 'terminated';
          cr.exitCode = 0;
          cr.reason = 'Completed';
          cr.finishedAt = this.clock.now();
        }
      }
      run.phase = 'done';
      const latest = this.pods.get(pod.metadata.namespace, pod.metadata.name) ?? pod;
      await this.writeStatus(latest, run);
      await this.finishDeletion(latest);
    })();
  }

  private async finishDeletion(pod: Obj): Promise<void> {
    try {
      await this.api.delete(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
  }

  private forget(k: string): void {
    const run = this.runs.get(k);
    if (!run) return;
    for (const t of run.timers.splice(0)) t.cancel();
    this.releaseIP(run.podIP);
    this.runs.delete(k);
  }

  /** Writes the pod status the kubelet's status manager would compute (kubelet_pods.go generateAPIPodStatus). */
  private async writeStatus(pod: Obj, run: PodRun): Promise<void> {
    if (this.stoppedFlag) return;
    const cur = this.pods.get(pod.metadata.namespace, pod.metadata.name) ?? (await this.api.tryGet(this.api.resource('pods'), pod.metadata.namespace, pod.metadata.name));
    if (!cur || cur.metadata.uid !== run.uid) return;
    const now = rfc3339(this.clock.now());
    const containers: Obj[] = cur.spec.containers ?? [];
    const statuses = containers.map((c) => {
      const cr = run.containers.get(c.name);
      const state =
        cr?.state === 'running'
          ? { running: { startedAt: rfc3339(cr.startedAt!) } }
          : cr?.state === 'terminated'
            ? {
                terminated: {
                  exitCode: cr.exitCode ?? 0,
                  reason: cr.reason ?? 'Completed',
                  startedAt: cr.startedAt ? rfc3339(cr.startedAt) : null,
                  finishedAt: rfc3339(cr.finishedAt ?? this.clock.now()),
                  containerID: cr.containerID,
                },
              }
            : { waiting: { reason: cr?.reason ?? 'ContainerCreating' } };
      const s: Obj = {
        name: c.name,
        state,
        lastState: {},
        ready: cr?.state === 'running',
        restartCount: 0,
        image: c.image,
        imageID: cr?.imageID ?? '',
        started: cr?.state === 'running',
      };
      if (cr?.containerID) s.containerID = cr.containerID;
      return s;
    });
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
    const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
    const prevConds: Obj[] = cur.status?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
      const status = ok ? 'True' : 'False';
      const old = prevConds.find((c) => c.type === type);
      const c: Obj = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now };
      if (!ok && reason) c.reason = reason;
      if (!ok && message) c.message = message;
      return c;
    };
    const terminal = run.phase === 'done';
    const conditions = [
      cond('PodReadyToStartContainers', !!run.podIP && !terminal),
      cond('Initialized', true),
      cond('Ready', allReady && !terminal, 'ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`),
      cond('ContainersReady', allReady && !terminal, 'ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`),
      prevConds.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', true),
    ];
    let phase = 'Pending';
    if (terminal) phase = cur.spec.restartPolicy === 'Always' ? 'Failed' : 'Succeeded';
    else if (statuses.some((s) => s.state.running)) phase = 'Running';
    if (terminal && statuses.every((s) => s.state.terminated?.exitCode === 0)) phase = 'Succeeded';
    const status: Obj = {
      ...cur.status,
      phase,
      conditions,
      hostIP: this.internalIP,
      hostIPs: [{ ip: this.internalIP }],
      startTime: rfc3339(run.startTime),
      containerStatuses: statuses,
    };
    if (run.podIP) {
      status.podIP = run.podIP;
      status.podIPs = [{ ip: run.podIP }];
    }
    const next = clone(cur);
    next.status = status;
    try {
      await this.api.update(this.api.resource('pods'), cur.metadata.namespace, cur.metadata.name, next, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 409) {
        // Someone else wrote in between: recompute from the latest object.
        const latest = await this.api.tryGet(this.api.resource('pods'), cur.metadata.namespace, cur.metadata.name);
        if (latest && latest.metadata.uid === run.uid) await this.writeStatus(latest, run);
      }
    }
  }

  // ---- logs ----

  /** The log of one container, as `kubectl logs` reads it. */
  readLog(namespace: string, pod: string, container: string): LogLine[] | undefined {
    return this.runs.get(`${namespace}/${pod}`)?.containers.get(container)?.logs;
  }

  followLog(namespace: string, pod: string, container: string, f: LogFollower): () => void {
    const k = `${namespace}/${pod}/${container}`;
    let set = this.followers.get(k);
    if (!set) this.followers.set(k, (set = new Set()));
    set.add(f);
    return () => {
      set!.delete(f);
      if (set!.size === 0) this.followers.delete(k);
    };
  }

  hasPod(namespace: string, pod: string): boolean {
    return this.runs.has(`${namespace}/${pod}`);
  }
}

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return s.slice(0, n);
}
