/**
 * The library index: one row per media file the scanner has analysed, built
 * from the probe cache's results and the folder listing (never probed for a
 * page view). Lists of languages are stored as `,jpn,eng,` so a filter is a
 * LIKE on one column; the JSON columns hold what a page shows.
 *
 * Every list filter has a partial index on the sort key, so a page of any
 * filter is an index walk; the tree's counts come from covering indexes.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  const real = kind === 'postgres' ? 'double precision' : 'real';
  const id = kind === 'postgres' ? db.schema.createTable('library_items').addColumn('id', 'bigserial', (c) => c.primaryKey())
    : db.schema.createTable('library_items').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await id
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('root', 'text')
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('show', 'text')
    .addColumn('season', 'integer')
    .addColumn('episode', 'integer')
    .addColumn('episode_end', 'integer')
    .addColumn('year', 'integer')
    .addColumn('sort_key', 'text', (c) => c.notNull())
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('mtime_ms', big, (c) => c.notNull())
    .addColumn('duration_seconds', real)
    .addColumn('is_video', 'integer', (c) => c.notNull().defaultTo(1))
    // {audio_tracks, embedded_subtitles, external_subtitles, format_name}: what wanted is recomputed from
    .addColumn('analysis', 'text', (c) => c.notNull())
    .addColumn('probe_error', 'text')
    // languages of its audio and subtitles (the language filter of the whole list)
    .addColumn('langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('audio_langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('subtitle_langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('generated_langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('has_generated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('wanted', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('wanted_langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('wanted_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('decision', 'text')
    .addColumn('jobs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('failed_langs', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ignored_by', 'text')
    .addColumn('missing', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('indexed_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_ms', big, (c) => c.notNull())
    .execute();

  // Pages by title, one index per filter (partial: only the rows the filter keeps). They carry the
  // language lists their filters test, so a language is checked in the index without reading the wide rows.
  await sql`create index library_items_sort_idx on library_items (sort_key, id, langs)`.execute(db);
  await sql`create index library_items_wanted_idx on library_items (sort_key, id, wanted_langs) where wanted_count > 0`.execute(db);
  await sql`create index library_items_generated_idx on library_items (sort_key, id, generated_langs) where has_generated = 1`.execute(db);
  await sql`create index library_items_failed_idx on library_items (sort_key, id, failed_langs) where failed = 1`.execute(db);
  await sql`create index library_items_missing_idx on library_items (sort_key, id) where missing = 1`.execute(db);
  await sql`create index library_items_ignored_idx on library_items (sort_key, id) where ignored_by is not null`.execute(db);
  // Other sorts.
  await sql`create index library_items_size_idx on library_items (size, id)`.execute(db);
  await sql`create index library_items_mtime_idx on library_items (mtime_ms, id)`.execute(db);
  // Navigation: a show's seasons, a folder's subtree, a library folder; the counts are read from the index alone.
  await sql`create index library_items_show_idx on library_items (show, season, missing, wanted_count, has_generated, failed)`.execute(db);
  await sql`create index library_items_folder_idx on library_items (folder, missing, wanted_count, has_generated, failed)`.execute(db);
  await sql`create index library_items_root_idx on library_items (root, kind, missing, wanted_count, has_generated, failed)`.execute(db);
  // Search: words of title, show and path (search_text, already lower-cased and split into words),
  // matched by prefix. SQLite: an FTS5 table kept by triggers; PostgreSQL: a GIN index of its tsvector.
  if (kind === 'postgres') {
    await sql`create index library_items_search_idx on library_items using gin (to_tsvector('simple', search_text))`.execute(db);
  } else {
    await sql`create virtual table library_search using fts5(text, tokenize = 'unicode61')`.execute(db);
    await sql`create trigger library_search_ai after insert on library_items begin
      insert into library_search (rowid, text) values (new.id, new.search_text); end`.execute(db);
    await sql`create trigger library_search_au after update of search_text on library_items when old.search_text <> new.search_text begin
      update library_search set text = new.search_text where rowid = old.id; end`.execute(db);
    await sql`create trigger library_search_ad after delete on library_items begin
      delete from library_search where rowid = old.id; end`.execute(db);
  }
  // The version a cached page is valid for.
  await sql`create index library_items_updated_idx on library_items (updated_ms)`.execute(db);
}
