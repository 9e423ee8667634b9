/**
 * What a webhook file's decision is built from: the rules (the enabled scan
 * rules, or the webhook_default_* settings as one implicit rule), the job
 * options that say who asked, and the per-file answer.
 */
import type { CoreContext } from '../core/context.js';
import type { ScannerRuntime } from '../scanner/scanner.runtime.js';
import type { ScanRule } from '../rules/rules.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { WebhookSource } from './webhooks.parsers.js';

/** What a webhook is handled with: settings, rules, the database, the log and the scanner's service. */
export type WebhookContext = Pick<CoreContext, 'settings' | 'rules' | 'database' | 'log'> & { scanner: Pick<ScannerRuntime, 'service'> };

export interface WebhookFileResult {
  path: string;
  action: 'job' | 'skip' | 'error';
  reason: string | null;
  job_id: string | null;
}

/**
 * `options.source` of a webhook's jobs: "webhook:sonarr", which the job
 * timeline reads as "Created by the Sonarr webhook" (a play event adds
 * `options.play`).
 */
export const webhookSourceLabel = (source: WebhookSource) => `webhook:${source}`;

/**
 * The webhook_default_* settings as a rule without conditions: what a webhook
 * queues when no scan rule is enabled, judged like any rule (a subtitle
 * already there, a generated one, a live job, the skip settings).
 */
function implicitWebhookRule(settings: SettingsService): ScanRule {
  return {
    id: 0,
    name: 'webhook defaults',
    enabled: true,
    priority: 0,
    conditions: {
      audio_language_is: null, audio_language_not: null, audio_track_count_min: null, has_embedded_subtitle_lang: null,
      missing_embedded_subtitle_lang: null, missing_external_subtitle_lang: null, file_extension: null, audio_is_original_language: null,
    },
    action: {
      action_type: settings.getString('transcribe_or_translate') || 'transcribe',
      target_language: settings.getString('webhook_default_target_language') || 'eng',
      quality_preset: settings.getString('webhook_quality_preset') || 'fast',
      job_priority: settings.getNumber('webhook_job_priority'),
    },
  } as ScanRule;
}

/** The enabled scan rules, or the implicit webhook rule when there are none. */
export async function webhookRules(ctx: Pick<WebhookContext, 'rules' | 'settings'>): Promise<{ rules: ScanRule[]; implicit: boolean }> {
  const rules = await ctx.rules.list(true);
  return rules.length ? { rules, implicit: false } : { rules: [implicitWebhookRule(ctx.settings)], implicit: true };
}

/**
 * The job options a webhook adds: who asked (`source`), and, for the implicit
 * rule, no rule to name or link to (`webhook_defaults` instead).
 */
export function jobOptionsFor(source: string, implicit: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { source, ...(implicit ? { rule_id: undefined, rule_name: undefined, webhook_defaults: true } : {}), ...extra };
}

/** One processFiles answer as the webhook's per-file result. */
export function fileResult(path: string, r: Awaited<ReturnType<ScannerRuntime['service']['processFiles']>>[number] | undefined): WebhookFileResult {
  if (!r || r.error) return { path, action: 'error', reason: notAnalysed(path, r?.error), job_id: null };
  const d = r.decision!;
  const reason = d.action === 'job' && r.upgraded ? `${d.reason} (the file was replaced: our earlier subtitle is made again)` : d.reason;
  return { path, action: d.action === 'job' ? 'job' : 'skip', reason, job_id: d.job_id ?? null };
}

function notAnalysed(path: string, error: string | undefined): string {
  if (!error) return 'not analysed';
  // The analyzer's 404 says "File <path> not found": name the usual cause.
  if (/not found/i.test(error)) return `File not found on this server: ${path} (check path_mappings)`;
  return error;
}

