/**
 * The cue times of an embedded text subtitle track (SubRip, ASS, WebVTT,
 * mov_text), read by ffmpeg as SRT on its stdout: a reference for sync, or a
 * track the background check measures. Image tracks (PGS, VobSub) have no
 * text and are refused with a 415.
 */
import { execFile } from 'node:child_process';
import { AppError } from '../errors.js';
import { ffmpegPaths, type MediaTools } from '../transcription/audio.js';
import { parseTimed } from './subtitle-times.js';
import type { TimeSpan } from './types.js';

export const TEXT_SUBTITLE_CODECS = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

/** `subtitleIndex`: position among the subtitle streams (ffmpeg's `0:s:N`). */
export function embeddedCues(mediaPath: string, subtitleIndex: number, tools?: Partial<MediaTools>, signal?: AbortSignal): Promise<TimeSpan[]> {
  const { ffmpeg } = ffmpegPaths(tools);
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', mediaPath, '-map', `0:s:${subtitleIndex}`, '-c:s', 'srt', '-f', 'srt', 'pipe:1'];
  return new Promise((res, rej) => {
    execFile(ffmpeg, args, { signal, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const msg = stderr.toString('utf8').trim().split('\n').slice(-1)[0] ?? err.message;
        if (/matches no streams/i.test(msg)) return rej(new AppError(404, 'not_found', `Embedded subtitle track ${subtitleIndex} of ${mediaPath} not found`));
        if (/bitmap|image|Subtitle encoding currently only possible from text to text/i.test(msg)) {
          return rej(new AppError(415, 'not_text_subtitle', `Embedded subtitle track ${subtitleIndex} is an image subtitle (no text times to read)`));
        }
        return rej(new AppError(422, 'corrupt_media', `ffmpeg cannot read embedded subtitle track ${subtitleIndex} of ${mediaPath}: ${msg}`));
      }
      try {
        res(parseTimed(stdout, 'srt', `embedded subtitle track ${subtitleIndex}`).cues);
      } catch (e) {
        rej(e);
      }
    });
  });
}
