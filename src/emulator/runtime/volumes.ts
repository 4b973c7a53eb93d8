// A pod's volumes and its containers' file systems, with Kubernetes' lifetimes (issue 5). The
// kubelet asks the VolumeHost for a pod's PodVolumes when the sandbox comes up, awaits setUp()
// (each failure is a FailedMount event: `MountVolume.SetUp failed for volume "x" : configmap "y"
// not found`), and gives each container containerFs(container): its own writable layer with the
// pod's volumes mounted per volumeMounts. The same PodVolumes (and so the same emptyDirs) serve
// the pod until release(): container restarts keep them, the pod's deletion drops them.
//
// Volume types and where their data lives:
// - emptyDir (pkg/volume/emptydir): one MemoryFileSystem per pod and volume; medium Memory alike;
//   sizeLimit is checked by emptyDirOverLimit() (the eviction manager's message).
// - configMap, secret, downwardAPI, projected (pkg/volume/{configmap,secret,downwardapi,projected}):
//   read-only trees of files, one per key or item, with their modes; updated when the object
//   changes (the VolumeHost watches ConfigMaps and Secrets through informers, like the kubelet's
//   watch-based manager), except under a subPath mount, which keeps what it had at container start.
// - hostPath (pkg/volume/hostpath): the node's file system, one per node, shared by its pods, with
//   the type checks (Directory, DirectoryOrCreate, File, FileOrCreate, Socket, CharDevice, BlockDevice).
// - persistentVolumeClaim: the bound PV's storage. PVs that the provisioner made, and PVs of other
//   sources, keep their data in a cluster-wide store by PV name, so the data follows the claim to any
//   pod on any node and outlives pods (their hostPath, /tmp/hostpath-provisioner/<ns>/<claim>, is
//   shown as minikube sets it; the emulator does not tie it to one node). Hand-made hostPath PVs
//   are their node's directory, as on a cluster.
// - The container's own layer: /etc/hostname, /etc/hosts (kubelet-managed, with the pod IP),
//   /etc/resolv.conf (cluster DNS 10.96.0.10 and the search domains), /tmp, and the image's files.

import { randomBytes, randomUUID } from 'node:crypto';
import type { APIServer } from '../api/apiserver.ts';
import type { Obj } from '../api/objects.ts';
import { parseQuantity } from '../api/quantity.ts';
import { Informer } from '../client/informer.ts';
import type { Clock } from '../clock.ts';
import { FsError, type FileStat, type FileSystem } from './contracts.ts';
import { MemoryFileSystem, MountedFileSystem, OverlayFileSystem, joinPath, normalizePath, type Mount } from './fs.ts';
import { NGINX_50X, NGINX_DEFAULT_CONF, NGINX_INDEX } from './images/servers.ts';
import { fieldPathValue, resourceFieldValue } from './downward.ts';

export const CLUSTER_DNS = '10.96.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** minikube's storage-provisioner keeps claims' data here (pkg/storage/storage_provisioner.go). */
export const HOSTPATH_PROVISIONER_DIR = '/tmp/hostpath-provisioner';
export const MINIKUBE_PROVISIONER = 'k8s.io/minikube-hostpath';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const DEFAULT_MODE = 0o644;
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** A volume that could not be set up; message is the FailedMount event's. */
export interface MountFailure {
  volume: string;
  reason: 'FailedMount';
  message: string;
}

/** Why one volume cannot be set up (the text after `MountVolume.SetUp failed for volume "x" : `). */
export class MountError extends Error {
  constructor(
    message: string,
    /** The whole event message, when it is not a MountVolume.SetUp one (PVCs). */
    readonly full?: string,
  ) {
    super(message);
  }
}

type FileData = Buffer | (() => Buffer);
/** A volume's files: relative path → bytes and mode (volumeutil.FileProjection). */
type Payload = Map<string, { data: FileData; mode: number }>;

/** What a container image brings in its file system (path → contents). */
export type ImageFiles = (image: string) => Record<string, string | Buffer> | undefined;

export interface VolumeHostOptions {
  /** Files of an image (the image catalogue's); the defaults below when it gives none. */
  imageFiles?: ImageFiles;
  clusterDNS?: string;
  clusterDomain?: string;
}

/** Lazily built file system: the tree is made on first use, so pods nobody looks into cost little. */
export class LazyFileSystem implements FileSystem {
  private inner: FileSystem | undefined;
  constructor(
    private readonly build: () => FileSystem,
    readonly readOnly?: boolean,
  ) {}
  get built(): boolean {
    return this.inner !== undefined;
  }
  get(): FileSystem {
    return (this.inner ??= this.build());
  }
  stat(path: string): FileStat | undefined {
    return this.get().stat(path);
  }
  read(path: string): Buffer {
    return this.get().read(path);
  }
  write(path: string, data: Buffer | string, opts?: { append?: boolean; mode?: number }): void {
    this.get().write(path, data, opts);
  }
  mkdir(path: string, opts?: { recursive?: boolean }): void {
    this.get().mkdir(path, opts);
  }
  list(path: string): string[] {
    return this.get().list(path);
  }
  remove(path: string, opts?: { recursive?: boolean }): void {
    this.get().remove(path, opts);
  }
}

// ---- the cluster-wide side ----

/**
 * The storage of the whole emulated cluster: each node's file system (hostPath), the PVs' data,
 * and every pod's volumes. One per cluster, shared by the kubelets and the PV controller.
 */
export class VolumeHost {
  private readonly nodes = new Map<string, MemoryFileSystem>();
  private readonly pvData = new Map<string, MemoryFileSystem>();
  private readonly pods = new Map<string, PodVolumes>();
  /** "configmap/ns/name" → pods whose volumes project it. */
  private readonly dependents = new Map<string, Set<PodVolumes>>();
  private readonly configMaps: Informer;
  private readonly secrets: Informer;
  /** ServiceAccounts, for the token's serviceaccount uid claim without a read per pod. */
  private readonly serviceAccounts: Informer;
  private started = false;
  /** Buffers of an object's values, shared by every pod that projects them. */
  private readonly bufferCache = new WeakMap<Obj, Map<string, Buffer>>();
  readonly signingKeyId = randomBytes(32).toString('base64url');
  readonly clusterDNS: string;
  readonly clusterDomain: string;

  constructor(
    readonly api: APIServer,
    readonly clock: Clock,
    readonly opts: VolumeHostOptions = {},
  ) {
    this.clusterDNS = opts.clusterDNS ?? CLUSTER_DNS;
    this.clusterDomain = opts.clusterDomain ?? CLUSTER_DOMAIN;
    const changed = (kind: string) => (o: Obj) => {
      for (const p of this.dependents.get(`${kind}/${o.metadata.namespace}/${o.metadata.name}`) ?? []) p.refreshFromCache();
    };
    this.configMaps = new Informer(api, api.resource('configmaps')).on({ add: changed('configmap'), update: changed('configmap') });
    this.secrets = new Informer(api, api.resource('secrets')).on({ add: changed('secret'), update: changed('secret') });
    this.serviceAccounts = new Informer(api, api.resource('serviceaccounts'));
  }

  /** Starts watching ConfigMaps and Secrets, so that their volumes follow changes. */
  async start(): Promise<void> {
    await Promise.all([this.configMaps.start(), this.secrets.start(), this.serviceAccounts.start()]);
    this.started = true;
  }

  stop(): void {
    this.started = false;
    this.configMaps.stop();
    this.secrets.stop();
    this.serviceAccounts.stop();
  }

  now = (): number => this.clock.now();

  /** The image layers, one per image reference: the lower layer of every container of that image. */
  private readonly imageLayers = new Map<string, MemoryFileSystem>();

  /** The files an image brings (and the directories every image has), read-only, shared. */
  imageLayer(image: string): MemoryFileSystem {
    let fs = this.imageLayers.get(image);
    if (fs) return fs;
    fs = new MemoryFileSystem({ now: this.now });
    for (const d of ['/bin', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sys', '/tmp', '/usr/bin', '/usr/local', '/usr/share', '/var/log', '/var/tmp']) fs.makeDir(d, { recursive: true });
    fs.chmod('/tmp', 0o1777);
    const files = this.opts.imageFiles?.(image) ?? defaultImageFiles(image);
    for (const [p, data] of Object.entries(files)) {
      if (p.endsWith('/')) fs.makeDir(p, { recursive: true });
      else fs.put(p, data, { mkdirs: true });
    }
    fs.readOnly = true;
    this.imageLayers.set(image, fs);
    return fs;
  }

  /** The node's own file system: what hostPath volumes and hand-made hostPath PVs mount. */
  nodeFs(node: string): MemoryFileSystem {
    let fs = this.nodes.get(node);
    if (!fs) {
      fs = new MemoryFileSystem({ now: this.now });
      for (const d of ['/data', '/etc', '/mnt', '/tmp', '/var/lib', '/var/log']) fs.mkdir(d, { recursive: true });
      fs.write('/etc/hostname', node + '\n');
      this.nodes.set(node, fs);
    }
    return fs;
  }

  /** A node left the cluster: its disk goes with it. */
  forgetNode(node: string): void {
    this.nodes.delete(node);
  }

  /** Whether a PV keeps its data in the cluster-wide store (else on its node, for hand-made hostPath PVs). */
  static clusterStored(pv: Obj): boolean {
    return !pv.spec?.hostPath || pv.metadata?.annotations?.[PROVISIONED_BY] === MINIKUBE_PROVISIONER;
  }

  /** A PV's data, made empty on first use. */
  pvFs(pvName: string): MemoryFileSystem {
    let fs = this.pvData.get(pvName);
    if (!fs) this.pvData.set(pvName, (fs = new MemoryFileSystem({ now: this.now })));
    return fs;
  }

  hasPVData(pvName: string): boolean {
    return this.pvData.has(pvName);
  }

  /** The PV's data is gone (reclaim policy Delete, or Recycle). */
  deletePVData(pv: Obj): void {
    const name = pv.metadata?.name;
    if (VolumeHost.clusterStored(pv)) {
      this.pvData.delete(name);
      return;
    }
    const path = normalizePath(pv.spec.hostPath.path);
    for (const fs of this.nodes.values()) {
      if (fs.stat(path)?.kind !== 'dir') continue;
      for (const n of fs.list(path)) fs.delete(joinPath(path, n), { recursive: true });
    }
  }

  /** The pod's volumes: made on first call, the same object until release. */
  podVolumes(pod: Obj, node: string): PodVolumes {
    const uid = pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    let pv = this.pods.get(uid);
    if (!pv) this.pods.set(uid, (pv = new PodVolumes(this, pod, node)));
    return pv;
  }

  /** The pod is gone: its emptyDirs and projections go with it. */
  release(uid: string): void {
    const pv = this.pods.get(uid);
    if (!pv) return;
    this.pods.delete(uid);
    for (const key of pv.sourceKeys) this.unsubscribe(key, pv);
    pv.released = true;
  }

  /** Pods whose volumes are held (for tests and the kubelet's housekeeping). */
  heldPods(): string[] {
    return [...this.pods.keys()];
  }

  /** KubeletRuntime.podStorage: the pod's storage as the kubelet holds it. */
  podStorage = (pod: Obj, node: { name: string }): PodVolumes => this.podVolumes(pod, node.name);

  subscribe(key: string, pv: PodVolumes): void {
    let s = this.dependents.get(key);
    if (!s) this.dependents.set(key, (s = new Set()));
    s.add(pv);
  }

  unsubscribe(key: string, pv: PodVolumes): void {
    const s = this.dependents.get(key);
    if (!s) return;
    s.delete(pv);
    if (s.size === 0) this.dependents.delete(key);
  }

  /** A ConfigMap or Secret from the informers' caches (undefined when not cached). */
  cached(kind: 'configmap' | 'secret', namespace: string, name: string): Obj | undefined {
    if (!this.started) return undefined;
    return (kind === 'configmap' ? this.configMaps : this.secrets).get(namespace, name);
  }

  /** A ServiceAccount's uid from the informer's cache (undefined when not cached). */
  serviceAccountUID(namespace: string, name: string): string | undefined {
    return this.started ? this.serviceAccounts.get(namespace, name)?.metadata?.uid : undefined;
  }

  get watching(): boolean {
    return this.started;
  }

  /** The object's value for key as bytes, decoded once and shared. */
  bytes(obj: Obj, key: string, encoding: 'utf8' | 'base64'): Buffer {
    let m = this.bufferCache.get(obj);
    if (!m) this.bufferCache.set(obj, (m = new Map()));
    const k = `${encoding}:${key}`;
    let b = m.get(k);
    if (!b) {
      const v = encoding === 'base64' ? (obj.data?.[key] ?? obj.binaryData?.[key]) : obj.data?.[key];
      b = encoding === 'utf8' && v === undefined ? Buffer.from(String(obj.binaryData?.[key] ?? ''), 'base64') : Buffer.from(String(v ?? ''), encoding);
      m.set(k, b);
    }
    return b;
  }
}

// ---- one pod ----

interface VolumeState {
  name: string;
  spec: Obj;
  fs?: FileSystem;
  /** For projections: the payload now shown, and the backing tree once built. */
  payload?: Payload;
  tree?: MemoryFileSystem;
  error?: MountError;
}

/** Keys of the ConfigMaps and Secrets a volume projects. */
function sourcesOf(v: Obj, namespace: string): string[] {
  const out: string[] = [];
  if (v.configMap?.name) out.push(`configmap/${namespace}/${v.configMap.name}`);
  if (v.secret?.secretName) out.push(`secret/${namespace}/${v.secret.secretName}`);
  for (const s of v.projected?.sources ?? []) {
    if (s?.configMap?.name) out.push(`configmap/${namespace}/${s.configMap.name}`);
    if (s?.secret?.name) out.push(`secret/${namespace}/${s.secret.name}`);
  }
  return out;
}

const PROJECTED_KINDS = ['configMap', 'secret', 'downwardAPI', 'projected'];

/** A pod's volumes (implements the kubelet's PodStorage: containerFs and dispose). */
export class PodVolumes {
  private readonly volumes = new Map<string, VolumeState>();
  private readonly containers = new Map<string, MountedFileSystem>();
  /** Objects fetched during setUp that the informers have not delivered yet. */
  private fetched = new Map<string, Obj | null>();
  private allocatable: Record<string, string> = {};
  private serviceAccountUID = '';
  readonly sourceKeys = new Set<string>();
  released = false;
  podIP: string | undefined;

  constructor(
    private readonly host: VolumeHost,
    public pod: Obj,
    readonly node: string,
  ) {
    this.podIP = pod.status?.podIP;
    for (const v of pod.spec?.volumes ?? []) {
      if (!v || typeof v.name !== 'string') continue;
      this.volumes.set(v.name, { name: v.name, spec: v });
      for (const k of sourcesOf(v, this.namespace)) {
        this.sourceKeys.add(k);
        host.subscribe(k, this);
      }
    }
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }

  /**
   * Sets up every volume not yet set up (the kubelet's MountVolume.SetUp), reading what it needs
   * through the API. Returns the failures, as FailedMount event messages; call again to retry.
   */
  async setUp(): Promise<MountFailure[]> {
    await this.fetchSources();
    const failures: MountFailure[] = [];
    const pending = [...this.volumes.values()].filter((v) => !v.fs);
    for (const v of pending) {
      try {
        v.fs = await this.setUpVolume(v);
        v.error = undefined;
      } catch (e) {
        if (!(e instanceof MountError)) throw e;
        v.error = e;
      }
    }
    const failed = pending.filter((v) => v.error);
    for (const v of failed) {
      const e = v.error!;
      failures.push({
        volume: v.name,
        reason: 'FailedMount',
        message: e.full
          ? `Unable to attach or mount volumes: unmounted volumes=[${failed.map((f) => f.name).join(' ')}], unattached volumes=[], failed to process volumes=[${v.name}]: ${e.full}`
          : `MountVolume.SetUp failed for volume "${v.name}" : ${e.message}`,
      });
    }
    this.fetched = new Map();
    return failures;
  }

  /** Whether every volume is set up. */
  get ready(): boolean {
    return [...this.volumes.values()].every((v) => v.fs);
  }

  /** A volume's file system (after setUp). */
  volume(name: string): FileSystem | undefined {
    return this.volumes.get(name)?.fs;
  }

  /** The pod object changed (labels, annotations, IP): downward API files follow. */
  updatePod(pod: Obj): void {
    this.pod = pod;
    if (pod.status?.podIP) this.podIP = pod.status.podIP;
    this.refreshFromCache();
  }

  /**
   * Re-projects configMap, secret, downwardAPI and projected volumes from the current objects
   * (the kubelet's periodic sync). Objects that went away leave the files as they were.
   */
  async refresh(): Promise<void> {
    if (!this.host.watching) await this.fetchSources();
    this.refreshFromCache();
    this.fetched = new Map();
  }

  /** refresh() from what is cached (the informers call it on a change). */
  refreshFromCache(): void {
    if (this.released) return;
    for (const v of this.volumes.values()) {
      if (!v.fs || !v.payload) continue;
      let next: Payload;
      try {
        next = this.payloadFor(v.spec);
      } catch (e) {
        if (e instanceof MountError) continue;
        throw e;
      }
      const old = v.payload;
      v.payload = next;
      if (v.tree) writePayload(v.tree, next, old);
    }
  }

  private async fetchSources(): Promise<void> {
    for (const key of this.sourceKeys) {
      const [kind, ns, name] = key.split('/') as ['configmap' | 'secret', string, string];
      if (this.host.cached(kind, ns, name)) continue;
      const def = this.host.api.resource(kind === 'configmap' ? 'configmaps' : 'secrets');
      this.fetched.set(key, (await this.host.api.tryGet(def, ns, name)) ?? null);
    }
    if (this.needsNode() && this.node) {
      const n = await this.host.api.tryGet(this.host.api.resource('nodes'), undefined, this.node);
      this.allocatable = n?.status?.allocatable ?? {};
    }
    const sa = this.pod.spec?.serviceAccountName;
    if (sa && !this.serviceAccountUID && [...this.volumes.values()].some((v) => v.spec.projected?.sources?.some((s: Obj) => s?.serviceAccountToken))) {
      this.serviceAccountUID =
        this.host.serviceAccountUID(this.namespace, sa) ??
        (await this.host.api.tryGet(this.host.api.resource('serviceaccounts'), this.namespace, sa))?.metadata?.uid ?? '';
    }
  }

  private needsNode(): boolean {
    const hasRes = (items: Obj[] | undefined) => (items ?? []).some((i) => i?.resourceFieldRef);
    return [...this.volumes.values()].some((v) => hasRes(v.spec.downwardAPI?.items) || (v.spec.projected?.sources ?? []).some((s: Obj) => hasRes(s?.downwardAPI?.items)));
  }

  private lookup(kind: 'configmap' | 'secret', name: string): Obj | undefined {
    const key = `${kind}/${this.namespace}/${name}`;
    const f = this.fetched.get(key);
    if (f !== undefined) return f ?? undefined;
    return this.host.cached(kind, this.namespace, name);
  }

  private async setUpVolume(v: VolumeState): Promise<FileSystem> {
    const s = v.spec;
    const now = this.host.now;
    if (s.emptyDir !== undefined && s.emptyDir !== null) return new MemoryFileSystem({ now });
    if (s.hostPath) return this.setUpHostPath(s.hostPath.path, s.hostPath.type ?? '');
    if (s.persistentVolumeClaim) return this.setUpClaim(s.persistentVolumeClaim);
    if (PROJECTED_KINDS.some((k) => s[k])) {
      v.payload = this.payloadFor(s);
      return new LazyFileSystem(() => {
        const tree = new MemoryFileSystem({ now, readOnly: true });
        writePayload(tree, v.payload!, undefined);
        v.tree = tree;
        return tree;
      }, true);
    }
    if (s.ephemeral) return new MemoryFileSystem({ now });
    // Other in-tree and CSI sources: an empty directory, as a freshly formatted disk.
    return new MemoryFileSystem({ now });
  }

  /** hostPath (pkg/volume/hostpath/host_path.go checkType): a subtree of the node's file system. */
  private setUpHostPath(rawPath: string, type: string): FileSystem {
    const fs = this.host.nodeFs(this.node);
    const path = normalizePath(rawPath ?? '/');
    const st = fs.stat(path);
    const kindOf = (k: FileStat | undefined) => (k?.kind === 'dir' ? 'Directory' : 'File');
    const mismatch = (desc: string) => new MountError(`hostPath type check failed: ${rawPath} is not a ${desc}, it's a ${kindOf(fs.stat(path))}`);
    const create = (what: 'dir' | 'file') => {
      try {
        if (what === 'dir') fs.makeDir(path, { recursive: true });
        else fs.put(path, Buffer.alloc(0), { mode: 0o644 });
      } catch (e) {
        if (!(e instanceof FsError)) throw e;
        throw new MountError(what === 'dir' ? `mkdir ${rawPath}: not a directory` : `open ${rawPath}: no such file or directory`);
      }
    };
    const expect = (kind: 'dir' | 'file', desc: string) => {
      const now = fs.stat(path);
      if (!now) throw new MountError(`hostPath ${rawPath} doesn't exist`);
      if (now.kind !== kind) throw mismatch(desc);
    };
    switch (type) {
      case '':
        // No check; the container runtime makes a missing directory.
        if (!st) create('dir');
        break;
      case 'DirectoryOrCreate':
      case 'Directory':
        if (!st && type === 'DirectoryOrCreate') create('dir');
        expect('dir', 'directory');
        break;
      case 'FileOrCreate':
      case 'File':
        if (!st && type === 'FileOrCreate') create('file');
        expect('file', 'file');
        break;
      case 'Socket':
      case 'CharDevice':
      case 'BlockDevice':
        if (!st) throw new MountError(`hostPath ${rawPath} doesn't exist`);
        throw mismatch(type === 'Socket' ? 'socket file' : type === 'CharDevice' ? 'character device' : 'block device');
      default:
        throw new MountError(`${type} is an invalid volume type`);
    }
    return new SubtreeFileSystem(fs, path);
  }

  /** persistentVolumeClaim (kubelet volumemanager populator): the claim must be bound to a PV. */
  private async setUpClaim(src: Obj): Promise<FileSystem> {
    const api = this.host.api;
    const ns = this.namespace;
    const name = String(src.claimName ?? '');
    const pvc = await api.tryGet(api.resource('persistentvolumeclaims'), ns, name);
    const fail = (why: string) => new MountError(why, `error processing PVC ${ns}/${name}: ${why}`);
    if (!pvc) throw fail(`failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`);
    if (pvc.metadata.deletionTimestamp) throw new MountError('', `can't start pod because PVC ${ns}/${name} is being deleted`);
    const pvName = pvc.spec?.volumeName;
    if (pvc.status?.phase !== 'Bound' || !pvName) throw fail('PVC is not bound');
    const pv = await api.tryGet(api.resource('persistentvolumes'), undefined, pvName);
    if (!pv) throw fail(`failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
    const data = VolumeHost.clusterStored(pv) ? this.host.pvFs(pvName) : this.setUpHostPath(pv.spec.hostPath.path, pv.spec.hostPath.type ?? '');
    return src.readOnly ? new ReadOnlyView(data) : data;
  }

  /** The files of a configMap, secret, downwardAPI or projected volume (their MakePayload). */
  private payloadFor(s: Obj): Payload {
    const out: Payload = new Map();
    if (s.configMap) this.configMapFiles(out, s.configMap, s.configMap.defaultMode ?? DEFAULT_MODE);
    else if (s.secret) this.secretFiles(out, { ...s.secret, name: s.secret.secretName }, s.secret.defaultMode ?? DEFAULT_MODE);
    else if (s.downwardAPI) this.downwardFiles(out, s.downwardAPI.items ?? [], s.downwardAPI.defaultMode ?? DEFAULT_MODE);
    else if (s.projected) {
      const mode = s.projected.defaultMode ?? DEFAULT_MODE;
      for (const src of s.projected.sources ?? []) {
        if (src?.configMap) this.configMapFiles(out, src.configMap, mode);
        else if (src?.secret) this.secretFiles(out, src.secret, mode);
        else if (src?.downwardAPI) this.downwardFiles(out, src.downwardAPI.items ?? [], mode);
        else if (src?.serviceAccountToken) {
          const t = src.serviceAccountToken;
          const token = this.tokenThunk(t);
          out.set(normalizePath(t.path ?? 'token').slice(1), { data: token, mode });
        }
      }
    }
    return out;
  }

  private keyedFiles(out: Payload, obj: Obj | undefined, src: Obj, mode: number, kind: 'configmap' | 'secret'): void {
    if (!obj) {
      if (src.optional) return;
      throw new MountError(`${kind} "${src.name}" not found`);
    }
    const enc = kind === 'secret' ? 'base64' : 'utf8';
    const has = (k: string) => (obj.data && k in obj.data) || (obj.binaryData && k in obj.binaryData);
    const items: Obj[] = src.items ?? [];
    if (items.length === 0) {
      const keys = [...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {})];
      for (const k of keys) out.set(k, { data: this.host.bytes(obj, k, enc), mode });
      return;
    }
    for (const it of items) {
      if (!has(it.key)) {
        if (src.optional) continue;
        throw new MountError(kind === 'configmap' ? `configmap references non-existent config key: ${it.key}` : `references non-existent secret key: ${it.key}`);
      }
      out.set(normalizePath(it.path ?? it.key).slice(1), { data: this.host.bytes(obj, it.key, enc), mode: it.mode ?? mode });
    }
  }

  private configMapFiles(out: Payload, src: Obj, mode: number): void {
    this.keyedFiles(out, this.lookup('configmap', src.name), src, mode, 'configmap');
  }

  private secretFiles(out: Payload, src: Obj, mode: number): void {
    this.keyedFiles(out, this.lookup('secret', src.name), src, mode, 'secret');
  }

  /** downwardAPI items (pkg/volume/downwardapi CollectData): fieldRef and resourceFieldRef. */
  private downwardFiles(out: Payload, items: Obj[], mode: number): void {
    for (const it of items) {
      let value: string;
      // Volumes take metadata fields only (validation); other paths read as empty.
      if (it.fieldRef) value = fieldPathValue(this.pod, String(it.fieldRef.fieldPath ?? ''), undefined, '') ?? '';
      else if (it.resourceFieldRef) value = resourceFieldValue(this.pod, this.pod.spec?.containers?.[0] ?? {}, it.resourceFieldRef, this.allocatable);
      else continue;
      out.set(normalizePath(it.path).slice(1), { data: Buffer.from(value), mode: it.mode ?? mode });
    }
  }

  /** A bound service account token: a JWT of the shape kube-apiserver issues (not verifiable). */
  private tokenThunk(t: Obj): () => Buffer {
    return () => {
      const iat = Math.floor(this.host.clock.now() / 1000);
      const requested = Number(t.expirationSeconds ?? 3607);
      // --service-account-extend-token-expiration: the default 3607 s token lasts a year, with a warning after 3607 s.
      const exp = requested === 3607 ? iat + 365 * 24 * 3600 : iat + requested;
      const m = this.pod.metadata ?? {};
      const sa = this.pod.spec?.serviceAccountName ?? 'default';
      const claims: Obj = {
        aud: t.audience ? [t.audience] : [SERVICE_ACCOUNT_ISSUER],
        exp,
        iat,
        iss: SERVICE_ACCOUNT_ISSUER,
        jti: randomUUID(),
        'kubernetes.io': {
          namespace: this.namespace,
          node: { name: this.node },
          pod: { name: m.name, uid: m.uid },
          serviceaccount: { name: sa, uid: this.serviceAccountUID },
          ...(requested === 3607 ? { warnafter: iat + 3607 } : {}),
        },
        nbf: iat,
        sub: `system:serviceaccount:${this.namespace}:${sa}`,
      };
      const b64 = (o: Obj) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return Buffer.from(`${b64({ alg: 'RS256', kid: this.host.signingKeyId })}.${b64(claims)}.${randomBytes(256).toString('base64url')}`);
    };
  }

  /**
   * The file system a container sees: a fresh writable layer with the image's files, and the
   * pod's volumes at their mountPaths (subPath, subPathExpr with the container's env, readOnly).
   * Kept per container name until resetContainer() (a restarted container gets a new layer).
   */
  containerFs(container: Obj, env: Record<string, string> = {}): MountedFileSystem {
    const name = String(container?.name ?? '');
    const cur = this.containers.get(name);
    if (cur) return cur;
    const root = new LazyFileSystem(() => this.rootLayer(container));
    const mounts: Mount[] = [];
    for (const vm of container?.volumeMounts ?? []) {
      const v = this.volumes.get(vm?.name);
      if (!v || !v.fs || typeof vm.mountPath !== 'string') continue;
      let subPath: string = vm.subPath ?? '';
      if (!subPath && vm.subPathExpr) subPath = String(vm.subPathExpr).replace(/\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (_m, n: string) => env[n] ?? '');
      let fs = v.fs;
      if (subPath) {
        const p = normalizePath(subPath);
        if (v.payload) {
          // Projections under a subPath are a copy taken now: they do not follow updates.
          fs = snapshot(fs, p, this.host.now);
        } else if (!fs.stat(p)) {
          // The kubelet makes a missing subPath as a directory (pkg/volume/util/subpath).
          try {
            if (fs instanceof SubtreeFileSystem || fs instanceof MemoryFileSystem || fs instanceof ReadOnlyView) fs.makeDir(p, { recursive: true });
            else fs.mkdir(p, { recursive: true });
          } catch (e) {
            if (!(e instanceof FsError)) throw e;
          }
        }
      }
      mounts.push({ path: vm.mountPath, fs, subPath, readOnly: !!vm.readOnly || !!v.fs.readOnly });
    }
    const mfs = new MountedFileSystem(root, mounts);
    this.containers.set(name, mfs);
    return mfs;
  }

  /** The container was restarted: its next containerFs() has a fresh writable layer (volumes stay). */
  resetContainer(name: string): void {
    this.containers.delete(name);
  }

  /** The pod is gone (PodStorage.dispose): release its volumes. */
  dispose(): void {
    this.host.release(this.pod.metadata?.uid ?? `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`);
  }

  /** Bytes held by each emptyDir. */
  emptyDirUsage(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of this.volumes.values()) if (v.spec.emptyDir && v.fs instanceof MemoryFileSystem) out[v.name] = v.fs.usedBytes();
    return out;
  }

  /**
   * The eviction manager's message when an emptyDir exceeds its sizeLimit
   * (pkg/kubelet/eviction/eviction_manager.go emptyDirLimitEviction), else undefined.
   */
  emptyDirOverLimit(): string | undefined {
    for (const v of this.volumes.values()) {
      const limit = v.spec.emptyDir?.sizeLimit;
      if (limit === undefined || !(v.fs instanceof MemoryFileSystem)) continue;
      let max: number;
      try {
        max = parseQuantity(limit);
      } catch {
        continue;
      }
      if (v.fs.usedBytes() > max) return `Usage of EmptyDir volume "${v.name}" exceeds the limit "${limit}". `;
    }
    return undefined;
  }

  /**
   * The container's root: the image's files (shared with every container of the image) under a
   * writable layer of its own, which starts with the kubelet-managed /etc files.
   */
  private rootLayer(container: Obj): OverlayFileSystem {
    const fs = new OverlayFileSystem(this.host.imageLayer(String(container?.image ?? '')), new MemoryFileSystem({ now: this.host.now }));
    const spec = this.pod.spec ?? {};
    const hostname = String(spec.hostname || this.pod.metadata?.name || '').slice(0, 63);
    fs.write('/etc/hostname', hostname + '\n');
    if (!spec.hostNetwork) fs.write('/etc/hosts', this.hostsFile(hostname));
    fs.write('/etc/resolv.conf', this.resolvConf());
    return fs;
  }

  /** managedHostsFileContent (pkg/kubelet/kubelet_pods.go). */
  private hostsFile(hostname: string): string {
    const spec = this.pod.spec ?? {};
    let s = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
    const ip = this.podIP ?? this.pod.status?.podIP;
    if (ip) {
      if (spec.subdomain) s += `${ip}\t${hostname}.${spec.subdomain}.${this.namespace}.svc.${this.host.clusterDomain}\t${hostname}\n`;
      else s += `${ip}\t${hostname}\n`;
    }
    const aliases: Obj[] = spec.hostAliases ?? [];
    if (aliases.length) {
      s += '\n# Entries added by HostAliases.\n';
      for (const a of aliases) s += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
    }
    return s;
  }

  /** The pod's resolv.conf by dnsPolicy and dnsConfig (pkg/kubelet/network/dns/dns.go). */
  private resolvConf(): string {
    const spec = this.pod.spec ?? {};
    const policy = spec.dnsPolicy ?? 'ClusterFirst';
    let servers: string[] = [];
    let searches: string[] = [];
    let options: string[] = [];
    const clusterFirst = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork);
    if (policy === 'None') {
      // only dnsConfig
    } else if (clusterFirst) {
      const d = this.host.clusterDomain;
      servers = [this.host.clusterDNS];
      searches = [`${this.namespace}.svc.${d}`, `svc.${d}`, d];
      options = ['ndots:5'];
    } else {
      // Default (and ClusterFirst with hostNetwork): the node's resolver, minikube's gateway.
      servers = ['192.168.49.1'];
    }
    const cfg = spec.dnsConfig ?? {};
    for (const n of cfg.nameservers ?? []) if (!servers.includes(n)) servers.push(n);
    for (const n of cfg.searches ?? []) if (!searches.includes(n)) searches.push(n);
    for (const o of cfg.options ?? []) {
      const text = o.value !== undefined ? `${o.name}:${o.value}` : String(o.name);
      options = options.filter((x) => x.split(':')[0] !== o.name);
      options.push(text);
    }
    let s = '';
    for (const n of servers) s += `nameserver ${n}\n`;
    if (searches.length) s += `search ${searches.join(' ')}\n`;
    if (options.length) s += `options ${options.join(' ')}\n`;
    return s;
  }
}

/** Writes a payload into a tree, removing the files of the previous one that are gone. */
function writePayload(tree: MemoryFileSystem, next: Payload, old: Payload | undefined): void {
  if (old) {
    for (const p of old.keys()) if (!next.has(p) && tree.stat(p)) tree.delete(p, { recursive: true });
  }
  for (const [p, f] of next) {
    const prev = old?.get(p);
    if (prev && prev.data === f.data && prev.mode === f.mode && tree.stat(p)) continue;
    const data = typeof f.data === 'function' ? f.data() : f.data;
    if (prev && typeof prev.data !== 'function' && typeof f.data !== 'function' && prev.mode === f.mode && tree.stat(p)?.kind === 'file' && tree.read(p).equals(data)) continue;
    if (typeof f.data === 'function' && prev && tree.stat(p)) continue; // tokens are not rotated on each refresh
    tree.put(p, data, { mode: f.mode, mkdirs: true });
  }
}

/** A copy of a subtree (or one file) of a file system, read-only: what a subPath of a projection shows. */
function snapshot(src: FileSystem, path: string, now: () => number): MemoryFileSystem {
  const out = new MemoryFileSystem({ now, readOnly: true });
  const copy = (from: string, to: string) => {
    const st = src.stat(from);
    if (!st) return;
    if (st.kind === 'file') {
      out.put(to, src.read(from), { mode: st.mode, mkdirs: true });
      return;
    }
    out.makeDir(to, { recursive: true });
    for (const n of src.list(from)) copy(joinPath(from, n), joinPath(to, n));
  };
  if (!src.stat(path)) out.makeDir(path, { recursive: true });
  else copy(path, path);
  return out;
}

/** A directory of another file system seen as a root (a hostPath volume on the node's disk). */
export class SubtreeFileSystem implements FileSystem {
  constructor(
    readonly base: MemoryFileSystem,
    readonly prefix: string,
  ) {}
  private at(path: string): string {
    return this.prefix === '/' ? normalizePath(path) : this.prefix + (normalizePath(path) === '/' ? '' : normalizePath(path));
  }
  private relabel<T>(path: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FsError) throw new FsError(e.code, `${path}: ${e.message.slice(e.message.lastIndexOf(': ') + 2)}`);
      throw e;
    }
  }
  stat(path: string): FileStat | undefined {
    return this.base.stat(this.at(path));
  }
  read(path: string): Buffer {
    return this.relabel(path, () => this.base.read(this.at(path)));
  }
  write(path: string, data: Buffer | string, opts?: { append?: boolean; mode?: number }): void {
    this.relabel(path, () => this.base.write(this.at(path), data, opts));
  }
  mkdir(path: string, opts?: { recursive?: boolean }): void {
    this.relabel(path, () => this.base.mkdir(this.at(path), opts));
  }
  makeDir(path: string, opts?: { recursive?: boolean }): void {
    this.relabel(path, () => this.base.makeDir(this.at(path), opts));
  }
  list(path: string): string[] {
    return this.relabel(path, () => this.base.list(this.at(path)));
  }
  remove(path: string, opts?: { recursive?: boolean }): void {
    if (normalizePath(path) === '/') throw new FsError('EBUSY', `${path}: Resource busy`);
    this.relabel(path, () => this.base.remove(this.at(path), opts));
  }
}

/** A read-only claim (persistentVolumeClaim.readOnly): reads pass, writes fail with EROFS. */
class ReadOnlyView implements FileSystem {
  readonly readOnly = true;
  constructor(readonly inner: FileSystem) {}
  stat(path: string): FileStat | undefined {
    return this.inner.stat(path);
  }
  read(path: string): Buffer {
    return this.inner.read(path);
  }
  list(path: string): string[] {
    return this.inner.list(path);
  }
  write(path: string): void {
    throw new FsError('EROFS', `${path}: Read-only file system`);
  }
  mkdir(path: string): void {
    throw new FsError('EROFS', `${path}: Read-only file system`);
  }
  makeDir(path: string, opts?: { recursive?: boolean }): void {
    (this.inner as MemoryFileSystem).makeDir?.(path, opts);
  }
  remove(path: string): void {
    throw new FsError('EROFS', `${path}: Read-only file system`);
  }
}

/** The files the usual images bring (when the image catalogue gives none). */
export function defaultImageFiles(image: string): Record<string, string> {
  const repo = image.split('@')[0].replace(/:[^/:]*$/, '').split('/').pop() ?? '';
  const files: Record<string, string> = { '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' };
  if (repo === 'nginx') {
    files['/usr/share/nginx/html/index.html'] = NGINX_INDEX;
    files['/usr/share/nginx/html/50x.html'] = NGINX_50X;
    files['/etc/nginx/conf.d/default.conf'] = NGINX_DEFAULT_CONF;
    files['/etc/nginx/nginx.conf'] = 'user  nginx;\nworker_processes  auto;\n\nerror_log  /var/log/nginx/error.log notice;\npid        /var/run/nginx.pid;\n\nevents {\n    worker_connections  1024;\n}\n\nhttp {\n    include       /etc/nginx/mime.types;\n    default_type  application/octet-stream;\n    sendfile        on;\n    keepalive_timeout  65;\n    include /etc/nginx/conf.d/*.conf;\n}\n';
    files['/var/log/nginx/'] = '';
  } else if (repo === 'httpd') {
    files['/usr/local/apache2/htdocs/index.html'] = '<html><body><h1>It works!</h1></body></html>\n';
  } else if (repo === 'alpine') {
    files['/etc/alpine-release'] = '3.20.3\n';
  } else if (repo === 'redis') {
    files['/data/'] = '';
  }
  return files;
}

/** The pod's volumes for the kubelet (the same object for the pod until it is released). */
export function buildPodVolumes(host: VolumeHost, pod: Obj, node: string): PodVolumes {
  return host.podVolumes(pod, node);
}
