/** The best point of a score curve over lags, and how far it stands out. */

export interface CurvePeak {
  /** Middle of the run of equal best values around the best index (ties nearest `preferred` first). */
  index: number;
  value: number;
  /** (best - mean) / standard deviation of the curve; 0 when flat. */
  z: number;
}

/**
 * The best index of a curve. Where cues are longer than the speech under
 * them the best value is a plateau of equal values; its middle is the
 * estimate that errs least.
 */
export function curvePeak(curve: ArrayLike<number>, preferred: number): CurvePeak {
  let best = 0;
  let sum = 0;
  let sumSq = 0;
  for (let k = 0; k < curve.length; k++) {
    const v = curve[k];
    sum += v;
    sumSq += v * v;
    if (v > curve[best] || (v === curve[best] && Math.abs(k - preferred) < Math.abs(best - preferred))) best = k;
  }
  const value = curve[best];
  let lo = best;
  let hi = best;
  while (lo > 0 && curve[lo - 1] === value) lo--;
  while (hi < curve.length - 1 && curve[hi + 1] === value) hi++;
  const mean = sum / curve.length;
  const sd = Math.sqrt(Math.max(0, sumSq / curve.length - mean * mean));
  return { index: Math.round((lo + hi) / 2), value, z: sd > 0 ? (value - mean) / sd : 0 };
}
