/**
 * Which subtitle files are ours, and the only ways this product creates,
 * replaces and removes them.
 *
 * A file is ours only while it is exactly what we wrote: for every subtitle
 * we keep a hidden record `.<subtitle name>.transcriptorio.json` holding the
 * SHA-256 of the bytes we wrote, and a file whose bytes no longer hash to it
 * was edited and is the user's from then on. The marker line in VTT, ASS, LRC
 * and JSON output proves nothing here: a user who corrects a few cues keeps
 * it. A file with no readable record (a library copied without its hidden
 * files, a damaged record) is the user's too: we never destroy what we cannot
 * prove is ours. (The scanner still counts such files as "made by
 * TranscriptorIO" for what a scan wants, `scanner/generated.ts`; that decides
 * nothing about overwriting.)
 *
 * Every change is decided at the moment it is made, not before:
 *
 * - a new file is published with `link()` from a temporary file beside it,
 *   which fails when a file appeared at the name meanwhile; that file is left
 *   alone and the write fails with `subtitle_exists`;
 * - a file we replace or delete is first moved aside (one atomic rename to a
 *   hidden name), and only then checked: a file edited up to that rename is
 *   put back untouched; one created at the name after it is never touched.
 *
 * On a file system without hard links (some SMB and FAT mounts) the new file
 * is created exclusively (`COPYFILE_EXCL`) instead: still never over another
 * file, but written in place rather than appearing whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { copyFile, link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../errors.js';
import { GENERATOR_MARK } from './writers.js';

export function sidecarPath(subtitle: string): string {
  return join(dirname(subtitle), `.${basename(subtitle)}.transcriptorio.json`);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The hash our record holds for `subtitle`, or null when there is no readable record. */
function recordedHash(subtitle: string): string | null {
  try {
    const rec = JSON.parse(readFileSync(sidecarPath(subtitle), 'utf8')) as { sha256?: unknown };
    return typeof rec?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(rec.sha256) ? rec.sha256 : null;
  } catch {
    return null;
  }
}

/** True when `content` is exactly what our record for `subtitle` says we wrote. */
function matchesRecord(subtitle: string, content: Buffer): boolean {
  const want = recordedHash(subtitle);
  return want !== null && want === sha256(content);
}

/** True when the subtitle at `path` was written by this product and not changed since. */
export function isGeneratedSubtitle(path: string): boolean {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch {
    return false;
  }
  return matchesRecord(path, content);
}

const hidden = (path: string, kind: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`);

const userOwns = (path: string) =>
  new AppError(409, 'subtitle_exists', `${path} already exists and is not a file TranscriptorIO wrote (or it was edited since): it is left untouched. Rename or delete it to let TranscriptorIO write there.`);

/** Refuses a target that holds a subtitle that is not provably ours (checked before the heavy work). */
export function assertWritable(path: string): void {
  if (existsSync(path) && !isGeneratedSubtitle(path)) throw userOwns(path);
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * Makes `tmp` appear at `path` only when nothing is there; throws EEXIST
 * (untouched) otherwise. `tmp` is gone afterwards either way on success.
 */
async function publishNoClobber(tmp: string, path: string): Promise<void> {
  try {
    await link(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code || !NO_HARD_LINKS.has(code)) throw e;
    try {
      await copyFile(tmp, path, constants.COPYFILE_EXCL);
    } catch (copyErr) {
      // A partial copy is ours (the exclusive create made it); a file that was there is not.
      if ((copyErr as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true }).catch(() => {});
      throw copyErr;
    }
  }
  await rm(tmp, { force: true });
}

/**
 * Puts a file we moved aside back at its name; if the name was taken
 * meanwhile, the moved file stays beside it under a visible name, so
 * neither is lost.
 */
async function putBack(aside: string, path: string): Promise<void> {
  try {
    await publishNoClobber(aside, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await rename(aside, `${path}.kept-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  }
}

/** Moves the file at `path` aside; null when there is none. */
async function moveAside(path: string): Promise<string | null> {
  const aside = hidden(path, 'aside');
  try {
    await rename(path, aside);
    return aside;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Takes the file at `path` out of the way when it is ours at this moment.
 * Returns the moved file's temporary name ('none' when nothing was there),
 * or throws `subtitle_exists` after putting a file that is not ours back.
 */
async function claim(path: string): Promise<string | 'none'> {
  const aside = await moveAside(path);
  if (!aside) return 'none';
  if (matchesRecord(path, await readFile(aside))) return aside;
  await putBack(aside, path);
  throw userOwns(path);
}

export interface SubtitleMeta {
  media: string;
  language: string;
  model: string;
}

/**
 * A subtitle written to temporary files beside its target, ready to be
 * published; `discard()` removes them. Separate from publishing so that
 * everything needing disk space happens first.
 */
interface StagedSubtitle {
  readonly path: string;
  /** Publishes the subtitle and its record; throws `subtitle_exists` when the name holds a file that is not ours at that moment. */
  publish(): Promise<void>;
  discard(): Promise<void>;
}

export async function stageSubtitle(path: string, content: string, meta: SubtitleMeta): Promise<StagedSubtitle> {
  const record = `${JSON.stringify({ generator: GENERATOR_MARK, sha256: sha256(content), media: basename(meta.media), language: meta.language, model: meta.model, createdAt: new Date().toISOString() }, null, 2)}\n`;
  const side = sidecarPath(path);
  const tmpSide = hidden(side, 'tmp');
  const tmpSub = hidden(path, 'tmp');
  const discard = async () => {
    await rm(tmpSide, { force: true }).catch(() => {});
    await rm(tmpSub, { force: true }).catch(() => {});
  };
  try {
    await writeExclusive(tmpSide, record);
    await writeExclusive(tmpSub, content);
  } catch (e) {
    await discard();
    throw e;
  }
  return {
    path,
    discard,
    async publish() {
      try {
        const old = await claim(path);
        // The record first: were we stopped before the subtitle appears, a file
        // at the name would not match it, so it would count as the user's.
        await rename(tmpSide, side);
        try {
          await publishNoClobber(tmpSub, path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
            if (old !== 'none') await rm(old, { force: true });
            throw userOwns(path);
          }
          if (old !== 'none') await putBack(old, path).catch(() => {});
          throw e;
        }
        if (old !== 'none') await rm(old, { force: true });
      } finally {
        await discard();
      }
    },
  };
}

const writeExclusive = (path: string, content: string) => writeFile(path, content, { flag: 'wx' });

/** Writes (or replaces our own) subtitle at `path` with its ownership record. */
export async function writeSubtitle(path: string, content: string, meta: SubtitleMeta): Promise<void> {
  assertWritable(path);
  const staged = await stageSubtitle(path, content, meta);
  await staged.publish();
}

/**
 * Deletes the subtitle at `path` and its record when it is ours, unedited,
 * at the moment of deletion. `kept`: it is not provably ours and stays as it was.
 */
export async function removeGeneratedSubtitle(path: string): Promise<'removed' | 'absent' | 'kept'> {
  let aside: string | 'none';
  try {
    aside = await claim(path);
  } catch (e) {
    if (e instanceof AppError && e.code === 'subtitle_exists') return 'kept';
    throw e;
  }
  if (aside === 'none') return 'absent';
  await rm(aside, { force: true });
  await rm(sidecarPath(path), { force: true }).catch(() => {});
  return 'removed';
}
