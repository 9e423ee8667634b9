/**
 * The library's review queue, on real SQLite and PostgreSQL: an item whose
 * latest job of a language wrote a subtitle that needs review is listed by
 * filter=needs_review and counted in the tree and the status; its page
 * carries the quality of each subtitle and the stored reports (a broken one
 * reads as null, never a 500); accepting the job clears it, and a rescan
 * keeps it cleared; a subtitle that is gone leaves nothing to review.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { expectStatus } from '../api/api-helpers.js';
import { claim, complete } from '../../src/jobs/job-lifecycle.repository.js';
import { sidecarPath, writeSubtitle } from '../../src/transcription/subtitle-files.js';
import { createLibraryFixture, type LibraryFixture } from './library-media.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A report as the analysis writes it, with `flagged` cues (only the parts the library reads need to be real). */
const report = (score: number, flagged: number) => ({
  version: 1, score, needs_review: score < 65, threshold: 65, cues: 10, penalties: { low_confidence: 100 - score },
  flagged: Array.from({ length: flagged }, (_, i) => ({ index: i, start: i, end: i + 1, text: `cue ${i}`, reasons: ['low_confidence'], details: ['confidence -1.52 is under -1.00'] })),
});

for (const kind of databaseKinds()) {
  describe(`library review queue (${kind})`, () => {
    let t: TestApp;
    let lib: LibraryFixture;
    before(async () => {
      lib = await createLibraryFixture();
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
    });
    after(async () => t?.close());

    const get = async (url: string) => expectStatus(await t.app.inject({ url }), 200);
    const items = async (qs = '') => get(`/api/library/items?page_size=200${qs ? `&${qs}` : ''}`);
    const byPath = async (p: string) => (await items()).items.find((i: any) => i.path === p);
    const names = (page: any) => page.items.map((i: any) => basename(i.path)).sort();
    const db = () => t.ctx.database.db;

    /** Sets a job's columns as another writer would, with a change stamp the index poller has not seen yet. */
    async function setJob(id: string, set: Record<string, unknown>): Promise<void> {
      await sleep(3);
      await db().updateTable('jobs').set({ ...set, updated_ms: Date.now() } as never).where('id', '=', id).execute();
    }

    /** A job that ran through the real life cycle, wrote our subtitle, and left the given quality. */
    async function finishedJob(media: string, lang: string, quality: { score: number; needs_review: boolean; report: string | null }): Promise<{ id: string; subtitle: string }> {
      const job = await t.ctx.jobs.create({ file_path: media, target_lang: lang, is_manual_request: false });
      const claimed = await claim(db(), t.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 });
      assert.equal(claimed?.id, job.id);
      const subtitle = media.replace(/\.[^.]+$/, `.${lang}.srt`);
      await writeSubtitle(subtitle, '1\n00:00:00,100 --> 00:00:01,000\nHola\n', { media, language: lang, model: 'test' });
      assert.ok(await complete(db(), job.id, 'w1', { output_path: subtitle, segments_count: 1, processing_time_seconds: 1 }));
      await setJob(job.id, { quality_score: quality.score, needs_review: quality.needs_review ? 1 : 0, quality: quality.report });
      await t.ctx.library.indexer.syncJobs();
      return { id: job.id, subtitle };
    }

    let a1Job: { id: string; subtitle: string };
    let a2Job: { id: string; subtitle: string };
    let b1Job: { id: string; subtitle: string };

    test('the filter lists exactly the items whose latest job needs review, and every count says so', async () => {
      a1Job = await finishedJob(lib.a1, 'spa', { score: 41.5, needs_review: true, report: JSON.stringify(report(41.5, 3)) });
      a2Job = await finishedJob(lib.a2, 'eng', { score: 91, needs_review: false, report: JSON.stringify(report(91, 0)) });
      b1Job = await finishedJob(lib.b1, 'fre', { score: 30, needs_review: true, report: JSON.stringify(report(30, 5)) });

      const queue = await items('filter=needs_review');
      assert.deepEqual(names(queue), [basename(lib.a1), basename(lib.b1)]);
      assert.equal(queue.total, 2);
      // Read along another order's index too (a filter in size order).
      assert.deepEqual(names(await items('filter=needs_review&sort=-size')), [basename(lib.a1), basename(lib.b1)]);

      const a1 = await byPath(lib.a1);
      assert.equal(a1.needs_review, true);
      assert.deepEqual(a1.jobs.map((j: any) => [j.target_lang, j.status, j.needs_review, j.quality_score]), [['spa', 'completed', true, 41.5]]);
      const a2 = await byPath(lib.a2);
      assert.equal(a2.needs_review, false);
      assert.deepEqual(a2.jobs.map((j: any) => [j.needs_review, j.quality_score]), [[false, 91]]);
      assert.equal((await byPath(lib.a3)).needs_review, false, 'our subtitle without a job to review');

      const tree = await get('/api/library/tree');
      assert.equal(tree.totals.needs_review, 2);
      assert.equal(tree.shows.find((s: any) => s.show === 'Alpha Show').needs_review, 1);
      assert.equal(tree.shows.find((s: any) => s.show === 'Beta Show').needs_review, 1);
      assert.equal(tree.movies.needs_review, 0);
      assert.equal(tree.roots[0].needs_review, 2);
      assert.equal((await get('/api/library/status')).needs_review, 2);
    });

    test("an item's page carries the quality of each subtitle we wrote and the report of each language", async () => {
      const id = (await byPath(lib.a1)).id;
      const item = await get(`/api/library/items/${id}`);
      const sub = item.external_subtitles.find((s: any) => s.path === a1Job.subtitle);
      assert.ok(sub, 'the subtitle the job wrote is listed');
      assert.equal(sub.generated, true);
      assert.deepEqual(sub.quality, { job_id: a1Job.id, score: 41.5, needs_review: true, flagged: 3 });
      assert.equal(item.quality.length, 1);
      const q = item.quality[0];
      assert.deepEqual([q.target_lang, q.job_id, q.score, q.needs_review, q.review_accepted_at], ['spa', a1Job.id, 41.5, true, null]);
      assert.deepEqual(q.report, report(41.5, 3));

      // A subtitle no job of ours wrote (the fixture's own) has no quality; nor has a file without reports.
      const a3 = await get(`/api/library/items/${(await byPath(lib.a3)).id}`);
      assert.deepEqual(a3.external_subtitles.map((s: any) => [basename(s.path), s.generated, s.quality]), [[basename(lib.a3Generated), true, null]]);
      assert.deepEqual(a3.quality, []);
      const a2 = await get(`/api/library/items/${(await byPath(lib.a2)).id}`);
      assert.deepEqual(a2.external_subtitles.find((s: any) => s.path === lib.a2UserSub).quality, null, "the user's subtitle");
    });

    test('a stored report that cannot be read shows as null, never a 500', async () => {
      await setJob(a2Job.id, { quality: '{"version": 1, "score": 9' });
      const a2 = await get(`/api/library/items/${(await byPath(lib.a2)).id}`);
      assert.deepEqual(a2.quality.map((q: any) => [q.job_id, q.score, q.report]), [[a2Job.id, 91, null]]);
      assert.deepEqual(a2.external_subtitles.find((s: any) => s.path === a2Job.subtitle).quality, { job_id: a2Job.id, score: 91, needs_review: false, flagged: null });
    });

    test('accepting the job clears the item, and a rescan keeps it cleared', async () => {
      // Accept, as the item page does: the jobs API clears the job's flag and bumps its change stamp.
      const accepted = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${a1Job.id}/review/accept` }), 200);
      assert.equal(accepted.needs_review, false);
      const { review_accepted_at: acceptedAt } = await db().selectFrom('jobs').select('review_accepted_at').where('id', '=', a1Job.id).executeTakeFirstOrThrow();
      assert.ok(acceptedAt);
      await t.ctx.library.indexer.syncJobs();
      assert.deepEqual(names(await items('filter=needs_review')), [basename(lib.b1)]);
      assert.equal((await get('/api/library/tree')).totals.needs_review, 1);
      assert.equal((await get('/api/library/status')).needs_review, 1);
      const a1 = await get(`/api/library/items/${(await byPath(lib.a1)).id}`);
      assert.equal(a1.needs_review, false);
      assert.deepEqual([a1.quality[0].needs_review, a1.quality[0].review_accepted_at, a1.quality[0].score], [false, acceptedAt, 41.5]);

      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      assert.deepEqual(names(await items('filter=needs_review')), [basename(lib.b1)], 'the rescan read the accepted flag');
      assert.equal((await byPath(lib.a1)).needs_review, false);
    });

    test('a subtitle that is gone from beside the file leaves nothing to review', async () => {
      rmSync(b1Job.subtitle);
      rmSync(sidecarPath(b1Job.subtitle), { force: true });
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      assert.equal((await items('filter=needs_review')).total, 0);
      assert.equal((await get('/api/library/tree')).totals.needs_review, 0);
      const b1 = await byPath(lib.b1);
      assert.equal(b1.needs_review, false);
      assert.deepEqual(b1.jobs.map((j: any) => j.needs_review), [true], 'the job itself still says so');
    });
  });
}
