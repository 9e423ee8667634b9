/**
 * The base every other service is built on: configuration, logger, database
 * (migrated), settings (defaults and the API key in place), jobs, scan rules
 * and the event hub. The services of context.ts (workers, scanner, provider,
 * ...) take this, never the whole AppContext, so no service depends on the
 * context that holds it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { SettingsService } from '../settings/settings.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ScanRulesService } from '../rules/rules.service.js';
import { EventHub } from '../events/event-hub.js';

export interface CoreContext {
  config: Config;
  log: Logger;
  database: DatabaseHandle;
  settings: SettingsService;
  jobs: JobsService;
  rules: ScanRulesService;
  events: EventHub;
  startedAt: number;
  /** the API key this start generated (a first start), for the start banner; null when one existed */
  generatedApiKey: string | null;
}

export async function createCore(config: Config, log: Logger): Promise<CoreContext> {
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const settings = new SettingsService(database.db, log);
  await settings.initDefaults();
  const generatedApiKey = await ensureApiKey(settings, log);
  const jobs = new JobsService(database, {
    maxRetries: () => settings.getNumber('job_max_retries'),
    mode: () => settings.getString('transcribe_or_translate') || 'transcribe',
    preset: () => settings.getString('transcription_preset'),
  });
  const rules = new ScanRulesService(database.db, () => settings.getString('transcription_preset'));
  const events = new EventHub(database.db, log);
  return { config, log, database, settings, jobs, rules, events, startedAt: Date.now(), generatedApiKey };
}

/** The API key is made on first start and logged so the user can find it. */
async function ensureApiKey(settings: SettingsService, log: Logger): Promise<string | null> {
  if (settings.getString('api_key')) return null;
  const key = randomBytes(16).toString('hex');
  await settings.setInternal('api_key', key);
  // The one log line that shows a key: the user needs it to connect other machines and Bazarr.
  log.info(`Generated API key: ${key} (other machines send it as X-Api-Key or ?apikey=; Settings → Server and security shows it again)`);
  return key;
}
