// The clock as one node's processes see it. A stopped node is a frozen machine: its programs'
// timers (a `sleep`, a web server's tick), its probes and back-offs stop where they are, and
// carry on from there when the node starts again. Time itself (now()) still moves: it is the
// cluster's clock; only the node's timers are held.

import type { Clock, TimerHandle } from '../clock.ts';

interface HeldTimer {
  fn: () => void;
  due: number;
  every?: number;
  /** Time left when the node was frozen. */
  remaining?: number;
  handle?: TimerHandle;
  done: boolean;
}

export class NodeClock implements Clock {
  private readonly timers = new Set<HeldTimer>();
  private paused = false;

  constructor(private readonly base: Clock) {}

  get mode(): 'real' | 'manual' {
    return this.base.mode;
  }

  get timeScale(): number {
    return this.base.timeScale;
  }

  get skewMs(): number {
    return this.base.skewMs;
  }

  get frozen(): boolean {
    return this.paused;
  }

  /** How many timers the node holds (tests and leak checks). */
  get pending(): number {
    return this.timers.size;
  }

  now(): number {
    return this.base.now();
  }

  date(): Date {
    return this.base.date();
  }

  advance(ms: number): Promise<void> {
    return this.base.advance(ms);
  }

  dispose(): void {
    this.cancelAll();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.add({ fn, due: this.now() + Math.max(0, ms), done: false });
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    if (!(ms > 0)) throw new Error('interval must be positive');
    return this.add({ fn, due: this.now() + ms, every: ms, done: false });
  }

  private add(t: HeldTimer): TimerHandle {
    this.timers.add(t);
    if (this.paused) t.remaining = t.due - this.now();
    else this.arm(t);
    return {
      cancel: () => {
        t.done = true;
        t.handle?.cancel();
        this.timers.delete(t);
      },
    };
  }

  private arm(t: HeldTimer): void {
    t.handle = this.base.setTimeout(() => {
      if (t.done) return;
      if (t.every !== undefined) {
        t.due = this.now() + t.every;
        this.arm(t);
      } else {
        t.done = true;
        this.timers.delete(t);
      }
      t.fn();
    }, Math.max(0, t.due - this.now()));
  }

  /** Freezes every timer with the time it had left. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    const now = this.now();
    for (const t of this.timers) {
      t.handle?.cancel();
      t.handle = undefined;
      t.remaining = Math.max(0, t.due - now);
    }
  }

  /** Timers run again, each with the time it had left when the node froze. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const now = this.now();
    for (const t of this.timers) {
      t.due = now + (t.remaining ?? 0);
      t.remaining = undefined;
      this.arm(t);
    }
  }

  cancelAll(): void {
    for (const t of this.timers) {
      t.done = true;
      t.handle?.cancel();
    }
    this.timers.clear();
  }
}
