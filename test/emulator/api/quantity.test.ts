import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, parseQuantity, QuantityError } from '../../../src/emulator/api/quantity.ts';

// Expected strings: Quantity.String() after ParseQuantity (k8s.io/apimachinery/pkg/api/resource,
// quantity_test.go's canonical table and the docs' "1.5 is represented as 1500m").
const CANONICAL: [string | number, string][] = [
  ['0.5', '500m'], ['1.5', '1500m'], [0.25, '250m'], ['.5', '500m'], ['1.', '1'],
  ['1000m', '1'], ['100m', '100m'], ['2000', '2k'], ['1500', '1500'], ['5000000000', '5G'], ['2G', '2G'],
  ['1024Mi', '1Gi'], ['0.5Gi', '512Mi'], ['1.5Gi', '1536Mi'], ['1000Mi', '1000Mi'], ['0.5Ki', '512'], ['1.1Ki', '1126400m'],
  ['1e3', '1e3'], ['12e-3', '12e-3'], ['0.1n', '1n'], ['-1.5', '-1500m'], ['0', '0'], ['0Mi', '0'], [2, '2'],
];

test('quantities canonicalize as Quantity.String does', () => {
  for (const [input, want] of CANONICAL) assert.equal(canonicalQuantity(input), want, `canonical form of ${JSON.stringify(input)}`);
});

test('the canonical form keeps the value', () => {
  for (const [input] of CANONICAL) {
    if (input === '0.1n') continue; // rounded up to 1n on purpose
    const a = parseQuantity(input);
    const b = parseQuantity(canonicalQuantity(input));
    assert.ok(Math.abs(a - b) <= Math.abs(a) * 1e-12, `${input}: ${a} vs ${b}`);
  }
});

test('what is not a quantity is refused with the apiserver message', () => {
  for (const bad of ['lots', '1.2.3', '', '.', '1Qi', 'Mi']) {
    assert.throws(() => canonicalQuantity(bad), (e: unknown) => e instanceof QuantityError && /^quantities must match the regular expression/.test(e.message), bad);
  }
});
