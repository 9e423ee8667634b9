import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TranscriptionEngine } from './engine.types.js';
import { DEFAULT_CHUNK_SECONDS, detectLanguageInWav, transcribeWavChunked } from './transcribe-audio.js';
import { BYTES_PER_SECOND, SAMPLE_RATE, wavHeader } from './wav.js';

/** A WAV of `seconds` of a tone with a 0.5 s pause every 10 s, so quiet cuts exist. */
function toneWav(path: string, seconds: number): void {
  const pcm = Buffer.alloc(seconds * BYTES_PER_SECOND);
  for (let i = 0; i < seconds * SAMPLE_RATE; i++) {
    const inPause = (i / SAMPLE_RATE) % 10 >= 9.5;
    pcm.writeInt16LE(inPause ? 0 : Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)), i * 2);
  }
  writeFileSync(path, Buffer.concat([wavHeader(pcm.length), pcm]));
}

test('long audio goes to the engine in chunks of at most the default length, covering the file once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-chunks-'));
  try {
    const path = join(dir, 'a.wav');
    toneWav(path, 400);
    const sent: number[] = [];
    // Records each request's audio length and answers one segment spanning it.
    const engine: TranscriptionEngine = {
      label: 'fake',
      capabilities: { vad: false, wordTimestamps: true, translate: true, device: 'cpu' },
      loadedModel: null,
      pid: null,
      async transcribeWav(wav: Buffer) {
        const seconds = (wav.length - 44) / BYTES_PER_SECOND;
        sent.push(seconds);
        return { segments: [{ start: 0, end: seconds, text: `chunk ${sent.length}` }], language: 'en' };
      },
      detectLanguage: async () => ({ language: 'en', probabilities: { en: 1 } }),
      speechSpans: async () => [],
      unload: async () => {},
      close: async () => {},
    };
    const r = await transcribeWavChunked(path, engine, { language: 'en' });
    assert.equal(DEFAULT_CHUNK_SECONDS, 120);
    assert.ok(sent.length >= 4, `${sent.length} requests`);
    for (const s of sent) assert.ok(s <= DEFAULT_CHUNK_SECONDS + 1e-9, `a ${s} s chunk`);
    assert.ok(Math.abs(sent.reduce((a, b) => a + b, 0) - 400) < 1e-3, 'chunks cover the audio exactly once');
    // Segment times are shifted to the file's timeline and follow each other.
    for (let i = 1; i < r.segments.length; i++) assert.ok(Math.abs(r.segments[i].start - r.segments[i - 1].end) < 1e-3);
    assert.ok(Math.abs(r.segments.at(-1)!.end - 400) < 1e-3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An engine that answers detection from a list and records what it was asked. */
function detectingEngine(vad: boolean, answers: Record<string, number>[]) {
  const calls = { spans: 0, windows: [] as number[] };
  const engine: TranscriptionEngine = {
    label: 'fake',
    capabilities: { vad, wordTimestamps: true, translate: true, device: 'cpu' },
    loadedModel: null,
    pid: null,
    transcribeWav: async () => ({ segments: [], language: null }),
    async detectLanguage(wav: Buffer) {
      calls.windows.push((wav.length - 44) / BYTES_PER_SECOND);
      const probabilities = answers[calls.windows.length - 1] ?? {};
      return { language: Object.keys(probabilities)[0] ?? null, probabilities };
    },
    async speechSpans() {
      calls.spans++;
      return [{ start: 10, end: 20 }];
    },
    unload: async () => {},
    close: async () => {},
  };
  return { engine, calls };
}

test('language detection: windows from the engine\'s speech when it has VAD, fixed windows when not; probabilities averaged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-detect-'));
  try {
    const path = join(dir, 'a.wav');
    toneWav(path, 100);
    const answers = [{ en: 0.6, de: 0.4 }, { en: 0.8, de: 0.2 }];
    const withVad = detectingEngine(true, answers);
    const g = await detectLanguageInWav(path, withVad.engine, { windows: 2, length: 5, tmpDir: dir });
    assert.equal(withVad.calls.spans, 1, 'speech looked for once, on the bounded region');
    assert.deepEqual(withVad.calls.windows.map((s) => Math.round(s * 10) / 10), [5, 5], 'two 5 s windows out of the 10 s of speech');
    assert.equal(g.language, 'en');
    assert.ok(Math.abs(g.confidence - 0.7) < 1e-9, `confidence ${g.confidence}`);

    const noVad = detectingEngine(false, answers);
    await detectLanguageInWav(path, noVad.engine, { windows: 2, length: 5, tmpDir: dir });
    assert.equal(noVad.calls.spans, 0, 'an engine without VAD (a remote server) is not asked for speech');
    assert.equal(noVad.calls.windows.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
