/**
 * What a background component is (the event stream poller, the worker pool,
 * scheduler and watcher, provider cleanup, completion notifier), and how a
 * list of them starts and stops. Which components exist, and in what order,
 * is decided in one place: createContext (context.ts) returns them.
 */
import type { Logger } from 'pino';

export interface BackgroundComponent {
  readonly name: string;
  /** Runs once, after the HTTP server listens. */
  start(): Promise<void>;
  /**
   * Runs on close, in reverse start order. Must be safe when start never ran
   * (tests build the app with background components off) or failed, and when
   * called again.
   */
  stop(): Promise<void>;
}

/** Starts each component in order; one that fails is logged and the others still start. */
export async function startBackground(components: readonly BackgroundComponent[], log: Logger): Promise<void> {
  for (const c of components) {
    try {
      await c.start();
    } catch (e) {
      log.error({ err: e, component: c.name }, `could not start ${c.name}`);
    }
  }
}

/** Stops every component in reverse order; a failure is logged and the rest still stop. */
export async function stopBackground(components: readonly BackgroundComponent[], log: Logger): Promise<void> {
  for (const c of [...components].reverse()) {
    try {
      await c.stop();
    } catch (e) {
      log.warn({ err: e, component: c.name }, `error while stopping ${c.name}`);
    }
  }
}
