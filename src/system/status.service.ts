/**
 * The figures of /api/status and /health, from the database and from the
 * services of this server (the worker pool's rows of every node, the
 * scanner's scheduler and watcher), read from the context.
 */
import type { AppContext } from '../server/context.js';
import { defaultQualityPreset, presetLabels, providerQualityPreset, resolveAllPresets } from '../transcription/index.js';
import type { SettingKey } from '../settings/definitions/index.js';

export interface WorkersSummary {
  total_workers: number; cpu_workers: number; gpu_workers: number; idle_workers: number; busy_workers: number;
  total_jobs_completed: number; total_jobs_failed: number;
}
export interface ScannerSummary {
  scheduler_enabled: boolean; scheduler_running: boolean; next_scan_time: string | null; watcher_enabled: boolean; watcher_running: boolean;
}

/** The models jobs run with, as the resolver gives them (src/transcription/resolve.ts): never a guess of its own. */
export function transcriptionSummary(get: (key: SettingKey) => unknown) {
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

async function workersSummary(ctx: Pick<AppContext, 'workers'>): Promise<WorkersSummary> {
  const s = await ctx.workers.service.stats();
  return {
    total_workers: s.total_workers, cpu_workers: s.cpu_workers, gpu_workers: s.gpu_workers, idle_workers: s.idle_workers,
    busy_workers: s.busy_workers, total_jobs_completed: s.total_jobs_completed, total_jobs_failed: s.total_jobs_failed,
  };
}

async function scannerSummary(ctx: Pick<AppContext, 'scanner'>): Promise<ScannerSummary> {
  const st = await ctx.scanner.status();
  return {
    scheduler_enabled: st.scheduler_enabled, scheduler_running: st.scheduler_running, next_scan_time: st.next_scan_time,
    watcher_enabled: st.watcher_enabled, watcher_running: st.watcher_running,
  };
}

export async function systemStatus(ctx: AppContext) {
  const [queue, workers, scanner] = await Promise.all([ctx.jobs.stats(), workersSummary(ctx), scannerSummary(ctx)]);
  return {
    system: { status: 'running', uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10 },
    workers,
    queue,
    scanner,
    transcription: transcriptionSummary((k) => ctx.settings.get(k)),
  };
}
