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

export interface JobOutcome {
  output_path?: string | null;
  segments_count?: number | null;
  model_used?: string | null;
  device_used?: string | null;
  vram_used_mb?: number | null;
  source_lang?: string | null;
  /** JSON-serialisable result kept on the job (provider answers) */
  result?: unknown;
}

export type JobHandler = (ctx: JobHandlerContext) => Promise<JobOutcome>;

/** The handlers one worker process runs, by job_type (the built-in ones plus any test-only extras). */
export type JobHandlers = Readonly<Record<string, JobHandler>>;
