/**
 * What a job handler is: what a worker process does with a claimed job of
 * one job_type. The handlers themselves are data, `jobHandlers` in
 * handlers/index.ts (a `Record<JobType, JobHandler>` the compiler checks);
 * the worker checks at start-up which queued job types it cannot run.
 */
import type { Logger } from 'pino';
import type { JobRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DatabaseHandle } from '../db/database.js';
import type { EngineCache } from './worker-engine.js';
import type { Completion } from '../jobs/job-lifecycle.repository.js';

export interface JobProgress {
  stage: string;
  /** 0-100 for the whole job */
  progress: number;
  etaSeconds: number | null;
}

export interface JobHandlerContext {
  job: JobRow;
  /** parsed jobs.options JSON */
  options: Record<string, unknown>;
  settings: SettingsService;
  database: DatabaseHandle;
  log: Logger;
  /** aborted when the job is cancelled or the worker must stop */
  signal: AbortSignal;
  reportProgress(p: JobProgress): void;
  /** The worker's engine cache: the one place that reuses an engine between jobs (a model stays loaded). */
  engine: EngineCache;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
  /** This node's name (Config.nodeName, passed down in the worker spec), for messages that name the machine. */
  node: string;
}

/** What a handler produced: the job life cycle's completion, less the run time the runner measures. */
export type JobOutcome = Omit<Completion, 'processing_time_seconds'>;

export type JobHandler = (ctx: JobHandlerContext) => Promise<JobOutcome>;

/** The handlers one worker process runs, by job_type (the built-in ones plus any test-only extras). */
export type JobHandlers = Readonly<Record<string, JobHandler>>;
