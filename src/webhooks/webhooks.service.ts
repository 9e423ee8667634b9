/**
 * A webhook's new files become jobs: paths are translated with the path
 * mappings (the sender may see the library elsewhere) and must then lie
 * inside the media roots (a forged webhook must not queue /etc/shadow); the
 * scan rules decide (the scanner's analysis and rules engine) when rules are
 * enabled; without rules, a job in `webhook_default_target_language` is
 * queued. A refused file is answered 200 and listed in `skipped`, so the
 * sender does not retry forever.
 */
import { existsSync } from 'node:fs';
import type { AppContext } from '../server/context.js';
import { AppError } from '../errors.js';
import { checkMediaPath } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../workers/path-mapping.js';
import { itemPath, serverOf } from '../integrations/media-refresh.js';
import type { WebhookIntent, WebhookSource } from './webhooks.parsers.js';
import type { SettingKey } from '../settings/definitions/index.js';

export interface WebhookFileResult {
  path: string;
  action: 'job' | 'skip' | 'error';
  reason: string | null;
  job_id: string | null;
}

export interface WebhookSkip {
  path: string;
  reason: string;
}

export interface WebhookResult {
  source: WebhookSource;
  event: 'test' | 'ignored' | 'files';
  message: string;
  queued: number;
  files: WebhookFileResult[];
  /** every file that was not queued, with why */
  skipped: WebhookSkip[];
}

export async function handleWebhook(ctx: AppContext, source: WebhookSource, intent: WebhookIntent): Promise<WebhookResult> {
  if (intent.kind === 'test') return { source, event: 'test', message: `${source} test received`, queued: 0, files: [], skipped: [] };
  if (intent.kind === 'ignore') return { source, event: 'ignored', message: intent.reason, queued: 0, files: [], skipped: [] };
  const get = (k: SettingKey) => ctx.settings.get(k);
  let paths = intent.kind === 'files' ? intent.paths : [];
  if (intent.kind === 'item') {
    const kind = source === 'plex' ? 'plex' : source === 'emby' ? 'emby' : 'jellyfin';
    const server = serverOf(get, kind);
    if (!server) throw new AppError(422, 'media_server_unconfigured', `The ${source} webhook names item ${intent.itemId} but not its file: set ${kind}_url and ${kind === 'plex' ? 'plex_token' : `${kind}_api_key`} so the file can be looked up`);
    paths = await itemPath(server, intent.itemId, ctx.settings.getNumber('integration_request_timeout_seconds') * 1000);
    if (!paths.length) throw new AppError(422, 'item_without_file', `${source} has no file for item ${intent.itemId}`);
  }
  const mappings = mappingsFromSettings(get);
  const files: WebhookFileResult[] = [];
  const rulesOn = (await ctx.rules.list(true)).length > 0;
  for (const original of paths) {
    const path = applyPathMappings(original, mappings);
    const c = await checkMediaPath(ctx.settings, path);
    if (!c.ok) {
      ctx.log.warn({ source, path, resolved: c.path, reason: c.reason }, 'webhook names a file outside the library folders: not queued (add its folder to library_paths or allowed_media_roots if it belongs to the library)');
      files.push({ path, action: 'skip', reason: c.reason, job_id: null });
      continue;
    }
    files.push(rulesOn ? await byRules(ctx, c.path) : await byDefault(ctx, c.path));
  }
  const queued = files.filter((f) => f.action === 'job').length;
  ctx.log.info({ source, queued, files: files.map((f) => f.path) }, 'webhook processed');
  return { source, event: 'files', message: `${queued} job(s) queued`, queued, files, skipped: skippedOf(files) };
}

function skippedOf(files: WebhookFileResult[]): WebhookSkip[] {
  return files
    .filter((f) => f.action !== 'job')
    .map((f) => ({ path: f.path, reason: f.reason ?? (f.action === 'error' ? 'could not be processed' : 'no scan rule asks for a job') }));
}

async function byRules(ctx: AppContext, path: string): Promise<WebhookFileResult> {
  const [r] = await ctx.scanner.service.processFiles([path]);
  if (!r || r.error) return { path, action: 'error', reason: r?.error ?? 'not analysed', job_id: null };
  const d = r.decision!;
  return { path, action: d.action === 'job' ? 'job' : 'skip', reason: (d as { reason?: string | null }).reason ?? null, job_id: (d as { job_id?: string | null }).job_id ?? null };
}

async function byDefault(ctx: AppContext, path: string): Promise<WebhookFileResult> {
  if (!existsSync(path)) return { path, action: 'error', reason: `File not found on this server: ${path} (check path_mappings)`, job_id: null };
  try {
    const job = await ctx.jobs.create({
      file_path: path,
      target_lang: ctx.settings.getString('webhook_default_target_language') || 'eng',
      quality_preset: ctx.settings.getString('webhook_quality_preset') || 'fast',
      priority: ctx.settings.getNumber('webhook_job_priority'),
      is_manual_request: false,
      options: { source: 'webhook' },
    });
    return { path, action: 'job', reason: null, job_id: job.id };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return { path, action: e.status === 409 ? 'skip' : 'error', reason: e.message, job_id: null };
    throw e;
  }
}
