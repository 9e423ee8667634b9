/**
 * Folders that a request makes the library (`paths` of the scheduler and
 * watcher start bodies set library_paths). They cannot be confined to the
 * library — they define it — but they must be absolute, exist, and not be
 * one of the kernel's pseudo-filesystems, through a symlink or not.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { AppError, badRequest, notFound } from '../errors.js';
import { isPseudoFilesystem, PSEUDO_FILESYSTEMS, realPathOf } from '../security/media-roots.js';
import { errText } from './library-walker.js';

/** The folders as they will be stored in library_paths (absolute, `..` removed), or a 400/403/404 naming the first bad one. */
export function checkLibraryFolders(paths: string[]): Promise<string[]> {
  return existingFolders(paths, async (p) => {
    const real = await realPathOf(p);
    if (isPseudoFilesystem(real)) {
      const shown = real === resolve(p) ? p : `${p} (resolves to ${real})`;
      throw new AppError(403, 'outside_library', `${shown} is a system folder (${PSEUDO_FILESYSTEMS.join(', ')}), not media: choose the folder that holds your videos.`);
    }
  });
}

/**
 * Absolute, existing paths from a request, each passed through `check`
 * first (before the existence check, so a 404 never tells what exists where
 * the caller may not look); duplicates removed.
 */
export async function existingFolders(paths: string[], check: (path: string) => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if (typeof p !== 'string' || !p.trim()) throw badRequest('paths must not contain empty entries', 'bad_path');
    if (!isAbsolute(p)) throw badRequest(`Path must be absolute, got "${p}": give the full path of the library folder, e.g. /media/movies`, 'relative_path');
    await check(p);
    try {
      await stat(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`Path ${p}`);
      throw badRequest(`Cannot read ${p}: ${errText(e)}`, 'unreadable_path');
    }
    out.push(resolve(p));
  }
  return [...new Set(out)];
}
