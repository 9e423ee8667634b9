/**
 * Where the server listens: a flag or an environment variable wins, and
 * without either the api_host / api_port settings say it; the settings
 * listing shows the value in force and what overrides the stored one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server/server.js';
import { createLogger } from '../../src/logger.js';
import { createContext, closeContext } from '../../src/server/context.js';
import { createTestDatabase } from '../helpers/db.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function settingsOf(url: string) {
  return (await (await fetch(`${url}/api/settings?category=general`)).json()) as Array<{ key: string; value: string; effective_value?: string; overridden_by?: string }>;
}

test('with no flag and no variable, the server listens where api_host and api_port say', async () => {
  const db = await createTestDatabase('sqlite');
  const port = await freePort();
  const env = { DATABASE_URL: db.url, DATA_DIR: db.dataDir, LOG_LEVEL: 'silent' };
  // The settings are stored first, as a user would through the UI, then the server starts.
  const setup = await createContext(loadConfig({}, env), { log: createLogger('silent') });
  await setup.settings.bulkUpdate({ api_host: '127.0.0.1', api_port: port });
  await closeContext(setup);
  const server = await startServer(loadConfig({}, env), { background: false });
  try {
    assert.equal(server.url, `http://127.0.0.1:${port}`);
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    const s = await settingsOf(server.url);
    assert.equal(s.find((x) => x.key === 'api_port')?.effective_value, undefined, 'the stored value is the one in force');
  } finally {
    await server.close();
    await db.drop();
  }
});

test('the PORT variable wins over api_port, and the settings say so', async () => {
  const db = await createTestDatabase('sqlite');
  const port = await freePort();
  const env = { DATABASE_URL: db.url, DATA_DIR: db.dataDir, LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1' };
  const server = await startServer(loadConfig({}, env), { background: false });
  try {
    assert.equal(server.url, `http://127.0.0.1:${port}`);
    const apiPort = (await settingsOf(server.url)).find((x) => x.key === 'api_port')!;
    assert.equal(apiPort.value, '8000');
    assert.equal(apiPort.effective_value, String(port));
    assert.equal(apiPort.overridden_by, 'the PORT environment variable');
  } finally {
    await server.close();
    await db.drop();
  }
});
