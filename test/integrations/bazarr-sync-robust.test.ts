/**
 * The Wanted sync where the real Bazarr and the real disk disagree, against
 * the fake Bazarr (fake-bazarr.ts: Bazarr's upload answering 204 when it
 * stored nothing, its own language codes, its files on disk):
 *
 * - a wanted item whose file is not on disk is skipped ("not on disk") and
 *   queued by the first sync after it is back; a job that failed because its
 *   file was missing does not block the item once the file is back;
 * - an upload counts only when Bazarr, read back, no longer lists the
 *   language as missing; otherwise it is upload_failed with the reason and
 *   tried again on the next sync;
 * - after a confirmed upload exactly one file per language remains: ours is
 *   removed when it is provably ours, a file a person edited is never touched;
 * - Bazarr's pb / zt / ea are queued as Portuguese, Chinese and Spanish with
 *   the regional variant kept for the upload and the job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { claim, complete, fail } from '../../src/jobs/job-lifecycle.repository.js';
import { fakeBazarr, type FakeBazarr } from './fake-bazarr.js';
import { generatedSubtitle, realMedia } from './webhook-media.js';

type SyncAnswer = { wanted: number; queued: number; uploaded: number; skipped: Array<{ title: string; language: string; reason: string }>; error: string | null };

async function syncNow(t: TestApp): Promise<SyncAnswer> {
  const r = await t.app.inject({ method: 'POST', url: '/api/integrations/bazarr/sync' });
  assert.equal(r.statusCode, 200, r.body);
  return r.json<SyncAnswer>();
}

async function setUp(t: TestApp, bazarr: FakeBazarr, lib: string, extra: Record<string, string> = {}): Promise<void> {
  await t.ctx.settings.bulkUpdate({
    library_paths: lib,
    bazarr_url: bazarr.url,
    bazarr_sync_api_key: bazarr.apiKey,
    path_mappings: JSON.stringify([{ from: '/tv', to: join(lib, 'tv') }, { from: '/movies', to: join(lib, 'movies') }]),
    ...extra,
  });
  bazarr.disk = [{ from: '/tv', to: join(lib, 'tv') }, { from: '/movies', to: join(lib, 'movies') }];
}

const jobs = async (t: TestApp) => (await t.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs;
const items = async (t: TestApp) => (await t.app.inject({ url: '/api/integrations/bazarr/status' })).json<{ items: Record<string, number> }>().items;

/** Runs the queued job through the real life cycle: it completes with `subtitle` written as ours. */
async function finish(t: TestApp, subtitle: string, text?: string): Promise<string> {
  const db = t.ctx.database.db;
  const held = await claim(db, t.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
  assert.ok(held, 'a job to run');
  generatedSubtitle(subtitle, text);
  assert.ok(await complete(db, held.id, 'w1', { output_path: subtitle, segments_count: 1, processing_time_seconds: 1 }));
  return held.id;
}

const subtitlesBeside = (video: string) => readdirSync(dirname(video)).filter((f) => f.endsWith('.srt')).sort();

for (const kind of databaseKinds()) {
  test(`a wanted file that is not on disk is skipped and retried; a job that failed for a missing file does not block it once it is back (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const bazarr = await fakeBazarr();
    t.after(() => bazarr.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    const video = join(lib, 'tv', 'Show', 'Show - S01E01.mkv');
    realMedia(join(lib, 'tv', 'Other', 'Other - S01E01.mkv'), ['eng']);
    bazarr.episodes.push({ sonarrSeriesId: 1, sonarrEpisodeId: 10, seriesTitle: 'Show', season: 1, episode: 1, title: 'One', path: '/tv/Show/Show - S01E01.mkv', audio: ['English'], missing: ['en'], tags: [] });
    await setUp(app, bazarr, lib);

    // The share is not mounted: nothing queued, the reason says so, and nothing is recorded that would block it.
    const first = await syncNow(app);
    assert.equal(first.queued, 0);
    const reason = first.skipped.find((s) => s.language === 'English')?.reason ?? '';
    assert.match(reason, /^not on disk: .*Show - S01E01\.mkv \(Bazarr names it \/tv\/Show\/Show - S01E01\.mkv\); tried again on the next sync/);
    assert.equal((await jobs(app)).length, 0);
    assert.deepEqual(await items(app), {});

    // Back: the next sync queues it.
    realMedia(video, ['eng']);
    const second = await syncNow(app);
    assert.equal(second.queued, 1, JSON.stringify(second));
    const [job] = await jobs(app);

    // The file goes away while the job waits; the job fails "File not found" as the worker would.
    renameSync(video, `${video}.away`);
    const db = app.ctx.database.db;
    const held = await claim(db, app.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
    assert.equal(held?.id, job.id);
    assert.ok(await fail(db, job.id, 'w1', { error: `File not found: ${video}`, errorCode: 'media_not_found' }));
    const third = await syncNow(app);
    assert.equal(third.queued, 0);
    assert.match(third.skipped.find((s) => s.language === 'English')!.reason, /^not on disk/);
    assert.deepEqual(await items(app), { job_failed: 1 });

    // Back again: the failed job does not block it.
    renameSync(`${video}.away`, video);
    const fourth = await syncNow(app);
    assert.equal(fourth.queued, 1, JSON.stringify(fourth));
    assert.deepEqual(await items(app), { queued: 1 });
    const again = (await jobs(app)).find((j) => j.id !== job.id);
    assert.ok(again, 'a new job');
    assert.equal(again.file_path, video);

    // A job that failed for another reason still waits for a person.
    const held2 = await claim(db, app.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
    assert.ok(await fail(db, held2!.id, 'w1', { error: 'the audio stream cannot be decoded', errorCode: 'corrupt_media' }));
    const fifth = await syncNow(app);
    assert.equal(fifth.queued, 0);
    assert.match(fifth.skipped.find((s) => s.language === 'English')!.reason, /failed: the audio stream cannot be decoded; retry it on the Jobs page/);
  });
}

test('an upload Bazarr answers 204 but did not store is upload_failed with the reason and retried; a stored one leaves exactly one file per language', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  const video = realMedia(join(lib, 'movies', 'Film (2001)', 'Film (2001).mkv'), ['eng']);
  bazarr.movies.push({ radarrId: 5, title: 'Film', path: '/movies/Film (2001)/Film (2001).mkv', audio: ['English'], missing: ['en'], tags: [] });
  await setUp(app, bazarr, lib);
  assert.equal((await syncNow(app)).queued, 1);
  const ours = join(dirname(video), 'Film (2001).eng.srt');
  await finish(app, ours);

  // Bazarr cannot write to the folder: it answers 204 and still wants English.
  bazarr.storeFails = true;
  const failed = await syncNow(app);
  assert.ok(bazarr.uploads.length >= 1, 'the upload was sent');
  assert.equal(failed.uploaded, 0, 'a 204 alone is not an upload');
  assert.deepEqual(await items(app), { upload_failed: 1 });
  assert.match(failed.skipped.find((x) => x.language === 'English')!.reason, /made it, and the upload failed: Bazarr answered the upload but still lists en as missing/);
  const row = await app.ctx.database.db.selectFrom('bazarr_sync_items').select(['status', 'error']).executeTakeFirstOrThrow();
  assert.match(row.error!, /Bazarr answered the upload but still lists en as missing: it could not store the subtitle/);
  assert.ok(existsSync(ours), 'ours stays while Bazarr has no copy');

  // Fixed: the next sync uploads it again, Bazarr stores Film (2001).en.srt, and ours goes.
  bazarr.storeFails = false;
  const ok = await syncNow(app);
  assert.equal(ok.uploaded, 1, JSON.stringify(ok));
  assert.deepEqual(await items(app), { uploaded: 1 });
  assert.deepEqual(subtitlesBeside(video), ['Film (2001).en.srt'], 'exactly one file for English');
  assert.ok(!existsSync(join(dirname(video), '.Film (2001).eng.srt.transcriptorio.json')), 'its record went with it');
  assert.match(readFileSync(join(dirname(video), 'Film (2001).en.srt'), 'utf8'), /Hola/);
});

test("after a confirmed upload a subtitle a person edited is never touched", async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  const video = realMedia(join(lib, 'movies', 'Edited', 'Edited.mkv'), ['eng']);
  bazarr.movies.push({ radarrId: 6, title: 'Edited', path: '/movies/Edited/Edited.mkv', audio: ['English'], missing: ['en'], tags: [] });
  await setUp(app, bazarr, lib);
  assert.equal((await syncNow(app)).queued, 1);
  const ours = join(dirname(video), 'Edited.eng.srt');
  await finish(app, ours);
  // Corrected by hand after the job wrote it: from then on it is the person's file.
  writeFileSync(ours, '1\n00:00:00,100 --> 00:00:01,000\nHello, corrected\n');
  const r = await syncNow(app);
  assert.equal(r.uploaded, 1);
  assert.deepEqual(subtitlesBeside(video), ['Edited.en.srt', 'Edited.eng.srt']);
  assert.match(readFileSync(ours, 'utf8'), /Hello, corrected/, 'the edited file is as the person left it');
});

test("Bazarr's own codes pb, zt and ea are made as Portuguese, Chinese and Spanish, with the regional variant in the upload and the file name", async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  const video = realMedia(join(lib, 'tv', 'Novela', 'Novela - S01E01.mkv'), ['eng']);
  realMedia(join(lib, 'tv', 'Drama', 'Drama - S01E01.mkv'), ['jpn']);
  bazarr.episodes.push(
    { sonarrSeriesId: 2, sonarrEpisodeId: 20, seriesTitle: 'Novela', season: 1, episode: 1, title: 'Um', path: '/tv/Novela/Novela - S01E01.mkv', audio: ['Portuguese'], missing: ['pb'], tags: [] },
    { sonarrSeriesId: 3, sonarrEpisodeId: 30, seriesTitle: 'Drama', season: 1, episode: 1, title: 'Ichi', path: '/tv/Drama/Drama - S01E01.mkv', audio: ['Japanese'], missing: ['zt', 'ea'], tags: [] },
  );
  await setUp(app, bazarr, lib);

  const first = await syncNow(app);
  assert.ok(!first.skipped.some((s) => /unknown language code/.test(s.reason)), JSON.stringify(first.skipped));
  const byLang = Object.fromEntries(first.skipped.map((s) => [s.language, s.reason]));
  assert.match(byLang['Chinese Traditional'], /Japanese audio: Chinese Traditional subtitles need a translation provider/);
  assert.match(byLang['Spanish (Latino)'], /Japanese audio: Spanish \(Latino\) subtitles need a translation provider/);
  assert.equal(first.queued, 1);
  const [job] = await jobs(app);
  assert.equal(job.target_lang, 'por', 'Whisper hears Portuguese');
  const opts = JSON.parse((await app.ctx.jobs.getRow(job.id))!.options!);
  assert.equal(opts.target_variant, 'pt-BR');
  assert.deepEqual(opts.bazarr, { kind: 'episode', id: 20, series_id: 2, language: 'pb' });

  await finish(app, join(dirname(video), 'Novela - S01E01.por.srt'), '1\n00:00:00,100 --> 00:00:01,000\nOlá\n');
  const second = await syncNow(app);
  assert.equal(second.uploaded, 1);
  assert.equal(bazarr.uploads.at(-1)!.fields.language, 'pb', "Bazarr's code for Portuguese (Brazil)");
  assert.deepEqual(subtitlesBeside(video), ['Novela - S01E01.pt-BR.srt'], 'one file, named with the variant');

  // With a translation provider, Chinese Traditional is queued as Chinese with its variant (Spanish waits: one job per file).
  await app.ctx.settings.bulkUpdate({ translation_provider: 'libretranslate', translation_url: 'http://127.0.0.1:9' });
  const third = await syncNow(app);
  assert.equal(third.queued, 1, JSON.stringify(third));
  const chinese = (await jobs(app)).find((j) => j.target_lang === 'zho');
  assert.ok(chinese, 'a Chinese job');
  const copts = JSON.parse((await app.ctx.jobs.getRow(chinese.id))!.options!);
  assert.equal(copts.target_variant, 'zh-TW');
  assert.equal(copts.bazarr.language, 'zt');
  assert.equal(chinese.transcribe_or_translate, 'transcribe', 'transcribed, then translated by the provider');
  assert.match(third.skipped.find((s) => s.language === 'Spanish (Latino)')!.reason, /another job for this file is queued or running/);
});
