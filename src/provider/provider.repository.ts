/**
 * SQL of the provider: kept results, live workers, cleanup. A provider job's
 * changes of status (cancel when its client left) are transitions of
 * src/jobs/job-lifecycle.repository.ts.
 */
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import { LIVE_STATUSES, PROVIDER_JOB_TYPES, TERMINAL_STATUSES } from '../job-kinds.js';

/** The newest completed job for a request key that finished at or after `sinceIso`. */
export async function findKeptResult(db: Db, filePath: string, sinceIso: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('file_path', '=', filePath)
    .where('status', '=', 'completed')
    .where('completed_at', '>=', sinceIso)
    .orderBy('completed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Workers that can take a job: running states with a recent heartbeat (of one node, or of any). */
export async function countLiveWorkers(db: Db, heartbeatSinceMs: number, node?: string): Promise<number> {
  let q = db
    .selectFrom('workers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['idle', 'busy', 'starting'])
    .where('last_heartbeat_ms', '>=', heartbeatSinceMs);
  if (node) q = q.where('node', '=', node);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Deletes finished provider jobs older than the mark; returns their ids and options (to remove their audio). */
export async function deleteOldProviderJobs(db: Db, completedBeforeIso: string): Promise<Array<{ id: string; options: string | null }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'options'])
    .where('job_type', 'in', PROVIDER_JOB_TYPES)
    .where('status', 'in', TERMINAL_STATUSES)
    .where('completed_at', '<', completedBeforeIso)
    .limit(1000)
    .execute();
  if (!rows.length) return [];
  await db.deleteFrom('jobs').where('id', 'in', rows.map((r) => r.id)).where('status', 'in', TERMINAL_STATUSES).execute();
  return rows;
}

/** Options of provider jobs that still need their upload (queued or running). */
export async function liveProviderJobOptions(db: Db): Promise<Array<string | null>> {
  const rows = await db
    .selectFrom('jobs')
    .select('options')
    .where('job_type', 'in', PROVIDER_JOB_TYPES)
    .where('status', 'in', LIVE_STATUSES)
    .execute();
  return rows.map((r) => r.options);
}

export async function providerQueueCounts(db: Db): Promise<{ queued: number; processing: number }> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('job_type', 'in', PROVIDER_JOB_TYPES)
    .where('status', 'in', LIVE_STATUSES)
    .groupBy('status')
    .execute();
  const get = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { queued: get('queued'), processing: get('processing') };
}
