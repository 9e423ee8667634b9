/**
 * A job whose catalogue model is missing: with model_auto_download off it
 * fails at once with what to do; with it on, the worker downloads the model
 * from model_download_base_url and the job shows the download as its stage
 * (the served file is not the real model, so its checksum then refuses it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestApp } from '../helpers/app.js';
import { makeVideo, useTestModel, waitFor } from './helpers.js';

test('a missing model: a clear failure with auto-download off, a download shown as the job stage with it on', { timeout: 180_000 }, async (t) => {
  const requests: string[] = [];
  // Trickles 64 KiB over about 3 s, so the download stage can be seen.
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-length': String(64 * 1024) });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(Buffer.alloc(4096, 7));
      sent += 4096;
      if (sent >= 64 * 1024) {
        clearInterval(timer);
        res.end();
      }
    }, 200);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());

  const app = await createTestApp('sqlite');
  const media = mkdtempSync(join(tmpdir(), 'tio-media-'));
  const models = mkdtempSync(join(tmpdir(), 'tio-models-'));
  t.after(async () => {
    await app.close();
    rmSync(media, { recursive: true, force: true });
    rmSync(models, { recursive: true, force: true });
  });
  await useTestModel(app.ctx, { library_paths: media, whisper_model: 'tiny', model_path: models, model_auto_download: false });
  const video = makeVideo(media, 'Movie.mkv');
  assert.equal((await app.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } })).statusCode, 201);
  const create = async (name: string) => {
    const r = await app.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: name, target_lang: 'eng', source_lang: 'eng' } });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().id as string;
  };
  const finished = (id: string) =>
    waitFor(`job ${id} finished`, async () => {
      const j = (await app.app.inject({ url: `/api/jobs/${id}` })).json();
      return j.status === 'failed' || j.status === 'completed' ? j : null;
    }, 90_000, 100);

  const off = await finished(await create('Movie.mkv'));
  assert.equal(off.status, 'failed');
  assert.equal(off.retry_count, 0, 'a missing model is not retried');
  assert.match(off.error, /tiny model \(ggml-tiny\.bin\) is not installed in .*tio-models-.*automatic download is off/);
  assert.ok(!off.error.includes('`'), 'no CLI line in the message');
  assert.deepEqual(requests, [], 'nothing was downloaded');
  await app.app.inject({ method: 'DELETE', url: '/api/jobs/queue/clear' });

  await app.ctx.settings.bulkUpdate({ model_auto_download: true, model_download_base_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror` });
  await app.app.inject({ method: 'POST', url: `/api/jobs/${off.id}/retry` });
  const downloading = await waitFor('the download stage', async () => {
    const j = (await app.app.inject({ url: `/api/jobs/${off.id}` })).json();
    if (j.status === 'failed') throw new Error(`failed before the download stage was seen: ${j.error}`);
    return j.current_stage === 'downloading_model' ? j : null;
  }, 60_000, 50);
  assert.equal(downloading.status, 'processing');
  const on = await finished(off.id);
  assert.equal(on.status, 'failed');
  assert.match(on.error, /automatic download failed: .*sha1/);
  assert.deepEqual(requests, ['/mirror/ggml-tiny.bin'], 'fetched from model_download_base_url');
  assert.deepEqual(readdirSync(models), [], 'the refused file is not kept');
});
