import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { groupVersionDocument, OpenAPI } from '../../../src/emulator/api/openapi.ts';
import { Registry, RESOURCES, type ResourceDef } from '../../../src/emulator/api/registry.ts';
import { DEFINITIONS, definitionName, resolve as resolveRef } from '../../../src/emulator/api/schemas.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

test('schemas/definitions.json is what scripts/gen-schemas.mjs generates from the pinned client-node', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/gen-schemas.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('definitions are named as Kubernetes names them and carry their group version kind', () => {
  assert.equal(definitionName('', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(definitionName('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(definitionName('events.k8s.io', 'v1', 'Event'), 'io.k8s.api.events.v1.Event');
  assert.equal(definitionName('', 'v1', 'Event'), 'io.k8s.api.core.v1.Event');
  assert.equal(definitionName('networking.k8s.io', 'v1', 'Ingress'), 'io.k8s.api.networking.v1.Ingress');
  assert.equal(definitionName('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition');
  assert.equal(definitionName('autoscaling', 'v2', 'HorizontalPodAutoscaler'), 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler');
  assert.ok(DEFINITIONS['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.ok(DEFINITIONS['io.k8s.api.core.v1.PodTemplateSpec'], 'shared core types stay in core');
  assert.ok(DEFINITIONS['io.k8s.api.core.v1.TopologySelectorTerm']);
});

test('schemas carry descriptions, required fields, formats, quantities and int-or-string', () => {
  const c = DEFINITIONS['io.k8s.api.core.v1.Container'];
  assert.deepEqual(c.required, ['name']);
  assert.match(c.properties!.image.description!, /^Container image name\./);
  assert.equal(DEFINITIONS['io.k8s.api.apps.v1.DeploymentSpec'].properties!.replicas.format, 'int32');
  const limits = DEFINITIONS['io.k8s.api.core.v1.ResourceRequirements'].properties!.limits;
  assert.deepEqual(limits.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  const tp = DEFINITIONS['io.k8s.api.core.v1.ServicePort'].properties!.targetPort;
  assert.equal(resolveRef(tp).format, 'int-or-string');
  assert.equal(resolveRef(DEFINITIONS['io.k8s.api.core.v1.Pod'].properties!.metadata).properties!.creationTimestamp.allOf![0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time');
});

test('strategic merge keys come from merge-keys.ts', () => {
  const ps = DEFINITIONS['io.k8s.api.core.v1.PodSpec'].properties!;
  assert.equal(ps.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(ps.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(ps.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const c = DEFINITIONS['io.k8s.api.core.v1.Container'].properties!;
  assert.equal(c.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.equal(c.volumeMounts['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.equal(DEFINITIONS['io.k8s.api.core.v1.ServiceSpec'].properties!.ports['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(DEFINITIONS['io.k8s.api.apps.v1.DeploymentSpec'].properties!.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  assert.equal(DEFINITIONS['io.k8s.api.apps.v1.DeploymentStatus'].properties!.conditions['x-kubernetes-patch-merge-key'], 'type');
});

test('the v1 document has the paths and the full schemas of every served core kind', () => {
  const doc = groupVersionDocument(new Registry(), '', 'v1') as any;
  const schemas = doc.components.schemas;
  for (const d of RESOURCES.filter((r) => r.group === '')) {
    const name = definitionName('', 'v1', d.kind)!;
    assert.ok(schemas[name], `${name} in components`);
    assert.deepEqual(schemas[name]['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: d.kind }]);
  }
  assert.ok(schemas['io.k8s.api.core.v1.Container'], 'nested types are included');
  assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'));
  assert.deepEqual(Object.keys(patch.requestBody.content), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.ok(doc.paths['/api/v1/nodes/{name}/status'].patch);
  // Every $ref resolves inside the document.
  JSON.stringify(doc, (k, v) => {
    if (k === '$ref') assert.ok(schemas[v.slice('#/components/schemas/'.length)], v);
    return v;
  });
});

test('documents follow the registry: a kind added later is served; kinds without a schema get no strategic merge patch', () => {
  const extra: ResourceDef[] = [
    { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', singular: 'deployment', namespaced: true, verbs: [], subresources: ['status', 'scale'] },
    { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true, verbs: [], subresources: [] },
  ];
  const reg = new Registry([...RESOURCES, ...extra]);
  const apps = groupVersionDocument(reg, 'apps', 'v1') as any;
  assert.ok(apps.components.schemas['io.k8s.api.apps.v1.Deployment']);
  assert.ok(apps.components.schemas['io.k8s.api.core.v1.PodTemplateSpec']);
  const w = groupVersionDocument(reg, 'example.com', 'v1') as any;
  const content = w.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch.requestBody.content;
  assert.equal(content['application/strategic-merge-patch+json'], undefined);
  assert.ok(content['application/merge-patch+json']);
  const api = new OpenAPI(reg);
  const root = api.root() as any;
  const expected = reg.groupVersions().map((g) => (g.group ? `apis/${g.group}/${g.version}` : 'api/v1'));
  assert.deepEqual(Object.keys(root.paths).sort(), expected.sort());
  assert.ok(expected.includes('apis/example.com/v1'));
  const d = api.doc('apis/apps/v1')!;
  assert.equal(d.etag, `"${d.hash}"`);
  assert.equal(root.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${d.hash}`);
});

test('documents are rebuilt when the registry changes', () => {
  const defs = [...RESOURCES];
  const reg = new Registry(defs);
  const api = new OpenAPI(reg);
  const before = Object.keys((api.root() as any).paths);
  assert.ok(!before.includes('apis/example.com/v1'));
  // The registry keeps its own list; kinds come and go through replace (custom resources of CRDs).
  reg.replace([], [{ group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true, verbs: [], subresources: [] }]);
  assert.ok(Object.keys((api.root() as any).paths).includes('apis/example.com/v1'));
  assert.ok(api.doc('apis/example.com/v1'));
});
