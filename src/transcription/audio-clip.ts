/**
 * A short span of a media file's audio as a WAV a browser plays: ffmpeg cuts
 * it on request (input seeking, so a clip late in a film costs as little as
 * one at its start) to 16 kHz mono 16-bit PCM, the audio the engine heard.
 * The clip is held in memory (60 s is under 2 MB) so the WAV header states
 * its real length, which Safari needs, and the answer can carry a
 * Content-Length and byte ranges. No file name passes through a shell.
 */
import { spawn } from 'node:child_process';
import { AppError } from '../errors.js';
import { ffmpegPaths, type AudioStream, type MediaTools } from './audio.js';
import { wavHeader } from './wav.js';

export interface ClipRequest {
  file: string;
  /** the audio track to cut; null: the file's first */
  stream: AudioStream | null;
  start: number;
  end: number;
  /** aborted when the client went away: ffmpeg is killed */
  signal?: AbortSignal;
  tools?: Partial<MediaTools>;
}

/** The clip as a complete WAV file. Rejects with an AbortError when the signal fired, with corrupt_media when ffmpeg failed. */
export async function cutAudioClip(r: ClipRequest): Promise<Buffer> {
  const { ffmpeg } = ffmpegPaths(r.tools);
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error',
    '-ss', r.start.toFixed(3), '-t', (r.end - r.start).toFixed(3), '-i', r.file,
    '-map', r.stream ? `0:a:${r.stream.audioIndex}` : '0:a:0',
    '-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1',
  ];
  const pcm = await new Promise<Buffer>((resolve, reject) => {
    if (r.signal?.aborted) return reject(abortError());
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const onAbort = () => child.kill('SIGKILL');
    r.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-2000)));
    child.on('error', (err) => reject(new AppError(503, 'ffmpeg_missing', `cannot run ffmpeg: ${err.message}`)));
    child.on('close', (code) => {
      r.signal?.removeEventListener('abort', onAbort);
      if (r.signal?.aborted) return reject(abortError());
      if (code === 0) return resolve(Buffer.concat(chunks));
      const why = stderr.trim().split('\n').slice(-2).join(' ') || `exit ${code}`;
      reject(new AppError(422, 'corrupt_media', `ffmpeg cannot cut the audio of ${r.file}: ${why}`));
    });
  });
  return Buffer.concat([wavHeader(pcm.length), pcm]);
}

function abortError(): Error {
  const e = new Error('the client went away');
  e.name = 'AbortError';
  return e;
}
