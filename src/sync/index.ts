/**
 * The subtitle synchronisation core: pure computation, no I/O. Give it a
 * subtitle's cue times and the speech spans of the audio (or another
 * subtitle's cues) and it returns a plan that the quality gate has judged.
 */
import { buildMask, cleanSpans, extentBins, toBin } from './masks.js';
import type { TimeSpan } from './types.js';

export { DEFAULT_SYNC_SETTINGS, SYNC_REFUSAL_CODES } from './types.js';
export type { PlanSyncOptions, SyncBlock, SyncFinding, SyncPlan, SyncRefusalCode, SyncSettings, SyncVerdict, TimeSpan } from './types.js';
export { applyPlan, planSync, syncScore, timeOrder } from './plan.js';
export { describePlan, formatOffset } from './format.js';
export { BINS_PER_SECOND } from './masks.js';
export { STANDARD_RATIOS, type FrameRateRatio } from './ratios.js';

/** A 0/1 speech mask at BINS_PER_SECOND bins a second, long enough for the spans (or `seconds` when given). */
export function speechMask(spans: readonly TimeSpan[], seconds?: number): Uint8Array {
  const clean = cleanSpans(spans);
  return buildMask(clean, seconds !== undefined ? toBin(seconds) : extentBins(clean));
}
