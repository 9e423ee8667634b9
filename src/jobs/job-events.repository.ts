/**
 * The timeline of a job (table job_events, migration 013): one small insert
 * per thing that happened to it. Written only from the job's creation
 * (jobs.service.ts `create`), the transitions of job-lifecycle.repository.ts
 * and a review's Accept (job-quality.repository.ts), so every path that
 * changes a job records,
 * whoever asked for it (scanner, webhooks, provider, the API, a worker, the
 * supervisor). The rows are deleted with their job (ON DELETE CASCADE).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { JobEventRow } from '../db/schema.js';
import { announce } from './job-signals.js';

export const JOB_EVENT_KINDS = [
  'created', 'claimed', 'stage', 'completed', 'failed', 'retry_scheduled', 'handed_back', 'cancelled', 'requeued',
  // a flagged segment decoded once more (one per attempt of the quality report), and a person accepting a subtitle that needed review
  'quality_retry', 'review_accepted',
] as const;
type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

export interface NewJobEvent {
  jobId: string;
  kind: JobEventKind;
  atMs?: number;
  stage?: string | null;
  workerId?: string | null;
  node?: string | null;
  errorCode?: string | null;
  message?: string | null;
  data?: Record<string, unknown> | null;
}

const toRow = (e: NewJobEvent) => ({
  job_id: e.jobId,
  kind: e.kind,
  at_ms: e.atMs ?? Date.now(),
  stage: e.stage ?? null,
  worker_id: e.workerId ?? null,
  node: e.node ?? null,
  error_code: e.errorCode ?? null,
  message: e.message ?? null,
  data: e.data ? JSON.stringify(e.data) : null,
});

/**
 * Inserts events, one statement for all of them, and fails when the insert
 * does: for a transition's own write transaction, where the job's row is
 * already updated (so locked, and not deletable) and an event that cannot be
 * written must undo the transition rather than leave it without its timeline.
 */
export async function insertEvents(db: Db, events: NewJobEvent[]): Promise<void> {
  if (events.length) await insertEventsQuery(db, events).execute();
}

/** The insert of `events` (at least one), to compile ahead of a transaction. */
export const insertEventsQuery = (db: Db, events: NewJobEvent[]) => db.insertInto('job_events').values(events.map(toRow));

/**
 * Records events outside a transition; a failed insert (the job deleted
 * meanwhile) never fails what caused it. A job's creation wakes the idle
 * workers (job-signals.ts) once its 'created' event is written, so a worker's
 * 'claimed' never comes before it in the timeline.
 */
export async function recordEvents(db: Db, events: NewJobEvent[]): Promise<void> {
  try {
    await insertEvents(db, events);
  } catch {
    // The job is gone (removed while its worker finished): there is no timeline left to write to.
  }
  if (events.some((e) => e.kind === 'created')) await announce(db, { kind: 'queued' });
}

export const recordEvent = (db: Db, e: NewJobEvent): Promise<void> => recordEvents(db, [e]);

/** A job's events, oldest first. */
export async function listEvents(db: Db, jobId: string, limit = 1000): Promise<JobEventRow[]> {
  return db.selectFrom('job_events').selectAll().where('job_id', '=', jobId).orderBy('id', 'asc').limit(limit).execute();
}

/** The columns an event is inserted with from a SELECT (see eventSelection). */
export const EVENT_COLUMNS = ['job_id', 'kind', 'at_ms', 'stage', 'worker_id', 'node', 'error_code', 'message', 'data'] as const;

/**
 * An event's values (all but job_id) as select-list expressions, each cast
 * so PostgreSQL knows the type of its parameter: for an insert fed by a
 * SELECT over the row a transition just wrote (one statement, one round trip).
 */
export function eventSelection(e: Omit<NewJobEvent, 'jobId'>) {
  const r = toRow({ ...e, jobId: '' });
  const text = (v: string | null, as: string) => sql<string | null>`cast(${v} as text)`.as(as);
  return [
    text(r.kind, 'kind'), sql<number>`cast(${r.at_ms} as bigint)`.as('at_ms'), text(r.stage, 'stage'), text(r.worker_id, 'worker_id'),
    text(r.node, 'node'), text(r.error_code, 'error_code'), text(r.message, 'message'), text(r.data, 'data'),
  ] as const;
}
