/**
 * Starts the background components of a server process (worker pool,
 * scheduler, watcher, provider cache cleanup) once the HTTP server listens.
 * Each registers its stop function on ctx.onClose, so shutdown runs them in
 * reverse order.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';

type Starter = (ctx: AppContext, app: FastifyInstance) => Promise<void>;
const starters: Array<{ name: string; start: Starter }> = [];

export function registerBackground(name: string, start: Starter): void {
  if (starters.some((s) => s.name === name)) throw new Error(`background component ${name} registered twice`);
  starters.push({ name, start });
}

export async function startBackground(ctx: AppContext, app: FastifyInstance): Promise<void> {
  ctx.events.start();
  for (const s of starters) {
    try {
      await s.start(ctx, app);
    } catch (e) {
      ctx.log.error({ err: e, component: s.name }, `could not start ${s.name}`);
    }
  }
}
