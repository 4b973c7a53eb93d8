// The client of a kubeconfig context (the target picker's), made without touching the loaded config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { clientForContext } from '../../src/extension/client.ts';

const yaml = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: 'https://a.example:6443' }
- name: b
  cluster: { server: 'https://b.example:6443' }
users:
- name: u
  user: { token: t }
contexts:
- name: ctx-a
  context: { cluster: a, user: u, namespace: shop }
- name: ctx-b
  context: { cluster: b, user: u }
current-context: ctx-a
`;

test('a context\'s client uses that context\'s server and namespace; the loaded config keeps its current context', () => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  const b = clientForContext(kc, 'ctx-b');
  assert.equal(b.namespace, 'default');
  assert.equal((b as any).configuration.baseServer.makeRequestContext('/api', 'GET').getUrl(), 'https://b.example:6443/api');
  const a = clientForContext(kc, 'ctx-a');
  assert.equal(a.namespace, 'shop');
  assert.equal(kc.getCurrentContext(), 'ctx-a');
  assert.throws(() => clientForContext(kc, 'nope'), /context "nope" does not exist/);
});
