// The tar applet kubectl cp runs in the container (k8s.io/kubectl/pkg/cmd/cp: `tar cf - /path`
// out, `tar -xmf - -C /dir` in), checked against GNU tar on the host both ways.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryFileSystem } from '../../../src/emulator/runtime/fs.ts';
import { readTar, tar, type TarCtx } from '../../../src/emulator/api/http/tar.ts';
import type { FileSystem } from '../../../src/emulator/runtime/contracts.ts';

async function run(fs: FileSystem, argv: string[], stdin: Buffer = Buffer.alloc(0)): Promise<{ code: number; out: Buffer; err: string }> {
  const out: Buffer[] = [];
  let err = '';
  const resolve = (p: string) => {
    const parts: string[] = [];
    for (const s of (p.startsWith('/') ? p : `/${p}`).split('/')) {
      if (!s || s === '.') continue;
      if (s === '..') parts.pop();
      else parts.push(s);
    }
    return '/' + parts.join('/');
  };
  const ctx: TarCtx = {
    argv,
    sh: { resolve, ctx: { fs, clock: { now: () => 0 } } },
    io: { stdin: { readAll: async () => stdin }, out: (d) => out.push(Buffer.from(d)), err: (d) => (err += d.toString()) },
  };
  const code = await tar(ctx);
  return { code, out: Buffer.concat(out), err };
}

function sample(): MemoryFileSystem {
  const fs = new MemoryFileSystem({ now: () => Date.parse('2025-01-01T00:00:00Z') });
  fs.mkdir('/data/sub', { recursive: true });
  fs.write('/data/a.txt', 'alpha\n');
  fs.write('/data/sub/b.txt', Buffer.alloc(1500, 0x62));
  return fs;
}

test('tar cf - /data: ustar members without the leading slash, as busybox warns', async () => {
  const r = await run(sample(), ['tar', 'cf', '-', '/data']);
  assert.equal(r.code, 0);
  assert.equal(r.err, "tar: removing leading '/' from member names\n");
  assert.deepEqual(
    readTar(r.out).map((e) => `${e.kind} ${e.name} ${e.data?.length ?? ''}`),
    ['dir data ', 'file data/a.txt 6', 'dir data/sub ', 'file data/sub/b.txt 1500'],
  );
  // GNU tar reads it.
  const dir = mkdtempSync(join(tmpdir(), 'tar-'));
  writeFileSync(join(dir, 'a.tar'), r.out);
  const gnu = spawnSync('tar', ['xf', 'a.tar'], { cwd: dir, encoding: 'utf8' });
  assert.equal(gnu.status, 0, gnu.stderr);
  assert.equal(readFileSync(join(dir, 'data/a.txt'), 'utf8'), 'alpha\n');
  assert.equal(readFileSync(join(dir, 'data/sub/b.txt')).length, 1500);
});

test('tar -xmf - -C /dir extracts what GNU tar made (kubectl cp into a pod)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-'));
  mkdirSync(join(dir, 'up/deep'), { recursive: true });
  writeFileSync(join(dir, 'up/one.txt'), 'one\n');
  writeFileSync(join(dir, 'up/deep/two.txt'), 'two\n');
  const gnu = spawnSync('tar', ['cf', '-', 'up'], { cwd: dir });
  assert.equal(gnu.status, 0);
  const fs = new MemoryFileSystem();
  fs.mkdir('/tmp', { recursive: true });
  const r = await run(fs, ['tar', '-xmf', '-', '-C', '/tmp'], gnu.stdout);
  assert.equal(r.code, 0, r.err);
  assert.equal(fs.read('/tmp/up/one.txt').toString(), 'one\n');
  assert.equal(fs.read('/tmp/up/deep/two.txt').toString(), 'two\n');
});

test('tar: long names round-trip (PAX path records); errors as busybox words them', async () => {
  const fs = new MemoryFileSystem();
  const long = `/d/${'x'.repeat(60)}/${'y'.repeat(60)}/${'z'.repeat(120)}.txt`;
  fs.mkdir(long.slice(0, long.lastIndexOf('/')), { recursive: true });
  fs.write(long, 'deep\n');
  const r = await run(fs, ['tar', 'cf', '-', long]);
  assert.equal(r.code, 0);
  const back = new MemoryFileSystem();
  const x = await run(back, ['tar', 'xf', '-'], r.out);
  assert.equal(x.code, 0, x.err);
  assert.equal(back.read(long).toString(), 'deep\n');
  const missing = await run(fs, ['tar', 'cf', '-', '/nothere']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /tar: \/nothere: No such file or directory\n$/);
  const noC = await run(fs, ['tar', '-xf', '-', '-C', '/nodir'], r.out);
  assert.equal(noC.code, 1);
  assert.equal(noC.err, "tar: can't change directory to '/nodir': No such file or directory\n");
  const bad = await run(fs, ['tar', 'xf', '-'], Buffer.alloc(1024, 7));
  assert.equal(bad.code, 1);
  assert.equal(bad.err, 'tar: invalid tar header checksum\n');
});
