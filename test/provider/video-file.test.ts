/**
 * The video_file rule: a provider request's media path is a path for this
 * service only when, after the path mappings, it resolves inside the media
 * roots; otherwise only its base name is kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayNameOf, resolveVideoFile, type VideoFileSettings } from '../../src/provider/video-file.js';

function settingsOf(values: Record<string, string>): VideoFileSettings {
  const list = (k: string) => (values[k] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { get: (k) => values[k] ?? '', getList: list };
}

test('inside the media roots the resolved path is kept; outside, through .., a symlink or in a system folder only the name', async (t) => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'tio-video-file-')));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const lib = join(base, 'library');
  mkdirSync(join(lib, 'Show'), { recursive: true });
  writeFileSync(join(lib, 'Show', 'ep1.mkv'), '');
  symlinkSync('/etc', join(lib, 'etc-link'));
  const s = settingsOf({ library_paths: lib, allowed_media_roots: 'D:\\Media', path_mappings: JSON.stringify([{ from: '/bazarr/tv', to: lib }]) });

  assert.deepEqual(await resolveVideoFile(s, join(lib, 'Show', 'ep1.mkv')), { name: 'ep1.mkv', mediaPath: join(lib, 'Show', 'ep1.mkv') });
  assert.deepEqual(await resolveVideoFile(s, `${lib}/Show/../Show/ep1.mkv`), { name: 'ep1.mkv', mediaPath: join(lib, 'Show', 'ep1.mkv') });
  // Bazarr's own namespace, mapped onto the library.
  assert.deepEqual(await resolveVideoFile(s, '/bazarr/tv/Show/ep1.mkv'), { name: 'ep1.mkv', mediaPath: join(lib, 'Show', 'ep1.mkv') });
  assert.deepEqual(await resolveVideoFile(s, 'D:\\Media\\Show\\ep1.mkv'), { name: 'ep1.mkv', mediaPath: 'D:\\Media\\Show\\ep1.mkv' });

  const nameOnly: Array<[string, string | null]> = [
    ['/etc/passwd', 'passwd'],
    [`${lib}/../../../../etc/passwd`, 'passwd'],
    [join(lib, 'etc-link', 'passwd'), 'passwd'],
    ['/proc/self/environ', 'environ'],
    ['/bazarr/movies/Movie.mkv', 'Movie.mkv'],
    ['E:\\Other\\Movie.mkv', 'Movie.mkv'],
    ['Movie.mkv', 'Movie.mkv'],
    [`${lib}/..`, null],
    ['/', null],
  ];
  for (const [value, name] of nameOnly) assert.deepEqual(await resolveVideoFile(s, value), { name, mediaPath: null }, value);
  assert.equal(await resolveVideoFile(s, null), null);
  assert.equal(await resolveVideoFile(s, '   '), null);
});

test('a root of "/" still keeps the kernel trees out, and a broken settings reader only costs the path', async () => {
  assert.deepEqual(await resolveVideoFile(settingsOf({ allowed_media_roots: '/' }), '/proc/self/environ'), { name: 'environ', mediaPath: null });
  const broken: VideoFileSettings = { get: () => { throw new Error('boom'); }, getList: () => [] };
  assert.deepEqual(await resolveVideoFile(broken, '/media/x.mkv'), { name: 'x.mkv', mediaPath: null });
});

test('the display name is the last component of a POSIX or Windows path', () => {
  assert.equal(displayNameOf('/media/tv/Show - S01E01.mkv'), 'Show - S01E01.mkv');
  assert.equal(displayNameOf('C:\\TV\\Show\\ep.mkv'), 'ep.mkv');
  assert.equal(displayNameOf('\\\\nas\\tv\\ep.mkv'), 'ep.mkv');
  assert.equal(displayNameOf('/media/tv/'), 'tv');
  assert.equal(displayNameOf('..'), null);
  assert.equal(displayNameOf('/media/a\nb.mkv'), null);
});
