// What the panels keep across a window reload (src/extension/panels/saved.ts): the page saves it, VS
// Code hands it back to the serializer, which must read only what it expects from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreDetails, restoreTopology, saveDetails, saveTopology, SAVED_VERSION } from '../../../src/extension/panels/saved.ts';

/** VS Code keeps the state as JSON. */
const trip = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

test('details: the object and the tab survive the trip, and the Logs container', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: '7f3c' };
  assert.deepEqual(restoreDetails(trip(saveDetails(ref, 'yaml'))), { ref, tab: 'yaml' });
  const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1' };
  assert.deepEqual(restoreDetails(trip(saveDetails(pod, 'logs', 'sidecar'))), { ref: pod, tab: 'logs', logContainer: 'sidecar' });
  // Cluster-scoped: no namespace.
  assert.deepEqual(restoreDetails(trip(saveDetails({ apiVersion: 'v1', kind: 'Node', name: 'node-1' }, 'summary'))), {
    ref: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    tab: 'summary',
  });
});

test('details: a ref carrying more (a model, a revealed value) is saved without it', () => {
  const ref = { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'db', value: 'hunter2', data: { password: 'aHVudGVyMg==' } };
  const saved = saveDetails(ref, 'secret');
  assert.deepEqual(saved, { v: SAVED_VERSION, ref: { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'db' }, tab: 'secret' });
  assert.ok(!JSON.stringify(saved).includes('hunter2') && !JSON.stringify(saved).includes('aHVudGVy'));
});

test('details: state that does not name an object is refused; an unknown tab becomes the summary', () => {
  for (const bad of [undefined, null, 'x', 42, [], {}, { v: 2, ref: { apiVersion: 'v1', kind: 'Pod', name: 'a' }, tab: 'summary' }, { v: 1, tab: 'yaml' }, { v: 1, ref: { kind: 'Pod', name: 'a' } }, { v: 1, ref: { apiVersion: 'v1', kind: 'Pod', name: '' } }, { v: 1, ref: { apiVersion: 'v1', kind: 'Pod', name: 7 } }, { v: 1, ref: { apiVersion: 'v1', kind: 'Pod', name: 'x'.repeat(5000) } }]) {
    assert.equal(restoreDetails(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
  }
  const r = restoreDetails({ v: 1, ref: { apiVersion: 'v1', kind: 'Pod', name: 'a', namespace: 3, extra: true }, tab: 'danger', logContainer: ['x'] });
  assert.deepEqual(r, { ref: { apiVersion: 'v1', kind: 'Pod', name: 'a' }, tab: 'summary' });
});

test('topology: grouping and filters survive the trip', () => {
  const view = { groupBy: 'node' as const, filter: { namespace: 'shop', selector: 'app=web,tier!=db', kinds: ['Pod' as const, 'Service' as const] } };
  assert.deepEqual(restoreTopology(trip(saveTopology(view))), view);
  const plain = { groupBy: 'namespace' as const, filter: {} };
  assert.deepEqual(restoreTopology(trip(saveTopology(plain))), plain);
});

test('topology: state not ours gives the default view; unknown kinds and fields are dropped', () => {
  const def = { groupBy: 'namespace', filter: {} };
  for (const bad of [undefined, null, 'x', {}, { v: 2, view: { groupBy: 'node', filter: {} } }]) assert.deepEqual(restoreTopology(bad), def);
  assert.deepEqual(restoreTopology({ v: 1, view: { groupBy: 'pod', filter: { namespace: 1, selector: 'a=b', kinds: ['Pod', 'Ingress', 3], x: 1 } } }), {
    groupBy: 'namespace',
    filter: { selector: 'a=b', kinds: ['Pod'] },
  });
  assert.deepEqual(restoreTopology({ v: 1, view: { groupBy: 'node', filter: { kinds: ['Ingress'] } } }), { groupBy: 'node', filter: {} });
});
