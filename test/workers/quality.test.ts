/**
 * The quality report of a real job: a real worker process, the generated
 * random-weight model (it writes gibberish with low confidence, which is what
 * the report must catch), real speech (jfk.wav in an MKV) and the real Silero
 * model for the speech spans. With quality_retry_enabled the flagged
 * segments are decoded once more within the budget, and the timeline says so;
 * without it nothing is decoded again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { findSpeech } from '../../src/sync/sync.repository.js';
import { SILERO_MODEL } from '../helpers/fixtures.js';
import { makeVideo, minimalModel, useTestModel, waitFor } from './helpers.js';

async function runJob(t: TestApp, video: string, name: string, model?: string) {
  // A model for this job only goes in its options, as the library's Redo with a model puts it.
  const job = await t.ctx.jobs.create({ file_path: video, file_name: name, target_lang: 'eng', source_lang: 'eng', quality_preset: 'fast', is_manual_request: true, ...(model ? { options: { model } } : {}) });
  const id = job.id;
  const done = await waitFor(`job ${name} completed`, async () => {
    const j = (await t.app.inject({ url: `/api/jobs/${id}` })).json();
    if (j.status === 'failed') throw new Error(`job failed: ${j.error}`);
    return j.status === 'completed' ? j : null;
  }, 150_000);
  const quality = await t.app.inject({ url: `/api/jobs/${id}/quality` });
  assert.equal(quality.statusCode, 200, quality.body);
  const events = (await t.app.inject({ url: `/api/jobs/${id}/events` })).json();
  return { job: done, quality: quality.json(), events: (events.events ?? events) as Array<{ kind: string; data: Record<string, unknown> | null }> };
}

test('a job on the random-weight model completes needing review, with low-confidence cues flagged and their re-decode in the timeline within its budget; with retries off nothing is decoded again', { timeout: 360_000 }, async () => {
  const t = await createTestApp('sqlite');
  const media = mkdtempSync(join(tmpdir(), 'tio-quality-'));
  try {
    await useTestModel(t.ctx, { vad_enabled: true, vad_model: SILERO_MODEL, quality_retry_budget: 2 });
    await t.ctx.settings.bulkUpdate({ library_paths: media });
    const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
    assert.equal(add.statusCode, 201, add.body);

    const speechVideo = makeVideo(media, 'Speech.mkv');
    const first = await runJob(t, speechVideo, 'Speech.mkv');
    assert.equal(first.job.needs_review, true, 'gibberish from a random model needs review');
    // The spans the report heard are kept for this version of the file: subtitle sync will not listen again.
    const st = statSync(speechVideo);
    const kept = await findSpeech(t.ctx.database.db, speechVideo, st.size, st.mtimeMs);
    assert.ok(kept && kept.spans.length > 0, 'the speech spans are stored for subtitle sync');
    const report = first.quality.report;
    assert.ok(report.score < report.threshold, `score ${report.score} is under the threshold ${report.threshold}`);
    assert.equal(first.job.quality_score, report.score);
    assert.ok(report.speech.available, 'the Silero pass gave the speech spans');
    assert.ok(report.speech.speech_seconds > 5, `jfk.wav has ~10 s of speech, found ${report.speech.speech_seconds}`);
    assert.ok(report.flagged.length > 0, 'cues are flagged');
    assert.ok(report.flagged.some((c: { reasons: string[] }) => c.reasons.includes('low_confidence')), 'a flagged cue names low confidence');
    assert.ok(report.confidence.low_confidence_segments > 0);

    // The second tries: each one in the timeline, before the completion, and within the budget.
    const retries = first.events.filter((e) => e.kind === 'quality_retry');
    assert.ok(retries.length > 0, 'the flagged segments were decoded again');
    assert.equal(retries.length, report.redecode.attempts.length);
    const completedAt = first.events.findIndex((e) => e.kind === 'completed');
    assert.ok(first.events.findIndex((e) => e.kind === 'quality_retry') < completedAt, 'the retries come before the completion');
    assert.equal(report.redecode.enabled, true);
    const tried = report.redecode.attempts.filter((a: { outcome: string }) => a.outcome !== 'skipped_budget');
    assert.ok(tried.length > 0);
    for (const a of report.redecode.attempts) assert.ok(['replaced', 'kept', 'failed', 'skipped_budget'].includes(a.outcome));
    assert.ok(report.redecode.seconds <= report.redecode.budget_seconds + Math.max(...tried.map((a: { seconds: number }) => a.seconds)), 'the retries stop at the budget (one attempt may end past it)');

    await t.ctx.settings.bulkUpdate({ quality_retry_enabled: false });
    const other = join(media, 'other-model.bin');
    copyFileSync(await minimalModel(), other);
    const second = await runJob(t, makeVideo(media, 'Again.mkv'), 'Again.mkv', other);
    assert.equal(second.job.model_used, other, "the job's own model ran, not the preset's");
    assert.equal(second.quality.report.redecode.enabled, false);
    assert.equal(second.quality.report.redecode.attempts.length, 0);
    assert.equal(second.events.filter((e) => e.kind === 'quality_retry').length, 0, 'no re-decode with quality_retry_enabled off');
    assert.equal(second.job.needs_review, true);
  } finally {
    await t.close();
    rmSync(media, { recursive: true, force: true });
  }
});
