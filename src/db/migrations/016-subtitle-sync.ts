/**
 * Subtitle synchronisation (src/sync/):
 *
 * - `media_speech`: where a media file's audio has speech (Silero spans, JSON
 *   `[[start, end], ...]` in seconds), kept while the file's size and mtime
 *   are unchanged, so checking and fixing its subtitles never listens twice.
 * - `subtitle_sync_checks`: the read-only measure of one subtitle (an
 *   external file, or an embedded text track `path#s:N`) against the speech:
 *   verdict, offset, ratio, scores; kept while the subtitle is unchanged.
 * - `subtitle_syncs`: each fix written to a subtitle, with the copy of the
 *   user's original under DATA_DIR and the hash of what was written, so Undo
 *   restores it only while nobody edited the file since.
 * - `scan_rules.sync_external_subtitles`: 1 when the rule's language is
 *   synced on its own when the check finds it out of sync and the gate passes.
 * - `library_items.out_of_sync`: 1 when one of the item's subtitles was
 *   measured out of sync (the Library's `out_of_sync` filter, partial index).
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  const real = kind === 'postgres' ? 'double precision' : 'real';
  await db.schema
    .createTable('media_speech')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('mtime_ms', big, (c) => c.notNull())
    .addColumn('stream_index', 'integer')
    .addColumn('language', 'text')
    .addColumn('duration', real, (c) => c.notNull())
    .addColumn('spans', 'text', (c) => c.notNull())
    .addColumn('computed_ms', big, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('subtitle_sync_checks')
    .addColumn('subtitle', 'text', (c) => c.primaryKey())
    .addColumn('media_path', 'text', (c) => c.notNull())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('mtime_ms', big, (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('offset_seconds', real, (c) => c.notNull())
    .addColumn('ratio', real, (c) => c.notNull())
    .addColumn('score_before', real, (c) => c.notNull())
    .addColumn('score_after', real, (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('checked_ms', big, (c) => c.notNull())
    .execute();
  await sql`create index subtitle_sync_checks_media_idx on subtitle_sync_checks (media_path)`.execute(db);
  let t = db.schema.createTable('subtitle_syncs');
  t = kind === 'postgres'
    ? t.addColumn('id', 'serial', (c) => c.primaryKey())
    : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await t
    .addColumn('media_path', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text', (c) => c.notNull())
    .addColumn('backup', 'text', (c) => c.notNull())
    .addColumn('written_sha256', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('created_ms', big, (c) => c.notNull())
    .addColumn('undone_ms', big)
    .execute();
  await sql`create index subtitle_syncs_media_idx on subtitle_syncs (media_path, id)`.execute(db);
  await db.schema.alterTable('scan_rules').addColumn('sync_external_subtitles', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('library_items').addColumn('out_of_sync', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`create index library_items_out_of_sync_idx on library_items (sort_key, id) where out_of_sync = 1`.execute(db);
}
