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
  'duration_seconds', 'is_video', 'analysis', 'probe_error', 'wanted', 'decision', 'jobs', 'needs_review', 'ignored_by', 'missing', 'indexed_at', 'updated_at', 'updated_ms',
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

/** a query on the items, whatever columns it selects */
type ItemsQB = SelectQueryBuilder<Database, 'library_items', object>;

/** Items in folder `f` or below it: a range on the folder index ('0' follows '/'). */
function inFolder<QB extends ItemsQB>(qb: QB, f: string): QB {
  return qb.where((eb) => eb.or([eb('folder', '=', f), eb.and([eb('folder', '>=', `${f}/`), eb('folder', '<', `${f}0`)])])) as QB;
}

const langLike = (col: 'langs' | 'wanted_langs' | 'generated_langs' | 'failed_langs', lang: string) =>
  sql<boolean>`${sql.ref(col)} like ${`%,${lang},%`}`;

/**
 * The filter's condition, as its partial index is defined (`indexed`) or in
 * a form no index matches, so the planner uses another index: the folder's,
 * the show's, the search's, or the order's.
 */
function filterCondition(filter: LibraryFilter, indexed: boolean) {
  const plus = indexed ? sql`` : sql` + 0`;
  switch (filter) {
    case 'wanted':
      return sql<boolean>`wanted_count${plus} > 0`;
    case 'generated':
      return sql<boolean>`has_generated${plus} = 1`;
    case 'failed':
      return sql<boolean>`failed${plus} = 1`;
    case 'missing':
      return sql<boolean>`missing${plus} = 1`;
    case 'ignored':
      return indexed ? sql<boolean>`ignored_by is not null` : sql<boolean>`coalesce(ignored_by, '') <> ''`;
    case 'needs_review':
      return sql<boolean>`needs_review${plus} = 1`;
    case 'out_of_sync':
      return sql<boolean>`out_of_sync${plus} = 1`;
    default:
      return null;
  }
}

/** Narrowed by folder, show or search: a few hundred items at most, found by that index and then sorted. */
const isNarrow = (q: ItemQuery) => q.folder !== null || q.show !== null || q.words.length > 0;

/**
 * How a page is read.
 * - `narrow`: by the folder, show or search index, the matches sorted (the
 *   planner must not walk a filter's index or the order's index and test
 *   every row: 40 ms at 100,000 items);
 * - `filter-index`: by the filter's partial index (in title order, or its
 *   matches sorted when they are few);
 * - `walk-order`: along the order's index, testing the filter on each row,
 *   when the filter matches so many items that sorting them costs more.
 */
export type PagePlan = 'narrow' | 'filter-index' | 'walk-order';

/** `matches`: items the query matches; `all`: items in the index (needed only for a filter in another order than title). */
export function pagePlan(q: ItemQuery, sort: LibrarySort, page: { limit: number; offset: number }, counts: { matches: number; all: number } | null): PagePlan {
  if (isNarrow(q)) return 'narrow';
  if (sort === 'title' || sort === '-title' || filterCondition(q.filter, true) === null || !counts) return 'filter-index';
  // Walking reads about (offset + limit) × all / matches rows; sorting the matches costs a few times their number.
  const walk = ((page.offset + page.limit) * counts.all) / Math.max(1, counts.matches);
  return walk < 4 * counts.matches ? 'walk-order' : 'filter-index';
}

/** Whether pageKeys needs the counts for its plan. */
export const planNeedsCounts = (q: ItemQuery, sort: LibrarySort) =>
  !isNarrow(q) && sort !== 'title' && sort !== '-title' && filterCondition(q.filter, true) !== null;

function applyQuery<QB extends ItemsQB>(qb: QB, kind: DbKind, q: ItemQuery, plan: PagePlan = 'filter-index'): QB {
  let b: ItemsQB = qb;
  // PostgreSQL's planner weighs a partial index by its statistics itself; SQLite's takes one whenever it matches.
  const condition = filterCondition(q.filter, plan === 'filter-index' || kind === 'postgres');
  if (condition) b = b.where(condition);
  if (q.language && q.filter === 'wanted') b = b.where(langLike('wanted_langs', q.language));
  if (q.language && q.filter === 'generated') b = b.where(langLike('generated_langs', q.language));
  if (q.language && q.filter === 'failed') b = b.where(langLike('failed_langs', q.language));
  if (q.language && !['wanted', 'generated', 'failed'].includes(q.filter)) {
    b = b.where(langLike('langs', q.language));
  }
  if (q.words.length) b = b.where(searchMatch(kind, q.words));
  if (q.folder) b = inFolder(b, q.folder);
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
 * `sortMatches`: the matches are few (narrowed, or a small filter), so they are
 * sorted as an expression: the planner must not walk the order's index and
 * test every row (PostgreSQL would for a search, at 100,000 rows).
 */
function applySort<QB extends ItemsQB>(qb: QB, sort: LibrarySort, sortMatches = false): QB {
  const desc = sort.startsWith('-');
  const dir = desc ? 'desc' : 'asc';
  const col = { title: 'sort_key', path: 'path', added: 'id', size: 'size', modified: 'mtime_ms' }[sort.replace(/^-/, '') as 'title'] as 'sort_key' | 'path' | 'id' | 'size' | 'mtime_ms';
  let b: ItemsQB = sortMatches ? qb.orderBy(col === 'sort_key' || col === 'path' ? sql`${sql.ref(col)} || ''` : sql`${sql.ref(col)} + 0`, dir) : qb.orderBy(col, dir);
  if (col !== 'id' && col !== 'path') b = b.orderBy('id', dir);
  return b as QB;
}

export interface PageKey {
  id: number;
  updated_ms: number;
}

/**
 * Which items a page shows, in order: ids and their last change only, so the
 * sort reads narrow rows; their columns come from pageRows (and only for items
 * not already serialized).
 */
export async function pageKeys(db: Db, kind: DbKind, q: ItemQuery, sort: LibrarySort, limit: number, offset: number, counts: { matches: number; all: number } | null = null): Promise<PageKey[]> {
  const plan = pagePlan(q, sort, { limit, offset }, counts);
  const sortMatches = plan === 'narrow' || (plan === 'filter-index' && planNeedsCounts(q, sort));
  const qb = applySort(applyQuery(db.selectFrom('library_items').select(['id', 'updated_ms']), kind, q, plan), sort, sortMatches);
  const rows = await qb.limit(limit).offset(offset).execute();
  return rows.map((r) => ({ id: Number(r.id), updated_ms: Number(r.updated_ms) }));
}

/** The columns a page shows, of these items (any order). */
export async function pageRows(db: Db, ids: number[]): Promise<PageRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('library_items').select(PAGE_COLUMNS).where('id', 'in', ids).execute();
}

export async function countItems(db: Db, kind: DbKind, q: ItemQuery): Promise<number> {
  const row = await applyQuery(db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')), kind, q, isNarrow(q) ? 'narrow' : 'filter-index').executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Ids of every item a query matches, in title order, up to `limit` (bulk actions). */
export async function itemIds(db: Db, kind: DbKind, q: ItemQuery, limit: number): Promise<number[]> {
  const plan = isNarrow(q) ? 'narrow' : 'filter-index';
  const rows = await applySort(applyQuery(db.selectFrom('library_items').select('id'), kind, q, plan), 'title', plan === 'narrow').limit(limit).execute();
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

/** Items in the index, missing ones included. */
export async function countAll(db: Db): Promise<number> {
  const row = await db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function itemCounts(db: Db): Promise<{ items: number; missing: number; needsReview: number; lastMs: number }> {
  // Literal conditions: each count walks its partial index.
  const [items, missing, review, last] = await Promise.all([
    countAll(db),
    db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')).where(sql<boolean>`missing = 1`).executeTakeFirst(),
    db.selectFrom('library_items').select((eb) => eb.fn.countAll<number>().as('n')).where(sql<boolean>`needs_review = 1`).executeTakeFirst(),
    lastChangeMs(db),
  ]);
  return { items, missing: Number(missing?.n ?? 0), needsReview: Number(review?.n ?? 0), lastMs: last };
}

/**
 * What a cached answer is checked against, in one round trip: the last change
 * of any item, and a stamp of the rules (count, highest id, last edit) that
 * moves when any process adds, deletes or edits one.
 */
export async function versionProbe(db: Db): Promise<{ lastMs: number; rulesStamp: string }> {
  const row = await sql<{ m: number | string | null; n: number | string; i: number | string | null; u: string | null }>`select
      (select max(updated_ms) from library_items) as m,
      (select count(*) from scan_rules) as n, (select max(id) from scan_rules) as i, (select max(updated_at) from scan_rules) as u`.execute(db);
  const r = row.rows[0];
  return { lastMs: Number(r?.m ?? 0), rulesStamp: `${r?.n ?? 0}:${r?.i ?? 0}:${r?.u ?? ''}` };
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
  needs_review: number;
}

const countColumns = [
  sql<number>`count(*)`.as('n'),
  sql<number>`sum(case when missing = 0 then 1 else 0 end)`.as('files'),
  sql<number>`sum(case when wanted_count > 0 then 1 else 0 end)`.as('wanted'),
  sql<number>`sum(has_generated)`.as('generated'),
  sql<number>`sum(failed)`.as('failed'),
  sql<number>`sum(missing)`.as('missing'),
  sql<number>`sum(needs_review)`.as('needs_review'),
];

const numbers = <T extends Record<string, unknown>>(r: T): T & CountRow => ({
  ...r,
  n: Number(r.n ?? 0), files: Number(r.files ?? 0), wanted: Number(r.wanted ?? 0), generated: Number(r.generated ?? 0), failed: Number(r.failed ?? 0), missing: Number(r.missing ?? 0),
  needs_review: Number(r.needs_review ?? 0),
});

/** `under`: only items in that folder or below it (the tree of one folder). */
export async function countsByRootAndKind(db: Db, under: string | null = null): Promise<Array<CountRow & { root: string | null; kind: string }>> {
  let qb = db.selectFrom('library_items').select(['root', 'kind', ...countColumns]);
  if (under) qb = inFolder(qb, under);
  const rows = await qb.groupBy(['root', 'kind']).execute();
  return rows.map((r) => numbers(r as unknown as Record<string, unknown> & { root: string | null; kind: string }));
}

export async function countsByShowAndSeason(db: Db, under: string | null = null): Promise<Array<CountRow & { show: string; season: number | null }>> {
  let qb = db.selectFrom('library_items').select(['show', 'season', ...countColumns]);
  if (under) qb = inFolder(qb, under);
  const rows = await qb
    .where('show', 'is not', null)
    .groupBy(['show', 'season'])
    .orderBy('show')
    .orderBy('season')
    .execute();
  return rows.map((r) => numbers(r as unknown as Record<string, unknown> & { show: string; season: number | null }));
}

/** Counts per folder at or below `root`. */
export async function countsByFolderUnder(db: Db, root: string): Promise<Array<CountRow & { folder: string }>> {
  const rows = await inFolder(db.selectFrom('library_items').select(['folder', ...countColumns]), root).groupBy('folder').execute();
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
  /** the job's flag (migration 015): its subtitle scored under quality_review_threshold and nobody accepted it */
  needs_review: boolean;
  /** the quality report's score, 0-100; null before a report exists */
  quality_score: number | null;
}

export interface JobBrief extends LatestJob {
  file_path: string;
  seq: number;
  /** the subtitle the job wrote (completed jobs) */
  output_path: string | null;
}

/** Every library job (job_type transcription) of the given files. */
export async function jobsOfFiles(db: Db, paths: string[]): Promise<JobBrief[]> {
  const out: JobBrief[] = [];
  for (let i = 0; i < paths.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select(['file_path', 'target_lang', 'id', 'status', 'error', 'error_code', 'progress', 'updated_at', 'seq', 'output_path', 'needs_review', 'quality_score'])
      .where('file_path', 'in', paths.slice(i, i + 500))
      .where('job_type', '=', 'transcription')
      .execute();
    for (const r of rows) {
      out.push({
        ...r, progress: Number(r.progress), seq: Number(r.seq), error_code: r.error_code ?? null, output_path: r.output_path ?? null,
        needs_review: Number(r.needs_review) === 1, quality_score: r.quality_score === null || r.quality_score === undefined ? null : Number(r.quality_score),
      });
    }
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

/** A completed job of a file with what its quality report says (the item page). */
export interface JobQualityRow {
  id: string;
  target_lang: string;
  output_path: string | null;
  quality_score: number | null;
  needs_review: boolean;
  review_accepted_at: string | null;
  seq: number;
}

/** The file's completed library jobs, newest first, without their reports (those are read by id: qualityReports). */
export async function completedJobsOf(db: Db, path: string): Promise<JobQualityRow[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'target_lang', 'output_path', 'quality_score', 'needs_review', 'review_accepted_at', 'seq'])
    .where('file_path', '=', path)
    .where('job_type', '=', 'transcription')
    .where('status', '=', 'completed')
    .orderBy('seq', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id, target_lang: r.target_lang, output_path: r.output_path ?? null, review_accepted_at: r.review_accepted_at ?? null, seq: Number(r.seq),
    quality_score: r.quality_score === null || r.quality_score === undefined ? null : Number(r.quality_score), needs_review: Number(r.needs_review) === 1,
  }));
}

/** The stored quality reports (JSON text, as written) of these jobs, by id; a job without one is absent. */
export async function qualityReports(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('jobs').select(['id', 'quality']).where('id', 'in', ids).where('quality', 'is not', null).execute();
  return new Map(rows.map((r) => [r.id, r.quality as string]));
}
