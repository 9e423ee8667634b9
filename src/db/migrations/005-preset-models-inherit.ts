/**
 * Presets used to name their own models (fast: small, balanced: medium,
 * best: large-v3), so setting `whisper_model` changed nothing for most jobs
 * and a retry failed again on a model the user never chose. Now every preset
 * uses `whisper_model` unless its `preset_<name>_model` is set: a value still
 * at its old default becomes empty (inherit); a model the user chose is kept.
 *
 * `transcription_preset` was never read, and jobs without a preset always
 * ran `fast`: a value still at its old default `balanced` becomes the new
 * default `fast`, so those jobs keep their decoding. The new values and
 * descriptions are read from the definitions so the two cannot disagree.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';
import { definitionByKey } from '../../settings/definitions/index.js';

/** The defaults this migration replaces (as shipped before it; never change them). */
const OLD_DEFAULTS: Record<string, string> = {
  preset_fast_model: 'small',
  preset_balanced_model: 'medium',
  preset_best_model: 'large-v3',
  transcription_preset: 'balanced',
};

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const now = new Date().toISOString();
  for (const [key, old] of Object.entries(OLD_DEFAULTS)) {
    const def = definitionByKey.get(key);
    if (!def) continue;
    const row = await db.selectFrom('system_settings').select(['value']).where('key', '=', key).executeTakeFirst();
    // A fresh database has no settings yet: the service inserts the new defaults on start.
    if (!row) continue;
    const atOldDefault = String(row.value ?? '').trim() === old;
    await db
      .updateTable('system_settings')
      .set(atOldDefault ? { value: def.default, description: def.description, updated_at: now } : { description: def.description })
      .where('key', '=', key)
      .execute();
  }
}
