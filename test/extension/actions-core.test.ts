// The explorer's actions (actions-core.ts) against an emulated cluster over HTTP, through the same
// client the extension uses: the requests do what kubectl's do, checked on the resulting objects.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { EmulatorClock } from '../../src/emulator/clock.ts';
import { openDurable } from '../../src/emulator/store/durable.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import {
  ActionError,
  RESTARTED_AT,
  clockText,
  currentReplicas,
  deleteResource,
  deploymentRevisions,
  equalIgnoreHash,
  jobFromCronJob,
  kubectlName,
  manualJobName,
  replicasError,
  rfc3339Local,
  revisionsOf,
  rollback,
  rolloutRestart,
  scale,
  setPaused,
  shortDuration,
  triggerCronJob,
  wipeStateFolder,
} from '../../src/extension/actions-core.ts';
import type { KubeObject, ResourceRef } from '../../src/extension/live.ts';

let cluster: Cluster;
let client: ClusterClient;

before(async () => {
  cluster = await createCluster({ nodes: 1, port: 0, timeScale: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
});
after(async () => {
  await cluster?.stop();
});

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const deployRef = (name: string): ResourceRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name });
const get = (path: string): Promise<KubeObject> => client.send('GET', path);
const getDeploy = (name: string) => get(`/apis/apps/v1/namespaces/default/deployments/${name}`);
const list = async (path: string): Promise<KubeObject[]> => ((await client.send('GET', path)) as { items: KubeObject[] }).items;

async function createDeployment(name: string, image: string, replicas = 1, annotations?: Record<string, string>): Promise<KubeObject> {
  return client.send('POST', '/apis/apps/v1/namespaces/default/deployments', {
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, annotations },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }], terminationGracePeriodSeconds: 0 } },
      },
    },
  });
}

/** The Deployment's pods (by its label), not being deleted. */
async function podsOf(app: string): Promise<KubeObject[]> {
  return (await list(`/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`)).filter((p) => !p.metadata?.deletionTimestamp);
}

async function rolledOut(name: string): Promise<KubeObject> {
  return until(`${name} rolled out`, async () => {
    const d = await getDeploy(name);
    const s = d.status ?? {};
    return s.observedGeneration === d.metadata?.generation && s.updatedReplicas === d.spec.replicas && s.replicas === d.spec.replicas && (s.availableReplicas ?? 0) === d.spec.replicas && d;
  });
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ActionError, String(e));
    return e.message;
  }
  assert.fail('expected the action to fail');
}

test('kubectl names: kind lowercased, dot group, slash name', () => {
  assert.equal(kubectlName(deployRef('web')), 'deployment.apps/web');
  assert.equal(kubectlName({ apiVersion: 'v1', kind: 'Node', name: 'n1' }), 'node/n1');
  assert.equal(kubectlName({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'c' }), 'cronjob.batch/c');
});

test('scale patches the scale subresource: the Deployment gets N replicas and N pods', async () => {
  await createDeployment('scaled', 'nginx:1.27', 1);
  await rolledOut('scaled');
  assert.equal(currentReplicas(await getDeploy('scaled')), 1);
  assert.equal(await scale(client, deployRef('scaled'), 3), 'deployment.apps/scaled scaled');
  assert.equal((await getDeploy('scaled')).spec.replicas, 3);
  await until('3 pods', async () => (await podsOf('scaled')).length === 3);
  assert.equal(await scale(client, deployRef('scaled'), 0), 'deployment.apps/scaled scaled');
  await until('no pods', async () => (await podsOf('scaled')).length === 0);
});

test('scale of a ReplicationController; errors in the apiserver\'s words', async () => {
  await client.send('POST', '/api/v1/namespaces/default/replicationcontrollers', {
    body: { metadata: { name: 'rc' }, spec: { replicas: 1, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
  });
  assert.equal(await scale(client, { apiVersion: 'v1', kind: 'ReplicationController', namespace: 'default', name: 'rc' }, 2), 'replicationcontroller/rc scaled');
  assert.equal((await get('/api/v1/namespaces/default/replicationcontrollers/rc')).spec.replicas, 2);
  assert.equal(
    await failure(scale(client, deployRef('nope'), 2)),
    'Error from server (NotFound): deployments.apps "nope" not found',
  );
  assert.match(await failure(scale(client, deployRef('scaled'), -1)), /COUNT must be greater than or equal to 0/);
  assert.equal(replicasError('3'), undefined);
  assert.ok(replicasError('x'));
  assert.ok(replicasError('-1'));
});

test('rollout restart sets the restartedAt template annotation: a new ReplicaSet replaces the pods', async () => {
  await createDeployment('restarted', 'nginx:1.27', 2);
  await rolledOut('restarted');
  const before = new Set((await podsOf('restarted')).map((p) => p.metadata?.name));
  assert.equal(before.size, 2);
  const at = new Date('2026-01-02T03:04:05Z');
  assert.equal(await rolloutRestart(client, deployRef('restarted'), at), 'deployment.apps/restarted restarted');
  const d = await getDeploy('restarted');
  assert.equal(d.spec.template.metadata.annotations[RESTARTED_AT], rfc3339Local(at));
  assert.equal((d.metadata?.managedFields as { manager: string }[]).some((m) => m.manager === 'kubectl-rollout'), true);
  await rolledOut('restarted');
  await until('only new pods', async () => {
    const pods = await podsOf('restarted');
    return pods.length === 2 && pods.every((p) => !before.has(p.metadata?.name));
  });
  const revisions = await deploymentRevisions(client, await getDeploy('restarted'));
  assert.deepEqual(revisions.map((r) => r.revision), [2, 1]);
  assert.equal(revisions[0].current, true);
});

test('pause and resume set and clear spec.paused; a paused Deployment refuses restart and rollback', async () => {
  await createDeployment('paused', 'nginx:1.27', 1);
  assert.equal(await setPaused(client, deployRef('paused'), true), 'deployment.apps/paused paused');
  assert.equal((await getDeploy('paused')).spec.paused, true);
  assert.equal(await failure(setPaused(client, deployRef('paused'), true)), 'error: deployments.apps "paused" is already paused');
  assert.equal(
    await failure(rolloutRestart(client, deployRef('paused'))),
    'error: deployments.apps "paused" can\'t restart paused deployment (run rollout resume first)',
  );
  assert.equal(await setPaused(client, deployRef('paused'), false), 'deployment.apps/paused resumed');
  assert.equal((await getDeploy('paused')).spec.paused, undefined);
  assert.equal(await failure(setPaused(client, deployRef('paused'), false)), 'error: deployments.apps "paused" is not paused');
});

test('rollback copies the revision\'s template (no pod-template-hash) and its change-cause into the Deployment', async () => {
  await createDeployment('history', 'nginx:1.26', 1, { [`kubernetes.io/change-cause`]: 'first' });
  await rolledOut('history');
  await client.send('PATCH', '/apis/apps/v1/namespaces/default/deployments/history', {
    body: { metadata: { annotations: { 'kubernetes.io/change-cause': 'second' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } } },
    contentType: 'application/strategic-merge-patch+json',
  });
  await rolledOut('history');
  const revisions = await deploymentRevisions(client, await getDeploy('history'));
  assert.deepEqual(
    revisions.map((r) => [r.revision, r.images, r.changeCause, r.current]),
    [
      [2, ['nginx:1.27'], 'second', true],
      [1, ['nginx:1.26'], 'first', false],
    ],
  );
  assert.equal(await rollback(client, deployRef('history'), 2), 'deployment.apps/history skipped rollback (current template already matches revision 2)');
  assert.equal(await failure(rollback(client, deployRef('history'), 9)), 'error: unable to find specified revision 9 in history');
  assert.equal(await rollback(client, deployRef('history'), 1), 'deployment.apps/history rolled back');
  const d = await getDeploy('history');
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(d.spec.template.metadata.labels['pod-template-hash'], undefined);
  assert.equal(d.metadata?.annotations?.['kubernetes.io/change-cause'], 'first');
  assert.ok(equalIgnoreHash(d.spec.template, revisions[1].source.spec.template));
  // The deployment controller takes the old ReplicaSet back as revision 3, and its pods run nginx:1.26.
  await rolledOut('history');
  await until('revision 3', async () => (await getDeploy('history')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3');
  await until('old image back', async () => {
    const pods = await podsOf('history');
    return pods.length === 1 && pods[0].spec.containers[0].image === 'nginx:1.26';
  });
  // --to-revision=0: the previous one (now 2).
  assert.equal(await rollback(client, deployRef('history'), 0), 'deployment.apps/history rolled back');
  assert.equal((await getDeploy('history')).spec.template.spec.containers[0].image, 'nginx:1.27');
});

test('rollback of a DaemonSet: the ControllerRevision\'s template patch puts the old image back', async () => {
  await client.send('POST', '/apis/apps/v1/namespaces/default/daemonsets', {
    body: {
      metadata: { name: 'logger' },
      spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'l', image: 'fluentd:1' }], terminationGracePeriodSeconds: 0 } } },
    },
  });
  const ref: ResourceRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'default', name: 'logger' };
  await until('revision 1', async () => (await revisionsOf(client, ref)).revisions.length === 1);
  assert.equal(await failure(rollback(client, ref, 0)), 'error: no last revision to roll back to');
  await client.send('PATCH', '/apis/apps/v1/namespaces/default/daemonsets/logger', {
    body: { spec: { template: { spec: { containers: [{ name: 'l', image: 'fluentd:2' }] } } } },
    contentType: 'application/strategic-merge-patch+json',
  });
  const { revisions } = await until('revision 2', async () => {
    const r = await revisionsOf(client, ref);
    return r.revisions.length === 2 && r;
  });
  assert.deepEqual(revisions.map((r) => [r.revision, r.images, r.current]), [
    [2, ['fluentd:2'], true],
    [1, ['fluentd:1'], false],
  ]);
  assert.equal(await rollback(client, ref, 2), 'daemonset.apps/logger skipped rollback (current template already matches revision 2)');
  assert.equal(await rollback(client, ref, 1), 'daemonset.apps/logger rolled back');
  assert.equal((await get('/apis/apps/v1/namespaces/default/daemonsets/logger')).spec.template.spec.containers[0].image, 'fluentd:1');
  await until('old image back on the pod', async () => {
    const pods = await podsOf('logger');
    return pods.length === 1 && pods[0].spec.containers[0].image === 'fluentd:1';
  });
  assert.equal(
    await failure(rollback(client, { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'x' }, 0)),
    'error: no rollbacker has been implemented for "ReplicaSet.apps"',
  );
});

test('trigger a CronJob: a Job from its jobTemplate, annotated manual, owned by the CronJob', async () => {
  const cj: KubeObject = await client.send('POST', '/apis/batch/v1/namespaces/default/cronjobs', {
    body: {
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          metadata: { labels: { team: 'ops' }, annotations: { note: 'from template' } },
          spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
        },
      },
    },
  });
  const { message, job } = await triggerCronJob(client, { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'default', name: 'nightly' });
  assert.match(job.metadata?.name ?? '', /^nightly-manual-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(message, `job.batch/${job.metadata?.name} created`);
  const stored = await get(`/apis/batch/v1/namespaces/default/jobs/${job.metadata?.name}`);
  assert.equal(stored.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.equal(stored.metadata?.annotations?.note, 'from template');
  assert.equal(stored.metadata?.labels?.team, 'ops');
  assert.deepEqual(JSON.parse(JSON.stringify(stored.metadata?.ownerReferences)), [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: cj.metadata?.uid, controller: true }]);
  assert.equal(stored.spec.backoffLimit, 2);
  assert.deepEqual(stored.spec.template.spec.containers[0].command, ['true']);
  // The Job runs: a pod appears for it.
  await until('job pod', async () => (await list(`/api/v1/namespaces/default/pods?labelSelector=job-name%3D${job.metadata?.name}`)).length > 0);
});

test('manual Job names fit 63 characters; the template is copied, not shared', () => {
  const long = 'a'.repeat(52);
  const name = manualJobName(long, () => 0);
  assert.equal(name, `${'a'.repeat(50)}-manual-bbbbb`);
  assert.equal(name.length, 63);
  const cj = { metadata: { name: 'c', namespace: 'ns', uid: 'u' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
  const job = jobFromCronJob(cj, 'c-manual-xxxxx');
  assert.equal(job.metadata?.labels, undefined);
  assert.equal(job.metadata?.namespace, 'ns');
  job.spec.template.spec.containers.push({});
  assert.equal(cj.spec.jobTemplate.spec.template.spec.containers.length, 0);
});

async function replicaSetWithPods(name: string): Promise<KubeObject> {
  const rs: KubeObject = await client.send('POST', '/apis/apps/v1/namespaces/default/replicasets', {
    body: {
      metadata: { name },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }], terminationGracePeriodSeconds: 0 } } },
    },
  });
  await until('2 pods', async () => (await podsOf(name)).length === 2);
  return rs;
}

test('delete with orphan leaves the pods, without their owner reference', async () => {
  const rs = await replicaSetWithPods('orphans');
  const ref: ResourceRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'orphans', uid: rs.metadata?.uid };
  assert.equal(await deleteResource(client, ref, 'orphan'), 'replicaset.apps "orphans" deleted');
  await until('rs gone', async () => !(await list('/apis/apps/v1/namespaces/default/replicasets')).some((x) => x.metadata?.name === 'orphans'));
  await until('pods orphaned', async () => {
    const pods = await podsOf('orphans');
    return pods.length === 2 && pods.every((p) => !p.metadata?.ownerReferences?.length);
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await podsOf('orphans')).length, 2);
});

test('delete in the background removes the dependents; a stale uid is refused', async () => {
  const rs = await replicaSetWithPods('cascade');
  const ref: ResourceRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'cascade', uid: 'not-the-uid' };
  assert.match(await failure(deleteResource(client, ref, 'background')), /^Error from server \(Conflict\): Operation cannot be fulfilled on .*not-the-uid/);
  assert.equal(await deleteResource(client, { ...ref, uid: rs.metadata?.uid }, 'background'), 'replicaset.apps "cascade" deleted');
  await until('pods gone', async () => (await podsOf('cascade')).length === 0);
  assert.equal(
    await failure(deleteResource(client, { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'missing' })),
    'Error from server (NotFound): configmaps "missing" not found',
  );
});

test('delete in the foreground: the owner waits (foregroundDeletion) until its pods are gone', async () => {
  const rs = await replicaSetWithPods('foreground');
  const ref: ResourceRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'default', name: 'foreground', uid: rs.metadata?.uid };
  assert.equal(await deleteResource(client, ref, 'foreground'), 'replicaset.apps "foreground" deleted');
  const during = await client.send('GET', '/apis/apps/v1/namespaces/default/replicasets/foreground').catch(() => undefined);
  // Either caught while it waits (deletionTimestamp and the finalizer) or already gone with its pods.
  if (during) {
    assert.ok(during.metadata.deletionTimestamp);
    assert.ok(during.metadata.finalizers.includes('foregroundDeletion'));
  }
  await until('rs gone', async () => !(await list('/apis/apps/v1/namespaces/default/replicasets')).some((x) => x.metadata?.name === 'foreground'));
  assert.equal((await podsOf('foreground')).length, 0);
});

test('rollout restart of a DaemonSet: its pod is replaced', async () => {
  await client.send('POST', '/apis/apps/v1/namespaces/default/daemonsets', {
    body: {
      metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }], terminationGracePeriodSeconds: 0 } } },
    },
  });
  const first = await until('daemon pod', async () => (await podsOf('agent'))[0]?.metadata?.name);
  const ref: ResourceRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'default', name: 'agent' };
  assert.equal(await rolloutRestart(client, ref), 'daemonset.apps/agent restarted');
  assert.ok((await get('/apis/apps/v1/namespaces/default/daemonsets/agent')).spec.template.metadata.annotations[RESTARTED_AT]);
  await until('new daemon pod', async () => {
    const pods = await podsOf('agent');
    return pods.length === 1 && pods[0].metadata?.name !== first;
  });
  assert.equal(await failure(rolloutRestart(client, { ...ref, kind: 'ReplicaSet', name: 'x' })), 'error: replicasets.apps "x" restarting is not supported');
});

test('wipeStateFolder removes a free state folder and refuses one another process holds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'actions-state-'));
  const clock = new EmulatorClock({ mode: 'manual' });
  const held = await openDurable(join(dir, 'held'), { clock });
  try {
    await assert.rejects(wipeStateFolder(join(dir, 'held')), /is in use by process/);
    assert.ok(await stat(join(dir, 'held')));
  } finally {
    await held.close();
    clock.dispose();
  }
  await wipeStateFolder(join(dir, 'held'));
  await assert.rejects(stat(join(dir, 'held')), /ENOENT/);
});

test('clock text and short durations', () => {
  const real = new Date(2026, 10, 27, 5, 0, 0).getTime();
  assert.equal(clockText(real + 3_723_000, real), '06:02:03');
  assert.equal(clockText(real + 86_400_000, real), '2026-11-28 05:00:00');
  assert.equal(shortDuration(45_000), '45s');
  assert.equal(shortDuration(310_000), '5m10s');
  assert.equal(shortDuration(2 * 3_600_000 + 30 * 60_000), '2h30m');
  assert.equal(shortDuration(3 * 86_400_000 + 4 * 3_600_000), '3d4h');
  assert.equal(rfc3339Local(new Date(Date.UTC(2026, 0, 2, 3, 4, 5))).length >= 20, true);
});
