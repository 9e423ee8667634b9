/**
 * Starts the HTTP server for a config: context, app, listen, and a graceful
 * close on SIGINT/SIGTERM that stops background components first.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { buildApp } from './app.js';
import { closeContext, createContext, type AppContext } from './context.js';
import { startBackground } from './background.js';
import './background-components.js';

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

export async function startServer(config: Config, opts: { background?: boolean; cpuWorkers?: number } = {}): Promise<RunningServer> {
  const ctx = await createContext(config);
  ctx.cpuWorkersAtBoot = opts.cpuWorkers;
  const app = await buildApp(ctx);
  app.server.keepAliveTimeout = 65_000;
  app.server.requestTimeout = 0; // provider uploads and long transcriptions
  const listen = listenAddress(config, ctx.settings);
  await app.listen(listen);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  ctx.settings.setEffective('api_host', listen.host, describeSource(config.listenSource.host, '--host', 'HOST'));
  ctx.settings.setEffective('api_port', String(port), describeSource(config.listenSource.port, '--port', 'PORT'));
  const url = `http://${listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host}:${port}`;
  if (opts.background !== false) await startBackground(ctx, app);
  ctx.log.info({ url, database: config.databaseKind, docs: `${url}/docs` }, 'TranscriptorIO is running');
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await closeContext(ctx);
      await app.close();
    })());
  return { app, ctx, url, close };
}
