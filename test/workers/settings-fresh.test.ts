/**
 * A worker runs each job with the settings as they are when it claims it: a
 * change made in the same second as the job (here the subtitle format) is
 * used by that job, not by one after the worker's next periodic refresh.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { makeVideo, useTestModel, waitFor } from './helpers.js';

test('a settings change is used by a job created in the same second', { timeout: 180_000 }, async () => {
  const t = await createTestApp('sqlite');
  const media = mkdtempSync(join(tmpdir(), 'tio-fresh-'));
  try {
    await useTestModel(t.ctx, { library_paths: media, subtitle_format: 'srt' });
    const video = makeVideo(media, 'Movie.mkv');
    const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
    assert.equal(add.statusCode, 201, add.body);
    // Let the idle worker load its settings first, so only a fresh read can see the change below.
    await waitFor('worker idle', async () => ((await t.app.inject({ url: `/api/workers/${add.json().worker_id}` })).json().status === 'idle' ? true : null), 30_000);
    await new Promise((r) => setTimeout(r, 500));

    assert.equal((await t.app.inject({ method: 'PUT', url: '/api/settings/subtitle_format', payload: { value: 'vtt' } })).statusCode, 200);
    const job = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: 'Movie.mkv', target_lang: 'eng', source_lang: 'eng' } });
    assert.equal(job.statusCode, 201, job.body);
    const done = await waitFor('job finished', async () => {
      const j = (await t.app.inject({ url: `/api/jobs/${job.json().id}` })).json();
      if (j.status === 'failed') throw new Error(`job failed: ${j.error}`);
      return j.status === 'completed' ? j : null;
    }, 120_000);
    assert.equal(done.output_path, join(media, 'Movie.eng.vtt'));
    assert.ok(existsSync(done.output_path));
  } finally {
    await t.close();
    rmSync(media, { recursive: true, force: true });
  }
});
