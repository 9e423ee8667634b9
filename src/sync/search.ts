/**
 * One search at a fixed ratio: the split-aware refinement, each block then
 * put at the middle of its best plateau, and the share of cue time over
 * speech the result reaches. planSync runs it on the subtitle and on the
 * subtitle mirrored in time (the chance level the quality gate compares with).
 */
import { curvePeak } from './peak.js';
import { blockCurve, blockScore, refineBlocks, type CueBins, type PaddedReference } from './refine.js';

export interface BlockFit {
  first: number;
  last: number;
  lag: number;
  /** (best - mean) / sd of the block's score over the window. */
  z: number;
  /** Reference speech bins under the block's moved cues (counted per cue). */
  speechBins: number;
  /** The block's cue bins (counted per cue). */
  cueBins: number;
}

/** Blocks whose moved cues overlap by more than this (bins) cross each other. */
const CROSSING_TOLERANCE = 100;

export interface SearchInput {
  cues: CueBins;
  reference: PaddedReference;
  /** Lags searched: [-maxLag, maxLag] bins. */
  maxLag: number;
  penaltyBins: number;
  preferredLag: number;
}

export function fitBlocks(input: SearchInput): BlockFit[] {
  const { cues, reference: ref, maxLag: w } = input;
  const blocks = refineBlocks({ cues, reference: ref, minLag: -w, maxLag: w, penaltyBins: input.penaltyBins, preferredLag: input.preferredLag });
  const fits = blocks.map((b) => {
    const peak = curvePeak(blockCurve(cues, ref, b.first, b.last, -w, w), b.lag + w);
    const cueBins = binsOf(cues, b.first, b.last);
    return { first: b.first, last: b.last, lag: peak.index - w, z: peak.z, speechBins: (peak.value + cueBins) / 2, cueBins };
  });
  return untangle(cues, ref, mergeEqual(fits), w, input.penaltyBins);
}

function binsOf(cues: CueBins, first: number, last: number): number {
  let n = 0;
  for (let i = first; i <= last; i++) n += cues.ends[i] - cues.starts[i];
  return n;
}

/** Neighbouring blocks at the same lag are one block. */
function mergeEqual(fits: BlockFit[]): BlockFit[] {
  const out: BlockFit[] = [];
  for (const f of fits) {
    const prev = out[out.length - 1];
    if (prev && prev.lag === f.lag) {
      Object.assign(prev, { last: f.last, speechBins: prev.speechBins + f.speechBins, cueBins: prev.cueBins + f.cueBins, z: Math.max(prev.z, f.z) });
    } else out.push({ ...f });
  }
  return out;
}

/** [first start, last end] of a block's cues after its move; null for a block of empty cues. */
function movedRange(cues: CueBins, f: BlockFit): [number, number] | null {
  let a = Infinity;
  let b = -Infinity;
  for (let i = f.first; i <= f.last; i++) {
    if (cues.ends[i] <= cues.starts[i]) continue;
    a = Math.min(a, cues.starts[i]);
    b = Math.max(b, cues.ends[i]);
  }
  return a < b ? [a + f.lag, b + f.lag] : null;
}

/**
 * Blocks keep their order in time. When a block's moved cues run onto time
 * its neighbour's cues hold, the smaller of the two is placed again, at its
 * best offset among those that keep it between its neighbours; if no such
 * offset gains more than a split costs over moving with the other block, it
 * joins that block. These are cues with no audio of their own (a part a cut
 * removed) pulled onto speech that belongs to other lines, or a few cues that
 * fit equally well in several places.
 */
function untangle(cues: CueBins, ref: PaddedReference, fits: BlockFit[], maxLag: number, penaltyBins: number): BlockFit[] {
  for (let guard = 0; guard < 4 * fits.length + 4; guard++) {
    const ranges = fits.map((f) => movedRange(cues, f));
    const b = fits.findIndex((_, i) => {
      const [r, next] = [ranges[i], ranges[i + 1]];
      return !!r && !!next && r[1] > next[0] + CROSSING_TOLERANCE;
    });
    if (b < 0) return fits;
    const x = fits[b].last - fits[b].first <= fits[b + 1].last - fits[b + 1].first ? b : b + 1;
    const other = x === b ? b + 1 : b;
    const f = fits[x];
    const own = movedRange(cues, { ...f, lag: 0 })!;
    const prev = ranges.slice(0, x).reverse().find((r) => r);
    const next = ranges.slice(x + 1).find((r) => r);
    const lo = Math.max(-maxLag, prev ? prev[1] - CROSSING_TOLERANCE - own[0] : -maxLag);
    const hi = Math.min(maxLag, next ? next[0] + CROSSING_TOLERANCE - own[1] : maxLag);
    const join = blockScore(cues, ref, f.first, f.last, fits[other].lag);
    let placed: BlockFit | null = null;
    if (lo <= hi) {
      const peak = curvePeak(blockCurve(cues, ref, f.first, f.last, lo, hi), Math.min(hi, Math.max(lo, fits[other].lag)) - lo);
      if (peak.value - join > penaltyBins) placed = { ...f, lag: lo + peak.index, speechBins: (peak.value + f.cueBins) / 2 };
    }
    if (placed) {
      fits = fits.map((g, i) => (i === x ? placed : g));
    } else {
      const host = fits[other];
      const merged = { ...host, first: Math.min(host.first, f.first), last: Math.max(host.last, f.last), cueBins: host.cueBins + f.cueBins, speechBins: host.speechBins + (join + f.cueBins) / 2 };
      fits = fits.flatMap((g, i) => (i === other ? [merged] : i === x ? [] : [g]));
    }
    fits = mergeEqual(fits);
  }
  return fits;
}

/**
 * The refinement's objective per cue time: (matched - mismatched bins -
 * penalty per split) / cue bins, in -1..1. It weighs a plan's fit against
 * the number of splits it needed to get there.
 */
export function fitQuality(fits: readonly BlockFit[], penaltyBins: number): number {
  let score = 0;
  let bins = 0;
  for (const f of fits) {
    score += 2 * f.speechBins - f.cueBins;
    bins += f.cueBins;
  }
  return bins > 0 ? (score - penaltyBins * (fits.length - 1)) / bins : 0;
}

/** Share of the moved cues' time (union, each bin once) over reference speech. */
export function fitShare(cues: CueBins, fits: readonly BlockFit[], ref: PaddedReference): number {
  const moved: [number, number][] = [];
  for (const f of fits) {
    for (let i = f.first; i <= f.last; i++) if (cues.ends[i] > cues.starts[i]) moved.push([cues.starts[i] + f.lag, cues.ends[i] + f.lag]);
  }
  moved.sort((x, y) => x[0] - y[0]);
  const p = ref.prefix;
  const last = p.length - 1;
  const at = (bin: number) => p[Math.min(last, Math.max(0, bin + ref.pad))];
  let matched = 0;
  let total = 0;
  let cursor = -Infinity;
  for (const [a0, b] of moved) {
    const a = Math.max(a0, cursor);
    if (b <= a) continue;
    total += b - a;
    matched += at(b) - at(a);
    cursor = b;
  }
  return total > 0 ? matched / total : 0;
}

/** The cues mirrored in time (last cue first), the same lengths and pauses. */
export function mirrorCues(cues: CueBins): CueBins {
  const n = cues.starts.length;
  let end = 0;
  for (let i = 0; i < n; i++) end = Math.max(end, cues.ends[i]);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = n - 1 - i;
    starts[i] = cues.ends[j] > cues.starts[j] ? end - cues.ends[j] : 0;
    ends[i] = cues.ends[j] > cues.starts[j] ? end - cues.starts[j] : 0;
  }
  return { starts, ends };
}
