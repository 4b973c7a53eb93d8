// Garbage collector (pkg/controller/garbagecollector/garbagecollector.go, graph_builder.go):
// ownerReferences drive deletion.
// - Background (the default): once an owner is gone, dependents whose owners are all gone are
//   deleted; references to gone owners are removed from dependents that keep a live owner.
// - Foreground: the owner carries the `foregroundDeletion` finalizer (set by the apiserver); its
//   dependents are deleted (those with blockOwnerDeletion in the foreground too), and the finalizer
//   is removed once no dependent with blockOwnerDeletion is left, so the owner goes last.
// - Orphan: the owner carries the `orphan` finalizer; the references to it are removed from its
//   dependents, then the finalizer, so the dependents stay.
// The graph is an index from owner uid to dependents, kept by one informer per stored resource;
// whether an owner exists is checked with a live read (name and uid), as attemptToDeleteItem does.

import type { APIServer } from '../api/apiserver.ts';
import { ApiError } from '../api/errors.ts';
import type { Obj } from '../api/objects.ts';
import type { ResourceDef } from '../api/registry.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from '../client/workqueue.ts';

const RETRY_MS = 1_000;
const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

interface Ref {
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
  uid: string;
}

type OwnerState = 'solid' | 'dangling' | 'waiting';

export class GarbageCollector {
  private readonly informers = new Map<ResourceDef, Informer>();
  private unsubscribe: (() => void) | undefined;
  /** owner uid → dependents (by uid). */
  private readonly dependents = new Map<string, Map<string, Ref>>();
  /** Every object seen, by uid. */
  private readonly objects = new Map<string, Ref>();
  private readonly queue = new WorkQueue(async (uid) => {
    try {
      await this.process(uid);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      this.retry(uid);
    }
  });
  private readonly retries = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(
    private readonly api: APIServer,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.queue.start();
    await Promise.all(this.api.registry.defs.map((def) => this.watchKind(def)));
    // Custom resources come and go with their CRDs: their objects join the graph too.
    this.unsubscribe = this.api.registry.onChange((removed, added) => {
      for (const def of removed) this.informers.get(def)?.stop();
      for (const def of removed) this.informers.delete(def);
      for (const def of added) void this.watchKind(def);
    });
  }

  private async watchKind(def: ResourceDef): Promise<void> {
    // Converted views (events.k8s.io/v1, autoscaling/v1, a CRD's other versions) share another
    // version's storage.
    if (def.conversion || this.informers.has(def)) return;
    // Events are never in the graph (graph_builder.go DefaultIgnoredResources): half of a busy
    // cluster's writes are events, and nothing owns them.
    if (def.group === '' && def.resource === 'events') return;
    const inf = new Informer(this.api, def).on({
      add: (o) => this.observe(def, o, undefined),
      update: (o, old) => this.observe(def, o, old),
      delete: (o) => this.forget(o),
    });
    this.informers.set(def, inf);
    await inf.start();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const i of this.informers.values()) i.stop();
    this.informers.clear();
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
    this.queue.stop();
    this.dependents.clear();
    this.objects.clear();
  }

  /** Settles once the work queued so far is done (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    await this.queue.idle();
  }

  private refOf(def: ResourceDef, o: Obj): Ref {
    return { def, namespace: def.namespaced ? o.metadata.namespace : undefined, name: o.metadata.name, uid: o.metadata.uid };
  }

  private observe(def: ResourceDef, o: Obj, old: Obj | undefined): void {
    // Most updates (a status write) leave the owners and the deletion state as they were: the
    // store shares unchanged parts between revisions, so the same array means the same owners.
    const m = o.metadata;
    if (old && m.ownerReferences === old.metadata.ownerReferences && !m.deletionTimestamp && m.name === old.metadata.name && m.uid === old.metadata.uid) return;
    const ref = this.refOf(def, o);
    this.objects.set(ref.uid, ref);
    const before = new Set<string>((old?.metadata.ownerReferences ?? []).map((r: Obj) => r.uid));
    const now = new Set<string>((o.metadata.ownerReferences ?? []).map((r: Obj) => r.uid));
    for (const uid of before) if (!now.has(uid)) this.dependents.get(uid)?.delete(ref.uid);
    for (const uid of now) {
      let deps = this.dependents.get(uid);
      if (!deps) this.dependents.set(uid, (deps = new Map()));
      deps.set(ref.uid, ref);
    }
    // A new or changed reference may name an owner that does not exist.
    if (now.size && !o.metadata.deletionTimestamp && [...now].some((u) => !before.has(u))) this.enqueue(ref.uid);
    // An owner being deleted in the foreground or with orphaning has work to do.
    const fin: string[] = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (fin.includes(ORPHAN) || fin.includes(FOREGROUND))) this.enqueue(ref.uid);
  }

  private forget(o: Obj): void {
    const uid: string = o.metadata.uid;
    this.objects.delete(uid);
    for (const r of o.metadata.ownerReferences ?? []) {
      const deps = this.dependents.get(r.uid);
      deps?.delete(uid);
      // An owner waiting for its dependents may be done now.
      if (this.objects.has(r.uid)) this.enqueue(r.uid);
      if (deps && deps.size === 0 && !this.objects.has(r.uid)) this.dependents.delete(r.uid);
    }
    // Its dependents may be orphans now.
    for (const dep of this.dependents.get(uid)?.values() ?? []) this.enqueue(dep.uid);
  }

  private enqueue(uid: string): void {
    this.queue.add(uid);
  }

  private retry(uid: string): void {
    if (this.retries.has(uid) || this.stopped) return;
    this.retries.set(
      uid,
      this.clock.setTimeout(() => {
        this.retries.delete(uid);
        this.enqueue(uid);
      }, RETRY_MS),
    );
  }

  private async live(ref: Ref): Promise<Obj | undefined> {
    const o = await this.api.tryGet(ref.def, ref.namespace, ref.name);
    return o && o.metadata.uid === ref.uid ? o : undefined;
  }

  private async process(uid: string): Promise<void> {
    const ref = this.objects.get(uid);
    if (!ref) return;
    const obj = await this.live(ref);
    if (!obj) return;
    const fin: string[] = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && fin.includes(ORPHAN)) await this.orphanDependents(ref, obj);
    else if (obj.metadata.deletionTimestamp && fin.includes(FOREGROUND)) await this.deleteDependents(ref, obj);
    if (!obj.metadata.deletionTimestamp && obj.metadata.ownerReferences?.length) await this.checkOwners(ref, obj);
  }

  /** Orphan: drop the references to the owner from every dependent, then the finalizer. */
  private async orphanDependents(owner: Ref, obj: Obj): Promise<void> {
    for (const dep of [...(this.dependents.get(owner.uid)?.values() ?? [])]) {
      await this.updateLive(dep, (d) => {
        const refs = (d.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== owner.uid);
        if (refs.length === (d.metadata.ownerReferences ?? []).length) return undefined;
        const meta = { ...d.metadata, ownerReferences: refs };
        if (!refs.length) delete meta.ownerReferences;
        return { ...d, metadata: meta };
      });
    }
    await this.removeFinalizer(owner, obj, ORPHAN);
  }

  /** Foreground: delete the dependents; the owner goes once none that blocks it is left. */
  private async deleteDependents(owner: Ref, obj: Obj): Promise<void> {
    let blocking = 0;
    for (const dep of [...(this.dependents.get(owner.uid)?.values() ?? [])]) {
      const d = await this.live(dep);
      if (!d) continue;
      const r = (d.metadata.ownerReferences ?? []).find((x: Obj) => x.uid === owner.uid);
      if (!r) continue;
      if (r.blockOwnerDeletion) blocking++;
      if (d.metadata.deletionTimestamp) continue;
      // A dependent with other live owners keeps them; only the reference goes.
      const states = await this.ownerStates(d);
      if (states.some((s) => s.state === 'solid')) {
        await this.updateLive(dep, (x) => ({ ...x, metadata: { ...x.metadata, ownerReferences: x.metadata.ownerReferences.filter((o: Obj) => o.uid !== owner.uid) } }));
        if (r.blockOwnerDeletion) blocking--;
        continue;
      }
      // attemptToDeleteItem (garbagecollector.go): Foreground only for a dependent that has
      // dependents of its own (a Deployment's ReplicaSet); a leaf (a pod) goes in the background.
      const hasDependents = (this.dependents.get(dep.uid)?.size ?? 0) > 0;
      await this.deleteObj(dep, r.blockOwnerDeletion && hasDependents ? 'Foreground' : 'Background');
    }
    if (blocking === 0) await this.removeFinalizer(owner, obj, FOREGROUND);
    else this.retry(owner.uid); // also re-queued when a dependent goes
  }

  /** Background: a dependent whose owners are all gone (or waiting for it) is deleted. */
  private async checkOwners(ref: Ref, obj: Obj): Promise<void> {
    const states = await this.ownerStates(obj);
    if (!states.length || states.some((s) => s.state === 'unknown')) return;
    const solid = states.filter((s) => s.state === 'solid');
    const gone = states.filter((s) => s.state !== 'solid');
    if (!gone.length) return;
    if (solid.length) {
      // Some owner is alive: only the references to the dangling ones are removed.
      const dangling = new Set(states.filter((s) => s.state === 'dangling').map((s) => s.ref.uid));
      if (!dangling.size) return;
      await this.updateLive(ref, (x) => ({ ...x, metadata: { ...x.metadata, ownerReferences: x.metadata.ownerReferences.filter((o: Obj) => !dangling.has(o.uid)) } }));
      return;
    }
    const waitingAndBlocking = states.some((s) => s.state === 'waiting' && s.ref.blockOwnerDeletion);
    await this.deleteObj(ref, waitingAndBlocking ? 'Foreground' : 'Background');
  }

  private async ownerStates(obj: Obj): Promise<{ ref: Obj; state: OwnerState | 'unknown' }[]> {
    const out: { ref: Obj; state: OwnerState | 'unknown' }[] = [];
    for (const r of obj.metadata.ownerReferences ?? []) {
      const def = this.api.registry.forKind(r.apiVersion, r.kind);
      // An owner of a kind this server does not serve cannot be judged: leave the dependent be.
      if (!def) {
        out.push({ ref: r, state: 'unknown' });
        continue;
      }
      const owner = await this.api.tryGet(def, def.namespaced ? obj.metadata.namespace : undefined, r.name);
      if (!owner || owner.metadata.uid !== r.uid) out.push({ ref: r, state: 'dangling' });
      else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) out.push({ ref: r, state: 'waiting' });
      else out.push({ ref: r, state: 'solid' });
    }
    return out;
  }

  private async deleteObj(ref: Ref, propagationPolicy: 'Foreground' | 'Background'): Promise<void> {
    try {
      await this.api.delete(ref.def, ref.namespace, ref.name, { propagationPolicy, preconditions: { uid: ref.uid } });
    } catch (e) {
      if (e instanceof ApiError && (e.code === 404 || e.code === 409)) return;
      throw e;
    }
  }

  private async removeFinalizer(ref: Ref, _obj: Obj, finalizer: string): Promise<void> {
    await this.updateLive(ref, (o) => {
      const fin: string[] = o.metadata.finalizers ?? [];
      if (!fin.includes(finalizer)) return undefined;
      return { ...o, metadata: { ...o.metadata, finalizers: fin.filter((f) => f !== finalizer) } };
    });
  }

  /** Read, change, write with the read's resourceVersion; on a conflict read again. */
  private async updateLive(ref: Ref, change: (o: Obj) => Obj | undefined): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const o = await this.live(ref);
      if (!o) return;
      const next = change(o);
      if (!next) return;
      try {
        await this.api.update(ref.def, ref.namespace, ref.name, next);
        return;
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) continue;
        if (e instanceof ApiError && e.code === 404) return;
        throw e;
      }
    }
    throw new ApiError(409, 'Conflict', `the garbage collector could not update ${ref.def.resource} ${ref.name}`);
  }
}
