/**
 * Audio extraction with ffmpeg: the chosen track, resampled to 16 kHz mono
 * s16 and streamed into a temporary WAV file (never into Node's memory).
 * No file name ever passes through a shell: spawn with argument arrays.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { AppError } from '../errors.js';
import { findLanguage } from '../languages.js';

const require = createRequire(import.meta.url);
let cached: { ffmpeg: string; ffprobe: string } | null = null;

function works(bin: string): boolean {
  return spawnSync(bin, ['-version'], { stdio: 'ignore' }).status === 0;
}

/** System ffmpeg/ffprobe when present, else the binaries shipped with the npm installers. */
export function ffmpegPaths(): { ffmpeg: string; ffprobe: string } {
  if (cached) return cached;
  const pick = (envVar: string, system: string, pkg: string): string => {
    const fromEnv = process.env[envVar];
    if (fromEnv && works(fromEnv)) return fromEnv;
    if (works(system)) return system;
    try {
      const p = (require(pkg) as { path: string }).path;
      if (p && existsSync(p)) return p;
    } catch {
      /* fall through */
    }
    throw new AppError(503, 'ffmpeg_missing', `${system} not found: install ffmpeg or reinstall the npm dependencies (${pkg})`);
  };
  cached = {
    ffmpeg: pick('FFMPEG_PATH', 'ffmpeg', '@ffmpeg-installer/ffmpeg'),
    ffprobe: pick('FFPROBE_PATH', 'ffprobe', '@ffprobe-installer/ffprobe'),
  };
  return cached;
}

export interface AudioStream {
  /** index of the stream in the container */
  index: number;
  /** position among audio streams (ffmpeg's `0:a:N`) */
  audioIndex: number;
  codec: string | null;
  language: string | null;
  isDefault: boolean;
  channels: number | null;
  /** seconds; audio that starts after the video shifts every timestamp */
  startTime: number;
}

export interface MediaInfo {
  duration: number | null;
  formatStartTime: number;
  audio: AudioStream[];
  hasVideo: boolean;
}

interface ProbeJson {
  streams?: { index: number; codec_type?: string; codec_name?: string; channels?: number; start_time?: string; disposition?: { default?: number; attached_pic?: number }; tags?: Record<string, string> }[];
  format?: { duration?: string; start_time?: string };
}

function run(bin: string, args: string[], signal?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-20000)));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

export async function probeMedia(file: string, signal?: AbortSignal): Promise<MediaInfo> {
  if (!existsSync(file)) throw new AppError(422, 'media_not_found', `File not found: ${file}`);
  if (statSync(file).size === 0) throw new AppError(422, 'corrupt_media', `${file} is empty`);
  const { ffprobe } = ffmpegPaths();
  const r = await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '--', file], signal);
  if (r.code !== 0) {
    throw new AppError(422, 'corrupt_media', `ffprobe cannot read ${file}: ${r.stderr.trim().split('\n').slice(-2).join(' ') || 'unknown format'}`);
  }
  const json = JSON.parse(r.stdout) as ProbeJson;
  const formatStart = Number(json.format?.start_time ?? 0) || 0;
  let audioIndex = 0;
  const audio: AudioStream[] = [];
  let hasVideo = false;
  for (const s of json.streams ?? []) {
    if (s.codec_type === 'video' && !s.disposition?.attached_pic) hasVideo = true;
    if (s.codec_type !== 'audio') continue;
    const lang = s.tags?.language ?? s.tags?.LANGUAGE ?? null;
    audio.push({
      index: s.index,
      audioIndex: audioIndex++,
      codec: s.codec_name ?? null,
      language: lang && lang !== 'und' ? (findLanguage(lang)?.code ?? lang) : null,
      isDefault: s.disposition?.default === 1,
      channels: s.channels ?? null,
      startTime: Number(s.start_time ?? formatStart) || 0,
    });
  }
  const duration = json.format?.duration ? Number(json.format.duration) : null;
  return { duration: Number.isFinite(duration) ? duration : null, formatStartTime: formatStart, audio, hasVideo };
}

/**
 * The track to transcribe: the first in the preferred languages (job, rule,
 * then `preferred_audio_languages`), else the default track, else the first.
 */
export function selectAudioStream(info: MediaInfo, preferred: (string | null | undefined)[] = []): AudioStream {
  if (info.audio.length === 0) throw new AppError(422, 'no_audio_track', 'The file has no audio track');
  for (const want of preferred) {
    const code = findLanguage(want ?? '')?.code;
    if (!code) continue;
    const hit = info.audio.find((a) => a.language === code);
    if (hit) return hit;
  }
  return info.audio.find((a) => a.isDefault) ?? info.audio[0];
}

/**
 * Decodes one audio stream to a 16 kHz mono s16 WAV at `outPath`, reporting
 * progress (0-100) from ffmpeg's `-progress` output.
 */
export async function extractAudio(
  file: string,
  stream: AudioStream | null,
  outPath: string,
  opts: { duration?: number | null; onProgress?(p: number): void; signal?: AbortSignal } = {},
): Promise<void> {
  const { ffmpeg } = ffmpegPaths();
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-i', file];
  args.push('-map', stream ? `0:a:${stream.audioIndex}` : '0:a:0');
  args.push('-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 'wav', '-progress', 'pipe:1', '-nostats', outPath);
  await new Promise<void>((res, rej) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const m = /out_time_(?:us|ms)=(\d+)/.exec(chunk);
      if (m && opts.duration && opts.onProgress) opts.onProgress(Math.min(100, Number(m[1]) / 1e6 / opts.duration * 100));
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
    child.on('error', (err) => rej(new AppError(503, 'ffmpeg_missing', `cannot run ffmpeg: ${err.message}`)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return rej(abortErr());
      if (code === 0) return res();
      const msg = stderr.trim().split('\n').slice(-2).join(' ');
      if (/matches no streams|does not contain any stream/i.test(msg)) rej(new AppError(422, 'no_audio_track', `${file} has no audio track`));
      else rej(new AppError(422, 'corrupt_media', `ffmpeg cannot decode the audio of ${file}: ${msg || `exit ${code}`}`));
    });
  });
}

function abortErr(): Error {
  const e = new Error('transcription cancelled');
  e.name = 'AbortError';
  return e;
}

const AUDIO_ONLY_EXT = new Set(['.mp3', '.flac', '.m4a', '.aac', '.ogg', '.opus', '.wav', '.wma', '.alac', '.aiff', '.ape', '.mka']);
export function isAudioOnly(file: string, info?: MediaInfo): boolean {
  if (info) return !info.hasVideo;
  const dot = file.lastIndexOf('.');
  return dot >= 0 && AUDIO_ONLY_EXT.has(file.slice(dot).toLowerCase());
}
