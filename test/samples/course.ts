// The course's samples (samples/<step>/) replayed as a learner replays them: the real kubectl
// against an in-process emulated cluster on a manual clock, `kube-emulator node stop` and `clock
// advance` through the Cluster itself. Shared by test/samples/course.test.ts (each step's promised
// outcome) and test/extension/walkthrough-steps.test.ts (each walkthrough step completes from the
// cluster state the step leaves).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../src/emulator/clock.ts';
import type { Obj } from '../../src/emulator/api/objects.ts';
import { parseQuantity } from '../../src/emulator/api/quantity.ts';
import { kubectlPath, tempDir } from '../e2e/helpers.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SAMPLES = join(ROOT, 'samples');

/** The path of a sample folder or file, relative to the repository (as the READMEs write it). */
export function sample(step: string, file?: string): string {
  return file ? `samples/${step}/${file}` : `samples/${step}/`;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Course {
  c: Cluster;
  kubeconfig: string;
  /** The stderr of every kubectl run that failed, in order (the walkthrough records apply failures). */
  failures: string[];
  /**
   * The real kubectl, run in the repository folder. With `pump`, the emulated clock moves 1 s per
   * 10 ms of wall time while kubectl runs (for commands that wait: delete, rollout status).
   */
  kubectl(args: string[], opts?: { pump?: boolean }): Promise<Run>;
  /** kubectl that must succeed: its stdout. */
  ok(...args: string[]): Promise<string>;
  advance(ms: number): Promise<void>;
  /** Advances the clock by `stepMs` until `fn` holds (at most `maxMs` of emulated time). */
  until<T>(what: string, fn: () => Promise<T | undefined | false>, maxMs?: number, stepMs?: number): Promise<T>;
  pods(namespace?: string, selector?: string): Promise<Obj[]>;
  get(resource: string, namespace: string | undefined, name: string): Promise<Obj | undefined>;
  list(resource: string, namespace?: string, selector?: string): Promise<Obj[]>;
  stop(): Promise<void>;
}

export async function startCourse(nodes = 3, start = Date.parse('2026-03-02T09:00:00Z')): Promise<Course> {
  const clock = new EmulatorClock({ mode: 'manual', start });
  const c = await createCluster({ nodes, clock });
  const kubeconfig = join(tempDir('course'), 'kubeconfig');
  writeFileSync(kubeconfig, c.kubeconfigYaml());
  const bin = kubectlPath();
  const failures: string[] = [];
  const kubectl = (args: string[], opts: { pump?: boolean } = {}): Promise<Run> =>
    new Promise((done) => {
      let running = true;
      execFile(bin, ['--kubeconfig', kubeconfig, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
        running = false;
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        if (code !== 0) failures.push(stderr);
        done({ code, stdout, stderr });
      });
      if (opts.pump) {
        void (async () => {
          while (running) {
            await new Promise((r) => setTimeout(r, 10));
            if (running) await c.advanceClock(1000);
          }
        })();
      }
    });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const res = (name: string) => c.api.resource(name);
  const course: Course = {
    c,
    kubeconfig,
    failures,
    kubectl,
    ok,
    advance: (ms) => c.advanceClock(ms),
    async until(what, fn, maxMs = 10 * 60_000, stepMs = 1000) {
      for (let t = 0; ; t += stepMs) {
        const v = await fn();
        if (v) return v;
        if (t >= maxMs) assert.fail(`${what}: not within ${maxMs / 1000} s of emulated time`);
        await c.advanceClock(stepMs);
      }
    },
    async pods(namespace = 'default', selector) {
      return (await c.api.list(res('pods'), namespace, selector ? { labelSelector: selector } : {})).items;
    },
    get: (resource, namespace, name) => c.api.tryGet(res(resource), namespace, name),
    async list(resource, namespace, selector) {
      return (await c.api.list(res(resource), namespace, selector ? { labelSelector: selector } : {})).items;
    },
    async stop() {
      await c.stop();
      clock.dispose();
    },
  };
  return course;
}

export const isReady = (p: Obj): boolean =>
  p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');

/** A Deployment whose rollout is complete: every replica updated, available, none old. */
export function rolledOut(d: Obj | undefined): boolean {
  const s = d?.status ?? {};
  const want = d?.spec?.replicas ?? 1;
  return !!d && s.observedGeneration >= d.metadata.generation && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
}

/** One step of the course: what the learner does (the sample's README), with the outcome checked on the way. */
export interface CourseStep {
  /** The walkthrough step id, and the sample folder (but for `start-cluster`). */
  id: string;
  run(k: Course): Promise<void>;
}

const podNames = (pods: Obj[]) => pods.map((p) => p.metadata.name as string).sort();
const lines = (s: string) => s.split('\n').filter(Boolean);

/** The worker the auto-healing step stops. */
export const STOPPED_NODE = 'kube-emulator-m02';

export const COURSE: CourseStep[] = [
  {
    id: 'start-cluster',
    async run(k) {
      const out = await k.ok('get', 'nodes', '--no-headers');
      assert.deepEqual(lines(out).map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['kube-emulator Ready', 'kube-emulator-m02 Ready', 'kube-emulator-m03 Ready']);
    },
  },
  {
    id: 'namespaces',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('namespaces')), 'namespace/team-a created\nnamespace/team-b created\nconfigmap/settings created\nconfigmap/settings created\n');
      assert.equal(await k.ok('get', 'configmap', 'settings', '-n', 'team-a', '-o', 'jsonpath={.data.owner}'), 'team A');
      assert.equal(await k.ok('get', 'configmap', 'settings', '-n', 'team-b', '-o', 'jsonpath={.data.owner}'), 'team B');
      const r = await k.kubectl(['get', 'configmap', 'settings']);
      assert.deepEqual([r.code, r.stderr], [1, 'Error from server (NotFound): configmaps "settings" not found\n']);
    },
  },
  {
    id: 'multi-container-pod',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('multi-container-pod')), 'pod/web-with-sidecar created\n');
      await k.until('both containers ready', async () => isReady((await k.get('pods', 'default', 'web-with-sidecar'))!));
      assert.match(await k.ok('get', 'pod', 'web-with-sidecar', '--no-headers'), /^web-with-sidecar +2\/2 +Running +0 /);
      // nginx serves the page the other container writes, on the pod's shared localhost.
      assert.match(await k.ok('exec', 'web-with-sidecar', '-c', 'content', '--', 'wget', '-qO-', 'http://localhost'), /^hello from web-with-sidecar at \w{3} \w{3} +\d+ \d\d:\d\d:\d\d UTC 2026\n$/);
    },
  },
  {
    id: 'service',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('service')), 'pod/client created\ndeployment.apps/hello created\nservice/hello created\n');
      // The Endpoints' addresses: `ip pod-name`, and the ready pods' as the same.
      const ready = async () => (await k.pods('default', 'app=hello')).filter(isReady).map((p) => `${p.status.podIP} ${p.metadata.name}`).sort();
      const addresses = async () => ((await k.get('endpoints', 'default', 'hello'))?.subsets ?? []).flatMap((s: Obj) => (s.addresses ?? []).map((a: Obj) => `${a.ip} ${a.targetRef.name}`)).sort();
      await k.until('three endpoints', async () => (await addresses()).length === 3 && isReady((await k.get('pods', 'default', 'client'))!));
      assert.deepEqual(await addresses(), await ready());
      const served = await k.ok('exec', 'client', '--', 'wget', '-qO-', 'http://hello');
      const pod = /^Request served by (hello-\S+)\n/.exec(served)?.[1];
      assert.ok(pod && (await k.pods('default', 'app=hello')).some((p) => p.metadata.name === pod), served);
      // A pod goes; the Service's name stays and its endpoints follow the replacement.
      const before = await addresses();
      await k.kubectl(['delete', 'pod', pod], { pump: true });
      await k.until('the replacement in the endpoints', async () => {
        const now = await addresses();
        return now.length === 3 && now.join() !== before.join() && !now.join().includes(pod) && now.join() === (await ready()).join();
      });
      assert.match(await k.ok('exec', 'client', '--', 'wget', '-qO-', 'http://hello.default.svc.cluster.local'), /^Request served by hello-/);
    },
  },
  {
    id: 'volumes',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('volumes', 'emptydir-pod.yaml')), 'pod/scratch created\n');
      await k.until('a container restart', async () => {
        const p = await k.get('pods', 'default', 'scratch');
        return isReady(p!) && p!.status.containerStatuses[0].restartCount >= 1;
      }, 5 * 60_000);
      const starts = lines(await k.ok('exec', 'scratch', '--', 'cat', '/cache/starts.log'));
      assert.equal(starts.length, 2, starts.join('\n'));
      for (const l of starts) assert.match(l, /^started at /);

      assert.equal(await k.ok('apply', '-f', sample('volumes', 'pvc.yaml'), '-f', sample('volumes', 'pvc-pod.yaml')), 'persistentvolumeclaim/notes created\npod/notes-writer created\n');
      await k.until('the writer running', async () => isReady((await k.get('pods', 'default', 'notes-writer'))!));
      assert.equal((await k.get('persistentvolumeclaims', 'default', 'notes'))!.status.phase, 'Bound');
      assert.equal(lines(await k.ok('exec', 'notes-writer', '--', 'cat', '/data/notes.txt')).length, 1);
      const r = await k.kubectl(['delete', 'pod', 'notes-writer'], { pump: true });
      assert.deepEqual([r.code, r.stdout], [0, 'pod "notes-writer" deleted\n']);
      assert.equal(await k.get('pods', 'default', 'notes-writer'), undefined);
      await k.ok('apply', '-f', sample('volumes', 'pvc-pod.yaml'));
      await k.until('the new writer running', async () => isReady((await k.get('pods', 'default', 'notes-writer'))!));
      const notes = lines(await k.ok('exec', 'notes-writer', '--', 'cat', '/data/notes.txt'));
      assert.equal(notes.length, 2, notes.join('\n'));
      for (const l of notes) assert.match(l, /^written at /);
    },
  },
  {
    id: 'quota',
    async run(k) {
      const r = await k.kubectl(['apply', '-f', sample('quota')]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, 'namespace/quota-demo created\nlimitrange/defaults created\nresourcequota/compute created\npod/defaults created\n');
      // The apiserver's ResourceQuota admission, word for word (plugin/pkg/admission/resourcequota/controller.go).
      assert.equal(
        r.stderr,
        'Error from server (Forbidden): error when creating "samples/quota/04-pod-too-big.yaml": pods "too-big" is forbidden: exceeded quota: compute, requested: requests.cpu=800m, used: requests.cpu=250m, limited: requests.cpu=1\n',
      );
      const pod = (await k.get('pods', 'quota-demo', 'defaults'))!;
      assert.equal(pod.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
      assert.deepEqual(pod.spec.containers[0].resources, { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
      assert.equal(await k.get('pods', 'quota-demo', 'too-big'), undefined);
      const used = (await k.get('resourcequotas', 'quota-demo', 'compute'))!.status.used;
      assert.deepEqual([used.pods, used['requests.cpu'], used['limits.cpu']], ['1', '250m', '500m']);
    },
  },
  {
    id: 'config',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('config')), 'configmap/app-config created\nsecret/app-secret created\npod/env-demo created\n');
      await k.until('env-demo running', async () => isReady((await k.get('pods', 'default', 'env-demo'))!));
      assert.equal(await k.ok('logs', 'env-demo'), 'Hello from a ConfigMap (log level debug); the password has 15 characters\n');
      assert.equal(await k.ok('exec', 'env-demo', '--', 'printenv', 'DB_PASSWORD'), 's3cr3t-passw0rd\n');
      assert.equal(await k.ok('exec', 'env-demo', '--', 'cat', '/etc/app/LOG_LEVEL'), 'debug');
    },
  },
  {
    id: 'replicaset',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('replicaset')), 'replicaset.apps/hello-rs created\n');
      const ready = async () => (await k.pods('default', 'app=hello-rs')).filter(isReady);
      await k.until('three pods', async () => (await ready()).length === 3);
      const victim = (await ready())[0].metadata.name;
      await k.kubectl(['delete', 'pod', victim], { pump: true });
      await k.until('a replacement', async () => {
        const now = await ready();
        return now.length === 3 && !now.some((p) => p.metadata.name === victim);
      });
      assert.equal(await k.ok('scale', 'rs', 'hello-rs', '--replicas=5'), 'replicaset.apps/hello-rs scaled\n');
      await k.until('five pods', async () => (await ready()).length === 5 && (await k.pods('default', 'app=hello-rs')).length === 5);
      assert.match(await k.ok('get', 'rs', 'hello-rs', '--no-headers'), /^hello-rs +5 +5 +5 /);
    },
  },
  {
    id: 'deployment',
    async run(k) {
      const web = () => k.get('deployments.apps', 'default', 'web');
      const images = async () => [...new Set((await k.pods('default', 'app=web')).filter(isReady).map((p) => p.spec.containers[0].image as string))];
      const done = async (image: string) => rolledOut(await web()) && (await web())!.spec.template.spec.containers[0].image === image && (await images()).join() === image && (await k.pods('default', 'app=web')).length === 4;
      assert.equal(await k.ok('apply', '-f', sample('deployment', 'web-v1.yaml')), 'deployment.apps/web created\n');
      const status = await k.kubectl(['rollout', 'status', 'deployment/web'], { pump: true });
      assert.match(status.stdout, /deployment "web" successfully rolled out\n$/);
      await k.until('v1 everywhere', () => done('nginx:1.26'));

      assert.equal(await k.ok('apply', '-f', sample('deployment', 'web-v2.yaml')), 'deployment.apps/web configured\n');
      await k.until('v2 everywhere', () => done('nginx:1.27'));
      assert.equal((await web())!.metadata.annotations['deployment.kubernetes.io/revision'], '2');

      // A bad version: its pods cannot pull; the rollout stops with most old pods serving.
      assert.equal(await k.ok('apply', '-f', sample('deployment', 'web-v3-broken.yaml')), 'deployment.apps/web configured\n');
      await k.until('the new pods failing to pull', async () =>
        (await k.pods('default', 'app=web')).some((p) => ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason)),
      );
      await k.advance(60_000);
      assert.deepEqual(await images(), ['nginx:1.27']);
      assert.equal((await k.pods('default', 'app=web')).filter(isReady).length, 3); // maxUnavailable 25% of 4
      assert.equal((await web())!.status.availableReplicas, 3);

      assert.equal(await k.ok('rollout', 'undo', 'deployment/web'), 'deployment.apps/web rolled back\n');
      await k.until('back on v2', () => done('nginx:1.27'));
      const d = (await web())!;
      assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '4');
      const rs = (await k.list('replicasets.apps', 'default', 'app=web')).find((r) => r.spec.replicas === 4)!;
      assert.equal(rs.spec.template.spec.containers[0].image, 'nginx:1.27');
      assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '2');
      assert.match(await k.ok('rollout', 'history', 'deployment/web'), /^deployment\.apps\/web \nREVISION +CHANGE-CAUSE\n1 +<none>\n3 +<none>\n4 +<none>\n\n$/);
    },
  },
  {
    id: 'daemonset',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('daemonset')), 'daemonset.apps/node-agent created\n');
      const nodes = podNames(await k.list('nodes'));
      await k.until('a ready agent on every node', async () => (await k.pods('default', 'app=node-agent')).filter(isReady).length === nodes.length);
      const pods = await k.pods('default', 'app=node-agent');
      assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), nodes);
      const ds = (await k.get('daemonsets.apps', 'default', 'node-agent'))!;
      assert.deepEqual([ds.status.desiredNumberScheduled, ds.status.numberReady], [3, 3]);
      const p = pods.find((x) => x.spec.nodeName === 'kube-emulator-m03')!;
      assert.match(await k.ok('logs', p.metadata.name), / watching node kube-emulator-m03\n$/);
    },
  },
  {
    id: 'jobs',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('jobs')), 'cronjob.batch/tick created\njob.batch/countdown created\n');
      await k.until('the Job complete', async () => (await k.get('jobs.batch', 'default', 'countdown'))?.status?.succeeded === 3);
      const job = (await k.get('jobs.batch', 'default', 'countdown'))!;
      assert.ok(job.status.conditions.some((x: Obj) => x.type === 'Complete' && x.status === 'True'));
      const pod = (await k.pods('default', 'job-name=countdown'))[0];
      assert.equal(await k.ok('logs', pod.metadata.name), '3\n2\n1\nliftoff\n');
      // Fast-forward: a Job a minute from the CronJob, each run to completion.
      await k.advance(3 * 60_000);
      await k.until('the CronJob\'s Jobs complete', async () => {
        const jobs = (await k.list('jobs.batch', 'default')).filter((j) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob');
        return jobs.length === 3 && jobs.every((j) => j.status?.succeeded === 1 && j.metadata.name.startsWith('tick-'));
      });
      assert.match(await k.ok('get', 'cronjob', 'tick', '--no-headers'), /^tick +\*\/1 \* \* \* \* +<none> +False +\d +\S+ +\S+$/m);
    },
  },
  {
    id: 'auto-healing',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('auto-healing')), 'deployment.apps/resilient created\n');
      const pods = () => k.pods('default', 'app=resilient');
      await k.until('six ready', async () => (await pods()).filter(isReady).length === 6);
      const onStopped = (await pods()).filter((p) => p.spec.nodeName === STOPPED_NODE).map((p) => p.metadata.name);
      assert.ok(onStopped.length > 0, 'replicas on the node that stops');
      k.c.stopNode(STOPPED_NODE);
      await k.advance(60_000);
      await k.until('the node NotReady', async () => (await k.get('nodes', undefined, STOPPED_NODE))!.status.conditions.find((x: Obj) => x.type === 'Ready').status === 'Unknown', 30_000);
      // Past the pods' 300 s tolerations of the unreachable taint: evicted, and replaced elsewhere.
      await k.advance(5 * 60_000);
      await k.until('six ready on the other nodes', async () => {
        const ready = (await pods()).filter(isReady);
        return ready.length === 6 && ready.every((p) => p.spec.nodeName !== STOPPED_NODE);
      });
      for (const name of onStopped) {
        const p = await k.get('pods', 'default', name);
        assert.ok(p?.metadata.deletionTimestamp, `${name} evicted`);
      }
      await k.c.startNode(STOPPED_NODE);
      await k.until('the node back', async () => (await k.get('nodes', undefined, STOPPED_NODE))!.status.conditions.find((x: Obj) => x.type === 'Ready').status === 'True', 60_000);
    },
  },
  {
    id: 'deployment-automation',
    async run(k) {
      assert.equal(await k.ok('apply', '-f', sample('deployment-automation', 'frontend-v1.yaml')), 'deployment.apps/frontend created\nservice/frontend created\n');
      const frontend = () => k.get('deployments.apps', 'default', 'frontend');
      await k.until('v1 available', async () => rolledOut(await frontend()));
      await k.c.traffic.start({ service: 'frontend', rps: 200 });
      await k.advance(5000);
      assert.equal(await k.ok('apply', '-f', sample('deployment-automation', 'frontend-v2.yaml')), 'deployment.apps/frontend configured\n');
      let seconds = 0;
      await k.until('v2 rolled out', async () => {
        const d = (await frontend())!;
        // Every second of the rollout: four ready endpoints behind the Service, four available.
        const ready = ((await k.get('endpoints', 'default', 'frontend'))?.subsets ?? []).flatMap((s: Obj) => s.addresses ?? []);
        assert.ok(ready.length >= 4, `${seconds} s into the rollout: ${ready.length} ready endpoints`);
        assert.ok(d.status.availableReplicas >= 4, `${seconds} s into the rollout: ${d.status.availableReplicas} available`);
        seconds++;
        return rolledOut(d) && d.spec.template.spec.containers[0].image === 'nginx:1.27' && (await k.pods('default', 'app=frontend')).every((p) => p.spec.containers[0].image === 'nginx:1.27');
      }, 5 * 60_000);
      assert.ok(seconds > 10, `the rollout took ${seconds} s`);
      const [t] = k.c.traffic.list();
      k.c.traffic.stopTraffic(t.name);
      assert.ok(t.sent > 200 * seconds, `${t.sent} requests sent`);
      assert.equal(t.failed, 0, t.lastError);
    },
  },
  {
    id: 'resource-efficiency',
    async run(k) {
      // Four 2-CPU nodes, and the quota sample's pod (it requests CPU) out of the way.
      assert.equal(await k.c.addNode(), 'kube-emulator-m04');
      await k.kubectl(['delete', 'namespace', 'quota-demo'], { pump: true });
      await k.ok('apply', '-f', sample('resource-efficiency'));
      await k.until('the three apps available', async () => {
        for (const app of ['shop', 'video', 'reports']) if (!rolledOut(await k.get('deployments.apps', 'default', app))) return false;
        return true;
      });
      await k.c.traffic.start({ service: 'shop', rps: 8000 });
      await k.until('the shop at 12 pods, packed', async () => {
        const all = await k.pods('default');
        const pending = all.filter((p) => p.status?.phase === 'Pending' && !p.spec.nodeName);
        const hpa = await k.get('horizontalpodautoscalers.autoscaling', 'default', 'shop');
        return all.filter((p) => p.metadata.labels?.app === 'shop' && isReady(p)).length === 12 && pending.length === 0 && hpa?.status?.currentReplicas === 12;
      }, 5 * 60_000);
      // Every node's 2 CPUs requested: 16 pods × 500m on four nodes.
      const requested = new Map<string, number>();
      for (const p of (await k.pods('default')).filter(isReady)) {
        const cpu = p.spec.containers[0].resources?.requests?.cpu;
        if (cpu) requested.set(p.spec.nodeName, (requested.get(p.spec.nodeName) ?? 0) + parseQuantity(cpu));
      }
      assert.deepEqual([...requested.values()], [2, 2, 2, 2]);
    },
  },
];
