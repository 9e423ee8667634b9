import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';

// A local stand-in for the model host: serves 256 KiB for any ggml file.
const BODY = Buffer.alloc(256 * 1024, 7);
let server: Server;
let t: TestApp;

before(async () => {
  server = createServer((req, res) => {
    if (!req.url?.endsWith('.bin')) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': BODY.length });
    res.end(BODY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  t = await createTestApp('sqlite', undefined, { env: { TRANSCRIPTORIO_MODEL_BASE_URL: `http://127.0.0.1:${port}` } });
  await t.ctx.settings.update('model_path', join(t.database.dataDir, 'models'));
});

after(async () => {
  await t.close();
  server.close();
});

test('lists the catalogue with what is installed', async () => {
  const res = await t.app.inject({ url: '/api/models' });
  assert.equal(res.statusCode, 200);
  const models = res.json() as Array<{ name: string; installed: boolean; size_bytes: number; bundled: boolean; recommended: boolean }>;
  for (const name of ['tiny', 'base', 'small', 'medium', 'large-v3', 'large-v3-turbo', 'tiny.en']) {
    assert.ok(models.some((m) => m.name === name), `catalogue lists ${name}`);
  }
  // Only the Silero VAD model that ships with the product is installed in an empty model folder.
  assert.deepEqual(models.filter((m) => m.installed).map((m) => [m.name, m.bundled]), [['silero-v6.2.0', true]]);
  assert.equal(models.filter((m) => m.recommended).length, 1, 'one model is recommended for this machine');
  const vad = await t.app.inject({ method: 'DELETE', url: '/api/models/silero-v6.2.0' });
  assert.equal(vad.statusCode, 400, 'the shipped model is never deleted');
});

test('a download runs in the background, reports progress events and installs the file', async () => {
  const events: Array<{ status: string }> = [];
  const onEvent = (e: { event: string; data: { status: string } }) => e.event === 'model.download' && events.push(e.data);
  t.ctx.events.on('event', onEvent);
  const res = await t.app.inject({ method: 'POST', url: '/api/models/tiny-q5_1/download' });
  assert.equal(res.statusCode, 202);
  const again = await t.app.inject({ method: 'POST', url: '/api/models/tiny-q5_1/download' });
  assert.ok([200, 409].includes(again.statusCode), 'a second request does not start a second download');
  const deadline = Date.now() + 10_000;
  while (!events.some((e) => e.status === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.ctx.events.off('event', onEvent);
  assert.ok(events.some((e) => e.status === 'done'), 'done event arrives');
  const file = join(t.database.dataDir, 'models', 'ggml-tiny-q5_1.bin');
  assert.ok(existsSync(file));
  const list = (await t.app.inject({ url: '/api/models' })).json() as Array<{ name: string; installed: boolean }>;
  assert.equal(list.find((m) => m.name === 'tiny-q5_1')?.installed, true);

  const del = await t.app.inject({ method: 'DELETE', url: '/api/models/tiny-q5_1' });
  assert.equal(del.statusCode, 200);
  assert.ok(!existsSync(file));
  assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/models/tiny-q5_1' })).statusCode, 404);
});

test('unknown models are a 400 that names them', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/models/enormous/download' });
  assert.equal(res.statusCode, 400);
  assert.match(res.json().detail, /enormous/);
});
