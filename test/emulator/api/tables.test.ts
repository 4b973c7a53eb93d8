import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, tableColumns, toTable, type TableOptions } from '../../../src/emulator/api/tables.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const DAY = 24 * H;
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const opts = (apiVersion: string, kind: string, extra: Partial<TableOptions> = {}): TableOptions => ({
  includeObject: 'Metadata',
  now: NOW,
  resourceVersion: '42',
  apiVersion,
  kind,
  ...extra,
});

function cells(resource: string, apiVersion: string, kind: string, obj: any): unknown[] {
  return toTable(resource, [obj], opts(apiVersion, kind)).rows[0]!.cells;
}

const columnSummary = (resource: string, apiVersion: string): string[] =>
  tableColumns(resource, apiVersion).map((c) => `${c.name}:${c.type}:${c.priority}${c.format ? ':' + c.format : ''}`);

test('humanDuration matches duration.HumanDuration at its boundaries', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59 * S, '59s'],
    [90 * S, '90s'],
    [119 * S + 999, '119s'],
    [120 * S, '2m'],
    [123 * S, '2m3s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M, '10m'],
    [10 * M + 30 * S, '10m'],
    [179 * M + 59 * S, '179m'],
    [180 * M, '3h'],
    [3 * H + 5 * M, '3h5m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [47 * H + 59 * M, '47h'],
    [48 * H, '2d'],
    [49 * H, '2d1h'],
    [7 * DAY + 23 * H, '7d23h'],
    [8 * DAY, '8d'],
    [729 * DAY + 23 * H, '729d'],
    [730 * DAY, '2y'],
    [731 * DAY, '2y1d'],
    [8 * 365 * DAY - H, '7y364d'],
    [8 * 365 * DAY, '8y'],
    [20 * 365 * DAY + 100 * DAY, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test('table envelope and includeObject', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default', labels: { app: 'x' }, creationTimestamp: ago(5 * M) } };
  const meta = toTable('pods', [pod], opts('v1', 'Pod', { continue: 'tok' }));
  assert.equal(meta.kind, 'Table');
  assert.equal(meta.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(meta.metadata, { resourceVersion: '42', continue: 'tok' });
  assert.deepEqual(meta.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata });

  const bare = { metadata: { name: 'b' } };
  const full = toTable('pods', [bare], opts('v1', 'Pod', { includeObject: 'Object' }));
  assert.deepEqual(full.rows[0]!.object, { metadata: { name: 'b' }, apiVersion: 'v1', kind: 'Pod' });
  assert.deepEqual(toTable('pods', [pod], opts('v1', 'Pod', { includeObject: 'Object' })).rows[0]!.object, pod);

  const none = toTable('pods', [pod], opts('v1', 'Pod', { includeObject: 'None' }));
  assert.equal('object' in none.rows[0]!, false);
  assert.deepEqual(toTable('pods', [], opts('v1', 'Pod')).rows, []);
  assert.deepEqual(toTable('pods', [pod], opts('v1', 'Pod', { noHeaders: true })).columnDefinitions, []);
});

test('pod columns: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES', () => {
  assert.deepEqual(columnSummary('pods', 'v1'), [
    'Name:string:0:name',
    'Ready:string:0',
    'Status:string:0',
    'Restarts:string:0',
    'Age:string:0',
    'IP:string:1',
    'Node:string:1',
    'Nominated Node:string:1',
    'Readiness Gates:string:1',
  ]);
  for (const c of tableColumns('pods', 'v1')) assert.ok(c.description.length > 0, c.name);
});

const basePod = (status: any, spec: any = {}, metadata: any = {}): any => ({
  metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(5 * M), ...metadata },
  spec: { containers: [{ name: 'main', image: 'nginx' }], ...spec },
  status,
});

const running = { running: { startedAt: ago(4 * M) } };

test('pod rows: running, pending, waiting reasons and wide cells', () => {
  assert.deepEqual(
    cells('pods', 'v1', 'Pod', basePod(
      { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], containerStatuses: [{ name: 'main', ready: true, restartCount: 0, state: running }] },
      { nodeName: 'node-1' },
    )),
    ['web-1', '1/1', 'Running', '0', '5m', '10.244.1.5', 'node-1', '<none>', '<none>'],
  );
  assert.deepEqual(cells('pods', 'v1', 'Pod', basePod({ phase: 'Pending' })), ['web-1', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
  const pulling = basePod({
    phase: 'Pending',
    containerStatuses: [{ name: 'main', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }],
  });
  assert.deepEqual(cells('pods', 'v1', 'Pod', pulling).slice(1, 3), ['0/1', 'ImagePullBackOff']);
  const gated = basePod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(cells('pods', 'v1', 'Pod', gated)[2], 'SchedulingGated');
  const evicted = basePod({ phase: 'Failed', reason: 'Evicted' });
  assert.equal(cells('pods', 'v1', 'Pod', evicted)[2], 'Evicted');
  const noExit = basePod({ phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 137 } } }] });
  assert.equal(cells('pods', 'v1', 'Pod', noExit)[2], 'ExitCode:137');
  const signal = basePod({ phase: 'Failed', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0, signal: 9 } } }] });
  assert.equal(cells('pods', 'v1', 'Pod', signal)[2], 'Signal:9');
});

test('pod rows: init containers', () => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
  const st = (i1: any, i2: any): any => ({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', ...i1 }, { name: 'i2', ...i2 }] });
  assert.equal(cells('pods', 'v1', 'Pod', basePod(st({ state: running }, { state: { waiting: { reason: 'PodInitializing' } } }), spec))[2], 'Init:0/2');
  assert.equal(
    cells('pods', 'v1', 'Pod', basePod(st({ state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { state: running }), spec))[2],
    'Init:1/2',
  );
  assert.equal(cells('pods', 'v1', 'Pod', basePod(st({ state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 4 }, {}), spec))[2], 'Init:CrashLoopBackOff');
  assert.equal(cells('pods', 'v1', 'Pod', basePod(st({ state: { terminated: { exitCode: 1 } } }, {}), spec))[2], 'Init:ExitCode:1');
  assert.equal(cells('pods', 'v1', 'Pod', basePod(st({ state: { terminated: { exitCode: 2, reason: 'Error' } } }, {}), spec))[2], 'Init:Error');
  // Restarts of a failing init container count while the pod initializes.
  assert.equal(cells('pods', 'v1', 'Pod', basePod(st({ state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 4 }, {}), spec))[3], '4');
});

test('pod rows: sidecars count as containers', () => {
  const pod = basePod(
    {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 1, state: running }],
      containerStatuses: [{ name: 'main', ready: true, restartCount: 0, state: running }],
    },
    { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
  );
  assert.deepEqual(cells('pods', 'v1', 'Pod', pod).slice(1, 4), ['2/2', 'Running', '1']);
});

test('pod rows: completed, terminating and restart age', () => {
  const done = basePod({
    phase: 'Succeeded',
    containerStatuses: [{ name: 'main', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
  });
  const table = toTable('pods', [done], opts('v1', 'Pod'));
  assert.equal(table.rows[0]!.cells[2], 'Completed');
  assert.deepEqual(table.rows[0]!.conditions, [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  assert.equal(toTable('pods', [basePod({ phase: 'Failed' })], opts('v1', 'Pod')).rows[0]!.conditions![0]!.reason, 'Failed');
  assert.equal('conditions' in toTable('pods', [basePod({ phase: 'Running' })], opts('v1', 'Pod')).rows[0]!, false);

  const terminating = basePod({ phase: 'Running', containerStatuses: [{ name: 'main', ready: true, state: running }] }, {}, { deletionTimestamp: ago(S) });
  assert.equal(cells('pods', 'v1', 'Pod', terminating)[2], 'Terminating');
  const lost = basePod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(S) });
  assert.equal(cells('pods', 'v1', 'Pod', lost)[2], 'Unknown');
  const finished = basePod({ phase: 'Succeeded' }, {}, { deletionTimestamp: ago(S) });
  assert.equal(cells('pods', 'v1', 'Pod', finished)[2], 'Succeeded');

  const restarted = basePod({
    phase: 'Running',
    containerStatuses: [
      { name: 'main', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M + 10 * S) } } },
    ],
  });
  assert.deepEqual(cells('pods', 'v1', 'Pod', restarted).slice(1, 4), ['1/1', 'Running', '2 (5m10s ago)']);

  // One container completed while another still runs: Running if the pod is Ready, else NotReady.
  const twoSpec = { containers: [{ name: 'a' }, { name: 'b' }] };
  const mixed = (ready: string): any =>
    basePod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: ready }],
        containerStatuses: [
          { name: 'a', ready: true, state: running },
          { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
      twoSpec,
    );
  assert.deepEqual(cells('pods', 'v1', 'Pod', mixed('True')).slice(1, 3), ['1/2', 'Running']);
  assert.deepEqual(cells('pods', 'v1', 'Pod', mixed('False')).slice(1, 3), ['1/2', 'NotReady']);
});

test('pod rows: readiness gates and nominated node', () => {
  const pod = basePod(
    {
      phase: 'Running',
      nominatedNodeName: 'node-9',
      conditions: [
        { type: 'example.com/a', status: 'True' },
        { type: 'example.com/b', status: 'False' },
      ],
    },
    { readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] },
  );
  assert.deepEqual(cells('pods', 'v1', 'Pod', pod).slice(7), ['node-9', '1/2']);
});

test('nodes: status, roles, version and wide cells', () => {
  assert.deepEqual(columnSummary('nodes', 'v1'), [
    'Name:string:0:name',
    'Status:string:0',
    'Roles:string:0',
    'Age:string:0',
    'Version:string:0',
    'Internal-IP:string:1',
    'External-IP:string:1',
    'OS-Image:string:1',
    'Kernel-Version:string:1',
    'Container-Runtime:string:1',
  ]);
  const node = {
    metadata: { name: 'cp', creationTimestamp: ago(3 * DAY + 2 * H), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } },
    spec: { unschedulable: true },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True' },
      ],
      addresses: [
        { type: 'InternalIP', address: '172.18.0.2' },
        { type: 'Hostname', address: 'cp' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
    },
  };
  assert.deepEqual(cells('nodes', 'v1', 'Node', node), [
    'cp',
    'Ready,SchedulingDisabled',
    'control-plane,master',
    '3d2h',
    'v1.32.0',
    '172.18.0.2',
    '<none>',
    'Debian GNU/Linux 12 (bookworm)',
    '6.1.0',
    'containerd://1.7.0',
  ]);
  const worker = { metadata: { name: 'w', creationTimestamp: ago(M) }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(cells('nodes', 'v1', 'Node', worker), ['w', 'NotReady', '<none>', '60s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  assert.equal(cells('nodes', 'v1', 'Node', { metadata: { name: 'x' } })[1], 'Unknown');
});

test('namespaces, configmaps, secrets, leases', () => {
  assert.deepEqual(columnSummary('namespaces', 'v1'), ['Name:string:0:name', 'Status:string:0', 'Age:string:0']);
  assert.deepEqual(cells('namespaces', 'v1', 'Namespace', { metadata: { name: 'default', creationTimestamp: ago(2 * H) }, status: { phase: 'Active' } }), [
    'default',
    'Active',
    '120m',
  ]);
  assert.deepEqual(columnSummary('configmaps', 'v1'), ['Name:string:0:name', 'Data:string:0', 'Age:string:0']);
  assert.deepEqual(cells('configmaps', 'v1', 'ConfigMap', { metadata: { name: 'c', creationTimestamp: ago(10 * S) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), [
    'c',
    3,
    '10s',
  ]);
  assert.deepEqual(columnSummary('secrets', 'v1'), ['Name:string:0:name', 'Type:string:0', 'Data:string:0', 'Age:string:0']);
  assert.deepEqual(
    cells('secrets', 'v1', 'Secret', { metadata: { name: 's', creationTimestamp: ago(DAY) }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }),
    ['s', 'kubernetes.io/tls', 2, '24h'],
  );
  assert.deepEqual(cells('secrets', 'v1', 'Secret', { metadata: { name: 'o' } }), ['o', 'Opaque', 0, '<unknown>']);
  assert.deepEqual(columnSummary('leases', 'coordination.k8s.io/v1'), ['Name:string:0:name', 'Holder:string:0', 'Age:string:0']);
  assert.deepEqual(
    cells('leases', 'coordination.k8s.io/v1', 'Lease', { metadata: { name: 'node-1', creationTimestamp: ago(9 * DAY) }, spec: { holderIdentity: 'node-1' } }),
    ['node-1', 'node-1', '9d'],
  );
  assert.deepEqual(cells('leases', 'coordination.k8s.io/v1', 'Lease', { metadata: { name: 'x' }, spec: {} }).slice(1, 2), ['']);
});

test('events: columns and cells', () => {
  assert.deepEqual(columnSummary('events', 'v1'), [
    'Last Seen:string:0',
    'Type:string:0',
    'Reason:string:0',
    'Object:string:0',
    'Subobject:string:1',
    'Source:string:1',
    'Message:string:0',
    'First Seen:string:1',
    'Count:string:1',
    'Name:string:1:name',
  ]);
  const ev = {
    metadata: { name: 'web-1.17f', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{main}' },
    reason: 'Pulled',
    message: ' Successfully pulled image "nginx"\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(10 * M),
    lastTimestamp: ago(2 * M),
    count: 3,
  };
  assert.deepEqual(cells('events', 'v1', 'Event', ev), [
    '2m',
    'Normal',
    'Pulled',
    'pod/web-1',
    'spec.containers{main}',
    'kubelet, node-1',
    'Successfully pulled image "nginx"',
    '10m',
    3,
    'web-1.17f',
  ]);
  // A new-style event: eventTime only, reportingController, no count.
  const newStyle = {
    metadata: { name: 'e2' },
    involvedObject: { kind: 'Node' },
    reason: 'RegisteredNode',
    type: 'Normal',
    eventTime: new Date(NOW - 30 * S).toISOString().replace('Z', '000Z'),
    reportingComponent: 'node-controller',
    message: 'm',
  };
  assert.deepEqual(cells('events', 'v1', 'Event', newStyle), ['30s', 'Normal', 'RegisteredNode', 'node', '', 'node-controller', 'm', '30s', 1, 'e2']);
  const series = { ...ev, series: { count: 7, lastObservedTime: ago(5 * S).replace('Z', '.000000Z') } };
  const sc = cells('events', 'v1', 'Event', series);
  assert.equal(sc[0], '5s');
  assert.equal(sc[8], 7);
  // events.k8s.io/v1 uses the same printer on its own field names.
  const v1 = { metadata: { name: 'e3' }, regarding: { kind: 'Deployment', name: 'x' }, note: 'scaled', reason: 'ScalingReplicaSet', type: 'Normal', reportingController: 'deployment-controller', deprecatedFirstTimestamp: ago(H), deprecatedLastTimestamp: ago(H), deprecatedCount: 2 };
  assert.deepEqual(cells('events', 'events.k8s.io/v1', 'Event', v1), ['60m', 'Normal', 'ScalingReplicaSet', 'deployment/x', '', 'deployment-controller', 'scaled', '60m', 2, 'e3']);
});

test('services: types, ports, external IPs and selector', () => {
  assert.deepEqual(columnSummary('services', 'v1'), [
    'Name:string:0:name',
    'Type:string:0',
    'Cluster-IP:string:0',
    'External-IP:string:0',
    'Port(s):string:0',
    'Age:string:0',
    'Selector:string:1',
  ]);
  const svc = (spec: any, status: any = {}): any => ({ metadata: { name: 's', creationTimestamp: ago(M) }, spec, status });
  assert.deepEqual(cells('services', 'v1', 'Service', svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, targetPort: 8080 }], selector: { b: '2', a: '1' } })), [
    's',
    'ClusterIP',
    '10.96.0.10',
    '<none>',
    '80/TCP',
    '60s',
    'a=1,b=2',
  ]);
  assert.deepEqual(
    cells('services', 'v1', 'Service', svc({ type: 'NodePort', clusterIP: '10.96.0.11', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] })).slice(1, 5),
    ['NodePort', '10.96.0.11', '<none>', '80:30080/TCP,53/UDP'],
  );
  assert.equal(cells('services', 'v1', 'Service', svc({ type: 'LoadBalancer', ports: [] }))[3], '<pending>');
  assert.equal(
    cells('services', 'v1', 'Service', svc({ type: 'LoadBalancer', externalIPs: ['1.1.1.1'] }, { loadBalancer: { ingress: [{ ip: '2.2.2.2' }, { hostname: 'lb.example.com' }] } }))[3],
    '2.2.2.2,lb.example.com,1.1.1.1',
  );
  assert.deepEqual(cells('services', 'v1', 'Service', svc({ type: 'ExternalName', externalName: 'db.example.com' })).slice(1, 5), [
    'ExternalName',
    '<none>',
    'db.example.com',
    '<none>',
  ]);
  assert.equal(cells('services', 'v1', 'Service', svc({ clusterIP: 'None', clusterIPs: ['None'] }))[2], 'None');
  assert.equal(cells('services', 'v1', 'Service', svc({}))[6], '<none>');
});

test('deployments and replicasets', () => {
  assert.deepEqual(columnSummary('deployments', 'apps/v1'), [
    'Name:string:0:name',
    'Ready:string:0',
    'Up-to-date:string:0',
    'Available:string:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  const template = { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }, { name: 'side', image: 'busybox' }] } };
  const dep = {
    metadata: { name: 'web', creationTimestamp: ago(150 * S) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] }, template },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
  };
  assert.deepEqual(cells('deployments', 'apps/v1', 'Deployment', dep), ['web', '2/3', 3, 2, '2m30s', 'main,side', 'nginx:1.28,busybox', 'app=web,tier in (fe)']);
  assert.deepEqual(cells('deployments', 'apps/v1', 'Deployment', { metadata: { name: 'd' }, spec: {} }).slice(1, 4), ['0/1', 0, 0]);
  assert.equal(cells('deployments', 'apps/v1', 'Deployment', { metadata: { name: 'd' }, spec: { selector: {} } })[7], '');

  assert.deepEqual(columnSummary('replicasets', 'apps/v1'), [
    'Name:string:0:name',
    'Desired:integer:0',
    'Current:integer:0',
    'Ready:integer:0',
    'Age:string:0',
    'Containers:string:1',
    'Images:string:1',
    'Selector:string:1',
  ]);
  const rs = { metadata: { name: 'web-7d9', creationTimestamp: ago(H) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9' } }, template }, status: { replicas: 3, readyReplicas: 1 } };
  assert.deepEqual(cells('replicasets', 'apps/v1', 'ReplicaSet', rs), ['web-7d9', 3, 3, 1, '60m', 'main,side', 'nginx:1.28,busybox', 'app=web,pod-template-hash=7d9']);
  assert.equal(cells('replicasets', 'apps/v1', 'ReplicaSet', { metadata: { name: 'r' }, spec: { selector: {} } })[7], '<none>');
});

test('other workloads: jobs, cronjobs, daemonsets, statefulsets', () => {
  const template = { spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  const job = {
    metadata: { name: 'j', creationTimestamp: ago(10 * M) },
    spec: { completions: 3, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template },
    status: { succeeded: 3, startTime: ago(10 * M), completionTime: ago(8 * M), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(cells('jobs', 'batch/v1', 'Job', job), ['j', 'Complete', '3/3', '2m', '10m', 'c', 'busybox', 'batch.kubernetes.io/controller-uid=u']);
  const runningJob = { metadata: { name: 'r', creationTimestamp: ago(M) }, spec: { parallelism: 2, template }, status: { startTime: ago(M) } };
  assert.deepEqual(cells('jobs', 'batch/v1', 'Job', runningJob).slice(1, 4), ['Running', '0/1 of 2', '60s']);

  const cj = { metadata: { name: 'cj', creationTimestamp: ago(DAY) }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }, status: { active: [{ name: 'cj-1' }], lastScheduleTime: ago(3 * M) } };
  assert.deepEqual(cells('cronjobs', 'batch/v1', 'CronJob', cj), ['cj', '*/5 * * * *', '<none>', 'False', 1, '3m', '24h', 'c', 'busybox', '<none>']);

  const ds = {
    metadata: { name: 'ds', creationTimestamp: ago(M) },
    spec: { selector: { matchLabels: { app: 'ds' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  };
  assert.deepEqual(cells('daemonsets', 'apps/v1', 'DaemonSet', ds), ['ds', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60s', 'c', 'busybox', 'app=ds']);

  const sts = { metadata: { name: 'db', creationTimestamp: ago(M) }, spec: { replicas: 2, template }, status: { readyReplicas: 1 } };
  assert.deepEqual(cells('statefulsets', 'apps/v1', 'StatefulSet', sts), ['db', '1/2', '60s', 'c', 'busybox']);
});

test('resources without a printer use the default Name / Created At table', () => {
  assert.deepEqual(columnSummary('widgets', 'example.com/v1'), ['Name:string:0:name', 'Created At:date:0']);
  assert.deepEqual(cells('widgets', 'example.com/v1', 'Widget', { metadata: { name: 'w', creationTimestamp: '2025-05-31T10:00:00Z' } }), [
    'w',
    '2025-05-31T10:00:00Z',
  ]);
  assert.deepEqual(cells('widgets', 'example.com/v1', 'Widget', { metadata: { name: 'w' } }), ['w', '0001-01-01T00:00:00Z']);
  // The printer is chosen by group too: a custom "pods" resource is not printed as core pods.
  assert.equal(tableColumns('pods', 'example.com/v1').length, 2);
  assert.equal(tableColumns('deployments', 'apps/v1').length, 8);
});
