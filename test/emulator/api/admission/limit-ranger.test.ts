// LimitRanger: defaults with the kubernetes.io/limit-ranger annotation; min, max, ratio, Pod and PVC limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantity } from '../../../../src/emulator/api/quantity.ts';
import { cluster, pod, rejects } from './helpers.ts';

test('quantities print in canonical form and add exactly', () => {
  const s = (q: string) => Quantity.parse(q).toString();
  assert.deepEqual(['100m', '0.1', '1000m', '1500m', '1.5', '1024Mi', '1536Mi', '1.5Gi', '1000', '1e3', '512', '0', '128974848'].map(s), [
    '100m', '100m', '1', '1500m', '1500m', '1Gi', '1536Mi', '1536Mi', '1k', '1e3', '512', '0', '128974848',
  ]);
  assert.equal(Quantity.parse('500m').add(Quantity.parse('1')).toString(), '1500m');
  assert.equal(Quantity.zero().add(Quantity.parse('128Mi')).add(Quantity.parse('256Mi')).toString(), '384Mi');
  assert.equal(Quantity.parse('100m').cmp(Quantity.parse('0.1')), 0);
});

test('Container defaults and defaultRequest are injected and annotated', async () => {
  const c = await cluster();
  try {
    await c.api.create(c.api.resource('limitranges'), 'default', {
      metadata: { name: 'lr' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '250m', memory: '128Mi' } }] },
    });
    const p = await c.api.create(c.api.resource('pods'), 'default', pod('x'));
    assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi' } });
    assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx');
    assert.equal(p.status.qosClass, 'Burstable');
    // What the container states is kept; limits copied to requests by defaulting come first.
    const q = await c.api.create(c.api.resource('pods'), 'default', pod('y', { resources: { limits: { cpu: '400m' } } }));
    assert.deepEqual(q.spec.containers[0].resources, { limits: { cpu: '400m', memory: '256Mi' }, requests: { cpu: '400m', memory: '128Mi' } });
    assert.equal(q.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: memory request for container nginx; memory limit for container nginx');
  } finally {
    await c.stop();
  }
});

test('min, max and maxLimitRequestRatio per Container: 403 with every violation', async () => {
  const c = await cluster();
  try {
    await c.api.create(c.api.resource('limitranges'), 'default', {
      metadata: { name: 'lr' },
      spec: { limits: [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1', memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } }] },
    });
    const pods = c.api.resource('pods');
    await rejects(
      c.api.create(pods, 'default', pod('x', { resources: { requests: { cpu: '50m' }, limits: { cpu: '2', memory: '2Gi' } } })),
      403,
      'pods "x" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi, cpu max limit to request ratio per Container is 2, but provided ratio is 40.000000]',
    );
    await rejects(
      c.api.create(pods, 'default', pod('y', { resources: { requests: { cpu: '200m', memory: '1' }, limits: { cpu: '1' } } })),
      403,
      // memory: the limit defaults to max (LimitRange defaulting), so only the ratio fails.
      'pods "y" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
    );
    // The LimitRange's defaults (default = max, defaultRequest = default) make a bare pod fit.
    const ok = await c.api.create(pods, 'default', pod('z', { resources: { requests: { cpu: '600m' } } }));
    assert.deepEqual(ok.spec.containers[0].resources.limits, { cpu: '1', memory: '1Gi' });
  } finally {
    await c.stop();
  }
});

test('Pod limits sum the containers; PVC storage min and max', async () => {
  const c = await cluster();
  try {
    await c.api.create(c.api.resource('limitranges'), 'default', {
      metadata: { name: 'lr' },
      spec: {
        limits: [
          { type: 'Pod', max: { memory: '1Gi' } },
          { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
        ],
      },
    });
    const two = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', image: 'nginx', resources: { limits: { memory: '768Mi' } } },
          { name: 'b', image: 'nginx', resources: { limits: { memory: '512Mi' } } },
        ],
      },
    };
    await rejects(c.api.create(c.api.resource('pods'), 'default', two), 403, 'pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1280Mi');
    const pvcs = c.api.resource('persistentvolumeclaims');
    const pvc = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    await rejects(c.api.create(pvcs, 'default', pvc('small', '500Mi')), 403, 'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
    await rejects(c.api.create(pvcs, 'default', pvc('big', '20Gi')), 403, 'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi');
    assert.ok(await c.api.create(pvcs, 'default', pvc('fine', '5Gi')));
  } finally {
    await c.stop();
  }
});
