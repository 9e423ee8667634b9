// The server's own lists (job statuses, tasks, quality presets), imported from
// its dependency-free modules so the UI never keeps a copy that could drift.
export { JOB_STATUSES, TERMINAL_STATUSES, JOB_MODES } from '../../../src/jobs/job-kinds';
export { QUALITY_PRESETS, type QualityPreset } from '../../../src/transcription/presets';

/** "balanced" → "Balanced", for option labels. */
export const label = (s: string) => s[0]!.toUpperCase() + s.slice(1);
