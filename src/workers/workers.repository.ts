/**
 * All SQL on the `workers` table. The writes a worker makes to the job it
 * holds are transitions of the job life cycle
 * (src/jobs/job-lifecycle.repository.ts), each guarded by `status =
 * 'processing' and worker_id = me`, so a job the API cancelled (or the queue
 * took back) is never overwritten by the worker that used to hold it.
 */
import type { Db } from '../db/database.js';
import type { WorkerRow } from '../db/schema.js';

export type WorkerStatus = 'idle' | 'busy' | 'stopped' | 'error' | 'starting' | 'stopping';

export async function listWorkers(db: Db): Promise<WorkerRow[]> {
  return db.selectFrom('workers').selectAll().orderBy('node').orderBy('worker_type').orderBy('worker_id').execute();
}

export async function findWorker(db: Db, workerId: string): Promise<WorkerRow | undefined> {
  return db.selectFrom('workers').selectAll().where('worker_id', '=', workerId).executeTakeFirst();
}

export async function workersOfNode(db: Db, node: string): Promise<WorkerRow[]> {
  return db.selectFrom('workers').selectAll().where('node', '=', node).execute();
}

export async function workerIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('workers').select('worker_id').execute()).map((r) => r.worker_id);
}

/** Inserts a worker row; false when the id is taken (another node won the race for it). */
export async function insertWorker(db: Db, row: WorkerRow): Promise<boolean> {
  try {
    await db.insertInto('workers').values(row).execute();
    return true;
  } catch (e) {
    if (/unique|duplicate|primary/i.test(String((e as Error).message))) return false;
    throw e;
  }
}

export async function updateWorker(db: Db, workerId: string, patch: Partial<Omit<WorkerRow, 'worker_id'>>): Promise<number> {
  const res = await db.updateTable('workers').set(patch).where('worker_id', '=', workerId).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function incrementCounter(db: Db, workerId: string, counter: 'jobs_completed' | 'jobs_failed'): Promise<void> {
  await db
    .updateTable('workers')
    .set((eb) => ({ [counter]: eb(counter, '+', 1) }) as never)
    .where('worker_id', '=', workerId)
    .execute();
}

export async function deleteWorker(db: Db, workerId: string): Promise<number> {
  const res = await db.deleteFrom('workers').where('worker_id', '=', workerId).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Rows whose heartbeat is older than the mark (their node stopped), except the ones a supervisor here keeps. */
export async function deleteStaleWorkers(db: Db, olderThanMs: number, keepIds: string[]): Promise<string[]> {
  const rows = await db.selectFrom('workers').select('worker_id').where('last_heartbeat_ms', '<', olderThanMs).execute();
  const keep = new Set(keepIds);
  const ids = rows.map((r) => r.worker_id).filter((id) => !keep.has(id));
  if (!ids.length) return [];
  await db.deleteFrom('workers').where('worker_id', 'in', ids).where('last_heartbeat_ms', '<', olderThanMs).execute();
  return ids;
}

/** The stop request of the API or a supervisor; the worker reads it from its own row. */
export async function requestStop(db: Db, workerIds: string[], deadlineMs: number): Promise<void> {
  if (!workerIds.length) return;
  await db.updateTable('workers').set({ desired_state: 'stopping', stop_deadline_ms: deadlineMs }).where('worker_id', 'in', workerIds).execute();
}

export async function desiredState(db: Db, workerId: string): Promise<{ desired_state: string; stop_deadline_ms: number | null } | undefined> {
  return db.selectFrom('workers').select(['desired_state', 'stop_deadline_ms']).where('worker_id', '=', workerId).executeTakeFirst();
}

// ---- the job a worker holds ----
// Its transitions (progress, complete, fail, retry, hand back, lease) are in
// src/jobs/job-lifecycle.repository.ts; a worker only reads the job here.

/** Whether the API asked to cancel the job (a worker that lost its job tells a cancel from a take-over). */
export async function jobCancelRequested(db: Db, jobId: string): Promise<boolean> {
  const row = await db.selectFrom('jobs').select('cancel_requested').where('id', '=', jobId).executeTakeFirst();
  return !!row?.cancel_requested;
}
