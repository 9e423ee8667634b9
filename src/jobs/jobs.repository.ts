/**
 * The reads of the jobs table, and the insert of a new job. Every change of a
 * job's status is a transition of job-lifecycle.repository.ts.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db, DbKind } from '../db/database.js';
import type { Database, JobRow, JobUpdate, NewJobRow } from '../db/schema.js';
import { LIVE_STATUSES, type JobStatus } from '../job-kinds.js';

export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findLiveJobForFile(db: Db, filePath: string): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('file_path', '=', filePath)
    .where('status', 'in', LIVE_STATUSES)
    .executeTakeFirst();
}

/** Live jobs among the given paths (one query for a whole scan batch). */
export async function liveJobPaths(db: Db, paths: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < paths.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select('file_path')
      .where('file_path', 'in', paths.slice(i, i + 500))
      .where('status', 'in', LIVE_STATUSES)
      .execute();
    for (const r of rows) out.add(r.file_path);
  }
  return out;
}

/**
 * Among the given paths, those whose last completed job found no speech
 * (0 segments, nothing written), with that job's id and when it completed:
 * the scanner does not queue such a file again until it changes.
 */
export async function noSpeechJobs(db: Db, paths: string[]): Promise<Map<string, { id: string; completedMs: number }>> {
  const out = new Map<string, { id: string; completedMs: number }>();
  for (let i = 0; i < paths.length; i += 500) {
    const rows = await db
      .selectFrom('jobs')
      .select(['id', 'file_path', 'completed_at'])
      .where('file_path', 'in', paths.slice(i, i + 500))
      .where('status', '=', 'completed')
      .where('segments_count', '=', 0)
      .where('output_path', 'is', null)
      .execute();
    for (const r of rows) {
      const ms = Date.parse(r.completed_at ?? '') || 0;
      if (ms > (out.get(r.file_path)?.completedMs ?? -1)) out.set(r.file_path, { id: r.id, completedMs: ms });
    }
  }
  return out;
}

/** Inserts a job; `seq` (FIFO order) comes from the database so concurrent processes never share one. */
export async function insertJob(db: Db, kind: DbKind, row: Omit<NewJobRow, 'seq'>): Promise<JobRow> {
  const seq =
    kind === 'postgres'
      ? sql<number>`nextval('jobs_seq_counter')`
      : sql<number>`(select coalesce(max(seq), 0) + 1 from jobs)`;
  await db
    .insertInto('jobs')
    .values({ ...row, seq } as never)
    .execute();
  return (await findJob(db, row.id))!;
}

export interface ListJobsQuery {
  status?: JobStatus;
  limit: number;
  offset: number;
  /** Rows matching the filter, when the caller knows it: deep pages are then read from the other end. */
  total?: number;
}

/**
 * Newest first. OFFSET walks the index from its start, so the last page of
 * 100,000 jobs would step over 99,950 rows; past the middle the same rows are
 * read from the oldest end with a small offset and put back in order.
 */
export async function listJobs(db: Db, q: ListJobsQuery): Promise<JobRow[]> {
  let query = db.selectFrom('jobs').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.total !== undefined && q.offset > q.total / 2) {
    const end = q.total - q.offset; // rows older than the first row of the page
    if (end <= 0) return [];
    const limit = Math.min(q.limit, end);
    const rows = await query.orderBy('seq', 'asc').limit(limit).offset(end - limit).execute();
    return rows.reverse();
  }
  return query.orderBy('seq', 'desc').limit(q.limit).offset(q.offset).execute();
}

/**
 * A value that changes whenever a committed write could change what a read
 * returns, so a result read after it may be reused while it stays the same.
 * SQLite: data_version moves on commits of other connections (worker
 * processes), total_changes() on this connection's own writes (triggers
 * included). PostgreSQL: the current snapshot (xmin:xmax:in-progress xids)
 * is the same only when no transaction has committed or started writing since,
 * anywhere in the cluster; coarse, but exact.
 */
export async function changeVersion(db: Db, kind: DbKind): Promise<string> {
  if (kind === 'postgres') {
    const res = await sql<{ v: string }>`select txid_current_snapshot()::text as v`.execute(db);
    return `pg:${res.rows[0]?.v}`;
  }
  const res = await sql<{ v: number; c: number }>`select (select data_version from pragma_data_version) as v, total_changes() as c`.execute(db);
  const row = res.rows[0];
  return `${row?.v}:${row?.c}`;
}

/** Per-status counts, kept by triggers so this is O(1) however many jobs there are. */
export async function statusCounts(db: Db): Promise<Record<string, number>> {
  // Summed over the counter shards (migration 002): a fixed number of rows per status.
  const rows = await db
    .selectFrom('job_status_counts')
    .select((eb) => ['status', eb.fn.sum<number>('count').as('count')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}

/**
 * Writes fields that are no part of the life cycle (a test's or a tool's
 * fixture): never `status`, which only the transitions of
 * job-lifecycle.repository.ts change.
 */
export async function updateJob(db: Db, id: string, patch: Omit<JobUpdate, 'status'>): Promise<number> {
  const res = await db
    .updateTable('jobs')
    .set({ ...patch, updated_at: new Date().toISOString(), updated_ms: Date.now() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Ids of the jobs in a status, oldest first (bulk actions). */
export async function jobIdsWithStatus(db: Db, status: JobStatus): Promise<string[]> {
  const rows = await db.selectFrom('jobs').select('id').where('status', '=', status).orderBy('seq').execute();
  return rows.map((r) => r.id);
}

export async function deleteJobsWithStatus(db: Db, status: JobStatus): Promise<number> {
  const res = await db.deleteFrom('jobs').where('status', '=', status).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Jobs changed since an epoch-ms mark, oldest change first (the live event stream). */
export async function jobsUpdatedSince(db: Db, sinceMs: number, limit = 200): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('updated_ms', '>', sinceMs).orderBy('updated_ms').limit(limit).execute();
}

export async function recentJobs(db: Db, status: JobStatus, limit: number): Promise<JobRow[]> {
  return db.selectFrom('jobs').selectAll().where('status', '=', status).orderBy('seq', 'desc').limit(limit).execute();
}

// ---- the queue as a tool: search, sort, filters, bulk actions ----

export { JOB_SORTS, type JobSort } from '../job-kinds.js';
import type { JobSort } from '../job-kinds.js';

export interface JobFilter {
  status?: JobStatus;
  /** a part of the path, any case */
  search?: string;
  /** jobs a scan rule created (options.rule_id) */
  ruleId?: number;
  /** an ISO 639-2 code: the audio (source) or the subtitle (target) language */
  language?: string;
  /** the review flag (needs_review): true, only jobs waiting for a person; false, only the others */
  needsReview?: boolean;
}

export interface SortedJobsQuery extends JobFilter {
  sort: JobSort;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** The rule id a job's options carry, as text (JSON differs by dialect; the options are always a JSON object). */
const ruleIdOf = (kind: DbKind) =>
  kind === 'postgres' ? sql<string>`(options::jsonb ->> 'rule_id')` : sql<string>`cast(json_extract(options, '$.rule_id') as text)`;

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(kind: DbKind, f: JobFilter) {
  return (eb: ExpressionBuilder<Database, 'jobs'>): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [];
    if (f.status) parts.push(eb('status', '=', f.status));
    if (f.search) parts.push(sql<SqlBool>`lower(file_path) like ${likePattern(f.search)} escape '\\'`);
    if (f.ruleId !== undefined) parts.push(eb.and([eb('options', 'is not', null), sql<SqlBool>`${ruleIdOf(kind)} = ${String(f.ruleId)}`]));
    if (f.language) parts.push(eb.or([eb('source_lang', '=', f.language), eb('target_lang', '=', f.language)]));
    if (f.needsReview !== undefined) parts.push(eb('needs_review', '=', f.needsReview ? 1 : 0));
    return eb.and(parts);
  };
}

/** Running first, then waiting, then the ends: the order a person reads a queue in. */
const STATUS_RANK = sql<number>`case status when 'processing' then 0 when 'queued' then 1 when 'failed' then 2 when 'cancelled' then 3 else 4 end`;

/** A page of jobs matching the filter in the asked order (the contract's plain listing is listJobs). */
export async function listSortedJobs(db: Db, kind: DbKind, q: SortedJobsQuery): Promise<JobRow[]> {
  let query = db.selectFrom('jobs').selectAll().where(filtered(kind, q));
  const dir = q.order;
  const flip = dir === 'asc' ? 'desc' : 'asc';
  if (q.sort === 'priority') query = query.orderBy('priority', dir).orderBy('seq', flip); // desc: what runs next first
  else if (q.sort === 'status') query = query.orderBy(STATUS_RANK, dir === 'desc' ? 'asc' : 'desc').orderBy('seq', 'desc');
  else query = query.orderBy('seq', dir);
  return query.limit(q.limit).offset(q.offset).execute();
}

export async function countJobs(db: Db, kind: DbKind, f: JobFilter): Promise<number> {
  const row = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where(filtered(kind, f)).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function findJobs(db: Db, ids: string[]): Promise<JobRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('jobs').selectAll().where('id', 'in', ids).execute();
}

/** Removes one finished job (its timeline goes with it); false when it is live or gone. */
export async function deleteFinishedJob(db: Db, id: string): Promise<boolean> {
  const res = await db.deleteFrom('jobs').where('id', '=', id).where('status', 'not in', LIVE_STATUSES).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}
