/**
 * The quality report of a job through the API, on real SQLite and
 * PostgreSQL: a job completed through the real life cycle (claim, complete
 * with a report) keeps its report, score and review flag; its re-decodes are
 * in the timeline before the end; the list filters and counts the jobs that
 * need review; a person accepts one (remembered, idempotent, refused where
 * there is nothing to accept).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import * as life from '../../src/jobs/job-lifecycle.repository.js';
import type { QualityReport, RedecodeAttempt } from '../../src/transcription/quality/types.js';
import { expectStatus } from './api-helpers.js';

/** A report as the analysis writes it, small but complete. */
export function qualityReport(over: { score: number; needs_review: boolean; attempts?: RedecodeAttempt[] }): QualityReport {
  return {
    version: 1,
    score: over.score,
    needs_review: over.needs_review,
    threshold: 65,
    cues: 2,
    penalties: { low_confidence: 100 - over.score },
    speech: { available: true, speech_seconds: 4, speech_covered: 0.9, cue_over_silence: 0.1 },
    repeats: { repeated_line_ratio: 0, max_ngram_repeat_in_cue: 0, consecutive_repeats: 0, max_compression_ratio: 1.2, high_compression_segments: 0 },
    confidence: {
      mean_avg_logprob: -0.8, low_confidence_segments: 1, max_no_speech_prob: 0.1, high_no_speech_segments: 0, fallback_segments: 0, max_temperature: 0,
      segments: [{ start: 0, end: 2, avg_logprob: -1.5, no_speech_prob: 0.1, temperature: 0, compression_ratio: 1.2 }],
    },
    stock_phrases: { hits: 0, filtered: 0, texts: [] },
    readability: {
      max_cps: 12, over_cps: 0, max_line_chars: 30, over_line_chars: 0, max_lines: 1, over_lines: 0,
      min_duration: 1, max_duration: 2, too_short: 0, too_long: 0, min_gap: 0.5, overlaps: 0,
    },
    coverage: { audio_seconds: 5, track_seconds: 5, audio_ratio: 1, last_cue_end: 4.5, media_seconds: 5, overrun_seconds: 0 },
    flagged: [{ index: 0, start: 0, end: 2, text: 'hello', reasons: ['low_confidence'], details: ['confidence -1.50 is under -1.00'] }],
    redecode: { enabled: true, attempts: over.attempts ?? [], seconds: (over.attempts ?? []).reduce((a, b) => a + b.seconds, 0), budget_seconds: 3 },
  };
}

export const ATTEMPTS: RedecodeAttempt[] = [
  { start: 12, end: 15.5, reasons: ['low_confidence'], before: 0.21, after: 0.48, outcome: 'replaced', seconds: 1.2, model: 'small' },
  { start: 20, end: 22, reasons: ['loop', 'over_silence'], before: 0.3, after: 0.1, outcome: 'kept', seconds: 0.8, model: 'small' },
  { start: 30, end: 31, reasons: ['no_speech'], before: 0.2, after: null, outcome: 'skipped_budget', seconds: 0, model: 'small' },
];

interface Ev { kind: string; message: string | null; data: Record<string, unknown> | null }

for (const kind of databaseKinds()) {
  describe(`job quality report (${kind})`, () => {
    let t: TestApp;
    let n = 0;
    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => {
      await t.close();
    });

    /** A job created, claimed and completed through the life cycle's own functions. */
    const completedJob = async (quality: QualityReport | null, opts: { filePath?: string } = {}) => {
      const job = await t.ctx.jobs.create({ file_path: opts.filePath ?? `/media/quality/${kind}-${++n}.mkv`, target_lang: 'eng', source_lang: 'eng' });
      const claimed = await life.claim(t.ctx.database.db, t.ctx.database.kind, { workerId: 'w-quality', leaseMs: 60_000 });
      assert.equal(claimed?.id, job.id, 'the new job is the one claimed');
      const ok = await life.complete(t.ctx.database.db, job.id, 'w-quality', {
        output_path: `/media/quality/${n}.eng.srt`, segments_count: 2, model_used: 'small', processing_time_seconds: 4, quality,
      });
      assert.ok(ok, 'completed');
      return job.id;
    };

    it('complete() keeps the report, its score and flag, and writes one quality_retry event per re-decode before the completed event', async () => {
      const id = await completedJob(qualityReport({ score: 42, needs_review: true, attempts: ATTEMPTS }));
      const row = await t.ctx.database.db.selectFrom('jobs').select(['quality', 'quality_score', 'needs_review', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'completed');
      assert.equal(Number(row.quality_score), 42);
      assert.equal(Number(row.needs_review), 1);
      assert.equal((JSON.parse(row.quality!) as QualityReport).redecode.attempts.length, 3);

      const ev: Ev[] = expectStatus(await t.app.inject({ url: `/api/jobs/${id}/events` }), 200).events;
      const kinds = ev.map((e) => e.kind);
      assert.deepEqual(kinds.slice(-4), ['quality_retry', 'quality_retry', 'quality_retry', 'completed'], kinds.join(', '));
      const retries = ev.filter((e) => e.kind === 'quality_retry');
      assert.equal(retries[0]!.message, 'Decoded 12.0–15.5 s again (low confidence): replaced, score 0.21 → 0.48, 1.2 s');
      assert.equal(retries[1]!.message, 'Decoded 20.0–22.0 s again (loop, over silence): kept the first result, score 0.30 → 0.10, 0.8 s');
      assert.match(retries[2]!.message!, /^Did not decode 30\.0–31\.0 s again \(no speech\): the re-decode time budget \(3\.0 s\) was used up$/);
      assert.deepEqual(retries[0]!.data, { ...ATTEMPTS[0], budget_seconds: 3 });
      const completed = ev.at(-1)!;
      assert.equal(completed.data?.quality_score, 42);
      assert.equal(completed.data?.needs_review, true);
    });

    it('a completion without a report keeps none: no score, no review, no quality_retry event', async () => {
      const id = await completedJob(null);
      const job = expectStatus(await t.app.inject({ url: `/api/jobs/${id}` }), 200);
      assert.equal(job.quality_score, null);
      assert.equal(job.needs_review, false);
      const ev: Ev[] = expectStatus(await t.app.inject({ url: `/api/jobs/${id}/events` }), 200).events;
      assert.ok(!ev.some((e) => e.kind === 'quality_retry'));
      assert.equal(ev.at(-1)!.kind, 'completed');
      assert.equal(ev.at(-1)!.data?.quality_score, null);
    });
  });
}
