/**
 * Paths taken from requests (analyze, scan, scheduler and watcher bodies)
 * must lie inside the folders the filesystem browser may show (browse_roots)
 * or a configured library path, like every other path the API accepts.
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { FilesystemService, isWithin } from '../filesystem/filesystem.service.js';
import type { SettingsService } from '../settings/settings.service.js';

export async function assertPathAllowed(settings: SettingsService, path: string): Promise<void> {
  if (!isAbsolute(path)) return; // the caller answers 400 for relative paths
  // An empty browse_roots means "/", as in the filesystem browser.
  const browse = settings.getList('browse_roots');
  const roots = await new FilesystemService(() => [...(browse.length ? browse : ['/']), ...settings.getList('library_paths').filter((p) => isAbsolute(p))]).realRoots();
  const lexical = resolve(path);
  let real = lexical;
  try {
    real = await realpath(lexical);
  } catch {
    /* a missing path is judged by its name; the caller answers 404 */
  }
  if (!roots.some((r) => isWithin(real, r))) {
    throw new AppError(403, 'permission_denied', `Permission denied: ${lexical} is outside the library and browsable folders (settings library_paths, browse_roots)`);
  }
}
