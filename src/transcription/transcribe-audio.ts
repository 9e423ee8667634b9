/**
 * Transcription of an extracted 16 kHz WAV with an engine (local or remote,
 * engine.types.ts): language detection on speech windows, then chunked,
 * VAD-gated decoding. Chunks are cut in pauses and sent one at a time, so
 * memory stays bounded whatever the length of the audio.
 */
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findLanguage, toWhisperCode } from '../languages.js';
import type { TranscriptionEngine } from './engine.types.js';
import type { Span } from './vad.js';
import { openPcmWav, quietestCut, readPcm, wavHeader, type PcmFile, SAMPLE_RATE } from './wav.js';
import type { DecodeOptions, LanguageGuess, Segment } from './types.js';

interface DetectOptions {
  /** seconds of speech per window (detect_language_length) */
  length?: number;
  /** where detection starts, seconds (detect_language_offset) */
  offset?: number;
  windows?: number;
  tmpDir: string;
  signal?: AbortSignal;
}

function concatWav(pcms: Buffer[]): Buffer {
  const gap = Buffer.alloc(SAMPLE_RATE / 5); // 0.1 s of silence between pieces
  const parts = pcms.flatMap((p, i) => (i ? [gap, p] : [p]));
  const bytes = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([wavHeader(bytes), ...parts]);
}

/** Speech spans in [from, to) seconds, found on a bounded temporary WAV by the engine's VAD (none without one). */
async function speechIn(engine: TranscriptionEngine, file: PcmFile, from: number, to: number, o: DetectOptions): Promise<Span[]> {
  if (!engine.capabilities.vad) return [];
  const tmp = join(o.tmpDir, `vad-${process.pid}-${Date.now()}.wav`);
  try {
    const pcm = await readPcm(file, from, to);
    await writeFile(tmp, Buffer.concat([wavHeader(pcm.length), pcm]));
    const spans = await engine.speechSpans(tmp, { signal: o.signal });
    return spans.map((s) => ({ start: s.start + from, end: s.end + from }));
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Language of the audio from several windows of speech (VAD first, so music
 * and silence do not vote). Probabilities of the windows are averaged.
 */
export async function detectLanguageInWav(wavPath: string, engine: TranscriptionEngine, o: DetectOptions): Promise<LanguageGuess> {
  const file = await openPcmWav(wavPath);
  const length = Math.max(1, o.length ?? 30);
  const windows = Math.max(1, o.windows ?? 3);
  const offset = Math.min(Math.max(0, o.offset ?? 0), Math.max(0, file.duration - length));
  // Look for speech in a bounded region: enough for all windows several times over.
  const regionEnd = Math.min(file.duration, offset + Math.max(600, length * windows * 4));
  const spans = await speechIn(engine, file, offset, regionEnd, o);
  const pieces: Buffer[][] = [];
  if (spans.length) {
    const total = spans.reduce((n, s) => n + s.end - s.start, 0);
    const per = Math.min(length, total / windows);
    for (let w = 0; w < windows; w++) {
      // Window w starts w/windows of the way through the speech found.
      let skip = (total * w) / windows;
      let need = per;
      const parts: Buffer[] = [];
      for (const s of spans) {
        const len = s.end - s.start;
        if (skip >= len) {
          skip -= len;
          continue;
        }
        const a = s.start + skip;
        const b = Math.min(s.end, a + need);
        skip = 0;
        parts.push(await readPcm(file, a, b));
        need -= b - a;
        if (need <= 0.05) break;
      }
      if (parts.length) pieces.push(parts);
    }
  } else {
    const step = Math.max(length, (regionEnd - offset) / windows);
    for (let w = 0; w < windows && offset + w * step < regionEnd; w++) {
      pieces.push([await readPcm(file, offset + w * step, Math.min(regionEnd, offset + w * step + length))]);
    }
  }
  const sums = new Map<string, number>();
  let counted = 0;
  for (const parts of pieces) {
    if (o.signal?.aborted) throw Object.assign(new Error('transcription cancelled'), { name: 'AbortError' });
    const r = await engine.detectLanguage(concatWav(parts), { signal: o.signal });
    if (!Object.keys(r.probabilities).length) continue;
    counted++;
    for (const [k, v] of Object.entries(r.probabilities)) sums.set(k, (sums.get(k) ?? 0) + v);
  }
  if (!counted) return { language: 'en', languageName: 'English', confidence: 0 };
  const [code, sum] = [...sums.entries()].sort((a, b) => b[1] - a[1])[0];
  const lang = findLanguage(code);
  return { language: toWhisperCode(code) ?? code, languageName: lang?.name ?? code, confidence: sum / counted };
}

/**
 * Longest chunk sent to the engine, seconds. whisper-server holds several
 * copies of a chunk while it works (upload, multipart copy, float samples,
 * VAD-filtered samples, padded samples, mel): about 0.2 MB per second of audio.
 * At 120 s that share is ~25 MB instead of ~120 MB at 600 s, and whisper
 * decodes 30 s windows anyway, so the work and the output barely change
 * (docs/PERFORMANCE.md "## Engine").
 */
export const DEFAULT_CHUNK_SECONDS = 120;

interface ChunkedOptions extends DecodeOptions {
  /** longest chunk sent to the engine, seconds (DEFAULT_CHUNK_SECONDS) */
  chunkSeconds?: number;
  /**
   * A folder for the bounded WAV the engine's Silero pass reads: given, the
   * speech spans of every chunk are collected (the quality report's speech;
   * the same model and threshold the VAD gating of decoding uses).
   */
  speechTmpDir?: string;
  onProgress?(percent: number): void;
  signal?: AbortSignal;
}

export interface ChunkedTranscription {
  /** seconds from the WAV start */
  segments: Segment[];
  duration: number;
  language: string | null;
  /** Silero speech spans, seconds from the WAV start; null when not asked for or the engine has no VAD */
  speech: Span[] | null;
  /** seconds spent in the engine's decoding (the re-decode budget is a share of it) */
  engineSeconds: number;
}

/** Transcribes a whole WAV chunk by chunk; segment times are seconds from the WAV start. */
export async function transcribeWavChunked(wavPath: string, engine: TranscriptionEngine, o: ChunkedOptions): Promise<ChunkedTranscription> {
  const file = await openPcmWav(wavPath);
  const chunk = Math.max(30, o.chunkSeconds ?? DEFAULT_CHUNK_SECONDS);
  const segments: Segment[] = [];
  const speech: Span[] | null = o.speechTmpDir && engine.capabilities.vad ? [] : null;
  let engineSeconds = 0;
  let language: string | null = null;
  const fh = await open(wavPath, 'r');
  try {
    let t = 0;
    while (t < file.duration - 0.05) {
      let end = Math.min(file.duration, t + chunk);
      if (end < file.duration - 5) end = await quietestCut(file, end, Math.min(20, chunk / 3), fh);
      // Read with room for the header, so the chunk's WAV is one buffer and never copied.
      const wav = await readPcm(file, t, end, fh, 44);
      wavHeader(wav.length - 44).copy(wav, 0);
      // Carry the last words into the next chunk's prompt to keep context across cuts.
      const carry = segments.length ? segments.slice(-2).map((s) => s.text).join(' ').slice(-200) : '';
      const prompt = [o.initialPrompt ?? '', carry].filter(Boolean).join(' ');
      const from = t;
      const span = end - t;
      const began = performance.now();
      const r = await engine.transcribeWav(wav, { ...o, initialPrompt: prompt }, {
        signal: o.signal,
        onProgress: (p) => o.onProgress?.(((from + (span * p) / 100) / file.duration) * 100),
      });
      engineSeconds += (performance.now() - began) / 1000;
      if (speech) speech.push(...(await speechInChunk(engine, wav, from, o.speechTmpDir!, o.signal)));
      language ??= r.language;
      for (const s of r.segments) {
        const shift = (x: number) => Math.min(end, x + from);
        segments.push({ ...s, start: shift(s.start), end: shift(s.end), words: s.words?.map((w) => ({ ...w, start: shift(w.start), end: shift(w.end) })) });
      }
      o.onProgress?.((end / file.duration) * 100);
      t = end;
    }
  } finally {
    await fh.close();
  }
  return { segments, duration: file.duration, language, speech, engineSeconds };
}

/** Speech spans of one chunk (its WAV buffer, header included), shifted to WAV times. */
async function speechInChunk(engine: TranscriptionEngine, wav: Buffer, from: number, tmpDir: string, signal: AbortSignal | undefined): Promise<Span[]> {
  const tmp = join(tmpDir, `speech-${process.pid}-${Math.round(from * 1000)}.wav`);
  try {
    await writeFile(tmp, wav);
    const spans = await engine.speechSpans(tmp, { signal });
    return spans.map((s) => ({ start: s.start + from, end: s.end + from }));
  } finally {
    await rm(tmp, { force: true });
  }
}
