/**
 * Where a media file's audio has speech: Silero VAD (the same model and
 * threshold as the transcription's VAD and the quality report) over one audio
 * track, ten minutes at a time so a film never sits in memory. The result is
 * what the aligner matches cues against, kept per file by sync.repository.ts
 * while the file's size and mtime are unchanged.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractAudio, probeMedia, selectAudioStream, type MediaTools } from '../transcription/audio.js';
import { detectSpeech } from '../transcription/vad.js';
import { openPcmWav, readPcm, wavHeader } from '../transcription/wav.js';
import type { TimeSpan } from './types.js';

export interface MediaSpeech {
  spans: TimeSpan[];
  /** seconds of audio read */
  duration: number;
  /** the container's index of the audio stream listened to */
  streamIndex: number;
  language: string | null;
}

export interface SpeechOptions {
  vadModelPath: string;
  /** preferred audio languages, best first (else the default track) */
  audioLanguages?: string[];
  whisperDir?: string;
  tools?: Partial<MediaTools>;
  /** a folder for the temporary WAVs */
  tmpRoot: string;
  threads?: number;
  signal?: AbortSignal;
  onProgress?(percent: number): void;
}

const WINDOW_SECONDS = 600;

export async function mediaSpeech(mediaPath: string, o: SpeechOptions): Promise<MediaSpeech> {
  const tmp = await mkdtemp(join(o.tmpRoot, 'sync-'));
  try {
    const info = await probeMedia(mediaPath, o.signal, o.tools);
    const stream = selectAudioStream(info, o.audioLanguages ?? []);
    const wavPath = join(tmp, 'audio.wav');
    await extractAudio(mediaPath, stream, wavPath, { duration: info.duration, signal: o.signal, tools: o.tools, onProgress: (p) => o.onProgress?.(p * 0.5) });
    const offset = Math.max(0, stream.startTime - info.formatStartTime);
    const spans = (await wavSpeech(wavPath, tmp, o)).map((s) => ({ start: s.start + offset, end: s.end + offset }));
    const file = await openPcmWav(wavPath);
    return { spans, duration: file.duration + offset, streamIndex: stream.index, language: stream.language };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Speech spans of a 16 kHz mono WAV, window by window; seconds from the WAV start. */
export async function wavSpeech(wavPath: string, tmp: string, o: Pick<SpeechOptions, 'vadModelPath' | 'whisperDir' | 'threads' | 'signal' | 'onProgress'>): Promise<TimeSpan[]> {
  const file = await openPcmWav(wavPath);
  const fh = await open(wavPath, 'r');
  const spans: TimeSpan[] = [];
  try {
    for (let from = 0; from < file.duration - 0.05; from += WINDOW_SECONDS) {
      const to = Math.min(file.duration, from + WINDOW_SECONDS);
      const wav = await readPcm(file, from, to, fh, 44);
      wavHeader(wav.length - 44).copy(wav, 0);
      const window = join(tmp, `window-${Math.round(from)}.wav`);
      await writeFile(window, wav);
      const found = await detectSpeech(window, o.vadModelPath, { threads: o.threads ?? 1, signal: o.signal, whisperDir: o.whisperDir });
      await rm(window, { force: true });
      joinSpans(spans, found.map((s) => ({ start: s.start + from, end: s.end + from })));
      o.onProgress?.(50 + (to / file.duration) * 50);
    }
  } finally {
    await fh.close();
  }
  return spans;
}

/** Appends spans, joining a span cut by a window's edge with its other half. */
function joinSpans(into: TimeSpan[], next: TimeSpan[]): void {
  for (const s of next) {
    const last = into[into.length - 1];
    if (last && s.start - last.end < 0.05) last.end = Math.max(last.end, s.end);
    else into.push({ ...s });
  }
}
