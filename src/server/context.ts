/**
 * The composition root: createContext builds every service and background
 * component of a server process, in dependency order, and returns them as
 * one AppContext; closeContext tears them down in reverse. Nothing else
 * constructs a service of the server or keeps one aside: routes read
 * `app.ctx.<service>`, the server starts `ctx.background` after listen.
 *
 *   core                config, log, database (migrated), settings (defaults, the API key), jobs, rules, events
 *   workers             supervisor of this node (Config.nodeName) + the Workers API service
 *   scanner             scan service, scheduler, watcher (ScannerRuntime)
 *   provider            provider requests as jobs (ProviderService)
 *   models              model catalogue and downloads (ModelsService)
 *   library             the library index, fed by the scanner and the watcher (LibraryService)
 *   bazarr              Bazarr Wanted sync (BazarrSyncService)
 *   logs                recent log lines of the server and its workers (LogsService)
 *   syncApi             subtitle sync of library items and its background check (src/sync/)
 *   background          events → workers → scanner → library → provider-cleanup → completion-notifier → bazarr-sync → sync-check
 *
 * Consumers of the queue start before its producers (workers before the
 * scanner's scheduled scans), so stopping in reverse ends the producers first.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { SettingsService } from '../settings/settings.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ScanRulesService } from '../rules/rules.service.js';
import { EventHub } from '../events/event-hub.js';
import type { CoreContext } from '../core/context.js';
import { stopBackground, type BackgroundComponent } from '../core/background.js';
import { WorkerSupervisor } from '../workers/supervisor.js';
import { WorkersService } from '../workers/workers.service.js';
import { workerEventsPoller, workersComponent } from '../workers/workers.background.js';
import { ScannerRuntime } from '../scanner/scanner.runtime.js';
import { scannerComponent } from '../scanner/scanner.background.js';
import { ProviderService } from '../provider/provider.service.js';
import { providerCleanupComponent } from '../provider/provider.cleanup.js';
import { completionNotifierComponent } from '../integrations/completion-notifier.js';
import { BazarrSyncService, bazarrSyncComponent } from '../integrations/bazarr-sync.service.js';
import { ModelsService } from '../models/models.service.js';
import { modelFolderSetting } from '../transcription/models.js';
import { LibraryService } from '../library/library.service.js';
import { LogsService } from '../logs/logs.service.js';
import { libraryComponent } from '../library/library.background.js';
import { DiskFullRecord } from '../system/disk-full.js';
import { SyncService } from '../sync/sync.service.js';
import { SyncChecker, syncCheckComponent } from '../sync/sync-check.js';
import { SyncApi } from '../sync/sync.api.js';

export type { CoreContext } from '../core/context.js';

interface WorkerPool {
  /** this node's supervisor: forks, restarts and stops its worker processes */
  supervisor: WorkerSupervisor;
  /** the Workers API: workers of every node */
  service: WorkersService;
}

export interface AppContext extends CoreContext {
  workers: WorkerPool;
  scanner: ScannerRuntime;
  provider: ProviderService;
  models: ModelsService;
  /** the library index: every media file the scanner has seen (/api/library) */
  library: LibraryService;
  /** Bazarr's Wanted list filled: Sync now, status, uploads of finished subtitles */
  bazarr: BazarrSyncService;
  /** the log file's recent lines, keys taken out (/api/logs) */
  logs: LogsService;
  /** subtitle sync of library items: preview, apply, Undo, the read-only check (src/sync/) */
  syncApi: SyncApi;
  /** the last full disk a request met (error handler → /health) */
  diskFull: DiskFullRecord;
  /** In start order; the server starts them after listen, closeContext stops them in reverse. */
  background: readonly BackgroundComponent[];
}

interface ContextOptions {
  log?: Logger;
  /** `server --workers N`: CPU workers to start at boot instead of the worker_cpu_count setting. */
  cpuWorkersAtBoot?: number;
}

export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const core = await createCore(config, opts.log ?? createLogger(config.logLevel));
  const { database, settings, events, log } = core;

  const supervisor = new WorkerSupervisor({
    database,
    databaseUrl: config.databaseUrl,
    settings,
    log: log.child({ component: 'workers' }),
    node: config.nodeName,
    logLevel: config.logLevel,
    extraHandlers: config.extraHandlers,
    dataDir: config.dataDir,
    tools: config.tools,
  });
  const workers: WorkerPool = { supervisor, service: new WorkersService(database, settings, () => supervisor, log, config.tools) };
  events.addPoller(workerEventsPoller(workers.service, events));

  const scanner = new ScannerRuntime(core);
  const provider = new ProviderService(core);
  const models = new ModelsService(settings, events, log, config.tools);
  const bazarr = new BazarrSyncService(core);
  const logs = new LogsService(config.dataDir, () => [settings.getString('api_key')]);
  // The index follows every scan, watcher event and finished job (src/library/library.indexer.ts).
  const library = new LibraryService({ db: database.db, kind: database.kind, settings, rules: core.rules, jobs: core.jobs, events, log: log.child({ component: 'library' }), scanner: scanner.service });
  scanner.service.observe(library.indexer);
  scanner.watcher.onRemoved((p) => void library.indexer.removed([p]).catch((e) => log.warn({ err: e, path: p }, 'library: removal not recorded')));
  const sync = new SyncService({ db: database.db, settings, dataDir: config.dataDir, tools: config.tools });
  const syncChecker = new SyncChecker({ db: database.db, settings, library, sync, rules: core.rules, log: log.child({ component: 'sync-check' }) });
  const syncApi = new SyncApi({ library, sync, checker: syncChecker, settings });

  const background: BackgroundComponent[] = [
    eventsComponent(events),
    workersComponent({ supervisor, settings, log, cpuWorkersAtBoot: opts.cpuWorkersAtBoot }),
    scannerComponent(scanner),
    libraryComponent(library.indexer, log),
    providerCleanupComponent(core),
    completionNotifierComponent(core),
    bazarrSyncComponent(bazarr, core),
    syncCheckComponent(syncChecker, settings, log),
  ];
  return { ...core, workers, scanner, provider, models, library, bazarr, logs, syncApi, diskFull: new DiskFullRecord(), background: Object.freeze(background) };
}

/**
 * The base every other service is built on; the services take a Pick of it,
 * never the whole AppContext, so no service depends on the context that holds it.
 */
async function createCore(config: Config, log: Logger): Promise<CoreContext> {
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database);
  const settings = new SettingsService(database.db, log, modelFolderSetting(config.dataDir));
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

/** The live event stream's change poller (job rows, stats, worker rows). */
function eventsComponent(events: EventHub): BackgroundComponent {
  return {
    name: 'events',
    start: async () => events.start(),
    stop: async () => events.stop(),
  };
}

/**
 * Stops the background components in reverse start order (each is safe to
 * stop when it never started: workers added through the API still finish or
 * hand back their jobs), cancels model downloads, lets the caller end its
 * requests (`beforeDatabase`), closes the database.
 */
export async function closeContext(ctx: AppContext, beforeDatabase?: () => Promise<void>): Promise<void> {
  await stopBackground(ctx.background, ctx.log);
  ctx.models.stop();
  // The HTTP server ends its requests while the database still answers them.
  if (beforeDatabase) await beforeDatabase();
  await ctx.database.close();
}
