/**
 * Silero VAD through whisper.cpp's `whisper-vad-speech-segments`, run on a
 * bounded WAV (a window of the audio), so it never holds a film in memory.
 * Decoding itself is VAD-gated inside whisper-server (`vad` request field).
 */
import { execFile } from 'node:child_process';
import { AppError } from '../errors.js';
import { requireWhisperBinary } from './binaries.js';

export interface Span {
  start: number;
  end: number;
}

/** `whisperDir`: the whisper.cpp builds (Config.tools.whisperDir; default vendor/whisper in the package). */
export function detectSpeech(wavPath: string, vadModelPath: string, opts: { threshold?: number; threads?: number; signal?: AbortSignal; whisperDir?: string } = {}): Promise<Span[]> {
  const bin = requireWhisperBinary('whisper-vad-speech-segments', 'cpu', opts.whisperDir);
  const args = ['-vm', vadModelPath, '-f', wavPath, '-t', String(opts.threads ?? 2), '-vt', String(opts.threshold ?? 0.5)];
  return new Promise((res, rej) => {
    execFile(bin, args, { signal: opts.signal, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        if (opts.signal?.aborted) return rej(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
        return rej(new AppError(500, 'vad_failed', `VAD failed: ${String(stderr).trim().split('\n').slice(-2).join(' ')}`));
      }
      // "Speech segment N: start = 32.00, end = 227.00" in 10 ms units.
      const spans: Span[] = [];
      for (const m of `${stdout}\n${stderr}`.matchAll(/Speech segment \d+: start = ([\d.]+), end = ([\d.]+)/g)) {
        spans.push({ start: Number(m[1]) / 100, end: Number(m[2]) / 100 });
      }
      res(spans);
    });
  });
}
