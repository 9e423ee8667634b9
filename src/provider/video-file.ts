/**
 * The `video_file` of a provider request (subgen-style clients, Bazarr) is
 * the media path in the CLIENT's namespace: another container may see the
 * library elsewhere, or the value may be forged. It is a media path for this
 * service only when, after the path mappings, it resolves inside the media
 * roots; otherwise only its base name is kept, as a display name, and nothing
 * is ever opened or written at that path. A bad value never fails the request:
 * Bazarr does not check the status code and would save an error body as a
 * subtitle.
 *
 * A media path inside the library is read (never written) for two things:
 * the audio stream's start offset (`audioShift`: Bazarr decodes the audio
 * alone, which drops a late audio start, so the answer's times move by it),
 * and a library job for the same file and language (library-share.ts).
 *
 *   await resolveVideoFile(settings, '/tv/Show/ep1.mkv');
 *   // { name: 'ep1.mkv', mediaPath: '/media/tv/Show/ep1.mkv' } with a mapping /tv -> /media/tv
 *   await resolveVideoFile(settings, '/etc/passwd');
 *   // { name: 'passwd', mediaPath: null }
 */
import { isAbsolute, resolve } from 'node:path';
import { checkMediaPath, type RootSettings } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../security/path-mapping.js';
import { probeMedia, selectAudioStream, type MediaInfo, type Segment } from '../transcription/index.js';

/** What this module reads of the settings (the settings service fits). */
export interface VideoFileSettings extends RootSettings {
  get(key: string): unknown;
}

export interface VideoFile {
  /** the base name, for the job and the answer's file name; null when the value names no file */
  name: string | null;
  /** the resolved real path inside the media roots, or null: then the value is only a name */
  mediaPath: string | null;
}

/** The last component of a POSIX or Windows path; `.`, `..` and control characters name nothing. */
export function displayNameOf(videoFile: string): string | null {
  const parts = videoFile.trim().split(/[\\/]+/).filter(Boolean);
  const last = parts.at(-1) ?? '';
  // eslint-disable-next-line no-control-regex -- a name with a control character in it is refused
  if (!last || last === '.' || last === '..' || /[\u0000-\u001f\u007f]/.test(last)) return null;
  return last;
}

export async function resolveVideoFile(settings: VideoFileSettings, videoFile: string | null | undefined): Promise<VideoFile | null> {
  const raw = videoFile?.trim();
  if (!raw) return null;
  const name = displayNameOf(raw);
  try {
    const mapped = applyPathMappings(raw, mappingsFromSettings((k) => settings.get(k)));
    const c = await checkMediaPath(settings, mapped);
    return { name, mediaPath: c.ok ? c.path : null };
  } catch {
    // Whatever went wrong, the value stays a name: the request must still be answered.
    return { name, mediaPath: null };
  }
}

/**
 * The path as the client named it, after the path mappings and with `..`
 * removed but symlinks kept: what a scan that walked a symlinked library
 * folder keys its job by. Only compared with job rows, never opened.
 */
export function namedMediaPath(settings: VideoFileSettings, videoFile: string): string | null {
  try {
    const mapped = applyPathMappings(videoFile.trim(), mappingsFromSettings((k) => settings.get(k)));
    return isAbsolute(mapped) ? resolve(mapped) : null;
  } catch {
    return null;
  }
}

/** Seconds the chosen audio stream starts after the container (what the library pipeline shifts by too). */
function audioStartOffset(info: MediaInfo, language?: string | null): number {
  const stream = selectAudioStream(info, [language]);
  return Math.max(0, stream.startTime - info.formatStartTime);
}

export interface MediaAudio {
  /** seconds to add to every time of the answer */
  shift: number;
  /** the media's duration, seconds, when ffprobe says */
  duration: number | null;
}

/**
 * How far the answer's times must move for the media file: its audio start
 * offset, less what the upload kept of it (raw PCM keeps nothing; a
 * container upload with its own late audio start is already shifted by the
 * pipeline). `upload` is the uploaded file, `raw` when it is headerless PCM.
 * Any probe failure means no shift: the request is still answered.
 */
export async function audioShift(mediaPath: string, language: string | null | undefined, upload: { path: string; raw: boolean }): Promise<MediaAudio | null> {
  try {
    const info = await probeMedia(mediaPath);
    const media = audioStartOffset(info, language);
    const own = upload.raw ? 0 : await probeMedia(upload.path).then((u) => audioStartOffset(u), () => 0);
    return { shift: Math.max(0, media - own), duration: info.duration };
  } catch {
    return null;
  }
}

/** The segments (and their words) moved by `shift` seconds. */
export function shiftSegments<S extends Segment>(segments: S[], shift: number): S[] {
  if (!shift) return segments;
  return segments.map((s) => ({ ...s, start: s.start + shift, end: s.end + shift, words: s.words?.map((w) => ({ ...w, start: w.start + shift, end: w.end + shift })) }));
}
