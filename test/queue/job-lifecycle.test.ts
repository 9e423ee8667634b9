/**
 * The job life cycle (src/jobs/job-lifecycle.repository.ts) on real SQLite
 * and PostgreSQL: each transition runs only from the statuses its table
 * allows, sets and resets exactly its fields, and a cancel or a lease
 * take-over always wins over the worker that used to hold the job.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/db.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import type { JobRow, JobUpdate } from '../../src/db/schema.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { JOB_STATUSES, type JobStatus } from '../../src/job-kinds.js';
import * as life from '../../src/jobs/job-lifecycle.repository.js';

const W = 'w1';
const LEASE_MS = 60_000;

for (const kind of databaseKinds()) {
  describe(`job life cycle (${kind})`, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let jobs: JobsService;
    let n = 0;

    before(async () => {
      database = await createTestDatabase(kind);
      handle = openDatabase(database.url);
      await migrateToLatest(handle);
      jobs = new JobsService(handle, { maxRetries: () => 3, mode: () => 'transcribe' });
    });
    after(async () => {
      await handle.close();
      await database.drop();
    });
    beforeEach(async () => {
      await handle.db.deleteFrom('jobs').execute();
    });

    const db = () => handle.db;
    const row = async (id: string): Promise<JobRow> => db().selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    /** A fixture: a job put straight into a state, as no transition would. */
    const force = (id: string, patch: JobUpdate) => db().updateTable('jobs').set(patch).where('id', '=', id).execute();
    const newJob = async (over: { max_retries?: number; source_lang?: string | null } = {}) =>
      (await jobs.create({ file_path: `/media/lc/${++n}.mkv`, target_lang: 'spa', source_lang: over.source_lang === undefined ? 'jpn' : over.source_lang, max_retries: over.max_retries })).id;
    const claimed = async (workerId = W, opts: { now?: number; leaseMs?: number } = {}) => {
      const r = await life.claim(db(), handle.kind, { workerId, leaseMs: opts.leaseMs ?? LEASE_MS, now: opts.now });
      assert.ok(r, 'a job to claim');
      return r;
    };
    /** A job in any status, held by W with an expired lease, an old error and one attempt made. */
    const jobIn = async (status: JobStatus) => {
      const id = await newJob();
      await force(id, { status, worker_id: W, lease_expires_at: Date.now() - 1, retry_count: 1, error: 'old', error_code: 'engine_failed', current_stage: 'transcribing' });
      return id;
    };
    const failure = { error: 'engine crashed', errorCode: 'engine_crashed' as const, processingTimeSeconds: 1.5 };

    /** Every transition, asked for one job; true when it changed the row. */
    const ask: Record<life.Transition, (id: string) => Promise<boolean>> = {
      claim: async (id) => (await life.claim(db(), handle.kind, { workerId: 'w2', leaseMs: LEASE_MS }))?.id === id,
      extendLease: (id) => life.extendLease(db(), id, W, LEASE_MS),
      progress: (id) => life.progress(db(), id, W, { stage: 'transcribing', progress: 50, etaSeconds: 10 }),
      complete: (id) => life.complete(db(), id, W, { output_path: '/media/lc/out.srt', processing_time_seconds: 2 }),
      fail: (id) => life.fail(db(), id, W, failure),
      retry: async (id) => (await life.retry(db(), id, W, { ...failure, backoffBaseMs: 1000 })) !== null,
      handBack: (id) => life.handBack(db(), id, W),
      cancel: (id) => life.cancel(db(), id),
      recoverExpired: async (id) => {
        const r = await life.recoverExpired(db(), { backoffMs: 1000 });
        return r.requeued + r.failed === 1 && (await row(id)).error_code === 'worker_lost';
      },
      requeue: (id) => life.requeue(db(), id),
    };

    for (const [transition, from] of Object.entries(life.ALLOWED_FROM) as Array<[life.Transition, readonly JobStatus[]]>) {
      it(`${transition} runs from ${from.join(', ')} only, and changes nothing from any other status`, async () => {
        for (const status of JOB_STATUSES) {
          await db().deleteFrom('jobs').execute();
          const id = await jobIn(status);
          const before = await row(id);
          const changed = await ask[transition](id);
          assert.equal(changed, from.includes(status), `${transition} from ${status}`);
          if (!changed) assert.deepEqual(await row(id), before, `${transition} from ${status} leaves the row alone`);
        }
      });
    }

    it('claim: processing for the worker, with a lease, and the last attempt\'s error cleared', async () => {
      const id = await newJob();
      await force(id, { error: 'last attempt', error_code: 'engine_failed', retry_count: 1, completed_at: '2020-01-01T00:00:00.000Z' });
      const now = Date.now();
      const r = await claimed(W, { now });
      assert.equal(r.id, id);
      assert.equal(r.status, 'processing');
      assert.equal(r.worker_id, W);
      assert.equal(Number(r.lease_expires_at), now + LEASE_MS);
      assert.equal(r.started_at, new Date(now).toISOString());
      assert.equal(r.current_stage, 'claimed');
      assert.equal(Number(r.progress), 0);
      assert.equal(r.error, null);
      assert.equal(r.error_code, null);
      assert.equal(r.completed_at, null);
      assert.equal(r.retry_count, 1, 'the attempts made so far stay counted');
    });

    it('claim skips a job whose back-off has not passed', async () => {
      const id = await newJob();
      const now = Date.now();
      await force(id, { not_before: now + 10_000 });
      assert.equal(await life.claim(db(), handle.kind, { workerId: W, leaseMs: LEASE_MS, now }), undefined);
      assert.equal((await life.claim(db(), handle.kind, { workerId: W, leaseMs: LEASE_MS, now: now + 10_000 }))?.id, id);
    });

    it('extendLease and progress touch only their fields, and only for the holder', async () => {
      const id = await newJob();
      await claimed();
      const before = await row(id);
      assert.equal(await life.extendLease(db(), id, W, 5000, 1_000), true);
      const extended = await row(id);
      assert.equal(Number(extended.lease_expires_at), 6_000);
      assert.equal(extended.updated_ms, before.updated_ms, 'a heartbeat is no event');
      assert.equal(await life.progress(db(), id, W, { stage: 'transcribing', progress: 42.5, etaSeconds: 30 }), true);
      const p = await row(id);
      assert.deepEqual([p.status, p.current_stage, Number(p.progress), p.eta_seconds], ['processing', 'transcribing', 42.5, 30]);
      assert.equal(await life.progress(db(), id, 'w-other', { stage: 'x', progress: 1, etaSeconds: null }), false, 'another worker cannot write');
      assert.equal(await life.extendLease(db(), id, 'w-other', 5000), false);
      assert.equal(await life.isHeld(db(), id, W), true);
      assert.equal(await life.isHeld(db(), id, 'w-other'), false);
    });

    it('complete: completed with its outputs; the detected language only fills an unknown one', async () => {
      const known = await newJob({ source_lang: 'jpn' });
      await claimed();
      assert.equal(await life.complete(db(), known, W, { output_path: '/media/lc/a.spa.srt', segments_count: 12, model_used: 'small', device_used: 'cpu', vram_used_mb: null, source_lang: 'eng', result: { ok: 1 }, processing_time_seconds: 3.5 }), true);
      const r = await row(known);
      assert.equal(r.status, 'completed');
      assert.equal(Number(r.progress), 100);
      assert.equal(r.current_stage, 'completed', 'the final stage is the end, not the last step of the pipeline');
      assert.ok(r.completed_at);
      assert.equal(r.lease_expires_at, null);
      assert.equal(r.eta_seconds, null);
      assert.deepEqual([r.output_path, r.segments_count, r.model_used, r.device_used, Number(r.processing_time_seconds)], ['/media/lc/a.spa.srt', 12, 'small', 'cpu', 3.5]);
      assert.equal(r.source_lang, 'jpn', 'a language the job was given stays');
      assert.deepEqual(JSON.parse(r.result!), { ok: 1 });

      const unknown = await newJob({ source_lang: null });
      await claimed();
      assert.equal(await life.complete(db(), unknown, W, { source_lang: 'eng', processing_time_seconds: 1 }), true);
      assert.equal((await row(unknown)).source_lang, 'eng', 'the detected language fills an unknown one');
      assert.equal((await row(unknown)).result, null);
    });

    it('fail: failed with error and code, no attempt counted, the stage it failed in kept in its timeline event', async () => {
      const id = await newJob();
      await claimed();
      await life.progress(db(), id, W, { stage: 'extracting_audio', progress: 5, etaSeconds: 60 });
      assert.equal(await life.fail(db(), id, W, { error: 'no audio', errorCode: 'no_audio_track', processingTimeSeconds: 0.4 }), true);
      const r = await row(id);
      assert.deepEqual([r.status, r.error, r.error_code, r.retry_count, r.current_stage], ['failed', 'no audio', 'no_audio_track', 0, 'failed']);
      const end = (await db().selectFrom('job_events').selectAll().where('job_id', '=', id).orderBy('id', 'desc').executeTakeFirstOrThrow());
      assert.deepEqual([end.kind, end.stage, end.error_code, end.message], ['failed', 'extracting_audio', 'no_audio_track', 'no audio']);
      assert.ok(r.completed_at);
      assert.equal(r.lease_expires_at, null);
      assert.equal(r.eta_seconds, null);
      assert.equal(Number(r.processing_time_seconds), 0.4);
    });

    it('retry: queued after the back-off, error and code kept, one attempt counted; past max_retries it fails', async () => {
      const id = await newJob({ max_retries: 2 });
      await claimed();
      let t = Date.now();
      assert.equal(await life.retry(db(), id, W, { ...failure, backoffBaseMs: 10_000 }), 'queued');
      let r = await row(id);
      assert.deepEqual([r.status, r.error, r.error_code, r.retry_count], ['queued', 'engine crashed', 'engine_crashed', 1]);
      assert.deepEqual([r.worker_id, r.lease_expires_at, r.started_at, r.current_stage, r.eta_seconds, Number(r.progress)], [null, null, null, null, null, 0]);
      assert.ok(Number(r.not_before) >= t + 10_000 && Number(r.not_before) <= Date.now() + 10_000, 'the first back-off is the base');

      await claimed(W, { now: Number(r.not_before) });
      t = Date.now();
      assert.equal(await life.retry(db(), id, W, { ...failure, backoffBaseMs: 10_000 }), 'queued');
      r = await row(id);
      assert.equal(r.retry_count, 2);
      assert.ok(Number(r.not_before) >= t + 20_000 && Number(r.not_before) <= Date.now() + 20_000, 'the second back-off is doubled');

      await claimed(W, { now: Number(r.not_before) });
      assert.equal(await life.retry(db(), id, W, { ...failure, backoffBaseMs: 10_000 }), 'failed', 'the third failure is past max_retries 2');
      r = await row(id);
      assert.deepEqual([r.status, r.error_code, r.retry_count, Number(r.processing_time_seconds)], ['failed', 'engine_crashed', 3, 1.5]);
      assert.ok(r.completed_at);
      assert.equal(r.lease_expires_at, null);
    });

    it('handBack: queued at once, no attempt counted; handBackJobsOf does it for every job of the given workers', async () => {
      const id = await newJob();
      await claimed();
      await force(id, { not_before: Date.now() + 99_000 });
      assert.equal(await life.handBack(db(), id, W), true);
      const r = await row(id);
      assert.deepEqual([r.status, r.worker_id, r.lease_expires_at, r.started_at, r.not_before, r.retry_count, Number(r.progress)], ['queued', null, null, null, null, 0, 0]);

      await life.cancel(db(), id);
      const [a, b, c] = [await newJob(), await newJob(), await newJob()];
      for (const w of ['wa', 'wb', 'wc']) await claimed(w);
      assert.equal(await life.handBackJobsOf(db(), ['wa', 'wb']), 2);
      assert.equal(await life.handBackJobsOf(db(), []), 0);
      assert.deepEqual([(await row(a)).status, (await row(b)).status, (await row(c)).status], ['queued', 'queued', 'processing']);
    });

    it('cancel: a queued or a processing job, marked for its worker; a reason becomes the error; onlyQueued spares a running one', async () => {
      const q = await newJob();
      assert.equal(await life.cancel(db(), q), true);
      let r = await row(q);
      assert.deepEqual([r.status, r.cancel_requested, r.error], ['cancelled', 1, null]);
      assert.ok(r.completed_at);

      const p = await newJob();
      await claimed();
      assert.equal(await life.cancel(db(), p, { onlyQueued: true, reason: 'client left' }), false, 'a worker took it: it runs on');
      assert.equal((await row(p)).status, 'processing');
      assert.equal(await life.cancel(db(), p), true);
      r = await row(p);
      assert.deepEqual([r.status, r.cancel_requested, r.lease_expires_at], ['cancelled', 1, null]);
      assert.equal(await life.isHeld(db(), p, W), false);

      const abandoned = await newJob();
      assert.equal(await life.cancel(db(), abandoned, { onlyQueued: true, reason: 'client left' }), true);
      assert.equal((await row(abandoned)).error, 'client left');
    });

    it('a late complete, fail, retry or progress after a cancel changes nothing', async () => {
      const id = await newJob();
      await claimed();
      assert.equal(await life.cancel(db(), id), true);
      const cancelled = await row(id);
      assert.equal(await life.complete(db(), id, W, { output_path: '/media/lc/late.srt', processing_time_seconds: 9 }), false);
      assert.equal(await life.fail(db(), id, W, failure), false);
      assert.equal(await life.retry(db(), id, W, { ...failure, backoffBaseMs: 0 }), null);
      assert.equal(await life.progress(db(), id, W, { stage: 'transcribing', progress: 99, etaSeconds: 1 }), false);
      assert.equal(await life.handBack(db(), id, W), false);
      assert.equal(await life.extendLease(db(), id, W, LEASE_MS), false);
      assert.deepEqual(await row(id), cancelled);
    });

    it('a worker whose lease was taken over cannot write the job its successor holds', async () => {
      const id = await newJob();
      const now = Date.now();
      await claimed('w-old', { now: now - 10_000, leaseMs: 1000 });
      assert.deepEqual(await life.recoverExpired(db(), { now, backoffMs: 0 }), { requeued: 1, failed: 0 });
      await claimed('w-new', { now });
      assert.equal(await life.complete(db(), id, 'w-old', { processing_time_seconds: 1 }), false);
      assert.equal(await life.fail(db(), id, 'w-old', failure), false);
      const r = await row(id);
      assert.deepEqual([r.status, r.worker_id], ['processing', 'w-new']);
    });

    it('requeue: a failed job starts afresh, its error, code and output cleared; the retry is counted with an attempt of its own', async () => {
      const id = await newJob();
      await force(id, { status: 'failed', error: 'boom', error_code: 'worker_lost', retry_count: 3, completed_at: new Date().toISOString(), output_path: '/x.srt', cancel_requested: 1, not_before: Date.now() + 5000, worker_id: W });
      assert.equal(await life.requeue(db(), id), true);
      const r = await row(id);
      assert.deepEqual(
        [r.status, r.error, r.error_code, r.retry_count, r.completed_at, r.output_path, r.cancel_requested, r.not_before, r.worker_id, r.lease_expires_at],
        ['queued', null, null, 4, null, null, 0, null, null, null],
      );
      assert.equal(r.max_retries, 4);
    });

    it('an expired lease: retried as worker_lost after the back-off (doubling), then failed after max_retries', async () => {
      const id = await newJob({ max_retries: 2 });
      let now = Date.now();
      await claimed('w-gone', { now, leaseMs: 1000 });
      assert.deepEqual(await life.recoverExpired(db(), { now: now + 500, backoffMs: 7000 }), { requeued: 0, failed: 0 }, 'a lease still running is left alone');
      now += 5000;
      assert.deepEqual(await life.recoverExpired(db(), { now, backoffMs: 7000 }), { requeued: 1, failed: 0 });
      let r = await row(id);
      assert.deepEqual([r.status, r.error_code, r.retry_count, r.worker_id, Number(r.not_before)], ['queued', 'worker_lost', 1, null, now + 7000]);
      assert.match(r.error!, /worker w-gone stopped responding/);
      assert.deepEqual(await life.recoverExpired(db(), { now, backoffMs: 7000 }), { requeued: 0, failed: 0 }, 'idempotent');
      assert.equal(await life.claim(db(), handle.kind, { workerId: 'w-gone', leaseMs: 1000, now: now + 6999 }), undefined, 'not before the back-off');

      now += 7000;
      await claimed('w-gone', { now, leaseMs: 1000 });
      now += 5000;
      assert.deepEqual(await life.recoverExpired(db(), { now, backoffMs: 7000 }), { requeued: 1, failed: 0 });
      r = await row(id);
      assert.equal(Number(r.not_before), now + 14_000, 'the second back-off is doubled');

      now += 14_000;
      await claimed('w-gone', { now, leaseMs: 1000 });
      now += 5000;
      assert.deepEqual(await life.recoverExpired(db(), { now, backoffMs: 7000 }), { requeued: 0, failed: 1 });
      r = await row(id);
      assert.deepEqual([r.status, r.error_code, r.retry_count, r.lease_expires_at], ['failed', 'worker_lost', 3, null]);
      assert.ok(r.completed_at);
    });

    it('two nodes recovering the same expired lease at once count one attempt', async () => {
      const id = await newJob();
      const now = Date.now();
      await claimed('w-gone', { now: now - 10_000, leaseMs: 1000 });
      const results = await Promise.all([life.recoverExpired(db(), { now, backoffMs: 0 }), life.recoverExpired(db(), { now, backoffMs: 0 })]);
      assert.equal(results.reduce((s, x) => s + x.requeued + x.failed, 0), 1);
      assert.equal((await row(id)).retry_count, 1);
    });

    it('expireLeasesOf: the jobs of dead workers are lost now, whatever their lease says; other workers keep theirs', async () => {
      const dead = await newJob();
      const alive = await newJob();
      await claimed('w-dead');
      await claimed('w-alive');
      assert.deepEqual(await life.expireLeasesOf(db(), ['w-dead'], { backoffMs: 0 }), { requeued: 1, failed: 0 });
      assert.deepEqual(await life.expireLeasesOf(db(), [], { backoffMs: 0 }), { requeued: 0, failed: 0 });
      const r = await row(dead);
      assert.deepEqual([r.status, r.error_code, r.retry_count], ['queued', 'worker_lost', 1]);
      assert.match(r.error!, /worker w-dead died/);
      assert.equal((await row(alive)).status, 'processing');
    });

    it('every transition stamps updated_ms for the event stream, except a lease extension', async () => {
      const id = await newJob();
      await force(id, { updated_ms: 1 });
      await claimed();
      assert.ok((await row(id)).updated_ms > 1);
      await force(id, { updated_ms: 1 });
      await life.cancel(db(), id);
      assert.ok((await row(id)).updated_ms > 1);
    });
  });
}
