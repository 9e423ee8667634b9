// Keeping a list of jobs current from live events.
import type { Job } from '../api/types';
import { JOB_STATUSES, TERMINAL_STATUSES } from './kinds';

/** Replaces the job with the same id; returns the same array when absent. */
export function patchJob(list: Job[], job: Job): Job[] {
  const i = list.findIndex((j) => j.id === job.id);
  if (i < 0) return list;
  const next = list.slice();
  next[i] = job;
  return next;
}

export const TERMINAL: ReadonlySet<string> = new Set(TERMINAL_STATUSES);
export const STATUSES = JOB_STATUSES;
