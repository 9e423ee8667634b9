/**
 * Provider timeout that matches its clients. Bazarr's whisperai provider
 * waits up to 3600 s for /asr (its "Transcription/translation timeout"
 * default) and saves whatever body comes back, so a server that gave up at
 * 600 s answered a 504 that Bazarr stored as a subtitle and then rejected. An
 * install still on the old default 600 moves to the new default; a value the
 * user chose is kept. The values and the description are written here as
 * they shipped with this migration, not read from the settings definitions.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

const KEY = 'provider_timeout_seconds';
/** The default this migration replaces, and the one it puts in its place, as shipped; never change them. */
export const OLD_PROVIDER_TIMEOUT = '600';
export const NEW_PROVIDER_TIMEOUT = '3600';
const DESCRIPTION = 'Longest a provider request waits for its job (Bazarr waits 3600 s by default); a request that runs longer keeps its job, and the same request gets the kept result later';

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const now = new Date().toISOString();
  // A fresh database has no settings yet: nothing matches.
  await db.updateTable('system_settings').set({ value: NEW_PROVIDER_TIMEOUT, description: DESCRIPTION, updated_at: now }).where('key', '=', KEY).where('value', '=', OLD_PROVIDER_TIMEOUT).execute();
  await db.updateTable('system_settings').set({ description: DESCRIPTION }).where('key', '=', KEY).where('value', '!=', OLD_PROVIDER_TIMEOUT).execute();
}
