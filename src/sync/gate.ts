/**
 * The quality gate: whether the best plan found is worth writing. Every
 * "no" is a refusal with a reason a person can act on, never a throw; a
 * subtitle that is already right is 'in_sync' and stays byte for byte.
 */
import type { DriftEstimate } from './drift.js';
import { formatOffset } from './format.js';
import type { SyncRefusalCode, SyncSettings } from './types.js';

/** Moving no cue by more than this (seconds) is no change at all. */
export const JITTER_SECONDS = 0.05;
/** A best plan that moves no cue by more than this and gains less than minGain: the subtitle is in sync. */
export const IN_SYNC_TOLERANCE_SECONDS = 0.25;
/**
 * The plan must fit better than chance by this much, in the refinement's
 * objective per cue time ((matched - mismatched - split penalties) / cue
 * time, -1..1): chance is what the same search finds for the subtitle
 * mirrored in time, whose cues have the same lengths and pauses but cannot
 * match the speech except by luck and splits. A subtitle of another film or
 * language gets a plan about as good as its mirror's.
 */
export const MIN_OVER_CHANCE = 0.3;
/** Drift (seconds, first to last chunk) from which a leftover speed change counts. */
export const MIN_DRIFT_SECONDS = 1;
/** A drift is a straight line when no chunk lies further than this from it (seconds, or this share of the drift). */
const DRIFT_RESIDUAL_SECONDS = 0.4;
const DRIFT_RESIDUAL_SHARE = 0.15;

export interface GateBlock {
  first: number;
  last: number;
  offset: number;
  /** Seconds of reference speech under the block's corrected cues. */
  speechSeconds: number;
}

export interface GateInput {
  settings: SyncSettings;
  scoreBefore: number;
  scoreAfter: number;
  blocks: GateBlock[];
  /** Largest move of any cue under the plan, seconds. */
  displacement: number;
  /** The plan's objective per cue time (search.fitQuality). */
  quality: number;
  /** The same search on the mirrored subtitle (chance level): its objective and its score. */
  chanceQuality: number;
  chanceScore: number;
  drift: DriftEstimate | null;
}

export type GateResult = { verdict: 'in_sync' } | { verdict: 'fix' } | { verdict: 'refused'; code: SyncRefusalCode; message: string };

const pct = (x: number) => `${Math.round(x * 100)} %`;

export function isDrift(d: DriftEstimate | null): d is DriftEstimate {
  if (!d) return false;
  const drift = Math.abs(d.driftSeconds);
  return drift >= MIN_DRIFT_SECONDS && d.residualSeconds <= Math.max(DRIFT_RESIDUAL_SECONDS, DRIFT_RESIDUAL_SHARE * drift);
}

export function judge(g: GateInput): GateResult {
  const s = g.settings;
  const gain = g.scoreAfter - g.scoreBefore;
  // Nothing worth changing near the subtitle as it is: in sync, whatever else is true.
  if (g.displacement <= JITTER_SECONDS) return { verdict: 'in_sync' };
  if (gain < s.minGain && g.displacement <= IN_SYNC_TOLERANCE_SECONDS) return { verdict: 'in_sync' };
  if (isDrift(g.drift)) {
    return {
      verdict: 'refused',
      code: 'nonstandard_ratio',
      message:
        `The subtitle drifts by ${Math.abs(g.drift.driftSeconds).toFixed(1)} s from its first to its last lines, a speed change that no standard ` +
        'frame-rate change (23.976, 24, 25 fps) explains; it was probably made for another cut of this video. Use a subtitle made for this release.',
    };
  }
  if (g.quality - g.chanceQuality < MIN_OVER_CHANCE) {
    return {
      verdict: 'refused',
      code: 'small_gain',
      message:
        `The best alignment found fits the speech hardly better than chance (${pct(g.scoreAfter)} of cue time over speech, where the same search on the ` +
        `subtitle played backwards reaches ${pct(g.chanceScore)}), so the subtitle probably belongs to another cut or another language track. ` +
        'Use a subtitle made for this release.',
    };
  }
  const edge = s.maxOffsetSeconds - 0.015;
  const atBound = g.blocks.find((b) => Math.abs(b.offset) >= edge);
  if (atBound) {
    return {
      verdict: 'refused',
      code: 'offset_at_bound',
      message:
        `The best match lies at the edge of the search window (${formatOffset(atBound.offset)}), so the subtitle may be off by more than ` +
        `${s.maxOffsetSeconds} s. Raise the sync_max_offset_seconds setting above ${s.maxOffsetSeconds} and sync again.`,
    };
  }
  if (gain < s.minGain) {
    return {
      verdict: 'refused',
      code: 'small_gain',
      message:
        `No shift or frame-rate change fits the speech clearly better than the subtitle as it is (best found: ${pct(g.scoreAfter)} of cue time over ` +
        `speech against ${pct(g.scoreBefore)} now, less than the ${pct(s.minGain)} the sync_min_gain setting asks). The subtitle may be for another cut; ` +
        'use one made for this release, or lower sync_min_gain to accept smaller fixes.',
    };
  }
  if (g.blocks.length > 1) {
    const idx = g.blocks.findIndex((b) => b.speechSeconds < s.minBlockSpeechSeconds);
    if (idx >= 0) {
      const b = g.blocks[idx];
      return {
        verdict: 'refused',
        code: 'thin_block',
        message:
          `The subtitle seems cut into ${g.blocks.length} parts, but part ${idx + 1} (cues ${b.first + 1}-${b.last + 1}) lies over only ` +
          `${b.speechSeconds.toFixed(1)} s of speech, too little to place it with confidence (sync_min_block_speech_seconds is ` +
          `${s.minBlockSpeechSeconds}). Fix that part by hand, or lower the setting and sync again.`,
      };
    }
  }
  return { verdict: 'fix' };
}
