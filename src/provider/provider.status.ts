/**
 * GET /status of the provider: what Bazarr's user wants to see when something
 * does not answer. Bazarr's "Test Connection" button calls `GET
 * http://<host:port>/status` with the host of the endpoint field only (the
 * `/provider/<key>` path and any key are dropped, see docs/BAZARR.md) and
 * shows the `version` of a 200 JSON answer as connected. So a caller without
 * the key gets that much (name and version, nothing about the queue or the
 * library) and the full status needs the key, like every other route.
 */
import type { FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/context.js';
import { isLocalRequest, keyIsOneOf, presentedKey, type GuardSettings } from '../security/request-guard.js';
import { presetLabels, providerQualityPreset, resolveAllPresets } from '../transcription/index.js';
import { countLiveWorkers, providerQueueCounts } from './provider.repository.js';
import type { SettingKey } from '../settings/definitions/index.js';

export async function listStatus(ctx: Pick<CoreContext, 'settings' | 'database' | 'jobs'>) {
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

/**
 * Whether this request may read the full status: through `/provider/<key>/`
 * (its hook checked the key), or as the request guard would let it call a
 * `key` route (the key, auth off, or the local exemption).
 */
export function mayReadFullStatus(req: FastifyRequest, settings: GuardSettings): boolean {
  if ((req.params as { apiKey?: string } | undefined)?.apiKey !== undefined) return true;
  if (keyIsOneOf(presentedKey(req), [settings.getString('api_key')])) return true;
  if (!settings.getBoolean('auth_enabled')) return true;
  return settings.getBoolean('auth_exempt_local') && isLocalRequest(req, settings);
}

/** What a caller without the key learns: that this is TranscriptorIO, and its version (what Bazarr's test shows). */
export function publicStatus(version: string) {
  return {
    name: 'TranscriptorIO',
    version,
    detail: 'Connected. Send the API key (X-Api-Key, ?apikey= or the /provider/<api_key>/status path) for the engine, queue and worker status.',
  };
}
