/** GET /status of the provider: what Bazarr's user wants to see when something does not answer. */
import type { AppContext } from '../server/context.js';
import { presetLabels, providerQualityPreset, resolveAllPresets } from '../transcription/index.js';
import { countLiveWorkers, providerQueueCounts } from './provider.repository.js';
import type { SettingKey } from '../settings/definitions/index.js';

export async function listStatus(ctx: AppContext) {
  const s = ctx.settings;
  const windowMs = Math.max(s.getNumber('job_lease_seconds') || 60, 3 * (s.getNumber('worker_heartbeat_seconds') || 5)) * 1000;
  const [workers, stats, provider] = await Promise.all([
    countLiveWorkers(ctx.database.db, Date.now() - windowMs),
    ctx.jobs.stats(),
    providerQueueCounts(ctx.database.db),
  ]);
  const get = (k: SettingKey) => s.get(k);
  // What provider requests run with: the resolver's answer for their preset.
  const preset = providerQualityPreset(get);
  const byPreset = resolveAllPresets(get);
  const resolved = byPreset[preset];
  return {
    status: workers > 0 ? 'ok' : 'no_workers',
    name: 'TranscriptorIO',
    engine: resolved.engine.kind,
    model: resolved.label,
    preset,
    models: presetLabels(byPreset),
    provider_enabled: s.getBoolean('bazarr_provider_enabled'),
    workers,
    queue: { queued: stats.queued, processing: stats.processing, provider_queued: provider.queued, provider_processing: provider.processing },
    result_ttl_minutes: s.getNumber('provider_result_ttl_minutes'),
    timeout_seconds: s.getNumber('provider_timeout_seconds'),
  };
}
