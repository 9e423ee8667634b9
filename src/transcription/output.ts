/**
 * Naming and writing subtitle files next to the media.
 *
 * Which files are ours, and how they are published, replaced and removed
 * without ever touching a user's file, is `subtitle-files.ts`: a file at the
 * target name that is not provably ours (including our file edited by the
 * user) fails the job with `subtitle_exists` (409) naming the file.
 *
 * A folder
 * the service cannot write (read-only mount, permissions) fails the job as
 * `output_not_writable`, a full disk as `disk_full`: both permanent, since
 * another attempt would transcribe the whole file again to meet the same wall.
 */
import { accessSync, constants } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { appError } from '../errors.js';
import { formatLanguageForFileName, type LanguageNamingType } from '../languages.js';
import { writeSubtitle, type SubtitleMeta } from './subtitle-files.js';
import type { SubtitleFormat } from './types.js';

interface NamingOptions {
  namingType?: LanguageNamingType;
  /** `ai` gives Movie.ai.spa.srt */
  tag?: string | null;
  /** replaces the language code in the name when set (subtitle_language_name) */
  customLanguageName?: string | null;
  outputDir?: string | null;
}

/** `<dir>/<media basename>[.<tag>].<lang>.<ext>` */
export function subtitlePath(mediaFile: string, lang: string, format: SubtitleFormat, o: NamingOptions = {}): string {
  const dir = o.outputDir || dirname(mediaFile);
  const base = basename(mediaFile, extname(mediaFile));
  const label = o.customLanguageName?.trim() || formatLanguageForFileName(lang, o.namingType ?? 'ISO_639_2_B');
  const tag = o.tag?.trim().replace(/[\\/]/g, '');
  const safeLabel = label.replace(/[\\/:*?"<>|]/g, '');
  return join(dir, `${base}${tag ? `.${tag}` : ''}.${safeLabel}.${format}`);
}

/** The user this process runs as, for messages about permissions. */
export function serviceUser(): string {
  try {
    const u = userInfo();
    return `${u.username} (uid ${u.uid})`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * A file-system error met while writing `subtitle` (for `media`) as the
 * AppError a person can act on; other errors pass through unchanged.
 */
function outputWriteError(err: unknown, subtitle: string, media: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const dir = dirname(subtitle);
  const what = `Cannot write subtitles next to ${media}`;
  if (code === 'EROFS') {
    return appError('output_not_writable', `${what}: the folder ${dir} is on a read-only file system. Mount the library read-write for TranscriptorIO (for Docker: a volume without :ro), then retry the job.`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return appError('output_not_writable', `${what}: the folder ${dir} is not writable by the service user ${serviceUser()}. Give that user write access to the library folder (for example add it to the folder's group and \`chmod g+w "${dir}"\`), then retry the job.`);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const why = code === 'EDQUOT' ? `the disk quota of ${serviceUser()} is used up` : 'no space is left';
    return appError('disk_full', `The disk holding ${dir} is full (${why}), so the subtitle for ${media} cannot be written: free space there, then retry the job.`);
  }
  return err;
}

/**
 * Checked before the heavy work: a folder the service cannot write would
 * otherwise fail the job only after the whole transcription. (The write
 * itself still maps its errors: permissions can change meanwhile.)
 */
export function assertOutputFolderWritable(subtitle: string, media: string): void {
  try {
    accessSync(dirname(subtitle), constants.W_OK);
  } catch (e) {
    const mapped = outputWriteError(e, subtitle, media);
    if (mapped !== e) throw mapped;
    // Anything else (the folder is gone, ...) is met, and named, by the write.
  }
}

/** Writes (or replaces our own unedited) subtitle, with its record; file-system errors as a person can act on them. */
export async function writeSubtitleFile(path: string, content: string, meta: SubtitleMeta): Promise<void> {
  try {
    await writeSubtitle(path, content, meta);
  } catch (err) {
    throw outputWriteError(err, path, meta.media);
  }
}
