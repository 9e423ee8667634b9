// The review calls of the jobs API (a job's quality report, Accept, the audio
// of a passage) and what a library item says of its subtitles' quality.
import { api, ApiError, unwrap } from '../api/client';
import type { Job, JobQuality } from '../api/types';
import { auth } from '../lib/auth';

/** GET /api/jobs/{id}/quality; null when the job has no report (404 quality_not_available), with the server's reason. */
export async function fetchJobQuality(id: string): Promise<{ quality: JobQuality | null; reason: string | null }> {
  try {
    return { quality: await unwrap(api.GET('/api/jobs/{job_id}/quality', { params: { path: { job_id: id } } })), reason: null };
  } catch (e) {
    // The job is on screen, so a 404 here is its missing report; the message says why and what to do.
    if (e instanceof ApiError && e.status === 404) return { quality: null, reason: e.message };
    throw e;
  }
}

/** POST /api/jobs/{id}/review/accept: the job, no longer needing review. */
export const acceptReview = (id: string): Promise<Job> => unwrap(api.POST('/api/jobs/{job_id}/review/accept', { params: { path: { job_id: id } } }));

/** The URL of the audio of start..end of the job's media; an <audio> element sends no header, so the key rides along. */
export function clipUrl(id: string, start: number, end: number): string {
  const q = new URLSearchParams({ start: start.toFixed(3), end: end.toFixed(3) });
  const key = auth.getKey();
  if (key) q.set('apikey', key);
  return `/api/jobs/${encodeURIComponent(id)}/clip?${q}`;
}

/** Why a clip URL did not play: the server's message when it answers one. */
export async function clipError(url: string): Promise<string> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    if (res.ok) return 'Your browser could not play this audio.';
    const body = (await res.json().catch(() => null)) as { detail?: unknown } | null;
    return typeof body?.detail === 'string' ? body.detail : `The audio could not be loaded (${res.status}).`;
  } catch {
    return 'The audio could not be loaded: the server did not answer.';
  }
}

/** The lowest score among a library item's latest jobs that need review, for its badge. */
export function itemReviewScore(item: { jobs: Array<{ needs_review: boolean; quality_score: number | null }> }): number | null {
  const scores = item.jobs.filter((j) => j.needs_review && j.quality_score !== null).map((j) => j.quality_score as number);
  return scores.length ? Math.min(...scores) : null;
}
