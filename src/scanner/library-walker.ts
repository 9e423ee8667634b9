/**
 * Walks library folders: one readdir (withFileTypes) per folder and one stat
 * per media file, nothing more. Hidden folders, folders holding the ignore
 * marker (and everything below them), temporary and subtitle files are left
 * out; unreadable folders and broken links are reported, never fatal.
 * Symlinks leading out of the roots and pseudo-filesystems are reported and
 * not entered (walk-bounds.ts).
 */
import type { Dirent, Stats } from 'node:fs';
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readFolderListing, type FolderListing } from './external-subtitles.js';
import { isTransportStream, needsSniff } from './media-sniff.js';
import { SYSTEM_FOLDER_ISSUE, walkBounds, type WalkBounds } from './walk-bounds.js';

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
  /** stops the walk between batches of folders (a cancelled scan) */
  signal?: AbortSignal;
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

interface WalkResult {
  candidates: MediaCandidate[];
  issues: WalkIssue[];
  /** files skipped as not media (other extensions, temporary files, `.ts` source code) */
  ignored: number;
  /** the signal stopped the walk: the lists hold what was found until then */
  aborted: boolean;
}

interface QueuedFolder {
  path: string;
  /** device of the folder it was found in; unknown for roots and link targets */
  parentDev?: number;
}

interface FolderFindings {
  dirs: QueuedFolder[];
  links: QueuedFolder[];
}

/** Collects the media files under `roots`, never leaving them (see walk-bounds.ts). */
export async function walkLibrary(roots: string[], opts: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { candidates: [], issues: [], ignored: 0, aborted: false };
  const bounds = await walkBounds(roots);
  const seenDirs = new Set<string>();
  let queue: QueuedFolder[] = roots.map((r) => ({ path: resolve(r) }));
  // Linked folders wait until the real tree is walked, so a folder reached both ways keeps its real path.
  const linked: QueuedFolder[] = [];
  while (queue.length || linked.length) {
    if (opts.signal?.aborted) {
      result.aborted = true;
      break;
    }
    if (!queue.length) queue = linked.splice(0);
    // Folders are read a few at a time: enough to hide disk latency, few enough for a NAS.
    const batch = queue.splice(0, 16);
    const found = await Promise.all(batch.map((dir) => walkFolder(dir, opts, result, seenDirs, bounds)));
    for (const f of found) {
      queue.push(...f.dirs);
      linked.push(...f.links);
    }
  }
  return result;
}

function isSkippedFolderName(name: string): boolean {
  return name.startsWith('.') || SKIP_FOLDERS.has(name.toLowerCase());
}

async function walkFolder(at: QueuedFolder, opts: WalkOptions, result: WalkResult, seenDirs: Set<string>, bounds: WalkBounds): Promise<FolderFindings> {
  const none: FolderFindings = { dirs: [], links: [] };
  const dir = at.path;
  let entries: Dirent[];
  let st: Stats;
  try {
    st = await stat(dir);
    if (!st.isDirectory()) return none;
    if (await bounds.isSystemFolder(dir, st, at.parentDev)) {
      result.issues.push({ path: dir, error: SYSTEM_FOLDER_ISSUE });
      return none;
    }
    // Symlinked folders are followed once; a loop would otherwise walk forever.
    const key = `${st.dev}:${st.ino}`;
    if (seenDirs.has(key)) return none;
    seenDirs.add(key);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const broken = (e as NodeJS.ErrnoException).code === 'ENOENT';
    result.issues.push({ path: dir, error: broken ? 'broken link or vanished folder' : `cannot read folder: ${errText(e)}` });
    return none;
  }
  if (opts.ignoreMarker && entries.some((e) => e.name === opts.ignoreMarker)) return none;
  const targets = await linkTargets(dir, entries, opts);
  const found: FolderFindings = { dirs: [], links: [] };
  const media: Dirent[] = [];
  for (const e of entries) {
    const isMedia = isMediaName(e.name, opts.mediaExtensions);
    if (e.isSymbolicLink()) {
      if (!targets.has(e.name)) continue;
      const real = targets.get(e.name);
      // A broken link (no real path) goes on to the stat that reports it.
      const refusal = real ? bounds.linkRefusal(real) : null;
      if (refusal) result.issues.push({ path: join(dir, e.name), error: refusal });
      else if (isMedia) media.push(e);
      // A link that is not to a media file may be a folder: walkFolder finds out with its stat.
      else found.links.push({ path: join(dir, e.name) });
      continue;
    }
    if (e.isDirectory()) {
      if (!isSkippedFolderName(e.name) && opts.recursive) found.dirs.push({ path: join(dir, e.name), parentDev: st.dev });
      continue;
    }
    if (isMedia) media.push(e);
    else if (!e.name.startsWith('.')) result.ignored++;
  }
  if (!media.length) return found;
  const folder = await readFolderListing(dir, entries);
  const stats = await Promise.all(media.map((e) => statMedia(dir, e, result)));
  const kept = stats.filter((s): s is { e: Dirent; st: Stats } => s !== null && s !== 'not media');
  result.ignored += stats.filter((s) => s === 'not media').length;
  // Files shown to be something else (TypeScript `.ts`) are no siblings of the folder's media.
  const siblings = media.filter((_, i) => stats[i] !== 'not media').map((e) => e.name);
  for (const s of kept) {
    result.candidates.push({ path: join(dir, s.e.name), name: s.e.name, size: s.st.size, mtime_ms: Math.floor(s.st.mtimeMs), folder, siblings });
  }
  return found;
}

/** Real paths of the symlinks worth following (null: broken), resolved in parallel. */
async function linkTargets(dir: string, entries: Dirent[], opts: WalkOptions): Promise<Map<string, string | null>> {
  const wanted = entries.filter((e) => {
    if (!e.isSymbolicLink()) return false;
    if (isMediaName(e.name, opts.mediaExtensions)) return true;
    return opts.recursive && !isSkippedFolderName(e.name);
  });
  const out = new Map<string, string | null>();
  await Promise.all(
    wanted.map(async (e) => {
      out.set(e.name, await realpath(join(dir, e.name)).catch(() => null));
    }),
  );
  return out;
}

/** One stat per media file; `.ts`-like files also get their first bytes read (media-sniff.ts). */
async function statMedia(dir: string, e: Dirent, result: WalkResult): Promise<{ e: Dirent; st: Stats } | 'not media' | null> {
  const path = join(dir, e.name);
  try {
    const st = await stat(path);
    if (!st.isFile()) return null;
    if (needsSniff(e.name) && !(await isTransportStream(path))) return 'not media';
    return { e, st };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    result.issues.push({ path, error: code === 'ENOENT' ? (e.isSymbolicLink() ? 'broken link' : 'file vanished during the scan') : `cannot read file: ${errText(err)}` });
    return null;
  }
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return 'permission denied';
  if (err?.code === 'ENOENT') return 'no such file or folder';
  return err?.message ?? String(e);
}
