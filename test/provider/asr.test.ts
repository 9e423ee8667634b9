import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { audioPart, engineSkip, jfkPcm, multipart, providerApp, startWorker, JFK } from './provider-helpers.js';
import { readFileSync } from 'node:fs';

const skip = engineSkip();

test('Bazarr-style /asr (raw PCM, encode=false, output=srt) and /detect-language run as jobs on a real worker', { skip, timeout: 120_000 }, async (t) => {
  const app = await providerApp();
  t.after(() => app.close());
  await startWorker(app);
  const { body, contentType } = multipart([audioPart(jfkPcm())]);

  const asr = await app.app.inject({ method: 'POST', url: '/asr?task=transcribe&language=en&output=srt&encode=false', payload: body, headers: { 'content-type': contentType } });
  assert.equal(asr.statusCode, 200, asr.body);
  assert.match(String(asr.headers['content-type']), /^text\/plain/);
  assert.equal(asr.headers['content-disposition'], 'attachment; filename="audio_file.srt"');
  // An SRT whose cues stay inside the 11 s of audio.
  assert.match(asr.body, /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
  for (const m of asr.body.matchAll(/--> (\d\d):(\d\d):(\d\d),(\d{3})/g)) {
    assert.ok(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) <= 11, asr.body);
  }
  const job = await app.ctx.jobs.get(String(asr.headers['x-job-id']));
  assert.equal(job.job_type, 'provider_asr');
  assert.equal(job.status, 'completed');
  assert.equal(job.priority, app.ctx.settings.getNumber('provider_job_priority'));
  assert.match(job.file_path, /^provider:\/\/asr\/[0-9a-f]{64}$/);
  // The upload is gone once its result is stored.
  assert.deepEqual(readdirSync(join(app.ctx.config.dataDir, 'provider-uploads')), []);

  const det = await app.app.inject({ method: 'POST', url: '/detect-language?encode=false', payload: body, headers: { 'content-type': contentType } });
  assert.equal(det.statusCode, 200, det.body);
  const d = det.json() as { detected_language: string; language_code: string; confidence: number };
  assert.match(d.language_code, /^[a-z]{2,3}$/);
  assert.equal(typeof d.detected_language, 'string');
  assert.equal(d.detected_language, d.detected_language.toLowerCase());
  assert.ok(d.confidence >= 0 && d.confidence <= 1);

  // encode=true: a WAV container decoded with ffmpeg; the other output formats.
  const wav = multipart([{ name: 'audio_file', value: readFileSync(JFK), filename: 'jfk.wav', contentType: 'audio/wav' }]);
  for (const output of ['txt', 'vtt', 'tsv', 'json'] as const) {
    const r = await app.app.inject({ method: 'POST', url: `/asr?language=eng&output=${output}&word_timestamps=true`, payload: wav.body, headers: { 'content-type': wav.contentType } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-disposition'], `attachment; filename="jfk.wav.${output}"`);
    if (output === 'vtt') assert.match(r.body, /^WEBVTT/);
    if (output === 'tsv') assert.match(r.body, /^start\tend\ttext\n/);
    if (output === 'json') {
      const j = JSON.parse(r.body) as { segments: { words?: unknown[] }[]; language: string };
      assert.equal(j.language, 'en');
      assert.ok(j.segments.some((s) => Array.isArray(s.words)), 'word_timestamps=true lists words');
    }
  }
  // The four formats of the same audio and parameters shared one job.
  const provider = (await app.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs.filter((j) => j.job_type === 'provider_asr');
  assert.equal(provider.length, 2, 'one job for the PCM request, one for the WAV upload');
});
