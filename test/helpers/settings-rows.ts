/**
 * Setting rows written and read past the settings service: what an older
 * version, another process or a hand edit leaves in the database. A built-in
 * setting at its default has no row (src/settings/settings.service.ts), so a
 * test that puts a database into an older state makes the row it needs.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { definitionByKey } from '../../src/settings/definitions/index.js';

/** Stores `value` for `key` as it is: the row is made when missing (with its definition's metadata), its value replaced otherwise. */
export async function writeSettingRow(db: Kysely<Database>, key: string, value: string, fields: { description?: string } = {}): Promise<void> {
  const def = definitionByKey.get(key);
  const now = new Date().toISOString();
  await db
    .insertInto('system_settings')
    .values({ key, value, description: fields.description ?? def?.description ?? null, category: def?.category ?? 'general', value_type: def?.value_type ?? 'string', created_at: now, updated_at: null })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, ...(fields.description === undefined ? {} : { description: fields.description }) }))
    .execute();
}

/** The stored text of `key`, or undefined when it has no row (a built-in setting at its default). */
export async function readSettingRow(db: Kysely<Database>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('system_settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
}
