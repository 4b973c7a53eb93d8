// core/v1 Services, ConfigMaps, Secrets, PVs, PVCs, quotas and limit ranges: defaulting and
// validation messages (pkg/apis/core/v1/defaults.go, pkg/apis/core/validation/validation.go).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../src/emulator/api/errors.ts';
import { rejects422, server } from './helpers.ts';

test('a Service gets ClusterIP defaults, a cluster IP from 10.96.0.0/12 and node ports from 30000-32767', async () => {
  const api = await server();
  const def = api.resource('services');
  const s = await api.create(def, 'default', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  assert.equal(s.spec.type, 'ClusterIP');
  assert.equal(s.spec.sessionAffinity, 'None');
  assert.equal(s.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(s.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
  const [a, b] = s.spec.clusterIP.split('.').map(Number);
  assert.ok(a === 10 && b >= 96 && b <= 111, s.spec.clusterIP);
  assert.notEqual(s.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
  assert.deepEqual(s.status, { loadBalancer: {} });
  const np = await api.create(def, 'default', { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } });
  assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767);
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  // An update without the allocated values keeps them.
  const { clusterIP: _c, clusterIPs: _cs, ...rest } = np.spec;
  const up = await api.update(def, 'default', 'np', { ...np, spec: { ...rest, ports: [{ port: 80, targetPort: 'http' }] } });
  assert.equal(up.spec.clusterIP, np.spec.clusterIP);
  assert.equal(up.spec.ports[0].nodePort, np.spec.ports[0].nodePort);
});

test('Service validation messages', async () => {
  const api = await server();
  const def = api.resource('services');
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { ports: [{ name: 'http', port: 80 }, { name: 'http', port: 443 }] } }),
    'Service "bad" is invalid: spec.ports[1].name: Duplicate value: "http"',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } }),
    'Service "bad" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive]',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { ports: [{ port: 80, nodePort: 30080 }] } }),
    "Service \"bad\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] } }),
    'Service "bad" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { ports: [{ port: 80 }, { port: 81 }] } }),
    'Service "bad" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } }),
    "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, spec: { type: 'Magic', ports: [{ port: 80 }] } }),
    'Service "bad" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  );
  await rejects422(api.create(def, 'default', { metadata: { name: 'bad' }, spec: {} }), 'Service "bad" is invalid: spec.ports: Required value');
});

test('Secrets: type Opaque, stringData merged into base64 data, key names, field selector on type', async () => {
  const api = await server();
  const def = api.resource('secrets');
  const s = await api.create(def, 'default', { metadata: { name: 's' }, data: { a: Buffer.from('x').toString('base64') }, stringData: { b: 'hello', a: 'y' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { a: 'eQ==', b: 'aGVsbG8=' });
  assert.equal(s.stringData, undefined);
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, stringData: { 'a b': 'x' } }),
    "Secret \"bad\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: {} }),
    'Secret "tls" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
  );
  await assert.rejects(api.create(def, 'default', { metadata: { name: 'b64' }, data: { a: 'not base64!' } }), (e: ApiError) => e.code === 400 && /illegal base64 data at input byte 3/.test(e.message));
  const opaque = await api.list(def, 'default', { fieldSelector: 'type=Opaque' });
  assert.deepEqual(opaque.items.map((o) => o.metadata.name), ['s']);
  const imm = await api.create(def, 'default', { metadata: { name: 'imm' }, immutable: true, stringData: { a: '1' } });
  await rejects422(api.update(def, 'default', 'imm', { ...imm, data: { a: 'Mg==' } }), 'Secret "imm" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  await rejects422(api.update(def, 'default', 's', { ...s, type: 'kubernetes.io/basic-auth', data: { username: 'dQ==' } }), 'Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable');
});

test('ConfigMaps: key names and duplicates between data and binaryData', async () => {
  const api = await server();
  const def = api.resource('configmaps');
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'bad' }, data: { k: 'v' }, binaryData: { k: 'dg==' } }),
    'ConfigMap "bad" is invalid: [data[k]: Invalid value: "k": duplicate of key present in binaryData, binaryData[k]: Invalid value: "k": duplicate of key present in data]',
  );
  await rejects422(api.create(def, 'default', { metadata: { name: 'bad' }, data: { '..x': 'v' } }), 'ConfigMap "bad" is invalid: data[..x]: Invalid value: "..x": must not start with \'..\'');
});

test('PVCs and PVs: defaults, required access modes and storage', async () => {
  const api = await server();
  const pvc = await api.create(api.resource('persistentvolumeclaims'), 'default', {
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.deepEqual(pvc.status, { phase: 'Pending' });
  await rejects422(
    api.create(api.resource('persistentvolumeclaims'), 'default', { metadata: { name: 'bad' }, spec: {} }),
    'PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]',
  );
  await rejects422(
    api.create(api.resource('persistentvolumeclaims'), 'default', { metadata: { name: 'bad' }, spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: 'lots' } } } }),
    'PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod", spec.resources.requests[storage]: Invalid value: "lots": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\']',
  );
  await rejects422(
    api.update(api.resource('persistentvolumeclaims'), 'default', 'data', { ...pvc, spec: { ...pvc.spec, accessModes: ['ReadWriteMany'] } }),
    'PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  );
  const pv = await api.create(api.resource('persistentvolumes'), undefined, {
    metadata: { name: 'pv1' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } },
  });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.deepEqual(pv.status, { phase: 'Pending' });
  await rejects422(
    api.create(api.resource('persistentvolumes'), undefined, { metadata: { name: 'bad' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }),
    'PersistentVolume "bad" is invalid: spec: Required value: must specify a volume type',
  );
});

test('ResourceQuota and LimitRange: quantities and Container defaults', async () => {
  const api = await server();
  await rejects422(
    api.create(api.resource('resourcequotas'), 'default', { metadata: { name: 'q' }, spec: { hard: { cpu: 'many' } } }),
    "ResourceQuota \"q\" is invalid: spec.hard[cpu]: Invalid value: \"many\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  );
  const lr = await api.create(api.resource('limitranges'), 'default', { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, default: { memory: '128Mi' } }] } });
  assert.deepEqual(lr.spec.limits[0].default, { memory: '128Mi', cpu: '1' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { memory: '128Mi', cpu: '1' });
});

test('Services: field selectors on spec.clusterIP and spec.type; an oversized Secret', async () => {
  const api = await server();
  const def = api.resource('services');
  await api.create(def, 'default', { metadata: { name: 'headless' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } });
  await api.create(def, 'default', { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  const notHeadless = await api.list(def, 'default', { fieldSelector: 'spec.clusterIP!=None' });
  assert.deepEqual(notHeadless.items.map((s) => s.metadata.name), ['np']);
  const nodePorts = await api.list(def, 'default', { fieldSelector: 'spec.type=NodePort' });
  assert.deepEqual(nodePorts.items.map((s) => s.metadata.name), ['np']);
  await rejects422(
    api.create(api.resource('secrets'), 'default', { metadata: { name: 'big' }, stringData: { a: 'x'.repeat(1024 * 1024 + 1) } }),
    'Secret "big" is invalid: data: Too long: may not be more than 1048576 bytes',
  );
});

test('Services: a cluster IP or node port in use is refused; free ones are picked around them', async () => {
  const api = await server();
  const def = api.resource('services');
  const a = await api.create(def, 'default', { metadata: { name: 'a' }, spec: { type: 'NodePort', clusterIP: '10.96.5.5', ports: [{ port: 80, nodePort: 30080 }] } });
  assert.equal(a.spec.clusterIP, '10.96.5.5');
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'b' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } }),
    'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  await rejects422(
    api.create(def, 'default', { metadata: { name: 'c' }, spec: { clusterIP: '10.96.5.5', ports: [{ port: 80 }] } }),
    'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.5.5"}: failed to allocate IP 10.96.5.5: provided IP is already allocated',
  );
  const many = [];
  for (let i = 0; i < 20; i++) many.push(await api.create(def, 'default', { metadata: { name: `s${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }));
  const ports = new Set(many.map((s) => s.spec.ports[0].nodePort));
  const ips = new Set(many.map((s) => s.spec.clusterIP));
  assert.equal(ports.size, 20);
  assert.equal(ips.size, 20);
  assert.ok(!ports.has(30080));
});

test('Services: changing the type drops what the old type allocated (dropTypeDependentFields)', async () => {
  const api = await server();
  const def = api.resource('services');
  const np = await api.create(def, 'default', { metadata: { name: 'np' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  // What `kubectl apply` sends after `type: NodePort` became `type: ClusterIP`: the live object with the new type.
  const cip = await api.update(def, 'default', 'np', { ...np, spec: { ...np.spec, type: 'ClusterIP' } });
  assert.equal(cip.spec.type, 'ClusterIP');
  assert.equal(cip.spec.ports[0].nodePort, undefined);
  assert.equal(cip.spec.externalTrafficPolicy, undefined);
  assert.equal(cip.spec.clusterIP, np.spec.clusterIP);
  const ext = await api.update(def, 'default', 'np', { ...cip, spec: { ...cip.spec, type: 'ExternalName', externalName: 'db.example.com' } });
  assert.equal(ext.spec.clusterIP, undefined);
  assert.equal(ext.spec.clusterIPs, undefined);
  const back = await api.update(def, 'default', 'np', { ...ext, spec: { ...ext.spec, type: 'NodePort', externalName: undefined } });
  assert.match(back.spec.clusterIP, /^10\./);
  assert.ok(back.spec.ports[0].nodePort >= 30000);
});
