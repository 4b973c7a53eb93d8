// The editor's enum walk is skipped for kinds that cannot hold a value set it checks; a cross-check
// of that shortcut against a plain closure of each kind's definitions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enumProblems, mayHaveEnums } from '../../../src/emulator/manifests/enums.ts';
import { CHECKED_BY_KINDS, VALIDATED_BY_KINDS } from '../../../src/emulator/api/kinds/enums.ts';
import { DEFINITIONS, REF_PREFIX } from '../../../src/emulator/api/schemas.ts';
import { KNOWN_VALUES } from '../../../src/emulator/manifests/known-values.ts';

const CORE = 'io.k8s.api.core.v1.';

test('kinds without a value set the editor checks skip the walk; the others keep it', () => {
  for (const k of [`${CORE}ConfigMap`, `${CORE}Service`]) assert.equal(mayHaveEnums(k), false, k);
  for (const k of [`${CORE}PersistentVolumeClaim`, `${CORE}Pod`, 'io.k8s.api.apps.v1.StatefulSet', 'io.k8s.api.networking.v1.NetworkPolicy']) assert.equal(mayHaveEnums(k), true, k);
  // And the walk still reports there.
  const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } } };
  assert.deepEqual(enumProblems(DEFINITIONS['io.k8s.api.apps.v1.StatefulSet'], sts).map((p) => p.field), ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted']);
});

test('a kind said to have no value sets reaches none: every definition under it, by its references', () => {
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    if (!def['x-kubernetes-group-version-kind'] || mayHaveEnums(name)) continue;
    const seen = new Set<string>();
    const stack = [name];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n) || (n !== name && VALIDATED_BY_KINDS.has(n))) continue;
      seen.add(n);
      for (const [prop, values] of Object.entries(KNOWN_VALUES[n] ?? {})) {
        const key = `${n}.${prop}`;
        if (values && !CHECKED_BY_KINDS.has(key) && key !== 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator') assert.fail(`${name} reaches ${key}`);
      }
      JSON.stringify(DEFINITIONS[n], (k, v) => {
        if (k === '$ref' && typeof v === 'string') stack.push(v.slice(REF_PREFIX.length));
        return v;
      });
    }
  }
});
