/**
 * The SQL of a job's quality: its stored report, the review queue's count,
 * and a person's Accept. The report itself is written by `complete`
 * (job-lifecycle.repository.ts), with the job's end; Accept changes no
 * status, only the review flag, so it lives here rather than among the
 * transitions.
 */
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import { recordEvent } from './job-events.repository.js';

export type JobQualityRow = Pick<JobRow, 'id' | 'status' | 'job_type' | 'quality' | 'quality_score' | 'needs_review' | 'review_accepted_at'>;

export async function findJobQuality(db: Db, id: string): Promise<JobQualityRow | undefined> {
  return db
    .selectFrom('jobs')
    .select(['id', 'status', 'job_type', 'quality', 'quality_score', 'needs_review', 'review_accepted_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Jobs whose subtitle waits for a person (the partial index jobs_needs_review_idx keeps this small). */
export async function countNeedsReview(db: Db): Promise<number> {
  const row = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('needs_review', '=', 1).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * A person accepted the subtitle of a completed job with a report: the flag
 * is cleared for good and the time kept, stamped like a transition so the
 * live stream and the library index see it, and the timeline says so.
 * Accepting again changes nothing (false); so does a job that is not
 * completed or has no report (the caller tells these apart).
 */
export async function acceptReview(db: Db, id: string, by: string, now = Date.now()): Promise<boolean> {
  const iso = new Date(now).toISOString();
  const res = await db
    .updateTable('jobs')
    .set({ needs_review: 0, review_accepted_at: iso, updated_at: iso, updated_ms: now })
    .where('id', '=', id)
    .where('status', '=', 'completed')
    .where('quality', 'is not', null)
    .where('review_accepted_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await recordEvent(db, { jobId: id, kind: 'review_accepted', atMs: now, message: `Subtitle accepted by ${by}: it no longer needs review`, data: { by } });
  return true;
}
