/**
 * SQL of play events: the top of the queue and a queued job moved there.
 * A priority change is no change of status (job-lifecycle.repository.ts
 * owns those): only a job still queued is moved, and the row is stamped so
 * the live event stream shows the new order.
 */
import type { Db } from '../db/database.js';

/** The highest priority among queued jobs of other files than `except`; null when there is none. */
export async function maxQueuedPriority(db: Db, except: string[] = []): Promise<number | null> {
  let q = db.selectFrom('jobs').select((eb) => eb.fn.max('priority').as('top')).where('status', '=', 'queued');
  if (except.length) q = q.where('file_path', 'not in', except);
  const row = await q.executeTakeFirst();
  return row?.top === null || row?.top === undefined ? null : Number(row.top);
}

/** Sets a queued job's priority; false when the job is no longer queued (a worker took it, or it ended). */
export async function setQueuedPriority(db: Db, jobId: string, priority: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ priority, updated_at: new Date(now).toISOString(), updated_ms: now })
    .where('id', '=', jobId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
