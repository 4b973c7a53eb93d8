// Which cluster the explorer shows: it follows the target picker (target.ts). On the emulated target
// the views show the window's emulated session; on a kubeconfig context they show a session of their
// own for that context (`Session.connect` on the context's KubeConfig, no owned cluster), made when
// the user picks it and disposed when they pick another. No `vscode` import: unit-tested under Node
// against a second emulated cluster that plays the real one.
import { sameTarget, type Target } from '../target.ts';

export interface Disposable {
  dispose(): Promise<void> | void;
}

export type ViewTargetStatus =
  | { state: 'emulated' }
  | { state: 'connecting'; context: string }
  | { state: 'connected'; context: string }
  | { state: 'failed'; context: string; error: string };

export class ViewTargetFollower<S extends Disposable> {
  private _target: Target = { kind: 'emulated' };
  private _session?: S;
  private _status: ViewTargetStatus = { state: 'emulated' };
  /** Bumped on every switch: a connection that finishes after a newer switch is dropped. */
  private generation = 0;
  private disposed = false;

  constructor(
    /** Connects to a kubeconfig context (the session bundle's Session.connect). */
    private readonly connect: (t: Target & { kind: 'context' }) => Promise<S>,
    /** Called after the target, the session or the status changed. */
    private readonly changed: () => void,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get target(): Target {
    return this._target;
  }

  get emulated(): boolean {
    return this._target.kind === 'emulated';
  }

  /** The context's session once connected (undefined on the emulated target). */
  get session(): S | undefined {
    return this._session;
  }

  get status(): ViewTargetStatus {
    return this._status;
  }

  /** Shows `t`: resolves when its session is connected (or failed: see `status`). */
  async follow(t: Target): Promise<void> {
    if (this.disposed || sameTarget(t, this._target)) return;
    const generation = ++this.generation;
    const old = this._session;
    this._target = t;
    this._session = undefined;
    this._status = t.kind === 'emulated' ? { state: 'emulated' } : { state: 'connecting', context: t.context };
    this.changed();
    if (old) await this.close(old);
    if (t.kind !== 'context') return;
    try {
      const session = await this.connect(t);
      if (generation !== this.generation || this.disposed) {
        await this.close(session);
        return;
      }
      this._session = session;
      this._status = { state: 'connected', context: t.context };
      this.log(`Explorer: showing context ${t.context} (cluster ${t.cluster})`);
    } catch (e) {
      if (generation !== this.generation) return;
      const error = e instanceof Error ? e.message : String(e);
      this._status = { state: 'failed', context: t.context, error };
      this.log(`Explorer: could not connect to context ${t.context}: ${error}`);
    }
    this.changed();
  }

  private async close(s: S): Promise<void> {
    try {
      await s.dispose();
    } catch (e) {
      this.log(`Explorer: closing the previous session failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.generation++;
    const s = this._session;
    this._session = undefined;
    if (s) await this.close(s);
  }
}
