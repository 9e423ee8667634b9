/**
 * Split-aware refinement (the idea of alass): cues in time order are cut into
 * consecutive blocks, each with its own offset, by dynamic programming. Every
 * cue scores "matched minus mismatched" bins at each offset (from prefix
 * sums of the reference mask: O(1) per cue and offset), and consecutive cues
 * with different offsets pay the split penalty. O(cues x offsets) time; the
 * back-pointers take one byte per cue and offset, so the offset grid is made
 * coarser (then refined per block at full resolution) when that would pass
 * MAX_STATES.
 */

/** Cues in time order as bins: [starts[i], ends[i]), within [0, the reference mask's length]. */
export interface CueBins {
  starts: Int32Array;
  ends: Int32Array;
}

/** Reference prefix sums padded by `pad` bins on both sides (masks.paddedPrefix). */
export interface PaddedReference {
  prefix: Int32Array;
  pad: number;
}

export interface RefineInput {
  cues: CueBins;
  reference: PaddedReference;
  /** Offsets searched, in bins, inclusive; |minLag|, |maxLag| <= reference.pad. */
  minLag: number;
  maxLag: number;
  /** Cost of one split in bins of "matched minus mismatched". */
  penaltyBins: number;
  /** Offset preferred on ties (the global one). */
  preferredLag: number;
}

export interface BinBlock {
  first: number;
  last: number;
  lag: number;
}

import { curvePeak } from './peak.js';

const MAX_STATES = 100_000_000;

/** Matched-minus-mismatched bins of cue i moved by lag. */
export function cueScore(cues: CueBins, ref: PaddedReference, i: number, lag: number): number {
  const a = cues.starts[i];
  const b = cues.ends[i];
  const p = ref.prefix;
  const matched = p[b + lag + ref.pad] - p[a + lag + ref.pad];
  return 2 * matched - (b - a);
}

/** Sum of cueScore over cues first..last. */
export function blockScore(cues: CueBins, ref: PaddedReference, first: number, last: number, lag: number): number {
  let s = 0;
  for (let i = first; i <= last; i++) s += cueScore(cues, ref, i, lag);
  return s;
}

/**
 * Score of a block (cues first..last) at every lag in [lo, hi]:
 * curve[lag - lo]. O(cues x lags), cue by cue so memory is read in order.
 */
export function blockCurve(cues: CueBins, ref: PaddedReference, first: number, last: number, lo: number, hi: number): Float64Array {
  const curve = new Float64Array(hi - lo + 1);
  const p = ref.prefix;
  for (let i = first; i <= last; i++) {
    const a = cues.starts[i] + lo + ref.pad;
    const b = cues.ends[i] + lo + ref.pad;
    const len = b - a;
    if (len <= 0) continue;
    for (let k = 0; k < curve.length; k++) curve[k] += 2 * (p[b + k] - p[a + k]) - len;
  }
  return curve;
}

/** Best lag for one block within [lo, hi] (ties: nearest to `preferred`, then the plateau's middle). */
export function bestBlockLag(cues: CueBins, ref: PaddedReference, first: number, last: number, lo: number, hi: number, preferred: number): number {
  return lo + curvePeak(blockCurve(cues, ref, first, last, lo, hi), preferred - lo).index;
}

function argmax(values: Float64Array, preferredIdx: number): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) {
    const v = values[k];
    if (v > values[best] || (v === values[best] && Math.abs(k - preferredIdx) < Math.abs(best - preferredIdx))) best = k;
  }
  return best;
}

/** The blocks (cue ranges in time order, each with its lag) that maximise total score minus penalties. */
export function refineBlocks(input: RefineInput): BinBlock[] {
  const { cues, reference: ref, minLag, maxLag, penaltyBins } = input;
  const n = cues.starts.length;
  if (n === 0) return [];
  const span = maxLag - minLag + 1;
  const step = Math.max(1, Math.ceil((n * span) / MAX_STATES));
  const count = Math.floor((maxLag - minLag) / step) + 1;
  const lagAt = (k: number) => minLag + k * step;
  const preferredIdx = Math.round((input.preferredLag - minLag) / step);

  let prev = new Float64Array(count);
  let cur = new Float64Array(count);
  const split = new Uint8Array(Math.ceil((n * count) / 8));
  const prevBest = new Int32Array(n);
  for (let k = 0; k < count; k++) prev[k] = cueScore(cues, ref, 0, lagAt(k));
  for (let i = 1; i < n; i++) {
    const bp = argmax(prev, preferredIdx);
    prevBest[i] = bp;
    const threshold = prev[bp] - penaltyBins;
    const a = cues.starts[i];
    const b = cues.ends[i];
    const len = b - a;
    const p = ref.prefix;
    const row = i * count;
    for (let k = 0; k < count; k++) {
      let v = prev[k];
      if (threshold > v) {
        v = threshold;
        split[(row + k) >> 3] |= 1 << ((row + k) & 7);
      }
      const lag = minLag + k * step + ref.pad;
      cur[k] = v + 2 * (p[b + lag] - p[a + lag]) - len;
    }
    [prev, cur] = [cur, prev];
  }

  // Walk back from the best end state.
  const lags = new Int32Array(n);
  let k = argmax(prev, preferredIdx);
  for (let i = n - 1; i >= 0; i--) {
    lags[i] = lagAt(k);
    if (i > 0 && split[(i * count + k) >> 3] & (1 << ((i * count + k) & 7))) k = prevBest[i];
  }
  const blocks: BinBlock[] = [];
  for (let i = 0; i < n; i++) {
    const last = blocks[blocks.length - 1];
    if (last && last.lag === lags[i]) last.last = i;
    else blocks.push({ first: i, last: i, lag: lags[i] });
  }
  if (step > 1) {
    for (const bl of blocks) {
      bl.lag = bestBlockLag(cues, ref, bl.first, bl.last, Math.max(minLag, bl.lag - step), Math.min(maxLag, bl.lag + step), bl.lag);
    }
  }
  return blocks;
}
