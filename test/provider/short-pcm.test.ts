/**
 * A short request already in Whisper's format (16 kHz mono 16-bit PCM: a raw
 * `encode=false` upload, or such a WAV) runs without ffprobe or ffmpeg: the
 * server stores it as it came and checks a WAV by its header, the worker
 * hands its samples to the engine. Every ffprobe and ffmpeg run goes through
 * logging wrappers (FFPROBE_PATH, FFMPEG_PATH), and an MP3 shows they see
 * the runs that do happen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { ffmpegPaths, wavHeader } from '../../src/transcription/index.js';
import { engineSkip, jfkPcm, multipart, startWorker, SILERO } from './provider-helpers.js';

test('a short upload in Whisper\'s format runs with no ffprobe and no ffmpeg, /asr?encode=false and a WAV on /v1 alike; an MP3 still goes through both', { skip: engineSkip(), timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-short-pcm-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'tools.log');
  const real = ffmpegPaths();
  const wrap = (name: string, target: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${name}" >> '${log}'\nexec '${target}' "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const app = await createTestApp('sqlite', undefined, { env: { FFPROBE_PATH: wrap('ffprobe', real.ffprobe), FFMPEG_PATH: wrap('ffmpeg', real.ffmpeg) } });
  t.after(() => app.close());
  await app.ctx.settings.bulkUpdate({
    whisper_model: await ensureTestModel('minimal'), vad_model: SILERO, whisper_threads: 2, whisper_best_of: 1, preset_balanced_beam_size: 1, whisper_temperature_fallback: false,
  });
  await startWorker(app);
  const ran = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);
  const pcm = jfkPcm();

  const raw = multipart([{ name: 'audio_file', value: pcm, filename: 'audio_file' }]);
  const asr = await app.app.inject({ method: 'POST', url: '/asr?encode=false&language=en&output=json', payload: raw.body, headers: { 'content-type': raw.contentType } });
  assert.equal(asr.statusCode, 200, asr.body);
  assert.ok((asr.json() as { segments: unknown[] }).segments.length > 0);

  const wav = Buffer.concat([wavHeader(pcm.length), pcm.subarray(0, pcm.length - 2), pcm.subarray(pcm.length - 2).map((b) => b ^ 1)]);
  const file = multipart([{ name: 'file', value: wav, filename: 'jfk.wav' }, { name: 'model', value: 'whisper-1' }, { name: 'language', value: 'en' }]);
  const v1 = await app.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: file.body, headers: { 'content-type': file.contentType } });
  assert.equal(v1.statusCode, 200, v1.body);
  assert.ok((v1.json() as { text: string }).text.length > 0);
  assert.deepEqual(ran(), [], 'neither request started ffprobe or ffmpeg');

  // The control: an MP3 is probed by the route and decoded by the worker, through the same wrappers.
  const mp3 = join(dir, 'jfk.mp3');
  execFileSync(real.ffmpeg, ['-nostdin', '-loglevel', 'error', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', '-', mp3], { input: pcm });
  const other = multipart([{ name: 'file', value: readFileSync(mp3), filename: 'jfk.mp3' }, { name: 'model', value: 'whisper-1' }, { name: 'language', value: 'en' }]);
  const v1mp3 = await app.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: other.body, headers: { 'content-type': other.contentType } });
  assert.equal(v1mp3.statusCode, 200, v1mp3.body);
  assert.ok(ran().includes('ffprobe') && ran().includes('ffmpeg'), `tools run for the MP3: ${ran().join(', ')}`);
});
