/**
 * Naming and writing subtitle files next to the media.
 *
 * Ownership: a file we write is recognisable. VTT, ASS, LRC and JSON carry a
 * marker in the text; for every format we also write a hidden sidecar record
 * `.<subtitle name>.transcriptorio.json` holding the SHA-256 of what we wrote.
 * A file at the target name counts as ours only when its marker or its
 * sidecar hash matches; anything else (including our file edited by the user)
 * is the user's and is never overwritten: the job fails with
 * `subtitle_exists` (409) naming the file.
 *
 * Writes are atomic: temp files in the same folder, then renames. A folder
 * the service cannot write (read-only mount, permissions) fails the job as
 * `output_not_writable`, a full disk as `disk_full`: both permanent, since
 * another attempt would transcribe the whole file again to meet the same wall.
 */
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { AppError, appError } from '../errors.js';
import { formatLanguageForFileName, type LanguageNamingType } from '../languages.js';
import { GENERATOR_MARK } from './writers.js';
import type { SubtitleFormat } from './types.js';

export interface NamingOptions {
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

export function sidecarPath(subtitle: string): string {
  return join(dirname(subtitle), `.${basename(subtitle)}.transcriptorio.json`);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** True when the subtitle at `path` was written by this product and not edited since. */
export function isGeneratedSubtitle(path: string): boolean {
  if (!existsSync(path)) return false;
  const content = readFileSync(path);
  const side = sidecarPath(path);
  if (existsSync(side)) {
    try {
      const rec = JSON.parse(readFileSync(side, 'utf8')) as { sha256?: string };
      if (rec.sha256 === sha256(content)) return true;
    } catch {
      /* unreadable record: fall back to the marker */
    }
  }
  // Marker formats stay ours even without the sidecar (moved libraries).
  const head = content.subarray(0, 512).toString('utf8');
  return head.includes(GENERATOR_MARK);
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
export function outputWriteError(err: unknown, subtitle: string, media: string): unknown {
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

const tempName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/** Refuses a target that holds a user's subtitle. */
export function assertWritable(path: string): void {
  if (existsSync(path) && !isGeneratedSubtitle(path)) {
    throw new AppError(409, 'subtitle_exists', `${path} already exists and was not generated by TranscriptorIO: it is left untouched`);
  }
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

export async function writeSubtitleFile(path: string, content: string, meta: { media: string; language: string; model: string }): Promise<void> {
  assertWritable(path);
  const record = `${JSON.stringify({ generator: GENERATOR_MARK, sha256: sha256(content), media: basename(meta.media), language: meta.language, model: meta.model, createdAt: new Date().toISOString() }, null, 2)}\n`;
  const side = sidecarPath(path);
  const tmpSide = tempName(side);
  const tmpSub = tempName(path);
  try {
    // Everything that needs space first: a full disk then leaves the old pair
    // (subtitle and its record) as it was, never a record of a file not written.
    await writeFile(tmpSide, record, { flag: 'wx' });
    await writeFile(tmpSub, content, { flag: 'wx' });
    await rename(tmpSide, side);
    await rename(tmpSub, path);
  } catch (err) {
    await rm(tmpSide, { force: true }).catch(() => {});
    await rm(tmpSub, { force: true }).catch(() => {});
    throw outputWriteError(err, path, meta.media);
  }
}
