// A work queue in the shape of client-go's (util/workqueue): keys are deduplicated while they wait,
// handled one at a time in the order they came, and a key added while it is being handled is
// handled again afterwards. Controllers put their retry policy in `handle`.

import type { Clock } from '../clock.ts';

/**
 * Rate-limited requeueing (client-go's AddRateLimited with the default controller rate limiter): a
 * key whose handling failed is handled again after 5 ms doubling up to `maxDelayMs` ('later'), or at
 * once ('now', a conflict), at most `maxRetries` times; 'drop' forgets it, 'throw' is a bug.
 */
export interface RetryPolicy {
  clock: Clock;
  maxRetries: number;
  maxDelayMs: number;
  classify(e: unknown): 'later' | 'now' | 'drop' | 'throw';
}

export class WorkQueue {
  private readonly waiting = new Set<string>();
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly handle: (key: string) => Promise<void>,
    private readonly retry?: RetryPolicy,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.waiting.add(key);
    this.kick();
  }

  /**
   * Starts draining unless it runs. A key added after the drain loop saw the queue empty but before
   * its promise settled is picked up by the settling itself, so no key is ever left waiting.
   */
  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.waiting.size && !this.stopped) this.kick();
    });
  }

  /** Drops what waits; what is being handled finishes. `add` is ignored until `start`. */
  stop(): void {
    this.stopped = true;
    this.waiting.clear();
  }

  start(): void {
    this.stopped = false;
  }

  /** Settles once the queue is empty (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // a burst of events queues up before the first key is handled
    while (this.waiting.size && !this.stopped) {
      const key = this.waiting.values().next().value as string;
      this.waiting.delete(key);
      if (!this.retry) {
        await this.handle(key);
        continue;
      }
      try {
        await this.handle(key);
        this.failures.delete(key);
      } catch (e) {
        const how = this.retry.classify(e);
        if (how === 'throw') throw e;
        const n = (this.failures.get(key) ?? 0) + 1;
        if (how === 'drop' || n > this.retry.maxRetries) {
          this.failures.delete(key);
          continue;
        }
        this.failures.set(key, n);
        this.retry.clock.setTimeout(() => this.add(key), how === 'now' ? 0 : Math.min(this.retry.maxDelayMs, 5 * 2 ** n));
      }
    }
  }
}
