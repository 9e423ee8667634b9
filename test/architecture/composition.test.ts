/**
 * The composition root (src/server/context.ts) builds every service once and
 * lists the background components in start order; the server starts them in
 * that order after listen and stops them in reverse on close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { closeContext, createContext, type AppContext } from '../../src/server/context.js';
import { startBackground, stopBackground, type BackgroundComponent } from '../../src/core/background.js';
import { serve } from '../../src/server/server.js';
import { createTestDatabase } from '../helpers/db.js';
import { createTestApp } from '../helpers/app.js';

const START_ORDER = ['events', 'workers', 'scanner', 'library', 'provider-cleanup', 'completion-notifier', 'bazarr-sync', 'sync-check'];

/** Wraps each component's start and stop so the calls land in `calls` ("start x" / "stop x"). */
function record(components: readonly BackgroundComponent[], calls: string[]): void {
  for (const c of components) {
    const { start, stop } = c;
    c.start = async () => {
      calls.push(`start ${c.name}`);
      await start.call(c);
    };
    c.stop = async () => {
      calls.push(`stop ${c.name}`);
      await stop.call(c);
    };
  }
}

test('the context holds every service, built once, and the background components in start order', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const ctx: AppContext = app.app.ctx;
  assert.equal(ctx, app.ctx);
  assert.deepEqual(ctx.background.map((c) => c.name), START_ORDER);
  // Routes and status read the same instances the context holds.
  assert.equal(ctx.workers.supervisor.node, ctx.config.nodeName);
  const status = await app.app.inject({ method: 'GET', url: '/api/status' });
  assert.equal(status.statusCode, 200);
  assert.equal(status.json().scanner.scheduler_running, false, 'the test app starts no background component');
  assert.equal(ctx.scanner.scheduler.isRunning(), false);
});

test('the server starts its background components in order after listen and stops them in reverse on close', async (t) => {
  const db = await createTestDatabase('sqlite');
  t.after(() => db.drop());
  const config = loadConfig({ databaseUrl: db.url, dataDir: db.dataDir, logLevel: 'silent', port: 0, host: '127.0.0.1' }, {});
  const ctx = await createContext(config, { log: createLogger('silent') });
  const calls: string[] = [];
  record(ctx.background, calls);
  // The server records the port it got right after listen: that marks "listening" in the sequence.
  const setEffective = ctx.settings.setEffective.bind(ctx.settings);
  ctx.settings.setEffective = (key, value, by) => {
    if (key === 'api_port') calls.push('listening');
    setEffective(key, value, by);
  };
  const server = await serve(ctx);
  assert.deepEqual(calls, ['listening', ...START_ORDER.map((n) => `start ${n}`)]);
  assert.equal((await fetch(`${server.url}/health`)).status, 200);
  calls.length = 0;
  await server.close();
  assert.deepEqual(calls, [...START_ORDER].reverse().map((n) => `stop ${n}`));
  // close is idempotent: a second SIGTERM does not stop anything twice.
  await server.close();
  assert.equal(calls.length, START_ORDER.length);
});

test('a component that fails to start is logged; the others still start, and every one is stopped in reverse', async () => {
  const calls: string[] = [];
  const errors: string[] = [];
  const log = createLogger('silent');
  log.error = ((obj: { component?: string }) => void errors.push(obj.component ?? '?')) as never;
  const make = (name: string, fail = false): BackgroundComponent => ({
    name,
    start: async () => {
      calls.push(`start ${name}`);
      if (fail) throw new Error('boom');
    },
    stop: async () => void calls.push(`stop ${name}`),
  });
  const list = [make('a'), make('b', true), make('c')];
  await startBackground(list, log);
  await stopBackground(list, log);
  assert.deepEqual(calls, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  assert.deepEqual(errors, ['b']);
});

test('closing a context whose components never started (the test app, the CLI) still stops each one, in reverse', async () => {
  const db = await createTestDatabase('sqlite');
  try {
    const config = loadConfig({ databaseUrl: db.url, dataDir: db.dataDir, logLevel: 'silent' }, {});
    const ctx = await createContext(config, { log: createLogger('silent') });
    const calls: string[] = [];
    record(ctx.background, calls);
    await closeContext(ctx);
    assert.deepEqual(calls, [...START_ORDER].reverse().map((n) => `stop ${n}`));
  } finally {
    await db.drop();
  }
});
