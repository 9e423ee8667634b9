/**
 * One search at a fixed ratio: the split-aware refinement, each block then
 * put at the middle of its best plateau, and the share of cue time over
 * speech the result reaches. planSync runs it on the subtitle and on the
 * subtitle mirrored in time (the chance level the quality gate compares with).
 */
import { curvePeak } from './peak.js';
import { blockCurve, refineBlocks, type CueBins, type PaddedReference } from './refine.js';

export interface BlockFit {
  first: number;
  last: number;
  lag: number;
  /** (best - mean) / sd of the block's score over the window. */
  z: number;
  /** Reference speech bins under the block's moved cues (counted per cue). */
  speechBins: number;
}

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
  const fits: BlockFit[] = [];
  for (const b of blocks) {
    const peak = curvePeak(blockCurve(cues, ref, b.first, b.last, -w, w), b.lag + w);
    let len = 0;
    for (let i = b.first; i <= b.last; i++) len += cues.ends[i] - cues.starts[i];
    const fit = { first: b.first, last: b.last, lag: peak.index - w, z: peak.z, speechBins: (peak.value + len) / 2 };
    const prev = fits[fits.length - 1];
    // Two blocks whose plateaus have the same middle are one block.
    if (prev && prev.lag === fit.lag) Object.assign(prev, { last: fit.last, speechBins: prev.speechBins + fit.speechBins, z: Math.max(prev.z, fit.z) });
    else fits.push(fit);
  }
  return fits;
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
