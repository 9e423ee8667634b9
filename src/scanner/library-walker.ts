/**
 * Walks library folders: one readdir (withFileTypes) per folder and one stat
 * per media file, nothing more. Hidden folders, folders holding the ignore
 * marker (and everything below them), temporary and subtitle files are left
 * out; unreadable folders and broken links are reported, never fatal.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { readFolderListing, type FolderListing } from './external-subtitles.js';

export interface MediaCandidate {
  path: string;
  name: string;
  size: number;
  mtime_ms: number;
  /** the folder's listing, shared by all media files of the folder */
  folder: FolderListing;
  /** names of the media files in the same folder */
  siblings: string[];
}

export interface WalkIssue {
  path: string;
  error: string;
}

export interface WalkOptions {
  recursive: boolean;
  mediaExtensions: ReadonlySet<string>;
  ignoreMarker: string;
}

// Download and copy leftovers: qBittorrent (.!qB), uTorrent (.!ut), browsers, rsync, editors.
const TEMP_NAME = /(\.(part|partial|tmp|temp|crdownload|download|filepart|!qb|!ut|aria2|swp)$)|(~$)/i;
// Folders NAS systems and OSes keep inside shares.
const SKIP_FOLDERS = new Set(['@eadir', '#recycle', '$recycle.bin', 'lost+found', '#snapshot', '.snapshots', 'system volume information']);

export function isTemporaryName(name: string): boolean {
  return TEMP_NAME.test(name) || name.startsWith('.');
}

export function parseExtensions(list: string[]): Set<string> {
  return new Set(list.map((e) => e.trim().toLowerCase()).filter(Boolean).map((e) => (e.startsWith('.') ? e : `.${e}`)));
}

export function isMediaName(name: string, mediaExtensions: ReadonlySet<string>): boolean {
  return !isTemporaryName(name) && mediaExtensions.has(extname(name).toLowerCase());
}

/**
 * True when `file` lies in a hidden folder or below a folder that holds the
 * ignore marker, up to (and including) `root` (the watcher asks this per event).
 */
export function isExcludedPath(file: string, root: string, marker: string): boolean {
  const r = resolve(root);
  let dir = dirname(resolve(file));
  while (dir.length >= r.length) {
    if (dir !== r && basename(dir).startsWith('.')) return true;
    if (marker && existsSync(join(dir, marker))) return true;
    if (dir === r) break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return false;
}

export interface WalkResult {
  candidates: MediaCandidate[];
  issues: WalkIssue[];
  /** files skipped as not media (other extensions, temporary files) */
  ignored: number;
}

/** Collects the media files under `roots`. */
export async function walkLibrary(roots: string[], opts: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { candidates: [], issues: [], ignored: 0 };
  const seenDirs = new Set<string>();
  const queue: string[] = roots.map((r) => resolve(r));
  while (queue.length) {
    // Folders are read a few at a time: enough to hide disk latency, few enough for a NAS.
    const batch = queue.splice(0, 16);
    const found = await Promise.all(batch.map((dir) => walkFolder(dir, opts, result, seenDirs)));
    for (const subdirs of found) queue.push(...subdirs);
  }
  return result;
}

async function walkFolder(dir: string, opts: WalkOptions, result: WalkResult, seenDirs: Set<string>): Promise<string[]> {
  let entries: Dirent[];
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) return [];
    // Symlinked folders are followed once; a loop would otherwise walk forever.
    const key = `${st.dev}:${st.ino}`;
    if (seenDirs.has(key)) return [];
    seenDirs.add(key);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const broken = (e as NodeJS.ErrnoException).code === 'ENOENT';
    result.issues.push({ path: dir, error: broken ? 'broken link or vanished folder' : `cannot read folder: ${errText(e)}` });
    return [];
  }
  if (opts.ignoreMarker && entries.some((e) => e.name === opts.ignoreMarker)) return [];
  const subdirs: string[] = [];
  const media: Dirent[] = [];
  for (const e of entries) {
    // A link that is not to a media file may be a folder: walkFolder finds out with its stat.
    if (e.isDirectory() || (e.isSymbolicLink() && !isMediaName(e.name, opts.mediaExtensions))) {
      if (e.name.startsWith('.') || SKIP_FOLDERS.has(e.name.toLowerCase())) continue;
      if (opts.recursive) subdirs.push(join(dir, e.name));
      continue;
    }
    if (isMediaName(e.name, opts.mediaExtensions)) media.push(e);
    else if (!e.name.startsWith('.')) result.ignored++;
  }
  if (!media.length) return subdirs;
  const folder = await readFolderListing(dir, entries);
  const stats = await Promise.all(
    media.map(async (e) => {
      const path = join(dir, e.name);
      try {
        const st = await stat(path);
        if (!st.isFile()) return null;
        return { e, st };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        result.issues.push({ path, error: code === 'ENOENT' ? (e.isSymbolicLink() ? 'broken link' : 'file vanished during the scan') : `cannot read file: ${errText(err)}` });
        return null;
      }
    }),
  );
  const siblings = media.map((e) => e.name);
  for (const s of stats) {
    if (!s) continue;
    result.candidates.push({ path: join(dir, s.e.name), name: s.e.name, size: s.st.size, mtime_ms: Math.floor(s.st.mtimeMs), folder, siblings });
  }
  return subdirs;
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  if (err?.code === 'ENOENT') return 'no such file or folder';
  return err?.message ?? String(e);
}
