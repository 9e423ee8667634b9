/**
 * Provider timeout that matches its clients. Bazarr's whisperai provider
 * waits up to 3600 s for /asr (its "Transcription/translation timeout"
 * default) and saves whatever body comes back, so a server that gave up at
 * 600 s answered a 504 that Bazarr stored as a subtitle and then rejected. An
 * install still on the old default 600 moves to the new default; a value the
 * user chose is kept. The new value and description are read from the
 * definitions so the two cannot disagree.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';
import { definitionByKey } from '../../settings/definitions/index.js';

const KEY = 'provider_timeout_seconds';
/** The default this migration replaces (as shipped before it; never change it). */
export const OLD_PROVIDER_TIMEOUT = '600';

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const def = definitionByKey.get(KEY);
  if (!def) return;
  const now = new Date().toISOString();
  // A fresh database has no settings yet: the service inserts the new default on start.
  await db.updateTable('system_settings').set({ value: def.default, description: def.description, updated_at: now }).where('key', '=', KEY).where('value', '=', OLD_PROVIDER_TIMEOUT).execute();
  await db.updateTable('system_settings').set({ description: def.description }).where('key', '=', KEY).where('value', '!=', OLD_PROVIDER_TIMEOUT).execute();
}
