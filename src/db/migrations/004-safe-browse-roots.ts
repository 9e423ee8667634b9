/**
 * browse_roots used to default to "/", which let the filesystem browser show
 * the whole machine. A database still at that old default gets the new,
 * narrower default (media mounts and the home folder; the library folders
 * are browsable anyway); a value the user chose is kept.
 *
 * The new value and description are written here as they shipped with this
 * migration, not read from the settings definitions: a migration must do the
 * same to every database it ever runs on, whatever the definitions say later
 * (a later default change needs no migration: a setting nobody set takes its
 * default from the definition, see 014).
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

const KEY = 'browse_roots';
/** As shipped with this migration; never change them. */
const NEW_DEFAULT = '/media,/mnt,/data,/srv,/home,~';
const NEW_DESCRIPTION = 'Folders the filesystem browser may show besides the library folders, comma-separated (~ is the home folder; /proc, /sys and /dev are never shown)';

/**
 * Whether a stored list is the old default, the one folder "/": a JSON array
 * or items separated by `|` or `,`, read as the settings service read lists
 * when this migration shipped.
 */
function isOldDefault(stored: string): boolean {
  const v = stored.trim();
  let items: string[] | null = null;
  if (v.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(v);
      if (Array.isArray(arr)) items = arr.map(String).map((s) => s.trim()).filter(Boolean);
    } catch {
      /* read with separators below */
    }
  }
  items ??= v.split(v.includes('|') ? '|' : ',').map((s) => s.trim()).filter(Boolean);
  return items.length === 1 && items[0] === '/';
}

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const row = await db.selectFrom('system_settings').select(['value']).where('key', '=', KEY).executeTakeFirst();
  // A fresh database has no settings yet.
  if (!row) return;
  const now = new Date().toISOString();
  await db
    .updateTable('system_settings')
    .set(isOldDefault(String(row.value ?? '')) ? { value: NEW_DEFAULT, description: NEW_DESCRIPTION, updated_at: now } : { description: NEW_DESCRIPTION })
    .where('key', '=', KEY)
    .execute();
}
