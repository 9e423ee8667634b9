import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteEngine } from '../../src/transcription/engines/remote-engine.js';
import { engineSpecFor } from '../../src/transcription/engines/engine-select.js';
import { WorkerEngine } from '../../src/workers/worker-engine.js';
import { loadConfig } from '../../src/config.js';
import { transcribeAudioFile, pipelineOptionsFromSettings } from '../../src/transcription/index.js';
import { fakeServer } from './fake-server.js';

import { JFK_WAV as JFK } from '../helpers/fixtures.js';
const asrJson = { text: 'And so my fellow Americans', language: 'en', segments: [{ start: 0.3, end: 2.2, text: ' And so my fellow Americans', words: [[' And', 0.3, 0.5], [' so', 0.5, 0.7], [' my', 0.7, 1.0], [' fellow', 1.0, 1.5], [' Americans', 1.5, 2.2]].map(([word, start, end]) => ({ word, start, end, probability: 0.9 })) }] };
const openaiJson = { task: 'transcribe', language: 'english', duration: 11, text: 'ask not', segments: [{ id: 0, start: 3.3, end: 4.4, text: ' ask not' }], words: [{ word: 'ask', start: 3.3, end: 3.6 }, { word: 'not', start: 3.7, end: 4.4 }] };

function settingsGet(values: Record<string, unknown>) {
  return { get: (k: string) => values[k], getNumber: (k: string) => Number(values[k]), getString: (k: string) => String(values[k] ?? ''), getBoolean: (k: string) => values[k] === true } as never;
}

test('remote whisper-asr-webservice: /asr?output=json per chunk through the real pipeline, /detect-language for detection, retries with back-off on 5xx', async (t) => {
  let failures = 1;
  const server = await fakeServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url.startsWith('/asr') && failures-- > 0) {
      res.statusCode = 503;
      return res.end('{"detail":"busy"}');
    }
    if (req.url.startsWith('/detect-language')) return res.end(JSON.stringify({ detected_language: 'english', language_code: 'en', confidence: 0.91 }));
    res.end(JSON.stringify(asrJson));
  });
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'tio-remote-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const values = { engine_backend: 'remote_asr', remote_engine_url: server.url, remote_engine_api_key: 'secret', remote_engine_timeout_seconds: 5, remote_engine_retries: 2, model_path: dir };
  const base = pipelineOptionsFromSettings((k) => (values as Record<string, unknown>)[k]);
  const spec = await engineSpecFor({ settings: settingsGet(values), signal: new AbortController().signal, reportProgress: () => {} }, {}, {
    threads: 1,
    vadModel: () => assert.fail('a remote engine needs no local VAD model'),
  });
  assert.equal(spec.kind, 'remote');
  assert.equal(spec.label, `whisper-asr-webservice @ ${server.url}`, "the resolver's label");
  const engine = await new WorkerEngine({ device: 'cpu', gpuDevice: 0 }).acquire(spec);
  assert.ok(engine instanceof RemoteEngine);
  assert.equal(engine.capabilities.vad, false, 'the remote server does its own VAD');
  engine.settings.backoffMs = 10;
  const progress: number[] = [];
  // VAD on in the options: the pipeline gates only where the engine can, so nothing local is asked for.
  const r = await transcribeAudioFile(JFK, { ...base, vad: true, task: 'transcribe', language: null }, { engine, onProgress: (p) => progress.push(p) });
  assert.equal(r.language, 'en');
  assert.deepEqual(r.segments.map((s) => [s.start, s.end, s.text]), [[0.3, 2.2, 'And so my fellow Americans']]);
  assert.ok(progress.at(-1)! >= 99);
  const asrCalls = server.calls.filter((c) => c.url.startsWith('/asr'));
  assert.equal(asrCalls.length, 2, 'one failure, one retry');
  const q = new URL(asrCalls[1].url, server.url).searchParams;
  assert.equal(q.get('output'), 'json');
  assert.equal(q.get('language'), 'en');
  assert.equal(q.get('task'), 'transcribe');
  assert.equal(asrCalls[1].headers.authorization, 'Bearer secret');
  assert.match(asrCalls[1].body.toString('latin1'), /name="audio_file"; filename="audio.wav"[\s\S]*RIFF/);
  assert.ok(server.calls.some((c) => c.url.startsWith('/detect-language')), 'language detected remotely');
});

test('remote OpenAI-compatible server: verbose_json segments and words; 4xx is not retried; timeouts are reported', async (t) => {
  const server = await fakeServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer good') {
      res.statusCode = 401;
      return res.end('{"error":{"message":"bad key"}}');
    }
    if (req.url.includes('slow')) return; // never answers
    res.end(JSON.stringify(openaiJson));
  });
  t.after(() => server.close());
  const engine = new RemoteEngine({ backend: 'remote_openai', url: `${server.url}/v1`, apiKey: 'good', model: 'large-v3', timeoutSeconds: 5, retries: 1, backoffMs: 10 });
  assert.equal(engine.label, `large-v3 @ ${server.url}/v1`);
  const wav = Buffer.alloc(44 + 32000);
  const r = await engine.transcribeWav(wav, { language: 'en', task: 'transcribe', wordTimestamps: true });
  assert.deepEqual(r.segments.map((s) => [s.start, s.end, s.text, s.words?.map((w) => w.text.trim())]), [[3.3, 4.4, 'ask not', ['ask', 'not']]]);
  assert.equal(r.language, 'en');
  const call = server.calls[0];
  assert.equal(call.url, '/v1/audio/transcriptions');
  const body = call.body.toString('latin1');
  for (const f of ['name="model"\r\n\r\nlarge-v3', 'name="response_format"\r\n\r\nverbose_json', 'name="language"\r\n\r\nen', 'name="timestamp_granularities[]"\r\n\r\nword']) assert.ok(body.includes(f), f);
  const tr = await engine.transcribeWav(wav, { task: 'translate' });
  assert.equal(tr.segments.length, 1);
  assert.equal(server.calls[1].url, '/v1/audio/translations');
  const detected = await engine.detectLanguage(wav);
  assert.deepEqual(detected, { language: 'en', probabilities: { en: 1 } }, 'the language of a verbose_json answer');
  assert.equal(server.calls[2].url, '/v1/audio/transcriptions');
  assert.ok(!server.calls[2].body.toString('latin1').includes('name="language"'), 'detection does not name a language');

  const bad = new RemoteEngine({ ...engine.settings, apiKey: 'wrong' });
  const before = server.calls.length;
  await assert.rejects(bad.transcribeWav(wav, {}), (e: { status: number; message: string }) => e.status === 424 && /refused/.test(e.message));
  assert.equal(server.calls.length - before, 1, 'a refused request is not retried');

  const slow = new RemoteEngine({ ...engine.settings, url: `${server.url}/slow`, timeoutSeconds: 0.3, retries: 1 });
  await assert.rejects(slow.transcribeWav(wav, {}), (e: { status: number; message: string }) => e.status === 502 && /no answer within 0.3 s/.test(e.message) && /2 attempt/.test(e.message));
});

test('engine_backend=remote_asr: a library transcription job runs on the remote server and writes the subtitle', async (t) => {
  const { copyFileSync, readFileSync, existsSync } = await import('node:fs');
  const { transcriptionHandler } = await import('../../src/workers/handlers/transcription.handler.js');
  const server = await fakeServer((_req, res) => res.end(JSON.stringify(asrJson)));
  t.after(() => server.close());
  const dir = mkdtempSync(join(tmpdir(), 'tio-remote-job-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const media = join(dir, 'Speech.wav');
  copyFileSync(JFK, media);
  const values: Record<string, unknown> = { engine_backend: 'remote_asr', remote_engine_url: server.url, remote_engine_timeout_seconds: 5, remote_engine_retries: 0, model_path: dir, whisper_model: 'medium', lrc_for_audio_files: false, whisper_threads: 1 };
  const stages: string[] = [];
  const out = await transcriptionHandler({
    job: { id: 'j1', file_path: media, target_lang: 'eng', source_lang: 'eng', quality_preset: 'fast' } as never,
    options: {}, settings: settingsGet(values), database: null as never, log: null as never, signal: new AbortController().signal,
    reportProgress: (p) => stages.push(p.stage), engine: new WorkerEngine({ device: 'cpu', gpuDevice: 0 }), tools: loadConfig({}, {}).tools, workerType: 'cpu', deviceId: null, node: 'test-node',
  });
  assert.ok(out.output_path && existsSync(out.output_path), 'subtitle written');
  assert.match(readFileSync(out.output_path!, 'utf8'), /And so my fellow Americans/);
  assert.equal(out.model_used, `whisper-asr-webservice @ ${server.url}`);
  assert.equal(out.device_used, `remote_asr:${new URL(server.url).host}`);
  assert.ok(stages.includes('extracting_audio') && stages.includes('transcribing') && stages.includes('writing'), stages.join(','));
  assert.ok(server.calls.length >= 1, 'no local model was needed: the remote server did the work');
});
