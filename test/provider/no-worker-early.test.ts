/**
 * With no live worker a provider upload is refused before its body is read:
 * the client declares 300 MiB, sends 64 KiB and waits; the 503 must come
 * while the rest of the body has not been sent (upload-admission.ts, the
 * routes' preHandler), and nothing is stored. A bad query parameter still
 * answers its 400 first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';

const DECLARED = 300 << 20;

/**
 * Sends the headers of a multipart POST declaring DECLARED bytes and the
 * first 64 KiB of its body, then waits (at most `ms`) for the status line
 * without sending more. Resolves with the answer's head and body so far.
 */
function startLargeUpload(port: number, path: string, ms = 5000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const boundary = '----tioearly';
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ms} ms while the body was still being sent (the server waits for the body)`));
    }, ms);
    socket.on('data', (d) => {
      got += d.toString();
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(got)?.[1] ?? 0);
      if (got.length - end - 4 < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(got.split(' ')[1]), text: got });
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${DECLARED}\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="a.pcm"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    socket.write(Buffer.alloc(64 << 10, 1));
    // ...and nothing more: a server that reads the whole body before answering never answers.
  });
}

test('no live worker: a provider upload gets its 503 before the body is sent, nothing is stored; a bad query is still a 400', { timeout: 60_000 }, async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.app.server.address() as AddressInfo).port;
  const key = app.ctx.settings.getString('api_key');
  for (const path of ['/asr?encode=false', '/detect-language?encode=false', `/provider/${key}/asr?encode=false`, '/v1/audio/transcriptions', '/v1/audio/translations']) {
    const res = await startLargeUpload(port, path);
    assert.equal(res.status, 503, `${path}: ${res.text}`);
    assert.match(res.text, /no_workers/, path);
    assert.match(res.text, /No worker is running/, path);
    if (path.startsWith('/v1')) assert.match(res.text, /"error":\{"message"/, `${path}: OpenAI's error shape`);
  }
  const uploads = join(app.ctx.config.dataDir, 'provider-uploads');
  assert.deepEqual(existsSync(uploads) ? readdirSync(uploads) : [], [], 'nothing of the bodies was stored');
  assert.equal((await app.ctx.database.db.selectFrom('jobs').select('id').execute()).length, 0, 'nothing was queued');

  // The query needs no body: its 400 comes before the 503, as it did when the body was read first.
  const bad = await startLargeUpload(port, '/asr?encode=false&task=dance');
  assert.equal(bad.status, 400, bad.text);
  assert.match(bad.text, /task/);
});
