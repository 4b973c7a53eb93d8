import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FsError } from '../../../src/emulator/runtime/contracts.ts';
import { MemoryFileSystem, MountedFileSystem, OverlayFileSystem, ReadOnlyFileSystem, normalizePath, dirname, basename } from '../../../src/emulator/runtime/fs.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FsError, String(e));
    return `${e.code} ${e.message}`;
  }
  return 'no error';
}

test('paths normalize as POSIX does, never above the root', () => {
  assert.equal(normalizePath('/a//b/./c/../d/'), '/a/b/d');
  assert.equal(normalizePath('/../../x'), '/x');
  assert.equal(normalizePath('rel/p'), '/rel/p');
  assert.equal(normalizePath(''), '/');
  assert.equal(dirname('/a/b/c'), '/a/b');
  assert.equal(dirname('/a'), '/');
  assert.equal(basename('/a/b/'), 'b');
});

test('files: write, read, append, sizes in bytes, mtimes from the clock, modes', () => {
  let t = 1000;
  const fs = new MemoryFileSystem({ now: () => t });
  fs.mkdir('/data');
  fs.write('/data/x', 'héllo');
  assert.deepEqual(fs.stat('/data/x'), { kind: 'file', size: 6, mtime: 1000, mode: 0o644 });
  t = 2000;
  fs.write('/data/x', '\n', { append: true });
  for (let i = 0; i < 1000; i++) fs.write('/data/x', 'ab', { append: true });
  assert.equal(fs.read('/data/x').length, 2007);
  assert.equal(fs.read('/data/x').subarray(0, 7).toString(), 'héllo\n');
  assert.equal(fs.stat('/data/x')!.mtime, 2000);
  assert.equal(fs.usedBytes(), 2007);
  fs.write('/data/x', 'new', { mode: 0o600 });
  assert.equal(fs.read('/data/x').toString(), 'new');
  assert.equal(fs.stat('/data/x')!.mode, 0o600);
  assert.equal(fs.usedBytes(), 3);
  assert.equal(fs.read('/data/../data/./x').toString(), 'new');
  assert.equal(fs.stat('/data')!.kind, 'dir');
});

test('errors carry the errno code and the path as given', () => {
  const fs = new MemoryFileSystem();
  fs.write('/f', 'x');
  fs.mkdir('/d');
  fs.write('/d/in', 'y');
  assert.equal(code(() => fs.read('/nope')), 'ENOENT /nope: No such file or directory');
  assert.equal(code(() => fs.read('/d')), 'EISDIR /d: Is a directory');
  assert.equal(code(() => fs.read('/f/x')), 'ENOTDIR /f/x: Not a directory');
  assert.equal(code(() => fs.write('/no/dir/f', 'x')), 'ENOENT /no/dir/f: No such file or directory');
  assert.equal(code(() => fs.write('/d', 'x')), 'EISDIR /d: Is a directory');
  assert.equal(code(() => fs.mkdir('/d')), 'EEXIST /d: File exists');
  assert.equal(code(() => fs.mkdir('/f')), 'EEXIST /f: File exists');
  assert.equal(code(() => fs.mkdir('/a/b')), 'ENOENT /a/b: No such file or directory');
  assert.equal(code(() => fs.mkdir('/f/b', { recursive: true })), 'ENOTDIR /f/b: Not a directory');
  assert.equal(code(() => fs.list('/f')), 'ENOTDIR /f: Not a directory');
  assert.equal(code(() => fs.remove('/d')), 'ENOTEMPTY /d: Directory not empty');
  assert.equal(code(() => fs.remove('/zz')), 'ENOENT /zz: No such file or directory');
  assert.equal(fs.stat('/f/x'), undefined);
});

test('directories: recursive mkdir, sorted listing, recursive remove frees bytes', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/a/b/c', { recursive: true });
  fs.mkdir('/a/b/c', { recursive: true });
  fs.write('/a/b/z', '12345');
  fs.write('/a/b/c/y', '12');
  assert.deepEqual(fs.list('/a/b'), ['c', 'z']);
  assert.deepEqual(fs.list('/'), ['a']);
  assert.equal(fs.usedBytes(), 7);
  fs.remove('/a/b', { recursive: true });
  assert.deepEqual(fs.list('/a'), []);
  assert.equal(fs.usedBytes(), 0);
});

test('rename moves files and directories', () => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  fs.write('/d/a', 'x');
  fs.rename('/d/a', '/b');
  assert.equal(fs.read('/b').toString(), 'x');
  assert.equal(fs.stat('/d/a'), undefined);
  fs.rename('/d', '/e');
  assert.deepEqual(fs.list('/'), ['b', 'e']);
  assert.equal(code(() => fs.rename('/e', '/e/sub')), 'EINVAL /e/sub: Invalid argument');
});

test('read-only file systems reject writes with EROFS; the owner can still fill them', () => {
  const fs = new MemoryFileSystem({ readOnly: true });
  assert.equal(code(() => fs.write('/x', 'y')), 'EROFS /x: Read-only file system');
  fs.put('/k/key', 'v', { mkdirs: true });
  assert.equal(fs.read('/k/key').toString(), 'v');
  const view = new ReadOnlyFileSystem(new MemoryFileSystem());
  assert.equal(code(() => view.mkdir('/x')), 'EROFS /x: Read-only file system');
});

test('mounts: longest prefix wins, subPath, readOnly, mount points listed and busy', () => {
  const root = new MemoryFileSystem();
  root.mkdir('/etc');
  root.write('/etc/hostname', 'pod\n');
  const vol = new MemoryFileSystem();
  vol.mkdir('/sub/deeper', { recursive: true });
  vol.write('/sub/file', 'in sub');
  vol.write('/top', 'top');
  const cm = new MemoryFileSystem({ readOnly: true });
  cm.put('/nginx.conf', 'conf');
  const fs = new MountedFileSystem(root, [
    { path: '/data', fs: vol },
    { path: '/data/inner', fs: vol, subPath: 'sub' },
    { path: '/etc/nginx/nginx.conf', fs: cm, subPath: 'nginx.conf' },
    { path: '/ro', fs: vol, readOnly: true },
  ]);
  assert.equal(fs.read('/data/top').toString(), 'top');
  assert.equal(fs.read('/data/inner/file').toString(), 'in sub');
  assert.equal(fs.read('/ro/sub/file').toString(), 'in sub');
  assert.deepEqual(fs.list('/data/inner'), ['deeper', 'file']);
  // The volume's own /sub and the mount point "inner" show under /data.
  assert.deepEqual(fs.list('/data'), ['inner', 'sub', 'top']);
  // Directories leading to a mount exist though the root has none.
  assert.deepEqual(fs.list('/etc'), ['hostname', 'nginx']);
  assert.equal(fs.stat('/etc/nginx')!.kind, 'dir');
  assert.deepEqual(fs.list('/etc/nginx'), ['nginx.conf']);
  assert.equal(fs.read('/etc/nginx/nginx.conf').toString(), 'conf');
  assert.equal(fs.stat('/etc/nginx/nginx.conf')!.kind, 'file');
  assert.deepEqual(fs.list('/'), ['data', 'etc', 'ro']);
  // Writes reach the volume and are seen through every mount of it.
  fs.write('/data/inner/new', 'n');
  assert.equal(vol.read('/sub/new').toString(), 'n');
  assert.equal(fs.read('/ro/sub/new').toString(), 'n');
  assert.equal(code(() => fs.write('/ro/x', 'y')), 'EROFS /ro/x: Read-only file system');
  assert.equal(code(() => fs.write('/etc/nginx/nginx.conf', 'y')), 'EROFS /etc/nginx/nginx.conf: Read-only file system');
  assert.equal(code(() => fs.remove('/ro/top')), 'EROFS /ro/top: Read-only file system');
  assert.equal(code(() => fs.remove('/data')), 'EBUSY /data: Resource busy');
  assert.equal(code(() => fs.read('/data/missing')), 'ENOENT /data/missing: No such file or directory');
  assert.equal(code(() => fs.mkdir('/data')), 'EEXIST /data: File exists');
  fs.mkdir('/data', { recursive: true });
  // rm -rf of a directory holding a mount empties the rest and reports the busy mount point.
  root.mkdir('/m');
  root.write('/m/f', 'x');
  const fs2 = new MountedFileSystem(root, [{ path: '/m/v', fs: new MemoryFileSystem() }]);
  assert.equal(code(() => fs2.remove('/m', { recursive: true })), 'EBUSY /m: Resource busy');
  assert.deepEqual(fs2.list('/m'), ['v']);
  // The root writable layer takes writes outside mounts.
  fs.write('/tmp-file', 'x');
  assert.equal(root.read('/tmp-file').toString(), 'x');
});

/** An image layer (read-only, as the VolumeHost shares it) and a container's overlay on it. */
function overlay(): { lower: MemoryFileSystem; fs: OverlayFileSystem; other: OverlayFileSystem } {
  const lower = new MemoryFileSystem({ now: () => 1_000 });
  lower.makeDir('/etc/nginx/conf.d', { recursive: true });
  lower.put('/etc/nginx/nginx.conf', 'worker_processes auto;\n');
  lower.put('/etc/passwd', 'root:x:0:0\n', { mode: 0o600 });
  lower.makeDir('/tmp', { mode: 0o1777 });
  lower.put('/usr/share/nginx/html/index.html', 'Welcome\n', { mkdirs: true });
  lower.readOnly = true;
  return { lower, fs: new OverlayFileSystem(lower, new MemoryFileSystem({ now: () => 2_000 })), other: new OverlayFileSystem(lower, new MemoryFileSystem()) };
}

test('overlay: the image layer shows through; writes copy up and stay in the container', () => {
  const { lower, fs, other } = overlay();
  assert.equal(fs.read('/etc/nginx/nginx.conf').toString(), 'worker_processes auto;\n');
  assert.deepEqual(fs.list('/etc'), ['nginx', 'passwd']);
  assert.equal(fs.stat('/tmp')?.mode, 0o1777);
  // Appending to an image file starts from its bytes and keeps its mode.
  fs.write('/etc/passwd', 'app:x:1000:1000\n', { append: true });
  assert.equal(fs.read('/etc/passwd').toString(), 'root:x:0:0\napp:x:1000:1000\n');
  assert.equal(fs.stat('/etc/passwd')?.mode, 0o600);
  // A new file in an image directory: the directory is copied up with its mode.
  fs.write('/tmp/x', 'data');
  assert.equal(fs.upper.stat('/tmp')?.mode, 0o1777);
  assert.deepEqual(fs.list('/tmp'), ['x']);
  fs.write('/usr/share/nginx/html/index.html', 'mine\n');
  // The image layer and the other container are untouched.
  assert.equal(lower.read('/etc/passwd').toString(), 'root:x:0:0\n');
  assert.equal(lower.stat('/tmp/x'), undefined);
  assert.equal(other.read('/usr/share/nginx/html/index.html').toString(), 'Welcome\n');
  assert.equal(other.stat('/tmp/x'), undefined);
  assert.equal(fs.read('/usr/share/nginx/html/index.html').toString(), 'mine\n');
});

test('overlay: removing an image file leaves a whiteout; a directory made again is opaque', () => {
  const { fs, other } = overlay();
  fs.remove('/etc/nginx/nginx.conf');
  assert.equal(fs.stat('/etc/nginx/nginx.conf'), undefined);
  assert.deepEqual(fs.list('/etc/nginx'), ['conf.d']);
  assert.throws(() => fs.read('/etc/nginx/nginx.conf'), (e: FsError) => e.code === 'ENOENT' && e.message === '/etc/nginx/nginx.conf: No such file or directory');
  // Not empty: ENOTEMPTY, as rmdir; recursive removes the image's subtree from view.
  assert.throws(() => fs.remove('/usr/share/nginx'), (e: FsError) => e.code === 'ENOTEMPTY');
  fs.remove('/usr/share/nginx', { recursive: true });
  assert.deepEqual(fs.list('/usr/share'), []);
  fs.mkdir('/usr/share/nginx/html', { recursive: true });
  assert.deepEqual(fs.list('/usr/share/nginx/html'), [], 'the image\'s index.html stays hidden under the new directory');
  fs.write('/etc/nginx/nginx.conf', 'new');
  assert.equal(fs.read('/etc/nginx/nginx.conf').toString(), 'new');
  assert.equal(other.read('/etc/nginx/nginx.conf').toString(), 'worker_processes auto;\n');
  // rm -rf / empties the view.
  fs.remove('/', { recursive: true });
  assert.deepEqual(fs.list('/'), []);
  assert.equal(fs.stat('/etc/passwd'), undefined);
});

test('overlay: errors as on one file system (ENOENT, ENOTDIR, EISDIR, EEXIST)', () => {
  const { fs } = overlay();
  assert.throws(() => fs.write('/nope/x', 'a'), (e: FsError) => e.code === 'ENOENT' && e.message === '/nope/x: No such file or directory');
  assert.throws(() => fs.write('/etc/passwd/x', 'a'), (e: FsError) => e.code === 'ENOTDIR');
  assert.throws(() => fs.read('/etc/passwd/x'), (e: FsError) => e.code === 'ENOTDIR');
  assert.throws(() => fs.write('/etc/nginx', 'a'), (e: FsError) => e.code === 'EISDIR');
  assert.throws(() => fs.read('/etc'), (e: FsError) => e.code === 'EISDIR');
  assert.throws(() => fs.mkdir('/etc'), (e: FsError) => e.code === 'EEXIST');
  assert.throws(() => fs.list('/etc/passwd'), (e: FsError) => e.code === 'ENOTDIR');
  assert.throws(() => fs.remove('/nope'), (e: FsError) => e.code === 'ENOENT');
  fs.mkdir('/etc', { recursive: true });
  fs.mkdir('/etc/nginx/sites/a', { recursive: true });
  assert.deepEqual(fs.list('/etc/nginx'), ['conf.d', 'nginx.conf', 'sites']);
});
