// CustomResourceDefinitions in-process: the CRD's own validation (apiextensions validation.go), the
// naming/establishing/finalizer controllers, and the custom resources it serves: CRUD, pruning,
// defaulting, schema validation with kube-openapi's messages, status and scale subresources,
// printer columns, discovery and /openapi/v3 as they follow CRDs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIServer } from '../../../src/emulator/api/apiserver.ts';
import { ApiError } from '../../../src/emulator/api/errors.ts';
import { EmulatorClock } from '../../../src/emulator/clock.ts';
import { CustomResourceDefinitionController, findJsonPath } from '../../../src/emulator/api/custom-resources.ts';
import { ApiHttpServer } from '../../../src/emulator/api/http/server.ts';
import type { Obj } from '../../../src/emulator/api/objects.ts';

const CRONTAB_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 5 } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        port: { 'x-kubernetes-int-or-string': true },
      },
      required: ['cronSpec'],
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
  },
};

function crontabCRD(extra: Obj = {}): Obj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: CRONTAB_SCHEMA },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec', description: 'The cron spec defining the interval a CronJob is run' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Image', type: 'string', jsonPath: '.spec.image', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
      ...extra,
    },
  };
}

async function setup(): Promise<{ api: APIServer; ctl: CustomResourceDefinitionController; clock: EmulatorClock }> {
  const clock = new EmulatorClock({ mode: 'manual' });
  const api = new APIServer(clock);
  await api.create(api.resource('namespaces'), undefined, { metadata: { name: 'default' } });
  const ctl = new CustomResourceDefinitionController(api, clock);
  await ctl.start();
  return { api, ctl, clock };
}

const crdDef = (api: APIServer) => api.resource('customresourcedefinitions.apiextensions.k8s.io');

/** Waits for the controller: the informer's event, then the queued syncs. */
async function settle(ctl: CustomResourceDefinitionController): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    await ctl.idle();
  }
}

async function establish(api: APIServer, ctl: CustomResourceDefinitionController, crd = crontabCRD()): Promise<Obj> {
  await api.create(crdDef(api), undefined, crd);
  await settle(ctl);
  return api.get(crdDef(api), undefined, crd.metadata.name);
}

async function rejects(p: Promise<unknown>, code: number, message: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}: ${message}`);
}

test('a CRD is defaulted, its status reset, then named and established by the controllers', async () => {
  const { api, ctl } = await setup();
  const created = await api.create(crdDef(api), undefined, crontabCRD());
  assert.equal(created.spec.names.listKind, 'CronTabList');
  assert.deepEqual(created.spec.conversion, { strategy: 'None' });
  assert.deepEqual(created.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
  assert.equal(created.metadata.generation, 1);
  await settle(ctl);
  const crd = await api.get(crdDef(api), undefined, 'crontabs.stable.example.com');
  assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', shortNames: ['ct'], kind: 'CronTab', listKind: 'CronTabList' });
  assert.deepEqual(
    crd.status.conditions.map((c: Obj) => [c.type, c.status, c.reason, c.message]),
    [
      ['NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'],
      ['Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'],
    ],
  );
  assert.ok(api.registry.lookup('stable.example.com', 'v1', 'crontabs'));
  // Singular defaults to the lowercase kind.
  const noSingular = crontabCRD();
  noSingular.metadata.name = 'widgets.stable.example.com';
  noSingular.spec.names = { plural: 'widgets', kind: 'Widget' };
  const w = await api.create(crdDef(api), undefined, noSingular);
  assert.equal(w.spec.names.singular, 'widget');
});

test('CRD validation answers with Kubernetes messages', async () => {
  const { api } = await setup();
  const bad = crontabCRD();
  bad.metadata.name = 'foo';
  await rejects(
    api.create(crdDef(api), undefined, bad),
    422,
    'CustomResourceDefinition.apiextensions.k8s.io "foo" is invalid: metadata.name: Invalid value: "foo": must be spec.names.plural+"."+spec.group',
  );
  const scope = crontabCRD();
  scope.spec.scope = 'Global';
  await rejects(api.create(crdDef(api), undefined, scope), 422, 'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"');
  const noSchema = crontabCRD();
  delete noSchema.spec.versions[0].schema;
  await rejects(api.create(crdDef(api), undefined, noSchema), 422, 'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required');
  // One version: its schema is validated as the top-level spec.validation (v1 → internal conversion).
  const noType = crontabCRD();
  noType.spec.versions[0].schema = { openAPIV3Schema: { properties: { spec: { properties: { a: { type: 'string' } } } } } };
  await rejects(
    api.create(crdDef(api), undefined, noType),
    422,
    'CustomResourceDefinition.apiextensions.k8s.io "crontabs.stable.example.com" is invalid: [spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields, spec.validation.openAPIV3Schema.type: Required value: must not be empty at the root]',
  );
  const twoStorage = crontabCRD();
  twoStorage.spec.versions.push({ ...twoStorage.spec.versions[0], name: 'v2', schema: { openAPIV3Schema: { type: 'object' } } });
  const e = await rejects(api.create(crdDef(api), undefined, twoStorage), 422, (await captured(api.create(crdDef(api), undefined, twoStorage))).message);
  assert.match(e.message, /^CustomResourceDefinition\.apiextensions\.k8s\.io "crontabs\.stable\.example\.com" is invalid: spec\.versions: Invalid value: \[\]apiextensions\.CustomResourceDefinitionVersion\{apiextensions\.CustomResourceDefinitionVersion\{Name:"v1", Served:true, Storage:true, .*: must have exactly one version marked as storage version$/);
  const names = crontabCRD();
  names.spec.names = { plural: 'Cron_Tabs', kind: 'CronTab', listKind: 'CronTab' };
  names.metadata.name = 'Cron_Tabs.stable.example.com';
  const n = await captured(api.create(crdDef(api), undefined, names));
  assert.match(n.message, /spec\.names\.plural: Invalid value: "Cron_Tabs": a DNS-1035 label must consist of lower case alphanumeric characters/);
  assert.match(n.message, /spec\.names\.listKind: Invalid value: "CronTab": kind and listKind may not be the same/);
  const group = crontabCRD();
  group.spec.group = 'example';
  group.metadata.name = 'crontabs.example';
  await rejects(api.create(crdDef(api), undefined, group), 422, 'CustomResourceDefinition.apiextensions.k8s.io "crontabs.example" is invalid: spec.group: Invalid value: "example": should be a domain with at least one dot');
});

async function captured(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail('expected an error');
}

test('custom resources: CRUD, defaults, pruning, and schema validation with kube-openapi messages', async () => {
  const { api, ctl } = await setup();
  await establish(api, ctl);
  const def = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  const ct = await api.create(def, 'default', { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'my-new-cron-object' }, spec: { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', unknown: 1 } });
  assert.equal(ct.spec.replicas, 1, 'default from the schema');
  assert.equal(ct.spec.unknown, undefined, 'pruned');
  assert.equal(ct.metadata.generation, 1);
  assert.equal(ct.metadata.namespace, 'default');
  assert.equal(api.key(def, 'default', 'x'), '/registry/stable.example.com/crontabs/default/x');
  await rejects(
    api.create(def, 'default', { metadata: { name: 'my-new-cron-object-2' }, spec: { cronSpec: '* * * *', image: 'x', replicas: 15 } }),
    422,
    "CronTab.stable.example.com \"my-new-cron-object-2\" is invalid: [spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$', spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10]",
  );
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', replicas: 'two' } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { image: 'x' } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.cronSpec: Required value');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', mode: 'Medium' } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', tags: ['a', 'b', 'c'] } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.tags: Too many: 3: must have at most 2 items');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', tags: ['toolong'] } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.tags[0]: Too long: may not be more than 5 bytes');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', replicas: 0 } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1');
  await rejects(api.create(def, 'default', { metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', port: true } }), 422, 'CronTab.stable.example.com "a" is invalid: spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"');
  // Preserved unknown fields and int-or-string.
  const kept = await api.create(def, 'default', { metadata: { name: 'b' }, spec: { cronSpec: '* * * * *', extra: { anything: { goes: true } }, port: 'http' } });
  assert.deepEqual(kept.spec.extra, { anything: { goes: true } });
  // Update: a spec change bumps generation; merge and JSON patches work; strategic merge is not served over HTTP.
  const upd = await api.patch(def, 'default', 'my-new-cron-object', 'merge', { spec: { replicas: 3 } });
  assert.equal(upd.spec.replicas, 3);
  assert.equal(upd.metadata.generation, 2);
  const jp = await api.patch(def, 'default', 'my-new-cron-object', 'json', [{ op: 'replace', path: '/spec/image', value: 'other' }]);
  assert.equal(jp.spec.image, 'other');
  assert.equal(jp.metadata.generation, 3);
  await rejects(api.patch(def, 'default', 'my-new-cron-object', 'merge', { spec: { replicas: 11 } }), 422, 'CronTab.stable.example.com "my-new-cron-object" is invalid: spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10');
  // Server-side apply creates and updates (lists atomic).
  const applied = await api.apply(def, 'default', 'c', { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'c' }, spec: { cronSpec: '1 * * * *', tags: ['a'] } }, { fieldManager: 'me' });
  assert.equal(applied.created, true);
  assert.equal(applied.object.spec.replicas, 1);
  const list = await api.list(def, 'default');
  assert.deepEqual(list.items.map((o) => o.metadata.name), ['b', 'c', 'my-new-cron-object']);
  await api.delete(def, 'default', 'b');
  assert.equal((await api.list(def, 'default')).items.length, 2);
});

test('status subresource: status ignored on main writes, spec on status writes; scale reads and writes the paths', async () => {
  const { api, ctl } = await setup();
  await establish(api, ctl);
  const def = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  assert.deepEqual(def.subresources, ['status', 'scale']);
  const ct = await api.create(def, 'default', { metadata: { name: 'x' }, spec: { cronSpec: '* * * * *' }, status: { replicas: 9 } });
  assert.equal(ct.status, undefined, 'a create sets no status');
  const s = await api.update(def, 'default', 'x', { ...ct, spec: { ...ct.spec, replicas: 5 }, status: { replicas: 2, selector: 'app=x' } }, { subresource: 'status' });
  assert.deepEqual(s.status, { replicas: 2, selector: 'app=x' });
  assert.equal(s.spec.replicas, 1, 'a status write ignores spec');
  assert.equal(s.metadata.generation, 1);
  const m = await api.update(def, 'default', 'x', { ...s, status: { replicas: 7 } });
  assert.deepEqual(m.status, { replicas: 2, selector: 'app=x' }, 'a main write ignores status');
  const { serveCustomScale } = await import('../../../src/emulator/api/custom-resources.ts');
  const scale = await serveCustomScale(api, def, 'default', 'x', 'GET', undefined, undefined, {});
  assert.deepEqual(scale.spec, { replicas: 1 });
  assert.deepEqual(scale.status, { replicas: 2, selector: 'app=x' });
  const scaled = await serveCustomScale(api, def, 'default', 'x', 'PATCH', { spec: { replicas: 4 } }, 'merge', {});
  assert.equal(scaled.spec.replicas, 4);
  const after = await api.get(def, 'default', 'x');
  assert.equal(after.spec.replicas, 4);
  assert.equal(after.metadata.generation, 2);
  await rejects(serveCustomScale(api, def, 'default', 'x', 'PATCH', { spec: { replicas: -1 } }, 'merge', {}), 422, 'Scale.autoscaling "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
});

test('without a status subresource any non-metadata change bumps generation', async () => {
  const { api, ctl } = await setup();
  const crd = crontabCRD();
  delete crd.spec.versions[0].subresources;
  await establish(api, ctl, crd);
  const def = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  const ct = await api.create(def, 'default', { metadata: { name: 'x' }, spec: { cronSpec: '* * * * *' }, status: { replicas: 1 } });
  assert.deepEqual(ct.status, { replicas: 1 });
  const u = await api.update(def, 'default', 'x', { ...ct, status: { replicas: 2 } });
  assert.equal(u.metadata.generation, 2);
  const l = await api.update(def, 'default', 'x', { ...u, metadata: { ...u.metadata, labels: { a: 'b' } } });
  assert.equal(l.metadata.generation, 2);
});

test('a name conflict leaves NamesAccepted False and nothing served', async () => {
  const { api, ctl } = await setup();
  await establish(api, ctl);
  const other = crontabCRD();
  other.metadata.name = 'crontabz.stable.example.com';
  other.spec.names = { plural: 'crontabz', singular: 'crontabz', kind: 'CronTab', shortNames: ['ct'] };
  const got = await establish(api, ctl, other);
  const names = got.status.conditions.find((c: Obj) => c.type === 'NamesAccepted');
  assert.equal(names.status, 'False');
  // Kind and listKind both conflict; the last check's reason stays (naming_controller.go).
  assert.equal(names.reason, 'ListKindConflict');
  assert.equal(names.message, '"CronTabList" is already in use');
  const est = got.status.conditions.find((c: Obj) => c.type === 'Established');
  assert.deepEqual([est.status, est.reason, est.message], ['False', 'NotAccepted', 'not all names are accepted']);
  assert.equal(api.registry.lookup('stable.example.com', 'v1', 'crontabz'), undefined);
});

test('deleting a CRD deletes its custom resources, then the CRD goes (customresourcecleanup finalizer)', async () => {
  const { api, ctl } = await setup();
  await establish(api, ctl);
  const def = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  for (const n of ['a', 'b']) await api.create(def, 'default', { metadata: { name: n }, spec: { cronSpec: '* * * * *' } });
  const r = await api.delete(crdDef(api), undefined, 'crontabs.stable.example.com');
  assert.equal(r.deleted, false);
  assert.deepEqual(r.object.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  const term = r.object.status.conditions.find((c: Obj) => c.type === 'Terminating');
  assert.deepEqual([term.status, term.reason], ['True', 'InstanceDeletionPending']);
  await settle(ctl);
  assert.equal(await api.tryGet(crdDef(api), undefined, 'crontabs.stable.example.com'), undefined);
  assert.equal(api.registry.lookup('stable.example.com', 'v1', 'crontabs'), undefined);
  assert.deepEqual((await api.store.range('/registry/stable.example.com/crontabs/')).items, []);
});

test('a terminating CRD refuses new custom resources with 405', async () => {
  const { api, ctl } = await setup();
  await establish(api, ctl);
  const def = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  // A finalizer on a custom resource keeps the CRD terminating.
  await api.create(def, 'default', { metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { cronSpec: '* * * * *' } });
  await api.delete(crdDef(api), undefined, 'crontabs.stable.example.com');
  await settle(ctl);
  const crd = await api.get(crdDef(api), undefined, 'crontabs.stable.example.com');
  const term = crd.status.conditions.find((c: Obj) => c.type === 'Terminating');
  assert.deepEqual([term.status, term.reason, term.message], ['True', 'InstanceDeletionInProgress', 'CustomResource deletion is in progress']);
  const live = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  await rejects(api.create(live, 'default', { metadata: { name: 'new' }, spec: { cronSpec: '* * * * *' } }), 405, 'create not allowed while custom resource definition is terminating');
  ctl.stop();
});

test('multiple versions share the storage version\'s storage; only apiVersion changes', async () => {
  const { api, ctl } = await setup();
  const crd = crontabCRD();
  crd.spec.versions = [
    { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: CRONTAB_SCHEMA } },
    { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { ...CRONTAB_SCHEMA, description: 'v1' } } },
  ];
  await establish(api, ctl, crd);
  const v1 = api.registry.lookup('stable.example.com', 'v1', 'crontabs')!;
  const beta = api.registry.lookup('stable.example.com', 'v1beta1', 'crontabs')!;
  assert.ok(beta.conversion);
  const { apiFor } = await import('../../../src/emulator/api/conversion.ts');
  const created = await apiFor(api, beta).create(beta, 'default', { apiVersion: 'stable.example.com/v1beta1', kind: 'CronTab', metadata: { name: 'x' }, spec: { cronSpec: '* * * * *' } });
  assert.equal(created.apiVersion, 'stable.example.com/v1beta1');
  const stored = await api.get(v1, 'default', 'x');
  assert.equal(stored.apiVersion, 'stable.example.com/v1');
  assert.equal(stored.spec.replicas, 1);
  const { apiGroup } = await import('../../../src/emulator/api/discovery.ts');
  assert.deepEqual((apiGroup(api.registry, 'stable.example.com') as Obj).preferredVersion, { groupVersion: 'stable.example.com/v1', version: 'v1' });
});

test('printer columns: jsonPath cells typed as declared, Age for a CRD without columns', async () => {
  assert.deepEqual(findJsonPath({ status: { conditions: [{ type: 'A', status: 'False' }, { type: 'Ready', status: 'True' }] } }, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(findJsonPath({ a: [{ b: 1 }, { b: 2 }] }, '.a[*].b'), [1, 2]);
  assert.deepEqual(findJsonPath({ metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, ".metadata.labels['app.kubernetes.io/name']"), ['x']);
  assert.deepEqual(findJsonPath({ a: {} }, '.a.missing'), []);
});

test('over HTTP: discovery, OpenAPI, tables, field validation, 415 for strategic merge patch', async () => {
  const { api, ctl } = await setup();
  const srv = new ApiHttpServer(api, { token: 't' });
  await srv.listen();
  try {
    const req = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const r = await fetch(`${srv.httpUrl}${path}`, {
        method,
        headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await r.text();
      return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
    };
    const aggAccept = { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' };
    const before = await req('GET', '/apis', undefined, aggAccept);
    const etag = before.headers.get('etag')!;
    assert.ok(etag);
    assert.equal((await req('GET', '/apis', undefined, { ...aggAccept, 'If-None-Match': etag })).status, 304);
    const rootBefore = (await req('GET', '/openapi/v3')).body;
    assert.equal(rootBefore.paths['apis/stable.example.com/v1'], undefined);

    assert.equal((await req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crontabCRD())).status, 201);
    await settle(ctl);

    const after = await req('GET', '/apis', undefined, aggAccept);
    assert.notEqual(after.headers.get('etag'), etag);
    const group = after.body.items.find((g: Obj) => g.metadata.name === 'stable.example.com');
    const res = group.versions[0].resources[0];
    assert.deepEqual(
      { resource: res.resource, kind: res.responseKind.kind, scope: res.scope, singular: res.singularResource, shortNames: res.shortNames, subs: res.subresources.map((s: Obj) => s.subresource) },
      { resource: 'crontabs', kind: 'CronTab', scope: 'Namespaced', singular: 'crontab', shortNames: ['ct'], subs: ['status', 'scale'] },
    );
    const legacy = await req('GET', '/apis/stable.example.com/v1');
    assert.equal(legacy.body.resources[0].name, 'crontabs');

    const root = (await req('GET', '/openapi/v3')).body;
    const docPath = root.paths['apis/stable.example.com/v1'].serverRelativeURL;
    const doc = (await req('GET', docPath)).body;
    const schema = doc.components.schemas['com.example.stable.v1.CronTab'];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
    assert.equal(schema.properties.spec.properties.replicas.maximum, 10);
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
    const patchOp = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    assert.ok(patchOp.parameters.some((p: Obj) => p.name === 'fieldValidation'));
    assert.deepEqual(Object.keys(patchOp.requestBody.content), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);

    const base = '/apis/stable.example.com/v1/namespaces/default/crontabs';
    const strict = await req('POST', `${base}?fieldValidation=Strict`, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', foo: 1 } });
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.foo"');
    const warn = await req('POST', base, { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'a' }, spec: { cronSpec: '* * * * *', image: 'img', foo: 1 } });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.foo\\""');
    assert.equal(warn.body.spec.foo, undefined);

    const table = await req('GET', base, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.deepEqual(table.body.columnDefinitions.map((c: Obj) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Spec', 'string', 0], ['Replicas', 'integer', 0], ['Image', 'string', 1], ['Age', 'date', 0]]);
    assert.equal(table.body.columnDefinitions[2].description, 'Custom resource definition column (in JSONPath format): .spec.replicas');
    assert.deepEqual(table.body.rows[0].cells.slice(0, 4), ['a', '* * * * *', 1, 'img']);

    const smp = await req('PATCH', `${base}/a`, { spec: { replicas: 2 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(smp.status, 415);
    assert.equal(smp.body.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    const merge = await req('PATCH', `${base}/a`, { spec: { replicas: 2 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(merge.body.spec.replicas, 2);
    const scale = await req('GET', `${base}/a/scale`);
    assert.deepEqual(scale.body.spec, { replicas: 2 });

    assert.equal((await req('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status, 200);
    await settle(ctl);
    assert.equal((await req('GET', base)).status, 404);
    const gone = (await req('GET', '/openapi/v3')).body;
    assert.equal(gone.paths['apis/stable.example.com/v1'], undefined);
  } finally {
    ctl.stop();
    await srv.close();
  }
});

test('server-side apply through a non-storage version: applied as v2, stored as v1', async () => {
  const { createCluster } = await import('../../../src/emulator/cluster.ts');
  const { apiFor } = await import('../../../src/emulator/api/conversion.ts');
  const c = await createCluster({ nodes: 1, clock: new EmulatorClock({ mode: 'manual' }), noHttp: true });
  try {
    const crd = c.api.resource('customresourcedefinitions.apiextensions.k8s.io');
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } };
    await c.api.create(crd, undefined, {
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema }, { name: 'v2', served: true, storage: false, schema }] },
    });
    for (let i = 0; i < 200 && !c.api.registry.lookup('example.com', 'v2', 'widgets'); i++) await new Promise((r) => setTimeout(r, 5));
    const v2 = c.api.registry.lookup('example.com', 'v2', 'widgets')!;
    const r = await apiFor(c.api, v2).apply(v2, 'default', 'w', { apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } }, { fieldManager: 'me' });
    assert.equal(r.created, true);
    assert.equal(r.object.apiVersion, 'example.com/v2');
    assert.equal(r.object.metadata.managedFields[0].apiVersion, 'example.com/v2');
    const stored = await c.api.get(c.api.registry.lookup('example.com', 'v1', 'widgets')!, 'default', 'w');
    assert.deepEqual([stored.apiVersion, stored.spec.size], ['example.com/v1', 3]);
  } finally {
    await c.stop();
  }
});
