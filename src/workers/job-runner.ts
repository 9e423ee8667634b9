/**
 * Runs one claimed job inside a worker process: checks its options against
 * its job type's schema, dispatches it to the handler for its job_type,
 * writes progress (throttled, progress-writer.ts), watches for cancel, and
 * asks the job life cycle for the outcome's transition. Every write is guarded
 * by "still processing and still mine", so a cancel or a lease take-over
 * always wins over a late worker. The end of a job is announced
 * (jobs/job-signals.ts): a request waiting for it answers now, not at its
 * next poll; a job handed back wakes the idle workers.
 */
import { removeGeneratedSubtitle } from '../transcription/index.js';
import type { Logger } from 'pino';
import { appError } from '../errors.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { Static, TSchema } from '@fastify/type-provider-typebox';
import { Value } from 'typebox/value';
import type { JobOutcome, JobProgress } from '../core/job-handler.js';
import type { EngineCache } from '../transcription/engines/engine-select.js';
import type { JobHandlers } from './job-handlers.js';
import type { ToolPaths } from '../config.js';
import { ProgressWriter } from './progress-writer.js';
import { errorMessage, isRetryable, isWorkerFatal, jobErrorCode } from './job-errors.js';
import { isDatabaseFull } from '../system/disk-full.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import * as repo from './workers.repository.js';
import { announce } from '../jobs/job-signals.js';

/**
 * How a run ended. `disk_full`: the database is full, the job was handed
 * back; `disk_full_held`: even that could not be written, the job is still
 * marked as this worker's (the worker hands it back when it can).
 */
type RunResult = 'completed' | 'failed' | 'retry' | 'cancelled' | 'handed_back' | 'lost' | 'disk_full' | 'disk_full_held';

type AbortReason = 'cancel' | 'stop' | 'lost' | 'disk_full';

/** How often progress is written and cancel is checked while a job runs. */
const PROGRESS_INTERVAL_MS = 500;

interface RunnerIdentity {
  workerId: string;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
  /** this node's name (the worker spec's) */
  node: string;
}

export interface RunningJob {
  job: JobRow;
  progress: JobProgress;
  /** aborts the job: cancel (the API), stop (hand it back), lost (lease gone), disk_full (the database takes no writes: hand it back) */
  abort(reason: AbortReason, cause?: unknown): void;
}

interface RunnerDeps {
  database: DatabaseHandle;
  settings: SettingsService;
  log: Logger;
  identity: RunnerIdentity;
  /** the handlers this worker runs, by job_type (handlers/index.ts) */
  handlers: JobHandlers;
  engine: EngineCache;
  /** Config.tools (the worker spec's) */
  tools: ToolPaths;
  /** called with the current job (or null) so the heartbeat can report it */
  onCurrent(job: RunningJob | null): void;
  /** the worker's error when a handler failure makes it unable to go on (GPU gone) */
  onFatal?(err: unknown): void;
}

/** `options.blob.chunks` for the error's `/blob/chunks`; `options` for the whole object. */
function fieldName(instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  return parts.length ? `options.${parts.join('.')}` : 'options';
}

/**
 * The job's options (jobs.options JSON; none is `{}`) checked against its
 * type's schema, once, before the handler runs: options that do not fit fail
 * the job as bad_job (not retried: another attempt reads the same row), with
 * the field named.
 */
export function jobOptions<S extends TSchema>(job: Pick<JobRow, 'id' | 'job_type' | 'options'>, schema: S): Static<S> {
  let value: unknown = {};
  if (job.options) {
    try {
      value = JSON.parse(job.options) as unknown;
    } catch {
      throw appError('bad_job', `Job ${job.id} (${job.job_type}) has options that are not JSON: ${job.options.slice(0, 100)}`);
    }
  }
  if (Value.Check(schema, value)) return value;
  const errors = Value.Errors(schema, value);
  const first = errors[0];
  const path = first?.instancePath ?? '';
  const missing = first?.keyword === 'required' ? (first.params as { requiredProperties?: string[] }).requiredProperties : undefined;
  const field = missing?.length ? fieldName(`${path}/${missing[0]}`) : fieldName(path);
  const why = missing?.length
    ? 'is missing'
    : [...new Set(errors.filter((e) => e.instancePath === path && e.keyword !== 'anyOf').map((e) => e.message))].join(' or ') || 'does not fit';
  throw appError('bad_job', `Job ${job.id} (${job.job_type}): ${field} ${why}`);
}

/** A result that must not stay: the subtitle and its ownership record, unless the user changed it meanwhile. */
async function removeOutput(path: string): Promise<void> {
  await removeGeneratedSubtitle(path).catch(() => {});
}

export async function runJob(job: JobRow, deps: RunnerDeps): Promise<RunResult> {
  const result = await runOnce(job, deps);
  const db = deps.database.db;
  if (result === 'completed' || result === 'failed') await announce(db, { kind: 'ended', jobId: job.id });
  else if (result === 'handed_back' || result === 'disk_full' || result === 'retry') await announce(db, { kind: 'queued' });
  return result;
}

async function runOnce(job: JobRow, deps: RunnerDeps): Promise<RunResult> {
  const { database, log, identity } = deps;
  const db = database.db;
  const me = identity.workerId;
  const ac = new AbortController();
  let reason: AbortReason | null = null;
  /** the database-full error that stopped the job, for the log and the timeline */
  let full: unknown = null;
  const abort = (r: AbortReason, cause?: unknown) => {
    if (reason) return;
    reason = r;
    if (r === 'disk_full') full = cause ?? null;
    ac.abort(Object.assign(new Error(`job ${r === 'cancel' ? 'cancelled' : r === 'stop' || r === 'disk_full' ? 'handed back' : 'taken back'}`), { name: 'AbortError' }));
  };
  const progress: JobProgress = { stage: 'claimed', progress: 0, etaSeconds: null };
  const running: RunningJob = { job, progress, abort };
  deps.onCurrent(running);

  const writer = new ProgressWriter({ db, jobId: job.id, workerId: me, progress, log, stopped: () => reason !== null, abort });
  writer.start(PROGRESS_INTERVAL_MS);

  const started = Date.now();
  let outcome: JobOutcome | null = null;
  let failure: unknown = null;
  try {
    const handler = Object.hasOwn(deps.handlers, job.job_type) ? deps.handlers[job.job_type] : undefined;
    if (!handler) throw appError('no_handler', `No handler for job type "${job.job_type}" on worker ${me}: start this job type's worker, or delete the job`);
    outcome = await handler.run({
      job,
      options: jobOptions(job, handler.options),
      settings: deps.settings,
      database,
      log: log.child({ job: job.id }),
      signal: ac.signal,
      reportProgress(p) {
        const newStage = p.stage !== progress.stage;
        progress.stage = p.stage;
        progress.progress = Math.round(Math.max(0, Math.min(100, p.progress)) * 10) / 10;
        progress.etaSeconds = p.etaSeconds === null ? null : Math.max(0, Math.round(p.etaSeconds));
        if (newStage) writer.tick();
      },
      engine: deps.engine,
      tools: deps.tools,
      workerType: identity.workerType,
      deviceId: identity.deviceId,
      node: identity.node,
    });
  } catch (e) {
    failure = e;
  } finally {
    await writer.stop();
    deps.onCurrent(null);
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;

  if (reason === 'cancel' || reason === 'lost') {
    // The job is no longer ours: leave its row alone, and leave no output behind.
    if (outcome?.output_path) await removeOutput(outcome.output_path);
    log.info({ job: job.id, reason }, reason === 'cancel' ? 'job cancelled' : 'job taken back by the queue');
    return reason === 'cancel' ? 'cancelled' : 'lost';
  }
  // The handler's own database writes (a provider job's), or the tick's, met a full database.
  if (reason === 'disk_full' || isDatabaseFull(failure)) return handBackFull(job, deps, full ?? failure, outcome);
  try {
    return await settle(job, deps, { reason, outcome, failure, seconds, stage: progress.stage });
  } catch (e) {
    // The result, or the failure, could not be written: the job runs again once there is room.
    if (isDatabaseFull(e)) return handBackFull(job, deps, e, outcome);
    throw e;
  }
}

/**
 * The database is full: the attempt's result cannot be kept, so the job goes
 * back to the queue, no attempt counted, and its output goes (as when a
 * worker stops). `disk_full_held` when even the hand-back could not be
 * written (the worker retries it). A job that is no longer this worker's
 * (its completion went through before a later write failed, a cancel) keeps
 * what it has, unless it was cancelled.
 */
async function handBackFull(job: JobRow, deps: RunnerDeps, err: unknown, outcome: JobOutcome | null): Promise<RunResult> {
  const { log } = deps;
  const db = deps.database.db;
  let back: boolean;
  try {
    back = await life.handBack(db, job.id, deps.identity.workerId, { reason: `the database is full (${errorMessage(err)}); it runs again once there is room` });
  } catch (e) {
    if (!isDatabaseFull(e)) throw e;
    if (outcome?.output_path) await removeOutput(outcome.output_path);
    log.warn({ job: job.id, err: errorMessage(err) }, 'the database is full: the job cannot be handed back yet, this worker will once there is room');
    return 'disk_full_held';
  }
  if (!back) {
    const cancelled = await repo.jobCancelRequested(db, job.id).catch(() => false);
    if (cancelled && outcome?.output_path) await removeOutput(outcome.output_path);
    return cancelled ? 'cancelled' : 'lost';
  }
  if (outcome?.output_path) await removeOutput(outcome.output_path);
  log.warn({ job: job.id, err: errorMessage(err) }, 'the database is full: job handed back to the queue (no attempt counted)');
  return 'disk_full';
}

/** A worker's counters are statistics: one lost to a full database must not undo the job's transition. */
async function count(db: Db, workerId: string, counter: 'jobs_completed' | 'jobs_failed'): Promise<void> {
  await repo.incrementCounter(db, workerId, counter).catch((e: unknown) => {
    if (!isDatabaseFull(e)) throw e;
  });
}

interface Ending {
  reason: AbortReason | null;
  outcome: JobOutcome | null;
  failure: unknown;
  seconds: number;
  stage: string;
}

/** The attempt's transition: handed back (stop), completed, retried or failed. */
async function settle(job: JobRow, deps: RunnerDeps, { reason, outcome, failure, seconds, stage }: Ending): Promise<RunResult> {
  const { log } = deps;
  const db = deps.database.db;
  const me = deps.identity.workerId;
  if (reason === 'stop') {
    if (outcome?.output_path) await removeOutput(outcome.output_path);
    await life.handBack(db, job.id, me);
    log.info({ job: job.id }, 'job handed back to the queue (worker stopping)');
    return 'handed_back';
  }

  if (outcome) {
    const ok = await life.complete(db, job.id, me, { ...outcome, processing_time_seconds: seconds });
    if (!ok) {
      // Cancelled between the last check and now: the cancel wins, the file goes.
      if (outcome.output_path) await removeOutput(outcome.output_path);
      return (await repo.jobCancelRequested(db, job.id)) ? 'cancelled' : 'lost';
    }
    await count(db, me, 'jobs_completed');
    log.info({ job: job.id, seconds, output: outcome.output_path }, 'job completed');
    return 'completed';
  }

  const message = errorMessage(failure);
  const code = jobErrorCode(failure);
  const retryable = isRetryable(failure);
  if (isWorkerFatal(failure)) deps.onFatal?.(failure);
  const failed = { error: message, errorCode: code, processingTimeSeconds: seconds, stage };
  // A retryable failure is queued again after the back-off, or fails once max_retries are used up.
  const to = retryable
    ? await life.retry(db, job.id, me, { ...failed, backoffBaseMs: deps.settings.getNumber('job_retry_backoff_seconds') * 1000 })
    : (await life.fail(db, job.id, me, failed)) ? 'failed' : null;
  if (!to) return (await repo.jobCancelRequested(db, job.id)) ? 'cancelled' : 'lost';
  await count(db, me, 'jobs_failed');
  if (to === 'queued') {
    log.warn({ job: job.id, err: message, code, retry: job.retry_count + 1 }, 'job failed, will be retried');
    return 'retry';
  }
  log.warn({ job: job.id, err: message, code }, 'job failed');
  return 'failed';
}
