/**
 * planSync: the aligner. Masks at 100 bins/s; the global offset for each
 * standard frame-rate ratio by FFT cross-correlation; split-aware refinement
 * of the best ratio by dynamic programming; then the quality gate. applyPlan
 * turns a plan into new cue times.
 */
import { ReferenceCorrelator, findPeak } from './correlate.js';
import { estimateDrift } from './drift.js';
import { judge, type GateBlock } from './gate.js';
import { buildMask, cleanSpans, countOnes, extentBins, overlap, paddedPrefix, shareOf, toBin, toSeconds } from './masks.js';
import { STANDARD_RATIOS } from './ratios.js';
import type { CueBins } from './refine.js';
import { fitBlocks, fitQuality, fitShare, mirrorCues } from './search.js';
import { DEFAULT_SYNC_SETTINGS, type PlanSyncOptions, type SyncBlock, type SyncPlan, type SyncRefusalCode, type SyncSettings, type TimeSpan } from './types.js';

/** Another ratio replaces 1 only when its best share of cue time over speech is higher by this much. */
const RATIO_MARGIN = 0.005;

/** Cue indexes in time order (stable; cues without finite times last). The blocks' cue indexes count in this order. */
export function timeOrder(cues: readonly TimeSpan[]): number[] {
  const key = (c: TimeSpan) => (Number.isFinite(c.start) ? c.start : Infinity);
  return cues.map((_, i) => i).sort((a, b) => key(cues[a]) - key(cues[b]) || a - b);
}

const valid = (c: TimeSpan) => Number.isFinite(c.start) && Number.isFinite(c.end) && c.end > c.start;

function settingsOf(partial: Partial<SyncSettings> | undefined): SyncSettings {
  const s = { ...DEFAULT_SYNC_SETTINGS };
  for (const key of Object.keys(s) as (keyof SyncSettings)[]) {
    const v = partial?.[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) s[key] = v;
  }
  if (s.maxOffsetSeconds <= 0) s.maxOffsetSeconds = DEFAULT_SYNC_SETTINGS.maxOffsetSeconds;
  return s;
}

function unchanged(
  verdict: 'in_sync' | 'refused',
  n: number,
  scoreBefore: number,
  started: number,
  refusal: { code: SyncRefusalCode; message: string } | null = null,
): SyncPlan {
  return {
    verdict,
    refusal,
    ratio: 1,
    offset: 0,
    blocks: n > 0 ? [{ firstCue: 0, lastCue: n - 1, offset: 0 }] : [],
    scoreBefore,
    scoreAfter: scoreBefore,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

/** Share (0..1) of the cues' time (union) that lies over the reference's speech. */
export function syncScore(cues: readonly TimeSpan[], reference: readonly TimeSpan[]): number {
  const ref = cleanSpans(reference);
  const cs = cleanSpans(cues);
  const mask = buildMask(ref, Math.max(extentBins(ref), 1));
  return shareOf(overlap(cs, mask));
}

export function planSync(cues: TimeSpan[], reference: TimeSpan[], settings?: Partial<SyncSettings>, opts: PlanSyncOptions = {}): SyncPlan {
  const started = performance.now();
  const s = settingsOf(settings);
  const n = cues.length;
  const timed = cues.filter(valid);
  if (timed.length === 0) {
    return unchanged('refused', n, 0, started, {
      code: 'no_cues',
      message: 'The subtitle has no timed cues to align. Check that the file is a subtitle with timings (SRT, VTT, ASS) and not empty.',
    });
  }
  const ref = cleanSpans(reference);
  if (ref.length === 0) {
    return unchanged('refused', n, 0, started, {
      code: 'no_reference',
      message: 'No speech was found to align against: the audio track seems silent or the reference is empty. Choose another audio track or a reference subtitle.',
    });
  }

  const w = toBin(s.maxOffsetSeconds);
  const maxRatio = Math.max(...STANDARD_RATIOS.map((r) => r.ratio));
  // Cue time past the reference's end (plus the window) can match nothing at any offset: the masks stop
  // there, so a cue at an absurd time cannot make them huge.
  const refEnd = Math.max(extentBins(ref), opts.mediaDuration && Number.isFinite(opts.mediaDuration) ? toBin(opts.mediaDuration) : 0);
  const length = Math.min(Math.max(extentBins(timed, maxRatio), refEnd) + 1, Math.ceil(refEnd * maxRatio) + 2 * w + 1);
  const refMask = buildMask(ref, length);
  const scoreBefore = shareOf(overlap(timed, refMask));

  // Global offset per ratio.
  const correlator = new ReferenceCorrelator(refMask, length, w);
  let best = { ratio: 1, lag: 0, share: -1 };
  for (const r of STANDARD_RATIOS) {
    const mask = buildMask(timed, length, r.ratio);
    const total = countOnes(mask);
    const peak = findPeak(correlator.correlate(mask));
    const share = total > 0 ? peak.matched / total : 0;
    const margin = r.ratio === 1 ? 0 : RATIO_MARGIN;
    if (share > best.share + margin) best = { ratio: r.ratio, lag: peak.lag, share };
  }
  const ratio = best.ratio;

  // Split-aware refinement at that ratio, cues in time order (zero-length and untimed cues weigh nothing).
  const order = timeOrder(cues);
  const bins: CueBins = { starts: new Int32Array(n), ends: new Int32Array(n) };
  order.forEach((idx, rank) => {
    const c = cues[idx];
    if (!valid(c)) return;
    bins.starts[rank] = Math.min(length, toBin(Math.max(0, c.start) * ratio));
    bins.ends[rank] = Math.min(length, Math.max(bins.starts[rank], toBin(c.end * ratio)));
  });
  const padded = { prefix: paddedPrefix(refMask, w), pad: w };
  const search = { reference: padded, maxLag: w, penaltyBins: toBin(s.splitPenalty) };
  const fits = fitBlocks({ ...search, cues: bins, preferredLag: best.lag });
  const mirrored = mirrorCues(bins);
  const chanceFits = fitBlocks({ ...search, cues: mirrored, preferredLag: 0 });
  const chanceScore = fitShare(mirrored, chanceFits, padded);
  const quality = fitQuality(fits, search.penaltyBins);
  const chanceQuality = fitQuality(chanceFits, search.penaltyBins);
  const drift = estimateDrift(bins, padded, -w, w, best.lag);

  const blocks: SyncBlock[] = fits.map((b) => ({ firstCue: b.first, lastCue: b.last, offset: toSeconds(b.lag), from: cues[order[b.first]].start }));
  const found = applyBlocks(cues, order, ratio, blocks);
  const scoreAfter = shareOf(overlap(found.filter(valid), refMask));
  let displacement = 0;
  cues.forEach((c, i) => {
    if (valid(c)) displacement = Math.max(displacement, Math.abs(found[i].start - c.start), Math.abs(found[i].end - c.end));
  });
  const gateBlocks: GateBlock[] = fits.map((b) => ({ first: b.first, last: b.last, offset: toSeconds(b.lag), speechSeconds: toSeconds(b.speechBins) }));
  const mainIdx = mainBlock(blocks);
  const finding = { ratio, blocks, score: scoreAfter, peakZ: fits[mainIdx].z, blockZ: fits.map((b) => b.z), chanceScore, quality, chanceQuality, driftSeconds: drift?.driftSeconds ?? 0 };

  const verdict = judge({ settings: s, scoreBefore, scoreAfter, blocks: gateBlocks, displacement, quality, chanceQuality, chanceScore, drift });
  if (verdict.verdict !== 'fix') {
    const refusal = verdict.verdict === 'refused' ? { code: verdict.code, message: verdict.message } : null;
    return { ...unchanged(verdict.verdict, n, scoreBefore, started, refusal), found: finding };
  }
  return {
    verdict: 'fix',
    refusal: null,
    ratio,
    offset: blocks[mainIdx].offset,
    blocks,
    scoreBefore,
    scoreAfter,
    elapsedMs: Math.round((performance.now() - started) * 10) / 10,
    found: finding,
  };
}

/** Index of the block holding most cues (the first of equals). */
function mainBlock(blocks: readonly SyncBlock[]): number {
  let best = 0;
  blocks.forEach((b, i) => {
    if (b.lastCue - b.firstCue > blocks[best].lastCue - blocks[best].firstCue) best = i;
  });
  return best;
}

function applyBlocks(cues: readonly TimeSpan[], order: readonly number[], ratio: number, blocks: readonly SyncBlock[]): TimeSpan[] {
  const out: TimeSpan[] = cues.map((c) => ({ start: c.start, end: c.end }));
  for (const b of blocks) {
    for (let rank = b.firstCue; rank <= b.lastCue && rank < order.length; rank++) {
      const idx = order[rank];
      const c = cues[idx];
      if (!Number.isFinite(c.start) || !Number.isFinite(c.end)) continue;
      const start = Math.max(0, c.start * ratio + b.offset);
      out[idx] = { start, end: Math.max(start, c.end * ratio + b.offset) };
    }
  }
  return out;
}

/**
 * New cue times under a plan, in the cues' own order and number. Identity for
 * 'in_sync' and 'refused'. A cue moved before 0 is cut at 0 (a cue wholly
 * before 0 becomes empty at 0, for the writer to drop).
 */
export function applyPlan(cues: TimeSpan[], plan: SyncPlan): TimeSpan[] {
  if (plan.verdict !== 'fix') return cues.map((c) => ({ start: c.start, end: c.end }));
  return applyBlocks(cues, timeOrder(cues), plan.ratio, plan.blocks);
}
