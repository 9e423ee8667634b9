/**
 * ffprobe, run as a child process with an argument array (no shell ever sees
 * a file name) and a timeout, reduced to what the scanner needs: audio
 * tracks, embedded subtitles, duration and whether the file has a picture.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { normalizeLanguage } from '../languages.js';

export interface AudioTrack {
  /** position among the file's audio streams (ffmpeg `-map 0:a:N`) */
  index: number;
  /** position among all streams of the file */
  stream_index: number;
  codec: string | null;
  language: string | null;
  channels: number | null;
  default: boolean;
  title: string | null;
}

export interface EmbeddedSubtitle {
  /** position among the file's subtitle streams (ffmpeg `-map 0:s:N`) */
  index: number;
  stream_index: number;
  language: string | null;
  codec: string | null;
  forced: boolean;
  default: boolean;
  hearing_impaired: boolean;
  title: string | null;
}

export interface ProbeResult {
  audio_tracks: AudioTrack[];
  embedded_subtitles: EmbeddedSubtitle[];
  duration_seconds: number | null;
  is_video: boolean;
  format_name: string | null;
}

/** A file ffprobe cannot read as media (corrupt, empty, not media, timed out). */
export class ProbeError extends Error {
  override name = 'ProbeError';
}

/** The scan was cancelled while ffprobe ran: the child was killed, the file says nothing. */
export class ProbeAborted extends Error {
  override name = 'ProbeAborted';
}

/** The answer for each given binary: the binaries do not move while the process runs. */
const resolvedBinary = new Map<string, string>();

/**
 * `given` (Config.tools.ffprobe: FFPROBE_PATH) when it exists, else the
 * system ffprobe, else the binary shipped in @ffprobe-installer/ffprobe.
 */
function ffprobePath(given: string | null = null): string {
  const key = given ?? '';
  const known = resolvedBinary.get(key);
  if (known) return known;
  const keep = (p: string) => (resolvedBinary.set(key, p), p);
  const candidates = [given, '/usr/bin/ffprobe', '/usr/local/bin/ffprobe', '/opt/homebrew/bin/ffprobe'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (found) return keep(found);
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('@ffprobe-installer/ffprobe') as { path: string };
    if (pkg.path && existsSync(pkg.path)) return keep(pkg.path);
  } catch {
    /* package missing for this platform: fall through */
  }
  return keep('ffprobe');
}

let probes = 0;
let ffprobeRuns = 0;
/** How many files this process has probed, with MediaInfo or ffprobe (tests check that caching avoids probes). */
export function probeCount(): number {
  return probes;
}
/** Counts one probe of a file, whichever tool answers it (media-probe.ts). */
export function countProbe(): void {
  probes++;
}
/** How many ffprobe processes this process has started. */
export function ffprobeRunCount(): number {
  return ffprobeRuns;
}

// Only the entries we read: smaller output parses faster on big libraries.
const SHOW_ENTRIES =
  'format=duration,format_name:format_tags=language:stream=index,codec_type,codec_name,channels:stream_tags=language,title:stream_disposition=default,forced,attached_pic,hearing_impaired';

// Formats ffprobe "reads" that are not audio or video (text shown as a terminal, single images).
const NOT_MEDIA_FORMATS = /^(tty|image2|[a-z0-9_]+_pipe|srt|ass|webvtt|subviewer|microdvd|lrc|mpl2|sami|jacosub|vobsub)$/;

/** The arguments of one probe (the benchmark adds `-v verbose` to see how many bytes ffprobe reads). */
export function ffprobeArgs(path: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_entries', SHOW_ENTRIES, '-i', `file:${path}`];
}

/** The ffprobe binary probes run (see ffprobePath). */
export function ffprobeBinary(given: string | null = null): string {
  return ffprobePath(given);
}

/**
 * Probes one file; `signal` kills a running ffprobe at once (a cancelled
 * scan) and rejects with ProbeAborted. `ffprobe`: Config.tools.ffprobe.
 */
export async function probeFile(path: string, timeoutMs = 30_000, signal?: AbortSignal, ffprobe: string | null = null): Promise<ProbeResult> {
  if (signal?.aborted) throw new ProbeAborted('scan cancelled');
  ffprobeRuns++;
  const args = ffprobeArgs(path);
  const raw = await new Promise<string>((resolve, reject) => {
    const bin = ffprobePath(ffprobe);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    let aborted = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    child.on('error', (e) => {
      done();
      reject(new ProbeError(`ffprobe could not be started (${bin}): ${e.message}`));
    });
    // Settles on close, after the child is gone: a cancelled scan leaves no ffprobe behind.
    child.on('close', (code) => {
      done();
      if (aborted) return reject(new ProbeAborted('scan cancelled'));
      if (timedOut) return reject(new ProbeError(`ffprobe timed out after ${Math.round(timeoutMs / 1000)} s`));
      if (code !== 0) return reject(new ProbeError(`not a readable media file: ${cleanError(err, path) || `ffprobe exited with code ${code}`}`));
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
  return parseProbeOutput(raw);
}

/** ffprobe repeats the file name in its messages; the caller already knows it. */
function cleanError(stderr: string, path: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
  return line.replaceAll(`file:${path}: `, '').replaceAll(`file:${path}`, '').trim();
}

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  channels?: number;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
}

function tag(s: RawStream, key: string): string | null {
  if (!s.tags) return null;
  // Matroska tags come upper-case from some muxers.
  const k = Object.keys(s.tags).find((t) => t.toLowerCase() === key);
  const v = k ? s.tags[k]?.trim() : '';
  return v ? v : null;
}

function parseProbeOutput(raw: string): ProbeResult {
  let json: { streams?: RawStream[]; format?: { duration?: string; format_name?: string; tags?: Record<string, string> } };
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ProbeError('not a readable media file: ffprobe gave no usable output');
  }
  const streams = json.streams ?? [];
  const formatName = json.format?.format_name ?? null;
  if (!streams.length) throw new ProbeError('not a media file: no audio or video streams');
  if (formatName && NOT_MEDIA_FORMATS.test(formatName)) throw new ProbeError(`not a media file (ffprobe reads it as ${formatName})`);
  const audio = streams.filter((s) => s.codec_type === 'audio');
  const subs = streams.filter((s) => s.codec_type === 'subtitle');
  const video = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const duration = Number(json.format?.duration);
  // Audio files (mp3 ID3 TLAN, flac/ogg comments) tag the language on the file, not the stream.
  const fileLanguage = audio.length === 1 ? normalizeLanguage(tag({ tags: json.format?.tags }, 'language')) : null;
  return {
    audio_tracks: audio.map((s, i) => ({
      index: i,
      stream_index: s.index ?? i,
      codec: s.codec_name ?? null,
      language: normalizeLanguage(tag(s, 'language')) ?? fileLanguage,
      channels: typeof s.channels === 'number' ? s.channels : null,
      default: s.disposition?.default === 1,
      title: tag(s, 'title'),
    })),
    embedded_subtitles: subs.map((s, i) => {
      const title = tag(s, 'title');
      return {
        index: i,
        stream_index: s.index ?? i,
        language: normalizeLanguage(tag(s, 'language')),
        codec: s.codec_name ?? null,
        // Many releases mark forced tracks only in the title.
        forced: s.disposition?.forced === 1 || /\bforced\b/i.test(title ?? ''),
        default: s.disposition?.default === 1,
        hearing_impaired: s.disposition?.hearing_impaired === 1 || /\b(sdh|hi|cc)\b/i.test(title ?? ''),
        title,
      };
    }),
    duration_seconds: Number.isFinite(duration) ? Math.round(duration * 1000) / 1000 : null,
    is_video: video.length > 0,
    format_name: formatName,
  };
}
