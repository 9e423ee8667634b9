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

/** A pipeline stage as a person reads it. */
const STAGE_LABELS: Record<string, string> = {
  claimed: 'starting',
  downloading_model: 'downloading the model',
  extracting_audio: 'extracting audio',
  detecting_language: 'detecting the language',
  transcribing: 'transcribing',
  translating: 'translating',
  writing: 'writing the subtitle',
  finalizing: 'finalizing',
  completed: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};
export const stageLabel = (stage: string | null | undefined): string => (stage ? (STAGE_LABELS[stage] ?? stage.replace(/_/g, ' ')) : '—');

/** What the job details say about the stage: where it is, or where an ended job stands. */
export function stageText(job: { status: string; current_stage: string | null }): string {
  if (job.status === 'queued') return 'waiting for a worker';
  return stageLabel(job.current_stage ?? job.status);
}

/** The heading of a timeline event. */
const EVENT_TITLES: Record<string, string> = {
  created: 'Created',
  claimed: 'Claimed',
  stage: 'Stage',
  retry_scheduled: 'Attempt failed, will retry',
  requeued: 'Retried',
  handed_back: 'Handed back',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  quality_retry: 'Passage decoded again',
  review_accepted: 'Review accepted',
};
export const eventTitle = (kind: string): string => EVENT_TITLES[kind] ?? kind.replace(/_/g, ' ');

export interface Cue {
  index: number;
  start: string;
  end: string;
  text: string;
}

/** The first cues of an SRT or WebVTT text (the preview of a job's subtitle). */
export function firstCues(text: string, max = 6): Cue[] {
  const cues: Cue[] = [];
  const blocks = text.replace(/\r/g, '').replace(/^\uFEFF/, '').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [start = '', end = ''] = lines[at]!.split('-->').map((s) => s.trim().split(/\s+/)[0] ?? '');
    cues.push({ index: cues.length + 1, start, end, text: lines.slice(at + 1).join('\n') });
    if (cues.length >= max) break;
  }
  return cues;
}

/** A long error for a table row: its first line, cut at `max` characters. */
export function shortError(error: string, max = 140): { text: string; cut: boolean } {
  const first = error.split('\n')[0] ?? '';
  if (first.length <= max && first.length === error.trim().length) return { text: error, cut: false };
  return { text: first.length > max ? `${first.slice(0, max - 1).trimEnd()}…` : `${first}…`, cut: true };
}
