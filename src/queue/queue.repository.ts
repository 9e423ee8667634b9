/**
 * The queue's atomic operations. A claim is one statement, so no job is
 * claimed twice: SQLite serializes writers, PostgreSQL skips rows another
 * claimer has locked (FOR UPDATE SKIP LOCKED).
 */
import { sql } from 'kysely';
import type { Db, DbKind } from '../db/database.js';
import type { JobRow } from '../db/schema.js';

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  now?: number;
  /** only jobs of these types (the types this worker has handlers for); all types when absent */
  jobTypes?: readonly string[];
  /** this worker's node: jobs bound to another node are skipped */
  node?: string;
  /** with `node`: claim nothing while this many jobs already run on the node (concurrent_transcriptions) */
  maxRunningOnNode?: number;
}

export async function claimNextJob(db: Db, kind: DbKind, opts: ClaimOptions): Promise<JobRow | undefined> {
  const now = opts.now ?? Date.now();
  const iso = new Date(now).toISOString();
  const lease = now + opts.leaseMs;
  const lock = kind === 'postgres' ? sql`for update skip locked` : sql``;
  const types = opts.jobTypes ? sql`and job_type in (${sql.join(opts.jobTypes.length ? [...opts.jobTypes] : [''])})` : sql``;
  const affinity = opts.node ? sql`and (node_affinity is null or node_affinity = ${opts.node})` : sql``;
  const cap =
    opts.node && opts.maxRunningOnNode
      ? sql`and (select count(*) from jobs r join workers w on w.worker_id = r.worker_id
               where r.status = 'processing' and w.node = ${opts.node}) < ${opts.maxRunningOnNode}`
      : sql``;
  const res = await sql<JobRow>`
    update jobs set
      status = 'processing',
      worker_id = ${opts.workerId},
      lease_expires_at = ${lease},
      started_at = ${iso},
      completed_at = null,
      progress = 0,
      current_stage = 'claimed',
      eta_seconds = null,
      error = null,
      error_code = null,
      updated_at = ${iso},
      updated_ms = ${now}
    where id = (
      select id from jobs
      where status = 'queued' and (not_before is null or not_before <= ${now}) ${types} ${affinity} ${cap}
      order by priority desc, seq asc
      limit 1
      ${lock}
    )
    returning *`.execute(db);
  return res.rows[0];
}

/** Extends the lease of a job the worker still holds; false when it lost it (cancelled, taken back). */
export async function extendLease(db: Db, jobId: string, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now + leaseMs })
    .where('id', '=', jobId)
    .where('worker_id', '=', workerId)
    .where('status', '=', 'processing')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * How long a job waits before its next attempt: the base delay
 * (job_retry_backoff_seconds) doubled for each attempt already made. The one
 * back-off formula: the job runner and lease recovery both use it.
 */
export function retryDelayMs(baseMs: number, retryCount: number): number {
  return Math.max(0, baseMs) * 2 ** Math.max(0, retryCount);
}

/**
 * Puts back jobs whose lease ran out (their worker died): retry_count + 1, back
 * to the queue after a back-off, or failed with the last error after max_retries.
 */
export async function recoverExpiredLeases(db: Db, opts: { now?: number; backoffMs: number }): Promise<{ requeued: number; failed: number }> {
  const now = opts.now ?? Date.now();
  const iso = new Date(now).toISOString();
  const expired = await db
    .selectFrom('jobs')
    .select(['id', 'retry_count', 'max_retries', 'error', 'worker_id'])
    .where('status', '=', 'processing')
    .where('lease_expires_at', '<', now)
    .execute();
  let requeued = 0;
  let failed = 0;
  for (const job of expired) {
    const lastError = `worker ${job.worker_id ?? '?'} stopped responding (lease expired)` + (job.error ? `; last error: ${job.error}` : '');
    const giveUp = job.retry_count + 1 > job.max_retries;
    const res = await db
      .updateTable('jobs')
      .set(
        giveUp
          ? { status: 'failed', error: lastError, error_code: 'worker_lost', retry_count: job.retry_count + 1, completed_at: iso, lease_expires_at: null, current_stage: null, eta_seconds: null, updated_at: iso, updated_ms: now }
          : { status: 'queued', error: lastError, error_code: 'worker_lost', retry_count: job.retry_count + 1, worker_id: null, lease_expires_at: null, progress: 0, current_stage: null, eta_seconds: null, not_before: now + retryDelayMs(opts.backoffMs, job.retry_count), updated_at: iso, updated_ms: now },
      )
      .where('id', '=', job.id)
      .where('status', '=', 'processing')
      .where('lease_expires_at', '<', now)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) giveUp ? failed++ : requeued++;
  }
  return { requeued, failed };
}
