// The server's own lists (job statuses, tasks, quality presets), imported from
// its dependency-free modules so the UI never keeps a copy that could drift.
export { JOB_STATUSES, TERMINAL_STATUSES, JOB_MODES, JOB_SORTS, type JobMode } from '../../../src/job-kinds';
export { LIBRARY_FILTERS, LIBRARY_SORTS, ITEM_KINDS } from '../../../src/library/library-kinds';
export { QUALITY_PRESETS, type QualityPreset } from '../../../src/quality-presets';

/** "balanced" → "Balanced", for option labels. */
export const label = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** `raw` (a URL parameter, a select's value) when it is one of `values`, else `fallback`. */
export function oneOf<T extends string, F extends T | undefined>(values: readonly T[], raw: string | null | undefined, fallback: F): T | F {
  return values.find((v) => v === raw) ?? fallback;
}
