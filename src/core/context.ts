/**
 * What every service of a server process may be built on: configuration,
 * logger, database (migrated), settings, jobs, scan rules and the event hub.
 * The composition root (server/context.ts) makes it; services take a
 * `Pick<CoreContext, ...>` of what they use, never the whole AppContext.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { ScanRulesService } from '../rules/rules.service.js';
import type { EventHub } from '../events/event-hub.js';

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
