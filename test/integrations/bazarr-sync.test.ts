/**
 * Bazarr's Wanted list, filled: Sync now reads the fake Bazarr (built from
 * Bazarr's own API code, see fake-bazarr.ts), queues jobs for the languages
 * this server can make, a finished job's subtitle is uploaded with the right
 * ids and language, and the next sync queues nothing for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { claim, complete } from '../../src/jobs/job-lifecycle.repository.js';
import { makeVideo, useTestModel, waitFor } from '../workers/helpers.js';
import { fakeBazarr, type FakeBazarr } from './fake-bazarr.js';
import { realMedia } from './webhook-media.js';

type SyncAnswer = { wanted: number; queued: number; uploaded: number; skipped_count: number; skipped: Array<{ title: string; language: string; reason: string }>; error: string | null };

async function syncNow(t: TestApp): Promise<SyncAnswer> {
  const r = await t.app.inject({ method: 'POST', url: '/api/integrations/bazarr/sync' });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as SyncAnswer;
}

async function setUp(t: TestApp, bazarr: FakeBazarr, lib: string): Promise<void> {
  // Bazarr sees the library under /tv and /movies; path_mappings translate.
  await t.ctx.settings.bulkUpdate({
    library_paths: lib,
    bazarr_url: bazarr.url,
    bazarr_sync_api_key: bazarr.apiKey,
    path_mappings: JSON.stringify([{ from: '/tv', to: join(lib, 'tv') }, { from: '/movies', to: join(lib, 'movies') }]),
  });
}

test('Sync now without Bazarr settings is a 400 naming them; a wrong key is a 502 naming the setting; the status says not configured', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const st = await app.app.inject({ url: '/api/integrations/bazarr/status' });
  assert.equal(st.statusCode, 200);
  assert.equal(st.json<{ configured: boolean }>().configured, false);
  const r = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/sync' });
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /bazarr_url/);
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  await app.ctx.settings.bulkUpdate({ bazarr_url: bazarr.url, bazarr_sync_api_key: 'wrong' });
  const bad = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/sync' });
  assert.equal(bad.statusCode, 502);
  assert.match(bad.body, /bazarr_sync_api_key/);
  const after = (await app.app.inject({ url: '/api/integrations/bazarr/status' })).json<{ configured: boolean; last_sync: { error: string } }>();
  assert.equal(after.configured, true);
  assert.match(after.last_sync.error, /refused the API key/);
});

for (const kind of databaseKinds()) {
  test(`wanted → job → upload with Bazarr's ids and language → the next sync queues nothing (job life cycle, ${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const bazarr = await fakeBazarr();
    t.after(() => bazarr.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    realMedia(join(lib, 'tv', 'Show', 'Season 01', 'Show - S01E01.mkv'), ['jpn']);
    realMedia(join(lib, 'movies', 'Film (2001)', 'Film (2001).mkv'), ['fra']);
    realMedia(join(lib, 'tv', 'Kids', 'Kids - S01E01.mkv'), ['eng']);
    bazarr.episodes.push(
      { sonarrSeriesId: 7, sonarrEpisodeId: 70, seriesTitle: 'Show', season: 1, episode: 1, title: 'Pilot', path: '/tv/Show/Season 01/Show - S01E01.mkv', audio: ['Japanese'], missing: ['ja', 'en', 'de', 'en:forced'], tags: ['anime'] },
      { sonarrSeriesId: 8, sonarrEpisodeId: 80, seriesTitle: 'Kids', season: 1, episode: 1, title: 'One', path: '/tv/Kids/Kids - S01E01.mkv', audio: ['English'], missing: ['en'], tags: ['kids'] },
    );
    bazarr.movies.push({ radarrId: 3, title: 'Film', path: '/movies/Film (2001)/Film (2001).mkv', audio: ['French'], missing: ['en'], tags: [] });
    await setUp(app, bazarr, lib);
    await app.ctx.settings.bulkUpdate({ bazarr_sync_tags: 'anime' });

    const first = await syncNow(app);
    assert.equal(first.error, null);
    // Tag filter: only the anime series (the movie and Kids have no anime tag).
    assert.equal(first.wanted, 4);
    // Japanese (transcribe) is queued; English waits (one live job per file); German needs a translator; forced is not made.
    assert.equal(first.queued, 1, JSON.stringify(first));
    const reasons = Object.fromEntries(first.skipped.map((s) => [s.language, s.reason]));
    assert.match(reasons.English, /another job for this file is queued or running; the next sync queues this one/);
    assert.match(reasons.German, /Japanese audio: German subtitles need a translation provider \(setting translation_provider\)/);
    assert.match(reasons['English (forced)'], /forced and hearing-impaired subtitles are not made here/);
    const jobs = (await app.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs;
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].file_path, join(lib, 'tv', 'Show', 'Season 01', 'Show - S01E01.mkv'));
    assert.equal(jobs[0].target_lang, 'jpn');
    assert.equal(jobs[0].source_lang, 'jpn');
    const row = await app.ctx.jobs.getRow(jobs[0].id);
    const opts = JSON.parse(row!.options!);
    assert.equal(opts.source, 'bazarr sync');
    assert.deepEqual(opts.bazarr, { kind: 'episode', id: 70, series_id: 7, language: 'ja' });

    // A sync while the job waits queues nothing new and uploads nothing.
    const waiting = await syncNow(app);
    assert.equal(waiting.queued, 0);
    assert.equal(bazarr.uploads.length, 0);

    // The job runs through the real life cycle and writes its subtitle.
    const db = app.ctx.database.db;
    const claimed = await claim(db, app.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
    assert.equal(claimed?.id, jobs[0].id);
    const sub = join(lib, 'tv', 'Show', 'Season 01', 'Show - S01E01.jpn.srt');
    writeFileSync(sub, '1\n00:00:00,100 --> 00:00:01,000\nこんにちは\n');
    assert.ok(await complete(db, claimed!.id, 'w1', { output_path: sub, segments_count: 1, processing_time_seconds: 1 }));

    // The next sync hands it to Bazarr with the episode's ids and Bazarr's language code, then queues English.
    const second = await syncNow(app);
    assert.equal(second.uploaded, 1);
    assert.equal(bazarr.uploads.length, 1);
    const up = bazarr.uploads[0];
    assert.equal(up.kind, 'episode');
    assert.deepEqual(up.fields, { seriesid: '7', episodeid: '70', language: 'ja', forced: 'false', hi: 'false' });
    assert.equal(up.filename, 'Show - S01E01.jpn.srt');
    assert.match(up.content, /こんにちは/);
    assert.equal(second.queued, 1, JSON.stringify(second));
    const status = (await app.app.inject({ url: '/api/integrations/bazarr/status' })).json<{ items: Record<string, number>; last_sync: { queued: number } }>();
    assert.deepEqual(status.items, { uploaded: 1, queued: 1 });
    assert.equal(status.last_sync.queued, 1);

    // Bazarr no longer wants Japanese: nothing is queued for it again.
    const third = await syncNow(app);
    assert.equal(third.queued, 0);
    assert.ok(!third.skipped.some((s) => s.language === 'Japanese'), 'Japanese is not wanted any more');
    assert.equal((await app.ctx.jobs.list({ page: 1, pageSize: 50 })).total, 2);

    // A subtitle a library job made already is handed over at once, without a new job.
    const film = realMedia(join(lib, 'movies', 'Anime Film', 'Anime Film.mkv'), ['jpn']);
    const libJob = await app.ctx.jobs.create({ file_path: film, target_lang: 'eng', priority: 1000, is_manual_request: false });
    const held = await claim(db, app.ctx.database.kind, { workerId: 'w2', leaseMs: 60_000, jobTypes: ['transcription'] });
    assert.equal(held?.id, libJob.id);
    const filmSub = join(lib, 'movies', 'Anime Film', 'Anime Film.eng.srt');
    writeFileSync(filmSub, '1\n00:00:00,100 --> 00:00:01,000\nHello\n');
    assert.ok(await complete(db, libJob.id, 'w2', { output_path: filmSub, segments_count: 1, processing_time_seconds: 1 }));
    bazarr.movies.push({ radarrId: 9, title: 'Anime Film', path: '/movies/Anime Film/Anime Film.mkv', audio: ['Japanese'], missing: ['en'], tags: ['anime'] });
    const fourth = await syncNow(app);
    assert.equal(fourth.queued, 0, JSON.stringify(fourth));
    assert.equal(fourth.uploaded, 1);
    assert.deepEqual(bazarr.uploads.at(-1)!.fields, { radarrid: '9', language: 'en', forced: 'false', hi: 'false' });
    assert.equal(bazarr.uploads.at(-1)!.kind, 'movie');
    assert.equal((await app.ctx.jobs.list({ page: 1, pageSize: 50 })).total, 3);
  });
}

test('the whole loop with a real worker on the generated model: wanted English → transcription → uploaded → nothing queued next time', { timeout: 240_000 }, async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  const folder = join(lib, 'movies', 'Speech (1961)');
  mkdirSync(folder, { recursive: true });
  makeVideo(folder, 'Speech (1961).mkv');
  bazarr.movies.push({ radarrId: 42, title: 'Speech', path: '/movies/Speech (1961)/Speech (1961).mkv', audio: ['English'], missing: ['en'], tags: [] });
  await setUp(app, bazarr, lib);
  // The generated model's speech scores under the review threshold, which would hold the subtitle back
  // (bazarr-sync-review.test.ts): this test is about the loop, so nothing is flagged.
  await app.ctx.settings.bulkUpdate({ quality_review_threshold: 0 });
  await useTestModel(app.ctx);

  const first = await syncNow(app);
  assert.equal(first.queued, 1, JSON.stringify(first));
  const add = await app.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
  assert.equal(add.statusCode, 201, add.body);
  const job = await waitFor('job completed', async () => {
    const j = (await app.ctx.jobs.list({ page: 1, pageSize: 10 })).jobs[0];
    if (j.status === 'failed') throw new Error(`job failed: ${j.error}`);
    return j.status === 'completed' ? j : null;
  }, 180_000);
  assert.ok(job.output_path, 'a subtitle was written');
  // The background round (or the next sync) uploads it.
  const uploaded = await app.ctx.bazarr.uploadFinished();
  assert.equal(uploaded, 1);
  assert.equal(bazarr.uploads.length, 1);
  assert.deepEqual(bazarr.uploads[0].fields, { radarrid: '42', language: 'en', forced: 'false', hi: 'false' });
  assert.match(bazarr.uploads[0].content, /-->/);
  const next = await syncNow(app);
  assert.equal(next.wanted, 0);
  assert.equal(next.queued, 0);
  assert.equal((await app.ctx.jobs.list({ page: 1, pageSize: 10 })).total, 1);
});
