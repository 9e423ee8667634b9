/**
 * Starts the HTTP server for a config: the context (every service, built by
 * createContext), the app, listen, then the background components in the
 * order createContext lists them. close() (on SIGINT/SIGTERM, see
 * cli/server.command.ts) stops them in reverse before the app closes.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { buildApp } from './app.js';
import { closeContext, createContext, type AppContext } from './context.js';
import { startBackground } from '../core/background.js';

export interface RunningServer {
  app: FastifyInstance;
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

/** A flag or environment variable wins; otherwise the api_host / api_port settings say where to listen. */
export function listenAddress(config: Config, settings: Pick<AppContext['settings'], 'getString' | 'getNumber'>): { host: string; port: number } {
  const host = config.listenSource.host === 'default' ? settings.getString('api_host').trim() || config.host : config.host;
  const fromSetting = settings.getNumber('api_port');
  const port = config.listenSource.port === 'default' && Number.isInteger(fromSetting) && fromSetting > 0 ? fromSetting : config.port;
  return { host, port };
}

function describeSource(source: Config['listenSource']['host'], flag: string, env: string): string | null {
  if (source === 'flag') return `the ${flag} flag`;
  if (source === 'env') return `the ${env} environment variable`;
  return null;
}

interface StartOptions {
  /** false: listen only, no background component (tests); default true */
  background?: boolean;
  /** `server --workers N`: CPU workers at boot instead of the worker_cpu_count setting */
  cpuWorkers?: number;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const ctx = await createContext(config, { cpuWorkersAtBoot: opts.cpuWorkers });
  return serve(ctx, opts);
}

/**
 * Serves a built context: the app, listen, then ctx.background in order.
 * close() stops the background components in reverse (closeContext), then
 * the app (its requests in flight end while the database still answers), then
 * the database. On a failed listen the context is closed before the error goes on.
 */
const CLOSE_GRACE_MS = 5000;

export async function serve(ctx: AppContext, opts: Pick<StartOptions, 'background'> = {}): Promise<RunningServer> {
  const { config } = ctx;
  const listen = listenAddress(config, ctx.settings);
  let app: FastifyInstance;
  try {
    app = await buildApp(ctx);
    app.server.keepAliveTimeout = 65_000;
    app.server.requestTimeout = 0; // provider uploads and long transcriptions
    await app.listen(listen);
  } catch (e) {
    // Port taken, bad address: nothing started yet, but the database is open.
    await closeContext(ctx);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  ctx.settings.setEffective('api_host', listen.host, describeSource(config.listenSource.host, '--host', 'HOST'));
  ctx.settings.setEffective('api_port', String(port), describeSource(config.listenSource.port, '--port', 'PORT'));
  const url = `http://${listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host}:${port}`;
  if (opts.background !== false) await startBackground(ctx.background, ctx.log);
  ctx.log.info({ url, database: config.databaseKind, docs: `${url}/docs` }, 'TranscriptorIO is running');
  let closing: Promise<void> | null = null;
  // Requests in flight finish before the database closes (a request that
  // still runs after CLOSE_GRACE_MS, such as a provider wait, is cut off).
  const close = () =>
    (closing ??= closeContext(ctx, async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([app.close(), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }));
  return { app, ctx, url, close };
}
