// DaemonSets and StatefulSets through the real kubectl: a daemon pod per node, a StatefulSet's
// ordered pods and claims, and `kubectl rollout status | history | undo`, which read the
// controllers' status and ControllerRevisions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, kubectlServer, type KubectlServer } from './helpers.ts';

let k: KubectlServer;
kubectlServer('kubectl-ds-sts', 2, (s) => (k = s));
const kubectl = (...args: string[]) => k.kubectl(...args);

function rows(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

test('DaemonSet: a pod per node, rollout status, set image, history and undo', async () => {
  const ds = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "nginx:1.27"}]
`;
  let r = await k.kubectlIn(ds, 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'daemonset.apps/agent created');
  r = await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /daemon set "agent" successfully rolled out\n$/);
  r = await kubectl('get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}');
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['kube-emulator', 'kube-emulator-m02']);
  r = await kubectl('get', 'ds', 'agent');
  const [head, row] = rows(r.stdout);
  assert.deepEqual(head, ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
  assert.deepEqual(row.slice(0, 7), ['agent', '2', '2', '2', '2', '2', '<none>']);

  r = await kubectl('set', 'image', 'daemonset/agent', 'agent=nginx:1.26');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /daemon set "agent" successfully rolled out\n$/);
  r = await kubectl('rollout', 'history', 'daemonset/agent');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(rows(r.stdout), [['daemonset.apps/agent'], ['REVISION', 'CHANGE-CAUSE'], ['1', '<none>'], ['2', '<none>']]);
  r = await kubectl('rollout', 'history', 'daemonset/agent', '--revision=1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Image:\s+nginx:1\.27/);

  r = await kubectl('rollout', 'undo', 'daemonset/agent');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'daemonset.apps/agent rolled back');
  r = await kubectl('rollout', 'status', 'daemonset/agent', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => {
    const p = await kubectl('get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
    return p.stdout.trim() === 'nginx:1.27 nginx:1.27';
  }, 50_000, 'pods back on nginx:1.27');
  r = await kubectl('rollout', 'history', 'daemonset/agent');
  assert.deepEqual(rows(r.stdout).slice(2), [['2', '<none>'], ['3', '<none>']]);
  r = await kubectl('get', 'controllerrevisions', '-l', 'app=agent', '-o', 'name');
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

test('StatefulSet: ordered pods with claims, rollout status, history and undo', async () => {
  const sts = `apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: "nginx:1.27"
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;
  let r = await k.kubectlIn(sts, 'apply', '-f', '-');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('rollout', 'status', 'statefulset/web', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  // kubectl: a RollingUpdate with a (defaulted) partition reports a partitioned roll out.
  assert.match(r.stdout, /partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/, JSON.stringify(r.stdout));
  r = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'name');
  assert.deepEqual(r.stdout.trim().split('\n'), ['pod/web-0', 'pod/web-1']);
  r = await kubectl('get', 'pvc', '-o', 'custom-columns=NAME:.metadata.name,STATUS:.status.phase', '--no-headers');
  assert.deepEqual(rows(r.stdout).filter((x) => x[0].startsWith('www-')), [['www-web-0', 'Bound'], ['www-web-1', 'Bound']]);
  r = await kubectl('get', 'sts', 'web');
  assert.deepEqual(rows(r.stdout)[1].slice(0, 2), ['web', '2/2']);

  r = await kubectl('set', 'image', 'statefulset/web', 'nginx=nginx:1.26');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('rollout', 'status', 'statefulset/web', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  // kubectl: a RollingUpdate with a (defaulted) partition reports a partitioned roll out.
  assert.match(r.stdout, /partitioned roll out complete: 2 new pods have been updated\.\.\.\n$/, JSON.stringify(r.stdout));
  r = await kubectl('rollout', 'history', 'statefulset/web');
  assert.deepEqual(rows(r.stdout), [['statefulset.apps/web'], ['REVISION', 'CHANGE-CAUSE'], ['1', '<none>'], ['2', '<none>']]);
  r = await kubectl('rollout', 'undo', 'statefulset/web', '--to-revision=1');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'statefulset.apps/web rolled back');
  r = await kubectl('rollout', 'status', 'statefulset/web', '--timeout=50s');
  assert.equal(r.code, 0, r.stderr);
  r = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}');
  assert.equal(r.stdout.trim(), 'nginx:1.27 nginx:1.27');
  r = await kubectl('rollout', 'history', 'statefulset/web');
  assert.deepEqual(rows(r.stdout).slice(2), [['2', '<none>'], ['3', '<none>']]);
});
