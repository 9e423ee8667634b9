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

export async function startServer(config: Config, opts: { background?: boolean; cpuWorkers?: number } = {}): Promise<RunningServer> {
  const ctx = await createContext(config);
  ctx.cpuWorkersAtBoot = opts.cpuWorkers;
  const app = await buildApp(ctx);
  app.server.keepAliveTimeout = 65_000;
  app.server.requestTimeout = 0; // provider uploads and long transcriptions
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
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
