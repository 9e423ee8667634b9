/**
 * The figures of /api/status and /health, from the database and from the
 * components that are running. Components that are not part of this server
 * (workers, scanner) register a provider; absent ones report zeros.
 */
import type { AppContext } from '../server/context.js';
import { defaultQualityPreset, presetLabels, providerQualityPreset, resolveAllPresets } from '../transcription/index.js';

export interface WorkersSummary {
  total_workers: number; cpu_workers: number; gpu_workers: number; idle_workers: number; busy_workers: number;
  total_jobs_completed: number; total_jobs_failed: number;
}
export interface ScannerSummary {
  scheduler_enabled: boolean; scheduler_running: boolean; next_scan_time: string | null; watcher_enabled: boolean; watcher_running: boolean;
}

type Providers = {
  workers?: () => Promise<WorkersSummary>;
  scanner?: () => Promise<ScannerSummary>;
};
const providers = new WeakMap<AppContext, Providers>();

export function registerStatusProvider<K extends keyof Providers>(ctx: AppContext, key: K, fn: NonNullable<Providers[K]>): void {
  const p = providers.get(ctx) ?? {};
  p[key] = fn;
  providers.set(ctx, p);
}

/** The models jobs run with, as the resolver gives them (src/transcription/resolve.ts): never a guess of its own. */
export function transcriptionSummary(get: (key: string) => unknown) {
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

export async function systemStatus(ctx: AppContext) {
  const p = providers.get(ctx) ?? {};
  const [queue, workers, scanner] = await Promise.all([
    ctx.jobs.stats(),
    p.workers ? p.workers() : Promise.resolve<WorkersSummary>({ total_workers: 0, cpu_workers: 0, gpu_workers: 0, idle_workers: 0, busy_workers: 0, total_jobs_completed: 0, total_jobs_failed: 0 }),
    p.scanner
      ? p.scanner()
      : Promise.resolve<ScannerSummary>({
          scheduler_enabled: ctx.settings.getBoolean('auto_scan_enabled'), scheduler_running: false, next_scan_time: null,
          watcher_enabled: ctx.settings.getBoolean('watcher_enabled'), watcher_running: false,
        }),
  ]);
  return {
    system: { status: 'running', uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 100) / 10 },
    workers,
    queue,
    scanner,
    transcription: transcriptionSummary((k) => ctx.settings.get(k)),
  };
}
