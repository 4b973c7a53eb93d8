// TreeState (views/rows.ts): elements keep their identity across refreshes, and an update names only
// the elements whose row or children changed (not their descendants), or 'all' when the roots changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TreeState, type Row } from '../../../src/extension/views/rows.ts';

const pod = (name: string, status = 'Running'): Row => ({ id: `Pod:default/${name}`, label: name, description: status });
const node = (name: string, pods: Row[], description = 'Ready'): Row => ({ id: `Node:${name}`, label: name, description, children: pods });

test('the same ids keep the same element objects, with paths as ids', () => {
  const s = new TreeState();
  assert.equal(s.update([node('a', [pod('web')]), node('b', [])]), 'all');
  const a = s.children[0];
  const web = a.children[0];
  assert.equal(web.id, 'Node:a/Pod:default/web');
  assert.equal(web.parent, a);
  assert.deepEqual(s.update([node('a', [pod('web')]), node('b', [])]), []);
  assert.equal(s.children[0], a);
  assert.equal(s.children[0].children[0], web);
});

test('a changed row fires itself only; a changed child list fires the parent only', () => {
  const s = new TreeState();
  s.update([node('a', [pod('web'), pod('db')]), node('b', [pod('x')])]);
  const [a, b] = s.children;
  const web = a.children[0];
  const changed = s.update([node('a', [pod('web', 'CrashLoopBackOff'), pod('db')]), node('b', [pod('x')])]);
  assert.deepEqual(changed, [web]);
  assert.equal(web.row.description, 'CrashLoopBackOff');
  // A pod added under b: b fires (its children are asked again), not the new pod, not a.
  const added = s.update([node('a', [pod('web', 'CrashLoopBackOff'), pod('db')]), node('b', [pod('x'), pod('y')])]);
  assert.deepEqual(added, [b]);
  assert.equal(b.children.length, 2);
  // A node's description and its pod both change: the node fires and covers its pod.
  const both = s.update([node('a', [pod('web', 'Running'), pod('db')], 'NotReady'), node('b', [pod('x'), pod('y')])]);
  assert.deepEqual(both, [a]);
  assert.equal(a.children[0], web, 'the pod element is kept under the refreshed node');
});

test('roots added, removed or reordered refresh everything; duplicate sibling ids keep the first', () => {
  const s = new TreeState();
  s.update([node('a', [])]);
  assert.equal(s.update([node('a', []), node('b', [])]), 'all');
  assert.equal(s.update([node('b', []), node('a', [])]), 'all');
  assert.equal(s.update([node('b', [])]), 'all');
  assert.equal(s.get('Node:a'), undefined);
  s.update([node('c', [pod('p'), pod('p', 'Pending')])]);
  assert.equal(s.children[0].children.length, 1);
  assert.equal(s.children[0].children[0].row.description, 'Running');
});

test('an element that gains its first child or loses its last fires its parent (its collapsible state changes)', () => {
  const s = new TreeState();
  const ns = (pods: Row[]) => [{ id: 'Namespace:default', label: 'default', children: [node('a', pods), node('b', [pod('x')])] }];
  s.update(ns([]));
  const [def] = s.children;
  const [a, b] = def.children;
  assert.deepEqual(s.update(ns([pod('web')])), [def], 'a gains a child: its parent fires');
  assert.deepEqual(s.update(ns([pod('web'), pod('db')])), [a], 'a second child: a itself');
  assert.deepEqual(s.update(ns([])), [def], 'a loses its children: its parent fires');
  assert.equal(b.children.length, 1);
  // At the roots, a flip refreshes the whole view.
  s.update([node('r', [])]);
  assert.equal(s.update([node('r', [pod('p')])]), 'all');
});
