/**
 * Provider tests call the API the way Bazarr does: audio encoded by ffmpeg
 * to raw s16le mono 16 kHz PCM from jfk.wav, posted as multipart `audio_file`
 * with encode=false. Jobs run on a real worker process with the generated
 * minimal model.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { isWhisperBuilt } from '../../src/transcription/binaries.js';

import { JFK_WAV, SILERO_MODEL } from '../helpers/fixtures.js';

export const JFK = JFK_WAV;
export const SILERO = SILERO_MODEL;

export function engineSkip(): string | false {
  if (isWhisperBuilt('cpu')) return false;
  if (process.env.CI) throw new Error('whisper.cpp is not built: run `npm run build:whisper` (required in CI)');
  return 'whisper.cpp is not built (npm run build:whisper)';
}

let pcm: Buffer | null = null;
/** jfk.wav as Bazarr sends it: `ffmpeg -i jfk.wav -f s16le -ac 1 -ar 16000 -`. */
export function jfkPcm(): Buffer {
  pcm ??= execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', JFK, '-f', 's16le', '-ac', '1', '-ar', '16000', '-'], { maxBuffer: 64 << 20 });
  return pcm;
}

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body as Python's requests writes it for files={'audio_file': bytes}. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----tiotest${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const type = p.contentType ? `\r\nContent-Type: ${p.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}${type}\r\n\r\n`), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const audioPart = (data: Buffer, field = 'audio_file'): Part => ({ name: field, value: data, filename: field });

/** A test app whose settings point the engine at the generated minimal model and the fixture VAD model. */
export async function providerApp(settings: Record<string, unknown> = {}): Promise<TestApp> {
  const t = await createTestApp('sqlite');
  const model = await ensureTestModel('minimal');
  await t.ctx.settings.bulkUpdate({
    whisper_model: model,
    vad_model: SILERO,
    whisper_threads: 2,
    whisper_best_of: 1,
    preset_balanced_beam_size: 1,
    whisper_temperature_fallback: false,
    ...settings,
  });
  return t;
}

/** Starts one real CPU worker process of the app's pool and waits until it heart-beats. */
export async function startWorker(t: TestApp): Promise<string> {
  const id = await t.ctx.workers.supervisor.addWorker('cpu');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const row = await t.ctx.database.db.selectFrom('workers').selectAll().where('worker_id', '=', id).executeTakeFirst();
    if (row && (row.status === 'idle' || row.status === 'busy')) return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('worker did not start within 30 s');
}

export async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP POST (tests that need concurrency or a client that disconnects). */
export function post(url: string, body: Buffer, contentType: string, opts: { signal?: AbortSignal } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length }, signal: opts.signal }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export { waitFor } from '../helpers/wait.js';
