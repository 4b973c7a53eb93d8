// The pod volumes the kubelet mounts (runtime/volumes.ts): contents and lifetimes per volume type.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';
import { FsError } from '../../../src/emulator/runtime/contracts.ts';
import { VolumeHost, buildPodVolumes } from '../../../src/emulator/runtime/volumes.ts';
import { tokenVolumeSource } from '../../../src/emulator/api/admission/service-account.ts';

async function setup(): Promise<{ api: APIServer; host: VolumeHost; clock: EmulatorClock }> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  return { api, host: new VolumeHost(api, clock), clock };
}

let uidSeq = 0;
function pod(spec: Obj, meta: Obj = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: `uid-${++uidSeq}`, labels: { app: 'web', tier: 'front' }, annotations: { note: 'say "hi"' }, ...meta },
    spec: { serviceAccountName: 'default', ...spec },
    status: { podIP: '10.244.0.7' },
  };
}

const c = (mounts: Obj[], extra: Obj = {}) => ({ name: 'app', image: 'busybox', volumeMounts: mounts, ...extra });

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FsError, String(e));
    return e.message;
  }
  return 'no error';
}

test('emptyDir: the same volume for the pod across container restarts, a fresh writable layer, gone with the pod', async () => {
  const { host } = await setup();
  const p = pod({ containers: [c([{ name: 'cache', mountPath: '/cache' }])], volumes: [{ name: 'cache', emptyDir: {} }] });
  const vols = buildPodVolumes(host, p, 'node-1');
  assert.deepEqual(await vols.setUp(), []);
  const fs1 = vols.containerFs(p.spec.containers[0]);
  fs1.write('/cache/x', 'kept');
  fs1.write('/tmp/scratch', 'container layer');
  // The container restarts: the kubelet keeps the pod's volumes and asks again.
  assert.equal(buildPodVolumes(host, p, 'node-1'), vols);
  vols.resetContainer('app');
  const fs2 = vols.containerFs(p.spec.containers[0]);
  assert.notEqual(fs2, fs1);
  assert.equal(fs2.read('/cache/x').toString(), 'kept');
  assert.equal(fs2.stat('/tmp/scratch'), undefined);
  // The pod goes; a pod of the same name (a new uid) starts empty.
  vols.dispose();
  assert.deepEqual(host.heldPods(), []);
  const again = pod(p.spec);
  const v2 = buildPodVolumes(host, again, 'node-1');
  await v2.setUp();
  assert.notEqual(v2, vols);
  assert.equal(v2.containerFs(again.spec.containers[0]).stat('/cache/x'), undefined);
});

test('emptyDir sizeLimit: the eviction manager message once usage passes it', async () => {
  const { host } = await setup();
  const p = pod({ containers: [c([{ name: 'd', mountPath: '/d' }])], volumes: [{ name: 'd', emptyDir: { medium: 'Memory', sizeLimit: '1Ki' } }] });
  const v = buildPodVolumes(host, p, 'n');
  await v.setUp();
  const fs = v.containerFs(p.spec.containers[0]);
  fs.write('/d/a', Buffer.alloc(1000));
  assert.equal(v.emptyDirOverLimit(), undefined);
  fs.write('/d/b', Buffer.alloc(100));
  assert.deepEqual(v.emptyDirUsage(), { d: 1100 });
  assert.equal(v.emptyDirOverLimit(), 'Usage of EmptyDir volume "d" exceeds the limit "1Ki". ');
});

test('configMap: a file per key (data and binaryData), items with paths and modes, defaultMode, read-only, updated on refresh', async () => {
  const { api, host } = await setup();
  const cms = api.resource('configmaps');
  await api.create(cms, 'default', { metadata: { name: 'cfg' }, data: { 'app.properties': 'color=blue\n', mode: 'dev' }, binaryData: { 'bin': Buffer.from([0, 1, 2]).toString('base64') } });
  const p = pod({
    containers: [c([{ name: 'all', mountPath: '/etc/config' }, { name: 'some', mountPath: '/etc/some' }])],
    volumes: [
      { name: 'all', configMap: { name: 'cfg', defaultMode: 0o400 } },
      { name: 'some', configMap: { name: 'cfg', items: [{ key: 'mode', path: 'sub/dir/mode.txt', mode: 0o600 }] } },
    ],
  });
  const v = buildPodVolumes(host, p, 'n');
  assert.deepEqual(await v.setUp(), []);
  const fs = v.containerFs(p.spec.containers[0]);
  assert.deepEqual(fs.list('/etc/config'), ['app.properties', 'bin', 'mode']);
  assert.equal(fs.read('/etc/config/app.properties').toString(), 'color=blue\n');
  assert.deepEqual([...fs.read('/etc/config/bin')], [0, 1, 2]);
  assert.equal(fs.stat('/etc/config/mode')!.mode, 0o400);
  assert.deepEqual(fs.list('/etc/some'), ['sub']);
  assert.equal(fs.read('/etc/some/sub/dir/mode.txt').toString(), 'dev');
  assert.equal(fs.stat('/etc/some/sub/dir/mode.txt')!.mode, 0o600);
  assert.equal(errCode(() => fs.write('/etc/config/new', 'x')), '/etc/config/new: Read-only file system');
  // The ConfigMap changes: a key changes, one goes, one comes.
  const cur = await api.get(cms, 'default', 'cfg');
  await api.update(cms, 'default', 'cfg', { ...cur, data: { 'app.properties': 'color=red\n', extra: 'e' }, binaryData: undefined });
  assert.equal(fs.read('/etc/config/app.properties').toString(), 'color=blue\n');
  await v.refresh();
  assert.equal(fs.read('/etc/config/app.properties').toString(), 'color=red\n');
  assert.deepEqual(fs.list('/etc/config'), ['app.properties', 'extra']);
  // The "some" volume's key went away: the old file stays (the kubelet cannot update it).
  assert.equal(fs.read('/etc/some/sub/dir/mode.txt').toString(), 'dev');
});

test('configMap and Secret changes reach mounted volumes through the informers', async () => {
  const { api, host } = await setup();
  await host.start();
  try {
    const cms = api.resource('configmaps');
    await api.create(cms, 'default', { metadata: { name: 'cfg' }, data: { k: 'v1' } });
    await api.create(api.resource('secrets'), 'default', { metadata: { name: 's' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    const p = pod({ containers: [c([{ name: 'cfg', mountPath: '/cfg' }, { name: 's', mountPath: '/s' }])], volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 's', secret: { secretName: 's' } }] });
    const v = buildPodVolumes(host, p, 'n');
    assert.deepEqual(await v.setUp(), []);
    const fs = v.containerFs(p.spec.containers[0]);
    assert.equal(fs.read('/cfg/k').toString(), 'v1');
    assert.equal(fs.read('/s/password').toString(), 'hunter2');
    assert.equal(fs.stat('/s/password')!.mode, 0o644);
    await api.patch(cms, 'default', 'cfg', 'merge', { data: { k: 'v2' } });
    for (let i = 0; i < 50 && fs.read('/cfg/k').toString() !== 'v2'; i++) await tick();
    assert.equal(fs.read('/cfg/k').toString(), 'v2');
  } finally {
    host.stop();
  }
});

test('missing ConfigMaps, Secrets and keys: the FailedMount messages; optional ones mount empty', async () => {
  const { api, host } = await setup();
  await api.create(api.resource('configmaps'), 'default', { metadata: { name: 'cfg' }, data: { a: '1' } });
  const p = pod({
    containers: [c([])],
    volumes: [
      { name: 'config', configMap: { name: 'nope' } },
      { name: 'sec', secret: { secretName: 'gone' } },
      { name: 'key', configMap: { name: 'cfg', items: [{ key: 'b', path: 'b' }] } },
      { name: 'opt', configMap: { name: 'nope', optional: true } },
      { name: 'optkey', configMap: { name: 'cfg', optional: true, items: [{ key: 'b', path: 'b' }, { key: 'a', path: 'a' }] } },
    ],
  });
  const v = buildPodVolumes(host, p, 'n');
  assert.deepEqual(await v.setUp(), [
    { volume: 'config', reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "config" : configmap "nope" not found' },
    { volume: 'sec', reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "sec" : secret "gone" not found' },
    { volume: 'key', reason: 'FailedMount', message: 'MountVolume.SetUp failed for volume "key" : configmap references non-existent config key: b' },
  ]);
  assert.equal(v.ready, false);
  assert.deepEqual(v.volume('opt')!.list('/'), []);
  assert.deepEqual(v.volume('optkey')!.list('/'), ['a']);
  // The objects appear: the retry mounts them.
  await api.create(api.resource('configmaps'), 'default', { metadata: { name: 'nope' }, data: { x: 'y' } });
  await api.create(api.resource('secrets'), 'default', { metadata: { name: 'gone' }, stringData: { t: 'z' } });
  await api.patch(api.resource('configmaps'), 'default', 'cfg', 'merge', { data: { b: '2' } });
  assert.deepEqual(await v.setUp(), []);
  assert.equal(v.ready, true);
  assert.equal(v.volume('config')!.read('/x').toString(), 'y');
  assert.equal(v.volume('sec')!.read('/t').toString(), 'z');
  assert.equal(v.volume('key')!.read('/b').toString(), '2');
});

test('downwardAPI: name, namespace, uid, labels and annotations as the kubelet formats them, resourceFieldRef, updates with the pod', async () => {
  const { api, host } = await setup();
  await api.create(api.resource('nodes'), undefined, { metadata: { name: 'n' }, status: { allocatable: { cpu: '2', memory: '4Gi' } } });
  const p = pod({
    containers: [c([{ name: 'info', mountPath: '/etc/podinfo' }], { resources: { requests: { cpu: '250m' } } })],
    volumes: [
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } },
            { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            { path: 'app', fieldRef: { fieldPath: "metadata.labels['app']" } },
            { path: 'cpu_request', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
            { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
          ],
        },
      },
    ],
  });
  const v = buildPodVolumes(host, p, 'n');
  assert.deepEqual(await v.setUp(), []);
  const fs = v.containerFs(p.spec.containers[0]);
  const r = (f: string) => fs.read('/etc/podinfo/' + f).toString();
  assert.equal(r('name'), 'p');
  assert.equal(r('ns'), 'default');
  assert.equal(r('uid'), p.metadata.uid);
  assert.equal(r('labels'), 'app="web"\ntier="front"');
  assert.equal(r('annotations'), 'note="say \\"hi\\""');
  assert.equal(r('app'), 'web');
  assert.equal(r('cpu_request'), '250');
  assert.equal(r('mem_limit'), '4096');
  v.updatePod({ ...p, metadata: { ...p.metadata, labels: { app: 'web', tier: 'back' } } });
  assert.equal(r('labels'), 'app="web"\ntier="back"');
});

test('projected kube-api-access: token, ca.crt and namespace at the ServiceAccount mount path, read-only', async () => {
  const { api, host, clock } = await setup();
  await api.create(api.resource('serviceaccounts'), 'default', { metadata: { name: 'default' } });
  await api.create(api.resource('configmaps'), 'default', { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } });
  const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
  const p = pod({ containers: [c([{ name: 'kube-api-access-abcde', mountPath, readOnly: true }])], volumes: [{ name: 'kube-api-access-abcde', projected: tokenVolumeSource() }] });
  const v = buildPodVolumes(host, p, 'node-1');
  assert.deepEqual(await v.setUp(), []);
  const fs = v.containerFs(p.spec.containers[0]);
  assert.deepEqual(fs.list(mountPath), ['ca.crt', 'namespace', 'token']);
  assert.equal(fs.read(`${mountPath}/namespace`).toString(), 'default');
  assert.match(fs.read(`${mountPath}/ca.crt`).toString(), /^-----BEGIN CERTIFICATE-----/);
  const [h, payload, sig] = fs.read(`${mountPath}/token`).toString().split('.');
  assert.equal(JSON.parse(Buffer.from(h, 'base64url').toString()).alg, 'RS256');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  assert.equal(claims.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.iat, Math.floor(clock.now() / 1000));
  assert.equal(claims['kubernetes.io'].pod.name, 'p');
  assert.ok(claims['kubernetes.io'].serviceaccount.uid);
  assert.ok(sig.length > 300);
  assert.equal(fs.stat(`${mountPath}/token`)!.mode, 0o644);
  assert.equal(errCode(() => fs.write(`${mountPath}/token`, 'x')), `${mountPath}/token: Read-only file system`);
  // Without kube-root-ca.crt the kubelet cannot mount it.
  const p2 = pod({ containers: [c([])], volumes: [{ name: 'kube-api-access-zzzzz', projected: tokenVolumeSource() }] }, { namespace: 'other' });
  assert.deepEqual((await buildPodVolumes(host, p2, 'n').setUp()).map((f) => f.message), ['MountVolume.SetUp failed for volume "kube-api-access-zzzzz" : configmap "kube-root-ca.crt" not found']);
});

test('hostPath: one file system per node, shared by its pods; type checks as the kubelet words them', async () => {
  const { host } = await setup();
  const mk = (node: string, hp: Obj) => {
    const p = pod({ containers: [c([{ name: 'h', mountPath: '/host' }])], volumes: [{ name: 'h', hostPath: hp }] });
    return { p, v: buildPodVolumes(host, p, node) };
  };
  const a = mk('node-1', { path: '/data/shared', type: 'DirectoryOrCreate' });
  assert.deepEqual(await a.v.setUp(), []);
  a.v.containerFs(a.p.spec.containers[0]).write('/host/log', 'from a');
  const b = mk('node-1', { path: '/data/shared' });
  await b.v.setUp();
  assert.equal(b.v.containerFs(b.p.spec.containers[0]).read('/host/log').toString(), 'from a');
  assert.equal(host.nodeFs('node-1').read('/data/shared/log').toString(), 'from a');
  const other = mk('node-2', { path: '/data/shared', type: 'DirectoryOrCreate' });
  await other.v.setUp();
  assert.deepEqual(other.v.containerFs(other.p.spec.containers[0]).list('/host'), []);
  const msgs = async (hp: Obj) => (await mk('node-1', hp).v.setUp()).map((f) => f.message);
  assert.deepEqual(await msgs({ path: '/nope', type: 'Directory' }), ['MountVolume.SetUp failed for volume "h" : hostPath /nope doesn\'t exist']);
  assert.deepEqual(await msgs({ path: '/data/shared/log', type: 'Directory' }), ['MountVolume.SetUp failed for volume "h" : hostPath type check failed: /data/shared/log is not a directory, it\'s a File']);
  assert.deepEqual(await msgs({ path: '/data/shared', type: 'File' }), ['MountVolume.SetUp failed for volume "h" : hostPath type check failed: /data/shared is not a file, it\'s a Directory']);
  assert.deepEqual(await msgs({ path: '/var/run/docker.sock', type: 'Socket' }), ['MountVolume.SetUp failed for volume "h" : hostPath /var/run/docker.sock doesn\'t exist']);
  assert.deepEqual(await msgs({ path: '/data/new.txt', type: 'FileOrCreate' }), []);
  assert.equal(host.nodeFs('node-1').stat('/data/new.txt')!.kind, 'file');
  // A single-file hostPath mount.
  const f = mk('node-1', { path: '/data/shared/log', type: 'File' });
  await f.v.setUp();
  assert.equal(f.v.containerFs(f.p.spec.containers[0]).read('/host').toString(), 'from a');
});

test('persistentVolumeClaim: data follows the claim to a new pod on another node and outlives pods', async () => {
  const { api, host } = await setup();
  const pvDef = api.resource('persistentvolumes');
  const pvcDef = api.resource('persistentvolumeclaims');
  const p = pod({ containers: [c([{ name: 'data', mountPath: '/data' }])], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }] });
  assert.deepEqual((await buildPodVolumes(host, p, 'n').setUp()).map((f) => f.message), [
    'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/claim: failed to fetch PVC from API server: persistentvolumeclaims "claim" not found',
  ]);
  host.release(p.metadata.uid);
  const pvc = await api.create(pvcDef, 'default', { metadata: { name: 'claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' } });
  assert.deepEqual((await buildPodVolumes(host, pod(p.spec), 'n').setUp()).map((f) => f.message), [
    'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC default/claim: PVC is not bound',
  ]);
  await api.create(pvDef, undefined, {
    metadata: { name: `pvc-${pvc.metadata.uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': 'k8s.io/minikube-hostpath' } },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/hostpath-provisioner/default/claim' }, storageClassName: 'standard' },
  });
  await api.patch(pvcDef, 'default', 'claim', 'merge', { spec: { volumeName: `pvc-${pvc.metadata.uid}` } });
  await api.patch(pvcDef, 'default', 'claim', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  const first = pod(p.spec);
  const v1 = buildPodVolumes(host, first, 'node-1');
  assert.deepEqual(await v1.setUp(), []);
  v1.containerFs(first.spec.containers[0]).write('/data/notes.txt', 'buy milk\n');
  v1.dispose();
  const second = pod(p.spec, { name: 'reader' });
  const v2 = buildPodVolumes(host, second, 'node-2');
  assert.deepEqual(await v2.setUp(), []);
  assert.equal(v2.containerFs(second.spec.containers[0]).read('/data/notes.txt').toString(), 'buy milk\n');
  assert.equal(host.pvFs(`pvc-${pvc.metadata.uid}`).read('/notes.txt').toString(), 'buy milk\n');
  // readOnly claims mount read-only.
  const ro = pod({ containers: [c([{ name: 'data', mountPath: '/data' }])], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim', readOnly: true } }] });
  const v3 = buildPodVolumes(host, ro, 'node-1');
  await v3.setUp();
  const fs3 = v3.containerFs(ro.spec.containers[0]);
  assert.equal(fs3.read('/data/notes.txt').toString(), 'buy milk\n');
  assert.equal(errCode(() => fs3.write('/data/x', 'y')), '/data/x: Read-only file system');
  // Reclaim Delete drops the data.
  host.deletePVData(await api.get(pvDef, undefined, `pvc-${pvc.metadata.uid}`));
  assert.equal(host.hasPVData(`pvc-${pvc.metadata.uid}`), false);
});

test('a hand-made hostPath PV is its node\'s directory', async () => {
  const { api, host } = await setup();
  host.nodeFs('node-1').mkdir('/mnt/data', { recursive: true });
  host.nodeFs('node-1').write('/mnt/data/index.html', 'Hello from Kubernetes storage\n');
  await api.create(api.resource('persistentvolumes'), undefined, { metadata: { name: 'task-pv-volume' }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/mnt/data' }, storageClassName: 'manual' } });
  await api.create(api.resource('persistentvolumeclaims'), 'default', { metadata: { name: 'task-pv-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '3Gi' } }, storageClassName: 'manual', volumeName: 'task-pv-volume' } });
  await api.patch(api.resource('persistentvolumeclaims'), 'default', 'task-pv-claim', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  const p = pod({ containers: [c([{ name: 'v', mountPath: '/usr/share/nginx/html' }], { image: 'nginx' })], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'task-pv-claim' } }] });
  const v = buildPodVolumes(host, p, 'node-1');
  assert.deepEqual(await v.setUp(), []);
  assert.equal(v.containerFs(p.spec.containers[0]).read('/usr/share/nginx/html/index.html').toString(), 'Hello from Kubernetes storage\n');
});

test('the container layer: /etc/hostname, kubelet-managed /etc/hosts with the pod IP, resolv.conf, image files', async () => {
  const { host } = await setup();
  const p = pod(
    { containers: [c([], { image: 'nginx:1.27' })], hostname: 'web-0', subdomain: 'web', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar.local'] }], dnsConfig: { options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
    { namespace: 'shop' },
  );
  const v = buildPodVolumes(host, p, 'n');
  await v.setUp();
  const fs = v.containerFs(p.spec.containers[0]);
  assert.equal(fs.read('/etc/hostname').toString(), 'web-0\n');
  assert.equal(
    fs.read('/etc/hosts').toString(),
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.244.0.7\tweb-0.web.shop.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n',
  );
  assert.equal(fs.read('/etc/resolv.conf').toString(), 'nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:2 edns0\n');
  assert.match(fs.read('/usr/share/nginx/html/index.html').toString(), /<h1>Welcome to nginx!<\/h1>/);
  assert.equal(fs.stat('/tmp')!.mode, 0o1777);
  // Writes outside volumes land in the container's own layer.
  fs.write('/tmp/x', 'y');
  assert.equal(fs.read('/tmp/x').toString(), 'y');
});

test('subPath: a directory made in a writable volume; a projection under a subPath does not follow updates', async () => {
  const { api, host } = await setup();
  await api.create(api.resource('configmaps'), 'default', { metadata: { name: 'nginx-conf' }, data: { 'nginx.conf': 'v1' } });
  const p = pod({
    containers: [c([{ name: 'shared', mountPath: '/var/www', subPath: 'html' }, { name: 'shared', mountPath: '/logs', subPath: 'logs' }, { name: 'conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf' }, { name: 'conf', mountPath: '/etc/conf' }])],
    volumes: [{ name: 'shared', emptyDir: {} }, { name: 'conf', configMap: { name: 'nginx-conf' } }],
  });
  const v = buildPodVolumes(host, p, 'n');
  await v.setUp();
  const fs = v.containerFs(p.spec.containers[0]);
  fs.write('/var/www/index.html', 'hi');
  assert.deepEqual(v.volume('shared')!.list('/'), ['html', 'logs']);
  assert.equal(v.volume('shared')!.read('/html/index.html').toString(), 'hi');
  assert.equal(fs.read('/etc/nginx/nginx.conf').toString(), 'v1');
  await api.patch(api.resource('configmaps'), 'default', 'nginx-conf', 'merge', { data: { 'nginx.conf': 'v2' } });
  await v.refresh();
  assert.equal(fs.read('/etc/conf/nginx.conf').toString(), 'v2');
  assert.equal(fs.read('/etc/nginx/nginx.conf').toString(), 'v1');
});
