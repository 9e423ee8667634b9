/**
 * browse_roots used to default to "/", which let the filesystem browser show
 * the whole machine. A database still at that old default gets the new,
 * narrower default (media mounts and the home folder; the library folders
 * are browsable anyway); a value the user chose is kept. The new default is
 * read from the definition so the two cannot disagree.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';
import { definitionByKey } from '../../settings/definitions/index.js';
import { parseList } from '../../settings/settings.values.js';

const OLD_DEFAULT = ['/'];

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const def = definitionByKey.get('browse_roots');
  if (!def) return;
  const row = await db.selectFrom('system_settings').select(['value']).where('key', '=', 'browse_roots').executeTakeFirst();
  // A fresh database has no settings yet: the service inserts the new default on start.
  if (!row) return;
  const now = new Date().toISOString();
  const atOldDefault = JSON.stringify(parseList(String(row.value ?? ''))) === JSON.stringify(OLD_DEFAULT);
  await db
    .updateTable('system_settings')
    .set(atOldDefault ? { value: def.default, description: def.description, updated_at: now } : { description: def.description })
    .where('key', '=', 'browse_roots')
    .execute();
}
