/** SQL of the integrations: library jobs that ended, and the notifier's mark in app_state. */
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';

/** Library (non-provider) jobs that reached completed or failed after the mark, oldest change first. */
export async function jobsEndedSince(db: Db, sinceMs: number, limit = 200): Promise<JobRow[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('updated_ms', '>', sinceMs)
    .where('status', 'in', ['completed', 'failed'])
    .where('job_type', 'not like', 'provider_%')
    .orderBy('updated_ms')
    .limit(limit)
    .execute();
}

export async function getMark(db: Db, key: string): Promise<number | null> {
  const row = await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirst();
  return row ? Number(row.value) : null;
}

export async function setMark(db: Db, key: string, value: number): Promise<void> {
  const updated = await db.updateTable('app_state').set({ value: String(value) }).where('key', '=', key).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('app_state').values({ key, value: String(value) }).execute();
}
