import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SelectorError,
  formatLabelSelector,
  labelSelectorFromObject,
  labelSelectorString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  requirementString,
  selectorString,
  type Requirement,
} from '../../../src/emulator/api/selectors.ts';

const req = (key: string, operator: Requirement['operator'], values: string[] = []): Requirement => ({
  key,
  operator,
  values,
});

function parseError(text: string): string {
  try {
    parseLabelSelector(text);
  } catch (e) {
    assert.ok(e instanceof SelectorError, `expected SelectorError, got ${String(e)}`);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

test('empty label selector selects everything', () => {
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector('   '), []);
  assert.equal(matchesLabels(parseLabelSelector(''), undefined), true);
});

test('equality operators', () => {
  assert.deepEqual(parseLabelSelector('a=b'), [req('a', 'Equals', ['b'])]);
  assert.deepEqual(parseLabelSelector('a==b'), [req('a', 'DoubleEquals', ['b'])]);
  assert.deepEqual(parseLabelSelector('a!=b'), [req('a', 'NotEquals', ['b'])]);
  assert.deepEqual(parseLabelSelector('a='), [req('a', 'Equals', [''])]);
  assert.deepEqual(parseLabelSelector(' app = web , tier!=db '), [
    req('app', 'Equals', ['web']),
    req('tier', 'NotEquals', ['db']),
  ]);
});

test('set-based operators, exists and does-not-exist, sorted by key like labels.Parse', () => {
  assert.deepEqual(parseLabelSelector('x in (foo,,baz),y,z notin ()'), [
    req('x', 'In', ['', 'baz', 'foo']),
    req('y', 'Exists'),
    req('z', 'NotIn', ['']),
  ]);
  assert.deepEqual(parseLabelSelector('!b,a'), [req('a', 'Exists'), req('b', 'DoesNotExist')]);
  assert.deepEqual(parseLabelSelector('env in (prod, dev, prod)'), [req('env', 'In', ['dev', 'prod'])]);
  // "in" and "notin" are values or keys where an identifier is expected.
  assert.deepEqual(parseLabelSelector('value in (in,notin)'), [req('value', 'In', ['in', 'notin'])]);
  assert.deepEqual(parseLabelSelector('in=notin'), [req('in', 'Equals', ['notin'])]);
  assert.deepEqual(parseLabelSelector('example.com/tier=a'), [req('example.com/tier', 'Equals', ['a'])]);
});

test('greater-than and less-than', () => {
  const gt = parseLabelSelector('replicas>1');
  assert.deepEqual(gt, [req('replicas', 'Gt', ['1'])]);
  assert.equal(matchesLabels(gt, { replicas: '2' }), true);
  assert.equal(matchesLabels(gt, { replicas: '1' }), false);
  assert.equal(matchesLabels(gt, { replicas: 'x' }), false);
  assert.equal(matchesLabels(gt, {}), false);
  const lt = parseLabelSelector('n<3');
  assert.equal(matchesLabels(lt, { n: '-4' }), true);
  assert.equal(matchesLabels(lt, { n: '3' }), false);
  // A negative number is not a valid label value, so Kubernetes cannot parse it either.
  assert.match(parseError('n<-3'), /^unable to parse requirement: values\[0\]\[n\]: Invalid value: "-3"/);
});

test('syntax errors carry labels/selector.go messages', () => {
  assert.equal(parseError('a b'), 'unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
  assert.equal(parseError('a=b c'), "found 'c', expected: ',' or 'end of string'");
  assert.equal(parseError('a=b,'), "found '', expected: identifier after ','");
  assert.equal(parseError(',a'), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('a in b'), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(parseError('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(parseError('a in (b c)'), "unable to parse requirement: found 'c', expected: ',' or ')'");
  assert.equal(parseError('a in (='), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  assert.equal(parseError('a=('), "unable to parse requirement: found '(', expected: identifier");
  assert.equal(parseError('!'), "unable to parse requirement: found '', expected: identifier");
  assert.equal(parseError('!a=b'), "found '=', expected: ',' or 'end of string'");
});

test('invalid keys and values are reported as Kubernetes validation errors', () => {
  assert.equal(
    parseError('a/b/c=d'),
    'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric ' +
      "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or " +
      "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an " +
      "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  );
  const long = 'k'.repeat(64);
  assert.match(parseError(`${long}=v`), /^unable to parse requirement: <nil>: Invalid value: "k{64}": name part must be no more than 63 characters$/);
  assert.equal(
    parseError('a=-b'),
    'unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or ' +
      "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
      "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is " +
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
  assert.equal(
    parseError('a>x'),
    'unable to parse requirement: values[0]: Invalid value: "x": for \'Gt\', \'Lt\' operators, the value must be an integer',
  );
  assert.match(parseError('/a=b'), /<nil>: Invalid value: "\/a": prefix part must be non-empty$/);
  assert.match(parseError('Foo.com/a=b'), /prefix part a lowercase RFC 1123 subdomain must consist of/);
});

test('matching follows Requirement.Matches', () => {
  const sel = parseLabelSelector('app=web,tier notin (db),!canary,zone');
  assert.equal(matchesLabels(sel, { app: 'web', zone: 'a' }), true);
  assert.equal(matchesLabels(sel, { app: 'web', zone: 'a', tier: 'db' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', zone: 'a', canary: '' }), false);
  assert.equal(matchesLabels(sel, { app: 'web' }), false);
  assert.equal(matchesLabels(sel, { app: 'api', zone: 'a' }), false);
  assert.equal(matchesLabels(parseLabelSelector('a in (x,y)'), { a: 'y' }), true);
  assert.equal(matchesLabels(parseLabelSelector('a in (x,y)'), {}), false);
  assert.equal(matchesLabels(parseLabelSelector('a!=x'), {}), true);
  // Keys inherited from Object.prototype are not labels.
  assert.equal(matchesLabels(parseLabelSelector('constructor'), {}), false);
});

test('parsed selectors are cached and frozen', () => {
  const a = parseLabelSelector('cache=me');
  assert.equal(parseLabelSelector('cache=me'), a);
  assert.throws(() => (a as Requirement[]).push(req('x', 'Exists')));
});

test('labelSelectorFromObject follows LabelSelectorAsSelector', () => {
  assert.equal(labelSelectorFromObject(null), null);
  assert.equal(labelSelectorFromObject(undefined), null);
  assert.deepEqual(labelSelectorFromObject({}), []);
  assert.deepEqual(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }), []);
  const reqs = labelSelectorFromObject({
    matchLabels: { tier: 'fe', app: 'x' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.deepEqual(reqs, [
    req('app', 'Equals', ['x']),
    req('canary', 'DoesNotExist'),
    req('env', 'In', ['prod', 'dev']),
    req('tier', 'Equals', ['fe']),
  ]);
  assert.equal(matchesLabels(reqs!, { app: 'x', tier: 'fe', env: 'dev' }), true);
  assert.equal(matchesLabels(reqs!, { app: 'x', tier: 'fe', env: 'qa' }), false);
});

test('labelSelectorFromObject rejects what Kubernetes rejects', () => {
  const err = (sel: Parameters<typeof labelSelectorFromObject>[0]): string => {
    try {
      labelSelectorFromObject(sel);
    } catch (e) {
      assert.ok(e instanceof SelectorError);
      return e.message;
    }
    return assert.fail('expected an error');
  };
  assert.equal(err({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }), '"Equals" is not a valid pod selector operator');
  assert.equal(
    err({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  );
  assert.equal(
    err({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
  );
  assert.match(err({ matchLabels: { 'a b': 'c' } }), /^key: Invalid value: "a b": name part must consist of/);
  assert.match(
    err({ matchLabels: { a: 'b c' }, matchExpressions: [] }),
    /^values\[0\]\[a\]: Invalid value: "b c": a valid label must be/,
  );
  // Several errors are aggregated in brackets.
  assert.match(err({ matchLabels: { '-a': '-b' } }), /^\[key: Invalid value: "-a": .*, values\[0\]\[-a\]: Invalid value: "-b": .*\]$/);
});

test('formatLabelSelector and the Scale selector string', () => {
  const sel = {
    matchLabels: { app: 'x' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['b', 'a'] },
      { key: 'track', operator: 'Exists' },
      { key: 'old', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['qa'] },
    ],
  };
  assert.equal(formatLabelSelector(sel), 'app=x,env notin (qa),!old,tier in (a,b),track');
  assert.equal(formatLabelSelector({ matchLabels: { app: 'x' } }), 'app=x');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(null), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Nope' }] }), '<error>');
  assert.equal(labelSelectorString({ matchLabels: { app: 'x' } }), 'app=x');
  assert.equal(labelSelectorString({}), '');
  assert.equal(selectorString(parseLabelSelector('b==1,a>3,c!=2')), 'a>3,b==1,c!=2');
  assert.equal(requirementString(req('a', 'In', ['z', 'y'])), 'a in (y,z)');
});

test('field selectors: operators, sorting and escaping', () => {
  assert.deepEqual(parseFieldSelector(''), []);
  assert.deepEqual(parseFieldSelector('spec.nodeName=n1,metadata.name==x'), [
    req('metadata.name', 'Equals', ['x']),
    req('spec.nodeName', 'Equals', ['n1']),
  ]);
  assert.deepEqual(parseFieldSelector('status.phase!=Running'), [req('status.phase', 'NotEquals', ['Running'])]);
  assert.deepEqual(parseFieldSelector('spec.nodeName='), [req('spec.nodeName', 'Equals', [''])]);
  assert.deepEqual(parseFieldSelector('a=x\\,y\\=z\\\\,b=c'), [req('a', 'Equals', ['x,y=z\\']), req('b', 'Equals', ['c'])]);
  assert.deepEqual(parseFieldSelector('a=b,,'), [req('a', 'Equals', ['b'])]);
  // The first operator in the term splits it; '!=' wins over '=' at the same place.
  assert.deepEqual(parseFieldSelector('x!=y'), [req('x', 'NotEquals', ['y'])]);
});

test('field selector errors', () => {
  const err = (t: string): string => {
    try {
      parseFieldSelector(t);
    } catch (e) {
      assert.ok(e instanceof SelectorError);
      return e.message;
    }
    return assert.fail('expected an error');
  };
  assert.equal(err('foo'), "invalid selector: 'foo'; can't understand 'foo'");
  assert.equal(err('a=b,foo'), "invalid selector: 'a=b,foo'; can't understand 'foo'");
  assert.equal(err('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  assert.equal(err('a=x\\q'), 'invalid field selector: invalid escape sequence: \\q');
  assert.equal(err('a=x\\'), 'invalid field selector: invalid escape sequence: \\');
});

test('field matching treats missing fields as empty', () => {
  const fields = { 'metadata.name': 'web-1', 'metadata.namespace': 'default', 'status.phase': 'Running' };
  assert.equal(matchesFields(parseFieldSelector('metadata.name=web-1'), fields), true);
  assert.equal(matchesFields(parseFieldSelector('metadata.name=web-2'), fields), false);
  assert.equal(matchesFields(parseFieldSelector('status.phase!=Running'), fields), false);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), fields), true);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName!='), fields), false);
  assert.equal(matchesFields([], fields), true);
});

test('matching is cheap once parsed', () => {
  const sel = parseLabelSelector('app=web,tier in (fe,be),!canary');
  const objs = Array.from({ length: 200_000 }, (_, i) => ({ app: i % 2 ? 'web' : 'api', tier: i % 3 ? 'fe' : 'db' }));
  const start = process.hrtime.bigint();
  let n = 0;
  for (const o of objs) if (matchesLabels(sel, o)) n++;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(n, objs.filter((o, i) => i % 2 && o.tier === 'fe').length);
  assert.ok(ms < 1000, `matching 200k objects took ${ms} ms`);
});
