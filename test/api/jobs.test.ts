/** Jobs API: creation rules, pagination, filters, queue order, retry, cancel and clear, on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { listJobs, updateJob } from '../../src/jobs/jobs.repository.js';
import { openDatabase } from '../../src/db/database.js';
import { claim } from '../../src/jobs/job-lifecycle.repository.js';
import type { JobUpdate } from '../../src/db/schema.js';
import type { JobStatus } from '../../src/job-kinds.js';
import { assertKeys, expectStatus, JOB_KEYS, STATS_KEYS } from './api-helpers.js';

for (const kind of databaseKinds()) {
  describe(`jobs API (${kind})`, () => {
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await createTestApp(kind);
      // The made-up paths below lie inside these roots (POSIX, a Windows drive and a UNC share).
      expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/allowed_media_roots', payload: { value: '/media,D:\\Media,\\\\nas\\media' } }), 200);
    });
    after(async () => t.close());

    const create = async (over: Record<string, unknown> = {}) => {
      n++;
      const res = await t.app.inject({
        method: 'POST', url: '/api/jobs',
        payload: { file_path: `/media/anime/ep${n}.mkv`, file_name: `ep${n}.mkv`, source_lang: 'jpn', target_lang: 'spa', quality_preset: 'fast', ...over },
      });
      return res;
    };
    // A fixture: puts a job in a state directly, the way no transition would (any status from any other).
    const force = (id: string, patch: JobUpdate) => t.ctx.database.db.updateTable('jobs').set(patch).where('id', '=', id).execute();
    const setStatus = (id: string, status: JobStatus) => force(id, { status });
    const clearAll = async () => {
      await t.ctx.database.db.deleteFrom('jobs').execute();
    };

    it('POST /api/jobs creates a queued job with every field of the contract (201)', async () => {
      const job = expectStatus(await create({ priority: 10, transcribe_or_translate: 'transcribe', is_manual_request: true }), 201);
      assertKeys(job, JOB_KEYS, 'job');
      assert.equal(job.status, 'queued');
      assert.equal(job.priority, 10);
      assert.equal(job.source_lang, 'jpn');
      assert.equal(job.target_lang, 'spa');
      assert.equal(job.progress, 0);
      assert.equal(job.error_code, null);
      assert.match(job.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const got = expectStatus(await t.app.inject({ url: `/api/jobs/${job.id}` }), 200);
      assert.deepEqual(got, job);
    });

    it('a second live job for the same file is a 409; after it ends a new one may be created', async () => {
      const first = expectStatus(await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' }), 201);
      expectStatus(await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' }), 409);
      await setStatus(first.id, 'processing');
      expectStatus(await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' }), 409);
      await setStatus(first.id, 'completed');
      expectStatus(await create({ file_path: '/media/dup.mkv', file_name: 'dup.mkv' }), 201);
    });

    it('bad input is a 400 naming the problem', async () => {
      const preset = expectStatus(await create({ quality_preset: 'ultra' }), 400);
      assert.match(preset.detail, /quality preset/i);
      assert.match(expectStatus(await create({ target_lang: 'xx-klingon' }), 400).detail, /language/i);
      assert.match(expectStatus(await create({ source_lang: 'zzz' }), 400).detail, /language/i);
      assert.match(expectStatus(await create({ file_path: 'relative/ep.mkv' }), 400).detail, /absolute/);
      assert.match(expectStatus(await create({ transcribe_or_translate: 'dub' }), 400).detail, /transcribe/);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_name: 'x.mkv', target_lang: 'eng' } }), 400);
      expectStatus(await create({ priority: 'high' }), 400);
    });

    it('languages in ISO 639-1 or bibliographic form are stored as one canonical code', async () => {
      const job = expectStatus(await create({ source_lang: 'ja', target_lang: 'fre' }), 201);
      assert.equal(job.source_lang, 'jpn');
      assert.equal(job.target_lang, 'fra');
    });

    it('Windows drive and UNC paths are accepted (worker nodes may run Windows)', async () => {
      const win = expectStatus(await create({ file_path: 'D:\\Media\\Show\\ep1.mkv', file_name: 'ep1.mkv' }), 201);
      assert.equal(win.file_path, 'D:\\Media\\Show\\ep1.mkv');
      const unc = expectStatus(await create({ file_path: '\\\\nas\\media\\Show\\ep2.mkv', file_name: 'ep2.mkv' }), 201);
      assert.equal(unc.file_path, '\\\\nas\\media\\Show\\ep2.mkv');
    });

    it('GET /api/jobs pages 1-based, newest first, with total, page and page_size', async () => {
      await clearAll();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(expectStatus(await create(), 201).id);
      const all = expectStatus(await t.app.inject({ url: '/api/jobs' }), 200);
      assertKeys(all, ['jobs', 'total', 'page', 'page_size']);
      assert.equal(all.page, 1);
      assert.equal(all.page_size, 50);
      assert.equal(all.total, 7);
      assert.deepEqual(all.jobs.map((j: { id: string }) => j.id), [...ids].reverse());
      assertKeys(all.jobs[0], JOB_KEYS, 'listed job');

      const p2 = expectStatus(await t.app.inject({ url: '/api/jobs?page=2&page_size=3' }), 200);
      assert.deepEqual(p2.jobs.map((j: { id: string }) => j.id), [ids[3], ids[2], ids[1]]);
      assert.equal(p2.total, 7);
      const p3 = expectStatus(await t.app.inject({ url: '/api/jobs?page=3&page_size=3' }), 200);
      assert.deepEqual(p3.jobs.map((j: { id: string }) => j.id), [ids[0]]);
      const beyond = expectStatus(await t.app.inject({ url: '/api/jobs?page=9&page_size=3' }), 200);
      assert.deepEqual(beyond.jobs, []);
      expectStatus(await t.app.inject({ url: '/api/jobs?page_size=500' }), 200);
    });

    it('page 0, page_size 0 or 501 and non-integers are a 400', async () => {
      for (const q of ['page=0', 'page=-1', 'page_size=0', 'page_size=501', 'page=abc', 'page_size=abc', 'page=1.5', 'page=99999999999999999999']) {
        expectStatus(await t.app.inject({ url: `/api/jobs?${q}` }), 400);
      }
    });

    it('status_filter lists only that status and counts only it; an unknown status is a 400', async () => {
      await clearAll();
      const a = expectStatus(await create(), 201);
      const b = expectStatus(await create(), 201);
      expectStatus(await create(), 201);
      await setStatus(a.id, 'failed');
      await setStatus(b.id, 'completed');
      const failed = expectStatus(await t.app.inject({ url: '/api/jobs?status_filter=failed' }), 200);
      assert.deepEqual(failed.jobs.map((j: { id: string }) => j.id), [a.id]);
      assert.equal(failed.total, 1);
      const queued = expectStatus(await t.app.inject({ url: '/api/jobs?status_filter=queued' }), 200);
      assert.equal(queued.total, 1);
      assert.ok(queued.jobs.every((j: { status: string }) => j.status === 'queued'));
      expectStatus(await t.app.inject({ url: '/api/jobs?status_filter=sleeping' }), 400);

      const stats = expectStatus(await t.app.inject({ url: '/api/jobs/stats' }), 200);
      assertKeys(stats, STATS_KEYS, 'stats');
      assert.deepEqual(stats, { total_jobs: 3, queued: 1, processing: 0, completed: 1, failed: 1, cancelled: 0, needs_review: 0 });
    });

    it('the queue hands out the highest priority first and FIFO within a priority', async () => {
      await clearAll();
      const made: Array<{ id: string; priority: number }> = [];
      for (const priority of [0, 10, 0, 5, 10, 0]) made.push({ id: expectStatus(await create({ priority }), 201).id, priority });
      const expected = [...made].map((m, i) => ({ ...m, i })).sort((x, y) => y.priority - x.priority || x.i - y.i).map((m) => m.id);
      const claimed: string[] = [];
      for (;;) {
        const row = await claim(t.ctx.database.db, t.ctx.database.kind, { workerId: 'test-worker', leaseMs: 60_000 });
        if (!row) break;
        claimed.push(row.id);
        assert.equal(row.status, 'processing');
        assert.equal(row.worker_id, 'test-worker');
      }
      assert.deepEqual(claimed, expected);
    });

    it('a listed page shows changes made by another process and by direct queue updates at once', async () => {
      await clearAll();
      const a = expectStatus(await create(), 201);
      const list = async () => expectStatus(await t.app.inject({ url: '/api/jobs?page=1&page_size=10' }), 200);
      assert.equal((await list()).jobs[0].progress, 0);
      assert.deepEqual(await list(), await list(), 'an unchanged page reads the same');
      // Another connection, as a worker process has.
      const other = openDatabase(t.database.url);
      try {
        await updateJob(other.db, a.id, { progress: 42.5, current_stage: 'transcribing' });
      } finally {
        await other.close();
      }
      const afterOther = await list();
      assert.equal(afterOther.jobs[0].progress, 42.5);
      assert.equal(afterOther.jobs[0].current_stage, 'transcribing');
      // This process's own connection, bypassing the service.
      await updateJob(t.ctx.database.db, a.id, { progress: 77 });
      assert.equal((await list()).jobs[0].progress, 77);
      await t.ctx.database.db.deleteFrom('jobs').where('id', '=', a.id).execute();
      assert.deepEqual((await list()).jobs, []);
      assert.equal((await list()).total, 0);
    });

    it('deep pages (read from the oldest end) hold the same rows as an offset walk', async () => {
      await clearAll();
      const ids: string[] = [];
      for (let i = 0; i < 23; i++) ids.push(expectStatus(await create(), 201).id);
      const newestFirst = [...ids].reverse();
      for (const size of [1, 4, 5, 10, 23, 50]) {
        for (let page = 1; page <= Math.ceil(23 / size) + 1; page++) {
          const got = expectStatus(await t.app.inject({ url: `/api/jobs?page=${page}&page_size=${size}` }), 200);
          assert.deepEqual(got.jobs.map((j: { id: string }) => j.id), newestFirst.slice((page - 1) * size, page * size), `page ${page} size ${size}`);
          // The repository's read from the oldest end, which the API uses for deep pages of large queues.
          const reversed = await listJobs(t.ctx.database.db, { limit: size, offset: (page - 1) * size, total: 23 });
          assert.deepEqual(reversed.map((r) => r.id), newestFirst.slice((page - 1) * size, page * size), `from the end: page ${page} size ${size}`);
        }
      }
      for (const id of ids.slice(0, 9)) await setStatus(id, 'failed');
      const failedNewestFirst = ids.slice(0, 9).reverse();
      for (let page = 1; page <= 3; page++) {
        const got = expectStatus(await t.app.inject({ url: `/api/jobs?status_filter=failed&page=${page}&page_size=4` }), 200);
        assert.deepEqual(got.jobs.map((j: { id: string }) => j.id), failedNewestFirst.slice((page - 1) * 4, page * 4));
        const reversed = await listJobs(t.ctx.database.db, { status: 'failed', limit: 4, offset: (page - 1) * 4, total: 9 });
        assert.deepEqual(reversed.map((r) => r.id), failedNewestFirst.slice((page - 1) * 4, page * 4));
      }
    });

    it('GET /api/jobs/{id} of an unknown job is a 404', async () => {
      expectStatus(await t.app.inject({ url: '/api/jobs/nope' }), 404);
    });

    it('retry puts a failed job back in the queue; any other status is a 400', async () => {
      await clearAll();
      const job = expectStatus(await create(), 201);
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/retry` }), 400);
      await force(job.id, { status: 'failed', error: 'boom', error_code: 'engine_failed', retry_count: 3, completed_at: new Date().toISOString() });
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${job.id}` }), 200).error_code, 'engine_failed', 'a failed job shows its code');
      const retried = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/retry` }), 200);
      assertKeys(retried, JOB_KEYS, 'retried job');
      assert.equal(retried.status, 'queued');
      assert.equal(retried.error, null);
      assert.equal(retried.error_code, null, 'a manual retry clears the code with the message');
      assert.equal(retried.completed_at, null);
      assert.equal(retried.retry_count, 4, 'a retry by hand counts as one more attempt');
      assert.equal(retried.max_retries, job.max_retries + 1, 'and brings its own, so the automatic retries stay as many');
      for (const s of ['completed', 'cancelled', 'processing'] as const) {
        await setStatus(job.id, s);
        expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${job.id}/retry` }), 400);
      }
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/nope/retry' }), 404);
    });

    it('DELETE and POST .../cancel cancel a live job; a terminal one is a 400', async () => {
      const a = expectStatus(await create(), 201);
      const msg = expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/jobs/${a.id}` }), 200);
      assert.deepEqual(msg, { message: `Job ${a.id} cancelled successfully` });
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${a.id}` }), 200).status, 'cancelled');
      expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/jobs/${a.id}` }), 400);

      const b = expectStatus(await create(), 201);
      await setStatus(b.id, 'processing');
      const viaPost = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${b.id}/cancel` }), 200);
      assert.deepEqual(viaPost, { message: `Job ${b.id} cancelled successfully` });
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${b.id}/cancel` }), 400);

      const c = expectStatus(await create(), 201);
      await setStatus(c.id, 'completed');
      expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/jobs/${c.id}` }), 400);
      expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/jobs/nope' }), 404);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/nope/cancel' }), 404);
    });

    it('POST /api/jobs/queue/clear deletes completed jobs only', async () => {
      await clearAll();
      const done = [expectStatus(await create(), 201), expectStatus(await create(), 201)];
      const failed = expectStatus(await create(), 201);
      const queued = expectStatus(await create(), 201);
      for (const d of done) await setStatus(d.id, 'completed');
      await setStatus(failed.id, 'failed');
      const res = expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/queue/clear' }), 200);
      assert.deepEqual(res, { message: 'Cleared 2 completed jobs' });
      expectStatus(await t.app.inject({ url: `/api/jobs/${done[0].id}` }), 404);
      expectStatus(await t.app.inject({ url: `/api/jobs/${failed.id}` }), 200);
      expectStatus(await t.app.inject({ url: `/api/jobs/${queued.id}` }), 200);
      const stats = expectStatus(await t.app.inject({ url: '/api/jobs/stats' }), 200);
      assert.equal(stats.completed, 0);
      assert.equal(stats.total_jobs, 2);
      assert.deepEqual(expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/queue/clear' }), 200), { message: 'Cleared 0 completed jobs' });
    });

    it('POST /api/jobs/queue/clear?status=failed clears failed jobs only; a live status is a 400 naming the choices', async () => {
      await clearAll();
      const failed = [expectStatus(await create(), 201), expectStatus(await create(), 201)];
      const done = expectStatus(await create(), 201);
      for (const f of failed) await setStatus(f.id, 'failed');
      await setStatus(done.id, 'completed');
      assert.deepEqual(expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/queue/clear?status=failed' }), 200), { message: 'Cleared 2 failed jobs' });
      expectStatus(await t.app.inject({ url: `/api/jobs/${failed[0].id}` }), 404);
      expectStatus(await t.app.inject({ url: `/api/jobs/${done.id}` }), 200);
      const bad = expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/queue/clear?status=queued' }), 400);
      assert.match(bad.detail, /completed, failed, cancelled/);
    });

    it('POST /api/jobs/retry-failed requeues every failed job, skipping one whose file has another live job', async () => {
      await clearAll();
      const a = expectStatus(await create(), 201);
      const b = expectStatus(await create(), 201);
      for (const j of [a, b]) await force(j.id, { status: 'failed', error: 'boom', error_code: 'engine_failed', retry_count: 3 });
      // A new job for b's file is queued meanwhile: b cannot be retried without a duplicate.
      expectStatus(await create({ file_path: b.file_path, file_name: b.file_name }), 201);
      const res = expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/retry-failed' }), 200);
      assert.deepEqual([res.retried, res.skipped], [1, 1]);
      assert.equal(res.message, 'Retried 1 failed job; 1 skipped (another job for the same file is queued or running)');
      const again = expectStatus(await t.app.inject({ url: `/api/jobs/${a.id}` }), 200);
      assert.deepEqual([again.status, again.error, again.error_code, again.retry_count], ['queued', null, null, 4], 'the retry by hand is counted');
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${b.id}` }), 200).status, 'failed');
    });
  });
}
