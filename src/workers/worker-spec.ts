/**
 * What a supervisor and its worker processes agree on: the spec passed to a
 * forked worker, its exit codes, and the start-up check of its job handlers.
 */
import type { DatabaseHandle } from '../db/database.js';
import type { LogLevel, ToolPaths } from '../config.js';
import { LIVE_STATUSES } from '../job-kinds.js';

export interface WorkerSpec {
  workerId: string;
  workerType: 'cpu' | 'gpu';
  deviceId: number | null;
  /** This node's name (Config.nodeName): worker rows, job affinity, error messages. */
  node: string;
  databaseUrl: string;
  logLevel?: LogLevel;
  /**
   * Test-only extension point: absolute paths of modules whose default export
   * is a `Record<string, JobHandler>` of extra job types (cheap jobs for the
   * queue and multi-node tests; Config.extraHandlers). Empty in production.
   */
  extraHandlers?: readonly string[];
  /** Config.tools of the supervisor's process: ffmpeg, ffprobe, nvidia-smi, the whisper.cpp builds, the model mirror */
  tools: ToolPaths;
  /** the supervisor's data folder (Config.dataDir): model_path's default, DATA_DIR/models, lies in it */
  dataDir: string;
}

/** Exit code of a worker that cannot run here (no GPU, no GPU build): not restarted. */
export const EXIT_CANNOT_RUN = 78;
export const SPEC_ENV = 'TRANSCRIPTORIO_WORKER_SPEC';

/** Job types the queue may hold that no handler here can run (logged at start-up). */
export async function missingHandlers(handle: DatabaseHandle, types: string[]): Promise<string[]> {
  const rows = await handle.db.selectFrom('jobs').select('job_type').distinct().where('status', 'in', LIVE_STATUSES).execute();
  const known = new Set(types);
  return [...new Set(['transcription', ...rows.map((r) => r.job_type)])].filter((t) => !known.has(t));
}
