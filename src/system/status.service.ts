/**
 * The figures of /api/status and /health, from the database and from the
 * services of this server (the worker pool's rows of every node, the
 * scanner's scheduler and watcher), read from the context.
 */
import type { CoreContext } from '../core/context.js';
import { pingDatabase } from '../db/database.js';
import { databaseKindOf, sqlitePathOf } from '../config.js';
import { DISK_FULL_BYTES, freeBytes, freeSpaceFix, type DiskFullRecord } from './disk-full.js';
import { dirname, resolve } from 'node:path';
import { defaultQualityPreset, presetLabels, providerQualityPreset, resolveAllPresets } from '../transcription/index.js';
import type { SettingKey } from '../settings/definitions/index.js';

export interface WorkersSummary {
  total_workers: number; cpu_workers: number; gpu_workers: number; idle_workers: number; busy_workers: number;
  total_jobs_completed: number; total_jobs_failed: number;
}
export interface ScannerSummary {
  scheduler_enabled: boolean; scheduler_running: boolean; next_scan_time: string | null; watcher_enabled: boolean; watcher_running: boolean;
}

/**
 * What the figures are read from: the core, the worker pool's statistics,
 * the scanner's status and the full-disk record (structural, so this module
 * needs neither the worker nor the scanner modules).
 */
type StatusContext = Pick<CoreContext, 'config' | 'database' | 'jobs' | 'settings' | 'startedAt'> & {
  workers: { service: { stats(): Promise<WorkersSummary> } };
  scanner: { status(): Promise<ScannerSummary> };
  diskFull: DiskFullRecord;
};

/** The models jobs run with, as the resolver gives them (src/transcription/resolve.ts): never a guess of its own. */
function transcriptionSummary(get: (key: SettingKey) => unknown) {
  const byPreset = resolveAllPresets(get);
  const preset = defaultQualityPreset(get);
  const providerPreset = providerQualityPreset(get);
  return {
    engine: byPreset[preset].engine.kind,
    /** the default preset (transcription_preset) and its model */
    preset,
    model: byPreset[preset].label,
    model_installed: byPreset[preset].engine.kind !== 'local' || byPreset[preset].modelInstalled,
    provider_preset: providerPreset,
    provider_model: byPreset[providerPreset].label,
    models: presetLabels(byPreset),
  };
}

async function workersSummary(ctx: Pick<StatusContext, 'workers'>): Promise<WorkersSummary> {
  const s = await ctx.workers.service.stats();
  return {
    total_workers: s.total_workers, cpu_workers: s.cpu_workers, gpu_workers: s.gpu_workers, idle_workers: s.idle_workers,
    busy_workers: s.busy_workers, total_jobs_completed: s.total_jobs_completed, total_jobs_failed: s.total_jobs_failed,
  };
}

async function scannerSummary(ctx: Pick<StatusContext, 'scanner'>): Promise<ScannerSummary> {
  const st = await ctx.scanner.status();
  return {
    scheduler_enabled: st.scheduler_enabled, scheduler_running: st.scheduler_running, next_scan_time: st.next_scan_time,
    watcher_enabled: st.watcher_enabled, watcher_running: st.watcher_running,
  };
}

export async function systemStatus(ctx: StatusContext) {
  const [queue, workers, scanner] = await Promise.all([ctx.jobs.stats(), workersSummary(ctx), scannerSummary(ctx)]);
  return {
    system: { status: 'running', uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10 },
    workers,
    queue,
    scanner,
    transcription: transcriptionSummary((k) => ctx.settings.get(k)),
  };
}

/** GET /health's body: the contract's four keys, the data folder's free space, and what is wrong when it is not healthy. */
interface HealthSummary {
  status: 'healthy' | 'degraded' | 'unhealthy';
  database: 'connected' | 'disconnected';
  workers: number;
  queue_size: number;
  /** free bytes on the disk holding the data folder (null: it cannot be read) */
  disk_free_bytes: number | null;
  /** why it is not healthy, and the fix */
  detail?: string;
}

/**
 * What a monitor reads at GET /health: 200 healthy; 503 `unhealthy` when the
 * database does not answer, 503 `degraded` when the data folder's disk (or
 * the SQLite file's, when it lies elsewhere) is full or a request just met a
 * full disk (DiskFullRecord: a quota, a remote PostgreSQL).
 */
export async function healthSummary(ctx: StatusContext): Promise<{ httpStatus: 200 | 503; body: HealthSummary }> {
  const diskFree = await freeBytes(ctx.config.dataDir);
  if (!(await pingDatabase(ctx.database.db))) {
    return { httpStatus: 503, body: { status: 'unhealthy', database: 'disconnected', workers: 0, queue_size: 0, disk_free_bytes: diskFree, detail: 'The database does not answer: check that it is running and that DATABASE_URL points at it.' } };
  }
  const s = await systemStatus(ctx);
  const base = { database: 'connected', workers: s.workers.total_workers, queue_size: s.queue.queued, disk_free_bytes: diskFree } as const;
  const full = await fullDisk(ctx, diskFree);
  if (full) return { httpStatus: 503, body: { status: 'degraded', ...base, detail: full } };
  return { httpStatus: 200, body: { status: 'healthy', ...base } };
}

/** The full disk that degrades the service, as "what is wrong: the fix"; null when there is room. */
async function fullDisk(ctx: StatusContext, dataFree: number | null): Promise<string | null> {
  const met = await ctx.diskFull.current();
  if (met) return `${met.problem} ${met.fix}`;
  const places = [{ dir: ctx.config.dataDir, free: dataFree }];
  const url = ctx.config.databaseUrl;
  if (databaseKindOf(url) === 'sqlite' && sqlitePathOf(url) !== ':memory:') {
    const dir = dirname(sqlitePathOf(url));
    if (dir !== resolve(ctx.config.dataDir)) places.push({ dir, free: await freeBytes(dir) });
  }
  const low = places.find((p) => p.free !== null && p.free < DISK_FULL_BYTES);
  return low ? `The disk holding ${resolve(low.dir)} is full (${Math.round((low.free ?? 0) / 1024)} KiB free). ${freeSpaceFix(resolve(low.dir))}` : null;
}
