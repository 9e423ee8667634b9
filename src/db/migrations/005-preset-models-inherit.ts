/**
 * Presets used to name their own models (fast: small, balanced: medium,
 * best: large-v3), so setting `whisper_model` changed nothing for most jobs
 * and a retry failed again on a model the user never chose. Now every preset
 * uses `whisper_model` unless its `preset_<name>_model` is set: a value still
 * at its old default becomes empty (inherit); a model the user chose is kept.
 *
 * `transcription_preset` was never read, and jobs without a preset always
 * ran `fast`: a value still at its old default `balanced` becomes the new
 * default `fast`, so those jobs keep their decoding.
 *
 * The old and new values and the descriptions are written here as they
 * shipped with this migration, not read from the settings definitions, so
 * the migration does the same to every database whatever the code says later.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

/** Each setting's old default, the value that replaces it, and its description, as shipped; never change them. */
const CHANGES: Record<string, { old: string; value: string; description: string }> = {
  preset_fast_model: { old: 'small', value: '', description: 'Model of the fast preset (empty: use whisper_model)' },
  preset_balanced_model: { old: 'medium', value: '', description: 'Model of the balanced preset (empty: use whisper_model)' },
  preset_best_model: { old: 'large-v3', value: '', description: 'Model of the best preset (empty: use whisper_model)' },
  transcription_preset: {
    old: 'balanced',
    value: 'fast',
    description: 'Quality preset of jobs and scan rules created without one. fast: greedy decoding (beam 1, no temperature fallback); balanced: beam 5; best: beam 5, best_of 5, 5 language-detection windows. All use whisper_model unless the preset has its own model',
  },
};

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  const now = new Date().toISOString();
  for (const [key, change] of Object.entries(CHANGES)) {
    const row = await db.selectFrom('system_settings').select(['value']).where('key', '=', key).executeTakeFirst();
    // A fresh database has no settings yet.
    if (!row) continue;
    const atOldDefault = String(row.value ?? '').trim() === change.old;
    await db
      .updateTable('system_settings')
      .set(atOldDefault ? { value: change.value, description: change.description, updated_at: now } : { description: change.description })
      .where('key', '=', key)
      .execute();
  }
}
