/**
 * One worker pool per server context: the supervisor of this node and the
 * service the routes use. Made on first use, so the API can add workers even
 * where background components are off (tests); the supervisor's stop is
 * registered on ctx.onClose either way.
 */
import { hostname } from 'node:os';
import type { AppContext } from '../server/context.js';
import { WorkerSupervisor } from './supervisor.js';
import { WorkersService } from './workers.service.js';

export interface WorkerPool {
  supervisor: WorkerSupervisor;
  service: WorkersService;
}

const pools = new WeakMap<AppContext, WorkerPool>();

/** This server's node name: TRANSCRIPTORIO_NODE_NAME, else the host name. */
export function serverNodeName(): string {
  return process.env.TRANSCRIPTORIO_NODE_NAME?.trim() || hostname();
}

export function workersFor(ctx: AppContext): WorkerPool {
  let pool = pools.get(ctx);
  if (pool) return pool;
  const supervisor = new WorkerSupervisor({
    database: ctx.database,
    databaseUrl: ctx.config.databaseUrl,
    settings: ctx.settings,
    log: ctx.log.child({ component: 'workers' }),
    node: serverNodeName(),
    logLevel: ctx.config.logLevel,
  });
  const service = new WorkersService(ctx.database, ctx.settings, () => supervisor, ctx.log);
  pool = { supervisor, service };
  pools.set(ctx, pool);
  ctx.onClose.push(async () => {
    await supervisor.close(ctx.settings.getNumber('shutdown_timeout_seconds') * 1000);
  });
  return pool;
}
