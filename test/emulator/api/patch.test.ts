import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  INVALID_REQUEST_MESSAGE,
  PatchError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  goFormat,
} from '../../../src/emulator/api/patch.ts';
import { mergeKeyFor } from '../../../src/emulator/api/merge-keys.ts';

function patchError(f: () => unknown): PatchError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof PatchError, `expected PatchError, got ${String(e)}`);
    return e;
  }
  return assert.fail('expected a PatchError');
}

/** Runs a patch function and checks that it left its inputs alone. */
function pure<T>(f: (target: unknown, patch: unknown) => T, target: unknown, patch: unknown): T {
  const t = structuredClone(target);
  const p = structuredClone(patch);
  const out = f(target, patch);
  assert.deepEqual(target, t, 'target was mutated');
  assert.deepEqual(patch, p, 'patch was mutated');
  return out;
}

const smp = (kind: string) => (t: unknown, p: unknown) => applyStrategicMergePatch(t, p, kind);

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', namespace: 'default', annotations: { keep: 'me' }, finalizers: ['a'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'x' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
                { name: 'C', value: '3' },
              ],
              resources: { limits: { cpu: '1' } },
              terminationMessagePath: '/dev/termination-log',
            },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
          restartPolicy: 'Always',
        },
      },
    },
  };
}

// ----------------------------------------------------------------------------------------------
// JSON merge patch

test('merge patch: kubectl scale body and RFC 7386 semantics', () => {
  const out: any = pure(applyMergePatch, deployment(), { spec: { replicas: 3 } });
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.spec.template, deployment().spec.template);

  const labelled: any = pure(applyMergePatch, deployment(), {
    metadata: { labels: { tier: 'fe' }, annotations: { keep: null, new: 'v' } },
  });
  assert.deepEqual(labelled.metadata.labels, { tier: 'fe' });
  assert.deepEqual(labelled.metadata.annotations, { new: 'v' });

  // Lists are replaced whole, and nulls inside copied values are dropped (evanphx/json-patch).
  const replaced: any = pure(applyMergePatch, deployment(), {
    spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox', args: null }] } } },
  });
  assert.deepEqual(replaced.spec.template.spec.containers, [{ name: 'only', image: 'busybox' }]);
  assert.deepEqual(applyMergePatch({ a: { b: 1 } }, { a: 'x' }), { a: 'x' });
  assert.deepEqual(applyMergePatch({ a: 'x' }, { a: { b: 1, c: null } }), { a: { b: 1 } });
  assert.deepEqual(applyMergePatch({ a: 1 }, { b: [1, null, { c: null, d: 2 }] }), { a: 1, b: [1, { d: 2 }] });
});

test('merge patch: invalid patches', () => {
  const e = patchError(() => applyMergePatch({}, null));
  assert.equal(e.code, 400);
  assert.equal(e.reason, 'BadRequest');
  assert.equal(e.message, 'Invalid JSON Patch');
  assert.equal(patchError(() => applyMergePatch({}, 3)).code, 400);
});

// ----------------------------------------------------------------------------------------------
// JSON patch

test('json patch: rollout undo and the server-side apply managedFields reset', () => {
  const target = { ...deployment(), metadata: { ...deployment().metadata, resourceVersion: '219', managedFields: [{ manager: 'old' }] } };
  const tmpl = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.26' }] } };
  const out: any = pure(applyJsonPatch, target, [
    { op: 'replace', path: '/spec/template', value: tmpl },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '3' } },
    { op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', operation: 'Apply' }] },
    { op: 'replace', path: '/metadata/resourceVersion', value: '220' },
  ]);
  assert.deepEqual(out.spec.template, tmpl);
  assert.deepEqual(out.metadata.annotations, { 'deployment.kubernetes.io/revision': '3' });
  assert.equal(out.metadata.managedFields[0].manager, 'kubectl');
  assert.equal(out.metadata.resourceVersion, '220');

  const appended: any = applyJsonPatch(deployment(), [
    { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } },
    { op: 'test', path: '/spec/replicas', value: 2 },
    { op: 'remove', path: '/metadata/finalizers' },
  ]);
  assert.deepEqual(appended.spec.template.spec.containers.map((c: any) => c.name), ['main', 'side']);
  assert.equal(appended.metadata.finalizers, undefined);
});

test('json patch: failures are 422 with the apiserver generic message', () => {
  const noAnnotations = { metadata: { name: 'x' } };
  const cases: unknown[][] = [
    [{ op: 'replace', path: '/metadata/annotations', value: {} }],
    [{ op: 'test', path: '/metadata/name', value: 'y' }],
    [{ op: 'remove', path: '/spec' }],
    [{ op: 'add', path: '/metadata/labels/a', value: 'b' }],
    [{ op: 'frobnicate', path: '/metadata' }],
  ];
  for (const ops of cases) {
    const e = patchError(() => pure(applyJsonPatch, noAnnotations, ops));
    assert.equal(e.code, 422, JSON.stringify(ops));
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, INVALID_REQUEST_MESSAGE);
    assert.ok(e.detail && e.detail.length > 0);
  }
  assert.match(patchError(() => applyJsonPatch(noAnnotations, cases[1])).detail!, /TEST_OPERATION_FAILED/);
});

test('json patch: malformed bodies are 400, oversized ones 413', () => {
  const notArray = patchError(() => applyJsonPatch({}, { op: 'add' }));
  assert.equal(notArray.code, 400);
  assert.equal(notArray.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(patchError(() => applyJsonPatch({}, ['x'])).message, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  const big = patchError(() => applyJsonPatch({}, Array.from({ length: 10001 }, () => ({ op: 'test', path: '' }))));
  assert.equal(big.code, 413);
  assert.equal(big.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});

// ----------------------------------------------------------------------------------------------
// Strategic merge patch

test('SMP: kubectl client-side apply update body keeps the live container fields', () => {
  const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}';
  const body = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
    spec: {
      minReadySeconds: 1,
      template: { spec: { '$setElementOrder/containers': [{ name: 'main' }], containers: [{ image: 'nginx:1.28', name: 'main' }] } },
    },
  };
  const out: any = pure(smp('Deployment'), deployment(), body);
  const want = deployment();
  want.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied;
  want.spec.minReadySeconds = 1;
  want.spec.template.spec.containers[0].image = 'nginx:1.28';
  assert.deepEqual(out, want);
  assert.equal(JSON.stringify(out).includes('$setElementOrder'), false);
});

test('SMP: kubectl cordon', () => {
  const node = {
    kind: 'Node',
    metadata: { name: 'n1', labels: { a: 'b' } },
    spec: { podCIDR: '10.0.0.0/24', taints: [{ key: 't', effect: 'NoSchedule' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const out: any = pure(smp('Node'), node, { spec: { unschedulable: true } });
  assert.deepEqual(out, { ...node, spec: { ...node.spec, unschedulable: true } });
  const uncordoned: any = applyStrategicMergePatch(out, { spec: { unschedulable: null } }, 'Node');
  assert.deepEqual(uncordoned, node);
});

test('SMP: env merges by name, $patch: delete removes an entry, null deletes a key', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'main',
              env: [
                { name: 'B', $patch: 'delete' },
                { name: 'C', value: 'three' },
                { name: 'D', value: '4' },
              ],
              resources: null,
            },
          ],
        },
      },
    },
  };
  const out: any = pure(smp('Deployment'), deployment(), patch);
  const c = out.spec.template.spec.containers[0];
  // C merges in place; D is new, and comes after A because A sorts before C, the first patch item.
  assert.deepEqual(c.env, [
    { name: 'A', value: '1' },
    { name: 'C', value: 'three' },
    { name: 'D', value: '4' },
  ]);
  assert.equal('resources' in c, false);
  assert.equal(c.image, 'nginx:1.27');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
});

test('SMP: list ordering follows strategicpatch (new items first, $setElementOrder wins)', () => {
  const pod = (names: string[]): any => ({ spec: { containers: names.map((name) => ({ name, image: name })) } });
  const names = (o: any): string[] => o.spec.containers.map((c: any) => c.name);
  // patch_test.go "preserve the order from the patch in a merging list 2"
  assert.deepEqual(names(applyStrategicMergePatch(pod(['1', '2', '3']), { spec: { containers: [{ name: '3' }, { name: '1' }] } }, 'Pod')), [
    '2',
    '3',
    '1',
  ]);
  // patch_test.go "merge lists of maps" (three-way result)
  const merged: any = applyStrategicMergePatch(
    { spec: { containers: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] } },
    {
      spec: {
        '$setElementOrder/containers': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }],
        containers: [
          { name: '4', value: '4' },
          { name: '3', value: '3' },
        ],
      },
    },
    'Pod',
  );
  assert.deepEqual(merged.spec.containers, [
    { name: '4', value: '4' },
    { name: '1', other: 'a' },
    { name: '2', value: '2', other: 'b' },
    { name: '3', value: '3' },
  ]);
  assert.deepEqual(names(applyStrategicMergePatch(pod(['a']), { spec: { containers: [{ name: 'b' }] } }, 'Pod')), ['b', 'a']);
});

test('SMP: primitive lists with merge strategy (finalizers) are unioned and can be pruned', () => {
  const meta = (finalizers: string[]): any => ({ metadata: { name: 'p', finalizers } });
  // patch_test.go "unique scalars when merging lists"
  assert.deepEqual((applyStrategicMergePatch(meta(['1', '2']), { metadata: { finalizers: ['2', '3'] } }, 'Pod') as any).metadata.finalizers, [
    '1',
    '2',
    '3',
  ]);
  // patch_test.go "add and delete items in lists of scalars" (three-way result)
  const out: any = pure(smp('Pod'), meta(['1', '2', '3', '4']), {
    metadata: {
      '$setElementOrder/finalizers': ['1', '2', '4'],
      '$deleteFromPrimitiveList/finalizers': ['3'],
      finalizers: ['4'],
    },
  });
  assert.deepEqual(out.metadata.finalizers, ['1', '2', '4']);
  // patch_test.go "delete all duplicate items in lists of scalars"
  const dup: any = applyStrategicMergePatch(
    meta(['1', '2', '3', '3', '4']),
    { metadata: { '$setElementOrder/finalizers': ['1', '2'], '$deleteFromPrimitiveList/finalizers': ['3'] } },
    'Pod',
  );
  assert.deepEqual(dup.metadata.finalizers, ['1', '2', '4']);
  // Lists without a patch strategy are replaced.
  const args: any = applyStrategicMergePatch(
    { spec: { containers: [{ name: 'm', args: ['a', 'b'] }] } },
    { spec: { containers: [{ name: 'm', args: ['c'] }] } },
    'Pod',
  );
  assert.deepEqual(args.spec.containers[0].args, ['c']);
});

test('SMP: lists without a merge key are replaced (tolerations, taints)', () => {
  const out: any = pure(smp('Deployment'), deployment(), {
    spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } },
  });
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'other', operator: 'Exists' }]);
  const node: any = applyStrategicMergePatch(
    { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } },
    { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } },
    'Node',
  );
  assert.deepEqual(node.spec.taints, [{ key: 'b', effect: 'NoExecute' }]);
});

test('SMP: merge keys for ownerReferences, conditions, service ports, volumes, node addresses', () => {
  const owned: any = applyStrategicMergePatch(
    { metadata: { ownerReferences: [{ uid: 'u1', name: 'a', controller: true }] } },
    { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] } },
    'ReplicaSet',
  );
  assert.deepEqual(owned.metadata.ownerReferences, [{ uid: 'u1', name: 'a', controller: true, blockOwnerDeletion: true }]);

  const pod: any = applyStrategicMergePatch(
    { status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } },
    { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    'Pod',
  );
  assert.deepEqual(pod.status.conditions, [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Ready', status: 'True' },
  ]);

  const svc: any = applyStrategicMergePatch(
    { spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
    { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    'Service',
  );
  assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: 9090, protocol: 'TCP' }]);

  const vol: any = applyStrategicMergePatch(
    { spec: { template: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } } } },
    { spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } } } },
    'StatefulSet',
  );
  assert.deepEqual(vol.spec.template.spec.volumes, [{ name: 'v', configMap: { name: 'cm' } }]);

  const node: any = applyStrategicMergePatch(
    { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }] } },
    { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
    'Node',
  );
  assert.deepEqual(node.status.addresses, [
    { type: 'InternalIP', address: '10.0.0.2' },
    { type: 'Hostname', address: 'n1' },
  ]);

  // CronJob pod template lives under spec.jobTemplate.spec.template.spec.
  const cj: any = applyStrategicMergePatch(
    { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'a', command: ['x'] }] } } } } } },
    { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'b' }] } } } } } },
    'CronJob',
  );
  assert.deepEqual(cj.spec.jobTemplate.spec.template.spec.containers, [{ name: 'c', image: 'b', command: ['x'] }]);
});

test('SMP: $patch replace and delete, $retainKeys', () => {
  const replacedList: any = pure(smp('Deployment'), deployment(), {
    spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'new', image: 'busybox' }] } } },
  });
  assert.deepEqual(replacedList.spec.template.spec.containers, [{ name: 'new', image: 'busybox' }]);

  const replacedMap: any = applyStrategicMergePatch(deployment(), { metadata: { annotations: { $patch: 'replace', only: 'this' } } }, 'Deployment');
  assert.deepEqual(replacedMap.metadata.annotations, { only: 'this' });

  // patch_test.go "delete map from nested map": the map becomes empty.
  const deletedMap: any = applyStrategicMergePatch(deployment(), { spec: { strategy: { $patch: 'delete' } } }, 'Deployment');
  assert.deepEqual(deletedMap.spec.strategy, {});

  // DeploymentSpec.strategy has patchStrategy retainKeys: kubectl sends $retainKeys when switching type.
  const recreate: any = pure(smp('Deployment'), deployment(), {
    spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } },
  });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });

  const all: any = applyStrategicMergePatch({ a: 1, b: 2 }, { $patch: 'replace', c: 3 }, 'Anything');
  assert.deepEqual(all, { c: 3 });
});

test('SMP: directives never leak into new values', () => {
  const out: any = applyStrategicMergePatch(
    { spec: { containers: [{ name: 'main' }] } },
    {
      spec: {
        initContainers: [{ name: 'gone', $patch: 'delete' }],
        containers: [{ name: 'main', env: [{ name: 'X', value: '1' }, { name: 'Y', $patch: 'delete' }] }],
        nodeSelector: { $patch: 'replace', disk: 'ssd' },
      },
    },
    'Pod',
  );
  assert.equal(JSON.stringify(out).includes('$patch'), false);
  assert.deepEqual(out.spec.initContainers, []);
  assert.deepEqual(out.spec.containers[0].env, [{ name: 'X', value: '1' }]);
  assert.deepEqual(out.spec.nodeSelector, { disk: 'ssd' });
});

test('SMP: errors map like interpretStrategicMergePatchError', () => {
  const notObject = patchError(() => applyStrategicMergePatch({}, [1], 'Pod'));
  assert.equal(notObject.code, 400);
  assert.equal(notObject.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');

  const retain = patchError(() =>
    applyStrategicMergePatch(deployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, 'Deployment'),
  );
  assert.equal(retain.code, 400);
  assert.equal(retain.message, 'invalid patch format of retainKeys');

  const order = patchError(() =>
    applyStrategicMergePatch(
      { spec: { containers: [{ name: '1' }, { name: '3' }, { name: '2' }] } },
      {
        spec: {
          '$setElementOrder/containers': [{ name: '1' }, { name: '2' }, { name: '3' }],
          containers: [{ name: '3', value: '3' }, { name: '1', value: '1' }],
        },
      },
      'Pod',
    ),
  );
  assert.equal(order.code, 500);
  assert.match(order.message, /doesn't match \$setElementOrder list/);

  const noKey = patchError(() => applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ image: 'b' }] } } } }, 'Deployment'));
  assert.equal(noKey.code, 500);
  assert.equal(noKey.message, 'map: map[image:b] does not contain declared merge key: name');

  const badDirective = patchError(() => applyStrategicMergePatch({ metadata: { labels: { a: 'b' } } }, { metadata: { labels: { $patch: 'frob' } } }, 'Pod'));
  assert.equal(badDirective.message, 'unknown patch type: frob in map: map[$patch:frob]');

  const lists = patchError(() => applyStrategicMergePatch({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }, 'Pod'));
  assert.equal(lists.code, 422);
  assert.equal(lists.message, INVALID_REQUEST_MESSAGE);
  assert.equal(lists.detail, 'lists of lists are not supported');

  const badPrefix = patchError(() => applyStrategicMergePatch({ spec: {} }, { spec: { $setElementOrder: [] } }, 'Pod'));
  assert.equal(badPrefix.code, 400);
  assert.equal(badPrefix.message, 'invalid patch format of setElementOrder list');
});

test('goFormat prints like fmt %v', () => {
  assert.equal(goFormat({ b: [1, 'x'], a: null }), 'map[a:<nil> b:[1 x]]');
});

// ----------------------------------------------------------------------------------------------
// merge-keys table

test('mergeKeyFor follows the patchStrategy/patchMergeKey tags', () => {
  assert.deepEqual(mergeKeyFor('Pod', ['spec', 'containers']), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor('Deployment', ['spec', 'template', 'spec', 'containers', 'env']), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor('Job', ['spec', 'template', 'spec', 'initContainers', 'ports']), { strategy: 'merge', key: 'containerPort' });
  assert.deepEqual(mergeKeyFor('CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'volumes']), {
    strategy: 'merge,retainKeys',
    key: 'name',
  });
  assert.deepEqual(mergeKeyFor('PodTemplate', ['template', 'spec', 'imagePullSecrets']), { strategy: 'merge', key: 'name' });
  assert.deepEqual(mergeKeyFor('DaemonSet', ['spec', 'template', 'spec', 'containers', 'volumeMounts']), { strategy: 'merge', key: 'mountPath' });
  assert.deepEqual(mergeKeyFor('ReplicationController', ['spec', 'template', 'spec', 'hostAliases']), { strategy: 'merge', key: 'ip' });
  assert.deepEqual(mergeKeyFor('Pod', ['spec', 'tolerations']), { strategy: 'replace' });
  assert.deepEqual(mergeKeyFor('Pod', ['spec', 'containers', 'envFrom']), { strategy: 'replace' });
  assert.deepEqual(mergeKeyFor('Node', ['spec', 'taints']), { strategy: 'replace' });
  assert.deepEqual(mergeKeyFor('Node', ['status', 'addresses']), { strategy: 'merge', key: 'type' });
  assert.deepEqual(mergeKeyFor('Service', ['spec', 'ports']), { strategy: 'merge', key: 'port' });
  assert.deepEqual(mergeKeyFor('ConfigMap', ['metadata', 'finalizers']), { strategy: 'merge' });
  assert.deepEqual(mergeKeyFor('Foo', ['metadata', 'ownerReferences']), { strategy: 'merge', key: 'uid' });
  assert.deepEqual(mergeKeyFor('Deployment', ['status', 'conditions']), { strategy: 'merge', key: 'type' });
  assert.deepEqual(mergeKeyFor('Deployment', ['spec', 'strategy']), { strategy: 'retainKeys' });
  assert.equal(mergeKeyFor('Pod', ['spec', 'containers', 'args']), undefined);
  assert.equal(mergeKeyFor('Pod', ['spec', 'nodeSelector']), undefined);
  assert.equal(mergeKeyFor('Pod', ['constructor']), undefined);
  assert.equal(mergeKeyFor('Foo', ['spec', 'containers']), undefined);
});

test('SMP: long lists, deletion lists on absent fields, mixed element types', () => {
  const n = 45;
  const names = Array.from({ length: n }, (_, i) => `c${i}`);
  const reversed = [...names].reverse();
  const out: any = applyStrategicMergePatch(
    { spec: { containers: names.map((name) => ({ name })) } },
    { spec: { '$setElementOrder/containers': reversed.map((name) => ({ name })), containers: [{ name: 'c7', image: 'x' }] } },
    'Pod',
  );
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), reversed);
  assert.deepEqual(out.spec.containers.find((c: any) => c.name === 'c7'), { name: 'c7', image: 'x' });

  const noFinalizers: any = applyStrategicMergePatch({ metadata: { name: 'p' } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, 'Pod');
  assert.deepEqual(noFinalizers, { metadata: { name: 'p' } });

  const mixed = patchError(() => applyStrategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [1] } }, 'Pod'));
  assert.equal(mixed.code, 500);
  assert.equal(mixed.message, 'list element types are not identical: [[a] [1]]');
});
