// The apiserver's NotSupported errors of enum fields (src/emulator/api/kinds/enums.ts): pods, pod
// templates of workloads, Services; messages and value order as pkg/apis/core/validation/validation.go.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumErrors } from '../../../../src/emulator/api/kinds/enums.ts';
import { container, rejects422, server, template } from './helpers.ts';

test('a Pod with an unsupported dnsPolicy or terminationMessagePolicy is refused with the supported values in validation.go\'s order', async () => {
  const api = await server();
  const pods = api.resource('pods');
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { dnsPolicy: 'Sometimes', containers: [{ ...container }] } }),
    'Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "Sometimes": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  );
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container, terminationMessagePolicy: 'Fil' }] } }),
    'Pod "p" is invalid: spec.containers[0].terminationMessagePolicy: Unsupported value: "Fil": supported values: "File", "FallbackToLogsOnError"',
  );
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container, ports: [{ containerPort: 80, protocol: 'ICMP' }] }] } }),
    'Pod "p" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
  );
});

test('tolerations: "" operator (Equal) and "" effect (all effects) are accepted; other values are refused in validateTolerations\' words', async () => {
  const api = await server();
  const pods = api.resource('pods');
  const ok = await api.create(pods, 'default', {
    metadata: { name: 'ok' },
    spec: { containers: [{ ...container }], tolerations: [{ key: 'k', operator: '', value: 'v', effect: '' }, { operator: 'Exists' }] },
  });
  assert.equal(ok.metadata.name, 'ok');
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container }], tolerations: [{ key: 'k', operator: 'Equals', effect: 'NoSchedul' }] } }),
    'Pod "p" is invalid: [spec.tolerations[0].operator: Unsupported value: "Equals": supported values: "Equal", "Exists", spec.tolerations[0].effect: Unsupported value: "NoSchedul": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"]',
  );
});

test('selector operators in a pod spec: Invalid, "not a valid selector operator" (matchFields take In and NotIn only)', async () => {
  const api = await server();
  const term = { matchExpressions: [{ key: 'zone', operator: 'Within', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'Exists' }] };
  const affinity = {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } },
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: { matchExpressions: [{ key: 'app', operator: 'Equals' }] } }] },
  };
  await rejects422(
    api.create(api.resource('pods'), 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container }], affinity } }),
    'Pod "p" is invalid: [spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Within": not a valid selector operator, ' +
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator, ' +
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator]',
  );
});

test('a container\'s restartPolicy: NotSupported on an init container unless Always, Forbidden on a regular one', async () => {
  const api = await server();
  const pods = api.resource('pods');
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container }], initContainers: [{ name: 'i', image: 'busybox:1.36', restartPolicy: 'Never' }] } }),
    'Pod "p" is invalid: spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
  );
  await rejects422(
    api.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ ...container, restartPolicy: 'Always' }] } }),
    'Pod "p" is invalid: spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
  );
  const sidecar = await api.create(pods, 'default', { metadata: { name: 's' }, spec: { containers: [{ ...container }], initContainers: [{ name: 'i', image: 'busybox:1.36', restartPolicy: 'Always' }] } });
  assert.equal(sidecar.spec.initContainers[0].restartPolicy, 'Always');
});

test('pod templates of workloads are checked at their template path (a mount\'s propagation at the list\'s path, as ValidateVolumeMounts reports it)', async () => {
  const api = await server();
  await rejects422(
    api.create(api.resource('deployments.apps'), 'default', {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: template({ app: 'd' }, { dnsPolicy: 'Sometimes', preemptionPolicy: 'Always' }) },
    }),
    'Deployment.apps "d" is invalid: [spec.template.spec.dnsPolicy: Unsupported value: "Sometimes": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", spec.template.spec.preemptionPolicy: Unsupported value: "Always": supported values: "PreemptLowerPriority", "Never"]',
  );
  await rejects422(
    api.create(api.resource('jobs.batch'), 'default', {
      metadata: { name: 'j' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ ...container, volumeMounts: [{ name: 'v', mountPath: '/v', mountPropagation: 'Sideways' }] }], volumes: [{ name: 'v', emptyDir: {} }] } } },
    }),
    'Job.batch "j" is invalid: spec.template.spec.containers[0].volumeMounts.mountPropagation: Unsupported value: "Sideways": supported values: "Bidirectional", "HostToContainer", "None"',
  );
});

test('a Service\'s ipFamilyPolicy and ipFamilies', async () => {
  const api = await server();
  await rejects422(
    api.create(api.resource('services'), 'default', { metadata: { name: 's' }, spec: { ipFamilyPolicy: 'DualStack', ipFamilies: ['IPv5'], ports: [{ port: 80 }] } }),
    'Service "s" is invalid: [spec.ipFamilyPolicy: Unsupported value: "DualStack": supported values: "PreferDualStack", "RequireDualStack", "SingleStack", spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"]',
  );
});

test('enumErrors: skips "" and what kinds check themselves, stops at the given definitions', () => {
  const spec = { dnsPolicy: '', restartPolicy: 'Sometimes', containers: [{ name: 'c', imagePullPolicy: 'Sometimes', terminationMessagePolicy: 'X' }] };
  assert.deepEqual(
    enumErrors('io.k8s.api.core.v1.PodSpec', spec, 'spec').map(String),
    ['spec.containers[0].terminationMessagePolicy: Unsupported value: "X": supported values: "File", "FallbackToLogsOnError"'],
  );
  const pod = { spec: { dnsPolicy: 'X' } };
  assert.equal(enumErrors('io.k8s.api.core.v1.Pod', pod, '').length, 1);
  assert.deepEqual(enumErrors('io.k8s.api.core.v1.Pod', pod, '', { stop: new Set(['io.k8s.api.core.v1.PodSpec']) }), []);
  assert.deepEqual(enumErrors('io.k8s.api.core.v1.Secret', { type: 'example.com/custom' }, ''), []);
});
