// Printers for the kinds added with issue 4 (pkg/printers/internalversion/printers.go, v1.32).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tableColumns, toTable } from '../../../../src/emulator/api/tables.ts';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, creationTimestamp: '2025-01-01T00:00:00Z', ...extra });

function cells(resource: string, apiVersion: string, obj: Record<string, unknown>): unknown[] {
  return toTable(resource, [obj], { includeObject: 'None', now: NOW, resourceVersion: '1', apiVersion, kind: 'X' }).rows[0]!.cells;
}

const names = (resource: string, apiVersion: string) => tableColumns(resource, apiVersion).map((c) => (c.priority ? `${c.name}*` : c.name));

test('PV and PVC: access modes, claim, class, volume attributes class, wide volume mode', () => {
  assert.deepEqual(names('persistentvolumes', 'v1'), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode*']);
  assert.deepEqual(
    cells('persistentvolumes', 'v1', {
      metadata: meta('pv1'),
      spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'fast', volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    }),
    ['pv1', '5Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'fast', '<unset>', '', '10m', 'Filesystem'],
  );
  assert.deepEqual(names('persistentvolumeclaims', 'v1'), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']);
  assert.deepEqual(
    cells('persistentvolumeclaims', 'v1', { metadata: meta('data'), spec: { volumeName: 'pv1', accessModes: ['ReadWriteOnce'] }, status: { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'] } }),
    ['data', 'Bound', 'pv1', '5Gi', 'RWO', '', '<unset>', '10m', '<unset>'],
  );
});

test('ResourceQuota splits requests and limits; HPA targets; PDB; StorageClass default', () => {
  assert.deepEqual(
    cells('resourcequotas', 'v1', { metadata: meta('q'), spec: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' } }, status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' }, used: { pods: '3' } } }),
    ['q', '10m', 'pods: 3/10, requests.cpu: 0/1', 'limits.cpu: 0/2'],
  );
  const hpa = {
    metadata: meta('web'),
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] },
  };
  assert.deepEqual(cells('horizontalpodautoscalers', 'autoscaling/v2', hpa), ['web', 'Deployment/web', 'cpu: 12%/50%', '2', 5, 2, '10m']);
  assert.deepEqual(
    cells('horizontalpodautoscalers', 'autoscaling/v1', { metadata: meta('old'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3, targetCPUUtilizationPercentage: 80 }, status: {} })[2],
    'cpu: <unknown>/80%',
  );
  assert.deepEqual(cells('poddisruptionbudgets', 'policy/v1', { metadata: meta('p'), spec: { maxUnavailable: '25%' }, status: { disruptionsAllowed: 1 } }), ['p', 'N/A', '25%', 1, '10m']);
  assert.deepEqual(
    cells('storageclasses', 'storage.k8s.io/v1', { metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'k8s.io/minikube-hostpath' }),
    ['standard (default)', 'k8s.io/minikube-hostpath', 'Delete', 'Immediate', false, '10m'],
  );
});

test('Ingress, NetworkPolicy, EndpointSlice, ControllerRevision, Scale', () => {
  assert.deepEqual(
    cells('ingresses', 'networking.k8s.io/v1', {
      metadata: meta('web'),
      spec: { ingressClassName: 'nginx', tls: [{}], rules: [{ host: 'a.com' }, { host: 'b.com' }, { host: 'c.com' }, { host: 'd.com' }] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.49.2' }] } },
    }),
    ['web', 'nginx', 'a.com,b.com,c.com + 1 more...', '192.168.49.2', '80, 443', '10m'],
  );
  assert.deepEqual(cells('networkpolicies', 'networking.k8s.io/v1', { metadata: meta('np'), spec: { podSelector: { matchLabels: { app: 'db' } } } }), ['np', 'app=db', '10m']);
  assert.deepEqual(
    cells('endpointslices', 'discovery.k8s.io/v1', {
      metadata: meta('web-abc'),
      addressType: 'IPv4',
      ports: [{ port: 80 }, { port: 443 }],
      endpoints: [{ addresses: ['10.244.0.5'] }, { addresses: ['10.244.0.6'] }, { addresses: ['10.244.0.7'] }, { addresses: ['10.244.0.8'] }],
    }),
    ['web-abc', 'IPv4', '80,443', '10.244.0.5,10.244.0.6,10.244.0.7 + 1 more...', '10m'],
  );
  assert.deepEqual(
    cells('controllerrevisions', 'apps/v1', { metadata: meta('db-7d4', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }] }), revision: 2 }),
    ['db-7d4', 'statefulset.apps/db', 2, '10m'],
  );
  assert.deepEqual(cells('scale', 'autoscaling/v1', { metadata: meta('web'), spec: { replicas: 3 }, status: { replicas: 1, selector: 'app=web' } }), ['web', 3, 1]);
});
