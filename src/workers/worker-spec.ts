/**
 * What a supervisor and its worker processes agree on: the spec passed to a
 * forked worker, its exit codes, and how a worker finds its job handlers.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { DatabaseHandle } from '../db/database.js';
import type { LogLevel } from '../config.js';
import { registeredJobTypes } from './job-handlers.js';

export interface WorkerSpec {
  workerId: string;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
  node: string;
  databaseUrl: string;
  logLevel?: LogLevel;
}

/** Exit code of a worker that cannot run here (no GPU, no GPU build): not restarted. */
export const EXIT_CANNOT_RUN = 78;
export const SPEC_ENV = 'TRANSCRIPTORIO_WORKER_SPEC';

/**
 * Handler modules: the built-in ones, plus TRANSCRIPTORIO_EXTRA_HANDLERS
 * (comma-separated module paths) for job types a deployment or a test adds.
 */
export async function loadHandlers(): Promise<string[]> {
  await import('./handlers/index.js');
  for (const mod of (process.env.TRANSCRIPTORIO_EXTRA_HANDLERS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    await import(pathToFileURL(resolve(mod)).href);
  }
  return registeredJobTypes();
}

/** Job types the queue may hold that no handler here can run (logged at start-up). */
export async function missingHandlers(handle: DatabaseHandle, types: string[]): Promise<string[]> {
  const rows = await handle.db.selectFrom('jobs').select('job_type').distinct().where('status', 'in', ['queued', 'processing']).execute();
  const known = new Set(types);
  return [...new Set(['transcription', ...rows.map((r) => r.job_type)])].filter((t) => !known.has(t));
}
