import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WhisperEngine } from '../../src/transcription/engine.js';
import { detectSpeech } from '../../src/transcription/vad.js';
import { decodeRawPcm } from '../../src/transcription/wav.js';
import { engineSkip, minimalModel } from './helpers.js';
import { JFK, SILERO } from '../fixtures-gen/engine-media.js';

const skip = engineSkip();

test('VAD with the Silero fixture finds the four speech spans of jfk.wav', { skip }, async () => {
  const spans = await detectSpeech(JFK, SILERO);
  const expected = [[0.32, 2.27], [3.27, 4.41], [5.38, 7.68], [8.16, 10.62]];
  assert.equal(spans.length, 4);
  spans.forEach((s, i) => {
    assert.ok(Math.abs(s.start - expected[i][0]) < 0.15, `span ${i} start ${s.start}`);
    assert.ok(Math.abs(s.end - expected[i][1]) < 0.15, `span ${i} end ${s.end}`);
  });
});

test('the engine loads once and transcribes jfk.wav with sane timestamps, progress and words', { skip }, async (t) => {
  const engine = await WhisperEngine.create({ modelPath: await minimalModel(), threads: 2, vadModelPath: SILERO });
  t.after(() => engine.close());
  const pid = engine.pid;
  const progress: number[] = [];
  const wav = readFileSync(JFK);
  const r = await engine.transcribeWav(wav, { language: 'en', beamSize: 1, temperatureFallback: false, vad: false }, { onProgress: (p) => progress.push(p) });
  assert.ok(r.segments.length > 0);
  for (const s of r.segments) {
    assert.ok(s.start >= 0 && s.end <= 11.01 && s.end >= s.start, JSON.stringify(s));
    assert.ok(s.text.length > 0);
  }
  assert.ok(progress.length > 0 && progress.at(-1)! >= 95, `progress ${progress}`);
  // Second run on the same process: the model stays loaded.
  const raw = await engine.transcribeWav(decodeRawPcm(wav.subarray(44)), { language: 'en', vad: true, wordTimestamps: true });
  assert.equal(engine.pid, pid);
  for (const s of raw.segments) for (const w of s.words ?? []) assert.ok(w.start >= s.start - 0.01 && w.end <= s.end + 0.01);
});

test('language detection returns a code with a probability', { skip }, async (t) => {
  const engine = await WhisperEngine.create({ modelPath: await minimalModel(), threads: 2 });
  t.after(() => engine.close());
  const r = await engine.detectLanguage(readFileSync(JFK));
  assert.match(r.language ?? '', /^[a-z]{2,3}$/);
  const p = r.probabilities[r.language!];
  assert.ok(p > 0 && p <= 1);
});

test('abort stops a running transcription within seconds and the engine recovers', { skip }, async (t) => {
  const engine = await WhisperEngine.create({ modelPath: await minimalModel(), threads: 2 });
  t.after(() => engine.close());
  const pcm = readFileSync(JFK).subarray(44);
  const long = decodeRawPcm(Buffer.concat(Array(20).fill(pcm))); // 220 s
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const t0 = Date.now();
  await assert.rejects(engine.transcribeWav(long, { language: 'en', beamSize: 5 }, { signal: ac.signal }), { name: 'AbortError' });
  // The 2 s target is a benchmark figure; a test on a loaded 2-core machine keeps a margin.
  assert.ok(Date.now() - t0 < 5000, `cancel took ${Date.now() - t0} ms`);
  const r = await engine.transcribeWav(readFileSync(JFK), { language: 'en' });
  assert.ok(r.segments.length > 0);
});

test('a cancel that comes while the model is still loading stops the transcription, not after a whole chunk', { skip }, async (t) => {
  // Not loaded yet: the first transcription starts whisper-server and loads the model.
  const engine = new WhisperEngine({ modelPath: await minimalModel(), threads: 2 });
  t.after(() => engine.close());
  const pcm = readFileSync(JFK).subarray(44);
  const long = decodeRawPcm(Buffer.concat(Array(20).fill(pcm))); // 220 s
  const ac = new AbortController();
  const t0 = Date.now();
  const p = engine.transcribeWav(long, { language: 'en', beamSize: 5 }, { signal: ac.signal });
  setImmediate(() => ac.abort());
  await assert.rejects(p, { name: 'AbortError' });
  assert.ok(Date.now() - t0 < 5000, `cancel took ${Date.now() - t0} ms`);
});

test('a corrupt model file gives a clear error', { skip }, async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const bad = join(mkdtempSync(join(tmpdir(), 'tio-')), 'ggml-bad.bin');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  await assert.rejects(WhisperEngine.create({ modelPath: bad, threads: 1 }), (err: Error & { code?: string }) => {
    assert.match(err.code ?? '', /model_corrupt|engine_start_failed/);
    return true;
  });
});

test('as a TranscriptionEngine: label, capabilities, speech spans with its own VAD model, loadedModel follows load and unload', { skip }, async (t) => {
  const engine = new WhisperEngine({ modelPath: await minimalModel(), threads: 2, vadModelPath: SILERO, label: 'minimal' });
  t.after(() => engine.close());
  assert.equal(engine.label, 'minimal');
  assert.deepEqual(engine.capabilities, { vad: true, wordTimestamps: true, translate: true, device: 'cpu' });
  assert.equal(engine.loadedModel, null, 'nothing loaded before the first use');
  assert.equal((await engine.speechSpans(JFK)).length, 4, 'the four speech spans of jfk.wav');
  await engine.load();
  assert.equal(engine.loadedModel, 'ggml-test-minimal.bin');
  await engine.unload();
  assert.equal(engine.loadedModel, null);
  const noVad = new WhisperEngine({ modelPath: await minimalModel(), threads: 1 });
  assert.equal(noVad.capabilities.vad, false);
  assert.deepEqual(await noVad.speechSpans(JFK), [], 'no VAD model: no spans');
});
