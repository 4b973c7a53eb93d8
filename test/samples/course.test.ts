// Every sample of the course (samples/<step>/), applied in the course's order to one 3-node
// emulated cluster on a manual clock with the real kubectl, each step's promised outcome checked
// (test/samples/course.ts): so the samples never rot.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COURSE, ROOT, SAMPLES, startCourse, type Course } from './course.ts';

let k: Course;
before(async () => {
  k = await startCourse();
});
after(async () => {
  await k?.stop();
});

for (const step of COURSE) {
  test(`${step.id}: ${step.id === 'start-cluster' ? 'three Ready nodes' : `samples/${step.id}/ as its README says`}`, async () => {
    const t0 = k.c.clock.now();
    const wall = performance.now();
    await step.run(k);
    console.log(`# ${step.id}: ${((k.c.clock.now() - t0) / 1000).toFixed(0)} s emulated, ${(performance.now() - wall).toFixed(0)} ms wall`);
  });
}

test('every sample folder is a course step, has a README, and its README names only files that exist', () => {
  const folders = readdirSync(SAMPLES).sort();
  assert.deepEqual(folders, COURSE.filter((s) => s.id !== 'start-cluster').map((s) => s.id).sort());
  for (const f of folders) {
    const readme = readFileSync(join(SAMPLES, f, 'README.md'), 'utf8');
    for (const m of readme.matchAll(/samples\/[\w-]+\/[\w.-]*/g)) assert.ok(existsSync(join(ROOT, m[0])), `${f}/README.md names ${m[0]}`);
  }
});
