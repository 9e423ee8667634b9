/**
 * Builds the real app over a real database for API tests (app.inject), with
 * every service of the composition root (createContext) and the background
 * components off unless a test asks for them (`background: true`) or starts
 * one itself (`t.ctx.scanner.resume()`, `t.ctx.workers.supervisor.start()`).
 */
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { createContext, closeContext, type AppContext } from '../../src/server/context.js';
import { startBackground } from '../../src/core/background.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  webDir?: string;
  /** Start ctx.background as the server does after listen (default false). */
  background?: boolean;
  /** The environment the configuration is read from (tool paths: NVIDIA_SMI, FFPROBE_PATH, ...); default none. */
  env?: NodeJS.ProcessEnv;
}

export async function createTestApp(kind: 'sqlite' | 'postgres' = 'sqlite', existing?: TestDatabase, opts: TestAppOptions = {}): Promise<TestApp> {
  const database = existing ?? (await createTestDatabase(kind));
  const config = loadConfig({ databaseUrl: database.url, dataDir: database.dataDir, logLevel: 'silent', port: 0, host: '127.0.0.1' }, opts.env ?? {});
  const ctx = await createContext(config, { log: createLogger('silent') });
  const app = await buildApp(ctx, { webDir: opts.webDir ?? '/nonexistent' });
  await app.ready();
  if (opts.background) await startBackground(ctx.background, ctx.log);
  return {
    app,
    ctx,
    database,
    close: async () => {
      await app.close();
      await closeContext(ctx);
      if (!existing) await database.drop();
    },
  };
}
