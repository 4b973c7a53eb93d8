// A fresh apiserver with the default namespace, and a helper that expects a 422 message.

import assert from 'node:assert/strict';
import { APIServer } from '../../../../src/emulator/api/apiserver.ts';
import { ApiError } from '../../../../src/emulator/api/errors.ts';
import { EmulatorClock } from '../../../../src/emulator/clock.ts';

export async function server(): Promise<APIServer> {
  const api = new APIServer(new EmulatorClock({ mode: 'manual' }));
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  return api;
}

/** Asserts that `p` rejects with a 422 whose message is exactly `message`. */
export async function rejects422(p: Promise<unknown>, message: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.code, 422);
    return e;
  }
  assert.fail(`expected 422: ${message}`);
}

export const container = { name: 'c', image: 'nginx:1.27' };

export function template(labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return { metadata: { labels }, spec: { containers: [{ ...container }], ...extra } };
}
