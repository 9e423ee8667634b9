/**
 * Integration state:
 *
 * - `scan_rules.audio_is_original_language`: the rule condition "the audio
 *   track is in the media's original language" (Sonarr/Radarr report the
 *   series' or movie's original language in their webhooks), so a rule can
 *   skip dubs. Null: not checked.
 * - `bazarr_sync_items`: one row per subtitle Bazarr's Wanted list asked for
 *   (episode or movie, language, forced, hi) that a job was queued for: the
 *   job, and whether the finished subtitle was handed back to Bazarr. The
 *   next sync reads it so the same wanted subtitle is never queued twice.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('scan_rules').addColumn('audio_is_original_language', 'integer').execute();
  let t = db.schema.createTable('bazarr_sync_items');
  t = kind === 'postgres'
    ? t.addColumn('id', 'serial', (c) => c.primaryKey())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('media_kind', 'text', (c) => c.notNull())
    .addColumn('bazarr_id', 'integer', (c) => c.notNull())
    .addColumn('series_id', 'integer')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('forced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hi', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_ms', big, (c) => c.notNull())
    .addColumn('updated_ms', big, (c) => c.notNull())
    .execute();
  await sql`create unique index bazarr_sync_items_wanted_idx on bazarr_sync_items (media_kind, bazarr_id, language, forced, hi)`.execute(db);
  await sql`create index bazarr_sync_items_job_idx on bazarr_sync_items (job_id)`.execute(db);
}
