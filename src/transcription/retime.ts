/**
 * Reading-speed retiming, after regrouping and before writing: a cue too
 * fast to read (over maxCps) or too short (under minDuration) is given more
 * time by moving its END later, into the pause after it. Starts never move,
 * because they are where the speech begins; no cue is ever shortened; word
 * timings are left as the engine gave them.
 *
 * How far an end may go, the nearest of:
 * - the next cue's start minus minGap (two frames, so the cues do not blink
 *   into each other);
 * - when speech is known, the end of the next utterance: the first speech span
 *   that starts at or after the cue's end. The cue may stay up through the
 *   pause after it (and over that utterance, which has no cue of its own when
 *   the next cue starts later), never past it;
 * - the media's end;
 * - start + maxDuration, when given.
 */
import type { Segment } from './types.js';
import type { Span } from './vad.js';
import { cueChars } from './quality/text.js';
import { orderByStart } from './quality/intervals.js';

export interface RetimeOptions {
  maxCps: number;
  minDuration: number;
  minGap: number;
  /** Silero speech spans, media times; null when unknown */
  speech: Span[] | null;
  mediaEnd: number | null;
  /** the longest a lengthened cue may be shown (subtitle_max_duration); no cue over it is shortened */
  maxDuration?: number;
}

/** Cues with their ends moved later where they were too fast or too short; new objects, in the input's order. */
export function retimeCues(cues: Segment[], o: RetimeOptions): Segment[] {
  const out = cues.map((c) => ({ ...c }));
  const order = orderByStart(cues);
  const speech = o.speech ? [...o.speech].sort((a, b) => a.start - b.start) : null;
  for (let k = 0; k < order.length; k++) {
    const c = out[order[k]];
    const next = k + 1 < order.length ? cues[order[k + 1]] : null;
    const duration = c.end - c.start;
    const chars = cueChars(c.text);
    const wanted = Math.max(o.minDuration, o.maxCps > 0 ? chars / o.maxCps : 0);
    if (duration >= wanted) continue;
    let limit = c.start + wanted;
    if (next) limit = Math.min(limit, next.start - o.minGap);
    if (speech) limit = Math.min(limit, nextUtteranceEnd(speech, c.end));
    if (o.mediaEnd !== null && o.mediaEnd > 0) limit = Math.min(limit, o.mediaEnd);
    if (o.maxDuration !== undefined) limit = Math.min(limit, c.start + o.maxDuration);
    // Rounded down to the millisecond, so rounding never eats into the gap.
    const end = Math.floor(limit * 1000 + 1e-6) / 1000;
    if (end > c.end) c.end = end;
  }
  return out;
}

/** End of the first speech span starting at or after `t` (spans sorted by start); Infinity when none follows. */
function nextUtteranceEnd(speech: Span[], t: number): number {
  let lo = 0;
  let hi = speech.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (speech[mid].start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < speech.length ? speech[lo].end : Infinity;
}
