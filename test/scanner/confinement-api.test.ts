import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { probeCount } from '../../src/scanner/ffprobe.js';
import { createTestLibrary, ffmpeg, type TestLibrary } from './media.js';

for (const kind of databaseKinds()) {
  describe(`scans stay in the library (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    /** a library of its own: a real show, links inside and out */
    let root: string;
    let outside: string;
    before(async () => {
      lib = createTestLibrary();
      root = realpathSync(mkdtempSync(join(tmpdir(), 'tio-confined-')));
      outside = realpathSync(mkdtempSync(join(tmpdir(), 'tio-outside-')));
      mkdirSync(join(root, 'Anime'));
      copyFileSync(lib.anime, join(root, 'Anime', 'Show S01E01.mkv'));
      mkdirSync(join(outside, 'Private'));
      copyFileSync(lib.generated, join(outside, 'Private', 'Outside Episode.mkv'));
      copyFileSync(lib.generated, join(outside, 'Loose.mkv'));
      symlinkSync(join(outside, 'Private'), join(root, 'Elsewhere'));
      symlinkSync(join(outside, 'Loose.mkv'), join(root, 'Loose.mkv'));
      symlinkSync(join(root, 'Anime'), join(root, 'Anime again'));
      symlinkSync(root, join(root, 'Anime', 'loop'));
      t = await createTestApp(kind);
      await t.ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
      await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: `${root},${lib.root}` } });
    });
    after(async () => t.close());

    const scan = (payload: object) => t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload });
    const jobs = async () => (await t.ctx.jobs.stats()).total_jobs;

    test('scans of /proc, /etc, a path escaping with .. or a link out of the library: 403 outside_library, no job', async () => {
      for (const path of ['/proc', '/proc/self/cwd', '/etc', `${root}/../../etc`, join(root, 'Elsewhere')]) {
        const res = await scan({ paths: [path] });
        assert.equal(res.statusCode, 403, path);
        const body = res.json();
        assert.equal(body.code, 'outside_library', path);
        assert.ok(body.detail.includes(path), `the message names ${path}: ${body.detail}`);
        assert.match(body.detail, /library_paths or allowed_media_roots/);
      }
      const missingOutside = await scan({ paths: ['/etc/no-such-folder'] });
      assert.equal(missingOutside.statusCode, 403, 'what exists outside the library is not told');
      assert.equal(await jobs(), 0);
    });

    test('analyze of /etc/passwd or a link out of the library: 403 outside_library', async () => {
      for (const path of ['/etc/passwd', `${root}/../../etc/passwd`, join(root, 'Loose.mkv'), '/proc/self/environ']) {
        const res = await t.app.inject({ method: 'POST', url: `/api/scanner/analyze?file_path=${encodeURIComponent(path)}` });
        assert.equal(res.statusCode, 403, path);
        assert.equal(res.json().code, 'outside_library');
      }
      assert.equal(await jobs(), 0);
    });

    test('scheduler and watcher bodies (they set library_paths) refuse pseudo-filesystems and relative paths, naming the path', async () => {
      for (const url of ['/api/scanner/scheduler/start', '/api/scanner/watcher/start']) {
        const proc = await t.app.inject({ method: 'POST', url, payload: { paths: ['/proc'] } });
        assert.equal(proc.statusCode, 403, url);
        assert.match(proc.json().detail, /^\/proc is a system folder/);
        const linked = join(root, 'proc-link');
        symlinkSync('/sys', linked);
        try {
          const viaLink = await t.app.inject({ method: 'POST', url, payload: { paths: [linked] } });
          assert.equal(viaLink.statusCode, 403, url);
          assert.match(viaLink.json().detail, /resolves to \/sys/);
        } finally {
          const { unlinkSync } = await import('node:fs');
          unlinkSync(linked);
        }
        const rel = await t.app.inject({ method: 'POST', url, payload: { paths: ['media/tv'] } });
        assert.equal(rel.statusCode, 400, url);
        assert.match(rel.json().detail, /"media\/tv"/);
      }
      assert.deepEqual(t.ctx.settings.getList('library_paths'), [root, lib.root], 'library_paths unchanged');
      assert.equal(t.ctx.settings.getBoolean('watcher_enabled'), false);
    });

    test('a symlink out of the library is reported, not scanned; one inside still works, once', async () => {
      const res = await scan({ paths: [root] });
      assert.equal(res.statusCode, 200);
      const r = res.json();
      assert.equal(r.scanned_files, 1, 'the show, once, though reachable three ways');
      assert.equal(r.jobs_created, 1);
      const issues = Object.fromEntries(r.error_files.map((e: { path: string; error: string }) => [e.path, e.error]));
      assert.deepEqual(issues, {
        [join(root, 'Elsewhere')]: `symlink leads outside the library (-> ${join(outside, 'Private')})`,
        [join(root, 'Loose.mkv')]: `symlink leads outside the library (-> ${join(outside, 'Loose.mkv')})`,
      });
      const all = (await t.ctx.jobs.list({ page: 1, pageSize: 10 })).jobs;
      assert.deepEqual(all.map((j) => j.file_path), [join(root, 'Anime', 'Show S01E01.mkv')]);
    });

    test('a .ts TypeScript file is not media (ignored, never probed); a real MPEG-TS still is', async () => {
      const dir = join(root, 'Recordings');
      mkdirSync(dir);
      writeFileSync(join(dir, 'player.ts'), 'export function play(file: string): void {\n  console.log(`playing ${file}`);\n}\n'.repeat(8));
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'mp2', '-metadata:s:a:0', 'language=eng', '-f', 'mpegts', join(dir, 'News.ts')]);
      const before = probeCount();
      const res = await scan({ paths: [dir], dry_run: true });
      assert.equal(res.statusCode, 200);
      const r = res.json();
      assert.equal(probeCount() - before, 1, 'only the transport stream is probed');
      assert.equal(r.scanned_files, 1);
      assert.equal(r.ignored_files, 1);
      assert.equal(r.errors, 0, JSON.stringify(r.error_files));
      assert.deepEqual(r.decisions.map((d: { file_path: string; reason: string }) => [d.file_path, d.reason]), [[join(dir, 'News.ts'), 'English audio, not Japanese (nearest rule: "Japanese to Spanish")']]);
      const analyze = await t.app.inject({ method: 'POST', url: `/api/scanner/analyze?file_path=${encodeURIComponent(join(dir, 'player.ts'))}` });
      assert.equal(analyze.statusCode, 400);
      assert.match(analyze.json().detail, /not a media file/);
    });
  });
}
