import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WhisperEngine } from './engine.js';
import { DEFAULT_CHUNK_SECONDS, transcribeWavChunked } from './transcribe-audio.js';
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
    const engine = {
      async transcribeWav(wav: Buffer) {
        const seconds = (wav.length - 44) / BYTES_PER_SECOND;
        sent.push(seconds);
        return { segments: [{ start: 0, end: seconds, text: `chunk ${sent.length}` }], language: 'en' };
      },
    } as unknown as WhisperEngine;
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
