/**
 * A transcription job through a real worker process: the generated model, a
 * real video made with ffmpeg, the Workers API and the Jobs API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { makeCorrupt, makeVideo, pidAlive, useTestModel, waitFor } from './helpers.js';

test('a transcription job runs end to end through a real worker process and writes a subtitle; the API shows the real figures', { timeout: 180_000 }, async () => {
  const t = await createTestApp('sqlite');
  const media = mkdtempSync(join(tmpdir(), 'tio-media-'));
  try {
    await useTestModel(t.ctx);
    await t.ctx.settings.bulkUpdate({ library_paths: media });
    const video = makeVideo(media, 'Movie.mkv', { repeat: 3 });
    const corrupt = makeCorrupt(media, 'Broken.mkv');

    const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
    assert.equal(add.statusCode, 201, add.body);
    const worker = add.json();
    assert.equal(worker.worker_type, 'cpu');
    assert.equal(worker.status, 'idle');
    assert.ok(pidAlive(worker.pid), `worker pid ${worker.pid} is a live process`);
    assert.notEqual(worker.pid, process.pid);

    const bad = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: corrupt, file_name: 'Broken.mkv', target_lang: 'eng', source_lang: 'eng' } });
    assert.equal(bad.statusCode, 201, bad.body);
    const job = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: 'Movie.mkv', target_lang: 'eng', source_lang: 'eng', quality_preset: 'fast' } });
    assert.equal(job.statusCode, 201, job.body);
    const id = job.json().id;

    // The corrupt file fails with a clear message and the worker goes on to the next job.
    const failed = await waitFor('corrupt job failed', async () => {
      const j = (await t.app.inject({ url: `/api/jobs/${bad.json().id}` })).json();
      return j.status === 'failed' ? j : null;
    }, 60_000);
    assert.match(failed.error, /ffprobe cannot read|corrupt|cannot decode/i);
    assert.equal(failed.retry_count, 0, 'a corrupt file is not retried');

    // While the job runs the worker is busy with it and shows its progress.
    const busy = await waitFor('worker busy with the job', async () => {
      const w = (await t.app.inject({ url: `/api/workers/${worker.worker_id}` })).json();
      return w.status === 'busy' && w.current_job_id === id ? w : null;
    }, 60_000, 50);
    assert.ok(busy.current_job_progress >= 0 && busy.current_job_progress <= 100);
    assert.equal(busy.pid, worker.pid);

    const done = await waitFor('job completed', async () => {
      const j = (await t.app.inject({ url: `/api/jobs/${id}` })).json();
      if (j.status === 'failed') throw new Error(`job failed: ${j.error}`);
      return j.status === 'completed' ? j : null;
    }, 120_000);
    assert.equal(done.worker_id, worker.worker_id);
    assert.equal(done.progress, 100);
    assert.equal(done.output_path, join(media, 'Movie.eng.srt'));
    assert.ok(existsSync(done.output_path), 'the subtitle file exists');
    assert.match(readFileSync(done.output_path, 'utf8'), /-->/);
    assert.equal(typeof done.segments_count, 'number');
    assert.ok(done.processing_time_seconds > 0);
    assert.equal(done.device_used, 'cpu');
    assert.match(done.model_used, /ggml-test-minimal\.bin$/);
    assert.equal(done.vram_used_mb, null);

    const after = await waitFor('worker idle with counters', async () => {
      const w = (await t.app.inject({ url: `/api/workers/${worker.worker_id}` })).json();
      return w.status === 'idle' && w.jobs_completed === 1 ? w : null;
    }, 10_000);
    assert.equal(after.jobs_failed, 1);
    assert.equal(after.current_job_id, null);
    assert.ok(pidAlive(after.pid), 'the corrupt file did not take the worker down');
    assert.equal(after.pid, worker.pid);
    assert.match(after.model_loaded ?? '', /ggml-test-minimal\.bin/, 'the model stays loaded between jobs');

    const stats = (await t.app.inject({ url: '/api/workers/stats' })).json();
    assert.equal(stats.total_workers, 1);
    assert.equal(stats.cpu_workers, 1);
    assert.equal(stats.total_jobs_completed, 1);
    assert.equal(stats.total_jobs_failed, 1);
    assert.equal(stats.is_running, true);
    const status = (await t.app.inject({ url: '/api/status' })).json();
    assert.equal(status.workers.total_workers, 1);
    assert.equal(status.workers.total_jobs_completed, 1);
    assert.equal((await t.app.inject({ url: '/health' })).json().workers, 1);

    const del = await t.app.inject({ method: 'DELETE', url: `/api/workers/${worker.worker_id}?timeout=5` });
    assert.equal(del.statusCode, 200, del.body);
    assert.equal(del.json().message, `Worker ${worker.worker_id} removed successfully`);
    await waitFor('worker process gone', () => !pidAlive(worker.pid), 10_000);
    assert.equal((await t.app.inject({ url: `/api/workers/${worker.worker_id}` })).statusCode, 404);
  } finally {
    await t.close();
    rmSync(media, { recursive: true, force: true });
  }
});
