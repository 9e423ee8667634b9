/**
 * /asr?output=json has whisper-asr-webservice's shape: Whisper's result dict
 * (`text`, `segments`, `language`), each segment with id, seek, start, end,
 * text, tokens, temperature, avg_logprob, compression_ratio and
 * no_speech_prob (ahmetoner/whisper-asr-webservice app/utils.py WriteJSON and
 * openai-whisper's transcribe() result; faster-whisper's Segment has the same
 * fields), words with word/start/end/probability when asked. Numbers come
 * from the engine's own values and are rounded (times to milliseconds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioPart, engineSkip, jfkPcm, multipart, providerApp, startWorker } from './provider-helpers.js';

const skip = engineSkip();

interface AsrJsonSegment {
  id: number; seek: number; start: number; end: number; text: string; tokens: number[]; temperature: number;
  avg_logprob: number; compression_ratio: number; no_speech_prob: number;
  words?: Array<{ word: string; start: number; end: number; probability: number }>;
}

test('/asr?output=json segments carry whisper-asr-webservice\'s fields with rounded numbers', { skip, timeout: 120_000 }, async (t) => {
  const app = await providerApp();
  t.after(() => app.close());
  await startWorker(app);
  const { body, contentType } = multipart([audioPart(jfkPcm())]);
  const ask = (q: string) => app.app.inject({ method: 'POST', url: `/asr?task=transcribe&language=en&output=json&encode=false${q}`, payload: body, headers: { 'content-type': contentType } });

  const r = await ask('');
  assert.equal(r.statusCode, 200, r.body);
  // No float noise such as 10.620000000000001 anywhere in the answer.
  assert.doesNotMatch(r.body, /\d\.\d{5,}/);
  const j = JSON.parse(r.body) as { text: string; segments: AsrJsonSegment[]; language: string };
  assert.deepEqual(Object.keys(j), ['text', 'segments', 'language']);
  assert.equal(j.language, 'en');
  assert.ok(j.segments.length > 0);
  assert.equal(j.text, j.segments.map((s) => s.text.trim()).join(' '));
  j.segments.forEach((s, i) => {
    assert.deepEqual(Object.keys(s), ['id', 'seek', 'start', 'end', 'text', 'tokens', 'temperature', 'avg_logprob', 'compression_ratio', 'no_speech_prob']);
    assert.equal(s.id, i);
    assert.ok(Number.isInteger(s.seek) && s.seek >= 0 && s.seek <= s.start * 100);
    for (const x of [s.start, s.end]) assert.equal(x, Math.round(x * 1000) / 1000);
    assert.ok(s.end >= s.start && s.end <= 11.01);
    assert.ok(s.tokens.length > 0 && s.tokens.every((id) => Number.isInteger(id) && id >= 0), 'the token ids whisper.cpp decoded');
    assert.equal(s.temperature, 0);
    assert.ok(s.avg_logprob < 0, 'a log probability from the engine');
    assert.ok(s.compression_ratio > 0);
    assert.ok(s.no_speech_prob >= 0 && s.no_speech_prob <= 1);
  });

  const withWords = JSON.parse((await ask('&word_timestamps=true')).body) as { segments: AsrJsonSegment[] };
  const words = withWords.segments.flatMap((s) => s.words ?? []);
  assert.ok(words.length > 0);
  for (const w of words) {
    assert.deepEqual(Object.keys(w), ['word', 'start', 'end', 'probability']);
    assert.equal(w.start, Math.round(w.start * 1000) / 1000);
  }
});
