/**
 * A webhook's files become jobs through the same decision as a scan: paths
 * are translated with the path mappings (the sender may see the library
 * elsewhere) and must then lie inside the media roots (a forged webhook must
 * not queue /etc/shadow); then the scanner analyses each file and the rules
 * engine decides with the skip settings, the live jobs, existing and
 * generated subtitles. The enabled scan rules decide; without any, the
 * webhook_default_* settings act as one implicit rule through the same
 * evaluation. Every file is answered with a job or the reason it got none
 * (also logged and kept on the job: `options.source`, `options.reason`).
 * A refused file is answered 200 and listed in `skipped`, so the sender does
 * not retry forever. Play events go to play-events.ts.
 *
 * One webhook acts on at most `webhook_max_files` files: a payload naming a
 * whole series (or thousands of files) would otherwise analyse them all in
 * one request and write a log line per file, rotating the useful log away.
 * The rest are left out and counted in the answer. The log gets one summary
 * line per webhook; the per-file decisions are at debug level.
 */
import { AppError } from '../errors.js';
import { checkMediaPath } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../security/path-mapping.js';
import { itemPath, serverOf } from '../integrations/media-refresh.js';
import type { WebhookIntent, WebhookSource } from './webhooks.parsers.js';
import type { SettingKey } from '../settings/definitions/index.js';
import { handlePlay } from './play-events.js';
import { fileResult, jobOptionsFor, webhookRules, webhookSourceLabel, type WebhookContext, type WebhookFileResult } from './webhook-decision.js';
import { countByReason, webhookSummary, type WebhookSkip } from './webhook-summary.js';

export type { WebhookFileResult } from './webhook-decision.js';
export type { WebhookSkip } from './webhook-summary.js';

export interface WebhookResult {
  source: WebhookSource;
  event: 'test' | 'ignored' | 'files' | 'play';
  message: string;
  queued: number;
  /** files the webhook named */
  named: number;
  /** named files not acted on because of webhook_max_files (not listed in `files`) */
  left_out: number;
  files: WebhookFileResult[];
  /** every file that was not queued, with why */
  skipped: WebhookSkip[];
  /** the skipped files counted by reason (the reason without the file it names) */
  skipped_by_reason: Record<string, number>;
}

export async function handleWebhook(ctx: WebhookContext, source: WebhookSource, intent: WebhookIntent): Promise<WebhookResult> {
  if (intent.kind === 'test') return { source, event: 'test', message: `${source} test received`, queued: 0, named: 0, left_out: 0, files: [], skipped: [], skipped_by_reason: {} };
  if (intent.kind === 'ignore') return { source, event: 'ignored', message: intent.reason, queued: 0, named: 0, left_out: 0, files: [], skipped: [], skipped_by_reason: {} };
  const get = (k: SettingKey) => ctx.settings.get(k);
  let paths = intent.kind === 'files' ? intent.paths : [];
  if (intent.kind === 'item') {
    const kind = source === 'plex' ? 'plex' : source === 'emby' ? 'emby' : 'jellyfin';
    const server = serverOf(get, kind);
    if (!server) throw new AppError(422, 'media_server_unconfigured', `The ${source} webhook names item ${intent.itemId} but not its file: set ${kind}_url and ${kind === 'plex' ? 'plex_token' : `${kind}_api_key`} so the file can be looked up`);
    paths = await itemPath(server, intent.itemId, ctx.settings.getNumber('integration_request_timeout_seconds') * 1000);
    if (!paths.length) throw new AppError(422, 'item_without_file', `${source} has no file for item ${intent.itemId}`);
  }
  const max = Math.max(1, ctx.settings.getNumber('webhook_max_files'));
  const named = paths.length;
  const leftOut = Math.max(0, named - max);
  paths = paths.slice(0, max);
  const mappings = mappingsFromSettings(get);
  const files: WebhookFileResult[] = [];
  const inside: string[] = [];
  let outside = 0;
  for (const original of paths) {
    const path = applyPathMappings(original, mappings);
    const c = await checkMediaPath(ctx.settings, path);
    if (!c.ok) {
      outside++;
      ctx.log.debug({ source, path, resolved: c.path, reason: c.reason }, `${source} webhook names a file outside the library folders: not queued`);
      files.push({ path, action: 'skip', reason: c.reason, job_id: null });
      continue;
    }
    inside.push(c.path);
  }
  const play = !!intent.play;
  const { rules, implicit } = await webhookRules(ctx);
  if (play) {
    files.push(...(await handlePlay(ctx, source, inside, { rules, implicit })));
  } else {
    const upgrade = intent.kind === 'files' && !!intent.upgrade;
    const originalLanguage = intent.kind === 'files' ? (intent.originalLanguage ?? null) : null;
    const label = webhookSourceLabel(source);
    for (const path of inside) {
      const [r] = await ctx.scanner.service.processFiles([path], {
        rules,
        originalLanguage,
        upgrade,
        upgradeIfChanged: true,
        jobOptions: jobOptionsFor(label, implicit, { ...(upgrade ? { upgrade: true } : {}), ...(originalLanguage ? { original_language: originalLanguage } : {}) }),
      });
      files.push(fileResult(path, r));
    }
  }
  for (const f of files) ctx.log.debug({ source, path: f.path, action: f.action, reason: f.reason, job_id: f.job_id }, f.action === 'job' ? `${source} webhook: job ${f.job_id}` : `${source} webhook: no job (${f.reason})`);
  const queued = files.filter((f) => f.action === 'job').length;
  const skipped = skippedOf(files);
  const skippedByReason = countByReason(skipped);
  const summary = webhookSummary({ source, named, acted: files.length, queued, skipped: skipped.length, skippedByReason, leftOut, max, outside });
  ctx.log.info(summary.fields, summary.message);
  const message = leftOut
    ? `${queued} job(s) queued; ${leftOut} of ${named} files left out (webhook_max_files is ${max}: raise it, or scan the library for the rest)`
    : `${queued} job(s) queued`;
  return { source, event: play ? 'play' : 'files', message, queued, named, left_out: leftOut, files, skipped, skipped_by_reason: skippedByReason };
}

function skippedOf(files: WebhookFileResult[]): WebhookSkip[] {
  return files
    .filter((f) => f.action !== 'job')
    .map((f) => ({ path: f.path, reason: f.reason ?? (f.action === 'error' ? 'could not be processed' : 'no scan rule asks for a job') }));
}
