/**
 * Media generated for the engine tests with ffmpeg (and espeak-ng when
 * present): tagged audio tracks, delayed audio, no audio, corrupt files.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { JFK_WAV, SILERO_MODEL } from '../helpers/fixtures.js';

export const JFK = JFK_WAV;
export const SILERO = SILERO_MODEL;

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** MKV with a black video, a silent `eng` track and jfk.wav as the `spa` default-less second track. */
export function mkvTwoTracks(dir: string): string {
  const out = join(dir, 'Two Tracks (2020).mkv');
  ffmpeg([
    '-f', 'lavfi', '-i', 'color=black:s=64x64:d=11:r=5',
    '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-i', JFK,
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-t', '11',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=spa',
    '-disposition:a:0', 'default', '-disposition:a:1', '0', out,
  ]);
  return out;
}

/** MKV with jfk.wav as its one audio track, tagged with `lang` (an ISO 639-2 code). */
export function mkvTaggedSpeech(dir: string, lang: string): string {
  const out = join(dir, `Tagged ${lang}.mkv`);
  ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=64x64:d=11:r=5', '-i', JFK, '-map', '0:v', '-map', '1:a', '-t', '11', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-metadata:s:a:0', `language=${lang}`, out]);
  return out;
}

/** MP4 whose audio stream starts `delay` seconds after the video. */
export function mp4DelayedAudio(dir: string, delay: number): string {
  const out = join(dir, 'delayed.mp4');
  ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=64x64:d=13:r=5', '-itsoffset', String(delay), '-i', JFK, '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', out]);
  return out;
}

export function videoWithoutAudio(dir: string): string {
  const out = join(dir, 'silent-film.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'color=black:s=64x64:d=2:r=5', '-c:v', 'libx264', '-preset', 'ultrafast', out]);
  return out;
}

export function corruptFile(dir: string): string {
  const out = join(dir, 'broken.mkv');
  writeFileSync(out, Buffer.from('this is not a matroska file at all'.repeat(50)));
  return out;
}

/** jfk.wav looped to `seconds` (for long-audio and benchmark runs). */
export function loopedSpeech(out: string, seconds: number): string {
  ffmpeg(['-stream_loop', '-1', '-i', JFK, '-t', String(seconds), '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', out]);
  return out;
}
