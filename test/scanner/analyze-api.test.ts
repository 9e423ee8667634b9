import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { createTestLibrary, type TestLibrary } from './media.js';

for (const kind of databaseKinds()) {
  describe(`POST /api/scanner/analyze (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    before(async () => {
      lib = createTestLibrary();
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
    });
    after(async () => t.close());

    const analyze = (path: string) => t.app.inject({ method: 'POST', url: `/api/scanner/analyze?file_path=${encodeURIComponent(path)}` });

    test('two tagged audio tracks, embedded subtitles (one forced) and external subtitles', async () => {
      const res = await analyze(lib.anime);
      assert.equal(res.statusCode, 200);
      const a = res.json();
      assert.equal(a.file_path, lib.anime);
      assert.equal(a.is_video, true);
      assert.ok(a.duration_seconds > 1 && a.duration_seconds < 3);
      assert.deepEqual(a.audio_tracks.map((x: any) => [x.index, x.codec, x.language, x.channels, x.default, x.title]), [
        [0, 'aac', 'jpn', 1, true, 'Japanese'],
        [1, 'aac', 'eng', 1, false, 'English dub'],
      ]);
      assert.deepEqual(a.embedded_subtitles.map((x: any) => [x.index, x.language, x.codec, x.forced, x.title]), [
        [0, 'eng', 'subrip', false, 'Full'],
        [1, 'spa', 'subrip', true, 'Signs'],
      ]);
      const ext = Object.fromEntries(a.external_subtitles.map((x: any) => [basename(x.path), [x.language, x.forced, x.sdh, x.generated]]));
      assert.deepEqual(ext, {
        'Show S01E01.en.srt': ['eng', false, false, false],
        'Show S01E01.pt-BR.srt': ['por', false, false, false],
        'Show S01E01.en.forced.srt': ['eng', true, false, false],
        'Show S01E01.eng.sdh.srt': ['eng', false, true, false],
      });
    });

    test('mp4 with Subs/ folder, .ass and forced externals; languages canonical ISO 639-2/T', async () => {
      const a = (await analyze(lib.movie)).json();
      assert.deepEqual(a.audio_tracks.map((x: any) => x.language), ['spa']);
      const ext = Object.fromEntries(a.external_subtitles.map((x: any) => [x.path.slice(lib.root.length + 1), [x.language, x.format, x.forced]]));
      assert.deepEqual(ext, {
        'movies/Movie (2020)/Movie (2020).eng.srt': ['eng', 'srt', false],
        'movies/Movie (2020)/Movie (2020).pt-BR.ass': ['por', 'ass', false],
        'movies/Movie (2020)/Movie (2020).fr.forced.srt': ['fra', 'srt', true],
        'movies/Movie (2020)/Subs/2_English.srt': ['eng', 'srt', false],
        'movies/Movie (2020)/Subs/Movie (2020).it.srt': ['ita', 'srt', false],
      });
      const fr = (await analyze(lib.french)).json();
      assert.equal(fr.audio_tracks[0].language, 'fra', 'the bibliographic tag "fre" is stored as fra');
      const frExt = Object.fromEntries(fr.external_subtitles.map((x: any) => [basename(x.path), [x.language, x.format, x.sdh]]));
      assert.deepEqual(frExt, {
        'French Film.English.sdh.srt': ['eng', 'srt', true],
        'French Film.en.vtt': ['eng', 'vtt', false],
        'French Film.idx': ['deu', 'vobsub', false],
      });
    });

    test('our own subtitle is marked generated', async () => {
      const a = (await analyze(lib.generated)).json();
      assert.deepEqual(a.external_subtitles.map((x: any) => [basename(x.path), x.language, x.generated]), [['Episode 02.spa.srt', 'spa', true]]);
    });

    test('audio-only files are not video; the file-level language tag is used', async () => {
      const mp3 = (await analyze(lib.mp3)).json();
      assert.equal(mp3.is_video, false);
      assert.deepEqual(mp3.audio_tracks.map((x: any) => [x.codec, x.language]), [['mp3', 'eng']]);
      const flac = (await analyze(lib.flac)).json();
      assert.equal(flac.is_video, false);
      assert.deepEqual(flac.audio_tracks.map((x: any) => [x.codec, x.language]), [['flac', null]]);
    });

    test('errors: directory 400, missing 404, relative 400, unreadable media 400 with a message', async () => {
      const dir = await analyze(lib.root);
      assert.equal(dir.statusCode, 400);
      assert.match(dir.json().detail, /not a file/);
      const missing = await analyze(`${lib.root}/nope.mkv`);
      assert.equal(missing.statusCode, 404);
      assert.match(missing.json().detail, /not found/);
      const rel = await analyze('movies/x.mkv');
      assert.equal(rel.statusCode, 400);
      assert.match(rel.json().detail, /absolute/);
      for (const [path, why] of [[lib.empty, /empty file/], [lib.corrupt, /not a readable media file/], [lib.fakeMp4, /not a readable media file/], [lib.notes, /not a readable media file/]] as const) {
        const res = await analyze(path);
        assert.equal(res.statusCode, 400, path);
        assert.equal(res.json().code, 'unreadable_media');
        assert.match(res.json().detail, why);
      }
      const none = await t.app.inject({ method: 'POST', url: '/api/scanner/analyze' });
      assert.equal(none.statusCode, 400);
    });

    test('files outside the library folders are refused with 403 outside_library; allowed_media_roots widens them', async () => {
      await t.ctx.settings.bulkUpdate({ library_paths: `${lib.root}/anime` });
      try {
        const outside = await analyze(lib.movie);
        assert.equal(outside.statusCode, 403);
        assert.equal(outside.json().code, 'outside_library');
        assert.match(outside.json().detail, /outside the library folders.*library_paths or allowed_media_roots/);
        assert.equal((await analyze(lib.anime)).statusCode, 200);
        const scan = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [`${lib.root}/movies`], dry_run: true } });
        assert.equal(scan.statusCode, 403);
        await t.ctx.settings.bulkUpdate({ allowed_media_roots: `${lib.root}/movies` });
        assert.equal((await analyze(lib.movie)).statusCode, 200, 'allowed media roots count as library');
      } finally {
        await t.ctx.settings.bulkUpdate({ library_paths: lib.root, allowed_media_roots: '' });
      }
    });
  });
}
