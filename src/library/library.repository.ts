/**
 * All SQL of the library index (table library_items, migration 009), plus
 * the reads of the jobs table the index keeps per item. One code path for
 * SQLite and PostgreSQL: filters are written as literals where a partial
 * index must match them (a bound parameter would hide the match).
 */
import { sql, type Insertable, type Selectable, type SelectQueryBuilder } from 'kysely';
import type { Db, DbKind } from '../db/database.js';
import type { Database, LibraryItemsTable } from '../db/schema.js';
import type { ItemKind, LibraryFilter, LibrarySort } from './library.schemas.js';

export type ItemRow = Selectable<LibraryItemsTable>;
export type NewItemRow = Omit<Insertable<LibraryItemsTable>, 'id'>;

/** Columns a page needs (search_text and sort_key stay in the database). */
const PAGE_COLUMNS = [
  'id', 'path', 'folder', 'root', 'file_name', 'kind', 'title', 'show', 'season', 'episode', 'episode_end', 'year', 'size', 'mtime_ms',
  'duration_seconds', 'is_video', 'analysis', 'probe_error', 'wanted', 'decision', 'jobs', 'ignored_by', 'missing', 'indexed_at', 'updated_at',
] as const;
export type PageRow = Pick<ItemRow, (typeof PAGE_COLUMNS)[number]>;

export interface ItemQuery {
  filter: LibraryFilter;
  /** lower-cased words (searchWords): each must begin a word of search_text */
  words: string[];
  language: string | null;
  folder: string | null;
  show: string | null;
  season: number | null;
  kind: ItemKind | null;
}

type ItemsQB = SelectQueryBuilder<Database, 'library_items', any>;

const langLike = (col: 'langs' | 'wanted_langs' | 'generated_langs' | 'failed_langs', lang: string) =>
  sql<boolean>`${sql.ref(col)} like ${`%,${lang},%`}`;

function applyQuery<QB extends ItemsQB>(qb: QB, kind: DbKind, q: ItemQuery): QB {
  let b: ItemsQB = qb;
  switch (q.filter) {
    case 'wanted':
      b = b.where(sql<boolean>`wanted_count > 0`);
      if (q.language) b = b.where(langLike('wanted_langs', q.language));
      break;
    case 'generated':
      b = b.where(sql<boolean>`has_generated = 1`);
      if (q.language) b = b.where(langLike('generated_langs', q.language));
      break;
    case 'failed':
      b = b.where(sql<boolean>`failed = 1`);
      if (q.language) b = b.where(langLike('failed_langs', q.language));
      break;
    case 'missing':
      b = b.where(sql<boolean>`missing = 1`);
      break;
    case 'ignored':
      b = b.where(sql<boolean>`ignored_by is not null`);
      break;
    default:
      break;
  }
  if (q.language && !['wanted', 'generated', 'failed'].includes(q.filter)) {
    b = b.where(langLike('langs', q.language));
  }
  if (q.words.length) b = b.where(searchMatch(kind, q.words));
  if (q.folder) {
    const f = q.folder;
    // folder = F or below it: a range on the folder index ('0' follows '/').
    b = b.where((eb) => eb.or([eb('folder', '=', f), eb.and([eb('folder', '>=', `${f}/`), eb('folder', '<', `${f}0`)])]));
  }
  if (q.show !== null) b = b.where('show', '=', q.show);
  if (q.season !== null) b = b.where('season', '=', q.season);
  if (q.kind) b = b.where('kind', '=', q.kind);
  return b as QB;
}

/**
 * Every word begins a word of the item's search text. The one place where the
 * two databases differ: SQLite's FTS5 table (library_search, by rowid = id),
 * PostgreSQL's tsvector with a GIN index (migration 009). The words are
 * letters and digits only (searchWords), quoted all the same.
 */
function searchMatch(kind: DbKind, words: string[]) {
  if (kind === 'postgres') {
    const query = words.map((w) => `'${w.replace(/'/g, "''")}':*`).join(' & ');
    return sql<boolean>`to_tsvector('simple', search_text) @@ to_tsquery('simple', ${query})`;
  }
  const match = words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
  return sql<boolean>`id in (select rowid from library_search where library_search match ${match})`;
}

/**
 * `searching`: the matches come from the search index and are few, so they
 * are sorted as an expression: the planner must not walk the sort index and
 * test every row against the search (PostgreSQL would, at 100,000 rows).
 */
function applySort<QB extends ItemsQB>(qb: QB, sort: LibrarySort, searching = false): QB {
  const desc = sort.startsWith('-');
  const dir = desc ? 'desc' : 'asc';
  const col = { title: 'sort_key', path: 'path', added: 'id', size: 'size', modified: 'mtime_ms' }[sort.replace(/^-/, '') as 'title'] as 'sort_key' | 'path' | 'id' | 'size' | 'mtime_ms';
  let b: ItemsQB = searching ? qb.orderBy(col === 'sort_key' || col === 'path' ? sql`${sql.ref(col)} || ''` : sql`${sql.ref(col)} + 0`, dir) : qb.orderBy(col, dir);
  if (col !== 'id' && col !== 'path') b = b.orderBy('id', dir);
  return b as QB;
}

export async function listItems(db: Db, kind: DbKind, q: ItemQuery, sort: LibrarySort, limit: number, offset: number): Promise<PageRow[]> {
  const qb = applySort(applyQuery(db.selectFrom('library_items').select(PAGE_COLUMNS), kind, q), sort, q.words.length > 0);
  return qb.limit(limit).offset(offset).execute();
}

export async function countItems(db: Db, kind: DbKind, q: ItemQuery): Promise<number> {
  const row = await applyQuery(db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')), kind, q).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Ids of every item a query matches, in title order, up to `limit` (bulk actions). */
export async function itemIds(db: Db, kind: DbKind, q: ItemQuery, limit: number): Promise<number[]> {
  const rows = await applySort(applyQuery(db.selectFrom('library_items').select('id'), kind, q), 'title', q.words.length > 0).limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

export async function findItem(db: Db, id: number): Promise<ItemRow | undefined> {
  return db.selectFrom('library_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findItems(db: Db, ids: number[]): Promise<ItemRow[]> {
  const out: ItemRow[] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(...(await db.selectFrom('library_items').selectAll().where('id', 'in', ids.slice(i, i + 500)).execute()));
  return out;
}

export async function findItemsByPath(db: Db, paths: string[]): Promise<ItemRow[]> {
  const out: ItemRow[] = [];
  for (let i = 0; i < paths.length; i += 500) out.push(...(await db.selectFrom('library_items').selectAll().where('path', 'in', paths.slice(i, i + 500)).execute()));
  return out;
}

const UPSERT_CHUNK = 40;

/** Inserts or replaces items by path (id and indexed_at of a known path stay). */
export async function upsertItems(db: Db, rows: NewItemRow[]): Promise<void> {
  if (!rows.length) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
      await trx
        .insertInto('library_items')
        .values(rows.slice(i, i + UPSERT_CHUNK))
        .onConflict((oc) =>
          oc.column('path').doUpdateSet((eb) => {
            const set: Record<string, unknown> = {};
            for (const k of Object.keys(rows[0]) as Array<keyof NewItemRow>) if (k !== 'path' && k !== 'indexed_at') set[k] = eb.ref(`excluded.${k}`);
            return set as never;
          }),
        )
        .execute();
    }
  });
}

export type ItemPatch = Partial<Omit<NewItemRow, 'path' | 'indexed_at'>>;

/** Writes patches of single items, in one transaction. */
export async function patchItems(db: Db, patches: Array<{ id: number; patch: ItemPatch }>): Promise<void> {
  if (!patches.length) return;
  await db.transaction().execute(async (trx) => {
    for (const p of patches) await trx.updateTable('library_items').set(p.patch).where('id', '=', p.id).execute();
  });
}

/** Present items whose path lies below `root` (a finished walk marks the ones it did not find). */
export async function presentPathsUnder(db: Db, root: string): Promise<Array<{ id: number; path: string; folder: string; ignored_by: string | null }>> {
  const rows = await db
    .selectFrom('library_items')
    .select(['id', 'path', 'folder', 'ignored_by'])
    .where('path', '>=', `${root}/`)
    .where('path', '<', `${root}0`)
    .where('missing', '=', 0)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface RecomputeRow {
  id: number;
  path: string;
  mtime_ms: number;
  analysis: string;
  probe_error: string | null;
  ignored_by: string | null;
  missing: number;
  wanted: string;
  decision: string | null;
  updated_ms: number;
}

/** A batch of items after `afterId`, for recomputing wanted (keyset: never an offset). */
export async function itemsForRecompute(db: Db, afterId: number, limit: number): Promise<RecomputeRow[]> {
  const rows = await db
    .selectFrom('library_items')
    .select(['id', 'path', 'mtime_ms', 'analysis', 'probe_error', 'ignored_by', 'missing', 'wanted', 'decision', 'updated_ms'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), mtime_ms: Number(r.mtime_ms), updated_ms: Number(r.updated_ms) }));
}

export interface WantedPatch {
  id: number;
  /** written only while the row still has this updated_ms (nobody rewrote it since it was read) */
  ifUpdatedMs: number;
  wanted: string;
  wanted_langs: string;
  wanted_count: number;
  decision: string | null;
}

/**
 * New wanted columns for many items in one statement (an UPDATE from a VALUES
 * list: one round trip per batch instead of one per row, which is what a
 * rule change at 100,000 files costs on PostgreSQL).
 */
export async function patchWanted(db: Db, patches: WantedPatch[], at: { ms: number; iso: string }): Promise<void> {
  for (let i = 0; i < patches.length; i += 500) {
    const values = sql.join(patches.slice(i, i + 500).map((p) => sql`(${p.id}, ${p.ifUpdatedMs}, ${p.wanted}, ${p.wanted_langs}, ${p.wanted_count}, ${p.decision})`));
    await sql`with v (id, ms, wanted, wanted_langs, wanted_count, decision) as (values ${values})
      update library_items set wanted = v.wanted, wanted_langs = v.wanted_langs, wanted_count = cast(v.wanted_count as integer),
        decision = v.decision, updated_ms = ${at.ms}, updated_at = ${at.iso}
      from v where library_items.id = cast(v.id as bigint) and library_items.updated_ms = cast(v.ms as bigint)`.execute(db);
  }
}

export async function itemCounts(db: Db): Promise<{ items: number; missing: number; lastMs: number }> {
  const [all, missing, last] = await Promise.all([
    db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')).where(sql<boolean>`missing = 1`).executeTakeFirst(),
    lastChangeMs(db),
  ]);
  return { items: Number(all?.n ?? 0), missing: Number(missing?.n ?? 0), lastMs: last };
}

/** The last change of any item: a cached page is valid while it stays the same. */
export async function lastChangeMs(db: Db): Promise<number> {
  const row = await db.selectFrom('library_items').select((eb) => eb.fn.max('updated_ms').as('m')).executeTakeFirst();
  return Number(row?.m ?? 0);
}

export interface CountRow {
  n: number;
  files: number;
  wanted: number;
  generated: number;
  failed: number;
  missing: number;
}

const countColumns = [
  sql<number>`count(*)`.as('n'),
  sql<number>`sum(case when missing = 0 then 1 else 0 end)`.as('files'),
  sql<number>`sum(case when wanted_count > 0 then 1 else 0 end)`.as('wanted'),
  sql<number>`sum(has_generated)`.as('generated'),
  sql<number>`sum(failed)`.as('failed'),
  sql<number>`sum(missing)`.as('missing'),
];

const numbers = <T extends Record<string, unknown>>(r: T): T & CountRow => ({
  ...r,
  n: Number(r.n ?? 0), files: Number(r.files ?? 0), wanted: Number(r.wanted ?? 0), generated: Number(r.generated ?? 0), failed: Number(r.failed ?? 0), missing: Number(r.missing ?? 0),
});

export async function countsByRootAndKind(db: Db): Promise<Array<CountRow & { root: string | null; kind: string }>> {
  const rows = await db.selectFrom('library_items').select(['root', 'kind', ...countColumns]).groupBy(['root', 'kind']).execute();
  return rows.map((r) => numbers(r as unknown as Record<string, unknown> & { root: string | null; kind: string }));
}

export async function countsByShowAndSeason(db: Db): Promise<Array<CountRow & { show: string; season: number | null }>> {
  const rows = await db
    .selectFrom('library_items')
    .select(['show', 'season', ...countColumns])
    .where('show', 'is not', null)
    .groupBy(['show', 'season'])
    .orderBy('show')
    .orderBy('season')
    .execute();
  return rows.map((r) => numbers(r as unknown as Record<string, unknown> & { show: string; season: number | null }));
}

/** Counts per folder at or below `root`. */
export async function countsByFolderUnder(db: Db, root: string): Promise<Array<CountRow & { folder: string }>> {
  const rows = await db
    .selectFrom('library_items')
    .select(['folder', ...countColumns])
    .where((eb) => eb.or([eb('folder', '=', root), eb.and([eb('folder', '>=', `${root}/`), eb('folder', '<', `${root}0`)])]))
    .groupBy('folder')
    .execute();
  return rows.map((r) => numbers(r as unknown as Record<string, unknown> & { folder: string }));
}

// ---- jobs of indexed files ----

/** The latest job of an item for one target language, as the index keeps it. */
export interface LatestJob {
  target_lang: string;
  id: string;
  status: string;
  error: string | null;
  error_code: string | null;
  progress: number;
  updated_at: string;
}

export interface JobBrief extends LatestJob {
  file_path: string;
  seq: number;
}

/** Every library job (job_type transcription) of the given files. */
export async function jobsOfFiles(db: Db, paths: string[]): Promise<JobBrief[]> {
  const out: JobBrief[] = [];
  for (let i = 0; i < paths.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select(['file_path', 'target_lang', 'id', 'status', 'error', 'error_code', 'progress', 'updated_at', 'seq'])
      .where('file_path', 'in', paths.slice(i, i + 500))
      .where('job_type', '=', 'transcription')
      .execute();
    for (const r of rows) out.push({ ...r, progress: Number(r.progress), seq: Number(r.seq), error_code: r.error_code ?? null });
  }
  return out;
}

/** Library jobs changed since an epoch-ms mark, oldest change first. */
export async function jobsChangedSince(db: Db, sinceMs: number, limit = 2000): Promise<Array<{ file_path: string; status: string; updated_ms: number }>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['file_path', 'status', 'updated_ms'])
    .where('updated_ms', '>', sinceMs)
    .where('job_type', '=', 'transcription')
    .orderBy('updated_ms')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, updated_ms: Number(r.updated_ms) }));
}

/** A file's jobs, newest first (the item page's history). */
export async function jobHistory(db: Db, path: string, limit: number) {
  return db.selectFrom('jobs').selectAll().where('file_path', '=', path).orderBy('seq', 'desc').limit(limit).execute();
}
