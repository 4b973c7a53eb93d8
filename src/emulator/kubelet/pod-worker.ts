// One pod on one node, as the kubelet's pod worker drives it (pkg/kubelet/pod_workers.go,
// kuberuntime/kuberuntime_manager.go computePodActions + SyncPod, kuberuntime_container.go
// startContainer/killContainer, images/image_manager.go, status/status_manager.go,
// kubelet_pods.go generateAPIPodStatus/getPhase): sandbox, init containers in order, then the
// containers; image pulls with back-off; restarts by restartPolicy with the crash-loop back-off;
// probes; graceful termination with preStop hooks; the status the API shows.

import { randomBytes } from 'node:crypto';
import type { Obj } from '../api/objects.ts';
import { rfc3339 } from '../api/objects.ts';
import { goQuote } from '../api/selectors.ts';
import type { TimerHandle } from '../clock.ts';
import { RecentCache } from '../recent.ts';
import type { EventRecorder } from '../client/events.ts';
import type { FileSystem, ProcessContext, Program } from '../runtime/contracts.ts';
import { Backoff, goDuration } from './backoff.ts';
import { expandCommand, type EnvResult } from './env.ts';
import { imageFor, parseImage } from './images.ts';
import { containerArgv, referenceError } from '../runtime/images/index.ts';
import type { NodeClock } from './node-clock.ts';
import { dialError, probeTitle, ProbeWorker, withTimeout, type ProbeKind, type ProbeOutcome, type ProbeResult, type ProbeTarget } from './prober.ts';
import type { KubeletRuntime, PodStorage } from './runtime.ts';

export interface LogLine {
  ts: number;
  text: string;
}

/** What a pod worker needs from its kubelet. */
export interface KubeletHost {
  readonly nodeName: string;
  readonly internalIP: string;
  readonly clock: NodeClock;
  readonly events: EventRecorder;
  readonly runtime: KubeletRuntime;
  readonly crashBackoff: Backoff;
  readonly imageBackoff: Backoff;
  readonly imagePullErrors: Map<string, string>;
  readonly pulled: Set<string>;
  /** When the kubelet's probe manager started (its start-up: probe workers of pods added within a period are jittered). */
  readonly probeManagerStart: number;
  isStopped(): boolean;
  allocateIP(): string;
  releaseIP(ip: string): void;
  makeEnv(pod: Obj, container: Obj, podIP: string): Promise<EnvResult>;
  writeStatus(w: PodWorker): Promise<void>;
  deletePod(pod: Obj): Promise<void>;
  done(w: PodWorker): void;
}

/** One run of a container (a CRI container). */
export interface ContainerInstance {
  id: string;
  /** The image this run was started from (spec.containers[].image is mutable). */
  image: string;
  imageID: string;
  startedAt: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  running: boolean;
  logs: LogLine[];
  partial: { out: string; err: string };
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  /** The main process's command line (what `ps` shows as PID 1 to an exec). */
  argv: string[];
  exited: Promise<void>;
  markExited(): void;
  probes: ProbeWorker[];
  /** exec'd processes, killed with the container */
  execs: Set<(sig: 'SIGKILL') => void>;
  env: Record<string, string>;
  fs: FileSystem;
  /** The main process's stdin (spec.stdin), fed by kubectl attach -i. */
  stdin: StdinQueue;
  /**
   * While the postStart hook runs: the status the API showed before this start (the kubelet's
   * sync is blocked in startContainer, so nothing newer is posted for the container).
   */
  statusDuringHook?: Obj;
  /** `kubectl logs -f` of this run: its lines as they come; the stream ends with the run. */
  followers: Set<(line: LogLine) => void>;
  /** `kubectl attach` (and `kubectl run -i`) clients: the main process's output as it is written, partial lines too. */
  attached: Set<(stream: 'out' | 'err', data: string) => void>;
}

/** An AsyncIterable of the bytes written to a process's stdin, ended on request. */
export class StdinQueue implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  push(b: Buffer): void {
    if (this.ended) return;
    this.chunks.push(b);
    this.waiter?.();
  }
  end(): void {
    this.ended = true;
    this.waiter?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.chunks.length) {
        yield this.chunks.shift()!;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = undefined;
    }
  }
}

export interface ContainerState {
  spec: Obj;
  init: boolean;
  current?: ContainerInstance;
  previous?: ContainerInstance;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
  /** A crash-loop back-off was announced for this exit. */
  backoffAnnouncedFor?: string;
  /** The random start-up delay of this container's probe workers (ms, by probe), when they have one. */
  jitter?: Partial<Record<ProbeKind, number>>;
}

const MAX_LOG_LINES = 10_000;
/** kuberuntime_container.go minimumGracePeriodInSeconds */
const MIN_GRACE_SECONDS = 2;
/** pod_workers.go: a failed sync is retried after this. */
const WORKER_RETRY_MS = 10_000;

export class PodWorker {
  readonly uid: string;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  pod: Obj;
  podIP?: string;
  startTime: number;
  /** When the kubelet took the pod (its probe workers date from then). */
  readonly addedAt: number;
  storage?: PodStorage;
  readonly containers = new Map<string, ContainerState>();
  terminating = false;
  /** Every container is done and none will restart: the pod is Succeeded or Failed. */
  terminal = false;
  gone = false;
  /** The conditions of the last status this kubelet wrote (to notice another writer's change). */
  writtenConditions: unknown;
  private syncing = false;
  private again = false;
  private readonly resyncs = new Set<TimerHandle>();
  private statusWriting = false;
  private statusAgain = false;

  constructor(
    private readonly host: KubeletHost,
    pod: Obj,
  ) {
    this.pod = pod;
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace;
    this.name = pod.metadata.name;
    this.key = `${this.namespace}/${this.name}`;
    this.startTime = host.clock.now();
    this.addedAt = this.startTime;
    for (const c of (pod.spec.initContainers ?? []) as Obj[]) this.containers.set(c.name, this.newState(c, true));
    for (const c of (pod.spec.containers ?? []) as Obj[]) this.containers.set(c.name, this.newState(c, false));
  }

  private newState(spec: Obj, init: boolean): ContainerState {
    return { spec, init, restartCount: 0, ready: false, started: false };
  }

  /** format.Pod: name_namespace(uid) */
  get podRef(): string {
    return `${this.name}_${this.namespace}(${this.uid})`;
  }

  private alive(): boolean {
    return !this.gone && !this.terminating && !this.host.isStopped();
  }

  private field(c: Obj, init: boolean): string {
    return `spec.${init ? 'initContainers' : 'containers'}{${c.name}}`;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, cs?: ContainerState): Promise<void> {
    return this.host.events.record(this.pod, type, reason, message, cs ? this.field(cs.spec, cs.init) : undefined);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.host.clock.setTimeout(() => {
        this.resyncs.delete(t);
        resolve();
      }, ms);
      this.resyncs.add(t);
    });
  }

  private resyncIn(ms: number): void {
    const t = this.host.clock.setTimeout(() => {
      this.resyncs.delete(t);
      void this.sync();
    }, Math.max(0, ms));
    this.resyncs.add(t);
  }

  /** Status is written after the work that changed it, coalesced (status_manager.go). */
  requestStatus(): void {
    if (this.gone) return;
    if (this.statusWriting) {
      this.statusAgain = true;
      return;
    }
    this.statusWriting = true;
    void (async () => {
      try {
        do {
          this.statusAgain = false;
          await this.host.writeStatus(this);
        } while (this.statusAgain && !this.gone);
      } catch (e) {
        // A bug, not a refusal (writeStatus retries those): say so, and try again a sync later
        // rather than leave the pod's status behind for good.
        console.warn(`kubelet: writing the status of pod ${this.namespace}/${this.name} failed:`, e);
        const t = this.host.clock.setTimeout(() => {
          this.resyncs.delete(t);
          this.requestStatus();
        }, 10_000);
        this.resyncs.add(t);
      } finally {
        this.statusWriting = false;
      }
    })();
  }

  /** The pod object changed (or a container exited, a back-off ended): reconcile. */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.again = false;
        if (!this.alive() || this.terminal) break;
        await this.syncOnce();
        this.requestStatus();
      } while (this.again);
    } finally {
      this.syncing = false;
    }
  }

  private get restartPolicy(): string {
    return this.pod.spec.restartPolicy ?? 'Always';
  }

  private async syncOnce(): Promise<void> {
    // The containers' specs as the pod has them now (an image may have been changed).
    for (const c of [...(this.pod.spec.initContainers ?? []), ...(this.pod.spec.containers ?? [])] as Obj[]) {
      const cs = this.containers.get(c.name);
      if (cs) cs.spec = c;
    }
    if (!this.podIP) {
      this.requestStatus();
      // The sandbox comes up and gets its IP (RunPodSandbox).
      this.storage ??= this.host.runtime.podStorage(this.pod, { name: this.host.nodeName });
      // The volumes first (volumemanager WaitForAttachAndMount): a failure keeps the pod in
      // ContainerCreating, without a sandbox, and is retried.
      const failures = (await this.storage.setUp?.()) ?? [];
      if (!this.alive()) return;
      if (failures.length) {
        for (const f of failures) await this.event('Warning', 'FailedMount', f.message);
        this.resyncIn(WORKER_RETRY_MS);
        return;
      }
      await this.delay(100);
      if (!this.alive()) return;
      this.podIP = this.host.allocateIP();
      this.storage.podIP = this.podIP;
      // No status write of its own: the containers start in this same sync, and their start is
      // reported with the IP in one update, as the status manager does (status_manager.go: the
      // latest status of a pod is what is sent). A pull that takes time reports it first.
    }
    // Init containers, in order: each must exit 0 before the next starts.
    for (const cs of this.containers.values()) {
      if (!cs.init) continue;
      const cur = cs.current;
      if (cur?.running) return;
      if (cur && cur.exitCode === 0) continue;
      if (cur) {
        if (this.restartPolicy === 'Never') {
          await this.finish();
          return;
        }
        await this.restart(cs);
        return;
      }
      await this.startContainer(cs);
      return;
    }
    let active = false;
    for (const cs of this.containers.values()) {
      if (cs.init || !this.alive()) continue;
      const cur = cs.current;
      if (cur?.running) {
        active = true;
        // computePodActions: a running container whose definition changed (its image, the one
        // mutable field) is killed and started again, whatever the restart policy.
        if (cur.image !== (cs.spec.image ?? '')) {
          await this.killContainer(cs, cur, this.pod.spec.terminationGracePeriodSeconds ?? 30, `Container ${cs.spec.name} definition changed, will be restarted`);
          if (this.alive() && !cs.current?.running) await this.startContainer(cs);
        }
        continue;
      }
      if (!cur) {
        active = true;
        await this.startContainer(cs);
        continue;
      }
      const policy = this.restartPolicy;
      if (policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0)) {
        active = true;
        await this.restart(cs);
      }
    }
    if (!active && this.alive()) await this.finish();
  }

  /** Every container is done for good (restartPolicy): the pod is terminal; the sandbox goes. */
  private async finish(): Promise<void> {
    if (this.terminal) return;
    this.terminal = true;
    for (const cs of this.containers.values()) this.stopProbes(cs);
    if (this.podIP) this.host.releaseIP(this.podIP);
    this.requestStatus();
  }

  /** doBackOff: restart at once the first time, then after 10 s, 20 s, ... 5 min. */
  private async restart(cs: ContainerState): Promise<void> {
    const cur = cs.current!;
    // getStableKey: the key includes the container's definition, so a new image starts afresh.
    const key = `${this.uid}/${cs.spec.name}/${cs.spec.image ?? ''}`;
    const until = this.host.crashBackoff.inBackOffSince(key, cur.finishedAt ?? this.host.clock.now());
    if (until !== undefined) {
      const period = goDuration(this.host.crashBackoff.get(key));
      cs.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${period} restarting failed container=${cs.spec.name} pod=${this.podRef}` };
      if (cs.backoffAnnouncedFor !== cur.id) {
        cs.backoffAnnouncedFor = cur.id;
        await this.event('Warning', 'BackOff', `Back-off restarting failed container ${cs.spec.name} in pod ${this.podRef}`, cs);
      }
      this.resyncIn(until - this.host.clock.now());
      return;
    }
    this.host.crashBackoff.next(key);
    await this.startContainer(cs);
  }

  /** EnsureImageExists (images/image_manager.go, 1.32 wording). */
  private async ensureImage(cs: ContainerState): Promise<boolean> {
    const c = cs.spec;
    const image: string = c.image ?? '';
    // applyDefaultImageTag: a reference that does not parse is never pulled (InvalidImageName,
    // the InspectFailed event, retried at the pod worker's next sync).
    const unparsable = referenceError(image);
    if (unparsable !== undefined) {
      const msg = `Failed to apply default image tag ${JSON.stringify(image)}: ${unparsable}`;
      await this.event('Warning', 'InspectFailed', msg, cs);
      await this.event('Warning', 'Failed', 'Error: InvalidImageName', cs);
      cs.waiting = { reason: 'InvalidImageName', message: msg };
      this.resyncIn(WORKER_RETRY_MS);
      return false;
    }
    const present = this.host.pulled.has(image);
    const policy = c.imagePullPolicy ?? 'IfNotPresent';
    if (present && policy !== 'Always') {
      await this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, cs);
      return true;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      await this.event('Warning', 'ErrImageNeverPull', msg, cs);
      await this.event('Warning', 'Failed', 'Error: ErrImageNeverPull', cs);
      cs.waiting = { reason: 'ErrImageNeverPull', message: msg };
      this.resyncIn(WORKER_RETRY_MS);
      return false;
    }
    const key = `${this.uid}_${image}`;
    const until = this.host.imageBackoff.inBackOffSinceUpdate(key);
    if (until !== undefined) {
      let msg = `Back-off pulling image "${image}"`;
      await this.event('Normal', 'BackOff', msg, cs);
      const prev = this.host.imagePullErrors.get(key);
      if (prev) msg = `${msg}: ${prev}`;
      await this.event('Warning', 'Failed', 'Error: ImagePullBackOff', cs);
      cs.waiting = { reason: 'ImagePullBackOff', message: msg };
      this.resyncIn(until - this.host.clock.now());
      return false;
    }
    this.host.imagePullErrors.delete(key);
    await this.event('Normal', 'Pulling', `Pulling image "${image}"`, cs);
    // While the image comes, the API shows the sandbox's IP (the status of the sync before).
    this.requestStatus();
    const img = imageFor(image);
    const pullMs = present ? 400 : img.pullMs;
    await this.delay(pullMs);
    if (!this.alive()) return false;
    if (!this.host.runtime.imageExists(image)) {
      const { repository, tag } = parseImage(image);
      const ref = `${repository}${tag.startsWith('sha256:') ? '@' : ':'}${tag}`;
      const err = this.host.runtime.pullError?.(image) ?? `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
      await this.event('Warning', 'Failed', `Failed to pull image "${image}": ${err}`, cs);
      this.host.imageBackoff.next(key);
      this.host.imagePullErrors.set(key, `ErrImagePull: ${err}`);
      await this.event('Warning', 'Failed', 'Error: ErrImagePull', cs);
      cs.waiting = { reason: 'ErrImagePull', message: err };
      // The pod worker retries soon; the image back-off then shows ImagePullBackOff.
      this.resyncIn(1_000);
      return false;
    }
    this.host.pulled.add(image);
    const d = goDurationMs(pullMs);
    await this.event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${d} (${d} including waiting). Image size: ${img.sizeBytes} bytes.`, cs);
    return true;
  }

  /** startContainer: pull, generate the config (env), create, start, post the probes. */
  private async startContainer(cs: ContainerState): Promise<void> {
    const c = cs.spec;
    if (!(await this.ensureImage(cs))) return;
    if (!this.alive()) return;
    const envRes = await this.host.makeEnv(this.pod, c, this.podIP!);
    for (const w of envRes.warnings) await this.event('Warning', w.reason, w.message);
    if (envRes.error !== undefined) {
      cs.waiting = { reason: 'CreateContainerConfigError', message: envRes.error };
      await this.event('Warning', 'Failed', `Error: ${envRes.error}`, cs);
      this.resyncIn(WORKER_RETRY_MS);
      return;
    }
    if (!this.alive()) return;
    const env: Record<string, string> = {};
    // The image's own environment comes first; the container's overrides it.
    env.PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    env.HOSTNAME = this.name;
    for (const [k, v] of envRes.env) env[k] = v;
    const { command, args } = expandCommand(c, env);
    // A restarted container gets a fresh writable layer; the pod's volumes stay.
    if (cs.current) this.storage!.resetContainer?.(c.name);
    const fs = this.storage!.containerFs(c, env);
    let program: Program;
    try {
      program = this.host.runtime.programFor(c.image, command, args);
    } catch (e) {
      // The runtime could not start the process (RunContainerError); it counts as a failed run.
      const msg = (e as Error).message;
      await this.event('Warning', 'Failed', `Error: ${msg}`, cs);
      const inst = this.newInstance(c, env, fs);
      inst.running = false;
      inst.exitCode = 128;
      inst.reason = 'StartError';
      inst.message = msg;
      inst.finishedAt = this.host.clock.now();
      inst.markExited();
      this.pushInstance(cs, inst);
      cs.waiting = { reason: 'RunContainerError', message: msg };
      this.resyncIn(1_000);
      return;
    }
    const inst = this.newInstance(c, env, fs);
    await this.event('Normal', 'Created', `Created container: ${c.name}`, cs);
    if (!this.alive()) return;
    const postStart: Obj | undefined = c.lifecycle?.postStart;
    if (postStart) inst.statusDuringHook = this.containerStatus(cs, (this.pod.spec.initContainers ?? []).length > 0);
    this.pushInstance(cs, inst);
    cs.waiting = undefined;
    // StartContainer: the process runs, then the Started event. A running instance always has its
    // process, so a deletion that comes meanwhile signals it (it used to wait the whole grace period).
    this.runProgram(cs, inst, program, [...command, ...args]);
    await this.event('Normal', 'Started', `Started container ${c.name}`, cs);
    if (!this.alive()) {
      // Terminating already: the pod worker starts no hook and no probe for it.
      inst.statusDuringHook = undefined;
      return;
    }
    if (postStart && !(await this.postStart(cs, inst, postStart))) return;
    this.startProbes(cs, inst);
    this.requestStatus();
  }

  /**
   * startContainer step 4: the postStart hook, synchronously (the pod's sync waits for it, and the
   * next container starts after it). A failure is a FailedPostStartHook event, the container is
   * killed ("FailedPostStartHook") and waits as PostStartHookError until the restart policy
   * brings it back.
   */
  private async postStart(cs: ContainerState, inst: ContainerInstance, hook: Obj): Promise<boolean> {
    let failure: string | undefined;
    try {
      failure = await this.runHook(cs, inst, hook, Infinity);
    } finally {
      inst.statusDuringHook = undefined;
    }
    if (failure === undefined) return inst.running;
    await this.event('Warning', 'FailedPostStartHook', 'PostStartHook failed', cs);
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.killContainer(cs, inst, grace, 'FailedPostStartHook');
    // kubelet_pods.go: the start failure's reason shows while the container waits for its restart.
    if (cs.current === inst && !this.terminating) cs.waiting = { reason: 'PostStartHookError', message: failure };
    this.requestStatus();
    return false;
  }

  private newInstance(c: Obj, env: Record<string, string>, fs: FileSystem): ContainerInstance {
    const img = imageFor(c.image ?? '');
    let markExited!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    return {
      id: `containerd://${randomBytes(32).toString('hex')}`,
      image: c.image ?? '',
      imageID: `${img.repository}@sha256:${img.digest}`,
      startedAt: this.host.clock.now(),
      running: true,
      logs: [],
      partial: { out: '', err: '' },
      signal: () => {},
      argv: [],
      exited,
      markExited,
      probes: [],
      execs: new Set(),
      env,
      fs,
      stdin: new StdinQueue(),
      followers: new Set(),
      attached: new Set(),
    };
  }

  private pushInstance(cs: ContainerState, inst: ContainerInstance): void {
    if (cs.current) {
      cs.previous = cs.current;
      cs.restartCount++;
    }
    cs.current = inst;
    cs.ready = false;
    cs.started = false;
  }

  /** The context a process of this container runs with (the container's, or an exec's). */
  processContext(
    inst: ContainerInstance,
    argv: string[],
    io: { stdout(d: string | Buffer): void; stderr(d: string | Buffer): void; stdin?: AsyncIterable<Buffer>; tty?: boolean },
    signal: Promise<'SIGTERM' | 'SIGKILL'>,
    container: string,
    killed?: Promise<void>,
  ): ProcessContext {
    return {
      killed,
      argv,
      env: { ...inst.env },
      fs: inst.fs,
      net: this.host.runtime.network,
      clock: this.host.clock,
      pod: { name: this.name, namespace: this.namespace, ip: this.podIP ?? '', uid: this.uid },
      container,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      signal,
      tty: io.tty,
    };
  }

  private runProgram(cs: ContainerState, inst: ContainerInstance, program: Program, argv: string[]): void {
    inst.argv = argv.length ? argv : containerArgv(inst.image);
    let fire!: (s: 'SIGTERM' | 'SIGKILL') => void;
    const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (fire = r));
    let kill!: () => void;
    const killed = new Promise<void>((r) => (kill = r));
    let signalled: 'SIGTERM' | 'SIGKILL' | undefined;
    inst.signal = (s) => {
      if (signalled === s || signalled === 'SIGKILL') return;
      // The first signal resolves `signal`; a SIGKILL after a SIGTERM resolves `killed`.
      if (signalled === undefined) fire(s);
      signalled = s;
      if (s === 'SIGKILL') kill();
    };
    const out = (stream: 'out' | 'err') => (d: string | Buffer) => {
      if (!inst.running) return;
      const chunk = typeof d === 'string' ? d : d.toString('utf8');
      // An attached client sees the bytes as written (a shell's prompt has no newline yet).
      for (const a of inst.attached) a(stream, chunk);
      const text = inst.partial[stream] + chunk;
      const lines = text.split('\n');
      inst.partial[stream] = lines.pop()!;
      for (const l of lines) this.appendLog(cs, inst, l);
    };
    const stdin = cs.spec.stdin ? inst.stdin : undefined;
    const ctx = this.processContext(inst, argv, { stdout: out('out'), stderr: out('err'), stdin, tty: !!cs.spec.tty }, signal, cs.spec.name, killed);
    let p: Promise<number>;
    try {
      p = Promise.resolve(program(ctx));
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (code) => this.onExit(cs, inst, Number.isInteger(code) ? code : 1),
      (e) => {
        this.appendLog(cs, inst, String((e as Error)?.message ?? e));
        this.onExit(cs, inst, 1);
      },
    );
  }

  private appendLog(cs: ContainerState, inst: ContainerInstance, text: string): void {
    const line = { ts: this.host.clock.now(), text: internLine(text) };
    inst.logs.push(line);
    if (inst.logs.length > MAX_LOG_LINES) inst.logs.splice(0, inst.logs.length - MAX_LOG_LINES);
    for (const f of inst.followers) f(line);
  }

  /** The process ended (PLEG: ContainerDied). */
  onExit(cs: ContainerState, inst: ContainerInstance, code: number): void {
    if (!inst.running) return;
    for (const s of ['out', 'err'] as const) {
      if (inst.partial[s]) this.appendLog(cs, inst, inst.partial[s]);
      inst.partial[s] = '';
    }
    inst.running = false;
    inst.stdin.end();
    inst.exitCode = code;
    inst.reason ??= code === 0 ? 'Completed' : 'Error';
    inst.finishedAt = this.host.clock.now();
    for (const kill of inst.execs) kill('SIGKILL');
    inst.execs.clear();
    inst.markExited();
    if (cs.current === inst) {
      this.stopProbes(cs);
      cs.ready = false;
    }
    this.requestStatus();
    if (!this.terminating) void this.sync();
  }

  // ---- probes ----

  private probeTarget(cs: ContainerState, inst: ContainerInstance): ProbeTarget {
    return {
      podIP: this.podIP ?? '',
      hostIP: this.host.internalIP,
      namespace: this.namespace,
      container: cs.spec,
      exec: (argv, timeoutMs) => this.execCapture(cs, inst, argv, timeoutMs),
      request: (url, headers, timeoutMs) => {
        const req = this.host.runtime.network.request({ ip: this.host.internalIP, namespace: this.namespace }, url, { method: 'GET', headers });
        return withDeadline(this.host, timeoutMs, req);
      },
    };
  }

  private startProbes(cs: ContainerState, inst: ContainerInstance): void {
    const c = cs.spec;
    if (cs.init) {
      cs.started = true;
      return;
    }
    const onAttempt = (kind: ProbeKind, o: ProbeOutcome) => {
      if (o.result === 'failure' && inst.running) void this.event('Warning', 'Unhealthy', `${probeTitle(kind)} probe failed: ${o.output}`, cs);
    };
    const onChange = (kind: ProbeKind, r: ProbeResult) => this.onProbe(cs, inst, kind, r);
    const make = (kind: ProbeKind, spec: Obj) => {
      const w = new ProbeWorker(kind, spec, this.host.clock, this.probeTarget(cs, inst), onAttempt, onChange);
      inst.probes.push(w);
      // worker.go run(): a worker made within a period of the kubelet's start waits a random part
      // of the period first, so that a restarted kubelet's probes do not all fire at once. The
      // workers live as long as the pod: a container's restart keeps their rhythm.
      const jitter = this.addedAt - this.host.probeManagerStart < w.periodMs ? ((cs.jitter ??= {})[kind] ??= Math.floor(this.host.runtime.random() * w.periodMs)) : undefined;
      w.start(jitter === undefined ? undefined : { from: this.addedAt + jitter });
    };
    if (c.startupProbe) {
      make('startup', c.startupProbe);
      return;
    }
    cs.started = true;
    if (c.livenessProbe) make('liveness', c.livenessProbe);
    if (c.readinessProbe) make('readiness', c.readinessProbe);
    else cs.ready = true;
  }

  private onProbe(cs: ContainerState, inst: ContainerInstance, kind: ProbeKind, r: ProbeResult): void {
    if (!inst.running || cs.current !== inst || this.terminating) return;
    const c = cs.spec;
    if (kind === 'readiness') {
      cs.ready = r === 'success';
      this.requestStatus();
      return;
    }
    if (kind === 'startup' && r === 'success') {
      cs.started = true;
      // The other probes start once the container has started.
      const onAttempt = (k: ProbeKind, o: ProbeOutcome) => {
        if (o.result === 'failure' && inst.running) void this.event('Warning', 'Unhealthy', `${probeTitle(k)} probe failed: ${o.output}`, cs);
      };
      const onChange = (k: ProbeKind, res: ProbeResult) => this.onProbe(cs, inst, k, res);
      for (const [k, spec] of [['liveness', c.livenessProbe], ['readiness', c.readinessProbe]] as const) {
        if (!spec) continue;
        const w = new ProbeWorker(k, spec, this.host.clock, this.probeTarget(cs, inst), onAttempt, onChange);
        inst.probes.push(w);
        w.start();
      }
      if (!c.readinessProbe) cs.ready = true;
      this.requestStatus();
      return;
    }
    // Liveness or startup failed: kill, and the restart policy decides what comes next.
    const probe = kind === 'liveness' ? c.livenessProbe : c.startupProbe;
    const grace = probe?.terminationGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    cs.ready = false;
    this.stopProbes(cs);
    void this.killContainer(cs, inst, grace, `Container ${c.name} failed ${kind} probe, will be restarted`);
  }

  private stopProbes(cs: ContainerState): void {
    for (const w of cs.current?.probes ?? []) w.stop();
  }

  // ---- running commands in the container (probes, hooks, kubectl exec) ----

  /** Runs argv in the container to its end, with a deadline (none if not finite); combined output, and stderr alone. */
  async execCapture(cs: ContainerState, inst: ContainerInstance, argv: string[], timeoutMs: number): Promise<{ code: number; output: string; stderr: string; timedOut: boolean }> {
    let output = '';
    let stderr = '';
    const io = {
      stdout: (d: string | Buffer) => (output += d.toString()),
      stderr: (d: string | Buffer) => {
        output += d.toString();
        stderr += d.toString();
      },
    };
    let timedOut = false;
    let kill!: (s: 'SIGTERM' | 'SIGKILL') => void;
    const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (kill = r));
    const timer = Number.isFinite(timeoutMs)
      ? this.host.clock.setTimeout(() => {
          timedOut = true;
          kill('SIGKILL');
        }, timeoutMs)
      : undefined;
    try {
      const code = await this.execIn(cs, inst, argv, io, signal);
      return { code: timedOut ? 137 : code, output, stderr, timedOut };
    } finally {
      timer?.cancel();
    }
  }

  /** Runs a process in a running container; it is killed when the container stops. */
  async execIn(
    cs: ContainerState,
    inst: ContainerInstance,
    argv: string[],
    io: { stdout(d: string | Buffer): void; stderr(d: string | Buffer): void; stdin?: AsyncIterable<Buffer>; tty?: boolean },
    external?: Promise<'SIGTERM' | 'SIGKILL'>,
  ): Promise<number> {
    let program: Program;
    try {
      program = this.host.runtime.execProgramFor(cs.spec.image, argv);
    } catch (e) {
      io.stderr(`${(e as Error).message}\n`);
      return 126;
    }
    let fire!: (s: 'SIGTERM' | 'SIGKILL') => void;
    const signal = new Promise<'SIGTERM' | 'SIGKILL'>((r) => (fire = r));
    let markKilled!: () => void;
    const killedP = new Promise<void>((r) => (markKilled = r));
    let killed = false;
    let died!: (code: number) => void;
    const dead = new Promise<number>((r) => (died = r));
    const send = (s: 'SIGTERM' | 'SIGKILL') => {
      fire(s);
      if (s === 'SIGKILL' && !killed) {
        killed = true;
        markKilled();
        // A killed process is gone, whatever the program does with the signal.
        died(137);
      }
    };
    const killer = (s: 'SIGKILL') => send(s);
    inst.execs.add(killer);
    void external?.then((s) => send(s));
    try {
      const ctx = this.processContext(inst, argv, io, signal, cs.spec.name, killedP);
      // Beside PID 1: `ps` shows it, `kill 1` signals it (a SIGTERM the program may handle).
      // kill(2) returns before the target acts on the signal: `kubectl exec web -- kill 1` ends
      // with 0, not with the 137 of an exec killed along with its container.
      ctx.main = { argv: inst.argv, signal: (s) => void setImmediate(() => inst.running && inst.signal(s)) };
      const run = (async () => program(ctx))().catch((e) => {
        io.stderr(`${(e as Error)?.message ?? e}\n`);
        return 1;
      });
      const code = await Promise.race([run, dead]);
      return killed ? 137 : code;
    } finally {
      inst.execs.delete(killer);
    }
  }

  /**
   * Runs a lifecycle hook (pkg/kubelet/lifecycle/handlers.go handlerRunner.Run): exec in the
   * container, httpGet from the node, or sleep. Resolves with the failure message the kubelet
   * logs (and shows as PostStartHookError's message), or undefined when the hook succeeded.
   */
  private async runHook(cs: ContainerState, inst: ContainerInstance, hook: Obj, timeoutMs: number): Promise<string | undefined> {
    const who = `for Container ${goQuote(cs.spec.name)} in Pod ${goQuote(this.podRef)}`;
    if (hook.exec) {
      const argv: string[] = hook.exec.command ?? [];
      const r = await this.execCapture(cs, inst, argv, timeoutMs);
      if (r.code === 0) return undefined;
      // RunInContainer's error is ExecSync's: "command '...' exited with N: <stderr>"; the message is the whole output.
      return `Exec lifecycle hook ([${argv.join(' ')}]) ${who} failed - error: command '${argv.join(' ')}' exited with ${r.code}: ${r.stderr}, message: ${goQuote(r.output)}`;
    }
    if (hook.httpGet) {
      const g = hook.httpGet;
      const path: string = g.path ?? '';
      const port: number | undefined =
        typeof g.port === 'number' ? g.port : /^\d+$/.test(String(g.port)) ? Number(g.port) : (cs.spec.ports ?? []).find((p: Obj) => p.name === g.port)?.containerPort;
      if (port === undefined) return `HTTP lifecycle hook (${path}) ${who} failed - error: couldn't find port: ${g.port} in ${cs.spec.name}`;
      const host: string = g.host || this.podIP || '';
      // httpprobe.NewRequestForHTTPGetAction: scheme, host:port, and the path as given.
      const url = `${String(g.scheme ?? 'HTTP').toLowerCase()}://${host}:${port}${path && !path.startsWith('/') ? '/' : ''}${path}`;
      const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32', Accept: '*/*' };
      for (const h of (g.httpHeaders ?? []) as Obj[]) headers[h.name] = h.value;
      try {
        // Only a failed request fails the hook: the kubelet does not look at the status code.
        await withDeadline(this.host, timeoutMs, this.host.runtime.network.request({ ip: this.host.internalIP, namespace: this.namespace }, url, { method: 'GET', headers }));
        return undefined;
      } catch (e) {
        return `HTTP lifecycle hook (${path}) ${who} failed - error: Get ${goQuote(url)}: ${dialError(e, host, port)}`;
      }
    }
    if (hook.sleep) {
      // runSleepHandler (PodLifecycleSleepAction, beta and on in 1.32): waits, on the node's clock.
      const ms = Math.min(timeoutMs, Number(hook.sleep.seconds ?? 0) * 1000);
      let t: TimerHandle | undefined;
      await Promise.race([new Promise<void>((r) => (t = this.host.clock.setTimeout(r, ms))), inst.exited]);
      t?.cancel();
    }
    return undefined;
  }

  /**
   * killContainer: the Killing event, the preStop hook within the grace period, then SIGTERM and,
   * after what is left of the grace period (at least 2 s), SIGKILL (137).
   */
  async killContainer(cs: ContainerState, inst: ContainerInstance, graceSeconds: number, message: string): Promise<void> {
    if (!inst.running) return;
    let grace = Math.max(0, Math.floor(graceSeconds));
    await this.event('Normal', 'Killing', message, cs);
    const preStop = cs.spec.lifecycle?.preStop;
    if (preStop && grace > 0 && inst.running) {
      // executePreStopHook: the hook gets the grace period; what it used (whole seconds) is taken off.
      const started = this.host.clock.now();
      let t: TimerHandle | undefined;
      const hook = this.runHook(cs, inst, preStop, grace * 1000).then(async (failure) => {
        // The message stays in the kubelet's log so that secrets do not leak into events.
        if (failure !== undefined) await this.event('Warning', 'FailedPreStopHook', 'PreStopHook failed', cs);
      });
      await Promise.race([hook, inst.exited, new Promise<void>((r) => (t = this.host.clock.setTimeout(r, grace * 1000)))]);
      t?.cancel();
      grace -= Math.floor((this.host.clock.now() - started) / 1000);
    }
    if (!inst.running) return;
    grace = Math.max(grace, MIN_GRACE_SECONDS);
    inst.signal('SIGTERM');
    let timer: TimerHandle | undefined;
    await Promise.race([inst.exited, new Promise<void>((r) => (timer = this.host.clock.setTimeout(r, grace * 1000)))]);
    timer?.cancel();
    if (!inst.running) return;
    inst.signal('SIGKILL');
    this.onExit(cs, inst, 137);
  }

  /** The pod is being deleted: kill every container within the grace period, then finish. */
  async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    for (const t of this.resyncs) t.cancel();
    this.resyncs.clear();
    for (const cs of this.containers.values()) this.stopProbes(cs);
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    const kills: Promise<void>[] = [];
    for (const cs of this.containers.values()) {
      if (cs.current?.running) kills.push(this.killContainer(cs, cs.current, grace, `Stopping container ${cs.spec.name}`));
    }
    await Promise.all(kills);
    if (this.host.isStopped() || this.gone) return;
    this.terminal = true;
    for (const cs of this.containers.values()) cs.waiting = undefined;
    if (this.podIP) this.host.releaseIP(this.podIP);
    await this.host.writeStatus(this);
    await this.host.deletePod(this.pod);
    this.host.done(this);
  }

  /** The kubelet forgets the pod (it is gone from the API): every process ends at once. */
  kill(): void {
    this.gone = true;
    for (const t of this.resyncs) t.cancel();
    this.resyncs.clear();
    for (const cs of this.containers.values()) {
      this.stopProbes(cs);
      const inst = cs.current;
      if (inst?.running) {
        inst.signal('SIGKILL');
        this.onExit(cs, inst, 137);
      }
    }
    if (this.podIP && !this.terminal) this.host.releaseIP(this.podIP);
    this.storage?.dispose?.();
  }

  // ---- status (kubelet_pods.go generateAPIPodStatus) ----

  private containerStatus(cs: ContainerState, hasInit: boolean): Obj {
    if (cs.current?.statusDuringHook) return cs.current.statusDuringHook;
    const c = cs.spec;
    const term = (i: ContainerInstance): Obj => {
      const t: Obj = { exitCode: i.exitCode ?? 0, reason: i.reason, startedAt: rfc3339(i.startedAt), finishedAt: rfc3339(i.finishedAt ?? this.host.clock.now()), containerID: i.id };
      if (i.message) t.message = i.message;
      return t;
    };
    const cur = cs.current;
    let state: Obj;
    let last: Obj = {};
    if (cur?.running) {
      state = { running: { startedAt: rfc3339(cur.startedAt) } };
      if (cs.previous) last = { terminated: term(cs.previous) };
    } else if (cs.waiting && !this.terminal) {
      state = { waiting: cs.waiting.message !== undefined ? { reason: cs.waiting.reason, message: cs.waiting.message } : { reason: cs.waiting.reason } };
      if (cur) last = { terminated: term(cur) };
    } else if (cur) {
      state = { terminated: term(cur) };
      if (cs.previous) last = { terminated: term(cs.previous) };
    } else {
      state = { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } };
    }
    const s: Obj = {
      name: c.name,
      state,
      lastState: last,
      ready: !!cur?.running && cs.ready,
      restartCount: cs.restartCount,
      image: cur?.image ?? c.image,
      imageID: cur?.imageID ?? '',
    };
    if (cur) s.containerID = cur.id;
    s.started = !!cur?.running && cs.started;
    return s;
  }

  /** The status the kubelet would post, given the API's current status (for conditions' times). */
  buildStatus(prev: Obj | undefined, hostIP: string): Obj {
    const now = rfc3339(this.host.clock.now());
    const hasInit = (this.pod.spec.initContainers ?? []).length > 0;
    const initStatuses: Obj[] = [];
    const statuses: Obj[] = [];
    for (const cs of this.containers.values()) (cs.init ? initStatuses : statuses).push(this.containerStatus(cs, hasInit));
    const phase = this.phase(initStatuses, statuses);
    const prevConds: Obj[] = prev?.conditions ?? [];
    const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
      const status = ok ? 'True' : 'False';
      const old = prevConds.find((c) => c.type === type);
      const c: Obj = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now };
      if (!ok && reason) c.reason = reason;
      if (!ok && message) c.message = message;
      return c;
    };
    const initPending = initStatuses.filter((s) => !(s.state.terminated && s.state.terminated.exitCode === 0)).map((s) => s.name);
    const initialized = initPending.length === 0;
    const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
    const completed = phase === 'Succeeded';
    const containersReady = notReady.length === 0;
    const readyCond = (type: string) =>
      completed ? cond(type, false, 'PodCompleted') : !initialized ? cond(type, false, 'ContainersNotInitialized', `containers with incomplete status: [${initPending.join(' ')}]`) : cond(type, containersReady, 'ContainersNotReady', `containers with unready status: [${notReady.join(' ')}]`);
    const conditions = [
      cond('PodReadyToStartContainers', !!this.podIP && !this.terminal),
      initialized || completed ? cond('Initialized', true) : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${initPending.join(' ')}]`),
      readyCond('Ready'),
      readyCond('ContainersReady'),
      prevConds.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', true),
    ];
    // Conditions others own (readiness gates, DisruptionTarget) are kept.
    for (const c of prevConds) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
    const status: Obj = {
      ...prev,
      phase,
      conditions,
      hostIP,
      hostIPs: [{ ip: hostIP }],
      startTime: rfc3339(this.startTime),
      containerStatuses: statuses,
    };
    if (initStatuses.length) status.initContainerStatuses = initStatuses;
    if (this.podIP) {
      status.podIP = this.podIP;
      status.podIPs = [{ ip: this.podIP }];
    }
    return status;
  }

  /** getPhase (kubelet_pods.go). */
  private phase(initStatuses: Obj[], statuses: Obj[]): string {
    const policy = this.restartPolicy;
    let pendingInit = 0;
    let failedInit = 0;
    for (const s of initStatuses) {
      if (s.state.running) pendingInit++;
      else if (s.state.terminated) {
        if (s.state.terminated.exitCode !== 0) failedInit++;
      } else if (s.state.waiting) {
        if (s.lastState.terminated) {
          if (s.lastState.terminated.exitCode !== 0) failedInit++;
        } else pendingInit++;
      } else pendingInit++;
    }
    let running = 0;
    let waiting = 0;
    let stopped = 0;
    let succeeded = 0;
    for (const s of statuses) {
      if (s.state.running) running++;
      else if (s.state.terminated) {
        stopped++;
        if (s.state.terminated.exitCode === 0) succeeded++;
      } else if (s.lastState.terminated) stopped++;
      else waiting++;
    }
    if (failedInit > 0 && policy === 'Never') return 'Failed';
    if (pendingInit > 0 || waiting > 0) return 'Pending';
    if (running > 0) return 'Running';
    if (stopped > 0) {
      if (this.terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
      if (policy === 'Always') return 'Running';
      if (stopped === succeeded) return 'Succeeded';
      if (policy === 'Never') return 'Failed';
      return 'Running';
    }
    return 'Pending';
  }
}

/** Go's Duration.String for a pull time: 900ms, 2.1s, 1m2.5s. */
export function goDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${trim(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${trim(s - m * 60)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}

function withDeadline<T>(host: KubeletHost, ms: number, p: Promise<T>): Promise<T> {
  if (!Number.isFinite(ms)) return p;
  return withTimeout(host.clock, ms, p);
}

/**
 * Log lines that many containers print alike (an image's start-up lines: nginx prints seven),
 * one string for all of them among the recent ones, instead of a copy per container.
 */
const LOG_LINES = new RecentCache<string, string>(8192);
function internLine(text: string): string {
  if (text.length > 200) return text;
  const hit = LOG_LINES.get(text);
  if (hit !== undefined) return hit;
  // A piece of split() output points into the whole chunk it came from: keep a flat copy.
  const own = text.length > 12 ? (' ' + text).slice(1) : text;
  own.charCodeAt(0);
  LOG_LINES.set(own, own);
  return own;
}
