/**
 * The queue as a tool, on real SQLite and PostgreSQL: bulk retry, cancel and
 * remove answer per job (done, or refused with a reason a person reads); a
 * removed job's timeline goes with it; GET /api/jobs searches by path, sorts
 * by added, priority or status, and filters by rule or language, with the
 * contract's parameters and keys unchanged.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { JobUpdate } from '../../src/db/schema.js';
import { assertKeys, expectStatus, JOB_KEYS } from './api-helpers.js';

for (const kind of databaseKinds()) {
  describe(`jobs bulk actions, search, sort and filters (${kind})`, () => {
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await createTestApp(kind);
      expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/allowed_media_roots', payload: { value: '/media' } }), 200);
    });
    after(async () => t.close());
    beforeEach(async () => {
      await t.ctx.database.db.deleteFrom('jobs').execute();
    });

    const create = async (over: Record<string, unknown> = {}) =>
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: `/media/show/ep${++n}.mkv`, file_name: `ep${n}.mkv`, target_lang: 'spa', ...over } }), 201);
    const force = (id: string, patch: JobUpdate) => t.ctx.database.db.updateTable('jobs').set(patch).where('id', '=', id).execute();
    const bulk = async (action: string, ids: string[]) => expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/bulk', payload: { action, ids } }), 200);
    const list = async (q: string) => expectStatus(await t.app.inject({ url: `/api/jobs?${q}` }), 200);
    const ids = (r: { jobs: Array<{ id: string }> }) => r.jobs.map((j) => j.id);

    it('bulk retry requeues the failed jobs and refuses the others, each with its reason', async () => {
      const [a, b, c] = [await create(), await create(), await create()];
      await force(a.id, { status: 'failed', error: 'ffprobe cannot read the file', error_code: 'corrupt_media' });
      await force(b.id, { status: 'completed' });
      const r = await bulk('retry', [a.id, b.id, c.id, 'gone']);
      assert.deepEqual([r.action, r.done, r.refused], ['retry', 1, 3]);
      assert.equal(r.message, 'Retried 1 job; 3 refused');
      const by = Object.fromEntries(r.results.map((x: { id: string }) => [x.id, x]));
      assert.deepEqual(by[a.id], { id: a.id, outcome: 'done', status: 'queued', reason: null });
      assert.deepEqual(by[b.id], { id: b.id, outcome: 'refused', status: 'completed', reason: 'it is completed: only failed jobs can be retried' });
      assert.equal(by[c.id].reason, 'it is queued: only failed jobs can be retried');
      assert.deepEqual(by.gone, { id: 'gone', outcome: 'refused', status: null, reason: 'no such job (it was removed)' });
      const again = expectStatus(await t.app.inject({ url: `/api/jobs/${a.id}` }), 200);
      assert.deepEqual([again.status, again.retry_count, again.error], ['queued', 1, null]);
      const ev = expectStatus(await t.app.inject({ url: `/api/jobs/${a.id}/events` }), 200).events;
      assert.match(ev.at(-1).message, /^Retried by a user \(bulk retry\); the last attempt had failed: ffprobe cannot read the file$/);
    });

    it('a bulk retry whose file already has a live job is refused, saying so', async () => {
      const a = await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' });
      await force(a.id, { status: 'failed' });
      await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' });
      const r = await bulk('retry', [a.id]);
      assert.deepEqual([r.done, r.results[0].reason], [0, 'another job for the same file is queued or running']);
    });

    it('bulk cancel cancels live jobs and refuses finished ones', async () => {
      const [q, p, done] = [await create(), await create(), await create()];
      await force(p.id, { status: 'processing', worker_id: 'w1' });
      await force(done.id, { status: 'completed' });
      const r = await bulk('cancel', [q.id, p.id, done.id]);
      assert.deepEqual([r.done, r.refused, r.message], [2, 1, 'Cancelled 2 jobs; 1 refused']);
      assert.deepEqual(r.results.map((x: { outcome: string; reason: string | null }) => [x.outcome, x.reason]), [['done', null], ['done', null], ['refused', 'it is already completed']]);
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${p.id}` }), 200).status, 'cancelled');
    });

    it('bulk remove deletes finished jobs with their timelines and refuses live ones ("cancel it first")', async () => {
      const [done, failed, live] = [await create(), await create(), await create()];
      await force(done.id, { status: 'completed' });
      await force(failed.id, { status: 'failed' });
      const r = await bulk('remove', [done.id, failed.id, live.id]);
      assert.deepEqual([r.done, r.refused], [2, 1]);
      assert.deepEqual(r.results[2], { id: live.id, outcome: 'refused', status: 'queued', reason: 'it is queued: cancel it first' });
      expectStatus(await t.app.inject({ url: `/api/jobs/${done.id}` }), 404);
      expectStatus(await t.app.inject({ url: `/api/jobs/${live.id}` }), 200);
      const left = await t.ctx.database.db.selectFrom('job_events').select('job_id').where('job_id', 'in', [done.id, failed.id]).execute();
      assert.deepEqual(left, [], 'the timeline goes with its job');
      assert.equal((await t.ctx.database.db.selectFrom('job_events').select('id').where('job_id', '=', live.id).execute()).length, 1);
      // Clearing by status removes timelines the same way.
      await force(live.id, { status: 'cancelled' });
      await t.app.inject({ method: 'POST', url: '/api/jobs/queue/clear?status=cancelled' });
      assert.deepEqual(await t.ctx.database.db.selectFrom('job_events').select('id').execute(), []);
    });

    it('bad bulk requests are a 400 naming the problem', async () => {
      const j = await create();
      const bad = async (payload: object) => expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/bulk', payload }), 400).detail;
      assert.match(await bad({ action: 'explode', ids: [j.id] }), /action must be one of retry, cancel, remove/);
      assert.match(await bad({ action: 'retry', ids: [] }), /ids/);
      assert.match(await bad({ action: 'retry', ids: Array.from({ length: 501 }, (_, i) => `x${i}`) }), /ids/);
      assert.match(await bad({ action: 'retry', ids: ['  '] }), /at least one job/);
    });

    it('search finds jobs by a part of the path, any case, with % and _ taken literally', async () => {
      const a = await create({ file_path: '/media/Anime/Frieren S01E01.mkv', file_name: 'Frieren S01E01.mkv' });
      const b = await create({ file_path: '/media/Movies/100%_Wolf.mkv', file_name: '100%_Wolf.mkv' });
      await create({ file_path: '/media/Movies/Other.mkv', file_name: 'Other.mkv' });
      const r = await list('search=frieren');
      assert.deepEqual(ids(r), [a.id]);
      assert.equal(r.total, 1, 'the total counts the matches');
      assertKeys(r, ['jobs', 'total', 'page', 'page_size']);
      assertKeys(r.jobs[0], JOB_KEYS, 'a found job');
      assert.deepEqual(ids(await list(`search=${encodeURIComponent('100%_')}`)), [b.id]);
      assert.deepEqual(ids(await list(`search=${encodeURIComponent('0%w')}`)), []);
      assert.equal((await list('search=movies&status_filter=failed')).total, 0);
      assert.equal((await list('search=movies&page_size=1&page=2')).jobs.length, 1);
    });

    it('sort by added (either way), priority (next to run first) or status (running first)', async () => {
      const low = await create({ priority: 1 });
      const high = await create({ priority: 9 });
      const mid = await create({ priority: 5 });
      const high2 = await create({ priority: 9 });
      await force(low.id, { status: 'processing', worker_id: 'w' });
      await force(mid.id, { status: 'failed' });
      assert.deepEqual(ids(await list('sort=added&order=asc')), [low.id, high.id, mid.id, high2.id]);
      assert.deepEqual(ids(await list('sort=added')), [high2.id, mid.id, high.id, low.id]);
      assert.deepEqual(ids(await list('sort=priority')), [high.id, high2.id, mid.id, low.id], 'the order the queue runs them in');
      assert.deepEqual(ids(await list('sort=status')), [low.id, high2.id, high.id, mid.id]);
      assert.match(expectStatus(await t.app.inject({ url: '/api/jobs?sort=size' }), 400).detail, /sort must be one of added, priority, status/);
      assert.match(expectStatus(await t.app.inject({ url: '/api/jobs?order=up' }), 400).detail, /order must be asc or desc/);
    });

    it('filter by the rule that created a job, or by audio or subtitle language', async () => {
      const byRule = await t.ctx.jobs.create({ file_path: '/media/r1.mkv', target_lang: 'spa', source_lang: 'jpn', is_manual_request: false, options: { rule_id: 3, rule_name: 'Anime', audio_track_index: 1 } });
      const byOther = await t.ctx.jobs.create({ file_path: '/media/r2.mkv', target_lang: 'eng', is_manual_request: false, options: { rule_id: 31, rule_name: 'Other' } });
      const manual = await create({ target_lang: 'fra', source_lang: 'eng' });
      assert.deepEqual(ids(await list('rule_id=3')), [byRule.id], 'rule 3, not rule 31');
      assert.equal((await list('rule_id=3')).total, 1);
      assert.deepEqual(ids(await list('rule_id=31')), [byOther.id]);
      assert.deepEqual(ids(await list('language=jpn')), [byRule.id]);
      assert.deepEqual(ids(await list('language=eng')), [manual.id, byOther.id], 'audio or subtitle language');
      assert.deepEqual(ids(await list('language=en&status_filter=queued')), [manual.id, byOther.id], 'any code form');
      assert.match(expectStatus(await t.app.inject({ url: '/api/jobs?language=klingon' }), 400).detail, /Unknown language/);
      expectStatus(await t.app.inject({ url: '/api/jobs?rule_id=abc' }), 400);
      // The contract's own listing is untouched.
      const plain = await list('page=1&page_size=50');
      assert.deepEqual(Object.keys(plain).sort(), ['jobs', 'page', 'page_size', 'total']);
      assert.equal(plain.total, 3);
    });
  });
}
