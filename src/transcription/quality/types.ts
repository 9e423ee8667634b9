/**
 * The shapes of "how good is this subtitle": what the analysis reads
 * (QualityInput), the thresholds it applies (QualityThresholds, every one a
 * setting), and the report it writes (QualityReport), which is stored with
 * the job (jobs.quality, migration 015) and served as it is by
 * GET /api/jobs/{id}/quality. The report's keys are the API's (snake_case).
 */
import type { Span } from '../vad.js';
import type { Segment } from '../types.js';

/** A segment as the engine returned it, with what whisper.cpp tells of it (engine.ts keeps these). */
export interface EngineSegment extends Segment {
  /** decoding temperature that was needed (0: the first try; above 0: a fallback) */
  temperature?: number;
  tokens?: number[];
}

/** A segment the hallucination filter removed, and why. */
export interface SuppressedSegment {
  start: number;
  end: number;
  text: string;
  reason: 'stock_phrase' | 'no_speech' | 'repeat';
}

export interface QualityInput {
  /** the cues as written (after regrouping, translation and retiming) */
  cues: Segment[];
  /** the engine's segments before any filter, media times */
  segments: EngineSegment[];
  /** what the hallucination filter removed */
  suppressed: SuppressedSegment[];
  /** Silero speech spans over the decoded audio, media times; null when no VAD ran (remote engine, no VAD model) */
  speech: Span[] | null;
  /** seconds of audio decoded */
  audioSeconds: number;
  /** the audio track's own duration, when the container states it */
  trackSeconds: number | null;
  /** the media file's duration */
  mediaSeconds: number | null;
}

/** Every threshold of the analysis; each is a setting (src/settings/definitions/quality.ts). */
export interface QualityThresholds {
  /** quality_review_threshold: a score under it needs review */
  reviewThreshold: number;
  /** quality_min_avg_logprob: a segment under it is low confidence */
  minAvgLogprob: number;
  /** quality_max_no_speech_prob: a segment over it (with low confidence) is probably not speech */
  maxNoSpeechProb: number;
  /** quality_max_compression_ratio: gzip ratio over it is a loop (whisper's 2.4) */
  maxCompressionRatio: number;
  /** quality_max_repeated_line_ratio: share of cues whose text appears earlier */
  maxRepeatedLineRatio: number;
  /** quality_max_silence_share: share of a cue's time outside speech over which it is "text over silence" */
  maxSilenceShare: number;
  /** quality_max_overrun_seconds: the last cue may end this far past the media's end */
  maxOverrunSeconds: number;
  /** the writers' limits (subtitle_max_cps, subtitle_max_line_chars, subtitle_max_lines, subtitle_min_duration, subtitle_max_duration) */
  maxCps: number;
  maxLineChars: number;
  maxLines: number;
  minDuration: number;
  maxDuration: number;
}

export type FlagReason =
  | 'low_confidence'
  | 'no_speech'
  | 'loop'
  | 'repeat'
  | 'over_silence'
  | 'stock_phrase'
  | 'reading_speed'
  | 'line_length'
  | 'too_many_lines'
  | 'too_short'
  | 'too_long'
  | 'overlap'
  | 'past_end';

export interface FlaggedCue {
  /** index in the written cues (0-based); null for a suppressed segment that was not written */
  index: number | null;
  start: number;
  end: number;
  text: string;
  reasons: FlagReason[];
  /** one sentence per reason, for a person ("confidence -1.52 is under -1.00") */
  details: string[];
}

/** One re-decode of a flagged segment (also written to the job's timeline). */
export interface RedecodeAttempt {
  start: number;
  end: number;
  reasons: FlagReason[];
  /** the segment score (0-1) before and of the candidate */
  before: number;
  after: number | null;
  outcome: 'replaced' | 'kept' | 'failed' | 'skipped_budget';
  seconds: number;
  model: string;
}

export interface QualityReport {
  version: 1;
  /** 0-100; the formula is in analyze.ts and docs/QUALITY.md */
  score: number;
  needs_review: boolean;
  threshold: number;
  cues: number;
  /** points taken off, by signal, so a person sees where the score went */
  penalties: Record<string, number>;
  speech: {
    available: boolean;
    speech_seconds: number | null;
    /** share of speech time under a cue, 0-1 */
    speech_covered: number | null;
    /** share of cue time outside speech, 0-1 */
    cue_over_silence: number | null;
  };
  repeats: {
    repeated_line_ratio: number;
    /** highest share of repeated 3-grams inside one cue */
    max_ngram_repeat_in_cue: number;
    /** consecutive cues sharing most of their 3-grams */
    consecutive_repeats: number;
    max_compression_ratio: number;
    high_compression_segments: number;
  };
  confidence: {
    mean_avg_logprob: number | null;
    low_confidence_segments: number;
    max_no_speech_prob: number | null;
    high_no_speech_segments: number;
    /** segments that needed a temperature above 0 */
    fallback_segments: number;
    max_temperature: number | null;
    segments: Array<{ start: number; end: number; avg_logprob: number | null; no_speech_prob: number | null; temperature: number | null; compression_ratio: number }>;
  };
  stock_phrases: { hits: number; filtered: number; texts: string[] };
  readability: {
    max_cps: number;
    over_cps: number;
    max_line_chars: number;
    over_line_chars: number;
    max_lines: number;
    over_lines: number;
    min_duration: number | null;
    max_duration: number | null;
    too_short: number;
    too_long: number;
    min_gap: number | null;
    overlaps: number;
  };
  coverage: {
    audio_seconds: number;
    track_seconds: number | null;
    /** decoded audio / track duration */
    audio_ratio: number | null;
    last_cue_end: number | null;
    media_seconds: number | null;
    /** seconds the last cue ends past the media's end (0 when inside) */
    overrun_seconds: number;
  };
  flagged: FlaggedCue[];
  redecode: {
    enabled: boolean;
    attempts: RedecodeAttempt[];
    seconds: number;
    budget_seconds: number;
  };
}
