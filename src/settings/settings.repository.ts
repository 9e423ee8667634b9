import type { Db } from '../db/database.js';
import type { SettingRow } from '../db/schema.js';

export async function listSettings(db: Db, category?: string): Promise<SettingRow[]> {
  let q = db.selectFrom('system_settings').selectAll();
  if (category) q = q.where('category', '=', category);
  return q.orderBy('category').orderBy('key').execute();
}

export async function findSetting(db: Db, key: string): Promise<SettingRow | undefined> {
  return db.selectFrom('system_settings').selectAll().where('key', '=', key).executeTakeFirst();
}

export interface NewSetting {
  key: string;
  value: string;
  description: string | null;
  category: string;
  value_type: string;
}

/** Inserts the rows whose key is missing; existing rows (a user's values) are left alone. */
export async function insertMissingSettings(db: Db, rows: NewSetting[], now: string): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await db
    .insertInto('system_settings')
    .values(rows.map((r) => ({ ...r, created_at: now, updated_at: null })))
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

/** Keeps description, category and type of built-in settings current after an upgrade. */
export async function refreshSettingMetadata(db: Db, row: Omit<NewSetting, 'value'>): Promise<void> {
  await db
    .updateTable('system_settings')
    .set({ description: row.description, category: row.category, value_type: row.value_type })
    .where('key', '=', row.key)
    .execute();
}

export async function insertSetting(db: Db, row: NewSetting, now: string): Promise<SettingRow> {
  await db.insertInto('system_settings').values({ ...row, created_at: now, updated_at: null }).execute();
  return (await findSetting(db, row.key))!;
}

export async function updateSettingValue(db: Db, key: string, value: string, now: string): Promise<number> {
  const res = await db.updateTable('system_settings').set({ value, updated_at: now }).where('key', '=', key).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function deleteSetting(db: Db, key: string): Promise<number> {
  const res = await db.deleteFrom('system_settings').where('key', '=', key).executeTakeFirst();
  return Number(res.numDeletedRows);
}
