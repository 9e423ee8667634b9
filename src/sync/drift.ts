/**
 * Drift left after the chosen ratio: the cues in time order are cut into a
 * few chunks, each chunk's best offset is found on its own, and a straight
 * line is fitted through (time, offset). A subtitle whose chunks lie on a
 * sloped line (and not on a step, which is a split) runs at a speed no
 * standard frame-rate ratio explains.
 */
import { toSeconds } from './masks.js';
import { bestBlockLag, blockScore, type CueBins, type PaddedReference } from './refine.js';

export interface DriftEstimate {
  /** Chunks used (those whose own best offset lies over speech). */
  chunks: number;
  /** Change of offset from the first to the last chunk along the fitted line, in seconds. */
  driftSeconds: number;
  /** Largest distance of a chunk's offset from the line, in seconds. */
  residualSeconds: number;
  /** Fitted slope: extra offset per second of subtitle time. */
  slope: number;
}

const MAX_CHUNKS = 8;
const MIN_CUES_PER_CHUNK = 5;
/** A chunk counts when at its own best offset at least this share of its cue time lies over speech. */
const MIN_CHUNK_SHARE = 0.5;
/**
 * A chunk's offset is searched this share of the subtitle's span around the
 * global offset (at least MIN_CHUNK_WINDOW bins): a drift builds up along the
 * film, and a small chunk searched over the whole window can find a better
 * chance match far away.
 */
const CHUNK_WINDOW_SHARE = 0.03;
const MIN_CHUNK_WINDOW = 500;

export function estimateDrift(cues: CueBins, ref: PaddedReference, minLag: number, maxLag: number, globalLag: number): DriftEstimate | null {
  const n = cues.starts.length;
  const k = Math.min(MAX_CHUNKS, Math.floor(n / MIN_CUES_PER_CHUNK));
  if (k < 4) return null;
  const points: { t: number; lag: number }[] = [];
  const window = Math.max(MIN_CHUNK_WINDOW, Math.round(CHUNK_WINDOW_SHARE * (cues.ends[n - 1] - cues.starts[0])));
  const lo = Math.max(minLag, globalLag - window);
  const hi = Math.min(maxLag, globalLag + window);
  for (let c = 0; c < k; c++) {
    const first = Math.floor((c * n) / k);
    const last = Math.floor(((c + 1) * n) / k) - 1;
    const lag = bestBlockLag(cues, ref, first, last, lo, hi, globalLag);
    let len = 0;
    let mid = 0;
    for (let i = first; i <= last; i++) {
      len += cues.ends[i] - cues.starts[i];
      mid += (cues.starts[i] + cues.ends[i]) / 2;
    }
    const score = blockScore(cues, ref, first, last, lag);
    const share = len > 0 ? (score + len) / (2 * len) : 0;
    if (share >= MIN_CHUNK_SHARE) points.push({ t: mid / (last - first + 1), lag });
  }
  if (points.length < 4) return null;
  const mt = points.reduce((s, p) => s + p.t, 0) / points.length;
  const ml = points.reduce((s, p) => s + p.lag, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.t - mt) * (p.lag - ml);
    sxx += (p.t - mt) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let residual = 0;
  for (const p of points) residual = Math.max(residual, Math.abs(p.lag - (ml + slope * (p.t - mt))));
  const spanT = points[points.length - 1].t - points[0].t;
  return { chunks: points.length, driftSeconds: toSeconds(slope * spanT), residualSeconds: toSeconds(residual), slope };
}
