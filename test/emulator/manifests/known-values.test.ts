import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_KEYS, KNOWN_VALUES, knownValues } from '../../../src/emulator/manifests/known-values.ts';
import { DEFINITIONS, resolve } from '../../../src/emulator/api/schemas.ts';

test('every known value set names a string field (or a list of strings) of the 1.32 schemas', () => {
  for (const [definition, props] of Object.entries(KNOWN_VALUES)) {
    const def = DEFINITIONS[definition];
    assert.ok(def, `no definition ${definition}`);
    for (const [property, values] of Object.entries(props)) {
      const s = def.properties?.[property];
      assert.ok(s, `${definition} has no property ${property}`);
      const r = resolve(s);
      const type = r.type === 'array' ? resolve(r.items!).type : r.type;
      assert.equal(type, 'string', `${definition}.${property}`);
      assert.ok(values.length > 0);
      assert.equal(new Set(values.map((v) => v.value)).size, values.length, `${definition}.${property} lists a value twice`);
    }
  }
});

test('the course fields have their Kubernetes value sets', () => {
  const values = (d: string, p: string) => knownValues(d, p)?.map((v) => v.value);
  assert.deepEqual(values('io.k8s.api.core.v1.Container', 'imagePullPolicy'), ['Always', 'IfNotPresent', 'Never']);
  assert.deepEqual(values('io.k8s.api.core.v1.PodSpec', 'restartPolicy'), ['Always', 'Never', 'OnFailure']);
  assert.deepEqual(values('io.k8s.api.apps.v1.DeploymentStrategy', 'type'), ['Recreate', 'RollingUpdate']);
  assert.deepEqual(values('io.k8s.api.core.v1.ServicePort', 'protocol'), ['SCTP', 'TCP', 'UDP']);
  assert.equal(knownValues('io.k8s.api.core.v1.Container', 'image'), undefined);
  assert.equal(knownValues(undefined, 'type'), undefined);
});

test('every known key set names a map field of the 1.32 schemas', () => {
  for (const [definition, props] of Object.entries(KNOWN_KEYS)) {
    for (const property of Object.keys(props)) {
      const s = DEFINITIONS[definition]?.properties?.[property];
      assert.ok(s, `${definition}.${property}`);
      assert.equal(typeof resolve(s).additionalProperties, 'object', `${definition}.${property} is a map`);
    }
  }
});
