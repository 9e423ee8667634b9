/**
 * A full data folder: a small tmpfs holds the data folder and the SQLite
 * file, and a filler file takes every byte left. Job creation and provider
 * uploads answer 507 `disk_full` naming the folder (never 500, never a 400
 * "malformed multipart"), /health answers 503 `degraded` with the free
 * space, an upload the database cannot hold leaves no chunks behind, and
 * everything works again once the filler is deleted. Skipped, with the
 * reason, where a tmpfs cannot be mounted (not root).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { audioPart, jfkPcm, multipart } from '../provider/provider-helpers.js';
import { blobStats } from '../../src/provider/job-blobs.repository.js';
import { waitFor } from '../workers/helpers.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';
import { NO_TMPFS, fill, mountTmpfs, unmount } from '../helpers/tmpfs.js';

/** The app over a SQLite file in a fresh tmpfs, with a worker row that heart-beats for an hour (uploads get past the no-worker check). */
async function fullableApp(t: TestContext, size: string): Promise<{ app: TestApp; dir: string } | null> {
  const dir = mountTmpfs(size);
  if (!dir) {
    t.skip(NO_TMPFS);
    return null;
  }
  const app = await createTestApp('sqlite', { kind: 'sqlite', url: `sqlite:${join(dir, 'tio.db')}`, dataDir: dir, drop: async () => {} });
  t.after(async () => {
    await app.close();
    unmount(dir);
  });
  await insertLiveWorkerRow(app.ctx.database.db, { workerId: 'fake-1', node: app.ctx.config.nodeName });
  await app.ctx.settings.update('allowed_media_roots', '/media');
  return { app, dir };
}

const newJob = (n: number) => ({ file_path: `/media/full-${n}.mkv`, file_name: `full-${n}.mkv`, target_lang: 'eng' });

function assertDiskFull(res: { statusCode: number; body: string }, dir: string, what: string): void {
  assert.equal(res.statusCode, 507, `${what}: ${res.body}`);
  const body = JSON.parse(res.body) as { detail?: string; code?: string; error?: { message: string; code: string } };
  const detail = body.detail ?? body.error?.message ?? '';
  assert.equal(body.code ?? body.error?.code, 'disk_full', what);
  assert.ok(detail.includes(dir), `${what}: the message names the folder: ${detail}`);
  assert.match(detail, /free space on the disk holding .*then retry/i, what);
}

/** A multipart upload sent chunked, without Content-Length, as a streaming client does: the disk fills while it is read. */
function postChunked(port: number, path: string, body: Buffer, contentType: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 16 << 10) req.write(body.subarray(i, i + (16 << 10)));
    req.end();
  });
}

test('a full data folder: job creation and every upload answer 507 disk_full naming the folder, /health is 503 degraded; all recover once space is freed', { timeout: 120_000 }, async (t) => {
  const made = await fullableApp(t, '24m');
  if (!made) return;
  const { app, dir } = made;
  const inject = app.app.inject.bind(app.app);
  assert.equal((await inject({ method: 'POST', url: '/api/jobs', payload: newJob(0) })).statusCode, 201);
  assert.equal((await inject({ url: '/health' })).statusCode, 200);

  const filler = fill(dir);
  assertDiskFull(await inject({ method: 'POST', url: '/api/jobs', payload: newJob(1) }), dir, 'POST /api/jobs');

  const health = await inject({ url: '/health' });
  assert.equal(health.statusCode, 503, health.body);
  const h = health.json() as Record<string, unknown>;
  for (const key of ['status', 'database', 'workers', 'queue_size', 'disk_free_bytes']) assert.ok(key in h, `/health keeps ${key}`);
  assert.equal(h.status, 'degraded');
  assert.equal(h.database, 'connected');
  assert.ok(typeof h.disk_free_bytes === 'number' && h.disk_free_bytes < 16 << 20, `free bytes reported: ${h.disk_free_bytes}`);
  assert.ok(String(h.detail).includes(dir), String(h.detail));
  const checks = (await inject({ url: '/api/system/health' })).json().checks as Array<{ id: string; level: string; fix: string }>;
  const check = checks.find((c) => c.id === `disk_full:${dir}`);
  assert.equal(check?.level, 'error', JSON.stringify(checks));
  assert.match(check?.fix ?? '', /Free space on the disk holding/);

  // Uploads, small and large, declared or streamed: 507, never 400 "Malformed multipart body" nor 500.
  const small = multipart([audioPart(jfkPcm().subarray(0, 32 << 10))]);
  const large = multipart([audioPart(Buffer.alloc(20 << 20, 3))]);
  for (const [url, body] of [['/asr?encode=false&output=srt', small], ['/detect-language?encode=false', small], ['/asr?encode=false', large]] as const) {
    assertDiskFull(await inject({ method: 'POST', url, payload: body.body, headers: { 'content-type': body.contentType } }), dir, `${url} (${body.body.length} bytes)`);
  }
  const openai = multipart([{ name: 'file', value: jfkPcm().subarray(0, 32 << 10), filename: 'a.wav' }, { name: 'model', value: 'whisper-1' }]);
  assertDiskFull(await inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: openai.body, headers: { 'content-type': openai.contentType } }), dir, '/v1/audio/transcriptions');
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.app.server.address() as AddressInfo).port;
  for (const body of [small, multipart([audioPart(Buffer.alloc(4 << 20, 5))])]) {
    assertDiskFull(await postChunked(port, '/asr?encode=false', body.body, body.contentType), dir, `chunked upload of ${body.body.length} bytes`);
  }
  const uploads = join(dir, 'provider-uploads');
  assert.deepEqual(existsSync(uploads) ? readdirSync(uploads) : [], [], 'no partial upload file is left');
  assert.equal((await blobStats(app.ctx.database.db)).chunks, 0, 'no audio chunk is left in the database');

  rmSync(filler);
  assert.equal((await inject({ method: 'POST', url: '/api/jobs', payload: newJob(2) })).statusCode, 201, 'job creation works again');
  const back = await inject({ url: '/health' });
  assert.equal(back.statusCode, 200, back.body);
  assert.equal(back.json().status, 'healthy');
  assert.ok(back.json().disk_free_bytes > 16 << 20);
  assert.ok(!((await inject({ url: '/api/system/health' })).json().checks as Array<{ id: string }>).some((c) => c.id.startsWith('disk_full')));
});

test('an upload whose audio the database cannot hold: 507 naming the folder, and its stored chunks are removed at once, not by the clean-up', { timeout: 120_000 }, async (t) => {
  const made = await fullableApp(t, '24m');
  if (!made) return;
  const { app, dir } = made;
  await app.ctx.settings.update('provider_compress_uploads', false);
  // The temporary file fits, the database's copy does not: its first chunks are stored, then SQLITE_FULL.
  const audio = Buffer.alloc(3 << 20, 7);
  const body = multipart([audioPart(audio)]);
  const filler = fill(dir, (4 << 20) + (256 << 10));
  const res = await app.app.inject({ method: 'POST', url: '/asr?encode=false', payload: body.body, headers: { 'content-type': body.contentType } });
  assertDiskFull(res, dir, 'an upload the database cannot hold');
  assert.match(res.json().detail, /SQLITE_FULL/);
  // Removed as soon as the database takes the delete (the upload's temporary file going makes the room): seconds, not the 10-minute clean-up.
  await waitFor('the failed upload\'s chunks removed', async () => (await blobStats(app.ctx.database.db)).chunks === 0, 20_000, 200);
  assert.deepEqual(readdirSync(join(dir, 'provider-uploads')), [], 'no temporary upload file is left');
  assert.equal((await app.app.inject({ url: '/health' })).statusCode, 503, 'the database just met a full disk: degraded');
  rmSync(filler);
  assert.equal((await app.app.inject({ url: '/health' })).statusCode, 200, 'space freed: healthy again');
});
