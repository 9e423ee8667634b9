/**
 * Audio extraction with ffmpeg: the chosen track, resampled to 16 kHz mono
 * s16 and streamed into a temporary WAV file (never into Node's memory).
 * No file name ever passes through a shell: spawn with argument arrays.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, parse, sep } from 'node:path';
import { AppError, appError } from '../errors.js';
import { findLanguage } from '../languages.js';
import { serviceUser } from './output.js';

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
  /** seconds the container says this track lasts (stream duration, or Matroska's DURATION tag); null when it does not say */
  duration: number | null;
}

export interface MediaInfo {
  duration: number | null;
  /** ffprobe guessed the duration from the bitrate (MP3 without an index, ...): too rough to judge a file incomplete by */
  durationEstimated: boolean;
  formatStartTime: number;
  audio: AudioStream[];
  hasVideo: boolean;
}

interface ProbeJson {
  streams?: { index: number; codec_type?: string; codec_name?: string; channels?: number; start_time?: string; duration?: string; disposition?: { default?: number; attached_pic?: number }; tags?: Record<string, string> }[];
  format?: { duration?: string; start_time?: string };
}

const denied = (code: string | undefined) => code === 'EACCES' || code === 'EPERM';

/**
 * Whether the service can read `path`: a missing file (ENOENT, or a folder on
 * the way that is a file) is not the same problem as a permission: the first
 * needs a path mapping or a rescan, the second a `chmod` on the library.
 */
export function mediaAccess(path: string): { ok: true } | { ok: false; missing: true } | { ok: false; missing: false; error: AppError } {
  try {
    statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!denied(code)) return { ok: false, missing: true };
    const dir = firstClosedFolder(path) ?? dirname(path);
    return {
      ok: false,
      missing: false,
      error: appError('media_unreadable', `Permission denied reading ${path}: the service user ${serviceUser()} cannot enter the folder ${dir}. Give that user read access to the library (for example \`chmod o+rx "${dir}"\`, or add the user to the folder's group).`),
    };
  }
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    if (!denied((e as NodeJS.ErrnoException).code)) throw e;
    return {
      ok: false,
      missing: false,
      error: appError('media_unreadable', `Permission denied reading ${path}: the file is not readable by the service user ${serviceUser()}. Give that user read access to the library's files (for example \`chmod o+r\` on the file, or add the user to the files' group).`),
    };
  }
  return { ok: true };
}

/** The folder nearest the root on the way to `path` that the service cannot enter. */
function firstClosedFolder(path: string): string | null {
  const { root } = parse(path);
  const parts = dirname(path).slice(root.length).split(sep).filter(Boolean);
  let dir = root;
  for (const part of ['', ...parts]) {
    dir = part ? (dir.endsWith(sep) ? dir + part : dir + sep + part) : dir;
    try {
      accessSync(dir, constants.X_OK);
    } catch (e) {
      if (denied((e as NodeJS.ErrnoException).code)) return dir;
      return null;
    }
  }
  return null;
}

/** `01:02:03.5` (Matroska's DURATION tag) or plain seconds -> seconds. */
function seconds(v: string | undefined): number | null {
  if (!v) return null;
  const m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(v.trim());
  const n = m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
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
  const access = mediaAccess(file);
  if (!access.ok && access.missing) throw new AppError(422, 'media_not_found', `File not found: ${file}`);
  if (!access.ok) throw access.error;
  if (statSync(file).size === 0) throw new AppError(422, 'corrupt_media', `${file} is empty`);
  const { ffprobe } = ffmpegPaths();
  // Warnings too: "Estimating duration from bitrate" says the duration is a guess.
  const r = await run(ffprobe, ['-v', 'warning', '-print_format', 'json', '-show_streams', '-show_format', '--', file], signal);
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
      duration: seconds(s.duration) ?? seconds(s.tags?.DURATION ?? s.tags?.duration),
    });
  }
  const duration = json.format?.duration ? Number(json.format.duration) : null;
  const durationEstimated = /estimating duration from bitrate/i.test(r.stderr);
  return { duration: Number.isFinite(duration) ? duration : null, durationEstimated, formatStartTime: formatStart, audio, hasVideo };
}

/**
 * A decoded track this much shorter than its container says is a file cut
 * short (a copy still running, an interrupted download): its subtitle would
 * stop partway. Both bounds must hold, so rounding in a container's duration
 * or a track that really ends a little early never fails a good file.
 */
export const INCOMPLETE_RATIO = 0.9;
export const INCOMPLETE_MIN_MISSING_SECONDS = 30;

/** Throws `incomplete_media` when the decoded audio is far shorter than the probed duration. */
export function assertCompleteAudio(file: string, info: MediaInfo, stream: AudioStream, decodedSeconds: number, ffmpegNote = ''): void {
  if (info.durationEstimated) return;
  const expected = stream.duration ?? (info.duration === null ? null : info.duration - Math.max(0, stream.startTime - info.formatStartTime));
  if (expected === null || !(expected > 0)) return;
  const missing = expected - decodedSeconds;
  if (decodedSeconds >= expected * INCOMPLETE_RATIO || missing <= INCOMPLETE_MIN_MISSING_SECONDS) return;
  const note = ffmpegNote ? ` (ffmpeg: ${ffmpegNote})` : '';
  throw appError(
    'incomplete_media',
    `${file} is incomplete: its audio ends at ${clock(decodedSeconds)} of ${clock(expected)}${note}. It is probably still being copied or was cut short: let the copy finish or replace the file, then scan again (or retry the job).`,
  );
}

function clock(sec: number): string {
  const t = Math.max(0, Math.round(sec));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
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
 * progress (0-100) from ffmpeg's `-progress` output. Resolves with ffmpeg's
 * last complaint of a run that still succeeded ("File ended prematurely"), or ''.
 */
export async function extractAudio(
  file: string,
  stream: AudioStream | null,
  outPath: string,
  opts: { duration?: number | null; onProgress?(p: number): void; signal?: AbortSignal } = {},
): Promise<string> {
  const { ffmpeg } = ffmpegPaths();
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-i', file];
  args.push('-map', stream ? `0:a:${stream.audioIndex}` : '0:a:0');
  args.push('-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 'wav', '-progress', 'pipe:1', '-nostats', outPath);
  return new Promise<string>((res, rej) => {
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
      const msg = stderr.trim().split('\n').slice(-2).join(' ');
      if (code === 0) return res(msg.replace(/\[[^\]]* @ 0x[0-9a-f]+\]\s*/g, ''));
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
