/**
 * The schemas of a job's quality report (GET /api/jobs/{job_id}/quality),
 * its review (POST .../review/accept) and the audio clips of its flagged
 * cues (GET .../clip). The report's schema is QualityReport
 * (src/transcription/quality/types.ts) as the API sends it; the two are
 * checked against each other below, so neither can change alone.
 */
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Nullable, OneOf } from '../http/schemas.js';
import type { FlagReason, QualityReport } from '../transcription/quality/types.js';

const FLAG_REASONS = [
  'low_confidence', 'no_speech', 'loop', 'repeat', 'over_silence', 'stock_phrase', 'reading_speed', 'line_length', 'too_many_lines', 'too_short', 'too_long', 'overlap', 'past_end',
] as const satisfies readonly FlagReason[];

const Reasons = Type.Array(OneOf(FLAG_REASONS), { description: 'why: low_confidence, no_speech, loop, repeat, over_silence, stock_phrase, reading_speed, line_length, too_many_lines, too_short, too_long, overlap, past_end' });
const Seconds = (description?: string) => Type.Number(description ? { description } : {});
const Share = (description: string) => Nullable(Type.Number({ description }));

export const QualityReportSchema = Type.Object({
  version: Type.Literal(1),
  score: Type.Number({ description: '0-100 (docs/QUALITY.md has the formula)' }),
  needs_review: Type.Boolean({ description: "the job's flag now: false once a person accepted the subtitle" }),
  threshold: Type.Number({ description: 'quality_review_threshold when the report was made' }),
  cues: Type.Integer(),
  penalties: Type.Record(Type.String(), Type.Number(), { description: 'points taken off, by signal' }),
  speech: Type.Object({
    available: Type.Boolean({ description: 'false when no voice detection ran (remote engine, no VAD model)' }),
    speech_seconds: Nullable(Type.Number()),
    speech_covered: Share('share of speech time under a cue, 0-1'),
    cue_over_silence: Share('share of cue time outside speech, 0-1'),
  }),
  repeats: Type.Object({
    repeated_line_ratio: Type.Number(),
    max_ngram_repeat_in_cue: Type.Number(),
    consecutive_repeats: Type.Integer(),
    max_compression_ratio: Type.Number(),
    high_compression_segments: Type.Integer(),
  }),
  confidence: Type.Object({
    mean_avg_logprob: Nullable(Type.Number()),
    low_confidence_segments: Type.Integer(),
    max_no_speech_prob: Nullable(Type.Number()),
    high_no_speech_segments: Type.Integer(),
    fallback_segments: Type.Integer({ description: 'segments that needed a decoding temperature above 0' }),
    max_temperature: Nullable(Type.Number()),
    segments: Type.Array(Type.Object({
      start: Seconds(), end: Seconds(), avg_logprob: Nullable(Type.Number()), no_speech_prob: Nullable(Type.Number()), temperature: Nullable(Type.Number()), compression_ratio: Type.Number(),
    })),
  }),
  stock_phrases: Type.Object({ hits: Type.Integer(), filtered: Type.Integer(), texts: Type.Array(Type.String()) }),
  readability: Type.Object({
    max_cps: Type.Number(), over_cps: Type.Integer(), max_line_chars: Type.Integer(), over_line_chars: Type.Integer(), max_lines: Type.Integer(), over_lines: Type.Integer(),
    min_duration: Nullable(Type.Number()), max_duration: Nullable(Type.Number()), too_short: Type.Integer(), too_long: Type.Integer(), min_gap: Nullable(Type.Number()), overlaps: Type.Integer(),
  }),
  coverage: Type.Object({
    audio_seconds: Type.Number(), track_seconds: Nullable(Type.Number()), audio_ratio: Nullable(Type.Number()), last_cue_end: Nullable(Type.Number()),
    media_seconds: Nullable(Type.Number()), overrun_seconds: Type.Number(),
  }),
  flagged: Type.Array(Type.Object({
    index: Nullable(Type.Integer({ description: 'the cue (0-based); null for a segment the hallucination filter removed' })),
    start: Seconds(), end: Seconds(), text: Type.String(), reasons: Reasons,
    details: Type.Array(Type.String(), { description: 'one sentence per reason, for a person' }),
  }), { description: 'the cues to look at, each playable with GET /api/jobs/{job_id}/clip?start=&end=' }),
  redecode: Type.Object({
    enabled: Type.Boolean(),
    attempts: Type.Array(Type.Object({
      start: Seconds(), end: Seconds(), reasons: Reasons, before: Type.Number(), after: Nullable(Type.Number()),
      outcome: OneOf(['replaced', 'kept', 'failed', 'skipped_budget'] as const), seconds: Type.Number(), model: Type.String(),
    })),
    seconds: Type.Number(),
    budget_seconds: Type.Number(),
  }),
});

// The schema and the analysis' type must describe the same object (a compile error here means one changed alone).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reportShapesAgree: Same<Static<typeof QualityReportSchema>, QualityReport> = true;
void reportShapesAgree;

export const JobQualitySchema = Type.Object({
  job_id: Type.String(),
  quality_score: Nullable(Type.Number({ description: '0-100' })),
  needs_review: Type.Boolean(),
  review_accepted_at: Nullable(Type.String({ format: 'date-time', description: 'when a person accepted the subtitle; null until then' })),
  report: QualityReportSchema,
});

/** The longest clip GET /api/jobs/{job_id}/clip cuts: a cue and its context, never a film. */
export const MAX_CLIP_SECONDS = 60;

const rangeMessage = `start and end are the clip's span in seconds of the media (numbers, 0 ≤ start < end, at most ${MAX_CLIP_SECONDS} s apart), e.g. ?start=12&end=15.5`;
const clipBound = (name: string) =>
  Type.Number({ minimum: 0, description: `${name} of the clip, seconds of the media`, 'x-error-code': 'bad_clip_range', 'x-error-message': `${name} must be a number of seconds of at least 0, got "{value}": ${rangeMessage}` });

// The object itself carries the code too: a missing start or end is a bad range, said the same way.
export const ClipQuery = Type.Object(
  { start: clipBound('start'), end: clipBound('end') },
  { 'x-error-code': 'bad_clip_range', 'x-error-message': rangeMessage },
);
