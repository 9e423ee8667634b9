// How a quality report reads to a person: the flag reasons and penalty
// signals in words, cue times as a player shows them, and the tone of a score.
import type { FlagReason } from '../api/types';

const REASONS: Record<FlagReason, string> = {
  low_confidence: 'the model was unsure',
  no_speech: 'probably no speech here',
  loop: 'the same words over and over',
  repeat: 'repeats an earlier line',
  over_silence: 'text over silence',
  stock_phrase: 'a stock phrase models invent',
  reading_speed: 'too fast to read',
  line_length: 'a line is too long',
  too_many_lines: 'too many lines',
  too_short: 'on screen too briefly',
  too_long: 'on screen too long',
  overlap: 'overlaps the next cue',
  past_end: 'after the end of the media',
};

/** A flag reason as words ("text over silence"); an unknown code is shown as it is, without underscores. */
export const reasonText = (r: string): string => REASONS[r as FlagReason] ?? r.replace(/_/g, ' ');

const PENALTIES: Record<string, string> = {
  confidence: 'Unsure passages',
  silence: 'Text over silence',
  missed_speech: 'Speech without subtitles',
  loops: 'Loops and repeats',
  stock_phrases: 'Stock phrases',
  readability: 'Hard to read',
  coverage: 'Audio or timing coverage',
};

/** The heading of a penalty signal ("Text over silence"). */
export const penaltyText = (key: string): string => PENALTIES[key] ?? key[0]!.toUpperCase() + key.slice(1).replace(/_/g, ' ');

/** 62.35 → "1:02.4", 3725.1 → "1:02:05.1" */
export function cueTime(seconds: number): string {
  const t = Math.max(0, seconds);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = (t % 60).toFixed(1).padStart(4, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** "1:02.4 – 1:05.0" */
export const cueSpan = (start: number, end: number): string => `${cueTime(start)} – ${cueTime(end)}`;

/** The badge class of a score: under the review threshold is a warning, a very low score is danger. */
export function scoreTone(score: number | null | undefined, needsReview: boolean | undefined): 'completed' | 'warning' | 'failed' | 'skip' {
  if (score === null || score === undefined) return 'skip';
  if (!needsReview) return 'completed';
  return score < 40 ? 'failed' : 'warning';
}

/** What a re-decode did, in words. */
const OUTCOMES: Record<string, string> = {
  replaced: 'replaced by a better reading',
  kept: 'kept (the new reading was no better)',
  failed: 'could not be decoded again',
  skipped_budget: 'skipped (the time set aside for it was used up)',
};
export const outcomeText = (o: string): string => OUTCOMES[o] ?? o.replace(/_/g, ' ');
