/**
 * Runs one claimed job inside a worker process: dispatches it to the handler
 * for its job_type, writes progress (throttled), watches for cancel, and
 * asks the job life cycle for the outcome's transition. Every write is guarded
 * by "still processing and still mine", so a cancel or a lease take-over
 * always wins over a late worker.
 */
import { removeGeneratedSubtitle } from '../transcription/index.js';
import type { Logger } from 'pino';
import { appError } from '../errors.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { JobHandlers, JobOutcome, JobProgress } from './job-handlers.js';
import type { EngineCache } from './worker-engine.js';
import { errorMessage, isRetryable, isWorkerFatal, jobErrorCode } from './job-errors.js';
import { isDatabaseFull } from '../system/disk-full.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import * as repo from './workers.repository.js';

/**
 * How a run ended. `disk_full`: the database is full, the job was handed
 * back; `disk_full_held`: even that could not be written, the job is still
 * marked as this worker's (the worker hands it back when it can).
 */
export type RunResult = 'completed' | 'failed' | 'retry' | 'cancelled' | 'handed_back' | 'lost' | 'disk_full' | 'disk_full_held';

type AbortReason = 'cancel' | 'stop' | 'lost' | 'disk_full';

/** How often progress is written and cancel is checked while a job runs. */
export const PROGRESS_INTERVAL_MS = 500;

export interface RunnerIdentity {
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

export interface RunnerDeps {
  database: DatabaseHandle;
  settings: SettingsService;
  log: Logger;
  identity: RunnerIdentity;
  /** the handlers this worker runs, by job_type (handlers/index.ts) */
  handlers: JobHandlers;
  engine: EngineCache;
  /** called with the current job (or null) so the heartbeat can report it */
  onCurrent(job: RunningJob | null): void;
  /** the worker's error when a handler failure makes it unable to go on (GPU gone) */
  onFatal?(err: unknown): void;
}

function parseOptions(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A result that must not stay: the subtitle and its ownership record, unless the user changed it meanwhile. */
async function removeOutput(path: string): Promise<void> {
  await removeGeneratedSubtitle(path).catch(() => {});
}

export async function runJob(job: JobRow, deps: RunnerDeps): Promise<RunResult> {
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

  // Throttled progress: the handler reports as often as it likes, the database
  // sees at most one write per interval; the same tick notices a cancel.
  // A new stage is written at once (the job's timeline gets one event per
  // stage, also for stages shorter than the interval); a tick asked for while
  // one is in flight runs right after it.
  let written = '';
  let ticking = false;
  let again = false;
  const tick = async () => {
    if (reason) return;
    if (ticking) {
      again = true;
      return;
    }
    ticking = true;
    try {
      const key = `${progress.stage}|${progress.progress}|${progress.etaSeconds}`;
      let holds: boolean;
      if (key !== written) {
        holds = await life.progress(db, job.id, me, progress);
        if (holds) {
          written = key;
          await repo.updateWorker(db, me, { current_job_progress: progress.progress, current_job_eta: progress.etaSeconds });
        }
      } else {
        holds = await life.isHeld(db, job.id, me);
      }
      if (!holds) abort((await repo.jobCancelRequested(db, job.id)) ? 'cancel' : 'lost');
    } catch (e) {
      if (isDatabaseFull(e)) {
        // Nothing of this job can be recorded (progress, nor later its result): stop it and hand it back.
        abort('disk_full', e);
      } else log.warn({ err: e, job: job.id }, 'progress write failed');
    } finally {
      ticking = false;
      if (again) {
        again = false;
        void tick();
      }
    }
  };
  const timer = setInterval(() => void tick(), PROGRESS_INTERVAL_MS);

  const started = Date.now();
  let outcome: JobOutcome | null = null;
  let failure: unknown = null;
  try {
    const handler = Object.hasOwn(deps.handlers, job.job_type) ? deps.handlers[job.job_type] : undefined;
    if (!handler) throw appError('no_handler', `No handler for job type "${job.job_type}" on worker ${me}: start this job type's worker, or delete the job`);
    outcome = await handler({
      job,
      options: parseOptions(job.options),
      settings: deps.settings,
      database,
      log: log.child({ job: job.id }),
      signal: ac.signal,
      reportProgress(p) {
        const newStage = p.stage !== progress.stage;
        progress.stage = p.stage;
        progress.progress = Math.round(Math.max(0, Math.min(100, p.progress)) * 10) / 10;
        progress.etaSeconds = p.etaSeconds === null ? null : Math.max(0, Math.round(p.etaSeconds));
        if (newStage) void tick();
      },
      engine: deps.engine,
      workerType: identity.workerType,
      deviceId: identity.deviceId,
      node: identity.node,
    });
  } catch (e) {
    failure = e;
  } finally {
    clearInterval(timer);
    while (ticking) await new Promise((r) => setTimeout(r, 10));
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
