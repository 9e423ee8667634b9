// The review calls of the jobs API (a job's quality report, Accept, the audio
// of a passage) and the quality fields of library answers. The typed client
// only knows the paths of the committed OpenAPI document, so these go through
// fetch with the same key and the same errors (ApiError, 401 → login).
import { ApiError } from '../api/client';
import type { ItemQuality, Job, JobQuality, SubtitleQuality } from '../api/types';
import { auth } from '../lib/auth';

async function call<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = auth.getKey();
  if (key) headers['X-Api-Key'] = key;
  let res: Response;
  try {
    res = await fetch(path, { method, headers });
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? `Network error: ${e.message}` : 'Network error');
  }
  if (res.status === 401) auth.requireLogin();
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const detail = body && typeof body === 'object' && typeof (body as { detail?: unknown }).detail === 'string' ? (body as { detail: string }).detail : null;
    const code = body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string' ? (body as { code: string }).code : '';
    const err = new ApiError(res.status, detail ?? (typeof body === 'string' && body ? body : `Request failed (${res.status})`));
    return Promise.reject(Object.assign(err, { code }));
  }
  return body as T;
}

const jobPath = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;

/** GET /api/jobs/{id}/quality; null when the job has no report (404 quality_not_available), with the server's reason. */
export async function fetchJobQuality(id: string): Promise<{ quality: JobQuality | null; reason: string | null }> {
  try {
    return { quality: await call<JobQuality>('GET', `${jobPath(id)}/quality`), reason: null };
  } catch (e) {
    if (e instanceof ApiError && (e as ApiError & { code?: string }).code === 'quality_not_available') return { quality: null, reason: e.message };
    throw e;
  }
}

/** POST /api/jobs/{id}/review/accept: the job, no longer needing review. */
export const acceptReview = (id: string): Promise<Job> => call<Job>('POST', `${jobPath(id)}/review/accept`);

/** The URL of the audio of start..end of the job's media; an <audio> element sends no header, so the key rides along. */
export function clipUrl(id: string, start: number, end: number): string {
  const q = new URLSearchParams({ start: start.toFixed(3), end: end.toFixed(3) });
  const key = auth.getKey();
  if (key) q.set('apikey', key);
  return `${jobPath(id)}/clip?${q}`;
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

/** A generated subtitle's judgement (external_subtitles[].quality of a library item), when the server sends one. */
export const subtitleQuality = (s: object): SubtitleQuality | null => (s as { quality?: SubtitleQuality | null }).quality ?? null;

/** The scored languages of a library item (its `quality`), when the server sends them. */
export const itemQualities = (item: object): ItemQuality[] => (item as { quality?: ItemQuality[] }).quality ?? [];

/** Whether a library item has a subtitle waiting for review: its own flag, else the flag of its latest jobs. */
export function itemNeedsReview(item: { jobs: object[] }): boolean {
  const own = (item as { needs_review?: boolean }).needs_review;
  if (typeof own === 'boolean') return own;
  return item.jobs.some((j) => (j as { needs_review?: boolean }).needs_review === true);
}

/** The lowest score among the item's latest jobs that need review, for its badge. */
export function itemReviewScore(item: { jobs: object[] }): number | null {
  const scores = item.jobs
    .map((j) => j as { needs_review?: boolean; quality_score?: number | null })
    .filter((j) => j.needs_review && typeof j.quality_score === 'number')
    .map((j) => j.quality_score as number);
  return scores.length ? Math.min(...scores) : null;
}
