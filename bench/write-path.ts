// What one pod costs the apiserver (issue 5): the ten writes that take a pod from created to
// Running, each timed apart in-process, on a cluster with every controller and informer of the
// whole path watching (so each write pays its validation, admission, managed fields, store and
// watch fan-out, as it does in bench/cluster-scale.ts). The writes are those of Kubernetes itself:
//   1 create (the client), 1 pods/binding and 1 event "Scheduled" (kube-scheduler),
//   3 status updates (the kubelet's status manager: ContainerCreating with the pod's conditions,
//     then the sandbox's IP, then Running and Ready: pkg/kubelet/status/status_manager.go writes
//     each change), 4 events Pulling, Pulled, Created, Started (pkg/kubelet/kuberuntime).
// The last rows add them up per pod (wall time, and CPU time, which compares better on a shared
// machine but counts V8's parallel GC threads too) and set that against the whole-path goal: 150,000 pods in 60 s is 400 µs per pod for everything, the
// writes, the scheduler and the kubelets included.
//
// `node --expose-gc --max-semi-space-size=32 --import tsx bench/write-path.ts [pods]` runs it alone.

import { pathToFileURL } from 'node:url';
import { createCluster } from '../src/emulator/cluster.ts';
import { EmulatorClock } from '../src/emulator/clock.ts';
import { rfc3339, type Obj } from '../src/emulator/api/objects.ts';
import { table } from './lib/table.ts';

/** The 150,000-pod goal in µs per pod: 60 s of wall time. */
const BUDGET_US = (60 * 1e6) / 150_000;

export async function writePath(pods = 10_000): Promise<(string | number)[][]> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const c = await createCluster({ nodes: 1, clock, noHttp: true });
  await c.advanceClock(1_000);
  const podsDef = c.api.resource('pods');
  const eventsDef = c.api.resource('events');
  // A node no kubelet runs, and pods only this benchmark binds: nothing else writes to them.
  const node = 'bench-node';
  const kubelet = c.api.as('bench-kubelet');
  const now = rfc3339(clock.now());
  const rows: (string | number)[][] = [];
  const perPod: number[] = [];
  const perPodWall: number[] = [];
  const time = async (what: string, writesPerPod: number, op: (i: number) => Promise<unknown>) => {
    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < pods; i++) await op(i);
    const us = ((performance.now() - t0) * 1000) / pods;
    const cpu = process.cpuUsage(cpu0);
    const cpuUs = (cpu.user + cpu.system) / pods;
    perPod.push(cpuUs * writesPerPod);
    perPodWall.push(us * writesPerPod);
    rows.push([what, writesPerPod, us.toFixed(1), cpuUs.toFixed(1), (us * writesPerPod).toFixed(0), (cpuUs * writesPerPod).toFixed(0)]);
  };
  await time('pod create (nginx, requests; admission: service account, tolerations, priority)', 1, (i) =>
    c.api.create(podsDef, 'default', {
      metadata: { name: `p-${i}`, labels: { app: `app-${i % 50}` } },
      spec: { schedulerName: 'bench', containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    }),
  );
  await time('pods/binding', 1, async (i) => {
    const pod = await c.api.get(podsDef, 'default', `p-${i}`);
    return c.api.as('kube-scheduler').bind('default', `p-${i}`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: `p-${i}`, namespace: 'default', uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
  });
  const container = (state: Obj, ready: boolean): Obj => ({ name: 'c', image: 'nginx:1.27', imageID: ready ? 'docker.io/library/nginx@sha256:0a1b' : '', containerID: ready ? 'containerd://0a1b' : undefined, ready, restartCount: 0, started: ready, state, lastState: {} });
  const condition = (type: string, status: string): Obj => ({ type, status, lastProbeTime: null, lastTransitionTime: now });
  const status = (pod: Obj, step: number): Obj => {
    const ip = step > 0 ? { podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }] } : {};
    const running = step > 1;
    return {
      ...pod.status,
      phase: running ? 'Running' : 'Pending',
      hostIP: '192.168.49.3',
      hostIPs: [{ ip: '192.168.49.3' }],
      ...ip,
      startTime: now,
      qosClass: 'Burstable',
      conditions: [condition('PodReadyToStartContainers', step > 0 ? 'True' : 'False'), condition('Initialized', 'True'), condition('Ready', running ? 'True' : 'False'), condition('ContainersReady', running ? 'True' : 'False'), condition('PodScheduled', 'True')],
      containerStatuses: [container(running ? { running: { startedAt: now } } : { waiting: { reason: 'ContainerCreating' } }, running)],
    };
  };
  for (const [step, what] of ['status: Pending, ContainerCreating', 'status: the sandbox IP', 'status: Running, Ready'].entries()) {
    await time(what, 1, async (i) => {
      const pod = await c.api.get(podsDef, 'default', `p-${i}`);
      return kubelet.update(podsDef, 'default', `p-${i}`, { ...pod, status: status(pod, step) }, { subresource: 'status' });
    });
  }
  const event = (i: number, reason: string, message: string): Obj => ({
    metadata: { name: `p-${i}.${(clock.now() * 1000 + i).toString(16)}${reason.length}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: `p-${i}`, uid: `uid-${i}`, apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
    reason,
    message,
    source: { component: 'kubelet', host: node },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
    type: 'Normal',
    reportingComponent: 'kubelet',
    reportingInstance: node,
  });
  await time('event (Scheduled, Pulling, Pulled, Created, Started)', 5, (i) => kubelet.create(eventsDef, 'default', event(i, 'Pulled', 'Container image "nginx:1.27" already present on machine')));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  rows.push(['all ten writes of one pod', 10, '', '', sum(perPodWall).toFixed(0), sum(perPod).toFixed(0)]);
  rows.push([`the whole-path goal per pod (60 s / 150,000 pods), for everything`, '', '', '', BUDGET_US.toFixed(0), '']);
  await c.stop();
  clock.dispose();
  return rows;
}

export async function writePathBench(pods = 10_000): Promise<void> {
  table(
    `The apiserver's writes of one pod, created → Running (${pods} pods, in-process, the whole path's controllers and informers watching)`,
    ['write', 'per pod', 'µs each (wall)', 'CPU µs each', 'µs per pod (wall)', 'CPU µs per pod'],
    await writePath(pods),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writePathBench(Number(process.argv[2] ?? 10_000));
}
