/**
 * Filesystem API: listing order and fields, hidden entries, the browse_roots
 * fence (also against `..` and symlinks), the library folders as roots, the
 * kernel's trees never shown, the virtual "/" listing, errors, and common paths.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus } from './api-helpers.js';
import { isPseudoFilesystem } from '../../src/security/media-roots.js';

describe('filesystem API', () => {
  let t: TestApp;
  let base: string; // holds the root and a folder outside it
  let root: string;
  let outside: string;
  const browse = (path: string, extra = '') => t.app.inject({ url: `/api/filesystem/browse?path=${encodeURIComponent(path)}${extra}` });
  const setRoots = (value: string) => t.app.inject({ method: 'PUT', url: '/api/settings/browse_roots', payload: { value } });

  before(async () => {
    t = await createTestApp('sqlite');
    base = realpathSync(mkdtempSync(join(tmpdir(), 'tio-fs-')));
    root = join(base, 'library');
    outside = join(base, 'secret');
    for (const d of ['Movies', 'anime', 'Zeta', '.hidden-dir', 'locked']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'passwords.txt'), 'x');
    writeFileSync(join(root, 'b.txt'), 'hello');
    writeFileSync(join(root, 'A.mkv'), '');
    writeFileSync(join(root, '.env'), 'x');
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(root, 'anime'), join(root, 'anime-link'));
    // A FIFO: opening it would block forever, so listing it proves no file is opened.
    execFileSync('mkfifo', [join(root, 'pipe')]);
    expectStatus(await setRoots(root), 200);
  });
  after(async () => {
    chmodSync(join(root, 'locked'), 0o755);
    rmSync(base, { recursive: true, force: true });
    await t.close();
  });

  it('lists directories first, then files, by name ignoring case, without hidden entries', async () => {
    const body = expectStatus(await browse(root), 200);
    assertKeys(body, ['current_path', 'parent_path', 'items']);
    assert.equal(body.current_path, root);
    for (const item of body.items) assertKeys(item, ['name', 'path', 'is_directory', 'is_readable'], item.name);
    assert.deepEqual(
      body.items.map((i: { name: string }) => i.name),
      ['anime', 'anime-link', 'escape', 'locked', 'Movies', 'Zeta', 'A.mkv', 'b.txt', 'pipe'],
    );
    const movies = body.items.find((i: { name: string }) => i.name === 'Movies');
    assert.deepEqual(
      { path: movies.path, is_directory: movies.is_directory, is_readable: movies.is_readable },
      { path: join(root, 'Movies'), is_directory: true, is_readable: true },
    );
    const file = body.items.find((i: { name: string }) => i.name === 'b.txt');
    assert.equal(file.is_directory, false);
    assert.equal(file.size, 5);
    assert.equal(body.items.find((i: { name: string }) => i.name === 'anime-link').is_directory, true, 'a link to a folder is a folder');
  });

  it('show_hidden=true includes dot entries flagged is_hidden', async () => {
    const body = expectStatus(await browse(root, '&show_hidden=true'), 200);
    const hidden = body.items.filter((i: { is_hidden: boolean }) => i.is_hidden).map((i: { name: string }) => i.name).sort();
    assert.deepEqual(hidden, ['.env', '.hidden-dir']);
    assert.ok(body.items.filter((i: { is_hidden: boolean }) => !i.is_hidden).length >= 9);
  });

  it('parent_path leads up inside the roots and is null at a root', async () => {
    assert.equal(expectStatus(await browse(join(root, 'Movies')), 200).parent_path, root);
    assert.equal(expectStatus(await browse(root), 200).parent_path, null);
  });

  it('paths outside browse_roots are a 403, also through .. and symlinks', async () => {
    expectStatus(await browse(outside), 403);
    expectStatus(await browse(base), 403);
    expectStatus(await browse(`${root}/../secret`), 403);
    expectStatus(await browse(`${root}/Movies/../../secret`), 403);
    expectStatus(await browse(join(root, 'escape')), 403);
    expectStatus(await browse(join(base, "no-such-dir")), 403);
    // .. that stays inside is fine, and is reported resolved.
    assert.equal(expectStatus(await browse(`${root}/Movies/..`), 200).current_path, root);
    assert.equal(expectStatus(await browse(join(root, 'anime-link')), 200).current_path, join(root, 'anime'));
  });

  it('a file is a 400, a missing path a 404, a relative path a 400', async () => {
    assert.match(expectStatus(await browse(join(root, 'b.txt')), 400).detail, /not a directory/);
    assert.match(expectStatus(await browse(join(root, 'nothing')), 404).detail, /does not exist/);
    expectStatus(await browse('library/Movies'), 400);
    expectStatus(await browse('../etc'), 400);
  });

  it('an unreadable folder is a 403 and shown as not readable', { skip: process.getuid?.() === 0 ? 'root can read every folder' : false }, async () => {
    chmodSync(join(root, 'locked'), 0o000);
    try {
      expectStatus(await browse(join(root, 'locked')), 403);
      const item = expectStatus(await browse(root), 200).items.find((i: { name: string }) => i.name === 'locked');
      assert.equal(item.is_readable, false);
    } finally {
      chmodSync(join(root, 'locked'), 0o755);
    }
  });

  it('common-paths lists existing readable starting points inside the roots, library folders included', async () => {
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: `${join(root, 'anime')},${outside},/does/not/exist` } }), 200);
    const list = expectStatus(await t.app.inject({ url: '/api/filesystem/common-paths' }), 200);
    for (const p of list) assertKeys(p, ['name', 'path', 'is_directory', 'is_readable']);
    const paths = list.map((p: { path: string }) => p.path);
    assert.ok(paths.includes(root), 'the root itself');
    assert.ok(paths.includes(join(root, 'anime')), 'a library folder inside the roots');
    assert.ok(paths.includes(outside), 'a library folder is a root of its own');
    assert.ok(!paths.includes('/'), 'not / when it is outside the roots');
    assert.ok(!paths.includes('/does/not/exist'));
  });

  it('a library folder outside browse_roots browses; one that is gone allows nothing', async () => {
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: `${outside},/does/not/exist` } }), 200);
    assert.equal(expectStatus(await browse(outside), 200).current_path, outside);
    expectStatus(await browse(base), 403);
    expectStatus(await browse('/does/not/exist'), 403);
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: '' } }), 200);
    expectStatus(await browse(outside), 403);
  });

  it('"/" when "/" is not browsable lists the roots that exist (the folder picker opens there); other paths outside stay 403', async () => {
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: `${outside},/does/not/exist` } }), 200);
    for (const req of [{ url: '/api/filesystem/browse' }, { url: '/api/filesystem/browse?path=%2F' }, { url: `/api/filesystem/browse?path=${encodeURIComponent('/tmp/../')}` }]) {
      const top = expectStatus(await t.app.inject(req), 200);
      assert.equal(top.current_path, '/');
      assert.equal(top.parent_path, null);
      assert.deepEqual(top.items.map((i: { path: string }) => i.path), [outside, root].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
      for (const item of top.items) assert.deepEqual({ ...item, path: undefined, name: undefined }, { path: undefined, name: undefined, is_directory: true, is_readable: true, is_hidden: false, is_symlink: false, size: null });
    }
    expectStatus(await browse('/etc'), 403);
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: '' } }), 200);
  });

  // The kernel trees are those of security/media-roots.ts (/run is not one: desktops mount drives under /run/media).
  it('/proc, /sys and /dev are never entered nor listed, even with browse_roots "/"', async () => {
    expectStatus(await setRoots('/'), 200);
    try {
      for (const p of ['/proc', '/proc/self', '/proc/self/fd', '/sys', '/dev', '/proc/no-such-thing', '/tmp/../proc']) {
        const body = expectStatus(await browse(p), 403);
        assert.match(body.detail, /system folder/, p);
      }
      const top = expectStatus(await browse('/'), 200);
      const names = top.items.map((i: { name: string }) => i.name);
      for (const hidden of ['proc', 'sys', 'dev']) assert.ok(!names.includes(hidden), `/ does not list ${hidden}`);
      assert.ok(names.includes('tmp') || names.includes('etc'), 'the rest of / is listed');
      const common = expectStatus(await t.app.inject({ url: '/api/filesystem/common-paths' }), 200).map((p: { path: string }) => p.path);
      assert.ok(!common.some((p: string) => isPseudoFilesystem(p)));
      // A root inside a system folder opens nothing.
      expectStatus(await setRoots('/proc'), 200);
      expectStatus(await browse('/proc'), 403);
      expectStatus(await browse('/proc/self'), 403);
    } finally {
      expectStatus(await setRoots(root), 200);
    }
  });

  it('with browse_roots "/" everything else browses and "/" is the first common path', async () => {
    expectStatus(await setRoots('/'), 200);
    const top = expectStatus(await t.app.inject({ url: '/api/filesystem/browse' }), 200);
    assert.equal(top.current_path, '/');
    assert.equal(top.parent_path, null);
    assert.ok(top.items.some((i: { name: string }) => i.name === 'tmp' || i.name === 'etc'));
    assert.ok(top.items.every((i: { is_directory: boolean; path: string }) => i.path === `/${i.path.slice(1)}`));
    expectStatus(await browse(outside), 200);
    const list = expectStatus(await t.app.inject({ url: '/api/filesystem/common-paths' }), 200);
    assert.deepEqual(list[0], { name: '/', path: '/', is_directory: true, is_readable: true });
    assert.equal(new Set(list.map((p: { path: string }) => p.path)).size, list.length, 'no duplicates');
    expectStatus(await setRoots(root), 200);
  });
});

describe('filesystem API with the default settings', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
  });
  after(async () => t.close());

  /** The default browse_roots that exist on this machine, as real folders. */
  function existingDefaults(): string[] {
    const out = new Set<string>();
    for (const p of ['/media', '/mnt', '/data', '/srv', '/home', homedir()]) {
      try {
        const real = realpathSync(p);
        if (statSync(real).isDirectory() && !isPseudoFilesystem(real)) out.add(real);
      } catch {
        /* not on this machine */
      }
    }
    return [...out].sort();
  }

  it('the default roots do not include "/": / answers the virtual root list, /etc is a 403', async () => {
    assert.ok(!t.ctx.settings.getList('browse_roots').includes('/'));
    const top = expectStatus(await t.app.inject({ url: '/api/filesystem/browse' }), 200);
    assert.equal(top.current_path, '/');
    assert.equal(top.parent_path, null);
    assert.deepEqual(top.items.map((i: { path: string }) => i.path).sort(), existingDefaults().filter((p) => p !== '/'));
    assert.ok(!top.items.some((i: { name: string }) => i.name === 'etc'));
    expectStatus(await t.app.inject({ url: '/api/filesystem/browse?path=%2Fetc' }), 403);
    expectStatus(await t.app.inject({ url: '/api/filesystem/browse?path=%2Fproc' }), 403);
    const common = expectStatus(await t.app.inject({ url: '/api/filesystem/common-paths' }), 200).map((p: { path: string }) => p.path);
    assert.ok(!common.includes('/'), 'common-paths does not offer /');
  });

  it('~ in browse_roots is the home folder', async () => {
    expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/browse_roots', payload: { value: '~' } }), 200);
    const home = realpathSync(homedir());
    if (home !== '/') assert.equal(expectStatus(await t.app.inject({ url: `/api/filesystem/browse?path=${encodeURIComponent(home)}` }), 200).current_path, home);
  });
});
