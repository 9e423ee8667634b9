/**
 * First-run settings. The single path-mapping pair shipped with an example
 * (`/tv` → `/Volumes/TV`) that looked like a real mapping in Settings; it is
 * emptied where it was never changed and never switched on. The new
 * `public_url` setting needs nothing here: a setting without a row takes its
 * default from its definition.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export const OLD_PATH_MAPPING_DEFAULTS = { path_mapping_from: '/tv', path_mapping_to: '/Volumes/TV' } as const;

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const on = await db.selectFrom('system_settings').select('value').where('key', '=', 'use_path_mapping').executeTakeFirst();
  if (on && String(on.value).toLowerCase() === 'true') return;
  const rows = await db.selectFrom('system_settings').select(['key', 'value']).where('key', 'in', Object.keys(OLD_PATH_MAPPING_DEFAULTS)).execute();
  const untouched = rows.length > 0 && rows.every((r) => r.value === OLD_PATH_MAPPING_DEFAULTS[r.key as keyof typeof OLD_PATH_MAPPING_DEFAULTS]);
  if (!untouched) return;
  await db.updateTable('system_settings').set({ value: '' }).where('key', 'in', Object.keys(OLD_PATH_MAPPING_DEFAULTS)).execute();
}
