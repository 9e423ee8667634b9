/**
 * Where media may be: every path a request, a webhook or the watcher names is
 * resolved (made absolute, `..` removed, symlinks followed) and must then lie
 * inside a library folder (`library_paths`) or an extra allowed root
 * (`allowed_media_roots`). The kernel's pseudo-filesystems are never media.
 *
 *   const real = await confineMediaPath(settings, '/media/tv/../tv/Show/ep1.mkv');
 *   // '/media/tv/Show/ep1.mkv', or AppError 403 outside_library
 */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve, sep, win32 } from 'node:path';
import { AppError } from '../errors.js';

/** What this module reads of the settings (the settings service fits). */
export interface RootSettings {
  getList(key: string): string[];
}

/** Kernel and device trees: never browsed, scanned, watched or transcribed. */
// (/run is left out: desktops mount removable drives under /run/media.)
export const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** True when `path` is `root` or below it (both absolute, normalized). */
export function isWithin(path: string, root: string): boolean {
  if (root === sep) return true;
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function isPseudoFilesystem(path: string): boolean {
  return PSEUDO_FILESYSTEMS.some((p) => isWithin(path, p));
}

/** `~` and `~/x` name the home folder of the service's user. */
export function expandHome(p: string): string {
  const t = p.trim();
  if (t === '~') return homedir();
  if (t.startsWith('~/')) return join(homedir(), t.slice(2));
  return t;
}

/** A Windows drive or UNC path (a worker node on Windows sees the library so). */
function isWindowsOnly(p: string): boolean {
  return !isAbsolute(p) && win32.isAbsolute(p);
}

/**
 * The real path of `path`; for a path that does not exist (yet), the real
 * path of its nearest existing folder joined with the rest, so a symlink
 * higher up is still followed.
 */
export async function realPathOf(path: string): Promise<string> {
  const lexical = resolve(path);
  let dir = lexical;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await realpath(dir);
      return rest.length ? join(real, ...rest.reverse()) : real;
    } catch {
      const up = dirname(dir);
      if (up === dir) return lexical;
      rest.push(basename(dir));
      dir = up;
    }
  }
}

/** The configured media roots as real paths (roots that do not exist stay as written). */
async function mediaRoots(settings: RootSettings): Promise<string[]> {
  const listed = [...settings.getList('library_paths'), ...settings.getList('allowed_media_roots')].map(expandHome).filter((r) => isAbsolute(r));
  return Promise.all(listed.map((r) => realPathOf(r)));
}

type Confinement = { ok: true; path: string } | { ok: false; path: string; reason: string };

/**
 * Resolves `path` and says whether it lies inside the media roots. Windows
 * paths (kept for worker nodes on Windows) are compared by name, case-blind,
 * with the Windows roots.
 */
export async function checkMediaPath(settings: RootSettings, path: string): Promise<Confinement> {
  const raw = path.trim();
  if (!raw || raw.includes('\0')) return { ok: false, path: raw, reason: 'not a valid path' };
  if (isWindowsOnly(raw)) {
    const norm = win32.normalize(raw).toLowerCase();
    const roots = [...settings.getList('library_paths'), ...settings.getList('allowed_media_roots')].filter(isWindowsOnly).map((r) => win32.normalize(r).toLowerCase().replace(/\\+$/, ''));
    if (roots.some((r) => norm === r || norm.startsWith(`${r}\\`))) return { ok: true, path: raw };
    return { ok: false, path: raw, reason: 'outside the library folders' };
  }
  if (!isAbsolute(raw)) return { ok: false, path: raw, reason: 'not an absolute path' };
  const real = await realPathOf(raw);
  if (isPseudoFilesystem(real)) return { ok: false, path: real, reason: 'a system folder, not media' };
  const roots = await mediaRoots(settings);
  if (!roots.some((r) => isWithin(real, r))) return { ok: false, path: real, reason: 'outside the library folders' };
  return { ok: true, path: real };
}

/** checkMediaPath for request handlers: the resolved path, or a 403 that names the path and the settings to change. */
export async function confineMediaPath(settings: RootSettings, path: string): Promise<string> {
  const c = await checkMediaPath(settings, path);
  if (c.ok) return c.path;
  throw outsideLibrary(path, c);
}

function outsideLibrary(requested: string, c: { path: string; reason: string }): AppError {
  const shown = c.path && c.path !== requested.trim() ? `${requested} (resolves to ${c.path})` : requested;
  return new AppError(
    403,
    'outside_library',
    `${shown} is ${c.reason}: only files inside the library folders can be transcribed. Add its folder to library_paths or allowed_media_roots (Settings → Library and scanning) if it belongs to your library.`,
  );
}
