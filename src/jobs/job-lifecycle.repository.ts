/**
 * The life cycle of a job: the one module that writes `jobs.status`. Every
 * change of state is one transition below, one guarded UPDATE with its own
 * set of fields; callers (the jobs API, the job runner, the worker
 * supervisor, the provider) ask for a transition and never write a status.
 * The guard is what makes a cancel or a lease take-over win over a late
 * worker: a write for a job that is no longer in an allowed status, or no
 * longer held by the writer, changes nothing and returns false / null.
 *
 *   transition     from (ALLOWED_FROM)   guard              to          sets                               resets
 *   ------------   -------------------   ----------------   ---------   --------------------------------   ----------------------------------
 *   claim          queued                not_before passed  processing  worker_id, lease, started_at,      completed_at, eta, error, error_code
 *                                        + affinity, cap                progress 0, stage 'claimed', node
 *   extendLease    processing            worker_id = me     -           lease_expires_at (no updated_ms)   -
 *   progress       processing            worker_id = me     -           stage, progress, eta               -
 *   complete       processing            worker_id = me     completed   progress 100, stage 'completed',   lease, eta, error, error_code
 *                                                                       completed_at, outputs, result,
 *                                                                       source_lang when it was unknown,
 *                                                                       quality, quality_score, needs_review
 *   fail           processing            worker_id = me     failed      error, error_code, completed_at,   lease, eta (retry_count kept)
 *                                                                       processing_time, stage 'failed'
 *   retry          processing            worker_id = me     queued      error, error_code, retry_count+1,  worker_id, lease, started_at,
 *                                                                       not_before = now + back-off        progress, stage, eta
 *                  past max_retries it is `fail` instead, with retry_count + 1
 *   handBack       processing            worker_id = me     queued      -                                  worker_id, lease, started_at, not_before,
 *                  (stop, full database) (or in a list)                                                    progress, stage, eta (no attempt counted)
 *   cancel         queued, processing    (queued only for   cancelled   cancel_requested 1, completed_at,  lease, eta
 *                                        an abandoned                   stage 'cancelled',
 *                                        provider request)              error = reason when given
 *   recoverExpired processing            lease < now        as retry, error_code worker_lost; past max_retries as fail
 *   expireLeasesOf processing            worker_id in dead  (the same: the worker is known dead, its lease is over now)
 *   requeue        failed                -                  queued      retry_count + 1, max_retries + 1,  error, error_code, not_before,
 *                                                                       quality_preset when asked          worker_id, lease, started_at, completed_at,
 *                                                                                                          progress, stage, eta, cancel_requested,
 *                                                                                                          output_path
 *
 * Every transition but extendLease stamps updated_at / updated_ms (the live
 * event stream); a heartbeat is no event. Job creation is an insert
 * (jobs.repository.ts), deletion is no transition either.
 *
 * The final stage is the end itself ('completed', 'failed', 'cancelled'):
 * the stage an attempt had reached when it ended is kept in its timeline
 * event. A retry by hand counts as an attempt (retry_count + 1) without
 * using up one of the automatic ones (max_retries + 1).
 *
 * Each transition that changed a job records what happened in the job's
 * timeline (job-events.repository.ts): claimed by which worker on which
 * node, each new stage, each failed attempt with its reason and stage, a
 * retry by hand with the reason the last attempt failed, the end. A
 * transition and its events are one write: on PostgreSQL claim and complete
 * (the queue's hot path) are one statement each, the update in a CTE and the
 * events inserted from its RETURNING; every other transition, and all of them
 * on SQLite, is one transaction (`inWrite`: one write lock, one commit, where
 * an insert after the update had cost SQLite a second lock and commit per
 * step). A stage event only when the stage changes.
 *
 * A job that goes back to the queue at once (hand back, requeue, a lost
 * worker's job without back-off) or that a cancel ends is announced
 * (job-signals.ts), so idle workers and waiting requests look now. The ends
 * a worker writes (complete, fail, retry) are announced by the worker
 * (job-runner.ts): bench:queue measures the transitions alone.
 */
import { PostgresAdapter, sql, type Expression, type ExpressionBuilder, type SqlBool, type UpdateObject } from 'kysely';
import type { Db, DbKind } from '../db/database.js';
import type { Database, JobRow } from '../db/schema.js';
import type { ErrorCode } from '../error-codes.js';
import { LIVE_STATUSES, type JobStatus } from '../job-kinds.js';
import { EVENT_COLUMNS, eventSelection, insertEvents, insertEventsQuery, type NewJobEvent } from './job-events.repository.js';
import type { QualityReport } from '../transcription/quality/types.js';
import type { QualityPreset } from '../quality-presets.js';
import { qualityRetryEvents } from './job-timeline.js';
import { announce } from './job-signals.js';

/** From which statuses each transition is allowed: the guards below read it, the tests walk it. */
export const ALLOWED_FROM = {
  claim: ['queued'],
  extendLease: ['processing'],
  progress: ['processing'],
  complete: ['processing'],
  fail: ['processing'],
  retry: ['processing'],
  handBack: ['processing'],
  cancel: LIVE_STATUSES,
  recoverExpired: ['processing'],
  requeue: ['failed'],
} as const satisfies Record<string, readonly JobStatus[]>;

export type Transition = keyof typeof ALLOWED_FROM;

type Guard = (eb: ExpressionBuilder<Database, 'jobs'>) => Expression<SqlBool>;
type JobSet = UpdateObject<Database, 'jobs'>;

/**
 * How long a job waits before its next attempt: the base delay
 * (job_retry_backoff_seconds) doubled for each attempt already made. The one
 * back-off formula: `retry` and lease recovery both use it.
 */
export function retryDelayMs(baseMs: number, retryCount: number): number {
  return Math.max(0, baseMs) * 2 ** Math.max(0, retryCount);
}

// ---- the field sets, each written once ----

/** What a job drops when it goes back to the queue (retry, hand back, lease recovery, requeue). */
const BACK_IN_QUEUE = {
  status: 'queued', worker_id: null, lease_expires_at: null, started_at: null, progress: 0, current_stage: null, eta_seconds: null,
} as const satisfies JobSet;

/** What every end (complete, fail, cancel) sets: no lease, no ETA, an end time. */
const ended = (now: number) => ({ completed_at: new Date(now).toISOString(), lease_expires_at: null, eta_seconds: null }) satisfies JobSet;

const stamp = (now: number) => ({ updated_at: new Date(now).toISOString(), updated_ms: now });

export interface Failure {
  error: string;
  errorCode: ErrorCode;
  /** how long the attempt ran; null when nobody measured it (a lost worker) */
  processingTimeSeconds?: number | null;
  /** the stage the attempt had reached, as its worker knows it (progress writes are throttled); else the job's last written stage */
  stage?: string | null;
}

const failedFields = (f: Failure, now: number) =>
  ({ status: 'failed', ...ended(now), current_stage: 'failed', error: f.error, error_code: f.errorCode, processing_time_seconds: f.processingTimeSeconds ?? null }) satisfies JobSet;

// ---- guards ----

const allowed = (t: Transition): Guard => (eb) => eb('status', 'in', ALLOWED_FROM[t]);
const byId = (id: string, t: Transition): Guard => (eb) => eb.and([eb('id', '=', id), allowed(t)(eb)]);
/** Still this worker's job: not cancelled, not taken back by lease recovery. */
const heldBy = (id: string, workerId: string, t: Transition): Guard => (eb) => eb.and([byId(id, t)(eb), eb('worker_id', '=', workerId)]);

async function apply(db: Db, guard: Guard, set: JobSet, now = Date.now()): Promise<number> {
  const res = await db.updateTable('jobs').set({ ...set, ...stamp(now) }).where(guard).executeTakeFirst();
  return Number(res.numUpdatedRows);
}

const isPostgres = (db: Db) => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * Runs a transition's reads, its update and its events as one write
 * transaction, so a job never changes without its timeline (nor the
 * reverse). SQLite: BEGIN IMMEDIATE takes the write lock before the first
 * read, so the transaction never has to upgrade a read lock, which SQLite
 * refuses at once (SQLITE_BUSY) instead of waiting while another process
 * writes. Inside a caller's transaction it simply runs in it.
 */
async function inWrite<T>(db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  if (isPostgres(db)) return db.transaction().execute(fn);
  return db.connection().execute(async (c) => {
    await sql`begin immediate`.execute(c);
    try {
      const out = await fn(c);
      await sql`commit`.execute(c);
      return out;
    } catch (e) {
      // A failed statement may have ended the transaction already (SQLITE_FULL does).
      await sql`rollback`.execute(c).catch(() => {});
      throw e;
    }
  });
}

// ---- claim and lease ----

export interface ClaimOptions {
  workerId: string;
  leaseMs: number;
  now?: number;
  /** only jobs of these types (the types this worker has handlers for); all types when absent */
  jobTypes?: readonly string[];
  /** this worker's node: jobs bound to another node are skipped */
  node?: string;
  /** with `node`: claim nothing while this many jobs already run on the node (concurrent_transcriptions) */
  maxRunningOnNode?: number;
}

/**
 * Claims the next job: the highest priority first, FIFO within one. A claim
 * is one statement, so no job is claimed twice: SQLite serializes writers,
 * PostgreSQL skips rows another claimer has locked (FOR UPDATE SKIP LOCKED).
 */
export async function claim(db: Db, kind: DbKind, opts: ClaimOptions): Promise<JobRow | undefined> {
  const now = opts.now ?? Date.now();
  const { jobTypes, node, maxRunningOnNode } = opts;
  const next = db
    .selectFrom('jobs')
    .select('id')
    .where(allowed('claim'))
    .where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', now)]))
    .$if(!!jobTypes, (q) => q.where((eb) => (jobTypes!.length ? eb('job_type', 'in', [...jobTypes!]) : sql<SqlBool>`1 = 0`)))
    .$if(!!node, (q) => q.where((eb) => eb.or([eb('node_affinity', 'is', null), eb('node_affinity', '=', node!)])))
    .$if(!!node && !!maxRunningOnNode, (q) =>
      q.where((eb) =>
        eb(
          eb
            .selectFrom('jobs as r')
            .innerJoin('workers as w', 'w.worker_id', 'r.worker_id')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('r.status', '=', 'processing')
            .where('w.node', '=', node!),
          '<',
          maxRunningOnNode!,
        ),
      ),
    )
    .orderBy('priority', 'desc')
    .orderBy('seq', 'asc')
    .limit(1)
    .$if(kind === 'postgres', (q) => q.forUpdate().skipLocked());
  const update = db
    .updateTable('jobs')
    .set({
      status: 'processing',
      worker_id: opts.workerId,
      lease_expires_at: now + opts.leaseMs,
      started_at: new Date(now).toISOString(),
      completed_at: null,
      progress: 0,
      current_stage: 'claimed',
      eta_seconds: null,
      error: null,
      error_code: null,
      // which machine ran it (the job details show it)
      ...(node ? { node } : {}),
      ...stamp(now),
    })
    .where('id', '=', next)
    .returningAll();
  const claimed = (attempt: number | null): Omit<NewJobEvent, 'jobId'> => ({
    kind: 'claimed', atMs: now, stage: 'claimed', workerId: opts.workerId, node: node ?? null,
    message: `Claimed by worker ${opts.workerId}${node ? ` on node ${node}` : ''}${attempt ? ` (attempt ${attempt})` : ''}`,
    data: attempt ? { attempt } : null,
  });
  if (kind === 'postgres') {
    // The claim and its event in one statement: a claim is the queue's hot path, and a round trip is most of its cost.
    const pre = claimed(null);
    return db
      .with('c', () => update)
      .with('e', (qc) =>
        qc
          .insertInto('job_events')
          .columns([...EVENT_COLUMNS])
          .expression((eb) =>
            eb.selectFrom('c').select((s) => {
              const [kindCol, at, stage, worker, nodeCol, code] = eventSelection(pre);
              const attempt = sql<string>`cast(${s.ref('c.retry_count')} + 1 as text)`;
              return [
                s.ref('c.id').as('job_id'), kindCol, at, stage, worker, nodeCol, code,
                sql<string>`cast(${pre.message} as text) || ' (attempt ' || ${attempt} || ')'`.as('message'),
                sql<string>`'{"attempt":' || ${attempt} || '}'`.as('data'),
              ];
            }),
          ),
      )
      .selectFrom('c')
      .selectAll()
      .executeTakeFirst() as Promise<JobRow | undefined>;
  }
  // SQLite: the claim and its event in one write transaction, the claim compiled before it
  // begins: other processes wait for the write lock only while the statements run.
  const compiled = update.compile();
  return inWrite(db, async (c) => {
    const row = (await c.executeQuery(compiled)).rows[0] as JobRow | undefined;
    if (row) await insertEvents(c, [{ jobId: row.id, ...claimed(row.retry_count + 1) }]);
    return row;
  });
}

/** Extends the lease of a job the worker still holds; false when it lost it (cancelled, taken back). */
export async function extendLease(db: Db, jobId: string, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now + leaseMs })
    .where(heldBy(jobId, workerId, 'extendLease'))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** True while the job is still this worker's and nobody asked to cancel it. */
export async function isHeld(db: Db, jobId: string, workerId: string): Promise<boolean> {
  const row = await db.selectFrom('jobs').select('cancel_requested').where(heldBy(jobId, workerId, 'progress')).executeTakeFirst();
  return !!row && !row.cancel_requested;
}

// ---- a held job ----

export interface Progress {
  stage: string;
  progress: number;
  etaSeconds: number | null;
}

/** Progress of a held job; false when the worker lost it. */
export async function progress(db: Db, jobId: string, workerId: string, p: Progress): Promise<boolean> {
  const now = Date.now();
  const guard = heldBy(jobId, workerId, 'progress');
  return inWrite(db, async (db) => {
    // A new stage is one event: inserted from the row itself, and only when its stage differs.
    await db
      .insertInto('job_events')
      .columns(['job_id', 'kind', 'at_ms', 'stage', 'worker_id'])
      .expression(
        db
          .selectFrom('jobs')
          .select((eb) => ['id', sql<string>`'stage'`.as('kind'), sql<number>`cast(${now} as bigint)`.as('at_ms'), sql<string>`cast(${p.stage} as text)`.as('stage'), eb.ref('worker_id').as('worker_id')])
          .where(guard)
          .where((eb) => eb.or([eb('current_stage', 'is', null), eb('current_stage', '!=', p.stage)])),
      )
      .execute();
    return (await apply(db, guard, { current_stage: p.stage, progress: p.progress, eta_seconds: p.etaSeconds }, now)) === 1;
  });
}

/** What a finished attempt produced (a handler's outcome and its run time). */
export interface Completion {
  output_path?: string | null;
  segments_count?: number | null;
  model_used?: string | null;
  device_used?: string | null;
  vram_used_mb?: number | null;
  /** the detected language: kept only when the job had none */
  source_lang?: string | null;
  /** JSON-serialisable result kept on the job (provider answers) */
  result?: unknown;
  /**
   * The subtitle's quality report (transcription jobs): kept as jobs.quality,
   * its score and review flag in their own columns (the list filters and
   * counts read those), each re-decode in the timeline. Absent or null: the
   * job has no report (provider requests, remote engines without one).
   */
  quality?: QualityReport | null;
  processing_time_seconds: number;
}

/** The held job is done; false when it was cancelled or taken back meanwhile (the cancel wins). */
export async function complete(db: Db, jobId: string, workerId: string, c: Completion): Promise<boolean> {
  const now = Date.now();
  const set: JobSet = {
    status: 'completed',
    ...ended(now),
    progress: 100,
    current_stage: 'completed',
    error: null,
    error_code: null,
    output_path: c.output_path ?? null,
    segments_count: c.segments_count ?? null,
    processing_time_seconds: c.processing_time_seconds,
    model_used: c.model_used ?? null,
    device_used: c.device_used ?? null,
    vram_used_mb: c.vram_used_mb ?? null,
    ...(c.source_lang ? { source_lang: sql<string>`coalesce(source_lang, ${c.source_lang})` } : {}),
    ...(c.result !== undefined ? { result: JSON.stringify(c.result) } : {}),
    quality: c.quality ? JSON.stringify(c.quality) : null,
    quality_score: c.quality ? c.quality.score : null,
    needs_review: c.quality?.needs_review ? 1 : 0,
  };
  const completed: Omit<NewJobEvent, 'jobId'> = {
    kind: 'completed', atMs: now, workerId,
    message: c.output_path ? `Completed: wrote ${c.output_path}` : c.segments_count === 0 ? 'Completed: no speech found, no subtitle written' : 'Completed',
    data: {
      output_path: c.output_path ?? null, segments_count: c.segments_count ?? null, model_used: c.model_used ?? null, device_used: c.device_used ?? null,
      processing_time_seconds: c.processing_time_seconds, quality_score: c.quality?.score ?? null, needs_review: !!c.quality?.needs_review,
    },
  };
  // The re-decodes happened before the end, so they come before it in the timeline.
  const events = [...(c.quality ? qualityRetryEvents(c.quality, { atMs: now, workerId }) : []), completed];
  return (await applyWithEvents(db, jobId, heldBy(jobId, workerId, 'complete'), set, now, events)) === 1;
}

/**
 * A transition and its events, in their order. PostgreSQL: one statement (the
 * update in a CTE, the events inserted from its RETURNING, one SELECT each
 * joined by UNION ALL), so the events cost no round trip; SQLite: one
 * write transaction. Returns the jobs updated (0 or 1).
 */
async function applyWithEvents(db: Db, jobId: string, guard: Guard, set: JobSet, now: number, events: Array<Omit<NewJobEvent, 'jobId'>>): Promise<number> {
  if (isPostgres(db)) {
    const rows = await db
      .with('u', (qc) => qc.updateTable('jobs').set({ ...set, ...stamp(now) }).where(guard).returning('id'))
      .with('e', (qc) =>
        qc
          .insertInto('job_events')
          .columns([...EVENT_COLUMNS])
          .expression((eb) => {
            const one = (e: Omit<NewJobEvent, 'jobId'>) => eb.selectFrom('u').select((s) => [s.ref('u.id').as('job_id'), ...eventSelection(e)]);
            return events.slice(1).reduce((q, e) => q.unionAll(one(e)), one(events[0]!));
          }),
      )
      .selectFrom('u')
      .select('id')
      .execute();
    return rows.length;
  }
  // Compiled before the transaction begins, so the write lock is held only while they run.
  const update = db.updateTable('jobs').set({ ...set, ...stamp(now) }).where(guard).compile();
  const insert = insertEventsQuery(db, events.map((e) => ({ jobId, ...e }))).compile();
  return inWrite(db, async (c) => {
    const n = Number((await c.executeQuery(update)).numAffectedRows ?? 0);
    if (n > 0) await c.executeQuery(insert);
    return n;
  });
}

/** The held job failed for good (the input, the configuration): no further attempt. */
export async function fail(db: Db, jobId: string, workerId: string, f: Failure): Promise<boolean> {
  const now = Date.now();
  const guard = heldBy(jobId, workerId, 'fail');
  return inWrite(db, async (db) => {
    const row = await db.selectFrom('jobs').select(['current_stage', 'retry_count']).where(guard).executeTakeFirst();
    if (!row || (await apply(db, guard, failedFields(f, now), now)) !== 1) return false;
    await insertEvents(db, [attemptFailed(jobId, { ...row, worker_id: workerId }, f, now, null)]);
    return true;
  });
}

/** The timeline event of an attempt that failed: why, in which stage, and what comes next (null: nothing, the job failed). */
function attemptFailed(
  jobId: string,
  row: Pick<JobRow, 'current_stage' | 'retry_count' | 'worker_id'>,
  f: Failure,
  now: number,
  nextAttemptMs: number | null,
) {
  const attempt = row.retry_count + 1;
  const retried = nextAttemptMs !== null;
  return {
    jobId, kind: retried ? ('retry_scheduled' as const) : ('failed' as const), atMs: now, stage: f.stage ?? row.current_stage, workerId: row.worker_id,
    errorCode: f.errorCode, message: f.error,
    data: { attempt, ...(retried ? { next_attempt_at: new Date(nextAttemptMs).toISOString() } : {}), processing_time_seconds: f.processingTimeSeconds ?? null },
  };
}

/**
 * Back to the queue after the back-off, or failed once the attempts are used
 * up: the one decision behind `retry` and lease recovery. The update is
 * guarded by the retry_count it read, so two deciders cannot both count.
 * Runs inside the caller's write transaction (inWrite).
 */
async function retryOrFail(
  db: Db,
  guard: Guard,
  row: Pick<JobRow, 'id' | 'retry_count' | 'max_retries' | 'current_stage' | 'worker_id'>,
  f: Failure,
  backoffBaseMs: number,
  now: number,
): Promise<'queued' | 'failed' | null> {
  const attempts = row.retry_count + 1;
  const giveUp = attempts > row.max_retries;
  const notBefore = now + retryDelayMs(backoffBaseMs, row.retry_count);
  const set: JobSet = giveUp
    ? { ...failedFields(f, now), retry_count: attempts }
    : { ...BACK_IN_QUEUE, error: f.error, error_code: f.errorCode, retry_count: attempts, not_before: notBefore };
  const n = await apply(db, (eb) => eb.and([guard(eb), eb('retry_count', '=', row.retry_count)]), set, now);
  if (n !== 1) return null;
  await insertEvents(db, [attemptFailed(row.id, row, f, now, giveUp ? null : notBefore)]);
  return giveUp ? 'failed' : 'queued';
}

/**
 * The held job failed in a way another attempt may fix: queued again after
 * retryDelayMs (error and error_code stay visible meanwhile), or failed when
 * it used up max_retries. Null when the worker no longer held it.
 */
export async function retry(db: Db, jobId: string, workerId: string, f: Failure & { backoffBaseMs: number }): Promise<'queued' | 'failed' | null> {
  const guard = heldBy(jobId, workerId, 'retry');
  return inWrite(db, async (db) => {
    const row = await db.selectFrom('jobs').select(['id', 'retry_count', 'max_retries', 'current_stage', 'worker_id']).where(guard).executeTakeFirst();
    if (!row) return null;
    return retryOrFail(db, guard, row, f, f.backoffBaseMs, Date.now());
  });
}

const handBackFields = { ...BACK_IN_QUEUE, not_before: null } as const satisfies JobSet;

/**
 * The worker is stopping, or cannot record the job (a full database): its
 * job goes back to the queue at once, no attempt counted. `reason` says why
 * in the timeline (default: the worker stopped).
 */
export async function handBack(db: Db, jobId: string, workerId: string, opts: { reason?: string } = {}): Promise<boolean> {
  const now = Date.now();
  return inWrite(db, async (db) => {
    const row = await db.selectFrom('jobs').select('current_stage').where(heldBy(jobId, workerId, 'handBack')).executeTakeFirst();
    if (!row || (await apply(db, heldBy(jobId, workerId, 'handBack'), handBackFields, now)) !== 1) return false;
    await insertEvents(db, [handedBack(jobId, workerId, row.current_stage, now, opts.reason)]);
    return true;
  }).then(queuedIf(db));
}

/** After a transition that put jobs back in the queue (true, or a count over 0): idle workers look now. */
const queuedIf = (db: Db) => async <T extends boolean | number>(changed: T): Promise<T> => {
  if (changed) await announce(db, { kind: 'queued' });
  return changed;
};

const handedBack = (jobId: string, workerId: string | null, stage: string | null, now: number, reason?: string) => ({
  jobId, kind: 'handed_back' as const, atMs: now, stage, workerId,
  message: `Handed back to the queue: ${reason ?? `worker ${workerId ?? '?'} stopped`} (no attempt counted)`,
});

/** Every job held by these workers back to the queue, no attempt counted (workers stopped or killed on purpose). */
export async function handBackJobsOf(db: Db, workerIds: string[]): Promise<number> {
  if (!workerIds.length) return 0;
  const now = Date.now();
  const which: Guard = (eb) => eb.and([allowed('handBack')(eb), eb('worker_id', 'in', workerIds)]);
  return inWrite(db, async (db) => {
    const held = await db.selectFrom('jobs').select(['id', 'worker_id', 'current_stage']).where(which).execute();
    if (!held.length) return 0;
    const back = await db
      .updateTable('jobs')
      .set({ ...handBackFields, ...stamp(now) })
      .where((eb) => eb.and([which(eb), eb('id', 'in', held.map((r) => r.id))]))
      .returning('id')
      .execute();
    const done = new Set(back.map((r) => r.id));
    await insertEvents(db, held.filter((r) => done.has(r.id)).map((r) => handedBack(r.id, r.worker_id, r.current_stage, now)));
    return back.length;
  }).then(queuedIf(db));
}

// ---- lost workers ----

/** Jobs whose worker is gone: each retried (worker_lost) or failed after max_retries. */
async function loseJobs(db: Db, which: Guard, why: string, backoffMs: number, now: number): Promise<{ requeued: number; failed: number }> {
  const rows = await db.selectFrom('jobs').select(['id', 'retry_count', 'max_retries', 'error', 'worker_id', 'current_stage']).where(which).execute();
  let requeued = 0;
  let failed = 0;
  for (const row of rows) {
    const error = `worker ${row.worker_id ?? '?'} ${why}` + (row.error ? `; last error: ${row.error}` : '');
    const to = await inWrite(db, (c) => retryOrFail(c, (eb) => eb.and([which(eb), eb('id', '=', row.id)]), row, { error, errorCode: 'worker_lost' }, backoffMs, now));
    if (to === 'queued') requeued++;
    else if (to === 'failed') failed++;
  }
  // Without a back-off (a node's own dead workers at its start) the jobs can run now.
  if (requeued && backoffMs <= 0) await announce(db, { kind: 'queued' });
  return { requeued, failed };
}

/**
 * Takes back jobs whose lease ran out (their worker stopped responding):
 * retry_count + 1, back to the queue after the back-off, or failed with the
 * last error after max_retries. Idempotent: every node may run it.
 */
export async function recoverExpired(db: Db, opts: { now?: number; backoffMs: number }): Promise<{ requeued: number; failed: number }> {
  const now = opts.now ?? Date.now();
  return loseJobs(db, (eb) => eb.and([allowed('recoverExpired')(eb), eb('lease_expires_at', '<', now)]), 'stopped responding (lease expired)', opts.backoffMs, now);
}

/** The workers are known dead (their process exited): their jobs are lost now, as if their leases had run out. */
export async function expireLeasesOf(db: Db, workerIds: string[], opts: { now?: number; backoffMs: number }): Promise<{ requeued: number; failed: number }> {
  if (!workerIds.length) return { requeued: 0, failed: 0 };
  const now = opts.now ?? Date.now();
  return loseJobs(db, (eb) => eb.and([allowed('recoverExpired')(eb), eb('worker_id', 'in', workerIds)]), 'died', opts.backoffMs, now);
}

// ---- the API and the provider ----

/**
 * Cancels a live job. A processing job is marked too (cancel_requested), so
 * its worker stops within seconds and writes nothing more. `onlyQueued`: only
 * while no worker has taken it (a provider request whose client left).
 */
export async function cancel(db: Db, jobId: string, opts: { reason?: string; onlyQueued?: boolean } = {}): Promise<boolean> {
  const now = Date.now();
  const guard: Guard = opts.onlyQueued ? (eb) => eb.and([eb('id', '=', jobId), eb('status', '=', 'queued')]) : byId(jobId, 'cancel');
  return inWrite(db, async (db) => {
    const row = await db.selectFrom('jobs').select(['status', 'current_stage', 'worker_id']).where(guard).executeTakeFirst();
    if (!row) return false;
    const set: JobSet = { status: 'cancelled', ...ended(now), current_stage: 'cancelled', cancel_requested: 1, ...(opts.reason !== undefined ? { error: opts.reason } : {}) };
    if ((await apply(db, guard, set, now)) !== 1) return false;
    const running = row.status === 'processing';
    await insertEvents(db, [{
      jobId, kind: 'cancelled', atMs: now, stage: running ? row.current_stage : null, workerId: running ? row.worker_id : null,
      message: opts.reason ?? (running ? `Cancelled while running on worker ${row.worker_id ?? '?'}` : 'Cancelled while queued'),
      data: { was: row.status },
    }]);
    return true;
  }).then(async (ended) => {
    if (ended) await announce(db, { kind: 'ended', jobId });
    return ended;
  });
}

/**
 * A failed job queued again by hand (POST /api/jobs/{id}/retry, the bulk
 * actions): its error is cleared from the job, and kept in the timeline's
 * event with who asked. The retry counts (retry_count + 1) and brings its own
 * attempt (max_retries + 1), so the automatic retries stay as many as before.
 */
export async function requeue(db: Db, jobId: string, opts: { by?: string; qualityPreset?: QualityPreset } = {}): Promise<boolean> {
  const now = Date.now();
  return inWrite(db, async (db) => {
    const row = await db.selectFrom('jobs').select(['error', 'error_code', 'retry_count', 'quality_preset']).where(byId(jobId, 'requeue')).executeTakeFirst();
    if (!row) return false;
    // Another preset for the new attempt (a failed "best" tried again with "fast"): kept on the job, said in its timeline.
    const preset = opts.qualityPreset && opts.qualityPreset !== row.quality_preset ? opts.qualityPreset : null;
    const set: JobSet = {
      ...handBackFields, error: null, error_code: null, completed_at: null, cancel_requested: 0, output_path: null,
      retry_count: sql<number>`retry_count + 1`, max_retries: sql<number>`max_retries + 1`,
      ...(preset ? { quality_preset: preset } : {}),
    };
    if ((await apply(db, (eb) => eb.and([byId(jobId, 'requeue')(eb), eb('retry_count', '=', row.retry_count)]), set, now)) !== 1) return false;
    await insertEvents(db, [{
      jobId, kind: 'requeued', atMs: now, errorCode: row.error_code,
      message: `Retried by ${opts.by ?? 'a user'}${preset ? ` with the ${preset} preset (was ${row.quality_preset})` : ''}${row.error ? `; the last attempt had failed: ${row.error}` : ''}`,
      data: {
        retry: row.retry_count + 1, previous_error: row.error, previous_error_code: row.error_code, by: opts.by ?? 'user',
        ...(preset ? { quality_preset: preset, previous_quality_preset: row.quality_preset } : {}),
      },
    }]);
    return true;
  }).then(queuedIf(db));
}
