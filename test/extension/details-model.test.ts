// The details panel's model (details-model.ts) against an emulated cluster: key facts per kind,
// containers and conditions, owner/owned and related objects, events newest first, the YAML as
// kubectl prints it (managedFields hidden), Secret values masked until one key is revealed, the Edit
// tab's text and schema, a server-side apply conflict on a stale resourceVersion, and pod logs
// streamed as `kubectl logs -f` asks for them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createCluster, type Cluster } from '../../src/emulator/cluster.ts';
import { ClusterClient } from '../../src/extension/client.ts';
import { LiveCluster, type KubeObject, type ResourceRef } from '../../src/extension/live.ts';
import {
  buildDetails,
  decodeSecretValue,
  editSchemaOf,
  editTextOf,
  maskedObject,
  refKey,
  SECRET_MASK,
  streamLogs,
} from '../../src/extension/details-model.ts';
import * as l10n from '../../src/extension/l10n.ts';
import { detailsState } from '../../src/extension/panels/state.ts';
import { parseManifests } from '../../src/extension/manifests.ts';
import { serverSideApply } from '../../src/extension/apply.ts';
import { until } from './helpers.ts';

let cluster: Cluster;
let kc: KubeConfig;
let client: ClusterClient;
let live: LiveCluster;

const SECRET_VALUE = 's3cr3t-p4ss';

before(async () => {
  cluster = await createCluster({ nodes: 2, port: 0, timeScale: 1 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfigYaml());
  client = ClusterClient.fromKubeConfig(kc);
  live = new LiveCluster(kc, client);
  await live.start();
  const ns = '/api/v1/namespaces/default';
  await client.send('POST', `${ns}/secrets`, {
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, type: 'Opaque', data: { password: Buffer.from(SECRET_VALUE).toString('base64'), blob: Buffer.from([0, 1, 2, 255]).toString('base64') } },
  });
  await client.send('POST', `${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, data: { 'a.conf': 'x' } } });
  await client.send('POST', `${ns}/services`, {
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] } },
  });
  await client.send('POST', '/apis/apps/v1/namespaces/default/deployments', {
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80 }],
                envFrom: [{ configMapRef: { name: 'web-config' } }],
                env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }, { name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k', optional: true } } }],
              },
            ],
          },
        },
      },
    },
  });
});
after(async () => {
  await live?.dispose();
  await cluster?.stop();
});


const ref = (apiVersion: string, kind: string, name: string, namespace: string | null = 'default'): ResourceRef => ({ apiVersion, kind, name, namespace: namespace ?? undefined });
const runningPods = () => live.list('pods', 'default').filter((p) => p.metadata?.labels?.app === 'web' && p.status?.phase === 'Running' && p.status?.podIP);
const fact = (m: { facts: { label: string; value: string }[] }, label: string) => m.facts.find((f) => f.label === label)?.value;

test('a Deployment: replicas in kubectl describe words, strategy, its ReplicaSet owned, template config related, actions', async () => {
  await until('2 running pods', () => runningPods().length === 2 && live.get('deployments', 'default', 'web')?.status?.availableReplicas === 2);
  const m = buildDetails(live, ref('apps/v1', 'Deployment', 'web'))!;
  assert.equal(m.title, 'Deployment web');
  assert.equal(m.deleted, false);
  assert.equal(fact(m, 'Replicas'), '2 desired | 2 updated | 2 total | 2 available | 0 unavailable');
  assert.equal(fact(m, 'StrategyType'), 'RollingUpdate');
  assert.equal(fact(m, 'RollingUpdateStrategy'), '25% max unavailable, 25% max surge');
  assert.equal(fact(m, 'Paused'), 'false');
  assert.equal(fact(m, 'Selector'), 'app=web');
  assert.ok(m.conditions.some((c) => c.type === 'Available' && c.status === 'True'), JSON.stringify(m.conditions));
  assert.equal(m.owned.length, 1);
  assert.match(m.owned[0].label, /^ReplicaSet\/web-[a-z0-9]+$/);
  assert.equal(m.owned[0].note, '2/2 ready');
  const related = m.related.flatMap((r) => r.links.map((l) => `${l.label}${l.missing ? ' (missing)' : ''}${l.note ? ` [${l.note}]` : ''}`));
  assert.deepEqual(related, ['ConfigMap/absent (missing) [optional]', 'ConfigMap/web-config', 'Secret/db']);
  assert.deepEqual(m.containers.map((c) => `${c.name} ${c.image} ${c.ports.join(',')}`), ['web nginx:1.27 80/TCP']);
  const commands = m.actions.map((a) => a.command);
  for (const c of ['kubeEmulator.scale', 'kubeEmulator.rolloutRestart', 'kubeEmulator.pauseRollout', 'kubeEmulator.deleteResource']) assert.ok(commands.includes(c), c);
  assert.ok(!commands.includes('kubeEmulator.resumeRollout'));
});

test('a Pod: phase, node link, IP, QoS, restarts, running container, owner, selecting Service, referenced config', async () => {
  const pod = runningPods()[0];
  const m = buildDetails(live, ref('v1', 'Pod', pod.metadata!.name!))!;
  assert.equal(fact(m, 'Status'), 'Running');
  assert.equal(fact(m, 'Node'), pod.spec.nodeName);
  assert.deepEqual(m.facts.find((f) => f.label === 'Node')?.links?.map((l) => l.ref), [{ apiVersion: 'v1', kind: 'Node', namespace: undefined, name: pod.spec.nodeName, uid: live.get('nodes', undefined, pod.spec.nodeName)?.metadata?.uid }]);
  assert.equal(fact(m, 'IP'), pod.status.podIP);
  assert.equal(fact(m, 'QoS Class'), 'BestEffort');
  assert.equal(fact(m, 'Restarts'), '0');
  assert.equal(m.containers.length, 1);
  assert.equal(m.containers[0].state, 'Running');
  assert.match(m.containers[0].detail, /^since \d{4}-/);
  assert.equal(m.containers[0].ready, true);
  assert.deepEqual(m.logContainers, ['web']);
  assert.equal(m.owners.length, 1);
  assert.match(m.owners[0].label, /^ReplicaSet\/web-/);
  assert.equal(m.owners[0].missing, false);
  assert.equal(m.owners[0].note, 'controller');
  const services = m.related.find((r) => r.title === 'Services');
  assert.deepEqual(services?.links.map((l) => l.label), ['Service/web']);
  const config = m.related.find((r) => r.title === 'Config and storage');
  // kube-root-ca.crt: the service account's projected volume, as on a cluster.
  assert.deepEqual(config?.links.map((l) => [l.label, !!l.missing]), [['ConfigMap/absent', true], ['ConfigMap/kube-root-ca.crt', false], ['ConfigMap/web-config', false], ['Secret/db', false]]);
  // Events about the pod (Scheduled by the scheduler, then the kubelet's), newest first.
  await until('pod events', () => buildDetails(live, ref('v1', 'Pod', pod.metadata!.name!))!.events.some((e) => e.reason === 'Started'));
  const ev = buildDetails(live, ref('v1', 'Pod', pod.metadata!.name!))!.events;
  assert.ok(ev.some((e) => e.reason === 'Scheduled' && /default-scheduler/.test(e.source)), JSON.stringify(ev));
  const times = ev.map((e) => Date.parse(e.lastSeen ?? ''));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  // The YAML as kubectl get -o yaml: sorted keys, managedFields only in the toggle's variant.
  assert.match(m.yaml, /^apiVersion: v1\nkind: Pod\nmetadata:\n/);
  assert.ok(!m.yaml.includes('managedFields'));
  assert.ok(m.yamlWithManagedFields.includes('managedFields:'));
});

test('a Service: type, ClusterIP, ports, selector, endpoints and the pods it selects', async () => {
  await until('endpoints', () => (live.get('endpoints', 'default', 'web')?.subsets?.[0]?.addresses?.length ?? 0) === 2);
  const m = buildDetails(live, ref('v1', 'Service', 'web'))!;
  assert.equal(fact(m, 'Type'), 'ClusterIP');
  assert.match(fact(m, 'IP') ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(fact(m, 'Port'), 'http 80/TCP → 80');
  assert.equal(fact(m, 'Selector'), 'app=web');
  assert.equal(fact(m, 'Endpoints')?.split(', ').length, 2);
  assert.equal(m.related.find((r) => r.title === 'Pods')?.links.length, 2);
});

test('a Node: Ready condition, capacity and allocatable, taints, its pods; cordon action until unschedulable', () => {
  const node = live.list('nodes')[0];
  const m = buildDetails(live, ref('v1', 'Node', node.metadata!.name!, null))!;
  assert.match(fact(m, 'Ready') ?? '', /^True/);
  assert.match(fact(m, 'Capacity cpu') ?? '', /\(allocatable /);
  assert.equal(fact(m, 'Unschedulable'), 'false');
  assert.ok(m.conditions.some((c) => c.type === 'Ready'));
  assert.equal(m.related.find((r) => r.title === 'Pods')?.links.length ?? 0, live.podsOn(node.metadata!.name!).length);
  assert.ok(m.actions.some((a) => a.command === 'kubeEmulator.cordonNode'));
  // Its events, whether they name it by uid (controllers) or by name (the kubelet), as describe.go asks.
  const events = live.list('events').filter((e) => e.involvedObject?.kind === 'Node' && e.involvedObject?.name === node.metadata!.name);
  assert.ok(events.length > 0, 'the node has events');
  assert.equal(m.events.length, events.length);
});

test('a Secret: keys and sizes, no value anywhere until revealed; then only that key', () => {
  const m = buildDetails(live, ref('v1', 'Secret', 'db'))!;
  assert.deepEqual(m.secret?.keys, [
    { key: 'blob', bytes: 4 },
    { key: 'password', bytes: SECRET_VALUE.length },
  ]);
  const everything = JSON.stringify(m);
  assert.ok(!everything.includes(SECRET_VALUE) && !everything.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'no value in the model');
  assert.equal(parse(m.yaml).data.password, SECRET_MASK);
  assert.equal(parse(m.yamlWithManagedFields).data.password, SECRET_MASK);
  const r = buildDetails(live, ref('v1', 'Secret', 'db'), { revealed: new Set(['password']) })!;
  assert.deepEqual(r.secret?.keys.find((k) => k.key === 'password'), { key: 'password', bytes: SECRET_VALUE.length, value: SECRET_VALUE, encoding: 'text' });
  assert.equal(r.secret?.keys.find((k) => k.key === 'blob')?.value, undefined);
  assert.equal(parse(r.yaml).data.password, Buffer.from(SECRET_VALUE).toString('base64'));
  assert.equal(parse(r.yaml).data.blob, SECRET_MASK);
  // Binary values are shown as base64.
  assert.deepEqual(decodeSecretValue(Buffer.from([0, 1, 2, 255]).toString('base64')), { value: 'AAEC/w==', encoding: 'base64' });
  // kubectl apply's annotation holds the values too: masked.
  const withAnnotation: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"a":"c2VjcmV0"}}' } }, data: { a: 'c2VjcmV0' }, stringData: { b: 'plain' } };
  const masked = maskedObject(withAnnotation);
  assert.ok(!JSON.stringify(masked).includes('c2VjcmV0') && !JSON.stringify(masked).includes('plain'), JSON.stringify(masked));
  // The Edit tab's text has no values either.
  assert.ok(!editTextOf(live.get('secrets', 'default', 'db')!).text.includes(Buffer.from(SECRET_VALUE).toString('base64')));
});

test('in Korean: the panel\'s own words are translated, kubectl\'s words (describe keys, states) are not; the initial state carries the bundle, never a Secret value', async () => {
  const ko = JSON.parse(readFileSync('l10n/bundle.l10n.ko.json', 'utf8')) as Record<string, string>;
  l10n.setBundle(ko);
  try {
    const d = buildDetails(live, ref('apps/v1', 'Deployment', 'web'))!;
    assert.equal(fact(d, 'Replicas'), '2 desired | 2 updated | 2 total | 2 available | 0 unavailable');
    assert.equal(d.owned[0].note, ko['{0}/{1} ready'].replace('{0}', '2').replace('{1}', '2'));
    assert.deepEqual(
      d.actions.map((a) => a.title),
      ['Scale', 'Restart', 'Rollback', 'Pause', 'Delete'].map((t) => ko[t]),
    );
    const pod = runningPods()[0];
    const p = buildDetails(live, ref('v1', 'Pod', pod.metadata!.name!))!;
    assert.equal(fact(p, 'Status'), 'Running');
    assert.equal(p.containers[0].state, 'Running');
    assert.match(p.containers[0].detail, /^\d{4}-.*부터$/);
    assert.deepEqual(p.related.map((r) => r.title), [ko['Services'], ko['Config and storage']]);
    const secret = buildDetails(live, ref('v1', 'Secret', 'db'))!;
    assert.equal(fact(secret, 'Data'), ko['{0} keys'].replace('{0}', '2'));
    const state = detailsState(secret, 'secret', undefined, { bundle: ko, language: 'ko' });
    assert.equal(state.l10n, ko);
    const html = JSON.stringify(state);
    assert.ok(!html.includes(SECRET_VALUE) && !html.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'a Secret value in the initial state');
  } finally {
    l10n.setBundle(undefined);
  }
  assert.equal(buildDetails(live, ref('apps/v1', 'Deployment', 'web'))!.actions[0].title, 'Scale');
});

test('a deleted object keeps its last state, marked deleted; an unknown one has no model', async () => {
  await client.send('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone' }, data: { k: 'v' } } });
  const r = ref('v1', 'ConfigMap', 'gone');
  const obj = await until('configmap gone in the live model', () => live.resolve(r));
  assert.equal(buildDetails(live, r)?.deleted, false);
  await client.send('DELETE', '/api/v1/namespaces/default/configmaps/gone');
  await until('configmap gone deleted', () => !live.resolve(r));
  const m = buildDetails(live, r, { last: obj })!;
  assert.equal(m.deleted, true);
  assert.equal(fact(m, 'Data'), 'k');
  assert.equal(buildDetails(live, ref('v1', 'ConfigMap', 'never')), undefined);
  assert.notEqual(refKey(r), refKey(ref('v1', 'Secret', 'gone')));
});

test('Edit: the text applies cleanly with our field manager; a stale resourceVersion is the apiserver conflict; the schema names the kind', async () => {
  const dep = live.get('deployments', 'default', 'web')!;
  const { text } = editTextOf(dep);
  assert.ok(!/resourceVersion|managedFields|status:|uid:/.test(text), text);
  const edited = text.replace('replicas: 2', 'replicas: 3');
  const m = parseManifests(edited).manifests[0];
  // The Deployment was made by a POST: its manager owns spec.replicas, so the first apply is
  // kubectl's conflict, and force takes the field.
  const first = await serverSideApply(client, m, { file: 'Deployment web' });
  assert.equal(first.conflict, true);
  assert.equal(first.message, 'error: Apply failed with 1 conflict: conflict with "kubernetes-client-javascript" using apps/v1: .spec.replicas');
  const ok = await serverSideApply(client, m, { file: 'Deployment web', force: true });
  assert.equal(ok.message, 'deployment.apps/web configured');
  // With the resourceVersion the edit started from, after the object moved: 409 in the apiserver's words.
  const stale = parseManifests(edited.replace('replicas: 3', 'replicas: 4')).manifests[0];
  (stale.object as KubeObject).metadata!.resourceVersion = dep.metadata!.resourceVersion;
  const conflict = await serverSideApply(client, stale, { file: 'Deployment web' });
  assert.equal(conflict.outcome, 'error');
  assert.equal(conflict.conflict, true);
  assert.match(conflict.message, /the object has been modified; please apply your changes to the latest version and try again/);
  const schema = editSchemaOf('apps/v1', 'Deployment') as { properties: Record<string, { $ref?: string; allOf?: { $ref: string }[] }>; components: { schemas: Record<string, unknown> } };
  assert.match(JSON.stringify(schema.properties.spec), /#\/components\/schemas\/io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
  assert.ok(schema.components.schemas['io.k8s.api.core.v1.Container']);
  assert.equal(editSchemaOf('example.com/v1', 'Widget'), undefined);
});

test('logs: the container log streamed (kubectl logs -f), with timestamps and tail; a bad container is the server\'s message', async () => {
  const pod = runningPods()[0];
  let text = '';
  const s = await streamLogs(kc, 'default', pod.metadata!.name!, { container: 'web', follow: true, previous: false, timestamps: true, tailLines: 5 }, (t) => (text += t));
  await until('a log line', () => text.includes('\n'));
  s.stop();
  await s.done;
  const lines = text.trim().split('\n');
  assert.ok(lines.length >= 1 && lines.length <= 5, text);
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z /, text);
  await assert.rejects(
    streamLogs(kc, 'default', pod.metadata!.name!, { container: 'nope', follow: false, previous: false, timestamps: false }, () => undefined),
    /container nope is not valid for pod/,
  );
});
