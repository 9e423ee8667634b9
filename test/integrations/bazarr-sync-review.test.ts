/**
 * The Bazarr sync holds back a subtitle that needs review (the fake Bazarr of
 * fake-bazarr.ts): while quality_block_bazarr_sync is on, a finished subtitle
 * whose job needs review is not uploaded, the sync says how many it held and
 * why, and the first sync after the job is accepted (or made again and good
 * this time) uploads it. With the setting off it is uploaded as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { claim, complete } from '../../src/jobs/job-lifecycle.repository.js';
import { fakeBazarr } from './fake-bazarr.js';
import { realMedia } from './webhook-media.js';

type SyncAnswer = { queued: number; uploaded: number; held_for_review: number; skipped: Array<{ title: string; language: string; reason: string }>; error: string | null };
type StatusAnswer = { items: Record<string, number>; last_sync: SyncAnswer };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function syncNow(t: TestApp): Promise<SyncAnswer> {
  const r = await t.app.inject({ method: 'POST', url: '/api/integrations/bazarr/sync' });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as SyncAnswer;
}

const status = async (t: TestApp) => (await t.app.inject({ url: '/api/integrations/bazarr/status' })).json() as StatusAnswer;

/** Runs the only queued job through the real life cycle: it writes its subtitle, and its quality says it needs review (score 38) or not (score 90). */
async function finish(t: TestApp, subtitle: string, needsReview = true): Promise<string> {
  const db = t.ctx.database.db;
  const claimed = await claim(db, t.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
  assert.ok(claimed, 'a job was queued');
  writeFileSync(subtitle, '1\n00:00:00,100 --> 00:00:01,000\nHello\n');
  assert.ok(await complete(db, claimed.id, 'w1', { output_path: subtitle, segments_count: 1, processing_time_seconds: 1 }));
  await sleep(3);
  const score = needsReview ? 38 : 90;
  const report = { version: 1, score, needs_review: needsReview, threshold: 65, cues: 1, penalties: {}, flagged: [] };
  await db.updateTable('jobs').set({ needs_review: needsReview ? 1 : 0, quality_score: score, quality: JSON.stringify(report), updated_ms: Date.now() }).where('id', '=', claimed.id).execute();
  return claimed.id;
}

for (const kind of databaseKinds()) {
  test(`a subtitle that needs review is held back from Bazarr until it is accepted; with quality_block_bazarr_sync off it goes at once (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const bazarr = await fakeBazarr();
    t.after(() => bazarr.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    realMedia(join(lib, 'movies', 'Film (2001)', 'Film (2001).mkv'), ['eng']);
    bazarr.movies.push({ radarrId: 3, title: 'Film', path: '/movies/Film (2001)/Film (2001).mkv', audio: ['English'], missing: ['en'], tags: [] });
    await app.ctx.settings.bulkUpdate({
      library_paths: lib,
      bazarr_url: bazarr.url,
      bazarr_sync_api_key: bazarr.apiKey,
      path_mappings: JSON.stringify([{ from: '/movies', to: join(lib, 'movies') }]),
    });
    assert.equal(app.ctx.settings.getBoolean('quality_block_bazarr_sync'), true, 'on by default');

    assert.equal((await syncNow(app)).queued, 1);
    const jobId = await finish(app, join(lib, 'movies', 'Film (2001)', 'Film (2001).eng.srt'));

    const held = await syncNow(app);
    assert.equal(held.error, null);
    assert.equal(held.uploaded, 0);
    assert.equal(held.held_for_review, 1);
    assert.equal(held.queued, 0, 'not made again');
    const why = held.skipped.find((s) => s.title === 'Film');
    assert.match(why?.reason ?? '', new RegExp(`job ${jobId} made it; held for review \\(quality score 38\\): accept it on the item page`));
    assert.equal(bazarr.uploads.length, 0);
    const st = await status(app);
    assert.deepEqual(st.items, { held_for_review: 1 });
    assert.equal(st.last_sync.held_for_review, 1);
    // The background round holds it too.
    assert.equal(await app.ctx.bazarr.uploadFinished(), 0);
    assert.equal(bazarr.uploads.length, 0);

    // Accepted on the item page (the jobs API): the next sync hands it over.
    const accept = await app.app.inject({ method: 'POST', url: `/api/jobs/${jobId}/review/accept` });
    assert.equal(accept.statusCode, 200, accept.body);
    const after = await syncNow(app);
    assert.equal(after.uploaded, 1);
    assert.equal(after.held_for_review, 0);
    assert.equal(bazarr.uploads.length, 1);
    assert.deepEqual(bazarr.uploads[0].fields, { radarrid: '3', language: 'en', forced: 'false', hi: 'false' });
    assert.deepEqual((await status(app)).items, { uploaded: 1 });

    // Held, then made again (Redo) and good this time: the new subtitle goes, the held job is never accepted.
    const redone = realMedia(join(lib, 'movies', 'Redone (2003)', 'Redone (2003).mkv'), ['eng']);
    const redoneSub = join(lib, 'movies', 'Redone (2003)', 'Redone (2003).eng.srt');
    bazarr.movies.push({ radarrId: 5, title: 'Redone', path: '/movies/Redone (2003)/Redone (2003).mkv', audio: ['English'], missing: ['en'], tags: [] });
    assert.equal((await syncNow(app)).queued, 1);
    await finish(app, redoneSub);
    assert.equal((await syncNow(app)).held_for_review, 1);
    await app.ctx.jobs.create({ file_path: redone, target_lang: 'eng', is_manual_request: false });
    const redoId = await finish(app, redoneSub, false);
    const redo = await syncNow(app);
    assert.equal(redo.uploaded, 1);
    assert.equal(redo.held_for_review, 0);
    assert.deepEqual(bazarr.uploads.at(-1)!.fields, { radarrid: '5', language: 'en', forced: 'false', hi: 'false' });
    const row = await app.ctx.database.db.selectFrom('bazarr_sync_items').select(['job_id', 'status']).where('bazarr_id', '=', 5).executeTakeFirstOrThrow();
    assert.deepEqual(row, { job_id: redoId, status: 'uploaded' });

    // With the setting off, a subtitle that needs review is uploaded as before.
    await app.ctx.settings.bulkUpdate({ quality_block_bazarr_sync: false });
    realMedia(join(lib, 'movies', 'Other (2002)', 'Other (2002).mkv'), ['eng']);
    bazarr.movies.push({ radarrId: 4, title: 'Other', path: '/movies/Other (2002)/Other (2002).mkv', audio: ['English'], missing: ['en'], tags: [] });
    assert.equal((await syncNow(app)).queued, 1);
    await finish(app, join(lib, 'movies', 'Other (2002)', 'Other (2002).eng.srt'));
    const off = await syncNow(app);
    assert.equal(off.uploaded, 1);
    assert.equal(off.held_for_review, 0);
    assert.deepEqual(bazarr.uploads.at(-1)!.fields, { radarrid: '4', language: 'en', forced: 'false', hi: 'false' });
  });
}
