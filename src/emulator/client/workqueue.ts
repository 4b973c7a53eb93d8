// A work queue in the shape of client-go's (util/workqueue): keys are deduplicated while they wait,
// handled one at a time in the order they came, and a key added while it is being handled is
// handled again afterwards. Controllers put their retry policy in `handle`.

export class WorkQueue {
  private readonly waiting = new Set<string>();
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly handle: (key: string) => Promise<void>) {}

  add(key: string): void {
    if (this.stopped) return;
    this.waiting.add(key);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
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
      await this.handle(key);
    }
  }
}
