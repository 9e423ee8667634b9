import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel, resolveModel, listModels, removeModel } from './models.js';

const payload = Buffer.alloc(300_000);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) % 251;
const sha256 = createHash('sha256').update(payload).digest('hex');

/** Serves ggml-tiny.bin with Range support; `cutAt` drops the connection after that many bytes once. */
function serve(opts: { cutAt?: number } = {}): Promise<{ server: Server; base: string; ranges: string[] }> {
  const ranges: string[] = [];
  let cut = opts.cutAt;
  const server = createServer((req, res) => {
    if (!req.url?.endsWith('/ggml-tiny.bin')) return res.writeHead(404).end();
    const range = req.headers.range;
    ranges.push(range ?? '');
    let start = 0;
    if (range) start = Number(/bytes=(\d+)-/.exec(range)![1]);
    const body = payload.subarray(start);
    res.writeHead(range ? 206 : 200, { 'Content-Length': body.length, ...(range ? { 'Content-Range': `bytes ${start}-${payload.length - 1}/${payload.length}` } : {}) });
    if (cut !== undefined) {
      const n = cut;
      cut = undefined;
      res.write(body.subarray(0, n), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, ranges })));
}

function dir(t: { after(fn: () => void): void }) {
  const d = mkdtempSync(join(tmpdir(), 'tio-models-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('an interrupted download resumes with a Range request and passes its checksum', async (t) => {
  const { server, base, ranges } = await serve({ cutAt: 100_000 });
  t.after(() => server.close());
  const d = dir(t);
  await assert.rejects(downloadModel('tiny', d, { baseUrl: base, sha1: '', sha256 }), { code: 'download_interrupted' });
  assert.ok(existsSync(join(d, 'ggml-tiny.bin.part')));
  assert.ok(!existsSync(join(d, 'ggml-tiny.bin')));
  const events: number[] = [];
  const path = await downloadModel('tiny', d, { baseUrl: base, sha1: '', sha256, onProgress: (p) => events.push(p.received) });
  assert.equal(path, join(d, 'ggml-tiny.bin'));
  assert.ok(ranges[1].startsWith('bytes='), `second request: ${ranges[1]}`);
  assert.ok(Number(/bytes=(\d+)/.exec(ranges[1])![1]) > 0);
  assert.deepEqual(readFileSync(path), payload);
  assert.ok(!existsSync(`${path}.part`));
  assert.equal(events.at(-1), payload.length);
});

test('a bad checksum removes the file and says so', async (t) => {
  const { server, base } = await serve();
  t.after(() => server.close());
  const d = dir(t);
  await assert.rejects(downloadModel('tiny', d, { baseUrl: base, sha1: '', sha256: 'ab'.repeat(32) }), { code: 'checksum_mismatch' });
  assert.ok(!existsSync(join(d, 'ggml-tiny.bin')));
  assert.ok(!existsSync(join(d, 'ggml-tiny.bin.part')));
});

test('the catalogue SHA-1 is checked by default (the fake payload does not match it)', async (t) => {
  const { server, base } = await serve();
  t.after(() => server.close());
  await assert.rejects(downloadModel('tiny', dir(t), { baseUrl: base }), /sha1/);
});

test('models already present work offline; missing ones name the file and the command', async (t) => {
  const d = dir(t);
  assert.throws(() => resolveModel('small', d), (e: Error) => /ggml-small\.bin is missing: run `transcriptorio models download small/.test(e.message));
  assert.throws(() => resolveModel('nonsense', d), { code: 'unknown_model' });
  const { server, base } = await serve();
  await downloadModel('tiny', d, { baseUrl: base, sha1: '', sha256 });
  server.close();
  assert.equal(resolveModel('tiny', d), join(d, 'ggml-tiny.bin'));
  assert.equal(resolveModel(join(d, 'ggml-tiny.bin'), '/nowhere'), join(d, 'ggml-tiny.bin'));
  const list = await listModels(d);
  assert.equal(list.find((m) => m.name === 'tiny')?.bytes, statSync(join(d, 'ggml-tiny.bin')).size);
  assert.equal(await removeModel('tiny', d), true);
  assert.ok(!existsSync(join(d, 'ggml-tiny.bin')));
});
