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
 *   await resolveVideoFile(settings, '/tv/Show/ep1.mkv');
 *   // { name: 'ep1.mkv', mediaPath: '/media/tv/Show/ep1.mkv' } with a mapping /tv -> /media/tv
 *   await resolveVideoFile(settings, '/etc/passwd');
 *   // { name: 'passwd', mediaPath: null }
 */
import { checkMediaPath, type RootSettings } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../workers/path-mapping.js';

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
