/**
 * Readability of the written cues against the writers' limits (Netflix-style:
 * characters per second, characters per line, lines, shortest and longest
 * time on screen, no overlaps).
 */
import type { Segment } from '../types.js';
import type { Flags } from './flags.js';
import { round } from './numbers.js';
import { cueChars, cueLines } from './text.js';
import type { QualityReport, QualityThresholds } from './types.js';

/** Timing within this is the same (cue times are written to the millisecond). */
const EPS = 0.0005;

/** The readability part of the report, and how many cues break at least one limit. */
export function readabilityOf(cues: Segment[], order: number[], durations: number[], t: QualityThresholds, flags: Flags): { report: QualityReport['readability']; breaking: number } {
  let maxCps = 0;
  let overCps = 0;
  let maxLineChars = 0;
  let overLineChars = 0;
  let maxLines = 0;
  let overLines = 0;
  let minDuration: number | null = null;
  let maxDuration: number | null = null;
  let tooShort = 0;
  let tooLong = 0;
  let minGap: number | null = null;
  let overlaps = 0;
  const breaking = new Set<number>();
  cues.forEach((c, i) => {
    const d = durations[i];
    const chars = cueChars(c.text);
    if (d > 0 && chars > 0) {
      const cps = chars / d;
      maxCps = Math.max(maxCps, cps);
      // Compared at the precision it is shown with, so a cue timed to exactly the limit is not over it.
      if (round(cps, 1) > t.maxCps) {
        overCps++;
        breaking.add(i);
        flags.add(i, 'reading_speed', `${cps.toFixed(1)} characters per second, over ${t.maxCps}`);
      }
    }
    const lines = cueLines(c.text);
    const longest = lines.reduce((m, l) => Math.max(m, [...l].length), 0);
    maxLineChars = Math.max(maxLineChars, longest);
    if (longest > t.maxLineChars) {
      overLineChars++;
      breaking.add(i);
      flags.add(i, 'line_length', `a line of ${longest} characters, over ${t.maxLineChars}`);
    }
    maxLines = Math.max(maxLines, lines.length);
    if (lines.length > t.maxLines) {
      overLines++;
      breaking.add(i);
      flags.add(i, 'too_many_lines', `${lines.length} lines, over ${t.maxLines}`);
    }
    minDuration = minDuration === null ? d : Math.min(minDuration, d);
    maxDuration = maxDuration === null ? d : Math.max(maxDuration, d);
    if (d + EPS < t.minDuration) {
      tooShort++;
      breaking.add(i);
      flags.add(i, 'too_short', `shown ${d.toFixed(2)} s, under ${t.minDuration} s`);
    }
    if (d - EPS > t.maxDuration) {
      tooLong++;
      breaking.add(i);
      flags.add(i, 'too_long', `shown ${d.toFixed(2)} s, over ${t.maxDuration} s`);
    }
  });
  // In start order: each cue against the latest end before it, so a long cue overlapping several counts for each.
  let latest: { index: number; end: number } | null = null;
  for (const i of order) {
    const c = cues[i];
    if (latest) {
      const gap = c.start - latest.end;
      if (gap < -EPS) {
        overlaps++;
        breaking.add(latest.index);
        flags.add(latest.index, 'overlap', `runs ${(-gap).toFixed(2)} s into the next cue`);
      } else {
        minGap = minGap === null ? Math.max(0, gap) : Math.min(minGap, Math.max(0, gap));
      }
    }
    if (!latest || c.end > latest.end) latest = { index: i, end: c.end };
  }
  return {
    report: {
      max_cps: round(maxCps, 2),
      over_cps: overCps,
      max_line_chars: maxLineChars,
      over_line_chars: overLineChars,
      max_lines: maxLines,
      over_lines: overLines,
      min_duration: minDuration === null ? null : round(minDuration, 3),
      max_duration: maxDuration === null ? null : round(maxDuration, 3),
      too_short: tooShort,
      too_long: tooLong,
      min_gap: minGap === null ? null : round(minGap, 3),
      overlaps,
    },
    breaking: breaking.size,
  };
}

