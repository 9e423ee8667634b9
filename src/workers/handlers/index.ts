/**
 * The job handlers, by job type: one entry per JOB_TYPES member, checked by
 * the compiler (a new job type without a handler does not build). Only the
 * worker process imports this file, so the server side never loads the
 * engines.
 */
import { pathToFileURL } from 'node:url';
import type { JobType } from '../../job-kinds.js';
import type { JobHandler, JobHandlers } from '../job-handlers.js';
import { transcriptionHandler } from './transcription.handler.js';
import { handleProviderAsr, handleProviderDetect } from '../../provider/provider.handlers.js';

export const jobHandlers: Readonly<Record<JobType, JobHandler>> = {
  transcription: transcriptionHandler,
  provider_asr: handleProviderAsr,
  provider_detect: handleProviderDetect,
};

/**
 * The built-in handlers plus the test-only extras named in the worker spec
 * (`WorkerSpec.extraHandlers`): each module's default export is a
 * `Record<string, JobHandler>`. An extra may add job types, never replace one.
 */
export async function loadJobHandlers(extraModules: readonly string[] = []): Promise<JobHandlers> {
  const all: Record<string, JobHandler> = { ...jobHandlers };
  for (const path of extraModules) {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    const extra = mod.default;
    if (!extra || typeof extra !== 'object') throw new Error(`handler module ${path} has no default export of job handlers`);
    for (const [type, handler] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof handler !== 'function') throw new Error(`handler module ${path}: "${type}" is not a function`);
      if (type in all) throw new Error(`job type ${type} has two handlers (${path} and another module)`);
      all[type] = handler as JobHandler;
    }
  }
  return Object.freeze(all);
}
