/** Number helpers of the quality report: shares kept in 0-1, figures rounded for people. */

export function clamp01(n: number): number {
  return n < 0 ? 0 : n > 1 ? 1 : n;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A share as a whole percentage. */
export function pct(share: number): number {
  return Math.round(share * 100);
}
