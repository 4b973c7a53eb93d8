// Shared helpers for the admission tests: an in-process cluster on a manual clock, and a helper
// that expects an ApiError with Kubernetes' exact message.

import assert from 'node:assert/strict';
import { createCluster, type Cluster } from '../../../../src/emulator/cluster.ts';
import { ApiError } from '../../../../src/emulator/api/errors.ts';
import { EmulatorClock } from '../../../../src/emulator/clock.ts';
import type { Obj } from '../../../../src/emulator/api/objects.ts';

export function cluster(nodes = 1): Promise<Cluster> {
  return createCluster({ nodes, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
}

/** Asserts that `p` rejects with `code` and exactly `message`. */
export async function rejects(p: Promise<unknown>, code: number, message: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}: ${message}`);
}

/** Polls until fn returns a truthy value, letting in-process controllers run (real time, short). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, what = 'condition'): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

export function pod(name: string, container: Obj = {}, spec: Obj = {}, metadata: Obj = {}): Obj {
  return { metadata: { name, ...metadata }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ...container }], ...spec } };
}
