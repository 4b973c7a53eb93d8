// The real kubectl against an in-process cluster: `kubectl get endpoints`, `get endpointslices`
// and `describe svc` show what the endpoint controllers keep for pods the kubelets run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCluster } from '../../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { kubectlPath, tempDir } from '../../e2e/helpers.ts';

const exec = promisify(execFile);

test('kubectl shows the Endpoints and EndpointSlices of a Service over running pods', async () => {
  const clock = new EmulatorClock({ mode: 'manual' });
  const c = await createCluster({ nodes: 2, clock });
  const kubeconfig = join(tempDir('network'), 'kubeconfig');
  writeFileSync(kubeconfig, c.kubeconfigYaml());
  const k = async (...args: string[]) => (await exec(kubectlPath(), ['--kubeconfig', kubeconfig, ...args])).stdout;
  try {
    for (const n of ['web-1', 'web-2']) await k('run', n, '--image=nginx', '--labels=app=web', '--port=80');
    await k('create', 'service', 'clusterip', 'web', '--tcp=8080:80');
    const pods = c.api.resource('pods');
    let items: Obj[] = [];
    for (let i = 0; i < 60; i++) {
      await c.advanceClock(1000);
      items = (await c.api.list(pods, 'default')).items;
      if (items.length === 2 && items.every((p) => (p.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True'))) break;
    }
    const ips = items.map((p) => p.status.podIP as string).sort();
    assert.equal(ips.length, 2);
    const list = ips.map((ip) => `${ip}:80`).join(',');
    let out = '';
    for (let i = 0; i < 50 && !out.includes(list); i++) {
      await c.advanceClock(100);
      out = await k('get', 'endpoints', 'web');
    }
    assert.match(out, new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nweb\\s+${list.replace(/\./g, '\\.')}\\s+\\S+\\n$`));
    // kubectl 1.32 describes a Service's endpoints from its EndpointSlices, in the slices' order.
    const slice = (await c.api.list(c.api.resource('endpointslices.discovery.k8s.io'), 'default', { labelSelector: 'kubernetes.io/service-name=web' })).items[0];
    const inSlice = slice.endpoints.map((e: Obj) => e.addresses[0] as string);
    assert.deepEqual([...inSlice].sort(), ips);
    const describe = await k('describe', 'svc', 'web');
    assert.match(describe, new RegExp(`\\nEndpoints:\\s+${inSlice.map((ip: string) => `${ip}:80`).join(',').replace(/\./g, '\\.')}\\n`));
    const slices = await k('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web');
    assert.match(slices, new RegExp(`\\n${slice.metadata.name}\\s+IPv4\\s+80\\s+${inSlice.join(',').replace(/\./g, '\\.')}\\s+\\S+\\n$`));
    // A pod deleted: it leaves the Endpoints.
    await k('delete', 'pod', 'web-1', '--wait=false');
    for (let i = 0; i < 60; i++) {
      await c.advanceClock(1000);
      out = await k('get', 'endpoints', 'web');
      if (!out.includes(',')) break;
    }
    assert.match(out, /\nweb\s+10\.244\.\d+\.\d+:80\s+/);
  } finally {
    await c.stop();
    clock.dispose();
  }
});
