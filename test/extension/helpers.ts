// Shared by the extension's tests against an emulated cluster.

/** Polls `f` until it returns something truthy (which it returns), or fails after `ms` naming `what`. */
export async function until<T>(what: string, f: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
