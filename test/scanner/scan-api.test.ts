import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { probeCount } from '../../src/scanner/ffprobe.js';
import type { HubEvent } from '../../src/events/event-hub.js';
import { createTestLibrary, type TestLibrary } from './media.js';

for (const kind of databaseKinds()) {
  describe(`POST /api/scanner/scan (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    const events: HubEvent[] = [];
    before(async () => {
      lib = createTestLibrary();
      symlinkSync(join(lib.root, 'gone', 'target.mkv'), join(lib.root, 'broken', 'dangling.mkv'));
      t = await createTestApp(kind);
      t.ctx.events.on('event', (e: HubEvent) => events.push(e));
      await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa', quality_preset: 'balanced', job_priority: 7 } });
      await t.ctx.rules.create({ name: 'Not English to English', priority: 1, conditions: { audio_language_not: 'eng' }, action: { target_language: 'eng', action_type: 'translate' } });
    });
    after(async () => t.close());

    const scan = (body?: unknown) => t.app.inject({ method: 'POST', url: '/api/scanner/scan', ...(body === undefined ? {} : { payload: body as object }) });
    const rel = (p: string) => p.slice(lib.root.length + 1);

    test('no body and no library_paths setting: 400 No library paths configured', async () => {
      const res = await scan();
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().detail, 'No library paths configured');
    });

    test('paths must be absolute and exist', async () => {
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      const relPath = await scan({ paths: ['media/movies'] });
      assert.equal(relPath.statusCode, 400);
      assert.match(relPath.json().detail, /absolute/);
      const missing = await scan({ paths: [join(lib.root, 'nope')] });
      assert.equal(missing.statusCode, 404);
      assert.match(missing.json().detail, /nope not found/);
    });

    test('dry run: a decision with a reason for every file, no jobs', async () => {
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      const before = probeCount();
      const res = await scan({ dry_run: true });
      assert.equal(res.statusCode, 200);
      const r = res.json();
      assert.equal(r.dry_run, true);
      assert.deepEqual(r.paths_scanned, [lib.root]);
      assert.equal(r.scanned_files, 10, 'media files outside hidden and marked folders, unreadable ones included');
      assert.equal(r.jobs_created, 0);
      assert.equal(r.matched_files, 2);
      assert.equal(r.skipped_files, 5);
      assert.equal(r.errors, 4);
      assert.ok(r.ignored_files >= 1, 'notes.txt is not media');
      assert.equal(probeCount() - before, 9, 'the empty file and the dangling link are not probed');
      const byFile = Object.fromEntries(r.decisions.map((d: any) => [rel(d.file_path), [d.action, d.reason, d.rule_name ?? null, d.target_language ?? null]]));
      assert.deepEqual(byFile, {
        'anime/Show S01E01.mkv': ['job', 'rule "Japanese to Spanish": Japanese audio → Spanish subtitles', 'Japanese to Spanish', 'spa'],
        'anime/Episode 02.mkv': ['skip', 'Spanish subtitle already generated: Episode 02.spa.srt', 'Japanese to Spanish', 'spa'],
        'movies/Movie (2020)/Movie (2020).mp4': ['skip', 'English subtitle already exists: Movie (2020).eng.srt', 'Not English to English', 'eng'],
        'movies/French Film/French Film.mkv': ['skip', 'English subtitle already exists: French Film.English.sdh.srt', 'Not English to English', 'eng'],
        'shows/English Show.mkv': ['skip', 'English audio, not Japanese (nearest rule: "Japanese to Spanish")', null, null],
        'music/song.mp3': ['skip', 'English audio, not Japanese (nearest rule: "Japanese to Spanish")', null, null],
        'music/track.flac': ['job', 'rule "Not English to English": audio of unknown language → English subtitles', 'Not English to English', 'eng'],
      });
      const errs = Object.fromEntries(r.error_files.map((e: any) => [rel(e.path), e.error]));
      assert.deepEqual(Object.keys(errs).sort(), ['broken/corrupt.mkv', 'broken/dangling.mkv', 'broken/empty.mkv', 'broken/fake.mp4']);
      assert.equal(errs['broken/empty.mkv'], 'empty file (0 bytes)');
      assert.equal(errs['broken/dangling.mkv'], 'broken link');
      assert.match(errs['broken/corrupt.mkv'], /not a readable media file/);
      assert.equal((await t.ctx.jobs.stats()).total_jobs, 0);
      assert.equal((await t.app.inject({ url: '/api/scanner/status' })).json().total_scans, 0, 'a dry run is not counted as a scan');
    });

    test('scan creates jobs from the matched rule; progress and completion are published', async () => {
      events.length = 0;
      const before = probeCount();
      const res = await scan();
      assert.equal(res.statusCode, 200);
      const r = res.json();
      // A real scan lists its per-file outcomes as the dry run does, with the ids of the jobs it made.
      assert.equal(r.decisions.length, 7);
      assert.equal(r.decisions.filter((d: any) => d.action === 'job' && d.job_id).length, 2);
      assert.deepEqual([r.scanned_files, r.matched_files, r.jobs_created, r.skipped_files, r.errors], [10, 2, 2, 5, 4]);
      assert.equal(r.probed_files, 0, 'the dry run filled the probe cache');
      assert.equal(probeCount() - before, 0);
      const jobs = (await t.app.inject({ url: '/api/jobs?page_size=50' })).json().jobs;
      const anime = jobs.find((j: any) => j.file_path === lib.anime);
      assert.ok(anime);
      assert.deepEqual([anime.target_lang, anime.source_lang, anime.quality_preset, anime.priority, anime.transcribe_or_translate, anime.is_manual_request], ['spa', 'jpn', 'balanced', 7, 'transcribe', false]);
      const row = await t.ctx.jobs.getRow(anime.id);
      const options = JSON.parse(row!.options!);
      assert.equal(options.audio_language, 'jpn');
      assert.equal(typeof options.rule_id, 'number');
      const flac = jobs.find((j: any) => j.file_path === lib.flac);
      assert.deepEqual([flac.target_lang, flac.source_lang, flac.transcribe_or_translate], ['eng', null, 'translate']);
      const progress = events.filter((e) => e.event === 'scan.progress').map((e) => e.data as any);
      assert.ok(progress.length >= 2);
      assert.equal(progress.at(-1).scanned_files, 10);
      assert.equal(progress.at(-1).total_files, 10);
      assert.equal(progress.at(-1).jobs_created, 2);
      const done = events.find((e) => e.event === 'scan.completed')?.data as any;
      assert.equal(done.jobs_created, 2);
      const status = (await t.app.inject({ url: '/api/scanner/status' })).json();
      assert.equal(status.total_scans, 1);
      assert.ok(Date.now() - Date.parse(status.last_scan_time) < 10_000);
    });

    test('a rescan creates no duplicate job and re-probes only the changed file', async () => {
      appendFileSync(lib.movie, Buffer.alloc(16));
      const before = probeCount();
      const r = (await scan({ paths: [lib.root], dry_run: true })).json();
      assert.equal(probeCount() - before, 1, 'only the changed file is probed again');
      assert.equal(r.probed_files, 1);
      const anime = r.decisions.find((d: any) => d.file_path === lib.anime);
      assert.deepEqual([anime.action, anime.reason], ['skip', 'a job is already queued or running for this file']);
      const real = (await scan()).json();
      assert.equal(real.jobs_created, 0);
      assert.equal(real.matched_files, 0);
      assert.equal((await t.ctx.jobs.stats()).total_jobs, 2);
      assert.equal((await t.app.inject({ url: '/api/scanner/status' })).json().total_scans, 2);
    });

    test('recursive false scans only the top folder', async () => {
      const r = (await scan({ paths: [join(lib.root, 'movies')], recursive: false, dry_run: true })).json();
      assert.equal(r.scanned_files, 0);
      const deep = (await scan({ paths: [join(lib.root, 'movies')], dry_run: true })).json();
      assert.deepEqual(deep.decisions.map((d: any) => basename(d.file_path)).sort(), ['French Film.mkv', 'Movie (2020).mp4']);
    });

    test('one scan at a time: a second request gets 409', async () => {
      const fresh = createTestLibrary();
      await t.ctx.settings.bulkUpdate({ library_paths: `${lib.root},${fresh.root}` });
      const [a, b] = await Promise.all([scan({ paths: [fresh.root], dry_run: true }), scan({ paths: [fresh.root], dry_run: true })]);
      assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409]);
      const busy = a.statusCode === 409 ? a : b;
      assert.match(busy.json().detail, /A scan is already running/);
      // Another process (the CLI) holding the lease is refused as well.
      await t.ctx.database.db.insertInto('app_state').values({ key: 'scanner.lock', value: JSON.stringify({ owner: 'otherhost:123:ab', expires_ms: Date.now() + 60_000 }) }).execute();
      const other = await scan({ dry_run: true });
      assert.equal(other.statusCode, 409);
      assert.match(other.json().detail, /otherhost:123/);
      // A lease its holder stopped renewing (crashed process) is taken over.
      await t.ctx.database.db.updateTable('app_state').set({ value: JSON.stringify({ owner: 'otherhost:123:ab', expires_ms: Date.now() - 1 }) }).where('key', '=', 'scanner.lock').execute();
      assert.equal((await scan({ dry_run: true })).statusCode, 200);
    });
  });
}
