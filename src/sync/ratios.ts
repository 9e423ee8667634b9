/**
 * The frame-rate changes a subtitle can have gone through: made for one
 * frame rate, shown on a video at another, every time is off by the ratio of
 * the two. 23.976 is NTSC's 24000/1001.
 */
export const FPS_23_976 = 24000 / 1001;

export interface FrameRateRatio {
  /** corrected = original * ratio (+ offset). */
  ratio: number;
  /** The frame rate the subtitle was made for. */
  from: string;
  /** The frame rate of the video it is fitted to. */
  to: string;
}

const pair = (from: number, fromLabel: string, to: number, toLabel: string): FrameRateRatio => ({ ratio: from / to, from: fromLabel, to: toLabel });

/** Ratio 1 first: it wins every tie. */
export const STANDARD_RATIOS: readonly FrameRateRatio[] = Object.freeze([
  { ratio: 1, from: '', to: '' },
  pair(25, '25', FPS_23_976, '23.976'),
  pair(25, '25', 24, '24'),
  pair(24, '24', FPS_23_976, '23.976'),
  pair(FPS_23_976, '23.976', 25, '25'),
  pair(24, '24', 25, '25'),
  pair(FPS_23_976, '23.976', 24, '24'),
]);

/** The standard ratio within `tolerance` (relative) of `ratio`, if any. */
export function standardRatio(ratio: number, tolerance = 1e-6): FrameRateRatio | undefined {
  return STANDARD_RATIOS.find((r) => Math.abs(r.ratio - ratio) <= tolerance * r.ratio);
}
