import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { downloadBaseUrl, ensureModel } from './model-install.js';

const noBackticks = (m: string) => assert.ok(!m.includes('`'), `no CLI line in a message the UI shows: ${m}`);

test('an installed model is used as it is, without a download', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-models-'));
  writeFileSync(join(dir, 'ggml-tiny.bin'), 'x');
  assert.equal(await ensureModel('tiny', dir, { autoDownload: true, baseUrl: 'http://127.0.0.1:9/' }), join(dir, 'ggml-tiny.bin'));
});

test('automatic download off: the job fails with what is missing, where, and what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-models-'));
  await assert.rejects(ensureModel('small', dir, { autoDownload: false }), (e: { code: string; message: string }) => {
    assert.equal(e.code, 'model_missing');
    assert.match(e.message, /small model \(ggml-small\.bin\) is not installed in \/.*tio-models-/);
    assert.match(e.message, /automatic download is off \(setting model_auto_download\)/);
    assert.match(e.message, /Models page/);
    noBackticks(e.message);
    return true;
  });
});

test('automatic download on: fetched from model_download_base_url with progress, and a bad file is refused and removed', async (t) => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-length': '4096' });
    res.end(Buffer.alloc(4096, 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'tio-models-'));
  const progress: Array<number | null> = [];
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
  await assert.rejects(ensureModel('tiny', dir, { autoDownload: true, baseUrl: base, onProgress: (p) => progress.push(p.percent) }), (e: { code: string; message: string }) => {
    assert.equal(e.code, 'model_missing');
    assert.match(e.message, /automatic download failed: .*sha1/);
    noBackticks(e.message);
    return true;
  });
  assert.deepEqual(requests, ['/mirror/ggml-tiny.bin'], 'the setting says where models come from');
  assert.ok(progress.length > 0, 'the download reports progress');
  assert.deepEqual(readdirSync(dir), [], 'a file that fails its checksum is not kept');
});

test('a missing model given as a path names the path; no download is tried', async () => {
  await assert.rejects(ensureModel('/nowhere/my-model.bin', '/tmp', { autoDownload: true }), /The model file \/nowhere\/my-model\.bin does not exist/);
  assert.ok(!existsSync('/nowhere'));
});

test('download base: the mirror (TRANSCRIPTORIO_MODEL_BASE_URL) wins, VAD models keep their own repository', () => {
  assert.equal(downloadBaseUrl({}, 'http://mirror.lan/models'), 'http://mirror.lan/models');
  assert.equal(downloadBaseUrl({ baseUrl: 'http://vad' }, 'http://mirror.lan/models'), 'http://vad');
  assert.equal(downloadBaseUrl({}, ''), undefined);
  assert.equal(downloadBaseUrl({}, '', null), undefined);
  assert.equal(downloadBaseUrl({ baseUrl: 'http://vad' }, 'http://mirror.lan/models', 'http://env'), 'http://env');
});

test('a job\'s model download goes to the mirror it is given', async (t) => {
  const hits: string[] = [];
  const server = createServer((req, res) => (hits.push(req.url ?? ''), res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
  const dir = mkdtempSync(join(tmpdir(), 'tio-models-'));
  await assert.rejects(ensureModel('tiny', dir, { autoDownload: true, baseUrl: 'http://127.0.0.1:9/setting', mirror }), /automatic download failed/);
  assert.deepEqual(hits, ['/mirror/ggml-tiny.bin']);
});
