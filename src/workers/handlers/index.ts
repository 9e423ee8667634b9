/**
 * The job handlers, by job type: one entry per JOB_TYPES member, checked by
 * the compiler (a new job type without a handler does not build), each with
 * the schema of its options. Only the worker process imports this file, so
 * the server side never loads the engines.
 */
import { pathToFileURL } from 'node:url';
import type { JobType } from '../../job-kinds.js';
import type { JobDefinition } from '../../core/job-handler.js';
import { untypedJob, type JobHandlers } from '../job-handlers.js';
import { transcriptionJob } from './transcription.handler.js';
import { providerAsrJob, providerDetectJob } from '../../provider/provider.handlers.js';

export const jobHandlers: Readonly<Record<JobType, JobDefinition>> = {
  transcription: transcriptionJob,
  provider_asr: providerAsrJob,
  provider_detect: providerDetectJob,
};

function isDefinition(v: unknown): v is JobDefinition {
  return !!v && typeof v === 'object' && typeof (v as JobDefinition).run === 'function' && !!(v as JobDefinition).options && typeof (v as JobDefinition).options === 'object';
}

/**
 * The built-in handlers plus the test-only extras named in the worker spec
 * (`WorkerSpec.extraHandlers`): each module's default export is a record of
 * job types, each a handler function (its options any JSON object) or a
 * `JobDefinition` with its own schema. An extra may add job types, never
 * replace one.
 */
export async function loadJobHandlers(extraModules: readonly string[] = []): Promise<JobHandlers> {
  const all: Record<string, JobDefinition> = { ...jobHandlers };
  for (const path of extraModules) {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    const extra = mod.default;
    if (!extra || typeof extra !== 'object') throw new Error(`handler module ${path} has no default export of job handlers`);
    for (const [type, handler] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof handler !== 'function' && !isDefinition(handler)) throw new Error(`handler module ${path}: "${type}" is neither a function nor a job definition`);
      if (type in all) throw new Error(`job type ${type} has two handlers (${path} and another module)`);
      all[type] = typeof handler === 'function' ? (untypedJob(handler as never) as JobDefinition) : handler;
    }
  }
  return Object.freeze(all);
}
