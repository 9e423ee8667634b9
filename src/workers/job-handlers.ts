/**
 * Registry of job handlers: what a worker process does with a claimed job,
 * by job_type. Handler modules register themselves (handlers/index.ts imports
 * them all) and the worker checks at start-up that every job type it may
 * claim has exactly one handler.
 */
import type { Logger } from 'pino';
import type { JobRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DatabaseHandle } from '../db/database.js';

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
  /** The worker's engine cache, so a model stays loaded between jobs (typed by the worker). */
  engine: unknown;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
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

const handlers = new Map<string, JobHandler>();

export function registerJobHandler(jobType: string, handler: JobHandler): void {
  if (handlers.has(jobType)) throw new Error(`job type ${jobType} has two handlers`);
  handlers.set(jobType, handler);
}

export function getJobHandler(jobType: string): JobHandler | undefined {
  return handlers.get(jobType);
}

export function registeredJobTypes(): string[] {
  return [...handlers.keys()];
}
