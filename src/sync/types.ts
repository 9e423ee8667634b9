/**
 * The subtitle synchronisation core's vocabulary: what a plan says and the
 * settings that bound the search. Pure data; no I/O anywhere in src/sync's
 * core modules.
 */

/** A span of time in seconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

export interface SyncSettings {
  /** Search window: offsets from -maxOffsetSeconds to +maxOffsetSeconds are tried (setting sync_max_offset_seconds). */
  maxOffsetSeconds: number;
  /**
   * What one split costs in the split-aware refinement, in seconds of cue time:
   * a split is made only when it moves more than this much cue time from
   * silence onto speech, counting "matched minus mismatched" (so a cue second
   * moved from silence onto speech counts 2). Setting sync_split_penalty.
   */
  splitPenalty: number;
  /** Least improvement of the score (share of cue time over speech, 0..1) that a fix must bring (setting sync_min_gain). */
  minGain: number;
  /** Every block of a split plan must lie over at least this many seconds of reference speech (setting sync_min_block_speech_seconds). */
  minBlockSpeechSeconds: number;
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = Object.freeze({
  maxOffsetSeconds: 60,
  splitPenalty: 7,
  minGain: 0.05,
  minBlockSpeechSeconds: 10,
});

export const SYNC_REFUSAL_CODES = ['no_cues', 'no_reference', 'small_gain', 'offset_at_bound', 'nonstandard_ratio', 'thin_block'] as const;
export type SyncRefusalCode = (typeof SYNC_REFUSAL_CODES)[number];

/**
 * A run of cues that moves together. `firstCue`/`lastCue` are inclusive
 * indexes into the cues sorted by start time (stable, so a file already in
 * time order has them as its own indexes); `offset` is in seconds, applied
 * after the ratio.
 */
export interface SyncBlock {
  firstCue: number;
  lastCue: number;
  offset: number;
  /** Start time (seconds, before the plan) of the block's first cue: where the block begins in the subtitle. */
  from?: number;
}

export type SyncVerdict = 'in_sync' | 'fix' | 'refused';

export interface SyncPlan {
  verdict: SyncVerdict;
  /** Why nothing is changed when verdict is 'refused'; the message speaks to a person. */
  refusal: { code: SyncRefusalCode; message: string } | null;
  /** 1 or a standard frame-rate ratio; corrected = original * ratio + block.offset. */
  ratio: number;
  /** The offset of the block holding most cues (what "out of sync by" shows), in seconds. */
  offset: number;
  /** One block when there is no split; together they cover every cue in time order. */
  blocks: SyncBlock[];
  /**
   * Share (0..1) of the subtitle's cue time (union of the cues) that lies over
   * reference speech, the subtitle as it is. Cue time over silence is the rest,
   * so this is "matched minus mismatched" rescaled: (matched - mismatched) /
   * cueTime = 2 * score - 1.
   */
  scoreBefore: number;
  /** The same after the plan (== scoreBefore when in_sync or refused). */
  scoreAfter: number;
  elapsedMs: number;
  /** What the search found, also when it was not applied (for logs and the UI's details). */
  found?: SyncFinding;
}

/** The best plan the search found before the quality gate judged it. */
export interface SyncFinding {
  ratio: number;
  blocks: SyncBlock[];
  /** Score of the found plan (share of cue time over speech). */
  score: number;
  /** How far the best offset of the block holding most cues stands out of its score curve over the window (standard deviations). */
  peakZ: number;
  /** The same for each block. */
  blockZ: number[];
  /** Score the same search reaches on the subtitle mirrored in time: what chance gives. */
  chanceScore: number;
  /** The refinement's objective per cue time, -1..1: (matched - mismatched - split penalties) / cue time. */
  quality: number;
  /** The same for the mirrored subtitle. */
  chanceQuality: number;
  /** Drift in seconds over the subtitle's span left after the chosen ratio (0 when none was measured). */
  driftSeconds: number;
}

export interface PlanSyncOptions {
  /** The media's duration in seconds: cue time past it counts as over silence. */
  mediaDuration?: number;
}
