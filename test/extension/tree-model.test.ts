import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { buildTree, podStatus, statusText } from '../../src/extension/tree-model.ts';

const node = (name: string, ready: 'True' | 'False' | 'Unknown', labels: Record<string, string> = {}): V1Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});
const pod = (name: string, nodeName: string | undefined, status: V1Pod['status'], namespace = 'default'): V1Pod => ({
  metadata: { name, namespace },
  spec: { nodeName, containers: [{ name: 'main', image: 'nginx' }] },
  status,
});
const running = { phase: 'Running', containerStatuses: [{ name: 'main', ready: true, restartCount: 0, image: 'nginx', imageID: '', state: { running: {} } }] };

test('nodes are sorted, with Ready state, role and theme-coloured icon; pods sit under their node', () => {
  const model = buildTree(
    [node('kube-emulator-m02', 'True'), node('kube-emulator', 'True', { 'node-role.kubernetes.io/control-plane': '' }), node('kube-emulator-m03', 'False')],
    [pod('web', 'kube-emulator-m02', running), pod('dns', 'kube-emulator-m02', running, 'kube-system'), pod('queued', undefined, { phase: 'Pending' })],
  );
  assert.deepEqual(model.nodes.map((n) => n.name), ['kube-emulator', 'kube-emulator-m02', 'kube-emulator-m03']);
  assert.equal(model.readyNodes, 2);
  const [cp, m02, m03] = model.nodes;
  assert.equal(cp.description, 'Ready · control-plane');
  assert.deepEqual(cp.icon, { id: 'server', color: 'charts.green' });
  assert.equal(m02.description, 'Ready');
  assert.equal(m03.description, 'NotReady');
  assert.deepEqual(m03.icon, { id: 'server', color: 'charts.red' });
  assert.deepEqual(m02.pods.map((p) => p.id), ['pod/default/web', 'pod/kube-system/dns']);
  assert.equal(m02.pods[0].description, 'Running · 1/1 · default');
  assert.deepEqual(m02.pods[0].icon, { id: 'pass-filled', color: 'charts.green' });
  assert.deepEqual(model.unscheduled.map((p) => [p.name, p.status, p.icon.id]), [['queued', 'Pending', 'clock']]);
});

test('pod status reads like kubectl: waiting reasons, terminating, init progress', () => {
  const waiting = { phase: 'Pending', containerStatuses: [{ name: 'main', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] };
  assert.equal(podStatus(pod('a', 'n', waiting)), 'ContainerCreating');
  const crash = { phase: 'Running', containerStatuses: [{ name: 'main', ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }] };
  assert.equal(podStatus(pod('a', 'n', crash)), 'CrashLoopBackOff');
  const deleting = pod('a', 'n', running);
  deleting.metadata!.deletionTimestamp = new Date();
  assert.equal(podStatus(deleting), 'Terminating');
  const init = { phase: 'Pending', initContainerStatuses: [{ name: 'i', ready: false, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] };
  assert.equal(podStatus(pod('a', 'n', init)), 'Init:0/1');
  assert.equal(podStatus(pod('a', 'n', { phase: 'Succeeded' })), 'Succeeded');
});

test('pods bound to a node that no longer exists stay visible under a not-found node', () => {
  const model = buildTree([node('kube-emulator', 'True')], [pod('orphan', 'gone', running)]);
  assert.deepEqual(model.nodes.map((n) => [n.name, n.description, n.pods.length]), [['gone', 'not found', 1], ['kube-emulator', 'Ready', 0]]);
  assert.equal(model.readyNodes, 1);
});

test('the status bar text names the state, then the Ready nodes', () => {
  assert.equal(statusText('stopped'), '$(server-environment) Kubernetes: stopped');
  assert.equal(statusText('starting'), '$(server-environment) Kubernetes: starting');
  const three = buildTree([node('a', 'True'), node('b', 'True'), node('c', 'True')], []);
  assert.equal(statusText('running', three), '$(server-environment) Kubernetes: 3 nodes Ready');
  const degraded = buildTree([node('a', 'True'), node('b', 'Unknown'), node('c', 'True')], []);
  assert.equal(statusText('running', degraded), '$(server-environment) Kubernetes: 2/3 nodes Ready');
  assert.equal(statusText('running', buildTree([node('a', 'True')], [])), '$(server-environment) Kubernetes: 1 node Ready');
});
