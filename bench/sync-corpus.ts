/**
 * The truth-known corpus of bench:sync: espeak-ng lines (several voices and
 * speeds) laid out in scenes at exact sample positions, with pauses between
 * lines and longer ones between scenes, and music-like noise (sox: pink noise
 * with a slow tremolo) mixed low. A line's true cue is its voiced extent, so
 * the truth is exact to the sample. Silero's spans of the result are the
 * reference. Everything is cached in .cache/bench-sync/<key>/ by the corpus's
 * parameters: a second run starts in a second.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import type { TimeSpan } from '../src/sync/index.js';
import { detectSpeech } from '../src/transcription/vad.js';
import { SILERO_MODEL } from '../test/helpers/fixtures.js';

const run = promisify(execFile);

export const CORPUS = Object.freeze({
  version: 1,
  lines: 300,
  seed: 20261207,
  voices: ['en', 'en-us', 'en-gb-scotland', 'es', 'fr', 'de'],
  speeds: [130, 150, 170, 190, 210],
  noiseVolume: 0.35,
});

const WORDS = (
  'river morning window garden letter station captain mother doctor winter summer quiet yellow broken question kitchen ' +
  'answer ticket bridge forest engine silver market pocket island candle soldier painter mirror rabbit harbour lantern ' +
  'thunder pillow basket village castle never always maybe tonight tomorrow listen careful hurry open close remember'
).split(' ');

export interface Corpus {
  dir: string;
  /** True cue of each line (its voiced extent), in time order. */
  truth: TimeSpan[];
  /** Silero's speech spans of the mixed audio. */
  spans: TimeSpan[];
  /** Middle of each pause between scenes (where an ad break or a cut may go), seconds. */
  sceneBreaks: number[];
  seconds: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Mono 16-bit samples and rate of a WAV file as espeak-ng writes it. */
function readWav(path: string): { samples: Int16Array; rate: number } {
  const buf = readFileSync(path);
  const rate = buf.readUInt32LE(24);
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === 'data') {
      const bytes = Math.min(size, buf.length - at - 8) & ~1;
      const copy = Buffer.from(buf.subarray(at + 8, at + 8 + bytes));
      return { samples: new Int16Array(copy.buffer, copy.byteOffset, bytes / 2), rate };
    }
    at += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

function writeWav(path: string, samples: Int16Array, rate: number): void {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.byteLength, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]));
}

/** First and last sample louder than about -40 dBFS. */
function voicedExtent(samples: Int16Array): [number, number] {
  const loud = (x: number) => Math.abs(x) > 330;
  let a = 0;
  while (a < samples.length && !loud(samples[a])) a++;
  let b = samples.length - 1;
  while (b > a && !loud(samples[b])) b--;
  return [a, b + 1];
}

export async function buildCorpus(log: (line: string) => void): Promise<Corpus> {
  const key = createHash('sha256').update(JSON.stringify(CORPUS)).digest('hex').slice(0, 12);
  const dir = resolve(import.meta.dirname, '..', '.cache', 'bench-sync', key);
  const meta = join(dir, 'corpus.json');
  if (existsSync(meta)) return { dir, ...(JSON.parse(readFileSync(meta, 'utf8')) as Omit<Corpus, 'dir'>) };
  mkdirSync(join(dir, 'lines'), { recursive: true });

  const rnd = random(CORPUS.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const lines = Array.from({ length: CORPUS.lines }, (_, i) => ({
    file: join(dir, 'lines', `${i}.wav`),
    text: Array.from({ length: 3 + Math.floor(rnd() * 7) }, () => pick(WORDS)).join(' '),
    voice: pick(CORPUS.voices),
    speed: pick(CORPUS.speeds),
    pitch: 30 + Math.floor(rnd() * 40),
  }));
  const t0 = performance.now();
  const limit = pLimit(4);
  await Promise.all(lines.map((l) => limit(() => run('espeak-ng', ['-v', l.voice, '-s', String(l.speed), '-p', String(l.pitch), '-w', l.file, l.text]))));
  log(`corpus: ${lines.length} lines spoken by espeak-ng in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Scenes of 3-12 lines; 0.25-1.2 s between lines, 3-15 s between scenes (now and then 25 s of music alone).
  const clips = lines.map((l) => readWav(l.file));
  const rate = clips[0].rate;
  const placed: { at: number; clip: Int16Array }[] = [];
  const truth: TimeSpan[] = [];
  const sceneBreaks: number[] = [];
  let t = Math.round(2 * rate);
  let left = 0;
  for (const { samples } of clips) {
    if (left === 0) {
      if (placed.length > 0) {
        const pause = (rnd() < 0.1 ? 25 : 3 + rnd() * 12) * rate;
        sceneBreaks.push((t + pause / 2) / rate);
        t += Math.round(pause);
      }
      left = 3 + Math.floor(rnd() * 10);
    }
    const [a, b] = voicedExtent(samples);
    placed.push({ at: t, clip: samples });
    truth.push({ start: (t + a) / rate, end: (t + b) / rate });
    t += samples.length + Math.round((0.25 + rnd() * 0.95) * rate);
    left--;
  }
  const total = t + 3 * rate;
  const speech = new Int16Array(total);
  for (const p of placed) speech.set(p.clip, p.at);
  const speechWav = join(dir, 'speech.wav');
  writeWav(speechWav, speech, rate);
  const seconds = total / rate;

  const music = join(dir, 'music.wav');
  await run('sox', ['-n', '-r', String(rate), '-c', '1', '-b', '16', music, 'synth', seconds.toFixed(3), 'pinknoise', 'tremolo', '0.5', '60', 'vol', '0.3']);
  const wav = join(dir, 'corpus.wav');
  await run('sox', ['-m', '-v', '1', speechWav, '-v', String(CORPUS.noiseVolume), music, '-r', '16000', '-b', '16', wav]);
  rmSync(join(dir, 'lines'), { recursive: true, force: true });
  rmSync(music, { force: true });
  rmSync(speechWav, { force: true });

  const t1 = performance.now();
  const spans = await detectSpeech(wav, SILERO_MODEL, { threads: 1 });
  log(`corpus: ${(seconds / 60).toFixed(1)} min of audio, Silero found ${spans.length} spans in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  const corpus = { truth, spans, sceneBreaks, seconds };
  writeFileSync(meta, JSON.stringify(corpus));
  return { dir, ...corpus };
}
