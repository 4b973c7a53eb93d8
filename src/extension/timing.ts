// Small timing helpers for the UI: coalescing bursts of watch events into one tree refresh, and
// debouncing work per key (a document) so only the latest run happens. No `vscode` import here.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Runs `fn` once, `ms` after the first of a burst of `trigger()` calls: a list of 30 pods or a
 * node's status change with its pods' makes one refresh, so the tree does not flicker.
 */
export class Coalescer {
  private handle: unknown;
  private pending = false;
  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
    private readonly timers: Timers = realTimers,
  ) {}
  trigger(): void {
    if (this.pending) return;
    this.pending = true;
    this.handle = this.timers.setTimeout(() => {
      this.pending = false;
      this.fn();
    }, this.ms);
  }
  dispose(): void {
    if (this.pending) this.timers.clearTimeout(this.handle);
    this.pending = false;
  }
}

/**
 * Runs the latest `schedule(key, fn)` for each key once no newer one came for `ms`; a newer call
 * cancels the older one (a stale validation never publishes).
 */
export class Debouncer<K> {
  private readonly handles = new Map<K, unknown>();
  constructor(
    private readonly ms: number,
    private readonly timers: Timers = realTimers,
  ) {}
  schedule(key: K, fn: () => void): void {
    this.cancel(key);
    this.handles.set(
      key,
      this.timers.setTimeout(() => {
        this.handles.delete(key);
        fn();
      }, this.ms),
    );
  }
  cancel(key: K): void {
    if (this.handles.has(key)) {
      this.timers.clearTimeout(this.handles.get(key));
      this.handles.delete(key);
    }
  }
  get size(): number {
    return this.handles.size;
  }
  dispose(): void {
    for (const h of this.handles.values()) this.timers.clearTimeout(h);
    this.handles.clear();
  }
}
