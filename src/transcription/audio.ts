/**
 * Audio extraction with ffmpeg: the chosen track, resampled to 16 kHz mono
 * s16 and streamed into a temporary WAV file (never into Node's memory).
 * No file name ever passes through a shell: spawn with argument arrays.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, parse, sep } from 'node:path';
import { AppError, appError } from '../errors.js';
import { findLanguage } from '../languages.js';
import { serviceUser } from './output.js';

const require = createRequire(import.meta.url);
const cached = new Map<string, { ffmpeg: string; ffprobe: string }>();

/** The ffmpeg and ffprobe binaries to try first (Config.tools: FFMPEG_PATH, FFPROBE_PATH); null: none. */
export interface MediaTools {
  ffmpeg: string | null;
  ffprobe: string | null;
}

function works(bin: string): boolean {
  return spawnSync(bin, ['-version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The binaries given (`tools`) when they work, else the system ffmpeg/ffprobe
 * when present, else the ones shipped with the npm installers. Each answer
 * is kept: the binaries do not move while the process runs.
 */
export function ffmpegPaths(tools: Partial<MediaTools> = {}): { ffmpeg: string; ffprobe: string } {
  const key = `${tools.ffmpeg ?? ''}\n${tools.ffprobe ?? ''}`;
  const known = cached.get(key);
  if (known) return known;
  const pick = (given: string | null | undefined, system: string, pkg: string): string => {
    if (given && works(given)) return given;
    if (works(system)) return system;
    try {
      const p = (require(pkg) as { path: string }).path;
      if (p && existsSync(p)) return p;
    } catch {
      /* fall through */
    }
    throw new AppError(503, 'ffmpeg_missing', `${system} not found: install ffmpeg or reinstall the npm dependencies (${pkg})`);
  };
  const paths = {
    ffmpeg: pick(tools.ffmpeg, 'ffmpeg', '@ffmpeg-installer/ffmpeg'),
    ffprobe: pick(tools.ffprobe, 'ffprobe', '@ffprobe-installer/ffprobe'),
  };
  cached.set(key, paths);
  return paths;
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
  /**
   * Seconds the file's own header declares where ffprobe guessed instead: a
   * WAV cut short makes ffprobe estimate from the bytes that are left, but
   * its header still says how much audio it had.
   */
  declaredDuration?: number | null;
  /** ffprobe's own words that the file is cut short ("File ended prematurely", ...), or null */
  truncation?: string | null;
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

export async function probeMedia(file: string, signal?: AbortSignal, tools?: Partial<MediaTools>): Promise<MediaInfo> {
  const access = mediaAccess(file);
  if (!access.ok && access.missing) throw new AppError(422, 'media_not_found', `File not found: ${file}`);
  if (!access.ok) throw access.error;
  if (statSync(file).size === 0) throw new AppError(422, 'corrupt_media', `${file} is empty`);
  const { ffprobe } = ffmpegPaths(tools);
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
  return {
    duration: Number.isFinite(duration) ? duration : null,
    durationEstimated,
    declaredDuration: durationEstimated ? wavDeclaredSeconds(file) : null,
    truncation: truncationOf(r.stderr),
    formatStartTime: formatStart,
    audio,
    hasVideo,
  };
}

/**
 * What ffmpeg and ffprobe say when a file stops before its own structure
 * does (Matroska, MP4, an MP3 whose header counts more frames than there
 * are). Only messages that mean "cut short": a damaged packet in a whole
 * file says other things and is not a reason to refuse it.
 */
const TRUNCATION = /file ended prematurely|partial file|truncating packet|filesize and duration do not match|end of file reached prematurely/i;

/** The truncation lines of ffmpeg's or ffprobe's stderr (without their `[demuxer @ 0x...]` prefixes), or null. */
function truncationOf(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .filter((l) => TRUNCATION.test(l))
    .map((l) => cleanFfmpegLine(l));
  return lines.length ? [...new Set(lines)].slice(-2).join('; ') : null;
}

function cleanFfmpegLine(line: string): string {
  return line.replace(/\[[^\]]* @ 0x[0-9a-f]+\]\s*/g, '').replace(/^\s*\[(?:panic|fatal|error|warning|info)\]\s*/, '').trim();
}

/** A RIFF WAV's declared length: its data chunk's size over its byte rate (null when not a WAV, or a stream with an open size). */
function wavDeclaredSeconds(file: string): number | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(64 * 1024);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
    let byteRate = 0;
    for (let at = 12; at + 8 <= n; ) {
      const id = head.toString('ascii', at, at + 4);
      const size = head.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 20 <= n) byteRate = head.readUInt32LE(at + 16);
      // 0 and 0xFFFFFFFF: written by a recorder that never knew the length (a stream), nothing declared.
      if (id === 'data') return byteRate > 0 && size > 0 && size < 0xffffffff ? size / byteRate : null;
      at += 8 + size + (size % 2);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A decoded track shorter than its container says by more than this is a
 * file cut short (a copy still running, an interrupted download): its
 * subtitle would stop partway. The larger of the two bounds applies:
 * - 2 s absolute: a container's duration is often a little off for a whole
 *   file (rounding, AAC priming and padding, an audio track that ends a
 *   moment before the video, Matroska's duration of the last block), so a
 *   short clip is never failed for that;
 * - 5 % relative: a long film's container duration may come from its video
 *   track or an imprecise index, and audio that stops a minute before a two
 *   hour video is ordinary (silent credits cut from the track), while a file
 *   missing a twentieth of its length is not.
 * An 11 s clip cut to 3 s misses 8 s (more than 2 s); a 2 h film must miss
 * more than 6 min; a 22 min episode more than 66 s.
 */
const INCOMPLETE_MIN_MISSING_SECONDS = 2;
const INCOMPLETE_MISSING_RATIO = 0.05;
/**
 * When ffmpeg itself says the file is cut short, this much audio missing is
 * enough: only a damaged last packet of an otherwise whole file (ffmpeg
 * complains, the audio is all there) passes.
 */
const TRUNCATED_SLACK_SECONDS = 0.5;

/**
 * Throws `incomplete_media` when the decoded audio is shorter than the file
 * says by more than the tolerance above, or when ffmpeg reported the file as
 * cut short (`ffmpegNote`, from extractAudio, and the probe's own messages)
 * and audio is missing or there is no duration to compare with.
 */
export function assertCompleteAudio(file: string, info: MediaInfo, stream: AudioStream, decodedSeconds: number, ffmpegNote = ''): void {
  const truncation = [info.truncation, ffmpegNote].filter((s): s is string => !!s && TRUNCATION.test(s)).join('; ') || null;
  const expected = info.durationEstimated
    ? (info.declaredDuration ?? null)
    : (stream.duration ?? (info.duration === null ? null : info.duration - Math.max(0, stream.startTime - info.formatStartTime)));
  const known = expected !== null && expected > 0;
  if (known) {
    const missing = expected - decodedSeconds;
    const tolerance = Math.max(INCOMPLETE_MIN_MISSING_SECONDS, expected * INCOMPLETE_MISSING_RATIO);
    if (missing <= tolerance && !(truncation && missing > TRUNCATED_SLACK_SECONDS)) return;
  } else if (!truncation) {
    return;
  }
  const note = truncation ? ` (ffmpeg: ${truncation})` : '';
  const found = known
    ? `its audio ends after ${secondsText(decodedSeconds)} of the ${secondsText(expected)} its container declares`
    : `ffmpeg found only ${secondsText(decodedSeconds)} of audio before the file ended`;
  throw appError(
    'incomplete_media',
    `${file} is incomplete: ${found}${note}. It is probably still being copied or was cut short: let the copy finish or replace the file with a whole copy, then scan again (or retry the job).`,
  );
}

/** `3.3 s`, and `4210.0 s (1:10:10)` where a clock reads easier. */
function secondsText(sec: number): string {
  const s = `${Math.max(0, sec).toFixed(1)} s`;
  return sec >= 60 ? `${s} (${clock(sec)})` : s;
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
 * words that the file is cut short ("File ended prematurely", "partial
 * file": see assertCompleteAudio), else its last error of a run that still
 * succeeded, or ''.
 */
export async function extractAudio(
  file: string,
  stream: AudioStream | null,
  outPath: string,
  opts: { duration?: number | null; onProgress?(p: number): void; signal?: AbortSignal; tools?: Partial<MediaTools> } = {},
): Promise<string> {
  const { ffmpeg } = ffmpegPaths(opts.tools);
  // Warnings too (with their level, to tell them from errors): some truncation messages are warnings.
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'level+warning', '-y', '-i', file];
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
    // The tail for error messages; truncation lines wherever they come (many warnings may follow them).
    let cut = '';
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-4000);
      const lines = (partial + c).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (TRUNCATION.test(l)) cut = (cut + l + '\n').slice(-2000);
    });
    child.on('error', (err) => rej(new AppError(503, 'ffmpeg_missing', `cannot run ffmpeg: ${err.message}`)));
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return rej(abortErr());
      const lines = stderr.trim().split('\n').filter(Boolean);
      const errors = lines.filter((l) => /\[(?:panic|fatal|error)\]/.test(l));
      const msg = (errors.length ? errors : lines).slice(-2).map(cleanFfmpegLine).join(' ');
      if (code === 0) return res(truncationOf(cut + partial) ?? (errors.length ? msg : ''));
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
