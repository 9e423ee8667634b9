/**
 * The composition root: createContext builds every service and background
 * component of a server process, in dependency order, and returns them as
 * one AppContext; closeContext tears them down in reverse. Nothing else
 * constructs a service of the server or keeps one aside: routes read
 * `app.ctx.<service>`, the server starts `ctx.background` after listen.
 *
 *   core (core.ts)      config, log, database, settings, jobs, rules, events
 *   workers             supervisor of this node (Config.nodeName) + the Workers API service
 *   scanner             scan service, scheduler, watcher (ScannerRuntime)
 *   provider            provider requests as jobs (ProviderService)
 *   models              model catalogue and downloads (ModelsService)
 *   background          events → workers → scanner → provider-cleanup → completion-notifier
 *
 * Consumers of the queue start before its producers (workers before the
 * scanner's scheduled scans), so stopping in reverse ends the producers first.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createCore, type CoreContext } from './core.js';
import { stopBackground, type BackgroundComponent } from './background.js';
import { WorkerSupervisor } from '../workers/supervisor.js';
import { WorkersService } from '../workers/workers.service.js';
import { workerEventsPoller, workersComponent } from '../workers/workers.background.js';
import { ScannerRuntime } from '../scanner/scanner.runtime.js';
import { scannerComponent } from '../scanner/scanner.background.js';
import { ProviderService } from '../provider/provider.service.js';
import { providerCleanupComponent } from '../provider/provider.cleanup.js';
import { completionNotifierComponent } from '../integrations/completion-notifier.js';
import { ModelsService } from '../models/models.service.js';
import type { EventHub } from '../events/event-hub.js';

export type { CoreContext } from './core.js';

export interface WorkerPool {
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
  /** In start order; the server starts them after listen, closeContext stops them in reverse. */
  background: readonly BackgroundComponent[];
}

export interface ContextOptions {
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
  });
  const workers: WorkerPool = { supervisor, service: new WorkersService(database, settings, () => supervisor, log) };
  events.addPoller(workerEventsPoller(workers.service, events));

  const scanner = new ScannerRuntime(core);
  const provider = new ProviderService(core);
  const models = new ModelsService(settings, events, log);

  const background: BackgroundComponent[] = [
    eventsComponent(events),
    workersComponent({ supervisor, settings, log, cpuWorkersAtBoot: opts.cpuWorkersAtBoot }),
    scannerComponent(scanner),
    providerCleanupComponent(core),
    completionNotifierComponent(core),
  ];
  return { ...core, workers, scanner, provider, models, background: Object.freeze(background) };
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
 * hand back their jobs), cancels model downloads, closes the database.
 */
export async function closeContext(ctx: AppContext): Promise<void> {
  await stopBackground(ctx.background, ctx.log);
  ctx.models.stop();
  await ctx.database.close();
}
