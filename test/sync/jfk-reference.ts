/**
 * A few minutes of real speech for the aligner's tests: jfk.wav tiled 20
 * times, each copy at its own tempo and followed by its own pause, so that
 * only one offset lines the speech up (a plain loop would match at every
 * multiple of its length). Its Silero spans are the reference; "true" cues
 * are made from them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ffmpegPaths } from '../../src/transcription/audio.js';
import { detectSpeech, type Span } from '../../src/transcription/vad.js';
import { JFK_WAV, SILERO_MODEL } from '../helpers/fixtures.js';

const TEMPOS = [1.0, 0.9, 1.1, 0.95, 1.05, 0.85, 1.15, 1.0, 0.92, 1.08, 0.97, 1.03, 0.88, 1.12, 1.0, 0.94, 1.06, 0.9, 1.1, 1.0];
const PAUSES = [0.8, 2.3, 1.4, 3.7, 0.6, 2.9, 1.1, 4.4, 1.8, 0.9, 3.2, 1.6, 2.6, 0.7, 3.9, 1.3, 2.1, 4.8, 1.0, 2.0];
/** Each copy starts at one of jfk's pauses and wraps around, so the copies' speech patterns differ. */
const ROTATIONS = [0, 2.8, 5.0, 7.9, 4.6, 0, 7.9, 2.8, 5.0, 0, 4.6, 2.8, 7.9, 5.0, 0, 2.8, 4.6, 7.9, 0, 5.0];

/** Writes the tiled WAV (about 4.4 minutes, 16 kHz mono) into `dir`. */
export function buildTiledJfk(dir: string): string {
  const out = join(dir, 'jfk-tiled.wav');
  const inputs = TEMPOS.flatMap(() => ['-i', JFK_WAV, '-i', JFK_WAV]);
  const chains = TEMPOS.map((t, i) => {
    const [a, b, r] = [2 * i, 2 * i + 1, ROTATIONS[i]];
    const rotated = r > 0 ? `[${a}:a]atrim=start=${r}[h${i}];[${b}:a]atrim=end=${r}[t${i}];[h${i}][t${i}]concat=n=2:v=0:a=1,` : `[${a}:a]`;
    return `${rotated}atempo=${t},apad=pad_dur=${PAUSES[i]}[a${i}]`;
  }).join(';');
  const concat = `${TEMPOS.map((_, i) => `[a${i}]`).join('')}concat=n=${TEMPOS.length}:v=0:a=1[out]`;
  execFileSync(ffmpegPaths().ffmpeg, [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...inputs,
    '-filter_complex', `${chains};${concat}`, '-map', '[out]', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', out,
  ]);
  return out;
}

/**
 * Silero spans of the tiled audio. One thread: whisper.cpp's worker threads
 * spin, and on a busy two-core machine two of them run ten times slower.
 */
export function tiledJfkSpans(dir: string): Promise<Span[]> {
  return detectSpeech(buildTiledJfk(dir), SILERO_MODEL, { threads: 1 });
}

/**
 * Cues as a subtitle would time the speech: a cue per span, a span longer
 * than 2.5 s cut into two at its middle, the speech's outer edges widened by
 * 50 ms.
 */
export function cuesFromSpans(spans: readonly Span[]): Span[] {
  const cues: Span[] = [];
  for (const s of spans) {
    const pieces = s.end - s.start > 2.5 ? 2 : 1;
    const len = (s.end - s.start) / pieces;
    for (let i = 0; i < pieces; i++) {
      cues.push({ start: s.start + i * len - (i === 0 ? 0.05 : 0), end: s.start + (i + 1) * len + (i === pieces - 1 ? 0.05 : 0) });
    }
  }
  return cues;
}
