/**
 * The stored settings: one row per value someone set (a built-in setting
 * changed from its default, an internal value such as the API key, a custom
 * setting). A built-in setting without a row is at its default, which lives
 * in the definitions, never here.
 */
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

export async function insertSetting(db: Db, row: NewSetting, now: string): Promise<SettingRow> {
  await db.insertInto('system_settings').values({ ...row, created_at: now, updated_at: null }).execute();
  return (await findSetting(db, row.key))!;
}

/**
 * Stores a built-in setting's value: the row is made if the setting has none
 * (the first change from its default), else its value replaced, and its
 * description, category and type are the definition's. One statement, so two
 * processes setting the same key do not collide on the unique key.
 */
export async function storeSettingValue(db: Db, row: NewSetting, now: string): Promise<void> {
  await db
    .insertInto('system_settings')
    .values({ ...row, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, description: row.description, category: row.category, value_type: row.value_type, updated_at: now }))
    .execute();
}

export async function updateSettingValue(db: Db, key: string, value: string, now: string): Promise<number> {
  const res = await db.updateTable('system_settings').set({ value, updated_at: now }).where('key', '=', key).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function deleteSetting(db: Db, key: string): Promise<number> {
  const res = await db.deleteFrom('system_settings').where('key', '=', key).executeTakeFirst();
  return Number(res.numDeletedRows);
}
