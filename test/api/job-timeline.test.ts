/**
 * A job's timeline and subtitle through the API, on real SQLite and
 * PostgreSQL: a real job through a real worker process on the generated test
 * model (created by whom, claimed by which worker on which node, each stage,
 * the end), a failed job retried by hand (each attempt's reason kept, the
 * retry counted), the final stages, the subtitle's preview and download, and
 * the 404s that say why a job has no subtitle.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { makeCorrupt, makeVideo, useTestModel, waitFor } from '../workers/helpers.js';
import * as life from '../../src/jobs/job-lifecycle.repository.js';
import { engineSkip } from '../engine/helpers.js';
import { expectStatus } from './api-helpers.js';

interface Ev { kind: string; at: string; stage: string | null; worker_id: string | null; node: string | null; error_code: string | null; message: string | null; data: Record<string, unknown> | null }

for (const kind of databaseKinds()) {
  describe(`job timeline and subtitle (${kind})`, () => {
    let t: TestApp;
    let media: string;
    let workerId = '';
    before(async () => {
      t = await createTestApp(kind);
      media = mkdtempSync(join(tmpdir(), 'tio-timeline-'));
      await useTestModel(t.ctx, { library_paths: media, model_auto_download: false });
    });
    after(async () => {
      if (workerId) await t.app.inject({ method: 'DELETE', url: `/api/workers/${workerId}?timeout=5` });
      await t.close();
      rmSync(media, { recursive: true, force: true });
    });

    const events = async (id: string): Promise<Ev[]> => expectStatus(await t.app.inject({ url: `/api/jobs/${id}/events` }), 200).events;
    const job = async (id: string) => expectStatus(await t.app.inject({ url: `/api/jobs/${id}` }), 200);
    const settled = (id: string, status: string) =>
      waitFor(`job ${id} ${status}`, async () => {
        const j = await job(id);
        if (j.status !== status && (j.status === 'completed' || (j.status === 'failed' && status !== 'failed'))) throw new Error(`job ended ${j.status}: ${j.error}`);
        return j.status === status ? j : null;
      }, 120_000, 100);
    const startWorker = async () => {
      if (workerId) return;
      const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
      assert.equal(add.statusCode, 201, add.body);
      workerId = add.json().worker_id;
    };

    it('a real job through a real worker: created by a user, claimed by the worker on its node, each stage with its time, completed; the subtitle previews and downloads', { skip: engineSkip(), timeout: 180_000 }, async () => {
      const video = makeVideo(media, 'Movie.mkv', { repeat: 2 });
      const created = expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: 'Movie.mkv', source_lang: 'eng', target_lang: 'eng', quality_preset: 'fast' } }), 201);
      // Before any worker: the subtitle is not there yet, and the answer says why.
      assert.match(expectStatus(await t.app.inject({ url: `/api/jobs/${created.id}/subtitle` }), 404).detail, /no subtitle: it is queued/);
      await startWorker();
      const done = await settled(created.id, 'completed');
      assert.equal(done.current_stage, 'completed', 'the final stage of a completed job is its end, not "finalizing"');

      const ev = await events(created.id);
      const kinds = ev.map((e) => e.kind);
      assert.equal(kinds[0], 'created');
      assert.equal(ev[0]!.message, 'Created by a user (web UI or API)');
      assert.equal(ev[0]!.data?.by, 'user');
      const claimed = ev.find((e) => e.kind === 'claimed')!;
      assert.ok(claimed, `a claimed event in ${kinds.join(', ')}`);
      assert.equal(claimed.worker_id, workerId);
      assert.equal(claimed.node, t.ctx.config.nodeName);
      assert.match(claimed.message!, new RegExp(`worker ${workerId} on node ${t.ctx.config.nodeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(attempt 1\\)`));
      const stages = ev.filter((e) => e.kind === 'stage');
      assert.ok(stages.length >= 1, `stage events in ${kinds.join(', ')}`);
      assert.ok(stages.every((s) => s.stage && s.worker_id === workerId), 'each stage names itself and its worker');
      assert.equal(new Set(stages.map((s) => s.stage)).size, stages.length, 'a stage is one event, however many progress writes it had');
      assert.equal(kinds.at(-1), 'completed');
      assert.match(ev.at(-1)!.message!, /Completed: wrote .*Movie\.eng\.srt/);
      const times = ev.map((e) => Date.parse(e.at));
      assert.deepEqual([...times].sort((a, b) => a - b), times, 'oldest first');
      assert.ok(kinds.indexOf('claimed') < kinds.indexOf('stage'));

      const sub = await t.app.inject({ url: `/api/jobs/${created.id}/subtitle` });
      assert.equal(sub.statusCode, 200, sub.body);
      assert.equal(sub.headers['content-type'], 'application/x-subrip; charset=utf-8');
      assert.match(String(sub.headers['content-disposition']), /^inline; filename\*=UTF-8''Movie\.eng\.srt$/);
      assert.match(sub.body, /^1\n\d\d:\d\d:\d\d,\d{3} --> /m);
      const dl = await t.app.inject({ url: `/api/jobs/${created.id}/subtitle?download=1` });
      assert.equal(dl.statusCode, 200);
      assert.match(String(dl.headers['content-disposition']), /^attachment; filename\*=UTF-8''Movie\.eng\.srt$/);
      assert.equal(dl.body, sub.body);

      rmSync(done.output_path);
      assert.match(expectStatus(await t.app.inject({ url: `/api/jobs/${created.id}/subtitle` }), 404).detail, /no longer there: .*Movie\.eng\.srt was moved or deleted/);
    });

    it('a failed job retried by hand: retries 1, and the timeline keeps why each attempt failed and where', { skip: engineSkip(), timeout: 180_000 }, async () => {
      const bad = makeCorrupt(media, 'Broken.mkv');
      const created = expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: bad, file_name: 'Broken.mkv', source_lang: 'eng', target_lang: 'eng' } }), 201);
      await startWorker();
      const failed = await settled(created.id, 'failed');
      assert.equal(failed.current_stage, 'failed', 'the final stage of a failed job is its end, not "claimed"');
      assert.equal(failed.retry_count, 0);
      const first = (await events(created.id)).filter((e) => e.kind === 'failed');
      assert.equal(first.length, 1);
      assert.equal(first[0]!.error_code, failed.error_code);
      assert.equal(first[0]!.message, failed.error);
      assert.ok(first[0]!.stage, 'the stage the attempt had reached');
      assert.equal(first[0]!.worker_id, workerId);
      assert.match(expectStatus(await t.app.inject({ url: `/api/jobs/${created.id}/subtitle` }), 404).detail, /no subtitle: it failed/);

      const retried = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${created.id}/retry` }), 200);
      assert.equal(retried.retry_count, 1, 'a retry is counted');
      const again = await waitFor('the second attempt failed', async () => {
        const j = await job(created.id);
        return j.status === 'failed' && (await events(created.id)).filter((e) => e.kind === 'failed').length === 2 ? j : null;
      }, 120_000);
      assert.equal(again.retry_count, 1, 'a failure that is not retried counts no attempt');
      assert.ok(again.error, 'the job says why its last attempt failed');

      const ev = await events(created.id);
      const kinds = ev.map((e) => e.kind);
      assert.deepEqual(kinds.filter((k) => k !== 'stage'), ['created', 'claimed', 'failed', 'requeued', 'claimed', 'failed']);
      const requeued = ev.find((e) => e.kind === 'requeued')!;
      assert.equal(requeued.data?.previous_error, failed.error, 'the retry keeps the reason the attempt before failed');
      assert.equal(requeued.error_code, failed.error_code);
      assert.match(requeued.message!, /^Retried by a user; the last attempt had failed: /);
      const claims = ev.filter((e) => e.kind === 'claimed');
      assert.deepEqual(claims.map((c) => c.data?.attempt), [1, 2]);
      for (const f of ev.filter((e) => e.kind === 'failed')) {
        assert.ok(f.message && f.error_code, `each failed attempt says why: ${JSON.stringify(f)}`);
      }
    });

    it('an automatic retry and a lost worker are in the timeline with their reasons and the next attempt', async () => {
      // A job type no worker runs: only the transitions are under test here, asked for as a worker would.
      const j = await t.ctx.jobs.create({ file_path: join(media, 'auto.mkv'), job_type: 'timeline-test', target_lang: 'eng', max_retries: 3, is_manual_request: false, options: { source: 'webhook:sonarr' } });
      const db = t.ctx.database.db;
      const only = async () => {
        const c = await life.claim(db, t.ctx.database.kind, { workerId: 'w-test', leaseMs: 60_000, jobTypes: ['timeline-test'], node: 'n1' });
        assert.equal(c?.id, j.id);
      };
      await only();
      assert.equal(await life.progress(db, j.id, 'w-test', { stage: 'transcribing', progress: 10, etaSeconds: 5 }), true);
      assert.equal(await life.progress(db, j.id, 'w-test', { stage: 'transcribing', progress: 20, etaSeconds: 4 }), true);
      assert.equal(await life.retry(db, j.id, 'w-test', { error: 'whisper.cpp crashed (signal 11)', errorCode: 'engine_crashed', backoffBaseMs: 0 }), 'queued');
      await only();
      await db.updateTable('jobs').set({ lease_expires_at: Date.now() - 1 }).where('id', '=', j.id).execute();
      assert.deepEqual(await life.recoverExpired(db, { backoffMs: 0 }), { requeued: 1, failed: 0 });

      const ev = await events(j.id);
      assert.equal(ev[0]!.message, 'Created by the Sonarr webhook');
      assert.deepEqual(ev.map((e) => e.kind), ['created', 'claimed', 'stage', 'retry_scheduled', 'claimed', 'retry_scheduled']);
      const [crash, lost] = ev.filter((e) => e.kind === 'retry_scheduled');
      assert.deepEqual([crash!.error_code, crash!.message, crash!.stage, crash!.data?.attempt], ['engine_crashed', 'whisper.cpp crashed (signal 11)', 'transcribing', 1]);
      assert.equal(typeof crash!.data?.next_attempt_at, 'string');
      assert.equal(lost!.error_code, 'worker_lost');
      assert.match(lost!.message!, /^worker w-test stopped responding \(lease expired\)/);
      assert.equal(lost!.stage, 'claimed', 'the stage the lost attempt had reached');
      assert.equal((await job(j.id)).retry_count, 2);

      // The worker knows the stage it was in even when no progress write showed it yet.
      await only();
      assert.equal(await life.fail(db, j.id, 'w-test', { error: 'the library folder is read-only', errorCode: 'output_not_writable', stage: 'writing' }), true);
      const end = (await events(j.id)).at(-1)!;
      assert.deepEqual([end.kind, end.stage, end.error_code, end.data?.attempt], ['failed', 'writing', 'output_not_writable', 3]);
      assert.equal((await job(j.id)).current_stage, 'failed');
    });

    it('"created" names the rule, the webhook or the provider request from what the creator put on the job', async () => {
      const make = async (over: Record<string, unknown>) => {
        const j = await t.ctx.jobs.create({ file_path: join(media, `c${Math.random()}.mkv`), job_type: 'timeline-test', target_lang: 'spa', ...over });
        return (await events(j.id))[0]!;
      };
      const byRule = await make({ is_manual_request: false, options: { rule_id: 7, rule_name: 'Anime to Spanish', audio_track_index: 1 } });
      assert.equal(byRule.message, 'Created by the scan rule "Anime to Spanish"');
      assert.deepEqual([byRule.data?.by, byRule.data?.rule_id], ['rule', 7]);
      assert.equal((await make({ is_manual_request: false, options: { source: 'webhook' } })).message, 'Created by a webhook');
      assert.equal((await make({ is_manual_request: false, options: { rule_id: 2, rule_name: 'Movies', source: 'webhook:radarr' } })).message, 'Created by the scan rule "Movies" (from the Radarr webhook)');
      const provider = await make({ job_type: 'provider_asr', synthetic_path: true, file_path: `provider://asr/${Math.random()}`, options: { kind: 'asr' } });
      assert.match(provider.message!, /^Created by a transcription request from a provider client/);
      assert.equal((await make({ is_manual_request: true, options: { source: 'library' } })).message, 'Created from library');
    });

    it('events of an unknown job are a 404; a cancel is an event with its reason', async () => {
      expectStatus(await t.app.inject({ url: '/api/jobs/nope/events' }), 404);
      expectStatus(await t.app.inject({ url: '/api/jobs/nope/subtitle' }), 404);
      const j = await t.ctx.jobs.create({ file_path: join(media, 'cancel.mkv'), job_type: 'timeline-test', target_lang: 'eng' });
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${j.id}/cancel` }), 200);
      assert.equal((await job(j.id)).current_stage, 'cancelled');
      const last = (await events(j.id)).at(-1)!;
      assert.deepEqual([last.kind, last.message], ['cancelled', 'Cancelled while queued']);
      assert.match(expectStatus(await t.app.inject({ url: `/api/jobs/${j.id}/subtitle` }), 404).detail, /it was cancelled/);
    });
  });
}
