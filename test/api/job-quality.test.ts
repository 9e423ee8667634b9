/**
 * The quality report of a job through the API, on real SQLite and
 * PostgreSQL: a job completed through the real life cycle (claim, complete
 * with a report) keeps its report, score and review flag; its re-decodes are
 * in the timeline before the end; the list filters and counts the jobs that
 * need review (/api/jobs, /api/jobs/stats, /api/status, the live stats); a
 * person accepts one (remembered, idempotent, refused where there is nothing
 * to accept); the completion webhook carries the flag and the score, once;
 * a flagged cue's audio is cut by the real ffmpeg from a file inside the
 * library, and from nowhere else.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakeServer } from '../integrations/fake-server.js';
import * as life from '../../src/jobs/job-lifecycle.repository.js';
import { CompletionNotifier } from '../../src/integrations/completion-notifier.js';
import { cutAudioClip } from '../../src/transcription/audio-clip.js';
import type { HubEvent } from '../../src/events/event-hub.js';
import type { QualityReport, RedecodeAttempt } from '../../src/transcription/quality/types.js';
import { expectStatus } from './api-helpers.js';

/** A 5 s 440 Hz tone in a Matroska file (AAC), as a library file would be. */
function makeTone(dir: string, name: string): string {
  const out = join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-c:a', 'aac', '-metadata:s:a:0', 'language=eng', out]);
  return out;
}

/** ffprobe's reading of the WAV a response carried (written to a file: from a pipe ffprobe states no duration). */
function probeWav(wav: Buffer, dir: string): { duration: number; sample_rate: string; channels: number; codec_name: string } {
  const file = join(dir, `clip-${process.hrtime.bigint()}.wav`);
  writeFileSync(file, wav);
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels,duration', '-of', 'json', file]).toString();
  const s = (JSON.parse(out) as { streams: Array<{ duration: string; sample_rate: string; channels: number; codec_name: string }> }).streams[0]!;
  return { ...s, duration: Number(s.duration) };
}

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
      // A priority above every earlier job's: the claim takes this one, whatever else waits in the queue.
      const job = await t.ctx.jobs.create({ file_path: opts.filePath ?? `/media/quality/${kind}-${++n}.mkv`, target_lang: 'eng', source_lang: 'eng', priority: 1000 + ++n });
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
      expectStatus(await t.app.inject({ url: `/api/jobs/${id}/quality` }), 404);
      const missing = (await t.app.inject({ url: `/api/jobs/${id}/quality` })).json();
      assert.equal(missing.code, 'quality_not_available');
      assert.match(missing.detail, new RegExp(`Job ${id} has no quality report: .*Redo it to get one`));
      assert.equal(expectStatus(await t.app.inject({ url: '/api/jobs/nope/quality' }), 404).code, 'not_found');
    });

    it('GET quality returns the stored report with the job\'s score and flag; the job JSON carries both', async () => {
      const report = qualityReport({ score: 38.5, needs_review: true, attempts: ATTEMPTS.slice(0, 1) });
      const id = await completedJob(report);
      const q = expectStatus(await t.app.inject({ url: `/api/jobs/${id}/quality` }), 200);
      assert.deepEqual(q, { job_id: id, quality_score: 38.5, needs_review: true, review_accepted_at: null, report });
      const job = expectStatus(await t.app.inject({ url: `/api/jobs/${id}` }), 200);
      assert.equal(job.needs_review, true);
      assert.equal(job.quality_score, 38.5);
    });

    it('accept clears the flag for good, is remembered and idempotent; the list, the stats, /api/status and the live stats count what still needs review', async () => {
      await t.ctx.database.db.deleteFrom('jobs').execute();
      const a = await completedJob(qualityReport({ score: 30, needs_review: true }));
      const b = await completedJob(qualityReport({ score: 40, needs_review: true }));
      const good = await completedJob(qualityReport({ score: 90, needs_review: false }));
      const queued = (await t.ctx.jobs.create({ file_path: `/media/quality/${kind}-queued.mkv`, target_lang: 'eng' })).id;

      const ids = async (query: string) => (expectStatus(await t.app.inject({ url: `/api/jobs?${query}` }), 200).jobs as Array<{ id: string }>).map((j) => j.id).sort();
      assert.deepEqual(await ids('needs_review=true'), [a, b].sort());
      assert.deepEqual(await ids('needs_review=false'), [good, queued].sort());
      assert.equal(expectStatus(await t.app.inject({ url: '/api/jobs?needs_review=true' }), 200).total, 2);
      const bad = expectStatus(await t.app.inject({ url: '/api/jobs?needs_review=maybe' }), 400);
      assert.equal(bad.code, 'bad_filter');
      assert.match(bad.detail, /needs_review must be true or false, got "maybe"/);
      assert.equal(expectStatus(await t.app.inject({ url: '/api/jobs/stats' }), 200).needs_review, 2);
      assert.equal(expectStatus(await t.app.inject({ url: '/api/status' }), 200).queue.needs_review, 2);

      // The live stream's stats and job updates carry the flag (the hub is polled by hand, as the server's timer would).
      const seen: HubEvent[] = [];
      const listen = (e: HubEvent) => seen.push(e);
      t.ctx.events.on('event', listen);
      try {
        const before = Date.now();
        while (Date.now() === before) await new Promise((r) => setTimeout(r, 1));
        const accepted = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${a}/review/accept` }), 200);
        assert.equal(accepted.id, a);
        assert.equal(accepted.needs_review, false);
        assert.equal(accepted.quality_score, 30, 'the score stays: only the flag is cleared');
        await t.ctx.events.poll();
        const update = seen.find((e) => e.event === 'job.updated' && (e.data as { id: string }).id === a);
        assert.ok(update, `a job.updated for the accepted job in ${seen.map((e) => e.event).join(', ')}`);
        assert.equal((update.data as { needs_review: boolean }).needs_review, false);
        assert.equal((update.data as { quality_score: number }).quality_score, 30);
        const stats = seen.find((e) => e.event === 'stats');
        assert.equal((stats?.data as { needs_review: number } | undefined)?.needs_review, 1);
      } finally {
        t.ctx.events.off('event', listen);
      }

      assert.deepEqual(await ids('needs_review=true'), [b]);
      assert.equal(expectStatus(await t.app.inject({ url: '/api/jobs/stats' }), 200).needs_review, 1);
      assert.equal(expectStatus(await t.app.inject({ url: '/api/status' }), 200).queue.needs_review, 1);
      const q = expectStatus(await t.app.inject({ url: `/api/jobs/${a}/quality` }), 200);
      assert.equal(q.needs_review, false);
      assert.equal(q.report.needs_review, false, "the report shows the job's flag now");
      assert.ok(Date.parse(q.review_accepted_at) > 0, 'when it was accepted is kept');

      // Again: nothing changes, no second event.
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${a}/review/accept` }), 200);
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${a}/quality` }), 200).review_accepted_at, q.review_accepted_at);
      const ev: Ev[] = expectStatus(await t.app.inject({ url: `/api/jobs/${a}/events` }), 200).events;
      assert.deepEqual(ev.filter((e) => e.kind === 'review_accepted').length, 1);
      assert.equal(ev.at(-1)!.kind, 'review_accepted');
      assert.match(ev.at(-1)!.message!, /accepted/);

      // Nothing to accept: a job still queued, a completed job without a report.
      const notDone = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${queued}/review/accept` }), 409);
      assert.equal(notDone.code, 'not_reviewable');
      assert.match(notDone.detail, /it is queued/);
      const noReport = await completedJob(null);
      const none = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${noReport}/review/accept` }), 409);
      assert.equal(none.code, 'not_reviewable');
      assert.match(none.detail, /no quality report/);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs/nope/review/accept' }), 404);
    });

    it('the completion webhook carries needs_review and quality_score, and an Accept does not send it again', async (tc) => {
      const hook = await fakeServer();
      tc.after(() => hook.close());
      await t.ctx.settings.bulkUpdate({ completion_webhook_url: `${hook.url}/done` });
      tc.after(() => t.ctx.settings.bulkUpdate({ completion_webhook_url: '' }));
      const notifier = new CompletionNotifier(t.ctx);
      await notifier.init(Date.now() - 1);
      const id = await completedJob(qualityReport({ score: 20, needs_review: true }));
      assert.equal(await notifier.poll(), 1);
      const payload = JSON.parse(hook.calls.at(-1)!.body.toString()) as Record<string, unknown>;
      assert.equal(payload.job_id, id);
      assert.equal(payload.needs_review, true);
      assert.equal(payload.quality_score, 20);
      await new Promise((r) => setTimeout(r, 2));
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/review/accept` }), 200);
      assert.equal(await notifier.poll(), 0, 'an Accept is no second completion');
      assert.equal(hook.calls.length, 1);
    });

    it('a failed job is retried with another quality preset when the body asks; without a body it runs as it was', async () => {
      const failed = async (preset: 'best' | 'fast') => {
        const job = await t.ctx.jobs.create({ file_path: `/media/quality/${kind}-failed-${++n}.mkv`, target_lang: 'eng', quality_preset: preset, priority: 1000 + ++n });
        assert.equal((await life.claim(t.ctx.database.db, t.ctx.database.kind, { workerId: 'w-quality', leaseMs: 60_000 }))?.id, job.id);
        assert.ok(await life.fail(t.ctx.database.db, job.id, 'w-quality', { error: 'out of memory', errorCode: 'engine_failed' }));
        return job.id;
      };
      const a = await failed('best');
      const retried = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${a}/retry`, payload: { quality_preset: 'fast' } }), 200);
      assert.deepEqual([retried.status, retried.quality_preset], ['queued', 'fast']);
      const ev: Ev[] = expectStatus(await t.app.inject({ url: `/api/jobs/${a}/events` }), 200).events;
      assert.match(ev.at(-1)!.message!, /^Retried by a user with the fast preset \(was best\); the last attempt had failed: out of memory$/);
      assert.equal(ev.at(-1)!.data?.previous_quality_preset, 'best');

      const b = await failed('best');
      const plain = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${b}/retry` }), 200);
      assert.deepEqual([plain.status, plain.quality_preset], ['queued', 'best']);

      const c = await failed('fast');
      const bad = expectStatus(await t.app.inject({ method: 'POST', url: `/api/jobs/${c}/retry`, payload: { quality_preset: 'perfect' } }), 400);
      assert.equal(bad.code, 'bad_quality_preset');
      assert.match(bad.detail, /Invalid quality preset "perfect": use one of fast, balanced, best/);
      assert.equal(expectStatus(await t.app.inject({ url: `/api/jobs/${c}` }), 200).status, 'failed', 'a refused retry leaves the job as it was');
      await t.ctx.database.db.deleteFrom('jobs').where('status', '=', 'queued').execute();
    });

    describe('audio clips of a job\'s media', () => {
      let library: string;
      let outside: string;
      let inLibrary: string;
      before(async () => {
        library = mkdtempSync(join(tmpdir(), 'tio-clip-lib-'));
        outside = mkdtempSync(join(tmpdir(), 'tio-clip-out-'));
        await t.ctx.settings.bulkUpdate({ library_paths: library });
        inLibrary = await completedJob(qualityReport({ score: 50, needs_review: true }), { filePath: makeTone(library, 'Tone.mkv') });
      });
      after(() => {
        rmSync(library, { recursive: true, force: true });
        rmSync(outside, { recursive: true, force: true });
      });

      it('a span of a library file comes back as a 16 kHz mono 16-bit WAV exactly end - start long; byte ranges are served', async () => {
        for (const [start, end] of [[1, 3.5], [0, 0.25], [4, 5]] as const) {
          const res = await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?start=${start}&end=${end}` });
          assert.equal(res.statusCode, 200, res.body);
          assert.equal(res.headers['content-type'], 'audio/wav');
          const wav = res.rawPayload;
          assert.equal(Number(res.headers['content-length']), wav.length);
          const p = probeWav(wav, outside);
          assert.equal(p.codec_name, 'pcm_s16le');
          assert.equal(p.sample_rate, '16000');
          assert.equal(p.channels, 1);
          assert.ok(Math.abs(p.duration - (end - start)) <= 0.1, `clip ${start}-${end}: ${p.duration} s`);
        }
        // A browser's <audio> sends no header: the key rides in the query, as for every route.
        const remote = { remoteAddress: '10.0.0.5' };
        expectStatus(await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?start=1&end=2`, ...remote }), 401);
        const keyed = await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?start=1&end=2&apikey=${encodeURIComponent(t.ctx.settings.getString('api_key'))}`, ...remote });
        assert.equal(keyed.statusCode, 200, keyed.body);
        const whole = (await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?start=1&end=2` })).rawPayload;
        const part = await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?start=1&end=2`, headers: { range: 'bytes=0-99' } });
        assert.equal(part.statusCode, 206);
        assert.equal(part.headers['content-range'], `bytes 0-99/${whole.length}`);
        assert.deepEqual(part.rawPayload, whole.subarray(0, 100));
      });

      it('bad ranges are a 400 bad_clip_range naming the problem', async () => {
        const cases: Array<[string, RegExp]> = [
          ['start=3&end=2', /end \(2\) must be after start \(3\)/],
          ['start=2&end=2', /must be after start/],
          ['start=-1&end=2', /start must be a number of seconds of at least 0, got "-1"/],
          ['start=abc&end=2', /start must be a number .*got "abc"/],
          ['start=0&end=61', /61 s long, more than 60 s/],
          ['end=2', /start and end are the clip's span/],
          ['start=100&end=101', /past the end of the media \(5\.0 s\)/],
        ];
        for (const [query, message] of cases) {
          const body = expectStatus(await t.app.inject({ url: `/api/jobs/${inLibrary}/clip?${query}` }), 400);
          assert.equal(body.code, 'bad_clip_range', query);
          assert.match(body.detail, message, query);
        }
      });

      it('a file outside the library folders, or reached through a symlink that leaves them, is refused; a missing one is a 404', async () => {
        const out = await completedJob(qualityReport({ score: 50, needs_review: true }), { filePath: makeTone(outside, 'Secret.mkv') });
        const refused = expectStatus(await t.app.inject({ url: `/api/jobs/${out}/clip?start=0&end=1` }), 403);
        assert.equal(refused.code, 'outside_library');
        assert.match(refused.detail, /outside the library folders: only files inside the library folders can be played/);

        symlinkSync(outside, join(library, 'escape'));
        const viaLink = await completedJob(qualityReport({ score: 50, needs_review: true }), { filePath: join(library, 'escape', 'Secret.mkv') });
        const linked = expectStatus(await t.app.inject({ url: `/api/jobs/${viaLink}/clip?start=0&end=1` }), 403);
        assert.match(linked.detail, /resolves to .*Secret\.mkv/);

        const gone = await completedJob(qualityReport({ score: 50, needs_review: true }), { filePath: join(library, 'Gone.mkv') });
        const missing = expectStatus(await t.app.inject({ url: `/api/jobs/${gone}/clip?start=0&end=1` }), 404);
        assert.equal(missing.code, 'file_not_found');
        assert.match(missing.detail, /not there any more/);
        expectStatus(await t.app.inject({ url: '/api/jobs/nope/clip?start=0&end=1' }), 404);
      });
    });
  });
}

describe('cutting a clip', () => {
  it('a client that goes away kills ffmpeg: the cut ends at once, even while ffmpeg is stuck reading', { skip: process.platform === 'win32', timeout: 10_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tio-clip-abort-'));
    try {
      // A FIFO nobody writes to: ffmpeg waits on it for ever unless killed.
      const fifo = join(dir, 'stuck.wav');
      execFileSync('mkfifo', [fifo]);
      const gone = new AbortController();
      const started = Date.now();
      const cut = cutAudioClip({ file: fifo, stream: null, start: 0, end: 1, signal: gone.signal });
      setTimeout(() => gone.abort(), 300);
      await assert.rejects(cut, (e: Error) => e.name === 'AbortError');
      assert.ok(Date.now() - started < 5000, 'ffmpeg was killed, not waited for');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
