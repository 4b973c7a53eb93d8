// The cluster creates the `kubernetes` Service (10.96.0.1), its Endpoints and EndpointSlice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { server } from './helpers.ts';
import { kubernetesServiceObjects } from '../../../../src/emulator/api/kinds/service.ts';

test('the kubernetes Service gets 10.96.0.1 and points at the API server', async () => {
  const api = await server();
  const objs = kubernetesServiceObjects();
  const svc = await api.create(api.resource('services'), 'default', objs.service);
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 }]);
  const ep = await api.create(api.resource('endpoints'), 'default', objs.endpoints);
  assert.deepEqual(ep.subsets[0].addresses, [{ ip: '192.168.49.2' }]);
  const slice = await api.create(api.resource('endpointslices.discovery.k8s.io'), 'default', objs.endpointSlice);
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
});
