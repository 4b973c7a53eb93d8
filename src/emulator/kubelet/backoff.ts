// The kubelet's back-off bookkeeping, as client-go's flowcontrol.Backoff
// (staging/src/k8s.io/client-go/util/flowcontrol/backoff.go) is used by
// pkg/kubelet/kuberuntime/kuberuntime_manager.go (doBackOff: crash loops, 10 s doubling to 5 min)
// and pkg/kubelet/images/image_manager.go (image pulls, 10 s doubling to 300 s). An entry that was
// not touched for twice the maximum (10 min) starts again from the initial period.

export const CONTAINER_BACKOFF_INITIAL_MS = 10_000;
export const CONTAINER_BACKOFF_MAX_MS = 300_000;
export const IMAGE_BACKOFF_INITIAL_MS = 10_000;
export const IMAGE_BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoff: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    readonly initialMs: number,
    readonly maxMs: number,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > this.maxMs * 2;
  }

  /** Moves the entry one step: the initial period the first time (or after it expired), else doubled. */
  next(key: string, eventTime = this.now()): number {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) {
      this.entries.set(key, { backoff: this.initialMs, lastUpdate: eventTime });
      return this.initialMs;
    }
    e.backoff = Math.min(e.backoff * 2, this.maxMs);
    e.lastUpdate = eventTime;
    return e.backoff;
  }

  /** The current period of the entry (0 when there is none). */
  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Still within the period counted from eventTime (a container's finishedAt): IsInBackOffSince. */
  inBackOffSince(key: string, eventTime: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (this.expired(now, e)) return undefined;
    return now - eventTime < e.backoff ? eventTime + e.backoff : undefined;
  }

  /** Still within the period counted from the entry's last update: IsInBackOffSinceUpdate. */
  inBackOffSinceUpdate(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (this.expired(now, e)) return undefined;
    return now - e.lastUpdate < e.backoff ? e.lastUpdate + e.backoff : undefined;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every entry whose key starts with prefix (a pod's, when it goes). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** A duration as Go's time.Duration.String prints whole seconds: 10s, 1m20s, 5m0s, 1h0m0s. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}
