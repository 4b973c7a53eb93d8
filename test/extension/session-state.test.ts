// The extension's cluster lives in a state folder: it survives the session (a VS Code reload) with
// every object intact, and its state exports and imports.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportFolder, importFolder, Session } from '../../src/extension/session.ts';
import { applyFile } from '../../src/extension/apply.ts';
import { parseManifests } from '../../src/extension/manifests.ts';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
`;

async function start(statePath: string, lines: string[] = []): Promise<Session> {
  return Session.startEmulator({ kind: 'emulator', nodes: 2, timeScale: 20 }, { log: (l) => lines.push(l), statePath });
}

test('a session\'s cluster comes back after it is disposed, every object intact, and exports and imports', async () => {
  const statePath = join(mkdtempSync(join(tmpdir(), 'kube-emulator-ext-state-')), 'state');
  let session = await start(statePath);
  let uid: string;
  try {
    const results = await applyFile(session.client, parseManifests(MANIFEST), { file: 'shop.yaml' });
    assert.deepEqual(results.map((r) => r.message), ['namespace/shop created', 'pod/web created']);
    const pod = await session.cluster!.api.get(session.cluster!.api.resource('pods'), 'shop', 'web');
    uid = pod.metadata.uid;
  } finally {
    await session.dispose();
  }

  // What a reload does: a new session on the same folder.
  const log: string[] = [];
  session = await start(statePath, log);
  let exported: string;
  try {
    assert.ok(log.some((l) => l.startsWith('State: ')), log.join('\n'));
    const api = session.cluster!.api;
    const pod = await api.get(api.resource('pods'), 'shop', 'web');
    assert.equal(pod.metadata.uid, uid);
    assert.deepEqual(pod.metadata.labels, { app: 'web' });
    assert.ok(await api.tryGet(api.resource('namespaces'), undefined, 'shop'));
    const again = await applyFile(session.client, parseManifests(MANIFEST), { file: 'shop.yaml' });
    assert.deepEqual(again.map((r) => r.message), ['namespace/shop unchanged', 'pod/web unchanged']);
    exported = await session.exportState();
    assert.ok(JSON.parse(exported).objects.some((o: { key: string }) => o.key === '/registry/pods/shop/web'));
    // Import into the running cluster: the pod goes away when the file lacks it.
    const withoutPod = JSON.stringify({ ...JSON.parse(exported), objects: JSON.parse(exported).objects.filter((o: { key: string }) => o.key !== '/registry/pods/shop/web') });
    const r = await session.importState(withoutPod);
    assert.equal(r.deleted, 1);
    assert.equal(await api.tryGet(api.resource('pods'), 'shop', 'web'), undefined);
  } finally {
    await session.dispose();
  }

  // With the cluster stopped, the folder itself exports and imports.
  const stoppedExport = JSON.parse(await exportFolder(statePath));
  assert.ok(!stoppedExport.objects.some((o: { key: string }) => o.key === '/registry/pods/shop/web'));
  const r = await importFolder(statePath, exported);
  assert.equal(r.created, 1);
  session = await start(statePath);
  try {
    const api = session.cluster!.api;
    assert.equal((await api.get(api.resource('pods'), 'shop', 'web')).metadata.uid, uid);
  } finally {
    await session.dispose();
  }
});
