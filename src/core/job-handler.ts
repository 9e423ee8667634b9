/**
 * What a job handler is: what a worker process does with a claimed job of
 * one job_type, and the schema of the options it takes. The worker's runner
 * (src/workers/job-runner.ts) checks a job's options against its type's
 * schema once, before dispatch, so a handler receives them typed; the
 * handlers themselves are data (`jobHandlers` in src/workers/handlers/index.ts,
 * a `Record<JobType, JobDefinition>` the compiler checks). A feature that
 * runs jobs (provider/) implements this contract without importing workers/.
 */
import type { Logger } from 'pino';
import type { Static, TSchema } from '@fastify/type-provider-typebox';
import type { JobRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Completion } from '../jobs/job-lifecycle.repository.js';
import type { ToolPaths } from '../config.js';
import type { EngineCache } from '../transcription/engines/engine-select.js';

export interface JobProgress {
  stage: string;
  /** 0-100 for the whole job */
  progress: number;
  etaSeconds: number | null;
}

/** The options of a job type without a schema of its own: any JSON object (test-only job types). */
type UntypedOptions = Record<string, unknown>;

export interface JobHandlerContext<O = UntypedOptions> {
  job: JobRow;
  /** jobs.options, parsed and checked against the job type's schema */
  options: O;
  settings: SettingsService;
  database: DatabaseHandle;
  log: Logger;
  /** aborted when the job is cancelled or the worker must stop */
  signal: AbortSignal;
  reportProgress(p: JobProgress): void;
  /** The worker's engine cache: the one place that reuses an engine between jobs (a model stays loaded). */
  engine: EngineCache;
  /** Config.tools of the worker (its spec's): ffmpeg, ffprobe, nvidia-smi, the whisper.cpp builds, the model mirror */
  tools: ToolPaths;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
  /** This node's name (Config.nodeName, passed down in the worker spec), for messages that name the machine. */
  node: string;
}

/** What a handler produced: the job life cycle's completion, less the run time the runner measures. */
export type JobOutcome = Omit<Completion, 'processing_time_seconds'>;

export type JobHandler<O = UntypedOptions> = (ctx: JobHandlerContext<O>) => Promise<JobOutcome>;

/** A job type: the schema its options must fit, and the handler that runs it with them. */
export interface JobDefinition<S extends TSchema = TSchema> {
  readonly options: S;
  // Method syntax: a registry of job types holds definitions of different option types side by side.
  run(ctx: JobHandlerContext<Static<S>>): Promise<JobOutcome>;
}

/** A job type whose handler gets the options of `options`, typed. */
export function defineJob<S extends TSchema>(options: S, run: JobHandler<Static<S>>): JobDefinition<S> {
  return Object.freeze({ options, run });
}
