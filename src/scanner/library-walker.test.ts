import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExtensions, walkLibrary, type WalkOptions } from './library-walker.js';
import { walkBounds } from './walk-bounds.js';

const opts: WalkOptions = { recursive: true, mediaExtensions: parseExtensions(['.mkv', '.ts', '.m2ts']), ignoreMarker: '.notranscribe' };

function tree(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'tio-walk-')));
}

function file(path: string, content: string | Buffer = 'x'): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** Two MPEG-TS packets (sync byte 0x47 at 0 and 188), or M2TS ones (4-byte header each: 4 and 196). */
function transportStream(m2ts = false): Buffer {
  const b = Buffer.alloc(400);
  if (m2ts) b[4] = b[196] = 0x47;
  else b[0] = b[188] = 0x47;
  return b;
}

test('symlinks whose target lies outside the roots are reported and not followed, folders or files', async () => {
  const lib = tree();
  const outside = tree();
  file(join(outside, 'Secret', 'Outside.mkv'));
  file(join(outside, 'Single.mkv'));
  file(join(lib, 'Show', 'Episode.mkv'));
  symlinkSync(outside, join(lib, 'escape'));
  symlinkSync(join(outside, 'Single.mkv'), join(lib, 'Linked.mkv'));
  symlinkSync('/etc', join(lib, 'etc'));
  const r = await walkLibrary([lib], opts);
  assert.deepEqual(r.candidates.map((c) => c.path), [join(lib, 'Show', 'Episode.mkv')]);
  const issues = Object.fromEntries(r.issues.map((i) => [i.path, i.error]));
  assert.deepEqual(issues, {
    [join(lib, 'escape')]: `symlink leads outside the library (-> ${outside})`,
    [join(lib, 'Linked.mkv')]: `symlink leads outside the library (-> ${join(outside, 'Single.mkv')})`,
    [join(lib, 'etc')]: `symlink leads outside the library (-> ${realpathSync('/etc')})`,
  });
});

test('a symlink to a folder inside the roots is followed once: no duplicate, loops end, real paths preferred', async () => {
  const lib = tree();
  file(join(lib, 'a', 'deep', 'Movie.mkv'));
  symlinkSync(join(lib, 'a', 'deep'), join(lib, 'shortcut'));
  symlinkSync(lib, join(lib, 'a', 'loop'));
  // A folder reachable only through a link (its real home is hidden) keeps the link's path.
  file(join(lib, '.store', 'Show', 'Episode.mkv'));
  symlinkSync(join(lib, '.store', 'Show'), join(lib, 'Show'));
  const r = await walkLibrary([lib], opts);
  assert.deepEqual(r.candidates.map((c) => c.path).sort(), [join(lib, 'Show', 'Episode.mkv'), join(lib, 'a', 'deep', 'Movie.mkv')]);
  assert.deepEqual(r.issues, []);
});

test('a symlink to a file inside the roots is followed, as before', async () => {
  const lib = tree();
  file(join(lib, 'Movies', 'Film.mkv'));
  symlinkSync(join(lib, 'Movies', 'Film.mkv'), join(lib, 'Favourite.mkv'));
  const r = await walkLibrary([lib], opts);
  assert.deepEqual(r.candidates.map((c) => c.name).sort(), ['Favourite.mkv', 'Film.mkv']);
});

test('pseudo-filesystems are never walked: a root of /proc, a symlink into /sys', async () => {
  const proc = await walkLibrary(['/proc'], opts);
  assert.deepEqual(proc.candidates, []);
  assert.deepEqual(proc.issues.map((i) => [i.path, i.error.startsWith('system folder')]), [['/proc', true]]);
  const lib = tree();
  symlinkSync('/sys', join(lib, 'sys'));
  const r = await walkLibrary([lib], opts);
  assert.deepEqual(r.issues.map((i) => i.error), ['symlink leads into a system folder (-> /sys)']);
});

test('a bind mount of /proc inside a library is not entered', async (t) => {
  const lib = tree();
  const mnt = join(lib, 'mounted');
  mkdirSync(mnt);
  file(join(lib, 'Film.mkv'));
  try {
    execFileSync('mount', ['--bind', '/proc', mnt], { stdio: 'ignore' });
  } catch {
    t.skip('bind mounts need root with CAP_SYS_ADMIN');
    return;
  }
  try {
    const r = await walkLibrary([lib], opts);
    assert.deepEqual(r.candidates.map((c) => c.name), ['Film.mkv']);
    assert.deepEqual(r.issues.map((i) => [i.path, i.error.startsWith('system folder')]), [[mnt, true]]);
  } finally {
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
  }
});

test('.ts files are media only when they are MPEG transport streams (M2TS too); TypeScript source is ignored', async () => {
  const lib = tree();
  file(join(lib, 'src', 'index.ts'), 'export const answer: number = 42;\n'.repeat(20));
  file(join(lib, 'src', 'empty.ts'), '');
  file(join(lib, 'Recording.ts'), transportStream());
  file(join(lib, 'Bluray.m2ts'), transportStream(true));
  const r = await walkLibrary([lib], opts);
  assert.deepEqual(r.candidates.map((c) => c.name).sort(), ['Bluray.m2ts', 'Recording.ts']);
  assert.equal(r.ignored, 2);
  assert.deepEqual(r.issues, []);
});

test('an aborted signal stops the walk between folders', async () => {
  const lib = tree();
  for (let i = 0; i < 40; i++) file(join(lib, `d${i}`, `sub`, `E${i}.mkv`));
  const ac = new AbortController();
  ac.abort();
  const r = await walkLibrary([lib], { ...opts, signal: ac.signal });
  assert.equal(r.aborted, true);
  assert.deepEqual(r.candidates, []);
  const full = await walkLibrary([lib], opts);
  assert.equal(full.aborted, false);
  assert.equal(full.candidates.length, 40);
});

test('a walk of / would skip /proc, /sys and /dev by name and device, and not /tmp', async () => {
  const bounds = await walkBounds(['/']);
  const rootDev = statSync('/').dev;
  for (const p of ['/proc', '/sys', '/dev']) assert.equal(await bounds.isSystemFolder(p, statSync(p), rootDev), true, p);
  assert.equal(await bounds.isSystemFolder(tmpdir(), statSync(tmpdir()), rootDev), false);
  assert.equal(bounds.linkRefusal('/etc'), null, 'inside a root of /');
  assert.match(bounds.linkRefusal('/proc/self') ?? '', /system folder/);
});
