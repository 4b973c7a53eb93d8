// The emulator's one source of time. Every timer in the emulator goes through a Clock, so tests run
// on virtual time (never sleeping) and users can fast-forward CronJobs, grace periods and backoffs.
//
// Two modes share one timer queue:
// - real: emulated time follows the wall clock, multiplied by `timeScale`, plus whatever was
//   fast-forwarded with advance();
// - manual: time stands still until advance() moves it (tests).

import { Heap } from './heap.ts';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Emulated time in milliseconds since the epoch. */
  now(): number;
  /** Emulated time as a Date. */
  date(): Date;
  /** Runs fn once, ms of emulated time from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs fn every ms of emulated time. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /**
   * Moves emulated time forward by ms, firing every timer that falls due on the way, in order:
   * the timers due at one instant together, then the work they start settles before the next.
   */
  advance(ms: number): Promise<void>;
  /** Total time fast-forwarded with advance() (the sum of what was asked for). */
  readonly skewMs: number;
  readonly mode: 'real' | 'manual';
  readonly timeScale: number;
  /** Stops all timers; the clock can not be used afterwards. */
  dispose(): void;
  /**
   * Work a fast-forward waits for at every instant, besides what settles by itself: a durable
   * store's writes in flight (an fsync outlasts a settle). Without it the emulated clock would race
   * ahead of writes made at earlier instants, and a node whose lease renewals were still being
   * written would look silent for minutes. `wait` returns undefined when nothing is in flight.
   * Returns the function that removes it.
   */
  addBarrier?(wait: () => Promise<void> | undefined): () => void;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Lets promise chains and I/O callbacks started by a timer run before the next timer fires. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface ClockOptions {
  mode?: 'real' | 'manual';
  /** Emulated seconds per real second in real mode (default 1). */
  timeScale?: number;
  /** Start time for a manual clock (default: the wall clock now). */
  start?: number;
}

export class EmulatorClock implements Clock {
  readonly mode: 'real' | 'manual';
  readonly timeScale: number;
  private readonly realStart = Date.now();
  private readonly emulatedStart: number;
  private skew = 0;
  private advanced = 0;
  private seq = 0;
  private readonly heap = new Heap<Timer>(before);
  private wake: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private advancing = false;
  private readonly barriers = new Set<() => Promise<void> | undefined>();

  constructor(opts: ClockOptions = {}) {
    this.mode = opts.mode ?? 'real';
    const scale = opts.timeScale ?? 1;
    if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`time scale must be a positive number, got ${scale}`);
    this.timeScale = scale;
    this.emulatedStart = opts.start ?? this.realStart;
  }

  get skewMs(): number {
    return this.advanced;
  }

  now(): number {
    if (this.mode === 'manual') return this.emulatedStart + this.skew;
    return this.emulatedStart + (Date.now() - this.realStart) * this.timeScale + this.skew;
  }

  date(): Date {
    return new Date(this.now());
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, Math.max(0, ms));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    if (!(ms > 0)) throw new Error('interval must be positive');
    return this.add(fn, ms, ms);
  }

  private add(fn: () => void, delay: number, every?: number): TimerHandle {
    if (this.disposed) return { cancel() {} };
    const t: Timer = { at: this.now() + delay, seq: this.seq++, fn, every, cancelled: false };
    this.heap.push(t);
    this.schedule();
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  async advance(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`cannot advance the clock by ${ms} ms`);
    // Timers due up to the target fire in order, each seeing now() equal to its own due time.
    const target = this.now() + ms;
    this.advanced += ms;
    this.advancing = true;
    try {
      await settle();
      for (;;) {
        const next = this.heap.peek();
        if (!next || next.at > target || this.disposed) break;
        // Every timer due at this instant fires before the work they start settles: things that
        // happen at the same moment happen together (a thousand pods that become ready in the
        // same emulated second reach their controllers as one batch, as on a cluster), and a
        // fast-forward costs a settle per instant, not per timer.
        const at = next.at;
        const due: Timer[] = [];
        while (this.heap.peek()?.at === at) due.push(this.heap.pop()!);
        const delta = at - this.now();
        if (delta > 0) this.skew += delta;
        for (const t of due) if (!t.cancelled && !this.disposed) this.fire(t);
        await settle();
        await settle();
        await this.passBarriers();
      }
      const rest = target - this.now();
      if (rest > 0) this.skew += rest;
    } finally {
      this.advancing = false;
    }
    await settle();
    this.schedule();
  }

  addBarrier(wait: () => Promise<void> | undefined): () => void {
    this.barriers.add(wait);
    return () => this.barriers.delete(wait);
  }

  /**
   * Waits for the barriers (writes in flight), then for what their completion lets run; a few
   * rounds, since a write's acknowledgement lets its writer issue the next (bounded: a component
   * that writes in a loop must not stop the fast-forward).
   */
  private async passBarriers(): Promise<void> {
    for (let round = 0; round < 4 && this.barriers.size > 0; round++) {
      const waits = [...this.barriers].map((b) => b()).filter((w) => w !== undefined);
      if (waits.length === 0) return;
      await Promise.all(waits.map((w) => w.catch(() => undefined)));
      await settle();
      await settle();
    }
  }

  private fire(t: Timer): void {
    if (t.every !== undefined) {
      t.at += t.every;
      // After a long fast-forward an interval fires once, not once per missed period.
      if (t.at <= this.now()) t.at = this.now() + t.every;
      t.seq = this.seq++;
      this.heap.push(t);
    }
    try {
      t.fn();
    } catch (err) {
      // A timer callback must never take the clock (and every other component) down with it.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  /** In real mode, arms one host timer for the earliest emulated timer. */
  private schedule(): void {
    if (this.mode !== 'real' || this.disposed || this.advancing) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    let next = this.heap.peek();
    while (next && next.cancelled) {
      this.heap.pop();
      next = this.heap.peek();
    }
    if (!next) return;
    const realDelay = Math.max(0, (next.at - this.now()) / this.timeScale);
    this.wake = setTimeout(() => this.runDue(), Math.min(realDelay, 2 ** 31 - 1));
  }

  private runDue(): void {
    this.wake = undefined;
    const now = this.now();
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.at > now || this.disposed) break;
      this.heap.pop();
      if (!next.cancelled) this.fire(next);
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    if (this.wake) clearTimeout(this.wake);
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a Go-style duration as kubectl and the CLI take it: `90s`, `5m`, `1h30m`, `250ms`. */
export function parseDuration(text: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration "${text}": use a number with a unit, such as 90s, 5m or 1h`);
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  if (s.length === 0) throw new Error('invalid duration "": use a number with a unit, such as 90s, 5m or 1h');
  return total;
}
