/** SQL of the Bazarr Wanted sync: one row per wanted subtitle a job was queued for (migration 010). */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { BazarrSyncItemsTable } from '../db/schema.js';

export type SyncItemRow = Selectable<BazarrSyncItemsTable>;
export type SyncItemKey = Pick<SyncItemRow, 'media_kind' | 'bazarr_id' | 'language' | 'forced' | 'hi'>;

export async function findItem(db: Db, k: SyncItemKey): Promise<SyncItemRow | undefined> {
  return db
    .selectFrom('bazarr_sync_items')
    .selectAll()
    .where('media_kind', '=', k.media_kind)
    .where('bazarr_id', '=', k.bazarr_id)
    .where('language', '=', k.language)
    .where('forced', '=', k.forced)
    .where('hi', '=', k.hi)
    .executeTakeFirst();
}

/** Inserts the row, or points the existing one for the same wanted subtitle at a new job. */
export async function upsertItem(db: Db, row: Insertable<BazarrSyncItemsTable>): Promise<void> {
  const existing = await findItem(db, row as SyncItemKey);
  if (existing) {
    await db
      .updateTable('bazarr_sync_items')
      .set({ job_id: row.job_id, status: row.status, error: row.error ?? null, file_path: row.file_path, series_id: row.series_id ?? null, updated_ms: row.updated_ms })
      .where('id', '=', existing.id)
      .execute();
    return;
  }
  await db.insertInto('bazarr_sync_items').values(row).execute();
}

export async function itemsWithStatus(db: Db, status: string, limit = 500): Promise<SyncItemRow[]> {
  return db.selectFrom('bazarr_sync_items').selectAll().where('status', '=', status).orderBy('id').limit(limit).execute();
}

export async function setItemStatus(db: Db, id: number, status: string, error: string | null, now = Date.now()): Promise<void> {
  await db.updateTable('bazarr_sync_items').set({ status, error, updated_ms: now }).where('id', '=', id).execute();
}

export async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('bazarr_sync_items').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The newest completed job that wrote a subtitle in `targetLang` for the file (a library job made it already). */
export async function completedJobFor(db: Db, filePath: string, targetLang: string): Promise<{ id: string; output_path: string } | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select(['id', 'output_path'])
    .where('file_path', '=', filePath)
    .where('target_lang', '=', targetLang)
    .where('status', '=', 'completed')
    .where('output_path', 'is not', null)
    .orderBy('updated_ms', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.output_path ? { id: row.id, output_path: row.output_path } : undefined;
}

/** Points a row at another job of the same wanted subtitle (one made again since). */
export async function setItemJob(db: Db, id: number, jobId: string, now = Date.now()): Promise<void> {
  await db.updateTable('bazarr_sync_items').set({ job_id: jobId, updated_ms: now }).where('id', '=', id).execute();
}

/** The id of the file's last completed job in `targetLang` (by creation order: an accept, which touches an older job, does not make it newer). */
export async function newestCompletedJob(db: Db, filePath: string, targetLang: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('file_path', '=', filePath)
    .where('target_lang', '=', targetLang)
    .where('job_type', '=', 'transcription')
    .where('status', '=', 'completed')
    .where('output_path', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
