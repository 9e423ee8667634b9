/**
 * The job types one worker process runs: the contract itself (a handler, its
 * context and outcome, a job type's options schema) is src/core/job-handler.ts,
 * so features that run jobs implement it without importing workers/. The
 * built-in job types are data, `jobHandlers` in handlers/index.ts (a
 * `Record<JobType, JobDefinition>` the compiler checks); the worker checks at
 * start-up which queued job types it cannot run.
 */
import { Type } from '@fastify/type-provider-typebox';
import type { JobDefinition, JobHandler } from '../core/job-handler.js';

/** The handlers one worker process runs, by job_type (the built-in ones plus any test-only extras). */
export type JobHandlers = Readonly<Record<string, JobDefinition>>;

/** The options of a job type that names no schema (a test-only handler given as a bare function): any JSON object. */
export const ANY_OPTIONS = Type.Record(Type.String(), Type.Unknown());

/** A bare handler function as a job type with ANY_OPTIONS. */
export function untypedJob(run: JobHandler): JobDefinition<typeof ANY_OPTIONS> {
  return Object.freeze({ options: ANY_OPTIONS, run });
}
